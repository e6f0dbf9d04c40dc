//! The element kinds and the plan's fixed dimensions (millimetres), shared by the sample's
//! layout and the bays a variant adds.

use crate::build::{kind, Class, Kind, Shape};
use crate::geom::{Aabb, Facing};

pub(super) const EXT_WALL: Kind = kind(Class::Wall, "SOLIDWALL", None);
pub(super) const VAULT_WALL: Kind = kind(Class::Wall, "SHEAR", Some("VAULT WALL"));
pub(super) const PARTITION: Kind = kind(Class::Wall, "PARTITIONING", None);
pub(super) const COLUMN: Kind = kind(Class::Column, "COLUMN", None);
pub(super) const BEAM: Kind = kind(Class::Beam, "BEAM", None);
pub(super) const FLOOR: Kind = kind(Class::Slab, "FLOOR", None);
pub(super) const ROOF: Kind = kind(Class::Slab, "ROOF", None);
pub(super) const VAULT_SLAB: Kind = kind(Class::Slab, "FLOOR", Some("VAULT ROOF"));
pub(super) const DOOR: Kind = kind(Class::Door, "DOOR", None);
pub(super) const VAULT_DOOR: Kind = kind(Class::Door, "DOOR", Some("VAULT DOOR"));
pub(super) const CEILING: Kind = kind(Class::Covering, "CEILING", None);
pub(super) const COUNTER: Kind = kind(Class::Furniture, "USERDEFINED", Some("TELLER COUNTER"));
pub(super) const ATM: Kind = kind(Class::Furniture, "USERDEFINED", Some("ATM"));
pub(super) const DEPOSIT_BOXES: Kind = kind(Class::Furniture, "USERDEFINED", Some("SAFE DEPOSIT BOXES"));
pub(super) const SHELF: Kind = kind(Class::Furniture, "SHELF", None);
pub(super) const RACK: Kind = kind(Class::Furniture, "USERDEFINED", Some("SERVER RACK"));
pub(super) const BOARD: Kind = kind(Class::ElectricDistributionBoard, "DISTRIBUTIONBOARD", None);
pub(super) const UPS: Kind = kind(Class::ElectricFlowStorageDevice, "UPS", None);
pub(super) const DUCT: Kind = kind(Class::DuctSegment, "RIGIDSEGMENT", None);
pub(super) const DUCT_TEE: Kind = kind(Class::DuctFitting, "JUNCTION", None);
pub(super) const DIFFUSER: Kind = kind(Class::AirTerminal, "DIFFUSER", None);
pub(super) const PIPE: Kind = kind(Class::PipeSegment, "RIGIDSEGMENT", None);
pub(super) const COUPLING: Kind = kind(Class::PipeFitting, "CONNECTOR", None);
pub(super) const TRAY: Kind = kind(Class::CableCarrierSegment, "CABLETRAYSEGMENT", None);
pub(super) const TRAY_TEE: Kind = kind(Class::CableCarrierFitting, "TEE", None);
pub(super) const HEAD: Kind = kind(Class::FireSuppressionTerminal, "SPRINKLER", None);
pub(super) const LIGHT: Kind = kind(Class::LightFixture, "POINTSOURCE", None);
pub(super) const HOARDING: Kind = kind(Class::Proxy, "USERDEFINED", Some("HOARDING"));
pub(super) const SCAFFOLD: Kind = kind(Class::Proxy, "USERDEFINED", Some("SCAFFOLD"));
pub(super) const TEMP_COUNTER: Kind = kind(Class::Furniture, "USERDEFINED", Some("TELLER COUNTER"));
pub(super) const SCREEN: Kind = kind(Class::Wall, "PARTITIONING", Some("COUNTER SCREEN"));

pub(super) const LX: i64 = 24_000;
pub(super) const LY: i64 = 16_000;
pub(super) const EXT_T: i64 = 300;
pub(super) const PART_T: i64 = 150;
pub(super) const TOP: i64 = 4200;
pub(super) const PART_TOP: i64 = 2700;
pub(super) const CEIL_Z: (i64, i64) = (2700, 2720);
pub(super) const HEAD_Z: (i64, i64) = (2620, 2700);
pub(super) const LIGHT_Z: (i64, i64) = (2640, 2700);
pub(super) const SPR_Z: (i64, i64) = (2730, 2780);
pub(super) const TRAY_Z: (i64, i64) = (2850, 2950);
pub(super) const WATER_ZC: i64 = 3000;
pub(super) const DUCT_Z: (i64, i64) = (3300, 3650);
pub(super) const BEAM_BOTTOM: i64 = 3700;
pub(super) const BEAM_XS: [i64; 2] = [8000, 16_000];
/// Length of a structural bay along the banking hall.
pub(super) const BAY: i64 = 8000;

pub(super) fn shape_box(x: (i64, i64), y: (i64, i64), z: (i64, i64)) -> Shape {
    Shape::Block { b: Aabb::xyz(x, y, z), front: Facing::PosY }
}

/// A room: name, long name, key tag and inner box (x, y).
pub(super) struct Room {
    pub(super) tag: &'static str,
    pub(super) name: &'static str,
    pub(super) x: (i64, i64),
    pub(super) y: (i64, i64),
    pub(super) ceiling: bool,
}
