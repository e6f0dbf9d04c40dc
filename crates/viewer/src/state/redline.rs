//! Redlines: freehand lines, arrows and text drawn over the 3D view, as a reviewer marks up a
//! printed view.
//!
//! A redline is stored in normalised view coordinates ([`ViewPoint2`]): `y` runs from 0 at the
//! top of the 3D view to 1 at the bottom, `x` from 0 at the left to 1 at the right of the view
//! as it was when the set was begun ([`RedlineSet::aspect`]). Because the camera's field of view
//! is vertical, a window of another shape shows the same model at the same height and more or
//! less of it at the sides; redlines keep their height and their distance from the centre line
//! in units of the height, so they stay on what they marked. Redlines belong to a camera pose:
//! they are drawn only while the camera is where they were drawn ([`RedlineSet::pose`]), and a
//! saved viewpoint keeps them with its camera.

use crate::state::camera::OrbitCamera;
use bevy::prelude::*;
use serde::{Deserialize, Serialize};

/// A point of the 3D view in normalised coordinates, `[x, y]` (see the module documentation).
pub type ViewPoint2 = [f32; 2];

/// Default redline colour: a red that reads on the grey model, the ghosted model and the
/// clash colours (sRGB).
pub const REDLINE_RED: [u8; 3] = [230, 30, 40];

/// The colours the redline row offers (sRGB): red, yellow, blue, white.
pub const REDLINE_COLOURS: [[u8; 3]; 4] = [REDLINE_RED, [255, 214, 10], [30, 120, 255], [255, 255, 255]];

/// Freehand points closer together than this (normalised) are dropped while drawing.
pub const FREEHAND_MIN_STEP: f32 = 0.002;

/// A press and release closer than this (normalised) draw no arrow.
pub const ARROW_MIN_LENGTH: f32 = 0.005;

/// The longest text a text redline keeps (characters).
pub const MAX_TEXT_CHARS: usize = 500;

/// What a redline is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RedlineShape {
    /// A line through the points, in the order drawn.
    Freehand { points: Vec<ViewPoint2> },
    /// A straight line with an arrowhead at `to`.
    Arrow { from: ViewPoint2, to: ViewPoint2 },
    /// Text whose top-left corner is at `at`.
    Text { at: ViewPoint2, text: String },
}

/// One redline: a shape and its colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Redline {
    #[serde(flatten)]
    pub shape: RedlineShape,
    /// sRGB.
    #[serde(default = "default_colour")]
    pub colour: [u8; 3],
}

fn default_colour() -> [u8; 3] {
    REDLINE_RED
}

impl Redline {
    /// Whether every coordinate is a finite number and a text is not blank (what a hand-edited
    /// file may break).
    pub fn is_valid(&self) -> bool {
        let ok = |p: &ViewPoint2| p.iter().all(|c| c.is_finite());
        match &self.shape {
            RedlineShape::Freehand { points } => points.len() >= 2 && points.iter().all(ok),
            RedlineShape::Arrow { from, to } => ok(from) && ok(to),
            RedlineShape::Text { at, text } => ok(at) && !text.trim().is_empty(),
        }
    }
}

/// The redlines of one view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedlineSet {
    /// Width over height of the 3D view when the first redline was drawn: what `x` is
    /// normalised by.
    pub aspect: f32,
    pub items: Vec<Redline>,
    /// The camera the redlines were drawn at (render space; kept in memory only, a saved
    /// viewpoint stores its own camera).
    #[serde(skip)]
    pub pose: Option<OrbitCamera>,
}

impl Default for RedlineSet {
    fn default() -> Self {
        RedlineSet { aspect: 1.0, items: Vec::new(), pose: None }
    }
}

impl RedlineSet {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// A window position (logical pixels) in the view rectangle `rect`, normalised.
    pub fn normalise(&self, rect: Rect, p: Vec2) -> ViewPoint2 {
        let h = rect.height().max(1.0);
        let aspect = self.aspect.max(1e-3);
        [0.5 + (p.x - rect.center().x) / (aspect * h), (p.y - rect.min.y) / h]
    }

    /// A normalised point back in window positions (logical pixels) for the view rectangle
    /// `rect`.
    pub fn to_window(&self, rect: Rect, p: ViewPoint2) -> Vec2 {
        let h = rect.height().max(1.0);
        Vec2::new(rect.center().x + (p[0] - 0.5) * self.aspect * h, rect.min.y + p[1] * h)
    }

    /// The texts of the text redlines, in the order drawn (for a BCF topic's description).
    pub fn texts(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter_map(|r| match &r.shape {
                RedlineShape::Text { text, .. } => Some(text.trim()),
                _ => None,
            })
            .collect()
    }

    /// Drops what a hand-edited file may have broken: invalid redlines, a non-positive aspect.
    /// Returns how many redlines were dropped.
    pub fn sanitise(&mut self) -> usize {
        if !(self.aspect.is_finite() && self.aspect > 0.0) {
            self.aspect = 1.0;
        }
        let before = self.items.len();
        self.items.retain(Redline::is_valid);
        before - self.items.len()
    }
}

/// Whether two camera poses are the same view (redlines drawn at one belong to the other).
pub fn same_pose(a: &OrbitCamera, b: &OrbitCamera) -> bool {
    let scale = a.distance.abs().max(b.distance.abs()).max(1.0);
    (a.focus - b.focus).length() <= 1e-3 * scale
        && (a.distance - b.distance).abs() <= 1e-3 * scale
        && (a.offset_dir() - b.offset_dir()).length() <= 1e-3
}

/// The redline tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedlineTool {
    #[default]
    Freehand,
    Arrow,
    Text,
}

/// The redline tool's state: whether it is on, the tool and colour chosen, the redlines on the
/// view, and the one being drawn.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Redlining {
    /// Whether the pointer draws on the view (instead of orbiting and picking).
    pub active: bool,
    pub tool: RedlineTool,
    /// The colour of the next redline; `None`: [`REDLINE_RED`].
    pub colour: Option<[u8; 3]>,
    /// The redlines on the view.
    pub set: RedlineSet,
    /// The line or arrow being drawn (the pointer is down).
    pub drawing: Option<Redline>,
    /// Where a text is being typed, and what has been typed so far.
    pub typing: Option<(ViewPoint2, String)>,
}

impl Redlining {
    fn colour(&self) -> [u8; 3] {
        self.colour.unwrap_or(REDLINE_RED)
    }

    /// Starts a set for the camera at `pose` seen in a view of `aspect` (width over height),
    /// unless the redlines on the view already belong to it.
    pub fn begin_at(&mut self, pose: OrbitCamera, aspect: f32) {
        if self.set.pose.is_some_and(|p| same_pose(&p, &pose)) {
            return;
        }
        self.set = RedlineSet { aspect: aspect.max(1e-3), items: Vec::new(), pose: Some(pose) };
        self.drawing = None;
        self.typing = None;
    }

    /// The pointer went down at `p` (normalised): a line or an arrow begins, or a text is placed
    /// there (a text being typed elsewhere is kept first).
    pub fn press(&mut self, p: ViewPoint2) {
        let colour = self.colour();
        match self.tool {
            RedlineTool::Freehand => {
                self.drawing = Some(Redline { shape: RedlineShape::Freehand { points: vec![p] }, colour });
            }
            RedlineTool::Arrow => {
                self.drawing = Some(Redline { shape: RedlineShape::Arrow { from: p, to: p }, colour });
            }
            RedlineTool::Text => {
                self.commit_text();
                self.typing = Some((p, String::new()));
            }
        }
    }

    /// The pointer moved to `p` with the button down.
    pub fn drag(&mut self, p: ViewPoint2) {
        match self.drawing.as_mut().map(|r| &mut r.shape) {
            Some(RedlineShape::Freehand { points }) => {
                let far = points.last().is_none_or(|q| (q[0] - p[0]).hypot(q[1] - p[1]) >= FREEHAND_MIN_STEP);
                if far {
                    points.push(p);
                }
            }
            Some(RedlineShape::Arrow { to, .. }) => *to = p,
            _ => {}
        }
    }

    /// The pointer went up at `p`: the line or arrow is kept when it has a length.
    pub fn release(&mut self, p: ViewPoint2) {
        self.drag(p);
        let Some(r) = self.drawing.take() else { return };
        let keep = match &r.shape {
            RedlineShape::Freehand { points } => points.len() >= 2,
            RedlineShape::Arrow { from, to } => (from[0] - to[0]).hypot(from[1] - to[1]) >= ARROW_MIN_LENGTH,
            RedlineShape::Text { .. } => false,
        };
        if keep {
            self.set.items.push(r);
        }
    }

    /// Keeps the text being typed (a blank one is dropped).
    pub fn commit_text(&mut self) {
        let Some((at, text)) = self.typing.take() else { return };
        let text: String = text.trim().chars().take(MAX_TEXT_CHARS).collect();
        if !text.is_empty() {
            self.set.items.push(Redline { shape: RedlineShape::Text { at, text }, colour: self.colour() });
        }
    }

    /// Removes the last redline (or the one being typed).
    pub fn undo(&mut self) {
        if self.typing.take().is_none() {
            self.set.items.pop();
        }
    }

    /// Removes every redline of the view.
    pub fn clear(&mut self) {
        self.set.items.clear();
        self.drawing = None;
        self.typing = None;
    }

    /// Puts a viewpoint's redlines on the view, for the camera pose it shows.
    pub fn show(&mut self, mut set: RedlineSet, pose: OrbitCamera) {
        set.pose = Some(pose);
        self.set = set;
        self.drawing = None;
        self.typing = None;
    }

    /// Whether the redlines on the view belong to the camera at `pose`.
    pub fn shown_at(&self, pose: &OrbitCamera) -> bool {
        self.set.pose.is_some_and(|p| same_pose(&p, pose))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(w: f32, h: f32) -> Rect {
        Rect::new(320.0, 40.0, 320.0 + w, 40.0 + h)
    }

    #[test]
    fn points_keep_their_place_on_the_model_when_the_view_changes_shape() {
        let set = RedlineSet { aspect: 1.6, ..Default::default() };
        let wide = view(960.0, 600.0);
        let p = Vec2::new(500.0, 100.0);
        let n = set.normalise(wide, p);
        assert!((set.to_window(wide, n) - p).length() < 1e-3, "round trip in the same view");
        assert!((n[1] - 0.1).abs() < 1e-6);
        // Half the width: the same height, so the same offset from the centre line in pixels.
        let narrow = view(480.0, 600.0);
        let q = set.to_window(narrow, n);
        assert!((q.y - p.y).abs() < 1e-3);
        assert!(((q.x - narrow.center().x) - (p.x - wide.center().x)).abs() < 1e-3);
        // Twice the height: everything scales with it.
        let tall = view(1920.0, 1200.0);
        let r = set.to_window(tall, n);
        assert!(((r.x - tall.center().x) - 2.0 * (p.x - wide.center().x)).abs() < 1e-2);
    }

    #[test]
    fn freehand_arrow_and_text_tools_make_their_redlines() {
        let mut r = Redlining { active: true, ..Default::default() };
        r.press([0.1, 0.1]);
        r.drag([0.1005, 0.1]); // closer than the step: dropped
        r.drag([0.2, 0.15]);
        r.release([0.3, 0.2]);
        assert_eq!(
            r.set.items[0].shape,
            RedlineShape::Freehand { points: vec![[0.1, 0.1], [0.2, 0.15], [0.3, 0.2]] }
        );
        // A click without a drag draws nothing.
        r.press([0.5, 0.5]);
        r.release([0.5, 0.5]);
        assert_eq!(r.set.items.len(), 1);

        r.tool = RedlineTool::Arrow;
        r.colour = Some(REDLINE_COLOURS[2]);
        r.press([0.4, 0.4]);
        r.drag([0.45, 0.5]);
        r.release([0.6, 0.7]);
        assert_eq!(r.set.items[1].shape, RedlineShape::Arrow { from: [0.4, 0.4], to: [0.6, 0.7] });
        assert_eq!(r.set.items[1].colour, REDLINE_COLOURS[2]);
        r.press([0.2, 0.2]);
        r.release([0.2001, 0.2]);
        assert_eq!(r.set.items.len(), 2, "an arrow without length is dropped");

        r.tool = RedlineTool::Text;
        r.press([0.7, 0.1]);
        r.typing.as_mut().expect("typing").1.push_str("  move duct up 200 mm ");
        // Placing the next text keeps the first.
        r.press([0.1, 0.9]);
        r.typing.as_mut().expect("typing").1.push_str("   ");
        r.commit_text();
        assert_eq!(r.set.texts(), ["move duct up 200 mm"], "a blank text is dropped");
        r.undo();
        assert_eq!(r.set.items.len(), 2);
        r.clear();
        assert!(r.set.is_empty());
    }

    #[test]
    fn redlines_serialise_by_kind_and_a_broken_file_is_sanitised() {
        let set = RedlineSet {
            aspect: 1.5,
            items: vec![
                Redline {
                    shape: RedlineShape::Freehand { points: vec![[0.1, 0.2], [0.3, 0.4]] },
                    colour: REDLINE_RED,
                },
                Redline {
                    shape: RedlineShape::Arrow { from: [0.5, 0.5], to: [0.6, 0.25] },
                    colour: [1, 2, 3],
                },
                Redline {
                    shape: RedlineShape::Text { at: [0.7, 0.1], text: "桥架上移".into() },
                    colour: REDLINE_RED,
                },
            ],
            pose: Some(OrbitCamera::default()),
        };
        let json = serde_json::to_string(&set).expect("serialises");
        assert!(json.contains(r#""kind":"freehand""#) && json.contains(r#""kind":"text""#), "{json}");
        assert!(!json.contains("pose"), "the pose is not stored: {json}");
        let back: RedlineSet = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back.items, set.items);
        assert_eq!(back.aspect, 1.5);

        let broken = r#"{"aspect": -2, "items": [
            {"kind": "freehand", "points": [[0.1, 0.2]]},
            {"kind": "text", "at": [0.1, 0.2], "text": "  "},
            {"kind": "arrow", "from": [0.1, 0.2], "to": [0.3, 0.4]}]}"#;
        let mut read: RedlineSet = serde_json::from_str(broken).expect("parses");
        assert_eq!(read.sanitise(), 2);
        assert_eq!(read.aspect, 1.0);
        assert_eq!(read.items[0].colour, REDLINE_RED, "the colour defaults to red");
    }

    #[test]
    fn redlines_show_only_at_their_camera_pose() {
        let mut r = Redlining::default();
        let here = OrbitCamera::default();
        r.begin_at(here, 1.6);
        r.press([0.1, 0.1]);
        r.release([0.2, 0.2]);
        assert!(r.shown_at(&here));
        let moved = OrbitCamera { yaw: here.yaw + 0.2, ..here };
        assert!(!r.shown_at(&moved));
        // Turning the tool on elsewhere starts afresh; at the same pose it keeps the redlines.
        r.begin_at(here, 1.0);
        assert_eq!(r.set.items.len(), 1);
        r.begin_at(moved, 1.0);
        assert!(r.set.is_empty() && r.shown_at(&moved));
    }
}
