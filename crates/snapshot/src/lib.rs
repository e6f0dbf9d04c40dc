//! Clash snapshots without a GPU: a small CPU rasteriser that draws the clashing pair in colour
//! (A red, B green) and the elements around it in light grey, seen from a BCF camera, as PNG.
//!
//! Reports and BCF topics need one picture per clash, written on build servers and CI machines
//! that have no GPU, and the same picture every time for the same input (reports are compared
//! byte for byte). So this is a plain z-buffered triangle rasteriser in `f32`, single-threaded,
//! with flat shading and no randomness: the same model set, camera and size give the same PNG
//! bytes.
//!
//! What is drawn:
//! - the highlighted elements (`Highlight::a` red, `Highlight::b` green), whatever their role;
//! - physical elements whose box lies within [`CONTEXT_M`] of the focus (the clash's overlap box,
//!   or the highlighted elements' boxes when there is none) and inside the view, in light grey;
//! - a thin outline of the focus box.
//!
//! A snapshot that hides its clash is useless to a reviewer, so the surroundings never cover
//! the pair: grey geometry nearer to the camera than the focus box (less [`CUT_MARGIN_M`]) is
//! cut away like a section plane (a roof slab over a ceiling void, the wall in front of a
//! riser), grey elements that enclose the camera are skipped, grey still left in front of the
//! pair is see-through, and so is B where it covers A (a tray inside a duct shows as a red
//! shape through green).
//!
//! Precision: world coordinates may lie 500 km from the origin, so every vertex is taken
//! relative to the camera position in `f64` before it becomes `f32`.

use plumbline_model::{Aabb, Mesh, ModelSet, Role};
use plumbline_review::{frame_box, Camera, ClashRecord};
use std::collections::HashSet;

/// How far from the focus box (metres) an element's box may lie and still be drawn in grey.
pub const CONTEXT_M: f64 = 3.0;

/// The near clipping distance in metres: anything closer to the camera is cut away.
const NEAR_M: f32 = 0.05;

/// How far in front of the focus box grey surroundings are still drawn (metres): nearer grey
/// geometry is cut away so that it cannot cover the clash.
pub const CUT_MARGIN_M: f64 = 0.3;

/// Background, context and highlight colours (sRGB).
const BACKGROUND: [f32; 3] = [250.0, 250.0, 248.0];
const CONTEXT_GREY: [f32; 3] = [205.0, 205.0, 205.0];
const A_RED: [f32; 3] = [222.0, 38.0, 38.0];
const B_GREEN: [f32; 3] = [30.0, 165.0, 60.0];
const OUTLINE: [u8; 3] = [20, 60, 200];

/// Opacity of grey surroundings in front of a highlighted element, and of B in front of A: the
/// grey stays faint so the clash shows through it, and A stays red-dominant through B.
const CONTEXT_SEE_THROUGH: f32 = 0.25;
const B_OVER_A: f32 = 0.35;

/// The light, in world axes: from above, over the south-west, so that the tops, south and west
/// faces of boxes get three distinct shades under the default review camera.
const LIGHT: [f32; 3] = [-0.36, -0.56, 0.75];

/// Errors of the snapshot renderer.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot size {width}x{height} is not allowed: each side must be 1 to {MAX_SIDE} pixels")]
    BadSize { width: u32, height: u32 },
    #[error("camera is unusable: {0}")]
    BadCamera(&'static str),
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
}

/// The largest side accepted: well above BCF 3.0's 1500 px limit, small enough that a wrong
/// argument cannot ask for gigabytes.
pub const MAX_SIDE: u32 = 8192;

/// What to draw in colour.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Highlight {
    /// GlobalIds drawn in red (the test's A side).
    pub a: Vec<String>,
    /// GlobalIds drawn in green (the test's B side).
    pub b: Vec<String>,
    /// The clash's overlap box: outlined, and the centre of the neighbourhood drawn in grey.
    pub focus: Option<Aabb>,
}

impl Highlight {
    /// The pair of a clash record, focused on its overlap box.
    pub fn clash(record: &ClashRecord) -> Highlight {
        Highlight {
            a: vec![record.a.global_id.clone()],
            b: vec![record.b.global_id.clone()],
            focus: (!record.overlap_aabb.is_empty()).then_some(record.overlap_aabb),
        }
    }
}

/// An RGB image, 8 bits per channel, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    /// `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

impl Image {
    /// The colour at `(x, y)` (origin top left), or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Some([self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }

    /// The image as PNG bytes (8-bit RGB, no metadata chunks, so no time stamp).
    pub fn to_png(&self) -> Result<Vec<u8>, SnapshotError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Balanced);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.rgb)?;
        writer.finish()?;
        Ok(out)
    }
}

/// Renders the model set from `camera`, the highlighted elements in colour.
pub fn render(
    set: &ModelSet,
    camera: &Camera,
    highlight: &Highlight,
    width: u32,
    height: u32,
) -> Result<Image, SnapshotError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(SnapshotError::BadSize { width, height });
    }
    let view = View::new(camera, width, height)?;
    let a: HashSet<&str> = highlight.a.iter().map(String::as_str).collect();
    let b: HashSet<&str> = highlight.b.iter().map(String::as_str).collect();

    let mut focus = highlight.focus.unwrap_or(Aabb::EMPTY);
    if focus.is_empty() {
        for (_, e) in set.elements() {
            if a.contains(e.global_id.as_str()) || b.contains(e.global_id.as_str()) {
                if let Some(bx) = e.aabb() {
                    focus = focus.union(&bx);
                }
            }
        }
    }
    let neighbourhood = if focus.is_empty() { None } else { Some(focus.inflated(CONTEXT_M)) };
    let context_near =
        if focus.is_empty() { NEAR_M } else { view.nearest_depth(&focus) - CUT_MARGIN_M as f32 };
    let context_near = context_near.max(NEAR_M);
    let camera_box = Aabb { min: camera.position, max: camera.position };

    let mut layers = [Layer::new(width, height), Layer::new(width, height), Layer::new(width, height)];
    for (_, e) in set.elements() {
        let Some(mesh) = &e.mesh else { continue };
        let layer = if a.contains(e.global_id.as_str()) {
            LAYER_A
        } else if b.contains(e.global_id.as_str()) {
            LAYER_B
        } else if e.role == Role::Physical
            && neighbourhood.as_ref().is_some_and(|n| n.intersects(&mesh.aabb))
            && !mesh.aabb.intersects(&camera_box)
        {
            LAYER_CONTEXT
        } else {
            continue;
        };
        if !view.may_see(&mesh.aabb) {
            continue;
        }
        let near = if layer == LAYER_CONTEXT { context_near } else { NEAR_M };
        view.draw_mesh(mesh, near, &mut layers[layer]);
    }

    let mut image = composite(&layers, width, height);
    if let Some(f) = highlight.focus.filter(|f| !f.is_empty()) {
        view.outline_box(&f, &mut image);
    }
    Ok(image)
}

/// Renders one clash of a report as PNG: the review camera on its overlap box ([`frame_box`],
/// the camera BCF viewpoints use), A red, B green, the overlap outlined.
pub fn render_clash_png(
    set: &ModelSet,
    record: &ClashRecord,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, SnapshotError> {
    let camera = frame_box(&record.overlap_aabb);
    render(set, &camera, &Highlight::clash(record), width, height)?.to_png()
}

const LAYER_CONTEXT: usize = 0;
const LAYER_B: usize = 1;
const LAYER_A: usize = 2;

/// One layer's depth and shade per pixel; depth is `1 / z` (larger is nearer, 0 is empty).
#[derive(Debug)]
struct Layer {
    inv_z: Vec<f32>,
    shade: Vec<f32>,
    width: usize,
}

impl Layer {
    fn new(width: u32, height: u32) -> Layer {
        let n = width as usize * height as usize;
        Layer { inv_z: vec![0.0; n], shade: vec![0.0; n], width: width as usize }
    }
}

/// Camera frame and projection, all relative to the camera position.
#[derive(Debug)]
struct View {
    position: [f64; 3],
    right: [f64; 3],
    up: [f64; 3],
    forward: [f64; 3],
    /// Focal lengths in pixels.
    fx: f32,
    fy: f32,
    cx: f32,
    cy: f32,
    width: u32,
    height: u32,
    /// The light direction in camera axes.
    light: [f32; 3],
}

impl View {
    fn new(camera: &Camera, width: u32, height: u32) -> Result<View, SnapshotError> {
        let forward = normalize(camera.direction).ok_or(SnapshotError::BadCamera("zero direction"))?;
        let up_raw = camera.up;
        // BCF writers do not always send an up vector exactly perpendicular to the direction:
        // re-orthogonalise it, and fall back to world Z (or Y when looking straight down).
        let along = dot(up_raw, forward);
        let mut up = normalize(sub(up_raw, scale(forward, along)));
        if up.is_none() {
            for fallback in [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]] {
                up = normalize(sub(fallback, scale(forward, dot(fallback, forward))));
                if up.is_some() {
                    break;
                }
            }
        }
        let up = up.ok_or(SnapshotError::BadCamera("no usable up vector"))?;
        let right = cross(forward, up);
        let fov = camera.field_of_view_deg;
        if !fov.is_finite() || fov <= 0.5 || fov >= 179.0 {
            return Err(SnapshotError::BadCamera("field of view must lie between 0.5 and 179 degrees"));
        }
        if !camera.position.iter().all(|v| v.is_finite()) {
            return Err(SnapshotError::BadCamera("position is not finite"));
        }
        // BCF's field of view is vertical: it fixes the focal length against the height.
        let fy = (0.5 * f64::from(height) / (0.5 * fov.to_radians()).tan()) as f32;
        let l = normalize(LIGHT.map(f64::from)).unwrap_or([0.0, 0.0, 1.0]);
        let light = [dot(l, right) as f32, dot(l, up) as f32, dot(l, forward) as f32];
        Ok(View {
            position: camera.position,
            right,
            up,
            forward,
            fx: fy,
            fy,
            cx: 0.5 * width as f32,
            cy: 0.5 * height as f32,
            width,
            height,
            light,
        })
    }

    /// A world point in camera axes (x right, y up, z forward), subtracting in `f64` first.
    fn to_camera(&self, world: [f64; 3]) -> [f32; 3] {
        let d = sub(world, self.position);
        [dot(d, self.right) as f32, dot(d, self.up) as f32, dot(d, self.forward) as f32]
    }

    fn project(&self, p: [f32; 3]) -> [f32; 2] {
        [self.cx + self.fx * p[0] / p[2], self.cy - self.fy * p[1] / p[2]]
    }

    /// False when the box is surely outside the view (behind the camera, or wholly beyond one
    /// side of the frustum); true when it may be seen.
    fn may_see(&self, b: &Aabb) -> bool {
        if b.is_empty() {
            return false;
        }
        let corners: Vec<[f32; 3]> = (0..8)
            .map(|i| {
                self.to_camera([
                    if i & 1 == 0 { b.min[0] } else { b.max[0] },
                    if i & 2 == 0 { b.min[1] } else { b.max[1] },
                    if i & 4 == 0 { b.min[2] } else { b.max[2] },
                ])
            })
            .collect();
        let tx = self.cx / self.fx;
        let ty = self.cy / self.fy;
        let outside = |f: &dyn Fn(&[f32; 3]) -> bool| corners.iter().all(f);
        !(outside(&|p| p[2] < NEAR_M)
            || outside(&|p| p[0] > tx * p[2])
            || outside(&|p| p[0] < -tx * p[2])
            || outside(&|p| p[1] > ty * p[2])
            || outside(&|p| p[1] < -ty * p[2]))
    }

    /// The smallest depth (distance along the view direction) of a box's corners.
    fn nearest_depth(&self, b: &Aabb) -> f32 {
        (0..8)
            .map(|i| {
                self.to_camera([
                    if i & 1 == 0 { b.min[0] } else { b.max[0] },
                    if i & 2 == 0 { b.min[1] } else { b.max[1] },
                    if i & 4 == 0 { b.min[2] } else { b.max[2] },
                ])[2]
            })
            .fold(f32::INFINITY, f32::min)
    }

    /// Draws a mesh's triangles in front of `near` into a layer.
    fn draw_mesh(&self, mesh: &Mesh, near: f32, layer: &mut Layer) {
        // The mesh origin relative to the camera, in f64; vertices are small offsets from it.
        let o = sub(mesh.origin_m, self.position);
        let verts: Vec<[f32; 3]> = mesh
            .vertices
            .iter()
            .map(|v| {
                let d = [o[0] + f64::from(v[0]), o[1] + f64::from(v[1]), o[2] + f64::from(v[2])];
                [dot(d, self.right) as f32, dot(d, self.up) as f32, dot(d, self.forward) as f32]
            })
            .collect();
        for t in &mesh.triangles {
            let tri = t.map(|i| verts[i as usize]);
            let n = cross3(sub3(tri[1], tri[0]), sub3(tri[2], tri[0]));
            let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
            if len <= 0.0 || !len.is_finite() {
                continue;
            }
            // Two-sided lighting: exported meshes have flipped and open faces, so the side a
            // triangle faces is not trusted.
            let lambert = ((n[0] * self.light[0] + n[1] * self.light[1] + n[2] * self.light[2]) / len).abs();
            let shade = 0.45 + 0.55 * lambert;
            self.draw_clipped(tri, near, shade, layer);
        }
    }

    /// Clips a camera-space triangle against the plane at depth `near` and rasterises what is
    /// left.
    fn draw_clipped(&self, tri: [[f32; 3]; 3], near: f32, shade: f32, layer: &mut Layer) {
        let inside = tri.map(|p| p[2] >= near);
        match inside.iter().filter(|&&i| i).count() {
            0 => {}
            3 => self.raster(tri, shade, layer),
            _ => {
                let mut poly: Vec<[f32; 3]> = Vec::with_capacity(4);
                for i in 0..3 {
                    let p = tri[i];
                    let q = tri[(i + 1) % 3];
                    if inside[i] {
                        poly.push(p);
                    }
                    if inside[i] != inside[(i + 1) % 3] {
                        let s = (near - p[2]) / (q[2] - p[2]);
                        poly.push([p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1]), near]);
                    }
                }
                for k in 1..poly.len().saturating_sub(1) {
                    self.raster([poly[0], poly[k], poly[k + 1]], shade, layer);
                }
            }
        }
    }

    /// Fills a triangle in front of the near plane: pixel centres inside it (edge functions),
    /// depth `1 / z` interpolated linearly in screen space, which is exact under perspective.
    fn raster(&self, tri: [[f32; 3]; 3], shade: f32, layer: &mut Layer) {
        let s = tri.map(|p| self.project(p));
        let w = tri.map(|p| 1.0 / p[2]);
        let area = edge(s[0], s[1], s[2]);
        if area.abs() <= 1e-12 || !area.is_finite() {
            return;
        }
        let min_x = s.iter().map(|p| p[0]).fold(f32::INFINITY, f32::min).floor().max(0.0);
        let max_x =
            s.iter().map(|p| p[0]).fold(f32::NEG_INFINITY, f32::max).ceil().min(self.width as f32 - 1.0);
        let min_y = s.iter().map(|p| p[1]).fold(f32::INFINITY, f32::min).floor().max(0.0);
        let max_y =
            s.iter().map(|p| p[1]).fold(f32::NEG_INFINITY, f32::max).ceil().min(self.height as f32 - 1.0);
        if min_x > max_x || min_y > max_y {
            return;
        }
        let inv_area = 1.0 / area;
        for y in min_y as usize..=max_y as usize {
            let py = y as f32 + 0.5;
            // Only the stretch of the row the triangle can cover is tested pixel by pixel: a
            // thin triangle across the view otherwise costs its whole bounding box (most of the
            // time of a batch's snapshots went there). The stretch is widened by two pixels, so
            // every pixel the exact test below would fill is still tested and the image is the
            // same.
            let Some((x0, x1)) = row_span(&s, area, py, min_x, max_x) else { continue };
            for x in x0..=x1 {
                let p = [x as f32 + 0.5, py];
                let w0 = edge(s[1], s[2], p) * inv_area;
                let w1 = edge(s[2], s[0], p) * inv_area;
                let w2 = edge(s[0], s[1], p) * inv_area;
                if w0 < 0.0 || w1 < 0.0 || w2 < 0.0 {
                    continue;
                }
                let inv_z = w0 * w[0] + w1 * w[1] + w2 * w[2];
                let i = y * layer.width + x;
                if inv_z > layer.inv_z[i] {
                    layer.inv_z[i] = inv_z;
                    layer.shade[i] = shade;
                }
            }
        }
    }

    /// Draws the twelve edges of a box, 2 px wide, on top of everything.
    fn outline_box(&self, b: &Aabb, image: &mut Image) {
        let corner = |i: usize| {
            self.to_camera([
                if i & 1 == 0 { b.min[0] } else { b.max[0] },
                if i & 2 == 0 { b.min[1] } else { b.max[1] },
                if i & 4 == 0 { b.min[2] } else { b.max[2] },
            ])
        };
        for i in 0..8usize {
            for bit in [1usize, 2, 4] {
                if i & bit == 0 {
                    self.line(corner(i), corner(i | bit), image);
                }
            }
        }
    }

    fn line(&self, mut p: [f32; 3], mut q: [f32; 3], image: &mut Image) {
        if p[2] < NEAR_M && q[2] < NEAR_M {
            return;
        }
        if p[2] < NEAR_M || q[2] < NEAR_M {
            let s = (NEAR_M - p[2]) / (q[2] - p[2]);
            let cut = [p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1]), NEAR_M];
            if p[2] < NEAR_M {
                p = cut;
            } else {
                q = cut;
            }
        }
        let a = self.project(p);
        let b = self.project(q);
        let steps = (b[0] - a[0]).abs().max((b[1] - a[1]).abs()).ceil().clamp(1.0, 20_000.0) as usize;
        for k in 0..=steps {
            let t = k as f32 / steps as f32;
            let x = a[0] + t * (b[0] - a[0]);
            let y = a[1] + t * (b[1] - a[1]);
            for (dx, dy) in [(0.0, 0.0), (0.5, 0.0), (0.0, 0.5)] {
                let (px, py) = ((x + dx).floor(), (y + dy).floor());
                if px >= 0.0 && py >= 0.0 && px < self.width as f32 && py < self.height as f32 {
                    let i = (py as usize * self.width as usize + px as usize) * 3;
                    image.rgb[i..i + 3].copy_from_slice(&OUTLINE);
                }
            }
        }
    }
}

/// Merges the three layers per pixel, far to near: each layer covers what lies behind it, except
/// grey over a highlighted element and B over A, which are see-through so the clash shows.
fn composite(layers: &[Layer; 3], width: u32, height: u32) -> Image {
    let n = width as usize * height as usize;
    let mut rgb = vec![0u8; n * 3];
    let colours = [CONTEXT_GREY, B_GREEN, A_RED];
    for i in 0..n {
        let mut present: [(f32, usize); 3] = [(0.0, 0); 3];
        let mut count = 0;
        for (k, layer) in layers.iter().enumerate() {
            if layer.inv_z[i] > 0.0 {
                present[count] = (layer.inv_z[i], k);
                count += 1;
            }
        }
        // Far first (smaller 1/z); ties keep layer order, so A wins over B over grey.
        present[..count].sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        let mut c = BACKGROUND;
        let (mut highlighted_behind, mut a_behind) = (false, false);
        for &(_, k) in &present[..count] {
            let shade = layers[k].shade[i];
            let lit = colours[k].map(|v| v * shade);
            let alpha = match k {
                LAYER_CONTEXT if highlighted_behind => CONTEXT_SEE_THROUGH,
                LAYER_B if a_behind => B_OVER_A,
                _ => 1.0,
            };
            for (cj, lj) in c.iter_mut().zip(lit) {
                *cj += alpha * (lj - *cj);
            }
            highlighted_behind |= k != LAYER_CONTEXT;
            a_behind |= k == LAYER_A;
        }
        for (out, v) in rgb[i * 3..i * 3 + 3].iter_mut().zip(c) {
            *out = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    Image { width, height, rgb }
}

/// The pixels of row `py` (a pixel-centre height) that a triangle with corners `s` and signed
/// area `area` may cover, within `[min_x, max_x]`, widened by two pixels; `None` when it covers
/// none of them. Each edge function is linear along the row, so each bounds the row on one side.
fn row_span(s: &[[f32; 2]; 3], area: f32, py: f32, min_x: f32, max_x: f32) -> Option<(usize, usize)> {
    const MARGIN_PX: f64 = 2.0;
    let (mut lo, mut hi) = (f64::from(min_x), f64::from(max_x));
    for (a, b) in [(s[1], s[2]), (s[2], s[0]), (s[0], s[1])] {
        // edge(a, b, (x, py)) = c + k x, computed in f64 so that the bound is sound even for
        // corners projected far outside the view.
        let (ax, ay, bx, by) = (f64::from(a[0]), f64::from(a[1]), f64::from(b[0]), f64::from(b[1]));
        let k = -(by - ay);
        let c = (bx - ax) * (f64::from(py) - ay) + (by - ay) * ax;
        // Inside means the edge function has the sign of the area; pixel x samples x + 0.5.
        let k = if area > 0.0 { k } else { -k };
        let c = if area > 0.0 { c } else { -c };
        if k.abs() < 1e-9 {
            continue;
        }
        let boundary = -c / k - 0.5;
        if k > 0.0 {
            lo = lo.max((boundary - MARGIN_PX).floor());
        } else {
            hi = hi.min((boundary + MARGIN_PX).ceil());
        }
    }
    (lo <= hi && hi >= 0.0).then(|| (lo.max(0.0) as usize, hi as usize))
}

fn edge(a: [f32; 2], b: [f32; 2], p: [f32; 2]) -> f32 {
    (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn scale(a: [f64; 3], s: f64) -> [f64; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

fn normalize(v: [f64; 3]) -> Option<[f64; 3]> {
    let n = dot(v, v).sqrt();
    (n.is_finite() && n > 1e-12).then(|| scale(v, 1.0 / n))
}

fn sub3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}
