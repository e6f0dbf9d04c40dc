//! Broad phase: an R-tree of element boxes, bulk-loaded once per test.

use plumbline_model::{Aabb, ElementRef};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

type Entry = GeomWithData<Rectangle<[f64; 3]>, usize>;

fn rect(b: &Aabb, margin_m: f64) -> Rectangle<[f64; 3]> {
    let g = b.inflated(margin_m);
    Rectangle::from_corners(g.min, g.max)
}

fn tree(refs: &[ElementRef], aabb: &impl Fn(ElementRef) -> Aabb, margin_m: f64) -> RTree<Entry> {
    RTree::bulk_load(
        refs.iter().enumerate().map(|(i, &r)| GeomWithData::new(rect(&aabb(r), margin_m), i)).collect(),
    )
}

/// Pairs (a, b) whose boxes, each grown by `margin_m / 2`, touch or overlap. The B tree holds
/// boxes grown by the whole margin and is queried with the plain A boxes, which is the same test.
pub fn pairs_between(
    a: &[ElementRef],
    b: &[ElementRef],
    aabb: &impl Fn(ElementRef) -> Aabb,
    margin_m: f64,
) -> Vec<(ElementRef, ElementRef)> {
    let t = tree(b, aabb, margin_m);
    let mut out = Vec::new();
    for &x in a {
        let q = aabb(x);
        let env = AABB::from_corners(q.min, q.max);
        for hit in t.locate_in_envelope_intersecting(env) {
            out.push((x, b[hit.data]));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Unordered pairs within one set, each once (by position in `a`).
pub fn pairs_within(
    a: &[ElementRef],
    aabb: &impl Fn(ElementRef) -> Aabb,
    margin_m: f64,
) -> Vec<(ElementRef, ElementRef)> {
    let t = tree(a, aabb, margin_m);
    let mut out = Vec::new();
    for (i, &x) in a.iter().enumerate() {
        let q = aabb(x);
        let env = AABB::from_corners(q.min, q.max);
        for hit in t.locate_in_envelope_intersecting(env) {
            if hit.data > i {
                out.push((x, a[hit.data]));
            }
        }
    }
    out.sort_unstable();
    out
}

/// Pairs (query index, b) whose boxes touch or overlap: queries with their own boxes (the zones
/// of zone tests) against an R-tree of the B elements' boxes.
pub fn boxes_against(
    queries: &[(ElementRef, Aabb)],
    b: &[ElementRef],
    aabb: &impl Fn(ElementRef) -> Aabb,
) -> Vec<(usize, ElementRef)> {
    let t = tree(b, aabb, 0.0);
    let mut out = Vec::new();
    for (i, (_, q)) in queries.iter().enumerate() {
        let env = AABB::from_corners(q.min, q.max);
        for hit in t.locate_in_envelope_intersecting(env) {
            out.push((i, b[hit.data]));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}
