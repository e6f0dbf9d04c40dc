//! The memory budget (`--max-memory`): sites run side by side only while their estimated peak
//! memory fits, so a large data hall does not run beside ten others and push the machine into
//! swap. A site larger than the whole budget still runs, alone.

use std::sync::{Condvar, Mutex, PoisonError};

/// A site's memory beyond its models: the rule set, the schedule, reports, the history
/// connection and the thread stacks. (The process's own ~60 MB is outside the budget.)
pub const SITE_BASE_BYTES: u64 = 32 << 20;

/// Peak memory per byte of IFC: parsing, the meshes, the broad-phase tree and the snapshots.
/// Measured as the peak resident size of `plumbline clash`, less the ~60 MB of a run on an
/// empty model, over the file size: 9.5 on a 30k-element generated hall (13.5 MB, 188 MB
/// peak), 12 on Office_A (4.1 MB, 112 MB peak); the larger is taken, because running out of
/// memory costs more than running one site fewer.
pub const PEAK_BYTES_PER_MODEL_BYTE: u64 = 12;

/// A site's estimated peak memory.
pub fn estimate_bytes(model_bytes: u64) -> u64 {
    SITE_BASE_BYTES.saturating_add(model_bytes.saturating_mul(PEAK_BYTES_PER_MODEL_BYTE))
}

/// Reads `6G`, `512M`, `2GiB`, `1.5g` or a plain number of bytes (binary units: 1G = 2³⁰ bytes).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("--max-memory '{text}': expected a size such as 6G, 512M or 2GiB"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        other => return Err(format!("--max-memory '{text}': unknown unit '{other}' (use K, M, G or T)")),
    };
    let bytes = value * scale as f64;
    if !(bytes >= 1.0 && bytes.is_finite()) {
        return Err(format!("--max-memory '{text}': must be more than zero"));
    }
    Ok(bytes as u64)
}

/// The default budget: half the machine's memory (the rest is the system's, the page cache's
/// and the history server's), or 4 GiB where the total cannot be read.
pub fn default_budget() -> u64 {
    total_memory_bytes().map_or(4 << 30, |total| total / 2)
}

/// The machine's memory, from `/proc/meminfo` (Linux, where batches run on clusters); the
/// cgroup's limit when it is smaller (a Kubernetes pod's `limits.memory`, a Slurm job's `--mem`).
fn total_memory_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let machine = kib.saturating_mul(1024);
    let cgroups = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let limit = cgroup_limits(&cgroups).into_iter().filter_map(|f| read_limit(&f)).min();
    Some(limit.map_or(machine, |c| c.min(machine)))
}

/// The files that may hold this process's memory limit, from `/proc/self/cgroup`: cgroup v2
/// (`0::/PATH`, a container or a Slurm job step) and v1 (`N:memory:/PATH`), at the process's
/// own group and at the root of the mount (a container sees its own group as the root).
fn cgroup_limits(proc_self_cgroup: &str) -> Vec<std::path::PathBuf> {
    let mut files = vec![
        std::path::PathBuf::from("/sys/fs/cgroup/memory.max"),
        std::path::PathBuf::from("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
    ];
    for line in proc_self_cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let path = path.trim_start_matches('/');
        if controllers.is_empty() {
            files.push(std::path::Path::new("/sys/fs/cgroup").join(path).join("memory.max"));
        } else if controllers.split(',').any(|c| c == "memory") {
            files
                .push(std::path::Path::new("/sys/fs/cgroup/memory").join(path).join("memory.limit_in_bytes"));
        }
    }
    files
}

/// A cgroup limit in bytes; `max` (v2) and v1's "no limit" (a number near 2⁶³) read as none.
fn read_limit(file: &std::path::Path) -> Option<u64> {
    let value = std::fs::read_to_string(file).ok()?.trim().parse::<u64>().ok()?;
    (value < (1 << 60)).then_some(value)
}

/// Memory shared by the sites running at once.
#[derive(Debug)]
pub struct Budget {
    total: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

impl Budget {
    pub fn new(total: u64) -> Budget {
        Budget { total, used: Mutex::new(0), freed: Condvar::new() }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Waits until `bytes` fit beside what runs (or nothing runs), takes them, and gives them
    /// back when the returned guard is dropped.
    pub fn reserve(&self, bytes: u64) -> Reservation<'_> {
        let bytes = bytes.min(self.total);
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        while *used > 0 && *used + bytes > self.total {
            used = self.freed.wait(used).unwrap_or_else(PoisonError::into_inner);
        }
        *used += bytes;
        Reservation { budget: self, bytes }
    }
}

/// Memory taken from a [`Budget`] while a site runs.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(PoisonError::into_inner);
        *used -= self.bytes;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn the_limit_files_follow_the_process_cgroup() {
        let files = cgroup_limits("0::/slurm/uid_1000/job_42/step_0\n");
        assert!(files.contains(&"/sys/fs/cgroup/slurm/uid_1000/job_42/step_0/memory.max".into()));
        let v1 = cgroup_limits("7:memory:/slurm/uid_1000/job_42\n5:cpu,cpuacct:/x\n");
        assert!(v1.contains(&"/sys/fs/cgroup/memory/slurm/uid_1000/job_42/memory.limit_in_bytes".into()));
        assert!(!v1.iter().any(|f| f.starts_with("/sys/fs/cgroup/memory/x")));
        assert!(default_budget() > 0);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("6G"), Ok(6 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        for bad in ["", "G", "6X", "0", "-1G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sites_never_exceed_the_budget_together_and_a_huge_one_runs_alone() {
        let budget = Budget::new(100);
        let running = AtomicU64::new(0);
        let peak = AtomicU64::new(0);
        let sizes = [30u64, 60, 500, 10, 40, 90, 20, 70];
        std::thread::scope(|s| {
            for &size in &sizes {
                let (budget, running, peak) = (&budget, &running, &peak);
                s.spawn(move || {
                    let _r = budget.reserve(size);
                    let now = running.fetch_add(size.min(100), Ordering::SeqCst) + size.min(100);
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    running.fetch_sub(size.min(100), Ordering::SeqCst);
                });
            }
        });
        assert!(peak.load(Ordering::SeqCst) <= 100, "peak {}", peak.load(Ordering::SeqCst));
        assert_eq!(running.load(Ordering::SeqCst), 0);
    }
}
