//! `plumbline batch` (issue 20): a portfolio of sites run side by side and recorded; failed
//! sites reported with their reason while the rest complete; shards merged into the same
//! portfolio, byte for byte, as the unsharded run; merges that would mix or miss shards refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    c.env("SOURCE_DATE_EPOCH", "1795000000");
    c.env("PLUMBLINE_NO_CACHE", "1");
    c.env_remove("PLUMBLINE_DB");
    c.env("LANG", "C.UTF-8");
    c.env_remove("LC_ALL");
    c.env_remove("LC_MESSAGES");
    c
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plumbline-batch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("a folder")).expect("folder");
    std::fs::copy(from, to).expect("copy");
}

/// Writes a generated sample and its truth file.
fn generate(dir: &Path, site: &str, args: &[&str]) {
    let folder = dir.join("sites").join(site);
    std::fs::create_dir_all(&folder).expect("folder");
    let out = plumbline()
        .arg("gen")
        .args(args)
        .arg("--out")
        .arg(folder.join(format!("{site}.ifc")))
        .arg("--truth")
        .arg(dir.join(format!("{site}.truth.json")))
        .output()
        .expect("runs");
    assert!(out.status.success(), "gen {site}: {}", text(&out));
}

/// A portfolio of five good sites (four branches, one data hall) and three that fail in
/// different ways: a model that is missing, an IFC file that is broken, rules that are missing.
fn portfolio(dir: &Path) -> PathBuf {
    generate(dir, "br-001", &["branch", "--seed", "11"]);
    generate(dir, "br-002", &["branch", "--seed", "12", "--lang", "zh"]);
    generate(dir, "br-003", &["branch", "--seed", "13"]);
    generate(dir, "支行-004", &["branch", "--seed", "14", "--lang", "zh"]);
    generate(dir, "dc-001", &["datacenter", "--seed", "15", "--rows", "2", "--racks-per-row", "4"]);
    std::fs::create_dir_all(dir.join("sites/br-broken")).expect("folder");
    std::fs::write(dir.join("sites/br-broken/br-broken.ifc"), "ISO-10303-21;\nHEADER;\nthis is not STEP\n")
        .expect("write");
    copy(&repo("assets/rules/bank-branch.toml"), &dir.join("rules/bank-branch.toml"));
    copy(&repo("assets/rules/datacenter.toml"), &dir.join("rules/datacenter.toml"));
    let mut toml = String::from(
        "name = \"Programme 2027\"\n\n[defaults]\nrules = \"rules/bank-branch.toml\"\nregion = \"华东\"\n",
    );
    for site in ["br-001", "br-002", "br-003", "支行-004", "br-broken"] {
        toml.push_str(&format!("\n[[site]]\nname = \"{site}\"\nmodels = [\"sites/{site}/*.ifc\"]\n"));
    }
    toml.push_str("\n[[site]]\nname = \"dc-001\"\nregion = \"North\"\nmodels = [\"sites/dc-001/*.ifc\"]\nrules = \"rules/datacenter.toml\"\n");
    toml.push_str("\n[[site]]\nname = \"br-missing\"\nmodels = [\"sites/br-missing/*.ifc\"]\n");
    toml.push_str("\n[[site]]\nname = \"br-no-rules\"\nmodels = [\"sites/br-001/*.ifc\"]\nrules = \"rules/missing.toml\"\n");
    let path = dir.join("portfolio.toml");
    std::fs::write(&path, toml).expect("write");
    path
}

fn batch(dir: &Path, args: &[&str]) -> Output {
    plumbline().current_dir(dir).arg("batch").args(args).output().expect("runs")
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

fn truth_clashes(dir: &Path, site: &str) -> usize {
    let truth = read_json(&dir.join(format!("{site}.truth.json")));
    truth["clashes"].as_array().map_or(0, Vec::len)
}

#[test]
fn shards_merge_into_the_unsharded_portfolio_byte_for_byte_and_failed_sites_do_not_stop_the_rest() {
    let dir = scratch("merge");
    let file = portfolio(&dir);
    let file = file.to_str().expect("utf-8");
    let whole = batch(
        &dir,
        &[file, "--out", "whole", "--db", "whole.db", "--jobs", "2", "--reports", "json,html,xlsx,bcf"],
    );
    assert_eq!(whole.status.code(), Some(5), "failed sites give exit code 5: {}", text(&whole));
    for i in 0..3 {
        let shard = format!("{i}/3");
        let out = batch(
            &dir,
            &[
                file,
                "--out",
                "sharded",
                "--db",
                "sharded.db",
                "--shard",
                &shard,
                "--reports",
                "json,html,xlsx,bcf",
            ],
        );
        assert!(matches!(out.status.code(), Some(0 | 5)), "shard {shard}: {}", text(&out));
        assert!(dir.join(format!("sharded/shard-{i}.json")).is_file());
        assert!(!dir.join("sharded/portfolio.json").exists(), "a shard writes no portfolio");
    }
    let merged = plumbline().current_dir(&dir).args(["batch", "merge", "sharded"]).output().expect("runs");
    assert_eq!(merged.status.code(), Some(5), "{}", text(&merged));
    for name in ["portfolio.json", "portfolio.html", "portfolio.xlsx"] {
        let a = std::fs::read(dir.join("whole").join(name)).expect("unsharded");
        let b = std::fs::read(dir.join("sharded").join(name)).expect("merged");
        assert!(a == b, "{name} differs between the unsharded run and the merged shards");
    }

    let p = read_json(&dir.join("whole/portfolio.json"));
    let sites = p["sites"].as_array().expect("sites");
    assert_eq!(sites.len(), 8);
    assert_eq!(p["totals"]["failed"], 3);
    assert_eq!(p["totals"]["ok"], 5);
    // Worst first: the failed sites lead, by name.
    let names: Vec<&str> = sites.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(&names[..3], ["br-broken", "br-missing", "br-no-rules"], "{names:?}");
    let site = |name: &str| sites.iter().find(|s| s["name"] == name).expect("site");
    let why = |name: &str| site(name)["error"].as_str().unwrap_or_default().to_string();
    assert!(why("br-missing").contains("sites/br-missing/*.ifc"), "{}", why("br-missing"));
    assert!(why("br-broken").contains("br-broken.ifc"), "{}", why("br-broken"));
    assert!(why("br-no-rules").contains("missing.toml"), "{}", why("br-no-rules"));
    for name in ["br-001", "br-002", "br-003", "支行-004", "dc-001"] {
        let s = site(name);
        assert_eq!(s["outcome"], "ok", "{name}: {s}");
        assert_eq!(s["clashes"]["found"], truth_clashes(&dir, name), "{name} finds its seeded clashes");
        assert_eq!(s["clashes"]["new"], s["clashes"]["found"], "{name}: first run, all new");
        assert_eq!(s["trend"].as_array().map(Vec::len), Some(1));
        assert!(s["by_discipline"].as_object().is_some_and(|d| !d.is_empty()), "{name}: {s}");
        for (kind, file) in [
            ("json", "clashes.json"),
            ("html", "clashes.html"),
            ("xlsx", "clashes.xlsx"),
            ("bcf", "clashes.bcfzip"),
        ] {
            let rel = format!("{name}/{file}");
            assert_eq!(s["reports"][kind], rel.as_str());
            assert!(dir.join("whole").join(&rel).is_file(), "{rel}");
        }
    }
    assert_eq!(site("dc-001")["region"], "North");
    assert_eq!(site("br-001")["region"], "华东");

    // The second run sees the same clashes again: active, none new, two points of trend.
    let again = batch(&dir, &[file, "--out", "whole", "--db", "whole.db", "--jobs", "2"]);
    assert_eq!(again.status.code(), Some(5), "{}", text(&again));
    let p = read_json(&dir.join("whole/portfolio.json"));
    let br =
        p["sites"].as_array().and_then(|s| s.iter().find(|s| s["name"] == "br-001")).expect("br-001").clone();
    assert_eq!(br["clashes"]["new"], 0);
    assert_eq!(br["clashes"]["active"], truth_clashes(&dir, "br-001"));
    assert_eq!(br["trend"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_merge_with_a_missing_or_foreign_shard_writes_nothing() {
    let dir = scratch("missing-shard");
    let file = portfolio(&dir);
    let file = file.to_str().expect("utf-8");
    let out = batch(&dir, &[file, "--out", "out", "--db", "h.db", "--shard", "0/2", "--reports", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 5)), "{}", text(&out));
    let merged = plumbline().current_dir(&dir).args(["batch", "merge", "out"]).output().expect("runs");
    assert_eq!(merged.status.code(), Some(2), "{}", text(&merged));
    assert!(text(&merged).contains("shards 1 of 2 are missing"), "{}", text(&merged));
    assert!(!dir.join("out/portfolio.json").exists());
    // A shard of another split in the same folder: refused, naming both.
    let shard = std::fs::read_to_string(dir.join("out/shard-0.json")).expect("shard");
    std::fs::write(
        dir.join("out/shard-1.json"),
        shard.replace("\"shards\": 2", "\"shards\": 3").replace("\"shard\": 0", "\"shard\": 1"),
    )
    .expect("write");
    let mixed = plumbline().current_dir(&dir).args(["batch", "merge", "out"]).output().expect("runs");
    assert_eq!(mixed.status.code(), Some(2), "{}", text(&mixed));
    assert!(text(&mixed).contains("mixes two batches"), "{}", text(&mixed));
    assert!(!dir.join("out/portfolio.json").exists());
}

/// A shard left in the folder by last week's run, or run on an edited portfolio, must never be
/// merged into this week's report: the run id and the portfolio's digest tell them apart.
#[test]
fn a_merge_refuses_a_stale_shard_of_an_earlier_run_or_an_edited_portfolio() {
    let dir = scratch("stale-shard");
    let file = portfolio(&dir);
    let name = file.to_str().expect("utf-8");
    let shard = |i: usize, run: &str| {
        let out = batch(
            &dir,
            &[
                name,
                "--out",
                "out",
                "--db",
                "h.db",
                "--shard",
                &format!("{i}/2"),
                "--reports",
                "json",
                "--run-id",
                run,
            ],
        );
        assert!(matches!(out.status.code(), Some(0 | 5)), "{}", text(&out));
    };
    let merge = |extra: &[&str]| {
        plumbline().current_dir(&dir).args(["batch", "merge", "out"]).args(extra).output().expect("runs")
    };
    // Last week both shards ran; this week shard 1 did not (its pod failed), shard 0 did.
    shard(0, "week-48");
    shard(1, "week-48");
    shard(0, "week-49");
    let stale = merge(&[]);
    assert_eq!(stale.status.code(), Some(2), "{}", text(&stale));
    assert!(
        text(&stale).contains("run 'week-49'") && text(&stale).contains("run 'week-48'"),
        "{}",
        text(&stale)
    );
    assert!(!dir.join("out/portfolio.json").exists(), "nothing merged");
    // Once shard 1 reruns under this week's id, the merge goes through, and --run-id checks it.
    shard(1, "week-49");
    let wrong = merge(&["--run-id", "week-48"]);
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong));
    assert!(!dir.join("out/portfolio.json").exists());
    let ok = merge(&["--run-id", "week-49"]);
    assert!(matches!(ok.status.code(), Some(0 | 5)), "{}", text(&ok));
    assert!(dir.join("out/portfolio.json").is_file());
    assert!(!text(&ok).contains("no --run-id"), "{}", text(&ok));

    // Without run ids, an edit of the portfolio between the shards' runs is still caught, and
    // the merge warns that a stale shard could not be told apart.
    let plain = |i: usize| {
        let out = batch(
            &dir,
            &[name, "--out", "plain", "--db", "h.db", "--shard", &format!("{i}/2"), "--reports", "json"],
        );
        assert!(matches!(out.status.code(), Some(0 | 5)), "{}", text(&out));
    };
    plain(0);
    let original = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, format!("{original}\n# edited after shard 0 ran\n")).expect("write");
    plain(1);
    let edited = plumbline().current_dir(&dir).args(["batch", "merge", "plain"]).output().expect("runs");
    assert_eq!(edited.status.code(), Some(2), "{}", text(&edited));
    assert!(text(&edited).contains("different versions of portfolio"), "{}", text(&edited));
    std::fs::write(&file, &original).expect("write");
    plain(1);
    let warned = plumbline().current_dir(&dir).args(["batch", "merge", "plain"]).output().expect("runs");
    assert!(matches!(warned.status.code(), Some(0 | 5)), "{}", text(&warned));
    assert!(text(&warned).contains("carry no --run-id"), "{}", text(&warned));

    // An empty run id (an unset variable in a deployment) and one without --shard are refused.
    for args in [vec![name, "--shard", "0/2", "--run-id", ""], vec![name, "--run-id", "week-49"]] {
        let out = batch(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    }
}

/// Branches renovated from one template share GlobalIds. In one history each site keeps its
/// own clashes; a lookup or a BCF review that could mean either site asks which, and changes
/// nothing until told.
#[test]
fn sites_copied_from_one_template_share_a_history_and_reviews_stay_with_their_site() {
    let dir = scratch("template-sites");
    generate(&dir, "template", &["branch", "--seed", "21"]);
    copy(&repo("assets/rules/bank-branch.toml"), &dir.join("rules/bank-branch.toml"));
    let mut toml =
        String::from("name = \"Template programme\"\n\n[defaults]\nrules = \"rules/bank-branch.toml\"\n");
    for site in ["br-a", "br-b"] {
        toml.push_str(&format!("\n[[site]]\nname = \"{site}\"\nmodels = [\"sites/template/*.ifc\"]\n"));
    }
    std::fs::write(dir.join("portfolio.toml"), toml).expect("write");
    let run = batch(&dir, &["portfolio.toml", "--out", "out", "--db", "h.db", "--reports", "json,bcf"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let p = read_json(&dir.join("out/portfolio.json"));
    let expected = truth_clashes(&dir, "template");
    for site in p["sites"].as_array().expect("sites") {
        assert_eq!(site["outcome"], "ok", "{site}");
        assert_eq!(site["clashes"]["found"], expected, "{site}");
    }
    let status = |args: &[&str]| {
        plumbline().current_dir(&dir).arg("status").args(args).args(["--db", "h.db"]).output().expect("runs")
    };
    // Clash #1 is in both sites: the lookup names them and asks.
    let ambiguous = status(&["#1"]);
    assert_eq!(ambiguous.status.code(), Some(2), "{}", text(&ambiguous));
    assert!(text(&ambiguous).contains("br-a") && text(&ambiguous).contains("br-b"), "{}", text(&ambiguous));
    let set = status(&["#1", "--project", "br-b", "--set", "reviewed", "--by", "li.wei"]);
    assert_eq!(set.status.code(), Some(0), "{}", text(&set));

    // Site A's BCF, closed by a reviewer in another tool.
    let bcf = dir.join("out/br-a/clashes.bcfzip");
    let closed = dir.join("closed.bcfzip");
    {
        let mut from = zip::ZipArchive::new(std::fs::File::open(&bcf).expect("bcf")).expect("zip");
        let mut to = zip::ZipWriter::new(std::fs::File::create(&closed).expect("create"));
        for i in 0..from.len() {
            let mut entry = from.by_index(i).expect("entry");
            let name = entry.name().expect("entry name").to_string();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read");
            if name.ends_with("markup.bcf") {
                let text = String::from_utf8(bytes).expect("UTF-8");
                let text = regex_free_status(&text, "Closed");
                bytes = text.into_bytes();
            }
            to.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
            std::io::Write::write_all(&mut to, &bytes).expect("write");
        }
        to.finish().expect("finish");
    }
    let import = |extra: &[&str]| {
        plumbline()
            .current_dir(&dir)
            .args(["bcf", "import"])
            .arg(&closed)
            .args(["--db", "h.db"])
            .args(extra)
            .output()
            .expect("runs")
    };
    let refused = import(&[]);
    assert_ne!(refused.status.code(), Some(0), "{}", text(&refused));
    assert!(
        text(&refused).contains("several projects") && text(&refused).contains("nothing was imported"),
        "{}",
        text(&refused)
    );
    let open_in = |project: &str| {
        let out = plumbline()
            .current_dir(&dir)
            .args(["history", "--db", "h.db", "--project", project, "--json", "-"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        json["projects"][project]["open"].as_u64().expect("open")
    };
    assert_eq!((open_in("br-a"), open_in("br-b")), (expected as u64, expected as u64), "nothing changed");
    let unknown = import(&["--project", "br-z"]);
    assert_ne!(unknown.status.code(), Some(0), "{}", text(&unknown));
    let imported = import(&["--project", "br-a"]);
    assert_eq!(imported.status.code(), Some(0), "{}", text(&imported));
    assert_eq!(open_in("br-a"), 0, "site A's clashes closed: {}", text(&imported));
    assert_eq!(open_in("br-b"), expected as u64, "site B untouched");
}

/// Every topic's status in a BCF 2.1 markup set to `status`.
fn regex_free_status(markup: &str, status: &str) -> String {
    let Some(start) = markup.find("TopicStatus=\"") else { return markup.to_string() };
    let value = start + "TopicStatus=\"".len();
    let end = value + markup[value..].find('"').expect("closing quote");
    format!("{}{status}{}", &markup[..value], &markup[end..])
}

#[test]
fn a_broken_portfolio_file_stops_before_any_site_runs() {
    let dir = scratch("broken-file");
    let file = portfolio(&dir);
    let original = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, original.replace("name = \"br-003\"", "name = \"BR-001\"")).expect("write");
    let out = batch(&dir, &[file.to_str().expect("utf-8"), "--out", "out", "--db", "h.db"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("used twice (first on line"), "{}", text(&out));
    assert!(!dir.join("h.db").exists(), "nothing recorded");
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn a_dry_run_lists_the_shards_sites_and_runs_nothing() {
    let dir = scratch("dry-run");
    let file = portfolio(&dir);
    let file = file.to_str().expect("utf-8");
    let mut listed = Vec::new();
    for i in 0..3 {
        let out = batch(&dir, &[file, "--shard", &format!("{i}/3"), "--dry-run", "--out", "out"]);
        // Exit code 5 where the shard holds a site that will fail.
        assert!(matches!(out.status.code(), Some(0 | 5)), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        listed.extend(stdout.lines().skip(1).filter_map(|l| l.split_whitespace().next()).map(str::to_string));
    }
    listed.sort();
    assert_eq!(
        listed,
        ["br-001", "br-002", "br-003", "br-broken", "br-missing", "br-no-rules", "dc-001", "支行-004"]
    );
    assert!(!dir.join("out").exists(), "a dry run writes nothing");
    let whole = batch(&dir, &[file, "--dry-run"]);
    assert_eq!(whole.status.code(), Some(5), "{}", text(&whole));
    let listing = text(&whole);
    for (site, why) in [("br-missing", "no model file matches"), ("br-no-rules", "missing.toml")] {
        let line = listing.lines().find(|l| l.trim_start().starts_with(site)).unwrap_or_default();
        assert!(line.contains("will fail") && line.contains(why), "{site}: {line}");
    }
    let bad = batch(&dir, &[file, "--shard", "3/3", "--dry-run"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("counts from 0"), "{}", text(&bad));
}
