//! Model revisions: what changed between two loaded versions of the same models. Pure: loaded
//! models in, a [`Diff`] out; no I/O (the CLI's `plumbline diff` loads and prints).
//!
//! **Matching.** An old and a new element are the same element when they have the same GlobalId;
//! of the elements left over on both sides, an old and a new one are the same when they share a
//! key of class, name and geometry fingerprint that no other left-over element on either side has
//! ([`pair_by_key`]; identical copies sharing a key pair place by place). The fingerprint ([`Digest::shape`]) is taken of the geometry in the
//! element's own frame (its placement's axes), so moving or turning an element keeps it, and an
//! exporter that regenerates every GlobalId still has its elements matched. A key that more
//! elements have on one side than on the other matches nothing: which of them went is unknowable.
//! The clash history follows clashes across revisions with the same rule (`plumbline-store`).
//!
//! **Changes** of a matched pair, in this order: `global_id` (matched by fingerprint), `class`,
//! `name`, `geometry` (a vertex of the element's own-frame geometry moved by more than the
//! tolerance, or the vertex count changed), `placement` (its frame moved by more than the
//! tolerance or turned), `properties` (any property set value).
//!
//! **Determinism.** Every list is sorted by GlobalId.

mod digest;

pub use digest::{digest_model, digest_set, Digest};

use plumbline_model::{Model, ModelSet};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The default tolerance of geometry and placement comparisons: 1 mm, the precision of the
/// fingerprints and what an exporter's rounding stays below.
pub const DEFAULT_TOLERANCE_M: f64 = 0.001;

/// Why two models cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    #[error("the models have different IFC schemas (old {old}, new {new}): a revision keeps its schema; compare models of one schema")]
    Schema { old: String, new: String },
    #[error("the tolerance must be a finite length of 0 or more metres, not {0}")]
    Tolerance(String),
}

/// One element in a diff's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElementSummary {
    pub global_id: String,
    pub class: String,
    pub name: Option<String>,
    pub file: String,
}

/// A matched pair that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The new GlobalId.
    pub global_id: String,
    /// The old GlobalId (equal to `global_id` when matched by GlobalId).
    pub old_global_id: String,
    pub class: String,
    pub name: Option<String>,
    /// What changed: `global_id`, `class`, `name`, `geometry`, `placement`, `properties`.
    pub changes: Vec<&'static str>,
}

/// How many pairs each rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Matched {
    pub by_global_id: usize,
    pub by_fingerprint: usize,
}

/// What changed from an old revision to a new one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Diff {
    pub added: Vec<ElementSummary>,
    pub removed: Vec<ElementSummary>,
    pub changed: Vec<Changed>,
    pub matched: Matched,
}

impl Diff {
    /// Whether the revisions hold the same elements, unchanged.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares two versions of one model.
pub fn diff_models(old: &Model, new: &Model, tolerance_m: f64) -> Result<Diff, DiffError> {
    check(std::slice::from_ref(old), std::slice::from_ref(new), tolerance_m)?;
    Ok(diff_digests(&digest_model(old), &digest_model(new), tolerance_m))
}

/// Compares two versions of a federated set: elements are matched across all its files.
pub fn diff_sets(old: &ModelSet, new: &ModelSet, tolerance_m: f64) -> Result<Diff, DiffError> {
    check(&old.models, &new.models, tolerance_m)?;
    Ok(diff_digests(&digest_set(old), &digest_set(new), tolerance_m))
}

fn check(old: &[Model], new: &[Model], tolerance_m: f64) -> Result<(), DiffError> {
    if !tolerance_m.is_finite() || tolerance_m < 0.0 {
        return Err(DiffError::Tolerance(tolerance_m.to_string()));
    }
    let schemas = |m: &[Model]| m.iter().map(|m| m.schema.to_ascii_uppercase()).collect::<BTreeSet<_>>();
    let (a, b) = (schemas(old), schemas(new));
    if a != b {
        let list = |s: BTreeSet<String>| s.into_iter().collect::<Vec<_>>().join(", ");
        return Err(DiffError::Schema { old: list(a), new: list(b) });
    }
    Ok(())
}

/// Compares two revisions' digests (see the crate docs for the rules).
pub fn diff_digests(old: &[Digest], new: &[Digest], tolerance_m: f64) -> Diff {
    let old_by_id: BTreeMap<&str, &Digest> = old.iter().map(|d| (d.global_id.as_str(), d)).collect();
    let new_by_id: BTreeMap<&str, &Digest> = new.iter().map(|d| (d.global_id.as_str(), d)).collect();
    let mut diff = Diff::default();
    let mut pairs: Vec<(&Digest, &Digest, bool)> = Vec::new();
    for (gid, o) in &old_by_id {
        if let Some(n) = new_by_id.get(gid) {
            pairs.push((o, n, false));
        }
    }
    diff.matched.by_global_id = pairs.len();
    let left =
        |side: &BTreeMap<&str, &Digest>, other: &BTreeMap<&str, &Digest>| -> Vec<(String, String, String)> {
            side.iter()
                .filter(|(gid, _)| !other.contains_key(*gid))
                .map(|(g, d)| (g.to_string(), d.key(), d.order()))
                .collect()
        };
    let (old_left, new_left) = (left(&old_by_id, &new_by_id), left(&new_by_id, &old_by_id));
    let by_key = pair_by_key(&as_refs(&old_left), &as_refs(&new_left));
    diff.matched.by_fingerprint = by_key.len();
    let (mut old_matched, mut new_matched): (BTreeSet<&str>, BTreeSet<&str>) = Default::default();
    for (o, n) in &by_key {
        if let (Some(od), Some(nd)) = (old_by_id.get(o), new_by_id.get(n)) {
            pairs.push((od, nd, true));
            old_matched.insert(o);
            new_matched.insert(n);
        }
    }
    for (o, n, by_fingerprint) in pairs {
        let changes = changes(o, n, by_fingerprint, tolerance_m);
        if !changes.is_empty() {
            diff.changed.push(Changed {
                global_id: n.global_id.clone(),
                old_global_id: o.global_id.clone(),
                class: n.class.clone(),
                name: n.name.clone(),
                changes,
            });
        }
    }
    diff.changed.sort_by(|a, b| (&a.global_id, &a.old_global_id).cmp(&(&b.global_id, &b.old_global_id)));
    let (old_left, new_left): (BTreeSet<&str>, BTreeSet<&str>) = (
        old_left.iter().map(|(g, _, _)| g.as_str()).filter(|g| !old_matched.contains(g)).collect(),
        new_left.iter().map(|(g, _, _)| g.as_str()).filter(|g| !new_matched.contains(g)).collect(),
    );
    diff.removed = old_left.iter().filter_map(|g| old_by_id.get(g)).map(|d| d.summary()).collect();
    diff.added = new_left.iter().filter_map(|g| new_by_id.get(g)).map(|d| d.summary()).collect();
    diff
}

fn as_refs(v: &[(String, String, String)]) -> Vec<(&str, &str, &str)> {
    v.iter().map(|(g, k, o)| (g.as_str(), k.as_str(), o.as_str())).collect()
}

/// What differs between two matched elements.
fn changes(o: &Digest, n: &Digest, by_fingerprint: bool, tolerance_m: f64) -> Vec<&'static str> {
    let mut out = Vec::new();
    if by_fingerprint {
        out.push("global_id");
    }
    if o.class != n.class {
        out.push("class");
    }
    if o.name != n.name {
        out.push("name");
    }
    if !o.same_geometry(n, tolerance_m) {
        out.push("geometry");
    }
    if !o.same_placement(n, tolerance_m) {
        out.push("placement");
    }
    if o.properties != n.properties {
        out.push("properties");
    }
    out
}

/// Pairs old and new elements by key: `old` and `new` are `(GlobalId, key, order)` lists of the
/// elements that found no partner by GlobalId. A key that as many elements have on each side
/// pairs them, in the order of `order` (the position, see [`Digest::order`]) and then GlobalId:
/// one element with one, and identical copies (a duplicate pair, a row of equal brackets) place
/// by place. A key with more elements on one side pairs nothing: which of them went, or came, is
/// unknowable. Sorted by old GlobalId.
pub fn pair_by_key<'a>(
    old: &[(&'a str, &'a str, &'a str)],
    new: &[(&'a str, &'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    type Groups<'a> = BTreeMap<&'a str, Vec<(&'a str, &'a str)>>;
    let group = |side: &[(&'a str, &'a str, &'a str)]| {
        let mut by_key: Groups<'a> = BTreeMap::new();
        for (gid, key, order) in side {
            by_key.entry(*key).or_default().push((*order, *gid));
        }
        for members in by_key.values_mut() {
            members.sort();
        }
        by_key
    };
    let (old_keys, new_keys) = (group(old), group(new));
    let mut pairs: Vec<(&'a str, &'a str)> = old_keys
        .iter()
        .filter_map(|(key, o)| Some((o, new_keys.get(key).filter(|n| n.len() == o.len())?)))
        .flat_map(|(o, n)| o.iter().zip(n).map(|((_, og), (_, ng))| (*og, *ng)))
        .collect();
    pairs.sort();
    pairs
}

#[cfg(test)]
mod tests;
