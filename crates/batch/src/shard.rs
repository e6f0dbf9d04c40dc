//! Shards: a deterministic slice of the portfolio for one worker of an engine the bank already
//! runs (a Kubernetes Indexed Job, a Slurm array). Every worker computes the same assignment from
//! the same portfolio, so they need no coordinator.

use crate::file::Site;

/// Shard `index` of `count` (0-based, as `JOB_COMPLETION_INDEX` and a Slurm array `0-(N-1)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Reads `I/N` with 0 ≤ I < N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard '{text}': expected INDEX/COUNT, e.g. 0/8"))?;
        let number = |s: &str, what: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| format!("--shard '{text}': the {what} '{s}' is not a whole number"))
        };
        let (index, count) = (number(i, "index")?, number(n, "count")?);
        if count == 0 {
            return Err(format!("--shard '{text}': the count must be at least 1"));
        }
        if index >= count {
            return Err(format!(
                "--shard '{text}': the index counts from 0, so it must be below {count} (0 to {})",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// The indices into `sites` of this shard's sites, in portfolio order.
    ///
    /// Balanced by model size: the sites, largest first (ties by name), each go to the shard
    /// with the fewest bytes so far (ties: the lowest index). A site's shard depends only on the
    /// portfolio, never on the machine or the order workers start.
    pub fn select(self, sites: &[Site]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..sites.len()).collect();
        order.sort_by(|&a, &b| {
            sites[b].model_bytes.cmp(&sites[a].model_bytes).then_with(|| sites[a].name.cmp(&sites[b].name))
        });
        let mut load = vec![0u64; self.count];
        let mut mine = Vec::new();
        for i in order {
            let lightest = (0..self.count).min_by_key(|&s| (load[s], s)).unwrap_or(0);
            // Empty sites still count one byte, so that a portfolio of missing files spreads too.
            load[lightest] += sites[i].model_bytes.max(1);
            if lightest == self.index {
                mine.push(i);
            }
        }
        mine.sort_unstable();
        mine
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn site(name: &str, bytes: u64) -> Site {
        Site {
            name: name.into(),
            region: None,
            project: name.into(),
            models: vec![],
            model_labels: vec![],
            model_bytes: bytes,
            rules: PathBuf::new(),
            schedule: None,
            links: vec![],
            problem: None,
        }
    }

    #[test]
    fn every_site_lands_in_exactly_one_shard_balanced_by_size() {
        let sites: Vec<Site> =
            (0..37).map(|i| site(&format!("s{i:02}"), 1000 + (i * 7919 % 13) * 500)).collect();
        let mut seen = vec![0; sites.len()];
        let mut loads = Vec::new();
        for index in 0..4 {
            let mine = Shard { index, count: 4 }.select(&sites);
            loads.push(mine.iter().map(|&i| sites[i].model_bytes).sum::<u64>());
            for i in mine {
                seen[i] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
        let (lo, hi) = (loads.iter().min().copied().unwrap_or(0), loads.iter().max().copied().unwrap_or(0));
        assert!(hi - lo <= 7000, "shards unbalanced: {loads:?}");
    }

    #[test]
    fn shards_are_parsed_from_zero() {
        assert_eq!(Shard::parse("0/8"), Ok(Shard { index: 0, count: 8 }));
        assert_eq!(Shard::parse(" 7 / 8 "), Ok(Shard { index: 7, count: 8 }));
        for bad in ["8/8", "1/0", "x/2", "3", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
