//! The portfolio: its file parses with the batch spec's fields, it is deterministic, sizes
//! spread, and the truth of every drawn site is proven by the brute-force check.

use std::collections::BTreeSet;

use super::{data_halls, plan, portfolio_toml, PortfolioParams, SiteModel};
use crate::tests::{branch_full, dc_full, element_count, verify, verify_seeding};
use crate::{Lang, BRANCH_TESTS, DATACENTER_TESTS};

fn params(sites: u32, seed: u64) -> PortfolioParams {
    PortfolioParams { sites, seed, lang: Lang::En }
}

#[test]
fn portfolio_file_parses_with_the_spec_fields() {
    let p = params(60, 7);
    let sites = plan(&p);
    let text = portfolio_toml(&p, &sites);
    let doc: toml::Table = text.parse().expect("the portfolio file is TOML");
    let top: BTreeSet<&str> = doc.keys().map(String::as_str).collect();
    assert_eq!(top, BTreeSet::from(["name", "needed_within_days", "defaults", "site"]));
    assert_eq!(doc["needed_within_days"].as_integer(), Some(14));
    assert_eq!(doc["defaults"]["rules"].as_str(), Some("rules/bank-branch.toml"));
    let listed = doc["site"].as_array().expect("[[site]] tables");
    assert_eq!(listed.len(), 60);
    let allowed = BTreeSet::from(["name", "region", "models", "rules", "schedule", "links", "project"]);
    let mut names = BTreeSet::new();
    for (entry, site) in listed.iter().zip(&sites) {
        let t = entry.as_table().expect("a site is a table");
        assert!(t.keys().all(|k| allowed.contains(k.as_str())), "{t:?}");
        let name = t["name"].as_str().expect("name");
        assert_eq!(name, site.name);
        assert!(names.insert(name.to_lowercase()), "duplicate {name}");
        assert!(!name.starts_with('.') && !name.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']));
        assert!(!t["region"].as_str().expect("region").is_empty());
        let models = t["models"].as_array().expect("models");
        assert_eq!(models.len(), 1);
        assert_eq!(models[0].as_str(), Some(format!("sites/{name}/{name}.ifc").as_str()));
        let rules = t.get("rules").and_then(|r| r.as_str());
        match site.model {
            SiteModel::Branch(..) => assert_eq!(rules, None),
            SiteModel::Datacenter(_) => assert_eq!(rules, Some("rules/datacenter.toml")),
        }
    }
    // Sorted by name: branches first, then the halls.
    let order: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(order[0], "br-0001");
    assert_eq!(order[59], "dc-0001");
}

#[test]
fn chinese_regions_parse_too() {
    let p = PortfolioParams { sites: 12, seed: 2, lang: Lang::Zh };
    let doc: toml::Table = portfolio_toml(&p, &plan(&p)).parse().expect("TOML");
    let regions: BTreeSet<&str> =
        doc["site"].as_array().expect("sites").iter().filter_map(|s| s["region"].as_str()).collect();
    assert!(regions.iter().all(|r| !r.is_ascii()), "{regions:?}");
}

#[test]
fn halls_are_one_in_fifty_from_ten_sites_on() {
    assert_eq!(data_halls(1), 0);
    assert_eq!(data_halls(9), 0);
    assert_eq!(data_halls(10), 1);
    assert_eq!(data_halls(99), 1);
    assert_eq!(data_halls(500), 10);
    let sites = plan(&params(500, 1));
    assert_eq!(sites.iter().filter(|s| matches!(s.model, SiteModel::Datacenter(_))).count(), 10);
}

#[test]
fn the_same_seed_gives_the_same_portfolio_and_sites_keep_their_draw() {
    let a = plan(&params(40, 3));
    assert_eq!(a, plan(&params(40, 3)));
    assert_eq!(portfolio_toml(&params(40, 3), &a), portfolio_toml(&params(40, 3), &plan(&params(40, 3))));
    assert_ne!(a, plan(&params(40, 4)));
    assert_eq!(a[0].generate().ifc, plan(&params(40, 3))[0].generate().ifc);
    // A branch is the same site in a smaller portfolio.
    let small = plan(&params(5, 3));
    assert_eq!(small[..], a[..5]);
}

#[test]
fn both_schedule_kinds_and_varied_plans_appear() {
    let sites = plan(&params(60, 5));
    assert!(sites.iter().any(|s| s.has_schedule()));
    assert!(sites.iter().any(|s| !s.has_schedule()));
    let layouts: Vec<_> = sites
        .iter()
        .filter_map(|s| match &s.model {
            SiteModel::Branch(_, l) => Some(l.clone()),
            SiteModel::Datacenter(_) => None,
        })
        .collect();
    for (what, seen) in [
        ("no vault", layouts.iter().any(|l| !l.vault)),
        ("no ATM lobby", layouts.iter().any(|l| !l.atm_lobby)),
        ("mirrored", layouts.iter().any(|l| l.mirrored)),
        ("turned", layouts.iter().any(|l| l.quarter_turns != 0)),
        ("larger", layouts.iter().any(|l| l.bays > 5)),
        ("sample size", layouts.iter().any(|l| l.bays == 3)),
    ] {
        assert!(seen, "no branch {what}");
    }
    // Every site has its own GlobalIds.
    let seeds: BTreeSet<u64> = sites
        .iter()
        .map(|s| match &s.model {
            SiteModel::Branch(p, _) => p.seed,
            SiteModel::Datacenter(p) => p.seed,
        })
        .collect();
    assert_eq!(seeds.len(), sites.len());
}

#[test]
fn element_counts_spread() {
    let counts: Vec<usize> = plan(&params(40, 1)).iter().map(|s| element_count(&s.generate().ifc)).collect();
    let (min, max) = (counts.iter().min().copied(), counts.iter().max().copied());
    let (Some(min), Some(max)) = (min, max) else { panic!("no sites") };
    let distinct: BTreeSet<usize> = counts.iter().copied().collect();
    assert!(max >= 2 * min, "{min}..{max}");
    assert!(distinct.len() >= 6, "{distinct:?}");
}

/// Every site a portfolio draws, branches and halls, has exactly the truth the brute-force
/// check finds (the CLI's `gen` tests run the clash engine itself on a written portfolio).
#[test]
fn every_drawn_site_has_an_exact_truth() {
    for site in plan(&params(40, 11)) {
        match &site.model {
            SiteModel::Branch(p, layout) => {
                let (g, (recs, tasks)) = branch_full(p, layout);
                let unseeded: &[&str] = if layout.atm_lobby { &[] } else { &[crate::ACCESSIBLE_CLEAR_FLOOR] };
                verify_seeding(&g, &recs, &tasks, BRANCH_TESTS, unseeded);
            }
            SiteModel::Datacenter(p) => {
                let (g, (recs, tasks)) = dc_full(p);
                verify(&g, &recs, &tasks, DATACENTER_TESTS);
            }
        }
    }
}
