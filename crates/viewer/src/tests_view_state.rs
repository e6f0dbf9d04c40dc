//! Headless tests of what a saved view holds besides the camera: the 4D day, the colour-by mode,
//! element colours, elements hidden or isolated one by one and the focused clash, saved and
//! given back; views files from before these fields; and BCF viewpoints' per-element
//! visibility, selection and colouring applied to a generated model, with GlobalIds the model
//! lacks reported.

use crate::state::clash::ClashReview;
use crate::state::colour::{ColourBy, Colouring};
use crate::state::config::ViewerConfig;
use crate::state::scene::{ElementId, ModelScene, Selection, ViewFilter};
use crate::state::timeline::Timeline;
use crate::state::viewpoint::{read_views, views_path, SavedFourD, SavedView, ViewBook};
use crate::state::viewpoint_bcf::{topic_of, views_of};
use crate::tests::{looks, report_between, small_hall};
use crate::tests_viewpoints::{app_with, capture_now, drawn, hall_in};
use crate::viewpoint_plugin::PendingView;
use bevy::prelude::*;
use plumbline_model::ElementRef;
use std::collections::{BTreeMap, BTreeSet};

fn gid(app: &App, r: ElementRef) -> String {
    app.world().resource::<ModelScene>().element(r).global_id.clone()
}

fn go_to(app: &mut App, view: SavedView) {
    app.world_mut().resource_mut::<PendingView>().view = Some(view);
    app.update();
    app.update();
}

/// The elements drawn hidden now.
fn hidden_now(app: &mut App) -> BTreeSet<ElementRef> {
    looks(app).into_iter().filter(|l| l.1 == Visibility::Hidden).map(|l| l.0).collect()
}

/// Elements of the hall such that no class, storey or file is made of them alone: one from each
/// of three classes with more than one element.
fn three_loose_elements(app: &App) -> [ElementRef; 3] {
    let scene = app.world().resource::<ModelScene>();
    let mut by_class: BTreeMap<&str, Vec<ElementRef>> = BTreeMap::new();
    for r in drawn(app) {
        by_class.entry(scene.element(r).class.as_str()).or_default().push(r);
    }
    let picked: Vec<ElementRef> = by_class.values().filter(|v| v.len() > 1).map(|v| v[0]).take(3).collect();
    assert_eq!(picked.len(), 3, "the hall has three classes of several elements: {by_class:?}");
    [picked[0], picked[1], picked[2]]
}

#[test]
fn a_saved_view_gives_back_its_4d_day_colouring_element_visibility_and_clash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, model) = hall_in(dir.path());
    let (_, schedule) = small_hall();
    let mut app = app_with(ViewerConfig::default(), set);
    // The schedule and the clash report, as a load installs them.
    crate::timeline_plugin::install_schedule(
        app.world_mut(),
        Some(Ok((schedule.clone(), schedule.links.clone()))),
    );
    let d = drawn(&app);
    let report = report_between(&app.world().resource::<ModelScene>().set, d[0], d[1]);
    crate::clash_plugin::install_report(app.world_mut(), Some(Ok(report)));
    app.update();

    // The view: a day in the middle of the schedule on the actual dates with 4D on, coloured by
    // storey with one value unticked, one element red, one hidden, four isolated, clash c1.
    let (start, end) = {
        let data = app.world().resource::<Timeline>().data.as_ref().expect("a schedule");
        (data.start, data.end)
    };
    assert!(end > start, "the sample schedule spans days");
    let day = start + (end - start) / 2;
    {
        let mut t = app.world_mut().resource_mut::<Timeline>();
        t.set_basis(plumbline_schedule::Basis::Actual);
        t.set_day(day);
        t.enabled = true;
    }
    let (g0, g1, g2, g3) = (gid(&app, d[0]), gid(&app, d[1]), gid(&app, d[2]), gid(&app, d[3]));
    {
        let mut c = app.world_mut().resource_mut::<Colouring>();
        c.by = ColourBy::Storey;
        c.hidden = ["nowhere".to_string()].into();
        c.overlay.set([("FF0000".to_string(), [g3.clone()].into())].into());
    }
    {
        let mut f = app.world_mut().resource_mut::<ViewFilter>();
        f.hidden_elements = [g2.clone()].into();
        f.isolated_elements = Some([g0.clone(), g1.clone(), g2.clone(), g3.clone()].into());
    }
    {
        let mut review = app.world_mut().resource_mut::<ClashReview>();
        let key = review.find("c1");
        review.focus(key);
    }
    app.update();
    let view = capture_now(&mut app, "4D and clash");
    assert_eq!(
        view.four_d,
        Some(SavedFourD { date: day.format("%Y-%m-%d").to_string(), enabled: true, actual: true })
    );
    assert_eq!(view.colour_by.as_deref(), Some("storey"));
    assert_eq!(view.clash.as_deref(), Some("c1"));
    assert_eq!(view.hidden_elements, [g2.clone()].into());
    app.world_mut().resource_mut::<ViewBook>().save(view.clone()).expect("saved");
    let back = ViewBook::open(views_path(&model), vec!["small-hall.ifc".into()])
        .find("4D and clash")
        .expect("in the file")
        .clone();
    assert_eq!(SavedView { camera: view.camera, ..back.clone() }, view, "the file keeps every field");

    // Everything put elsewhere, then the view gone to.
    {
        let mut t = app.world_mut().resource_mut::<Timeline>();
        t.set_basis(plumbline_schedule::Basis::Planned);
        t.set_day(end);
        t.enabled = false;
    }
    *app.world_mut().resource_mut::<ViewFilter>() = ViewFilter::default();
    {
        let mut c = app.world_mut().resource_mut::<Colouring>();
        c.by = ColourBy::Class;
        c.hidden.clear();
        c.overlay.set(BTreeMap::new());
    }
    app.world_mut().resource_mut::<ClashReview>().focused = None;
    app.update();
    go_to(&mut app, back);
    let t = app.world().resource::<Timeline>();
    assert_eq!((t.day, t.enabled, t.basis), (day, true, plumbline_schedule::Basis::Actual));
    let c = app.world().resource::<Colouring>();
    assert_eq!((c.by.clone(), c.hidden.clone()), (ColourBy::Storey, ["nowhere".to_string()].into()));
    assert_eq!(c.overlay.colours, [("FF0000".to_string(), [g3.clone()].into())].into());
    assert_eq!(c.overlay.of.get(&d[3]), Some(&0), "the coloured element is found in the scene");
    let f = app.world().resource::<ViewFilter>().clone();
    assert_eq!(f.hidden_elements, [g2].into());
    assert_eq!(f.isolated_elements.as_ref().map(BTreeSet::len), Some(4));
    let review = app.world().resource::<ClashReview>();
    assert_eq!(review.focused_clash().map(|c| c.id.as_str()), Some("c1"), "the clash is focused again");
    assert_eq!(app.world().resource::<ViewBook>().note, None);
    // Only the isolated elements but the hidden one are drawn (4D may hide more of them).
    let hidden = hidden_now(&mut app);
    for r in drawn(&app) {
        if ![d[0], d[1], d[3]].contains(&r) {
            assert!(hidden.contains(&r), "{r:?} is hidden");
        }
    }
}

#[test]
fn a_views_clash_not_in_the_report_is_said_calmly_and_one_waits_for_a_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, _) = hall_in(dir.path());
    let mut app = app_with(ViewerConfig::default(), set);
    let view = SavedView { clash: Some("c1".into()), ..capture_now(&mut app, "Clash view") };
    // No report yet: the clash waits, and the tab says so without an error.
    go_to(&mut app, view.clone());
    let note = app.world().resource::<ViewBook>().note.clone().expect("a note");
    assert!(note.contains("c1") && note.contains("once a clash report is loaded"), "{note}");
    assert!(app.world().resource::<ViewBook>().message.as_ref().is_none_or(|(ok, _)| *ok));
    assert_eq!(app.world().resource::<PendingView>().clash.as_deref(), Some("c1"));
    // The report arrives: the clash is focused.
    let d = drawn(&app);
    let report = report_between(&app.world().resource::<ModelScene>().set, d[0], d[1]);
    crate::clash_plugin::install_report(app.world_mut(), Some(Ok(report)));
    app.update();
    let review = app.world().resource::<ClashReview>();
    assert_eq!(review.focused_clash().map(|c| c.id.as_str()), Some("c1"));
    assert_eq!(app.world().resource::<ViewBook>().note, None);

    // A clash the report does not have: the rest of the view is shown, the clash left, calmly.
    let gone = SavedView { clash: Some("c-gone".into()), xray: true, ..view.clone() };
    go_to(&mut app, gone);
    assert!(app.world().resource::<ViewFilter>().xray, "the rest of the view is shown");
    assert_eq!(app.world().resource::<ClashReview>().focused, None);
    let note = app.world().resource::<ViewBook>().note.clone().expect("a note");
    assert!(note.contains("c-gone") && note.contains("not in the current clash report"), "{note}");
    assert_eq!(app.world().resource::<PendingView>().clash, None, "nothing waits");
    // A view without a clash leaves clash review.
    go_to(&mut app, view.clone());
    assert!(app.world().resource::<ClashReview>().focused.is_some());
    go_to(&mut app, SavedView { clash: None, ..view });
    assert_eq!(app.world().resource::<ClashReview>().focused, None);
}

#[test]
fn a_views_file_from_before_the_new_fields_still_opens_and_leaves_them_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (set, model) = hall_in(dir.path());
    let file = views_path(&model);
    // A view as the first version of the file wrote it: no element visibility, colours, 4D or
    // clash.
    let old = r#"{
  "schema_version": 1,
  "views": [
    {
      "name": "Old",
      "guid": "8f1e4c55-1a3c-5f0e-9d7a-0c2b6f3e4a11",
      "created": "2026-12-01T08:00:00Z",
      "camera": {
        "position_m": [20.0, -15.0, 12.0],
        "direction": [-0.6, 0.6, -0.52915],
        "up": [0.0, 0.0, 1.0],
        "field_of_view_deg": 45.0,
        "orbit_distance_m": 25.0
      },
      "section_box": null,
      "hidden_files": [],
      "hidden_storeys": [],
      "hidden_classes": ["IfcSlab"],
      "xray": false,
      "selected": [],
      "redlines": { "aspect": 1.6, "items": [] }
    }
  ],
  "last_view": null
}
"#;
    std::fs::write(&file, old).expect("write");
    let views = read_views(&file).expect("an old file opens");
    let v = &views.views[0];
    assert_eq!(v.name, "Old");
    assert!(v.hidden_elements.is_empty() && v.isolated_elements.is_none() && v.colours.is_empty());
    assert_eq!((&v.colour_by, &v.four_d, &v.clash), (&None, &None, &None));

    let (_, schedule) = small_hall();
    let mut app = app_with(ViewerConfig::default(), set);
    crate::timeline_plugin::install_schedule(
        app.world_mut(),
        Some(Ok((schedule.clone(), schedule.links.clone()))),
    );
    let start = app.world().resource::<Timeline>().data.as_ref().expect("schedule").start;
    app.world_mut().resource_mut::<Timeline>().set_day(start);
    app.world_mut().resource_mut::<Colouring>().by = ColourBy::System;
    app.update();
    assert_eq!(app.world().resource::<ViewBook>().error, None);
    let old_view = app.world().resource::<ViewBook>().find("Old").expect("listed").clone();
    go_to(&mut app, old_view);
    assert!(app.world().resource::<ViewFilter>().hidden_classes.contains("IfcSlab"));
    assert_eq!(app.world().resource::<Colouring>().by, ColourBy::System, "the colouring is left as it is");
    assert_eq!(app.world().resource::<Timeline>().day, start, "the 4D day is left as it is");
    // Saving again writes the new fields beside the old ones, and the file still reads.
    let again = capture_now(&mut app, "Old");
    app.world_mut().resource_mut::<ViewBook>().save(again).expect("saved");
    let text = std::fs::read_to_string(&file).expect("file");
    assert!(text.contains("\"four_d\"") && text.contains("\"colour_by\": \"system\""), "{text}");
    assert_eq!(read_views(&file).expect("reads").views.len(), 1);
}

#[test]
fn a_bcf_viewpoint_hides_or_isolates_exactly_its_elements_selects_and_colours_them() {
    let (set, _) = small_hall();
    let mut app = app_with(ViewerConfig::default(), set);
    let [a, b, c] = three_loose_elements(&app);
    let d = drawn(&app);
    let other = *d.iter().find(|r| ![a, b, c].contains(r)).expect("a fourth element");
    let (ga, gb, gc, go) = (gid(&app, a), gid(&app, b), gid(&app, c), gid(&app, other));
    let unknown = "3vB2YO$MX4xv5uCqZZG05x".to_string();
    let camera = plumbline_bcf::ViewCamera::Perspective(plumbline_review::Camera {
        position: [20.0, -15.0, 12.0],
        direction: [-0.6, 0.6, -0.529_15],
        up: [0.0, 0.0, 1.0],
        field_of_view_deg: 45.0,
    });
    let topic = |guid: &str, default_visibility: bool, exceptions: Vec<String>| plumbline_bcf::ViewTopic {
        guid: guid.into(),
        title: guid.into(),
        description: String::new(),
        created: None,
        camera,
        selected: vec![gc.clone(), unknown.clone()],
        default_visibility,
        visibility_exceptions: exceptions,
        colored: vec![("FF00FF00".into(), vec![go.clone()]), ("not a colour".into(), vec![gc.clone()])],
        clipping_planes: vec![],
        files: vec![],
        snapshot: None,
    };
    // Navisworks' "hide these": all shown but two (and one the models lack); Solibri's
    // "isolate these": all hidden but two.
    let hide = topic("Hide two", true, vec![ga.clone(), gb.clone(), unknown.clone()]);
    let isolate = topic("Isolate two", false, vec![ga.clone(), gb.clone(), unknown.clone()]);
    let options = plumbline_bcf::ViewExportOptions {
        version: plumbline_bcf::BcfVersion::V2_1,
        author: "coordinator@example.com",
        date_utc: plumbline_bcf::UtcDateTime::parse("2026-12-06T10:00:00Z").expect("date"),
    };
    let bytes = plumbline_bcf::write_views(&[hide, isolate], &options).expect("written");
    let mut archive = plumbline_bcf::read(&bytes).expect("read");
    // The writer leaves a colour it cannot write out; another tool's archive may have one.
    for vp in archive.topics.iter_mut().flat_map(|t| t.viewpoints.iter_mut()) {
        assert_eq!(vp.colored.len(), 1, "only the good colour is written");
        let c = vp.selected.iter().find(|c| c.id() == Some(gc.as_str())).cloned().expect("selected");
        vp.colored.push(("not a colour".into(), vec![c]));
    }
    let scene = app.world().resource::<ModelScene>();
    let (views, notes) = views_of(&archive, scene, "2026-12-06T10:00:00Z");
    assert_eq!(views.len(), 2);
    // The unknown GlobalId is counted once however many viewpoints hide or show it; selected
    // elements and bad colours per viewpoint.
    assert_eq!(notes.unknown_elements, [unknown.clone()].into());
    assert_eq!((notes.unknown_selected, notes.bad_colours), (2, 2));
    let message = notes.message(&crate::state::viewpoint::VIEW_EN);
    let said = format!("1 hidden, shown or coloured elements not in the loaded models ({unknown});");
    assert!(message.contains(&said), "{message}");
    let hide = views.iter().find(|v| v.name == "Hide two").expect("hide view").clone();
    let isolate = views.iter().find(|v| v.name == "Isolate two").expect("isolate view").clone();
    assert!(hide.hidden_classes.is_empty() && hide.hidden_storeys.is_empty() && hide.hidden_files.is_empty());
    assert_eq!(hide.hidden_elements, [ga.clone(), gb.clone(), unknown.clone()].into());
    assert_eq!(isolate.isolated_elements, Some([ga.clone(), gb.clone(), unknown.clone()].into()));
    assert_eq!(hide.colours, [("FF00FF00".to_string(), [go.clone()].into())].into(), "a bad colour left out");

    // Going to them hides exactly those elements, or all but them; selects and colours.
    go_to(&mut app, hide.clone());
    assert_eq!(hidden_now(&mut app), [a, b].into());
    assert_eq!(app.world().resource::<Selection>().element, Some(c));
    let entry = app.world().resource::<Colouring>().overlay.entries[0].clone();
    assert_eq!(entry.color, Color::srgba_u8(0, 255, 0, 255), "ARGB: opaque green");
    let material = looks(&mut app).into_iter().find(|l| l.0 == other).expect("drawn").2;
    assert_eq!(material, entry.material, "the coloured element is drawn in its colour");
    go_to(&mut app, isolate.clone());
    let hidden = hidden_now(&mut app);
    let shown: BTreeSet<ElementRef> = d.iter().copied().filter(|r| !hidden.contains(r)).collect();
    assert_eq!(shown, [a, b].into());
    // Every element entity agrees with the filter the view set.
    let ids: Vec<ElementId> = app.world_mut().query::<&ElementId>().iter(app.world()).copied().collect();
    assert_eq!(ids.len(), d.len());

    // Export writes the shorter list: the two hidden ones against a visible default, or the two
    // shown against a hidden default; and the colours.
    let scene = app.world().resource::<ModelScene>();
    let out = topic_of(&hide, scene, None);
    let mut two = vec![ga.clone(), gb.clone()];
    two.sort();
    assert!(out.default_visibility);
    assert_eq!(out.visibility_exceptions, two, "the elements the models lack are not written");
    assert_eq!(out.colored, [("FF00FF00".to_string(), vec![go.clone()])]);
    let out = topic_of(&isolate, scene, None);
    assert!(!out.default_visibility);
    assert_eq!(out.visibility_exceptions, two);
    // Hiding many with a few left is written as an isolation too.
    let all_but_a = d.iter().filter(|r| **r != a).map(|r| scene.element(*r).global_id.clone()).collect();
    let many = SavedView { isolated_elements: None, hidden_elements: all_but_a, ..hide.clone() };
    let out = topic_of(&many, scene, None);
    assert_eq!((out.default_visibility, out.visibility_exceptions.clone()), (false, vec![ga.clone()]));
    validate_v21(&[topic_of(&hide, scene, None), topic_of(&isolate, scene, None)]);
}

/// Checks written views against the official BCF 2.1 schemas with `xmllint`, as the BCF crate's
/// tests do (skipped, saying so, without the schemas, xmllint or python3 to unzip).
fn validate_v21(topics: &[plumbline_bcf::ViewTopic]) {
    use std::process::Command;
    let schemas = std::env::var_os("PLUMBLINE_BCF_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bcf"))
        .join("2_1/schemas");
    let have = |tool: &str, arg: &str| Command::new(tool).arg(arg).output().is_ok_and(|o| o.status.success());
    if !schemas.is_dir() || !have("xmllint", "--version") || !have("python3", "--version") {
        println!("NOTICE: BCF 2.1 schemas, xmllint or python3 not found; schema validation skipped");
        return;
    }
    let options = plumbline_bcf::ViewExportOptions {
        version: plumbline_bcf::BcfVersion::V2_1,
        author: "me@example.com",
        date_utc: plumbline_bcf::UtcDateTime::parse("2026-12-06T10:00:00Z").expect("date"),
    };
    let bytes = plumbline_bcf::write_views(topics, &options).expect("written");
    let dir = tempfile::tempdir().expect("temp dir");
    let archive = dir.path().join("views.bcf");
    std::fs::write(&archive, bytes).expect("write");
    let out_dir = dir.path().join("x");
    // The standard library's zip tool: the viewer has no zip crate of its own.
    let unzip =
        Command::new("python3").arg("-m").arg("zipfile").arg("-e").arg(&archive).arg(&out_dir).output();
    assert!(unzip.is_ok_and(|o| o.status.success()), "unzip the archive");
    let mut validated = 0;
    for topic in std::fs::read_dir(&out_dir).expect("topics").map(|e| e.expect("entry").path()) {
        for (file, xsd) in [("markup.bcf", "markup.xsd"), ("viewpoint.bcfv", "visinfo.xsd")] {
            let path = topic.join(file);
            if !path.is_file() {
                continue;
            }
            let out = Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(schemas.join(xsd))
                .arg(&path)
                .output()
                .expect("xmllint");
            assert!(out.status.success(), "{}:\n{}", path.display(), String::from_utf8_lossy(&out.stderr));
            if xsd == "visinfo.xsd" {
                let xml = std::fs::read_to_string(&path).expect("read");
                assert!(xml.contains("<Coloring>") && xml.contains("<Exceptions>"), "{xml}");
            }
            validated += 1;
        }
    }
    assert_eq!(validated, 2 * topics.len());
}
