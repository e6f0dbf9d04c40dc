//! One-line plain explanations, in English and Simplified Chinese: which rule, what overlaps by
//! how much, or how far apart against which clearance.

use crate::grouping::Grouping;
use crate::{ClashRecord, TestInfo, Text};
use plumbline_clash::ClashKind;
use plumbline_clash::Zone;

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
        None => "around",
    }
}

fn zone_zh(zone: Option<Zone>) -> &'static str {
    match zone {
        Some(Zone::Above) => "上方",
        Some(Zone::Below) => "下方",
        Some(Zone::Front) => "前方",
        Some(Zone::FrontAndBack) => "前后",
        None => "周围",
    }
}

/// Explains one clash of a test.
pub fn explain_clash(test: &TestInfo, c: &ClashRecord) -> Text {
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
        ClashKind::Duplicate => Text {
            en: format!("Rule '{name}': {a} and {b} are the same element modelled twice (same class, geometry within {tol} mm)."),
            zh: format!("规则「{name}」：{a} 与 {b} 重复建模（同类构件，几何在 {tol} 毫米内重合）。"),
        },
        ClashKind::Clearance => {
            let clear = mm(test.clearance_m);
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
    #[test]
    fn millimetres_read_naturally() {
        assert_eq!(super::mm(0.05), "50");
        assert_eq!(super::mm(0.0155), "15.5");
        assert_eq!(super::mm(0.305), "305");
        assert_eq!(super::mm(0.00049), "0.5");
    }
}
