//! Which clashes of a report a BCF topic speaks about, for importing statuses and comments.

use crate::Topic;
use plumbline_review::{ClashRecord, Report};
use std::collections::BTreeSet;

impl Topic {
    /// The ids of every component that the topic's viewpoints select or colour, sorted, without
    /// repeats.
    pub fn component_ids(&self) -> Vec<String> {
        let ids: BTreeSet<String> = self.viewpoints.iter().flat_map(|v| v.component_ids()).collect();
        ids.into_iter().collect()
    }
}

/// The clashes of `report` that a topic is about: those of the group whose GUID is the topic's
/// (a topic Plumbline wrote), or else those whose two elements are both among the components
/// the topic's viewpoints select or colour (a topic another tool wrote about the same pair).
/// In report order.
pub fn clashes_of<'r>(topic: &Topic, report: &'r Report) -> Vec<&'r ClashRecord> {
    let groups: BTreeSet<&str> =
        report.groups().filter(|g| g.guid.eq_ignore_ascii_case(&topic.guid)).map(|g| g.id.as_str()).collect();
    if !groups.is_empty() {
        return report.clashes().filter(|c| groups.contains(c.group.as_str())).collect();
    }
    let ids: BTreeSet<String> = topic.component_ids().into_iter().collect();
    if ids.is_empty() {
        return Vec::new();
    }
    report.clashes().filter(|c| ids.contains(&c.a.global_id) && ids.contains(&c.b.global_id)).collect()
}
