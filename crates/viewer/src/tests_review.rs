//! Headless tests of the review tools: the layout under long names and a large report, the
//! framing of a focused clash, and the measure tool. The window is laid out with a plain `egui::Context`, the
//! way the egui pass lays it out in the viewer, so no window or GPU is needed.

use crate::meshes::prepare_meshes;
use crate::state::camera::{CameraCommand, OrbitCamera, ViewRect};
use crate::state::clash::{clash_context_box, ClashKey, ClashReview};
use crate::state::config::ViewerConfig;
use crate::state::i18n::Lang;
use crate::state::measure::Measure;
use crate::state::scene::Selection;
use crate::tests::{headless_app, load_into, report_between, small_hall};
use crate::ui_plugin::{add_layout, layout, LEFT_DEFAULT_PX, RIGHT_DEFAULT_PX};
use bevy::prelude::*;
use bevy_egui::egui;
use plumbline_model::ElementRef;

/// A name as long as the real ones of Office_A's Revit export, and longer.
fn long_name(i: usize) -> String {
    format!(
        "Basic Wall:Interior - Partition (92mm Stud) with Acoustic Insulation and Fire Rating 2 hours:{i}"
    )
    .repeat(2)
}

/// Lays the window out for a few frames (egui settles a panel's size over two) and returns
/// the rectangle left to the 3D view.
fn lay_out(app: &mut App, ctx: &egui::Context, size: egui::Vec2) -> Rect {
    for _ in 0..4 {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
            ..Default::default()
        };
        let mut output = ctx.run_ui(input, |ui| layout(app.world_mut(), ui.ctx()));
        // Nothing paints here: the font atlas uploads are dropped on purpose.
        output.textures_delta.clear();
        app.update();
    }
    app.world().resource::<ViewRect>().0.expect("the layout records the 3D view's rectangle")
}

#[test]
fn long_names_and_a_large_report_leave_the_3d_view_at_least_half_the_window() {
    let (mut set, _) = small_hall();
    set.models[0].path = format!("/projects/{}/federated/MEP/{}.ifc", long_name(0), long_name(1));
    for (i, e) in set.models[0].elements.iter_mut().enumerate() {
        e.name = Some(long_name(i));
        e.storey = e.storey.as_ref().map(|s| format!("{s} {}", long_name(i % 3)).into());
    }
    let drawn: Vec<ElementRef> = prepare_meshes(&set).elements.iter().map(|p| p.element).collect();
    let mut report = report_between(&set, drawn[0], drawn[1]);
    // A thousand clashes in one group, as Office_A + MEP gives near one partition wall.
    let test = &mut report.tests[0];
    let first = test.clashes[0].clone();
    test.clashes = (0..1000)
        .map(|i| plumbline_review::ClashRecord {
            id: format!("c{i:04}"),
            number: Some(i + 1),
            ..first.clone()
        })
        .collect();
    test.groups[0].clash_ids = test.clashes.iter().map(|c| c.id.clone()).collect();
    test.groups[0].title.en =
        format!("near IfcWallStandardCase '{}', within 2 m of each other", long_name(7));
    test.info.name = format!("hard: {} vs itself", long_name(8));

    let mut app = headless_app();
    add_layout(&mut app);
    load_into(&mut app, set, None, Some(report));
    let ctx = egui::Context::default();
    let window = egui::vec2(1600.0, 1000.0);
    let check = |view: Rect, what: &str| {
        assert!(
            view.width() >= 0.5 * window.x,
            "{what}: the 3D view is {} px of {} px",
            view.width(),
            window.x
        );
        // The panels keep their default widths: long rows are elided, not widening them.
        assert!(view.min.x <= LEFT_DEFAULT_PX + 1.0, "{what}: the left panel grew to {} px", view.min.x);
        assert!(
            window.x - view.max.x <= RIGHT_DEFAULT_PX + 1.0,
            "{what}: the right panel grew to {} px",
            window.x - view.max.x
        );
    };

    // The clash list (opened on the Clashes tab for a report), then a clash in focus with its
    // details, then an element's properties.
    check(lay_out(&mut app, &ctx, window), "clash list");
    // The history's numbers find clashes (`--focus-clash '#501'`).
    assert_eq!(app.world().resource::<ClashReview>().find("#501"), Some(ClashKey { test: 0, clash: 500 }));
    let command = app.world_mut().resource_mut::<ClashReview>().focus(Some(ClashKey { test: 0, clash: 500 }));
    assert!(command.is_some());
    check(lay_out(&mut app, &ctx, window), "focused clash");
    app.world_mut().resource_mut::<ClashReview>().focused = None;
    app.world_mut().resource_mut::<Selection>().select_element(Some(drawn[0]));
    check(lay_out(&mut app, &ctx, window), "element properties");

    // The search tab listing a thousand long names, with the shortcuts window open.
    {
        let mut ui_layout = app.world_mut().resource_mut::<crate::ui_plugin::UiLayout>();
        ui_layout.left_tab = crate::ui_plugin::LeftTab::Search;
        ui_layout.shortcuts = true;
    }
    app.world_mut().resource_mut::<crate::search_plugin::Search>().query = "partition".into();
    check(lay_out(&mut app, &ctx, window), "search results");
    assert!(!app.world().resource::<crate::search_plugin::Search>().results.is_empty(), "the search ran");

    // A narrow window still leaves half of it to the model.
    let narrow = egui::vec2(900.0, 700.0);
    let view = lay_out(&mut app, &ctx, narrow);
    assert!(view.width() >= 0.5 * narrow.x, "narrow window: the 3D view is {} px", view.width());
}

#[test]
fn a_focused_clash_is_framed_with_both_elements_and_their_surroundings() {
    let (set, _) = small_hall();
    let drawn: Vec<ElementRef> = prepare_meshes(&set).elements.iter().map(|p| p.element).collect();
    let mut report = report_between(&set, drawn[0], drawn[1]);
    // A 10 cm overlap of a 30 m element and a 1 m one, as a duct crossing a long wall.
    let c = &mut report.tests[0].clashes[0];
    c.overlap_aabb = plumbline_model::Aabb { min: [10.0, 5.0, 2.0], max: [10.1, 5.2, 2.1] };
    c.point = c.overlap_aabb.center();
    c.a.aabb = plumbline_model::Aabb { min: [-5.0, 5.0, 0.0], max: [25.0, 5.2, 3.0] };
    c.b.aabb = plumbline_model::Aabb { min: [9.5, 4.5, 1.9], max: [10.5, 5.6, 2.2] };
    let context = clash_context_box(c);
    for (name, element) in [("A", &c.a.aabb), ("B", &c.b.aabb)] {
        let seen = element.intersection(&context).map(|b| b.size()).unwrap_or_default();
        assert!(seen.iter().all(|s| *s > 0.09), "element {name} is in the frame: {seen:?}");
    }
    let size = context.size();
    assert!(size.iter().all(|s| *s >= 1.0), "room around the clash on every side: {size:?}");
    assert!(
        size[0] <= 4.2,
        "the frame stops 2 m along the long wall instead of backing off to 30 m: {size:?}"
    );

    let mut app = headless_app();
    load_into(&mut app, set, None, Some(report));
    let command = app.world_mut().resource_mut::<ClashReview>().focus(Some(ClashKey { test: 0, clash: 0 }));
    let Some(CameraCommand::Review { camera, target_m }) = command else {
        panic!("a review camera: {command:?}")
    };
    // Seen through the viewer's 45° lens, the overlap takes a small part of the view and the
    // context box fits inside it with room to spare.
    let fov = 45f32.to_radians();
    let orbit = OrbitCamera::from_review([0.0; 3], &camera, target_m, fov);
    let half_view_m = orbit.distance * (0.5 * fov).tan();
    let context_radius_m = 0.5 * size.iter().map(|s| s * s).sum::<f64>().sqrt() as f32;
    assert!(
        context_radius_m < 0.85 * half_view_m,
        "context radius {context_radius_m} m in a half view of {half_view_m} m"
    );
    assert!(context_radius_m > 0.4 * half_view_m, "not lost in the distance either");
    let overlap_m = 0.2;
    assert!(overlap_m / (2.0 * half_view_m) < 0.1, "the overlap alone does not fill the view");
}

#[test]
fn the_measure_tool_gives_the_clash_engines_distance_between_two_elements() {
    let (set, _) = small_hall();
    let t = Lang::En.strings();
    // Two elements apart: the two racks of the hall's one row.
    let racks: Vec<ElementRef> = set
        .elements()
        .filter(|(_, e)| e.class == "IfcFurniture" || e.class.contains("Rack"))
        .map(|(r, _)| r)
        .collect();
    let (a, b) = match racks[..] {
        [a, b, ..] => (a, b),
        _ => {
            let drawn: Vec<ElementRef> = prepare_meshes(&set).elements.iter().map(|p| p.element).collect();
            (drawn[0], drawn[drawn.len() - 1])
        }
    };
    let m = crate::measure_plugin::measure_elements(&set, a, b, t).expect("both have geometry");
    // The clash engine's own query, the one a clearance test reports.
    let shapes = plumbline_clash::Shapes::new(&set);
    let (sa, sb) = (shapes.get(a).expect("shape a"), shapes.get(b).expect("shape b"));
    let (engine_m, _) = plumbline_clash::distance(sa, sb, 1.0e4).expect("a distance");
    assert!(engine_m > 0.0, "the two elements stand apart");
    assert_eq!(m.distance_m, engine_m, "the same number as the clash engine");
    let line_m = (0..3).map(|i| (m.to_m[i] - m.from_m[i]).powi(2)).sum::<f64>().sqrt();
    assert!(
        (line_m - m.distance_m).abs() < 2e-3,
        "the dimension line is as long as the distance: {line_m} vs {}",
        m.distance_m
    );
    let back = crate::measure_plugin::measure_elements(&set, b, a, t).expect("reversed");
    assert_eq!(back.distance_m, m.distance_m, "measuring B to A gives the same distance");
    // An element against itself overlaps: a negative gap, as a clearance test reports it.
    let own = crate::measure_plugin::measure_elements(&set, a, a, t).expect("itself");
    assert!(own.distance_m < 0.0, "overlap is negative: {}", own.distance_m);

    // --measure GA,GB: measured once loaded, both selected, and the app asked to exit.
    let (ga, gb) = (set.element(a).global_id.clone(), set.element(b).global_id.clone());
    let mut app = headless_app();
    app.world_mut().resource_mut::<ViewerConfig>().measure = Some((ga, gb));
    load_into(&mut app, set, None, None);
    app.update();
    let measure = app.world().resource::<Measure>();
    let scripted = measure.result.clone().expect("measured").expect("no error");
    assert_eq!(scripted.distance_m, m.distance_m);
    assert!(
        app.world().resource::<Selection>().contains(a) && app.world().resource::<Selection>().contains(b)
    );
    let exits = app.world().resource::<Messages<AppExit>>();
    assert!(!exits.is_empty(), "without --screenshot, --measure exits once it has printed");

    // Interactive: with the tool on, two clicks (selections) measure.
    let mut app = headless_app();
    let (set2, _) = small_hall();
    load_into(&mut app, set2, None, None);
    app.world_mut().resource_mut::<Measure>().active = true;
    app.world_mut().resource_mut::<Selection>().select_element(Some(a));
    app.update();
    assert_eq!(app.world().resource::<Measure>().picked, vec![a]);
    app.world_mut().resource_mut::<Selection>().select_element(Some(b));
    app.update();
    let result = app.world().resource::<Measure>().result.clone().expect("measured").expect("ok");
    assert_eq!(result.distance_m, m.distance_m);
}

#[test]
fn point_to_point_measures_snap_to_vertices_and_edges() {
    use crate::state::measure::{snap_to_mesh, Snap};
    // A 1 m cube at (10, 20, 30).
    let v = |x: f32, y: f32, z: f32| [x, y, z];
    let vertices = vec![
        v(0., 0., 0.),
        v(1., 0., 0.),
        v(1., 1., 0.),
        v(0., 1., 0.),
        v(0., 0., 1.),
        v(1., 0., 1.),
        v(1., 1., 1.),
        v(0., 1., 1.),
    ];
    let triangles = vec![[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4]];
    let mesh = plumbline_model::Mesh::new([10.0, 20.0, 30.0], vertices, triangles);
    let (p, snap) = snap_to_mesh(&mesh, [10.98, 20.01, 30.0], 0.05);
    assert_eq!((p, snap), ([11.0, 20.0, 30.0], Snap::Vertex), "near a corner: the corner");
    let (p, snap) = snap_to_mesh(&mesh, [10.5, 20.02, 30.0], 0.05);
    assert_eq!(snap, Snap::Edge);
    assert!((p[0] - 10.5).abs() < 1e-9 && (p[1] - 20.0).abs() < 1e-9, "onto the edge y=0: {p:?}");
    let (p, snap) = snap_to_mesh(&mesh, [10.5, 20.5, 30.0], 0.05);
    assert_eq!((p, snap), ([10.5, 20.5, 30.0], Snap::Face), "mid-face stays where it was");

    // Two clicks on elements (as picking reports them) make a line of their distance.
    let (set, _) = small_hall();
    let drawn: Vec<ElementRef> = prepare_meshes(&set).elements.iter().map(|p| p.element).collect();
    let corner = |r: ElementRef| {
        let b = set.element(r).aabb().expect("geometry");
        b.min
    };
    let (a, b) = (drawn[0], drawn[drawn.len() - 1]);
    let (pa, pb) = (corner(a), corner(b));
    let mut app = headless_app();
    load_into(&mut app, set, None, None);
    {
        let mut m = app.world_mut().resource_mut::<Measure>();
        m.active = true;
        m.points_mode = true;
        m.clicked = Some((a, pa));
    }
    app.update();
    app.world_mut().resource_mut::<Measure>().clicked = Some((b, pb));
    app.update();
    let m = app.world().resource::<Measure>();
    assert_eq!(m.points.len(), 2);
    let (_, _, d) = m.line().expect("a line");
    let straight = crate::state::measure::distance_m(m.points[0].point_m, m.points[1].point_m);
    assert!((d - straight).abs() < 1e-12 && d > 0.0);
    assert!(m.result.is_none(), "point mode measures points, not elements");
}

/// The Clashes tab's 4D order: by needed-by date (clashes no task needs last), and the "needed
/// within N weeks" filter.
#[test]
fn clashes_list_by_needed_by_and_filter_by_weeks() {
    let (set, _) = small_hall();
    let mut report =
        report_between(&set, ElementRef { file: 0, element: 0 }, ElementRef { file: 0, element: 1 });
    let base = report.tests[0].clashes[0].clone();
    let clash = |id: &str, number: u64, needed: Option<(&str, i64)>| {
        let mut c = base.clone();
        c.id = id.into();
        c.number = Some(number);
        c.triage = needed.map(|(day, days)| plumbline_review::Triage {
            needed_by: day.into(),
            days_to_needed: days,
            needed_by_task: plumbline_review::NeededByTask {
                id: "T".into(),
                name: "MEP".into(),
                total_float_days: Some(0.0),
            },
        });
        c
    };
    report.tests[0].clashes = vec![
        clash("c1", 1, Some(("2025-03-01", 30))),
        clash("c2", 2, Some(("2025-02-01", 3))),
        clash("c3", 3, None),
    ];
    let key = |clash: usize| ClashKey { test: 0, clash };
    assert_eq!(crate::state::clash::triage_order(&report, None), [key(1), key(0), key(2)]);
    assert_eq!(crate::state::clash::triage_order(&report, Some(14)), [key(1)]);
    assert_eq!(crate::state::clash::triage_order(&report, Some(60)), [key(1), key(0)]);
}

/// One egui pass over the window with `events`: every text drawn, with where it was drawn.
fn texts_drawn(app: &mut App, ctx: &egui::Context, events: Vec<egui::Event>) -> Vec<(String, egui::Rect)> {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1600.0, 1000.0))),
        events,
        ..Default::default()
    };
    let mut output = ctx.run_ui(input, |ui| layout(app.world_mut(), ui.ctx()));
    output.textures_delta.clear();
    app.update();
    output
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::Shape::Text(text) => Some((text.galley.text().to_string(), text.visual_bounding_rect())),
            _ => None,
        })
        .collect()
}

/// Regression: a search's *Select all* or a saved view selecting several elements left the
/// properties panel saying "Click an element to see its properties" with elements selected.
#[test]
fn several_selected_elements_are_listed_and_a_row_shows_its_properties_keeping_the_rest() {
    let (set, _) = small_hall();
    let drawn: Vec<ElementRef> = prepare_meshes(&set).elements.iter().map(|p| p.element).collect();
    let mut app = headless_app();
    add_layout(&mut app);
    load_into(&mut app, set, None, None);
    let mut members = vec![drawn[0], drawn[3], drawn[5]];
    members.sort_unstable();
    *app.world_mut().resource_mut::<Selection>() =
        Selection { element: None, task: None, group: members.clone() };
    let ctx = egui::Context::default();
    let mut texts = Vec::new();
    for _ in 0..3 {
        texts = texts_drawn(&mut app, &ctx, Vec::new());
    }
    let has = |texts: &[(String, egui::Rect)], wanted: &str| texts.iter().any(|(t, _)| t.contains(wanted));
    assert!(has(&texts, "3 elements selected"), "no count of the selection in {texts:?}");
    assert!(!has(&texts, "Click an element to see its properties"));
    assert!(has(&texts, "Click a row to see that element's properties."));
    let (second, global_id) = {
        let scene = app.world().resource::<crate::state::scene::ModelScene>();
        let e = scene.element(members[1]);
        (format!("{} '{}'", e.class, e.name.as_deref().unwrap_or("—")), e.global_id.clone())
    };
    let (_, row) = texts.iter().find(|(t, _)| *t == second).expect("the second member is listed").clone();

    // A click on the row describes that element; the three stay selected.
    let at = row.center();
    let click = vec![
        egui::Event::PointerMoved(at),
        egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: egui::Modifiers::NONE,
        },
        egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: egui::Modifiers::NONE,
        },
    ];
    texts_drawn(&mut app, &ctx, click);
    let selection = app.world().resource::<Selection>().clone();
    assert_eq!(selection.element, Some(members[1]), "the clicked row is described");
    assert_eq!(selection.group, members, "the selection is kept");
    let texts = texts_drawn(&mut app, &ctx, Vec::new());
    assert!(has(&texts, "3 elements selected"));
    assert!(has(&texts, &global_id), "the clicked element's properties are shown");
    assert!(!has(&texts, "Click a row to see"));

    // In Chinese too.
    *app.world_mut().resource_mut::<Lang>() = Lang::Zh;
    let texts = texts_drawn(&mut app, &ctx, Vec::new());
    assert!(has(&texts, "3 个构件已选中"), "no Chinese count in {texts:?}");

    // An element outside the list is not made its described member.
    app.world_mut().resource_mut::<Selection>().show_member(drawn[1]);
    assert_eq!(app.world().resource::<Selection>().element, Some(members[1]));
}

/// Regression: the clash panel wrote `id`, `kind`, `hard` and `test` in English in the Chinese
/// interface.
#[test]
fn a_focused_clash_is_described_in_chinese_with_the_reports_words() {
    let (set, _) = small_hall();
    let drawn: Vec<ElementRef> = prepare_meshes(&set).elements.iter().map(|p| p.element).collect();
    let report = report_between(&set, drawn[0], drawn[1]);
    let mut app = headless_app();
    add_layout(&mut app);
    load_into(&mut app, set, None, Some(report));
    *app.world_mut().resource_mut::<Lang>() = Lang::Zh;
    let command = app.world_mut().resource_mut::<ClashReview>().focus(Some(ClashKey { test: 0, clash: 0 }));
    assert!(command.is_some());
    let ctx = egui::Context::default();
    let mut texts = Vec::new();
    for _ in 0..3 {
        texts = texts_drawn(&mut app, &ctx, Vec::new());
    }
    let shown: Vec<&str> = texts.iter().map(|(t, _)| t.as_str()).collect();
    for wanted in ["碰撞标识", "类型", "硬碰撞", "规则", "距离"] {
        assert!(shown.contains(&wanted), "{wanted} is not shown in {shown:?}");
    }
    for english in ["id", "kind", "hard", "test", "Kind", "Test"] {
        assert!(!shown.contains(&english), "'{english}' is shown in the Chinese clash panel");
    }
    assert!(shown.iter().any(|t| t.ends_with(" 毫米")), "no distance in 毫米 in {shown:?}");
}

/// Regression: the properties panel labelled the predefined type `PredefinedType` in Chinese.
#[test]
fn an_elements_properties_are_labelled_in_chinese() {
    let (set, _) = small_hall();
    let typed = set.elements().find(|(_, e)| e.predefined_type.is_some()).map(|(r, _)| r);
    let typed = typed.expect("the sample hall has elements with a predefined type");
    let mut app = headless_app();
    add_layout(&mut app);
    load_into(&mut app, set, None, None);
    *app.world_mut().resource_mut::<Lang>() = Lang::Zh;
    app.world_mut().resource_mut::<Selection>().select_element(Some(typed));
    let ctx = egui::Context::default();
    let mut texts = Vec::new();
    for _ in 0..3 {
        texts = texts_drawn(&mut app, &ctx, Vec::new());
    }
    let shown: Vec<&str> = texts.iter().map(|(t, _)| t.as_str()).collect();
    assert!(shown.contains(&"预定义类型"), "no 预定义类型 in {shown:?}");
    assert!(!shown.contains(&"PredefinedType"));
}
