//! Exact solids (boxes, bars, pipes, prisms read from IFC parameters) against the tessellated
//! path: the same answers within the tessellation's deviation, and exact ones where the
//! tessellated path can only approximate.

mod common;
use plumbline_clash::{distance, overlap, ElementShape};
use plumbline_model::{round_sides, Placement, Solid, SolidShape};
use proptest::prelude::*;

/// A frame turned by yaw, pitch and roll (radians) at `origin_m`.
fn frame(origin_m: [f64; 3], yaw: f64, pitch: f64, roll: f64) -> Placement {
    let (cy, sy, cp, sp, cr, sr) = (yaw.cos(), yaw.sin(), pitch.cos(), pitch.sin(), roll.cos(), roll.sin());
    // Columns of Rz(yaw) · Ry(pitch) · Rx(roll).
    let x = [cy * cp, sy * cp, -sp];
    let y = [cy * sp * sr - sy * cr, sy * sp * sr + cy * cr, cp * sr];
    let z = [cy * sp * cr + sy * sr, sy * sp * cr - cy * sr, cp * cr];
    Placement { origin_m, axes: [x, y, z].map(|a| a.map(|v| v as f32)) }
}

/// How far the facets of a solid's stand-in mesh lie from its round surfaces (0 for polytopes).
fn deviation_m(solid: &Solid) -> f64 {
    // A circle of radius r drawn with n sides lies r·(1 − cos(π/n)) outside its facets; a
    // pipe's bore has as many sides as its outer wall, so the outer wall deviates most.
    let facet = |r: f32| f64::from(r) * (1.0 - (std::f64::consts::PI / f64::from(round_sides(r))).cos());
    match solid.shape {
        SolidShape::Cylinder { radius_m, .. } | SolidShape::Tube { outer_radius_m: radius_m, .. } => {
            facet(radius_m)
        }
        _ => 0.0,
    }
}

fn exact(solid: &Solid) -> ElementShape {
    ElementShape::new(&solid.to_mesh(), Some(solid))
}

fn tessellated(solid: &Solid) -> ElementShape {
    ElementShape::new(&solid.to_mesh(), None)
}

prop_compose! {
    fn any_solid()(x in -0.6f64..0.6, y in -0.6f64..0.6, z in -0.6f64..0.6,
                   yaw in 0.0f64..6.3, pitch in -1.5f64..1.5, roll in 0.0f64..6.3,
                   a in 0.03f32..0.5, b in 0.03f32..0.5, c in 0.1f32..1.5, wall in 0.1f32..0.9,
                   kind in 0u8..4) -> Solid {
        let shape = match kind {
            0 => SolidShape::Cuboid { half_extents_m: [a, b, c] },
            1 => SolidShape::Cylinder { radius_m: a, half_length_m: c },
            2 => SolidShape::Tube { outer_radius_m: a, inner_radius_m: a * wall, half_length_m: c },
            _ => SolidShape::Prism {
                profile_m: vec![[0.0, 0.0], [a, 0.0], [a * 1.2, b], [0.1 * a, b * 1.1]].into(),
                extrusion_m: [0.1 * b, -0.1 * a, 2.0 * c],
            },
        };
        // Far from the map origin, as georeferenced models are.
        Solid { frame: frame([400_000.0 + x, 3_000_000.0 + y, 20.0 + z], yaw, pitch, roll), shape }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Distances of convex pairs lie between the greatest separation an independent search
    /// finds (every direction's separation is a lower bound of the distance) and the facets'
    /// gap (an upper bound); pairs with a pipe agree with its facets (measured triangle to
    /// triangle, exactly) within their deviation.
    #[test]
    fn distances_are_exact(a in any_solid(), b in any_solid()) {
        let slack = deviation_m(&a) + deviation_m(&b) + 2e-4;
        let pipe = |s: &Solid| matches!(s.shape, SolidShape::Tube { .. });
        let e = distance(&exact(&a), &exact(&b), 0.5);
        if !(pipe(&a) || pipe(&b)) {
            let sep = -least_overlap(&a, &b);
            // The facets lie in the solids, so their gap (GJK's, never short) bounds it above.
            let facets = distance(&tessellated(&a), &tessellated(&b), 0.5).map_or(f64::INFINITY, |(d, _)| d);
            match e {
                Some((de, _)) if de > 0.0 => {
                    prop_assert!(de >= sep - 1e-4, "exact {de} below a separation {sep}");
                    prop_assert!(de <= facets + 1e-5, "exact {de} above the facets' gap {facets}");
                }
                Some(_) => prop_assert!(sep <= 1e-4, "touching, yet separated by {sep}"),
                None => prop_assert!(facets >= 0.5 - 1e-5, "out of range, yet the facets are {facets} apart"),
            }
            return Ok(());
        }
        let t = distance(&tessellated(&a), &tessellated(&b), 0.5);
        // Parry measures a mesh inside another mesh by their surfaces' gap; the exact path
        // knows it is inside (distance 0), and the overlap test of the facets agrees.
        let inside = || overlap(&tessellated(&a), &tessellated(&b)).is_some();
        match (e, t) {
            (Some((de, _)), Some((dt, _))) if de == 0.0 && dt > slack => prop_assert!(inside(), "exact 0 vs facets {dt}"),
            (Some((de, _)), Some((dt, _))) => prop_assert!((de - dt).abs() <= slack, "exact {de} vs facets {dt}"),
            (Some((de, _)), None) => prop_assert!(de >= 0.5 - slack, "exact {de}, facets out of range"),
            (None, Some((dt, _))) => prop_assert!(dt >= 0.5 - slack, "facets {dt}, exact out of range"),
            (None, None) => {}
        }
    }

    /// Overlaps are found by both paths unless they are within the facets' deviation of
    /// touching; convex pairs (no pipe) give the same depth within it.
    #[test]
    fn overlaps_agree_with_the_tessellation(a in any_solid(), b in any_solid()) {
        let slack = deviation_m(&a) + deviation_m(&b) + 2e-4;
        let (ea, eb, ta, tb) = (exact(&a), exact(&b), tessellated(&a), tessellated(&b));
        let (e, t) = (overlap(&ea, &eb), overlap(&ta, &tb));
        let pipe = |s: &Solid| matches!(s.shape, SolidShape::Tube { .. });
        // For a pipe the facets get the estimate, which samples and can miss a shallow
        // overlap: only what the facets find is held against the exact path there.
        if let (Some(o), false) = (e, pipe(&a) || pipe(&b)) {
            prop_assert!(o.depth_m <= slack + 1e-3 || t.is_some(), "exact depth {} unseen by the facets", o.depth_m);
        }
        if let Some(o) = t {
            prop_assert!(o.depth_m <= slack + 1e-3 || e.is_some(), "facet depth {} unseen exactly", o.depth_m);
        }
        // Without a pipe the exact path is always exact: its depth is an overlap along some
        // direction (an upper bound by construction) no larger than the least a search from
        // 400 directions finds, and no less than the facets' (they lie inside the solids;
        // parry's EPA on them can come out short, by 8.5 mm on a 290 mm bar against a prism).
        if let (Some(x), false) = (e, pipe(&a) || pipe(&b)) {
            prop_assert!(x.exact, "exact path {x:?}");
            let least = least_overlap(&a, &b);
            prop_assert!(x.depth_m <= least + 1e-4, "exact {} above the least overlap {least}", x.depth_m);
            if let Some(y) = t.filter(|y| y.exact) {
                prop_assert!(x.depth_m >= y.depth_m - slack, "exact {} vs facets {}", x.depth_m, y.depth_m);
            }
        }
        // The exact answer never depends on which element is A.
        let swapped = overlap(&eb, &ea);
        prop_assert_eq!(e.map(|o| o.depth_m), swapped.map(|o| o.depth_m));
    }
}

/// How far a solid reaches along the unit direction `n` from the point `o` (its support).
fn reach(s: &Solid, o: [f64; 3], n: [f64; 3]) -> f64 {
    let dot = |u: [f64; 3], v: [f64; 3]| u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
    let c = s.frame.origin_m;
    let centre = dot([c[0] - o[0], c[1] - o[1], c[2] - o[2]], n);
    let along = |k: usize| dot(s.frame.axis(k), n);
    match &s.shape {
        SolidShape::Cuboid { half_extents_m: h } => {
            centre + (0..3).map(|k| f64::from(h[k]) * along(k).abs()).sum::<f64>()
        }
        SolidShape::Cylinder { radius_m: r, half_length_m: h }
        | SolidShape::Tube { outer_radius_m: r, half_length_m: h, .. } => {
            // The rim's reach is r·|n − (z·n)z| with z made unit in f64: 1 − (z·n)² of an f32
            // axis loses everything to rounding near the axis (0.16 mm on a 0.5 m disk).
            let z = s.frame.axis(2);
            let len = dot(z, z).sqrt();
            let z = z.map(|v| v / len);
            let along_z = dot(z, n);
            let across = [0, 1, 2].map(|k| n[k] - along_z * z[k]);
            centre + f64::from(*h) * along_z.abs() + f64::from(*r) * dot(across, across).sqrt()
        }
        SolidShape::Prism { .. } => s
            .shape
            .corners_m()
            .iter()
            .map(|p| centre + (0..3).map(|k| f64::from(p[k]) * along(k)).sum::<f64>())
            .fold(f64::MIN, f64::max),
    }
}

/// The least overlap of two convex solids over all directions (their penetration depth when
/// positive, minus their distance when negative): the best of 400 directions spread over the
/// sphere and the six axes, polished by a pattern search. Independent of the engine's GJK, EPA
/// and its own search (different starts and steps).
fn least_overlap(a: &Solid, b: &Solid) -> f64 {
    let o = a.frame.origin_m;
    let along = |n: [f64; 3]| reach(a, o, n) + reach(b, o, n.map(|v| -v));
    let unit = |t: f64, p: f64| [t.sin() * p.cos(), t.sin() * p.sin(), t.cos()];
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    let count = 400;
    let (mut t, mut p) = (0.0, 0.0);
    let mut best = f64::INFINITY;
    for i in 0..count {
        let (ti, pi) = ((1.0 - 2.0 * (i as f64 + 0.5) / count as f64).acos(), golden * i as f64);
        let s = along(unit(ti, pi));
        if s < best {
            (best, t, p) = (s, ti, pi);
        }
    }
    // The world's axes too: a box bound (the least move of one box off the other) is one.
    for (ti, pi) in [(0.0, 0.0), (std::f64::consts::PI, 0.0)]
        .into_iter()
        .chain((0..4).map(|k| (std::f64::consts::FRAC_PI_2, std::f64::consts::FRAC_PI_2 * k as f64)))
    {
        let s = along(unit(ti, pi));
        if s < best {
            (best, t, p) = (s, ti, pi);
        }
    }
    // Polished by steps in eight directions square to the best direction, halving down to
    // a micro-radian (in 3D, so the poles of the sphere's coordinates are no trap).
    let mut n = unit(t, p);
    let mut step = 0.2;
    while step > 1e-6 {
        let u = if n[0].abs() < 0.9 { [0.0, -n[2], n[1]] } else { [-n[2], 0.0, n[0]] };
        let norm = |v: [f64; 3]| {
            let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
            v.map(|x| x / l)
        };
        let u = norm(u);
        let v = [n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]];
        let moved = [
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, 1.0),
            (0.0, -1.0),
            (0.7, 0.7),
            (-0.7, 0.7),
            (0.7, -0.7),
            (-0.7, -0.7),
        ]
        .into_iter()
        .map(|(x, y)| norm(std::array::from_fn(|k| n[k] + step * (x * u[k] + y * v[k]))))
        .map(|m| (along(m), m))
        .find(|(s, _)| *s < best);
        match moved {
            Some((s, m)) => (best, n) = (s, m),
            None => step *= 0.5,
        }
    }
    best
}

fn upright(origin_m: [f64; 3], shape: SolidShape) -> Solid {
    Solid { frame: Placement { origin_m, ..Placement::IDENTITY }, shape }
}

/// A solid along world X (its local Z turned onto X).
fn along_x(origin_m: [f64; 3], shape: SolidShape) -> Solid {
    Solid { frame: Placement { origin_m, axes: [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]] }, shape }
}

#[test]
fn a_bar_is_measured_to_its_true_surface_not_to_its_facets() {
    // A 300 mm duct 2 mm above a slab, turned by 7.5° about its axis so no facet lies flat.
    let slab = upright([0.0, 0.0, -0.1], SolidShape::Cuboid { half_extents_m: [3.0, 3.0, 0.1] });
    let mut duct = along_x([0.0, 0.0, 0.152], SolidShape::Cylinder { radius_m: 0.15, half_length_m: 2.0 });
    let (c, s) = (0.991_444_9_f32, 0.130_526_2_f32);
    duct.frame.axes = [[0.0, c, s], [0.0, -s, c], [1.0, 0.0, 0.0]];
    let (d, _) = distance(&exact(&duct), &exact(&slab), 0.1).expect("within range");
    assert!((d - 0.002).abs() < 2e-5, "gap {d}");
    // The facets sit up to the chord deviation inside the surface, and read a larger gap.
    let (dt, _) = distance(&tessellated(&duct), &tessellated(&slab), 0.1).expect("within range");
    assert!(dt > d, "facets {dt} vs exact {d}");
}

#[test]
fn a_pipe_through_a_wall_is_as_deep_as_its_outer_cylinder() {
    // A 200 mm pipe with a 10 mm wall crossing a 200 mm wall, 4 m long.
    let wall = upright([0.0, 0.0, 1.5], SolidShape::Cuboid { half_extents_m: [0.1, 3.0, 1.5] });
    let pipe = along_x(
        [0.3, 0.0, 1.0],
        SolidShape::Tube { outer_radius_m: 0.1, inner_radius_m: 0.09, half_length_m: 2.0 },
    );
    let bar = along_x([0.3, 0.0, 1.0], SolidShape::Cylinder { radius_m: 0.1, half_length_m: 2.0 });
    let through = overlap(&exact(&pipe), &exact(&wall)).expect("the pipe crosses the wall");
    let solid = overlap(&exact(&bar), &exact(&wall)).expect("the bar crosses the wall");
    assert!(through.exact, "a wall wider than the bore cannot sit in it");
    assert!((through.depth_m - solid.depth_m).abs() < 1e-5, "{} vs {}", through.depth_m, solid.depth_m);
    // The shortest way out: down by 1.1 m (the pipe's top, 1.1 m up, to the wall's foot);
    // along its axis takes 1.8 m, up 2.1 m, sideways 3.1 m.
    assert!((through.depth_m - 1.1).abs() < 1e-4, "depth {}", through.depth_m);
}

#[test]
fn a_cable_in_its_conduit_is_no_clash_and_keeps_its_gap() {
    let conduit = along_x(
        [0.0, 0.0, 2.0],
        SolidShape::Tube { outer_radius_m: 0.025, inner_radius_m: 0.02, half_length_m: 1.5 },
    );
    let cable = along_x([0.0, 0.0, 2.0], SolidShape::Cylinder { radius_m: 0.01, half_length_m: 1.0 });
    assert!(overlap(&exact(&conduit), &exact(&cable)).is_none(), "the cable lies in the bore");
    let (d, _) = distance(&exact(&conduit), &exact(&cable), 0.1).expect("within range");
    let slack = deviation_m(&conduit) + 1e-5;
    assert!((d - 0.01).abs() <= slack, "gap {d}");
    // Through the wall instead of along the bore, it is a clash.
    let across = Solid {
        frame: Placement { origin_m: [0.0, 0.0, 2.0], ..Placement::IDENTITY },
        shape: SolidShape::Cylinder { radius_m: 0.01, half_length_m: 0.5 },
    };
    assert!(overlap(&exact(&conduit), &exact(&across)).is_some(), "a cable across the conduit pierces it");
}

#[test]
fn identical_solids_far_apart_are_measured_alike() {
    // Translation invariance of the exact path: the same pair 100 km away.
    let pair = |dx: f64| {
        let a = along_x(
            [dx, 0.0, 0.0],
            SolidShape::Tube { outer_radius_m: 0.1, inner_radius_m: 0.08, half_length_m: 2.0 },
        );
        let b = upright([dx + 0.5, 0.0, 0.05], SolidShape::Cuboid { half_extents_m: [0.2, 0.2, 0.1] });
        overlap(&exact(&a), &exact(&b)).map(|o| o.depth_m)
    };
    let (near, far) = (pair(0.0).expect("overlap"), pair(100_000.0).expect("overlap"));
    assert!((near - far).abs() < 1e-4, "{near} vs {far}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The stretches of a line along a coordinate axis inside an exact solid (what the overlap
    /// volume adds up column by column) agree with the solid's own containment at every point
    /// of the line not within 10 µm of its surface.
    #[test]
    fn columns_through_an_exact_solid_agree_with_its_containment(
        s in any_solid(), axis in 0usize..3, fu in 0.0f64..1.0, fv in 0.0f64..1.0,
    ) {
        let shape = exact(&s);
        let e = shape.exact.as_ref().expect("an exact solid");
        let (lo, hi) = (shape.aabb.min, shape.aabb.max);
        let (u, v) = ((axis + 1) % 3, (axis + 2) % 3);
        let mut at = [0.0; 3];
        at[u] = lo[u] + fu * (hi[u] - lo[u]);
        at[v] = lo[v] + fv * (hi[v] - lo[v]);
        let local = [0, 1, 2].map(|k| at[k] - shape.origin_m[k]);
        let stretches = e.column(local, axis, &shape.face_planes);
        prop_assert!(stretches.windows(2).all(|w| w[0].1 <= w[1].0), "ascending and disjoint: {stretches:?}");
        for k in 0..200 {
            let mut p = at;
            p[axis] = lo[axis] - 0.05 + (k as f64 + 0.5) / 200.0 * (hi[axis] - lo[axis] + 0.1);
            let t = p[axis] - shape.origin_m[axis];
            let q = shape.to_local(p);
            if e.signed_distance(q, &shape.face_planes, shape.convex.as_ref()).abs() < 1e-5 {
                continue;
            }
            let by_column = stretches.iter().any(|&(a, b)| a < t && t < b);
            prop_assert_eq!(by_column, shape.contains(q), "at {} in {:?}", t, stretches);
        }
    }
}

/// A pipe (exact) through an L-shaped wall (a mesh that is not convex): the overlap volume adds
/// the pipe's exact chords column by column, so only the plan's sampling errs; it stays within
/// the documented bound and within 10 % of the ring's area times the length inside.
#[test]
fn a_pipe_through_an_l_shaped_wall_shares_its_ring_times_the_length_inside() {
    use plumbline_clash::volume::{estimate_bound_m3, overlap_volume};
    // [0,2]×[0,1] plus [0,1]×[1,2], 1 m high.
    let wall = common::l_shape(1.0, [0.0; 3]);
    // The pipe's axis (its frame's Z) along world X, through y = 0.5, z = 0.5, from x = -1 to 3.
    let frame =
        Placement { origin_m: [1.0, 0.5, 0.5], axes: [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]] };
    let (outer, inner) = (0.2f32, 0.15f32);
    let pipe = Solid {
        frame,
        shape: SolidShape::Tube { outer_radius_m: outer, inner_radius_m: inner, half_length_m: 2.0 },
    };
    let (v, exact_volume) = overlap_volume(&exact(&pipe), &ElementShape::new(&wall, None)).expect("surfaces");
    let ring_m2 = std::f64::consts::PI * (f64::from(outer).powi(2) - f64::from(inner).powi(2));
    let want = ring_m2 * 2.0;
    // The intersection's surface: the pipe's two walls over 2 m and its two end rings.
    let area = std::f64::consts::TAU * f64::from(outer + inner) * 2.0 + 2.0 * ring_m2;
    assert!(!exact_volume);
    assert!((v - want).abs() <= estimate_bound_m3(area, [2.0, 0.4, 0.4]), "{v} vs {want}");
    assert!((v - want).abs() <= 0.1 * want, "{v} vs {want}");
}
