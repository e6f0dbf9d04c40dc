//! The progress report at a date: a generated schedule with known answers, and the real
//! progressed schedules of `schedules/`.

use plumbline_schedule::chrono::NaiveDate;
use plumbline_schedule::progress::{progress_at, ProgressState};
use plumbline_schedule::{read_schedule, Format, Schedule, Task};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, day).expect("valid date")
}

fn task(id: &str, wbs: &str, start: NaiveDate, finish: NaiveDate) -> Task {
    let mut t = Task::new(id, format!("{id} work"));
    t.wbs = vec![wbs.to_string()];
    (t.start, t.finish) = (Some(start), Some(finish));
    t
}

/// A finished late, B in progress at 40 %, milestone M due but not reached, C not yet due.
fn generated() -> Schedule {
    let mut s = Schedule::new("generated", Format::Memory);
    let mut a = task("A", "Structure", d(3, 3), d(3, 7));
    (a.actual_start, a.actual_finish, a.percent_complete) = (Some(d(3, 3)), Some(d(3, 10)), Some(100.0));
    let mut b = task("B", "Structure", d(3, 10), d(3, 14));
    (b.actual_start, b.percent_complete) = (Some(d(3, 11)), Some(40.0));
    let mut m = task("M", "Structure", d(3, 12), d(3, 12));
    m.milestone = true;
    let c = task("C", "Fit-out", d(3, 17), d(3, 21));
    s.tasks = vec![a, b, m, c];
    s.data_date = Some(d(3, 14));
    s
}

#[test]
fn planned_against_actual_on_a_generated_schedule() {
    let p = progress_at(&generated(), d(3, 14));
    // Weights 5 + 5 + 5 days (the milestone weighs nothing): planned A and B done, C not.
    assert_eq!((p.planned_pct, p.actual_pct), (66.7, 46.7));
    let by_id = |id: &str| p.tasks.iter().find(|t| t.id == id).expect("task");
    assert_eq!(by_id("A").state, ProgressState::Complete);
    assert_eq!(by_id("A").finish_variance_days, 3);
    assert_eq!((by_id("B").planned_pct, by_id("B").actual_pct), (100.0, 40.0));
    // 60 % of five days left from the 14th: three days, finishing on the 16th.
    assert_eq!(by_id("B").expected_finish, d(3, 16));
    assert_eq!(by_id("C").state, ProgressState::NotStarted);
    assert_eq!(by_id("C").finish_variance_days, 0);

    assert_eq!(p.milestones.len(), 1);
    let m = &p.milestones[0];
    assert_eq!((m.planned, m.expected, m.achieved, m.variance_days), (d(3, 12), d(3, 14), false, 2));

    let late: Vec<(&str, i64)> = p.late.iter().map(|l| (l.id.as_str(), l.delay_days)).collect();
    assert_eq!(late, [("A", 3), ("B", 2), ("M", 2)]);

    let levels: Vec<(&str, f64, f64)> =
        p.wbs.iter().map(|w| (w.path[0].as_str(), w.planned_pct, w.actual_pct)).collect();
    assert_eq!(levels, [("Fit-out", 0.0, 0.0), ("Structure", 100.0, 70.0)]);

    // Weekly from the first start, with the report date and the last finish among the points;
    // actual values stop at the report date.
    let dates: Vec<NaiveDate> = p.s_curve.iter().map(|c| c.date).collect();
    assert_eq!(dates, [d(3, 3), d(3, 10), d(3, 14), d(3, 17), d(3, 21)]);
    assert_eq!(p.s_curve[2].actual_pct, Some(46.7));
    assert_eq!(p.s_curve[3].actual_pct, None);
    assert_eq!(p.s_curve.last().map(|c| c.planned_pct), Some(100.0));
    assert!(p.s_curve.windows(2).all(|w| w[0].planned_pct <= w[1].planned_pct), "planned curve rises");
}

#[test]
fn a_report_after_the_data_date_says_so() {
    let p = progress_at(&generated(), d(3, 20));
    assert!(p.notes.iter().any(|n| n.to_string().contains("data date 2025-03-14")), "{:?}", p.notes);
}

#[test]
fn real_progressed_schedules() {
    for (rel, at) in [("xer/jaggelas_test.xer", None), ("xer/nmoghimi_UP-54069-20260122.xer", None)] {
        let Some(path) = plumbline_testkit::schedule_file(rel) else { continue };
        let s = read_schedule(&path).expect("reads");
        let at = at.or(s.data_date).expect("a progressed schedule has a data date");
        let p = progress_at(&s, at);
        println!(
            "{rel} at {at}: planned {} %, actual {} %, {} tasks, {} WBS nodes, {} milestones, {} late, {} curve points",
            p.planned_pct,
            p.actual_pct,
            p.tasks.len(),
            p.wbs.len(),
            p.milestones.len(),
            p.late.len(),
            p.s_curve.len()
        );
        assert!(p.tasks.iter().any(|t| t.state != ProgressState::NotStarted), "{rel}: some work has started");
        assert!(p.actual_pct > 0.0 && p.actual_pct <= 100.0, "{rel}");
        assert!(!p.wbs.is_empty() && !p.s_curve.is_empty(), "{rel}");
        assert!(p.late.windows(2).all(|w| w[0].delay_days >= w[1].delay_days), "{rel}: most delayed first");
        let last = p.s_curve.iter().rev().find_map(|c| c.actual_pct);
        assert_eq!(last, Some(p.actual_pct), "{rel}: the curve ends at the report's actual %");
    }
}
