//! Saved views to and from BCF: each view a topic with its snapshot (`plumbline_bcf::write_views`),
//! and the viewpoints of any BCF archive read back as views.
//!
//! BCF says what is visible element by element; the viewer hides whole files, storeys and
//! classes, and single elements (hidden, or isolated). Export lists the elements the view hides
//! as visibility exceptions of a visible default, or the elements it shows as exceptions of a
//! hidden default, whichever list is shorter. Import hides a file, a class or a storey when
//! every one of its drawn elements is hidden (which gives back what a Plumbline export said)
//! and the other hidden elements one by one; a viewpoint that shows only a few elements that no
//! files, storeys and classes give is an isolation of those elements. Either way the view shows
//! exactly the elements the viewpoint does. GlobalIds the loaded models lack are counted for the
//! import's message and kept in the view (a model loaded later may have them). Selected
//! elements become the selection, and `Coloring` the colours of single elements.
//! A section box is six clipping planes (the sides beyond the models, which cut nothing, are
//! left out); axis-aligned clipping planes read back are a section box again.

use crate::state::colour::parse_bcf_colour;
use crate::state::scene::{ModelScene, ViewFilter};
use crate::state::viewpoint::{
    clean_colours, model_names, orbit_distance_toward, SavedCamera, SavedView, ViewStrings,
};
use plumbline_bcf::{ClippingPlane, ViewCamera, ViewTopic};
use plumbline_model::{Aabb, ElementRef};
use std::collections::{BTreeMap, BTreeSet};

/// How close to an axis a clipping plane's direction must be to count as a side of a box.
const AXIS_COS: f64 = 0.999;

/// How far past the models a section box side read from BCF lies when no plane gives it.
const SIDE_REACH_M: f64 = 1.0;

/// A section box side within this of the models' extent (metres) cuts nothing: it is not
/// written.
const CUTS_NOTHING_M: f64 = 1e-6;

/// Each drawn element's GlobalId, and whether the view shows it.
fn drawn_visibility(view: &SavedView, scene: &ModelScene) -> Vec<(String, bool)> {
    let names = model_names(scene);
    let filter = ViewFilter {
        hidden_storeys: view.hidden_storeys.clone(),
        hidden_classes: view.hidden_classes.clone(),
        hidden_elements: view.hidden_elements.clone(),
        isolated_elements: view.isolated_elements.clone(),
        ..Default::default()
    };
    let mut out: Vec<(String, bool)> = scene
        .entities
        .keys()
        .map(|r| {
            let e = scene.element(*r);
            let file_hidden = names.get(r.file as usize).is_some_and(|n| view.hidden_files.contains(n));
            (e.global_id.clone(), !file_hidden && filter.shows(e))
        })
        .collect();
    out.sort();
    out
}

/// The section box as clipping planes, each normal pointing to the side cut away; sides on or
/// beyond the models' extent, which cut nothing, are left out.
pub fn clipping_planes_of(section: &Aabb, models: Option<&Aabb>) -> Vec<ClippingPlane> {
    let mut planes = Vec::new();
    let centre = models.filter(|b| !b.is_empty()).map_or_else(|| section.center(), Aabb::center);
    for axis in 0..3 {
        for (value, sign) in [(section.min[axis], -1.0), (section.max[axis], 1.0)] {
            // A side on or past the models' own extent cuts nothing.
            let beyond = models.filter(|b| !b.is_empty()).is_some_and(|b| {
                if sign < 0.0 {
                    value <= b.min[axis] + CUTS_NOTHING_M
                } else {
                    value >= b.max[axis] - CUTS_NOTHING_M
                }
            });
            if beyond || !value.is_finite() {
                continue;
            }
            let mut location = centre;
            location[axis] = value;
            let mut direction = [0.0; 3];
            direction[axis] = sign;
            planes.push(ClippingPlane { location, direction });
        }
    }
    planes
}

/// The section box that axis-aligned clipping planes cut out of `models` (grown by 1 m; a side
/// no plane gives stays there), and how many planes were not axis-aligned. `None` when no plane
/// is axis-aligned or the planes leave nothing.
pub fn section_from_planes(planes: &[ClippingPlane], models: Option<&Aabb>) -> (Option<Aabb>, usize) {
    let mut b = models
        .filter(|b| !b.is_empty())
        .map_or(Aabb { min: [-1.0e6; 3], max: [1.0e6; 3] }, |m| m.inflated(SIDE_REACH_M));
    let (mut used, mut skipped) = (0, 0);
    for p in planes {
        let len = p.direction.iter().map(|c| c * c).sum::<f64>().sqrt();
        let axis = (0..3).find(|i| len > 0.0 && (p.direction[*i] / len).abs() >= AXIS_COS);
        let Some(axis) = axis else {
            skipped += 1;
            continue;
        };
        used += 1;
        let at = p.location[axis];
        if p.direction[axis] > 0.0 {
            b.max[axis] = b.max[axis].min(at);
        } else {
            b.min[axis] = b.min[axis].max(at);
        }
    }
    let box_ = (used > 0 && !b.is_empty()).then_some(b);
    (box_, skipped)
}

/// A saved view as a BCF topic, with its snapshot. The description names the view's redline
/// texts, so a tool that shows no snapshot still has them.
pub fn topic_of(view: &SavedView, scene: &ModelScene, snapshot: Option<Vec<u8>>) -> ViewTopic {
    let visibility = drawn_visibility(view, scene);
    let hidden: Vec<String> = visibility.iter().filter(|(_, s)| !s).map(|(g, _)| g.clone()).collect();
    let shown: Vec<String> = visibility.iter().filter(|(_, s)| *s).map(|(g, _)| g.clone()).collect();
    // The shorter list: most views hide a few classes; a view of one storey shows few elements.
    let (default_visibility, visibility_exceptions) =
        if hidden.len() <= shown.len() { (true, hidden) } else { (false, shown) };
    let texts = view.redlines.texts();
    let description = if texts.is_empty() {
        String::new()
    } else {
        texts.iter().map(|t| format!("- {t}")).collect::<Vec<_>>().join("\n")
    };
    ViewTopic {
        guid: view.guid.clone(),
        title: view.name.clone(),
        description,
        created: plumbline_bcf::UtcDateTime::parse(&view.created).ok(),
        camera: ViewCamera::Perspective(view.camera.review_camera()),
        selected: view.selected.clone(),
        default_visibility,
        visibility_exceptions,
        colored: view.colours.iter().map(|(c, ids)| (c.clone(), ids.iter().cloned().collect())).collect(),
        clipping_planes: view
            .section_box
            .map(|b| clipping_planes_of(&b, scene.bounds.as_ref()))
            .unwrap_or_default(),
        files: scene.set.models.iter().map(|m| m.path.clone()).collect(),
        snapshot,
    }
}

/// What an import could not carry over, for the message.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportNotes {
    /// Viewpoints without a camera (skipped).
    pub without_camera: usize,
    /// Clipping planes that are not axis-aligned (the section box leaves them out).
    pub skewed_planes: usize,
    /// The GlobalIds that the viewpoints hide, show or colour and the loaded models do not
    /// have (each once, however many viewpoints name it).
    pub unknown_elements: BTreeSet<String>,
    /// Selected elements the loaded models do not have.
    pub unknown_selected: usize,
    /// Colours that are not `RRGGBB` or `AARRGGBB` (their elements are not coloured).
    pub bad_colours: usize,
}

/// How many of the GlobalIds the models lack an import's message names.
const UNKNOWN_NAMED: usize = 3;

impl ImportNotes {
    /// What an import could not carry over, for its message (`""` when it carried everything):
    /// each count once, with a few of the GlobalIds the models lack.
    pub fn message(&self, t: &ViewStrings) -> String {
        let counts = [
            self.without_camera,
            self.skewed_planes,
            self.unknown_elements.len(),
            self.unknown_selected,
            self.bad_colours,
        ];
        let mut said: Vec<String> = counts
            .iter()
            .zip(t.import_notes)
            .filter(|(n, _)| **n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if !self.unknown_elements.is_empty() {
            let named: Vec<&str> =
                self.unknown_elements.iter().take(UNKNOWN_NAMED).map(String::as_str).collect();
            let more = if self.unknown_elements.len() > UNKNOWN_NAMED { ", …" } else { "" };
            if let Some(s) = said.iter_mut().find(|s| s.ends_with(t.import_notes[2])) {
                s.push_str(&format!(" ({}{more})", named.join(", ")));
            }
        }
        if said.is_empty() {
            String::new()
        } else {
            format!("; {}", said.join("; "))
        }
    }

    /// Notes the GlobalIds among `ids` the models lack.
    fn unknown(&mut self, ids: &BTreeSet<&str>, drawn: &BTreeSet<&str>) {
        self.unknown_elements.extend(ids.difference(drawn).map(|g| g.to_string()));
    }
}

/// The files, classes and storeys to hide so that the elements in `hidden` are hidden: among
/// those all of whose drawn elements are in `hidden`, the largest first, each one that hides an
/// element the ones before it do not (so a hidden storey is not also given as the classes that
/// only it holds). Returns them and how many hidden elements none of them covers.
fn filters_hiding(
    scene: &ModelScene,
    hidden: &BTreeSet<&str>,
) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>, usize) {
    let names = model_names(scene);
    // Per (kind, key): its drawn elements, and whether all are hidden. Kinds: 0 file, 1
    // storey, 2 class (the order ties are broken in).
    let mut groups: BTreeMap<(u8, String), (Vec<ElementRef>, bool)> = BTreeMap::new();
    for r in scene.entities.keys() {
        let e = scene.element(*r);
        let h = hidden.contains(e.global_id.as_str());
        let file = names.get(r.file as usize).cloned().unwrap_or_default();
        for key in [(0, file), (1, e.storey.as_deref().unwrap_or("").to_string()), (2, e.class.clone())] {
            let g = groups.entry(key).or_insert_with(|| (Vec::new(), true));
            g.0.push(*r);
            g.1 &= h;
        }
    }
    let mut whole: Vec<((u8, String), Vec<ElementRef>)> =
        groups.into_iter().filter(|(_, (_, all))| *all).map(|(k, (els, _))| (k, els)).collect();
    whole.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let mut covered: BTreeSet<ElementRef> = BTreeSet::new();
    let mut picked: [BTreeSet<String>; 3] = Default::default();
    for ((kind, key), els) in whole {
        if els.iter().any(|r| !covered.contains(r)) {
            covered.extend(els);
            picked[usize::from(kind)].insert(key);
        }
    }
    let uncovered = scene
        .entities
        .keys()
        .filter(|r| hidden.contains(scene.element(**r).global_id.as_str()) && !covered.contains(*r))
        .count();
    let [files, storeys, classes] = picked;
    (files, classes, storeys, uncovered)
}

/// The GlobalIds of the drawn elements that these files, storeys and classes hide.
fn covered_by<'a>(
    scene: &'a ModelScene,
    files: &BTreeSet<String>,
    storeys: &BTreeSet<String>,
    classes: &BTreeSet<String>,
) -> BTreeSet<&'a str> {
    let names = model_names(scene);
    scene
        .entities
        .keys()
        .filter(|r| {
            let e = scene.element(**r);
            names.get(r.file as usize).is_some_and(|n| files.contains(n))
                || storeys.contains(e.storey.as_deref().unwrap_or(""))
                || classes.contains(&e.class)
        })
        .map(|r| scene.element(*r).global_id.as_str())
        .collect()
}

/// The views of a BCF archive's topics, one per viewpoint with a camera (a topic with several
/// viewpoints gives `title (2)`, …), named by topic title, for the loaded `scene`.
pub fn views_of(
    archive: &plumbline_bcf::BcfArchive,
    scene: &ModelScene,
    created: &str,
) -> (Vec<SavedView>, ImportNotes) {
    let mut notes = ImportNotes::default();
    let mut views = Vec::new();
    let drawn: BTreeSet<&str> = scene.entities.keys().map(|r| scene.element(*r).global_id.as_str()).collect();
    for topic in &archive.topics {
        for (i, vp) in topic.viewpoints.iter().enumerate() {
            let camera = match (vp.camera, vp.orthogonal_camera) {
                (Some(c), _) => {
                    let d = c.direction;
                    SavedCamera {
                        position_m: c.position,
                        direction: d,
                        up: c.up,
                        field_of_view_deg: c.field_of_view_deg,
                        orbit_distance_m: orbit_distance_toward(c.position, d, scene.bounds.as_ref()),
                    }
                }
                (None, Some(o)) => {
                    // The viewer draws in perspective: back off along the view line until a
                    // 45° lens shows the orthogonal view's height at its view point.
                    let fov_deg = 45.0_f64;
                    let back = 0.5 * o.view_to_world_scale / (0.5 * fov_deg.to_radians()).tan();
                    let len = o.direction.iter().map(|c| c * c).sum::<f64>().sqrt().max(1e-12);
                    let d = o.direction.map(|c| c / len);
                    SavedCamera {
                        position_m: [0, 1, 2].map(|k| o.position[k] - d[k] * back),
                        direction: d,
                        up: o.up,
                        field_of_view_deg: fov_deg,
                        orbit_distance_m: back.max(0.1),
                    }
                }
                (None, None) => {
                    notes.without_camera += 1;
                    continue;
                }
            };
            if !camera.is_valid() {
                notes.without_camera += 1;
                continue;
            }
            let mut selected: Vec<String> =
                vp.selected.iter().filter_map(|c| c.id()).map(str::to_string).collect();
            selected.sort();
            selected.dedup();
            notes.unknown_selected += selected.iter().filter(|g| !drawn.contains(g.as_str())).count();
            let exceptions: BTreeSet<&str> = vp
                .visibility_exceptions
                .iter()
                .filter_map(|c| c.id())
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .collect();
            let mut colours: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (colour, components) in &vp.colored {
                let ids = components.iter().filter_map(|c| c.id()).map(|g| g.trim().to_string());
                colours.entry(colour.clone()).or_default().extend(ids);
            }
            notes.bad_colours +=
                colours.iter().filter(|(c, ids)| !ids.is_empty() && parse_bcf_colour(c).is_none()).count();
            let cleaned = clean_colours(colours);
            let mut mentioned: BTreeSet<&str> = exceptions.clone();
            mentioned.extend(cleaned.values().flatten().map(String::as_str));
            notes.unknown(&mentioned, &drawn);
            let isolate = vp.default_visibility == Some(false);
            let hidden: BTreeSet<&str> = if isolate {
                drawn.iter().filter(|g| !exceptions.contains(*g)).copied().collect()
            } else {
                exceptions.intersection(&drawn).copied().collect()
            };
            let (mut hidden_files, mut hidden_classes, mut hidden_storeys, uncovered) =
                filters_hiding(scene, &hidden);
            let (hidden_elements, isolated_elements) = if !isolate {
                // What whole files, storeys and classes do not hide is hidden one by one (those
                // the models lack too: a model loaded later may have them).
                let covered = covered_by(scene, &hidden_files, &hidden_storeys, &hidden_classes);
                let one_by_one =
                    exceptions.iter().filter(|g| !covered.contains(**g)).map(|g| g.to_string()).collect();
                (one_by_one, None)
            } else if uncovered == 0 {
                (BTreeSet::new(), None)
            } else {
                // A few elements shown that no files, storeys and classes give: isolate them.
                hidden_files.clear();
                hidden_storeys.clear();
                hidden_classes.clear();
                (BTreeSet::new(), Some(exceptions.iter().map(|g| g.to_string()).collect()))
            };
            let (section_box, skewed) = section_from_planes(&vp.clipping_planes, scene.bounds.as_ref());
            notes.skewed_planes += skewed;
            let title = if topic.title.trim().is_empty() {
                topic.guid.clone()
            } else {
                topic.title.trim().to_string()
            };
            let name = if i == 0 { title } else { format!("{title} ({})", i + 1) };
            views.push(SavedView {
                guid: if i == 0 {
                    topic.guid.clone()
                } else {
                    plumbline_review::stable_uuid(&[&topic.guid, &i.to_string()])
                },
                name,
                created: topic.creation_date.clone().unwrap_or_else(|| created.to_string()),
                camera,
                section_box,
                hidden_files,
                hidden_storeys,
                hidden_classes,
                xray: false,
                selected,
                redlines: Default::default(),
                hidden_elements,
                isolated_elements,
                colours: cleaned,
                // BCF says nothing of these: going to the view leaves them as they are, and
                // leaves clash review.
                colour_by: None,
                colour_hidden: BTreeSet::new(),
                four_d: None,
                clash: None,
            });
        }
    }
    (views, notes)
}

/// Writes saved views, each with its snapshot, as a BCF 2.1 archive at `out` (through a
/// temporary file renamed over it, so a failed export leaves no half archive).
pub fn export_views(
    views: &[(SavedView, Option<Vec<u8>>)],
    scene: &ModelScene,
    author: &str,
    out: &std::path::Path,
) -> Result<(), String> {
    let topics: Vec<ViewTopic> = views.iter().map(|(v, png)| topic_of(v, scene, png.clone())).collect();
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let options = plumbline_bcf::ViewExportOptions {
        version: plumbline_bcf::BcfVersion::V2_1,
        author,
        date_utc: plumbline_bcf::UtcDateTime::from_unix_seconds(now).ok_or("the clock is out of range")?,
    };
    let bytes = plumbline_bcf::write_views(&topics, &options).map_err(|e| e.to_string())?;
    let tmp = out.with_extension("bcf.partial");
    std::fs::write(&tmp, &bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))
}

/// Reads a BCF archive's viewpoints as views of the loaded `scene`.
pub fn import_views(
    path: &std::path::Path,
    scene: &ModelScene,
    created: &str,
) -> Result<(Vec<SavedView>, ImportNotes), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let archive = plumbline_bcf::read(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(views_of(&archive, scene, created))
}

/// Where the views of a model set are exported: beside the views file, `.bcf` for `.json`.
pub fn export_path(views_file: &std::path::Path) -> std::path::PathBuf {
    let name = views_file.file_name().map_or_else(|| "views".into(), |n| n.to_string_lossy().into_owned());
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    views_file.with_file_name(format!("{stem}.bcf"))
}
