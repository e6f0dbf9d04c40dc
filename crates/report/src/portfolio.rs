//! The portfolio of a batch run (`plumbline batch`): one row per site with its clash counts,
//! the clashes needed soon by the 4D schedule, the clashes by discipline and the trend over the
//! site's last runs, worst sites first. `portfolio.json` is this structure serialised; the HTML
//! and XLSX reports (`portfolio_html`, `portfolio_xlsx`) draw it.
//!
//! Everything here is a pure function of the sites' results: the same results give the same
//! bytes, so a portfolio merged from shards equals the unsharded one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of `portfolio.json` (and of the shard files): raised when a field changes
/// meaning or disappears.
pub const PORTFOLIO_SCHEMA_VERSION: u32 = 1;

/// How many of a site's runs its trend shows (the latest ones).
pub const TREND_RUNS: usize = 8;

/// How many sites the reports' "worst sites" charts draw: a page's worth of bars.
pub(crate) const WORST_SITES_CHARTED: usize = 20;

/// A batch's results, worst sites first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    pub schema_version: u32,
    /// The portfolio's name (`name` in the portfolio file, else its file stem).
    pub name: String,
    /// When the portfolio was written (RFC 3339, UTC; `SOURCE_DATE_EPOCH` when set).
    pub generated: String,
    /// "Needed soon" counts open clashes whose work starts within this many days.
    pub needed_within_days: u32,
    pub totals: Totals,
    /// Worst first: see [`Portfolio::sort_worst_first`].
    pub sites: Vec<SiteResult>,
}

/// The whole programme's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub sites: usize,
    /// Sites that ran and recorded their clashes (including incomplete ones).
    pub ok: usize,
    /// Sites that ran but skipped part of their input: their counts may be low.
    pub incomplete: usize,
    /// Sites that could not run (unreadable model, bad rules): see each site's `error`.
    pub failed: usize,
    pub open: usize,
    pub new: usize,
    pub resolved: usize,
    pub needed_soon: usize,
}

/// How a site's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteOutcome {
    /// The site could not run; nothing was recorded for it.
    Failed,
    /// The site ran and was recorded, but a model skipped part of its input.
    Incomplete,
    /// The site ran and was recorded.
    Ok,
}

/// One site's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteResult {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The history project the site's runs are recorded under.
    pub project: String,
    pub outcome: SiteOutcome,
    /// Why the site failed (its file and reason), for failed sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The model files, as the portfolio's globs found them (relative to the portfolio file
    /// when they are under its folder), sorted.
    pub models: Vec<String>,
    /// The models' size on disk: what the shards balance and the memory budget estimates.
    pub model_bytes: u64,
    /// Elements loaded (0 for a failed site).
    pub elements: usize,
    pub clashes: ClashCounts,
    /// Open clashes by the discipline of either element ([`Discipline::key`]); a clash between
    /// two disciplines counts under both, one within a discipline once.
    pub by_discipline: BTreeMap<String, usize>,
    /// Whether the site had a 4D schedule (its own or the models' work schedule).
    pub has_schedule: bool,
    /// Open clashes whose elements the schedule starts building within
    /// [`Portfolio::needed_within_days`] of the triage day (late ones included).
    pub needed_soon: usize,
    /// The earliest `needed_by` date of an open clash (ISO date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_needed_by: Option<String>,
    /// The site's last runs in the history (at most [`TREND_RUNS`]), oldest first, this run
    /// last.
    pub trend: Vec<TrendPoint>,
    /// The site's reports by format (`json`, `csv`, `html`, `xlsx`, `bcf`), relative to the
    /// batch's output folder.
    pub reports: BTreeMap<String, String>,
}

/// A site's clashes after its run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClashCounts {
    /// Clashes the run found.
    pub found: usize,
    /// Found and not accepted: new + active + reviewed.
    pub open: usize,
    pub new: usize,
    pub active: usize,
    pub reviewed: usize,
    pub approved: usize,
    /// Clashes the run no longer found (fixed since the last run).
    pub resolved: usize,
}

/// One recorded run of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// When the run started (RFC 3339, UTC).
    pub at: String,
    pub found: usize,
    pub open: usize,
    pub new: usize,
    pub resolved: usize,
}

/// The disciplines a portfolio counts clashes by, from the elements' IFC classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Discipline {
    Structure,
    Architecture,
    Hvac,
    Plumbing,
    Electrical,
    FireProtection,
    Other,
}

impl Discipline {
    /// Every discipline, in the order reports list them.
    pub const ALL: [Discipline; 7] = [
        Discipline::Structure,
        Discipline::Architecture,
        Discipline::Hvac,
        Discipline::Plumbing,
        Discipline::Electrical,
        Discipline::FireProtection,
        Discipline::Other,
    ];

    /// The key in `by_discipline` (JSON): stable English words, whatever the report language.
    pub fn key(self) -> &'static str {
        match self {
            Discipline::Structure => "structure",
            Discipline::Architecture => "architecture",
            Discipline::Hvac => "hvac",
            Discipline::Plumbing => "plumbing",
            Discipline::Electrical => "electrical",
            Discipline::FireProtection => "fire_protection",
            Discipline::Other => "other",
        }
    }

    /// The discipline of a key, for reading `portfolio.json` back.
    pub fn from_key(key: &str) -> Option<Discipline> {
        Discipline::ALL.into_iter().find(|d| d.key() == key)
    }

    /// The discipline that usually models an element of `class` (an IFC class name as the
    /// schemas spell it). Fire sprinklers and alarms are classed before plumbing and
    /// electrical, because fire engineers own them even where they share the pipe classes'
    /// families.
    pub fn of_class(class: &str) -> Discipline {
        let c = class.strip_prefix("Ifc").unwrap_or(class);
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| c.starts_with(p));
        if starts(&["FireSuppression", "Alarm"]) {
            Discipline::FireProtection
        } else if starts(&[
            "Beam",
            "Column",
            "Footing",
            "Pile",
            "Member",
            "Plate",
            "Tendon",
            "ReinforcingBar",
            "ReinforcingMesh",
            "ReinforcingElement",
            "Slab",
            "StructuralCurveMember",
            "StructuralSurfaceMember",
        ]) {
            Discipline::Structure
        } else if starts(&[
            "Wall",
            "Door",
            "Window",
            "Roof",
            "Stair",
            "Ramp",
            "Railing",
            "Covering",
            "CurtainWall",
            "Furniture",
            "FurnishingElement",
            "BuildingElementProxy",
            "Space",
            "Chimney",
            "ShadingDevice",
        ]) {
            Discipline::Architecture
        } else if starts(&[
            "Duct",
            "AirTerminal",
            "AirToAirHeatRecovery",
            "Damper",
            "Fan",
            "Chiller",
            "CoolingTower",
            "Coil",
            "UnitaryEquipment",
            "Humidifier",
            "Evaporat",
            "Condenser",
            "Boiler",
            "HeatExchanger",
            "SpaceHeater",
            "Filter",
        ]) {
            Discipline::Hvac
        } else if starts(&[
            "Pipe",
            "Pump",
            "Valve",
            "Tank",
            "SanitaryTerminal",
            "WasteTerminal",
            "StackTerminal",
            "FlowMeter",
            "Interceptor",
        ]) {
            Discipline::Plumbing
        } else if starts(&[
            "Cable",
            "Electric",
            "Light",
            "Lamp",
            "Outlet",
            "SwitchingDevice",
            "Switch",
            "Transformer",
            "Motor",
            "ProtectiveDevice",
            "Distribution",
            "CommunicationsAppliance",
            "AudioVisualAppliance",
            "Junction",
            "SolarDevice",
        ]) {
            Discipline::Electrical
        } else {
            Discipline::Other
        }
    }
}

impl Portfolio {
    /// A portfolio of `sites`, sorted worst first, with its totals.
    pub fn new(
        name: String,
        generated: String,
        needed_within_days: u32,
        mut sites: Vec<SiteResult>,
    ) -> Portfolio {
        Portfolio::sort_worst_first(&mut sites);
        let mut totals = Totals { sites: sites.len(), ..Totals::default() };
        for s in &sites {
            match s.outcome {
                SiteOutcome::Failed => totals.failed += 1,
                SiteOutcome::Incomplete => {
                    totals.ok += 1;
                    totals.incomplete += 1;
                }
                SiteOutcome::Ok => totals.ok += 1,
            }
            totals.open += s.clashes.open;
            totals.new += s.clashes.new;
            totals.resolved += s.clashes.resolved;
            totals.needed_soon += s.needed_soon;
        }
        Portfolio {
            schema_version: PORTFOLIO_SCHEMA_VERSION,
            name,
            generated,
            needed_within_days,
            totals,
            sites,
        }
    }

    /// Worst first: failed sites (nobody knows their clashes), then the most clashes needed
    /// soon, the most open, the most new; ties by name, so the order never depends on which
    /// site finished first.
    pub fn sort_worst_first(sites: &mut [SiteResult]) {
        sites.sort_by(|a, b| {
            (a.outcome != SiteOutcome::Failed)
                .cmp(&(b.outcome != SiteOutcome::Failed))
                .then(b.needed_soon.cmp(&a.needed_soon))
                .then(b.clashes.open.cmp(&a.clashes.open))
                .then(b.clashes.new.cmp(&a.clashes.new))
                .then(a.name.cmp(&b.name))
        });
    }

    /// `portfolio.json`: pretty, with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The sites the reports' "worst sites" charts draw: the first `n` sites, worst first,
    /// that ran and have open clashes (a failed site has no counts to draw).
    pub fn worst_sites(&self, n: usize) -> Vec<&SiteResult> {
        self.sites
            .iter()
            .filter(|s| s.outcome != SiteOutcome::Failed && (s.clashes.open > 0 || s.needed_soon > 0))
            .take(n)
            .collect()
    }

    /// The counts by discipline summed over every site, in [`Discipline::ALL`] order, zeros
    /// left out.
    pub fn by_discipline(&self) -> Vec<(Discipline, usize)> {
        Discipline::ALL
            .into_iter()
            .map(|d| (d, self.sites.iter().filter_map(|s| s.by_discipline.get(d.key())).sum()))
            .filter(|&(_, n)| n > 0)
            .collect()
    }

    /// The sites by region, sorted by region name (sites without one under `None`, last),
    /// with their summed counts: (region, sites, open, needed soon).
    pub fn by_region(&self) -> Vec<(Option<String>, usize, usize, usize)> {
        let mut regions: BTreeMap<Option<&str>, (usize, usize, usize)> = BTreeMap::new();
        for s in &self.sites {
            let r = regions.entry(s.region.as_deref()).or_default();
            r.0 += 1;
            r.1 += s.clashes.open;
            r.2 += s.needed_soon;
        }
        let mut rows: Vec<_> = regions
            .into_iter()
            .map(|(name, (sites, open, soon))| (name.map(str::to_string), sites, open, soon))
            .collect();
        // `None` sorts first in a BTreeMap; reports list the unnamed region last.
        rows.sort_by(|a, b| (a.0.is_none(), &a.0).cmp(&(b.0.is_none(), &b.0)));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(name: &str, outcome: SiteOutcome, open: usize, soon: usize) -> SiteResult {
        SiteResult {
            name: name.into(),
            region: None,
            project: name.into(),
            outcome,
            error: None,
            models: vec![],
            model_bytes: 0,
            elements: 0,
            clashes: ClashCounts { found: open, open, new: open, ..ClashCounts::default() },
            by_discipline: BTreeMap::new(),
            has_schedule: false,
            needed_soon: soon,
            first_needed_by: None,
            trend: vec![],
            reports: BTreeMap::new(),
        }
    }

    #[test]
    fn worst_sites_come_first_whatever_the_input_order() {
        let sites = vec![
            site("b", SiteOutcome::Ok, 5, 0),
            site("a", SiteOutcome::Ok, 5, 0),
            site("c", SiteOutcome::Ok, 1, 1),
            site("z", SiteOutcome::Failed, 0, 0),
            site("d", SiteOutcome::Incomplete, 9, 0),
        ];
        let mut reversed = sites.clone();
        reversed.reverse();
        let p = Portfolio::new("p".into(), "t".into(), 14, sites);
        let q = Portfolio::new("p".into(), "t".into(), 14, reversed);
        let names: Vec<&str> = p.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["z", "c", "d", "a", "b"]);
        assert_eq!(p, q);
        assert_eq!(p.totals.failed, 1);
        assert_eq!(p.totals.ok, 4);
        assert_eq!(p.totals.incomplete, 1);
        assert_eq!(p.totals.open, 20);
    }

    #[test]
    fn classes_fall_into_their_disciplines() {
        assert_eq!(Discipline::of_class("IfcDuctSegment"), Discipline::Hvac);
        assert_eq!(Discipline::of_class("IfcPipeFitting"), Discipline::Plumbing);
        assert_eq!(Discipline::of_class("IfcCableCarrierSegment"), Discipline::Electrical);
        assert_eq!(Discipline::of_class("IfcBeam"), Discipline::Structure);
        assert_eq!(Discipline::of_class("IfcWallStandardCase"), Discipline::Architecture);
        assert_eq!(Discipline::of_class("IfcFireSuppressionTerminal"), Discipline::FireProtection);
        assert_eq!(Discipline::of_class("IfcAnnotation"), Discipline::Other);
        for d in Discipline::ALL {
            assert_eq!(Discipline::from_key(d.key()), Some(d));
        }
    }

    #[test]
    fn json_reads_back_as_written() {
        let p = Portfolio::new("p".into(), "t".into(), 14, vec![site("a", SiteOutcome::Ok, 2, 1)]);
        let back: Portfolio = serde_json::from_str(&p.to_json()).expect("reads back");
        assert_eq!(back, p);
    }
}
