//! A revision of a generated model, as the next week's export would bring it: some elements
//! moved, some deleted, some renamed, some (or all) with regenerated GlobalIds, and a truth file
//! that says which. Pure: the STEP text of a model in, the revision's STEP text and its truth
//! out. Used by the model-revision tests (`plumbline diff`, the clash history).
//!
//! The writer works on the STEP text of models this crate generates (one record per line). A
//! product is a record whose sixth argument is an `IFCLOCALPLACEMENT` and whose seventh an
//! `IFCPRODUCTDEFINITIONSHAPE` (spatial structure, spaces and openings excepted). A move adds a
//! placement relative to the product's own, offset by [`RevisionParams::offset_m`]; a deletion
//! removes the product and takes it out of every relationship that lists it (a relationship left
//! empty, or one that named it alone, goes too).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Which products a revision touches: every `n`-th product (in file order, counting from the
/// seed's offset) for each kind of change; 0 turns a change off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionParams {
    pub seed: u64,
    pub move_every: usize,
    pub delete_every: usize,
    pub rename_every: usize,
    pub reguid_every: usize,
    /// Regenerate every product's GlobalId (an exporter that does not keep them).
    pub reguid_all: bool,
    /// How far a moved product moves, metres, in its own placement's frame.
    pub offset_m: [f64; 3],
}

impl Default for RevisionParams {
    fn default() -> Self {
        RevisionParams {
            seed: 1,
            move_every: 7,
            delete_every: 11,
            rename_every: 13,
            reguid_every: 5,
            reguid_all: false,
            offset_m: [0.0, 0.0, 0.25],
        }
    }
}

/// What a revision changed, by the products' old GlobalIds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RevisionTruth {
    /// Old GlobalId → new GlobalId, for every product whose GlobalId was regenerated.
    pub reguided: BTreeMap<String, String>,
    pub moved: BTreeSet<String>,
    pub deleted: BTreeSet<String>,
    /// Old GlobalId → new name.
    pub renamed: BTreeMap<String, String>,
}

/// A revision: its STEP text and what changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub ifc: String,
    pub truth: RevisionTruth,
}

const NOT_PRODUCTS: &[&str] =
    &["IFCSITE", "IFCBUILDING", "IFCBUILDINGSTOREY", "IFCSPACE", "IFCOPENINGELEMENT", "IFCPROJECT"];

/// One `#id=ENTITY(args);` record.
struct Record {
    id: u64,
    entity: String,
    args: Vec<String>,
}

/// Writes a revision of `ifc` (a model this crate generated).
pub fn revise(ifc: &str, p: &RevisionParams) -> Revision {
    let lines: Vec<&str> = ifc.lines().collect();
    let mut records: BTreeMap<usize, Record> = BTreeMap::new();
    let mut entity_of: BTreeMap<u64, String> = BTreeMap::new();
    let mut max_id = 0;
    for (i, line) in lines.iter().enumerate() {
        if let Some(r) = parse(line) {
            max_id = max_id.max(r.id);
            entity_of.insert(r.id, r.entity.clone());
            records.insert(i, r);
        }
    }
    let is_ref_to = |arg: &str, entity: &str| {
        arg.strip_prefix('#')
            .and_then(|n| n.parse::<u64>().ok())
            .and_then(|n| entity_of.get(&n))
            .is_some_and(|e| e == entity)
    };
    let products: Vec<usize> = records
        .iter()
        .filter(|(_, r)| {
            r.args.len() > 6
                && !NOT_PRODUCTS.contains(&r.entity.as_str())
                && is_ref_to(&r.args[5], "IFCLOCALPLACEMENT")
                && is_ref_to(&r.args[6], "IFCPRODUCTDEFINITIONSHAPE")
        })
        .map(|(i, _)| *i)
        .collect();
    let offset = (p.seed % 3) as usize;
    let picks = |every: usize, k: usize| every > 0 && (k + offset).is_multiple_of(every);
    let mut truth = RevisionTruth::default();
    let mut extra: Vec<String> = Vec::new();
    let mut deleted_ids: BTreeSet<u64> = BTreeSet::new();
    let mut rng = p.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for (k, line_no) in products.iter().enumerate() {
        let Some(r) = records.get_mut(line_no) else { continue };
        let old_gid = unquote(&r.args[0]);
        if picks(p.delete_every, k) {
            truth.deleted.insert(old_gid);
            deleted_ids.insert(r.id);
            continue;
        }
        if picks(p.move_every, k + 1) {
            let [x, y, z] = p.offset_m;
            let base = max_id + 1 + extra.len() as u64;
            extra.push(format!("#{}=IFCCARTESIANPOINT(({},{},{}));", base, real(x), real(y), real(z)));
            extra.push(format!("#{}=IFCAXIS2PLACEMENT3D(#{},$,$);", base + 1, base));
            extra.push(format!("#{}=IFCLOCALPLACEMENT({},#{});", base + 2, r.args[5], base + 1));
            r.args[5] = format!("#{}", base + 2);
            truth.moved.insert(old_gid.clone());
        }
        if picks(p.rename_every, k + 2) {
            let name = format!("{} (rev B)", unquote(&r.args[2]));
            r.args[2] = format!("'{}'", name.replace('\'', "''"));
            truth.renamed.insert(old_gid.clone(), name);
        }
        if p.reguid_all || picks(p.reguid_every, k + 3) {
            let new_gid = guid(&mut rng);
            r.args[0] = format!("'{new_gid}'");
            truth.reguided.insert(old_gid, new_gid);
        }
    }
    let mut out = String::with_capacity(ifc.len() + extra.len() * 48);
    for (i, line) in lines.iter().enumerate() {
        match records.get(&i) {
            Some(r) if deleted_ids.contains(&r.id) => {}
            Some(r) => {
                if let Some(text) = without_deleted(r, &deleted_ids) {
                    out.push_str(&text);
                    out.push('\n');
                }
            }
            None => {
                // The data section ends: the new placements go just before it.
                if line.trim() == "ENDSEC;" && !extra.is_empty() && out.contains("DATA;") {
                    for e in extra.drain(..) {
                        out.push_str(&e);
                        out.push('\n');
                    }
                }
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Revision { ifc: out, truth }
}

/// The record written back, without references to deleted products: taken out of lists; a
/// record that named one outside a list, or whose list became empty, is dropped (`None`).
fn without_deleted(r: &Record, deleted: &BTreeSet<u64>) -> Option<String> {
    let is_deleted = |a: &str| {
        a.strip_prefix('#').and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| deleted.contains(&n))
    };
    let mut args = Vec::with_capacity(r.args.len());
    for a in &r.args {
        if is_deleted(a) {
            return None;
        }
        if a.starts_with('(') && a.ends_with(')') {
            let items = split_args(&a[1..a.len() - 1]);
            let kept: Vec<&String> = items.iter().filter(|i| !is_deleted(i)).collect();
            if kept.len() != items.len() {
                if kept.is_empty() {
                    return None;
                }
                args.push(format!("({})", kept.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")));
                continue;
            }
        }
        args.push(a.clone());
    }
    Some(format!("#{}={}({});", r.id, r.entity, args.join(",")))
}

fn parse(line: &str) -> Option<Record> {
    let line = line.trim();
    let rest = line.strip_prefix('#')?;
    let (id, rest) = rest.split_once('=')?;
    let id = id.trim().parse().ok()?;
    let open = rest.find('(')?;
    let body = rest[open + 1..].strip_suffix(");")?;
    Some(Record { id, entity: rest[..open].trim().to_string(), args: split_args(body) })
}

/// Splits STEP arguments at top-level commas (not inside strings or parentheses).
fn split_args(body: &str) -> Vec<String> {
    let (mut out, mut current, mut depth, mut in_string) = (Vec::new(), String::new(), 0usize, false);
    for c in body.chars() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => depth = depth.saturating_sub(1),
            ',' if !in_string && depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.is_empty() || !out.is_empty() {
        out.push(current);
    }
    out
}

fn unquote(arg: &str) -> String {
    arg.strip_prefix('\'')
        .and_then(|a| a.strip_suffix('\''))
        .map(|a| a.replace("''", "'"))
        .unwrap_or_default()
}

/// A STEP real: always with a decimal point.
fn real(x: f64) -> String {
    let s = format!("{x}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.")
    }
}

/// A fresh IFC GlobalId (22 characters of IFC's base-64 alphabet, the first 0–3), from a
/// deterministic generator so the same seed writes the same revision.
fn guid(state: &mut u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$";
    let mut next = || {
        // xorshift64*: small, stable across platforms.
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut s = String::with_capacity(22);
    s.push(ALPHABET[(next() % 4) as usize] as char);
    for _ in 1..22 {
        s.push(ALPHABET[(next() % 64) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{datacenter, DatacenterParams};

    #[test]
    fn a_revision_changes_what_its_truth_says_and_nothing_else() {
        let g = datacenter(&DatacenterParams::for_elements(300, 1));
        let rev = revise(&g.ifc, &RevisionParams::default());
        let t = &rev.truth;
        assert!(
            !t.moved.is_empty() && !t.deleted.is_empty() && !t.renamed.is_empty() && !t.reguided.is_empty()
        );
        for gid in &t.deleted {
            assert!(g.ifc.contains(gid.as_str()) && !rev.ifc.contains(gid.as_str()), "{gid} deleted");
        }
        for (old, new) in &t.reguided {
            assert!(!rev.ifc.contains(&format!("'{old}'")) && rev.ifc.contains(&format!("'{new}'")), "{old}");
        }
        for name in t.renamed.values() {
            assert!(rev.ifc.contains(&name.replace('\'', "''")), "{name}");
        }
        assert!(rev.ifc.trim_end().ends_with("END-ISO-10303-21;"));
        assert_eq!(revise(&g.ifc, &RevisionParams::default()), rev, "deterministic");
        let all = revise(&g.ifc, &RevisionParams { reguid_all: true, ..RevisionParams::default() });
        assert!(all.truth.reguided.len() > t.reguided.len());
    }
}
