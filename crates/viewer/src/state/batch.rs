//! How the scene is drawn: one instanced entity per element, or merged batches.
//!
//! Bevy draws each mesh entity through a per-instance record in one storage buffer, and a
//! device binds at most `max_storage_buffer_binding_size` bytes of it at once: Mesa's lavapipe
//! allows 128 MiB, which a million-element hall (144 bytes an instance) passes, so the frame
//! fails. Above what the device can bind, the elements are drawn in *merged batches*: the
//! elements of a small region (a chunk, a few thousand elements near each other) that look the
//! same (one material) become one mesh. Each element keeps an entity of its own without a mesh
//! (its proxy), carrying what it looks like ([`Visibility`], material) exactly as an instanced
//! entity does, so selection, highlighting, colouring, 4D, x-ray and filters set it the same
//! way; a chunk whose proxies changed is merged again. Picking never looks at render meshes
//! (it casts into the element world), so it is the same in both modes.

use bevy::prelude::*;
use std::ops::Range;

/// The render-side bytes of one instanced element, rounded up from Bevy 0.19's per-instance
/// records (the largest, 144 bytes, was the binding that failed on lavapipe).
pub const INSTANCE_BYTES: u64 = 160;

/// Elements a chunk holds at most: one changed element re-merges this many.
pub const CHUNK_ELEMENTS: usize = 2048;
/// Triangles a chunk holds at most, so a chunk of big elements stays a few MiB.
pub const CHUNK_TRIANGLES: usize = 262_144;

/// How the user asked for the scene to be drawn (`--batches`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BatchMode {
    /// Instanced while the device can bind every element's instance record, else merged.
    #[default]
    Auto,
    /// One entity with a shared mesh per element (instancing).
    Instanced,
    /// Merged batches per chunk and material.
    Merged,
}

impl BatchMode {
    pub fn parse(s: &str) -> Option<BatchMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(BatchMode::Auto),
            "instanced" => Some(BatchMode::Instanced),
            "merged" => Some(BatchMode::Merged),
            _ => None,
        }
    }

    /// Whether `elements` drawn elements are merged, on a device that binds at most
    /// `max_binding_bytes` of a storage buffer (`None`: no device, as in the headless tests).
    /// Auto keeps a quarter of the binding spare: Bevy's buffers grow by doubling.
    pub fn merges(self, elements: usize, max_binding_bytes: Option<u64>) -> bool {
        match self {
            BatchMode::Instanced => false,
            BatchMode::Merged => true,
            BatchMode::Auto => {
                max_binding_bytes.is_some_and(|max| elements as u64 * INSTANCE_BYTES > max / 4 * 3)
            }
        }
    }
}

/// A shape's vertices, relative to its box centre, and its triangles' indices, as
/// [`crate::meshes::shape_mesh`] lays them out.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub positions: Vec<[f32; 3]>,
    pub indices: Vec<u32>,
}

/// One element in a merged scene: its proxy entity, its shape and where the shape goes.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub proxy: Entity,
    pub shape: u32,
    /// The element's box centre in render space.
    pub translation: Vec3,
}

/// A region of the scene merged together: a range of [`Batches::slots`], the point its batch
/// meshes are relative to, and the batch entities drawing it now.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub slots: Range<usize>,
    pub centre: Vec3,
    pub batches: Vec<Entity>,
    pub dirty: bool,
}

/// The merged batches of the scene (empty when the scene is instanced).
#[derive(Resource, Debug, Default)]
pub struct Batches {
    pub shapes: Vec<Shape>,
    /// The elements, chunk after chunk.
    pub slots: Vec<Slot>,
    pub chunks: Vec<Chunk>,
}

impl Batches {
    /// Whether the scene is drawn in merged batches.
    pub fn merged(&self) -> bool {
        !self.chunks.is_empty()
    }

    /// The batch entities drawing the scene now.
    pub fn entities(&self) -> impl Iterator<Item = Entity> + '_ {
        self.chunks.iter().flat_map(|c| c.batches.iter().copied())
    }
}

/// The proxy's chunk: a change to its look re-merges that chunk.
#[derive(Component, Debug, Clone, Copy)]
pub struct InChunk(pub u32);

/// A merged batch entity: which chunk it draws (part of).
#[derive(Component, Debug, Clone, Copy)]
pub struct BatchOf(pub u32);

/// Splits elements (their render-space centres and triangle counts) into chunks of nearby
/// elements: ordered along a Z-order curve over their centres, then cut every
/// [`CHUNK_ELEMENTS`] elements or [`CHUNK_TRIANGLES`] triangles. Returns the order (indices
/// into the input) and the chunks as ranges of it. Deterministic: ties keep input order.
pub fn chunk_order(centres: &[Vec3], triangles: &[usize]) -> (Vec<usize>, Vec<Range<usize>>) {
    let (lo, hi) =
        centres.iter().fold((Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY)), |(lo, hi), c| {
            (lo.min(*c), hi.max(*c))
        });
    let span = (hi - lo).max(Vec3::splat(1e-6));
    let key = |c: Vec3| {
        let q = ((c - lo) / span * 1023.0).clamp(Vec3::ZERO, Vec3::splat(1023.0));
        morton3(q.x as u32, q.y as u32, q.z as u32)
    };
    // Each key once, sorted with its index: the same order as a stable sort by key (ties by
    // index), without recomputing keys in every comparison (a million-element hall's install
    // spent 0.25 s of its main thread in that sort).
    let mut keyed: Vec<(u32, usize)> = centres.iter().enumerate().map(|(i, &c)| (key(c), i)).collect();
    keyed.sort_unstable();
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    let mut chunks = Vec::new();
    let (mut start, mut tris) = (0, 0);
    for (n, &i) in order.iter().enumerate() {
        let t = triangles.get(i).copied().unwrap_or(0);
        if n > start && (n - start >= CHUNK_ELEMENTS || tris + t > CHUNK_TRIANGLES) {
            chunks.push(start..n);
            start = n;
            tris = 0;
        }
        tris += t;
    }
    if start < order.len() {
        chunks.push(start..order.len());
    }
    (order, chunks)
}

/// Interleaves the low 10 bits of three integers (a Z-order, or Morton, code).
fn morton3(x: u32, y: u32, z: u32) -> u32 {
    fn spread(v: u32) -> u32 {
        let mut v = v & 0x3ff;
        v = (v | (v << 16)) & 0x0300_00ff;
        v = (v | (v << 8)) & 0x0300_f00f;
        v = (v | (v << 4)) & 0x030c_30c3;
        (v | (v << 2)) & 0x0924_9249
    }
    spread(x) | (spread(y) << 1) | (spread(z) << 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_merges_only_past_what_the_device_binds() {
        let lavapipe = Some(128u64 << 20);
        assert!(!BatchMode::Auto.merges(100_000, lavapipe));
        assert!(BatchMode::Auto.merges(970_752, lavapipe), "the 1M hall, which failed instanced");
        assert!(!BatchMode::Auto.merges(970_752, Some(u64::from(u32::MAX))), "a GPU binding 4 GiB");
        assert!(!BatchMode::Auto.merges(10_000_000, None), "no device: headless");
        assert!(BatchMode::Merged.merges(1, None));
        assert!(!BatchMode::Instanced.merges(10_000_000, lavapipe));
        assert_eq!(BatchMode::parse(" Merged"), Some(BatchMode::Merged));
        assert_eq!(BatchMode::parse("batched"), None);
    }

    #[test]
    fn chunks_hold_nearby_elements_within_their_limits() {
        // A 100 x 100 grid of elements of 10 triangles, listed in an order unrelated to place.
        let mut centres = Vec::new();
        for i in 0..10_000u32 {
            let j = (i * 7919) % 10_000;
            centres.push(Vec3::new((j % 100) as f32, 0.0, (j / 100) as f32));
        }
        let triangles = vec![10; centres.len()];
        let (order, chunks) = chunk_order(&centres, &triangles);
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..10_000).collect::<Vec<_>>(), "every element once");
        assert_eq!(chunks.len(), 5, "2048 a chunk");
        assert_eq!(chunks.first().map(|c| c.start), Some(0));
        assert!(
            chunks.windows(2).all(|w| w[0].end == w[1].start) && chunks.last().map(|c| c.end) == Some(10_000)
        );
        // Near each other: a chunk covers at most half the grid (a fifth of its elements, listed
        // in scattered order, would span all of it).
        for c in &chunks[..4] {
            let pts: Vec<Vec3> = order[c.clone()].iter().map(|&i| centres[i]).collect();
            let (lo, hi) =
                pts.iter().fold((Vec3::splat(1e9), Vec3::splat(-1e9)), |(l, h), p| (l.min(*p), h.max(*p)));
            let area = (hi.x - lo.x + 1.0) * (hi.z - lo.z + 1.0);
            assert!(area <= 5000.0, "a compact chunk: {lo} {hi}");
        }
        // A triangle limit cuts too.
        let (_, chunks) = chunk_order(&centres[..10], &[CHUNK_TRIANGLES / 2 + 1; 10]);
        assert_eq!(chunks.len(), 10);
        assert_eq!(chunk_order(&[], &[]).1, Vec::<Range<usize>>::new());
        // Ties keep the input order.
        assert_eq!(chunk_order(&[Vec3::ONE; 5], &[1; 5]).0, vec![0, 1, 2, 3, 4]);
        let (order, _) = chunk_order(&[Vec3::ONE, Vec3::ZERO, Vec3::ONE, Vec3::ZERO], &[1; 4]);
        assert_eq!(order, vec![1, 3, 0, 2]);
    }
}
