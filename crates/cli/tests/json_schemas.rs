//! Every JSON output carries `"schema_version"` and validates against its JSON Schema under
//! `docs/schemas/` (strict: no field the schema does not declare), on real runs of the binary.
//! A schema that no test checks fails the last test, so a new schema cannot be forgotten.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn plumbline(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    c.current_dir(dir).env("SOURCE_DATE_EPOCH", "1795000000").env("PLUMBLINE_NO_CACHE", "1");
    c.env_remove("PLUMBLINE_DB");
    c
}

/// A fresh folder per call: the checks run twice at once (on their own and from the last test).
fn scratch(name: &str) -> PathBuf {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("plumbline-schemas-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The schemas the tests below checked.
static CHECKED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Validates `doc` against `docs/schemas/<name>.schema.json`, listing every violation.
fn check(name: &str, doc: &Value) {
    let path = root().join("docs/schemas").join(format!("{name}.schema.json"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("schema file")).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> =
        validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{name}: {} violations:\n{}", errors.len(), errors.join("\n"));
    assert_eq!(doc["schema_version"], 1, "{name}: schema_version first");
    CHECKED.lock().expect("lock").insert(name.to_string());
}

/// The JSON a command wrote on stdout; it may have exited 2 (a file failed), 3 (a gate) or 4
/// (skipped input): the document is written in every case.
fn stdout_json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.code().is_some_and(|c| matches!(c, 0 | 2 | 3 | 4)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn clash_reports_with_and_without_a_history() {
    let dir = scratch("clash");
    let hall = root().join("sample_models/datacenter-hall.ifc");
    let rules = root().join("assets/rules/datacenter.toml");
    let plain = stdout_json(plumbline(&dir).arg("clash").arg(&hall).args(["--a", "*", "--json", "-"]));
    check("clash-report", &plain);
    let recorded = stdout_json(
        plumbline(&dir)
            .arg("clash")
            .arg(&hall)
            .arg("--config")
            .arg(&rules)
            .args(["--db", "h.db", "--json", "-"]),
    );
    assert!(recorded["tests"][0]["clashes"][0]["number"].is_u64(), "numbered by the history");
    check("clash-report", &recorded);
}

#[test]
fn info_with_elements_and_a_failed_file() {
    let dir = scratch("info");
    std::fs::write(dir.join("broken.ifc"), "ISO-10303-21;\nnot a model").expect("broken file");
    let hall = root().join("sample_models/bank-branch.ifc");
    let doc = stdout_json(plumbline(&dir).arg("info").arg(&hall).arg("broken.ifc").args([
        "--elements",
        "--json",
        "-",
    ]));
    check("info", &doc);
}

#[test]
fn bcf_import_summary() {
    let dir = scratch("bcf");
    let hall = root().join("sample_models/datacenter-hall.ifc");
    let out = plumbline(&dir)
        .arg("clash")
        .arg(&hall)
        .args(["--a", "*", "--db", "h.db", "--bcf", "r.bcf"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = stdout_json(plumbline(&dir).args(["bcf", "import", "r.bcf", "--db", "h.db", "--json", "-"]));
    check("bcf-import", &doc);
}

#[test]
fn status_and_history_of_a_recorded_run() {
    let dir = scratch("history");
    let hall = root().join("sample_models/datacenter-hall.ifc");
    let rules = root().join("assets/rules/datacenter.toml");
    let out = plumbline(&dir)
        .arg("clash")
        .arg(&hall)
        .arg("--config")
        .arg(&rules)
        .args(["--db", "h.db"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = plumbline(&dir)
        .args(["status", "#1", "--set", "reviewed", "--by", "Li Wei", "--comment", "seen", "--db", "h.db"])
        .args(["--assign", "zhang", "--priority", "High", "--due", "2027-01-15", "--label", "MEP"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    check(
        "clash-status",
        &stdout_json(plumbline(&dir).args(["status", "#1", "--db", "h.db", "--json", "-"])),
    );
    check("history", &stdout_json(plumbline(&dir).args(["history", "--db", "h.db", "--json", "-"])));
}

#[test]
fn schedule_with_cpm_state_time_clashes_and_risk() {
    let dir = scratch("schedule");
    let hall = root().join("sample_models/datacenter-hall.ifc");
    let doc = stdout_json(plumbline(&dir).arg("schedule").arg(&hall).args([
        "--cpm",
        "--at",
        "2025-02-24",
        "--time-clash",
        "--json",
        "-",
    ]));
    assert!(doc["cpm"].is_object() && doc["states"].is_object() && doc["time_clashes"].is_array(), "{doc}");
    check("schedule", &doc);
    let doc = stdout_json(plumbline(&dir).arg("schedule").arg(&hall).args([
        "--risk",
        "--iterations",
        "50",
        "--json",
        "-",
    ]));
    assert!(doc["risk"].is_object(), "{doc}");
    check("schedule", &doc);
}

#[test]
fn diff_of_a_model_and_its_revision() {
    let dir = scratch("diff");
    let hall = root().join("sample_models/datacenter-hall.ifc");
    let bank = root().join("sample_models/bank-branch.ifc");
    check("diff", &stdout_json(plumbline(&dir).arg("diff").arg(&hall).arg(&hall).args(["--json", "-"])));
    // Two different models: everything added and removed.
    let doc = stdout_json(plumbline(&dir).arg("diff").arg(&hall).arg(&bank).args(["--json", "-"]));
    assert!(doc["added"].as_array().is_some_and(|a| !a.is_empty()), "{doc}");
    check("diff", &doc);
}

#[test]
fn portfolio_and_shard_of_a_batch() {
    let dir = scratch("batch");
    let models = dir.join("models");
    std::fs::create_dir_all(&models).expect("models");
    std::fs::copy(root().join("sample_models/bank-branch.ifc"), models.join("a.ifc")).expect("copy");
    let rules = root().join("assets/rules/bank-branch.toml");
    let toml = format!(
        "[[site]]\nname = \"br-1\"\nregion = \"华东\"\nmodels = [\"models/*.ifc\"]\nrules = {rules:?}\n\n[[site]]\nname = \"br-2\"\nmodels = [\"missing/*.ifc\"]\nrules = {rules:?}\n"
    );
    std::fs::write(dir.join("p.toml"), toml).expect("write");
    for args in [vec!["--out", "whole"], vec!["--out", "sharded", "--shard", "0/1", "--run-id", "job-7"]] {
        let out = plumbline(&dir)
            .args(["batch", "p.toml", "--db", "h.db", "--reports", "json"])
            .args(&args)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let read = |p: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(p)).expect("read")).expect("json")
    };
    let portfolio = read("whole/portfolio.json");
    assert_eq!(portfolio["totals"]["failed"], 1, "{portfolio}");
    check("portfolio", &portfolio);
    check("portfolio", &read("sharded/shard-0.json"));
}

/// Tests run in parallel and in any order, so this one runs every check itself before it
/// compares the schemas on disk with those checked.
#[test]
fn zz_every_schema_is_checked_by_a_test() {
    clash_reports_with_and_without_a_history();
    info_with_elements_and_a_failed_file();
    bcf_import_summary();
    status_and_history_of_a_recorded_run();
    schedule_with_cpm_state_time_clashes_and_risk();
    diff_of_a_model_and_its_revision();
    portfolio_and_shard_of_a_batch();
    let checked = CHECKED.lock().expect("lock").clone();
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("docs/schemas"))
        .expect("docs/schemas")
        .filter_map(|e| {
            e.ok()?.file_name().into_string().ok()?.strip_suffix(".schema.json").map(str::to_string)
        })
        .collect();
    let unchecked: Vec<&String> = on_disk.difference(&checked).collect();
    assert!(unchecked.is_empty(), "schemas no test validates: {unchecked:?}");
}
