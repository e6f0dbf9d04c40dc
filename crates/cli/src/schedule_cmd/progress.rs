//! `plumbline schedule --progress`: the progress report at a date, copied from
//! `plumbline_schedule::progress` into the report crate's types and written as HTML or XLSX.

use plumbline_report::{
    Lang, ProgressCurvePoint, ProgressLateRow, ProgressMilestoneRow, ProgressNote, ProgressReport,
    ProgressTaskRow, ProgressTaskState, ProgressWbsRow,
};
use plumbline_schedule::chrono::NaiveDate;
use plumbline_schedule::progress::{self, Progress, ProgressState};
use plumbline_schedule::Schedule;
use std::path::Path;

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn state(s: ProgressState) -> ProgressTaskState {
    match s {
        ProgressState::NotStarted => ProgressTaskState::NotStarted,
        ProgressState::InProgress => ProgressTaskState::InProgress,
        ProgressState::Complete => ProgressTaskState::Complete,
    }
}

/// The report crate's view of a computed progress.
pub fn report_of(schedule: &Schedule, p: &Progress) -> ProgressReport {
    let first = p.s_curve.first().map(|c| c.date);
    ProgressReport {
        schedule: schedule.name.clone().unwrap_or_else(|| schedule.path.clone()),
        at: iso(p.at),
        data_date: p.data_date.map(iso),
        planned_pct: p.planned_pct,
        actual_pct: p.actual_pct,
        tasks: p
            .tasks
            .iter()
            .map(|t| ProgressTaskRow {
                id: t.id.clone(),
                name: t.name.clone(),
                wbs: t.wbs.clone(),
                planned_start: iso(t.planned_start),
                planned_finish: iso(t.planned_finish),
                actual_start: t.actual_start.map(iso),
                actual_finish: t.actual_finish.map(iso),
                expected_finish: iso(t.expected_finish),
                planned_pct: t.planned_pct,
                actual_pct: t.actual_pct,
                state: state(t.state),
                finish_variance_days: t.finish_variance_days,
            })
            .collect(),
        wbs: p
            .wbs
            .iter()
            .map(|w| ProgressWbsRow {
                path: w.path.clone(),
                level: w.level,
                tasks: w.tasks,
                planned_pct: w.planned_pct,
                actual_pct: w.actual_pct,
            })
            .collect(),
        milestones: p
            .milestones
            .iter()
            .map(|m| ProgressMilestoneRow {
                id: m.id.clone(),
                name: m.name.clone(),
                planned: iso(m.planned),
                expected: iso(m.expected),
                achieved: m.achieved,
                variance_days: m.variance_days,
            })
            .collect(),
        late: p
            .late
            .iter()
            .map(|l| ProgressLateRow {
                id: l.id.clone(),
                name: l.name.clone(),
                planned_finish: iso(l.planned_finish),
                expected_finish: iso(l.expected_finish),
                state: state(l.state),
                delay_days: l.delay_days,
            })
            .collect(),
        s_curve: p
            .s_curve
            .iter()
            .map(|c| ProgressCurvePoint {
                date: iso(c.date),
                day: first.map_or(0, |f| (c.date - f).num_days()),
                planned_pct: c.planned_pct,
                actual_pct: c.actual_pct,
            })
            .collect(),
        notes: p
            .notes
            .iter()
            .map(|n| match n {
                progress::ProgressNote::Undated { tasks } => ProgressNote::Undated(*tasks),
                progress::ProgressNote::AfterDataDate { data_date } => {
                    ProgressNote::AfterDataDate { data_date: iso(*data_date) }
                }
            })
            .collect(),
    }
}

/// Writes the HTML and XLSX files asked for.
pub fn write_files(
    schedule: &Schedule,
    p: &Progress,
    html: Option<&Path>,
    xlsx: Option<&Path>,
    lang: Lang,
) -> anyhow::Result<()> {
    let report = report_of(schedule, p);
    if let Some(path) = html {
        plumbline_pipeline::write_atomically(
            path,
            plumbline_report::progress_html(&report, lang).as_bytes(),
        )?;
    }
    if let Some(path) = xlsx {
        let bytes = plumbline_report::progress_xlsx(&report, lang)?;
        plumbline_pipeline::write_atomically(path, &bytes)?;
    }
    Ok(())
}

/// The text summary of the progress report.
pub fn print(p: &Progress) {
    println!(
        "progress at {}{}: planned {:.1} %, actual {:.1} % ({:+.1} points); {} tasks, {} late",
        iso(p.at),
        p.data_date.map(|d| format!(" (data date {})", iso(d))).unwrap_or_default(),
        p.planned_pct,
        p.actual_pct,
        p.actual_pct - p.planned_pct,
        p.tasks.len(),
        p.late.len()
    );
    for n in &p.notes {
        println!("  note: {n}");
    }
    for m in &p.milestones {
        println!(
            "  milestone {:<14} planned {} {} {} ({:+} days)  {}",
            m.id,
            iso(m.planned),
            if m.achieved { "actual" } else { "forecast" },
            iso(m.expected),
            m.variance_days,
            m.name
        );
    }
    for l in p.late.iter().take(20) {
        println!(
            "  late {:<14} {:>4} days: planned finish {}, expected {}  {}",
            l.id,
            l.delay_days,
            iso(l.planned_finish),
            iso(l.expected_finish),
            l.name
        );
    }
    if p.late.len() > 20 {
        println!("  ... {} more late tasks (see --json, --html or --xlsx)", p.late.len() - 20);
    }
}
