//! The default ignore rules: pairs that touch or overlap by design and that users never want
//! reported. Each rule can be switched off; all work from the model's relations (and, for
//! openings, their boxes), before any geometry of the pair is computed.

use plumbline_model::{Aabb, ElementRef, ModelSet};
use std::collections::{HashMap, HashSet};

/// Which default ignore rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IgnoreRules {
    /// A door or window and the element whose opening it fills (`IfcRelFillsElement` +
    /// `IfcRelVoidsElement`).
    pub fillings_in_host: bool,
    /// An element whose overlap with the other lies within one of the other's openings (a
    /// duct through a wall opening, touching its reveals).
    pub through_openings: bool,
    /// Parts of one assembly (`IfcRelAggregates`/`IfcRelNests`, any depth) and the whole with
    /// its parts.
    pub same_assembly: bool,
    /// Elements joined by ports (`IfcRelConnectsPorts`: a fitting and its segment).
    pub port_connected: bool,
    /// The same GlobalId in two files: one element exported twice.
    pub same_global_id: bool,
}

impl Default for IgnoreRules {
    fn default() -> Self {
        IgnoreRules {
            fillings_in_host: true,
            through_openings: true,
            same_assembly: true,
            port_connected: true,
            same_global_id: true,
        }
    }
}

impl IgnoreRules {
    /// No rule at all.
    pub const NONE: IgnoreRules = IgnoreRules {
        fillings_in_host: false,
        through_openings: false,
        same_assembly: false,
        port_connected: false,
        same_global_id: false,
    };
}

/// The rules applied to one model set: answers "ignore this pair?" in constant time.
#[derive(Debug)]
pub struct Ignore<'a> {
    set: &'a ModelSet,
    rules: IgnoreRules,
    /// Unordered pairs related by fills, assemblies or ports.
    related: HashSet<(ElementRef, ElementRef)>,
    /// The boxes of each host's openings.
    openings: HashMap<ElementRef, Vec<Aabb>>,
}

fn key(a: ElementRef, b: ElementRef) -> (ElementRef, ElementRef) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl<'a> Ignore<'a> {
    pub fn new(set: &'a ModelSet, rules: IgnoreRules) -> Self {
        let mut related = HashSet::new();
        let mut openings: HashMap<ElementRef, Vec<Aabb>> = HashMap::new();
        for (f, m) in set.models.iter().enumerate() {
            let r = |i: u32| ElementRef { file: f as u32, element: i };
            let rel = &m.relations;
            // Host of each opening, for fillings and pass-throughs.
            let host_of: HashMap<u32, u32> =
                rel.voids.iter().map(|&(host, opening)| (opening, host)).collect();
            if rules.fillings_in_host {
                for &(opening, filling) in &rel.fills {
                    if let Some(&host) = host_of.get(&opening) {
                        related.insert(key(r(host), r(filling)));
                    }
                }
            }
            if rules.through_openings {
                for &(host, opening) in &rel.voids {
                    if let Some(b) = m.elements[opening as usize].aabb() {
                        openings.entry(r(host)).or_default().push(b);
                    }
                }
            }
            if rules.same_assembly {
                // Every element of an assembly tree is related to every other one of it.
                let mut parent: HashMap<u32, u32> = HashMap::new();
                for &(whole, part) in &rel.aggregates {
                    parent.insert(part, whole);
                }
                let root = |mut e: u32| {
                    for _ in 0..64 {
                        match parent.get(&e) {
                            Some(&p) => e = p,
                            None => break,
                        }
                    }
                    e
                };
                let mut trees: HashMap<u32, Vec<u32>> = HashMap::new();
                for &(whole, part) in &rel.aggregates {
                    let t = trees.entry(root(whole)).or_default();
                    t.push(whole);
                    t.push(part);
                }
                for members in trees.values_mut() {
                    members.sort_unstable();
                    members.dedup();
                    for (i, &x) in members.iter().enumerate() {
                        for &y in &members[i + 1..] {
                            related.insert(key(r(x), r(y)));
                        }
                    }
                }
            }
            if rules.port_connected {
                for &(x, y) in &rel.port_connections {
                    related.insert(key(r(x), r(y)));
                }
            }
        }
        Ignore { set, rules, related, openings }
    }

    /// Whether the pair is ignored by one of the rules.
    pub fn ignores(&self, a: ElementRef, b: ElementRef) -> bool {
        if self.rules.same_global_id && self.set.element(a).global_id == self.set.element(b).global_id {
            return true;
        }
        if self.related.contains(&key(a, b)) {
            return true;
        }
        if self.rules.through_openings {
            let (Some(ba), Some(bb)) = (self.set.element(a).aabb(), self.set.element(b).aabb()) else {
                return false;
            };
            let Some(overlap) = ba.intersection(&bb) else { return false };
            // The overlap of the two boxes lies inside an opening of either element (grown by
            // 1 mm for rounding): the pair meets only where the host has been cut away.
            let within = |host: ElementRef| {
                self.openings.get(&host).is_some_and(|boxes| {
                    boxes.iter().any(|o| {
                        let g = o.inflated(0.001);
                        (0..3).all(|k| overlap.min[k] >= g.min[k] && overlap.max[k] <= g.max[k])
                    })
                })
            };
            return within(a) || within(b);
        }
        false
    }
}
