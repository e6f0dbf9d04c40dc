//! End-to-end tests of `plumbline clash` on the shipped sample models: the seeded hard overlaps
//! are found with their depths and nothing else is, the JSON has the documented shape, and bad
//! selectors exit 2 with a message saying which and why.

use std::path::PathBuf;
use std::process::Command;

fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    // The loader is under test: models are not served from a model cache.
    c.env("PLUMBLINE_NO_CACHE", "1");
    c
}

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample_models").join(name)
}

#[test]
fn all_against_all_on_the_data_hall_finds_exactly_the_seeded_overlaps() {
    let json = std::env::temp_dir().join(format!("plumbline-clash-{}.json", std::process::id()));
    let out = plumbline()
        .arg("clash")
        .arg(sample("datacenter-hall.ifc"))
        .args(["--a", "*", "--threads", "2", "--json"])
        .arg(&json)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json written")).expect("valid JSON");
    let test = &report["tests"][0];
    for key in ["name", "mode", "tolerance_m", "clearance_m", "elements_a", "elements_b", "candidate_pairs"] {
        assert!(!test[key].is_null(), "missing {key}");
    }
    for key in ["load_secs", "index_secs", "narrow_secs", "total_secs"] {
        assert!(report["timings"][key].as_f64().is_some(), "missing timing {key}");
    }
    let found: Vec<(String, String, f64)> = test["clashes"]
        .as_array()
        .expect("clashes")
        .iter()
        .map(|c| {
            let (a, b) =
                (c["a"]["global_id"].as_str().unwrap_or(""), c["b"]["global_id"].as_str().unwrap_or(""));
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            (a.to_string(), b.to_string(), c["distance_m"].as_f64().unwrap_or(f64::NAN))
        })
        .collect();
    // Every seeded hard overlap is found with its depth.
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sample("datacenter-hall.truth.json")).expect("truth file"),
    )
    .expect("truth JSON");
    let mut expected = 0;
    for c in truth["clashes"].as_array().expect("clashes") {
        // The insulation test's seeds overlap only once insulation is counted: an ad-hoc test
        // measures the bare solids.
        if c["kind"] != "hard" || c["test"] == "insulation" {
            continue;
        }
        expected += 1;
        let (a, b) = (c["a"].as_str().unwrap_or(""), c["b"].as_str().unwrap_or(""));
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let depth = c["distance_m"].as_f64().unwrap_or(f64::NAN);
        assert!(
            found.iter().any(|f| f.0 == a && f.1 == b && (f.2 - depth).abs() < 1e-4),
            "seeded clash {a} / {b} ({depth} m) not found in {found:?}"
        );
    }
    // Nothing touching is reported: the declared geometric non-clashes stay clear (the time-based
    // ones overlap in space by design and are the 4D test's to reject).
    for n in truth["non_clashes"].as_array().expect("non_clashes") {
        if n["why"].as_str().is_some_and(|w| w.starts_with("temporary")) {
            continue;
        }
        let (a, b) = (n["a"].as_str().unwrap_or(""), n["b"].as_str().unwrap_or(""));
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        assert!(!found.iter().any(|f| f.0 == a && f.1 == b), "non-clash {a} / {b} reported");
    }
    assert!(expected >= 3);
    // The only other hard overlaps are the seeded temporary-works, duplicate and time pairs.
    let seeded: Vec<(String, String)> = truth["clashes"]
        .as_array()
        .expect("clashes")
        .iter()
        .chain(truth["non_clashes"].as_array().expect("non_clashes").iter().filter(|n| {
            // Temporary works that are gone before the permanent element arrives overlap it in
            // space by design.
            n["why"].as_str().is_some_and(|w| w.starts_with("temporary"))
        }))
        .map(|c| {
            let (a, b) = (c["a"].as_str().unwrap_or(""), c["b"].as_str().unwrap_or(""));
            if a <= b {
                (a.to_string(), b.to_string())
            } else {
                (b.to_string(), a.to_string())
            }
        })
        .collect();
    for f in &found {
        assert!(seeded.contains(&(f.0.clone(), f.1.clone())), "unseeded clash {f:?}");
    }
}

#[test]
fn an_unknown_class_exits_2_and_names_it() {
    let out = plumbline()
        .arg("clash")
        .arg(sample("bank-branch.ifc"))
        .args(["--a", "IfcDcutSegment"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--a 'IfcDcutSegment': unknown IFC class 'IfcDcutSegment'"), "{err}");
}

#[test]
fn a_file_glob_restricts_the_selection() {
    let out = plumbline()
        .arg("clash")
        .arg(sample("bank-branch.ifc"))
        .arg(sample("datacenter-hall.ifc"))
        .args(["--a", "bank-*:IfcWall", "--b", "datacenter-*:*"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(17 elements in A, 292 in B"), "{text}");
}

#[test]
fn time_based_clash_finds_the_seeded_conflicts_and_skips_works_gone_in_time() {
    for model in ["datacenter-hall", "bank-branch"] {
        let out = plumbline()
            .arg("schedule")
            .arg(sample(&format!("{model}.ifc")))
            .args(["--time-clash", "--json", "-"])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let found: Vec<(String, String)> = report["time_clashes"]
            .as_array()
            .expect("time_clashes")
            .iter()
            .map(|c| {
                let (a, b) = (c["a"].as_str().unwrap_or(""), c["b"].as_str().unwrap_or(""));
                assert!(c["from"].as_str().is_some() && c["to"].as_str().is_some(), "dates of the conflict");
                if a <= b {
                    (a.into(), b.into())
                } else {
                    (b.into(), a.into())
                }
            })
            .collect();
        let truth: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(sample(&format!("{model}.truth.json"))).expect("truth"),
        )
        .expect("truth JSON");
        let key = |v: &serde_json::Value| {
            let (a, b) =
                (v["a"].as_str().unwrap_or("").to_string(), v["b"].as_str().unwrap_or("").to_string());
            if a <= b {
                (a, b)
            } else {
                (b, a)
            }
        };
        let seeded: Vec<_> = truth["clashes"]
            .as_array()
            .expect("clashes")
            .iter()
            .filter(|c| c["kind"] == "time")
            .map(key)
            .collect();
        assert!(!seeded.is_empty());
        assert_eq!(found, seeded, "{model}");
        for n in truth["non_clashes"].as_array().expect("non_clashes") {
            assert!(!found.contains(&key(n)), "{model}: non-clash reported");
        }
    }
}

/// The clashes of a `--json` report, without its timings.
fn clashes_of(json: &std::path::Path) -> serde_json::Value {
    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).expect("json written")).expect("valid JSON");
    report["timings"] = serde_json::Value::Null;
    report
}

#[test]
fn the_model_cache_changes_nothing_but_time_and_survives_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache");
    let run = |json: &str| {
        let json = dir.path().join(json);
        let out = plumbline()
            .env_remove("PLUMBLINE_NO_CACHE")
            .arg("clash")
            .arg(sample("datacenter-hall.ifc"))
            .args(["--a", "*", "--json"])
            .arg(&json)
            .arg("--cache-dir")
            .arg(&cache)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (clashes_of(&json), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let entries = || -> Vec<PathBuf> {
        std::fs::read_dir(&cache).expect("cache folder").map(|e| e.expect("entry").path()).collect()
    };
    let (cold, _) = run("cold.json");
    assert_eq!(entries().len(), 1, "the model was cached");
    let (warm, stderr) = run("warm.json");
    assert_eq!(warm, cold, "a model from the cache gives the same clashes");
    assert!(!stderr.contains("note: model cache"), "{stderr}");

    // A damaged entry is named, set aside, and the run still gives the same answer.
    let entry = &entries()[0];
    let mut bytes = std::fs::read(entry).expect("entry");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(entry, bytes).expect("damage");
    let (after_damage, stderr) = run("damaged.json");
    assert_eq!(after_damage, cold);
    assert!(stderr.contains("note: model cache:") && stderr.contains("removed"), "{stderr}");

    // The environment's switch (set by `plumbline()`) wins over a named folder.
    let out = plumbline()
        .arg("info")
        .arg(sample("datacenter-hall.ifc"))
        .arg("--cache-dir")
        .arg(dir.path().join("unused"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path().join("unused").exists(), "PLUMBLINE_NO_CACHE=1 caches nothing");
}

#[test]
fn a_clash_run_tessellates_only_what_it_selects_and_finds_the_same_clashes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hall = sample("datacenter-hall.ifc");
    let clash = |json: &str, cache: Option<&std::path::Path>| {
        let json = dir.path().join(json);
        let mut cmd = plumbline();
        cmd.arg("clash").arg(&hall).args(["--a", "IfcCableCarrierSegment", "--b", "IfcDuctSegment,IfcSlab"]);
        cmd.args(["--mode", "clearance", "--clearance-mm", "300", "--json"]).arg(&json);
        if let Some(cache) = cache {
            cmd.env_remove("PLUMBLINE_NO_CACHE").arg("--cache-dir").arg(cache);
        }
        let out = cmd.output().expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        clashes_of(&json)
    };
    let meshed = |cache: Option<&std::path::Path>| -> String {
        let mut cmd = plumbline();
        cmd.arg("info").arg(&hall);
        if let Some(cache) = cache {
            cmd.env_remove("PLUMBLINE_NO_CACHE").arg("--cache-dir").arg(cache);
        }
        let out = cmd.output().expect("runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines().find(|l| l.trim_start().starts_with("meshed")).expect("a meshed line").to_string()
    };

    // Only the trays, ducts and slabs are tessellated (nothing cached).
    let scoped = clash("scoped.json", None);
    assert!(scoped["tests"][0]["clashes"].as_array().is_some_and(|c| !c.is_empty()), "{scoped}");

    // The whole model cached by `info` has the exact solids every load reads, so it serves
    // the clash run: no second entry, and the same clashes.
    let whole_cache = dir.path().join("whole");
    let all_meshed = meshed(Some(&whole_cache));
    assert_eq!(clash("whole.json", Some(&whole_cache)), scoped);
    assert_eq!(std::fs::read_dir(&whole_cache).expect("cache").count(), 1, "info's entry only");
    assert_eq!(clash("whole-again.json", Some(&whole_cache)), scoped);

    // A scoped run's entry never stands in for the whole model.
    let scoped_cache = dir.path().join("scoped");
    assert_eq!(clash("scoped-cached.json", Some(&scoped_cache)), scoped);
    let size = |d: &std::path::Path| -> Vec<u64> {
        std::fs::read_dir(d)
            .expect("cache")
            .map(|e| e.expect("entry").metadata().expect("size").len())
            .collect()
    };
    let (scoped_size, whole_size) = (size(&scoped_cache), size(&whole_cache));
    assert_eq!((scoped_size.len(), whole_size.len()), (1, 1));
    let largest = whole_size.iter().copied().max().unwrap_or(0);
    assert!(
        scoped_size[0] < largest / 2,
        "the scoped model holds fewer meshes: {scoped_size:?} {whole_size:?}"
    );
    assert_eq!(clash("scoped-again.json", Some(&scoped_cache)), scoped);
    assert_eq!(meshed(Some(&scoped_cache)), all_meshed);
    assert_eq!(meshed(None), all_meshed);
}

/// Regression: an ad-hoc `--a/--b` run reported a symmetric pair in the engine's GlobalId order,
/// so a tray crossing a duct could come out with the duct as A (red in HTML and BCF). It now
/// runs as a one-test rule set, whose A side is always the `--a` selection, exactly as the same
/// test written in a rule file.
#[test]
fn an_ad_hoc_run_keeps_the_a_side_and_agrees_with_the_same_rule_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ad_hoc, ruled) = (dir.path().join("ad-hoc.json"), dir.path().join("rules.json"));
    let run = |extra: &[&str], json: &std::path::Path| {
        let out = plumbline()
            .arg("clash")
            .arg(sample("datacenter-hall.ifc"))
            .args(extra)
            .args(["--no-db", "--json"])
            .arg(json)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        clashes_of(json)
    };
    let found = run(&["--a", "IfcCableCarrierSegment", "--b", "IfcDuctSegment"], &ad_hoc);
    let clashes = found["tests"][0]["clashes"].as_array().expect("clashes");
    assert!(!clashes.is_empty(), "the data hall has trays crossing ducts");
    for c in clashes {
        assert_eq!(c["a"]["class"], "IfcCableCarrierSegment", "{c}");
        assert_eq!(c["b"]["class"], "IfcDuctSegment", "{c}");
    }
    // Some of those pairs have the duct's GlobalId first: the old order would have swapped them.
    assert!(
        clashes.iter().any(|c| c["a"]["global_id"].as_str() > c["b"]["global_id"].as_str()),
        "the case must exercise a pair whose B GlobalId sorts first"
    );
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[test]]\nname = \"hard: IfcCableCarrierSegment vs IfcDuctSegment\"\na = { class = \"IfcCableCarrierSegment\" }\nb = { class = \"IfcDuctSegment\" }\n",
    )
    .expect("rule file");
    let same = run(&["--config", rules.to_str().expect("utf-8 path")], &ruled);
    assert_eq!(found, same, "an ad-hoc test is the same test as its rule file");
}

/// `--mode time` is the pipeline's time test, ad hoc: on the data hall the seeded scaffold
/// overlaps a CRAH unit that stands at the same time, temporary works on side A.
#[test]
fn an_ad_hoc_time_test_reports_temporary_works_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("time.json");
    let out = plumbline()
        .arg("clash")
        .arg(sample("datacenter-hall.ifc"))
        .args(["--a", "*", "--mode", "time", "--json"])
        .arg(&json)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = clashes_of(&json);
    assert_eq!(report["tests"][0]["mode"], "time");
    let clashes = report["tests"][0]["clashes"].as_array().expect("clashes");
    assert!(!clashes.is_empty(), "the seeded time conflicts");
    for c in clashes {
        assert_eq!(c["kind"], "time", "{c}");
    }
}

/// A reach-range test is reported as clearance, but its clashes are heights out of a range, not
/// gaps: the JSON carries the range, the terminal line and the HTML heading say "reach".
#[test]
fn a_reach_range_test_reports_its_range_not_a_gap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (json, html) = (dir.path().join("r.json"), dir.path().join("r.html"));
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/rules/bank-branch.toml");
    let out = plumbline()
        .arg("clash")
        .arg(sample("bank-branch.ifc"))
        .arg("--config")
        .arg(&rules)
        .arg("--json")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .args(["--lang", "en"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let report = clashes_of(&json);
    let test = report["tests"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == "accessible-reach-range"))
        .expect("the reach test");
    assert_eq!(test["reach"]["min_m"], 0.38, "{test}");
    assert_eq!(test["reach"]["max_m"], 1.22, "{test}");
    assert!(!test["clashes"].as_array().expect("clashes").is_empty());
    for c in test["clashes"].as_array().expect("clashes") {
        let id = c["id"].as_str().expect("id");
        let line = stdout.lines().find(|l| l.contains(id)).unwrap_or_default();
        assert!(line.contains("out of reach") && !line.contains("gap"), "{line}");
    }
    let html = std::fs::read_to_string(&html).expect("html");
    assert!(html.contains("reach range 380–1220 mm above the floor"), "the heading states the range");
}
