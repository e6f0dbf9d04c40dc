//! Schedule risk determinism, and every bad input of the CPM named with its file, line and
//! activity (never a silently different date).

use plumbline_schedule::risk::{parse_risk_config, simulate};
use plumbline_schedule::{critical_path, read_xer_text, ScheduleError};
use std::path::Path;

/// A small XER: two 8-hour-day activities in sequence on one calendar, with `extra` appended
/// to the TASK rows' fields and `task_rows`/`pred_rows` substituted.
fn xer(task_rows: &str, pred_rows: &str, calendar_data: &str) -> String {
    format!(
        "ERMHDR\t8.0\n\
%T\tPROJECT\n%F\tproj_id\tproj_short_name\tclndr_id\tlast_recalc_date\tplan_start_date\n%R\t1\tP\t10\t2025-03-03 00:00\t2025-03-03 00:00\n\
%T\tCALENDAR\n%F\tclndr_id\tdefault_flag\tclndr_name\tday_hr_cnt\tclndr_data\n%R\t10\tY\tStandard\t8\t{calendar_data}\n\
%T\tTASK\n%F\ttask_id\tproj_id\tclndr_id\ttask_code\ttask_name\ttask_type\tstatus_code\ttarget_drtn_hr_cnt\tremain_drtn_hr_cnt\tact_start_date\tact_end_date\tcstr_type\tcstr_date\tcstr_type2\tcstr_date2\n{task_rows}\
%T\tTASKPRED\n%F\ttask_pred_id\ttask_id\tpred_task_id\tpred_type\tlag_hr_cnt\n{pred_rows}%E\n"
    )
}

const WEEK: &str = "(0||CalendarData()((0||DaysOfWeek()((0||1()())(0||2()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||3()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||4()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||5()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||6()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||7()())))(0||Exceptions()()))";

fn row(id: u32, code: &str, clndr: &str, hours: &str, extra: &str) -> String {
    format!("%R\t{id}\t1\t{clndr}\t{code}\t{code} work\tTT_Task\tTK_NotStart\t{hours}\t{hours}\t{extra}\n")
}

fn two_tasks(lag_hr: &str) -> String {
    let tasks = row(1, "A", "10", "16", "\t\t\t\t\t") + &row(2, "B", "10", "8", "\t\t\t\t\t");
    xer(&tasks, &format!("%R\t1\t2\t1\tPR_FS\t{lag_hr}\n"), WEEK)
}

fn error_of(text: &str) -> String {
    match read_xer_text(Path::new("bad.xer"), text) {
        Err(e) => e.to_string(),
        Ok(s) => critical_path(&s).map(|_| String::new()).unwrap_or_else(|e| e.to_string()),
    }
}

#[test]
fn hours_calendars_and_data_date() {
    let s = read_xer_text(Path::new("ok.xer"), &two_tasks("4")).expect("reads");
    let cpm = critical_path(&s).expect("cpm");
    let b = cpm.of(1).expect("B");
    // A: Mon 08:00 .. Tue 17:00; a 4-hour lag ends Wed 12:00, so B runs Wed 13:00 .. Thu 12:00.
    assert_eq!(b.early_start_at.map(|d| d.to_string()), Some("2025-03-05 13:00:00".into()));
    assert_eq!(b.early_finish_at.map(|d| d.to_string()), Some("2025-03-06 12:00:00".into()));
    assert_eq!(cpm.data_date.map(|d| d.to_string()), Some("2025-03-03 00:00:00".into()));
}

#[test]
fn unknown_calendar_id_names_the_activity() {
    let tasks = row(1, "A", "99", "8", "\t\t\t\t\t");
    let e = error_of(&xer(&tasks, "", WEEK));
    assert!(e.contains("bad.xer") && e.contains("line 10") && e.contains("'A'") && e.contains("'99'"), "{e}");
}

#[test]
fn calendar_without_work_days_is_refused() {
    let empty = "(0||CalendarData()((0||DaysOfWeek()((0||1()())(0||2()())))))";
    let e = error_of(&xer(&row(1, "A", "10", "8", "\t\t\t\t\t"), "", empty));
    assert!(e.contains("'A'") && e.contains("no working time"), "{e}");
}

#[test]
fn conflicting_constraints_are_refused() {
    let extra = "\t\tCS_MSOA\t2025-03-20 08:00\tCS_MSOB\t2025-03-10 08:00";
    let e = error_of(&xer(&row(1, "A", "10", "8", extra), "", WEEK));
    assert!(e.contains("line 10") && e.contains("'A'") && e.contains("conflicting constraints"), "{e}");
}

#[test]
fn negative_duration_is_refused() {
    let e = error_of(&xer(&row(1, "A", "10", "-8", "\t\t\t\t\t"), "", WEEK));
    assert!(e.contains("line 10") && e.contains("'A'") && e.contains("negative duration"), "{e}");
}

#[test]
fn lag_past_the_calendar_range_is_refused() {
    let e = error_of(&two_tasks("9999999"));
    assert!(e.contains("'") && e.contains("runs past the dates the calendars cover"), "{e}");
}

#[test]
fn progress_after_the_data_date_is_a_named_warning() {
    let tasks = format!(
        "%R\t1\t1\t10\tA\tA work\tTT_Task\tTK_Active\t8\t4\t2025-03-10 08:00\t\t\t\t\t\n{}",
        row(2, "B", "10", "8", "\t\t\t\t\t")
    );
    let s = read_xer_text(Path::new("late.xer"), &xer(&tasks, "", WEEK)).expect("reads");
    let cpm = critical_path(&s).expect("cpm");
    assert!(
        cpm.warnings.iter().any(|w| w.contains("warning[progress-after-data-date]")
            && w.contains("late.xer")
            && w.contains("line 10")
            && w.contains("'A'")),
        "{:?}",
        cpm.warnings
    );
    // The recorded actual start is kept, not moved to the data date.
    let a = cpm.of(0).expect("A");
    assert_eq!(a.early_start_at.map(|d| d.to_string()), Some("2025-03-10 08:00:00".into()));
}

#[test]
fn risk_is_identical_for_a_seed_on_one_and_two_threads() {
    let s = read_xer_text(Path::new("ok.xer"), &two_tasks("0")).expect("reads");
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        pool.install(|| simulate(&s, 500, 7, None)).expect("risk")
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two);
    assert_eq!((one.iterations, one.seed), (500, 7));
    assert!(one.finish.p10 <= one.finish.p50 && one.finish.p50 <= one.finish.p90);
    // A chain: both tasks are critical in every iteration.
    assert!(one.tasks.iter().all(|t| (t.criticality_index - 1.0).abs() < 1e-12), "{:?}", one.tasks);
    let other = simulate(&s, 500, 8, None).expect("risk");
    assert_eq!(other.iterations, 500);
}

#[test]
fn risk_config_rules_and_errors() {
    let c = parse_risk_config(
        Path::new("r.toml"),
        "[default]\nmin = 1.0\nmost_likely = 1.0\nmax = 1.0\n[[rule]]\nname = \"B*\"\nmin = 2.0\nmost_likely = 2.0\nmax = 2.0\n",
    )
    .expect("config");
    let s = read_xer_text(Path::new("ok.xer"), &two_tasks("0")).expect("reads");
    let r = simulate(&s, 10, 1, Some(&c)).expect("risk");
    // A fixed 16 h (Mon–Tue), B doubled to 16 h (Wed–Thu).
    assert_eq!(r.finish.p50.to_string(), "2025-03-06");
    let e = parse_risk_config(Path::new("r.toml"), "[default]\nmin = 2.0\nmost_likely = 1.0\nmax = 1.0\n")
        .expect_err("min above most likely");
    assert!(e.to_string().contains("r.toml"), "{e}");
    let e: ScheduleError =
        parse_risk_config(Path::new("r.toml"), "[[rule]]\nnme = \"x\"\n").expect_err("typo");
    assert!(e.to_string().contains("r.toml: line"), "{e}");
}
