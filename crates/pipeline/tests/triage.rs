//! The clash triage against what the generator scheduled: on the shipped data hall, every
//! clash's `needed_by` is the earliest start of a building (not dismantling) task that the
//! model assigns either element to. The expectation is read from the STEP text directly
//! (IfcTask, IfcTaskTime, IfcRelAssignsToProcess), not through the schedule reader the
//! pipeline uses, so the test checks the reader, the links and the CPM together.

use chrono::NaiveDate;
use plumbline_pipeline::{ClashRequest, HistoryChoice, Outputs, Plan, Quiet, Tests};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The top-level arguments of a STEP entity line `#12=IFCX(a,'b, c',(#1,#2),$);`.
fn args(line: &str) -> Vec<String> {
    let body = &line[line.find('(').map_or(0, |i| i + 1)..line.rfind(')').unwrap_or(line.len())];
    let (mut out, mut cur, mut depth, mut quoted) = (Vec::new(), String::new(), 0, false);
    for ch in body.chars() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur);
    out
}

fn refs(arg: &str) -> Vec<String> {
    arg.trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| r.starts_with('#'))
        .collect()
}

/// GlobalId → the start days of the building tasks it is assigned to.
fn scheduled_starts(text: &str) -> HashMap<String, Vec<NaiveDate>> {
    let mut lines: HashMap<String, &str> = HashMap::new();
    for line in text.lines() {
        if let Some((id, rest)) = line.split_once('=') {
            if id.starts_with('#') {
                lines.insert(id.trim().to_string(), rest);
            }
        }
    }
    let mut starts: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for rest in lines.values().filter(|l| l.starts_with("IFCRELASSIGNSTOPROCESS(")) {
        let a = args(rest);
        let task = args(lines[a[6].trim()]);
        let predefined = task.last().map(|s| s.trim().to_string()).unwrap_or_default();
        if predefined == ".DISMANTLE." || predefined == ".DEMOLITION." || predefined == ".REMOVAL." {
            continue;
        }
        let time = args(lines[task[11].trim()]);
        let start =
            NaiveDate::parse_from_str(&time[5].trim_matches('\'')[..10], "%Y-%m-%d").expect("task start");
        for obj in refs(&a[4]) {
            let gid = args(lines[obj.as_str()])[0].trim_matches('\'').to_string();
            starts.entry(gid).or_default().push(start);
        }
    }
    starts
}

#[test]
fn needed_by_is_the_first_scheduled_building_task_of_either_element() {
    let hall = root().join("sample_models/datacenter-hall.ifc");
    let text = std::fs::read_to_string(&hall).expect("the shipped sample");
    let starts = scheduled_starts(&text);
    assert!(!starts.is_empty(), "the sample assigns elements to tasks");
    let today = NaiveDate::from_ymd_opt(2025, 2, 1).expect("date");
    let request = ClashRequest {
        models: vec![hall],
        tests: Tests::RuleFile(root().join("assets/rules/datacenter.toml")),
        schedule: None,
        links: Vec::new(),
        group_by: None,
        history: HistoryChoice::Off,
        fail_on: None,
        today: Some(today),
        project: None,
        outputs: Outputs::default(),
        threads: Some(2),
        basis: plumbline_schedule::Basis::Planned,
    };
    let plan = Plan::new(request, &plumbline_ifc::canonical_class_name).expect("plan");
    let outcome = plumbline_pipeline::run(&plan, Default::default(), &mut Quiet).expect("runs");
    let mut checked = BTreeMap::new();
    for c in outcome.report.clashes() {
        let expected =
            [&c.a.global_id, &c.b.global_id].iter().filter_map(|g| starts.get(*g)).flatten().min().copied();
        let got =
            c.triage.as_ref().map(|t| NaiveDate::parse_from_str(&t.needed_by, "%Y-%m-%d").expect("ISO date"));
        assert_eq!(got, expected, "clash {} ({} x {})", c.id, c.a.global_id, c.b.global_id);
        if let (Some(t), Some(day)) = (&c.triage, expected) {
            assert_eq!(t.days_to_needed, (day - today).num_days());
            assert!(!t.needed_by_task.name.is_empty());
            *checked.entry(t.needed_by.clone()).or_insert(0) += 1;
        }
    }
    assert!(checked.values().sum::<usize>() >= 5, "most clashes are scheduled: {checked:?}");
    assert!(checked.len() >= 2, "the clashes are needed on different days: {checked:?}");
}
