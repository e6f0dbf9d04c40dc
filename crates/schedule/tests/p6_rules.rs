//! Rules of P6's scheduler that the real schedules of `schedules/` showed us, each on a small
//! XER built here so that the rule is checked without the shared folder.

use plumbline_schedule::{critical_path, read_xer_text};
use std::path::Path;

/// An XER with one project (data date Monday 2025-03-03), one 8-hour-day calendar (08:00-12:00,
/// 13:00-17:00, Monday to Friday) and the given TASK and TASKPRED rows.
fn xer(task_rows: &str, pred_rows: &str) -> String {
    format!(
        "ERMHDR\t8.0\n\
%T\tPROJECT\n%F\tproj_id\tproj_short_name\tclndr_id\tlast_recalc_date\tplan_start_date\n%R\t1\tP\t10\t2025-03-03 00:00\t2025-03-03 00:00\n\
%T\tCALENDAR\n%F\tclndr_id\tdefault_flag\tclndr_name\tday_hr_cnt\tclndr_data\n%R\t10\tY\tStandard\t8\t{WEEK}\n\
%T\tTASK\n%F\ttask_id\tproj_id\tclndr_id\ttask_code\ttask_name\ttask_type\tstatus_code\ttarget_drtn_hr_cnt\tremain_drtn_hr_cnt\tcstr_type\n{task_rows}\
%T\tTASKPRED\n%F\ttask_pred_id\ttask_id\tpred_task_id\tpred_type\tlag_hr_cnt\n{pred_rows}%E\n"
    )
}

const WEEK: &str = "(0||CalendarData()((0||DaysOfWeek()((0||1()())(0||2()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||3()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||4()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||5()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||6()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||7()())))(0||Exceptions()()))";

fn row(id: u32, code: &str, hours: u32, constraint: &str) -> String {
    format!("%R\t{id}\t1\t10\t{code}\t{code} work\tTT_Task\tTK_NotStart\t{hours}\t{hours}\t{constraint}\n")
}

/// P6 measures an as-late-as-possible activity's total float from the early dates it moved it
/// to (the early start it stores), so the free float it consumed is no longer total float.
/// Seen on `jaggelas_test.xer` (A1690: early start 2025-05-05 09:40, late start 2025-05-26
/// 08:00, stored float 118.3 h = the late start minus the moved early start).
#[test]
fn alap_float_is_measured_from_the_moved_early_dates() {
    // A (40 h) -> E; A2 (24 h) -> D -> E; B (8 h, ALAP) -> D. D may start Thursday (after A2)
    // and must start by Friday (E starts Monday), so B, free to run Monday, is moved to
    // Wednesday, the day before D: its late start is Thursday, one day of float left.
    let tasks = row(1, "A", 40, "")
        + &row(2, "A2", 24, "")
        + &row(3, "B", 8, "CS_ALAP")
        + &row(4, "D", 8, "")
        + &row(5, "E", 8, "");
    let preds =
        "%R\t1\t5\t1\tPR_FS\t0\n%R\t2\t4\t2\tPR_FS\t0\n%R\t3\t4\t3\tPR_FS\t0\n%R\t4\t5\t4\tPR_FS\t0\n";
    let s = read_xer_text(Path::new("alap.xer"), &xer(&tasks, preds)).expect("reads");
    let cpm = critical_path(&s).expect("cpm");
    let b = cpm.of(2).expect("B");
    let at = |x: Option<plumbline_schedule::chrono::NaiveDateTime>| x.map(|d| d.to_string());
    assert_eq!(at(b.early_start_at), Some("2025-03-05 08:00:00".into()));
    assert_eq!(at(b.late_start_at), Some("2025-03-06 08:00:00".into()));
    assert_eq!(b.total_float_hours, 8.0, "float from the moved dates, not the 24 h before the move");
    assert!(!b.critical);
    // D keeps its own float; the move does not touch the others.
    assert_eq!(cpm.of(3).expect("D").total_float_hours, 8.0);
    assert_eq!(cpm.of(0).expect("A").total_float_hours, 0.0);
}

/// No activity may finish after its own project's must-finish-by date (`plan_end_date`), even
/// where its successor belongs to another project that finishes later. Seen on
/// `jaggelas_test.xer`: A7720, A7770 and A7820 of project 4517 (`plan_end_date` 2026-04-15
/// 00:00) have their only successor, M1320, in project 4533 with a late finish of 2026-04-15
/// 17:00, yet P6 stored their late finish at 2026-04-14 17:00.
#[test]
fn late_finish_keeps_to_the_own_projects_must_finish_by_date() {
    let text = format!(
        "ERMHDR\t8.0\n\
%T\tPROJECT\n%F\tproj_id\tproj_short_name\tclndr_id\tlast_recalc_date\tplan_start_date\tplan_end_date\n\
%R\t1\tP1\t10\t2025-03-03 00:00\t2025-03-03 00:00\t2025-03-08 00:00\n\
%R\t2\tP2\t10\t2025-03-03 00:00\t2025-03-03 00:00\t\n\
%T\tCALENDAR\n%F\tclndr_id\tdefault_flag\tclndr_name\tday_hr_cnt\tclndr_data\n%R\t10\tY\tStandard\t8\t{WEEK}\n\
%T\tTASK\n%F\ttask_id\tproj_id\tclndr_id\ttask_code\ttask_name\ttask_type\tstatus_code\ttarget_drtn_hr_cnt\tremain_drtn_hr_cnt\n\
%R\t1\t1\t10\tX\tX work\tTT_Task\tTK_NotStart\t8\t8\n\
%R\t2\t2\t10\tY\tY work\tTT_Task\tTK_NotStart\t8\t8\n\
%R\t3\t2\t10\tZ\tZ work\tTT_Task\tTK_NotStart\t80\t80\n\
%T\tTASKPRED\n%F\ttask_pred_id\ttask_id\tpred_task_id\tpred_type\tlag_hr_cnt\n%R\t1\t2\t1\tPR_FS\t0\n%E\n"
    );
    let s = read_xer_text(Path::new("two_projects.xer"), &text).expect("reads");
    let cpm = critical_path(&s).expect("cpm");
    let at = |x: Option<plumbline_schedule::chrono::NaiveDateTime>| x.map(|d| d.to_string());
    // Y (project 2) may finish with Z on Friday 2025-03-14, so X could wait until Thursday the
    // 13th; its own project must finish by Saturday the 8th, so it finishes by Friday the 7th.
    let y = cpm.of(1).expect("Y");
    assert_eq!(at(y.late_finish_at), Some("2025-03-14 17:00:00".into()));
    let x = cpm.of(0).expect("X");
    assert_eq!(at(x.late_finish_at), Some("2025-03-07 17:00:00".into()));
    assert_eq!(at(x.late_start_at), Some("2025-03-07 08:00:00".into()));
    assert_eq!(x.total_float_hours, 32.0);
}
