//! A generated portfolio for `plumbline batch` (issue 20): many sites, mostly bank branches of
//! varied size and plan, a few small data halls, about a third of them with their 4D schedule,
//! each with the truth its rules must report.
//!
//! [`plan`] draws the sites; [`Site::generate`] writes one; [`portfolio_toml`] is the portfolio
//! file that lists them.  The layout on disk (`plumbline gen portfolio` writes it):
//!
//! ```text
//! DIR/portfolio.toml
//! DIR/rules/bank-branch.toml, DIR/rules/datacenter.toml   (the shipped rule sets)
//! DIR/sites/<site>/<site>.ifc                              (one model per site)
//! DIR/sites/<site>/truth.json                              (its seeded clashes and non-clashes)
//! ```
//!
//! Everything derives from the portfolio seed.  A site's draw depends only on the seed and its
//! own number, so `br-0001` is the same site in a portfolio of 10 and one of 500.

use std::fmt::Write as _;

use crate::guid::Rng;
use crate::{branch_variant, datacenter, BranchLayout, BranchParams, DatacenterParams, Generated, Lang};

/// The shipped bank-branch rule set (`assets/rules/bank-branch.toml`), which the branches'
/// truth is written for.
pub const BANK_BRANCH_RULES: &str = include_str!("../../../assets/rules/bank-branch.toml");
/// The shipped data-centre rule set (`assets/rules/datacenter.toml`), which the halls' truth is
/// written for.
pub const DATACENTER_RULES: &str = include_str!("../../../assets/rules/datacenter.toml");
/// Where a portfolio keeps its branch rules, relative to the portfolio file.
pub const BANK_BRANCH_RULES_PATH: &str = "rules/bank-branch.toml";
/// Where a portfolio keeps its data-hall rules, relative to the portfolio file.
pub const DATACENTER_RULES_PATH: &str = "rules/datacenter.toml";
/// The rule files a portfolio folder holds: (path relative to the portfolio file, text).
pub const RULE_FILES: [(&str, &str); 2] =
    [(BANK_BRANCH_RULES_PATH, BANK_BRANCH_RULES), (DATACENTER_RULES_PATH, DATACENTER_RULES)];
/// The portfolio file's name in its folder.
pub const PORTFOLIO_FILE: &str = "portfolio.toml";

/// Regions sites are drawn from: (English, Chinese).
const REGIONS: [(&str, &str); 8] = [
    ("East China", "华东"),
    ("North China", "华北"),
    ("South China", "华南"),
    ("Central China", "华中"),
    ("Southwest China", "西南"),
    ("Hong Kong", "香港"),
    ("Singapore", "新加坡"),
    ("London", "伦敦"),
];

/// Bays a branch is drawn with (equally likely): mostly the sample's three to six, a few
/// large branches.
const BAYS: [u32; 14] = [3, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8, 10, 12];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioParams {
    /// Number of sites (branches and halls together).
    pub sites: u32,
    pub seed: u64,
    /// Language of the models' names and of the regions.
    pub lang: Lang,
}

impl Default for PortfolioParams {
    fn default() -> Self {
        Self { sites: 50, seed: 1, lang: Lang::En }
    }
}

/// The model of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteModel {
    Branch(BranchParams, BranchLayout),
    Datacenter(DatacenterParams),
}

/// One site of a portfolio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// `br-0001` for branches, `dc-0001` for data halls.
    pub name: String,
    pub region: &'static str,
    pub model: SiteModel,
}

impl Site {
    /// The site's folder, relative to the portfolio file.
    pub fn folder(&self) -> String {
        format!("sites/{}", self.name)
    }

    /// The model file, relative to the portfolio file.
    pub fn model_path(&self) -> String {
        format!("sites/{0}/{0}.ifc", self.name)
    }

    /// The truth file, relative to the portfolio file.
    pub fn truth_path(&self) -> String {
        format!("sites/{}/truth.json", self.name)
    }

    /// The rule file the site's truth is written for, relative to the portfolio file.
    pub fn rules_path(&self) -> &'static str {
        match self.model {
            SiteModel::Branch(..) => BANK_BRANCH_RULES_PATH,
            SiteModel::Datacenter(_) => DATACENTER_RULES_PATH,
        }
    }

    /// Whether the model carries its 4D schedule (data halls always do).
    pub fn has_schedule(&self) -> bool {
        match &self.model {
            SiteModel::Branch(_, layout) => layout.schedule,
            SiteModel::Datacenter(_) => true,
        }
    }

    /// Writes the site's model and truth.
    pub fn generate(&self) -> Generated {
        match &self.model {
            SiteModel::Branch(p, layout) => branch_variant(p, layout),
            SiteModel::Datacenter(p) => datacenter(p),
        }
    }

    /// A short English description of the site's model, for the portfolio file's comments.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        match &self.model {
            SiteModel::Branch(_, l) => {
                // `write!` into a String cannot fail.
                let _ = write!(s, "bank branch, {} bays", l.bays);
                if !l.atm_lobby {
                    s.push_str(", no ATM lobby");
                }
                if !l.vault {
                    s.push_str(", no vault");
                }
                if l.mirrored {
                    s.push_str(", mirrored");
                }
                if l.quarter_turns % 4 != 0 {
                    let _ = write!(s, ", turned {} degrees", 90 * u32::from(l.quarter_turns % 4));
                }
                let _ = write!(s, ", origin ({} m, {} m)", l.origin_mm[0] / 1000, l.origin_mm[1] / 1000);
            }
            SiteModel::Datacenter(p) => {
                let _ = write!(s, "data hall, {} rows of {} racks", p.rows, p.racks_per_row);
            }
        }
        s.push_str(if self.has_schedule() { "; 4D schedule in the model" } else { "; no schedule" });
        s
    }
}

/// How many of `sites` are data halls: 1 in 50, at least one from 10 sites on.
pub fn data_halls(sites: u32) -> u32 {
    if sites >= 10 {
        (sites / 50).max(1)
    } else {
        0
    }
}

/// The sites of a portfolio, sorted by name.
pub fn plan(p: &PortfolioParams) -> Vec<Site> {
    let halls = data_halls(p.sites);
    let branches = p.sites - halls;
    let region = |rng: &mut Rng| {
        let (en, zh) = REGIONS[rng.below(REGIONS.len() as u64) as usize];
        p.lang.pick(en, zh)
    };
    let mut sites = Vec::with_capacity(p.sites as usize);
    for i in 1..=branches {
        let mut rng = Rng::new(p.seed, &format!("portfolio-branch-{i}"));
        let seed = rng.next_u64();
        let region = region(&mut rng);
        let mut metres = || (rng.below(4001) as i64 - 2000) * 1000;
        let origin_mm = [metres(), metres()];
        let layout = BranchLayout {
            bays: BAYS[rng.below(BAYS.len() as u64) as usize],
            atm_lobby: rng.below(5) != 0,
            vault: rng.below(4) != 0,
            mirrored: rng.below(2) == 1,
            quarter_turns: rng.below(4) as u8,
            origin_mm,
            // Every third branch, from the first, keeps its schedule, so that any portfolio of
            // two or more branches shows both kinds.
            schedule: i % 3 == 1,
        };
        sites.push(Site {
            name: format!("br-{i:04}"),
            region,
            model: SiteModel::Branch(BranchParams { seed, lang: p.lang }, layout),
        });
    }
    for i in 1..=halls {
        let mut rng = Rng::new(p.seed, &format!("portfolio-hall-{i}"));
        let seed = rng.next_u64();
        let region = region(&mut rng);
        let params = DatacenterParams {
            seed,
            halls: 1,
            rows: 2 + rng.below(3) as u32,
            racks_per_row: 4 + rng.below(7) as u32,
            lang: p.lang,
        };
        sites.push(Site { name: format!("dc-{i:04}"), region, model: SiteModel::Datacenter(params) });
    }
    sites.sort_by(|a, b| a.name.cmp(&b.name));
    sites
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The portfolio file listing `sites` (see `plumbline batch`): branches take the default rules,
/// data halls name theirs; every site takes its schedule from its model, when it has one.
pub fn portfolio_toml(p: &PortfolioParams, sites: &[Site]) -> String {
    let halls = sites.iter().filter(|s| matches!(s.model, SiteModel::Datacenter(_))).count();
    let scheduled = sites.iter().filter(|s| s.has_schedule()).count();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# A generated portfolio: {} sites ({} bank branches, {halls} data halls; {scheduled} with a 4D\n\
         # schedule in the model), seed {}. Each site's folder holds its model and truth.json, the\n\
         # clashes its rules must report and the pairs they must not.",
        sites.len(),
        sites.len() - halls,
        p.seed,
    );
    let _ = writeln!(t, "name = {}", toml_string(&format!("Generated portfolio (seed {})", p.seed)));
    t.push_str("needed_within_days = 14\n\n[defaults]\n");
    let _ = writeln!(t, "rules = {}", toml_string(BANK_BRANCH_RULES_PATH));
    for s in sites {
        let _ = writeln!(t, "\n[[site]]\n# {}", s.describe());
        let _ = writeln!(t, "name = {}", toml_string(&s.name));
        let _ = writeln!(t, "region = {}", toml_string(s.region));
        let _ = writeln!(t, "models = [{}]", toml_string(&s.model_path()));
        if s.rules_path() != BANK_BRANCH_RULES_PATH {
            let _ = writeln!(t, "rules = {}", toml_string(s.rules_path()));
        }
    }
    t
}

#[cfg(test)]
mod tests;
