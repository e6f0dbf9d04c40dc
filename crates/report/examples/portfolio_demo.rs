//! Writes the portfolio reports of a made-up programme of 40 sites (bank branches in four
//! regions and a few data halls), to look at the charts with realistic numbers:
//!
//! ```text
//! cargo run -p plumbline-report --example portfolio_demo -- OUT_DIR
//! ```
//!
//! writes `OUT_DIR/portfolio-{en,zh,both}.html` and `OUT_DIR/portfolio-{en,zh}.xlsx`. The
//! numbers come from a fixed pseudo-random sequence, so every run writes the same files.

use plumbline_report::{
    portfolio_html, portfolio_xlsx, ClashCounts, Discipline, Lang, Portfolio, SiteOutcome, SiteResult,
    TrendPoint,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A small linear congruential generator: the same numbers on every machine.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below.max(1) as u64) as usize
    }
}

const BRANCHES: [(&str, &str, &str); 4] =
    [("sh", "华东", "上海"), ("bj", "华北", "北京"), ("gz", "华南", "广州"), ("cd", "西南", "成都")];
const DISTRICTS: [&str; 9] = ["浦东", "徐汇", "静安", "朝阳", "海淀", "天河", "越秀", "锦江", "高新"];

fn site(i: usize, n: &mut Numbers) -> SiteResult {
    let hall = i % 10 == 9;
    let (prefix, region, city) = BRANCHES[i % BRANCHES.len()];
    let name = if hall {
        format!("{city}数据中心 DC-{}", i / 10 + 1)
    } else if i.is_multiple_of(3) {
        // (i / 3, i % 4) differ for every multiple of 3 below 40: the names are unique.
        format!("{city}{}支行", DISTRICTS[(i / 3) % DISTRICTS.len()])
    } else {
        format!("{prefix}-{:04}", 1 + i * 7)
    };
    let scale = if hall { 6 } else { 1 };
    let open = n.next(60 * scale) + if i.is_multiple_of(7) { 80 } else { 0 };
    let new = n.next(open / 2 + 1);
    let resolved = n.next(20 * scale);
    let has_schedule = i % 8 != 5;
    let needed_soon = if has_schedule { n.next(open / 3 + 1) } else { 0 };
    let mut by_discipline = BTreeMap::new();
    let weights: [usize; 7] = if hall { [2, 1, 9, 3, 8, 6, 1] } else { [4, 5, 6, 5, 3, 2, 1] };
    for (d, w) in Discipline::ALL.into_iter().zip(weights) {
        let k = open * w / 14 + n.next(3);
        if k > 0 {
            by_discipline.insert(d.key().to_string(), k);
        }
    }
    let runs = 1 + n.next(8);
    let mut level = open + n.next(40);
    let mut trend = Vec::new();
    for r in 0..runs {
        if r + 1 == runs {
            level = open;
        }
        trend.push(TrendPoint {
            at: format!("2027-{:02}-{:02}T02:00:00Z", 1 + r / 4, 1 + 7 * (r % 4)),
            found: level + 2,
            open: level,
            new: level / 4,
            resolved: n.next(5),
        });
        level = (level + n.next(30)).saturating_sub(n.next(35));
    }
    let outcome = match i {
        13 | 27 => SiteOutcome::Failed,
        4 | 22 | 35 => SiteOutcome::Incomplete,
        _ => SiteOutcome::Ok,
    };
    let mut s = SiteResult {
        region: Some(region.to_string()),
        project: name.clone(),
        outcome,
        error: None,
        models: vec![format!("sites/{name}/model.ifc")],
        model_bytes: 4_000_000 * scale as u64,
        elements: 3_000 * scale,
        clashes: ClashCounts {
            found: open + 3,
            open,
            new,
            active: open - new,
            reviewed: 0,
            approved: 3,
            resolved,
        },
        by_discipline,
        has_schedule,
        needed_soon,
        first_needed_by: (needed_soon > 0).then(|| format!("2027-03-{:02}", 2 + n.next(14))),
        trend,
        reports: ["html", "xlsx", "bcf"]
            .iter()
            .map(|f| (f.to_string(), format!("{name}/clashes.{}", if *f == "bcf" { "bcfzip" } else { f })))
            .collect(),
        name,
    };
    if outcome == SiteOutcome::Failed {
        s.error =
            Some(format!("sites/{}/model.ifc: line 4812: unexpected end of file in #2231=IFCWALL(", s.name));
        s.clashes = ClashCounts::default();
        s.by_discipline.clear();
        s.needed_soon = 0;
        s.first_needed_by = None;
        s.elements = 0;
        s.reports.clear();
    }
    if i == 38 {
        // A site outside every region.
        s.region = None;
    }
    s
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "portfolio-demo".into()));
    std::fs::create_dir_all(&out)?;
    let mut n = Numbers(20_270_301);
    let sites: Vec<SiteResult> = (0..40).map(|i| site(i, &mut n)).collect();
    let p = Portfolio::new(
        "银行网点改造 2027 · Branch renovation".into(),
        "2027-03-01T02:00:00Z".into(),
        14,
        sites,
    );
    for lang in [Lang::En, Lang::Zh, Lang::Both] {
        std::fs::write(out.join(format!("portfolio-{}.html", lang.as_str())), portfolio_html(&p, lang))?;
    }
    for lang in [Lang::En, Lang::Zh] {
        std::fs::write(out.join(format!("portfolio-{}.xlsx", lang.as_str())), portfolio_xlsx(&p, lang)?)?;
    }
    std::fs::write(out.join("portfolio.json"), p.to_json())?;
    println!("wrote {}", out.display());
    Ok(())
}
