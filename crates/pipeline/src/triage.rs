//! Clashes triaged by the 4D schedule: which clash must be fixed first. Each clash gets the
//! start of the first work that builds either of its elements (`needed_by`, the earliest CPM
//! early start at the schedule's data date among the construct and temporary-works tasks
//! linked to them), the days left until then, and that task with its total float. Demolition
//! tasks do not count: they do not need the clash fixed, they remove an element.

use crate::four_d::FourD;
use chrono::NaiveDate;
use plumbline_review::{NeededByTask, Report, Triage};
use plumbline_schedule::TaskType;
use std::collections::HashMap;

/// What the triage was computed against.
#[derive(Debug, Clone, PartialEq)]
pub struct TriageSummary {
    /// The day `days_to_needed` counts from: `--today`, else the schedule's data date, else
    /// the report date.
    pub reference: NaiveDate,
    /// Clashes that got a `needed_by`.
    pub triaged: usize,
    /// Clashes whose elements no building task is linked to.
    pub unscheduled: usize,
}

/// Sets each clash's [`Triage`] from `four_d`. `today` overrides the schedule's data date as
/// the day counted from; `fallback` is used when neither is known. A schedule the critical path
/// cannot be computed for (a dependency cycle) is an error naming its tasks.
pub fn triage(
    report: &mut Report,
    four_d: &FourD,
    today: Option<NaiveDate>,
    fallback: NaiveDate,
) -> Result<TriageSummary, plumbline_schedule::ScheduleError> {
    let schedule = &four_d.schedule;
    let cpm = plumbline_schedule::critical_path(schedule)?;
    let reference = today.or(cpm.data_date.map(|d| d.date())).unwrap_or(fallback);
    let index = schedule.task_indices();
    // Per task: when it starts (CPM early start, else its planned or actual start).
    let start_of = |i: usize| -> Option<NaiveDate> {
        let t = &schedule.tasks[i];
        cpm.of(i).and_then(|c| c.early_start).or(t.actual_start).or(t.start)
    };
    let mut builders: HashMap<&str, Vec<usize>> = HashMap::new();
    for link in &four_d.links {
        let Some(&i) = index.get(link.task_id.as_str()) else { continue };
        let t = &schedule.tasks[i];
        if t.summary || !matches!(t.task_type, TaskType::Construct | TaskType::Temporary) {
            continue;
        }
        builders.entry(link.global_id.as_str()).or_default().push(i);
    }
    let mut summary = TriageSummary { reference, triaged: 0, unscheduled: 0 };
    for test in &mut report.tests {
        for c in &mut test.clashes {
            let first = [c.a.global_id.as_str(), c.b.global_id.as_str()]
                .iter()
                .flat_map(|g| builders.get(g).into_iter().flatten().copied())
                .filter_map(|i| Some((start_of(i)?, schedule.tasks[i].id.as_str(), i)))
                .min();
            c.triage = first.map(|(day, _, i)| {
                let task = &schedule.tasks[i];
                Triage {
                    needed_by: day.format("%Y-%m-%d").to_string(),
                    days_to_needed: (day - reference).num_days(),
                    needed_by_task: NeededByTask {
                        id: task.id.clone(),
                        name: task.name.clone(),
                        total_float_days: cpm.of(i).map(|t| (t.total_float_days * 100.0).round() / 100.0),
                    },
                }
            });
            if c.triage.is_some() {
                summary.triaged += 1;
            } else {
                summary.unscheduled += 1;
            }
        }
    }
    Ok(summary)
}
