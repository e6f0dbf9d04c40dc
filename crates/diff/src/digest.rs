//! What a revision comparison needs of an element: its identity, its geometry in its own frame
//! (placement left out, so that a moved element keeps its fingerprint), its frame, and a hash of
//! its properties.

use crate::ElementSummary;
use plumbline_model::{Element, Model, ModelSet, Placement};

/// An element as a revision comparison sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub global_id: String,
    pub class: String,
    pub name: Option<String>,
    pub file: String,
    /// Fingerprint of the geometry in the element's own frame: a hash of its vertices rounded to
    /// a millimetre, sorted, and of its triangle count. 0 for an element without geometry.
    pub shape: u64,
    /// The own-frame vertices, sorted, for comparisons within a tolerance.
    pub local_vertices: Vec<[f64; 3]>,
    /// The element's frame: its placement, or for an element without one the world frame moved
    /// to the minimum corner of its geometry's box.
    pub frame: Option<Placement>,
    /// Hash of every property set's name, properties and values (sorted).
    pub properties: u64,
}

impl Digest {
    /// The matching key: class, name and geometry fingerprint.
    pub fn key(&self) -> String {
        format!("{}|{}|{:016x}", self.class, self.name.as_deref().unwrap_or(""), self.shape)
    }

    /// Where the element is, to the millimetre (its frame's origin, or nothing without geometry):
    /// the order in which elements that share a key are paired.
    pub fn order(&self) -> String {
        match &self.frame {
            Some(f) => {
                let [x, y, z] = f.origin_m.map(|v| round(v, 1000.0));
                // Offset so that the text sorts as the numbers do for any model within 10^15 mm.
                let o = 1_000_000_000_000_000i64;
                format!("{:020}|{:020}|{:020}", x.saturating_add(o), y.saturating_add(o), z.saturating_add(o))
            }
            None => String::new(),
        }
    }

    /// A digest of everything a reviewer looked at: geometry, frame (to the millimetre and a
    /// thousandth of a radian), class, name and properties. Two revisions of an element with
    /// equal states look the same.
    pub fn state(&self) -> String {
        let mut h = Fnv::new();
        h.text(&self.class);
        h.text(self.name.as_deref().unwrap_or(""));
        h.u64(self.shape);
        h.u64(self.properties);
        if let Some(f) = &self.frame {
            for x in f.origin_m {
                h.i64(round(x, 1000.0));
            }
            for axis in f.axes {
                for x in axis {
                    h.i64(round(f64::from(x), 1000.0));
                }
            }
        }
        format!("{:016x}", h.finish())
    }

    pub fn summary(&self) -> ElementSummary {
        ElementSummary {
            global_id: self.global_id.clone(),
            class: self.class.clone(),
            name: self.name.clone(),
            file: self.file.clone(),
        }
    }

    /// Whether the own-frame geometry is the same within `tolerance_m`: as many vertices, and
    /// each sorted vertex within the tolerance of its counterpart.
    pub(crate) fn same_geometry(&self, other: &Digest, tolerance_m: f64) -> bool {
        if self.shape == other.shape {
            return true;
        }
        self.local_vertices.len() == other.local_vertices.len()
            && self
                .local_vertices
                .iter()
                .zip(&other.local_vertices)
                .all(|(a, b)| (0..3).all(|i| (a[i] - b[i]).abs() <= tolerance_m))
    }

    /// Whether the frame stayed within `tolerance_m` and did not turn (axes within 1e-4 rad).
    pub(crate) fn same_placement(&self, other: &Digest, tolerance_m: f64) -> bool {
        match (&self.frame, &other.frame) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                let moved = (0..3).any(|i| (a.origin_m[i] - b.origin_m[i]).abs() > tolerance_m);
                let turned =
                    a.axes.iter().zip(&b.axes).any(|(x, y)| (0..3).any(|i| (x[i] - y[i]).abs() > 1e-4));
                !moved && !turned
            }
            _ => false,
        }
    }
}

/// The digests of a model's elements, in element order.
pub fn digest_model(model: &Model) -> Vec<Digest> {
    model.elements.iter().map(|e| digest(e, &model.path)).collect()
}

/// The digests of every element of a set, file by file.
pub fn digest_set(set: &ModelSet) -> Vec<Digest> {
    set.models.iter().flat_map(digest_model).collect()
}

fn digest(e: &Element, file: &str) -> Digest {
    let frame = e.placement.or_else(|| {
        let aabb = e.aabb().filter(|b| !b.is_empty())?;
        Some(Placement { origin_m: aabb.min, ..Placement::IDENTITY })
    });
    let mut local_vertices: Vec<[f64; 3]> = Vec::new();
    let mut h = Fnv::new();
    if let (Some(mesh), Some(f)) = (&e.mesh, &frame) {
        local_vertices = mesh
            .vertices
            .iter()
            .map(|v| {
                let w = [0, 1, 2].map(|i| mesh.origin_m[i] + f64::from(v[i]) - f.origin_m[i]);
                [0, 1, 2].map(|k| {
                    let axis = f.axis(k);
                    w[0] * axis[0] + w[1] * axis[1] + w[2] * axis[2]
                })
            })
            .collect();
        local_vertices.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        for v in &local_vertices {
            for x in v {
                h.i64(round(*x, 1000.0));
            }
        }
        h.u64(mesh.triangles.len() as u64);
    }
    let shape = if local_vertices.is_empty() { 0 } else { h.finish() };
    let mut p = Fnv::new();
    let mut sets: Vec<(String, Vec<(String, String)>)> = e
        .property_sets
        .iter()
        .map(|s| {
            let mut props: Vec<(String, String)> =
                s.properties.iter().map(|p| (p.name.clone(), p.value.clone())).collect();
            props.sort();
            (s.name.clone(), props)
        })
        .collect();
    sets.sort();
    for (name, props) in &sets {
        p.text(name);
        for (k, v) in props {
            p.text(k);
            p.text(v);
        }
    }
    Digest {
        global_id: e.global_id.clone(),
        class: e.class.clone(),
        name: e.name.clone(),
        file: file.to_string(),
        shape,
        local_vertices,
        frame,
        properties: p.finish(),
    }
}

fn round(x: f64, per_unit: f64) -> i64 {
    (x * per_unit).round() as i64
}

/// FNV-1a, 64 bits: a stable hash (the same in every build and on every machine, unlike std's),
/// because fingerprints are stored in the clash history and compared across versions.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }
    fn i64(&mut self, x: i64) {
        self.bytes(&x.to_le_bytes());
    }
    fn text(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
