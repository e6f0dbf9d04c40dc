//! Hand-checked critical path with every dependency type and lag, the state transitions of each
//! task type, time coexistence, and errors for malformed inputs.

use plumbline_schedule::{
    coexistence, critical_path, late_tasks, read_csv_text, read_mspdi_text, read_p6xml_text,
    read_schedule_bytes, read_xer_text, Basis, Calendar, Dependency, DependencyType, ElementKey,
    ElementState, Existence, Format, Link, Schedule, ScheduleError, SimIndex, Task, TaskType,
};
use std::path::Path;

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().expect("valid date")
}

fn task(id: &str, kind: TaskType, start: &str, finish: &str, days: f64) -> Task {
    let mut t = Task::new(id, id);
    t.task_type = kind;
    t.start = Some(d(start));
    t.finish = Some(d(finish));
    t.duration_days = Some(days);
    t
}

/// A(3) -FS+1-> B(2) -FF+1-> D(2) -FS-1-> F(1); A -SS+2-> C(4) -SF+3-> E(3) -FS-> F.
/// By hand (working-day offsets): A 0-3, B 4-6, C 2-6, D 5-7, E 2-5, F 6-7; project 7 days.
/// Backward: F LS 6; D LF 7 (FS-1: 6+1); E LF 6; B LF 6 (FF+1: 7-1); C LF 7 (SF+3: LF_E-3+4);
/// A LF 3 (FS+1: LS_B 4-1; SS+2 allows 4). Floats: A 0, B 0, C 1, D 0, E 1, F 0.
fn hand_network(calendar: Option<Calendar>) -> Schedule {
    let mut s = Schedule::new("hand", Format::Memory);
    let start = "2025-03-03";
    for (id, days) in [("A", 3.0), ("B", 2.0), ("C", 4.0), ("D", 2.0), ("E", 3.0), ("F", 1.0)] {
        let mut t = task(id, TaskType::Construct, start, start, days);
        if id != "A" {
            t.start = None;
            t.finish = None;
        }
        s.tasks.push(t);
    }
    let link = |p, q, dep_type, lag_days| Dependency { predecessor: p, successor: q, dep_type, lag_days };
    s.dependencies = vec![
        link(0, 1, DependencyType::FS, 1.0),
        link(0, 2, DependencyType::SS, 2.0),
        link(1, 3, DependencyType::FF, 1.0),
        link(2, 4, DependencyType::SF, 3.0),
        link(3, 5, DependencyType::FS, -1.0),
        link(4, 5, DependencyType::FS, 0.0),
    ];
    s.calendar = calendar;
    s
}

#[test]
fn hand_checked_critical_path_with_every_dependency_type() {
    let s = hand_network(None);
    let cpm = critical_path(&s).expect("no cycle");
    let figures: Vec<(f64, f64, f64, f64, f64)> = cpm
        .tasks
        .iter()
        .map(|t| {
            (
                t.early_start_days,
                t.early_finish_days,
                t.late_start_days,
                t.late_finish_days,
                t.total_float_days,
            )
        })
        .collect();
    assert_eq!(
        figures,
        vec![
            (0.0, 3.0, 0.0, 3.0, 0.0),
            (4.0, 6.0, 4.0, 6.0, 0.0),
            (2.0, 6.0, 3.0, 7.0, 1.0),
            (5.0, 7.0, 5.0, 7.0, 0.0),
            (2.0, 5.0, 3.0, 6.0, 1.0),
            (6.0, 7.0, 6.0, 7.0, 0.0),
        ]
    );
    let ids: Vec<&str> = cpm.critical_path.iter().map(|&i| s.tasks[i].id.as_str()).collect();
    assert_eq!(ids, vec!["A", "B", "D", "F"]);
    assert_eq!(cpm.duration_days, 7.0);
    // Every day works without a calendar: offset 7 ends on the 7th day.
    assert_eq!((cpm.project_start, cpm.project_finish), (Some(d("2025-03-03")), Some(d("2025-03-09"))));
    let b = cpm.of(1).expect("B");
    assert_eq!((b.early_start, b.early_finish), (Some(d("2025-03-07")), Some(d("2025-03-08"))));
}

#[test]
fn critical_path_dates_follow_the_working_calendar() {
    let mut cal = Calendar::five_day();
    cal.holidays.insert(d("2025-03-10"));
    let s = hand_network(Some(cal));
    let cpm = critical_path(&s).expect("no cycle");
    // Offsets 0..6 are Mon 3, Tue 4, Wed 5, Thu 6, Fri 7, (Mon 10 holiday) Tue 11, Wed 12.
    let b = cpm.of(1).expect("B");
    assert_eq!((b.early_start, b.early_finish), (Some(d("2025-03-07")), Some(d("2025-03-11"))));
    assert_eq!(cpm.project_finish, Some(d("2025-03-12")));
}

#[test]
fn late_tasks_are_those_behind_their_plan_on_the_day() {
    let mut s = Schedule::new("late", Format::Memory);
    // Slab: planned 3–7 March, started two days late and not finished (forecast 5–9 March).
    let mut slab = task("Slab", TaskType::Construct, "2025-03-03", "2025-03-07", 5.0);
    slab.actual_start = Some(d("2025-03-05"));
    // Walls: on time to the day.
    let mut walls = task("Walls", TaskType::Construct, "2025-03-03", "2025-03-07", 5.0);
    walls.actual_start = walls.start;
    walls.actual_finish = walls.finish;
    // A summary over both, itself behind, is never listed.
    let mut phase = task("Phase", TaskType::Construct, "2025-03-03", "2025-03-07", 5.0);
    phase.summary = true;
    phase.actual_start = Some(d("2025-03-06"));
    s.tasks = vec![slab, walls, phase];
    assert_eq!(late_tasks(&s, d("2025-03-02")), [], "nothing is due yet");
    assert_eq!(late_tasks(&s, d("2025-03-04")), [(0, 2)], "the slab should be 2/5 done, it is not started");
    assert_eq!(late_tasks(&s, d("2025-03-08")), [(0, 2)], "due, forecast to finish on the 9th");
    assert_eq!(late_tasks(&s, d("2025-03-10")), [], "done by then on both bases");
}

#[test]
fn a_cycle_names_its_tasks() {
    let mut s = hand_network(None);
    s.dependencies.push(Dependency {
        predecessor: 5,
        successor: 0,
        dep_type: DependencyType::FS,
        lag_days: 0.0,
    });
    let e = critical_path(&s).expect_err("cycle");
    let ScheduleError::Cycle { tasks } = &e else { panic!("{e}") };
    assert_eq!(tasks.first(), tasks.last());
    assert!(tasks.contains(&"A".to_string()) && tasks.contains(&"F".to_string()), "{tasks:?}");
    assert!(e.to_string().contains(" -> "), "{e}");
}

/// Tasks of every type: C builds, D demolishes, T is temporary works, R demolishes them later,
/// O is other work, L builds late (actual dates after its plan), N builds after T is gone.
fn every_task_type() -> Schedule {
    let mut s = Schedule::new("states", Format::Memory);
    s.tasks = vec![
        task("C", TaskType::Construct, "2025-03-03", "2025-03-05", 3.0),
        task("D", TaskType::Demolish, "2025-03-06", "2025-03-07", 2.0),
        task("T", TaskType::Temporary, "2025-03-03", "2025-03-04", 2.0),
        task("R", TaskType::Demolish, "2025-03-10", "2025-03-10", 1.0),
        task("O", TaskType::Other, "2025-03-03", "2025-03-20", 14.0),
        task("L", TaskType::Construct, "2025-03-03", "2025-03-05", 3.0),
        task("N", TaskType::Construct, "2025-03-12", "2025-03-13", 2.0),
    ];
    s.tasks[5].actual_start = Some(d("2025-03-04"));
    s.tasks[5].actual_finish = Some(d("2025-03-07"));
    s
}

#[test]
fn state_transitions_of_each_task_type() {
    let s = every_task_type();
    let index = SimIndex::new(
        &s,
        vec![
            (vec![0], false),   // 0: built
            (vec![1], false),   // 1: existing, demolished
            (vec![2], false),   // 2: temporary task only: exists while it runs
            (vec![0, 3], true), // 3: temporary works built by C, removed by R
            (vec![4], false),   // 4: other: unchanged
            (vec![], false),    // 5: unlinked
            (vec![5], false),   // 6: built late
            (vec![6], false),   // 7: built after the temporary works are gone
        ],
    );
    let at = |e: usize, day: &str| index.state(e, d(day), Basis::Planned);
    use ElementState::*;
    assert_eq!(at(0, "2025-03-02").state, NotStarted);
    assert_eq!((at(0, "2025-03-03").state, at(0, "2025-03-03").fraction), (InProgress, 1.0 / 3.0));
    assert_eq!(at(0, "2025-03-05").state, InProgress);
    assert_eq!(at(0, "2025-03-06").state, Complete);
    assert_eq!(at(1, "2025-03-05").state, Complete);
    assert_eq!((at(1, "2025-03-06").state, at(1, "2025-03-06").fraction), (Demolishing, 0.5));
    assert_eq!(at(1, "2025-03-08").state, Demolished);
    assert_eq!(at(2, "2025-03-02").state, NotStarted);
    assert_eq!(at(2, "2025-03-04").state, TemporaryPresent);
    assert_eq!(at(2, "2025-03-05").state, Demolished);
    assert_eq!(at(3, "2025-03-04").state, InProgress);
    assert_eq!(at(3, "2025-03-06").state, TemporaryPresent);
    assert_eq!(at(3, "2025-03-10").state, Demolishing);
    assert_eq!(at(3, "2025-03-11").state, Demolished);
    assert_eq!(at(4, "2025-03-05").state, Unscheduled);
    assert_eq!(at(5, "2025-03-05").state, Unscheduled);
    // Planned complete on the 5th's evening, actually half done: late.
    let late = at(6, "2025-03-05");
    assert!(late.late && late.state == InProgress);
    assert!(!at(6, "2025-03-02").late);
    let actual = index.state(6, d("2025-03-05"), Basis::Actual);
    assert_eq!((actual.state, actual.fraction), (InProgress, 0.5));
    assert_eq!(index.state(6, d("2025-03-07"), Basis::Actual).state, InProgress);

    let mut all = Vec::new();
    index.states_at(d("2025-03-06"), Basis::Planned, &mut all);
    assert_eq!(all.len(), 8);
    let counts = index.counts_at(d("2025-03-06"), Basis::Planned);
    assert_eq!(counts.get(Complete), all.iter().filter(|s| s.state == Complete).count());
    assert_eq!(counts.unscheduled, 2);
    assert_eq!(counts.demolishing, 1);

    // Time-based clash filter: who stands together, and when.
    assert_eq!(
        index.coexist(2, 0, Basis::Planned),
        Some(Existence { from: Some(d("2025-03-03")), to: Some(d("2025-03-04")) })
    );
    assert_eq!(index.coexist(2, 7, Basis::Planned), None, "temporary works are gone before N starts");
    assert_eq!(
        index.coexist(3, 1, Basis::Planned),
        Some(Existence { from: Some(d("2025-03-03")), to: Some(d("2025-03-07")) })
    );
    assert_eq!(index.existence(5, Basis::Planned), Some(Existence::ALWAYS));
    assert_eq!(coexistence(&Existence::ALWAYS, &Existence::ALWAYS), Some(Existence::ALWAYS));
}

fn expect_err(result: Result<Schedule, ScheduleError>) -> String {
    result.expect_err("malformed input is an error").to_string()
}

#[test]
fn malformed_inputs_name_file_line_and_field() {
    let p = Path::new("bad.csv");
    let e = expect_err(read_csv_text(
        p,
        "id,name,start,finish\n1,Dig,2025-01-02,2025-01-03\n2,Pour,2025-02-31,2025-03-01\n",
    ));
    assert!(e.starts_with("bad.csv: line 3: field 'start': cannot read '2025-02-31'"), "{e}");
    let e = expect_err(read_csv_text(p, "name,duration\nDig,five\n"));
    assert!(e.contains("line 2: field 'duration'"), "{e}");
    let e = expect_err(read_csv_text(p, "what,ever\n1,2\n"));
    assert!(e.contains("line 1: missing field 'id"), "{e}");

    let p = Path::new("bad.xer");
    let xer = "ERMHDR\t8.0\n%T\tTASK\n%F\ttask_id\ttask_code\ttask_name\ttarget_start_date\n%R\t1\tA\tDig\t2025-13-01 08:00\n%E\n";
    let e = expect_err(read_xer_text(p, xer));
    assert!(e.starts_with("bad.xer: line 4: field 'target_start_date'"), "{e}");
    let e = expect_err(read_xer_text(p, "ERMHDR\t8.0\n%T\tTASK\n%R\t1\n"));
    assert!(e.contains("line 3: %R row before the table's %F field list"), "{e}");
    let e = expect_err(read_xer_text(p, "hello\n"));
    assert!(e.contains("line 1: not a Primavera XER file"), "{e}");
    let e = expect_err(read_xer_text(
        p,
        "ERMHDR\n%T\tTASK\n%F\ttask_id\ttask_code\n%R\t1\tA\n%R\t2\tB\n%T\tTASKPRED\n%F\ttask_id\tpred_task_id\tpred_type\n%R\t2\t1\tPR_XX\n",
    ));
    assert!(e.contains("line 8: field 'pred_type'"), "{e}");

    let p = Path::new("bad.xml");
    let e = expect_err(read_mspdi_text(p, "<Project>\n<Tasks>\n<Task><UID>1</UID>\n</Tasks>"));
    assert!(e.starts_with("bad.xml: line 4: not well-formed XML"), "{e}");
    let e = expect_err(read_mspdi_text(
        p,
        "<Project>\n<Tasks>\n<Task><UID>1</UID><Start>someday</Start></Task>\n</Tasks></Project>",
    ));
    assert!(e.starts_with("bad.xml: line 3: field 'Start': cannot read 'someday'"), "{e}");
    let e = expect_err(read_p6xml_text(
        p,
        "<APIBusinessObjects><Project><ObjectId>1</ObjectId>\n<Activity><ObjectId>2</ObjectId><PlannedDuration>lots</PlannedDuration></Activity></Project></APIBusinessObjects>",
    ));
    assert!(e.contains("line 2: field 'PlannedDuration'"), "{e}");

    let e = expect_err(read_schedule_bytes(Path::new("plan.mpp"), &[0xD0, 0xCF, 0x11, 0xE0, 0, 0]));
    assert!(e.contains("plan.mpp") && e.contains("export MSPDI XML"), "{e}");
    let e = expect_err(read_schedule_bytes(Path::new("x.xml"), b"<html></html>"));
    assert!(e.contains("neither MS Project XML"), "{e}");
}

/// `SimIndex::from_links` (each GlobalId's task set found once and shared) gives every element
/// the state the plain per-element build gives, whatever the order of the links: shuffled and
/// sorted links, repeated links, links to a task the schedule lacks, GlobalIds shared by several
/// elements, temporary works and unlinked elements.
#[test]
fn indexing_by_links_agrees_with_the_per_element_build() {
    use rand_pcg::rand_core::{Rng, SeedableRng};
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
    let mut s = every_task_type();
    s.tasks[6].actual_start = Some(d("2025-03-14"));
    s.data_date = Some(d("2025-03-11"));
    let ids: Vec<String> = (0..200).map(|k| format!("G{k}")).collect();
    let pick = |rng: &mut rand_pcg::Pcg64Mcg, n: usize| (rng.next_u32() as usize) % n;
    let elements: Vec<ElementKey<'_>> = (0..300)
        .map(|_| ElementKey {
            global_id: ids[pick(&mut rng, ids.len())].as_str(),
            temporary: rng.next_u32() % 4 == 0,
        })
        .collect();
    let task_ids = ["C", "D", "T", "R", "O", "L", "N", "X"];
    let mut links: Vec<Link> = (0..400)
        .map(|_| Link {
            global_id: format!("G{}", pick(&mut rng, 250)),
            task_id: task_ids[pick(&mut rng, task_ids.len())].to_string(),
        })
        .collect();
    links.extend(links[..50].to_vec());
    let expected = SimIndex::new(
        &s,
        elements.iter().map(|e| {
            let tasks = links
                .iter()
                .filter(|l| l.global_id == e.global_id)
                .filter_map(|l| s.tasks.iter().position(|t| t.id == l.task_id))
                .collect();
            (tasks, e.temporary)
        }),
    );
    assert!(expected.group_count() > 10, "the case has many task sets");
    let mut sorted = links.clone();
    sorted.sort();
    for links in [links, sorted] {
        let index = SimIndex::from_links(&s, &links, &elements);
        assert_eq!((index.len(), index.group_count()), (expected.len(), expected.group_count()));
        let (mut got, mut want) = (Vec::new(), Vec::new());
        for day in (0..24).map(|k| d("2025-03-01") + chrono::Days::new(k)) {
            for basis in [Basis::Planned, Basis::Actual] {
                index.states_at(day, basis, &mut got);
                expected.states_at(day, basis, &mut want);
                assert_eq!(got, want, "{day} {basis:?}");
            }
        }
    }
}
