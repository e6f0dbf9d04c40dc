//! The deployment files (issue 20): `Dockerfile`, `deploy/k8s/*.yaml` (an Indexed Job of
//! `plumbline batch --shard` and the merge Job) and `deploy/slurm/*.sbatch` (an array job and
//! its merge), checked as far as a machine without a container engine, a cluster or Slurm
//! allows: the files are parsed and held to each other (one shard count, one uid, one binary,
//! enough memory for `--max-memory`), and the command lines they hold run for real against the
//! built binary with `--dry-run` on a small portfolio, each shard listing exactly its sites.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn toml_file(relative: &str) -> toml::Table {
    read(relative).parse().unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The binary with the environment of the other CLI tests: nothing from the caller's shell.
fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    c.env("SOURCE_DATE_EPOCH", "1795000000");
    c.env("PLUMBLINE_NO_CACHE", "1");
    c.env_remove("PLUMBLINE_DB");
    c.env("LANG", "C.UTF-8");
    c
}

// ---------------------------------------------------------------------------------------------
// Sizes, in the three notations the files use.

/// `--max-memory` as plumbline reads it: K, M, G, T (with or without `i`/`B`) are powers of 1024.
fn plumbline_size_bytes(text: &str) -> f64 {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit.to_ascii_lowercase().trim_end_matches('b').trim_end_matches('i') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024f64.powi(2),
        "g" => 1024f64.powi(3),
        "t" => 1024f64.powi(4),
        other => panic!("--max-memory {text}: unit {other}"),
    };
    number.parse::<f64>().unwrap_or_else(|e| panic!("--max-memory {text}: {e}")) * scale
}

/// A Kubernetes quantity: `Ki`, `Mi`, `Gi`, `Ti` binary, `k`, `M`, `G`, `T` decimal, `m` milli.
fn k8s_quantity(text: &str) -> f64 {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        other => panic!("quantity {text}: unit {other}"),
    };
    number.parse::<f64>().unwrap_or_else(|e| panic!("quantity {text}: {e}")) * scale
}

/// Slurm's `--mem`: megabytes without a unit; K, M, G, T are powers of 1024.
fn slurm_mem_bytes(text: &str) -> f64 {
    let (number, scale) = match text.char_indices().last() {
        Some((i, 'K')) => (&text[..i], 1024.0),
        Some((i, 'M')) => (&text[..i], 1024f64.powi(2)),
        Some((i, 'G')) => (&text[..i], 1024f64.powi(3)),
        Some((i, 'T')) => (&text[..i], 1024f64.powi(4)),
        _ => (text, 1024f64.powi(2)),
    };
    number.parse::<f64>().unwrap_or_else(|e| panic!("--mem={text}: {e}")) * scale
}

/// The value after `--name` (or in `--name=value`).
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let eq = format!("{name}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            args.get(i + 1).map(String::as_str)
        } else {
            a.strip_prefix(&eq)
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile.

#[derive(Debug)]
struct Stage {
    image: String,
    name: Option<String>,
    /// (instruction in upper case, the rest of its logical line).
    instructions: Vec<(String, String)>,
}

/// The stages of a Dockerfile: continuation lines joined, comments dropped (also inside a
/// continued instruction, as Docker does).
fn dockerfile() -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    let mut logical = String::new();
    for line in read("Dockerfile").lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(body) = t.strip_suffix('\\') {
            logical.push_str(body.trim_end());
            logical.push(' ');
            continue;
        }
        logical.push_str(t);
        let (keyword, rest) = logical.split_once(char::is_whitespace).unwrap_or((&logical, ""));
        let (keyword, rest) = (keyword.to_ascii_uppercase(), rest.trim().to_string());
        if keyword == "FROM" {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let name = match words.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some(name.to_string()),
                [_] => None,
                _ => panic!("FROM {rest}: expected IMAGE [AS NAME]"),
            };
            stages.push(Stage { image: words[0].to_string(), name, instructions: Vec::new() });
        } else {
            stages.last_mut().expect("an instruction before FROM").instructions.push((keyword, rest));
        }
        logical.clear();
    }
    stages
}

fn instructions<'a>(stage: &'a Stage, keyword: &'a str) -> impl Iterator<Item = &'a str> {
    stage.instructions.iter().filter(move |(k, _)| k == keyword).map(|(_, rest)| rest.as_str())
}

/// The final stage's numeric user, which the manifests must run as.
fn image_uid() -> u64 {
    let stages = dockerfile();
    let runtime = stages.last().expect("a stage");
    let user = instructions(runtime, "USER").last().expect("the runtime stage sets USER");
    user.split(':').next().and_then(|u| u.parse().ok()).unwrap_or_else(|| panic!("USER {user}: not numeric"))
}

fn image_entrypoint() -> Vec<String> {
    let stages = dockerfile();
    let entrypoint =
        instructions(stages.last().expect("a stage"), "ENTRYPOINT").last().expect("an ENTRYPOINT");
    serde_json::from_str(entrypoint).unwrap_or_else(|e| panic!("ENTRYPOINT {entrypoint}: not exec form: {e}"))
}

fn version(text: &str) -> Vec<u64> {
    text.split('.').map(|p| p.parse().unwrap_or_else(|e| panic!("version {text}: {e}"))).collect()
}

#[test]
fn the_image_builds_the_binary_its_entrypoint_runs_as_a_numeric_non_root_user() {
    let workspace = toml_file("Cargo.toml");
    let cli = toml_file("crates/cli/Cargo.toml");
    let package = cli["package"]["name"].as_str().expect("package name");
    let bins = cli["bin"].as_array().expect("[[bin]]");
    let binary = bins[0]["name"].as_str().expect("bin name");
    assert!(
        workspace["profile"].get("dist").is_some_and(toml::Value::is_table),
        "Cargo.toml has no [profile.dist]"
    );

    let stages = dockerfile();
    assert!(stages.len() >= 2, "a multi-stage build: {stages:?}");
    for stage in &stages {
        let tag = stage.image.split_once(':').map(|(_, t)| t);
        assert!(tag.is_some_and(|t| t != "latest"), "FROM {}: pin the base image by version", stage.image);
    }
    // The builder: a Rust image at least as new as the workspace's rust-version, on Debian 12
    // like the runtime (the binary links the glibc it was built against).
    let builder = &stages[0];
    let tag = builder.image.strip_prefix("rust:").expect("the first stage builds in the rust image");
    let (toolchain, distro) = tag.split_once('-').expect("rust:VERSION-DISTRO");
    assert_eq!(distro, "bookworm");
    let msrv = workspace["workspace"]["package"]["rust-version"].as_str().expect("rust-version");
    assert!(version(toolchain) >= version(msrv), "rust:{toolchain} is older than rust-version {msrv}");
    let runtime = stages.last().expect("a stage");
    assert_eq!(runtime.image, "debian:bookworm-slim");

    // The build: only the CLI package, in the dist profile, from the tested Cargo.lock.
    let build =
        instructions(builder, "RUN").find(|r| r.contains("cargo build")).expect("a RUN with cargo build");
    let words: Vec<String> = build.split_whitespace().map(str::to_string).collect();
    assert_eq!(flag(&words, "--profile"), Some("dist"), "{build}");
    assert_eq!(flag(&words, "-p").or(flag(&words, "--package")), Some(package), "{build}");
    assert!(words.iter().any(|w| w == "--locked"), "{build}");
    assert!(build.contains(&format!("target/dist/{binary}")), "the RUN takes target/dist/{binary}: {build}");

    // The runtime: the binary copied from the builder onto PATH, run by the ENTRYPOINT.
    let from = format!("--from={}", builder.name.as_deref().expect("the builder stage is named"));
    let copy = instructions(runtime, "COPY").find(|c| c.starts_with(&from)).expect("a COPY from the builder");
    let destination = copy.split_whitespace().last().unwrap_or_default();
    assert!(destination == format!("/usr/local/bin/{binary}") || destination == "/usr/local/bin/", "{copy}");
    assert_eq!(image_entrypoint(), vec![binary.to_string()]);

    // A fixed, numeric, non-root user (runAsNonRoot can only be checked against a number), the
    // one the user is created with.
    let uid = image_uid();
    assert!(uid >= 1000, "USER {uid}: not root, nor a system account");
    let users = instructions(runtime, "RUN").find(|r| r.contains("useradd")).expect("a RUN with useradd");
    assert!(users.contains(&format!("--uid {uid}")), "{users}");
    assert!(instructions(runtime, "WORKDIR").next().is_some(), "the runtime sets a WORKDIR");
}

// ---------------------------------------------------------------------------------------------
// The Kubernetes manifests.

/// Every document of a YAML file, as JSON values (what the API server receives).
fn yaml_documents(relative: &str) -> Vec<Value> {
    let text = read(relative);
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("{relative}: {e}")))
        .filter(|v| !v.is_null())
        .collect()
}

/// The file's one Job.
fn job(relative: &str) -> Value {
    let docs = yaml_documents(relative);
    assert_eq!(docs.len(), 1, "{relative}: one document");
    let job = docs.into_iter().next().unwrap_or_default();
    assert_eq!(job["apiVersion"], "batch/v1", "{relative}");
    assert_eq!(job["kind"], "Job", "{relative}");
    job
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().expect("a string").to_string()).collect())
        .unwrap_or_default()
}

/// The Job's one container, checked to run as the image's user with the image's ENTRYPOINT.
fn container(job: &Value) -> &Value {
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    let containers = pod["containers"].as_array().expect("containers");
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert!(c.get("command").is_none(), "no command: the image's ENTRYPOINT runs the args");
    let security = |key: &str| c["securityContext"].get(key).or(pod["securityContext"].get(key)).cloned();
    assert_eq!(security("runAsNonRoot"), Some(Value::Bool(true)));
    assert_eq!(security("runAsUser"), Some(Value::from(image_uid())), "the Dockerfile's USER");
    // The image built from the Dockerfile, tagged with the workspace's version.
    let image = c["image"].as_str().expect("image");
    let (name, tag) = image.rsplit_once(':').expect("a tagged image");
    assert!(name == "plumbline" || name.ends_with("/plumbline"), "{image}");
    let workspace = toml_file("Cargo.toml");
    assert_eq!(tag, workspace["workspace"]["package"]["version"].as_str().expect("version"), "{image}");
    c
}

/// The volume mounted at `mount` and the claim behind it.
fn claim(job: &Value, mount: &str) -> String {
    let c = &job["spec"]["template"]["spec"]["containers"][0];
    let mounts = c["volumeMounts"].as_array().expect("volumeMounts");
    let volume = mounts.iter().find(|m| m["mountPath"] == mount).expect("the mount")["name"].clone();
    let volumes = job["spec"]["template"]["spec"]["volumes"].as_array().expect("volumes");
    let v = volumes.iter().find(|v| v["name"] == volume).expect("the volume");
    v["persistentVolumeClaim"]["claimName"].as_str().expect("a claim").to_string()
}

const SHARDS_JOB: &str = "deploy/k8s/portfolio-job.yaml";
const MERGE_JOB: &str = "deploy/k8s/portfolio-merge-job.yaml";
const DATA: &str = "/data";

/// Kubernetes' `$(VAR)` expansion of args: defined names are replaced, `$$` is a literal `$`,
/// anything else stays as written.
fn k8s_expand(text: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$$") {
            out.push('$');
            rest = after;
        } else if let Some((name, after)) = tail.strip_prefix("$(").and_then(|t| t.split_once(')')) {
            match env.get(name) {
                Some(value) => out.push_str(value),
                None => out.push_str(&tail[..name.len() + 3]),
            }
            rest = after;
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The names `$(NAME)` that the args refer to.
fn references(args: &[String]) -> Vec<String> {
    args.iter()
        .flat_map(|a| a.split("$(").skip(1).filter_map(|t| t.split_once(')').map(|(n, _)| n.to_string())))
        .collect()
}

#[test]
fn the_indexed_job_runs_n_shards_as_the_image_user_within_its_memory() {
    let job = job(SHARDS_JOB);
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let c = container(&job);
    let args = strings(&c["args"]);
    assert_eq!(&args[..2], ["batch", "/data/portfolio.toml"]);
    // One pod per shard, all at once, the index being the shard's.
    let shard = flag(&args, "--shard").expect("--shard");
    let n: u64 = shard.strip_prefix("$(JOB_COMPLETION_INDEX)/").and_then(|n| n.parse().ok()).expect(shard);
    assert_eq!(spec["completions"], n, "completions");
    assert_eq!(spec["parallelism"], n, "parallelism");
    if let Some(per_index) = spec.get("backoffLimitPerIndex") {
        assert!(per_index.as_u64().is_some(), "backoffLimitPerIndex: {per_index}");
    }
    // Every $(NAME) is one Kubernetes defines: the Job's index, or the container's env.
    let env = c["env"].as_array().expect("env");
    let defined: Vec<&str> = env.iter().filter_map(|e| e["name"].as_str()).collect();
    for name in references(&args) {
        assert!(
            name == "JOB_COMPLETION_INDEX" || defined.contains(&name.as_str()),
            "$({name}) is not defined"
        );
    }
    // The history: shared PostgreSQL, its URL from a Secret.
    let db = env.iter().find(|e| e["name"] == "PLUMBLINE_DB").expect("PLUMBLINE_DB");
    assert!(db["valueFrom"]["secretKeyRef"]["name"].is_string(), "PLUMBLINE_DB from a Secret: {db}");
    // Read from the environment, never passed as --db: the URL carries the password.
    assert_eq!(flag(&args, "--db"), None, "the history's URL must not be in the arguments");
    // The budget fits the container: the limit (and the request, so the scheduler reserves it).
    let budget = plumbline_size_bytes(flag(&args, "--max-memory").expect("--max-memory"));
    let memory = |kind: &str| c["resources"][kind]["memory"].as_str().map(k8s_quantity).expect(kind);
    assert!(memory("limits") >= budget, "limits.memory below --max-memory");
    assert!(memory("requests") >= budget && memory("requests") <= memory("limits"), "requests.memory");
    // The portfolio and the output folder are on the shared claim.
    assert!(flag(&args, "--out").expect("--out").starts_with(DATA));
    let data = claim(&job, DATA);

    // The merge: the same image and user, the shards' folder on the same claim.
    let merge = self::job(MERGE_JOB);
    let m = container(&merge);
    assert_eq!(m["image"], c["image"]);
    assert_eq!(strings(&m["args"]), ["batch", "merge", flag(&args, "--out").unwrap_or_default()]);
    assert_eq!(claim(&merge, DATA), data);
    assert_ne!(merge["metadata"]["name"], job["metadata"]["name"]);
}

// ---------------------------------------------------------------------------------------------
// The portfolio the command lines run on: two sites of different sizes. (The samples' Chinese
// twins carry the same GlobalIds, and one history refuses the same clashes in two projects.)

struct Portfolio {
    dir: tempfile::TempDir,
    /// (site, its model bytes).
    sites: Vec<(String, u64)>,
}

fn portfolio() -> Portfolio {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = repo();
    for (from, to) in [
        ("sample_models/bank-branch.ifc", "models/bank-branch.ifc"),
        ("sample_models/datacenter-hall.ifc", "models/datacenter-hall.ifc"),
        ("assets/rules/bank-branch.toml", "rules/bank-branch.toml"),
        ("assets/rules/datacenter.toml", "rules/datacenter.toml"),
    ] {
        let target = dir.path().join(to);
        std::fs::create_dir_all(target.parent().expect("a folder")).expect("folder");
        std::fs::copy(root.join(from), &target).unwrap_or_else(|e| panic!("{from}: {e}"));
    }
    let toml = r#"name = "Deployment check"

[defaults]
rules = "rules/bank-branch.toml"
region = "East"

[[site]]
name = "sh-0001"
models = ["models/bank-branch.ifc"]

[[site]]
name = "dc-0001"
models = ["models/datacenter-*.ifc"]
rules = "rules/datacenter.toml"
"#;
    std::fs::write(dir.path().join("portfolio.toml"), toml).expect("portfolio");
    let bytes = |f: &str| std::fs::metadata(dir.path().join("models").join(f)).expect("model").len();
    let sites = vec![
        ("sh-0001".to_string(), bytes("bank-branch.ifc")),
        ("dc-0001".to_string(), bytes("datacenter-hall.ifc")),
    ];
    Portfolio { dir, sites }
}

impl Portfolio {
    /// The sites of shard `index` of `count`, as the batch spec assigns them: largest first
    /// (ties by name), each to the least-loaded shard (ties: the lowest index).
    fn shard(&self, index: u64, count: u64) -> Vec<String> {
        let mut order = self.sites.clone();
        order.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut load = vec![0u64; usize::try_from(count).expect("count")];
        let mut mine = Vec::new();
        for (name, bytes) in order {
            let lightest = (0..load.len()).min_by_key(|&s| (load[s], s)).unwrap_or(0);
            load[lightest] += bytes.max(1);
            if lightest as u64 == index {
                mine.push(name);
            }
        }
        mine.sort();
        mine
    }

    /// The sites a dry run listed (as whole words of its output).
    fn listed(&self, out: &Output) -> Vec<String> {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let words: Vec<&str> = stdout.split_whitespace().collect();
        let mut listed: Vec<String> = self
            .sites
            .iter()
            .map(|(name, _)| name.clone())
            .filter(|name| words.contains(&name.as_str()))
            .collect();
        listed.sort();
        listed
    }
}

#[test]
fn every_indexed_job_shard_dry_runs_its_own_sites() {
    let job = job(SHARDS_JOB);
    let c = container(&job);
    let portfolio = portfolio();
    let data = portfolio.dir.path().to_str().expect("a UTF-8 temp path").to_string();
    // What the pod sees at /data is the temp folder here.
    let local = |s: &str| s.strip_prefix(DATA).map_or_else(|| s.to_string(), |rest| format!("{data}{rest}"));
    let history = portfolio.dir.path().join("history.db");

    // The container's environment as the kubelet would build it: literal values, the Secret
    // (a local SQLite file stands in for the PostgreSQL URL) and the pod's own resources.
    let mut env = BTreeMap::new();
    for e in c["env"].as_array().expect("env") {
        let name = e["name"].as_str().expect("name").to_string();
        let value = if let Some(v) = e["value"].as_str() {
            local(v)
        } else if e["valueFrom"].get("secretKeyRef").is_some() {
            history.to_str().expect("UTF-8").to_string()
        } else if let Some(field) = e["valueFrom"].get("fieldRef") {
            // The only pod field the Job reads: its own uid, the same in every pod of the Job.
            assert_eq!(
                field["fieldPath"], "metadata.labels['batch.kubernetes.io/controller-uid']",
                "env {name}: the Job's uid"
            );
            "5a1f0c9e-2b7d-4c1e-9f3a-0d6b8e2c4a71".to_string()
        } else if let Some(field) = e["valueFrom"].get("resourceFieldRef") {
            let (kind, resource) =
                field["resource"].as_str().expect("resource").split_once('.').expect("KIND.RESOURCE");
            let quantity =
                c["resources"][kind][resource].as_str().map(k8s_quantity).expect("the resource is set");
            let divisor = field["divisor"].as_str().map_or(1.0, k8s_quantity);
            format!("{}", (quantity / divisor).ceil())
        } else {
            panic!("env {name}: a source this test does not know: {e}")
        };
        env.insert(name, value);
    }

    let args = strings(&c["args"]);
    let shard = flag(&args, "--shard").expect("--shard");
    let n: u64 = shard.rsplit_once('/').and_then(|(_, n)| n.parse().ok()).expect("N");
    let entrypoint = image_entrypoint();
    for index in 0..n {
        let mut pod_env = env.clone();
        pod_env.insert("JOB_COMPLETION_INDEX".into(), index.to_string());
        let argv: Vec<String> = args.iter().map(|a| local(&k8s_expand(a, &pod_env))).collect();
        assert!(references(&argv).is_empty(), "unexpanded: {argv:?}");
        assert_eq!(flag(&argv, "--shard"), Some(format!("{index}/{n}").as_str()));
        // Every shard of one Job carries the Job's uid, so the merge refuses a stale shard.
        assert_eq!(flag(&argv, "--run-id"), Some("5a1f0c9e-2b7d-4c1e-9f3a-0d6b8e2c4a71"));
        // The image runs ENTRYPOINT + args; here the ENTRYPOINT is the binary under test.
        assert_eq!(entrypoint, ["plumbline"]);
        let out = plumbline()
            .args(&argv)
            .arg("--dry-run")
            .envs(&pod_env)
            .current_dir(&data)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "shard {index}: {argv:?}\n{}", text(&out));
        assert_eq!(portfolio.listed(&out), portfolio.shard(index, n), "shard {index}/{n}\n{}", text(&out));
    }
    // A dry run writes nothing: no reports, no history.
    assert!(!portfolio.dir.path().join("out").exists(), "the dry run wrote reports");
    assert!(!history.exists(), "the dry run opened the history");
}

/// `kubectl create --dry-run=client -o json -f FILE` would be the natural check, but kubectl
/// maps every kind through the API server's discovery even with `--validate=false` (v1.32:
/// "unable to recognize …: connection refused" without a cluster), so it cannot run here.
/// `kubectl label --local` decodes the same files without a server: kubectl must read each
/// manifest exactly as this test does (YAML's implicit types are where parsers part ways).
#[test]
fn kubectl_decodes_the_manifests_as_this_test_reads_them() {
    if Command::new("kubectl").arg("version").arg("--client").output().is_err() {
        eprintln!("notice: kubectl is not on PATH; the manifests were not decoded by kubectl");
        return;
    }
    let scratch = tempfile::tempdir().expect("temp dir");
    // An empty configuration: this test never reaches a cluster, whatever the machine has.
    let kubeconfig = scratch.path().join("kubeconfig");
    std::fs::write(&kubeconfig, "").expect("kubeconfig");
    for file in [SHARDS_JOB, MERGE_JOB] {
        let out = Command::new("kubectl")
            .args(["label", "--local", "-o", "json", "-f"])
            .arg(repo().join(file))
            .arg("plumbline-test=decoded")
            .env("KUBECONFIG", &kubeconfig)
            .output()
            .expect("kubectl runs");
        assert!(out.status.success(), "{file}: {}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut decoded: Vec<Value> =
            serde_json::Deserializer::from_str(&stdout).into_iter().collect::<Result<_, _>>().expect("JSON");
        for object in &mut decoded {
            let labels = object["metadata"]["labels"].as_object_mut().expect("labels");
            assert_eq!(labels.remove("plumbline-test"), Some(Value::from("decoded")));
            if labels.is_empty() {
                object["metadata"].as_object_mut().expect("metadata").remove("labels");
            }
        }
        assert_eq!(decoded, yaml_documents(file), "{file}: kubectl reads it differently");
    }
}

// ---------------------------------------------------------------------------------------------
// The Slurm scripts.

const ARRAY: &str = "deploy/slurm/portfolio.sbatch";
const MERGE: &str = "deploy/slurm/merge.sbatch";

/// The `#SBATCH --key=value` directives, read as sbatch does: up to the first command.
fn directives(relative: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for line in read(relative).lines() {
        let t = line.trim();
        if let Some(directive) = t.strip_prefix("#SBATCH") {
            let (key, value) = directive.trim().strip_prefix("--").and_then(|d| d.split_once('=')).expect(t);
            assert!(found.insert(key.to_string(), value.to_string()).is_none(), "{relative}: --{key} twice");
        } else if !(t.is_empty() || t.starts_with('#')) {
            break;
        }
    }
    found
}

/// The script's `plumbline` command, its continuation lines joined, split into words.
fn plumbline_line(relative: &str) -> Vec<String> {
    let joined = read(relative).replace("\\\n", " ");
    let lines: Vec<&str> = joined.lines().filter(|l| l.trim_start().starts_with("plumbline ")).collect();
    assert_eq!(lines.len(), 1, "{relative}: one plumbline command: {lines:?}");
    lines[0].split_whitespace().map(str::to_string).collect()
}

fn bash() -> Option<PathBuf> {
    let found = Command::new("bash").arg("--version").output().is_ok();
    if !found {
        eprintln!("notice: bash is not on PATH; the Slurm scripts were not run");
    }
    found.then(|| PathBuf::from("bash"))
}

/// N from `--array=0-(N-1)` (a `%limit` allowed): shard indices are 0-based.
fn array_size() -> u64 {
    let array = directives(ARRAY).remove("array").expect("--array");
    let range = array.split('%').next().unwrap_or_default();
    let (first, last) = range.split_once('-').expect("--array=0-(N-1)");
    assert_eq!(first, "0", "--array counts from 0, as --shard does");
    last.parse::<u64>().expect("N-1") + 1
}

#[test]
fn the_slurm_array_runs_one_shard_per_task_within_its_allocation() {
    let sbatch = directives(ARRAY);
    assert!(array_size() >= 2);
    for key in ["cpus-per-task", "mem", "time", "output"] {
        assert!(sbatch.contains_key(key), "{ARRAY}: no --{key}");
    }
    assert!(sbatch["output"].contains("%a"), "one log per task: {}", sbatch["output"]);
    let line = plumbline_line(ARRAY);
    assert_eq!(&line[..3], ["plumbline", "batch", "portfolio.toml"]);
    assert_eq!(flag(&line, "--shard"), Some("\"${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}\""));
    assert_eq!(flag(&line, "--jobs"), Some("\"${SLURM_CPUS_PER_TASK}\""));
    let budget = plumbline_size_bytes(flag(&line, "--max-memory").expect("--max-memory"));
    assert!(slurm_mem_bytes(&sbatch["mem"]) >= budget, "--mem below --max-memory");
    assert!(read(ARRAY).contains("set -euo pipefail"));

    let merge = plumbline_line(MERGE);
    assert_eq!(&merge[..3], ["plumbline", "batch", "merge"]);
    assert!(read(MERGE).contains("set -euo pipefail"));
    assert!(!directives(MERGE).contains_key("array"), "the merge runs once");

    if let Some(bash) = bash() {
        for script in [ARRAY, MERGE] {
            let out = Command::new(&bash).arg("-n").arg(repo().join(script)).output().expect("bash runs");
            assert!(out.status.success(), "bash -n {script}: {}", text(&out));
        }
    }
}

/// A `plumbline` on PATH that runs the binary under test, adding `$PLUMBLINE_TEST_EXTRA`: the
/// scripts run unchanged, bash itself substituting the SLURM_* variables.
#[cfg(unix)]
fn shim(dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let script =
        format!("#!/bin/sh\nexec '{}' \"$@\" $PLUMBLINE_TEST_EXTRA\n", env!("CARGO_BIN_EXE_plumbline"));
    let path = bin.join("plumbline");
    std::fs::write(&path, script).expect("shim");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let inherited = std::env::var("PATH").unwrap_or_default();
    format!("{}:{inherited}", bin.display())
}

/// Runs a script as a Slurm task would: in the submission folder, with the task's variables
/// and nothing else from the caller's environment.
#[cfg(unix)]
fn slurm_task(
    bash: &std::path::Path,
    script: &str,
    portfolio: &std::path::Path,
    env: &[(&str, String)],
    args: &[&str],
) -> Output {
    Command::new(bash)
        .arg(repo().join(script))
        .args(args)
        .current_dir(portfolio)
        .env_clear()
        .env("PATH", shim(portfolio))
        .env("LANG", "C.UTF-8")
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .env("PLUMBLINE_NO_CACHE", "1")
        .env("PLUMBLINE_DB", portfolio.join("history.db"))
        .env("SLURM_ARRAY_JOB_ID", "4242")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("bash runs")
}

#[cfg(unix)]
fn task_env(index: u64, n: u64, extra: &str) -> Vec<(&'static str, String)> {
    let cpus = directives(ARRAY).remove("cpus-per-task").expect("--cpus-per-task");
    vec![
        ("SLURM_ARRAY_TASK_ID", index.to_string()),
        ("SLURM_ARRAY_TASK_COUNT", n.to_string()),
        ("SLURM_CPUS_PER_TASK", cpus),
        ("SLURM_JOB_ID", (4243 + index).to_string()),
        ("PLUMBLINE_TEST_EXTRA", extra.to_string()),
    ]
}

#[cfg(unix)]
#[test]
fn every_slurm_array_task_dry_runs_its_own_sites() {
    let Some(bash) = bash() else { return };
    let portfolio = portfolio();
    let n = array_size();
    for index in 0..n {
        let out = slurm_task(&bash, ARRAY, portfolio.dir.path(), &task_env(index, n, "--dry-run"), &[]);
        assert_eq!(out.status.code(), Some(0), "task {index}: {}", text(&out));
        assert_eq!(portfolio.listed(&out), portfolio.shard(index, n), "task {index}/{n}\n{}", text(&out));
    }
    let written: Vec<_> =
        std::fs::read_dir(portfolio.dir.path()).expect("list").flatten().map(|e| e.file_name()).collect();
    assert!(!written.iter().any(|f| f.to_string_lossy().starts_with("plumbline-batch")), "{written:?}");
    assert!(!portfolio.dir.path().join("history.db").exists(), "the dry run opened the history");

    // Outside an array job the script stops with a sentence, before running anything.
    let out = slurm_task(&bash, ARRAY, portfolio.dir.path(), &[], &[]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sbatch"), "{}", text(&out));
}

/// The whole Slurm path for real: every task of the array, then the merge on the folder the
/// array's job id names (as the documented `sbatch --dependency` line passes it).
#[cfg(unix)]
#[test]
fn the_slurm_array_and_its_merge_write_the_portfolio() {
    let Some(bash) = bash() else { return };
    let portfolio = portfolio();
    let n = array_size();
    for index in 0..n {
        let out = slurm_task(&bash, ARRAY, portfolio.dir.path(), &task_env(index, n, ""), &[]);
        assert_eq!(out.status.code(), Some(0), "task {index}: {}", text(&out));
    }
    // The array's folder, named by its job id, is the one the documented merge line passes.
    let script = read(ARRAY);
    assert!(script.contains("out=\"plumbline-batch-${SLURM_ARRAY_JOB_ID}\""), "{ARRAY}: the output folder");
    assert!(script.contains("merge.sbatch \"plumbline-batch-$jobid\""), "{ARRAY}: the merge line");
    let folder = "plumbline-batch-4242";
    let out = slurm_task(&bash, MERGE, portfolio.dir.path(), &[], &[folder]);
    assert_eq!(out.status.code(), Some(0), "merge: {}", text(&out));
    let merged = portfolio.dir.path().join(folder).join("portfolio.json");
    let json: Value = serde_json::from_slice(&std::fs::read(&merged).expect("portfolio.json")).expect("JSON");
    let mut names: Vec<&str> =
        json["sites"].as_array().expect("sites").iter().filter_map(|s| s["name"].as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["dc-0001", "sh-0001"]);
    // Each task recorded the array's job id as the run id.
    for index in 0..n {
        let shard = portfolio.dir.path().join(folder).join(format!("shard-{index}.json"));
        let json: Value = serde_json::from_slice(&std::fs::read(&shard).expect("shard file")).expect("JSON");
        assert_eq!(json["run_id"], "4242", "shard {index}");
    }
}
