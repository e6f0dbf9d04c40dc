//! `plumbline diff OLD.ifc NEW.ifc`: what changed between two revisions of a model (added,
//! removed and changed elements, matched by GlobalId and then by class, name and geometry
//! fingerprint; see `plumbline_diff`). The comparison is the diff crate's; this file loads the
//! two files and prints.

use crate::load_args::LoadArgs;
use clap::Args;
use plumbline_diff::{diff_models, Diff, DEFAULT_TOLERANCE_M};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier revision.
    old: PathBuf,
    /// The later revision.
    new: PathBuf,
    /// Geometry and placement changes up to this many millimetres are not changes.
    #[arg(long, default_value_t = DEFAULT_TOLERANCE_M * 1000.0, value_name = "MM")]
    tolerance_mm: f64,
    /// Write the comparison as JSON to FILE (`-` for stdout) instead of the text summary.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    load: LoadArgs,
}

pub fn run(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let options = args.load.options()?;
    let old = plumbline_ifc::load_file(&args.old, &options)?;
    let new = plumbline_ifc::load_file(&args.new, &options)?;
    let skipped = crate::report_skipped([&old, &new], false);
    let diff = diff_models(&old, &new, args.tolerance_mm / 1000.0)
        .map_err(|e| anyhow::anyhow!("{} and {}: {e}", args.old.display(), args.new.display()))?;
    match &args.json {
        Some(json) => crate::json_out::write(json, &diff)?,
        None => print_text(&diff),
    }
    Ok(if skipped { ExitCode::from(crate::EXIT_INCOMPLETE) } else { ExitCode::SUCCESS })
}

fn print_text(d: &Diff) {
    let label = |class: &str, name: &Option<String>, gid: &str| match name.as_deref() {
        Some(n) if !n.trim().is_empty() => format!("{class} '{n}' ({gid})"),
        _ => format!("{class} {gid}"),
    };
    println!(
        "{} added, {} removed, {} changed; matched {} by GlobalId, {} by fingerprint",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.matched.by_global_id,
        d.matched.by_fingerprint
    );
    for e in &d.added {
        println!("+ {}", label(&e.class, &e.name, &e.global_id));
    }
    for e in &d.removed {
        println!("- {}", label(&e.class, &e.name, &e.global_id));
    }
    for c in &d.changed {
        let was =
            if c.old_global_id == c.global_id { String::new() } else { format!(", was {}", c.old_global_id) };
        println!("~ {}{was}: {}", label(&c.class, &c.name, &c.global_id), c.changes.join(", "));
    }
}
