//! `-v`/`--verbose` and `--log-level`: a small `tracing` subscriber that writes events to
//! stderr, so the backends' warnings (a stale token served while ECR is unreachable, a corrupt
//! cache entry replaced) reach the user. Warnings and errors are shown by default; `-v` adds
//! info, `-vv` debug, `-vvv` trace. Nothing is ever written to stdout (it carries protocol
//! answers for docker and the kubelet), and no event carries a secret (pullpass-ecr's
//! invariant).

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// How many `-v` were given (commands that list more with `--verbose` ask this).
static VERBOSITY: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// The number of `-v`/`--verbose` flags on the command line.
pub(crate) fn verbosity() -> u8 {
    VERBOSITY.load(std::sync::atomic::Ordering::Relaxed)
}

/// Records the `-v` count for [`verbosity`].
pub(crate) fn set_verbosity(n: u8) {
    VERBOSITY.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// `--log-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// The level for `--log-level` (wins) or the number of `-v`s.
pub(crate) fn level(explicit: Option<LogLevel>, verbose: u8) -> Option<Level> {
    match explicit {
        Some(LogLevel::Off) => None,
        Some(LogLevel::Error) => Some(Level::ERROR),
        Some(LogLevel::Warn) => Some(Level::WARN),
        Some(LogLevel::Info) => Some(Level::INFO),
        Some(LogLevel::Debug) => Some(Level::DEBUG),
        Some(LogLevel::Trace) => Some(Level::TRACE),
        None => Some(match verbose {
            0 => Level::WARN,
            1 => Level::INFO,
            2 => Level::DEBUG,
            _ => Level::TRACE,
        }),
    }
}

/// Installs the stderr subscriber for `max` (and above). Only pullpass's own crates log
/// below `WARN`; the AWS SDK's debug chatter stays off unless `-vvv`.
pub(crate) fn init(max: Option<Level>) {
    let Some(max) = max else { return };
    let _ = tracing::subscriber::set_global_default(Stderr { max });
}

#[derive(Debug)]
struct Stderr {
    max: Level,
}

impl Subscriber for Stderr {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let ours = metadata.target().starts_with("pullpass");
        *metadata.level() <= self.max
            && (ours || self.max == Level::TRACE || *metadata.level() <= Level::WARN)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = Line::default();
        event.record(&mut line);
        let level = event.metadata().level().as_str().to_ascii_lowercase();
        let mut out = format!("pullpass: {level}: {}", line.message);
        if !line.fields.is_empty() {
            let _ = write!(out, " ({})", line.fields.trim_start());
        }
        out.push('\n');
        let _ = std::io::stderr().lock().write_all(out.as_bytes());
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_by_default_more_with_v() {
        assert_eq!(level(None, 0), Some(Level::WARN));
        assert_eq!(level(None, 2), Some(Level::DEBUG));
        assert_eq!(level(Some(LogLevel::Off), 3), None);
        assert_eq!(level(Some(LogLevel::Error), 3), Some(Level::ERROR));
    }
}
