//! Every real schedule file of the shared folder's `schedules/` (see `plumbline-testkit`)
//! imports, with the task and relation counts the MANIFEST records (or the documented
//! difference). Skipped with a notice where absent.

use plumbline_schedule::{read_schedule, DependencyType, Format, Schedule, ScheduleError, TaskType};
use plumbline_testkit::{ifc_file, schedule_file, schedules_dir};

fn read(rel: &str) -> Option<Schedule> {
    schedule_file(rel).map(|p| read_schedule(&p).unwrap_or_else(|e| panic!("{rel} imports: {e}")))
}

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().expect("valid date")
}

#[test]
fn every_file_of_the_manifest_imports_with_its_counts() {
    let Some(dir) = schedules_dir() else { return };
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("manifest");
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (rel, format, n_tasks, n_rel) = (cols[0], cols[1], cols[3], cols[4]);
        let path = dir.join(rel);
        let result = read_schedule(&path);
        match format {
            "mpp" => {
                let e = result.expect_err("binary mpp is refused");
                assert!(matches!(e, ScheduleError::BinaryMpp { .. }));
                assert!(e.to_string().contains("export MSPDI XML"), "{e}");
            }
            "xlsx" => {
                let e = result.expect_err("xlsx is refused");
                assert!(e.to_string().contains("save it as CSV"), "{e}");
            }
            _ => {
                let s = result.unwrap_or_else(|e| panic!("{rel}: {e}"));
                println!(
                    "{rel}: {} tasks ({} in MANIFEST), {} dependencies, {} links ({} relations in MANIFEST), {} warnings",
                    s.tasks.len(),
                    n_tasks,
                    s.dependencies.len(),
                    s.links.len(),
                    n_rel,
                    s.warnings.len()
                );
                let tasks: usize = n_tasks.parse().expect("count");
                let relations: usize = n_rel.parse().expect("count");
                assert_eq!(s.tasks.len(), tasks, "{rel} tasks");
                let (deps, links) = (s.dependencies.len(), s.links.len());
                // A relation is a dependency, or for event logs an element-task link row.
                assert!(
                    deps == relations || links == relations,
                    "{rel}: {deps} deps, {links} links, {relations} expected"
                );
            }
        }
        rows += 1;
    }
    assert_eq!(rows, 19);
}

fn dep(s: &Schedule, pred: &str, succ: &str) -> (DependencyType, f64) {
    let p = s.task_index(pred).expect("predecessor");
    let q = s.task_index(succ).expect("successor");
    let d = s.dependencies.iter().find(|d| d.predecessor == p && d.successor == q).expect("dependency");
    (d.dep_type, d.lag_days)
}

#[test]
fn mspdi_relation_types_and_lags() {
    let Some(s) = read("mspdi/mpxj_mspdirelations.xml") else { return };
    assert_eq!(s.format, Format::Mspdi);
    assert_eq!(s.tasks[1].name, "Task 1");
    assert_eq!(s.tasks[1].start, Some(d("2006-09-21")));
    assert_eq!(s.tasks[1].finish, Some(d("2006-09-21")));
    assert_eq!(s.tasks[1].duration_days, Some(1.0));
    assert_eq!(dep(&s, "1", "2"), (DependencyType::FS, 0.0));
    assert_eq!(dep(&s, "2", "3"), (DependencyType::SS, 1.0));
    assert_eq!(dep(&s, "3", "4"), (DependencyType::FF, 0.0));
    assert_eq!(dep(&s, "4", "5"), (DependencyType::SF, 0.0));
    let cal = s.calendar.as_ref().expect("calendar");
    assert_eq!(cal.work_days, [true, true, true, true, true, false, false]);

    let Some(s) = read("mspdi/mpxj_legacy_sample1.xml") else { return };
    let lags: Vec<f64> = s.dependencies.iter().map(|d| d.lag_days).collect();
    assert!(lags.contains(&1.0) && lags.contains(&-1.0), "{lags:?}");
    let summaries = s.tasks.iter().filter(|t| t.summary).count();
    assert!(summaries >= 2);
    assert_eq!(s.tasks[2].wbs, vec!["First Task".to_string()]);
}

#[test]
fn schependomlaan_planning_and_event_logs() {
    let Some(s) = read("mspdi/schependomlaan_Uitvoering_Schependomlaan_18-02-2015.xml") else { return };
    assert_eq!(s.tasks[0].id, "5");
    assert_eq!(s.tasks[0].name, "Onwerkbare dagen");
    assert_eq!(s.tasks[0].start, Some(d("2015-02-19")));
    let cal = s.calendar.as_ref().expect("calendar");
    assert!(cal.holidays.contains(&d("2001-01-01")));
    assert_eq!(dep(&s, "103", "50"), (DependencyType::FS, 0.0));

    let Some(log) = read("csv/schependomlaan_eventlog_as_planned.csv") else { return };
    let t = &log.tasks[log.task_index("ST00060").expect("task")];
    assert_eq!(
        (t.name.as_str(), t.start, t.finish),
        ("Stellen bruggetjes", Some(d("2015-02-26")), Some(d("2015-02-27")))
    );
    assert!(log.links.iter().any(|l| l.global_id == "3iHy1LOhfAtfLt80$LZBqn" && l.task_id == "ST00060"));
}

#[test]
fn xer_hotel_and_progressed_update() {
    let Some(s) = read("xer/bhatticoder_Hotel_Project.xer") else { return };
    assert_eq!(s.format, Format::Xer);
    let t = &s.tasks[0];
    assert_eq!((t.id.as_str(), t.name.as_str()), ("CR.SW.SB.FD.EX.010", "Soil Test"));
    assert_eq!(
        (t.start, t.finish, t.duration_days),
        (Some(d("2013-08-01")), Some(d("2013-08-01")), Some(1.0))
    );
    assert_eq!(s.data_date, Some(d("2013-01-22")));
    assert!(s.tasks.iter().all(|t| !t.wbs.is_empty()), "every activity has a WBS path");

    let Some(s) = read("xer/jaggelas_test.xer") else { return };
    let count = |k| s.dependencies.iter().filter(|d| d.dep_type == k).count();
    assert_eq!(
        (
            count(DependencyType::FS),
            count(DependencyType::SS),
            count(DependencyType::FF),
            count(DependencyType::SF)
        ),
        (1119, 42, 432, 2)
    );

    let Some(s) = read("xer/nmoghimi_UP-54069-20260122.xer") else { return };
    assert!(
        s.tasks.iter().filter(|t| t.actual_start.is_some()).count() > 10,
        "a progressed update has actuals"
    );
    // Cyrillic names in a Windows-1251 export come out right.
    let Some(s) = read("xer/aspose_MultiprojectWithExternal.xer") else { return };
    assert!(s.tasks.iter().any(|t| t.name == "Задача 1"), "{:?}", s.tasks);
}

#[test]
fn p6_xml_activities_wbs_and_relationships() {
    let Some(s) = read("p6xml/aspose_PrimaveraProject.xml") else { return };
    assert_eq!(s.format, Format::P6Xml);
    let t = s.tasks.iter().find(|t| t.name == "Design New Product").expect("activity");
    assert!(t.id.ends_with("PD1030"), "{}", t.id);
    assert_eq!(t.name, "Design New Product");
    assert_eq!((t.start, t.finish), (Some(d("2012-02-22")), Some(d("2012-03-06"))));
    let days = t.duration_days.expect("duration");
    assert!((days - 70.583333 / 8.0).abs() < 1e-6, "{days}");
    assert!(!t.wbs.is_empty());
    let lead = s.dependencies.iter().find(|d| d.lag_days < 0.0).expect("a lead");
    assert_eq!(lead.lag_days, -5.0);
    // The XER and XML exports of the same projects agree.
    let (Some(x), Some(y)) =
        (read("xer/aspose_MultiprojectWithExternal.xer"), read("p6xml/aspose_MultiprojectWithExternal.xml"))
    else {
        return;
    };
    assert_eq!(x.tasks.len(), y.tasks.len());
    assert_eq!(x.dependencies.len(), y.dependencies.len());
}

#[test]
fn csv_exports_of_ifcopenshell_and_aps() {
    let Some(s) = read("csv/ifcopenshell_ifc4d_construction_schedule.csv") else { return };
    let t = &s.tasks[s.task_index("1.1.1").expect("task")];
    assert_eq!(t.task_type, TaskType::Demolish, "under 'Demolition'");
    assert_eq!(t.wbs, vec!["Demolition".to_string(), "Building A".to_string()]);
    assert_eq!((t.actual_start, t.actual_finish), (Some(d("2023-01-07")), Some(d("2023-01-10"))));
    assert!(s.tasks[s.task_index("1.1").expect("summary")].summary);
    assert_eq!(dep(&s, "1.1.3", "1.2.1"), (DependencyType::FS, 0.0));
    assert_eq!(s.tasks[s.task_index("1.2.3").expect("task")].duration_days, Some(4.0));

    let Some(s) = read("csv/aps_PhasingExtension_sample.csv") else { return };
    assert_eq!(dep(&s, "126", "127"), (DependencyType::FS, 0.0));
    assert_eq!(s.tasks[4].percent_complete, Some(50.0));
}

#[test]
fn the_ms_project_xml_and_event_log_of_the_ifc_corpus_import() {
    for (rel, tasks) in [
        ("bsi-community/Uitvoering Schependomlaan 18-02-2015.xml", 157),
        ("bsi-community/eventlog IFC schependomlaan.csv", 73),
    ] {
        let Some(p) = ifc_file(rel) else { continue };
        let s = read_schedule(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.tasks.len(), tasks, "{rel}");
    }
}
