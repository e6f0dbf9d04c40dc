//! The narrow phase of a test: one candidate pair at a time, symmetric modes in a canonical
//! order, zone tests with the zone on A's side.

use crate::narrow::{self, coincident, depth_upper_bound, distance, overlap};
use crate::shape::ElementShape;
use crate::volume::overlap_volume;
use crate::zone::{self, Zone, ZoneSize};
use crate::{
    broad, id, sort_clashes, Clash, ClashBasis, ClashKind, Mode, PairRules, Shapes, Test, TestResult,
};
use plumbline_model::{Aabb, ElementRef, Mesh, ModelSet};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::hash_map::{Entry, HashMap};

/// The unpacked mode of a zone test.
pub(crate) struct ZoneTest {
    pub zone: Zone,
    pub size: ZoneSize,
    pub tolerance_m: f64,
}

/// The basis of a clash when insulation or a per-pair distance went into it.
fn basis(ia: f64, ib: f64, bare_m: f64, required_m: Option<f64>) -> Option<ClashBasis> {
    let inflated = ia + ib > 0.0;
    (inflated || required_m.is_some()).then(|| ClashBasis {
        inflation_a_m: ia,
        inflation_b_m: ib,
        bare_distance_m: inflated.then_some(bare_m),
        required_m,
        source: None,
    })
}

/// The volume the bare solids share, when they overlap.
fn volume(sa: &ElementShape, sb: &ElementShape) -> Option<f64> {
    overlap_volume(sa, sb).map(|(v, _)| v)
}

/// Distances closer than this (m) are the same distance when two clashes of one pair are
/// weighed: the two sides of a pair measure one gap, and the narrow phase may round it
/// differently in the last bits depending on which solid it starts from.
const SAME_DISTANCE_M: f64 = 1e-6;

/// Keeps one clash per pair of elements. A test whose A and B selections overlap meets a pair
/// from both sides (x against y and y against x); a reviewer expects it once, and both records
/// would carry the same id. Of two clashes of one pair the one kept has the smaller distance
/// (for a zone test, B entering A's zone deeper), then the A element whose GlobalId (then
/// reference) sorts first, then the larger distance required of the pair (a per-pair table
/// read from the stricter side). The choice depends only on the two clashes, never on which
/// one a thread found first; sort the result afterwards.
pub(crate) fn one_per_pair(set: &ModelSet, clashes: Vec<Clash>) -> Vec<Clash> {
    let mut kept: Vec<Clash> = Vec::with_capacity(clashes.len());
    let mut at: HashMap<(ElementRef, ElementRef), usize> = HashMap::with_capacity(clashes.len());
    for c in clashes {
        let key = if c.a <= c.b { (c.a, c.b) } else { (c.b, c.a) };
        match at.entry(key) {
            Entry::Vacant(v) => {
                v.insert(kept.len());
                kept.push(c);
            }
            Entry::Occupied(o) => {
                let k = &mut kept[*o.get()];
                if preference(set, &c, k) == Ordering::Less {
                    *k = c;
                }
            }
        }
    }
    kept
}

/// Which of two clashes of one pair a report keeps: `Less` for `p`.
fn preference(set: &ModelSet, p: &Clash, q: &Clash) -> Ordering {
    let by_distance = if (p.distance_m - q.distance_m).abs() > SAME_DISTANCE_M {
        p.distance_m.total_cmp(&q.distance_m)
    } else {
        Ordering::Equal
    };
    let side = |c: &Clash| (set.element(c.a).global_id.as_str(), c.a);
    let required = |c: &Clash| c.basis.as_ref().and_then(|b| b.required_m).unwrap_or(0.0);
    by_distance.then_with(|| side(p).cmp(&side(q))).then_with(|| required(q).total_cmp(&required(p)))
}

/// A zone test: the zones of every A element, an R-tree of the B elements queried with the
/// zones' boxes, and for each candidate the penetration of B into a zone. Unlike the other
/// modes the pair keeps its sides: the zone belongs to A. When A and B share elements, two of
/// them can stand in each other's zones; the pair is reported once ([`one_per_pair`]).
pub(crate) fn zone_test(
    shapes: &Shapes<'_>,
    test: &Test,
    a: &[ElementRef],
    b: Option<&[ElementRef]>,
    zt: &ZoneTest,
    ignore: &(dyn Fn(ElementRef, ElementRef) -> bool + Sync),
    rules: &PairRules<'_>,
) -> TestResult {
    let set = shapes.set();
    let b = b.unwrap_or(a);
    let t_broad = std::time::Instant::now();
    // The broad phase asks with the largest zone a B could call for, shrunk by the tolerance
    // on every side: a B whose box enters a zone's box by no more than the tolerance on some
    // axis enters the zone no deeper (the narrow phase's first rejection), so elements that
    // only touch a zone (racks in a row, a tray on its hangers) are not candidates. A zone
    // thinner than twice the tolerance shrinks to its middle (the broad phase orders corners),
    // which a B entering the zone deeper than the tolerance still crosses.
    let zones: Vec<Vec<Mesh>> = a
        .par_iter()
        .map(|&r| zone::zone_meshes(set.element(r), zt.zone, &zt.size, zt.size.beside_max_m))
        .collect();
    // One query per A element with a zone; `zone_index[i]` is query i's place in `zones`.
    let (queries, zone_index): (Vec<(ElementRef, Aabb)>, Vec<usize>) = zones
        .iter()
        .enumerate()
        .filter_map(|(k, z)| {
            zone::zones_aabb(z.iter().map(|m| m.aabb)).map(|bx| ((a[k], bx.inflated(-zt.tolerance_m)), k))
        })
        .unzip();
    let aabb =
        |r: ElementRef| set.element(r).aabb().map_or(Aabb::EMPTY, |bx| bx.inflated(rules.inflation(r)));
    let candidates: Vec<(usize, ElementRef)> = broad::boxes_against(&queries, b, &aabb)
        .into_iter()
        .filter(|&(i, y)| queries[i].0 != y && !ignore(queries[i].0, y))
        .collect();
    let broad_secs = t_broad.elapsed().as_secs_f64();
    let t_narrow = std::time::Instant::now();
    // Zone shapes (convex hulls) only for the A elements with candidates: on the million-element
    // hall, building them for all 184,440 racks of a rule was 46 % of the run.
    let mut with_candidates: Vec<usize> = candidates.iter().map(|&(i, _)| i).collect();
    with_candidates.dedup();
    let zone_of: HashMap<usize, Vec<ElementShape>> =
        with_candidates.par_iter().map(|&i| (i, zone::shapes_of(&zones[zone_index[i]]))).collect();
    let found: Vec<Clash> = candidates
        .par_iter()
        .filter_map(|&(i, y)| {
            zone_pair(shapes, test, queries[i].0, y, zone_of.get(&i).map_or(&[], Vec::as_slice), zt, rules)
        })
        .collect();
    let mut clashes = one_per_pair(set, found);
    sort_clashes(set, &mut clashes);
    TestResult {
        broad_secs,
        narrow_secs: t_narrow.elapsed().as_secs_f64(),
        elements_a: a.len(),
        elements_b: b.len(),
        candidate_pairs: candidates.len(),
        clashes,
    }
}

/// How far B's solid, grown by `grow_m` all round, enters a zone: the bare penetration depth
/// plus the growth, or the growth less the gap; `None` when it stays out.
fn entry_depth(z: &ElementShape, sb: &ElementShape, grow_m: f64) -> Option<f64> {
    if let Some(o) = overlap(z, sb) {
        return Some(o.depth_m + grow_m);
    }
    if grow_m <= 0.0 {
        return None;
    }
    distance(z, sb, grow_m).map(|(d, _)| grow_m - d)
}

/// One A element's zones against one B element.
fn zone_pair(
    shapes: &Shapes<'_>,
    test: &Test,
    a: ElementRef,
    b: ElementRef,
    zones: &[ElementShape],
    zt: &ZoneTest,
    rules: &PairRules<'_>,
) -> Option<Clash> {
    let set = shapes.set();
    let box_b = set.element(b).aabb()?;
    let (ia, ib) = (rules.inflation(a), rules.inflation(b));
    // A zone beside A is as wide as B calls for (NFPA 13's three times B's width, capped).
    let (resized, required_m) = match zt.zone {
        Zone::Beside => {
            let s = box_b.size();
            let reach_m = (zt.size.beside_factor * s[0].min(s[1])).min(zt.size.beside_max_m);
            (Some(zone::zone_shapes(set.element(a), zt.zone, &zt.size, reach_m)), Some(reach_m))
        }
        Zone::Swing => (
            None,
            zone::zones_aabb(zones.iter().map(|z| z.aabb))
                .map(|_| zone::swing_depth(set.element(a), &zt.size)),
        ),
        _ => (None, None),
    };
    let zones = resized.as_deref().unwrap_or(zones);
    // The zone B enters deepest; box-level rejections first.
    let sb = shapes.get(b)?;
    let entered = zones
        .iter()
        .filter(|z| depth_upper_bound(&z.aabb, &box_b.inflated(ib)) > zt.tolerance_m)
        .filter_map(|z| entry_depth(z, sb, ib).filter(|d| *d > zt.tolerance_m).map(|d| (z, d)))
        .max_by(|p, q| p.1.total_cmp(&q.1))?;
    let (zone_shape, _) = entered;
    let sa = shapes.get(a)?;
    // The gap between the two solids; no zone reaches further from A than its own box does.
    let reach = zone::zones_aabb(zones.iter().map(|z| z.aabb)).map_or(1.0, |z| {
        let s = z.size();
        (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]).sqrt()
    }) + ia
        + ib;
    let (gap, gap_point) = distance(sa, sb, reach)?;
    let exact = sa.convex.is_some() && sb.convex.is_some();
    let overlap_aabb = zone_shape.aabb.intersection(&sb.aabb).unwrap_or(zone_shape.aabb);
    let (ga, gb) = (&set.element(a).global_id, &set.element(b).global_id);
    let grow = ia + ib;
    let mut clash = Clash {
        id: id::clash_id(&test.name, ga, gb),
        kind: ClashKind::Clearance,
        distance_m: gap - grow,
        hard: false,
        exact,
        point: if gap > 0.0 { overlap_aabb.center() } else { gap_point },
        overlap_aabb,
        a,
        b,
        overlap_volume_m3: None,
        basis: basis(ia, ib, gap, required_m),
    };
    // Touching A is a gap of 0; overlapping A by more than the tolerance is reported as in a
    // clearance test, minus the penetration depth.
    if gap <= 0.0 {
        if let Some(o) = overlap(sa, sb).filter(|o| o.depth_m > zt.tolerance_m) {
            clash.distance_m = -o.depth_m - grow;
            clash.hard = true;
            clash.exact = o.exact;
            clash.point = o.point;
            clash.overlap_volume_m3 = volume(sa, sb);
            if let Some(bs) = &mut clash.basis {
                bs.bare_distance_m = bs.bare_distance_m.map(|_| -o.depth_m);
            }
        }
    }
    Some(clash)
}

/// The narrow phase for one candidate pair (`x` from the test's A side), with A and B in a
/// canonical order (by GlobalId) so that the result does not depend on which side an element
/// came from.
pub(crate) fn narrow_pair(
    shapes: &Shapes<'_>,
    test: &Test,
    x: ElementRef,
    y: ElementRef,
    rules: &PairRules<'_>,
) -> Option<Clash> {
    let set = shapes.set();
    let (ea, eb) = (set.element(x), set.element(y));
    let (a, b) = if (&ea.global_id, x) <= (&eb.global_id, y) { (x, y) } else { (y, x) };
    let (ia, ib) = match test.mode {
        Mode::Duplicate { .. } => (0.0, 0.0),
        _ => (rules.inflation(a), rules.inflation(b)),
    };
    let grow = ia + ib;
    // Box-level rejections first, so that shapes are only built for pairs that need them.
    let (box_a, box_b) = (set.element(a).aabb()?, set.element(b).aabb()?);
    match test.mode {
        // Zone and reach tests never reach the symmetric narrow phase.
        Mode::Zone { .. } | Mode::Reach { .. } => return None,
        Mode::Hard { tolerance_m } | Mode::Time { tolerance_m }
            if depth_upper_bound(&box_a.inflated(ia), &box_b.inflated(ib)) <= tolerance_m =>
        {
            return None
        }
        Mode::Duplicate { tolerance_m } if box_a.max_side_difference(&box_b) > tolerance_m => return None,
        _ => {}
    }
    let (sa, sb) = (shapes.get(a)?, shapes.get(b)?);
    let (ga, gb) = (&set.element(a).global_id, &set.element(b).global_id);
    let clash =
        |kind: ClashKind, distance_m: f64, hard: bool, exact: bool, point: [f64; 3], overlap_aabb: Aabb| {
            Clash {
                id: id::clash_id(&test.name, ga, gb),
                kind,
                distance_m,
                hard,
                exact,
                point,
                overlap_aabb,
                a,
                b,
                overlap_volume_m3: None,
                basis: None,
            }
        };
    let box_overlap =
        |grow_m: f64| sa.aabb.inflated(grow_m + ia).intersection(&sb.aabb.inflated(grow_m + ib));
    let both_convex = sa.convex.is_some() && sb.convex.is_some();
    match test.mode {
        Mode::Hard { tolerance_m } | Mode::Time { tolerance_m } => {
            let bare = overlap(sa, sb);
            let (depth, bare_m, point, exact) = match bare {
                Some(o) => (o.depth_m + grow, -o.depth_m, o.point, o.exact),
                None if grow > 0.0 => {
                    let (d, p) = distance(sa, sb, grow)?;
                    (grow - d, d, p, both_convex)
                }
                None => return None,
            };
            (depth > tolerance_m).then(|| Clash {
                overlap_volume_m3: bare.and_then(|_| volume(sa, sb)),
                basis: basis(ia, ib, bare_m, None),
                ..clash(test.mode.kind(), depth, true, exact, point, box_overlap(0.0).unwrap_or(sa.aabb))
            })
        }
        Mode::Touch { tolerance_m } => {
            let shallow = if depth_upper_bound(&sa.aabb, &sb.aabb) > 0.0 { overlap(sa, sb) } else { None };
            let (bare_m, point) = match shallow {
                Some(o) => (-o.depth_m, o.point),
                None => {
                    let (d, p) = distance(sa, sb, tolerance_m + grow)?;
                    (d, if d == 0.0 { narrow::contact_point(sa, sb, p) } else { p })
                }
            };
            let d = bare_m - grow;
            (d.abs() <= tolerance_m).then(|| Clash {
                basis: basis(ia, ib, bare_m, None),
                ..clash(
                    ClashKind::Touch,
                    d,
                    false,
                    both_convex,
                    point,
                    box_overlap(tolerance_m).unwrap_or(sa.aabb),
                )
            })
        }
        Mode::Clearance { clearance_m, tolerance_m } => {
            let (clearance_m, required_m) = match rules.clearance_m {
                Some(f) => {
                    let c = f(x, y)?;
                    (c, Some(c))
                }
                None => (clearance_m, None),
            };
            let overlap_box = box_overlap(0.5 * clearance_m)?;
            let shallow =
                if depth_upper_bound(&sa.aabb, &sb.aabb) > tolerance_m { overlap(sa, sb) } else { None };
            if let Some(o) = &shallow {
                if o.depth_m > tolerance_m {
                    return Some(Clash {
                        overlap_volume_m3: volume(sa, sb),
                        basis: basis(ia, ib, -o.depth_m, required_m),
                        ..clash(ClashKind::Clearance, -o.depth_m - grow, true, o.exact, o.point, overlap_box)
                    });
                }
            }
            let (d, point) = distance(sa, sb, clearance_m + grow)?;
            // Touching, or overlapping within the tolerance: look where they meet, which the
            // shallow overlap's deepest point marks when there is one.
            let point = match (d, shallow) {
                (0.0, Some(o)) => o.point,
                (0.0, None) => narrow::contact_point(sa, sb, point),
                _ => point,
            };
            let gap = d - grow;
            (gap < clearance_m).then(|| Clash {
                basis: basis(ia, ib, d, required_m),
                ..clash(ClashKind::Clearance, gap, gap < -tolerance_m, both_convex, point, overlap_box)
            })
        }
        Mode::Zone { .. } | Mode::Reach { .. } => None,
        Mode::Duplicate { tolerance_m } => {
            let same_class = set.element(a).class == set.element(b).class;
            (same_class && coincident(sa, sb, tolerance_m)).then(|| {
                clash(
                    ClashKind::Duplicate,
                    0.0,
                    false,
                    true,
                    sa.aabb.center(),
                    box_overlap(0.0).unwrap_or(sa.aabb),
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::one_per_pair;
    use crate::{Clash, ClashBasis, ClashKind};
    use plumbline_model::{Aabb, ElementRef, ModelSet};

    fn r(i: u32) -> ElementRef {
        ElementRef { file: 0, element: i }
    }

    /// Elements 0 and 1 with GlobalIds that sort the other way round ("Z…" before "A…"), and a
    /// third.
    fn set() -> ModelSet {
        plumbline_testkit::model([
            plumbline_testkit::element("IfcFurniture", "ZZZZZZZZZZZZZZZZZZZZZZ"),
            plumbline_testkit::element("IfcFurniture", "AAAAAAAAAAAAAAAAAAAAAA"),
            plumbline_testkit::element("IfcFurniture", "MMMMMMMMMMMMMMMMMMMMMM"),
        ])
        .into_set()
    }

    fn clash(a: u32, b: u32, distance_m: f64, required_m: Option<f64>) -> Clash {
        Clash {
            id: "same".into(),
            kind: ClashKind::Clearance,
            distance_m,
            hard: false,
            exact: true,
            point: [0.0; 3],
            overlap_aabb: Aabb::EMPTY,
            a: r(a),
            b: r(b),
            overlap_volume_m3: None,
            basis: required_m.map(|m| ClashBasis { required_m: Some(m), ..ClashBasis::default() }),
        }
    }

    /// Both orders of the input give the same single clash.
    fn kept(p: Clash, q: Clash) -> Clash {
        let set = set();
        let one = one_per_pair(&set, vec![p.clone(), q.clone()]);
        let other = one_per_pair(&set, vec![q, p]);
        assert_eq!(one.len(), 1);
        assert_eq!(one, other);
        one.into_iter().next().expect("one")
    }

    #[test]
    fn the_smaller_distance_is_kept_whichever_side_sorts_first() {
        let c = kept(clash(0, 1, 0.5, None), clash(1, 0, 0.8, None));
        assert_eq!((c.a, c.distance_m), (r(0), 0.5));
    }

    #[test]
    fn the_same_distance_keeps_the_a_side_whose_global_id_sorts_first() {
        // Below a micrometre apart is one gap measured from its two ends.
        let c = kept(clash(0, 1, 0.5, None), clash(1, 0, 0.5 + 1e-9, None));
        assert_eq!(c.a, r(1), "AAAA… sorts before ZZZZ…");
    }

    #[test]
    fn one_record_of_a_symmetric_pair_keeps_the_stricter_distance_required() {
        let c = kept(clash(1, 0, 0.1, Some(0.05)), clash(1, 0, 0.1, Some(0.2)));
        assert_eq!(c.basis.and_then(|b| b.required_m), Some(0.2));
    }

    #[test]
    fn different_pairs_are_all_kept() {
        let set = set();
        let all = vec![clash(0, 1, 0.5, None), clash(0, 2, 0.5, None), clash(2, 1, 0.5, None)];
        assert_eq!(one_per_pair(&set, all.clone()), all);
    }
}
