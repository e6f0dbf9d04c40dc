//! The data centre layout.
//!
//! Halls stand side by side along X.  Inside a hall (local coordinates, millimetres, the
//! structural slab top at z = 0, the west wall's inner face at x = 0, the south wall's at
//! y = 0) everything lives in fixed elevation bands, so that by construction nothing
//! crosses another band and every clearance zone is empty unless a defect is seeded:
//!
//! | z (mm)        | what                                                        |
//! |---------------|-------------------------------------------------------------|
//! | -300 .. 0     | floor slab                                                  |
//! | 550 .. 600    | raised floor (data area only)                               |
//! | 600 .. 2800   | racks (2200 high), PDUs, CRAHs, containment doors           |
//! | 2810 .. 2830  | cold-aisle containment roof                                 |
//! | 3000 .. 3080  | lights, over aisles, between sprinkler heads in plan        |
//! | 3300 .. 3380  | sprinkler heads (457 mm free below down to 2843)            |
//! | 3380 .. 3430  | sprinkler pipes                                              |
//! | 3350 .. 3500  | busway tap-off units, one per rack and busway                |
//! | 3500 .. 3650  | busways A and B over each row                                |
//! | 3800 .. 3900  | cable trays, level 1 (305 mm free above up to 4205)          |
//! | 4300 .. 4400  | cable trays, level 2 (free up to 4705)                       |
//! | 4800 .. 5400  | return-air ducts                                             |
//! | 5540 .. 5760  | chilled-water mains (at the west end)                        |
//! | 5800 .. 6400  | steel beams; roof slab 6400 .. 6700                          |
//!
//! In plan, from west to east: CRAH units and their duct risers (x 100..1000), the duct
//! main and chilled-water mains, the tray spines (1600..2200), PDUs (2380..2980), the rack
//! rows (from 3000, 610 mm pitch), a 1.5 m east aisle, the partition wall with a door, and
//! the electrical room with switchboards and UPS units against the east wall.  Rows run
//! along X, 2400 mm apart (1200 mm racks, 1200 mm aisles), even rows facing +Y, odd rows
//! facing -Y, so cold aisles lie between rows 2k and 2k+1 and hot aisles between 2k+1 and
//! 2k+2.

mod seeds;

use crate::build::{kind, Class, Ctx, Kind, Output, Placed, Sched, Shape, Skeleton};
use crate::geom::{Aabb, Axis, Facing};
use crate::guid::{Key, Rng};
use crate::{
    DatacenterParams, Lang, DUCTS_VS_STRUCTURE, DUPLICATES, ELECTRICAL_WORKING_SPACE, PIPES_VS_STRUCTURE,
    RACK_SERVICE, SPRINKLER_CLEARANCE, TEMPORARY_VS_PERMANENT, TRAYS_VS_DUCTS, TRAY_ACCESS,
};

const RACK: Kind = kind(Class::Furniture, "USERDEFINED", Some("SERVER RACK"));
const PDU: Kind = kind(Class::ElectricDistributionBoard, "USERDEFINED", Some("PDU"));
const SWITCHBOARD: Kind = kind(Class::ElectricDistributionBoard, "SWITCHBOARD", None);
const UPS: Kind = kind(Class::ElectricFlowStorageDevice, "UPS", None);
const CRAH: Kind = kind(Class::UnitaryEquipment, "AIRHANDLER", Some("CRAH"));
const TRAY: Kind = kind(Class::CableCarrierSegment, "CABLETRAYSEGMENT", None);
const TRAY_TEE: Kind = kind(Class::CableCarrierFitting, "TEE", None);
const TRAY_BEND: Kind = kind(Class::CableCarrierFitting, "BEND", None);
const BUSWAY: Kind = kind(Class::CableSegment, "BUSBARSEGMENT", None);
const TAP_OFF: Kind = kind(Class::ProtectiveDevice, "CIRCUITBREAKER", Some("TAP-OFF UNIT"));
const DUCT: Kind = kind(Class::DuctSegment, "RIGIDSEGMENT", None);
const DUCT_TEE: Kind = kind(Class::DuctFitting, "JUNCTION", None);
const PIPE: Kind = kind(Class::PipeSegment, "RIGIDSEGMENT", None);
const TEE: Kind = kind(Class::PipeFitting, "JUNCTION", None);
const COUPLING: Kind = kind(Class::PipeFitting, "CONNECTOR", None);
const HEAD: Kind = kind(Class::FireSuppressionTerminal, "SPRINKLER", None);
const LIGHT: Kind = kind(Class::LightFixture, "DIRECTIONSOURCE", None);
const COLUMN: Kind = kind(Class::Column, "COLUMN", None);
const BEAM: Kind = kind(Class::Beam, "BEAM", None);
const FLOOR: Kind = kind(Class::Slab, "FLOOR", None);
const ROOF: Kind = kind(Class::Slab, "ROOF", None);
const WALL: Kind = kind(Class::Wall, "SOLIDWALL", None);
const PARTITION: Kind = kind(Class::Wall, "PARTITIONING", None);
const DOOR: Kind = kind(Class::Door, "DOOR", None);
const CONTAINMENT_DOOR: Kind = kind(Class::Door, "DOOR", Some("CONTAINMENT DOOR"));
const CONTAINMENT_ROOF: Kind = kind(Class::Plate, "USERDEFINED", Some("CONTAINMENT ROOF"));
const RAISED_FLOOR: Kind = kind(Class::Covering, "FLOORING", Some("RAISED FLOOR"));
const SCAFFOLD: Kind = kind(Class::Proxy, "USERDEFINED", Some("SCAFFOLD"));
const CABINET: Kind = kind(Class::Proxy, "USERDEFINED", Some("STORAGE CABINET"));

// Plan and section dimensions in millimetres; the module docs explain the bands.
const WALL_T: i64 = 200;
const CORRIDOR: i64 = 2000;
const RACK_W: i64 = 600;
const RACK_D: i64 = 1200;
const RACK_PITCH: i64 = 610;
const ROW_PITCH: i64 = 2400;
const X_ROW0: i64 = 3000;
const Y_ROW0: i64 = 2000;
const FLOOR_TOP: i64 = 600;
const RACK_TOP: i64 = 2800;
const HEAD_Z: (i64, i64) = (3300, 3380);
const SPRINKLER_R: i64 = 25;
const LIGHT_Z: (i64, i64) = (3000, 3080);
const BUSWAY_Z: (i64, i64) = (3500, 3650);
const TRAY1_Z: (i64, i64) = (3800, 3900);
const TRAY2_Z: (i64, i64) = (4300, 4400);
const DUCT_Z: (i64, i64) = (4800, 5400);
const CHW_R: i64 = 100;
const CHW_ZC: i64 = 5650;
const BEAM_BOTTOM: i64 = 5800;
const ROOF_BOTTOM: i64 = 6400;
const TRAY_SEGMENT: i64 = 3050;
const HEAD_PITCH: i64 = 3 * RACK_PITCH;
const PIPE_SEGMENT: i64 = 6100;
const DUCT_SEGMENT: i64 = 6000;

/// Splits `[a, b)` into consecutive pieces no longer than `max`.
fn spans(a: i64, b: i64, max: i64) -> impl Iterator<Item = (i64, i64)> {
    let n = if b > a { (b - a + max - 1) / max } else { 0 };
    (0..n).map(move |i| (a + i * max, (a + (i + 1) * max).min(b)))
}

/// Rounds down to an even number, so that box centres stay whole millimetres.
fn even(v: i64) -> i64 {
    v - v.rem_euclid(2)
}

/// Global distribution systems.
struct Systems {
    power: [usize; 2],
    data: usize,
    power_trays: usize,
    air: usize,
    chw: usize,
    sprinkler: usize,
    lighting: usize,
    drainage: usize,
}

/// One hall's schedule.
struct Tasks {
    structure: usize,
    floor: usize,
    erect: usize,
    mep: usize,
    dismantle_early: usize,
    equipment: usize,
    racks: usize,
    dismantle_late: usize,
}

/// One hall's dimensions.
struct Hall {
    n: i64,
    ox: i64,
    rows: i64,
    racks: i64,
    x_end: i64,
    x_p: i64,
    x_e: i64,
    w: i64,
}

impl Hall {
    fn new(index: i64, rows: i64, racks: i64) -> Self {
        let x_end = X_ROW0 + racks * RACK_PITCH - 10;
        let x_p = x_end + 1500;
        let x_e = x_p + WALL_T + 4000;
        let w = (ROW_PITCH * rows + 2800).max(9000);
        let ox = index * (x_e + 2 * WALL_T + CORRIDOR);
        Self { n: index + 1, ox, rows, racks, x_end, x_p, x_e, w }
    }

    /// A world box from hall-local ranges.
    fn b(&self, x: (i64, i64), y: (i64, i64), z: (i64, i64)) -> Aabb {
        Aabb::xyz((x.0 + self.ox, x.1 + self.ox), y, z)
    }

    fn row_y(&self, r: i64) -> i64 {
        Y_ROW0 + r * ROW_PITCH
    }

    fn rack_x(&self, k: i64) -> i64 {
        X_ROW0 + k * RACK_PITCH
    }

    /// Sprinkler line y positions: the south margin, every aisle, the north margin.
    fn sprinkler_lines(&self) -> Vec<i64> {
        let mut v = vec![1250];
        v.extend((0..self.rows - 1).map(|a| self.row_y(a) + RACK_D + 600));
        v.push(self.row_y(self.rows - 1) + RACK_D + 750);
        v
    }

    /// Sprinkler head x positions (centres), one every three racks.
    fn head_xs(&self) -> Vec<i64> {
        (0..).map(|j| X_ROW0 + 305 + HEAD_PITCH * j).take_while(|x| x + 40 <= self.x_end).collect()
    }

    /// Column (and beam) x centres along the long walls.
    fn column_xs(&self) -> Vec<i64> {
        let v: Vec<i64> =
            (0..).map(|j| X_ROW0 + 3050 + 6100 * j).take_while(|c| c + 250 <= self.x_p - 500).collect();
        if v.is_empty() {
            vec![X_ROW0 + 300]
        } else {
            v
        }
    }

    /// CRAH y centres along the west wall.
    fn crah_ys(&self) -> Vec<i64> {
        let span = self.w - 2000;
        let n = (span / 3500).max(1);
        (0..n).map(|i| even(1000 + span * (2 * i + 1) / (2 * n))).collect()
    }

    /// Hot aisle centre lines (between rows 2k+1 and 2k+2).
    fn hot_aisles(&self) -> Vec<i64> {
        (0..)
            .map(|k| 2 * k + 1)
            .take_while(|r| r + 1 < self.rows)
            .map(|r| self.row_y(r) + RACK_D + 600)
            .collect()
    }
}

/// Elements written by the layout sections that the seeded defects refer to.
#[derive(Default)]
struct Parts {
    floor: Option<Placed>,
    beams: Vec<Placed>,
    south_columns: Vec<Placed>,
    row0_racks: Vec<Placed>,
    last_row_racks: Vec<Placed>,
    main_segments: Vec<Placed>,
    l2_first_segments: Vec<Placed>,
    busways: Vec<(Placed, usize)>,
    south_heads: Vec<Placed>,
    boards: Vec<Placed>,
    /// The door in the partition between the hall and its electrical room.
    door: Option<Placed>,
}

/// The data-centre generator state for one run.
struct Dc<'a> {
    ctx: &'a mut Ctx,
    lang: Lang,
    seed: u64,
    sys: Systems,
}

pub(crate) fn generate(p: &DatacenterParams, record: bool) -> Output {
    let halls = i64::from(p.halls.max(1));
    let rows = i64::from(p.rows.max(1));
    let racks = i64::from(p.racks_per_row.max(1));
    let lang = p.lang;
    // About 480 bytes per element (more with Chinese names); reserving once avoids
    // doubling a half-gigabyte buffer at the million-element scale.
    let estimate = (crate::per_hall(rows as f64, racks as f64) * halls as f64) as usize;
    let names = Skeleton {
        file_name: "datacenter.ifc",
        project: lang.pick("Plumbline Data Centre", "数据中心项目"),
        site: lang.pick("Site", "场地"),
        building: lang.pick("Data Centre", "数据中心"),
        storey: lang.pick("Level 1", "一层"),
        schedule: lang.pick("Fit-out schedule", "装修进度计划"),
    };
    let mut ctx = Ctx::new(p.seed, &names, estimate * 540 + 64 * 1024, record);
    let sys = Systems {
        power: [
            ctx.system("power-a", lang.pick("Power A", "A路供电"), "ELECTRICAL", Some("A")),
            ctx.system("power-b", lang.pick("Power B", "B路供电"), "ELECTRICAL", Some("B")),
        ],
        data: ctx.system("data", lang.pick("Data cabling", "数据布线"), "DATA", None),
        power_trays: ctx.system("power-cabling", lang.pick("Power cabling", "电力布线"), "ELECTRICAL", None),
        air: ctx.system("air", lang.pick("Return air", "回风"), "AIRCONDITIONING", None),
        chw: ctx.system("chw", lang.pick("Chilled water", "冷冻水"), "CHILLEDWATER", None),
        sprinkler: ctx.system("sprinkler", lang.pick("Sprinklers", "喷淋"), "FIREPROTECTION", None),
        lighting: ctx.system("lighting", lang.pick("Lighting", "照明"), "LIGHTING", None),
        drainage: ctx.system("drainage", lang.pick("Condensate drain", "冷凝水排水"), "DRAINAGE", None),
    };
    let root = ctx.task(
        None,
        "DC".to_owned(),
        lang.pick("Data centre fit-out", "数据中心装修").to_owned(),
        "NOTDEFINED",
        None,
        0,
        0,
        true,
    );
    let mut dc = Dc { ctx: &mut ctx, lang, seed: p.seed, sys };
    let mut previous_structure = None;
    for h in 0..halls {
        let hall = Hall::new(h, rows, racks);
        let tasks = dc.tasks(&hall, root);
        if let Some(prev) = previous_structure {
            dc.ctx.sequence(prev, tasks.structure, "START_START", 14);
        }
        previous_structure = Some(tasks.structure);
        dc.hall(&hall, &tasks);
    }
    ctx.finish()
}

impl Dc<'_> {
    fn key(&self, tag: &str, hall: &Hall) -> Key {
        Key::new(self.seed, tag).n(hall.n as u64)
    }

    fn tasks(&mut self, hall: &Hall, root: usize) -> Tasks {
        let l = self.lang;
        let n = hall.n;
        let t0 = (n - 1) * 14;
        let summary = self.ctx.task(
            Some(root),
            format!("H{n}"),
            format!("{} {n}", l.pick("Hall", "机房")),
            "NOTDEFINED",
            None,
            t0,
            0,
            true,
        );
        let mut leaf = |id: &str, en: &'static str, zh: &'static str, predef, otype, start: i64, days| {
            self.ctx.task(
                Some(summary),
                format!("H{n}.{id}"),
                format!("{} {n}", l.pick(en, zh)),
                predef,
                otype,
                t0 + start,
                days,
                false,
            )
        };
        let t = Tasks {
            structure: leaf("10", "Structure, hall", "结构施工 机房", "CONSTRUCTION", None, 0, 30),
            floor: leaf("20", "Raised floor, hall", "架空地板 机房", "INSTALLATION", None, 30, 8),
            erect: leaf(
                "30",
                "Erect scaffolds, hall",
                "搭设脚手架 机房",
                "USERDEFINED",
                Some("TEMPORARY"),
                38,
                2,
            ),
            mep: leaf("40", "Overhead MEP, hall", "机电安装 机房", "INSTALLATION", None, 40, 30),
            dismantle_early: leaf(
                "50",
                "Dismantle scaffold S2, hall",
                "拆除脚手架S2 机房",
                "DISMANTLE",
                None,
                70,
                2,
            ),
            equipment: leaf(
                "60",
                "CRAH and electrical equipment, hall",
                "空调及电气设备 机房",
                "INSTALLATION",
                None,
                72,
                13,
            ),
            racks: leaf(
                "70",
                "Racks and containment, hall",
                "机柜及封闭通道 机房",
                "INSTALLATION",
                None,
                85,
                15,
            ),
            dismantle_late: leaf(
                "80",
                "Dismantle scaffold S1, hall",
                "拆除脚手架S1 机房",
                "DISMANTLE",
                None,
                95,
                2,
            ),
        };
        let seq = [
            (t.structure, t.floor),
            (t.floor, t.erect),
            (t.erect, t.mep),
            (t.mep, t.dismantle_early),
            (t.dismantle_early, t.equipment),
            (t.equipment, t.racks),
        ];
        for (a, b) in seq {
            self.ctx.sequence(a, b, "FINISH_START", 0);
        }
        self.ctx.sequence(t.racks, t.dismantle_late, "START_START", 10);
        t
    }

    /// Writes one hall, section by section; the sections hand the elements that the seeded
    /// defects refer to over in [`Parts`].
    fn hall(&mut self, hall: &Hall, t: &Tasks) {
        let mut parts = Parts::default();
        self.structure(hall, t, &mut parts);
        self.racks(hall, t, &mut parts);
        self.crahs(hall, t);
        self.ducts(hall, t, &mut parts);
        self.chw(hall, t);
        self.trays(hall, t, &mut parts);
        self.busways(hall, t, &mut parts);
        self.sprinklers(hall, t, &mut parts);
        self.eroom(hall, t, &mut parts);
        self.seeds(hall, t, &parts);
        self.defects(hall, t, parts);
    }

    /// Spaces, slabs, walls, the partition with its door, columns and beams.
    fn structure(&mut self, hall: &Hall, t: &Tasks, parts: &mut Parts) {
        let l = self.lang;
        let n = hall.n;
        let w = hall.w;
        let x_p = hall.x_p;
        let x_e = hall.x_e;
        let hb = |x, y, z| hall.b(x, y, z);
        let st = Sched::New(t.structure);
        let k = self.key("space-hall", hall);
        self.ctx.space(
            k,
            &format!("{} {n}", l.pick("Data Hall", "机房")),
            l.pick("Data hall", "数据机房"),
            hb((0, x_p), (0, w), (0, ROOF_BOTTOM)),
        );
        let k = self.key("space-eroom", hall);
        self.ctx.space(
            k,
            &format!("{} {n}", l.pick("Electrical Room", "配电室")),
            l.pick("Electrical room", "配电室"),
            hb((x_p + WALL_T, x_e), (0, w), (0, ROOF_BOTTOM)),
        );

        let floor = self.ctx.put(
            FLOOR,
            self.key("floor", hall),
            format_args!("{} H{n}", l.pick("Floor slab", "楼板")),
            Shape::Block {
                b: hb((-WALL_T, x_e + WALL_T), (-WALL_T, w + WALL_T), (-300, 0)),
                front: Facing::PosY,
            },
            None,
            st,
        );
        self.ctx.put(
            ROOF,
            self.key("roof", hall),
            format_args!("{} H{n}", l.pick("Roof slab", "屋面板")),
            Shape::Block {
                b: hb((-WALL_T, x_e + WALL_T), (-WALL_T, w + WALL_T), (ROOF_BOTTOM, ROOF_BOTTOM + 300)),
                front: Facing::PosY,
            },
            None,
            st,
        );
        let walls = [
            ("S", (-WALL_T, x_e + WALL_T), (-WALL_T, 0)),
            ("N", (-WALL_T, x_e + WALL_T), (w, w + WALL_T)),
            ("W", (-WALL_T, 0), (0, w)),
            ("E", (x_e, x_e + WALL_T), (0, w)),
        ];
        for (tag, x, y) in walls {
            self.ctx.put(
                WALL,
                self.key("wall", hall).s(tag),
                format_args!("{} H{n}-{tag}", l.pick("Wall", "墙")),
                Shape::Block { b: hb(x, y, (0, ROOF_BOTTOM)), front: Facing::PosY },
                None,
                st,
            );
        }
        let partition = self.ctx.put(
            PARTITION,
            self.key("partition", hall),
            format_args!("{} H{n}", l.pick("Partition wall", "隔墙")),
            Shape::Block { b: hb((x_p, x_p + WALL_T), (0, w), (0, ROOF_BOTTOM)), front: Facing::PosY },
            None,
            st,
        );
        let door_y = (w / 2 - 500, w / 2 + 500);
        let key = self.key("partition-door", hall);
        let opening =
            self.ctx.opening(&partition, key.s("opening"), hb((x_p, x_p + WALL_T), door_y, (0, 2100)));
        let door = self.ctx.put(
            DOOR,
            key,
            format_args!("{} H{n}", l.pick("Electrical room door", "配电室门")),
            Shape::Block { b: hb((x_p + 75, x_p + 125), door_y, (0, 2100)), front: Facing::NegX },
            None,
            st,
        );
        self.ctx.fill(opening, &door, key);
        parts.door = Some(door);

        let column_xs = hall.column_xs();
        let mut beams = Vec::new();
        let mut south_columns = Vec::new();
        for (j, &c) in column_xs.iter().enumerate() {
            for (side, y) in [("S", (10, 510)), ("N", (w - 510, w - 10))] {
                let col = self.ctx.put(
                    COLUMN,
                    self.key("column", hall).s(side).n(j as u64),
                    format_args!("{} H{n}-{side}{:02}", l.pick("Column", "柱"), j + 1),
                    Shape::Block { b: hb((c - 250, c + 250), y, (0, ROOF_BOTTOM)), front: Facing::PosY },
                    None,
                    st,
                );
                if side == "S" {
                    south_columns.push(col);
                }
            }
            beams.push(self.ctx.put(
                BEAM,
                self.key("beam", hall).n(j as u64),
                format_args!("{} H{n}-{:02}", l.pick("Beam", "梁"), j + 1),
                Shape::ISection {
                    b: hb((c - 150, c + 150), (510, w - 510), (BEAM_BOTTOM, ROOF_BOTTOM)),
                    along: Axis::Y,
                    web: 12,
                    flange: 20,
                },
                None,
                st,
            ));
        }
        parts.floor = Some(floor);
        parts.beams = beams;
        parts.south_columns = south_columns;
    }

    /// The raised floor, racks, PDUs and cold-aisle containment.
    fn racks(&mut self, hall: &Hall, t: &Tasks, parts: &mut Parts) {
        let l = self.lang;
        let n = hall.n;
        let w = hall.w;
        let x_end = hall.x_end;
        let x_p = hall.x_p;
        let hb = |x, y, z| hall.b(x, y, z);
        let power = self.sys.power;
        let eq = Sched::New(t.equipment);
        let rk = Sched::New(t.racks);
        // Racks stand on the raised floor, touching its top face, which is not a clash.
        let raised = self.ctx.put(
            RAISED_FLOOR,
            self.key("raised-floor", hall),
            format_args!("{} H{n}", l.pick("Raised floor", "架空地板")),
            Shape::Block { b: hb((10, x_p - 10), (520, w - 520), (550, FLOOR_TOP)), front: Facing::PosY },
            None,
            Sched::New(t.floor),
        );

        let mut first_racks = Vec::new();
        let mut row0_racks = Vec::new();
        let mut last_row_racks = Vec::new();
        for r in 0..hall.rows {
            let y0 = hall.row_y(r);
            let front = if r % 2 == 0 { Facing::PosY } else { Facing::NegY };
            for k in 0..hall.racks {
                let x0 = hall.rack_x(k);
                let rack = self.ctx.put(
                    RACK,
                    self.key("rack", hall).n(r as u64).n(k as u64),
                    format_args!("{} H{n}-R{:02}-{:02}", l.pick("Server rack", "机柜"), r + 1, k + 1),
                    Shape::Mapped {
                        b: hb((x0, x0 + RACK_W), (y0, y0 + RACK_D), (FLOOR_TOP, RACK_TOP)),
                        front,
                    },
                    None,
                    rk,
                );
                if r == 0 {
                    row0_racks.push(rack);
                }
                if r == hall.rows - 1 {
                    last_row_racks.push(rack);
                }
                if k == 0 && first_racks.len() < 2 {
                    first_racks.push(rack);
                }
            }
            for (i, (tag, y)) in
                [("A", (y0, y0 + 590)), ("B", (y0 + 610, y0 + RACK_D))].into_iter().enumerate()
            {
                self.ctx.put(
                    PDU,
                    self.key("pdu", hall).n(r as u64).s(tag),
                    format_args!("PDU H{n}-R{:02}-{tag}", r + 1),
                    Shape::Block { b: hb((2380, 2980), y, (FLOOR_TOP, 2600)), front: Facing::NegX },
                    Some(power[i]),
                    eq,
                );
            }
            if r % 2 == 0 && r + 1 < hall.rows {
                let aisle = (y0 + RACK_D, y0 + ROW_PITCH);
                for (i, x) in spans(X_ROW0, x_end, TRAY_SEGMENT).enumerate() {
                    self.ctx.put(
                        CONTAINMENT_ROOF,
                        self.key("containment-roof", hall).n(r as u64).n(i as u64),
                        format_args!(
                            "{} H{n}-C{:02}-{:02}",
                            l.pick("Containment roof", "封闭通道顶板"),
                            r / 2 + 1,
                            i + 1
                        ),
                        Shape::Block { b: hb(x, aisle, (RACK_TOP + 10, RACK_TOP + 30)), front: Facing::PosY },
                        None,
                        rk,
                    );
                }
                for (tag, x) in [("W", (X_ROW0 - 60, X_ROW0 - 10)), ("E", (x_end + 10, x_end + 60))] {
                    self.ctx.put(
                        CONTAINMENT_DOOR,
                        self.key("containment-door", hall).n(r as u64).s(tag),
                        format_args!(
                            "{} H{n}-C{:02}-{tag}",
                            l.pick("Containment door", "封闭通道门"),
                            r / 2 + 1
                        ),
                        Shape::Block {
                            b: hb(x, (aisle.0 + 10, aisle.1 - 10), (FLOOR_TOP, RACK_TOP)),
                            front: Facing::PosX,
                        },
                        None,
                        rk,
                    );
                }
            }
        }
        for rack in &first_racks {
            self.ctx.non_clash(rack, &raised, "touching face: rack stands on the raised floor");
        }
        parts.row0_racks = row0_racks;
        parts.last_row_racks = last_row_racks;
    }

    /// CRAH units with their duct risers, and the scaffolds used to install the overhead services.
    fn crahs(&mut self, hall: &Hall, t: &Tasks) {
        let l = self.lang;
        let n = hall.n;
        let hb = |x, y, z| hall.b(x, y, z);
        let air = self.sys.air;
        let eq = Sched::New(t.equipment);
        let mep = Sched::New(t.mep);
        let mut crahs = Vec::new();
        for (i, &c) in hall.crah_ys().iter().enumerate() {
            crahs.push(self.ctx.put(
                CRAH,
                self.key("crah", hall).n(i as u64),
                format_args!("CRAH H{n}-{:02}", i + 1),
                Shape::Block {
                    b: hb((100, 1000), (c - 1250, c + 1250), (FLOOR_TOP, 2600)),
                    front: Facing::PosX,
                },
                Some(air),
                eq,
            ));
            self.ctx.put(
                DUCT,
                self.key("riser", hall).n(i as u64),
                format_args!("{} H{n}-{:02}", l.pick("Duct riser", "风管立管"), i + 1),
                Shape::Block { b: hb((300, 700), (c - 200, c + 200), (2600, DUCT_Z.0)), front: Facing::PosY },
                Some(air),
                mep,
            );
        }
        let crah_ys = hall.crah_ys();
        let scaffold_box = |c: i64| hb((800, 1400), (c - 600, c + 600), (FLOOR_TOP, 3000));
        let s1 = self.ctx.put(
            SCAFFOLD,
            self.key("scaffold", hall).n(1),
            format_args!("{} H{n}-S1", l.pick("Scaffold", "脚手架")),
            Shape::Block { b: scaffold_box(crah_ys[0]), front: Facing::PosY },
            None,
            Sched::Temporary(t.erect, t.dismantle_late),
        );
        self.ctx.clash(&s1, &crahs[0], "time", TEMPORARY_VS_PERMANENT, None);
        if crah_ys.len() > 1 {
            let s2 = self.ctx.put(
                SCAFFOLD,
                self.key("scaffold", hall).n(2),
                format_args!("{} H{n}-S2", l.pick("Scaffold", "脚手架")),
                Shape::Block { b: scaffold_box(crah_ys[1]), front: Facing::PosY },
                None,
                Sched::Temporary(t.erect, t.dismantle_early),
            );
            self.ctx.non_clash(&s2, &crahs[1], "temporary removed before the permanent element is installed");
        }
    }

    /// The duct main along the west wall, with a junction at every hot-aisle duct.
    fn ducts(&mut self, hall: &Hall, t: &Tasks, parts: &mut Parts) {
        let l = self.lang;
        let n = hall.n;
        let w = hall.w;
        let x_end = hall.x_end;
        let hb = |x, y, z| hall.b(x, y, z);
        let air = self.sys.air;
        let mep = Sched::New(t.mep);
        let hot = hall.hot_aisles();
        let mut main_segments = Vec::new();
        let mut y = 1000;
        let mut stops: Vec<(i64, i64)> = hot.iter().map(|&yc| (yc - 400, yc + 400)).collect();
        stops.push((w - 1000, w - 1000));
        for (i, &(j0, j1)) in stops.iter().enumerate() {
            for (a, b) in spans(y, j0, DUCT_SEGMENT) {
                let seg = self.ctx.put(
                    DUCT,
                    self.key("duct-main", hall).n(main_segments.len() as u64),
                    format_args!("{} H{n}-M{:02}", l.pick("Duct", "风管"), main_segments.len() + 1),
                    Shape::Bar { b: hb((100, 1100), (a, b), DUCT_Z), along: Axis::Y },
                    Some(air),
                    mep,
                );
                main_segments.push(seg);
            }
            if j1 > j0 {
                self.ctx.put(
                    DUCT_TEE,
                    self.key("duct-tee", hall).n(i as u64),
                    format_args!("{} H{n}-T{:02}", l.pick("Duct tee", "风管三通"), i + 1),
                    Shape::Block { b: hb((100, 1100), (j0, j1), DUCT_Z), front: Facing::PosX },
                    Some(air),
                    mep,
                );
                for (s, x) in spans(1100, x_end, DUCT_SEGMENT).enumerate() {
                    self.ctx.put(
                        DUCT,
                        self.key("duct-hot", hall).n(i as u64).n(s as u64),
                        format_args!("{} H{n}-HA{:02}-{:02}", l.pick("Duct", "风管"), i + 1, s + 1),
                        Shape::Bar { b: hb(x, (j0, j1), DUCT_Z), along: Axis::X },
                        Some(air),
                        mep,
                    );
                }
            }
            y = j1;
        }
        parts.main_segments = main_segments;
    }

    /// Chilled-water mains along the west side, with couplings between segments.
    fn chw(&mut self, hall: &Hall, t: &Tasks) {
        let l = self.lang;
        let n = hall.n;
        let w = hall.w;
        let hb = |x, y, z| hall.b(x, y, z);
        let chw = self.sys.chw;
        let mep = Sched::New(t.mep);
        for (tag, xc) in [("S", 1300), ("R", 1550)] {
            let mut y = 1000;
            let mut i = 0;
            while y < w - 1000 {
                let end = (y + PIPE_SEGMENT).min(w - 1000);
                self.ctx.put(
                    PIPE,
                    self.key("chw", hall).s(tag).n(i),
                    format_args!("{} H{n}-{tag}{:02}", l.pick("Chilled water pipe", "冷冻水管"), i + 1),
                    Shape::Round {
                        b: hb((xc - CHW_R, xc + CHW_R), (y, end), (CHW_ZC - CHW_R, CHW_ZC + CHW_R)),
                        along: Axis::Y,
                    },
                    Some(chw),
                    mep,
                );
                y = end;
                if y + 100 < w - 1000 {
                    let r = CHW_R + 10;
                    self.ctx.put(
                        COUPLING,
                        self.key("chw-coupling", hall).s(tag).n(i),
                        format_args!("{} H{n}-{tag}{:02}", l.pick("Pipe coupling", "管接头"), i + 1),
                        Shape::Round {
                            b: hb((xc - r, xc + r), (y, y + 100), (CHW_ZC - r, CHW_ZC + r)),
                            along: Axis::Y,
                        },
                        Some(chw),
                        mep,
                    );
                    y += 100;
                }
                i += 1;
            }
        }
    }

    /// Cable tray spines on two levels with a fitting at every row, then the row runs.
    fn trays(&mut self, hall: &Hall, t: &Tasks, parts: &mut Parts) {
        let l = self.lang;
        let n = hall.n;
        let x_end = hall.x_end;
        let hb = |x, y, z| hall.b(x, y, z);
        let data = self.sys.data;
        let power_trays = self.sys.power_trays;
        let mep = Sched::New(t.mep);
        let mut l2_first_segments = Vec::new();
        for (level, sys_id, z, spine_x, half) in
            [(1, data, TRAY1_Z, (1600, 2200), 300), (2, power_trays, TRAY2_Z, (1675, 2125), 225)]
        {
            for r in 0..hall.rows {
                let yc = hall.row_y(r) + RACK_D / 2;
                let fitting =
                    if hall.rows == 1 || r == 0 || r + 1 == hall.rows { TRAY_BEND } else { TRAY_TEE };
                self.ctx.put(
                    fitting,
                    self.key("tray-fitting", hall).n(level).n(r as u64),
                    format_args!("{} H{n}-L{level}-R{:02}", l.pick("Tray fitting", "桥架弯通"), r + 1),
                    Shape::Block { b: hb(spine_x, (yc - half, yc + half), z), front: Facing::PosY },
                    Some(sys_id),
                    mep,
                );
                if r + 1 < hall.rows {
                    self.ctx.put(
                        TRAY,
                        self.key("tray-spine", hall).n(level).n(r as u64),
                        format_args!("{} H{n}-L{level}-S{:02}", l.pick("Cable tray", "桥架"), r + 1),
                        Shape::Bar { b: hb(spine_x, (yc + half, yc + ROW_PITCH - half), z), along: Axis::Y },
                        Some(sys_id),
                        mep,
                    );
                }
                for (i, x) in spans(spine_x.1, x_end, TRAY_SEGMENT).enumerate() {
                    let seg = self.ctx.put(
                        TRAY,
                        self.key("tray", hall).n(level).n(r as u64).n(i as u64),
                        format_args!(
                            "{} H{n}-L{level}-R{:02}-{:02}",
                            l.pick("Cable tray", "桥架"),
                            r + 1,
                            i + 1
                        ),
                        Shape::Bar { b: hb(x, (yc - half, yc + half), z), along: Axis::X },
                        Some(sys_id),
                        mep,
                    );
                    if level == 2 && i == 0 {
                        l2_first_segments.push(seg);
                    }
                }
            }
        }
        parts.l2_first_segments = l2_first_segments;
    }

    /// Busways A and B over every row, with a tap-off unit over every rack.
    fn busways(&mut self, hall: &Hall, t: &Tasks, parts: &mut Parts) {
        let l = self.lang;
        let n = hall.n;
        let x_end = hall.x_end;
        let hb = |x, y, z| hall.b(x, y, z);
        let power = self.sys.power;
        let mep = Sched::New(t.mep);
        let mut busways = Vec::new();
        for r in 0..hall.rows {
            let y0 = hall.row_y(r);
            for (pi, (tag, y)) in
                [("A", (y0 + 100, y0 + 250)), ("B", (y0 + 950, y0 + 1100))].into_iter().enumerate()
            {
                for (i, x) in spans(2300, x_end, TRAY_SEGMENT).enumerate() {
                    let bw = self.ctx.put(
                        BUSWAY,
                        self.key("busway", hall).n(r as u64).s(tag).n(i as u64),
                        format_args!("{} H{n}-R{:02}-{tag}{:02}", l.pick("Busway", "母线槽"), r + 1, i + 1),
                        Shape::Bar { b: hb(x, y, BUSWAY_Z), along: Axis::X },
                        Some(power[pi]),
                        mep,
                    );
                    busways.push((bw, power[pi]));
                }
                // A tap-off unit under the busway over every rack feeds that rack.
                for k in 0..hall.racks {
                    let x0 = hall.rack_x(k);
                    self.ctx.put(
                        TAP_OFF,
                        self.key("tap-off", hall).n(r as u64).s(tag).n(k as u64),
                        format_args!(
                            "{} H{n}-R{:02}-{tag}{:02}",
                            l.pick("Tap-off unit", "插接箱"),
                            r + 1,
                            k + 1
                        ),
                        Shape::Block {
                            b: hb((x0 + 150, x0 + 450), y, (BUSWAY_Z.0 - 150, BUSWAY_Z.0)),
                            front: Facing::PosY,
                        },
                        Some(power[pi]),
                        mep,
                    );
                }
            }
        }
        parts.busways = busways;
    }

    /// The sprinkler main, lines with a tee and head every three racks, and lights.
    fn sprinklers(&mut self, hall: &Hall, t: &Tasks, parts: &mut Parts) {
        let l = self.lang;
        let n = hall.n;
        let x_end = hall.x_end;
        let hb = |x, y, z| hall.b(x, y, z);
        let sprinkler = self.sys.sprinkler;
        let lighting = self.sys.lighting;
        let mep = Sched::New(t.mep);
        let lines = hall.sprinkler_lines();
        let head_xs = hall.head_xs();
        let sz = (HEAD_Z.1, HEAD_Z.1 + 2 * SPRINKLER_R);
        let (first_line, last_line) = (lines[0], lines[lines.len() - 1]);
        for (i, y) in spans(first_line - SPRINKLER_R, last_line + SPRINKLER_R, PIPE_SEGMENT).enumerate() {
            self.ctx.put(
                PIPE,
                self.key("sprinkler-main", hall).n(i as u64),
                format_args!("{} H{n}-M{:02}", l.pick("Sprinkler pipe", "喷淋管"), i + 1),
                Shape::Round { b: hb((2250, 2300), y, sz), along: Axis::Y },
                Some(sprinkler),
                mep,
            );
        }
        let mut south_heads = Vec::new();
        for (li, &yl) in lines.iter().enumerate() {
            let y = (yl - SPRINKLER_R, yl + SPRINKLER_R);
            // The line is pipe segments between tees, one tee above every head.
            let mut pieces = Vec::new();
            let mut cursor = 2300;
            for &xh in &head_xs {
                pieces.push((cursor, xh - 40, false));
                pieces.push((xh - 40, xh + 40, true));
                cursor = xh + 40;
            }
            pieces.push((cursor, x_end, false));
            for (i, &(x0, x1, tee)) in pieces.iter().enumerate().filter(|(_, p)| p.1 > p.0) {
                self.ctx.put(
                    if tee { TEE } else { PIPE },
                    self.key("sprinkler-line", hall).n(li as u64).n(i as u64),
                    format_args!(
                        "{} H{n}-L{:02}-{:02}",
                        if tee {
                            l.pick("Sprinkler tee", "喷淋三通")
                        } else {
                            l.pick("Sprinkler pipe", "喷淋管")
                        },
                        li + 1,
                        i + 1
                    ),
                    Shape::Round { b: hb((x0, x1), y, sz), along: Axis::X },
                    Some(sprinkler),
                    mep,
                );
            }
            for (j, &xh) in head_xs.iter().enumerate() {
                let head = self.ctx.put(
                    HEAD,
                    self.key("head", hall).n(li as u64).n(j as u64),
                    format_args!("{} H{n}-L{:02}-{:02}", l.pick("Sprinkler head", "喷头"), li + 1, j + 1),
                    Shape::Round { b: hb((xh - 30, xh + 30), (yl - 30, yl + 30), HEAD_Z), along: Axis::Z },
                    Some(sprinkler),
                    mep,
                );
                if li == 0 {
                    south_heads.push(head);
                }
                // Lights sit midway between heads and are only 600 mm long, so they stay
                // well clear of the heads in plan as well as below the zone's side.
                let xl = xh + HEAD_PITCH / 2;
                if xl + 300 <= x_end {
                    self.ctx.put(
                        LIGHT,
                        self.key("light", hall).n(li as u64).n(j as u64),
                        format_args!("{} H{n}-L{:02}-{:02}", l.pick("Light", "灯具"), li + 1, j + 1),
                        Shape::Block {
                            b: hb((xl - 300, xl + 300), (yl - 75, yl + 75), LIGHT_Z),
                            front: Facing::PosY,
                        },
                        Some(lighting),
                        mep,
                    );
                }
            }
        }
        parts.south_heads = south_heads;
    }

    /// The electrical room: switchboards and UPS units against the east wall, lights above.
    fn eroom(&mut self, hall: &Hall, t: &Tasks, parts: &mut Parts) {
        let l = self.lang;
        let n = hall.n;
        let w = hall.w;
        let x_e = hall.x_e;
        let hb = |x, y, z| hall.b(x, y, z);
        let power = self.sys.power;
        let lighting = self.sys.lighting;
        let eq = Sched::New(t.equipment);
        let mep = Sched::New(t.mep);
        let mut boards = Vec::new();
        let units = [
            (SWITCHBOARD, "SWB", "A", 0, l.pick("Switchboard", "配电柜")),
            (UPS, "UPS", "A", 0, l.pick("UPS", "不间断电源")),
            (SWITCHBOARD, "SWB", "B", 1, l.pick("Switchboard", "配电柜")),
            (UPS, "UPS", "B", 1, l.pick("UPS", "不间断电源")),
        ];
        for (i, (kind, code, path, pi, label)) in units.into_iter().enumerate() {
            let y0 = 1000 + 2000 * i as i64;
            boards.push(self.ctx.put(
                kind,
                self.key("eroom", hall).s(code).s(path),
                format_args!("{label} H{n}-{code}-{path}"),
                Shape::Block {
                    b: hb((x_e - 810, x_e - 10), (y0, y0 + 1600), (0, 2200)),
                    front: Facing::NegX,
                },
                Some(power[pi]),
                eq,
            ));
        }
        for i in 0..(w - 2000) / 3000 {
            let yc = 2000 + 3000 * i;
            self.ctx.put(
                LIGHT,
                self.key("eroom-light", hall).n(i as u64),
                format_args!("{} H{n}-E{:02}", l.pick("Light", "灯具"), i + 1),
                Shape::Block {
                    b: hb((x_e - 2575, x_e - 2425), (yc - 600, yc + 600), LIGHT_Z),
                    front: Facing::PosY,
                },
                Some(lighting),
                mep,
            );
        }
        parts.boards = boards;
    }

    /// Seeded defects and their near misses; each is recorded in the truth.
    fn defects(&mut self, hall: &Hall, t: &Tasks, parts: Parts) {
        let Parts {
            door: _,
            floor,
            beams,
            south_columns,
            row0_racks,
            last_row_racks,
            main_segments,
            l2_first_segments,
            busways,
            south_heads,
            boards,
        } = parts;
        let floor = floor.expect("the structure section writes the floor slab");
        let mut rng = Rng::new(self.seed, &format!("dc-hall-defects-{}", hall.n));
        let mut row0_cabinets = Vec::new();
        let l = self.lang;
        let n = hall.n;
        let w = hall.w;
        let hb = |x, y, z| hall.b(x, y, z);
        let data = self.sys.data;
        let air = self.sys.air;
        let lighting = self.sys.lighting;
        let drainage = self.sys.drainage;
        let eq = Sched::New(t.equipment);
        let rk = Sched::New(t.racks);
        let mep = Sched::New(t.mep);
        // Trays crossing the first duct-main segment, which is at least 4.8 m long: one dips
        // 50 mm into the duct, one rests on it.
        let seg0 = &main_segments[0];
        let yt = seg0.b.min[1] + 700;
        let tray = self.ctx.put(
            TRAY,
            self.key("defect-tray-through-duct", hall),
            format_args!("{} H{n}-X1", l.pick("Cable tray", "桥架")),
            Shape::Bar {
                b: Aabb::xyz((hall.ox + 50, hall.ox + 1150), (yt - 150, yt + 150), (5350, 5450)),
                along: Axis::X,
            },
            Some(data),
            mep,
        );
        self.ctx.clash(&tray, seg0, "hard", TRAYS_VS_DUCTS, None);
        let yt = seg0.b.min[1] + 1700;
        let tray = self.ctx.put(
            TRAY,
            self.key("defect-tray-on-duct", hall),
            format_args!("{} H{n}-X2", l.pick("Cable tray", "桥架")),
            Shape::Bar {
                b: Aabb::xyz(
                    (hall.ox + 50, hall.ox + 1150),
                    (yt - 150, yt + 150),
                    (DUCT_Z.1, DUCT_Z.1 + 100),
                ),
                along: Axis::X,
            },
            Some(data),
            mep,
        );
        self.ctx.non_clash(&tray, seg0, "touching face: tray rests on the duct");

        // A vertical condensate drain whose flat top end rises 15 mm into a beam's 20 mm
        // bottom flange, and one whose top end just touches another spot of that flange.
        // Flat ends make the depth exact for any tessellation of the pipe's circle.
        let j0 = rng.below(beams.len() as u64) as usize;
        let cb = beams[j0].b.centre2(Axis::X) / 2;
        let drain_box = |y: i64, top: i64| Aabb::xyz((cb - 50, cb + 50), (y - 50, y + 50), (5000, top));
        let drain = self.ctx.put(
            PIPE,
            self.key("defect-drain-through-beam", hall),
            format_args!("{} H{n}-D1", l.pick("Condensate drain", "冷凝水管")),
            Shape::Round { b: drain_box(1100, BEAM_BOTTOM + 15), along: Axis::Z },
            Some(drainage),
            mep,
        );
        self.ctx.clash(&drain, &beams[j0], "hard", PIPES_VS_STRUCTURE, None);
        let drain = self.ctx.put(
            PIPE,
            self.key("defect-drain-under-beam", hall),
            format_args!("{} H{n}-D2", l.pick("Condensate drain", "冷凝水管")),
            Shape::Round { b: drain_box(w - 1100, BEAM_BOTTOM), along: Axis::Z },
            Some(drainage),
            mep,
        );
        self.ctx.non_clash(&drain, &beams[j0], "touching face: the pipe's end meets the beam's underside");

        // A duct cast into the floor slab (containment), and one touching a column face.
        let duct = self.ctx.put(
            DUCT,
            self.key("defect-duct-in-slab", hall),
            format_args!("{} H{n}-X1", l.pick("Duct", "风管")),
            Shape::Bar { b: hb((X_ROW0 + 1000, X_ROW0 + 2000), (3000, 3400), (-260, -60)), along: Axis::X },
            Some(air),
            mep,
        );
        self.ctx.clash(&duct, &floor, "hard", DUCTS_VS_STRUCTURE, None);
        let col = &south_columns[j0];
        let cx = col.b.min[0];
        let duct = self.ctx.put(
            DUCT,
            self.key("defect-duct-at-column", hall),
            format_args!("{} H{n}-X2", l.pick("Duct", "风管")),
            Shape::Bar {
                b: Aabb::xyz((cx - 1000, cx), (110, 410), (DUCT_Z.0, DUCT_Z.0 + 300)),
                along: Axis::X,
            },
            Some(air),
            mep,
        );
        self.ctx.non_clash(&duct, col, "touching face: duct ends against the column");

        // Ducts crossing above level-2 trays: 200 mm (inside the 305 mm access zone) and 315 mm.
        let r0 = rng.below(l2_first_segments.len() as u64) as usize;
        let r1 = rng.below(l2_first_segments.len() as u64) as usize;
        for (tag, r, gap, near) in
            [("defect-duct-over-tray", r0, 200, false), ("defect-duct-near-tray", r1, 315, true)]
        {
            let seg = l2_first_segments[r];
            let xs = if near { seg.b.max[0] - 400 } else { seg.b.min[0] + 100 };
            let y0 = hall.row_y(r as i64);
            let duct = self.ctx.put(
                DUCT,
                self.key(tag, hall),
                format_args!("{} H{n}-{}", l.pick("Duct", "风管"), if near { "X4" } else { "X3" }),
                Shape::Bar {
                    b: Aabb::xyz(
                        (xs, xs + 300),
                        (y0 + 100, y0 + 1100),
                        (TRAY2_Z.1 + gap, TRAY2_Z.1 + gap + 80),
                    ),
                    along: Axis::Y,
                },
                Some(air),
                mep,
            );
            if near {
                self.ctx.non_clash(
                    &seg,
                    &duct,
                    "near miss: 315 mm above the tray, outside the 305 mm access zone",
                );
            } else {
                self.ctx.clash(&seg, &duct, "clearance", TRAY_ACCESS, Some(gap));
            }
        }

        // Lights hung under south-line sprinkler heads: 300 mm (inside 457 mm) and 467 mm.
        let h0 = rng.below(south_heads.len() as u64) as usize;
        let h1 = rng.below(south_heads.len() as u64) as usize;
        for (tag, hi, gap, thick) in
            [("defect-light-under-head", h0, 300, 80), ("defect-light-near-head", h1, 467, 20)]
        {
            let head = south_heads[hi];
            let xh = head.b.centre2(Axis::X) / 2;
            let top = HEAD_Z.0 - gap;
            let light = self.ctx.put(
                LIGHT,
                self.key(tag, hall),
                format_args!("{} H{n}-{}", l.pick("Light", "灯具"), if gap == 300 { "X1" } else { "X2" }),
                Shape::Block {
                    b: Aabb::xyz((xh - 250, xh + 250), (1175, 1325), (top - thick, top)),
                    front: Facing::PosY,
                },
                Some(lighting),
                mep,
            );
            if gap < 457 {
                self.ctx.clash(&head, &light, "clearance", SPRINKLER_CLEARANCE, Some(gap));
                // Under the head is within NFPA 13's obstruction zone too (it starts at the
                // head's own footprint).
                self.ctx.clash(&head, &light, "clearance", crate::SPRINKLER_OBSTRUCTION, Some(gap));
            } else {
                self.ctx.non_clash(
                    &head,
                    &light,
                    "near miss: 467 mm below the head, outside the 457 mm zone",
                );
            }
        }

        // Cabinets in front of switchboard A (500 mm) and UPS B (924 mm, just outside).
        for (tag, bi, gap) in
            [("defect-cabinet-at-switchboard", 0usize, 500), ("defect-cabinet-near-ups", 3, 924)]
        {
            let board = boards[bi];
            let face = board.b.min[0];
            let y0 = board.b.min[1] + 200;
            let cab = self.ctx.put(
                CABINET,
                self.key(tag, hall),
                format_args!("{} H{n}-E{}", l.pick("Storage cabinet", "储物柜"), bi + 1),
                Shape::Block {
                    b: Aabb::xyz((face - gap - 400, face - gap), (y0, y0 + 1200), (0, 1800)),
                    front: Facing::PosX,
                },
                None,
                eq,
            );
            if gap < 914 {
                self.ctx.clash(&board, &cab, "clearance", ELECTRICAL_WORKING_SPACE, Some(gap));
            } else {
                self.ctx.non_clash(
                    &board,
                    &cab,
                    "near miss: 924 mm in front, outside the 914 mm working space",
                );
            }
        }

        // Cabinets behind row-0 racks: 400 mm (inside 1.0 m) and 1010 mm.
        let k0 = rng.below(row0_racks.len() as u64) as usize;
        let k1 = (k0 + row0_racks.len() / 2) % row0_racks.len();
        for (tag, ki, gap, depth) in
            [("defect-cabinet-behind-rack", k0, 400, 200), ("defect-cabinet-near-rack", k1, 1010, 210)]
        {
            let rack = row0_racks[ki];
            let back = rack.b.min[1];
            let cab = self.ctx.put(
                CABINET,
                self.key(tag, hall),
                format_args!("{} H{n}-R{}", l.pick("Storage cabinet", "储物柜"), ki + 1),
                Shape::Block {
                    b: Aabb::xyz(
                        (rack.b.min[0] + 50, rack.b.max[0] - 50),
                        (back - gap - depth, back - gap),
                        (FLOOR_TOP, 1600),
                    ),
                    front: Facing::NegY,
                },
                None,
                rk,
            );
            row0_cabinets.push((cab, ki));
            if gap < 1000 {
                self.ctx.clash(&rack, &cab, "clearance", RACK_SERVICE, Some(gap));
            } else {
                self.ctx.non_clash(&rack, &cab, "near miss: 1010 mm behind the rack, outside the 1.0 m zone");
            }
        }

        // Duplicates: a rack of the last row and a busway segment, written twice.
        let last = hall.rows - 1;
        let dk = rng.below(hall.racks as u64) as usize;
        let orig = last_row_racks[dk];
        let front = if last % 2 == 0 { Facing::PosY } else { Facing::NegY };
        let dup = self.ctx.put(
            RACK,
            self.key("defect-duplicate-rack", hall),
            format_args!("{} H{n}-R{:02}-{:02}", l.pick("Server rack", "机柜"), last + 1, dk + 1),
            Shape::Mapped { b: orig.b, front },
            None,
            rk,
        );
        // With a single row the copy also stands in front of the cabinets seeded behind row 0.
        if last == 0 {
            for (cab, ki) in &row0_cabinets {
                if *ki == dk {
                    let gap = orig.b.min[1] - cab.b.max[1];
                    if gap < 1000 {
                        self.ctx.clash(&dup, cab, "clearance", RACK_SERVICE, Some(gap));
                    } else {
                        self.ctx.non_clash(
                            &dup,
                            cab,
                            "near miss: 1010 mm behind the rack, outside the 1.0 m zone",
                        );
                    }
                }
            }
        }
        self.ctx.clash(&orig, &dup, "duplicate", DUPLICATES, None);
        let (orig, orig_sys) = busways[rng.below(busways.len() as u64) as usize];
        let dup = self.ctx.put(
            BUSWAY,
            self.key("defect-duplicate-busway", hall),
            format_args!("{} H{n}-DUP", l.pick("Busway", "母线槽")),
            Shape::Bar { b: orig.b, along: Axis::X },
            Some(orig_sys),
            mep,
        );
        self.ctx.clash(&orig, &dup, "duplicate", DUPLICATES, None);
    }
}
