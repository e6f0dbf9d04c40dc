//! Model revisions in the history: which stored clash a found clash is when its elements got new
//! GlobalIds (a re-export), and which open clash lost an element. The elements are matched as
//! `plumbline diff` matches them ([`plumbline_diff::pair_by_key`]): by GlobalId, then, for a
//! GlobalId the models no longer have, by a key of class, name and geometry fingerprint that one
//! element alone has on each side.

use crate::queries::OpenClash;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a run's loaded models say about one element, for the history: its matching key (class,
/// name and geometry fingerprint, placement left out, see `plumbline_diff::Digest::key`) and
/// its state (a digest of everything a reviewer looked at: geometry, placement, class, name and
/// properties). The pipeline fills these from `plumbline_diff::digest_set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementDigest {
    pub key: String,
    pub state: String,
    /// Where it is (`plumbline_diff::Digest::order`): the order in which elements that share a
    /// key are paired.
    pub order: String,
}

/// Every element of a run's models, by GlobalId: what [`crate::Store::record_revision_run_then`]
/// needs to follow clashes across model revisions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revision {
    pub elements: BTreeMap<String, ElementDigest>,
}

impl Revision {
    /// The revision a loaded set is: every element's key and state, from
    /// [`plumbline_diff::digest_set`].
    pub fn of_set(set: &plumbline_model::ModelSet) -> Revision {
        let elements = plumbline_diff::digest_set(set)
            .into_iter()
            .map(|d| {
                (d.global_id.clone(), ElementDigest { key: d.key(), state: d.state(), order: d.order() })
            })
            .collect();
        Revision { elements }
    }

    /// The digest of an element of this revision.
    pub fn get(&self, global_id: &str) -> Option<&ElementDigest> {
        self.elements.get(global_id)
    }
}

/// How the history's elements map onto a revision's: old GlobalId → new GlobalId for the
/// elements whose GlobalId the revision does not have but whose key one new element has.
#[derive(Debug, Default)]
pub(crate) struct ElementMap {
    moved: HashMap<String, String>,
    /// Keys present in the revision (any element): an old element whose key is among them
    /// still exists in some form, even where the match was not unique.
    new_keys: BTreeSet<String>,
}

impl ElementMap {
    /// Matches the elements of `open` clashes that the revision lacks to the revision's elements
    /// that the history has never seen (`known` are the GlobalIds its clashes name).
    pub fn new(open: &[OpenClash], known: &BTreeSet<String>, revision: &Revision) -> ElementMap {
        let mut old: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
        for c in open {
            for ((gid, key), order) in c.global_ids.iter().zip(&c.keys).zip(&c.orders) {
                if let (false, Some(key)) = (revision.elements.contains_key(gid), key) {
                    old.insert(gid, (key, order.as_deref().unwrap_or("")));
                }
            }
        }
        let new: Vec<(&str, &str, &str)> = revision
            .elements
            .iter()
            .filter(|(gid, _)| !known.contains(*gid))
            .map(|(gid, d)| (gid.as_str(), d.key.as_str(), d.order.as_str()))
            .collect();
        let old: Vec<(&str, &str, &str)> = old.into_iter().map(|(g, (k, o))| (g, k, o)).collect();
        let moved = plumbline_diff::pair_by_key(&old, &new)
            .into_iter()
            .map(|(o, n)| (o.to_string(), n.to_string()))
            .collect();
        let new_keys = revision.elements.values().map(|d| d.key.clone()).collect();
        ElementMap { moved, new_keys }
    }

    /// The GlobalId an old element has in the revision, if it has one.
    pub fn current<'a>(&'a self, gid: &'a str, revision: &Revision) -> Option<&'a str> {
        if revision.elements.contains_key(gid) {
            return Some(gid);
        }
        self.moved.get(gid).map(String::as_str)
    }

    /// Whether an old element is gone from the revision: no element has its GlobalId, none was
    /// matched to it, and no element has its key.
    pub fn removed(&self, gid: &str, key: Option<&str>, revision: &Revision) -> bool {
        self.current(gid, revision).is_none() && key.is_none_or(|k| !self.new_keys.contains(k))
    }
}

/// The element pair of a clash as an order-free key.
pub(crate) fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}
