//! Element–task links from a GlobalId→task table or from rules, and the report of what is left
//! unlinked.
//!
//! Rules are TOML, one `[[rule]]` per task; every criterion given must match (a rule without
//! criteria matches nothing):
//!
//! ```toml
//! [[rule]]
//! task = "BR.30"                 # task id (required)
//! class = "IfcWall"              # or a list; subtypes match (IfcFlowSegment finds ducts)
//! storey = "Ground floor"        # storey name, case-insensitive
//! system = "Supply air"          # name of a system the element belongs to
//! property = "Pset_WallCommon.IsExternal=FALSE"   # Pset.Prop=Value, Pset.Prop (present) or Prop=Value
//! name = "Partition*"            # element name pattern: * any text, ? one character
//! ```

use crate::{Link, Schedule, ScheduleError};
use plumbline_model::{ClassQuery, Element, ElementIdx, Model, Role};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// Links read from a `--links` file: explicit pairs, or rules to evaluate against models.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkSource {
    Table(Vec<Link>),
    Rules(Rules),
}

/// The schedule's own links plus those of each link file (a CSV table, or TOML rules applied
/// to every model), sorted and without repeats: what `--links` adds to a schedule, in the CLI
/// and the viewer alike.
pub fn gather_links(
    schedule: &Schedule,
    link_files: &[PathBuf],
    models: &[Model],
) -> Result<Vec<Link>, ScheduleError> {
    let mut links = schedule.links.clone();
    for path in link_files {
        match read_links(path)? {
            LinkSource::Table(table) => links.extend(table),
            LinkSource::Rules(rules) => {
                for m in models {
                    links.extend(rules.link(m));
                }
            }
        }
    }
    sort_links(&mut links);
    links.dedup();
    Ok(links)
}

/// Sorts links as `Link`'s order does. A million links take twenty million comparisons of
/// their strings (0.5 s for a million-element hall's schedule); comparing the first 16 bytes of
/// the GlobalIds as one number first settles nearly all of them without a string comparison.
/// Unstable is enough: equal links are the same two strings.
fn sort_links(links: &mut [Link]) {
    links.sort_unstable_by(|a, b| {
        id_prefix(&a.global_id).cmp(&id_prefix(&b.global_id)).then_with(|| a.cmp(b))
    });
}

/// The first 16 bytes of `id` as a big-endian number, zeros after a shorter id: ordered as the
/// strings are wherever it differs (a shorter id is a prefix, so it sorts first either way).
fn id_prefix(id: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = id.len().min(16);
    bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// Reads a link file: `.toml` is rules, anything else a CSV with a GlobalId column and a task
/// column (see [`crate::read_csv`]).
pub fn read_links(path: &Path) -> Result<LinkSource, ScheduleError> {
    let is_toml = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_toml {
        return read_rules(path).map(LinkSource::Rules);
    }
    let table = crate::read_csv(path)?;
    if table.links.is_empty() && !table.tasks.is_empty() {
        return Err(ScheduleError::MissingField {
            path: path.into(),
            line: 1,
            field: "globalid (a column named GlobalId, GUID or IfcGuid)".into(),
        });
    }
    Ok(LinkSource::Table(table.links))
}

/// A set of link rules.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
}

/// One string or several.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Elements matching every given criterion are linked to `task`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub task: String,
    pub class: Option<OneOrMany>,
    pub storey: Option<String>,
    pub system: Option<String>,
    pub property: Option<String>,
    pub name: Option<String>,
}

/// Reads TOML link rules; a syntax error or an unknown key names the line.
pub fn read_rules(path: &Path) -> Result<Rules, ScheduleError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| ScheduleError::Io { path: path.into(), source })?;
    parse_rules(path, &text)
}

/// Parses TOML link rules from text; `path` names the file in messages.
pub fn parse_rules(path: &Path, text: &str) -> Result<Rules, ScheduleError> {
    let rules: Rules = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| plumbline_xml::line_of(text, s.start));
        ScheduleError::syntax(path, line, e.message().to_string())
    })?;
    for (i, r) in rules.rules.iter().enumerate() {
        if r.class.is_none()
            && r.storey.is_none()
            && r.system.is_none()
            && r.property.is_none()
            && r.name.is_none()
        {
            return Err(ScheduleError::field(
                path,
                rule_line(text, i),
                "rule",
                format!(
                    "rule for task '{}' has no criterion (class, storey, system, property or name)",
                    r.task
                ),
            ));
        }
    }
    Ok(rules)
}

/// Line of the `i`-th `[[rule]]` header.
fn rule_line(text: &str, i: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[rule]]"))
        .nth(i)
        .map_or(1, |(n, _)| n + 1)
}

impl Rules {
    /// Links every physical element of `model` that a rule matches, in element then rule order.
    pub fn link(&self, model: &Model) -> Vec<Link> {
        let mut out = Vec::new();
        for (idx, e) in model.physical() {
            for r in &self.rules {
                if r.matches(model, idx, e) {
                    out.push(Link { global_id: e.global_id.clone(), task_id: r.task.clone() });
                }
            }
        }
        out
    }
}

impl Rule {
    fn matches(&self, model: &Model, idx: ElementIdx, e: &Element) -> bool {
        let has_criterion = self.class.is_some()
            || self.storey.is_some()
            || self.system.is_some()
            || self.property.is_some()
            || self.name.is_some();
        has_criterion
            && self.class.as_ref().is_none_or(|c| model.element_is(e, &ClassQuery::new(c.items())))
            && self
                .storey
                .as_ref()
                .is_none_or(|s| e.storey.as_deref().is_some_and(|es| es.eq_ignore_ascii_case(s)))
            && self.system.as_ref().is_none_or(|s| {
                model.relations.systems.iter().any(|sys| {
                    sys.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(s))
                        && sys.members.contains(&idx)
                })
            })
            && self.property.as_ref().is_none_or(|p| property_matches(e, p))
            && self.name.as_ref().is_none_or(|pat| e.name.as_deref().is_some_and(|n| glob(pat, n)))
    }
}

fn property_matches(e: &Element, spec: &str) -> bool {
    let (key, value) = match spec.split_once('=') {
        Some((k, v)) => (k.trim(), Some(v.trim())),
        None => (spec.trim(), None),
    };
    let (pset, prop) = match key.split_once('.') {
        Some((s, p)) => (Some(s), p),
        None => (None, key),
    };
    e.property_sets.iter().filter(|s| pset.is_none_or(|p| s.name.eq_ignore_ascii_case(p))).any(|s| {
        s.properties.iter().any(|q| {
            q.name.eq_ignore_ascii_case(prop) && value.is_none_or(|v| q.value.eq_ignore_ascii_case(v))
        })
    })
}

/// Case-insensitive wildcard match: `*` any text, `?` one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether a model marks an element as temporary works (`*.Temporary = TRUE`, as the sample
/// generator's `Plumbline_Phase.Temporary`).
pub fn marked_temporary(e: &Element) -> bool {
    e.property_sets.iter().any(|s| {
        s.properties.iter().any(|p| {
            p.name.eq_ignore_ascii_case("Temporary")
                && matches!(p.value.to_ascii_uppercase().as_str(), "TRUE" | "T" | "YES" | "1")
        })
    })
}

/// What the links leave out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkReport {
    /// Physical elements considered.
    pub elements: usize,
    /// Elements with at least one link to a task of the schedule.
    pub linked_elements: usize,
    /// GlobalIds of elements linked to no task, in model order.
    pub unlinked_elements: Vec<String>,
    /// Ids of (non-summary) tasks no element is linked to, in schedule order.
    pub tasks_without_elements: Vec<String>,
    /// Linked GlobalIds that match no element, sorted.
    pub unknown_global_ids: Vec<String>,
    /// Task ids in links that the schedule does not have, sorted.
    pub unknown_task_ids: Vec<String>,
}

/// Compares links with the elements and the schedule.
pub fn link_report(schedule: &Schedule, links: &[Link], element_global_ids: &[&str]) -> LinkReport {
    let task_ids: HashSet<&str> = schedule.tasks.iter().map(|t| t.id.as_str()).collect();
    let elements: HashSet<&str> = element_global_ids.iter().copied().collect();
    let mut linked: HashSet<&str> = HashSet::new();
    let mut used_tasks: HashSet<&str> = HashSet::new();
    let mut unknown_global_ids = BTreeSet::new();
    let mut unknown_task_ids = BTreeSet::new();
    for l in links {
        let task_known = task_ids.contains(l.task_id.as_str());
        if !task_known {
            unknown_task_ids.insert(l.task_id.clone());
        }
        if !elements.contains(l.global_id.as_str()) {
            unknown_global_ids.insert(l.global_id.clone());
            continue;
        }
        if task_known {
            linked.insert(l.global_id.as_str());
            used_tasks.insert(l.task_id.as_str());
        }
    }
    LinkReport {
        elements: element_global_ids.len(),
        linked_elements: element_global_ids.iter().filter(|g| linked.contains(*g)).count(),
        unlinked_elements: element_global_ids
            .iter()
            .filter(|g| !linked.contains(*g))
            .map(|g| g.to_string())
            .collect(),
        tasks_without_elements: schedule
            .tasks
            .iter()
            .filter(|t| !t.summary && !used_tasks.contains(t.id.as_str()))
            .map(|t| t.id.clone())
            .collect(),
        unknown_global_ids: unknown_global_ids.into_iter().collect(),
        unknown_task_ids: unknown_task_ids.into_iter().collect(),
    }
}

/// The physical elements of a model as simulation keys (GlobalId and temporary mark).
pub fn element_keys(model: &Model) -> Vec<crate::ElementKey<'_>> {
    model
        .elements
        .iter()
        .filter(|e| e.role == Role::Physical)
        .map(|e| crate::ElementKey { global_id: e.global_id.as_str(), temporary: marked_temporary(e) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick order is `Link`'s own, for ids that share prefixes, are shorter or longer than
    /// 16 bytes, hold NUL or multibyte characters, and for repeated ids with several tasks.
    #[test]
    fn links_sort_as_their_order_says() {
        use rand_pcg::rand_core::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        let parts = [
            "",
            "0",
            "2O2Fr$t4X7Zf8NOew3FL",
            "2O2Fr$t4X7Zf8NOew3FLa",
            "\0",
            "a\0b",
            "楼板",
            "zz",
            "2O2Fr$t4X7Zf8NOe",
        ];
        let mut pick = || {
            let a = parts[(rng.next_u32() as usize) % parts.len()];
            let b = parts[(rng.next_u32() as usize) % parts.len()];
            format!("{a}{b}")
        };
        let mut links: Vec<Link> = (0..5000).map(|_| Link { global_id: pick(), task_id: pick() }).collect();
        let mut expected = links.clone();
        expected.sort();
        sort_links(&mut links);
        assert_eq!(links, expected);
    }

    #[test]
    fn wildcards() {
        assert!(glob("Partition*", "partition wall 3"));
        assert!(glob("*wall?", "Wall1"));
        assert!(!glob("*wall?", "Wall"));
        assert!(glob("*", ""));
        assert!(!glob("a*b", "acbx"));
    }

    #[test]
    fn rule_errors_name_the_line() {
        let e = parse_rules(Path::new("r.toml"), "[[rule]]\ntask = \"A\"\nclas = \"IfcWall\"\n")
            .expect_err("typo");
        assert!(e.to_string().starts_with("r.toml: line 3:"), "{e}");
        let e = parse_rules(Path::new("r.toml"), "[[rule]]\ntask = \"A\"\n").expect_err("no criterion");
        assert!(e.to_string().contains("line 1: field 'rule'"), "{e}");
    }
}
