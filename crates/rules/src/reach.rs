//! What a reach test's records say: which way the operable part misses the range and by how
//! much, in English and Simplified Chinese. The engine reports a reach failure as a clearance
//! clash whose basis names the limit crossed; the review crate's clearance wording (a gap
//! against a clearance) does not fit it, so the records and their groups are explained here.

use plumbline_review::{group_clashes, ClashRecord, Grouping, TestReport, Text};

/// Millimetres for people: at most one decimal, no trailing `.0` (as the review crate writes
/// them).
fn mm(m: f64) -> String {
    let v = (m * 10_000.0).round() / 10.0;
    if v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Explains each record of a reach test with upper limit `max_m`, then groups them again so
/// that the groups quote the new wording.
pub(crate) fn explain_report(report: &mut TestReport, max_m: f64, grouping: Grouping) {
    for c in &mut report.clashes {
        c.explanation = explain(&report.info.name, c, max_m);
    }
    report.groups = group_clashes(&report.info, &mut report.clashes, grouping);
}

/// "Rule 'r': the operable part of A is 1350 mm above the floor (B), above the 1220 mm high
/// reach limit by 130 mm." The limit crossed is the record's required distance: the upper one
/// when it is `max_m`, else the lower one.
fn explain(name: &str, c: &ClashRecord, max_m: f64) -> Text {
    let (a, b) = (c.a.label(), c.b.label());
    let Some(limit_m) = c.basis.as_ref().and_then(|b| b.required_m) else {
        // Not a record of the reach engine: keep what the review crate wrote.
        return c.explanation.clone();
    };
    let above = limit_m == max_m;
    let height_m = if above { limit_m + c.distance_m } else { limit_m - c.distance_m };
    let (limit, by) = (mm(limit_m), mm(c.distance_m));
    let (where_en, where_zh) = if height_m >= 0.0 {
        (format!("{} mm above the floor", mm(height_m)), format!("距地面（{b}）{} 毫米", mm(height_m)))
    } else {
        (format!("{} mm below the floor", mm(-height_m)), format!("低于地面（{b}）{} 毫米", mm(-height_m)))
    };
    if above {
        Text {
            en: format!(
                "Rule '{name}': the operable part of {a} is {where_en} ({b}), above the {limit} mm high reach limit by {by} mm."
            ),
            zh: format!("规则「{name}」：{a} 的操作部件{where_zh}，高于 {limit} 毫米的高位可及限值 {by} 毫米。"),
        }
    } else {
        Text {
            en: format!(
                "Rule '{name}': the operable part of {a} is {where_en} ({b}), below the {limit} mm low reach limit by {by} mm."
            ),
            zh: format!("规则「{name}」：{a} 的操作部件{where_zh}，低于 {limit} 毫米的低位可及限值 {by} 毫米。"),
        }
    }
}

#[cfg(test)]
mod tests {
    use plumbline_clash::{ClashBasis, ClashKind};
    use plumbline_review::{ClashRecord, ElementInfo, Status, Text};

    fn record(distance_m: f64, limit_m: f64) -> ClashRecord {
        let info = |g: &str, class: &str, name: &str| ElementInfo {
            global_id: g.into(),
            class: class.into(),
            name: Some(name.into()),
            file: "branch.ifc".into(),
            storey: None,
            aabb: plumbline_model::Aabb::EMPTY,
        };
        ClashRecord {
            id: "x".into(),
            number: None,
            test: "reach".into(),
            test_id: "reach".into(),
            kind: ClashKind::Clearance,
            distance_m,
            hard: false,
            exact: true,
            point: [0.0; 3],
            overlap_aabb: plumbline_model::Aabb::EMPTY,
            a: info("A", "IfcFurniture", "ATM 1"),
            b: info("F", "IfcSlab", "Floor slab"),
            status: Status::New,
            group: String::new(),
            explanation: Text::default(),
            overlap_volume_m3: None,
            basis: Some(ClashBasis { required_m: Some(limit_m), ..ClashBasis::default() }),
            triage: None,
        }
    }

    #[test]
    fn says_which_way_and_by_how_much_in_both_languages() {
        let t = super::explain("reach", &record(0.13, 1.22), 1.22);
        assert_eq!(
            t.en,
            "Rule 'reach': the operable part of IfcFurniture 'ATM 1' is 1350 mm above the floor (IfcSlab 'Floor slab'), above the 1220 mm high reach limit by 130 mm."
        );
        assert_eq!(
            t.zh,
            "规则「reach」：IfcFurniture 'ATM 1' 的操作部件距地面（IfcSlab 'Floor slab'）1350 毫米，高于 1220 毫米的高位可及限值 130 毫米。"
        );
        let t = super::explain("reach", &record(0.08, 0.38), 1.22);
        assert!(
            t.en.contains("is 300 mm above the floor")
                && t.en.contains("below the 380 mm low reach limit by 80 mm"),
            "{}",
            t.en
        );
        assert!(
            t.zh.contains("距地面（IfcSlab 'Floor slab'）300 毫米，低于 380 毫米的低位可及限值 80 毫米"),
            "{}",
            t.zh
        );
        let t = super::explain("reach", &record(0.4, 0.38), 1.22);
        assert!(t.en.contains("is 20 mm below the floor"), "{}", t.en);
    }
}
