//! Headless tests of saved viewpoints and redlines: save → reload → apply, the views file
//! (atomic, a corrupt one left untouched), the last view restored on the next start, BCF out
//! and back, and the redline tools driven through egui as a pointer drives them.

use crate::state::camera::{CameraCommand, OrbitCamera};
use crate::state::config::ViewerConfig;
use crate::state::redline::{RedlineSet, RedlineShape, RedlineTool, Redlining, REDLINE_RED};
use crate::state::scene::{ModelScene, Selection, ViewFilter};
use crate::state::section::SectionBox;
use crate::state::viewpoint::{capture, read_views, views_path, SavedView, ViewBook, ViewChanges, ViewNow};
use crate::state::viewpoint_bcf::{section_from_planes, topic_of, views_of};
use crate::tests::{headless_app, load_into, small_hall};
use crate::viewpoint_plugin::{LastViewTracker, PendingView};
use crate::CorePlugin;
use bevy::prelude::*;
use bevy_egui::egui;
use plumbline_model::{Aabb, ElementRef, ModelSet};
use std::path::{Path, PathBuf};

const FOV: f32 = std::f32::consts::FRAC_PI_4;

/// The small hall, its model file written into `dir` (views are kept beside a model file).
pub(crate) fn hall_in(dir: &Path) -> (ModelSet, PathBuf) {
    let (mut set, _) = small_hall();
    let path = dir.join("small-hall.ifc");
    std::fs::write(&path, "ISO-10303-21; (a stand-in: the set is loaded from memory)").expect("write model");
    set.models[0].path = path.to_string_lossy().into_owned();
    (set, path)
}

/// A headless app with `config`, the hall loaded, and an orbit camera.
pub(crate) fn app_with(config: ViewerConfig, set: ModelSet) -> App {
    let mut app = App::new();
    app.insert_resource(config)
        .add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .init_asset::<crate::state::section::ElementMaterial>()
        .add_plugins(CorePlugin);
    app.world_mut().spawn((
        OrbitCamera::default(),
        Projection::Perspective(PerspectiveProjection { fov: FOV, ..default() }),
    ));
    app.update();
    load_into(&mut app, set, None, None);
    for _ in 0..3 {
        app.update();
    }
    app
}

pub(crate) fn drawn(app: &App) -> Vec<ElementRef> {
    let mut v: Vec<ElementRef> = app.world().resource::<ModelScene>().entities.keys().copied().collect();
    v.sort();
    v
}

/// The view set up in `app` now, captured as `name`.
pub(crate) fn capture_now(app: &mut App, name: &str) -> SavedView {
    let orbit = *app.world_mut().query::<&OrbitCamera>().single(app.world()).expect("camera");
    let w = app.world();
    let now = ViewNow {
        scene: w.resource::<ModelScene>(),
        orbit: &orbit,
        fov_y: FOV,
        section: w.resource::<SectionBox>(),
        filter: w.resource::<ViewFilter>(),
        selection: w.resource::<Selection>(),
        redlines: &w.resource::<Redlining>().set,
        timeline: w.resource::<crate::state::timeline::Timeline>(),
        colouring: w.resource::<crate::state::colour::Colouring>(),
        review: w.resource::<crate::state::clash::ClashReview>(),
    };
    capture(&now, name, "2026-12-05T09:30:00Z")
}

/// A view to save: a camera off the default, a section box, IfcSlab hidden, x-ray, two
/// elements selected and an arrow with a note drawn at the camera.
fn set_up_a_view(app: &mut App) -> (OrbitCamera, SectionBox, ViewFilter, Selection) {
    let orbit = OrbitCamera { focus: Vec3::new(1.5, 0.5, -2.0), yaw: 0.7, pitch: 0.35, distance: 12.0 };
    *app.world_mut().query::<&mut OrbitCamera>().single_mut(app.world_mut()).expect("camera") = orbit;
    let bounds = app.world().resource::<ModelScene>().bounds.expect("bounds");
    let section =
        SectionBox { enabled: true, bounds: Aabb { max: [bounds.max[0], bounds.max[1], 2.5], ..bounds } };
    let filter =
        ViewFilter { hidden_classes: ["IfcSlab".to_string()].into(), xray: true, ..Default::default() };
    let d = drawn(app);
    let selection = Selection { element: None, task: None, group: vec![d[0], d[3]] };
    *app.world_mut().resource_mut::<SectionBox>() = section;
    *app.world_mut().resource_mut::<ViewFilter>() = filter.clone();
    *app.world_mut().resource_mut::<Selection>() = selection.clone();
    let mut r = app.world_mut().resource_mut::<Redlining>();
    r.begin_at(orbit, 1.6);
    r.tool = RedlineTool::Arrow;
    r.press([0.3, 0.3]);
    r.release([0.5, 0.5]);
    r.tool = RedlineTool::Text;
    r.press([0.52, 0.5]);
    r.typing.as_mut().expect("typing").1 = "tray 200 mm up".into();
    r.commit_text();
    (orbit, section, filter, selection)
}

pub(crate) fn camera_commands(app: &mut App) -> Vec<CameraCommand> {
    let mut cursor = app.world_mut().resource_mut::<Messages<CameraCommand>>().get_cursor();
    cursor.read(app.world().resource::<Messages<CameraCommand>>()).cloned().collect()
}

#[test]
fn a_saved_view_reloads_from_its_file_and_gives_back_camera_section_visibility_selection_and_redlines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, model) = hall_in(dir.path());
    let mut app = app_with(ViewerConfig::default(), set);
    let file = views_path(&model);
    assert_eq!(file, dir.path().join("small-hall.ifc.plumbline-views.json"));
    assert_eq!(app.world().resource::<ViewBook>().path.as_deref(), Some(file.as_path()));

    let (orbit, section, filter, selection) = set_up_a_view(&mut app);
    let view = capture_now(&mut app, " Plant room ");
    assert_eq!(view.name, "Plant room", "the name is trimmed");
    assert_eq!(view.redlines.items.len(), 2);
    app.world_mut().resource_mut::<ViewBook>().save(view.clone()).expect("saved");
    let text = std::fs::read_to_string(&file).expect("the file is written");
    assert!(text.trim_start().starts_with("{\n  \"schema_version\": 1"), "{text}");
    assert!(!dir.path().read_dir().expect("dir").any(|e| e
        .expect("entry")
        .file_name()
        .to_string_lossy()
        .contains("tmp")));

    // Everything put back to the start, then the view read from the file and applied.
    *app.world_mut().resource_mut::<SectionBox>() = SectionBox::default();
    *app.world_mut().resource_mut::<ViewFilter>() = ViewFilter::default();
    *app.world_mut().resource_mut::<Selection>() = Selection::default();
    app.world_mut().resource_mut::<Redlining>().clear();
    let reread = ViewBook::open(file.clone(), vec!["small-hall.ifc".into()]);
    assert_eq!(reread.error, None);
    let back = reread.find("Plant room").expect("the view is in the file").clone();
    assert_eq!(SavedView { camera: view.camera, ..back.clone() }, view, "the file keeps the view");
    let close = |a: [f64; 3], b: [f64; 3]| (0..3).all(|i| (a[i] - b[i]).abs() < 1e-12);
    assert!(close(back.camera.position_m, view.camera.position_m) && close(back.camera.up, view.camera.up));
    assert!(close(back.camera.direction, view.camera.direction));
    let _ = camera_commands(&mut app);
    app.world_mut().resource_mut::<PendingView>().view = Some(back.clone());
    app.update();
    assert_eq!(*app.world().resource::<SectionBox>(), section);
    assert_eq!(*app.world().resource::<ViewFilter>(), filter);
    assert_eq!(*app.world().resource::<Selection>(), selection);
    let commands = camera_commands(&mut app);
    let Some(CameraCommand::Review { camera, target_m }) = commands.last() else {
        panic!("the camera is asked to go to the view: {commands:?}")
    };
    // What the camera plugin makes of the request is the pose the view was saved at.
    let origin = app.world().resource::<ModelScene>().origin_m;
    let pose = OrbitCamera::from_review(origin, camera, *target_m, FOV);
    assert!(crate::state::redline::same_pose(&pose, &orbit), "{pose:?} vs {orbit:?}");
    let redlining = app.world().resource::<Redlining>();
    assert_eq!(redlining.set.items, view.redlines.items);
    assert!(redlining.shown_at(&orbit), "the redlines show at the view's camera");
    assert_eq!(redlining.set.texts(), ["tray 200 mm up"]);

    // A second save under the same name replaces it; a delete removes it from the file.
    let mut book = reread;
    book.save(SavedView { xray: false, ..back.clone() }).expect("replaced");
    book.save(SavedView { name: "Another".into(), ..back }).expect("saved");
    let file_now = read_views(&file).expect("readable");
    assert_eq!(file_now.views.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["Another", "Plant room"]);
    assert!(!file_now.views[1].xray);
    book.delete("Another").expect("deleted");
    assert_eq!(read_views(&file).expect("readable").views.len(), 1);
}

#[test]
fn two_viewers_on_one_model_keep_each_others_views() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("m.ifc.plumbline-views.json");
    let (mut a, mut b) = (ViewBook::open(file.clone(), vec![]), ViewBook::open(file.clone(), vec![]));
    let dir2 = tempfile::tempdir().expect("temp dir");
    let (set, _) = hall_in(dir2.path());
    let mut app = app_with(ViewerConfig::default(), set);
    let view = capture_now(&mut app, "one");
    a.save(view.clone()).expect("a saves");
    b.save(SavedView { name: "two".into(), ..view }).expect("b saves");
    // b re-read the file before writing: a's view is still there, and b's list has both.
    let names: Vec<String> = read_views(&file).expect("readable").views.into_iter().map(|v| v.name).collect();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(b.views.len(), 2);
}

#[test]
fn a_corrupt_or_newer_views_file_is_reported_and_never_overwritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, model) = hall_in(dir.path());
    let file = views_path(&model);
    let corrupt = b"{\"schema_version\": 1, \"views\": [ {\"name\": \"half a view".to_vec();
    std::fs::write(&file, &corrupt).expect("write");
    let mut app = app_with(ViewerConfig::default(), set);
    let book = app.world().resource::<ViewBook>().clone();
    let error = book.error.clone().expect("the file is reported");
    assert!(error.contains("small-hall.ifc.plumbline-views.json") && error.contains("line 1"), "{error}");
    assert!(!book.writable());
    // Saving keeps the view for the session, says why it is not in the file, and leaves the
    // file as it was.
    let view = capture_now(&mut app, "kept in memory");
    let mut book = app.world_mut().resource_mut::<ViewBook>();
    assert!(book.save(view).is_err());
    assert_eq!(book.views.len(), 1);
    let first = book.views[0].clone();
    assert!(book.set_last(first).is_err());
    assert_eq!(std::fs::read(&file).expect("still there"), corrupt);
    // The last view is not written over it on exit either.
    app.world_mut().write_message(AppExit::Success);
    app.update();
    assert_eq!(std::fs::read(&file).expect("still there"), corrupt);

    // A file from a newer Plumbline is left alone too.
    let newer = br#"{"schema_version": 99, "views": []}"#;
    std::fs::write(&file, newer).expect("write");
    let mut book = ViewBook::open(file.clone(), vec![]);
    assert!(book.error.as_deref().is_some_and(|e| e.contains("newer")), "{:?}", book.error);
    assert!(book.delete("x").is_err());
    assert_eq!(std::fs::read(&file).expect("still there"), newer);

    // A file that turns bad after it was opened is not overwritten either.
    std::fs::remove_file(&file).expect("remove");
    let mut book = ViewBook::open(file.clone(), vec![]);
    assert!(book.writable());
    std::fs::write(&file, b"not json").expect("write");
    let view = book.views.first().cloned();
    assert!(view.is_none());
    assert!(book.delete("anything").is_err());
    assert_eq!(std::fs::read(&file).expect("still there"), b"not json");
    assert!(!book.writable(), "and the book stops writing it");
}

#[test]
fn the_last_view_is_restored_on_the_next_start_unless_the_command_line_chooses_a_view() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, model) = hall_in(dir.path());
    let file = views_path(&model);
    // The models come from `load_into`, as a load would install them (the configuration's own
    // load would read the stand-in file).
    let config = ViewerConfig::default();

    // First run: the view is set up; it is recorded once it has stood still, and on exit.
    let mut app = app_with(config.clone(), set.clone());
    app.world_mut().resource_mut::<LastViewTracker>().debounce_secs = 0.0;
    let (orbit, section, filter, _) = set_up_a_view(&mut app);
    app.update();
    app.update();
    let last = read_views(&file).expect("readable").last_view.expect("the last view is recorded");
    assert_eq!(last.models, ["small-hall.ifc"]);
    assert_eq!(last.view.hidden_classes, filter.hidden_classes);
    let saved_view = capture_now(&mut app, "Saved");
    app.world_mut().resource_mut::<ViewBook>().save(saved_view).expect("saved");
    // A late change is written on exit.
    app.world_mut().resource_mut::<LastViewTracker>().debounce_secs = 1.0e6;
    app.world_mut().resource_mut::<ViewFilter>().hidden_storeys.insert("Level 1".into());
    app.update();
    app.world_mut().write_message(AppExit::Success);
    app.update();
    let last = read_views(&file).expect("readable").last_view.expect("recorded on exit");
    assert!(last.view.hidden_storeys.contains("Level 1"));
    drop(app);

    // Next start on the same model: the view comes back.
    let app = app_with(config.clone(), set.clone());
    let filter_back = ViewFilter { hidden_storeys: ["Level 1".to_string()].into(), ..filter.clone() };
    assert_eq!(*app.world().resource::<ViewFilter>(), filter_back);
    assert_eq!(*app.world().resource::<SectionBox>(), section);
    assert!(app.world().resource::<Redlining>().shown_at(&orbit), "the redlines come back with the camera");
    assert!(app.world().resource::<ViewBook>().message.as_ref().is_some_and(|(ok, _)| *ok));

    // --focus-clash or another option that chooses a view: no restore.
    for chosen in [
        ViewerConfig { focus_clash: Some("0".into()), ..config.clone() },
        ViewerConfig { hide_classes: vec!["IfcWall".into()], ..config.clone() },
    ] {
        let app = app_with(chosen, set.clone());
        assert!(!app.world().resource::<SectionBox>().enabled);
        assert!(!app.world().resource::<ViewFilter>().xray);
    }
    // --viewpoint NAME goes to that view instead.
    let app = app_with(ViewerConfig { viewpoint: Some("Saved".into()), ..config.clone() }, set.clone());
    assert_eq!(*app.world().resource::<ViewFilter>(), filter, "the saved view, not the last one");
    // A batch run neither restores nor records.
    let before = std::fs::read(&file).expect("file");
    let mut app =
        app_with(ViewerConfig { screenshot: Some(dir.path().join("x.png")), ..config.clone() }, set.clone());
    assert_eq!(*app.world().resource::<ViewFilter>(), ViewFilter::default());
    app.world_mut().resource_mut::<ViewFilter>().xray = false;
    app.world_mut().write_message(AppExit::Success);
    app.update();
    assert_eq!(std::fs::read(&file).expect("file"), before);
    // Other models: the last view is theirs only.
    let mut other = set;
    let second = dir.path().join("mep.ifc");
    std::fs::write(&second, "stand-in").expect("write");
    let mut mep = other.models[0].clone();
    mep.path = second.to_string_lossy().into_owned();
    other.models.push(mep);
    let app = app_with(ViewerConfig::default(), other);
    assert_eq!(*app.world().resource::<ViewFilter>(), ViewFilter::default());
}

#[test]
fn an_unknown_viewpoint_name_fails_a_batch_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, _) = hall_in(dir.path());
    let config = ViewerConfig {
        viewpoint: Some("Nope".into()),
        screenshot: Some(dir.path().join("x.png")),
        ..Default::default()
    };
    let mut app = app_with(config, set);
    let message = app.world().resource::<ViewBook>().message.clone().expect("a message");
    assert!(!message.0 && message.1.contains("Nope"), "{message:?}");
    let exits: Vec<AppExit> = app.world_mut().resource_mut::<Messages<AppExit>>().drain().collect();
    assert!(exits.iter().any(|e| e.is_error()), "{exits:?}");
}

#[test]
fn views_go_to_bcf_and_come_back_with_camera_selection_visibility_and_section() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, _) = hall_in(dir.path());
    let mut app = app_with(ViewerConfig::default(), set);
    let (orbit, section, filter, selection) = set_up_a_view(&mut app);
    let view = capture_now(&mut app, "Riser");
    let scene = app.world().resource::<ModelScene>();
    let topic = topic_of(&view, scene, None);
    assert!(topic.description.contains("tray 200 mm up"), "redline texts travel in the description");
    // IfcSlab hidden: the slabs are the visibility exceptions of a visible default.
    assert!(topic.default_visibility);
    let slabs = scene.entities.keys().filter(|r| scene.element(**r).class == "IfcSlab").count();
    assert_eq!(topic.visibility_exceptions.len(), slabs);
    // Only the top of the box cuts the model: the other sides lie beyond it and are left out.
    assert_eq!(topic.clipping_planes.len(), 1, "{:?}", topic.clipping_planes);
    assert_eq!(topic.clipping_planes[0].direction, [0.0, 0.0, 1.0]);

    let options = plumbline_bcf::ViewExportOptions {
        version: plumbline_bcf::BcfVersion::V2_1,
        author: "me@example.com",
        date_utc: plumbline_bcf::UtcDateTime::parse("2026-12-06T10:00:00Z").expect("date"),
    };
    let bytes = plumbline_bcf::write_views(&[topic], &options).expect("written");
    let archive = plumbline_bcf::read(&bytes).expect("read back");
    let (views, notes) = views_of(&archive, scene, "2026-12-06T10:00:00Z");
    assert_eq!(notes, Default::default());
    let back = &views[0];
    assert_eq!(back.name, "Riser");
    assert_eq!(back.guid, view.guid, "a re-import finds the same view");
    assert_eq!(back.hidden_classes, filter.hidden_classes);
    assert!(back.hidden_storeys.is_empty() && back.hidden_files.is_empty());
    assert_eq!(back.selected, view.selected);
    let b = back.section_box.expect("a section box");
    assert_eq!(b.max[2], section.bounds.max[2], "the cut height comes back");
    let changes = ViewChanges::of(back, scene, FOV);
    assert_eq!(changes.selection, selection);
    assert!(changes.section.enabled);
    // The camera's eye and direction come back; the orbit centre is chosen anew.
    let eye = |o: &OrbitCamera| o.focus + o.offset_dir() * o.distance;
    assert!((eye(&changes.pose) - eye(&orbit)).length() < 1e-3, "{:?} vs {:?}", changes.pose, orbit);
    assert!((changes.pose.offset_dir() - orbit.offset_dir()).length() < 1e-4);
    assert!(!changes.filter.xray, "BCF has no x-ray");

    // Another tool's view: an orthogonal plan with one storey shown, skewed and axis planes.
    let first = scene.entities.keys().next().copied().expect("an element");
    let storey = scene.element(first).storey.as_deref().unwrap_or("").to_string();
    let shown: Vec<String> = scene
        .entities
        .keys()
        .filter(|r| scene.element(**r).storey.as_deref().unwrap_or("") == storey)
        .map(|r| scene.element(*r).global_id.clone())
        .collect();
    let plan = plumbline_bcf::ViewTopic {
        guid: "plan".into(),
        title: "Plan".into(),
        description: String::new(),
        created: None,
        camera: plumbline_bcf::ViewCamera::Orthogonal(plumbline_bcf::OrthogonalCamera {
            position: [0.0, 0.0, 40.0],
            direction: [0.0, 0.0, -1.0],
            up: [0.0, 1.0, 0.0],
            view_to_world_scale: 30.0,
        }),
        selected: vec!["0000000000000000000000".into()],
        default_visibility: false,
        visibility_exceptions: shown,
        colored: vec![],
        clipping_planes: vec![
            plumbline_bcf::ClippingPlane { location: [0.0, 0.0, 3.0], direction: [0.0, 0.0, 1.0] },
            plumbline_bcf::ClippingPlane { location: [0.0, 0.0, 0.0], direction: [0.6, 0.8, 0.0] },
        ],
        files: vec![],
        snapshot: None,
    };
    let archive =
        plumbline_bcf::read(&plumbline_bcf::write_views(&[plan], &options).expect("written")).expect("read");
    let (views, notes) = views_of(&archive, scene, "2026-12-06T10:00:00Z");
    assert_eq!(notes.skewed_planes, 1);
    assert_eq!(notes.unknown_selected, 1);
    let plan = &views[0];
    assert_eq!(plan.camera.direction, [0.0, 0.0, -1.0]);
    assert!(plan.camera.position_m[2] > 40.0, "backed off to see 30 m in perspective");
    assert_eq!(plan.section_box.map(|b| b.max[2]), Some(3.0));
    // Every storey but the shown one hidden (the hall has one storey: nothing hidden).
    assert!(!plan.hidden_storeys.contains(&storey));
}

#[test]
fn clipping_planes_make_a_section_box_where_they_can() {
    let models = Aabb { min: [0.0, 0.0, 0.0], max: [10.0, 20.0, 6.0] };
    let cut = Aabb { min: [2.0, -100.0, 1.0], max: [8.0, 100.0, 3.0] };
    let planes = crate::state::viewpoint_bcf::clipping_planes_of(&cut, Some(&models));
    assert_eq!(planes.len(), 4, "the y sides beyond the models are left out: {planes:?}");
    let (back, skipped) = section_from_planes(&planes, Some(&models));
    let back = back.expect("a box");
    assert_eq!(skipped, 0);
    assert_eq!((back.min[0], back.max[0], back.min[2], back.max[2]), (2.0, 8.0, 1.0, 3.0));
    assert_eq!((back.min[1], back.max[1]), (-1.0, 21.0), "an open side stays past the models");
    // Planes that leave nothing, or none at all: no box.
    let inside_out = [
        plumbline_bcf::ClippingPlane { location: [0.0, 0.0, 1.0], direction: [0.0, 0.0, 1.0] },
        plumbline_bcf::ClippingPlane { location: [0.0, 0.0, 2.0], direction: [0.0, 0.0, -1.0] },
    ];
    assert_eq!(section_from_planes(&inside_out, Some(&models)).0, None);
    assert_eq!(section_from_planes(&[], Some(&models)).0, None);
}

/// One egui frame of the whole layout with these input events.
fn frame(app: &mut App, ctx: &egui::Context, events: Vec<egui::Event>) -> egui::FullOutput {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1600.0, 1000.0))),
        events,
        ..Default::default()
    };
    let mut output = ctx.run_ui(input, |ui| crate::ui_plugin::layout(app.world_mut(), ui.ctx()));
    output.textures_delta.clear();
    app.update();
    output
}

fn pointer(p: egui::Pos2, pressed: Option<bool>) -> Vec<egui::Event> {
    let mut e = vec![egui::Event::PointerMoved(p)];
    if let Some(pressed) = pressed {
        e.push(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    e
}

/// Whether the frame's shapes paint anything in the redline red.
fn paints_red(output: &egui::FullOutput) -> bool {
    let red = egui::Color32::from_rgb(REDLINE_RED[0], REDLINE_RED[1], REDLINE_RED[2]);
    output.shapes.iter().any(|c| match &c.shape {
        egui::Shape::Path(p) => p.stroke.color == egui::epaint::ColorMode::Solid(red),
        egui::Shape::LineSegment { stroke, .. } => stroke.color == red,
        egui::Shape::Text(t) => t.fallback_color == red,
        _ => false,
    })
}

#[test]
fn freehand_arrow_and_text_are_drawn_with_the_pointer_and_painted_over_the_view() {
    let (set, _) = small_hall();
    let mut app = headless_app();
    crate::ui_plugin::add_layout(&mut app);
    app.world_mut()
        .spawn((OrbitCamera::default(), Projection::Perspective(PerspectiveProjection::default())));
    load_into(&mut app, set, None, None);
    let ctx = egui::Context::default();
    frame(&mut app, &ctx, vec![]);
    app.world_mut().resource_mut::<Redlining>().active = true;
    // The canvas is laid out unseen on its first frame (egui sizes a new area first) and takes
    // the pointer from the next; the redline row takes a row from the view.
    for _ in 0..2 {
        frame(&mut app, &ctx, pointer(egui::pos2(800.0, 500.0), None));
    }
    let view = app.world().resource::<crate::state::camera::ViewRect>().0.expect("view rect");
    let at = |x: f32, y: f32| egui::pos2(view.min.x + x * view.width(), view.min.y + y * view.height());

    // Freehand: press, drag through two points, release.
    frame(&mut app, &ctx, pointer(at(0.3, 0.3), Some(true)));
    frame(&mut app, &ctx, pointer(at(0.35, 0.32), None));
    frame(&mut app, &ctx, pointer(at(0.4, 0.4), None));
    frame(&mut app, &ctx, pointer(at(0.4, 0.4), Some(false)));
    let set = app.world().resource::<Redlining>().set.clone();
    assert_eq!(set.items.len(), 1, "{set:?}");
    let RedlineShape::Freehand { points } = &set.items[0].shape else { panic!("{set:?}") };
    assert!(points.len() >= 2, "{points:?}");
    let window = |p: [f32; 2]| set.to_window(view, p);
    assert!(
        (window(points[0]) - Vec2::new(at(0.3, 0.3).x, at(0.3, 0.3).y)).length() < 1.0,
        "starts at the press"
    );
    let last = points[points.len() - 1];
    assert!((window(last) - Vec2::new(at(0.4, 0.4).x, at(0.4, 0.4).y)).length() < 1.0, "ends at the release");
    // The camera did not move: the press went to the canvas (an egui area), not the model.
    assert!(ctx.is_pointer_over_egui(), "the canvas holds the pointer over the view");

    // Arrow.
    app.world_mut().resource_mut::<Redlining>().tool = RedlineTool::Arrow;
    frame(&mut app, &ctx, pointer(at(0.6, 0.6), Some(true)));
    frame(&mut app, &ctx, pointer(at(0.65, 0.62), None));
    frame(&mut app, &ctx, pointer(at(0.7, 0.7), None));
    frame(&mut app, &ctx, pointer(at(0.7, 0.7), Some(false)));
    let set = app.world().resource::<Redlining>().set.clone();
    let RedlineShape::Arrow { from, to } = set.items[1].shape else { panic!("{set:?}") };
    assert!((set.to_window(view, to) - Vec2::new(at(0.7, 0.7).x, at(0.7, 0.7).y)).length() < 1.0);
    assert!((set.to_window(view, from) - Vec2::new(at(0.6, 0.6).x, at(0.6, 0.6).y)).length() < 1.0);

    // Text: a click places it, typing fills it, Enter keeps it.
    app.world_mut().resource_mut::<Redlining>().tool = RedlineTool::Text;
    frame(&mut app, &ctx, pointer(at(0.2, 0.8), Some(true)));
    frame(&mut app, &ctx, pointer(at(0.2, 0.8), Some(false)));
    assert!(app.world().resource::<Redlining>().typing.is_some(), "a click places a text");
    frame(&mut app, &ctx, vec![]);
    frame(&mut app, &ctx, vec![egui::Event::Text("桥架上移 200 mm".into())]);
    frame(
        &mut app,
        &ctx,
        vec![egui::Event::Key {
            key: egui::Key::Enter,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        }],
    );
    let r = app.world().resource::<Redlining>().clone();
    assert_eq!(r.set.texts(), ["桥架上移 200 mm"], "{r:?}");
    assert!(r.typing.is_none());

    // The three are painted over the view; with the tool off they still are (same camera),
    // and the camera elsewhere hides them.
    let output = frame(&mut app, &ctx, vec![]);
    assert!(paints_red(&output));
    app.world_mut().resource_mut::<Redlining>().active = false;
    let output = frame(&mut app, &ctx, vec![]);
    assert!(paints_red(&output), "redlines stay on the view after the tool is off");
    app.world_mut().query::<&mut OrbitCamera>().single_mut(app.world_mut()).expect("camera").yaw += 0.5;
    let output = frame(&mut app, &ctx, vec![]);
    assert!(!paints_red(&output), "another camera pose: the redlines are not drawn");
    assert_eq!(app.world().resource::<Redlining>().set.items.len(), 3, "but kept");
    let _ = RedlineSet::default();
}

#[test]
fn an_imported_view_replaces_the_one_of_its_topic_and_takes_a_free_name_otherwise() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, _) = hall_in(dir.path());
    let mut app = app_with(ViewerConfig::default(), set);
    let view = capture_now(&mut app, "Riser");
    let mut book = app.world().resource::<ViewBook>().clone();
    book.save(view.clone()).expect("saved");
    // The same topic read back (renamed in another tool) replaces the view; another topic of
    // the same name gets a name of its own.
    let again = SavedView { name: "Riser, checked".into(), xray: false, ..view.clone() };
    let other = SavedView { guid: "another-topic".into(), ..view.clone() };
    let named = book.unique_names(vec![again, other]);
    assert_eq!(named[0].name, "Riser");
    assert_eq!(named[1].name, "Riser (2)");
    book.save_all(&named).expect("saved");
    let names: Vec<&str> = book.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Riser", "Riser (2)"]);
    assert!(!book.find("Riser").expect("kept").xray, "replaced by the import");
}
