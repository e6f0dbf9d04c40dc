//! Broad phase: an R-tree of element boxes, bulk-loaded once per test.
//!
//! The tree holds the smaller side and the larger side asks it, on every thread: rstar builds a
//! tree on one thread, so a rule testing 39 trays against a million elements would spend seconds
//! building the million's tree for 39 questions (the data-centre matrix on the 1M hall spent 24 s
//! so). Boxes overlap or not whichever side asks, so the pairs are the same; they come out sorted,
//! whatever the thread count.

use plumbline_model::{Aabb, ElementRef};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

type Entry = GeomWithData<Rectangle<[f64; 3]>, usize>;

fn rect(b: &Aabb) -> Rectangle<[f64; 3]> {
    Rectangle::from_corners(b.min, b.max)
}

/// An R-tree of `boxes`, each tagged with its position.
fn tree(boxes: impl Iterator<Item = Aabb>) -> RTree<Entry> {
    RTree::bulk_load(boxes.enumerate().map(|(i, b)| GeomWithData::new(rect(&b), i)).collect())
}

/// `(asker, held)` for every asking box that touches or overlaps a box in the tree, by
/// positions, in no particular order; asked on every thread.
fn touching(held: &RTree<Entry>, asking: &[Aabb]) -> Vec<(usize, usize)> {
    asking
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, q)| {
            held.locate_in_envelope_intersecting(AABB::from_corners(q.min, q.max))
                .map(move |hit| (i, hit.data))
        })
        .collect()
}

/// `(x, y)` by positions for every box of `xs` that touches or overlaps a box of `ys`: the tree
/// holds the smaller list.
fn touching_between(xs: &[Aabb], ys: &[Aabb]) -> Vec<(usize, usize)> {
    if ys.len() <= xs.len() {
        touching(&tree(ys.iter().copied()), xs)
    } else {
        touching(&tree(xs.iter().copied()), ys).into_iter().map(|(y, x)| (x, y)).collect()
    }
}

/// Pairs (a, b) whose boxes, each grown by `margin_m / 2`, touch or overlap: the B boxes are
/// grown by the whole margin and the A boxes are not, which is the same test.
pub fn pairs_between(
    a: &[ElementRef],
    b: &[ElementRef],
    aabb: &(impl Fn(ElementRef) -> Aabb + Sync),
    margin_m: f64,
) -> Vec<(ElementRef, ElementRef)> {
    let a_boxes: Vec<Aabb> = a.par_iter().map(|&r| aabb(r)).collect();
    let b_boxes: Vec<Aabb> = b.par_iter().map(|&r| aabb(r).inflated(margin_m)).collect();
    let mut out: Vec<(ElementRef, ElementRef)> =
        touching_between(&a_boxes, &b_boxes).into_iter().map(|(i, j)| (a[i], b[j])).collect();
    out.par_sort_unstable();
    out.dedup();
    out
}

/// Unordered pairs within one set, each once (by position in `a`).
pub fn pairs_within(
    a: &[ElementRef],
    aabb: &(impl Fn(ElementRef) -> Aabb + Sync),
    margin_m: f64,
) -> Vec<(ElementRef, ElementRef)> {
    let boxes: Vec<Aabb> = a.par_iter().map(|&r| aabb(r)).collect();
    let held = tree(boxes.iter().map(|b| b.inflated(margin_m)));
    let mut out: Vec<(ElementRef, ElementRef)> =
        touching(&held, &boxes).into_iter().filter(|&(i, j)| j > i).map(|(i, j)| (a[i], a[j])).collect();
    out.par_sort_unstable();
    out
}

/// Pairs (query index, b) whose boxes touch or overlap: queries with their own boxes (the zones
/// of zone tests) against the B elements' boxes.
pub fn boxes_against(
    queries: &[(ElementRef, Aabb)],
    b: &[ElementRef],
    aabb: &(impl Fn(ElementRef) -> Aabb + Sync),
) -> Vec<(usize, ElementRef)> {
    let q_boxes: Vec<Aabb> = queries.iter().map(|(_, q)| *q).collect();
    let b_boxes: Vec<Aabb> = b.par_iter().map(|&r| aabb(r)).collect();
    let mut out: Vec<(usize, ElementRef)> =
        touching_between(&q_boxes, &b_boxes).into_iter().map(|(i, j)| (i, b[j])).collect();
    out.par_sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes(n: usize, step_m: f64) -> Vec<Aabb> {
        (0..n)
            .map(|i| {
                let x = i as f64 * step_m;
                Aabb { min: [x, 0.0, 0.0], max: [x + 1.0, 1.0, 1.0] }
            })
            .collect()
    }

    /// Every pair by brute force, for comparison.
    fn brute(xs: &[Aabb], ys: &[Aabb]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, x) in xs.iter().enumerate() {
            for (j, y) in ys.iter().enumerate() {
                if (0..3).all(|k| x.min[k] <= y.max[k] && y.min[k] <= x.max[k]) {
                    out.push((i, j));
                }
            }
        }
        out
    }

    #[test]
    fn either_side_may_hold_the_tree_and_the_pairs_are_the_same() {
        // Unit boxes every 0.75 m against boxes every 2.5 m, offset: touching faces included.
        let xs = boxes(40, 0.75);
        let ys: Vec<Aabb> = boxes(9, 2.5)
            .into_iter()
            .map(|b| Aabb { min: [b.min[0] + 0.25, 1.0, 0.5], max: [b.max[0] + 0.25, 2.0, 1.5] })
            .collect();
        let expected = brute(&xs, &ys);
        assert!(expected.len() > 9, "{} pairs", expected.len());
        for (x, y) in [(&xs, &ys), (&ys, &xs)] {
            let mut got = touching_between(x, y);
            got.sort_unstable();
            assert_eq!(got, brute(x, y));
        }
    }
}
