//! A gate CI can trust (issue 18): `--fail-on` without a history is refused before anything
//! loads; report paths are checked before loading; a run whose reports cannot be written
//! records nothing, so the rerun still fails the gate; one history location for every command;
//! `--json -` on stdout; and the terminal conventions (errors said once, "did you mean",
//! completions and the manual).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    c.env("SOURCE_DATE_EPOCH", "1795000000");
    c.env("PLUMBLINE_NO_CACHE", "1");
    c.env_remove("PLUMBLINE_DB");
    c.env_remove("NO_COLOR");
    c.env("LANG", "C.UTF-8");
    c.env_remove("LC_ALL");
    c.env_remove("LC_MESSAGES");
    c
}

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample_models").join(name)
}

fn rules() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/rules/datacenter.toml")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plumbline-gate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    plumbline().current_dir(dir).args(args).output().expect("runs")
}

fn runs_in(dir: &Path, db: &str) -> usize {
    let store = plumbline_store::Store::open_existing(dir.join(db)).expect("the history opens");
    store.history().expect("runs").len()
}

#[test]
fn a_gate_without_a_history_is_refused_before_the_models_load() {
    let dir = scratch("no-history");
    // The model does not exist: an error about --fail-on (not the file) proves nothing loaded.
    let rules = rules();
    for args in [
        vec!["clash", "missing.ifc", "--a", "*", "--fail-on", "new"],
        vec![
            "clash",
            "missing.ifc",
            "--config",
            rules.to_str().unwrap_or_default(),
            "--no-db",
            "--fail-on",
            "new",
        ],
        vec!["clash", "missing.ifc", "--a", "*", "--fail-on", "open"],
    ] {
        let out = run_in(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let e = stderr(&out);
        assert!(e.contains("--fail-on") && e.contains("needs the clash history"), "{e}");
        assert!(!e.contains("missing.ifc"), "checked before loading: {e}");
    }
}

#[test]
fn a_report_path_in_a_missing_folder_is_refused_before_loading_and_records_nothing() {
    let dir = scratch("missing-folder");
    let hall = sample("datacenter-hall.ifc");
    let rules = rules();
    let args = [
        "clash",
        hall.to_str().unwrap_or_default(),
        "--config",
        rules.to_str().unwrap_or_default(),
        "--db",
        "g.db",
        "--fail-on",
        "new",
        "--html",
        "missing_dir/r.html",
    ];
    let out = run_in(&dir, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("missing_dir/r.html") && !e.contains("tmp-plumbline"), "{e}");
    assert!(!dir.join("g.db").exists(), "nothing recorded");
}

#[test]
fn a_run_whose_reports_fail_records_nothing_and_the_rerun_still_fails_the_gate() {
    let dir = scratch("failed-write");
    let hall = sample("datacenter-hall.ifc");
    let hall = hall.to_str().unwrap_or_default();
    let rules = rules();
    let rules = rules.to_str().unwrap_or_default();
    // The folder exists, but the report's temporary file cannot be created (a folder is in its
    // way): the write fails after the clash run, where the history used to be recorded already.
    std::fs::create_dir_all(dir.join(".r.json.tmp-plumbline")).expect("obstacle");
    std::fs::write(dir.join("r.csv"), "previous report").expect("old csv");
    let args = [
        "clash",
        hall,
        "--config",
        rules,
        "--db",
        "g.db",
        "--fail-on",
        "new",
        "--csv",
        "r.csv",
        "--json",
        "r.json",
    ];
    let out = run_in(&dir, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("r.json"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("r.csv")).expect("csv"),
        "previous report",
        "no report replaced"
    );
    assert!(!dir.join("r.json").exists());
    assert!(!dir.join(".r.csv.tmp-plumbline").exists(), "staged files cleaned up");
    if dir.join("g.db").exists() {
        assert_eq!(runs_in(&dir, "g.db"), 0, "the failed run is not in the history");
    }
    // Fixed, the rerun is run 1: its clashes are new and the gate fails.
    std::fs::remove_dir_all(dir.join(".r.json.tmp-plumbline")).expect("remove obstacle");
    let out = run_in(&dir, &args);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(runs_in(&dir, "g.db"), 1);
    // Again: nothing new, but `open` still fails while clashes are open.
    let out = run_in(&dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let open = ["clash", hall, "--config", rules, "--db", "g.db", "--fail-on", "open"];
    let out = run_in(&dir, &open);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("open clashes"), "{}", stderr(&out));
}

#[test]
fn every_command_finds_the_history_the_clash_run_wrote() {
    let dir = scratch("location");
    let elsewhere = scratch("location-rules");
    std::fs::copy(rules(), elsewhere.join("rules.toml")).expect("copy rules");
    let hall = sample("datacenter-hall.ifc");
    let rules_path = elsewhere.join("rules.toml");
    let out = run_in(
        &dir,
        &["clash", hall.to_str().unwrap_or_default(), "--config", rules_path.to_str().unwrap_or_default()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("plumbline.db"), "the summary names the history: {}", stderr(&out));
    assert!(dir.join("plumbline.db").exists(), "in the current folder");
    assert!(!elsewhere.join("plumbline.db").exists(), "not beside the rule file");
    let out = run_in(&dir, &["history"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // PLUMBLINE_DB names it for every command.
    let env_db = dir.join("env.db");
    let out = plumbline()
        .current_dir(&elsewhere)
        .env("PLUMBLINE_DB", &env_db)
        .args(["clash", hall.to_str().unwrap_or_default(), "--config", "rules.toml"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env_db.exists());
    let out = plumbline()
        .current_dir(&elsewhere)
        .env("PLUMBLINE_DB", &env_db)
        .arg("history")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn json_dash_goes_to_stdout_with_a_schema_version_and_the_summary_to_stderr() {
    let dir = scratch("stdout");
    let hall = sample("datacenter-hall.ifc");
    let out = run_in(&dir, &["clash", hall.to_str().unwrap_or_default(), "--a", "*", "--json", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON document");
    assert_eq!(v["schema_version"], 1);
    assert!(stderr(&out).contains("clashes in"), "the summary moved to stderr");
    assert!(!dir.join("-").exists(), "no file named '-'");
    let out = run_in(&dir, &["info", hall.to_str().unwrap_or_default(), "--json", "-"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("info JSON");
    assert_eq!(v["schema_version"], 1);
    // Two reports cannot share stdout.
    let out = run_in(&dir, &["clash", hall.to_str().unwrap_or_default(), "--json", "-", "--csv", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("only one report"), "{}", stderr(&out));
    // `--json` used to be a switch for `info`: a model file is never overwritten by it.
    let copy = dir.join("m.ifc");
    std::fs::copy(&hall, &copy).expect("copy");
    let out = run_in(&dir, &["info", hall.to_str().unwrap_or_default(), "--json", "m.ifc"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read(&copy).expect("model"), std::fs::read(&hall).expect("model"));
}

#[test]
fn quiet_prints_no_summary_and_errors_say_each_cause_once() {
    let dir = scratch("quiet");
    let hall = sample("datacenter-hall.ifc");
    let out = run_in(&dir, &["-q", "clash", hall.to_str().unwrap_or_default(), "--a", "*"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!stderr(&out).contains("load "), "{}", stderr(&out));
    let out = run_in(&dir, &["clash", "no-such-model.ifc", "--a", "*"]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert_eq!(e.matches("os error 2").count(), 1, "{e}");
    assert!(e.contains("no-such-model.ifc"), "{e}");
    assert!(!e.contains("\x1b["), "no colour when stderr is not a terminal: {e}");
    let out = run_in(&dir, &["--color", "always", "clash", "no-such-model.ifc"]);
    assert!(stderr(&out).contains("\x1b[1;31merror"), "{}", stderr(&out));
}

#[test]
fn a_mistyped_class_or_rule_key_gets_a_suggestion() {
    let dir = scratch("did-you-mean");
    let hall = sample("datacenter-hall.ifc");
    let out = run_in(&dir, &["clash", hall.to_str().unwrap_or_default(), "--a", "IfcDcutSegment"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean 'IfcDuctSegment'"), "{}", stderr(&out));
    std::fs::write(dir.join("r.toml"), "[[test]]\nname = \"t\"\nclearence_mm = 3\n").expect("rules");
    let out = run_in(&dir, &["clash", hall.to_str().unwrap_or_default(), "--config", "r.toml", "--no-db"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `clearance_mm`"), "{}", stderr(&out));
}

#[test]
fn completions_and_the_manual_are_generated() {
    let dir = scratch("completions");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run_in(&dir, &["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("plumbline"), "{shell}");
    }
    let out = run_in(&dir, &["man"]);
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH plumbline") && page.contains("clash"), "{page}");
    let out = run_in(&dir, &["man", "--out", "."]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("plumbline-clash.1").exists() && dir.join("plumbline.1").exists());
    let help = run_in(&dir, &["clash", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    for heading in ["Tests:", "Reports:", "History and gate:", "Examples:"] {
        assert!(help.contains(heading), "{heading} in clash --help");
    }
    let help = run_in(&dir, &["--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit codes:"));
}

#[test]
fn the_csv_starts_with_a_byte_order_mark_for_excel() {
    let dir = scratch("bom");
    let hall = sample("datacenter-hall-zh.ifc");
    let out = run_in(
        &dir,
        &["clash", hall.to_str().unwrap_or_default(), "--a", "*", "--csv", "r.csv", "--lang", "zh"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.join("r.csv")).expect("csv");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    // The terminal summary follows --lang too.
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("个碰撞"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_run_is_recorded_in_the_project_named_and_numbers_count_per_project() {
    let dir = scratch("project");
    let hall = sample("datacenter-hall.ifc");
    let branch = sample("bank-branch.ifc");
    for (model, project) in [(&hall, "dc-hall"), (&branch, "branch-042")] {
        let out = run_in(
            &dir,
            &["clash", model.to_str().unwrap_or_default(), "--a", "*", "--db", "h.db", "--project", project],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let store = plumbline_store::Store::open_existing(dir.join("h.db")).expect("history");
    let projects: Vec<String> = store.projects().expect("projects").into_keys().collect();
    assert_eq!(projects, ["branch-042", "dc-hall"]);
    // Each project numbers its clashes from #1.
    let mut firsts: Vec<(String, u64)> = store
        .all_clashes()
        .expect("clashes")
        .into_iter()
        .filter_map(|c| Some((c.project.clone(), c.number?)))
        .filter(|(_, n)| *n == 1)
        .collect();
    firsts.sort();
    assert_eq!(firsts, [("branch-042".to_string(), 1), ("dc-hall".to_string(), 1)]);
}
