//! The portfolio file (TOML): the programme's sites, each with its models (files or globs), its
//! rule matrix, and optionally a schedule, link files, a region and a history project.
//!
//! Mistakes in the file itself (unknown keys, a duplicate or unusable site name, a bad glob, a
//! site without rules) stop the batch before anything runs, with the file and line. A site whose
//! files are missing is not such a mistake: it is kept with its problem and reported as failed,
//! so one branch's missing export does not hold up the other 499.

use crate::error::BatchError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The "needed soon" window when the file does not set `needed_within_days`.
pub const DEFAULT_NEEDED_WITHIN_DAYS: u32 = 14;

/// The longest site name accepted (it names a folder on every platform).
const MAX_NAME_CHARS: usize = 100;

/// A portfolio file, read and checked.
#[derive(Debug, Clone)]
pub struct PortfolioFile {
    pub path: PathBuf,
    /// `name` in the file, else the file stem.
    pub name: String,
    pub needed_within_days: u32,
    /// In file order.
    pub sites: Vec<Site>,
    /// The SHA-256 of the file's text, in hex: shards of one batch read the same file, so the
    /// merge refuses shards whose portfolio changed between their runs.
    pub sha256: String,
}

/// One site of a portfolio, its paths resolved against the portfolio's folder.
#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub region: Option<String>,
    /// The history project: `project`, else the name.
    pub project: String,
    /// The model files the globs found, sorted, without repeats.
    pub models: Vec<PathBuf>,
    /// The same files as reports show them: relative to the portfolio's folder when under it,
    /// with `/` separators.
    pub model_labels: Vec<String>,
    /// The models' size on disk (what shards balance and the memory budget estimates).
    pub model_bytes: u64,
    pub rules: PathBuf,
    pub schedule: Option<PathBuf>,
    pub links: Vec<PathBuf>,
    /// Why the site cannot run (a glob that finds no file); it is reported as failed.
    pub problem: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPortfolio {
    name: Option<String>,
    needed_within_days: Option<u32>,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default, rename = "site")]
    sites: Vec<RawSite>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    rules: Option<String>,
    region: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    name: Spanned<String>,
    region: Option<String>,
    models: Spanned<Vec<String>>,
    rules: Option<String>,
    schedule: Option<String>,
    #[serde(default)]
    links: Vec<String>,
    project: Option<String>,
}

impl PortfolioFile {
    /// Reads and checks a portfolio file; the sites' globs are expanded now.
    pub fn read(path: &Path) -> Result<PortfolioFile, BatchError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BatchError::Read { path: path.to_path_buf(), message: e.to_string() })?;
        PortfolioFile::parse(path, &text)
    }

    /// Checks `text` as the portfolio file at `path` (paths resolve against its folder).
    pub fn parse(path: &Path, text: &str) -> Result<PortfolioFile, BatchError> {
        let raw: RawPortfolio = toml::from_str(text)
            .map_err(|e| BatchError::portfolio(path, e.to_string().trim_end().to_string()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = match raw.name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "portfolio".into()),
        };
        if raw.sites.is_empty() {
            return Err(BatchError::portfolio(path, "the portfolio has no sites: add [[site]] tables"));
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut sites = Vec::with_capacity(raw.sites.len());
        for site in raw.sites {
            let line = line_of(text, site.name.span().start);
            let at = |message: String| BatchError::portfolio(path, format!("line {line}: {message}"));
            let site_name = site.name.get_ref().trim().to_string();
            check_name(&site_name).map_err(|why| at(format!("site name '{site_name}' {why}")))?;
            if let Some(first) = seen.insert(site_name.to_lowercase(), line) {
                return Err(at(format!(
                    "site name '{site_name}' is used twice (first on line {first}); names must differ, ignoring case, because each names a reports folder"
                )));
            }
            let rules = site.rules.as_deref().or(raw.defaults.rules.as_deref()).ok_or_else(|| {
                at(format!(
                    "site '{site_name}' has no rules: give `rules = \"FILE.toml\"` or set it in [defaults]"
                ))
            })?;
            if site.models.get_ref().is_empty() {
                return Err(at(format!("site '{site_name}' lists no models")));
            }
            let (models, problem) = expand_models(&dir, site.models.get_ref()).map_err(|why| {
                BatchError::portfolio(
                    path,
                    format!("line {}: site '{site_name}': {why}", line_of(text, site.models.span().start)),
                )
            })?;
            let model_bytes = models.iter().filter_map(|m| std::fs::metadata(m).ok()).map(|m| m.len()).sum();
            let model_labels = models.iter().map(|m| label(&dir, m)).collect();
            let project = site.project.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
            sites.push(Site {
                project: project.unwrap_or_else(|| site_name.clone()),
                name: site_name,
                region: site.region.or_else(|| raw.defaults.region.clone()).filter(|r| !r.trim().is_empty()),
                models,
                model_labels,
                model_bytes,
                rules: dir.join(rules),
                schedule: site.schedule.map(|s| dir.join(s)),
                links: site.links.iter().map(|l| dir.join(l)).collect(),
                problem,
            });
        }
        Ok(PortfolioFile {
            path: path.to_path_buf(),
            name,
            needed_within_days: raw.needed_within_days.unwrap_or(DEFAULT_NEEDED_WITHIN_DAYS),
            sites,
            sha256: sha256_hex(text.as_bytes()),
        })
    }
}

/// The SHA-256 of `bytes` as lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Site {
    /// Why the site would fail before loading a model: its files are missing, or its rule
    /// file does not read (`--dry-run` asks this of every site).
    pub fn check(&self) -> Option<String> {
        if let Some(problem) = &self.problem {
            return Some(problem.clone());
        }
        plumbline_rules::RuleSet::read(&self.rules, &plumbline_ifc::canonical_class_name)
            .err()
            .map(|e| e.to_string())
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.bytes().filter(|&b| b == b'\n').count()) + 1
}

/// Why a site name cannot name a reports folder on every platform, if it cannot.
fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err("is longer than 100 characters");
    }
    if name.starts_with('.') {
        return Err("starts with '.'");
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
    {
        return Err(
            "holds a character a folder name cannot have (/ \\ : * ? \" < > | or a control character)",
        );
    }
    Ok(())
}

/// The files `entries` name (paths or globs, relative to `dir`), sorted and without repeats,
/// and what is missing when an entry finds nothing. A pattern that is not a glob is an error of
/// the file.
fn expand_models(dir: &Path, entries: &[String]) -> Result<(Vec<PathBuf>, Option<String>), String> {
    let mut found = std::collections::BTreeSet::new();
    let mut missing = Vec::new();
    for entry in entries {
        let pattern = if Path::new(entry).is_absolute() {
            entry.clone()
        } else {
            // The folder is taken literally: a `[` in it must not start a character class.
            let base = glob::Pattern::escape(&dir.to_string_lossy());
            if base.is_empty() {
                entry.clone()
            } else {
                format!("{base}/{entry}")
            }
        };
        let matches =
            glob::glob(&pattern).map_err(|e| format!("models entry '{entry}' is not a valid glob: {e}"))?;
        let mut any = false;
        for m in matches.flatten().filter(|m| m.is_file()) {
            any = true;
            found.insert(m);
        }
        if !any {
            missing.push(entry.as_str());
        }
    }
    let problem = (!missing.is_empty()).then(|| {
        let relative = missing.iter().any(|m| !Path::new(m).is_absolute());
        let base = if relative { format!(" (relative to {})", shown_dir(dir)) } else { String::new() };
        format!("no model file matches {}{base}", missing.join(", "))
    });
    Ok((found.into_iter().collect(), problem))
}

fn shown_dir(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".into()
    } else {
        dir.display().to_string()
    }
}

/// A model path as reports show it: relative to the portfolio's folder when under it.
fn label(dir: &Path, path: &Path) -> String {
    let shown = path.strip_prefix(dir).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PortfolioFile, String> {
        PortfolioFile::parse(Path::new("/nowhere/p.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_site_inherits_the_defaults_and_names_its_project() {
        let p = parse(
            "[defaults]\nrules = \"r.toml\"\nregion = \"East\"\n[[site]]\nname = \"br-1\"\nmodels = [\"a.ifc\"]\n",
        )
        .expect("parses");
        assert_eq!(p.name, "p");
        assert_eq!(p.needed_within_days, DEFAULT_NEEDED_WITHIN_DAYS);
        let s = &p.sites[0];
        assert_eq!(s.project, "br-1");
        assert_eq!(s.region.as_deref(), Some("East"));
        assert_eq!(s.rules, Path::new("/nowhere/r.toml"));
        // The model is missing: the site is kept, to be reported as failed.
        assert!(s.problem.as_deref().is_some_and(|p| p.contains("a.ifc")), "{:?}", s.problem);
    }

    #[test]
    fn mistakes_in_the_file_name_the_line() {
        let dup = parse(
            "[defaults]\nrules = \"r.toml\"\n[[site]]\nname = \"A\"\nmodels = [\"a.ifc\"]\n[[site]]\nname = \"a\"\nmodels = [\"b.ifc\"]\n",
        )
        .expect_err("duplicate");
        assert!(dup.contains("line 7") && dup.contains("first on line 4"), "{dup}");
        let bad =
            parse("[[site]]\nname = \"x/y\"\nmodels = [\"a.ifc\"]\nrules = \"r.toml\"\n").expect_err("slash");
        assert!(bad.contains("line 2") && bad.contains("x/y"), "{bad}");
        let unknown = parse("[[site]]\nname = \"x\"\nmodel = [\"a.ifc\"]\n").expect_err("unknown key");
        assert!(unknown.contains("model"), "{unknown}");
        let no_rules = parse("[[site]]\nname = \"x\"\nmodels = [\"a.ifc\"]\n").expect_err("no rules");
        assert!(no_rules.contains("has no rules"), "{no_rules}");
        let empty = parse("name = \"x\"\n").expect_err("no sites");
        assert!(empty.contains("no sites"), "{empty}");
        let glob =
            parse("[[site]]\nname = \"x\"\nrules = \"r\"\nmodels = [\"a[.ifc\"]\n").expect_err("bad glob");
        assert!(glob.contains("line 4") && glob.contains("glob"), "{glob}");
    }

    #[test]
    fn globs_find_files_sorted_and_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        for f in ["b.ifc", "a.ifc", "c.txt"] {
            std::fs::write(dir.path().join(f), b"0123").expect("write");
        }
        let path = dir.path().join("p.toml");
        let p = PortfolioFile::parse(
            &path,
            "[[site]]\nname = \"s\"\nrules = \"r\"\nmodels = [\"*.ifc\", \"a.ifc\"]\n",
        )
        .expect("parses");
        assert_eq!(p.sites[0].model_labels, ["a.ifc", "b.ifc"]);
        assert_eq!(p.sites[0].model_bytes, 8);
        assert_eq!(p.sites[0].problem, None);
    }
}
