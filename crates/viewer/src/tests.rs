//! Headless tests: the core plugins in an `App` without window or GPU, driven by `app.update()`.
//! All in the library's one test binary (each test binary links Bevy, ~1 GB).

use crate::load_plugin::queue_install;
use crate::meshes::prepare_meshes;
use crate::state::clash::{ClashKey, ClashReview};
use crate::state::config::ViewerConfig;
use crate::state::coords::render_from_world;
use crate::state::load::LoadOutput;
use crate::state::palette::Palette;
use crate::state::scene::{ElementId, ModelScene, Selection, ViewFilter};
use crate::state::section::ElementMaterial;
use crate::state::timeline::Timeline;
use crate::CorePlugin;
use bevy::prelude::*;
use plumbline_model::{ElementRef, ModelSet};
use plumbline_review::{
    ClashRecord, ElementInfo, Group, Grouping, Report, Status, TestReport, Text, Timings,
};
use plumbline_schedule::chrono::NaiveDate;
use std::path::Path;

/// A small generated data hall (one row of two racks, its trays, ducts, pipes and the 4D
/// schedule the generator writes into the file).
pub(crate) fn small_hall() -> (ModelSet, plumbline_schedule::Schedule) {
    let params = plumbline_samples::DatacenterParams { rows: 1, racks_per_row: 2, ..Default::default() };
    let ifc = plumbline_samples::datacenter(&params).ifc.into_bytes();
    let path = Path::new("small-hall.ifc");
    let schedule = plumbline_ifc::schedule::read_schedule_bytes(path, &ifc).expect("schedule of the sample");
    let model =
        plumbline_ifc::load_bytes(path, ifc, &plumbline_ifc::LoadOptions::default()).expect("sample loads");
    (ModelSet { models: vec![model] }, schedule)
}

pub(crate) fn headless_app() -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .init_asset::<ElementMaterial>()
        .add_plugins(CorePlugin);
    app.update();
    app
}

/// Runs frames until the background load has been installed (a minute at most).
fn update_until_loaded(app: &mut App, what: &str) {
    use crate::state::load::{LoadPhase, LoadState};
    let started = std::time::Instant::now();
    loop {
        app.update();
        if matches!(app.world().resource::<LoadState>().phase, LoadPhase::Done { .. }) {
            return;
        }
        assert!(started.elapsed().as_secs() < 60, "{what} did not load");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A report with one clash between two loaded elements.
pub(crate) fn report_between(set: &ModelSet, a: ElementRef, b: ElementRef) -> Report {
    let (ia, ib) = (ElementInfo::from_set(set, a), ElementInfo::from_set(set, b));
    let overlap = ia.aabb.intersection(&ib.aabb).unwrap_or(ia.aabb);
    let clash = ClashRecord {
        id: "c1".into(),
        number: None,
        test: "t".into(),
        test_id: "t".into(),
        kind: plumbline_clash::ClashKind::Hard,
        distance_m: 0.05,
        hard: true,
        exact: true,
        point: overlap.center(),
        overlap_aabb: overlap,
        a: ia.clone(),
        b: ib,
        status: Status::Active,
        group: "g1".into(),
        explanation: Text { en: "A crosses B".into(), zh: "A 穿过 B".into() },
        overlap_volume_m3: None,
        basis: None,
        triage: None,
    };
    let group = Group {
        id: "g1".into(),
        guid: plumbline_review::stable_uuid(&["g1"]),
        test: "t".into(),
        key: ia.global_id.clone(),
        title: Text { en: "one".into(), zh: "一".into() },
        explanation: Text::default(),
        clash_ids: vec!["c1".into()],
        aabb: overlap,
        elements: vec![],
    };
    Report {
        models: vec!["small-hall.ifc".into()],
        grouping: Grouping::Element,
        tests: vec![TestReport {
            info: plumbline_review::TestInfo {
                id: "t".into(),
                name: "t".into(),
                mode: plumbline_clash::ClashKind::Hard,
                tolerance_m: 0.002,
                clearance_m: 0.0,
                zone: None,
                reach: None,
            },
            elements_a: 2,
            elements_b: 2,
            candidate_pairs: 1,
            clashes: vec![clash],
            groups: vec![group],
        }],
        timings: Timings::default(),
    }
}

pub(crate) fn load_into(
    app: &mut App,
    set: ModelSet,
    schedule: Option<plumbline_schedule::Schedule>,
    report: Option<Report>,
) {
    let scene = prepare_meshes(&set);
    let schedule = schedule.map(|schedule| {
        let index = crate::state::timeline::TimelineIndex::build(&schedule, &schedule.links, &set);
        Ok(crate::state::load::LoadedSchedule { schedule, index })
    });
    let out = LoadOutput { set, errors: vec![], scene, report: report.map(Ok), schedule, load_secs: 0.0 };
    queue_install(app.world_mut(), out);
    app.update();
}

/// Each drawn element's visibility and material, by element.
pub(crate) fn looks(app: &mut App) -> Vec<(ElementRef, Visibility, Handle<ElementMaterial>)> {
    let mut q = app.world_mut().query::<(&ElementId, &Visibility, &MeshMaterial3d<ElementMaterial>)>();
    let mut v: Vec<_> = q.iter(app.world()).map(|(id, vis, m)| (id.element, *vis, m.0.clone())).collect();
    v.sort_by_key(|x| x.0);
    v
}

#[test]
fn one_entity_per_drawn_element_and_selection_xray_and_visibility() {
    let (set, _) = small_hall();
    let mut app = headless_app();
    load_into(&mut app, set, None, None);
    let scene = app.world().resource::<ModelScene>();
    let drawn = scene.drawn();
    assert!(drawn > 10, "the small hall draws {drawn} elements");
    let bounds = scene.bounds.expect("bounds");
    // Rebased: the scene's centre is render-space zero.
    let c = render_from_world(scene.origin_m, bounds.center());
    assert!(c.length() < 1e-3);
    let all = looks(&mut app);
    assert_eq!(all.len(), drawn);
    assert!(all.iter().all(|(_, v, _)| *v == Visibility::Inherited));

    // Select one element: it turns the selection colour, nothing else changes.
    let (picked, _, before) = all[3].clone();
    app.world_mut().resource_mut::<Selection>().element = Some(picked);
    app.update();
    let palette_selected = app.world().resource::<Palette>().selected.clone();
    let palette_ghost = app.world().resource::<Palette>().ghost.clone();
    let now = looks(&mut app);
    assert_eq!(now.iter().filter(|x| x.2 == palette_selected).count(), 1);
    assert!(now.iter().any(|x| x.0 == picked && x.2 == palette_selected));
    assert_ne!(before, palette_selected);

    // X-ray: everything else ghosted.
    app.world_mut().resource_mut::<ViewFilter>().xray = true;
    app.update();
    let now = looks(&mut app);
    assert_eq!(now.iter().filter(|x| x.2 == palette_ghost).count(), drawn - 1);

    // Hide the selected element's class: all of that class hidden, the rest shown.
    let class = app.world().resource::<ModelScene>().element(picked).class.clone();
    app.world_mut().resource_mut::<ViewFilter>().hidden_classes.insert(class.clone());
    app.update();
    let scene = app.world().resource::<ModelScene>();
    let expected_hidden = scene.entities.keys().filter(|r| scene.element(**r).class == class).count();
    let now = looks(&mut app);
    assert_eq!(now.iter().filter(|x| x.1 == Visibility::Hidden).count(), expected_hidden);

    // Hiding the file hides everything; showing it again brings the class filter back alone.
    app.world_mut().resource_mut::<ViewFilter>().hidden_files.insert(0);
    app.update();
    assert!(looks(&mut app).iter().all(|x| x.1 == Visibility::Hidden), "the only file hidden");
    app.world_mut().resource_mut::<ViewFilter>().hidden_files.clear();
    app.update();
    assert_eq!(looks(&mut app).iter().filter(|x| x.1 == Visibility::Hidden).count(), expected_hidden);

    // Clearing the selection with x-ray on shows the normal colours again.
    app.world_mut().resource_mut::<ViewFilter>().hidden_classes.clear();
    app.world_mut().resource_mut::<Selection>().element = None;
    app.update();
    let now = looks(&mut app);
    assert!(now.iter().all(|x| x.2 != palette_ghost && x.1 == Visibility::Inherited));
}

#[test]
fn focusing_a_clash_draws_a_red_b_green_and_ghosts_the_rest() {
    let (set, _) = small_hall();
    let mut app = headless_app();
    let drawn: Vec<ElementRef> = prepare_meshes(&set).elements.iter().map(|p| p.element).collect();
    let (a, b) = (drawn[0], drawn[1]);
    let report = report_between(&set, a, b);
    // Through JSON, as the viewer reads it.
    let path = std::env::temp_dir().join(format!("plumbline-viewer-test-{}.json", std::process::id()));
    std::fs::write(&path, report.to_json()).expect("write report");
    let read = crate::load_plugin::read_report(&path).expect("report reads back");
    let _ = std::fs::remove_file(&path);
    assert_eq!(read, report);
    load_into(&mut app, set, None, Some(read));

    let review = app.world().resource::<ClashReview>();
    assert_eq!(review.find("c1"), Some(ClashKey { test: 0, clash: 0 }));
    assert_eq!(review.find("0"), Some(ClashKey { test: 0, clash: 0 }));
    assert_eq!(review.find("1"), None);
    let command = app.world_mut().resource_mut::<ClashReview>().focus(Some(ClashKey { test: 0, clash: 0 }));
    assert!(matches!(command, Some(crate::state::camera::CameraCommand::Review { .. })));
    app.update();
    let p = app.world().resource::<Palette>();
    let (red, green, ghost) = (p.clash_a.clone(), p.clash_b.clone(), p.ghost.clone());
    let now = looks(&mut app);
    assert!(now.iter().any(|x| x.0 == a && x.2 == red));
    assert!(now.iter().any(|x| x.0 == b && x.2 == green));
    assert_eq!(now.iter().filter(|x| x.2 == ghost).count(), now.len() - 2);

    app.world_mut().resource_mut::<ClashReview>().focus(None);
    app.update();
    assert!(looks(&mut app).iter().all(|x| x.2 != ghost && x.2 != red));
}

#[test]
fn the_timeline_hides_future_work_and_plays_forward() {
    let (set, schedule) = small_hall();
    assert!(!schedule.tasks.is_empty(), "the generated hall carries its schedule");
    let mut app = headless_app();
    load_into(&mut app, set, Some(schedule), None);
    let (start, end) = {
        let t = app.world().resource::<Timeline>();
        let d = t.data.as_ref().expect("timeline data");
        assert!(!t.enabled, "4D is off until asked for");
        (d.start, d.end)
    };
    assert!(start < end);
    let drawn = looks(&mut app).len();
    assert!(looks(&mut app).iter().all(|x| x.1 == Visibility::Inherited));

    // On the first day most of the building is not there yet.
    {
        let mut t = app.world_mut().resource_mut::<Timeline>();
        t.enabled = true;
        t.set_day(start);
    }
    app.update();
    let hidden_at_start = looks(&mut app).iter().filter(|x| x.1 == Visibility::Hidden).count();
    assert!(hidden_at_start > drawn / 2, "{hidden_at_start} of {drawn} hidden on day one");

    // At the end everything permanent stands.
    app.world_mut().resource_mut::<Timeline>().set_day(end);
    app.update();
    let hidden_at_end = looks(&mut app).iter().filter(|x| x.1 == Visibility::Hidden).count();
    assert!(hidden_at_end < hidden_at_start);

    // Dates are clamped to the schedule.
    app.world_mut().resource_mut::<Timeline>().set_day(NaiveDate::from_ymd_opt(1990, 1, 1).expect("date"));
    assert_eq!(app.world().resource::<Timeline>().day, start);

    // Playing advances by speed x seconds and stops at the end.
    {
        let mut t = app.world_mut().resource_mut::<Timeline>();
        t.speed_days_per_sec = 10.0;
        t.playing = true;
        t.advance(0.5);
        assert_eq!((t.day - start).num_days(), 5.min((end - start).num_days()));
        t.advance(1.0e6);
        assert_eq!(t.day, end);
        assert!(!t.playing);
    }
}

#[test]
fn a_gantt_task_selects_its_elements_and_late_work_is_highlighted() {
    let (set, mut schedule) = small_hall();
    // The generated schedule has no actual dates: make the first construct task with linked
    // elements start three days late.
    let linked: std::collections::HashSet<&str> = schedule.links.iter().map(|l| l.task_id.as_str()).collect();
    let task = (0..schedule.tasks.len())
        .find(|&i| {
            let k = &schedule.tasks[i];
            !k.summary && k.start.is_some() && linked.contains(k.id.as_str())
        })
        .expect("a linked task");
    let planned_start = schedule.tasks[task].start.expect("planned start");
    schedule.tasks[task].actual_start =
        planned_start.checked_add_days(plumbline_schedule::chrono::Days::new(3));
    let mut app = headless_app();
    load_into(&mut app, set, Some(schedule), None);
    {
        let t = app.world().resource::<Timeline>();
        let d = t.data.as_ref().expect("timeline");
        assert!(d.cpm.is_some(), "the critical path is computed: {:?}", d.cpm_error);
        assert!(d.cpm.as_ref().is_some_and(|c| !c.critical_path.is_empty()));
        assert!(!d.task_elements[task].is_empty(), "the task has loaded elements");
    }

    // Clicking the task's row selects its elements: all drawn in the selection colour.
    let elements =
        app.world().resource::<Timeline>().data.as_ref().expect("timeline").task_elements[task].clone();
    app.world_mut().resource_mut::<Selection>().select_task(task, elements.clone());
    app.update();
    let selected = app.world().resource::<Palette>().selected.clone();
    let now = looks(&mut app);
    let drawn_in_task = now.iter().filter(|x| elements.binary_search(&x.0).is_ok()).count();
    assert!(drawn_in_task > 0);
    assert_eq!(now.iter().filter(|x| x.2 == selected).count(), drawn_in_task);
    app.world_mut().resource_mut::<Selection>().select_element(None);

    // One day after the planned start, the task is behind: listed late, its elements magenta.
    let day = planned_start.checked_add_days(plumbline_schedule::chrono::Days::new(1)).expect("date");
    {
        let mut t = app.world_mut().resource_mut::<Timeline>();
        t.enabled = true;
        t.set_day(day);
        assert_eq!(t.late_by(task), Some(3), "three days behind: {:?}", t.late);
    }
    app.update();
    let late = app.world().resource::<Palette>().late.clone();
    let now = looks(&mut app);
    let late_drawn: Vec<ElementRef> = now.iter().filter(|x| x.2 == late).map(|x| x.0).collect();
    assert!(!late_drawn.is_empty(), "late work is highlighted");
    assert!(late_drawn.iter().all(|r| elements.binary_search(r).is_ok()), "only the late task's elements");

    // The highlight can be switched off; once the work has caught up nothing is late.
    app.world_mut().resource_mut::<Timeline>().highlight_late = false;
    app.update();
    assert!(looks(&mut app).iter().all(|x| x.2 != late));
    app.world_mut().resource_mut::<Timeline>().highlight_late = true;
    let end = app.world().resource::<Timeline>().data.as_ref().expect("timeline").end;
    app.world_mut().resource_mut::<Timeline>().set_day(end);
    app.update();
    assert_eq!(app.world().resource::<Timeline>().late_by(task), None);
    assert!(looks(&mut app).iter().all(|x| x.2 != late));
}

#[test]
fn reviews_go_to_the_clash_history_and_a_group_exports_to_bcf() {
    let (set, _) = small_hall();
    let drawn: Vec<ElementRef> = prepare_meshes(&set).elements.iter().map(|p| p.element).collect();
    let mut report = report_between(&set, drawn[0], drawn[1]);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("plumbline.db");
    {
        let mut store = plumbline_store::Store::open(&db).expect("new history");
        let meta = plumbline_store::RunMeta {
            started_utc: chrono::Utc::now(),
            models: vec!["small-hall.ifc".into()],
            config: None,
        };
        store.record_run(&mut report, &meta).expect("run recorded");
        // Someone reviewed it since the JSON was written: the history wins.
        store.set_status("c1", Status::Reviewed, "Anna Berg", None, chrono::Utc::now()).expect("set");
    }
    let mut app = headless_app();
    app.insert_resource(ViewerConfig {
        db: Some(db.clone()),
        user: Some("Li Wei".into()),
        ..Default::default()
    });
    load_into(&mut app, set, None, Some(report));
    let key = ClashKey { test: 0, clash: 0 };
    {
        let review = app.world().resource::<ClashReview>();
        assert!(review.history.is_some(), "history open: {:?}", review.error);
        assert_eq!(
            review.clash(key).expect("clash").status,
            Status::Reviewed,
            "status read from the history"
        );
    }

    // Approve with a comment: in the report at once, and in the database for everyone.
    app.world_mut()
        .resource_mut::<ClashReview>()
        .set_status(key, Status::Approved, "accepted: tray passes above")
        .expect("saved");
    assert_eq!(app.world().resource::<ClashReview>().clash(key).expect("clash").status, Status::Approved);
    let store = plumbline_store::Store::open(&db).expect("reopen");
    assert_eq!(store.status_of("c1").expect("read"), Some(Status::Approved));
    let last = store.status_history("c1").expect("history").pop().expect("an entry");
    assert_eq!((last.by.as_str(), last.comment.as_deref()), ("Li Wei", Some("accepted: tray passes above")));

    // Without the JSON, the viewer reviews what the history holds open.
    let from_history = crate::load_plugin::report_from_history(&db, None).expect("report from the history");
    let only = &from_history.tests[0].clashes;
    assert_eq!((only.len(), only[0].id.as_str(), only[0].status), (1, "c1", Status::Approved));
    assert!(
        crate::load_plugin::report_from_history(&dir.path().join("typo.db"), None).is_err(),
        "never created"
    );

    // The group to BCF, with a snapshot: one topic that selects A and B and carries the picture.
    let png = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(8, 6).write_to(&mut out, image::ImageFormat::Png).expect("png");
        out.into_inner()
    };
    let out = dir.path().join("group.bcf");
    app.world().resource::<ClashReview>().export_group_bcf(key, Some(png), &out).expect("exported");
    let archive = plumbline_bcf::read(&std::fs::read(&out).expect("bcf written")).expect("readable BCF");
    assert_eq!(archive.topics.len(), 1);
    let topic = &archive.topics[0];
    assert_eq!(
        topic.guid,
        app.world().resource::<ClashReview>().report.as_ref().expect("report").tests[0].groups[0].guid
    );
    let vp = topic.viewpoints.first().expect("a viewpoint");
    assert!(vp.snapshot.is_some(), "the view's snapshot is in the topic");
    assert_eq!(vp.selected.len(), 2, "A and B are selected");

    // Without a history, saving is refused with a reason and nothing else changes.
    let mut bare =
        ClashReview { report: app.world().resource::<ClashReview>().report.clone(), ..Default::default() };
    let e = bare.set_status(key, Status::Resolved, "").expect_err("no history");
    assert!(e.contains("--db"), "{e}");
}

#[test]
fn dropped_files_are_opened_by_kind_and_loaded_in_the_background() {
    use crate::load_plugin::add_files;
    use crate::state::load::OpenFeedback;
    // Classification, without a window.
    let mut config = ViewerConfig::default();
    let errors = add_files(
        &mut config,
        &["a.ifc", "b.IFCZIP", "a.ifc", "run.json", "h.db", "plan.xer", "review.bcf", "notes.txt"]
            .map(std::path::PathBuf::from),
    );
    assert_eq!(config.models, ["a.ifc", "b.IFCZIP"].map(std::path::PathBuf::from), "each model once");
    assert_eq!(config.clashes.as_deref(), Some(Path::new("run.json")));
    assert_eq!(config.db.as_deref(), Some(Path::new("h.db")));
    assert_eq!(config.schedule.as_deref(), Some(Path::new("plan.xer")));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("plumbline bcf import") && errors[1].contains("notes.txt"), "{errors:?}");

    // A file dropped on the window loads like one given on the command line.
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("hall.ifc");
    let params = plumbline_samples::DatacenterParams { rows: 1, racks_per_row: 2, ..Default::default() };
    std::fs::write(&model, plumbline_samples::datacenter(&params).ifc).expect("write model");
    let mut app = headless_app();
    for path in [model.clone(), dir.path().join("notes.txt")] {
        app.world_mut().write_message(bevy::window::FileDragAndDrop::DroppedFile {
            window: Entity::PLACEHOLDER,
            path_buf: path,
        });
    }
    update_until_loaded(&mut app, "the dropped model");
    assert!(app.world().resource::<ModelScene>().drawn() > 10);
    assert_eq!(app.world().resource::<ViewerConfig>().models, [model]);
    assert_eq!(app.world().resource::<OpenFeedback>().errors.len(), 1);
}

/// `main` starts the load before the plugins (beside Bevy's start): the plugins then install
/// that load instead of starting another. (The waker filled after such a start is tested in
/// `load_plugin`: a headless app has no event loop to wake.)
#[test]
fn a_load_started_before_the_plugins_is_the_one_installed() {
    use crate::load_plugin::start_before_window;
    use crate::state::load::{LoadPhase, LoadState};
    let mut nothing = App::new();
    nothing.insert_resource(ViewerConfig::default());
    start_before_window(&mut nothing);
    assert!(nothing.world().get_resource::<LoadState>().is_none(), "nothing to load, nothing started");

    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("hall.ifc");
    let params = plumbline_samples::DatacenterParams { rows: 1, racks_per_row: 2, ..Default::default() };
    std::fs::write(&model, plumbline_samples::datacenter(&params).ifc).expect("write model");
    let mut app = App::new();
    app.insert_resource(ViewerConfig { models: vec![model], ..Default::default() });
    start_before_window(&mut app);
    let state = app.world().resource::<LoadState>();
    assert_eq!(state.phase, LoadPhase::Loading);
    let started = state.started.expect("the load's start");
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .init_asset::<ElementMaterial>()
        .add_plugins(CorePlugin);
    update_until_loaded(&mut app, "the model loaded before the plugins");
    assert_eq!(app.world().resource::<LoadState>().started, Some(started), "the same load, not a second one");
    assert!(app.world().resource::<ModelScene>().drawn() > 10);
}

#[test]
fn the_section_box_reaches_every_element_material_in_render_space() {
    use crate::state::section::SectionBox;
    let (set, _) = small_hall();
    let mut app = headless_app();
    load_into(&mut app, set, None, None);
    let origin = app.world().resource::<ModelScene>().origin_m;
    let uniforms = |app: &App| -> Vec<crate::state::section::SectionUniform> {
        let palette = app.world().resource::<Palette>();
        let materials = app.world().resource::<Assets<ElementMaterial>>();
        palette.all().map(|h| materials.get(h).expect("material").extension.section).collect()
    };
    assert!(uniforms(&app).iter().all(|u| u.min.w == 0.0), "off by default");

    // Cut everything above 2.5 m: the box arrives Y-up and rebased, in every material.
    let bounds = plumbline_model::Aabb {
        min: [origin[0] - 5.0, origin[1] - 4.0, -1.0e9],
        max: [origin[0] + 5.0, origin[1] + 4.0, 2.5],
    };
    *app.world_mut().resource_mut::<SectionBox>() = SectionBox { enabled: true, bounds };
    app.update();
    let all = uniforms(&app);
    assert!(all.len() > 8);
    let top = render_from_world(origin, [0.0, 0.0, 2.5]).y;
    for u in &all {
        assert_eq!(u.min.w, 1.0);
        assert!((u.max.y - top).abs() < 1e-4, "top face at 2.5 m: {u:?}");
        assert!((u.min.x + 5.0).abs() < 1e-4 && (u.max.x - 5.0).abs() < 1e-4, "{u:?}");
        // World Y becomes render -Z.
        assert!((u.min.z + 4.0).abs() < 1e-4 && (u.max.z - 4.0).abs() < 1e-4, "{u:?}");
        assert!(u.min.y < -1.0e6, "a huge bound stays a huge bound: {u:?}");
    }
    app.world_mut().resource_mut::<SectionBox>().enabled = false;
    app.update();
    assert!(uniforms(&app).iter().all(|u| u.min.w == 0.0), "off again");
}

/// Every drawn element, placed as the viewer places it (its shared mesh at its translation),
/// must land on its own world triangles: sharing a mesh never moves or turns an element.
#[test]
fn shared_meshes_put_every_element_on_its_own_triangles() {
    use bevy::mesh::VertexAttributeValues;
    let (mut set, _) = small_hall();
    // Two copies of the first rack-sized element: one moved far (not on the 0.1 mm grid), one
    // turned a quarter about Z. The first must share, the second must not.
    let model = &mut set.models[0];
    let template = model
        .elements
        .iter()
        .find(|e| {
            e.role == plumbline_model::Role::Physical
                && e.mesh.as_ref().is_some_and(|m| {
                    let s = m.aabb.size();
                    (s[0] - s[1]).abs() > 0.1
                })
        })
        .expect("an element longer one way than the other")
        .clone();
    let mesh = template.mesh.clone().expect("mesh");
    let moved = plumbline_model::Mesh::new(
        [mesh.origin_m[0] + 1234.56789, mesh.origin_m[1] - 50.25, mesh.origin_m[2] + 3.0],
        mesh.vertices.clone(),
        mesh.triangles.clone(),
    );
    let turned = plumbline_model::Mesh::new(
        mesh.origin_m,
        mesh.vertices.iter().map(|v| [-v[1], v[0], v[2]]).collect(),
        mesh.triangles.clone(),
    );
    for (n, m) in [("moved", moved), ("turned", turned)] {
        let mut e = template.clone();
        e.global_id = format!("copy-{n}");
        e.mesh = Some(m);
        model.elements.push(e);
    }
    let prepared = prepare_meshes(&set);
    assert!(prepared.meshes.len() < prepared.elements.len(), "identical racks share meshes");
    let mesh_of = |gid: &str| {
        prepared.elements.iter().find(|p| set.element(p.element).global_id == gid).expect("drawn").mesh
    };
    assert_eq!(mesh_of(&template.global_id), mesh_of("copy-moved"));
    assert_ne!(mesh_of(&template.global_id), mesh_of("copy-turned"));
    for p in &prepared.elements {
        let e = set.element(p.element);
        let m = e.mesh.as_ref().expect("drawn elements have meshes");
        let mesh = &prepared.meshes[p.mesh];
        let Some(VertexAttributeValues::Float32x3(vertices)) = mesh.attribute(Mesh::ATTRIBUTE_POSITION)
        else {
            panic!("positions")
        };
        let Some(bevy::mesh::Indices::U32(indices)) = mesh.indices() else { panic!("indices") };
        let positions: Vec<[f32; 3]> = indices.iter().map(|&i| vertices[i as usize]).collect();
        let own: Vec<Vec3> = m
            .triangles
            .iter()
            .flatten()
            .map(|&i| render_from_world(prepared.origin_m, m.world_vertex(i)))
            .collect();
        assert_eq!(positions.len(), own.len(), "{}", e.global_id);
        for (drawn, own) in positions.iter().zip(&own) {
            let at = Vec3::from_array(*drawn) + p.translation;
            assert!(at.distance(*own) < 2.0e-4, "{}: drawn at {at}, belongs at {own}", e.global_id);
        }
    }
}

#[test]
fn files_picked_in_the_open_dialog_load_and_a_cancel_opens_nothing() {
    use crate::dialog_plugin::FileDialog;
    use crate::load_plugin::add_files;
    use crate::state::load::{LoadPhase, LoadState, CLASH_EXTENSIONS, MODEL_EXTENSIONS, SCHEDULE_EXTENSIONS};
    // The dialog's filters offer exactly what the viewer opens.
    for ext in MODEL_EXTENSIONS.iter().chain(CLASH_EXTENSIONS).chain(SCHEDULE_EXTENSIONS) {
        let mut config = ViewerConfig::default();
        let errors = add_files(&mut config, &[std::path::PathBuf::from(format!("x.{ext}"))]);
        assert!(errors.is_empty(), "{ext}: {errors:?}");
    }

    let mut app = headless_app();
    // Cancelled (or no dialog on this system): the dialog closes, nothing loads.
    let (tx, rx) = std::sync::mpsc::channel();
    app.insert_resource(FileDialog::waiting_on(rx));
    app.update();
    assert!(app.world().resource::<FileDialog>().is_open(), "still waiting for the user");
    tx.send(None).expect("send");
    app.update();
    assert!(!app.world().resource::<FileDialog>().is_open());
    assert_eq!(app.world().resource::<LoadState>().phase, LoadPhase::Idle);

    // Picked: the model loads like one given on the command line.
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("picked.ifc");
    let params = plumbline_samples::DatacenterParams { rows: 1, racks_per_row: 2, ..Default::default() };
    std::fs::write(&model, plumbline_samples::datacenter(&params).ifc).expect("write model");
    let (tx, rx) = std::sync::mpsc::channel();
    app.insert_resource(FileDialog::waiting_on(rx));
    tx.send(Some(vec![model.clone()])).expect("send");
    update_until_loaded(&mut app, "the picked model");
    assert!(!app.world().resource::<FileDialog>().is_open());
    assert_eq!(app.world().resource::<ViewerConfig>().models, [model]);
    assert!(app.world().resource::<ModelScene>().drawn() > 10);
}

/// `--config rules.toml`: the rule matrix runs on the models as they load, finds exactly the
/// clashes the generator seeded (time tests included: they read the model's own 4D schedule),
/// and with `--db` the run is recorded so a review written in the viewer survives the next run.
#[test]
fn a_rule_matrix_runs_on_load_and_reviews_survive_the_next_run() {
    use crate::load_plugin::load_now;
    use crate::state::clash::ReportSource;
    use crate::state::load::LoadWatch;
    use std::collections::BTreeSet;
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("hall.ifc");
    let params = plumbline_samples::DatacenterParams { rows: 2, racks_per_row: 4, ..Default::default() };
    let generated = plumbline_samples::datacenter(&params);
    std::fs::write(&model, &generated.ifc).expect("write model");
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/rules/datacenter.toml");
    let db = dir.path().join("history.db");
    drop(plumbline_store::Store::open(&db).expect("a new history"));
    let config =
        ViewerConfig { models: vec![model], rules: Some(rules), db: Some(db.clone()), ..Default::default() };

    let watch = LoadWatch::default();
    let out = load_now(&config, &watch);
    // The progress line went through every stage; the file's geometry was all made.
    assert_eq!(watch.files_done.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(watch.geometry.fraction(), 1.0);
    assert_eq!(watch.stage(), crate::state::load::LoadStage::Clashes);
    let report = out.report.as_ref().expect("a report").as_ref().expect("the rules ran").clone();
    let pair = |test: &str, a: &str, b: &str| {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        (test.to_string(), a.to_string(), b.to_string())
    };
    let found: BTreeSet<_> =
        report.clashes().map(|c| pair(&c.test_id, &c.a.global_id, &c.b.global_id)).collect();
    let seeded: BTreeSet<_> = generated.truth.clashes.iter().map(|c| pair(&c.test, &c.a, &c.b)).collect();
    assert!(!seeded.is_empty());
    assert_eq!(found, seeded);
    assert!(report.clashes().any(|c| c.kind == plumbline_clash::ClashKind::Time), "time tests saw the 4D");

    // Installed: the Clashes tab names the rules, a review goes to the history.
    let mut app = headless_app();
    app.insert_resource(config.clone());
    queue_install(app.world_mut(), out);
    app.update();
    // The model's 4D schedule was indexed on the loading thread: as one built from the scene.
    {
        let loaded = app.world().resource::<Timeline>().data.as_ref().expect("the model's 4D schedule");
        let scene = app.world().resource::<ModelScene>();
        let rebuilt =
            Timeline::new(loaded.schedule.clone(), &loaded.schedule.links, scene).expect("dated tasks");
        let rebuilt = rebuilt.data.as_ref().expect("a schedule");
        assert!(loaded.linked_elements > 0);
        assert_eq!(loaded.linked_elements, rebuilt.linked_elements);
        assert_eq!(loaded.task_elements, rebuilt.task_elements);
        assert_eq!(loaded.index.len(), rebuilt.index.len());
        let middle = loaded.start + (loaded.end - loaded.start) / 2;
        for i in 0..loaded.index.len() {
            let basis = plumbline_schedule::Basis::Planned;
            assert_eq!(
                loaded.index.state(i, middle, basis),
                rebuilt.index.state(i, middle, basis),
                "element {i}"
            );
        }
    }
    let first = report.clashes().next().expect("a clash").id.clone();
    {
        let mut review = app.world_mut().resource_mut::<ClashReview>();
        assert!(matches!(review.source, Some(ReportSource::Rules(_))));
        let key = review.find(&first).expect("the clash");
        review.set_status(key, plumbline_review::Status::Approved, "sleeve detail agreed").expect("saved");
    }

    // The next run (the models reloaded) finds the clash again and keeps its review.
    let out = load_now(&config, &LoadWatch::default());
    queue_install(app.world_mut(), out);
    app.update();
    let review = app.world().resource::<ClashReview>();
    let again = review.find(&first).and_then(|k| review.clash(k)).expect("found again");
    assert_eq!(again.status, plumbline_review::Status::Approved);
    let store = plumbline_store::Store::open(&db).expect("history");
    assert_eq!(store.status_of(&first).expect("status"), Some(plumbline_review::Status::Approved));
    assert_eq!(store.history().expect("runs").len(), 2, "each load recorded one run");
    drop(store);

    // A rule file with a mistake is named in the Clashes tab, and records nothing.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[test]]\nname = \"x\"\nclearence_mm = 5\n").expect("write rules");
    let mut dropped = ViewerConfig { db: Some(db.clone()), ..config.clone() };
    assert!(
        crate::load_plugin::add_files(&mut dropped, std::slice::from_ref(&bad)).is_empty(),
        "a .toml is clash rules"
    );
    assert_eq!(dropped.rules.as_deref(), Some(bad.as_path()));
    let out = load_now(&dropped, &LoadWatch::default());
    let error = out.report.expect("an answer").expect_err("the rules do not parse");
    assert!(error.contains("bad.toml") && error.contains("clearence_mm"), "{error}");
    let store = plumbline_store::Store::open(&db).expect("history");
    assert_eq!(store.history().expect("runs").len(), 2);
}

#[test]
fn isolating_a_storey_or_a_class_shows_only_it() {
    use std::sync::Arc;
    let (mut set, _) = small_hall();
    // A second storey: the generated hall has one.
    let upper: Arc<str> = Arc::from("Level 2");
    let mut moved = 0;
    for e in set.models[0].elements.iter_mut().filter(|e| e.class == "IfcCableCarrierSegment") {
        e.storey = Some(upper.clone());
        moved += 1;
    }
    assert!(moved > 0);
    let mut app = headless_app();
    app.insert_resource(ViewerConfig { isolate_storey: Some("Level 2".into()), ..Default::default() });
    load_into(&mut app, set, None, None);
    let scene = app.world().resource::<ModelScene>();
    let storeys = scene.storeys.clone();
    let classes = scene.classes.clone();
    let storey_of = |app: &App, r: ElementRef| {
        app.world().resource::<ModelScene>().element(r).storey.as_deref().map(str::to_owned)
    };
    // --storey "Level 2" at load: only its elements are shown.
    let shown: Vec<ElementRef> =
        looks(&mut app).into_iter().filter(|x| x.1 == Visibility::Inherited).map(|x| x.0).collect();
    assert_eq!(shown.len(), moved);
    assert!(shown.iter().all(|&r| storey_of(&app, r).as_deref() == Some("Level 2")));

    // Isolate the other storey from the tree.
    app.world_mut().resource_mut::<ViewFilter>().isolate_storey("Level 1", storeys.keys());
    app.update();
    let now = looks(&mut app);
    let shown: Vec<_> = now.iter().filter(|x| x.1 == Visibility::Inherited).collect();
    assert_eq!(shown.len(), now.len() - moved);
    assert!(shown.iter().all(|x| storey_of(&app, x.0).as_deref() == Some("Level 1")));

    // Isolate a class (storeys as they are): only its elements on the shown storey.
    app.world_mut().resource_mut::<ViewFilter>().isolate_class("IfcSlab", classes.keys());
    app.update();
    let now = looks(&mut app);
    let scene = app.world().resource::<ModelScene>();
    let shown: Vec<_> = now.iter().filter(|x| x.1 == Visibility::Inherited).collect();
    assert_eq!(shown.len(), classes["IfcSlab"]);
    assert!(shown.iter().all(|x| scene.element(x.0).class == "IfcSlab"));
}

#[test]
fn palette_pipelines_are_warmed_up_before_a_load_and_the_stand_ins_go_with_it() {
    use crate::scene_plugin::PipelineWarmup;
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .init_asset::<ElementMaterial>()
        .add_plugins(CorePlugin);
    app.world_mut().spawn(Camera3d::default());
    app.update();
    let materials = app.world().resource::<Palette>().all().count();
    let mut warm = app.world_mut().query_filtered::<Entity, With<PipelineWarmup>>();
    assert_eq!(warm.iter(app.world()).count(), materials, "one stand-in per palette material");
    let (set, _) = small_hall();
    load_into(&mut app, set, None, None);
    assert_eq!(warm.iter(app.world()).count(), 0, "gone once the model is drawn");
}
