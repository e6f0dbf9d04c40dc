//! Writing a run's reports: JSON, CSV, XLSX, HTML (with a snapshot per clash) and BCF (with a
//! snapshot per group), each through a temporary file and a rename, so an interrupted run
//! never leaves half a report where the previous one was.

use crate::error::PipelineError;
use crate::observe::Observer;
use crate::plan::Outputs;
use plumbline_bcf::UtcDateTime;
use plumbline_model::ModelSet;
use plumbline_review::{ClashRecord, Group, Report};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// PNG pictures by clash or group id.
type Pictures = BTreeMap<String, Vec<u8>>;

/// Snapshot sizes: BCF 3.0 allows at most 1500 px on the long side; HTML pictures stay small so
/// that a report with hundreds of clashes opens quickly.
const BCF_SNAPSHOT_PX: (u32, u32) = (800, 600);
const HTML_SNAPSHOT_PX: (u32, u32) = (480, 360);

/// Writes every report `outputs` asks for, from `report` and the loaded `set` (for snapshots).
pub fn write_reports(
    outputs: &Outputs,
    set: &ModelSet,
    report: &Report,
    observer: &mut dyn Observer,
) -> Result<(), PipelineError> {
    if let Some(path) = &outputs.json {
        write_atomically(path, (report.to_json() + "\n").as_bytes())?;
    }
    if let Some(path) = &outputs.csv {
        write_atomically(path, plumbline_report::csv(report).as_bytes())?;
    }
    if let Some(path) = &outputs.xlsx {
        let bytes = plumbline_report::xlsx(report).map_err(|e| PipelineError::Write {
            path: path.clone(),
            message: format!("writing XLSX: {e}"),
        })?;
        write_atomically(path, &bytes)?;
    }
    if let Some(path) = &outputs.html {
        let snapshots = clash_snapshots(set, report, outputs.max_snapshots, observer);
        write_atomically(path, plumbline_report::html(report, &snapshots).as_bytes())?;
    }
    if let Some(path) = &outputs.bcf {
        let author = outputs
            .author
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "plumbline".to_string());
        let pictures = group_snapshots(set, report, observer);
        let options = plumbline_bcf::ExportOptions {
            version: outputs.bcf_version,
            author: &author,
            date_utc: report_time()?,
            snapshots: &|g| pictures.get(&g.id).cloned(),
        };
        let bytes = plumbline_bcf::write(report, &options)
            .map_err(|e| PipelineError::Write { path: path.clone(), message: format!("writing BCF: {e}") })?;
        write_atomically(path, &bytes)?;
    }
    Ok(())
}

/// The time written into reports: `SOURCE_DATE_EPOCH` when set (reproducible builds and
/// tests), else now.
pub fn report_time() -> Result<UtcDateTime, PipelineError> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            PipelineError::Argument(format!("SOURCE_DATE_EPOCH '{v}' is not a number of seconds"))
        })?,
        Err(_) => chrono::Utc::now().timestamp(),
    };
    UtcDateTime::from_unix_seconds(secs)
        .ok_or_else(|| PipelineError::Argument(format!("time {secs} is out of range")))
}

/// Writes a file through a temporary name beside it; an error names the file asked for.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PipelineError> {
    let failed =
        |e: std::io::Error| PipelineError::Write { path: path.to_path_buf(), message: e.to_string() };
    let tmp = path.with_extension("tmp-plumbline");
    std::fs::write(&tmp, bytes).map_err(failed)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        // The temporary file is ours: leave nothing behind.
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
}

/// The snapshot of each clash (up to `max` of them, in report order), rendered in parallel.
fn clash_snapshots(
    set: &ModelSet,
    report: &Report,
    max: usize,
    observer: &mut dyn Observer,
) -> plumbline_report::Snapshots {
    let clashes: Vec<&ClashRecord> = report.clashes().take(max).collect();
    let (w, h) = HTML_SNAPSHOT_PX;
    let (snapshots, failures) = {
        let tick = observer.stage("snapshots", clashes.len());
        let results: Vec<(&ClashRecord, Result<Vec<u8>, String>)> = clashes
            .par_iter()
            .map(|c| {
                let png = plumbline_snapshot::render_clash_png(set, c, w, h).map_err(|e| e.to_string());
                tick.inc();
                (*c, png)
            })
            .collect();
        split(results.into_iter().map(|(c, png)| (c.id.clone(), png)))
    };
    for (id, e) in failures {
        observer.warning(&format!("no snapshot for clash {id}: {e}"));
    }
    snapshots
}

/// The snapshot of each group, from the camera its BCF viewpoint uses.
fn group_snapshots(
    set: &ModelSet,
    report: &Report,
    observer: &mut dyn Observer,
) -> BTreeMap<String, Vec<u8>> {
    let groups: Vec<(&Group, plumbline_snapshot::Highlight)> = report
        .tests
        .iter()
        .flat_map(|t| {
            t.groups.iter().map(move |g| {
                let mut hl =
                    plumbline_snapshot::Highlight { a: Vec::new(), b: Vec::new(), focus: Some(g.aabb) };
                for c in t.clashes.iter().filter(|c| c.group == g.id) {
                    hl.a.push(c.a.global_id.clone());
                    hl.b.push(c.b.global_id.clone());
                }
                (g, hl)
            })
        })
        .collect();
    let (w, h) = BCF_SNAPSHOT_PX;
    let (snapshots, failures) = {
        let tick = observer.stage("BCF snapshots", groups.len());
        let results: Vec<(String, Result<Vec<u8>, String>)> = groups
            .par_iter()
            .map(|(g, hl)| {
                let camera = plumbline_review::frame_box(&g.aabb);
                let png = plumbline_snapshot::render(set, &camera, hl, w, h)
                    .and_then(|img| img.to_png())
                    .map_err(|e| e.to_string());
                tick.inc();
                (g.id.clone(), png)
            })
            .collect();
        split(results.into_iter())
    };
    for (id, e) in failures {
        observer.warning(&format!("no snapshot for group {id}: {e}"));
    }
    snapshots
}

/// Pictures by id, and the ids that have none with the reason.
fn split(
    results: impl Iterator<Item = (String, Result<Vec<u8>, String>)>,
) -> (Pictures, Vec<(String, String)>) {
    let mut pictures = BTreeMap::new();
    let mut failures = Vec::new();
    for (id, png) in results {
        match png {
            Ok(png) => {
                pictures.insert(id, png);
            }
            Err(e) => failures.push((id, e)),
        }
    }
    (pictures, failures)
}
