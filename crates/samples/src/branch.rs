//! The bank branch layout: one storey, 24 m by 16 m inside, under a phased renovation.
//!
//! Plan (millimetres, inner faces of the exterior walls at x = 0..24000, y = 0..16000):
//! the ATM lobby (x < 4000, y < 6000) and office 3 (x < 4000, 6150 < y < 9000) in the
//! west; the banking hall with the teller line (x > 4150, y < 9000); along the north the
//! vault (x < 5000, 600 mm walls to the roof), the safe-deposit room, offices 1 and 2,
//! the server closet and the staff room.  Steel-free concrete frame: columns and
//! 400 x 500 beams on the lines x = 8000 and x = 16000.
//!
//! Elevation bands (z, mm): partitions to 2700; ceilings 2700..2720; sprinkler heads
//! 2620..2700, lights 2640..2700 and diffusers 2650..2700 under the ceiling, apart in
//! plan; sprinkler pipes 2730..2780; cable trays 2850..2950 (305 mm free above, to 3255);
//! domestic water 2960..3040 (never over a tray); ducts 3300..3650; beams 3700..4200;
//! roof slab 4200..4450.  Temporary works stay at or below 2100 mm, under the 457 mm
//! sprinkler zones (2163 mm and up), except the scaffold, which stands clear of heads.
//!
//! Variants ([`BranchLayout`]): added bays run on eastwards (`extend`); without the vault its
//! place is an archive behind partitions, without the ATM lobby the lobby has no ATMs; the
//! plan is mirrored, turned and moved as a whole (`plan`).

mod extend;
mod parts;
mod plan;
mod seeds;

use crate::build::{Ctx, Output, Placed, Sched, Shape, Skeleton};
use crate::geom::{Aabb, Axis, Facing};
use crate::guid::{Key, Rng};
use crate::{
    BranchLayout, BranchParams, DUPLICATES, ELECTRICAL_WORKING_SPACE, MEP_VS_STRUCTURE, SPRINKLER_CLEARANCE,
    TEMPORARY_VS_PERMANENT,
};
use parts::{
    shape_box, Room, ATM, BAY, BEAM, BEAM_BOTTOM, BEAM_XS, BOARD, CEILING, CEIL_Z, COLUMN, COUNTER, COUPLING,
    DEPOSIT_BOXES, DIFFUSER, DOOR, DUCT, DUCT_TEE, DUCT_Z, EXT_T, EXT_WALL, FLOOR, HEAD, HEAD_Z, HOARDING,
    LIGHT, LIGHT_Z, LX, LY, PARTITION, PART_T, PART_TOP, PIPE, RACK, ROOF, SCAFFOLD, SCREEN, SHELF, SPR_Z,
    TEMP_COUNTER, TOP, TRAY, TRAY_TEE, TRAY_Z, UPS, VAULT_DOOR, VAULT_SLAB, VAULT_WALL, WATER_ZC,
};
use plan::{Plan, Transform};

/// Writes the branch; `layout` picks the variant (its default is the sample).
pub(crate) fn generate(p: &BranchParams, layout: &BranchLayout, record: bool) -> Output {
    let l = p.lang;
    let names = Skeleton {
        file_name: "branch.ifc",
        project: l.pick("Plumbline Bank Branch", "银行网点项目"),
        site: l.pick("Site", "场地"),
        building: l.pick("Bank Branch", "银行网点"),
        storey: l.pick("Ground Floor", "一层"),
        schedule: l.pick("Renovation schedule", "改造进度计划"),
    };
    let mut ctx = Plan::new(Ctx::new(p.seed, &names, 1 << 20, record), Transform::new(layout));
    // Bays beyond the sample's three extend the banking hall and the north strip eastwards,
    // from the sample's east wall (x = LX) to the variant's (x = lx).
    let extra = i64::from(layout.bays.clamp(3, BranchLayout::MAX_BAYS) - 3);
    let lx = LX + BAY * extra;
    let seed = p.seed;
    let key = |tag: &str| Key::new(seed, tag);
    let mut rng = Rng::new(seed, "branch-defects");

    let air = ctx.system("air", l.pick("Supply air", "送风"), "AIRCONDITIONING", None);
    let sprinkler = ctx.system("sprinkler", l.pick("Sprinklers", "喷淋"), "FIREPROTECTION", None);
    let lighting = ctx.system("lighting", l.pick("Lighting", "照明"), "LIGHTING", None);
    let water = ctx.system("water", l.pick("Domestic water", "生活给水"), "DOMESTICCOLDWATER", None);
    let data = ctx.system("data", l.pick("Data cabling", "数据布线"), "DATA", None);
    let power = ctx.system("power", l.pick("Power", "供电"), "ELECTRICAL", Some("A"));

    let root = ctx.task(
        None,
        "BR".into(),
        l.pick("Branch renovation", "网点改造").into(),
        "NOTDEFINED",
        None,
        0,
        0,
        true,
    );
    let mut task = |id: &str, en: &'static str, zh: &'static str, predef, otype, start, days| {
        ctx.task(Some(root), format!("BR.{id}"), l.pick(en, zh).to_owned(), predef, otype, start, days, false)
    };
    let t_erect = task("10", "Erect temporary works", "搭设临时设施", "USERDEFINED", Some("TEMPORARY"), 0, 3);
    let t_demo = task("20", "Demolish existing teller line", "拆除原柜台", "DEMOLITION", None, 3, 7);
    let t_walls = task("30", "New partitions", "新建隔墙", "CONSTRUCTION", None, 10, 15);
    let t_mep = task("40", "MEP above the ceiling", "吊顶内机电安装", "INSTALLATION", None, 12, 18);
    let t_ceiling = task("50", "Ceilings", "吊顶安装", "INSTALLATION", None, 30, 6);
    let t_temp_counter = task("60", "Remove temporary counter", "拆除临时柜台", "DISMANTLE", None, 34, 2);
    let t_teller = task("70", "New teller line", "新建柜台", "INSTALLATION", None, 36, 6);
    let t_clear = task("80", "Remove hoarding and scaffold", "拆除围挡及脚手架", "DISMANTLE", None, 42, 2);
    ctx.sequence(t_erect, t_demo, "FINISH_START", 0);
    ctx.sequence(t_demo, t_walls, "FINISH_START", 0);
    ctx.sequence(t_walls, t_mep, "START_START", 2);
    ctx.sequence(t_mep, t_ceiling, "FINISH_START", 0);
    ctx.sequence(t_ceiling, t_temp_counter, "START_START", 4);
    ctx.sequence(t_temp_counter, t_teller, "FINISH_START", 0);
    ctx.sequence(t_teller, t_clear, "FINISH_START", 0);

    let ex = Sched::Existing;
    let mep = Sched::New(t_mep);

    // Spaces stop at the ceiling line; the vault keeps its concrete roof instead of a ceiling.
    // Added bays put offices east of the staff room, behind a partition clear of the columns.
    let offices = extend::office_spans(extra, lx);
    let staff_east = offices.first().map_or(LX, |o| o.0 - PART_T);
    let lobby =
        if layout.atm_lobby { l.pick("ATM Lobby", "自助银行") } else { l.pick("Lobby", "大堂") };
    let vault = if layout.vault {
        Room {
            tag: "vault",
            name: l.pick("Vault", "金库"),
            x: (600, 4400),
            y: (9600, 15_400),
            ceiling: false,
        }
    } else {
        Room {
            tag: "archive", name: l.pick("Archive", "档案室"), x: (0, 4850), y: (9150, LY), ceiling: true
        }
    };
    let rooms = [
        Room { tag: "atm", name: lobby, x: (0, 4000), y: (0, 6000), ceiling: true },
        Room {
            tag: "office3",
            name: l.pick("Office 3", "办公室3"),
            x: (0, 4000),
            y: (6150, 9000),
            ceiling: true,
        },
        Room {
            tag: "hall",
            name: l.pick("Banking Hall", "营业厅"),
            x: (4150, lx),
            y: (0, 9000),
            ceiling: true,
        },
        vault,
        Room {
            tag: "deposit",
            name: l.pick("Safe Deposit Room", "保管箱室"),
            x: (5000, 10_000),
            y: (9150, LY),
            ceiling: true,
        },
        Room {
            tag: "office1",
            name: l.pick("Office 1", "办公室1"),
            x: (10_150, 14_000),
            y: (9150, LY),
            ceiling: true,
        },
        Room {
            tag: "office2",
            name: l.pick("Office 2", "办公室2"),
            x: (14_150, 18_000),
            y: (9150, LY),
            ceiling: true,
        },
        Room {
            tag: "server",
            name: l.pick("Server Closet", "弱电间"),
            x: (18_150, 21_000),
            y: (9150, LY),
            ceiling: true,
        },
        Room {
            tag: "staff",
            name: l.pick("Staff Room", "员工室"),
            x: (21_150, staff_east),
            y: (9150, LY),
            ceiling: true,
        },
    ];
    for r in &rooms {
        ctx.space(key("space").s(r.tag), r.name, r.name, Aabb::xyz(r.x, r.y, (0, PART_TOP)));
    }

    // The structure predates the renovation and no task touches it, so it exists throughout.
    let full = (-EXT_T, lx + EXT_T);
    let floor = ctx.put(
        FLOOR,
        key("floor"),
        format_args!("{}", l.pick("Floor slab", "楼板")),
        shape_box(full, (-EXT_T, LY + EXT_T), (-300, 0)),
        None,
        ex,
    );
    ctx.put(
        ROOF,
        key("roof"),
        format_args!("{}", l.pick("Roof slab", "屋面板")),
        shape_box(full, (-EXT_T, LY + EXT_T), (TOP, TOP + 250)),
        None,
        ex,
    );
    let mut walls = Vec::new();
    for (tag, x, y) in [
        ("S", full, (-EXT_T, 0)),
        ("N", full, (LY, LY + EXT_T)),
        ("W", (-EXT_T, 0), (0, LY)),
        ("E", (lx, lx + EXT_T), (0, LY)),
    ] {
        let w = ctx.put(
            EXT_WALL,
            key("ext-wall").s(tag),
            format_args!("{} {tag}", l.pick("Exterior wall", "外墙")),
            shape_box(x, y, (0, TOP)),
            None,
            ex,
        );
        walls.push(w);
    }
    let mut beams = Vec::new();
    for (j, &c) in BEAM_XS.iter().enumerate() {
        for (side, y) in [("S", (10, 410)), ("N", (LY - 410, LY - 10))] {
            ctx.put(
                COLUMN,
                key("column").s(side).n(j as u64),
                format_args!("{} {side}{}", l.pick("Column", "柱"), j + 1),
                shape_box((c - 200, c + 200), y, (0, TOP)),
                None,
                ex,
            );
        }
        beams.push(ctx.put(
            BEAM,
            key("beam").n(j as u64),
            format_args!("{} {}", l.pick("Beam", "梁"), j + 1),
            Shape::Bar {
                b: Aabb::xyz((c - 200, c + 200), (410, LY - 410), (BEAM_BOTTOM, TOP)),
                along: Axis::Y,
            },
            None,
            ex,
        ));
    }

    // Vault: 600 mm walls to the roof, a thick roof slab and the vault door.
    let vault_walls: &[_] = if layout.vault {
        &[
            ("S", (0, 5000), (9000, 9600)),
            ("E", (4400, 5000), (9600, LY)),
            ("W", (0, 600), (9600, LY)),
            ("N", (600, 4400), (15_400, LY)),
        ]
    } else {
        &[]
    };
    let mut vault_south = None;
    for &(tag, x, y) in vault_walls {
        let w = ctx.put(
            VAULT_WALL,
            key("vault-wall").s(tag),
            format_args!("{} {tag}", l.pick("Vault wall", "金库墙")),
            shape_box(x, y, (0, TOP)),
            None,
            ex,
        );
        if tag == "S" {
            vault_south = Some(w);
        }
    }
    if layout.vault {
        ctx.put(
            VAULT_SLAB,
            key("vault-slab"),
            format_args!("{}", l.pick("Vault roof slab", "金库顶板")),
            shape_box((600, 4400), (9600, 15_400), (2800, 3300)),
            None,
            ex,
        );
    }

    // Partitions stop at the ceiling so that services can cross above them; each entry is
    // (tag, x, y, door spans along the wall).  Added bays' offices open onto the hall through
    // the long partition P3; an archive in place of the vault gets partitions of its own.
    let mut p3_doors =
        vec![(6000, 7000), (11_500, 12_500), (15_000, 16_000), (19_000, 20_000), (22_000, 23_000)];
    p3_doors.extend(offices.iter().map(|o| (o.0 + 1640, o.0 + 2640)));
    type Partition = (String, (i64, i64), (i64, i64), Vec<(i64, i64)>);
    let mut partitions: Vec<Partition> = vec![
        ("P1".into(), (4000, 4000 + PART_T), (0, 9000), vec![(4000, 5000), (7000, 8000)]),
        ("P2".into(), (0, 4000), (6000, 6000 + PART_T), vec![]),
        ("P3".into(), (5000, lx), (9000, 9000 + PART_T), p3_doors),
        ("P4".into(), (10_000, 10_000 + PART_T), (9150, LY), vec![]),
        ("P5".into(), (14_000, 14_000 + PART_T), (9150, LY), vec![]),
        ("P6".into(), (18_000, 18_000 + PART_T), (9150, LY), vec![]),
        ("P7".into(), (21_000, 21_000 + PART_T), (9150, LY), vec![]),
    ];
    for (i, o) in offices.iter().enumerate() {
        partitions.push((format!("PX{}", i + 1), (o.0 - PART_T, o.0), (9150, LY), vec![]));
    }
    if !layout.vault {
        partitions.push(("PA1".into(), (0, 5000), (9000, 9000 + PART_T), vec![(2000, 3000)]));
        partitions.push(("PA2".into(), (4850, 5000), (9150, LY), vec![]));
    }
    for (tag, x, y, doors) in &partitions {
        let (tag, x, y) = (tag.as_str(), *x, *y);
        let wall = ctx.put(
            PARTITION,
            key("partition").s(tag),
            format_args!("{} {tag}", l.pick("Partition", "隔墙")),
            shape_box(x, y, (0, PART_TOP)),
            None,
            ex,
        );
        for (i, &span) in doors.iter().enumerate() {
            let along_x = x.1 - x.0 > y.1 - y.0;
            let (ox, oy) = if along_x { (span, y) } else { (x, span) };
            let (dx, dy, front) = if along_x {
                (span, (y.0 + 50, y.0 + 100), Facing::PosY)
            } else {
                ((x.0 + 50, x.0 + 100), span, Facing::PosX)
            };
            let k = key("door").s(tag).n(i as u64);
            let opening = ctx.opening(&wall, k.s("opening"), Aabb::xyz(ox, oy, (0, 2100)));
            let door = ctx.put(
                DOOR,
                k,
                format_args!("{} {tag}-{}", l.pick("Door", "门"), i + 1),
                Shape::Block { b: Aabb::xyz(dx, dy, (0, 2100)), front },
                None,
                ex,
            );
            ctx.fill(opening, &door, k);
        }
    }
    // Entrance doors fill openings in the south wall; the vault door fills its 600 mm wall.
    let mut entrances = Vec::new();
    for (i, span) in [(1500, 2700), (12_000, 14_000)].into_iter().enumerate() {
        let k = key("entrance").n(i as u64);
        let opening = ctx.opening(&walls[0], k.s("opening"), Aabb::xyz(span, (-EXT_T, 0), (0, 2400)));
        let door = ctx.put(
            DOOR,
            k,
            format_args!("{} {}", l.pick("Entrance door", "入口门"), i + 1),
            Shape::Block { b: Aabb::xyz(span, (-175, -125), (0, 2400)), front: Facing::NegY },
            None,
            ex,
        );
        ctx.fill(opening, &door, k);
        entrances.push((door, k));
    }
    if let Some(vs) = vault_south {
        let k = key("vault-door");
        let opening = ctx.opening(&vs, k.s("opening"), Aabb::xyz((2000, 3200), (9000, 9600), (0, 2100)));
        let door = ctx.put(
            VAULT_DOOR,
            k,
            format_args!("{}", l.pick("Vault door", "金库门")),
            Shape::Block { b: Aabb::xyz((2000, 3200), (9200, 9400), (0, 2100)), front: Facing::NegY },
            None,
            ex,
        );
        ctx.fill(opening, &door, k);
    }

    // Ceilings, inset 10 mm from walls and clear of the perimeter columns.
    for r in rooms.iter().filter(|r| r.ceiling) {
        let y0 = if r.y.0 == 0 { 420 } else { r.y.0 + 10 };
        let y1 = if r.y.1 == LY { LY - 420 } else { r.y.1 - 10 };
        ctx.put(
            CEILING,
            key("ceiling").s(r.tag),
            format_args!("{} {}", l.pick("Ceiling", "吊顶"), r.name),
            shape_box((r.x.0 + 10, r.x.1 - 10), (y0, y1), CEIL_Z),
            None,
            Sched::New(t_ceiling),
        );
    }

    // The old teller line stands clear of the new one, so demolition and installation
    // never overlap in space and only the temporary works test the schedule.
    let mut atms = Vec::new();
    let atm_ys: &[(i64, i64)] = if layout.atm_lobby { &[(2000, 2800), (3200, 4000)] } else { &[] };
    for (i, &y) in atm_ys.iter().enumerate() {
        let atm = ctx.put(
            ATM,
            key("atm").n(i as u64),
            format_args!("ATM {}", i + 1),
            Shape::Block { b: Aabb::xyz((3200, 3990), y, (0, 1800)), front: Facing::NegX },
            Some(power),
            ex,
        );
        atms.push((atm, key("atm").n(i as u64)));
    }
    for i in 0..5 {
        let y0 = 10_000 + 1010 * i;
        ctx.put(
            DEPOSIT_BOXES,
            key("deposit-boxes").n(i as u64),
            format_args!("{} {}", l.pick("Safe deposit boxes", "保管箱"), i + 1),
            Shape::Block { b: Aabb::xyz((5300, 5900), (y0, y0 + 1000), (0, 2000)), front: Facing::PosX },
            None,
            ex,
        );
    }
    let mut counters = Vec::new();
    for i in 0..4 {
        let x0 = 8600 + 2200 * i;
        counters.push(ctx.put(
            COUNTER,
            key("counter").n(i as u64),
            format_args!("{} {}", l.pick("Teller counter", "柜台"), i + 1),
            Shape::Block { b: Aabb::xyz((x0, x0 + 2000), (7000, 7800), (0, 1100)), front: Facing::NegY },
            None,
            Sched::New(t_teller),
        ));
    }
    for i in 0..3 {
        let x0 = 9000 + 2400 * i;
        ctx.put(
            COUNTER,
            key("old-counter").n(i as u64),
            format_args!("{} {}", l.pick("Old teller counter", "原柜台"), i + 1),
            Shape::Block { b: Aabb::xyz((x0, x0 + 2000), (5600, 6400), (0, 1100)), front: Facing::NegY },
            None,
            Sched::Demolished(t_demo),
        );
    }
    ctx.put(
        SCREEN,
        key("old-screen"),
        format_args!("{}", l.pick("Old counter screen", "原柜台隔断")),
        shape_box((21_400, 21_550), (420, 4000), (0, 2000)),
        None,
        Sched::Demolished(t_demo),
    );
    let board = ctx.put(
        BOARD,
        key("board"),
        format_args!("{}", l.pick("Distribution board DB-1", "配电箱DB-1")),
        Shape::Block { b: Aabb::xyz((18_400, 19_600), (15_490, 15_990), (0, 2000)), front: Facing::NegY },
        Some(power),
        ex,
    );
    let ups = ctx.put(
        UPS,
        key("ups"),
        format_args!("{}", l.pick("UPS-1", "不间断电源UPS-1")),
        Shape::Block { b: Aabb::xyz((19_800, 20_800), (15_190, 15_990), (0, 2000)), front: Facing::NegY },
        Some(power),
        ex,
    );
    ctx.put(
        RACK,
        key("rack"),
        format_args!("{}", l.pick("Server rack", "机柜")),
        Shape::Mapped { b: Aabb::xyz((18_400, 19_000), (10_500, 11_700), (0, 2200)), front: Facing::NegY },
        Some(data),
        ex,
    );

    // Supply air: a main along the banking hall, branches north, diffusers under the main.
    let mut duct_main = Vec::new();
    let branch_xs = [7000, 12_000, 16_800, 22_500];
    let mut x = 4300;
    for (i, &bx) in branch_xs.iter().enumerate() {
        let seg = ctx.put(
            DUCT,
            key("duct-main").n(i as u64),
            format_args!("{} M{}", l.pick("Duct", "风管"), i + 1),
            Shape::Bar { b: Aabb::xyz((x, bx - 300), (4000, 4800), DUCT_Z), along: Axis::X },
            Some(air),
            mep,
        );
        duct_main.push(seg);
        ctx.put(
            DUCT_TEE,
            key("duct-tee").n(i as u64),
            format_args!("{} T{}", l.pick("Duct tee", "风管三通"), i + 1),
            shape_box((bx - 300, bx + 300), (4000, 4800), DUCT_Z),
            Some(air),
            mep,
        );
        ctx.put(
            DUCT,
            key("duct-branch").n(i as u64),
            format_args!("{} B{}", l.pick("Duct", "风管"), i + 1),
            Shape::Bar { b: Aabb::xyz((bx - 300, bx + 300), (4800, 13_000), DUCT_Z), along: Axis::Y },
            Some(air),
            mep,
        );
        x = bx + 300;
    }
    for (i, xd) in [9500, 14_000, 19_500].into_iter().enumerate() {
        ctx.put(
            DIFFUSER,
            key("diffuser").n(i as u64),
            format_args!("{} {}", l.pick("Diffuser", "送风口"), i + 1),
            shape_box((xd - 300, xd + 300), (4100, 4700), (2650, 2700)),
            Some(air),
            mep,
        );
    }

    // Cable tray along the hall with a branch into the server closet.
    ctx.put(
        TRAY,
        key("tray").n(0),
        format_args!("{} 1", l.pick("Cable tray", "桥架")),
        Shape::Bar { b: Aabb::xyz((4300, 19_400), (6500, 6800), TRAY_Z), along: Axis::X },
        Some(data),
        mep,
    );
    ctx.put(
        TRAY_TEE,
        key("tray-tee"),
        format_args!("{}", l.pick("Tray tee", "桥架三通")),
        shape_box((19_400, 19_700), (6500, 6800), TRAY_Z),
        Some(data),
        mep,
    );
    ctx.put(
        TRAY,
        key("tray").n(1),
        format_args!("{} 2", l.pick("Cable tray", "桥架")),
        Shape::Bar { b: Aabb::xyz((19_700, 23_700), (6500, 6800), TRAY_Z), along: Axis::X },
        Some(data),
        mep,
    );
    ctx.put(
        TRAY,
        key("tray").n(2),
        format_args!("{} 3", l.pick("Cable tray", "桥架")),
        Shape::Bar { b: Aabb::xyz((19_400, 19_700), (6800, 12_000), TRAY_Z), along: Axis::Y },
        Some(data),
        mep,
    );

    // Domestic water along the hall, stopping short of the tray branch.
    let mut x = 4300;
    let mut i = 0;
    while x < 19_000 {
        let end = (x + 6000).min(19_000);
        let r = 40;
        ctx.put(
            PIPE,
            key("water").n(i),
            format_args!("{} {}", l.pick("Domestic water pipe", "给水管"), i + 1),
            Shape::Round {
                b: Aabb::xyz((x, end), (8000 - r, 8000 + r), (WATER_ZC - r, WATER_ZC + r)),
                along: Axis::X,
            },
            Some(water),
            mep,
        );
        x = end;
        if x + 100 < 19_000 {
            let r = 50;
            ctx.put(
                COUPLING,
                key("water-coupling").n(i),
                format_args!("{} {}", l.pick("Pipe coupling", "管接头"), i + 1),
                Shape::Round {
                    b: Aabb::xyz((x, x + 100), (8000 - r, 8000 + r), (WATER_ZC - r, WATER_ZC + r)),
                    along: Axis::X,
                },
                Some(water),
                mep,
            );
            x += 100;
        }
        i += 1;
    }

    // Lights sit between heads along each line so that none is inside a head's zone.
    let line = |y: i64, x: (i64, i64)| Aabb::xyz(x, (y - 25, y + 25), SPR_Z);
    let head = |x: i64, y: i64| Aabb::xyz((x - 30, x + 30), (y - 30, y + 30), HEAD_Z);
    let light_x = |x: i64, y: i64| Aabb::xyz((x - 600, x + 600), (y - 75, y + 75), LIGHT_Z);
    let mut hall_lights = Vec::new();
    let mut heads_by_room: Vec<(&str, Placed)> = Vec::new();
    // A sprinkler line: tag, y, x extent, head x positions, light centres.
    type Line = (&'static str, i64, (i64, i64), Vec<i64>, Vec<(i64, i64)>);
    let lines: [Line; 5] = [
        (
            "hall-s",
            2000,
            (4300, 23_700),
            (0..7).map(|j| 5000 + 3000 * j).collect(),
            (0..6).map(|j| (6500 + 3000 * j, 2000)).collect(),
        ),
        (
            "hall-n",
            5500,
            (4300, 23_700),
            (0..7).map(|j| 5000 + 3000 * j).collect(),
            (0..6).map(|j| (6500 + 3000 * j, 5500)).collect(),
        ),
        ("atm", 1500, (300, 3850), vec![1000, 2500], vec![(1750, 3000)]),
        ("office3", 7500, (300, 3850), vec![2000], vec![(2000, 8300)]),
        (
            "north",
            12_500,
            (5300, 23_700),
            vec![7500, 12_000, 16_000, 19_500, 22_500],
            vec![(7500, 11_000), (12_000, 11_000), (16_000, 11_000), (19_600, 11_000), (22_500, 11_000)],
        ),
    ];
    for (tag, y, span, heads, lights) in &lines {
        let mut xs = span.0;
        let mut i = 0;
        while xs < span.1 {
            let end = (xs + 6000).min(span.1);
            ctx.put(
                PIPE,
                key("sprinkler-line").s(tag).n(i),
                format_args!("{} {tag}-{}", l.pick("Sprinkler pipe", "喷淋管"), i + 1),
                Shape::Round { b: line(*y, (xs, end)), along: Axis::X },
                Some(sprinkler),
                mep,
            );
            xs = end;
            i += 1;
        }
        for (j, &xh) in heads.iter().enumerate() {
            let h = ctx.put(
                HEAD,
                key("head").s(tag).n(j as u64),
                format_args!("{} {tag}-{}", l.pick("Sprinkler head", "喷头"), j + 1),
                Shape::Round { b: head(xh, *y), along: Axis::Z },
                Some(sprinkler),
                mep,
            );
            heads_by_room.push((tag, h));
        }
        for (j, &(xl, yl)) in lights.iter().enumerate() {
            let lt = ctx.put(
                LIGHT,
                key("light").s(tag).n(j as u64),
                format_args!("{} {tag}-{}", l.pick("Light", "灯具"), j + 1),
                Shape::Block { b: light_x(xl, yl), front: Facing::PosY },
                Some(lighting),
                mep,
            );
            if tag.starts_with("hall") {
                hall_lights.push(lt);
            }
        }
    }

    // Temporary works and the new partition that the hoarding stands in the way of.
    let hoarding = ctx.put(
        HOARDING,
        key("hoarding"),
        format_args!("{}", l.pick("Hoarding", "围挡")),
        shape_box((18_000, 23_000), (4950, 5050), (0, 2100)),
        None,
        Sched::Temporary(t_erect, t_clear),
    );
    let new_wall = ctx.put(
        PARTITION,
        key("new-partition"),
        format_args!("{}", l.pick("New back-office partition", "新建后台隔墙")),
        shape_box((19_000, 23_700), (5000, 5150), (0, PART_TOP)),
        None,
        Sched::New(t_walls),
    );
    ctx.clash(&hoarding, &new_wall, "time", TEMPORARY_VS_PERMANENT, None);
    let temp_counter = ctx.put(
        TEMP_COUNTER,
        key("temp-counter"),
        format_args!("{}", l.pick("Temporary teller counter", "临时柜台")),
        Shape::Block { b: Aabb::xyz((16_400, 18_400), (7000, 7800), (0, 1100)), front: Facing::NegY },
        None,
        Sched::Temporary(t_erect, t_temp_counter),
    );
    if layout.schedule {
        ctx.non_clash(
            &temp_counter,
            &counters[3],
            "temporary removed before the permanent element is installed",
        );
    } else {
        // Without the schedule nothing says the temporary counter is gone before the new one
        // comes, so both stand and the overlap is a time clash.
        ctx.clash(&temp_counter, &counters[3], "time", TEMPORARY_VS_PERMANENT, None);
    }
    ctx.put(
        SCAFFOLD,
        key("scaffold"),
        format_args!("{}", l.pick("Scaffold", "脚手架")),
        shape_box((14_300, 15_300), (9800, 10_800), (0, 2690)),
        None,
        Sched::Temporary(t_erect, t_clear),
    );

    // A duct crossing beam 2 with its top 50 mm into the beam, and one just touching beam 1.
    for (j, top, tag) in
        [(1usize, BEAM_BOTTOM + 50, "defect-duct-through-beam"), (0, BEAM_BOTTOM, "defect-duct-under-beam")]
    {
        let c = BEAM_XS[j];
        let d = ctx.put(
            DUCT,
            key(tag),
            format_args!("{} X{}", l.pick("Duct", "风管"), j + 1),
            Shape::Bar { b: Aabb::xyz((c - 1000, c + 1000), (2000, 2400), (top - 300, top)), along: Axis::X },
            Some(air),
            mep,
        );
        if top > BEAM_BOTTOM {
            ctx.clash(&d, &beams[j], "hard", MEP_VS_STRUCTURE, None);
        } else {
            ctx.non_clash(&d, &beams[j], "touching face: duct top against the beam's underside");
        }
    }

    // Shelving under office sprinkler heads: 200 mm (inside 457 mm) and 467 mm below.
    for (room, gap, tag) in
        [("north", 200, "defect-shelf-under-head"), ("north", 467, "defect-shelf-near-head")]
    {
        let x = if gap < 457 { 12_000 } else { 16_000 };
        let Some(&(_, h)) = heads_by_room.iter().find(|(t, h)| *t == room && h.b.centre2(Axis::X) == 2 * x)
        else {
            continue;
        };
        let top = HEAD_Z.0 - gap;
        let shelf = ctx.put(
            SHELF,
            key(tag),
            format_args!("{} {}", l.pick("Shelving", "货架"), if gap < 457 { 1 } else { 2 }),
            Shape::Block {
                b: Aabb::xyz((x - 400, x + 400), (12_200, 12_800), (0, top)),
                front: Facing::NegY,
            },
            None,
            Sched::New(t_teller),
        );
        if gap < 457 {
            ctx.clash(&h, &shelf, "clearance", SPRINKLER_CLEARANCE, Some(gap));
        } else {
            ctx.non_clash(&h, &shelf, "near miss: 467 mm below the head, outside the 457 mm zone");
        }
    }

    // Shelving in front of the board (600 mm) and the UPS (924 mm, just outside).
    for (eq, gap, x, tag) in [
        (board, 600, (18_600, 19_400), "defect-shelf-at-board"),
        (ups, 924, (20_000, 20_600), "defect-shelf-near-ups"),
    ] {
        let face = eq.b.min[1];
        let shelf = ctx.put(
            SHELF,
            key(tag),
            format_args!("{} {}", l.pick("Shelving", "货架"), if gap < 914 { 3 } else { 4 }),
            Shape::Block { b: Aabb::xyz(x, (face - gap - 400, face - gap), (0, 1800)), front: Facing::PosY },
            None,
            Sched::New(t_teller),
        );
        if gap < 914 {
            ctx.clash(&eq, &shelf, "clearance", ELECTRICAL_WORKING_SPACE, Some(gap));
        } else {
            ctx.non_clash(&eq, &shelf, "near miss: 924 mm in front, outside the 914 mm working space");
        }
    }

    // Duplicates: a banking-hall light and a duct main segment, written twice.
    let orig = hall_lights[rng.below(hall_lights.len() as u64) as usize];
    let dup = ctx.put(
        LIGHT,
        key("defect-duplicate-light"),
        format_args!("{} DUP", l.pick("Light", "灯具")),
        Shape::Block { b: orig.b, front: Facing::PosY },
        Some(lighting),
        mep,
    );
    ctx.clash(&orig, &dup, "duplicate", DUPLICATES, None);
    let orig = duct_main[rng.below(duct_main.len() as u64) as usize];
    let dup = ctx.put(
        DUCT,
        key("defect-duplicate-duct"),
        format_args!("{} DUP", l.pick("Duct", "风管")),
        Shape::Bar { b: orig.b, along: Axis::X },
        Some(air),
        mep,
    );
    ctx.clash(&orig, &dup, "duplicate", DUPLICATES, None);
    seeds::seeds(&mut ctx, l, seed, &atms, &entrances, &counters, &floor);
    let links = extend::Links {
        air,
        sprinkler,
        lighting,
        data,
        mep,
        ceiling: Sched::New(t_ceiling),
        teller: Sched::New(t_teller),
    };
    extend::bays(&mut ctx, l, seed, &offices, lx, &links);

    let out = ctx.finish();
    if layout.schedule {
        out
    } else {
        plan::without_schedule(out)
    }
}
