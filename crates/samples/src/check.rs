//! An independent brute-force clash check over axis-aligned boxes, used by the tests to
//! prove that the truth file lists exactly what the [`TestSpec`]s find.

use std::collections::btree_map::{BTreeMap, Entry};
use std::collections::BTreeSet;

use crate::build::{Phase, Record, TaskDef};
use crate::geom::{Aabb, Facing};
use crate::scan::{self, Val};
use crate::{Selector, TestSpec, Truth, Zone, OPERABLE_HEIGHT};

/// A pair a test reports: A-side GlobalId, B-side GlobalId and the distance (mm).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Found {
    pub(crate) test: &'static str,
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) mm: i64,
}

/// How far apart (mm, along X) two elements may be and still interact in any test.
const REACH: i64 = 1100;

/// Pairs of compared classes closer than this (mm) must be listed as non-clashes.
const NEAR: i64 = 10;

fn matches(sel: &[Selector], r: &Record) -> bool {
    sel.is_empty()
        || sel.iter().any(|s| s.class == r.class.ifc() && s.object_type.is_none_or(|o| r.otype == Some(o)))
}

/// The half-open time window `[start, end)` in days in which the element exists.
fn window(r: &Record, tasks: &[TaskDef]) -> (i64, i64) {
    (r.task.map_or(i64::MIN, |t| tasks[t].start), r.end_task.map_or(i64::MAX, |t| tasks[t].end))
}

/// The gap between `a`'s face towards `f` and `b`.
fn gap(a: &Aabb, b: &Aabb, f: Facing) -> i64 {
    let i = f.axis().index();
    let g = if f.positive() { b.min[i] - a.max[i] } else { a.min[i] - b.max[i] };
    g.max(0)
}

/// Every element's operable part height above its base (mm) by GlobalId, as the file states it
/// ([`OPERABLE_HEIGHT`], a length in metres), read with the independent text scanner.
pub(crate) fn operable_heights(ifc: &str) -> Result<BTreeMap<String, i64>, String> {
    let model = scan::Model { ents: scan::parse(ifc)? };
    let (pset_name, prop_name) = OPERABLE_HEIGHT;
    let mut out = BTreeMap::new();
    for e in model.ents.values().filter(|e| e.name == "IFCRELDEFINESBYPROPERTIES") {
        let pset = model.ent(e.args[5].as_ref().ok_or("no property set")?)?;
        if pset.args[2].as_str() != Some(pset_name) {
            continue;
        }
        for p in pset.args[4].as_list().iter().filter_map(Val::as_ref) {
            let p = model.ent(p)?;
            let metres = match &p.args[2] {
                Val::Typed(_, v) if p.args[0].as_str() == Some(prop_name) => v.as_num(),
                _ => None,
            };
            let Some(metres) = metres else { continue };
            for object in e.args[4].as_list().iter().filter_map(Val::as_ref) {
                let guid = model.ent(object)?.args[0].as_str().ok_or("no GlobalId")?.to_owned();
                out.insert(guid, (metres * 1000.0).round() as i64);
            }
        }
    }
    Ok(out)
}

/// Runs every test on the records; returns what they report and the pairs of compared
/// classes that are closer than 10 mm without overlapping. `operable` gives the operable part
/// heights reach tests read ([`operable_heights`]).
pub(crate) fn run(
    specs: &[TestSpec],
    recs: &[Record],
    tasks: &[TaskDef],
    operable: &BTreeMap<String, i64>,
) -> (Vec<Found>, BTreeSet<(String, String)>) {
    let mut order: Vec<usize> = (0..recs.len()).collect();
    order.sort_by_key(|&i| (recs[i].b.min[0], i));
    let mut found = Vec::new();
    let mut near = BTreeSet::new();
    for (oi, &i) in order.iter().enumerate() {
        for &j in &order[oi + 1..] {
            if recs[j].b.min[0] >= recs[i].b.max[0] + REACH {
                break;
            }
            for (a, b) in [(i, j), (j, i)] {
                pair(specs, recs, tasks, a, b, &mut found, &mut near);
            }
        }
    }
    for s in specs {
        if let Zone::Reach { min_mm, max_mm } = s.zone {
            reach(s, (min_mm, max_mm), recs, operable, &mut found);
        }
    }
    (one_per_pair(found), near)
}

/// A reach test over every record at once: each A element with an operable height against the
/// highest floor under its footprint (see [`Zone::Reach`]).
fn reach(
    s: &TestSpec,
    (min_mm, max_mm): (i64, i64),
    recs: &[Record],
    operable: &BTreeMap<String, i64>,
    found: &mut Vec<Found>,
) {
    for a in recs.iter().filter(|r| matches(s.a, r)) {
        let Some(&part) = operable.get(a.guid.as_str()) else { continue };
        let under = |f: &&Record| {
            f.guid != a.guid
                && matches(s.b, f)
                && f.b.max[2] <= a.b.min[2]
                && (0..2).all(|i| f.b.min[i] < a.b.max[i] && a.b.min[i] < f.b.max[i])
        };
        let floor = recs
            .iter()
            .filter(under)
            .max_by(|p, q| p.b.max[2].cmp(&q.b.max[2]).then_with(|| q.guid.as_str().cmp(p.guid.as_str())));
        let Some(floor) = floor else { continue };
        let height = a.b.min[2] + part - floor.b.max[2];
        let outside = if height > max_mm { height - max_mm } else { (min_mm - height).max(0) };
        if outside > 0 {
            found.push(Found {
                test: s.name,
                a: a.guid.as_str().to_owned(),
                b: floor.guid.as_str().to_owned(),
                mm: outside,
            });
        }
    }
}

/// One finding per test and pair of elements, as the engine reports it: a pair found from both
/// sides (A and B share elements and each stands in the other's zone) keeps the smaller
/// distance, then the A side whose GlobalId sorts first. Sorted.
fn one_per_pair(found: Vec<Found>) -> Vec<Found> {
    let mut kept: BTreeMap<(&'static str, String, String), Found> = BTreeMap::new();
    for f in found {
        let key =
            if f.a <= f.b { (f.test, f.a.clone(), f.b.clone()) } else { (f.test, f.b.clone(), f.a.clone()) };
        match kept.entry(key) {
            Entry::Vacant(v) => {
                v.insert(f);
            }
            Entry::Occupied(mut o) => {
                if (f.mm, &f.a) < (o.get().mm, &o.get().a) {
                    o.insert(f);
                }
            }
        }
    }
    let mut out: Vec<Found> = kept.into_values().collect();
    out.sort();
    out
}

fn pair(
    specs: &[TestSpec],
    recs: &[Record],
    tasks: &[TaskDef],
    ia: usize,
    ib: usize,
    found: &mut Vec<Found>,
    near: &mut BTreeSet<(String, String)>,
) {
    let (a, b) = (&recs[ia], &recs[ib]);
    let mut report = |test: &'static str, mm: i64| {
        found.push(Found { test, a: a.guid.as_str().to_owned(), b: b.guid.as_str().to_owned(), mm });
    };
    for s in specs {
        match s.zone {
            Zone::Overlap => {
                if !(matches(s.a, a) && matches(s.b, b)) {
                    continue;
                }
                let pen = a.b.penetration(&b.b);
                if pen > 0 {
                    report(s.name, pen);
                } else if a.b.dist2(&b.b) < NEAR * NEAR {
                    near.insert((a.guid.as_str().to_owned(), b.guid.as_str().to_owned()));
                }
            }
            Zone::Above | Zone::Below | Zone::Front | Zone::FrontAndBack => {
                if !(matches(s.a, a) && matches(s.b, b)) {
                    continue;
                }
                let d = (s.clearance_m * 1000.0).round() as i64;
                let zones: Vec<(Aabb, Option<Facing>)> = match s.zone {
                    Zone::Above => vec![(a.b.zone_vertical(true, d), None)],
                    Zone::Below => vec![(a.b.zone_vertical(false, d), None)],
                    Zone::Front => {
                        let f = a.front.unwrap_or(Facing::PosY);
                        vec![(a.b.zone(f, d), Some(f))]
                    }
                    _ => {
                        let f = a.front.unwrap_or(Facing::PosY);
                        vec![(a.b.zone(f, d), Some(f)), (a.b.zone(f.opposite(), d), Some(f.opposite()))]
                    }
                };
                for (zone, f) in zones {
                    if zone.overlaps(&b.b) {
                        let g = match (s.zone, f) {
                            (Zone::Above, _) => (b.b.min[2] - a.b.max[2]).max(0),
                            (Zone::Below, _) => (a.b.min[2] - b.b.max[2]).max(0),
                            (_, Some(f)) => gap(&a.b, &b.b, f),
                            (_, None) => 0,
                        };
                        report(s.name, g);
                    }
                }
            }
            Zone::SameGeometry => {
                if ia < ib && a.class == b.class && a.shape_kind == b.shape_kind && a.b == b.b {
                    report(s.name, 0);
                }
            }
            // Left to the engine (see `Zone::Engine`); reach tests weigh every floor at once
            // (see `reach`).
            Zone::Engine | Zone::Reach { .. } => {}
            Zone::OverlapInTime => {
                if a.phase != Phase::Temporary || b.phase == Phase::Temporary {
                    continue;
                }
                let pen = a.b.penetration(&b.b);
                let (wa, wb) = (window(a, tasks), window(b, tasks));
                if pen > 0 && wa.0 < wb.1 && wb.0 < wa.1 {
                    report(s.name, pen);
                }
            }
        }
    }
}

/// Compares the brute-force findings with the truth; returns a list of problems.
///
/// `engine_only` names the tests this check leaves to the engine ([`Zone::Engine`]): their
/// seeded clashes are not expected here.
pub(crate) fn compare(
    truth: &Truth,
    found: &[Found],
    near: &BTreeSet<(String, String)>,
    engine_only: &[&str],
) -> Vec<String> {
    let norm = |test: &str, a: &str, b: &str| {
        // Duplicates have no A side, so their pairs compare unordered.
        if test == crate::DUPLICATES && a > b {
            (test.to_owned(), b.to_owned(), a.to_owned())
        } else {
            (test.to_owned(), a.to_owned(), b.to_owned())
        }
    };
    let expected: BTreeSet<(String, String, String, i64)> = truth
        .clashes
        .iter()
        .filter(|c| !engine_only.contains(&c.test.as_str()))
        .map(|c| {
            let (t, a, b) = norm(&c.test, &c.a, &c.b);
            (t, a, b, (c.distance_m * 1000.0).round() as i64)
        })
        .collect();
    let got: BTreeSet<(String, String, String, i64)> = found
        .iter()
        .map(|f| {
            let (t, a, b) = norm(f.test, &f.a, &f.b);
            (t, a, b, f.mm)
        })
        .collect();
    let mut problems = Vec::new();
    // A test reports a pair once, so the truth lists it once (in the direction kept).
    let mut pairs = BTreeSet::new();
    for c in &truth.clashes {
        let (x, y) = if c.a <= c.b { (&c.a, &c.b) } else { (&c.b, &c.a) };
        if !pairs.insert((c.test.as_str(), x, y)) {
            problems.push(format!("pair listed twice: {c:?}"));
        }
    }
    for e in expected.difference(&got) {
        problems.push(format!("seeded but not found: {e:?}"));
    }
    for g in got.difference(&expected) {
        problems.push(format!("found but not seeded: {g:?}"));
    }
    let listed: BTreeSet<(String, String)> = truth
        .non_clashes
        .iter()
        .flat_map(|n| [(n.a.clone(), n.b.clone()), (n.b.clone(), n.a.clone())])
        .collect();
    for n in &truth.non_clashes {
        if found.iter().any(|f| (f.a == n.a && f.b == n.b) || (f.a == n.b && f.b == n.a)) {
            problems.push(format!("non-clash reported: {n:?}"));
        }
    }
    for (a, b) in near {
        if !listed.contains(&(a.clone(), b.clone())) {
            problems.push(format!("closer than {NEAR} mm but not listed as a non-clash: {a} {b}"));
        }
    }
    problems
}
