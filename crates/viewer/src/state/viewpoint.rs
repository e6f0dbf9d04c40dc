//! Saved viewpoints: a named view (camera, section box, visibility, x-ray, selection and
//! redlines) kept in a file beside the first model, `MODEL.plumbline-views.json` (the model's
//! file name with its extension, then `.plumbline-views.json`), and the last view of the model
//! set, restored on the next start.
//!
//! The file is JSON with a `schema_version`. Every change re-reads it, applies the one change
//! (save, delete, the last view) and writes it through a temporary file renamed over it, so two
//! viewers on one model keep each other's views and a crash never leaves half a file. A file
//! that cannot be read as views (corrupt, or written by a newer Plumbline) is never written:
//! the book says why ([`ViewBook::error`]) and keeps the session's changes in memory.
//!
//! A view stores world coordinates (metres, Z up), names and GlobalIds, never render-space
//! values or indices, so it applies to the same models however they were loaded. This module
//! converts between it and the viewer's state ([`capture`], [`ViewChanges::of`]); the BCF side is
//! `state::viewpoint_bcf`.

use crate::state::camera::{CameraCommand, OrbitCamera};
use crate::state::coords::{render_from_world, world_from_render};
use crate::state::redline::RedlineSet;
use crate::state::scene::{ModelScene, Selection, ViewFilter};
use crate::state::section::SectionBox;
use bevy::prelude::*;
use plumbline_model::{Aabb, ElementRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The version of the views file this viewer writes; a file of a higher version is left alone.
pub const VIEWS_SCHEMA_VERSION: u32 = 1;

/// What the views file's name adds to the first model's file name.
pub const VIEWS_SUFFIX: &str = ".plumbline-views.json";

/// The camera of a view, in world metres (Z up), as BCF describes a perspective camera, with the
/// distance to the point the viewer orbits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SavedCamera {
    pub position_m: [f64; 3],
    /// Unit view direction.
    pub direction: [f64; 3],
    /// Unit up vector.
    pub up: [f64; 3],
    /// Vertical field of view.
    pub field_of_view_deg: f64,
    /// How far ahead of the camera the orbit centre lies.
    pub orbit_distance_m: f64,
}

impl SavedCamera {
    /// Whether every number is finite and the vectors have a length (what a hand-edited file
    /// may break).
    pub fn is_valid(&self) -> bool {
        let finite = |v: &[f64; 3]| v.iter().all(|c| c.is_finite());
        let len = |v: &[f64; 3]| v.iter().map(|c| c * c).sum::<f64>().sqrt();
        finite(&self.position_m)
            && finite(&self.direction)
            && finite(&self.up)
            && len(&self.direction) > 1e-9
            && self.field_of_view_deg.is_finite()
            && self.orbit_distance_m.is_finite()
            && self.orbit_distance_m > 0.0
    }

    /// The point the camera orbits (world metres).
    pub fn target_m(&self) -> [f64; 3] {
        let d = normalised(self.direction);
        let t = self.orbit_distance_m;
        [self.position_m[0] + d[0] * t, self.position_m[1] + d[1] * t, self.position_m[2] + d[2] * t]
    }

    /// The review camera (BCF's perspective camera).
    pub fn review_camera(&self) -> plumbline_review::Camera {
        plumbline_review::Camera {
            position: self.position_m,
            direction: normalised(self.direction),
            up: normalised(self.up),
            field_of_view_deg: self.field_of_view_deg,
        }
    }
}

fn normalised(v: [f64; 3]) -> [f64; 3] {
    let l = v.iter().map(|c| c * c).sum::<f64>().sqrt();
    if l > 0.0 && l.is_finite() {
        v.map(|c| c / l)
    } else {
        [0.0, 0.0, -1.0]
    }
}

/// One saved view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    pub name: String,
    /// The BCF topic GUID the view is exported as (kept, so a re-export updates the topic).
    pub guid: String,
    /// When it was saved, UTC (`2026-12-05T09:30:00Z`).
    pub created: String,
    pub camera: SavedCamera,
    /// The section box (world metres), when it is on.
    #[serde(default)]
    pub section_box: Option<Aabb>,
    /// Hidden model files, by file name.
    #[serde(default)]
    pub hidden_files: BTreeSet<String>,
    #[serde(default)]
    pub hidden_storeys: BTreeSet<String>,
    #[serde(default)]
    pub hidden_classes: BTreeSet<String>,
    #[serde(default)]
    pub xray: bool,
    /// GlobalIds of the selected elements, sorted.
    #[serde(default)]
    pub selected: Vec<String>,
    #[serde(default)]
    pub redlines: RedlineSet,
}

/// The view the viewer was left at, and the models it was of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastView {
    /// File names of the loaded models, in load order.
    pub models: Vec<String>,
    pub view: SavedView,
}

/// The views file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewsFile {
    pub schema_version: u32,
    /// Sorted by name.
    #[serde(default)]
    pub views: Vec<SavedView>,
    #[serde(default)]
    pub last_view: Option<LastView>,
}

impl Default for ViewsFile {
    fn default() -> Self {
        ViewsFile { schema_version: VIEWS_SCHEMA_VERSION, views: Vec::new(), last_view: None }
    }
}

/// The views file of a model set: beside its first model.
pub fn views_path(first_model: &Path) -> PathBuf {
    let name = first_model.file_name().map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
    first_model.with_file_name(format!("{name}{VIEWS_SUFFIX}"))
}

/// The file names of a model set's models, in load order (the key of its last view).
pub fn model_names(scene: &ModelScene) -> Vec<String> {
    scene
        .set
        .models
        .iter()
        .map(|m| {
            Path::new(&m.path)
                .file_name()
                .map_or_else(|| m.path.clone(), |n| n.to_string_lossy().into_owned())
        })
        .collect()
}

/// Reads a views file; a missing file is an empty one. A file that is not views, or of a newer
/// schema, is an error naming the file (and the line, for broken JSON).
pub fn read_views(path: &Path) -> Result<ViewsFile, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ViewsFile::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut file: ViewsFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a Plumbline views file (line {}, column {}: {e})",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if file.schema_version > VIEWS_SCHEMA_VERSION {
        return Err(format!(
            "{}: views file version {} is newer than this viewer's ({VIEWS_SCHEMA_VERSION})",
            path.display(),
            file.schema_version
        ));
    }
    // What a hand edit may have broken is dropped here rather than failing every apply later.
    file.views.retain(|v| v.camera.is_valid() && !v.name.trim().is_empty());
    for v in file.views.iter_mut().chain(file.last_view.iter_mut().map(|l| &mut l.view)) {
        v.redlines.sanitise();
    }
    if file.last_view.as_ref().is_some_and(|l| !l.view.camera.is_valid()) {
        file.last_view = None;
    }
    file.views.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(file)
}

/// Writes a views file through a temporary file in the same folder renamed over it, so a
/// failed or interrupted write leaves the previous file whole.
pub fn write_views(path: &Path, file: &ViewsFile) -> Result<(), String> {
    let json = serde_json::to_string_pretty(file).map_err(|e| format!("{}: {e}", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name().map_or_else(|| "views".into(), |n| n.to_string_lossy().into_owned()),
        std::process::id()
    ));
    std::fs::write(&tmp, json + "\n").map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", path.display())
    })
}

/// Re-reads the file, applies `change`, and writes it back; the file as written is returned.
/// A file that cannot be read as views is left untouched (the error says why).
pub fn update_views(path: &Path, change: impl FnOnce(&mut ViewsFile)) -> Result<ViewsFile, String> {
    let mut file = read_views(path)?;
    change(&mut file);
    file.schema_version = VIEWS_SCHEMA_VERSION;
    file.views.sort_by(|a, b| a.name.cmp(&b.name));
    write_views(path, &file)?;
    Ok(file)
}

/// The saved views of the loaded models.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct ViewBook {
    /// The views file; `None` without models.
    pub path: Option<PathBuf>,
    /// File names of the loaded models.
    pub models: Vec<String>,
    /// Sorted by name.
    pub views: Vec<SavedView>,
    pub last: Option<LastView>,
    /// Why the file is not written (it is corrupt or newer): changes stay in memory.
    pub error: Option<String>,
    /// The outcome of the last action, for the panel: (ok, message).
    pub message: Option<(bool, String)>,
    /// The saved view last gone to (the list marks it).
    pub shown: Option<String>,
}

impl ViewBook {
    /// The book of the views file at `path`, for the models named `models`.
    pub fn open(path: PathBuf, models: Vec<String>) -> ViewBook {
        let mut book = ViewBook { path: Some(path.clone()), models, ..Default::default() };
        match read_views(&path) {
            Ok(file) => book.take(file),
            Err(e) => book.error = Some(e),
        }
        book
    }

    fn take(&mut self, file: ViewsFile) {
        self.views = file.views;
        self.last = file.last_view;
    }

    /// Whether changes reach the file.
    pub fn writable(&self) -> bool {
        self.path.is_some() && self.error.is_none()
    }

    pub fn find(&self, name: &str) -> Option<&SavedView> {
        self.views.iter().find(|v| v.name == name.trim())
    }

    /// Applies a change to the file (re-read first) and to the views in memory. Without a
    /// writable file the change is kept in memory only and the error is returned.
    fn change(&mut self, change: impl Fn(&mut ViewsFile)) -> Result<(), String> {
        let mut mine = ViewsFile {
            schema_version: VIEWS_SCHEMA_VERSION,
            views: self.views.clone(),
            last_view: self.last.clone(),
        };
        change(&mut mine);
        mine.views.sort_by(|a, b| a.name.cmp(&b.name));
        let written = match (&self.path, &self.error) {
            (Some(path), None) => update_views(path, &change),
            (None, _) => Err("no model is open: views are kept until the viewer closes".into()),
            (Some(_), Some(e)) => Err(e.clone()),
        };
        match written {
            Ok(file) => {
                self.take(file);
                Ok(())
            }
            Err(e) => {
                // The file broke since it was opened: stop writing it from now on.
                if self.error.is_none() && self.path.is_some() {
                    self.error = Some(e.clone());
                }
                self.take(mine);
                Err(e)
            }
        }
    }

    /// Saves a view under its name (replacing one of that name).
    pub fn save(&mut self, view: SavedView) -> Result<(), String> {
        self.change(|f| {
            f.views.retain(|v| v.name != view.name);
            f.views.push(view.clone());
        })
    }

    /// Saves several views at once (an import), each replacing one of its name.
    pub fn save_all(&mut self, views: &[SavedView]) -> Result<(), String> {
        self.change(|f| {
            for view in views {
                f.views.retain(|v| v.name != view.name);
                f.views.push(view.clone());
            }
        })
    }

    pub fn delete(&mut self, name: &str) -> Result<(), String> {
        self.change(|f| f.views.retain(|v| v.name != name))
    }

    /// Records the view the viewer is left at.
    pub fn set_last(&mut self, view: SavedView) -> Result<(), String> {
        let last = LastView { models: self.models.clone(), view };
        self.change(|f| f.last_view = Some(last.clone()))
    }

    /// The last view, when it was of the same models (in any order).
    pub fn restorable(&self) -> Option<&SavedView> {
        let sorted = |m: &[String]| {
            let mut m = m.to_vec();
            m.sort();
            m
        };
        self.last
            .as_ref()
            .filter(|l| !l.models.is_empty() && sorted(&l.models) == sorted(&self.models))
            .map(|l| &l.view)
    }

    /// A name not yet taken: `base`, else `base (2)`, `base (3)`, …
    pub fn free_name(&self, base: &str) -> String {
        let base = base.trim();
        let base = if base.is_empty() { "View" } else { base };
        if self.find(base).is_none() {
            return base.to_string();
        }
        (2..).map(|i| format!("{base} ({i})")).find(|n| self.find(n).is_none()).unwrap_or_else(|| base.into())
    }
}

/// Now, as BCF and the views file write a time (`2026-12-05T09:30:00Z`).
pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The camera of an orbit pose, in world metres.
pub fn saved_camera(origin_m: [f64; 3], orbit: &OrbitCamera, fov_y: f32) -> SavedCamera {
    let eye = orbit.focus + orbit.offset_dir() * orbit.distance;
    // Directions turn from render to world axes without the origin: (x, y, z) -> (x, -z, y).
    let world = |v: Vec3| [f64::from(v.x), -f64::from(v.z), f64::from(v.y)];
    let direction = normalised(world(-orbit.offset_dir()));
    // Bevy's camera looks with render Y up: the world's Z, square to the view direction.
    let along = direction[2];
    let up = [-along * direction[0], -along * direction[1], 1.0 - along * direction[2]];
    let up = if up.iter().map(|c| c * c).sum::<f64>() > 1e-12 { normalised(up) } else { [0.0, 1.0, 0.0] };
    SavedCamera {
        position_m: world_from_render(origin_m, eye),
        direction,
        up,
        field_of_view_deg: f64::from(fov_y.to_degrees()),
        orbit_distance_m: f64::from(orbit.distance),
    }
}

/// The camera request that goes to a saved camera, and the pose the camera ends at (what the
/// camera plugin computes from the request), for a lens of vertical field of view `fov_y`.
pub fn camera_request(origin_m: [f64; 3], camera: &SavedCamera, fov_y: f32) -> (CameraCommand, OrbitCamera) {
    let review = camera.review_camera();
    let target_m = camera.target_m();
    let pose = OrbitCamera::from_review(origin_m, &review, target_m, fov_y);
    (CameraCommand::Review { camera: review, target_m }, pose)
}

/// How far ahead of a camera to orbit when the view does not say: to the point of its view
/// line nearest the middle of `bounds` (at least 1 m), else 10 m.
pub fn orbit_distance_toward(position_m: [f64; 3], direction: [f64; 3], bounds: Option<&Aabb>) -> f64 {
    let Some(b) = bounds.filter(|b| !b.is_empty()) else { return 10.0 };
    let c = b.center();
    let d = normalised(direction);
    let along = (0..3).map(|i| (c[i] - position_m[i]) * d[i]).sum::<f64>();
    if along.is_finite() {
        along.max(1.0)
    } else {
        10.0
    }
}

/// The view the viewer shows now, under `name`.
#[derive(Debug, Clone, Copy)]
pub struct ViewNow<'a> {
    pub scene: &'a ModelScene,
    pub orbit: &'a OrbitCamera,
    pub fov_y: f32,
    pub section: &'a SectionBox,
    pub filter: &'a ViewFilter,
    pub selection: &'a Selection,
    pub redlines: &'a RedlineSet,
}

/// Captures the view the viewer shows now as a saved view named `name`, saved at `created`.
pub fn capture(now: &ViewNow<'_>, name: &str, created: &str) -> SavedView {
    let scene = now.scene;
    let names = model_names(scene);
    let mut selected: Vec<String> = now
        .selection
        .element
        .iter()
        .chain(now.selection.group.iter())
        .filter(|r| (r.file as usize) < scene.set.models.len())
        .map(|r| scene.element(*r).global_id.clone())
        .collect();
    selected.sort();
    selected.dedup();
    // Redlines belong to the view only when they were drawn at this camera.
    let redlines = match now.redlines.pose {
        Some(p) if crate::state::redline::same_pose(&p, now.orbit) => now.redlines.clone(),
        _ => RedlineSet::default(),
    };
    let name = name.trim().to_string();
    SavedView {
        guid: plumbline_review::stable_uuid(&["plumbline-viewer-view", &name, created]),
        name,
        created: created.to_string(),
        camera: saved_camera(scene.origin_m, now.orbit, now.fov_y),
        section_box: (now.section.enabled && !now.section.bounds.is_empty()).then_some(now.section.bounds),
        hidden_files: now
            .filter
            .hidden_files
            .iter()
            .filter_map(|i| names.get(*i as usize).cloned())
            .collect(),
        hidden_storeys: now.filter.hidden_storeys.clone(),
        hidden_classes: now.filter.hidden_classes.clone(),
        xray: now.filter.xray,
        selected,
        redlines: RedlineSet { pose: None, ..redlines },
    }
}

/// What applying a view changes, computed without touching the viewer's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewChanges {
    pub filter: ViewFilter,
    pub section: SectionBox,
    pub selection: Selection,
    pub camera: CameraCommand,
    /// The camera pose the view ends at (its redlines belong to it).
    pub pose: OrbitCamera,
    pub redlines: RedlineSet,
    /// Selected elements and hidden files the loaded models do not have.
    pub missing: Vec<String>,
}

impl ViewChanges {
    /// The changes that show `view` in `scene`, seen through a lens of vertical field of view
    /// `fov_y`.
    pub fn of(view: &SavedView, scene: &ModelScene, fov_y: f32) -> ViewChanges {
        let names = model_names(scene);
        let mut missing = Vec::new();
        let hidden_files = view
            .hidden_files
            .iter()
            .filter_map(|f| {
                let i = names.iter().position(|n| n == f);
                if i.is_none() {
                    missing.push(f.clone());
                }
                i.and_then(|i| u32::try_from(i).ok())
            })
            .collect();
        let mut group: Vec<ElementRef> = view
            .selected
            .iter()
            .filter_map(|g| {
                let r = scene.by_global_id.get(g).copied();
                if r.is_none() {
                    missing.push(g.clone());
                }
                r
            })
            .collect();
        group.sort_unstable();
        group.dedup();
        let selection = match group[..] {
            [one] => Selection { element: Some(one), task: None, group: Vec::new() },
            _ => Selection { element: None, task: None, group },
        };
        let filter = ViewFilter {
            hidden_files,
            hidden_storeys: view.hidden_storeys.clone(),
            hidden_classes: view.hidden_classes.clone(),
            xray: view.xray,
        };
        let section = match view.section_box {
            Some(b) if !b.is_empty() => SectionBox { enabled: true, bounds: b },
            _ => SectionBox { enabled: false, bounds: scene.bounds.unwrap_or(Aabb::EMPTY) },
        };
        let (camera, pose) = camera_request(scene.origin_m, &view.camera, fov_y);
        ViewChanges { filter, section, selection, camera, pose, redlines: view.redlines.clone(), missing }
    }
}

/// Whether a camera pose in render space lies where a saved camera puts it (for tests and the
/// restore check): the same eye and view direction.
pub fn pose_matches(origin_m: [f64; 3], pose: &OrbitCamera, camera: &SavedCamera) -> bool {
    let eye = pose.focus + pose.offset_dir() * pose.distance;
    let want = render_from_world(origin_m, camera.position_m);
    (eye - want).length() <= 1e-3 * pose.distance.max(1.0)
}

/// The texts of the views panel and the redline row, in one language.
#[derive(Debug)]
pub struct ViewStrings {
    pub views: &'static str,
    pub name_hint: &'static str,
    pub save_view: &'static str,
    pub save_hint: &'static str,
    pub saved: &'static str,
    pub delete: &'static str,
    pub go_to: &'static str,
    pub no_views: &'static str,
    pub open_model_first: &'static str,
    pub file: &'static str,
    pub not_written: &'static str,
    pub export_bcf: &'static str,
    pub export_hint: &'static str,
    pub exporting: &'static str,
    pub exported: &'static str,
    pub import_bcf: &'static str,
    pub import_hint: &'static str,
    pub imported: &'static str,
    /// What an import could not carry over: viewpoints without a camera, skewed clipping planes,
    /// hidden elements shown, selected elements not loaded.
    pub import_notes: [&'static str; 4],
    pub restored: &'static str,
    pub not_found: &'static str,
    pub missing: &'static str,
    pub redlines: &'static str,
    pub redline: &'static str,
    pub redline_hint: &'static str,
    pub freehand: &'static str,
    pub arrow: &'static str,
    pub text: &'static str,
    pub undo: &'static str,
    pub clear: &'static str,
    pub done: &'static str,
    pub draw_hint: &'static str,
    pub arrow_hint: &'static str,
    pub text_hint: &'static str,
    pub colour: &'static str,
}

pub static VIEW_EN: ViewStrings = ViewStrings {
    views: "Views",
    name_hint: "Name of the view",
    save_view: "Save view",
    save_hint: "Saves the camera, section box, visibility, x-ray, selection and redlines under this name",
    saved: "Saved",
    delete: "Delete",
    go_to: "Go to this view",
    no_views: "No saved views yet: set the view up, name it and save it.",
    open_model_first: "Open a model to save views.",
    file: "File",
    not_written: "Not saved to the file (the session keeps it)",
    export_bcf: "Export BCF",
    export_hint: "Every view as a BCF topic with its snapshot, redlines drawn in",
    exporting: "Exporting views",
    exported: "Views exported to",
    import_bcf: "Import BCF",
    import_hint: "Path of a .bcf file",
    imported: "Views imported from",
    import_notes: [
        "viewpoints without a camera skipped",
        "clipping planes not along an axis left out",
        "hidden elements shown (no whole file, storey or class)",
        "selected elements not in the models",
    ],
    restored: "Restored the last view",
    not_found: "No saved view named",
    missing: "not in the loaded models",
    redlines: "redlines",
    redline: "Redline",
    redline_hint: "Draw on the view: freehand lines, arrows and text, saved with a view",
    freehand: "Freehand",
    arrow: "Arrow",
    text: "Text",
    undo: "Undo",
    clear: "Clear",
    done: "Done",
    draw_hint: "Drag on the view to draw",
    arrow_hint: "Drag from the tail to the point",
    text_hint: "Click where the text goes, type, press Enter",
    colour: "Colour",
};

pub static VIEW_ZH: ViewStrings = ViewStrings {
    views: "视点",
    name_hint: "视点名称",
    save_view: "保存视点",
    save_hint: "以此名称保存相机、剖切框、可见性、X 光、选择和批注",
    saved: "已保存",
    delete: "删除",
    go_to: "转到此视点",
    no_views: "尚无保存的视点：调整好视图，命名后保存。",
    open_model_first: "请先打开模型再保存视点。",
    file: "文件",
    not_written: "未写入文件（本次会话中保留）",
    export_bcf: "导出 BCF",
    export_hint: "每个视点导出为一个 BCF 主题，快照中带有批注",
    exporting: "正在导出视点",
    exported: "视点已导出至",
    import_bcf: "导入 BCF",
    import_hint: ".bcf 文件路径",
    imported: "已导入视点，来自",
    import_notes: [
        "个无相机的视点已跳过",
        "个非轴向剖切平面已忽略",
        "个隐藏构件仍显示（不构成整个文件、楼层或类别）",
        "个选中构件不在模型中",
    ],
    restored: "已恢复上次的视图",
    not_found: "没有此名称的视点",
    missing: "不在已加载的模型中",
    redlines: "条批注",
    redline: "批注",
    redline_hint: "在视图上绘制手绘线、箭头和文字，随视点保存",
    freehand: "手绘",
    arrow: "箭头",
    text: "文字",
    undo: "撤销",
    clear: "清除",
    done: "完成",
    draw_hint: "在视图上拖动绘制",
    arrow_hint: "从箭尾拖到箭头",
    text_hint: "点击放置文字，输入后按回车",
    colour: "颜色",
};
