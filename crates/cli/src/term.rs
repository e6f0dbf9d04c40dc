//! The terminal conventions every subcommand shares, modelled on ripgrep and cargo:
//! - how much is said: `-q` (errors and warnings only), default (progress and summaries), `-v`
//!   (debug detail), `-vv` (trace); `RUST_LOG` overrides the filter. Messages go through
//!   `tracing`, written on stderr without timestamps, as a person reads them;
//! - colour: `--color auto|always|never`; `auto` colours only a terminal and honours
//!   `NO_COLOR` (no-color.org);
//! - errors: each cause said once (`error: …`), the file the user gave named in it.

use clap::ValueEnum;
use std::fmt;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour, given the environment's `NO_COLOR` and whether stderr is a terminal.
    pub fn resolve(self, no_color_env: Option<&str>, stderr_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // no-color.org: any non-empty value switches colour off.
            ColorChoice::Auto => no_color_env.is_none_or(str::is_empty) && stderr_is_terminal,
        }
    }
}

static COLOR: AtomicBool = AtomicBool::new(false);
static QUIET: AtomicBool = AtomicBool::new(false);
static VERBOSITY: AtomicU8 = AtomicU8::new(0);

/// Whether output is coloured (set once by [`init`]).
pub fn color() -> bool {
    COLOR.load(Ordering::Relaxed)
}

/// Whether `-q` was given: no progress bars, no summaries.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// How many `-v` were given.
pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// The log filter for the flags: warnings with `-q`; by default Plumbline's own information
/// (the libraries it uses, such as the IFC parser, say only warnings); with `-v` debug detail
/// and the libraries' information; with `-vv` everything. `RUST_LOG`, when set and valid, wins.
/// (A target directive matches by prefix, so `plumbline` covers every `plumbline_*` crate.)
pub fn filter_directive(quiet: bool, verbose: u8) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "warn,plumbline=info",
        (false, 1) => "info,plumbline=debug",
        (false, _) => "debug,plumbline=trace",
    }
}

/// Sets up colour, verbosity and the `tracing` subscriber that writes messages on stderr.
pub fn init(quiet: bool, verbose: u8, color: ColorChoice) {
    let no_color = std::env::var("NO_COLOR").ok();
    let coloured = color.resolve(no_color.as_deref(), std::io::stderr().is_terminal());
    COLOR.store(coloured, Ordering::Relaxed);
    QUIET.store(quiet, Ordering::Relaxed);
    VERBOSITY.store(verbose, Ordering::Relaxed);
    let directive = filter_directive(quiet, verbose);
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(directive));
    // A second subscriber (tests calling `init` twice) is simply not installed.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(Plain { color: coloured })
        .try_init();
}

/// `warning: …`, `debug: …`; information lines plain, as a person reads them.
struct Plain {
    color: bool,
}

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, cx: &FmtContext<'_, S, N>, mut w: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let level = *event.metadata().level();
        let prefix = match level {
            Level::ERROR => Some(("error", "\x1b[1;31m")),
            Level::WARN => Some(("warning", "\x1b[1;33m")),
            Level::INFO => None,
            Level::DEBUG => Some(("debug", "\x1b[2m")),
            Level::TRACE => Some(("trace", "\x1b[2m")),
        };
        if let Some((word, style)) = prefix {
            if self.color {
                write!(w, "{style}{word}\x1b[0m: ")?;
            } else {
                write!(w, "{word}: ")?;
            }
        }
        cx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

/// The error line: `error: ` in red on a colour terminal.
pub fn error_prefix() -> &'static str {
    if color() {
        "\x1b[1;31merror\x1b[0m: "
    } else {
        "error: "
    }
}

/// The error and its causes, each said once: a cause whose text the message already holds
/// (libraries put the cause into their message so that it reads as one sentence) is not
/// repeated.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_flag_then_no_color_then_the_terminal() {
        assert!(ColorChoice::Always.resolve(Some("1"), false));
        assert!(!ColorChoice::Never.resolve(None, true));
        assert!(ColorChoice::Auto.resolve(None, true));
        assert!(ColorChoice::Auto.resolve(Some(""), true), "an empty NO_COLOR means nothing");
        assert!(!ColorChoice::Auto.resolve(Some("1"), true));
        assert!(!ColorChoice::Auto.resolve(None, false));
    }

    #[test]
    fn verbosity_picks_the_filter() {
        assert_eq!(filter_directive(true, 2), "warn");
        assert_eq!(filter_directive(false, 0), "warn,plumbline=info");
        assert_eq!(filter_directive(false, 1), "info,plumbline=debug");
        assert_eq!(filter_directive(false, 3), "debug,plumbline=trace");
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let e = anyhow::Error::new(io).context("m.ifc: cannot read: No such file or directory (os error 2)");
        assert_eq!(error_text(&e), "m.ifc: cannot read: No such file or directory (os error 2)");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "not found");
        let e = anyhow::Error::new(io).context("m.ifc: cannot read");
        assert_eq!(error_text(&e), "m.ifc: cannot read: not found");
    }
}
