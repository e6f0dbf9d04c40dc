//! Agreement with the source tool: the CPM run on a schedule compared, activity by activity, with
//! the dates P6 or MS Project stored in the same file.
//!
//! Only activities not started at the data date are compared (the dates of started work are the
//! actuals, not a computation). A date agrees when it lies within half a working day of the
//! stored one on the activity's calendar; total float when the difference is at most half a day.

use crate::cpm::network::{Network, Status};
use crate::cpm::pass::Times;
use crate::cpm::{durations, run_passes};
use crate::{Schedule, ScheduleError};
use serde::Serialize;

/// Counts of agreeing activities (out of `compared`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Agreement {
    /// Not-started activities with stored figures.
    pub compared: usize,
    pub early_start: usize,
    pub late_start: usize,
    pub total_float: usize,
    pub critical: usize,
    /// Early start, late start and total float all agree (what P6 parity means; for MS Project,
    /// early start and critical flag).
    pub all: usize,
    /// The first disagreements, for diagnosis: `id: what ours vs stored`.
    pub examples: Vec<String>,
}

impl Agreement {
    /// Share of compared activities that agree in every figure, in percent (100 when none).
    pub fn percent(&self) -> f64 {
        if self.compared == 0 {
            100.0
        } else {
            self.all as f64 * 100.0 / self.compared as f64
        }
    }
}

/// Runs the CPM on `schedule` and compares it with the dates its file stored. `ms_project`:
/// compare start and critical flag (MS Project stores no late dates reliably); otherwise
/// early start, late start and total float (P6).
pub fn agreement(schedule: &Schedule, ms_project: bool) -> Result<Agreement, ScheduleError> {
    let net = Network::build(schedule)?;
    let dur = durations(&net);
    let mut t = Times::sized(&net);
    run_passes(schedule, &net, &dur, &mut t)?;
    let mut a = Agreement::default();
    for (i, task) in schedule.tasks.iter().enumerate() {
        let Some(stored) = task.plan.stored else { continue };
        if !net.in_net[i] || net.nodes[i].status != Status::NotStarted || task.plan.manual {
            continue;
        }
        let node = &net.nodes[i];
        let cal = &net.tables[node.cal];
        let half_day = (cal.day_minutes / 2.0).max(1.0);
        let near = |ours: i64, theirs: Option<chrono::NaiveDateTime>| -> bool {
            let Some(theirs) = theirs else { return false };
            let Ok(theirs) = net.clock.to_tm(theirs) else { return false };
            cal.between(ours, theirs).is_ok_and(|w| (w.abs() as f64) <= half_day)
        };
        a.compared += 1;
        let es_ok = near(t.es[i], stored.early_start);
        let ls_ok = near(t.ls[i], stored.late_start);
        let tf_ok = stored.total_float_min.is_some_and(|f| (f - t.tf[i] as f64).abs() <= half_day);
        let limit = net.critical_float_min.get(node.project).copied().unwrap_or(0.0);
        let crit_ok = stored.critical.is_some_and(|c| c == (t.tf[i] as f64 <= limit + 1e-9));
        a.early_start += usize::from(es_ok);
        a.late_start += usize::from(ls_ok);
        a.total_float += usize::from(tf_ok);
        a.critical += usize::from(crit_ok);
        let ok = if ms_project { es_ok && crit_ok } else { es_ok && ls_ok && tf_ok };
        a.all += usize::from(ok);
        if !ok && a.examples.len() < 12 {
            let show = |x: Option<chrono::NaiveDateTime>| x.map_or("-".to_string(), |x| x.to_string());
            a.examples.push(format!(
                "{}: ES {} vs {}, LS {} vs {}, TF {:.1}h vs {}h",
                task.id,
                net.clock.to_datetime(t.es[i]),
                show(stored.early_start),
                net.clock.to_datetime(t.ls[i]),
                show(stored.late_start),
                t.tf[i] as f64 / 60.0,
                stored.total_float_min.map_or("-".to_string(), |f| format!("{:.1}", f / 60.0)),
            ));
        }
    }
    Ok(a)
}
