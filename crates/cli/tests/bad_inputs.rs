//! The bad-input corpus (`tests/bad_inputs/`, expectations in its `expected.tsv`) plus a few
//! inputs too big to commit, generated here: each must give its message and exit code, never a
//! panic, within bounded time and memory (every run is made under a 6 GiB address-space limit
//! and killed after 120 s).

use plumbline_testkit::{sample_model, workspace_path};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address space allowed to each run, in KiB (`ulimit -v`).
const MEMORY_LIMIT_KIB: u64 = 6 << 20;
/// A run that takes longer has hung.
const HANG_LIMIT: Duration = Duration::from_secs(120);

struct Outcome {
    code: Option<i32>,
    /// stdout and stderr: `info` reports skipped elements in its report, other problems on stderr.
    output: String,
}

/// Runs `plumbline ARGS` under the memory limit, killing it at the hang limit.
fn run_bounded(args: &[String]) -> Outcome {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_plumbline"))
        .args(args)
        // Broken files are for the loader: none comes back from a model cache.
        .env("PLUMBLINE_NO_CACHE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plumbline");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err_reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > HANG_LIMIT {
            let _ = child.kill();
            panic!("plumbline {args:?} still running after {HANG_LIMIT:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");
    Outcome { code: status.code(), output: format!("{stderr}\n{stdout}") }
}

fn check(case: &str, args: &[String], exit: i32, message: &str) -> Result<(), String> {
    let out = run_bounded(args);
    let mut problems = Vec::new();
    if out.output.contains("panicked at") {
        problems.push("it panicked".to_string());
    }
    if out.code != Some(exit) {
        problems.push(format!("exit code {:?}, expected {exit}", out.code));
    }
    if !out.output.contains(message) {
        problems.push(format!("the output lacks {message:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{case} (plumbline {}): {}\n--- output ---\n{}",
            args.join(" "),
            problems.join("; "),
            out.output
        ))
    }
}

#[test]
fn every_committed_bad_input_gets_its_message_and_exit_code() {
    let dir = workspace_path("tests/bad_inputs");
    let table = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    let scratch = tempfile::tempdir().expect("temp dir");
    let sample = sample_model("bank-branch.ifc");
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in table.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "expected.tsv line {}: four tab-separated columns", n + 1);
        let (file, command, exit, message) = (cols[0], cols[1], cols[2], cols[3]);
        let input = dir.join(file);
        assert!(input.is_file(), "expected.tsv line {}: {} is missing", n + 1, input.display());
        let db = scratch.path().join(format!("case{n}.db"));
        let args: Vec<String> = command
            .split(' ')
            .map(|a| match a {
                "{file}" => input.display().to_string(),
                "{sample}" => sample.display().to_string(),
                "{db}" => db.display().to_string(),
                other => other.to_string(),
            })
            .collect();
        let exit: i32 = exit.parse().expect("exit code");
        cases += 1;
        if let Err(e) = check(file, &args, exit, message) {
            failures.push(e);
        }
    }
    assert!(cases >= 30, "the table lists {cases} cases");
    assert!(
        failures.is_empty(),
        "{} of {cases} bad inputs misbehaved:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Writes `name` inside a zip at `path`: `size` zero bytes, deflated (about 1000 to 1).
fn zip_of_zeros(path: &Path, name: &str, size: usize, extra: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).expect("create zip");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (entry, bytes) in extra {
        zip.start_file(*entry, options).expect("entry");
        zip.write_all(bytes).expect("write entry");
    }
    zip.start_file(name, options).expect("entry");
    let block = vec![0u8; 1 << 20];
    for _ in 0..size / block.len() {
        zip.write_all(&block).expect("write zeros");
    }
    zip.finish().expect("finish zip");
}

#[test]
fn zip_bombs_are_refused_early() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ifczip = dir.path().join("bomb.ifczip");
    zip_of_zeros(&ifczip, "model.ifc", 512 << 20, &[]);
    let bcf = dir.path().join("bomb.bcf");
    let version: &[u8] = b"<?xml version=\"1.0\"?><Version VersionId=\"2.1\"/>";
    zip_of_zeros(
        &bcf,
        "0a1b2c3d-0000-0000-0000-000000000001/markup.bcf",
        512 << 20,
        &[("bcf.version", version)],
    );
    let db = dir.path().join("h.db");
    let results = [
        check(
            "bomb.ifczip",
            &["info".into(), ifczip.display().to_string()],
            2,
            "a ratio over 200:1 that no IFC file reaches (a zip bomb?)",
        ),
        check(
            "bomb.bcf",
            &[
                "bcf".into(),
                "import".into(),
                bcf.display().to_string(),
                "--db".into(),
                db.display().to_string(),
            ],
            2,
            "markup.bcf' expands beyond the limit of 33554432 bytes (a zip bomb?)",
        ),
    ];
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_two_gib_line_is_refused_without_running_out_of_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge-record.ifc");
    let control =
        std::fs::read_to_string(workspace_path("tests/bad_inputs/valid-control.ifc")).expect("control file");
    let (head, tail) =
        control.split_once("#100=IFCWALL('0aaaaaaaaaaaaaaaaaaaaa',#1,'Good wall'").expect("wall");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    file.write_all(head.as_bytes()).expect("write");
    file.write_all(b"#100=IFCWALL('0aaaaaaaaaaaaaaaaaaaaa',#1,'").expect("write");
    let block = vec![b'A'; 1 << 20];
    for _ in 0..2048 {
        file.write_all(&block).expect("write");
    }
    file.write_all(b"'").expect("write");
    file.write_all(tail.as_bytes()).expect("write");
    file.flush().expect("flush");
    drop(file);
    if let Err(e) = check(
        "huge-record.ifc",
        &["info".into(), path.display().to_string()],
        2,
        "line 29: a record runs for more than 268435456 bytes without ';'",
    ) {
        panic!("{e}");
    }
}
