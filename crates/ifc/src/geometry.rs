//! The geometry pass: ifc-lite's tessellator over a file's products, and its meshes moved into
//! world coordinates.
//!
//! One `process` call runs serial stretches between its parallel meshing chunks (its own scan,
//! the appearance of each chunk, the sink that takes each batch), so on a pool of four threads
//! and more the products are split into parts, one for every two threads, contiguous in file
//! order, and each part is one `process` call on the shared bytes with its own index, router and
//! caches. The parts run side by side; the serial stretches of one overlap the meshing of the
//! others and the load's work beside the pass (the semantic pass). A very
//! large file is split into more parts than that, which run a few at a time, because a call's
//! caches grow with every product it meshes until it ends.
//! Every call resolves the whole file before it filters its jobs (the frame, the units, the
//! openings that cut a chosen wall), so a product is meshed the same in whichever part it falls;
//! the parts' meshes are joined in part order, which is file order, and the model comes out bit
//! for bit as one call makes it (tested on generated and real models).

use crate::ids::FastMap;
use crate::LoadProgress;
use ifc_lite_processing::{
    process, Batching, Features, FrameEvent, MeshData, MeshFrame, ProcessingRequest, ProcessingSink,
};
use plumbline_model::Mesh;
use rayon::prelude::*;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The most parts of one file tessellated at once. Each holds its own resolved state (styles,
/// voids, its job list: about 190 MB on a 476 MB file) and its caches; past a few, the serial
/// stretches they hide are already covered.
const MAX_PARTS_AT_ONCE: usize = 4;

/// The most products in one part. ifc-lite's caches (points, placements) grow by about 1.1 KB
/// for every product a call meshes and live until the call ends, so a million-element file is
/// meshed in parts of this size, a few at a time. Each part costs a resolve of the whole file
/// (0.9 s and 190 MB on 476 MB): on the million-element hall, 4 parts took 17.4 s and peaked at
/// 3.10 GB, 6 parts 18.5 s and 2.84 GB (medians of 3 on 2 cores).
const PART_PRODUCTS: usize = 170_000;

/// Meshes of up to this many positions are welded by searching their vertices in order; larger
/// ones through a hash map. A box comes with 24 positions and 8 vertices.
const LINEAR_WELD_MAX: usize = 48;

/// `(express id, mesh)` of one part in file order; `None` marks a mesh with non-finite
/// coordinates.
pub(crate) type Meshes = Vec<(u32, Option<Mesh>)>;

/// What the geometry pass made.
#[derive(Default)]
pub(crate) struct Tessellated {
    /// The parts' meshes, in part order (which is file order); kept apart rather than joined
    /// into one list, which on a million elements would copy 128 MB at the peak of the load.
    pub meshes: Vec<Meshes>,
    /// The length unit ifc-lite refused (the file's units are unusable), if it did.
    pub length_unit_refused: Option<u32>,
}

/// What the pass meshes: every product, or the chosen ones.
pub(crate) struct Work<'a> {
    pub bytes: &'a [u8],
    /// The loader's index of `bytes`.
    pub index: &'a crate::index::Index,
    /// The products of the file in file order (every role: spaces and openings get meshes too).
    pub products: Vec<u32>,
    /// The products a mesh scope chose; `None` meshes everything.
    pub chosen: Option<&'a Arc<HashSet<u32>>>,
    pub cancel: Arc<AtomicBool>,
    pub progress: Option<Arc<LoadProgress>>,
}

/// Below this share of a file's products (one in ten), the chosen ones are meshed in one part:
/// every part resolves the whole file, which then costs more than their meshes. A clash run
/// over the million-element hall meshes 264 of its products (the rest have exact solids), and
/// two parts spent 0.9 s each resolving it.
const FEW_PRODUCTS_SHARE: usize = 10;

/// How many parts `products` chosen among a file's `all` are split into on a pool of
/// `threads`, and how many of them run at once: one for every two threads (up to a few), and as
/// many more as keep each part small; one when they are few.
fn part_plan(threads: usize, products: usize, all: usize) -> (usize, usize) {
    if products * FEW_PRODUCTS_SHARE < all {
        return (1, 1);
    }
    // A part's scan and resolution of the whole file runs on one thread; the other threads
    // mesh and take the load's work beside the pass meanwhile. One part per thread scanned
    // the file once more per thread for work the beside work now covers: on two threads one
    // part measured best since the semantic pass runs beside the tessellation (Office_A x10
    // 0.81 -> 0.78 s, the 100k hall 0.79 -> 0.77 s, 15 runs shuffled, medians; the 1M hall
    // 12.2 s either way, peak no higher).
    let at_once = (threads / 2).clamp(1, MAX_PARTS_AT_ONCE);
    let parts = at_once.max(products.div_ceil(PART_PRODUCTS)).min(products).max(1);
    (parts, at_once.min(parts))
}

/// Tessellates the products of `work` on the current rayon pool, and runs `beside` (the rest of
/// the load's parallel work) on the same pool meanwhile.
pub(crate) fn tessellate<R: Send>(work: Work<'_>, beside: impl FnOnce() -> R + Send) -> (Tessellated, R) {
    let Work { bytes, index, products, chosen, cancel, progress } = work;
    let cancelled = cancel.clone();
    // Chunks of a few thousand jobs let the cancel flag stop a runaway pass between chunks at
    // no measurable cost. ifc-lite's own property and presentation-layer resolution is off: the
    // semantic pass does that work once, and leaving it on cost 25 % of the geometry time.
    let request = ProcessingRequest::full_pass()
        .batching(Batching::new(4096, 4096))
        // Meshes are moved into world coordinates batch by batch as they are made (MeshSink)
        // instead of being retained: the peak memory of a large model halves.
        .retain_meshes(false)
        .features(Features::default().properties(false).presentation_layers(false))
        // Each call indexes the file in its own scan (a dense index for large files, faster to
        // look up than a hash map and freed with the call).
        .cancel(cancel);
    let all = products.len();
    let wanted: Vec<u32> = match chosen {
        Some(chosen) => products.into_iter().filter(|id| chosen.contains(id)).collect(),
        None => products,
    };
    if wanted.is_empty() {
        // Nothing to mesh (every product chosen has an exact solid, as in most MEP models of a
        // clash run): ifc-lite is not called, which scanned and resolved the whole file for
        // nothing (6 ms of Office_A's MEP model). Its one verdict that still matters, a length
        // unit geometry must refuse, is asked of the same resolution it makes.
        let mut decoder = index.decoder(bytes);
        let units = ifc_lite_core::UnitScales::resolve(bytes, None, &mut decoder);
        return (
            Tessellated { meshes: Vec::new(), length_unit_refused: units.length_unit_refused },
            beside(),
        );
    }
    let (parts, at_once) = part_plan(rayon::current_num_threads(), wanted.len(), all);
    if parts == 1 {
        // One call, as ifc-lite is usually driven: the whole file, or the chosen products.
        let progress = progress.map(|shared| PartProgress { shared, share: wanted.len(), reported: 0 });
        return rayon::join(|| run_part(bytes, request.ids(chosen.cloned()), progress), beside);
    }
    let chunks: Vec<&[u32]> = wanted.chunks(wanted.len().div_ceil(parts)).collect();
    let done: Vec<OnceLock<Tessellated>> = chunks.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    // A driver meshes one part after another until none is left: `at_once` drivers, so no more
    // parts than that hold their state at once, however the pool schedules them.
    let drive = || {
        // A load past its time limit starts no more parts (each would resolve the whole file).
        while let Some((ids, slot)) =
            next_part(&next, &chunks, &done).filter(|_| !cancelled.load(Ordering::Relaxed))
        {
            let set: HashSet<u32> = ids.iter().copied().collect();
            let progress =
                progress.clone().map(|shared| PartProgress { shared, share: ids.len(), reported: 0 });
            let _set_once = slot.set(run_part(bytes, request.clone().ids(Some(Arc::new(set))), progress));
        }
    };
    let ((), side) = rayon::scope(|scope| {
        // A thread with nothing to do takes the oldest task queued: the other drivers go first,
        // so that they all start at once, then `beside`, whose many small tasks fill the gaps
        // the parts leave and the end. The first driver runs here.
        for _ in 1..at_once {
            scope.spawn(|_| drive());
        }
        rayon::join(drive, beside)
    });
    let mut out = Tessellated::default();
    for part in done.into_iter().filter_map(OnceLock::into_inner) {
        out.meshes.extend(part.meshes);
        // The units are the file's: every part refuses the same one, or none does.
        out.length_unit_refused = out.length_unit_refused.or(part.length_unit_refused);
    }
    (out, side)
}

/// The next part no driver has taken, with the slot for its meshes.
fn next_part<'a, T>(next: &AtomicUsize, chunks: &[&'a [u32]], done: &'a [T]) -> Option<(&'a [u32], &'a T)> {
    let i = next.fetch_add(1, Ordering::Relaxed);
    Some((*chunks.get(i)?, done.get(i)?))
}

/// One `process` call.
fn run_part(bytes: &[u8], request: ProcessingRequest, progress: Option<PartProgress>) -> Tessellated {
    let mut sink = MeshSink { progress, ..MeshSink::default() };
    let result = process(bytes, &request, &mut sink);
    if let Some(p) = &mut sink.progress {
        // ifc-lite reports only chunks that made meshes: a part whose last jobs made none
        // still ends at its share.
        p.finish();
    }
    let meshes = vec![sink.finish(&result.frame)];
    Tessellated { meshes, length_unit_refused: result.metadata.length_unit_refused }
}

/// One part's share of the file's progress.
struct PartProgress {
    shared: Arc<LoadProgress>,
    /// How many of the file's products this part meshes. The file's total is set before the
    /// pass (`build.rs`): the products with an exact solid count first, as they are read.
    share: usize,
    /// How much of its share it has added so far.
    reported: usize,
}

impl PartProgress {
    fn report(&mut self, processed: usize, total: usize) {
        // ifc-lite counts the part's jobs (its products with a representation): scaled to the
        // share, the parts together end at the file's total.
        let now = (processed.min(total) * self.share).checked_div(total).unwrap_or(self.share);
        self.shared.add(now.saturating_sub(self.reported));
        self.reported = self.reported.max(now);
    }

    /// Adds what is left of a part's share.
    fn finish(&mut self) {
        self.report(self.share.max(1), self.share.max(1));
    }
}

/// Receives ifc-lite's meshes batch by batch and moves each into world coordinates at once, so
/// that the pass never holds every mesh in its own format.
#[derive(Default)]
struct MeshSink {
    frame: Option<MeshFrame>,
    /// `(express id, mesh)`; `None` marks a mesh with non-finite coordinates.
    out: Meshes,
    /// Meshes that arrived before the frame was announced (kept in ifc-lite's form until then).
    early: Vec<MeshData>,
    progress: Option<PartProgress>,
}

impl ProcessingSink for MeshSink {
    fn on_frame(&mut self, frame: &FrameEvent) {
        self.frame = Some(frame.frame);
    }

    fn on_batch(&mut self, meshes: &[MeshData], processed: usize, total: usize) {
        if let Some(p) = &mut self.progress {
            p.report(processed, total);
        }
        match self.frame {
            Some(frame) => {
                let to_world = frame.world_mapper();
                // ifc-lite meshes nothing while its sink works, so the batch is converted on
                // every thread; `collect` keeps the batch's order.
                let batch: Vec<(u32, Option<Mesh>)> = meshes
                    .par_iter()
                    .filter(|m| is_occurrence(m))
                    .map(|m| (m.express_id, world_mesh(m, &to_world)))
                    .collect();
                self.out.extend(batch);
            }
            None => self.early.extend(meshes.iter().filter(|m| is_occurrence(m)).cloned()),
        }
    }
}

impl MeshSink {
    fn finish(mut self, frame: &MeshFrame) -> Meshes {
        let to_world = frame.world_mapper();
        let early = std::mem::take(&mut self.early);
        self.out.extend(early.iter().map(|m| (m.express_id, world_mesh(m, &to_world))));
        self.out
    }
}

/// Type-library shapes (geometry_class 1 and 2) are not occurrences.
fn is_occurrence(m: &MeshData) -> bool {
    m.geometry_class != 1 && m.geometry_class != 2
}

/// One ifc-lite mesh in world coordinates, or `None` when a coordinate is not finite.
fn world_mesh(md: &MeshData, to_world: &impl Fn([f64; 3]) -> [f64; 3]) -> Option<Mesh> {
    let world: Vec<[f64; 3]> = md
        .positions
        .chunks_exact(3)
        .map(|p| {
            to_world([
                md.origin[0] + f64::from(p[0]),
                md.origin[1] + f64::from(p[1]),
                md.origin[2] + f64::from(p[2]),
            ])
        })
        .collect();
    if world.iter().any(|p| p.iter().any(|v| !v.is_finite())) {
        return None;
    }
    // The first vertex is the mesh's own origin: offsets stay small whatever the world position.
    let origin_m = world.first().copied().unwrap_or([0.0; 3]);
    // ifc-lite repeats a corner once per face for flat shading; the model keeps each position
    // once (a box: 8 vertices instead of 24), which a million-element model feels. Each
    // position becomes the first vertex with its bit pattern.
    let mut vertices: Vec<[f32; 3]> = Vec::with_capacity(world.len() / 2);
    let mut keys: Vec<[u32; 3]> = Vec::with_capacity(world.len() / 2);
    // Small meshes (most of a building: boxes, short pipes) are searched in order, large ones
    // through a map.
    let mut slot: Option<FastMap<[u32; 3], u32>> = (world.len() > LINEAR_WELD_MAX)
        .then(|| FastMap::with_capacity_and_hasher(world.len(), Default::default()));
    let remap: Vec<u32> = world
        .iter()
        .map(|p| {
            let v = [(p[0] - origin_m[0]) as f32, (p[1] - origin_m[1]) as f32, (p[2] - origin_m[2]) as f32];
            // Bit patterns as the key; -0.0 and 0.0 are the same point.
            let key = v.map(|c| if c == 0.0 { 0 } else { c.to_bits() });
            let next = vertices.len() as u32;
            let found = match &mut slot {
                Some(slot) => *slot.entry(key).or_insert(next),
                None => keys.iter().position(|k| *k == key).map_or(next, |i| i as u32),
            };
            if found == next {
                vertices.push(v);
                keys.push(key);
            }
            found
        })
        .collect();
    let mut triangles: Vec<[u32; 3]> = md
        .indices
        .chunks_exact(3)
        .filter_map(|t| {
            let m = |i: u32| remap.get(i as usize).copied();
            let tri = [m(t[0])?, m(t[1])?, m(t[2])?];
            // A triangle whose corners merged into one point has no area: it would only
            // confuse the normals of its neighbours.
            (tri[0] != tri[1] && tri[1] != tri[2] && tri[2] != tri[0]).then_some(tri)
        })
        .collect();
    // The model keeps every mesh to the end: no spare capacity (a filtered `collect` grows by
    // doubling, a third more than needed on average).
    vertices.shrink_to_fit();
    triangles.shrink_to_fit();
    Some(Mesh::new(origin_m, vertices, triangles))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_the_threads_and_stay_small() {
        // (parts, at once)
        let whole = |threads: usize, products: usize| part_plan(threads, products, products);
        assert_eq!(whole(1, 100_000), (1, 1));
        assert_eq!(whole(2, 1), (1, 1));
        assert_eq!(whole(2, 0), (1, 1));
        assert_eq!(whole(2, 100_000), (1, 1));
        assert_eq!(whole(4, 100_000), (2, 2));
        assert_eq!(whole(5, 100_000), (2, 2));
        assert_eq!(whole(64, 100_000), (MAX_PARTS_AT_ONCE, MAX_PARTS_AT_ONCE));
        // A million products: parts of at most PART_PRODUCTS, a few at a time.
        assert_eq!(whole(2, 1_000_000), (6, 1));
        assert_eq!(whole(4, 1_000_000), (6, 2));
        assert_eq!(whole(1, 1_000_000), (6, 1));
        assert_eq!(whole(4, 340_000), (2, 2));
        assert_eq!(whole(4, 340_001), (3, 2));
    }

    #[test]
    fn a_few_chosen_products_are_meshed_in_one_part() {
        // The million-element hall in a clash run: 264 products without exact solids.
        assert_eq!(part_plan(2, 264, 1_000_000), (1, 1));
        assert_eq!(part_plan(2, 99_999, 1_000_000), (1, 1));
        assert_eq!(part_plan(4, 100_000, 1_000_000), (2, 2));
        assert_eq!(part_plan(16, 500, 800), (MAX_PARTS_AT_ONCE, MAX_PARTS_AT_ONCE));
    }

    #[test]
    fn parts_report_their_share_and_end_at_the_file_total() {
        let shared = Arc::new(LoadProgress::default());
        shared.set(0, 10);
        let mut a = PartProgress { shared: shared.clone(), share: 6, reported: 0 };
        let mut b = PartProgress { shared: shared.clone(), share: 4, reported: 0 };
        a.report(1, 3);
        b.report(0, 0);
        assert!((shared.fraction() - 0.6).abs() < 1e-6, "{}", shared.fraction());
        a.report(3, 3);
        assert!((shared.fraction() - 1.0).abs() < 1e-6);
        // A repeated or smaller count never moves the bar back or past the end.
        a.report(2, 3);
        a.finish();
        assert!((shared.fraction() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_part_without_meshes_still_ends_at_its_share() {
        let shared = Arc::new(LoadProgress::default());
        shared.set(0, 10);
        let mut a = PartProgress { shared: shared.clone(), share: 4, reported: 0 };
        a.finish();
        assert!((shared.fraction() - 0.4).abs() < 1e-6, "{}", shared.fraction());
    }
}
