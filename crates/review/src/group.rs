//! Grouping: the clashes a designer fixes at once.

use crate::explain::explain_group;
use crate::grouping::Grouping;
use crate::{digest, stable_uuid, ClashRecord, Group, TestInfo};
use plumbline_model::Aabb;
use std::collections::{BTreeMap, BTreeSet};

/// Groups a test's clashes: sets each record's `group` and returns the groups, largest first
/// (ties by key).
pub fn group_clashes(info: &TestInfo, records: &mut [ClashRecord], grouping: Grouping) -> Vec<Group> {
    let keys: Vec<String> = match grouping {
        Grouping::Element => element_keys(records),
        Grouping::Storey => records
            .iter()
            .map(|r| r.a.storey.clone().or_else(|| r.b.storey.clone()).unwrap_or_default())
            .collect(),
        Grouping::TypePair => records
            .iter()
            .map(|r| {
                let (x, y) =
                    if r.a.class <= r.b.class { (&r.a.class, &r.b.class) } else { (&r.b.class, &r.a.class) };
                format!("{x} × {y}")
            })
            .collect(),
        Grouping::Proximity { distance_m } => proximity_keys(records, distance_m),
    };
    let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, k) in keys.iter().enumerate() {
        members.entry(k.as_str()).or_default().push(i);
    }
    let mut groups: Vec<Group> = members
        .into_iter()
        .map(|(key, idx)| {
            let d = digest(&["group", info.key(), grouping.name(), key]);
            let id: String = d.iter().take(8).map(|b| format!("{b:02x}")).collect();
            let mut clash_ids: Vec<String> = idx.iter().map(|&i| records[i].id.clone()).collect();
            clash_ids.sort();
            let mut aabb = Aabb::EMPTY;
            let mut elements = BTreeSet::new();
            for &i in &idx {
                aabb = aabb.union(&records[i].overlap_aabb);
                elements.insert(records[i].a.global_id.clone());
                elements.insert(records[i].b.global_id.clone());
            }
            let members: Vec<&ClashRecord> = idx.iter().map(|&i| &records[i]).collect();
            let (title, explanation) = explain_group(info, grouping, key, &members);
            Group {
                guid: stable_uuid(&["plumbline-group", info.key(), grouping.name(), key]),
                id,
                test: info.name.clone(),
                key: key.to_string(),
                title,
                explanation,
                clash_ids,
                aabb,
                elements: elements.into_iter().collect(),
            }
        })
        .collect();
    groups.sort_by(|p, q| q.clash_ids.len().cmp(&p.clash_ids.len()).then_with(|| p.key.cmp(&q.key)));
    let id_of: BTreeMap<&str, &str> =
        groups.iter().flat_map(|g| g.clash_ids.iter().map(move |c| (c.as_str(), g.id.as_str()))).collect();
    for r in records.iter_mut() {
        r.group = id_of.get(r.id.as_str()).map(|s| s.to_string()).unwrap_or_default();
    }
    groups
}

/// Each clash's most-involved element.
fn element_keys(records: &[ClashRecord]) -> Vec<String> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for r in records {
        *count.entry(&r.a.global_id).or_default() += 1;
        *count.entry(&r.b.global_id).or_default() += 1;
    }
    records
        .iter()
        .map(|r| {
            let (ca, cb) = (count[r.a.global_id.as_str()], count[r.b.global_id.as_str()]);
            let a_wins = ca > cb || (ca == cb && r.a.global_id <= r.b.global_id);
            if a_wins {
                r.a.global_id.clone()
            } else {
                r.b.global_id.clone()
            }
        })
        .collect()
}

/// Single-linkage clusters of clash points; each cluster is keyed by its smallest clash id.
fn proximity_keys(records: &[ClashRecord], distance_m: f64) -> Vec<String> {
    let n = records.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // A sweep along x: only points within `distance_m` in x can be linked.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&p, &q| records[p].point[0].total_cmp(&records[q].point[0]).then(p.cmp(&q)));
    let d2 = distance_m * distance_m;
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            let (p, q) = (records[i].point, records[j].point);
            if q[0] - p[0] > distance_m {
                break;
            }
            let dist2: f64 = (0..3).map(|c| (p[c] - q[c]).powi(2)).sum();
            if dist2 <= d2 {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                if ri != rj {
                    parent[ri.max(rj)] = ri.min(rj);
                }
            }
        }
    }
    let mut smallest: BTreeMap<usize, &str> = BTreeMap::new();
    for (i, record) in records.iter().enumerate() {
        let r = root(&mut parent, i);
        let e = smallest.entry(r).or_insert(&record.id);
        if record.id.as_str() < *e {
            *e = &record.id;
        }
    }
    (0..n).map(|i| smallest[&root(&mut parent, i)].to_string()).collect()
}
