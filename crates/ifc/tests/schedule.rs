//! IFC4 work schedules: the buildingSMART scheduling sample, the 4D Duplex files and the
//! generated bank branch (phased renovation and its time-based clash). Corpus files are skipped
//! with a notice where absent; the generated models ship with the repository.

use plumbline_ifc::schedule::{read_schedule, read_schedule_bytes, ScheduleShelf};
use plumbline_ifc::{load_file, LoadOptions};
use plumbline_schedule::chrono::NaiveDate;
use plumbline_schedule::{
    critical_path, element_keys, link_report, Basis, DependencyType, ElementState, Existence, SimIndex,
    TaskType,
};
use plumbline_testkit::{ifc_file, sample_model};
use std::path::Path;
use std::sync::Arc;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("valid date")
}

#[test]
fn buildingsmart_scheduling_sample() {
    let Some(p) = ifc_file("bsi-ifc43-samples/construction-scheduling-task.ifc") else { return };
    let s = read_schedule(&p).expect("reads");
    assert_eq!(s.tasks.len(), 8);
    assert_eq!(s.dependencies.len(), 7);
    assert!(s.dependencies.iter().all(|d| d.dep_type == DependencyType::FS && d.lag_days == 0.0));
    let ground = &s.tasks[0];
    assert_eq!((ground.name.as_str(), ground.summary), ("Ground Level", true));
    // ScheduleFinish is unset there: the early finish stands in.
    assert_eq!((ground.start, ground.finish), (Some(d("2010-09-20")), Some(d("2010-09-24"))));
    let wall = s.tasks.iter().find(|t| t.name == "Wall #3").expect("task");
    assert_eq!(wall.wbs, vec!["Ground Level".to_string(), "Wall (Standard)".to_string()]);
    assert_eq!(
        (wall.start, wall.finish, wall.duration_days),
        (Some(d("2010-09-23")), Some(d("2010-09-23")), Some(1.0))
    );
    // Six IfcRelAssignsToProduct (one per task with a product).
    assert_eq!(s.links.len(), 6);
    let cal = s.calendar.as_ref().expect("IfcWorkCalendar");
    assert_eq!(cal.work_days, [true, true, true, true, true, false, false]);
    let cpm = critical_path(&s).expect("no cycle");
    let critical: Vec<&str> = cpm.critical_path.iter().map(|&i| s.tasks[i].name.as_str()).collect();
    assert_eq!(critical, vec!["Slab #1", "Wall #1", "Wall #2", "Wall #3", "Wall #4"]);
}

#[test]
fn duplex_4d_and_5d_tasks_on_a_real_model() {
    let Some(p) = ifc_file("data-centric-bim/Duplex_House_4D_Complete.ifc") else { return };
    let s = read_schedule(&p).expect("reads");
    assert_eq!(s.tasks.len(), 2);
    let a = &s.tasks[0];
    assert_eq!(a.name, "Task A - Lay Foundation");
    assert_eq!((a.start, a.finish), (Some(d("2025-05-12")), Some(d("2025-05-15"))));
    assert_eq!((a.actual_start, a.actual_finish), (Some(d("2025-05-12")), Some(d("2025-05-16"))));
    assert_eq!(s.dependencies.len(), 1);
    // Resources assigned to the tasks (IfcRelAssignsToProcess) are not elements; the beam is.
    assert_eq!(s.links.len(), 2);
    assert!(s.links.iter().all(|l| l.global_id == "2FUQJjpVj9wBkoUxY59XRk"));
    let model = load_file(&p, &LoadOptions::default()).expect("loads");
    let keys = element_keys(&model);
    let ids: Vec<&str> = keys.iter().map(|k| k.global_id).collect();
    let report = link_report(&s, &s.links, &ids);
    assert_eq!(report.linked_elements, 1);
    assert!(report.unknown_global_ids.is_empty());
    assert_eq!(report.unlinked_elements.len(), ids.len() - 1);
    // Task B finished a day late: the beam is flagged late while it runs.
    let index = SimIndex::from_links(&s, &s.links, &keys);
    let beam = ids.iter().position(|g| *g == "2FUQJjpVj9wBkoUxY59XRk").expect("beam");
    assert!(index.state(beam, d("2025-05-16"), Basis::Planned).late);

    // The 5D file writes dd-mm-yyyy dates and bare-number durations; they are read.
    let Some(p) = ifc_file("data-centric-bim/Duplex_House_5D_From_Ontology.ifc") else { return };
    let s = read_schedule(&p).expect("reads");
    assert_eq!(s.tasks.len(), 4);
    let cast = &s.tasks[0];
    assert_eq!((cast.start, cast.actual_finish), (Some(d("2023-09-04")), Some(d("2023-09-13"))));
}

#[test]
fn branch_schedule_and_phased_renovation() {
    let p = sample_model("bank-branch.ifc");
    let s = read_schedule(&p).expect("reads");
    assert_eq!(s.name.as_deref(), Some("Renovation schedule"));
    assert_eq!(s.tasks.len(), 9);
    let kinds: Vec<(&str, TaskType)> = s.tasks.iter().map(|t| (t.id.as_str(), t.task_type)).collect();
    assert_eq!(
        kinds,
        vec![
            ("BR", TaskType::Construct),
            ("BR.10", TaskType::Temporary),
            ("BR.20", TaskType::Demolish),
            ("BR.30", TaskType::Construct),
            ("BR.40", TaskType::Construct),
            ("BR.50", TaskType::Construct),
            ("BR.60", TaskType::Demolish),
            ("BR.70", TaskType::Construct),
            ("BR.80", TaskType::Demolish),
        ]
    );
    let lags: Vec<(DependencyType, f64)> = s.dependencies.iter().map(|d| (d.dep_type, d.lag_days)).collect();
    assert!(
        lags.contains(&(DependencyType::SS, 2.0)) && lags.contains(&(DependencyType::SS, 4.0)),
        "{lags:?}"
    );
    let cpm = critical_path(&s).expect("no cycle");
    assert_eq!(cpm.project_finish, Some(d("2025-02-25")));

    let model = load_file(&p, &LoadOptions::default()).expect("loads");
    let keys = element_keys(&model);
    let ids: Vec<&str> = keys.iter().map(|k| k.global_id).collect();
    let report = link_report(&s, &s.links, &ids);
    assert!(report.unknown_global_ids.is_empty() && report.tasks_without_elements.is_empty(), "{report:?}");
    let index = SimIndex::from_links(&s, &s.links, &keys);
    let count = |day: &str, state| index.counts_at(d(day), Basis::Planned).get(state);
    let at = |day: &str| index.counts_at(d(day), Basis::Planned);
    // Before the works: the temporary works and all new work are not started; the old teller
    // line stands.
    let before = at("2025-01-12");
    assert_eq!(
        (before.in_progress, before.demolishing, before.demolished, before.temporary_present),
        (0, 0, 0, 0)
    );
    assert!(before.not_started > 0 && before.complete > 0);
    // Temporary works going up, then standing while the old teller line is demolished.
    assert!(count("2025-01-14", ElementState::InProgress) > 0);
    let demolition = at("2025-01-20");
    assert!(demolition.demolishing > 0 && demolition.temporary_present > 0, "{demolition:?}");
    // The old teller line is gone while the partitions and MEP go in.
    let fit_out = at("2025-02-03");
    assert!(fit_out.demolished > 0 && fit_out.in_progress > 0 && fit_out.demolishing == 0, "{fit_out:?}");
    // After the last task: nothing temporary, nothing running, nothing not started.
    let after = at("2025-02-26");
    assert_eq!(
        (after.not_started, after.in_progress, after.temporary_present, after.demolishing),
        (0, 0, 0, 0)
    );
    assert!(after.demolished > 0);
    assert_eq!(after.complete + after.demolished + after.unscheduled, keys.len());
    // Exact figures of the generated branch (157 physical elements, 50 never scheduled: the
    // accessibility and egress seeds are existing fittings no task touches).
    assert_eq!((before.not_started, before.complete, before.unscheduled), (103, 4, 50));
    assert_eq!((demolition.temporary_present, demolition.demolishing), (3, 4));
    assert_eq!((after.complete, after.demolished), (100, 7));
    println!("branch states: before {before:?}\n  2025-01-20 {demolition:?}\n  2025-02-03 {fit_out:?}\n  after {after:?}");

    // Temporary works carry Plumbline_Phase.Temporary and are temporary in the simulation.
    let marked: Vec<usize> = (0..keys.len()).filter(|&i| keys[i].temporary).collect();
    assert_eq!(marked.len(), 3);
    assert!(marked.iter().all(|&i| index.is_temporary(i)));
}

#[test]
fn time_based_clash_of_the_branch_truth() {
    let p = sample_model("bank-branch.ifc");
    let s = read_schedule(&p).expect("reads");
    let model = load_file(&p, &LoadOptions::default()).expect("loads");
    let keys = element_keys(&model);
    let index = SimIndex::from_links(&s, &s.links, &keys);
    let at = |g: &str| keys.iter().position(|k| k.global_id == g).expect("element in the model");
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.with_extension("truth.json")).expect("truth file"))
            .expect("json");
    let mut checked = 0;
    for c in truth["clashes"].as_array().expect("clashes") {
        if c["kind"] != "time" {
            continue;
        }
        let (a, b) = (at(c["a"].as_str().expect("a")), at(c["b"].as_str().expect("b")));
        assert!(index.is_temporary(a) && !index.is_temporary(b));
        let both = index.coexist(a, b, Basis::Planned).expect("they stand together");
        // The hoarding stands until BR.80 finishes; the partition from BR.30's start.
        assert_eq!(both, Existence { from: Some(d("2025-01-23")), to: Some(d("2025-02-25")) });
        checked += 1;
    }
    for n in truth["non_clashes"].as_array().expect("non-clashes") {
        if !n["why"].as_str().unwrap_or("").contains("temporary removed") {
            continue;
        }
        let (a, b) = (at(n["a"].as_str().expect("a")), at(n["b"].as_str().expect("b")));
        assert_eq!(index.coexist(a, b, Basis::Planned), None, "removed before the other is installed");
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn bad_dates_and_non_ifc_files_are_errors_with_lines() {
    let ifc = "ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n#1=IFCTASKTIME($,$,$,$,'P2D','someday',$,$,$,$,$,$,$,$,$,$,$,$,$,$);\n#2=IFCTASK('0kQOpHTwE5e99oLWZmc_xh',$,'Dig',$,$,'A',$,$,$,.F.,$,#1,.CONSTRUCTION.);\nENDSEC;\nEND-ISO-10303-21;\n";
    let e = read_schedule_bytes(Path::new("bad.ifc"), ifc.as_bytes()).expect_err("bad date").to_string();
    assert!(
        e.starts_with("bad.ifc: line 6: field 'IfcTaskTime.ScheduleStart': cannot read 'someday'"),
        "{e}"
    );
    let e = read_schedule_bytes(Path::new("plan.ifc"), b"<Project/>").expect_err("not IFC").to_string();
    assert!(e.contains("plan.ifc: line 1: not an IFC STEP file"), "{e}");
    let s = read_schedule_bytes(
        Path::new("ok.ifc"),
        ifc.replace("'someday'", "'2025-01-02T08:00:00'").as_bytes(),
    )
    .expect("reads");
    assert_eq!((s.tasks[0].id.as_str(), s.tasks[0].finish), ("A", Some(d("2025-01-03"))));
}

/// A load with a shelf leaves the file's work schedule read from its own scan, the schedule a
/// read of the file gives: the generated hall and branch and the real 4D files; a file without
/// tasks leaves an empty one; a model from the model cache (never scanned) leaves the schedule
/// read from the file's bytes beside the entry's decoding.
#[test]
fn a_load_leaves_the_schedule_a_read_of_the_file_gives() {
    let mut files = vec![sample_model("bank-branch.ifc"), sample_model("datacenter-hall-zh.ifc")];
    files.extend(ifc_file("data-centric-bim/Duplex_House_4D_Complete.ifc"));
    files.extend(ifc_file("bsi-ifc43-samples/construction-scheduling-task.ifc"));
    for path in &files {
        let shelf = Arc::new(ScheduleShelf::new());
        let options = LoadOptions { schedules: Some(shelf.clone()), ..Default::default() };
        load_file(path, &options).expect("loads");
        let loaded = shelf.take(path).expect("the load left its schedule").expect("reads");
        assert!(!loaded.tasks.is_empty(), "{}", path.display());
        assert_eq!(loaded, read_schedule(path).expect("reads"), "{}", path.display());
        assert!(shelf.take(path).is_none(), "handed over once");
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("no-tasks.ifc");
    let ifc = "ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n#1=IFCPROJECT('0xScRe4drECQ4DMSqUjd6d',$,'P',$,$,$,$,$,$);\nENDSEC;\nEND-ISO-10303-21;\n";
    std::fs::write(&plain, ifc).expect("writes");
    let shelf = Arc::new(ScheduleShelf::new());
    let cache = Arc::new(plumbline_cache::ModelCache::new(dir.path().join("cache")));
    let options = LoadOptions { schedules: Some(shelf.clone()), cache: Some(cache), ..Default::default() };
    load_file(&plain, &options).expect("loads");
    assert!(shelf.take(&plain).expect("scanned").expect("reads").tasks.is_empty());
    // The second load comes from the cache and still leaves the (empty) schedule.
    load_file(&plain, &options).expect("loads");
    assert!(shelf.take(&plain).expect("read beside the cache").expect("reads").tasks.is_empty());

    // A file with tasks, loaded twice through the cache: both loads leave what a read gives.
    let branch = dir.path().join("branch.ifc");
    std::fs::copy(sample_model("bank-branch.ifc"), &branch).expect("copies");
    let cache = Arc::new(plumbline_cache::ModelCache::new(dir.path().join("cache-2")));
    let options =
        LoadOptions { schedules: Some(shelf.clone()), cache: Some(cache.clone()), ..Default::default() };
    let read = read_schedule(&branch).expect("reads");
    assert!(!read.tasks.is_empty());
    load_file(&branch, &options).expect("loads");
    assert_eq!(shelf.take(&branch).expect("scanned").expect("reads"), read);
    // The entry the first load left is the one the second load decodes.
    let bytes = std::fs::read(&branch).expect("reads");
    let key = plumbline_cache::CacheKey::of(&bytes, plumbline_ifc::LOADER_REVISION);
    assert!(cache.holds(&key.with_solids()), "the first load left a cache entry");
    load_file(&branch, &options).expect("loads from the cache");
    assert_eq!(shelf.take(&branch).expect("read beside the cache").expect("reads"), read);
}

/// A schedule that cannot be read does not stop its model from loading: the load leaves the
/// reader's error, with the file and line, for the run that looks for the schedule.
#[test]
fn a_bad_schedule_leaves_its_error_and_the_model_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.ifc");
    let ifc = "ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n#1=IFCTASKTIME($,$,$,$,'P2D','someday',$,$,$,$,$,$,$,$,$,$,$,$,$,$);\n#2=IFCTASK('0kQOpHTwE5e99oLWZmc_xh',$,'Dig',$,$,'A',$,$,$,.F.,$,#1,.CONSTRUCTION.);\nENDSEC;\nEND-ISO-10303-21;\n";
    std::fs::write(&path, ifc).expect("writes");
    let shelf = Arc::new(ScheduleShelf::new());
    load_file(&path, &LoadOptions { schedules: Some(shelf.clone()), ..Default::default() }).expect("loads");
    let e = shelf.take(&path).expect("left").expect_err("bad date").to_string();
    let read = read_schedule(&path).expect_err("bad date").to_string();
    assert_eq!(e, read);
    assert!(e.contains("bad.ifc: line 6: field 'IfcTaskTime.ScheduleStart'"), "{e}");
}
