//! One-line plain explanations, in English and Simplified Chinese: which rule, what overlaps by
//! how much, or how far apart against which clearance.

use crate::grouping::Grouping;
use crate::{ClashRecord, TestInfo, Text};
use plumbline_clash::{ClashBasis, ClashKind, Zone};

/// Millimetres for people: at most one decimal, no trailing `.0`.
fn mm(m: f64) -> String {
    let v = (m * 10_000.0).round() / 10.0;
    if v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Metres for people: at most two decimals, no trailing zeros.
fn metres(m: f64) -> String {
    let s = format!("{m:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn zone_en(zone: Option<Zone>) -> &'static str {
    match zone {
        Some(Zone::Above) => "above",
        Some(Zone::Below) => "below",
        Some(Zone::Front) => "in front of",
        Some(Zone::FrontAndBack) => "in front of or behind",
        Some(Zone::Swing) => "in the door swing of",
        Some(Zone::Beside) => "below and beside",
        None => "around",
    }
}

fn zone_zh(zone: Option<Zone>) -> &'static str {
    match zone {
        Some(Zone::Above) => "上方",
        Some(Zone::Below) => "下方",
        Some(Zone::Front) => "前方",
        Some(Zone::FrontAndBack) => "前后",
        Some(Zone::Swing) => "门扇开启范围内",
        Some(Zone::Beside) => "下方及侧旁",
        None => "周围",
    }
}

/// The insulation counted on a pair, for people: `50 mm insulation` or `50 mm and 25 mm
/// insulation`; `None` when none was counted.
fn insulation(basis: Option<&ClashBasis>) -> Option<(String, String)> {
    let b = basis.filter(|b| b.inflation_m() > 0.0)?;
    Some(match (b.inflation_a_m > 0.0, b.inflation_b_m > 0.0) {
        (true, true) => (
            format!("{} mm and {} mm insulation", mm(b.inflation_a_m), mm(b.inflation_b_m)),
            format!("{} 毫米及 {} 毫米保温层", mm(b.inflation_a_m), mm(b.inflation_b_m)),
        ),
        _ => {
            (format!("{} mm insulation", mm(b.inflation_m())), format!("{} 毫米保温层", mm(b.inflation_m())))
        }
    })
}

/// How the bare solids stand, for a clash measured with insulation: `clear bare by 20 mm` or
/// `overlap bare by 5 mm`.
fn bare(basis: &ClashBasis) -> (String, String) {
    match basis.bare_distance_m {
        Some(d) if d < 0.0 => (format!("overlap bare by {} mm", mm(-d)), format!("裸管重叠 {} 毫米", mm(-d))),
        Some(d) => (format!("clear bare by {} mm", mm(d)), format!("裸管净距 {} 毫米", mm(d))),
        None => (String::new(), String::new()),
    }
}

/// Explains one clash of a test.
pub fn explain_clash(test: &TestInfo, c: &ClashRecord) -> Text {
    let mut text = explain_bare(test, c);
    if let (Some(b), Some((ins_en, ins_zh))) = (&c.basis, insulation(c.basis.as_ref())) {
        // The measurement with insulation replaces nothing: it says what the numbers above
        // already count, and how the bare solids stand.
        let (bare_en, bare_zh) = bare(b);
        let d = mm(c.distance_m.abs());
        let (with_en, with_zh) = match c.kind {
            ClashKind::Hard | ClashKind::Time => {
                (format!("overlaps {d} mm with {ins_en}"), format!("计入{ins_zh}后重叠 {d} 毫米"))
            }
            _ if c.distance_m < 0.0 => {
                (format!("overlaps {d} mm with {ins_en}"), format!("计入{ins_zh}后重叠 {d} 毫米"))
            }
            _ => (format!("{d} mm apart with {ins_en}"), format!("计入{ins_zh}后间距 {d} 毫米")),
        };
        text.en.push_str(&format!(" Measured with insulation: {bare_en}; {with_en}."));
        text.zh.push_str(&format!("按保温层计：{bare_zh}；{with_zh}。"));
    }
    if let Some(source) = c.basis.as_ref().and_then(|b| b.source.as_deref()) {
        text.en.push_str(&format!(" Basis: {source}."));
        text.zh.push_str(&format!("依据：{source}。"));
    }
    text
}

fn explain_bare(test: &TestInfo, c: &ClashRecord) -> Text {
    let (a, b) = (c.a.label(), c.b.label());
    let name = &test.name;
    let tol = mm(test.tolerance_m);
    let about_en = if c.exact { "" } else { "about " };
    let about_zh = if c.exact { "" } else { "约" };
    let depth = mm(c.distance_m.abs());
    match c.kind {
        ClashKind::Hard => Text {
            en: format!("Rule '{name}': {a} and {b} overlap by {about_en}{depth} mm (tolerance {tol} mm)."),
            zh: format!("规则「{name}」：{a} 与 {b} 重叠{about_zh} {depth} 毫米（容差 {tol} 毫米）。"),
        },
        ClashKind::Time => Text {
            en: format!(
                "Rule '{name}': {a} and {b} overlap by {about_en}{depth} mm while both stand on site in the schedule."
            ),
            zh: format!("规则「{name}」：按进度计划 {a} 与 {b} 同时在场，重叠{about_zh} {depth} 毫米。"),
        },
        ClashKind::Touch if c.distance_m < 0.0 => Text {
            en: format!("Rule '{name}': {a} and {b} overlap by {about_en}{depth} mm, within the {tol} mm tolerance (touching)."),
            zh: format!("规则「{name}」：{a} 与 {b} 重叠{about_zh} {depth} 毫米，在 {tol} 毫米容差内（接触）。"),
        },
        ClashKind::Touch => Text {
            en: format!("Rule '{name}': {a} and {b} touch ({about_en}{depth} mm apart, within the {tol} mm tolerance)."),
            zh: format!("规则「{name}」：{a} 与 {b} 接触（间距{about_zh} {depth} 毫米，在 {tol} 毫米容差内）。"),
        },
        ClashKind::Duplicate => Text {
            en: format!("Rule '{name}': {a} and {b} are the same element modelled twice (same class, geometry within {tol} mm)."),
            zh: format!("规则「{name}」：{a} 与 {b} 重复建模（同类构件，几何在 {tol} 毫米内重合）。"),
        },
        ClashKind::Clearance => {
            // A distance chosen per pair (a table row, a zone sized by B) is the one to state.
            let clear = mm(c.basis.as_ref().and_then(|b| b.required_m).unwrap_or(test.clearance_m));
            let zone = test.zone;
            if c.hard {
                Text {
                    en: format!(
                        "Rule '{name}': {a} and {b} overlap by {about_en}{depth} mm; {clear} mm clearance is required {} {a}.",
                        zone_en(zone)
                    ),
                    zh: format!(
                        "规则「{name}」：{a} 与 {b} 重叠{about_zh} {depth} 毫米；{a} {}须留 {clear} 毫米净距。",
                        zone_zh(zone)
                    ),
                }
            } else if zone == Some(Zone::Swing) {
                Text {
                    en: format!(
                        "Rule '{name}': {b} is {about_en}{} mm from {a}, inside the {clear} mm sweep of its leaf.",
                        mm(c.distance_m)
                    ),
                    zh: format!(
                        "规则「{name}」：{b} 位于 {a} 门扇 {clear} 毫米开启范围内，间距仅{about_zh} {} 毫米。",
                        mm(c.distance_m)
                    ),
                }
            } else if zone == Some(Zone::Beside) {
                Text {
                    en: format!(
                        "Rule '{name}': {b} is {about_en}{} mm from {a}, inside the zone below and beside it that reaches {clear} mm (three times the obstruction's width, up to the rule's limit).",
                        mm(c.distance_m)
                    ),
                    zh: format!(
                        "规则「{name}」：{b} 进入 {a} 下方及侧旁障碍区（按障碍物宽度三倍计，不超过规则上限：{clear} 毫米），间距仅{about_zh} {} 毫米。",
                        mm(c.distance_m)
                    ),
                }
            } else if zone.is_some() {
                Text {
                    en: format!(
                        "Rule '{name}': {b} is {about_en}{} mm from {a}, inside the {clear} mm clearance zone {} it.",
                        mm(c.distance_m),
                        zone_en(zone)
                    ),
                    zh: format!(
                        "规则「{name}」：{b} 进入 {a} {} {clear} 毫米净空区，间距仅{about_zh} {} 毫米。",
                        zone_zh(zone),
                        mm(c.distance_m)
                    ),
                }
            } else {
                Text {
                    en: format!(
                        "Rule '{name}': {a} and {b} are {about_en}{} mm apart, closer than the {clear} mm clearance.",
                        mm(c.distance_m)
                    ),
                    zh: format!(
                        "规则「{name}」：{a} 与 {b} 间距{about_zh} {} 毫米，小于要求的 {clear} 毫米净距。",
                        mm(c.distance_m)
                    ),
                }
            }
        }
    }
}

/// A group's title and explanation: what its clashes share and the worst of them.
pub fn explain_group(
    test: &TestInfo,
    grouping: Grouping,
    key: &str,
    members: &[&ClashRecord],
) -> (Text, Text) {
    let n = members.len();
    let name = &test.name;
    let (what_en, what_zh) = match grouping {
        Grouping::Element => {
            let label = members
                .iter()
                .flat_map(|c| [&c.a, &c.b])
                .find(|e| e.global_id == key)
                .map(|e| e.label())
                .unwrap_or_else(|| key.to_string());
            (format!("around {label}"), format!("涉及 {label}"))
        }
        Grouping::Storey if key.is_empty() => ("with no storey".to_string(), "无楼层".to_string()),
        Grouping::Storey => (format!("on storey {key}"), format!("位于楼层 {key}")),
        Grouping::TypePair => (format!("between {key}"), format!("类型组合 {key}")),
        Grouping::Proximity { distance_m } => {
            // Named after the element most of its clashes involve (ties: smallest GlobalId),
            // which is what a designer looks for first.
            let mut count: std::collections::BTreeMap<&str, (usize, String)> = Default::default();
            for e in members.iter().flat_map(|c| [&c.a, &c.b]) {
                count.entry(&e.global_id).or_insert_with(|| (0, e.label())).0 += 1;
            }
            let label = count
                .iter()
                .max_by(|p, q| p.1 .0.cmp(&q.1 .0).then_with(|| q.0.cmp(p.0)))
                .map(|(_, (_, l))| l.clone())
                .unwrap_or_else(|| key.to_string());
            let d = metres(distance_m);
            if members.len() > 1 {
                (
                    format!("near {label}, within {d} m of each other"),
                    format!("{label} 附近，彼此相距 {d} 米以内"),
                )
            } else {
                (format!("near {label}"), format!("{label} 附近"))
            }
        }
    };
    let title = Text {
        en: format!("{what_en} ({n} clash{})", if n == 1 { "" } else { "es" }),
        zh: format!("{what_zh}（{n} 处碰撞）"),
    };
    // The worst clash: the deepest overlap, else the smallest gap; ties by id.
    let worst = members.iter().min_by(|p, q| {
        let key = |c: &ClashRecord| {
            if c.hard || c.kind == ClashKind::Duplicate {
                -c.distance_m.abs() - 1e9
            } else {
                c.distance_m
            }
        };
        key(p).total_cmp(&key(q)).then_with(|| p.id.cmp(&q.id))
    });
    let explanation = match worst {
        Some(w) => Text {
            en: format!(
                "{n} clash{} of rule '{name}' {what_en}. Worst: {}",
                if n == 1 { "" } else { "es" },
                w.explanation.en
            ),
            zh: format!("规则「{name}」{what_zh}，共 {n} 处碰撞。最严重：{}", w.explanation.zh),
        },
        None => Text::default(),
    };
    (title, explanation)
}

#[cfg(test)]
mod tests {
    use crate::{ClashRecord, TestInfo};
    use plumbline_clash::{ClashBasis, ClashKind};

    fn record(kind: ClashKind, distance_m: f64, basis: ClashBasis) -> ClashRecord {
        let info = |g: &str, class: &str, name: &str| crate::ElementInfo {
            global_id: g.into(),
            class: class.into(),
            name: Some(name.into()),
            file: "hall.ifc".into(),
            storey: None,
            aabb: plumbline_model::Aabb::EMPTY,
        };
        ClashRecord {
            triage: None,
            id: "x".into(),
            number: None,
            test: "t".into(),
            test_id: "t".into(),
            kind,
            distance_m,
            hard: kind == ClashKind::Hard,
            exact: true,
            point: [0.0; 3],
            overlap_aabb: plumbline_model::Aabb::EMPTY,
            a: info("P", "IfcPipeSegment", "CHW-1"),
            b: info("B", "IfcBeam", "B-1"),
            status: crate::Status::New,
            group: String::new(),
            explanation: crate::Text::default(),
            overlap_volume_m3: None,
            basis: Some(basis),
        }
    }

    fn test(mode: ClashKind, clearance_m: f64) -> TestInfo {
        TestInfo {
            id: "t".into(),
            name: "t".into(),
            mode,
            tolerance_m: 0.002,
            clearance_m,
            zone: None,
            reach: None,
        }
    }

    /// Issue 21's wording: both the bare and the insulated measurement, in both languages.
    #[test]
    fn insulated_clashes_say_how_the_bare_solids_stand() {
        let basis = ClashBasis { inflation_a_m: 0.05, bare_distance_m: Some(0.02), ..ClashBasis::default() };
        let t = super::explain_clash(&test(ClashKind::Hard, 0.0), &record(ClashKind::Hard, 0.03, basis));
        assert!(t.en.contains("clear bare by 20 mm; overlaps 30 mm with 50 mm insulation"), "{}", t.en);
        assert!(t.zh.contains("裸管净距 20 毫米；计入50 毫米保温层后重叠 30 毫米"), "{}", t.zh);
    }

    #[test]
    fn a_distance_from_a_table_names_its_source() {
        let basis = ClashBasis {
            required_m: Some(0.2),
            source: Some("EN 50174-2 Table 2".into()),
            ..ClashBasis::default()
        };
        let t = super::explain_clash(
            &test(ClashKind::Clearance, 0.2),
            &record(ClashKind::Clearance, 0.15, basis),
        );
        assert!(
            t.en.contains("150 mm apart, closer than the 200 mm clearance")
                && t.en.contains("Basis: EN 50174-2 Table 2."),
            "{}",
            t.en
        );
        assert!(t.zh.contains("依据：EN 50174-2 Table 2"), "{}", t.zh);
    }

    #[test]
    fn millimetres_read_naturally() {
        assert_eq!(super::mm(0.05), "50");
        assert_eq!(super::mm(0.0155), "15.5");
        assert_eq!(super::mm(0.305), "305");
        assert_eq!(super::mm(0.00049), "0.5");
    }
}
