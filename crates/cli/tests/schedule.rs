//! End-to-end tests of `plumbline schedule`: the JSON shape on the generated branch (snapshot),
//! link rules and tables, a schedule file alone, and exit code 2 for files it cannot read.

use std::path::PathBuf;
use std::process::Command;

fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    // The loader is under test: models are not served from a model cache.
    c.env("PLUMBLINE_NO_CACHE", "1");
    c
}

fn branch() -> PathBuf {
    plumbline_testkit::sample_model("bank-branch.ifc")
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plumbline-schedule-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, contents).expect("write temp file");
    p
}

fn json(args: &[&str], extra: &[PathBuf]) -> serde_json::Value {
    let out = plumbline().args(args).args(extra).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

#[test]
fn branch_at_a_date_with_critical_path_has_the_documented_shape() {
    let mut v = json(&["schedule", "--json", "--cpm", "--at", "2025-01-20"], &[branch()]);
    assert_eq!(v["states"]["demolishing"], 4);
    assert_eq!(v["active_tasks"], serde_json::json!(["BR.20"]));
    assert_eq!(v["cpm"]["finish"], "2025-02-25");
    assert_eq!(v["tasks"][2]["critical"], true);
    // The path depends on the machine; the snapshot keeps the rest.
    v["schedule"]["path"] = "bank-branch.ifc".into();
    v["links"]["unlinked_elements"] = v["links"]["unlinked_elements"].as_array().map_or(0, Vec::len).into();
    insta::assert_json_snapshot!("schedule_branch_at_cpm", v);
}

#[test]
fn rules_and_link_tables_add_links() {
    let rules = temp_file(
        "rules.toml",
        b"[[rule]]\ntask = \"BR.50\"\nclass = \"IfcCovering\"\n\n[[rule]]\ntask = \"BR.70\"\nclass = [\"IfcElement\"]\nname = \"*\"\n",
    );
    let base = json(&["schedule", "--json"], &[branch()]);
    let v = json(&["schedule", "--json", "--links"], &[rules, branch()]);
    let linked = |v: &serde_json::Value| v["links"]["linked_elements"].as_u64().expect("count");
    assert!(linked(&base) < v["links"]["elements"].as_u64().expect("count"));
    // Every element is an IfcElement and has a name: the second rule links them all.
    assert_eq!(linked(&v), v["links"]["elements"].as_u64().expect("count"));
    let table =
        temp_file("links.csv", b"GlobalId,Task\n2Bq1zXgZgBVQ9A6JEgUNpU,BR.70\nnot-an-element,BR.70\n");
    let v = json(&["schedule", "--json", "--links"], &[table, branch()]);
    assert_eq!(v["links"]["unknown_global_ids"], serde_json::json!(["not-an-element"]));
}

#[test]
fn a_schedule_file_alone_is_analysed() {
    let csv = temp_file(
        "plan.csv",
        b"id,name,start,finish,type,predecessors\nA,Strip out,2025-03-03,2025-03-05,demolish,\nB,Partitions,2025-03-06,2025-03-10,construct,A\nC,Hoarding,2025-03-03,2025-03-12,temporary,\n",
    );
    let v = json(&["schedule", "--json", "--cpm", "--schedule"], &[csv]);
    assert_eq!(v["schedule"]["task_count"], 3);
    assert_eq!(v["tasks"][0]["type"], "demolish");
    // The hoarding (10 days) is longer than strip-out then partitions (3 + 5 days).
    assert_eq!(v["cpm"]["critical_path"], serde_json::json!(["C"]));
    assert_eq!(v["tasks"][1]["total_float_days"], 2.0);
    assert_eq!(v["tasks"][1]["early_start"], "2025-03-06");
}

#[test]
fn unreadable_inputs_exit_2_with_the_file_named() {
    let mpp = temp_file("plan.mpp", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let out = plumbline().args(["schedule", "--schedule"]).arg(&mpp).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plan.mpp") && err.contains("export MSPDI XML"), "{err}");

    let bad = temp_file("bad.csv", b"id,name,start\n1,Dig,tomorrow\n");
    let out = plumbline().args(["schedule", "--schedule"]).arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv: line 2: field 'start'"), "{err}");

    let out = plumbline().args(["schedule", "--at", "someday"]).arg(branch()).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = plumbline().args(["schedule"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
