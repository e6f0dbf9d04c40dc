//! Issue 21's seeded defects in the bank branch, each with a near miss: things standing in
//! the clear floor space in front of the ATMs (ADA 2010 §305), outside the entrance doors in
//! their leaves' swing, and operable parts of ATMs and teller counters out of reach (ADA 2010
//! §308). The ATMs and the entrance doors carry the properties the rules select them by
//! (`Pset_Plumbline_Accessibility.Accessible`, `Pset_DoorCommon.FireExit`); the ATMs and two
//! counters carry their operable part's height (`Pset_Plumbline_Accessibility.OperablePartHeight`).

use super::plan::Plan;
use crate::build::{kind, Class, Kind, Placed, Sched, Shape};
use crate::extras::{props, Value};
use crate::geom::{Aabb, Facing};
use crate::guid::Key;
use crate::{Lang, ACCESSIBLE_CLEAR_FLOOR, ACCESSIBLE_REACH_RANGE, EGRESS_DOOR_SWING, OPERABLE_HEIGHT};

const STAND: Kind = kind(Class::Furniture, "USERDEFINED", Some("BROCHURE STAND"));
const BENCH: Kind = kind(Class::Furniture, "USERDEFINED", Some("BENCH"));
const PLANTER: Kind = kind(Class::Proxy, "USERDEFINED", Some("PLANTER"));

/// Operable part heights above the element's base (mm): ATM 1's card reader 130 mm above the
/// 1220 mm high reach limit, ATM 2's 20 mm below it (a near miss).
const ATM_OPERABLE_MM: [i64; 2] = [1350, 1200];
/// Teller counters 1 and 2: assistance call buttons on the customer side, counter 1's 80 mm
/// under the 380 mm low reach limit, counter 2's 10 mm over it (a near miss).
const COUNTER_OPERABLE_MM: [i64; 2] = [300, 390];
const HIGH_REACH_MM: i64 = 1220;
const LOW_REACH_MM: i64 = 380;

/// Seeds the defects; `atms` and `entrances` are the written elements with their keys (a
/// branch without an ATM lobby has no ATMs, and so none of their defects), `counters` the
/// new teller counters (keyed `counter` by index) and `floor` the floor slab they all stand on.
pub(super) fn seeds(
    ctx: &mut Plan,
    l: Lang,
    seed: u64,
    atms: &[(Placed, Key)],
    entrances: &[(Placed, Key)],
    counters: &[Placed],
    floor: &Placed,
) {
    let (pset, height) = OPERABLE_HEIGHT;
    for ((atm, k), mm) in atms.iter().zip(ATM_OPERABLE_MM) {
        props(ctx, atm.id, *k, pset, &[("Accessible", Value::Label("TRUE")), (height, Value::LengthMm(mm))]);
        reach_truth(ctx, atm, floor, mm, "ATM");
    }
    for ((i, counter), mm) in counters.iter().enumerate().zip(COUNTER_OPERABLE_MM) {
        props(ctx, counter.id, Key::new(seed, "counter").n(i as u64), pset, &[(height, Value::LengthMm(mm))]);
        reach_truth(ctx, counter, floor, mm, "counter's call button");
    }
    for (door, k) in entrances {
        props(ctx, door.id, *k, "Pset_DoorCommon", &[("FireExit", Value::Label("TRUE"))]);
    }
    if let (Some((atm1, _)), Some((atm2, _))) = (atms.first(), atms.get(1)) {
        atm_seeds(ctx, l, seed, atm1, atm2);
    }
    entrance_seeds(ctx, l, seed, entrances);
}

/// The truth of an operable part `mm` above `part`'s base, which stands on `floor`: a clash by
/// how far it is out of reach, else a near miss by how close it comes to a limit.
fn reach_truth(ctx: &mut Plan, part: &Placed, floor: &Placed, mm: i64, what: &str) {
    let height = part.b.min[2] + mm - floor.b.max[2];
    if height > HIGH_REACH_MM {
        ctx.clash(part, floor, "clearance", ACCESSIBLE_REACH_RANGE, Some(height - HIGH_REACH_MM));
    } else if height < LOW_REACH_MM {
        ctx.clash(part, floor, "clearance", ACCESSIBLE_REACH_RANGE, Some(LOW_REACH_MM - height));
    } else {
        let (limit, by) = if HIGH_REACH_MM - height <= height - LOW_REACH_MM {
            (format!("{HIGH_REACH_MM} mm high"), HIGH_REACH_MM - height)
        } else {
            (format!("{LOW_REACH_MM} mm low"), height - LOW_REACH_MM)
        };
        ctx.non_clash(
            part,
            floor,
            &format!("near miss: {what} {height} mm above the floor, {by} mm inside the {limit} reach limit"),
        );
    }
}

/// In front of the ATMs (their faces at x = 3200, facing -X): a brochure stand 600 mm out and
/// a bench 1000 mm out, inside the 1220 mm clear floor space; a planter 1230 mm out.
fn atm_seeds(ctx: &mut Plan, l: Lang, seed: u64, atm1: &Placed, atm2: &Placed) {
    let key = |tag: &str| Key::new(seed, tag);
    let ex = Sched::Existing;
    let stand = ctx.put(
        STAND,
        key("seed-brochure-stand"),
        format_args!("{}", l.pick("Brochure stand", "宣传架")),
        Shape::Block { b: Aabb::xyz((2400, 2600), (2200, 2600), (0, 1200)), front: Facing::PosX },
        None,
        ex,
    );
    ctx.clash(atm1, &stand, "clearance", ACCESSIBLE_CLEAR_FLOOR, Some(600));
    let bench = ctx.put(
        BENCH,
        key("seed-bench"),
        format_args!("{}", l.pick("Bench", "座椅")),
        Shape::Block { b: Aabb::xyz((1800, 2200), (3300, 3900), (0, 450)), front: Facing::PosX },
        None,
        ex,
    );
    ctx.clash(atm2, &bench, "clearance", ACCESSIBLE_CLEAR_FLOOR, Some(1000));
    let planter = ctx.put(
        PLANTER,
        key("seed-lobby-planter"),
        format_args!("{}", l.pick("Planter", "花箱")),
        Shape::Block { b: Aabb::xyz((1500, 1970), (2100, 2700), (0, 900)), front: Facing::PosX },
        None,
        ex,
    );
    ctx.non_clash(
        atm1,
        &planter,
        "near miss: 1230 mm in front of the ATM, outside the 1220 mm clear floor space",
    );
}

/// Outside the entrance doors (their outer faces at y = -175, opening outwards): a planter
/// 500 mm out in the 1200 mm leaf's sweep, a bicycle rack 1500 mm out in the 2000 mm leaf's,
/// and a planter 10 mm beside that sweep.
fn entrance_seeds(ctx: &mut Plan, l: Lang, seed: u64, entrances: &[(Placed, Key)]) {
    let key = |tag: &str| Key::new(seed, tag);
    let ex = Sched::Existing;
    let (Some((door1, _)), Some((door2, _))) = (entrances.first(), entrances.get(1)) else { return };
    let face = door1.b.min[1];
    let planter = ctx.put(
        PLANTER,
        key("seed-entrance-planter"),
        format_args!("{} 1", l.pick("Entrance planter", "入口花箱")),
        Shape::Block { b: Aabb::xyz((1700, 2300), (face - 1000, face - 500), (0, 900)), front: Facing::PosY },
        None,
        ex,
    );
    ctx.clash(door1, &planter, "clearance", EGRESS_DOOR_SWING, Some(500));
    let rack = ctx.put(
        PLANTER,
        key("seed-bicycle-rack"),
        format_args!("{}", l.pick("Bicycle rack", "自行车架")),
        Shape::Block {
            b: Aabb::xyz((12_500, 13_500), (face - 1800, face - 1500), (0, 800)),
            front: Facing::PosY,
        },
        None,
        ex,
    );
    ctx.clash(door2, &rack, "clearance", EGRESS_DOOR_SWING, Some(1500));
    let beside = ctx.put(
        PLANTER,
        key("seed-entrance-planter-beside"),
        format_args!("{} 2", l.pick("Entrance planter", "入口花箱")),
        Shape::Block {
            b: Aabb::xyz((14_010, 14_600), (face - 1000, face - 500), (0, 900)),
            front: Facing::PosY,
        },
        None,
        ex,
    );
    ctx.non_clash(door2, &beside, "near miss: 10 mm beside the entrance door's swing");
}
