//! End-to-end tests of `plumbline info`: output shape, exit codes, error messages.

use plumbline_testkit::{ifc_file, sample_model};
use std::path::PathBuf;
use std::process::Command;

fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    // The loader is under test: models are not served from a model cache.
    c.env("PLUMBLINE_NO_CACHE", "1");
    c
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plumbline-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, contents).expect("write temp file");
    p
}

#[test]
fn json_with_elements_has_the_documented_shape() {
    let Some(path) = ifc_file("bim-whale/SimpleWall.ifc") else { return };
    let out = plumbline().args(["info", "--json", "-", "--elements"]).arg(&path).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    let file = &mut v["files"][0];
    // Machine-dependent fields are checked, then blanked for the snapshot.
    assert!(file["load_secs"].as_f64().is_some_and(|s| s >= 0.0));
    file["load_secs"] = 0.into();
    file["path"] = "SimpleWall.ifc".into();
    insta::assert_json_snapshot!("simple_wall_info", v);
}

#[test]
fn text_output_lists_counts_classes_and_storeys() {
    let Some(path) = ifc_file("bimserver-testfiles/revit2014_unicode.ifc") else { return };
    let out = plumbline().arg("info").arg(&path).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "schema            IFC2X3",
        "elements          23",
        "storeys           1階, 2階, 屋根",
        "IfcWallStandardCase",
    ] {
        assert!(text.contains(expected), "missing '{expected}' in:\n{text}");
    }
}

#[test]
fn an_unreadable_file_exits_2_and_the_others_still_load() {
    let bad = temp_file("not-ifc.ifc", b"hello, this is not a model\n");
    let missing = PathBuf::from("/nonexistent/model.ifc");
    let mut cmd = plumbline();
    cmd.args(["info", "--json", "-"]).arg(&bad).arg(&missing);
    if let Some(good) = ifc_file("bim-whale/SimpleWall.ifc") {
        cmd.arg(good);
    }
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not-ifc.ifc: line 1: not an IFC STEP file"), "{stderr}");
    assert!(stderr.contains("/nonexistent/model.ifc: cannot read the file"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON even when a file fails");
    let files = v["files"].as_array().expect("files");
    assert!(files[0]["error"].as_str().is_some_and(|e| e.contains("not an IFC STEP file")));
    if files.len() == 3 {
        assert_eq!(files[2]["element_count"], 2);
    }
}

#[test]
fn a_bad_time_limit_is_rejected_by_every_command_that_loads() {
    // Regression: `schedule --time-limit-secs=-1` (or `nan`) panicked turning it into a Duration.
    let sample = sample_model("bank-branch.ifc");
    for command in ["info", "clash", "schedule"] {
        for limit in ["0", "-1", "nan", "inf"] {
            let out = plumbline()
                .arg(command)
                .arg(&sample)
                .arg(format!("--time-limit-secs={limit}"))
                .output()
                .expect("runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {limit}: {stderr}");
            assert!(
                stderr.contains("--time-limit-secs must be a positive number"),
                "{command} {limit}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{command} {limit}: {stderr}");
        }
    }
}

#[test]
fn a_reader_closing_the_pipe_early_is_not_a_panic() {
    // Regression: `plumbline info … | head` printed a panic ("failed printing to stdout").
    let mut child = plumbline()
        .args(["info", "--elements"])
        .arg(sample_model("datacenter-hall.ifc"))
        .arg(sample_model("datacenter-hall-zh.ifc"))
        .arg(sample_model("bank-branch.ifc"))
        .arg(sample_model("bank-branch-zh.ifc"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    // Close the reading end at once, as `head` does once it has its lines.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}
