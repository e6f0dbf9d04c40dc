//! The clash workflow end to end through the binary: every report format from one run, the
//! history across runs with `--fail-on new`, and BCF export → import into another history.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    // Reports carry this time instead of the clock, so that they are reproducible.
    c.env("SOURCE_DATE_EPOCH", "1795000000");
    // The loader is under test: models are not served from a model cache.
    c.env("PLUMBLINE_NO_CACHE", "1");
    c
}

fn hall() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample_models/datacenter-hall.ifc")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plumbline-workflow-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn clash_run(dir: &Path, extra: &[&str]) -> Output {
    plumbline()
        .current_dir(dir)
        .arg("clash")
        .arg(hall())
        .args(["--a", "*", "--threads", "2"])
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn one_run_writes_every_report_format() {
    let dir = scratch("formats");
    ok(&clash_run(
        &dir,
        &[
            "--json",
            "r.json",
            "--csv",
            "r.csv",
            "--xlsx",
            "r.xlsx",
            "--html",
            "r.html",
            "--bcf",
            "r.bcf",
            "--bcf-version",
            "3.0",
        ],
    ));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).expect("json"))
            .expect("valid JSON");
    let clashes = report["tests"][0]["clashes"].as_array().expect("clashes").len();
    let groups = report["tests"][0]["groups"].as_array().expect("groups").len();
    assert_eq!(clashes, 7, "the seeded overlaps of the data hall");
    assert!(groups >= 1 && groups <= clashes);

    let csv = std::fs::read_to_string(dir.join("r.csv")).expect("csv");
    assert_eq!(csv.lines().count(), clashes + 1, "a header and one row per clash");
    assert!(csv.contains("重叠"), "Chinese explanations in the CSV");

    let xlsx = std::fs::read(dir.join("r.xlsx")).expect("xlsx");
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip");

    let html = std::fs::read_to_string(dir.join("r.html")).expect("html");
    assert_eq!(html.matches("data:image/png;base64,").count(), clashes, "one snapshot per clash");
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(external), "self-contained, but found {external}");
    }

    let bcf =
        plumbline_bcf::read(&std::fs::read(dir.join("r.bcf")).expect("bcf")).expect("our BCF reads back");
    assert_eq!(bcf.version.as_deref(), Some("3.0"));
    assert_eq!(bcf.topics.len(), groups, "one topic per group");
    for t in &bcf.topics {
        let vp = &t.viewpoints[0];
        assert!(vp.snapshot.is_some(), "topic {} has a snapshot", t.guid);
        assert!(vp.camera.is_some());
        assert!(vp.selected.len() >= 2);
    }

    // The same run again writes the same bytes (the time comes from SOURCE_DATE_EPOCH).
    let again = scratch("formats-again");
    ok(&clash_run(&again, &["--csv", "r.csv", "--html", "r.html", "--bcf", "r.bcf", "--bcf-version", "3.0"]));
    for f in ["r.csv", "r.html", "r.bcf"] {
        assert_eq!(
            std::fs::read(dir.join(f)).ok(),
            std::fs::read(again.join(f)).ok(),
            "{f} differs between runs"
        );
    }
}

#[test]
fn history_gates_on_new_clashes_and_keeps_statuses() {
    let dir = scratch("history");
    let first = clash_run(&dir, &["--db", "h.db", "--fail-on", "new", "--json", "1.json"]);
    assert_eq!(first.status.code(), Some(3), "the first run finds 7 new clashes");
    let second = clash_run(&dir, &["--db", "h.db", "--fail-on", "new", "--json", "2.json"]);
    ok(&second);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("2.json")).expect("json"))
            .expect("valid JSON");
    let statuses: Vec<&str> = report["tests"][0]["clashes"]
        .as_array()
        .expect("clashes")
        .iter()
        .map(|c| c["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, vec!["active"; 7], "found again: active");

    let history = ok(&plumbline()
        .current_dir(&dir)
        .args(["history", "--db", "h.db", "--json", "-"])
        .output()
        .expect("runs"));
    let h: serde_json::Value = serde_json::from_str(&history).expect("history JSON");
    let runs = h["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0]["new"].as_u64(), runs[1]["active"].as_u64()), (Some(7), Some(7)));
}

#[test]
fn bcf_round_trip_carries_a_review_into_another_history() {
    let dir = scratch("bcf");
    ok(&clash_run(&dir, &["--db", "a.db", "--json", "1.json"]));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("1.json")).expect("json"))
            .expect("valid JSON");
    let id = report["tests"][0]["clashes"][0]["id"].as_str().expect("an id").to_string();
    ok(&plumbline()
        .current_dir(&dir)
        .args([
            "status",
            &id,
            "--db",
            "a.db",
            "--set",
            "reviewed",
            "--by",
            "Ann",
            "--comment",
            "move the scaffold",
        ])
        .output()
        .expect("runs"));
    // The second run exports the reviewed clash's group as a Reviewed topic.
    ok(&clash_run(&dir, &["--db", "a.db", "--bcf", "review.bcf"]));

    // Another office: its own history of the same models, then the review arrives as BCF.
    ok(&clash_run(&dir, &["--db", "b.db"]));
    let out = ok(&plumbline()
        .current_dir(&dir)
        .args(["bcf", "import", "review.bcf", "--db", "b.db", "--json", "-"])
        .output()
        .expect("runs"));
    let summary: serde_json::Value = serde_json::from_str(&out).expect("import summary JSON");
    assert_eq!(
        summary["unmatched"].as_array().map(Vec::len),
        Some(0),
        "every topic is one of our groups: {out}"
    );
    assert!(summary["statuses_changed"].as_u64() >= Some(1));
    let shown = ok(&plumbline()
        .current_dir(&dir)
        .args(["status", &id, "--db", "b.db", "--json", "-"])
        .output()
        .expect("runs"));
    let doc: serde_json::Value = serde_json::from_str(&shown).expect("status JSON");
    assert_eq!(doc["clash"]["status"], "reviewed", "{shown}");

    // Importing the same archive again changes nothing and repeats no comment.
    let again = ok(&plumbline()
        .current_dir(&dir)
        .args(["bcf", "import", "review.bcf", "--db", "b.db", "--json", "-"])
        .output()
        .expect("runs"));
    let again: serde_json::Value = serde_json::from_str(&again).expect("JSON");
    assert_eq!((again["statuses_changed"].as_u64(), again["comments_added"].as_u64()), (Some(0), Some(0)));
}

#[test]
fn bcf_import_of_a_foreign_archive_matches_nothing_and_bad_files_exit_2() {
    let dir = scratch("foreign");
    ok(&clash_run(&dir, &["--db", "h.db"]));
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bcf/2_1/test-cases");
    if let Some(archive) = std::fs::read_dir(&shared).ok().and_then(|d| {
        d.filter_map(Result::ok).map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "bcfzip"))
    }) {
        let out = ok(&plumbline()
            .current_dir(&dir)
            .arg("bcf")
            .arg("import")
            .arg(&archive)
            .args(["--db", "h.db"])
            .output()
            .expect("runs"));
        assert!(out.contains("0 matched"), "{out}");
    } else {
        println!("NOTICE: ../shared/bcf not found; the foreign-archive import is not exercised");
    }
    std::fs::write(dir.join("junk.bcf"), b"not a zip").expect("write");
    let out = plumbline()
        .current_dir(&dir)
        .args(["bcf", "import", "junk.bcf", "--db", "h.db"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.bcf"));
    let out = plumbline()
        .current_dir(&dir)
        .args(["bcf", "import", "junk.bcf", "--db", "missing.db"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "a missing history is not created by an import");
    assert!(!dir.join("missing.db").exists());
}

fn rules(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/rules").join(name)
}

/// The truth's (test, unordered GlobalId pair) set against what a --config run reported.
fn assert_finds_exactly_the_truth(report_json: &Path, truth_json: &Path) {
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_json).expect("report")).expect("JSON");
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(truth_json).expect("truth")).expect("JSON");
    let pair = |t: &str, a: &str, b: &str| {
        let (x, y) = if a <= b { (a, b) } else { (b, a) };
        (t.to_string(), x.to_string(), y.to_string())
    };
    let mut found: Vec<_> = report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .flat_map(|t| t["clashes"].as_array().cloned().unwrap_or_default())
        .map(|c| {
            // The truth names tests by their stable id (`id` in the rule file).
            pair(
                c["test_id"].as_str().unwrap_or(""),
                c["a"]["global_id"].as_str().unwrap_or(""),
                c["b"]["global_id"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let mut expected: Vec<_> = truth["clashes"]
        .as_array()
        .expect("clashes")
        .iter()
        .map(|c| {
            pair(
                c["test"].as_str().unwrap_or(""),
                c["a"].as_str().unwrap_or(""),
                c["b"].as_str().unwrap_or(""),
            )
        })
        .collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn shipped_rule_sets_find_exactly_the_seeded_clashes_of_the_shipped_samples() {
    let dir = scratch("config");
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample_models");
    for (model, config) in [
        ("datacenter-hall", "datacenter.toml"),
        ("datacenter-hall-zh", "datacenter.toml"),
        ("bank-branch", "bank-branch.toml"),
        ("bank-branch-zh", "bank-branch.toml"),
    ] {
        let json = dir.join(format!("{model}.json"));
        ok(&plumbline()
            .arg("clash")
            .arg(samples.join(format!("{model}.ifc")))
            .arg("--config")
            .arg(rules(config))
            .arg("--no-db")
            .arg("--json")
            .arg(&json)
            .output()
            .expect("runs"));
        assert_finds_exactly_the_truth(&json, &samples.join(format!("{model}.truth.json")));
    }
}

#[test]
fn a_config_run_keeps_its_history_in_the_current_folder() {
    let dir = scratch("beside");
    let rules_dir = scratch("beside-rules");
    std::fs::copy(rules("datacenter.toml"), rules_dir.join("rules.toml")).expect("copy");
    let run = |extra: &[&str]| {
        plumbline()
            .current_dir(&dir)
            .env_remove("PLUMBLINE_DB")
            .arg("clash")
            .arg(hall())
            .arg("--config")
            .arg(rules_dir.join("rules.toml"))
            .args(extra)
            .output()
            .expect("runs")
    };
    assert_eq!(run(&["--fail-on", "new"]).status.code(), Some(3), "new clashes");
    assert!(dir.join("plumbline.db").exists(), "plumbline.db in the current folder");
    assert!(!rules_dir.join("plumbline.db").exists(), "not beside the config");
    ok(&run(&["--fail-on", "new"]));
    std::fs::remove_file(dir.join("plumbline.db")).expect("remove");
    let out = run(&["--no-db", "--fail-on", "new"]);
    assert_eq!(out.status.code(), Some(2), "a gate without a history is refused");
    ok(&run(&["--no-db"]));
    assert!(!dir.join("plumbline.db").exists(), "--no-db records nothing");
}

#[test]
fn bad_configs_exit_2_naming_file_line_and_column_before_loading() {
    let dir = scratch("badconfig");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[test]]\nname = \"x\"\nmode = \"hardd\"\na = { class = [\"IfcWall\"] }\n")
        .expect("write");
    let out = plumbline().arg("clash").arg(hall()).arg("--config").arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains(":3:"), "file and line: {err}");
    assert!(err.contains("clearance") && err.contains("duplicate"), "allowed values: {err}");
    // A missing model is not even opened when the config is wrong.
    let out = plumbline()
        .arg("clash")
        .arg(dir.join("missing.ifc"))
        .arg("--config")
        .arg(&bad)
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
    // --config replaces the ad-hoc selection.
    let out = plumbline()
        .arg("clash")
        .arg(hall())
        .arg("--config")
        .arg(rules("datacenter.toml"))
        .args(["--a", "IfcWall"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

/// The JSON report of the shipped data-centre matrix on the shipped hall, as a snapshot: every
/// field of every clash and group (timings zeroed and paths cut to file names, which vary by
/// machine).
#[test]
fn json_report_of_the_shipped_matrix_snapshot() {
    let dir = scratch("json-snapshot");
    let json = dir.join("r.json");
    ok(&plumbline()
        .arg("clash")
        .arg(hall())
        .arg("--config")
        .arg(rules("datacenter.toml"))
        .args(["--no-db", "--json"])
        .arg(&json)
        .output()
        .expect("runs"));
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("JSON");
    fn scrub(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map.iter_mut() {
                    if k.ends_with("_secs") {
                        *x = serde_json::json!(0.0);
                    } else if k == "file" {
                        if let Some(name) = x.as_str().and_then(|p| p.rsplit('/').next()).map(str::to_string)
                        {
                            *x = serde_json::json!(name);
                        }
                    } else {
                        scrub(x);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut v);
    v["models"] = serde_json::json!(["datacenter-hall.ifc"]);
    insta::assert_json_snapshot!("datacenter_matrix_report", v);
}
