//! Model revisions end to end, on generated revisions of the sample data hall
//! (`plumbline_samples::revision`): `plumbline diff` lists what the truth file says changed, and
//! the clash history follows a re-export whose GlobalIds were all regenerated (zero new clashes,
//! zero resolved, numbers and statuses kept) and tells deleted elements from fixed clashes.

use plumbline_samples::revision::{revise, RevisionParams};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    c.env("PLUMBLINE_NO_CACHE", "1");
    c.env_remove("PLUMBLINE_DB");
    c
}

fn hall() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample_models/datacenter-hall.ifc")
}

fn rules() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/rules/datacenter.toml")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes a revision of the sample hall as `dir/rev/datacenter-hall.ifc` (the same file name,
/// as a re-export in place would have).
fn write_revision(dir: &Path, p: &RevisionParams) -> (PathBuf, plumbline_samples::revision::RevisionTruth) {
    let text = std::fs::read_to_string(hall()).expect("sample model");
    let rev = revise(&text, p);
    let folder = dir.join("rev");
    std::fs::create_dir_all(&folder).expect("folder");
    let path = folder.join("datacenter-hall.ifc");
    std::fs::write(&path, rev.ifc).expect("write");
    (path, rev.truth)
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

#[test]
fn diff_lists_what_the_revision_changed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (new, truth) = write_revision(dir.path(), &RevisionParams::default());
    let out = plumbline().arg("diff").arg(hall()).arg(&new).args(["--json", "-"]).output().expect("runs");
    let v = json(&out);
    let ids = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|e| e["global_id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    // A product both renamed and re-GUIDed has nothing left to match it by (its key has its
    // name): it is removed and added; every other product is matched.
    let renamed_and_reguided: Vec<(&String, &String)> =
        truth.reguided.iter().filter(|(old, _)| truth.renamed.contains_key(*old)).collect();
    let mut added = ids("added");
    added.sort();
    let mut expected_added: Vec<String> =
        renamed_and_reguided.iter().map(|(_, new)| new.to_string()).collect();
    expected_added.sort();
    assert_eq!(added, expected_added);
    let removed: std::collections::BTreeSet<String> = ids("removed").into_iter().collect();
    let mut expected_removed = truth.deleted.clone();
    expected_removed.extend(renamed_and_reguided.iter().map(|(old, _)| old.to_string()));
    assert_eq!(removed, expected_removed);
    let changed = v["changed"].as_array().expect("changed");
    let changes_of = |old: &str| -> Vec<String> {
        changed
            .iter()
            .find(|c| c["old_global_id"] == old)
            .map(|c| {
                c["changes"]
                    .as_array()
                    .expect("changes")
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    for gid in
        truth.moved.iter().filter(|g| !truth.renamed.contains_key(*g) || !truth.reguided.contains_key(*g))
    {
        assert!(changes_of(gid).contains(&"placement".to_string()), "{gid} moved: {:?}", changes_of(gid));
    }
    for gid in truth.renamed.keys().filter(|g| !truth.reguided.contains_key(*g)) {
        assert!(changes_of(gid).contains(&"name".to_string()), "{gid} renamed");
    }
    for (old, new) in truth.reguided.iter().filter(|(old, _)| !truth.renamed.contains_key(*old)) {
        let entry =
            changed.iter().find(|c| c["old_global_id"] == old.as_str()).expect("re-GUIDed element listed");
        assert_eq!(entry["global_id"], new.as_str());
        assert_eq!(entry["changes"][0], "global_id");
    }
    let by_fingerprint = truth.reguided.len() - renamed_and_reguided.len();
    assert_eq!(v["matched"]["by_fingerprint"].as_u64(), Some(by_fingerprint as u64));
    // The text summary.
    let out = plumbline().arg("diff").arg(hall()).arg(&new).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = format!("{} added, {} removed", expected_added.len(), expected_removed.len());
    assert!(text.starts_with(&summary), "{text}");
}

#[test]
fn diff_refuses_models_of_different_schemas() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(hall())
        .expect("sample")
        .replace("FILE_SCHEMA(('IFC4'));", "FILE_SCHEMA(('IFC2X3'));");
    let other = dir.path().join("old-schema.ifc");
    std::fs::write(&other, text).expect("write");
    let out = plumbline().arg("diff").arg(hall()).arg(&other).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("different IFC schemas"), "{}", stderr(&out));
}

fn clash_run(dir: &Path, model: &Path) -> Output {
    plumbline()
        .current_dir(dir)
        .arg("clash")
        .arg(model)
        .arg("--config")
        .arg(rules())
        .args(["--db", "h.db"])
        .output()
        .expect("runs")
}

fn last_run(dir: &Path) -> serde_json::Value {
    let out =
        plumbline().current_dir(dir).args(["history", "--db", "h.db", "--json", "-"]).output().expect("runs");
    let v = json(&out);
    v["runs"].as_array().and_then(|r| r.last().cloned()).expect("a run")
}

#[test]
fn a_re_export_with_every_global_id_regenerated_keeps_every_clash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = clash_run(dir.path(), &hall());
    assert!(out.status.success(), "{}", stderr(&out));
    let first = last_run(dir.path());
    let found = first["clashes"].as_u64().expect("count");
    assert!(found > 0);
    let out = plumbline()
        .current_dir(dir.path())
        .args(["status", "#1", "--set", "reviewed", "--by", "Li Wei", "--db", "h.db"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));

    let only_guids = RevisionParams {
        move_every: 0,
        delete_every: 0,
        rename_every: 0,
        reguid_every: 0,
        reguid_all: true,
        ..RevisionParams::default()
    };
    let (new, truth) = write_revision(dir.path(), &only_guids);
    assert!(truth.reguided.len() > 50, "every product re-GUIDed");
    let out = clash_run(dir.path(), &new);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = last_run(dir.path());
    assert_eq!(second["clashes"].as_u64(), Some(found));
    assert_eq!((second["new"].as_u64(), second["resolved"].as_u64()), (Some(0), Some(0)), "{second}");
    assert_eq!(second["element_removed"].as_u64(), Some(0));
    assert_eq!(second["reviewed"].as_u64(), Some(1), "the review survives the re-export");
    let out = plumbline()
        .current_dir(dir.path())
        .args(["status", "#1", "--json", "-", "--db", "h.db"])
        .output()
        .expect("runs");
    let v = json(&out);
    assert_eq!(v["clash"]["status"], "reviewed");
    let gid = v["clash"]["a"]["global_id"].as_str().expect("gid").to_string();
    assert!(truth.reguided.values().any(|g| *g == gid), "the clash names the new GlobalIds: {gid}");
}

#[test]
fn deleted_elements_make_their_clashes_element_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = clash_run(dir.path(), &hall());
    assert!(out.status.success(), "{}", stderr(&out));
    let deleting = RevisionParams {
        move_every: 0,
        delete_every: 3,
        rename_every: 0,
        reguid_every: 0,
        ..RevisionParams::default()
    };
    let (new, truth) = write_revision(dir.path(), &deleting);
    assert!(!truth.deleted.is_empty());
    let out = clash_run(dir.path(), &new);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = last_run(dir.path());
    assert!(second["element_removed"].as_u64().unwrap_or(0) > 0, "{second}");
    assert_eq!(second["new"].as_u64(), Some(0), "{second}");
    // A deleted element fixes nothing: no clash of a deleted element is resolved. Two cases
    // are real fixes: deleting one copy of a duplicate (its twin, the same class, name and
    // geometry, remains, so the element is not gone), and deleting an insulation covering,
    // which clears an insulation clash whose two elements both remain.
    let store = plumbline_store::Store::open_existing(dir.path().join("h.db")).expect("history");
    for c in store.all_clashes().expect("clashes") {
        if c.status == plumbline_store::Status::Resolved
            && c.resolution.is_none()
            && c.kind != plumbline_clash::ClashKind::Duplicate
        {
            for gid in [&c.a.global_id, &c.b.global_id] {
                assert!(!truth.deleted.contains(gid), "clash {} of deleted element {gid} was resolved", c.id);
            }
        }
    }
}

#[test]
fn gen_revision_writes_a_revised_model_and_its_truth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = plumbline()
        .current_dir(dir.path())
        .args(["gen", "revision", "--from"])
        .arg(hall())
        .args(["--out", "rev.ifc", "--truth", "rev.json", "--reguid-all"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("rev.json")).expect("truth"))
            .expect("JSON");
    assert!(truth["reguided"].as_object().is_some_and(|m| m.len() > 50), "{truth}");
    let out = plumbline()
        .arg("diff")
        .arg(hall())
        .arg(dir.path().join("rev.ifc"))
        .args(["--json", "-"])
        .output()
        .expect("runs");
    let v = json(&out);
    assert!(v["matched"]["by_fingerprint"].as_u64().unwrap_or(0) > 50, "{v}");
}
