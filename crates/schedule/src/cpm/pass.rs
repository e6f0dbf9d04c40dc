//! The forward and backward passes over a compiled [`Network`], in minutes on each activity's
//! calendar. They allocate nothing: the caller owns the [`Times`] buffers, so a Monte Carlo run
//! reuses them for every iteration.
//!
//! Conventions (those of P6 and MS Project):
//! - A start is the next working minute; a finish is the end of the last working minute (work
//!   ending at 17:00 finishes at 17:00, and a finish-to-start successor starts at 08:00 next day).
//! - Lags count working time on the relationship's lag calendar.
//! - Remaining work starts no earlier than the data date; completed activities keep their actual
//!   dates; an in-progress activity's remaining work follows its predecessors under retained
//!   logic and ignores them under progress override.
//! - Open ends finish on their project's must-finish-by date, else on its latest early finish.

use super::network::{Network, Status};
use crate::calendar::{CalTable, OutOfRange, Tm};
use crate::plan::{ActivityKind, FloatKind, ProgressMode};
use crate::DependencyType;

/// Early and late moments of every activity (indices as in the schedule).
#[derive(Debug, Clone, Default)]
pub(crate) struct Times {
    pub es: Vec<Tm>,
    /// Start of the remaining work (the early start unless in progress).
    pub rs: Vec<Tm>,
    pub ef: Vec<Tm>,
    /// Late start of the remaining work.
    pub ls: Vec<Tm>,
    pub lf: Vec<Tm>,
    /// Total float in working minutes of the activity's calendar.
    pub tf: Vec<i64>,
    /// Latest early finish of each project.
    pub project_finish: Vec<Tm>,
    /// Work before `rs` and `ef` on the activity's calendar (what the floats subtract), kept
    /// from the forward pass so that the backward pass need not look them up again.
    pub w_rs: Vec<i64>,
    pub w_ef: Vec<i64>,
    /// Work before `ls` and `lf`, kept by the backward pass for the predecessors.
    pub w_ls: Vec<i64>,
    pub w_lf: Vec<i64>,
}

impl Times {
    pub fn sized(net: &Network) -> Times {
        let n = net.nodes.len();
        Times {
            es: vec![0; n],
            rs: vec![0; n],
            ef: vec![0; n],
            ls: vec![0; n],
            lf: vec![0; n],
            tf: vec![0; n],
            project_finish: vec![0; net.data_date.len()],
            w_rs: vec![0; n],
            w_ef: vec![0; n],
            w_ls: vec![0; n],
            w_lf: vec![0; n],
        }
    }
}

/// Which activity ran out of the calendar range.
pub(crate) type PassError = usize;

fn max_opt(a: Option<Tm>, b: Tm) -> Option<Tm> {
    Some(a.map_or(b, |a| a.max(b)))
}

/// Raises `lo` to `t`; a raise forgets the known work position.
fn raise(lo: &mut Option<Tm>, lo_w: &mut Option<i64>, t: Tm) {
    if lo.is_none_or(|l| t > l) {
        *lo = Some(t);
        *lo_w = None;
    }
}

/// Lowers `hi` to `t`; a lowering forgets the known work position.
fn lower(hi: &mut Option<Tm>, hi_w: &mut Option<i64>, t: Tm) {
    if hi.is_none_or(|h| t < h) {
        *hi = Some(t);
        *hi_w = None;
    }
}

fn min_opt(a: Option<Tm>, b: Tm) -> Option<Tm> {
    Some(a.map_or(b, |a| a.min(b)))
}

/// A finish milestone stands at a finish: on `t` when `t` ends or lies inside work, else at the
/// next working minute.
fn finish_point(cal: &CalTable, t: Tm) -> Result<Tm, OutOfRange> {
    if cal.prev_finish(t)? == t {
        Ok(t)
    } else {
        cal.next_start(t)
    }
}

/// Runs the forward pass with durations `dur` (remaining working minutes per activity).
pub(crate) fn forward(net: &Network, dur: &[i64], out: &mut Times) -> Result<(), PassError> {
    for f in out.project_finish.iter_mut() {
        *f = 0;
    }
    for &j in &net.order {
        let j = j as usize;
        forward_one(net, dur, out, j).map_err(|_| j)?;
        let p = net.nodes[j].project.min(out.project_finish.len().saturating_sub(1));
        out.project_finish[p] = out.project_finish[p].max(out.ef[j]);
    }
    Ok(())
}

fn forward_one(net: &Network, dur: &[i64], out: &mut Times, j: usize) -> Result<(), OutOfRange> {
    let node = &net.nodes[j];
    let cal = &net.tables[node.cal];
    if node.status == Status::Complete {
        let af = node.actual_finish.unwrap_or(0);
        let s = node.actual_start.unwrap_or(af);
        out.es[j] = s;
        out.rs[j] = s;
        out.ef[j] = af;
        return Ok(());
    }
    let d = dur[j];
    let mut lo = node.not_before;
    // The work before `lo` on this activity's calendar, where a predecessor on the same
    // calendar set it (its finish's work position is known): saves the lookup.
    let mut lo_w: Option<i64> = None;
    let mut lo_f: Option<Tm> = None;
    let follow_logic = !(node.status == Status::InProgress && net.progress == ProgressMode::ProgressOverride);
    if follow_logic {
        for e in net.preds(j) {
            let i = e.other as usize;
            if net.brief[i].0 == Status::Complete && node.not_before.is_some() {
                // Finished work no longer drives: what remains starts at the data date.
                continue;
            }
            let lag_cal = &net.tables[e.lag_cal as usize];
            let shift = |x: Tm| if e.lag == 0 { Ok(x) } else { lag_cal.add(x, e.lag) };
            let started_pred = net.brief[i].0 == Status::InProgress;
            let pred_start = if started_pred && net.ss_lag_from_early_start { out.rs[i] } else { out.es[i] };
            match e.kind {
                DependencyType::FS
                    if e.lag == 0
                        && net.brief[i].1 as usize == node.cal
                        && net.brief[i].0 != Status::Complete =>
                {
                    let t = out.ef[i];
                    if lo.is_none_or(|l| t > l) || (lo == Some(t) && lo_w.is_none()) {
                        lo = Some(t);
                        lo_w = Some(out.w_ef[i]);
                    }
                }
                DependencyType::FS => raise(&mut lo, &mut lo_w, shift(out.ef[i])?),
                DependencyType::SS => raise(&mut lo, &mut lo_w, shift(pred_start)?),
                DependencyType::FF => lo_f = max_opt(lo_f, shift(out.ef[i])?),
                DependencyType::SF => lo_f = max_opt(lo_f, shift(pred_start)?),
            }
        }
    }
    if let Some(s) = node.start_min {
        raise(&mut lo, &mut lo_w, s);
    }
    if let Some(f) = node.finish_min {
        lo_f = max_opt(lo_f, f);
    }
    let lo = lo.unwrap_or(0);
    let (start, finish) = if let Some(ms) = node.mandatory_start {
        let s = cal.next_start(ms)?;
        let f = if d > 0 { cal.add(s, d)? } else { s };
        out.w_rs[j] = cal.work_before(s)?;
        out.w_ef[j] = cal.work_before(f)?;
        (s, f)
    } else if let Some(mf) = node.mandatory_finish {
        let s = cal.sub(mf, d)?;
        out.w_rs[j] = cal.work_before(s)?;
        out.w_ef[j] = cal.work_before(mf)?;
        (s, mf)
    } else if node.kind == ActivityKind::FinishMilestone && d == 0 {
        let t = finish_point(cal, lo_f.map_or(lo, |f| f.max(lo)))?;
        out.w_rs[j] = cal.work_before(t)?;
        out.w_ef[j] = out.w_rs[j];
        (t, t)
    } else {
        // The same as `next_start` then `add`, with the work position carried along: a start
        // at work position `w` finishes at `w + d`.
        let (mut s, mut w) = match lo_w {
            Some(w) => (cal.at_work(w, false)?, w),
            None => cal.next_start_at(lo)?,
        };
        if let Some(f) = lo_f {
            let (s2, w2) = cal.next_start_at(cal.sub(f, d)?)?;
            if s2 > s {
                (s, w) = (s2, w2);
            }
        }
        out.w_rs[j] = w;
        out.w_ef[j] = w + d.max(0);
        (s, if d > 0 { cal.at_work(w + d, true)? } else { s })
    };
    out.rs[j] = start;
    out.es[j] = if node.status == Status::InProgress { node.actual_start.unwrap_or(start) } else { start };
    out.ef[j] = finish;
    Ok(())
}

/// Runs the backward pass and the total floats; [`forward`] must have run on `out`.
pub(crate) fn backward(net: &Network, dur: &[i64], out: &mut Times) -> Result<(), PassError> {
    for &i in net.order.iter().rev() {
        let i = i as usize;
        backward_one(net, dur, out, i).map_err(|_| i)?;
    }
    Ok(())
}

fn backward_one(net: &Network, dur: &[i64], out: &mut Times, i: usize) -> Result<(), OutOfRange> {
    let node = &net.nodes[i];
    let cal = &net.tables[node.cal];
    if node.status == Status::Complete {
        out.ls[i] = out.es[i];
        out.lf[i] = out.ef[i];
        out.tf[i] = 0;
        return Ok(());
    }
    let d = dur[i];
    let mut hi: Option<Tm> = None;
    // The work before `hi` on this activity's calendar where a successor on the same calendar
    // set it.
    let mut hi_w: Option<i64> = None;
    let mut hi_s: Option<Tm> = None;
    for e in net.succs(i) {
        let j = e.other as usize;
        if net.brief[j].0 == Status::Complete {
            continue;
        }
        if net.brief[j].0 == Status::InProgress && net.progress == ProgressMode::ProgressOverride {
            // A started successor no longer waits for this one.
            continue;
        }
        let lag_cal = &net.tables[e.lag_cal as usize];
        let back = |x: Tm| if e.lag == 0 { Ok(x) } else { lag_cal.add(x, -e.lag) };
        let same_cal = e.lag == 0 && net.brief[j].1 as usize == node.cal;
        match e.kind {
            DependencyType::FS | DependencyType::FF if same_cal => {
                let (t, w) = if e.kind == DependencyType::FS {
                    (out.ls[j], out.w_ls[j])
                } else {
                    (out.lf[j], out.w_lf[j])
                };
                if hi.is_none_or(|h| t < h) || (hi == Some(t) && hi_w.is_none()) {
                    hi = Some(t);
                    hi_w = Some(w);
                }
            }
            DependencyType::FS => lower(&mut hi, &mut hi_w, back(out.ls[j])?),
            DependencyType::FF => lower(&mut hi, &mut hi_w, back(out.lf[j])?),
            DependencyType::SS => hi_s = min_opt(hi_s, back(out.ls[j])?),
            DependencyType::SF => hi_s = min_opt(hi_s, back(out.lf[j])?),
        }
    }
    let p = node.project.min(out.project_finish.len().saturating_sub(1));
    let must_finish = net.must_finish.get(p).copied().flatten();
    // An activity whose successors all tie to its start (SS, SF) has an open finish: it may
    // finish no later than the project does.
    if hi.is_none() {
        hi = Some(must_finish.unwrap_or(out.project_finish[p]));
    }
    // No activity of a project may finish after its must-finish-by date, even where a
    // successor in another project could wait longer (P6 stores such an activity's late finish
    // on its own project's date).
    if let Some(mf) = must_finish {
        lower(&mut hi, &mut hi_w, mf);
    }
    if let Some(f) = node.finish_max {
        lower(&mut hi, &mut hi_w, f);
    }
    if let Some(s) = node.start_max {
        hi_s = min_opt(hi_s, s);
    }
    // Work before the late start and finish where the usual path knows them (`None`: look
    // them up); moving to the next start keeps a work position.
    let mut known_w: Option<(i64, i64)> = None;
    let (late_start, late_finish) = if let Some(ms) = node.mandatory_start {
        (out.rs[i], out.ef[i].max(ms))
    } else if node.mandatory_finish.is_some() {
        (out.rs[i], out.ef[i])
    } else {
        let (mut lf, w_lf) = match (hi, hi_w) {
            (Some(h), Some(0)) => (h, 0),
            (Some(_), Some(w)) => (cal.at_work(w, true)?, w),
            (Some(h), None) => cal.prev_finish_at(h)?,
            (None, _) => (Tm::MAX, 0),
        };
        let mut ls = if lf == Tm::MAX {
            Tm::MAX
        } else if d == 0 {
            lf
        } else {
            cal.at_work(w_lf - d, false)?
        };
        if lf != Tm::MAX {
            known_w = Some((w_lf - d.max(0), w_lf));
        }
        if let Some(hs) = hi_s {
            let latest = if cal.next_start(hs)? == hs { hs } else { cal.prev_finish(hs)? };
            if latest < ls {
                ls = latest;
                lf = if d > 0 { cal.add(ls, d)? } else { ls };
                known_w = None;
            }
        }
        // A late start found as `at_work(.., false)` is a start already.
        let is_start = known_w.is_some() && d > 0;
        if !is_start && (d > 0 || node.kind != ActivityKind::FinishMilestone) {
            ls = cal.next_start(ls)?;
        }
        if d == 0 && node.kind != ActivityKind::FinishMilestone {
            lf = ls;
        }
        (ls, lf)
    };
    out.ls[i] = late_start;
    out.lf[i] = late_finish;
    let (w_ls, w_lf) = match known_w {
        Some(w) => w,
        None => (cal.work_before(late_start)?, cal.work_before(late_finish)?),
    };
    out.w_ls[i] = w_ls;
    out.w_lf[i] = w_lf;
    out.tf[i] = float_of(net.float, w_ls - out.w_rs[i], w_lf - out.w_ef[i]);
    Ok(())
}

/// Total float under the file's definition (`sched_float_type`) from the start and finish
/// floats in working minutes.
fn float_of(kind: FloatKind, start_float: i64, finish_float: i64) -> i64 {
    match kind {
        FloatKind::Start => start_float,
        FloatKind::Finish => finish_float,
        FloatKind::Smallest => start_float.min(finish_float),
    }
}

/// As late as possible: early dates moved as late as the successors' early dates allow.
pub(crate) fn as_late_as_possible(net: &Network, dur: &[i64], out: &mut Times) -> Result<(), PassError> {
    for &i in net.order.iter().rev() {
        let i = i as usize;
        let node = &net.nodes[i];
        if !node.alap || node.status != Status::NotStarted {
            continue;
        }
        let cal = &net.tables[node.cal];
        let d = dur[i];
        let mut step = || -> Result<(), OutOfRange> {
            let mut hi = out.lf[i];
            for e in net.succs(i) {
                let j = e.other as usize;
                let lag_cal = &net.tables[e.lag_cal as usize];
                let back = |x: Tm| if e.lag == 0 { Ok(x) } else { lag_cal.add(x, -e.lag) };
                let bound = match e.kind {
                    DependencyType::FS => cal.prev_finish(back(out.es[j])?)?,
                    DependencyType::FF => back(out.ef[j])?,
                    DependencyType::SS => cal.add(back(out.es[j])?, d)?,
                    DependencyType::SF => cal.add(back(out.ef[j])?, d)?,
                };
                hi = hi.min(bound);
            }
            if hi > out.ef[i] {
                let s = cal.next_start(cal.sub(hi, d)?)?;
                if s > out.es[i] {
                    out.es[i] = s;
                    out.rs[i] = s;
                    out.ef[i] = if d > 0 { cal.add(s, d)? } else { s };
                    // P6 measures the float of an ALAP activity from the early dates it was
                    // moved to (what it stores as early start), not from the ones before
                    // the move: the float it gave up is gone.
                    out.w_rs[i] = cal.work_before(out.es[i])?;
                    out.w_ef[i] = cal.work_before(out.ef[i])?;
                    if net.alap_float_from_moved_dates {
                        out.tf[i] = float_of(net.float, out.w_ls[i] - out.w_rs[i], out.w_lf[i] - out.w_ef[i]);
                    }
                }
            }
            Ok(())
        };
        step().map_err(|_| i)?;
    }
    Ok(())
}
