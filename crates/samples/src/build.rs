//! The shared IFC4 scaffolding: header, project, units, contexts, spatial structure,
//! element emission, property sets, systems and the 4D schedule.
//!
//! Layout modules ([`crate::datacenter`], [`crate::branch`]) only decide *where* things go;
//! this module decides *how* they are written, so both models share one exact encoding.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use crate::geom::{Aabb, Axis, Facing};
use crate::guid::{Guid, Key};
use crate::step::{Id, Writer};
use crate::{Truth, TruthClash, TruthNonClash};

/// The IFC classes the generator writes as physical elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Class {
    Column,
    Beam,
    Slab,
    Wall,
    Plate,
    Covering,
    Door,
    Furniture,
    Proxy,
    CableCarrierSegment,
    CableCarrierFitting,
    CableSegment,
    DuctSegment,
    DuctFitting,
    PipeSegment,
    PipeFitting,
    UnitaryEquipment,
    ElectricDistributionBoard,
    ElectricFlowStorageDevice,
    FireSuppressionTerminal,
    LightFixture,
    AirTerminal,
    ProtectiveDevice,
}

impl Class {
    /// The STEP entity keyword.
    pub(crate) fn step(self) -> &'static str {
        match self {
            Class::Column => "IFCCOLUMN",
            Class::Beam => "IFCBEAM",
            Class::Slab => "IFCSLAB",
            Class::Wall => "IFCWALL",
            Class::Plate => "IFCPLATE",
            Class::Covering => "IFCCOVERING",
            Class::Door => "IFCDOOR",
            Class::Furniture => "IFCFURNITURE",
            Class::Proxy => "IFCBUILDINGELEMENTPROXY",
            Class::CableCarrierSegment => "IFCCABLECARRIERSEGMENT",
            Class::CableCarrierFitting => "IFCCABLECARRIERFITTING",
            Class::CableSegment => "IFCCABLESEGMENT",
            Class::DuctSegment => "IFCDUCTSEGMENT",
            Class::DuctFitting => "IFCDUCTFITTING",
            Class::PipeSegment => "IFCPIPESEGMENT",
            Class::PipeFitting => "IFCPIPEFITTING",
            Class::UnitaryEquipment => "IFCUNITARYEQUIPMENT",
            Class::ElectricDistributionBoard => "IFCELECTRICDISTRIBUTIONBOARD",
            Class::ElectricFlowStorageDevice => "IFCELECTRICFLOWSTORAGEDEVICE",
            Class::FireSuppressionTerminal => "IFCFIRESUPPRESSIONTERMINAL",
            Class::LightFixture => "IFCLIGHTFIXTURE",
            Class::AirTerminal => "IFCAIRTERMINAL",
            Class::ProtectiveDevice => "IFCPROTECTIVEDEVICE",
        }
    }

    /// The schema spelling used in rule selectors (`IfcColumn`).
    #[cfg(test)]
    pub(crate) fn ifc(self) -> &'static str {
        match self {
            Class::Column => "IfcColumn",
            Class::Beam => "IfcBeam",
            Class::Slab => "IfcSlab",
            Class::Wall => "IfcWall",
            Class::Plate => "IfcPlate",
            Class::Covering => "IfcCovering",
            Class::Door => "IfcDoor",
            Class::Furniture => "IfcFurniture",
            Class::Proxy => "IfcBuildingElementProxy",
            Class::CableCarrierSegment => "IfcCableCarrierSegment",
            Class::CableCarrierFitting => "IfcCableCarrierFitting",
            Class::CableSegment => "IfcCableSegment",
            Class::DuctSegment => "IfcDuctSegment",
            Class::DuctFitting => "IfcDuctFitting",
            Class::PipeSegment => "IfcPipeSegment",
            Class::PipeFitting => "IfcPipeFitting",
            Class::UnitaryEquipment => "IfcUnitaryEquipment",
            Class::ElectricDistributionBoard => "IfcElectricDistributionBoard",
            Class::ElectricFlowStorageDevice => "IfcElectricFlowStorageDevice",
            Class::FireSuppressionTerminal => "IfcFireSuppressionTerminal",
            Class::LightFixture => "IfcLightFixture",
            Class::AirTerminal => "IfcAirTerminal",
            Class::ProtectiveDevice => "IfcProtectiveDevice",
        }
    }
}

/// The construction phase of an element, written to the `Plumbline_Phase` property set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Built by the schedule and kept.
    New,
    /// Present before the schedule starts (possibly demolished by a task).
    Existing,
    /// Erected by one task and removed by another.
    Temporary,
}

impl Phase {
    fn label(self) -> &'static str {
        match self {
            Phase::New => "NEW",
            Phase::Existing => "EXISTING",
            Phase::Temporary => "TEMPORARY",
        }
    }

    fn index(self) -> usize {
        match self {
            Phase::New => 0,
            Phase::Existing => 1,
            Phase::Temporary => 2,
        }
    }
}

/// The solid of an element, given by its exact world bounding box.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    /// A rectangular prism extruded upwards; the element's local +Y axis looks to `front`.
    Block { b: Aabb, front: Facing },
    /// A rectangular bar extruded along X or Y.
    Bar { b: Aabb, along: Axis },
    /// A cylinder along X, Y or Z; its cross-section in `b` must be square.
    Round { b: Aabb, along: Axis },
    /// An I-section along X or Y (a beam: width horizontal, depth vertical) or Z (a column).
    ISection { b: Aabb, along: Axis, web: i64, flange: i64 },
    /// An instance of the shared rack representation map.
    Mapped { b: Aabb, front: Facing },
}

impl Shape {
    pub(crate) fn bbox(&self) -> Aabb {
        match *self {
            Shape::Block { b, .. }
            | Shape::Bar { b, .. }
            | Shape::Round { b, .. }
            | Shape::ISection { b, .. }
            | Shape::Mapped { b, .. } => b,
        }
    }

    /// A discriminant so that the duplicate check compares like with like.
    pub(crate) fn kind(&self) -> u8 {
        match self {
            Shape::Block { .. } => 0,
            Shape::Bar { .. } => 1,
            Shape::Round { .. } => 2,
            Shape::ISection { .. } => 3,
            Shape::Mapped { .. } => 4,
        }
    }

    fn front(&self) -> Option<Facing> {
        match *self {
            Shape::Block { front, .. } | Shape::Mapped { front, .. } => Some(front),
            _ => None,
        }
    }
}

/// The IFC class and type codes of an element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kind {
    pub(crate) class: Class,
    /// The PredefinedType enumeration value, without dots.
    pub(crate) predef: &'static str,
    /// The ObjectType: an English type code (never localised, so rules can match on it).
    pub(crate) otype: Option<&'static str>,
}

pub(crate) const fn kind(class: Class, predef: &'static str, otype: Option<&'static str>) -> Kind {
    Kind { class, predef, otype }
}

/// How an element takes part in the schedule.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sched {
    /// Built by the task and kept.
    New(usize),
    /// There before the schedule and kept.
    Existing,
    /// There before the schedule and removed by the task.
    Demolished(usize),
    /// Erected by the first task and removed by the second.
    Temporary(usize, usize),
}

/// One element to write.
#[derive(Debug)]
pub(crate) struct Elem<'a> {
    pub(crate) class: Class,
    /// The PredefinedType enumeration value, without dots.
    pub(crate) predef: &'static str,
    /// The ObjectType: an English type code (never localised, so rules can match on it).
    pub(crate) otype: Option<&'static str>,
    pub(crate) key: Key,
    pub(crate) name: fmt::Arguments<'a>,
    pub(crate) shape: Shape,
    pub(crate) system: Option<usize>,
    pub(crate) phase: Phase,
    /// The task that builds (or erects) the element.
    pub(crate) task: Option<usize>,
    /// The task that removes the element (dismantling or demolition).
    pub(crate) end_task: Option<usize>,
}

/// A written element, as layout code needs to refer to it again.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placed {
    pub(crate) id: Id,
    pub(crate) placement: Id,
    pub(crate) guid: Guid,
    pub(crate) b: Aabb,
    /// The local origin in half millimetres, for placements relative to this element.
    origin2: [i64; 3],
}

/// What the tests know about every physical element: the independent truth check runs
/// on these records.
#[derive(Clone, Debug)]
#[cfg_attr(not(test), allow(dead_code, reason = "only the test-suite's brute-force check reads records"))]
pub(crate) struct Record {
    pub(crate) guid: Guid,
    pub(crate) class: Class,
    pub(crate) otype: Option<&'static str>,
    pub(crate) b: Aabb,
    pub(crate) shape_kind: u8,
    pub(crate) front: Option<Facing>,
    pub(crate) phase: Phase,
    pub(crate) task: Option<usize>,
    pub(crate) end_task: Option<usize>,
}

/// What the tests get besides the file: every element's record and the tasks.
pub(crate) type Internals = (Vec<Record>, Vec<TaskDef>);

/// A finished model: the text, its truth and, when asked for, the internals.
pub(crate) type Output = (String, Truth, Option<Internals>);

/// A schedule task.  Times are whole days from the project start, half-open `[start, end)`.
#[derive(Debug)]
pub(crate) struct TaskDef {
    pub(crate) name: String,
    pub(crate) ident: String,
    pub(crate) predef: &'static str,
    pub(crate) otype: Option<&'static str>,
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) parent: Option<usize>,
    summary: bool,
    objs: Vec<Id>,
}

#[derive(Debug)]
struct SystemDef {
    key: String,
    name: String,
    predef: &'static str,
    power_path: Option<&'static str>,
    objs: Vec<Id>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Profile {
    Rect(i64, i64),
    Circle(i64),
    I { w: i64, d: i64, web: i64, flange: i64 },
}

/// Shared direction entities.
#[derive(Clone, Copy, Debug)]
struct Dirs {
    px: Id,
    py: Id,
    pz: Id,
    nx: Id,
    ny: Id,
}

/// Relationship lists are split so that no single STEP line grows to megabytes; IFC allows
/// several relationships per relating object.
const CHUNK: usize = 4096;

/// Days from 1970-01-01 to a civil date (proleptic Gregorian), after H. Hinnant.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count from 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// Names of the model, its file and its spatial structure.
#[derive(Debug)]
pub(crate) struct Skeleton<'a> {
    pub(crate) file_name: &'a str,
    pub(crate) project: &'a str,
    pub(crate) site: &'a str,
    pub(crate) building: &'a str,
    pub(crate) storey: &'a str,
    pub(crate) schedule: &'a str,
}

/// The model being written.
#[derive(Debug)]
pub(crate) struct Ctx {
    w: Writer,
    seed: u64,
    oh: Id,
    body: Id,
    dirs: Dirs,
    origin_pt: Id,
    origin2: Id,
    origin3: Id,
    project: Id,
    building: Id,
    storey: Id,
    storey_placement: Id,
    schedule_name: String,
    /// The project start, in days since 1970-01-01.
    start_day: i64,
    profiles: BTreeMap<Profile, Id>,
    maps: BTreeMap<(i64, i64, i64), Id>,
    map_op: Option<Id>,
    contained: Vec<Id>,
    spaces: Vec<Id>,
    phases: [Vec<Id>; 3],
    systems: Vec<SystemDef>,
    pub(crate) tasks: Vec<TaskDef>,
    sequences: Vec<(usize, usize, &'static str, i64)>,
    records: Option<Vec<Record>>,
    pub(crate) truth: Truth,
    scratch: String,
}

impl Ctx {
    /// Writes the header and the project skeleton.  `capacity` pre-sizes the output.
    pub(crate) fn new(seed: u64, names: &Skeleton<'_>, capacity: usize, record: bool) -> Self {
        // A fixed project start derived from the seed, never from the clock: a Monday in 2025
        // or 2026, so that outputs are reproducible and different seeds give different dates.
        let start_day = days_from_civil(2025, 1, 6) + 7 * (seed % 52) as i64;
        let mut w = Writer::new(capacity);
        let (y, m, d) = civil_from_days(start_day - 14);
        // `write!` into a String cannot fail; the header is written once, so the formatted
        // path is fine here.
        let _ = write!(
            w.out,
            "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [DesignTransferView]'),'2;1');\n\
             FILE_NAME('{}','{y:04}-{m:02}-{d:02}T09:00:00',('Plumbline'),('Plumbline'),\
             'plumbline-samples','plumbline-samples','');\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n",
            crate::step::step_string(names.file_name),
        );
        let creation = (start_day - 14) * 86_400 + 9 * 3600;

        let person = w.ent("IFCPERSON").null().s("Line").s("Plumb").null().null().null().null().null().end();
        let org = w.ent("IFCORGANIZATION").null().s("Plumbline").null().null().null().end();
        let pao = w.ent("IFCPERSONANDORGANIZATION").r(person).r(org).null().end();
        let app = w
            .ent("IFCAPPLICATION")
            .r(org)
            .s("1")
            .s("Plumbline sample generator")
            .s("plumbline-samples")
            .end();
        let oh = w
            .ent("IFCOWNERHISTORY")
            .r(pao)
            .r(app)
            .null()
            .e("ADDED")
            .int(creation as u64)
            .r(pao)
            .r(app)
            .int(creation as u64)
            .end();
        let units = [
            w.ent("IFCSIUNIT").star().e("LENGTHUNIT").null().e("METRE").end(),
            w.ent("IFCSIUNIT").star().e("AREAUNIT").null().e("SQUARE_METRE").end(),
            w.ent("IFCSIUNIT").star().e("VOLUMEUNIT").null().e("CUBIC_METRE").end(),
            w.ent("IFCSIUNIT").star().e("PLANEANGLEUNIT").null().e("RADIAN").end(),
            w.ent("IFCSIUNIT").star().e("TIMEUNIT").null().e("SECOND").end(),
        ];
        let unit_assignment = w.ent("IFCUNITASSIGNMENT").refs(&units).end();

        let origin_pt = w
            .ent("IFCCARTESIANPOINT")
            .list(|l| {
                l.mm(0).mm(0).mm(0);
            })
            .end();
        let dir = |w: &mut Writer, v: [i64; 3]| {
            w.ent("IFCDIRECTION")
                .list(|l| {
                    for c in v {
                        l.raw(match c {
                            1 => "1.",
                            -1 => "-1.",
                            _ => "0.",
                        });
                    }
                })
                .end()
        };
        let dirs = Dirs {
            px: dir(&mut w, [1, 0, 0]),
            py: dir(&mut w, [0, 1, 0]),
            pz: dir(&mut w, [0, 0, 1]),
            nx: dir(&mut w, [-1, 0, 0]),
            ny: dir(&mut w, [0, -1, 0]),
        };
        let origin3 = w.ent("IFCAXIS2PLACEMENT3D").r(origin_pt).null().null().end();
        let origin2_pt = w
            .ent("IFCCARTESIANPOINT")
            .list(|l| {
                l.mm(0).mm(0);
            })
            .end();
        let origin2 = w.ent("IFCAXIS2PLACEMENT2D").r(origin2_pt).null().end();
        let wcs = w.ent("IFCAXIS2PLACEMENT3D").r(origin_pt).r(dirs.pz).r(dirs.px).end();
        let model = w
            .ent("IFCGEOMETRICREPRESENTATIONCONTEXT")
            .null()
            .s("Model")
            .int(3)
            .raw("1.E-05")
            .r(wcs)
            .null()
            .end();
        let body = w
            .ent("IFCGEOMETRICREPRESENTATIONSUBCONTEXT")
            .s("Body")
            .s("Model")
            .star()
            .star()
            .star()
            .star()
            .r(model)
            .null()
            .e("MODEL_VIEW")
            .null()
            .end();

        let g = |tag: &str| Key::new(seed, tag).guid();
        let project = w
            .ent("IFCPROJECT")
            .s(g("project").as_str())
            .r(oh)
            .s(names.project)
            .null()
            .null()
            .null()
            .null()
            .refs(&[model])
            .r(unit_assignment)
            .end();
        let site_lp = w.ent("IFCLOCALPLACEMENT").null().r(origin3).end();
        let site = w
            .ent("IFCSITE")
            .s(g("site").as_str())
            .r(oh)
            .s(names.site)
            .null()
            .null()
            .r(site_lp)
            .null()
            .null()
            .e("ELEMENT")
            .null()
            .null()
            .null()
            .null()
            .null()
            .end();
        let building_lp = w.ent("IFCLOCALPLACEMENT").r(site_lp).r(origin3).end();
        let building = w
            .ent("IFCBUILDING")
            .s(g("building").as_str())
            .r(oh)
            .s(names.building)
            .null()
            .null()
            .r(building_lp)
            .null()
            .null()
            .e("ELEMENT")
            .null()
            .null()
            .null()
            .end();
        let storey_placement = w.ent("IFCLOCALPLACEMENT").r(building_lp).r(origin3).end();
        let storey = w
            .ent("IFCBUILDINGSTOREY")
            .s(g("storey").as_str())
            .r(oh)
            .s(names.storey)
            .null()
            .null()
            .r(storey_placement)
            .null()
            .null()
            .e("ELEMENT")
            .mm(0)
            .end();
        w.ent("IFCRELAGGREGATES")
            .s(g("agg-project").as_str())
            .r(oh)
            .null()
            .null()
            .r(project)
            .refs(&[site])
            .end();
        w.ent("IFCRELAGGREGATES")
            .s(g("agg-site").as_str())
            .r(oh)
            .null()
            .null()
            .r(site)
            .refs(&[building])
            .end();
        w.ent("IFCRELAGGREGATES")
            .s(g("agg-building").as_str())
            .r(oh)
            .null()
            .null()
            .r(building)
            .refs(&[storey])
            .end();

        Self {
            w,
            seed,
            oh,
            body,
            dirs,
            origin_pt,
            origin2,
            origin3,
            project,
            building,
            storey,
            storey_placement,
            schedule_name: names.schedule.to_owned(),
            start_day,
            profiles: BTreeMap::new(),
            maps: BTreeMap::new(),
            map_op: None,
            contained: Vec::new(),
            spaces: Vec::new(),
            phases: [Vec::new(), Vec::new(), Vec::new()],
            systems: Vec::new(),
            tasks: Vec::new(),
            sequences: Vec::new(),
            records: record.then(Vec::new),
            truth: Truth { clashes: Vec::new(), non_clashes: Vec::new() },
            scratch: String::with_capacity(128),
        }
    }

    /// Registers a distribution system; its members get a `Plumbline_System` property set.
    pub(crate) fn system(
        &mut self,
        key: &str,
        name: &str,
        predef: &'static str,
        power_path: Option<&'static str>,
    ) -> usize {
        self.systems.push(SystemDef {
            key: key.to_owned(),
            name: name.to_owned(),
            predef,
            power_path,
            objs: Vec::new(),
        });
        self.systems.len() - 1
    }

    /// Adds a leaf (or, with `summary`, a summary) task; summary times are derived from
    /// their children when the file is finished.
    #[allow(clippy::too_many_arguments, reason = "a task is a flat record of schedule attributes")]
    pub(crate) fn task(
        &mut self,
        parent: Option<usize>,
        ident: String,
        name: String,
        predef: &'static str,
        otype: Option<&'static str>,
        start: i64,
        days: i64,
        summary: bool,
    ) -> usize {
        // A summary starts empty (start after end) and grows to cover its children.
        let (start, end) = if summary { (i64::MAX, i64::MIN) } else { (start, start + days) };
        self.tasks.push(TaskDef {
            name,
            ident,
            predef,
            otype,
            start,
            end,
            parent,
            summary,
            objs: Vec::new(),
        });
        self.tasks.len() - 1
    }

    /// Adds a sequence relationship with a lag in days.
    pub(crate) fn sequence(&mut self, from: usize, to: usize, kind: &'static str, lag_days: i64) {
        self.sequences.push((from, to, kind, lag_days));
    }

    fn profile(&mut self, p: Profile) -> Id {
        if let Some(&id) = self.profiles.get(&p) {
            return id;
        }
        let o2 = self.origin2;
        let id = match p {
            Profile::Rect(x, y) => {
                self.w.ent("IFCRECTANGLEPROFILEDEF").e("AREA").null().r(o2).mm(x).mm(y).end()
            }
            Profile::Circle(r) => self.w.ent("IFCCIRCLEPROFILEDEF").e("AREA").null().r(o2).mm(r).end(),
            Profile::I { w, d, web, flange } => self
                .w
                .ent("IFCISHAPEPROFILEDEF")
                .e("AREA")
                .null()
                .r(o2)
                .mm(w)
                .mm(d)
                .mm(web)
                .mm(flange)
                .null()
                .null()
                .null()
                .end(),
        };
        self.profiles.insert(p, id);
        id
    }

    fn extrusion(&mut self, p: Profile, depth: i64) -> Id {
        let prof = self.profile(p);
        let (o3, z) = (self.origin3, self.dirs.pz);
        self.w.ent("IFCEXTRUDEDAREASOLID").r(prof).r(o3).r(z).mm(depth).end()
    }

    /// The shared representation map for an instanced box of the given local size.
    fn map(&mut self, x: i64, y: i64, z: i64) -> Id {
        if let Some(&id) = self.maps.get(&(x, y, z)) {
            return id;
        }
        let solid = self.extrusion(Profile::Rect(x, y), z);
        let body = self.body;
        let rep = self.w.ent("IFCSHAPEREPRESENTATION").r(body).s("Body").s("SweptSolid").refs(&[solid]).end();
        let o3 = self.origin3;
        let id = self.w.ent("IFCREPRESENTATIONMAP").r(o3).r(rep).end();
        self.maps.insert((x, y, z), id);
        id
    }

    /// The (Axis, RefDirection) pair that turns local +Y towards `front`; `None` is the
    /// identity, written as `$,$`.
    fn facing_axes(&self, front: Facing) -> Option<(Id, Id)> {
        let d = self.dirs;
        match front {
            Facing::PosY => None,
            Facing::NegY => Some((d.pz, d.nx)),
            Facing::NegX => Some((d.pz, d.py)),
            Facing::PosX => Some((d.pz, d.ny)),
        }
    }

    /// Writes the local placement for an origin (half millimetres) and optional axes.
    fn placement(&mut self, rel: Id, o2: [i64; 3], axes: Option<(Id, Id)>) -> Id {
        let pt = if o2 == [0, 0, 0] {
            self.origin_pt
        } else {
            self.w
                .ent("IFCCARTESIANPOINT")
                .list(|l| {
                    l.half_mm(o2[0]).half_mm(o2[1]).half_mm(o2[2]);
                })
                .end()
        };
        let ap = match axes {
            Some((a, r)) => self.w.ent("IFCAXIS2PLACEMENT3D").r(pt).r(a).r(r).end(),
            None => self.w.ent("IFCAXIS2PLACEMENT3D").r(pt).null().null().end(),
        };
        self.w.ent("IFCLOCALPLACEMENT").r(rel).r(ap).end()
    }

    /// Writes the placement and body representation of a shape; returns the placement,
    /// the product definition shape and the local origin (half millimetres).
    fn geometry(&mut self, shape: &Shape, rel: Id, rel_origin2: [i64; 3]) -> (Id, Id, [i64; 3]) {
        let b = shape.bbox();
        let (sx, sy, sz) = (b.size(Axis::X), b.size(Axis::Y), b.size(Axis::Z));
        let (cx2, cy2, cz2) = (b.centre2(Axis::X), b.centre2(Axis::Y), b.centre2(Axis::Z));
        let d = self.dirs;
        // Each arm picks the local frame (origin and axes) and the swept profile so that
        // the solid fills exactly `b`.
        let (o2, axes, profile, depth, mapped) = match *shape {
            Shape::Block { front, .. } | Shape::Mapped { front, .. } => {
                let axes = self.facing_axes(front);
                let (px, py) = if front.axis() == Axis::Y { (sx, sy) } else { (sy, sx) };
                let mapped = matches!(shape, Shape::Mapped { .. });
                ([cx2, cy2, 2 * b.min[2]], axes, Profile::Rect(px, py), sz, mapped)
            }
            Shape::Bar { along, .. } | Shape::Round { along, .. } | Shape::ISection { along, .. } => {
                let (o2, axes, w, h, depth) = match along {
                    Axis::X => ([2 * b.min[0], cy2, cz2], Some((d.px, d.py)), sy, sz, sx),
                    Axis::Y => ([cx2, 2 * b.min[1], cz2], Some((d.py, d.nx)), sx, sz, sy),
                    Axis::Z => ([cx2, cy2, 2 * b.min[2]], None, sx, sy, sz),
                };
                let profile = match *shape {
                    Shape::Round { .. } => {
                        debug_assert!(w == h && w % 2 == 0, "a cylinder needs a square, even cross-section");
                        Profile::Circle(w / 2)
                    }
                    Shape::ISection { web, flange, .. } => Profile::I { w, d: h, web, flange },
                    _ => Profile::Rect(w, h),
                };
                (o2, axes, profile, depth, false)
            }
        };
        let rel_o2 = [o2[0] - rel_origin2[0], o2[1] - rel_origin2[1], o2[2] - rel_origin2[2]];
        let lp = self.placement(rel, rel_o2, axes);
        let (item, rep_type) = if mapped {
            let Profile::Rect(px, py) = profile else { unreachable!("mapped shapes are boxes") };
            let map = self.map(px, py, depth);
            let op = match self.map_op {
                Some(op) => op,
                None => {
                    let o = self.origin_pt;
                    let op = self
                        .w
                        .ent("IFCCARTESIANTRANSFORMATIONOPERATOR3D")
                        .null()
                        .null()
                        .r(o)
                        .raw("1.")
                        .null()
                        .end();
                    self.map_op = Some(op);
                    op
                }
            };
            (self.w.ent("IFCMAPPEDITEM").r(map).r(op).end(), "MappedRepresentation")
        } else {
            (self.extrusion(profile, depth), "SweptSolid")
        };
        let body = self.body;
        let rep = self.w.ent("IFCSHAPEREPRESENTATION").r(body).s("Body").s(rep_type).refs(&[item]).end();
        let pds = self.w.ent("IFCPRODUCTDEFINITIONSHAPE").null().null().refs(&[rep]).end();
        (lp, pds, o2)
    }

    /// Writes one physical element (see [`Ctx::add`]).
    pub(crate) fn put(
        &mut self,
        k: Kind,
        key: Key,
        name: fmt::Arguments<'_>,
        shape: Shape,
        system: Option<usize>,
        sched: Sched,
    ) -> Placed {
        let (phase, task, end_task) = match sched {
            Sched::New(t) => (Phase::New, Some(t), None),
            Sched::Existing => (Phase::Existing, None, None),
            Sched::Demolished(t) => (Phase::Existing, None, Some(t)),
            Sched::Temporary(a, b) => (Phase::Temporary, Some(a), Some(b)),
        };
        self.add(Elem {
            class: k.class,
            predef: k.predef,
            otype: k.otype,
            key,
            name,
            shape,
            system,
            phase,
            task,
            end_task,
        })
    }

    /// Writes one physical element and files it under the storey, its system, its phase
    /// property set and its tasks.
    pub(crate) fn add(&mut self, e: Elem<'_>) -> Placed {
        let guid = e.key.guid();
        let b = e.shape.bbox();
        let (rel, oh) = (self.storey_placement, self.oh);
        let (lp, pds, o2) = self.geometry(&e.shape, rel, [0, 0, 0]);
        self.scratch.clear();
        // `write_fmt` into a String cannot fail.
        let _ = self.scratch.write_fmt(e.name);
        let a = &mut self.w.ent(e.class.step());
        a.s(guid.as_str()).r(oh).s(&self.scratch).null().so(e.otype).r(lp).r(pds).null();
        if e.class == Class::Door {
            let width = b.size(Axis::X).max(b.size(Axis::Y));
            a.mm(b.size(Axis::Z)).mm(width).e(e.predef).e("SINGLE_SWING_LEFT").null();
        } else {
            a.e(e.predef);
        }
        let id = a.end();
        self.file(id, &e);
        if let Some(r) = &mut self.records {
            r.push(Record {
                guid,
                class: e.class,
                otype: e.otype,
                b,
                shape_kind: e.shape.kind(),
                front: e.shape.front(),
                phase: e.phase,
                task: e.task,
                end_task: e.end_task,
            });
        }
        Placed { id, placement: lp, guid, b, origin2: o2 }
    }

    fn file(&mut self, id: Id, e: &Elem<'_>) {
        self.contained.push(id);
        self.phases[e.phase.index()].push(id);
        if let Some(s) = e.system {
            self.systems[s].objs.push(id);
        }
        for t in [e.task, e.end_task].into_iter().flatten() {
            self.tasks[t].objs.push(id);
        }
    }

    /// Cuts an opening of box `b` into `wall` (placed relative to the wall) and returns it.
    pub(crate) fn opening(&mut self, wall: &Placed, key: Key, b: Aabb) -> Id {
        let guid = key.guid();
        let shape = Shape::Block { b, front: Facing::PosY };
        let (lp, pds, _) = self.geometry(&shape, wall.placement, wall.origin2);
        let oh = self.oh;
        let id = self
            .w
            .ent("IFCOPENINGELEMENT")
            .s(guid.as_str())
            .r(oh)
            .s("Opening")
            .null()
            .null()
            .r(lp)
            .r(pds)
            .null()
            .e("OPENING")
            .end();
        let rel = key.s("voids").guid();
        self.w.ent("IFCRELVOIDSELEMENT").s(rel.as_str()).r(oh).null().null().r(wall.id).r(id).end();
        id
    }

    /// Records that `door` fills `opening`.
    pub(crate) fn fill(&mut self, opening: Id, door: &Placed, key: Key) {
        let oh = self.oh;
        let g = key.s("fills").guid();
        self.w.ent("IFCRELFILLSELEMENT").s(g.as_str()).r(oh).null().null().r(opening).r(door.id).end();
    }

    /// The writer and the owner history, for sections that write their own entities
    /// (property sets, coverings).
    pub(crate) fn writer(&mut self) -> (&mut Writer, Id) {
        (&mut self.w, self.oh)
    }

    /// Writes a space (room) with a box body and aggregates it under the storey.
    pub(crate) fn space(&mut self, key: Key, name: &str, long_name: &str, b: Aabb) {
        let guid = key.guid();
        let rel = self.storey_placement;
        let (lp, pds, _) = self.geometry(&Shape::Block { b, front: Facing::PosY }, rel, [0, 0, 0]);
        let oh = self.oh;
        let id = self
            .w
            .ent("IFCSPACE")
            .s(guid.as_str())
            .r(oh)
            .s(name)
            .null()
            .null()
            .r(lp)
            .r(pds)
            .s(long_name)
            .e("ELEMENT")
            .e("INTERNAL")
            .null()
            .end();
        self.spaces.push(id);
    }

    /// Records a seeded clash.  Hard and time clashes take their depth from the boxes, so
    /// the truth is exactly the geometry that was written.
    pub(crate) fn clash(&mut self, a: &Placed, b: &Placed, kind: &str, test: &str, gap_mm: Option<i64>) {
        let mm = match gap_mm {
            Some(g) => g,
            None if kind == "duplicate" => 0,
            None => a.b.penetration(&b.b),
        };
        self.truth.clashes.push(TruthClash {
            a: a.guid.as_str().to_owned(),
            b: b.guid.as_str().to_owned(),
            kind: kind.to_owned(),
            distance_m: mm as f64 / 1000.0,
            test: test.to_owned(),
        });
    }

    /// Records a pair that must not be reported.
    pub(crate) fn non_clash(&mut self, a: &Placed, b: &Placed, why: &str) {
        self.truth.non_clashes.push(TruthNonClash {
            a: a.guid.as_str().to_owned(),
            b: b.guid.as_str().to_owned(),
            why: why.to_owned(),
        });
    }

    fn date(&self, day: i64, hour: u32) -> String {
        let (y, m, d) = civil_from_days(self.start_day + day);
        format!("{y:04}-{m:02}-{d:02}T{hour:02}:00:00")
    }

    /// Writes relationship lists split into chunks, each with its own GlobalId.
    fn chunked(&mut self, objs: &[Id], key: Key, mut f: impl FnMut(&mut Writer, Guid, &[Id])) {
        for (i, chunk) in objs.chunks(CHUNK).enumerate() {
            f(&mut self.w, key.n(i as u64).guid(), chunk);
        }
    }

    /// Writes all relationships that list elements, and the schedule; returns the file.
    pub(crate) fn finish(mut self) -> Output {
        let oh = self.oh;
        let storey = self.storey;
        let contained = std::mem::take(&mut self.contained);
        self.chunked(&contained, Key::new(self.seed, "rel-contained"), |w, g, c| {
            w.ent("IFCRELCONTAINEDINSPATIALSTRUCTURE")
                .s(g.as_str())
                .r(oh)
                .null()
                .null()
                .refs(c)
                .r(storey)
                .end();
        });
        if !self.spaces.is_empty() {
            let g = Key::new(self.seed, "agg-spaces").guid();
            let spaces = std::mem::take(&mut self.spaces);
            self.w.ent("IFCRELAGGREGATES").s(g.as_str()).r(oh).null().null().r(storey).refs(&spaces).end();
        }
        self.write_phases();
        self.write_systems();
        self.write_schedule();
        self.w.out.push_str("ENDSEC;\nEND-ISO-10303-21;\n");
        let internals = self.records.take().map(|r| (r, std::mem::take(&mut self.tasks)));
        (self.w.out, self.truth, internals)
    }

    fn write_phases(&mut self) {
        let oh = self.oh;
        for phase in [Phase::New, Phase::Existing, Phase::Temporary] {
            let objs = std::mem::take(&mut self.phases[phase.index()]);
            if objs.is_empty() {
                continue;
            }
            let p1 = self
                .w
                .ent("IFCPROPERTYSINGLEVALUE")
                .s("Phase")
                .null()
                .typed_s("IFCLABEL", phase.label())
                .null()
                .end();
            let temp = if phase == Phase::Temporary { "IFCBOOLEAN(.T.)" } else { "IFCBOOLEAN(.F.)" };
            let p2 = self.w.ent("IFCPROPERTYSINGLEVALUE").s("Temporary").null().raw(temp).null().end();
            let key = Key::new(self.seed, "pset-phase").s(phase.label());
            let g = key.guid();
            let pset = self
                .w
                .ent("IFCPROPERTYSET")
                .s(g.as_str())
                .r(oh)
                .s("Plumbline_Phase")
                .null()
                .refs(&[p1, p2])
                .end();
            self.chunked(&objs, key.s("rel"), |w, g, c| {
                w.ent("IFCRELDEFINESBYPROPERTIES").s(g.as_str()).r(oh).null().null().refs(c).r(pset).end();
            });
        }
    }

    fn write_systems(&mut self) {
        let oh = self.oh;
        let building = self.building;
        let systems = std::mem::take(&mut self.systems);
        for s in &systems {
            if s.objs.is_empty() {
                continue;
            }
            let key = Key::new(self.seed, "system").s(&s.key);
            let g = key.guid();
            let sys = self
                .w
                .ent("IFCDISTRIBUTIONSYSTEM")
                .s(g.as_str())
                .r(oh)
                .s(&s.name)
                .null()
                .null()
                .null()
                .e(s.predef)
                .end();
            self.chunked(&s.objs, key.s("group"), |w, g, c| {
                w.ent("IFCRELASSIGNSTOGROUP").s(g.as_str()).r(oh).null().null().refs(c).null().r(sys).end();
            });
            let g = key.s("serves").guid();
            self.w
                .ent("IFCRELSERVICESBUILDINGS")
                .s(g.as_str())
                .r(oh)
                .null()
                .null()
                .r(sys)
                .refs(&[building])
                .end();
            let mut props = Vec::with_capacity(2);
            props.push(
                self.w
                    .ent("IFCPROPERTYSINGLEVALUE")
                    .s("SystemName")
                    .null()
                    .typed_s("IFCLABEL", &s.name)
                    .null()
                    .end(),
            );
            if let Some(p) = s.power_path {
                props.push(
                    self.w
                        .ent("IFCPROPERTYSINGLEVALUE")
                        .s("PowerPath")
                        .null()
                        .typed_s("IFCLABEL", p)
                        .null()
                        .end(),
                );
            }
            let g = key.s("pset").guid();
            let pset = self
                .w
                .ent("IFCPROPERTYSET")
                .s(g.as_str())
                .r(oh)
                .s("Plumbline_System")
                .null()
                .refs(&props)
                .end();
            self.chunked(&s.objs, key.s("pset-rel"), |w, g, c| {
                w.ent("IFCRELDEFINESBYPROPERTIES").s(g.as_str()).r(oh).null().null().refs(c).r(pset).end();
            });
        }
    }

    fn write_schedule(&mut self) {
        if self.tasks.is_empty() {
            return;
        }
        let oh = self.oh;
        // Summary tasks span their children; children always come after their parent, so
        // one reverse pass settles nested summaries.
        for i in (0..self.tasks.len()).rev() {
            if let Some(p) = self.tasks[i].parent {
                let (s, e) = (self.tasks[i].start, self.tasks[i].end);
                let parent = &mut self.tasks[p];
                parent.start = parent.start.min(s);
                parent.end = parent.end.max(e);
            }
        }
        let first = self.tasks.iter().map(|t| t.start).min().unwrap_or(0);
        let last = self.tasks.iter().map(|t| t.end).max().unwrap_or(0);
        let key = Key::new(self.seed, "schedule");
        let g = key.guid();
        let created = self.date(-14, 9);
        let (start, finish) = (self.date(first, 8), self.date(last - 1, 17));
        let duration = format!("P{}D", last - first);
        let name = self.schedule_name.clone();
        let schedule = self
            .w
            .ent("IFCWORKSCHEDULE")
            .s(g.as_str())
            .r(oh)
            .s(&name)
            .null()
            .null()
            .s("WS-1")
            .s(&created)
            .null()
            .null()
            .s(&duration)
            .null()
            .s(&start)
            .s(&finish)
            .e("PLANNED")
            .end();
        let project = self.project;
        let g = key.s("declares").guid();
        self.w.ent("IFCRELDECLARES").s(g.as_str()).r(oh).null().null().r(project).refs(&[schedule]).end();

        let tasks = std::mem::take(&mut self.tasks);
        let mut ids = Vec::with_capacity(tasks.len());
        for t in &tasks {
            let (start, finish) = (self.date(t.start, 8), self.date(t.end - 1, 17));
            let dur = format!("P{}D", t.end - t.start);
            let time = self
                .w
                .ent("IFCTASKTIME")
                .null()
                .null()
                .null()
                .e("ELAPSEDTIME")
                .s(&dur)
                .s(&start)
                .s(&finish)
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .null()
                .end();
            let g = key.s("task").s(&t.ident).guid();
            let id = self
                .w
                .ent("IFCTASK")
                .s(g.as_str())
                .r(oh)
                .s(&t.name)
                .null()
                .so(t.otype)
                .s(&t.ident)
                .null()
                .null()
                .null()
                .b(false)
                .null()
                .r(time)
                .e(t.predef)
                .end();
            ids.push(id);
        }
        // Nesting: one IfcRelNests per summary task, children in creation order.
        for (p, t) in tasks.iter().enumerate() {
            if !t.summary {
                continue;
            }
            let children: Vec<Id> =
                tasks.iter().enumerate().filter(|(_, c)| c.parent == Some(p)).map(|(i, _)| ids[i]).collect();
            if children.is_empty() {
                continue;
            }
            let g = key.s("nests").s(&t.ident).guid();
            self.w.ent("IFCRELNESTS").s(g.as_str()).r(oh).null().null().r(ids[p]).refs(&children).end();
        }
        let g = key.s("control").guid();
        self.w
            .ent("IFCRELASSIGNSTOCONTROL")
            .s(g.as_str())
            .r(oh)
            .null()
            .null()
            .refs(&ids)
            .null()
            .r(schedule)
            .end();
        for &(a, b, kind, lag) in &std::mem::take(&mut self.sequences) {
            let lag_text = format!("IFCDURATION('P{lag}D')");
            let lag_id = self.w.ent("IFCLAGTIME").null().null().null().raw(&lag_text).e("ELAPSEDTIME").end();
            let g = key.s("seq").s(&tasks[a].ident).s(&tasks[b].ident).guid();
            self.w
                .ent("IFCRELSEQUENCE")
                .s(g.as_str())
                .r(oh)
                .null()
                .null()
                .r(ids[a])
                .r(ids[b])
                .r(lag_id)
                .e(kind)
                .null()
                .end();
        }
        for (i, t) in tasks.iter().enumerate() {
            if t.objs.is_empty() {
                continue;
            }
            let task_id = ids[i];
            self.chunked(&t.objs, key.s("process").s(&t.ident), |w, g, c| {
                w.ent("IFCRELASSIGNSTOPROCESS")
                    .s(g.as_str())
                    .r(oh)
                    .null()
                    .null()
                    .refs(c)
                    .null()
                    .r(task_id)
                    .null()
                    .end();
            });
        }
        self.tasks = tasks;
    }
}
