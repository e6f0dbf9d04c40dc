//! Issue 21's seeded defects in each data hall, each with a near miss that must not be
//! reported: insulated pipes under a beam, power and data trays under the raised floor,
//! obstructions beside a sprinkler head in the east aisle, racks narrowing an aisle at the
//! east end of the rows, and cabinets in the swing of the electrical-room door.
//!
//! Everything stands in space the layout leaves free (see the module table of
//! [`super`]): the under-floor void (z 0..550), the east aisle between the rows' ends and
//! the partition (`x_end` .. `x_p`, 1.5 m), and the beams' underside south of the rows.

use super::{
    Dc, Hall, Parts, Tasks, BEAM_BOTTOM, CABINET, DUCT, FLOOR_TOP, HEAD, HEAD_Z, PIPE, RACK, RACK_D,
    RACK_TOP, TRAY,
};
use crate::build::{Placed, Sched, Shape};
use crate::extras::{insulate, props, Value};
use crate::geom::{Aabb, Axis, Facing};
use crate::{AISLE_WIDTH, EGRESS_DOOR_SWING, INSULATION, POWER_DATA_SEPARATION, SPRINKLER_OBSTRUCTION};

/// The project property set that states a pipe's insulation thickness (the rule file's
/// second `inflate_by` entry), in the file's length unit.
const INSULATION_PSET: &str = "Plumbline_Insulation";
/// The project property set of cable trays: `Service` (POWER or DATA), `Screened` (TRUE or
/// FALSE) and `Barrier` (NONE, ALUMINIUM or STEEL) between a power tray and data cables.
const CABLING_PSET: &str = "Pset_Plumbline_Cabling";

impl Dc<'_> {
    /// Seeds issue 21's defects and near misses in one hall.
    pub(super) fn seeds(&mut self, hall: &Hall, t: &Tasks, parts: &Parts) {
        self.insulation_seeds(hall, t, parts);
        self.separation_seeds(hall, t);
        self.obstruction_seeds(hall, t);
        self.aisle_seeds(hall, t);
        self.swing_seeds(hall, t, parts);
    }

    /// Vertical chilled-water branches rising to just under a beam's bottom flange: clear
    /// bare by 20 mm with 50 mm of insulation (a covering), clear bare by 15 mm with 40 mm
    /// (a property), and clear bare by 35 mm with 25 mm (a covering; 10 mm clear insulated).
    fn insulation_seeds(&mut self, hall: &Hall, t: &Tasks, parts: &Parts) {
        let Some(beam) = parts.beams.last().copied() else { return };
        let l = self.lang;
        let n = hall.n;
        let cb = beam.b.centre2(Axis::X) / 2;
        let mep = Sched::New(t.mep);
        let chw = self.sys.chw;
        for (i, (y, gap, insulation, by_property)) in
            [(1400, 20, 50, false), (1600, 15, 40, true), (1800, 35, 25, false)].into_iter().enumerate()
        {
            let key = self.key("seed-insulated-branch", hall).n(i as u64);
            let pipe = self.ctx.put(
                PIPE,
                key,
                format_args!("{} H{n}-I{}", l.pick("Chilled water branch", "冷冻水支管"), i + 1),
                Shape::Round {
                    b: Aabb::xyz((cb - 40, cb + 40), (y - 40, y + 40), (5000, BEAM_BOTTOM - gap)),
                    along: Axis::Z,
                },
                Some(chw),
                mep,
            );
            let name = l.pick("Pipe insulation", "管道保温");
            if by_property {
                props(self.ctx, pipe.id, key, INSULATION_PSET, &[("Thickness", Value::LengthMm(insulation))]);
            } else {
                insulate(self.ctx, &pipe, key, name, insulation);
            }
            if insulation > gap {
                self.ctx.clash(&pipe, &beam, "hard", INSULATION, Some(insulation - gap));
            } else {
                self.ctx.non_clash(
                    &pipe,
                    &beam,
                    "insulated near miss: clear bare by 35 mm, by 10 mm with 25 mm insulation",
                );
            }
        }
    }

    /// Power and data trays under the raised floor, side by side along X: unscreened power
    /// without a barrier 150 mm from unscreened data (200 mm needed), power with a steel
    /// barrier 30 mm away (50 mm needed), power with an aluminium barrier 120 mm away (100 mm
    /// needed: clear).
    fn separation_seeds(&mut self, hall: &Hall, t: &Tasks) {
        let l = self.lang;
        let n = hall.n;
        let eq = Sched::New(t.equipment);
        let (power_sys, data_sys) = (self.sys.power_trays, self.sys.data);
        for (i, (y, barrier, gap, needed)) in
            [(1000, "NONE", 150, 200), (2300, "STEEL", 30, 50), (3600, "ALUMINIUM", 120, 100)]
                .into_iter()
                .enumerate()
        {
            let tray =
                |y0: i64| Shape::Bar { b: hall.b((3100, 4900), (y0, y0 + 300), (100, 200)), along: Axis::X };
            let key = self.key("seed-power-tray", hall).n(i as u64);
            let power = self.ctx.put(
                TRAY,
                key,
                format_args!("{} H{n}-P{}", l.pick("Power tray", "电力桥架"), i + 1),
                tray(y),
                Some(power_sys),
                eq,
            );
            props(
                self.ctx,
                power.id,
                key,
                CABLING_PSET,
                &[
                    ("Service", Value::Label("POWER")),
                    ("Screened", Value::Label("FALSE")),
                    ("Barrier", Value::Label(barrier)),
                ],
            );
            let key = self.key("seed-data-tray", hall).n(i as u64);
            let data = self.ctx.put(
                TRAY,
                key,
                format_args!("{} H{n}-D{}", l.pick("Data tray", "数据桥架"), i + 1),
                tray(y + 300 + gap),
                Some(data_sys),
                eq,
            );
            props(
                self.ctx,
                data.id,
                key,
                CABLING_PSET,
                &[("Service", Value::Label("DATA")), ("Screened", Value::Label("FALSE"))],
            );
            if gap < needed {
                self.ctx.clash(&power, &data, "clearance", POWER_DATA_SEPARATION, Some(gap));
            } else {
                self.ctx.non_clash(
                    &power,
                    &data,
                    "near miss: 120 mm apart with an aluminium barrier, 100 mm needed",
                );
            }
        }
    }

    /// A sprinkler head in the east aisle with a tray 300 mm beside and 400 mm below its
    /// deflector (3 x 300 mm, capped at 610 mm: obstructs), a duct 240 mm beside and 70 mm
    /// below (3 x 100 = 300 mm: obstructs), and a 50 mm pipe 160 mm beside (3 x 50 = 150 mm:
    /// clear). Square head and bars, so every gap is exact.
    fn obstruction_seeds(&mut self, hall: &Hall, t: &Tasks) {
        let l = self.lang;
        let n = hall.n;
        let mep = Sched::New(t.mep);
        let x = hall.x_end;
        let head = self.ctx.put(
            HEAD,
            self.key("seed-head", hall),
            format_args!("{} H{n}-X1", l.pick("Sprinkler head", "喷头")),
            Shape::Block { b: hall.b((x + 820, x + 880), (1220, 1280), HEAD_Z), front: Facing::PosY },
            Some(self.sys.sprinkler),
            mep,
        );
        let deflector = HEAD_Z.0;
        let tray = self.ctx.put(
            TRAY,
            self.key("seed-tray-beside-head", hall),
            format_args!("{} H{n}-X3", l.pick("Cable tray", "桥架")),
            Shape::Bar {
                b: hall.b((x + 650, x + 1100), (1580, 1880), (deflector - 450, deflector - 400)),
                along: Axis::X,
            },
            Some(self.sys.data),
            mep,
        );
        self.ctx.clash(&head, &tray, "clearance", SPRINKLER_OBSTRUCTION, Some(500));
        let duct = self.ctx.put(
            DUCT,
            self.key("seed-duct-beside-head", hall),
            format_args!("{} H{n}-X5", l.pick("Duct", "风管")),
            Shape::Bar {
                b: hall.b((x + 650, x + 1100), (880, 980), (deflector - 170, deflector - 70)),
                along: Axis::X,
            },
            Some(self.sys.air),
            mep,
        );
        self.ctx.clash(&head, &duct, "clearance", SPRINKLER_OBSTRUCTION, Some(250));
        let pipe = self.ctx.put(
            PIPE,
            self.key("seed-pipe-beside-head", hall),
            format_args!("{} H{n}-X6", l.pick("Drain pipe", "排水管")),
            Shape::Round {
                b: hall.b((x + 650, x + 1100), (1440, 1490), (deflector - 100, deflector - 50)),
                along: Axis::X,
            },
            Some(self.sys.drainage),
            mep,
        );
        self.ctx.non_clash(
            &head,
            &pipe,
            "near miss: a 50 mm pipe 160 mm beside the head, 150 mm (3 x 50) needed",
        );
    }

    /// Racks added at the east end of the first rows (slots of rows 0 to 3): the row-0 rack
    /// stands 100 mm proud into the cold aisle (1100 mm left), the row-2 and row-1 racks face
    /// a standard 1200 mm aisle (clear), and the row-3 rack stands 150 mm proud (1050 mm left,
    /// where the hall is deep enough for it). A narrow aisle puts each rack in the other's zone
    /// but is one clash.
    fn aisle_seeds(&mut self, hall: &Hall, t: &Tasks) {
        let l = self.lang;
        let n = hall.n;
        let rk = Sched::New(t.racks);
        let x = (hall.x_end + 90, hall.x_end + 540);
        let mut racks = Vec::new();
        for (r, shift) in [(0i64, 100i64), (1, 0), (2, 0), (3, -150)] {
            let y0 = hall.row_y(r) + shift;
            // Only where its 1.2 m aisle zone and 1.0 m service zone stay clear of the
            // north columns (510 mm deep) with 10 mm to spare.
            if y0 + RACK_D + 1200 + 10 > hall.w - 510 {
                break;
            }
            let front = if r % 2 == 0 { Facing::PosY } else { Facing::NegY };
            racks.push(self.ctx.put(
                RACK,
                self.key("seed-end-rack", hall).n(r as u64),
                format_args!("{} H{n}-R{:02}-E", l.pick("Server rack", "机柜"), r + 1),
                Shape::Block { b: hall.b(x, (y0, y0 + RACK_D), (FLOOR_TOP, RACK_TOP)), front },
                None,
                rk,
            ));
        }
        let aisle = |a: &Placed, b: &Placed| (b.b.min[1] - a.b.max[1]).max(a.b.min[1] - b.b.max[1]);
        for pair in racks.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let gap = aisle(a, b);
            if gap < 1200 {
                // Each rack stands in the other's zone, and the test reports the pair once: the
                // gap is the same from both sides, so from the rack whose GlobalId sorts first
                // (the engine's rule, mirrored by `check`).
                let (a, b) = if a.guid.as_str() <= b.guid.as_str() { (a, b) } else { (b, a) };
                self.ctx.clash(a, b, "clearance", AISLE_WIDTH, Some(gap));
            } else {
                self.ctx.non_clash(a, b, "aisle exactly 1200 mm: the zone's edge meets the facing rack");
            }
        }
    }

    /// Cabinets on the hall side of the electrical-room door, whose 1000 mm leaf swings into
    /// the hall: 275 mm and 725 mm from the door's face (inside its sweep), and one 10 mm
    /// beside the sweep.
    fn swing_seeds(&mut self, hall: &Hall, t: &Tasks, parts: &Parts) {
        let Some(door) = parts.door else { return };
        let l = self.lang;
        let n = hall.n;
        let eq = Sched::New(t.equipment);
        let face = door.b.min[0];
        let yc = door.b.centre2(Axis::Y) / 2;
        for (i, (x, y, inside)) in [
            ((face - 675, face - 275), (yc - 450, yc - 50), true),
            ((face - 975, face - 725), (yc + 50, yc + 450), true),
            ((face - 675, face - 275), (yc + 510, yc + 810), false),
        ]
        .into_iter()
        .enumerate()
        {
            let cab = self.ctx.put(
                CABINET,
                self.key("seed-cabinet-at-door", hall).n(i as u64),
                format_args!("{} H{n}-S{}", l.pick("Storage cabinet", "储物柜"), i + 1),
                Shape::Block { b: Aabb::xyz(x, y, (FLOOR_TOP, 1800)), front: Facing::PosX },
                None,
                eq,
            );
            if inside {
                self.ctx.clash(&door, &cab, "clearance", EGRESS_DOOR_SWING, Some(face - x.1));
            } else {
                self.ctx.non_clash(&door, &cab, "near miss: 10 mm beside the door's swing");
            }
        }
    }
}
