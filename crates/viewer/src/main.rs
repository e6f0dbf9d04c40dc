//! `plumbline-viewer`: argument parsing and Bevy's window around [`plumbline_viewer::ViewerPlugin`].

use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy::winit::WinitSettings;
use clap::Parser;
use plumbline_viewer::state::batch::BatchMode;
use plumbline_viewer::state::camera::StandardView;
use plumbline_viewer::state::colour::ColourBy;
use plumbline_viewer::state::i18n::Lang;
use plumbline_viewer::state::walk::{NavMode, WalkStart};
use plumbline_viewer::{ViewerConfig, ViewerPlugin};

/// mimalloc, as the CLI uses: the model loads on rayon's threads, which allocate meshes and
/// elements side by side, and under glibc's allocator the same `load_set` of the 100k-element
/// hall took about twice the CLI's time in the viewer.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;

/// Plumbline's BIM viewer: federated IFC models, clash review and 4D.
#[derive(Debug, Parser)]
#[command(name = "plumbline-viewer", version)]
struct Args {
    /// IFC models (.ifc, .ifczip) to load together.
    models: Vec<PathBuf>,
    /// Clash report to review (the JSON `plumbline clash --json` writes).
    #[arg(long)]
    clashes: Option<PathBuf>,
    /// Clash rule matrix (TOML, as `plumbline clash --config` reads): its tests run on the
    /// models once they load and the results are reviewed. With --db the run is recorded in the
    /// history first, as `plumbline clash --config --db` records it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Schedule for 4D (MSPDI, XER, P6 XML, CSV or IFC); default: the models' IFC work schedule.
    #[arg(long)]
    schedule: Option<PathBuf>,
    /// Element-task links (CSV with GlobalId and task columns, or TOML rules); repeatable.
    #[arg(long)]
    links: Vec<PathBuf>,
    /// Save a screenshot (PNG) once the model is shown, then exit.
    #[arg(long)]
    screenshot: Option<PathBuf>,
    /// With --screenshot: frames to render after loading before the screenshot (default 5).
    /// Without one it would do nothing, so it is refused.
    #[arg(long, requires = "screenshot")]
    exit_after_frames: Option<u32>,
    /// UI language, `en` or `zh` (default: the system locale).
    #[arg(long, value_parser = parse_lang)]
    lang: Option<Lang>,
    /// Select this element (GlobalId) once loaded.
    #[arg(long)]
    select: Option<String>,
    /// Focus this clash (its id, its history number as #N, or its position in the report from
    /// 0) once loaded.
    #[arg(long)]
    focus_clash: Option<String>,
    /// Show the 4D state at this date (YYYY-MM-DD) once loaded.
    #[arg(long)]
    date: Option<String>,
    /// Ghost everything but the selection.
    #[arg(long)]
    xray: bool,
    /// Open on a standard view: top, front, back, left, right or iso.
    #[arg(long, value_parser = parse_view)]
    view: Option<StandardView>,
    /// Select the elements of this 4D task (its id, else its name) once loaded.
    #[arg(long)]
    select_task: Option<String>,
    /// Hide these IFC classes at start (comma-separated), as unticking them in the model tree
    /// does: e.g. `IfcSlab,IfcWall` to look into a building in 4D.
    #[arg(long, value_delimiter = ',')]
    hide_class: Vec<String>,
    /// Show only this storey (its name as the model tree lists it) once loaded.
    #[arg(long)]
    storey: Option<String>,
    /// The clash history (`plumbline clash --db`): statuses are read from it, and statuses and
    /// comments set in the viewer are written to it. Without --clashes, the clashes it holds
    /// open are reviewed.
    #[arg(long)]
    db: Option<PathBuf>,
    /// The history project (site) whose clashes are reviewed and where a rule run is recorded
    /// [default: the one project that has the clash]. Needed when the history holds sites built
    /// from one template, whose clash ids are the same.
    #[arg(long, value_name = "NAME")]
    project: Option<String>,
    /// Who statuses and comments are recorded as (default: $USER).
    #[arg(long)]
    user: Option<String>,
    /// Export the group of the --focus-clash clash to this BCF file, with the view as its
    /// snapshot, once the model is shown, then exit.
    #[arg(long)]
    bcf_out: Option<PathBuf>,
    /// Pick at X,Y (window pixels) once loaded, as a click would: prints the ray cast's time and
    /// selects the hit (benchmarks, and reproducing a selection).
    #[arg(long, value_parser = parse_point)]
    pick_at: Option<(f32, f32)>,
    /// Start with the section box on: X0,Y0,Z0,X1,Y1,Z1 in world metres (Z up); geometry outside
    /// is cut away. E.g. `-1e6,-1e6,-1e6,1e6,1e6,2.5` cuts everything above 2.5 m.
    #[arg(long, value_parser = parse_box)]
    section_box: Option<plumbline_model::Aabb>,
    /// Load every model from its file and cache nothing. By default a model opened before (same
    /// bytes) comes back from the model cache without parsing or tessellation.
    #[arg(long, env = "PLUMBLINE_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    no_cache: bool,
    /// The model cache's folder [default: $PLUMBLINE_CACHE_DIR, else plumbline/models in the
    /// platform's cache folder]. --no-cache wins over it.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Measure the minimum distance between two elements (GLOBALID,GLOBALID) once loaded, as the
    /// clash engine computes it (`plumbline clash --mode clearance` gives the same number); prints
    /// `plumbline-viewer measure: distance_m=…` and exits, after the screenshot when --screenshot
    /// is given.
    #[arg(long, value_name = "GLOBALID,GLOBALID", value_parser = parse_pair)]
    measure: Option<(String, String)>,
    /// Open the Search tab with this text searched (name, GlobalId, class or property value).
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Colour the elements by class, storey, system, clash (status), 4d (state) or a property's
    /// value (PSET.PROP), with a legend in the Colour tab.
    #[arg(long, value_name = "PSET.PROP|class|storey|system|clash|4d", value_parser = parse_colour_by)]
    colour_by: Option<ColourBy>,
    /// Walk from this eye point once loaded (world metres, Z up): gravity sets the walker on
    /// the floor below it, the eye at eye height (1.7 m). HEADING is compass degrees (0 looks
    /// north, +Y; 90 east, +X; default 0).
    #[arg(long, value_name = "X,Y,Z[,HEADING]", value_parser = parse_walk, conflicts_with = "fly")]
    walk: Option<[f64; 4]>,
    /// Fly from this eye point once loaded (no gravity), as --walk.
    #[arg(long, value_name = "X,Y,Z[,HEADING]", value_parser = parse_walk)]
    fly: Option<[f64; 4]>,
    /// Open this saved viewpoint once loaded (its name in the Views tab; the views are kept in
    /// MODEL.plumbline-views.json beside the first model). Without it, and without other options
    /// that choose a view, the view the viewer was left at on these models is restored.
    #[arg(long, value_name = "NAME")]
    viewpoint: Option<String>,
    /// Export every saved viewpoint to this BCF file (a topic each, its snapshot with the
    /// redlines drawn in), then exit.
    #[arg(long, value_name = "FILE.bcf")]
    export_views: Option<PathBuf>,
    /// How the elements are drawn: `instanced` (an entity with a shared mesh each), `merged`
    /// (nearby elements that look the same merged into one mesh) or `auto` (instanced while the
    /// graphics device can bind every element's instance record, as a GPU can for millions;
    /// merged past that, as on Mesa's software lavapipe past about 600,000 elements).
    #[arg(long, value_name = "auto|instanced|merged", default_value = "auto", value_parser = parse_batches)]
    batches: BatchMode,
    /// Window size in logical pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1600x1000", value_parser = parse_size)]
    size: (u32, u32),
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language {s:?}: use en or zh"))
}

fn parse_view(s: &str) -> Result<StandardView, String> {
    StandardView::parse(s)
        .ok_or_else(|| format!("unknown view {s:?}: use top, front, back, left, right or iso"))
}

fn parse_point(s: &str) -> Result<(f32, f32), String> {
    let (x, y) = s.split_once(',').ok_or("give the point as X,Y, e.g. 800,500")?;
    let x: f32 = x.trim().parse().map_err(|e| format!("x: {e}"))?;
    let y: f32 = y.trim().parse().map_err(|e| format!("y: {e}"))?;
    if !(x.is_finite() && y.is_finite()) {
        return Err("the point must be finite".into());
    }
    Ok((x, y))
}

fn parse_box(s: &str) -> Result<plumbline_model::Aabb, String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|e| format!("{p:?}: {e}")))
        .collect::<Result<_, _>>()?;
    let [x0, y0, z0, x1, y1, z1] = v[..] else {
        return Err("give the box as X0,Y0,Z0,X1,Y1,Z1 in metres".into());
    };
    if !v.iter().all(|c| c.is_finite()) || x0 > x1 || y0 > y1 || z0 > z1 {
        return Err("the box needs finite numbers with each minimum below its maximum".into());
    }
    Ok(plumbline_model::Aabb { min: [x0, y0, z0], max: [x1, y1, z1] })
}

fn parse_colour_by(s: &str) -> Result<ColourBy, String> {
    ColourBy::parse(s)
        .ok_or_else(|| format!("unknown colouring {s:?}: use class, storey, system, clash, 4d or PSET.PROP"))
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split(',').map(str::trim).collect::<Vec<_>>()[..] {
        [a, b] if !a.is_empty() && !b.is_empty() => Ok((a.to_string(), b.to_string())),
        _ => Err("give two GlobalIds as A,B".into()),
    }
}

fn parse_walk(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|e| format!("{p:?}: {e}")))
        .collect::<Result<_, _>>()?;
    let [x, y, z, heading] = match v[..] {
        [x, y, z] => [x, y, z, 0.0],
        [x, y, z, h] => [x, y, z, h],
        _ => return Err("give the eye point as X,Y,Z or X,Y,Z,HEADING (metres, compass degrees)".into()),
    };
    if !v.iter().all(|c| c.is_finite()) {
        return Err("the eye point and heading must be finite".into());
    }
    Ok([x, y, z, heading])
}

fn parse_batches(s: &str) -> Result<BatchMode, String> {
    BatchMode::parse(s).ok_or_else(|| format!("unknown drawing {s:?}: use auto, instanced or merged"))
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or("give the size as WIDTHxHEIGHT, e.g. 1600x1000")?;
    let w: u32 = w.trim().parse().map_err(|e| format!("width: {e}"))?;
    let h: u32 = h.trim().parse().map_err(|e| format!("height: {e}"))?;
    if w == 0 || h == 0 {
        return Err("the size must be positive".into());
    }
    Ok((w, h))
}

/// Bevy's task pools as by default, but the async compute pool (where the render pipelines
/// compile) yields the cores to a model load: see `plumbline_viewer::priority`.
fn background_compilation() -> TaskPoolPlugin {
    let mut options = TaskPoolOptions::default();
    options.async_compute.on_thread_spawn =
        Some(std::sync::Arc::new(plumbline_viewer::priority::lower_this_thread));
    TaskPoolPlugin { task_pool_options: options }
}

fn main() -> AppExit {
    let started = plumbline_viewer::screenshot_plugin::ProcessStart(std::time::Instant::now());
    let args = Args::parse();
    // Batch runs need frames without input.
    let screenshot = args.screenshot.is_some()
        || args.bcf_out.is_some()
        || args.measure.is_some()
        || args.export_views.is_some();
    let config = ViewerConfig {
        models: args.models,
        clashes: args.clashes,
        rules: args.config,
        schedule: args.schedule,
        links: args.links,
        screenshot: args.screenshot,
        exit_after_frames: args.exit_after_frames,
        lang: args.lang,
        select: args.select,
        focus_clash: args.focus_clash,
        date: args.date,
        xray: args.xray,
        view: args.view,
        select_task: args.select_task,
        hide_classes: args.hide_class,
        isolate_storey: args.storey,
        db: args.db,
        project: args.project,
        user: args.user,
        bcf_out: args.bcf_out.clone(),
        pick_at: args.pick_at.map(|(x, y)| Vec2::new(x, y)),
        section_box: args.section_box,
        measure: args.measure,
        colour_by: args.colour_by,
        search: args.search,
        viewpoint: args.viewpoint,
        export_views: args.export_views,
        model_cache: plumbline_cache::ModelCache::chosen(args.no_cache, args.cache_dir)
            .map(std::sync::Arc::new),
        batches: args.batches,
    };
    let walk_start =
        [(NavMode::Walk, args.walk), (NavMode::Fly, args.fly)].into_iter().find_map(|(mode, at)| {
            at.map(|[x, y, z, heading_deg]| WalkStart { mode, eye_m: [x, y, z], heading_deg })
        });
    let mut app = App::new();
    app.insert_resource(started);
    if let Some(start) = walk_start {
        app.insert_resource(start);
    }
    app.insert_resource(config);
    // The models load beside Bevy's start (renderer, window, first pipelines), not after it.
    plumbline_viewer::load_plugin::start_before_window(&mut app);
    app
        // Render on demand: a frame when input, a load, a flight or playback asks for one.
        // Screenshots need frames without input.
        .insert_resource(if screenshot { WinitSettings::continuous() } else { WinitSettings::desktop_app() })
        .add_plugins(DefaultPlugins.set(background_compilation()).set(WindowPlugin {
            primary_window: Some(Window {
                title: "Plumbline".into(),
                resolution: WindowResolution::new(args.size.0, args.size.1),
                ..default()
            }),
            ..default()
        }))
        .add_plugins(ViewerPlugin);
    app.run()
}
