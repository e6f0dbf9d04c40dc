//! The open clashes of the history as a review report: what the viewer shows for `--db` without
//! `--clashes`, and what the report writers read. A pure conversion of what the history stores.

use crate::types::{StoredClash, StoredElement};
use plumbline_clash::ClashKind;
use plumbline_review::{ClashRecord, ElementInfo, Group, Report, TestInfo, TestReport, Text};
use std::collections::BTreeMap;

/// Builds the report of `clashes` (the open ones, sorted by id) of a history whose last run read
/// `models`: tests in name order, clashes grouped as the last run that found each grouped them.
/// What the history does not keep is left plain: overlap boxes shrink to the clash point,
/// element boxes are empty, test settings are zero, and each clash's explanation is a sentence
/// built from what is stored.
pub(crate) fn open_report(clashes: Vec<StoredClash>, models: Vec<String>) -> Report {
    let info = |e: &StoredElement| ElementInfo {
        global_id: e.global_id.clone(),
        class: e.class.clone(),
        name: e.name.clone(),
        file: e.file.clone(),
        storey: e.storey.clone(),
        aabb: plumbline_model::Aabb::EMPTY,
    };
    let mut tests: BTreeMap<String, TestReport> = BTreeMap::new();
    for c in clashes {
        let (a, b) = (info(&c.a), info(&c.b));
        let kind = c.kind.as_str();
        let mm = c.distance_m * 1000.0;
        let explanation = Text {
            en: format!(
                "{kind} clash between {} and {}, {mm:.1} mm (from the clash history)",
                a.label(),
                b.label()
            ),
            zh: format!("{} 与 {} 的{kind}碰撞，{mm:.1} 毫米（来自碰撞历史）", a.label(), b.label()),
        };
        let record = ClashRecord {
            id: c.id.clone(),
            number: c.number,
            test: c.test.clone(),
            test_id: c.test_id.clone(),
            kind: c.kind,
            distance_m: c.distance_m,
            hard: c.kind == ClashKind::Hard || c.kind == ClashKind::Time || c.distance_m < 0.0,
            exact: false,
            point: c.point,
            overlap_aabb: plumbline_model::Aabb { min: c.point, max: c.point },
            a,
            b,
            status: c.status,
            group: c.group_id.clone(),
            explanation,
            // The history keeps neither: what the last run measured is in its own report.
            overlap_volume_m3: None,
            basis: None,
            triage: None,
        };
        // The history keeps each clash's kind, not its test's settings: the test's mode is the
        // kind of its clashes, its distances are unknown (0).
        let test = tests.entry(c.test_id.clone()).or_insert_with(|| TestReport {
            info: TestInfo {
                id: c.test_id.clone(),
                name: c.test.clone(),
                mode: c.kind,
                tolerance_m: 0.0,
                clearance_m: 0.0,
                zone: None,
                reach: None,
            },
            elements_a: 0,
            elements_b: 0,
            candidate_pairs: 0,
            clashes: Vec::new(),
            groups: Vec::new(),
        });
        match test.groups.iter_mut().find(|g| g.id == c.group_id) {
            Some(g) => {
                g.clash_ids.push(c.id.clone());
                g.aabb.grow(c.point);
            }
            None => {
                let guid = c
                    .group_guid
                    .clone()
                    .unwrap_or_else(|| plumbline_review::stable_uuid(&[&c.test_id, &c.group_id]));
                let title = record.a.label();
                test.groups.push(Group {
                    id: c.group_id.clone(),
                    guid,
                    test: c.test.clone(),
                    key: c.group_id.clone(),
                    title: Text { en: format!("Near {title}"), zh: format!("{title} 附近") },
                    explanation: Text::default(),
                    clash_ids: vec![c.id.clone()],
                    aabb: plumbline_model::Aabb { min: c.point, max: c.point },
                    elements: Vec::new(),
                });
            }
        }
        test.clashes.push(record);
    }
    let mut tests: Vec<TestReport> = tests.into_values().collect();
    for t in &mut tests {
        // Report order: by group, then by id, as the engine's reports are.
        t.groups.sort_by(|x, y| x.id.cmp(&y.id));
        t.clashes.sort_by(|x, y| (&x.group, &x.id).cmp(&(&y.group, &y.id)));
    }
    Report {
        models,
        grouping: plumbline_review::Grouping::default(),
        tests,
        timings: plumbline_review::Timings::default(),
    }
}
