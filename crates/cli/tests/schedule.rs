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
    let mut v = json(&["schedule", "--json", "-", "--cpm", "--at", "2025-01-20"], &[branch()]);
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
    let base = json(&["schedule", "--json", "-"], &[branch()]);
    let v = json(&["schedule", "--json", "-", "--links"], &[rules, branch()]);
    let linked = |v: &serde_json::Value| v["links"]["linked_elements"].as_u64().expect("count");
    assert!(linked(&base) < v["links"]["elements"].as_u64().expect("count"));
    // Every element is an IfcElement and has a name: the second rule links them all.
    assert_eq!(linked(&v), v["links"]["elements"].as_u64().expect("count"));
    let table =
        temp_file("links.csv", b"GlobalId,Task\n2Bq1zXgZgBVQ9A6JEgUNpU,BR.70\nnot-an-element,BR.70\n");
    let v = json(&["schedule", "--json", "-", "--links"], &[table, branch()]);
    assert_eq!(v["links"]["unknown_global_ids"], serde_json::json!(["not-an-element"]));
}

#[test]
fn a_schedule_file_alone_is_analysed() {
    let csv = temp_file(
        "plan.csv",
        b"id,name,start,finish,type,predecessors\nA,Strip out,2025-03-03,2025-03-05,demolish,\nB,Partitions,2025-03-06,2025-03-10,construct,A\nC,Hoarding,2025-03-03,2025-03-12,temporary,\n",
    );
    let v = json(&["schedule", "--json", "-", "--cpm", "--schedule"], &[csv]);
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

#[test]
fn risk_runs_end_to_end_and_repeats_for_a_seed() {
    let csv = temp_file(
        "risk.csv",
        b"id,name,start,finish,predecessors\nA,Excavate,2025-03-03,2025-03-07,\nB,Foundations,2025-03-10,2025-03-21,A\nM,Handover,2025-03-21,2025-03-21,B\n",
    );
    let args = ["schedule", "--json", "-", "--risk", "--iterations", "200", "--seed", "7", "--schedule"];
    let v = json(&args, std::slice::from_ref(&csv));
    assert_eq!(v["schema_version"], 1);
    assert_eq!((v["risk"]["iterations"].as_u64(), v["risk"]["seed"].as_u64()), (Some(200), Some(7)));
    let p50 = v["risk"]["finish"]["p50"].as_str().expect("an ISO date");
    assert!(p50 >= "2025-03-21", "{p50}");
    assert_eq!(v["risk"]["tasks"].as_array().map(Vec::len), Some(3));
    assert_eq!(json(&args, &[csv]), v, "the same seed gives the same document");
}

#[test]
fn json_goes_to_a_file_when_named() {
    let csv = temp_file("file.csv", b"id,name,start,finish\nA,Dig,2025-03-03,2025-03-05\n");
    let out = temp_file("out.json", b"");
    let run = plumbline()
        .args(["schedule", "--schedule"])
        .arg(&csv)
        .arg("--json")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("JSON");
    assert_eq!(v["schedule"]["task_count"], 1);
}

#[test]
fn a_gbk_csv_imports_and_the_encoding_is_named() {
    // "id,name,start,finish / T1,拆除原柜台,... / T2,搭设脚手架,..." as Chinese Windows saves it
    // (GBK; the schedule crate's own tests encode it with encoding_rs).
    let gbk: &[u8] = b"id,name,start,finish\nT1,\xb2\xf0\xb3\xfd\xd4\xad\xb9\xf1\xcc\xa8,2025-03-03,2025-03-05\nT2,\xb4\xee\xc9\xe8\xbd\xc5\xca\xd6\xbc\xdc,2025-03-03,2025-03-04\n";
    let csv = temp_file("gbk.csv", gbk);
    let v = json(&["schedule", "--json", "-", "--schedule"], std::slice::from_ref(&csv));
    assert_eq!(v["tasks"][0]["name"], "拆除原柜台");
    assert_eq!(v["tasks"][0]["type"], "demolish");
    assert_eq!(v["tasks"][1]["type"], "temporary");
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("read as GBK"), "{warnings}");
    let out = plumbline().args(["schedule", "--schedule"]).arg(&csv).output().expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("read as GBK"));
}

/// A progressed CSV: A finished three days late, B 40 % done, milestone M due and not reached,
/// C not yet due.
fn progressed_csv() -> PathBuf {
    temp_file(
        "progress.csv",
        "id,name,wbs,start,finish,actual start,actual finish,percent complete\n\
         A,拆除原柜台,Structure,2025-03-03,2025-03-07,2025-03-03,2025-03-10,100\n\
         B,Partitions,Structure,2025-03-10,2025-03-14,2025-03-11,,40\n\
         M,Topping out,Structure,2025-03-12,2025-03-12,,,0\n\
         C,Ceilings,Fit-out,2025-03-17,2025-03-21,,,0\n"
            .as_bytes(),
    )
}

#[test]
fn progress_report_in_json_html_and_xlsx() {
    let html = temp_file("progress.html", b"");
    let xlsx = temp_file("progress.xlsx", b"");
    let mut args: Vec<std::ffi::OsString> =
        ["schedule", "--json", "-", "--progress", "--at", "2025-03-14", "--lang", "zh", "--schedule"]
            .iter()
            .map(Into::into)
            .collect();
    args.push(progressed_csv().into());
    args.extend(["--html".into(), html.clone().into(), "--xlsx".into(), xlsx.clone().into()]);
    let out = plumbline().args(&args).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let p = &v["progress"];
    assert_eq!(p["at"], "2025-03-14");
    assert!(p["actual_pct"].as_f64() < p["planned_pct"].as_f64(), "{p}");
    assert_eq!(p["late"][0]["id"], "A");
    assert_eq!(p["late"][0]["delay_days"], 3);
    assert!(p["s_curve"].as_array().is_some_and(|c| c.len() >= 3));
    assert!(p["wbs"].as_array().is_some_and(|w| w.len() == 2));

    let page = std::fs::read_to_string(&html).expect("HTML written");
    for zh in ["进度报告", "S 曲线", "里程碑", "延误任务", "按 WBS 层级的进度", "拆除原柜台", "<svg"]
    {
        assert!(page.contains(zh), "{zh} missing from the Chinese report");
    }
    for en in ["Progress report", "Milestones", "Late tasks", "Planned finish"] {
        assert!(!page.contains(en), "{en} left in English");
    }
    assert!(std::fs::read(&xlsx).expect("XLSX written").starts_with(b"PK"));
}

#[test]
fn progress_needs_a_date() {
    let csv = temp_file("undated.csv", b"id,name,start,finish\nA,Dig,2025-03-03,2025-03-05\n");
    let out = plumbline().args(["schedule", "--progress", "--schedule"]).arg(&csv).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--at"));
}
