//! Bays beyond the sample's three: the banking hall and the north strip run on eastwards in
//! 8 m bays, from the sample's east wall (x = 24000, now a frame line) to the variant's.
//!
//! Each added bay brings a frame line (two columns and a beam on its west side), an office in
//! the north strip (a partition 210 mm east of the frame line, clear of its column, and a door
//! in the long partition P3), two teller counters, and services continuing the sample's
//! pattern in the same elevation bands: sprinkler lines with heads every 3 m and lights half
//! way between them, the cable tray, the supply-air main with a tee, a branch north and a
//! diffuser.  Two defects are drawn from the seed per bay: a duct under the new beam that
//! either touches it (a declared non-clash) or goes 20, 50 or 80 mm into it (a hard clash),
//! and shelving in the office 150, 250 or 350 mm under the sprinkler head (a clearance
//! clash), 467 mm under it (a declared near miss) or 600 mm under it (nothing to report).

use super::parts::{
    shape_box, BAY, BEAM, BEAM_BOTTOM, CEILING, CEIL_Z, COLUMN, COUNTER, DIFFUSER, DUCT, DUCT_TEE, DUCT_Z,
    HEAD, HEAD_Z, LIGHT, LIGHT_Z, LX, LY, PART_T, PART_TOP, PIPE, SHELF, SPR_Z, TOP, TRAY, TRAY_Z,
};
use super::plan::Plan;
use crate::build::{Sched, Shape};
use crate::geom::{Aabb, Axis, Facing};
use crate::guid::{Key, Rng};
use crate::{Lang, MEP_VS_STRUCTURE, SPRINKLER_CLEARANCE};

/// Gap between a frame line and the partition east of it (the column's half width plus 10 mm).
const PARTITION_OFFSET: i64 = 210;
/// The longest pipe or tray segment.
const SEGMENT: i64 = 6000;

/// The systems and schedule slots the added elements join.
pub(super) struct Links {
    pub(super) air: usize,
    pub(super) sprinkler: usize,
    pub(super) lighting: usize,
    pub(super) data: usize,
    pub(super) mep: Sched,
    pub(super) ceiling: Sched,
    pub(super) teller: Sched,
}

/// The inner x spans of the offices that `extra` added bays bring to the north strip, west to
/// east; each has its partition on its west side (`span.0 - PART_T .. span.0`).
pub(super) fn office_spans(extra: i64, lx: i64) -> Vec<(i64, i64)> {
    (0..extra)
        .map(|m| {
            let c = LX + BAY * m;
            let east = if m + 1 == extra { lx } else { c + BAY + PARTITION_OFFSET };
            (c + PARTITION_OFFSET + PART_T, east)
        })
        .collect()
}

/// `from..to` cut into segments of at most [`SEGMENT`].
fn segments(from: i64, to: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut x = from;
    while x < to {
        let end = (x + SEGMENT).min(to);
        out.push((x, end));
        x = end;
    }
    out
}

/// Writes everything the added bays hold but their partitions and doors (the sample's
/// partition list writes those); `offices` comes from [`office_spans`], `lx` is the east wall's
/// inner face.
pub(super) fn bays(ctx: &mut Plan, l: Lang, seed: u64, offices: &[(i64, i64)], lx: i64, k: &Links) {
    if offices.is_empty() {
        return;
    }
    let key = |tag: &str| Key::new(seed, tag);
    let mut rng = Rng::new(seed, "branch-bays");
    let ex = Sched::Existing;

    for (m, o) in offices.iter().enumerate() {
        let n = 4 + m;
        let name = format!("{}{}{n}", l.pick("Office", "办公室"), l.pick(" ", ""));
        let tag = format!("office{n}");
        ctx.space(key("space").s(&tag), &name, &name, Aabb::xyz(*o, (9150, LY), (0, PART_TOP)));
        ctx.put(
            CEILING,
            key("ceiling").s(&tag),
            format_args!("{} {name}", l.pick("Ceiling", "吊顶")),
            shape_box((o.0 + 10, o.1 - 10), (9160, LY - 420), CEIL_Z),
            None,
            k.ceiling,
        );
    }

    // Frame lines continue the sample's numbering (columns and beams 1 and 2 are its own).
    let mut beams = Vec::new();
    for m in 0..offices.len() {
        let c = LX + BAY * m as i64;
        let j = 2 + m as u64;
        for (side, y) in [("S", (10, 410)), ("N", (LY - 410, LY - 10))] {
            ctx.put(
                COLUMN,
                key("column").s(side).n(j),
                format_args!("{} {side}{}", l.pick("Column", "柱"), j + 1),
                shape_box((c - 200, c + 200), y, (0, TOP)),
                None,
                ex,
            );
        }
        beams.push(ctx.put(
            BEAM,
            key("beam").n(j),
            format_args!("{} {}", l.pick("Beam", "梁"), j + 1),
            Shape::Bar {
                b: Aabb::xyz((c - 200, c + 200), (410, LY - 410), (BEAM_BOTTOM, TOP)),
                along: Axis::Y,
            },
            None,
            ex,
        ));
    }

    // Sprinkler lines, the tray and the supply-air main run on from where the sample's stop
    // (300 mm short of its east wall) to 300 mm short of the new one.
    let run = segments(LX - 300, lx - 300);
    for (tag, y) in [("hall-s", 2000), ("hall-n", 5500), ("north", 12_500)] {
        for (i, &s) in run.iter().enumerate() {
            ctx.put(
                PIPE,
                key("ext-sprinkler-line").s(tag).n(i as u64),
                format_args!("{} {tag}-X{}", l.pick("Sprinkler pipe", "喷淋管"), i + 1),
                Shape::Round { b: Aabb::xyz(s, (y - 25, y + 25), SPR_Z), along: Axis::X },
                Some(k.sprinkler),
                k.mep,
            );
        }
    }
    for (i, &s) in run.iter().enumerate() {
        ctx.put(
            TRAY,
            key("ext-tray").n(i as u64),
            format_args!("{} X{}", l.pick("Cable tray", "桥架"), i + 1),
            Shape::Bar { b: Aabb::xyz(s, (6500, 6800), TRAY_Z), along: Axis::X },
            Some(k.data),
            k.mep,
        );
    }
    // Hall heads every 3 m from x = 26000 and lights half way between them, as in the sample.
    let head = |x: i64, y: i64| Aabb::xyz((x - 30, x + 30), (y - 30, y + 30), HEAD_Z);
    let light = |x: i64, y: i64| Aabb::xyz((x - 600, x + 600), (y - 75, y + 75), LIGHT_Z);
    let mut heads = Vec::new();
    for (tag, y) in [("hall-s", 2000), ("hall-n", 5500)] {
        let xs = (0..).map(|j| LX + 2000 + 3000 * j).take_while(|x| x + 1000 <= lx);
        for (j, x) in xs.enumerate() {
            heads.push((tag, j, x, y));
        }
        let xs = (0..).map(|j| LX + 500 + 3000 * j).take_while(|x| x + 1000 <= lx);
        for (j, x) in xs.enumerate() {
            ctx.put(
                LIGHT,
                key("ext-light").s(tag).n(j as u64),
                format_args!("{} {tag}-X{}", l.pick("Light", "灯具"), j + 1),
                Shape::Block { b: light(x, y), front: Facing::PosY },
                Some(k.lighting),
                k.mep,
            );
        }
    }
    // One head and one light in the middle of each office.
    for (m, o) in offices.iter().enumerate() {
        let x = o.0 - PARTITION_OFFSET - PART_T + BAY / 2;
        heads.push(("north", m, x, 12_500));
        ctx.put(
            LIGHT,
            key("ext-light").s("north").n(m as u64),
            format_args!("{} north-X{}", l.pick("Light", "灯具"), m + 1),
            Shape::Block { b: light(x, 11_000), front: Facing::PosY },
            Some(k.lighting),
            k.mep,
        );
    }
    let mut office_heads = Vec::new();
    for &(tag, j, x, y) in &heads {
        let h = ctx.put(
            HEAD,
            key("ext-head").s(tag).n(j as u64),
            format_args!("{} {tag}-X{}", l.pick("Sprinkler head", "喷头"), j + 1),
            Shape::Round { b: head(x, y), along: Axis::Z },
            Some(k.sprinkler),
            k.mep,
        );
        if tag == "north" {
            office_heads.push(h);
        }
    }

    // Supply air: per bay a main segment from the last tee, a tee, a branch north through the
    // office and a diffuser under the main.
    let mut x = LX - 1200;
    for m in 0..offices.len() {
        let c = LX + BAY * m as i64;
        let bx = c + 6500;
        let i = m as u64;
        ctx.put(
            DUCT,
            key("ext-duct-main").n(i),
            format_args!("{} MX{}", l.pick("Duct", "风管"), m + 1),
            Shape::Bar { b: Aabb::xyz((x, bx - 300), (4000, 4800), DUCT_Z), along: Axis::X },
            Some(k.air),
            k.mep,
        );
        ctx.put(
            DUCT_TEE,
            key("ext-duct-tee").n(i),
            format_args!("{} TX{}", l.pick("Duct tee", "风管三通"), m + 1),
            shape_box((bx - 300, bx + 300), (4000, 4800), DUCT_Z),
            Some(k.air),
            k.mep,
        );
        ctx.put(
            DUCT,
            key("ext-duct-branch").n(i),
            format_args!("{} BX{}", l.pick("Duct", "风管"), m + 1),
            Shape::Bar { b: Aabb::xyz((bx - 300, bx + 300), (4800, 13_000), DUCT_Z), along: Axis::Y },
            Some(k.air),
            k.mep,
        );
        let xd = c + 2500;
        ctx.put(
            DIFFUSER,
            key("ext-diffuser").n(i),
            format_args!("{} X{}", l.pick("Diffuser", "送风口"), m + 1),
            shape_box((xd - 300, xd + 300), (4100, 4700), (2650, 2700)),
            Some(k.air),
            k.mep,
        );
        x = bx + 300;
        for (s, x0) in [c + 800, c + 4400].into_iter().enumerate() {
            let n = 5 + 2 * m + s;
            ctx.put(
                COUNTER,
                key("ext-counter").n(n as u64),
                format_args!("{} {n}", l.pick("Teller counter", "柜台")),
                Shape::Block { b: Aabb::xyz((x0, x0 + 2000), (7000, 7800), (0, 1100)), front: Facing::NegY },
                None,
                k.teller,
            );
        }
    }

    // The drawn defects, bay by bay.
    for (m, (beam, head)) in beams.iter().zip(&office_heads).enumerate() {
        let c = LX + BAY * m as i64;
        let depth = [0, 20, 50, 80][rng.below(4) as usize];
        let top = BEAM_BOTTOM + depth;
        let duct = ctx.put(
            DUCT,
            key("ext-defect-duct").n(m as u64),
            format_args!("{} X{}", l.pick("Duct", "风管"), m + 3),
            Shape::Bar { b: Aabb::xyz((c - 1000, c + 1000), (2000, 2400), (top - 300, top)), along: Axis::X },
            Some(k.air),
            k.mep,
        );
        if depth > 0 {
            ctx.clash(&duct, beam, "hard", MEP_VS_STRUCTURE, None);
        } else {
            ctx.non_clash(&duct, beam, "touching face: duct top against the beam's underside");
        }
        let gap = [150, 250, 350, 467, 600][rng.below(5) as usize];
        let hx = head.b.centre2(Axis::X) / 2;
        let shelf = ctx.put(
            SHELF,
            key("ext-defect-shelf").n(m as u64),
            format_args!("{} X{}", l.pick("Shelving", "货架"), m + 1),
            Shape::Block {
                b: Aabb::xyz((hx - 400, hx + 400), (12_200, 12_800), (0, HEAD_Z.0 - gap)),
                front: Facing::NegY,
            },
            None,
            k.teller,
        );
        if gap < 457 {
            ctx.clash(head, &shelf, "clearance", SPRINKLER_CLEARANCE, Some(gap));
        } else if gap < 500 {
            ctx.non_clash(head, &shelf, "near miss: 467 mm below the head, outside the 457 mm zone");
        }
    }
}
