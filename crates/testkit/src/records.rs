//! Builders for the review records a report holds, with the plain defaults the history and
//! report tests share; a test changes the fields it is about with struct update syntax.

use plumbline_clash::ClashKind;
use plumbline_model::Aabb;
use plumbline_review::{ClashRecord, ElementInfo, Status, Text};

/// The unit box at the origin, where every record built here stands.
const UNIT_BOX: Aabb = Aabb { min: [0.0; 3], max: [1.0; 3] };

/// An element as a report names it: `class` `global_id` called `name`, in `hall.ifc` on
/// storey `Level 1`, in the unit box.
pub fn element_info(global_id: &str, class: &str, name: &str) -> ElementInfo {
    ElementInfo {
        global_id: global_id.into(),
        class: class.into(),
        name: Some(name.into()),
        file: "hall.ifc".into(),
        storey: Some("Level 1".into()),
        aabb: UNIT_BOX,
    }
}

/// A new hard clash of `test` between `a` and `b`: id `test/A-B` (the GlobalIds), group `g-A`,
/// 50 mm deep (exact) at (1, 2, 3), no explanation.
pub fn hard_clash(test: &str, a: ElementInfo, b: ElementInfo) -> ClashRecord {
    ClashRecord {
        triage: None,
        id: format!("{test}/{}-{}", a.global_id, b.global_id),
        number: None,
        test: test.into(),
        test_id: test.into(),
        kind: ClashKind::Hard,
        distance_m: 0.05,
        hard: true,
        exact: true,
        point: [1.0, 2.0, 3.0],
        overlap_aabb: UNIT_BOX,
        group: format!("g-{}", a.global_id),
        a,
        b,
        status: Status::New,
        explanation: Text::default(),
        overlap_volume_m3: None,
        basis: None,
    }
}
