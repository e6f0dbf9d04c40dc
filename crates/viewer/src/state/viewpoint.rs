//! Saved viewpoints: a named view (camera, section box, visibility of files, storeys, classes
//! and single elements, x-ray, selection, redlines, element colours, the colour-by mode, the 4D
//! day and the focused clash) kept in a file beside the first model, `MODEL.plumbline-views.json` (the model's
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
//! `state::viewpoint_bcf`, and `state::viewpoint_apply` puts the 4D day, colours and clash back.
//!
//! Fields were added over time with serde defaults, so a file written before them still opens:
//! a view without `colour_by` or `four_d` leaves the colouring and the 4D day as they are.

use crate::state::camera::{CameraCommand, OrbitCamera};
use crate::state::clash::ClashReview;
use crate::state::colour::{parse_bcf_colour, ColourBy, Colouring};
use crate::state::coords::{render_from_world, world_from_render};
use crate::state::redline::RedlineSet;
use crate::state::scene::{ModelScene, Selection, ViewFilter};
use crate::state::section::SectionBox;
use crate::state::timeline::Timeline;
use bevy::prelude::*;
use plumbline_model::{Aabb, ElementRef};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use crate::state::viewpoint_text::{ViewStrings, VIEW_EN, VIEW_ZH};

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
    /// Elements hidden one by one, by GlobalId.
    #[serde(default)]
    pub hidden_elements: BTreeSet<String>,
    /// When set, only these elements are shown (by GlobalId).
    #[serde(default)]
    pub isolated_elements: Option<BTreeSet<String>>,
    /// Colours given to single elements (BCF's `Coloring`): per colour (`RRGGBB`, or
    /// `AARRGGBB` with the alpha first), the GlobalIds.
    #[serde(default)]
    pub colours: BTreeMap<String, BTreeSet<String>>,
    /// What the colours stand for, as `--colour-by` takes it (`class`, `storey`, `system`,
    /// `clash`, `4d`, `PSET.PROP`); `None`: the colouring is left as it is.
    #[serde(default)]
    pub colour_by: Option<String>,
    /// Legend values whose elements are hidden (unticked).
    #[serde(default)]
    pub colour_hidden: BTreeSet<String>,
    /// The 4D day shown, when a schedule was loaded; `None`: the timeline is left as it is.
    #[serde(default)]
    pub four_d: Option<SavedFourD>,
    /// The id of the clash in focus (`None`: no clash is).
    #[serde(default)]
    pub clash: Option<String>,
}

/// The 4D state of a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFourD {
    /// The day shown, `YYYY-MM-DD`.
    pub date: String,
    /// Whether the 4D colours and hiding apply.
    pub enabled: bool,
    /// Actual dates rather than planned.
    #[serde(default)]
    pub actual: bool,
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
        v.colours = clean_colours(std::mem::take(&mut v.colours));
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
    /// What going to the last view could not show, said calmly (not an error): its clash is not
    /// in the report, no schedule for its 4D day.
    pub note: Option<String>,
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

    /// Imported views keep the name of a saved view with the same topic GUID (a re-import
    /// replaces it); another view of a taken name gets `name (2)`, …
    pub fn unique_names(&self, views: Vec<SavedView>) -> Vec<SavedView> {
        let mut taken = self.clone();
        views
            .into_iter()
            .map(|mut v| {
                match self.views.iter().find(|s| s.guid == v.guid) {
                    Some(same) => v.name = same.name.clone(),
                    None => v.name = taken.free_name(&v.name),
                }
                taken.views.push(v.clone());
                v
            })
            .collect()
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

/// Element colours with the colours upper-cased (`RRGGBB` or `AARRGGBB`), merged, and those
/// that are not a colour or have no element left out.
pub fn clean_colours(colours: BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (colour, ids) in colours {
        let key = colour.trim().trim_start_matches('#').to_ascii_uppercase();
        let ids: BTreeSet<String> =
            ids.into_iter().map(|g| g.trim().to_string()).filter(|g| !g.is_empty()).collect();
        if parse_bcf_colour(&key).is_some() && !ids.is_empty() {
            out.entry(key).or_default().extend(ids);
        }
    }
    out
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
    pub timeline: &'a Timeline,
    pub colouring: &'a Colouring,
    pub review: &'a ClashReview,
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
        hidden_elements: now.filter.hidden_elements.clone(),
        isolated_elements: now.filter.isolated_elements.clone(),
        colours: now.colouring.overlay.colours.clone(),
        colour_by: Some(now.colouring.by.as_text()),
        colour_hidden: now.colouring.hidden.clone(),
        four_d: now.timeline.data.as_ref().map(|_| SavedFourD {
            date: now.timeline.day.format("%Y-%m-%d").to_string(),
            enabled: now.timeline.enabled,
            actual: now.timeline.basis == plumbline_schedule::Basis::Actual,
        }),
        clash: now.review.focused_clash().map(|c| c.id.clone()),
    }
}

/// Whether two views show the same (their names, GUIDs and times aside).
pub fn same_view(a: &SavedView, b: &SavedView) -> bool {
    let strip = |v: &SavedView| SavedView {
        name: String::new(),
        guid: String::new(),
        created: String::new(),
        ..v.clone()
    };
    strip(a) == strip(b)
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
    /// The colouring to show (`None`: left as it is), with the legend values it hides.
    pub colour_by: Option<(ColourBy, BTreeSet<String>)>,
    /// Colours of single elements (an empty map clears those shown).
    pub colours: BTreeMap<String, BTreeSet<String>>,
    /// The 4D state to show (`None`: left as it is).
    pub four_d: Option<SavedFourD>,
    /// The clash to focus (`None`: none).
    pub clash: Option<String>,
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
                let r = scene.element_by_global_id(g);
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
            hidden_elements: view.hidden_elements.clone(),
            isolated_elements: view.isolated_elements.clone(),
        };
        let section = match view.section_box {
            Some(b) if !b.is_empty() => SectionBox { enabled: true, bounds: b },
            _ => SectionBox { enabled: false, bounds: scene.bounds.unwrap_or(Aabb::EMPTY) },
        };
        let (camera, pose) = camera_request(scene.origin_m, &view.camera, fov_y);
        ViewChanges {
            filter,
            section,
            selection,
            camera,
            pose,
            redlines: view.redlines.clone(),
            missing,
            colour_by: view
                .colour_by
                .as_deref()
                .and_then(ColourBy::parse)
                .map(|by| (by, view.colour_hidden.clone())),
            colours: clean_colours(view.colours.clone()),
            four_d: view.four_d.clone(),
            clash: view.clash.clone().filter(|c| !c.trim().is_empty()),
        }
    }
}

/// Whether a camera pose in render space lies where a saved camera puts it (for tests and the
/// restore check): the same eye and view direction.
pub fn pose_matches(origin_m: [f64; 3], pose: &OrbitCamera, camera: &SavedCamera) -> bool {
    let eye = pose.focus + pose.offset_dir() * pose.distance;
    let want = render_from_world(origin_m, camera.position_m);
    (eye - want).length() <= 1e-3 * pose.distance.max(1.0)
}
