//! Small helpers shared by the xtask steps: paths, running commands, and the quiet-by-default
//! output (one progress line per stage, the tools' own output in `target/xtask/<stage>.log`,
//! everything with `-v`).

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// `-v`: show every command and its whole output instead of the progress lines.
pub(crate) fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

pub(crate) fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// The repository root (the parent of `xtask/`).
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the root")
        .to_path_buf()
}

/// Where installed tools live (git-ignored, reused between runs): `<root>/.tools`, or
/// `PULLPASS_TOOLS_DIR`.
pub(crate) fn tools_dir() -> PathBuf {
    std::env::var_os("PULLPASS_TOOLS_DIR")
        .map_or_else(|| project_root().join(".tools"), PathBuf::from)
}

/// Where the stage logs go: `target/xtask/`.
pub(crate) fn log_dir() -> PathBuf {
    project_root().join("target/xtask")
}

/// `path` relative to the root when it is below it (for messages).
pub(crate) fn rel(path: &Path) -> String {
    let root = project_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The cargo that runs this xtask.
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(project_root());
    cmd
}

/// One stage of a run: a cargo-style progress line (`  Installing Debian packages … done`),
/// the output of every command [`sh`] runs meanwhile appended to `target/xtask/<log>.log`, and
/// the log's path and last lines when one fails. With `-v` the commands and their output are
/// shown as they run instead. Stages nest (the innermost one's log is used).
#[derive(Debug)]
pub(crate) struct Stage {
    started: Instant,
    what: String,
}

/// The logs this run has started (truncated on first use).
static FRESH_LOGS: Mutex<std::collections::BTreeSet<PathBuf>> =
    Mutex::new(std::collections::BTreeSet::new());

/// The logs of the open stages, innermost last, and whether a progress line waits for its end.
static STAGES: Mutex<(Vec<PathBuf>, bool)> = Mutex::new((Vec::new(), false));

fn stages() -> std::sync::MutexGuard<'static, (Vec<PathBuf>, bool)> {
    STAGES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Ends a waiting progress line (before anything else is printed).
fn break_line() {
    let mut s = stages();
    if s.1 {
        eprintln!();
        s.1 = false;
    }
}

impl Stage {
    /// Starts a stage: prints `verb` right-aligned (cargo's style) and `what`; its commands log
    /// into `target/xtask/<log>.log`.
    pub(crate) fn start(verb: &str, what: &str, log: &str) -> Self {
        break_line();
        let log = log_dir().join(format!("{log}.log"));
        let _ = std::fs::create_dir_all(log_dir());
        // Each run starts its logs afresh; stages of one run that share a log append to it.
        let first = FRESH_LOGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(log.clone());
        let file = if first {
            File::create(&log)
        } else {
            File::options().create(true).append(true).open(&log)
        };
        if let Ok(mut f) = file {
            let _ = writeln!(f, "==== {verb} {what}");
        }
        let mut err = std::io::stderr().lock();
        let mut s = stages();
        if verbose() {
            let _ = writeln!(err, "{verb:>12} {what}");
        } else {
            let _ = write!(err, "{verb:>12} {what} … ");
            let _ = err.flush();
            s.1 = true;
        }
        s.0.push(log);
        Self {
            started: Instant::now(),
            what: what.to_owned(),
        }
    }

    /// Ends the stage: `done (1.2s)` on its progress line, or, when something was printed in
    /// between (or with `-v`), a line of its own: `Finished <what> in 1.2s`.
    pub(crate) fn done(self) {
        let time = elapsed(self.started);
        let mut s = stages();
        if s.1 {
            eprintln!("done ({time})");
            s.1 = false;
        } else {
            eprintln!("{:>12} {} in {time}", "Finished", self.what);
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let mut s = stages();
        s.0.pop();
        if s.1 {
            eprintln!();
            s.1 = false;
        }
    }
}

/// Prints a line of its own (ending a waiting progress line first).
pub(crate) fn say(text: &str) {
    break_line();
    eprintln!("{text}");
}

/// A one-line remark, on its own line (`note: …`).
pub(crate) fn note(text: &str) {
    break_line();
    eprintln!("{:>12} {text}", "note:");
}

/// The innermost open stage's log, unless `-v`.
fn current_log() -> Option<PathBuf> {
    if verbose() {
        return None;
    }
    stages().0.last().cloned()
}

/// Runs `cmd` with its output appended to `log`.
fn run_logged(cmd: &mut Command, log: &Path) -> anyhow::Result<std::process::ExitStatus> {
    let mut file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("cannot open {}", log.display()))?;
    let _ = writeln!(file, "$ {}", show(cmd));
    let err = file.try_clone()?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err))
        .status()
        .with_context(|| format!("could not start `{}`", show(cmd)))
}

/// The failure of `cmd`: the log's path and its last lines.
fn failed(cmd: &Command, status: std::process::ExitStatus, log: &Path) -> anyhow::Error {
    {
        let mut s = stages();
        if s.1 {
            eprintln!("failed");
            s.1 = false;
        }
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(25)..].join("\n");
    anyhow::anyhow!(
        "`{}` failed ({status})\nlast lines of {}:\n{tail}\n(the whole output is in {}; `-v` shows it as it runs)",
        show(cmd),
        rel(log),
        rel(log)
    )
}

/// Runs `cmd` and then prints the lines of its output `keep` selects (test summaries) on
/// stdout; with `-v` everything is shown as it runs. Fails like [`sh`].
pub(crate) fn sh_showing(cmd: &mut Command, keep: fn(&str) -> bool) -> anyhow::Result<()> {
    let Some(log) = current_log() else {
        return sh(cmd);
    };
    let start = std::fs::metadata(&log).map_or(0, |m| m.len());
    let status = run_logged(cmd, &log)?;
    let text = std::fs::read(&log).unwrap_or_default();
    let ours = String::from_utf8_lossy(text.get(start as usize..).unwrap_or_default());
    break_line();
    for line in ours.lines().filter(|l| keep(l)) {
        println!("{line}");
    }
    if !status.success() {
        // What failed and why: cargo test's `failures:` blocks (the failed tests' output).
        let mut in_failures = false;
        for line in ours.lines() {
            if line == "failures:" {
                in_failures = true;
            } else if line.starts_with("test result:") {
                in_failures = false;
            }
            if in_failures {
                println!("{line}");
            }
        }
        return Err(failed(cmd, status, &log));
    }
    Ok(())
}

/// `1.2s`, `2m 05s`.
pub(crate) fn elapsed(since: Instant) -> String {
    let s = since.elapsed().as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        format!("{}m {:02}s", (s / 60.0) as u64, (s % 60.0) as u64)
    }
}

/// Runs `cmd` and fails when it exits non-zero. Inside a [`Stage`] its output goes to the
/// stage's log; otherwise (or with `-v`) it is echoed and shown.
pub(crate) fn sh(cmd: &mut Command) -> anyhow::Result<()> {
    if let Some(log) = current_log() {
        let status = run_logged(cmd, &log)?;
        if !status.success() {
            return Err(failed(cmd, status, &log));
        }
        return Ok(());
    }
    break_line();
    eprintln!("$ {}", show(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{}`", show(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", show(cmd));
    }
    Ok(())
}

/// Runs `cmd` and returns its stdout; fails when it exits non-zero.
pub(crate) fn output(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("could not start `{}`", show(cmd)))?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            show(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn show(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Is `program` on PATH (or an existing path)?
pub(crate) fn have(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).exists();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failing command inside a stage: its output is in the stage's log, and the error names
    /// the log and quotes its last lines.
    #[test]
    fn a_failing_stage_names_its_log_and_quotes_it() {
        let stage = Stage::start("Testing", "a failing command", "xtask-selftest");
        let error =
            sh(Command::new("sh")
                .args(["-c", "echo compiling; echo 'error: it broke' >&2; exit 3"]))
            .expect_err("exit 3 fails");
        drop(stage);
        let text = format!("{error:#}");
        assert!(text.contains("target/xtask/xtask-selftest.log"), "{text}");
        assert!(text.contains("error: it broke"), "{text}");
        assert!(text.contains("compiling"), "{text}");
        let _ = std::fs::remove_file(log_dir().join("xtask-selftest.log"));
    }
}
