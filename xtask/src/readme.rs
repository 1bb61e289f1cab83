//! The README's samples, generated from what the binaries print, and its commands checked
//! against what the binaries accept (`cargo xtask codegen [--check]`, run by `cargo xtask test`).
//!
//! A sample is a fenced block between two markers; the command is in the opening marker:
//!
//! ````markdown
//! <!-- sample: pullpass lint examples/policies -->
//! ```console
//! $ pullpass lint examples/policies
//! …what it prints, generated…
//! ```
//! <!-- /sample -->
//! ````
//!
//! `<!-- sample lines=N: … -->` keeps the first N lines (then `…`). Commands run from the
//! repository root with `NO_COLOR=1` and no config file, so the output is the same everywhere.
//! `<!-- xtask-plan -->` holds what `cargo xtask setup --dry-run` prints on a fresh machine.
//!
//! Every other `pullpass …` and `cargo xtask …` line in a code block is checked too: its
//! subcommand must exist and each `--flag` must be one that subcommand's `--help` lists.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};
use clap::CommandFactory as _;

use crate::util::project_root;

const OPEN: &str = "<!-- sample";
const CLOSE: &str = "<!-- /sample -->";
/// The block of what `cargo xtask setup` installs on a fresh machine (`crate::setup`).
const PLAN_OPEN: &str = "<!-- xtask-plan -->";
const PLAN_CLOSE: &str = "<!-- /xtask-plan -->";

/// Regenerates the samples of `README.md` (or, with `check`, fails when one is stale or a
/// command is unknown).
pub(crate) fn run(check: bool) -> anyhow::Result<()> {
    let path = project_root().join("README.md");
    let current = std::fs::read_to_string(&path).context("reading README.md")?;
    let pullpass = crate::demo::build_cli()?;
    let generated = generate(&current, &pullpass)?;
    check_commands(&generated, &pullpass)?;
    if generated == current {
        return Ok(());
    }
    if check {
        let diff = similar::TextDiff::from_lines(&current, &generated)
            .unified_diff()
            .context_radius(2)
            .header(
                "README.md (committed)",
                "README.md (what the binaries print)",
            )
            .to_string();
        bail!("README.md's samples are stale; run `cargo xtask codegen`:\n{diff}");
    }
    std::fs::write(&path, generated)?;
    eprintln!("wrote README.md (samples)");
    Ok(())
}

/// `text` with every sample block's body replaced by what its command prints.
fn generate(text: &str, pullpass: &Path) -> anyhow::Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        out.push_str(line);
        if line.trim() == PLAN_OPEN {
            skip_to(&mut lines, PLAN_CLOSE, line)?;
            out.push_str(
                "```console\n$ cargo xtask setup --dry-run   # on a fresh Debian 12 machine\n",
            );
            out.push_str(&crate::setup::fresh_plan_text());
            out.push_str("```\n");
            out.push_str(PLAN_CLOSE);
            out.push('\n');
            continue;
        }
        let Some(spec) = line.trim().strip_prefix(OPEN) else {
            continue;
        };
        let (limit, command) = parse_marker(spec)
            .with_context(|| format!("README.md: bad sample marker `{}`", line.trim()))?;
        skip_to(&mut lines, CLOSE, line)?;
        out.push_str("```console\n");
        out.push_str(&format!("$ {command}\n"));
        out.push_str(&sample_output(pullpass, &command, limit)?);
        out.push_str("```\n");
        out.push_str(CLOSE);
        out.push('\n');
    }
    Ok(out)
}

/// Skips the old body of a generated block, up to and with its closing marker `close`.
fn skip_to<'a>(
    lines: &mut impl Iterator<Item = &'a str>,
    close: &str,
    open: &str,
) -> anyhow::Result<()> {
    if lines.any(|l| l.trim() == close) {
        Ok(())
    } else {
        bail!("README.md: `{}` has no `{close}`", open.trim())
    }
}

/// `lines=N: pullpass …` or `: pullpass …` → (N, command).
fn parse_marker(spec: &str) -> Option<(Option<usize>, String)> {
    let spec = spec.strip_suffix("-->")?.trim();
    let (opts, command) = spec.split_once(':')?;
    let limit = match opts.trim() {
        "" => None,
        o => Some(o.strip_prefix("lines=")?.parse().ok()?),
    };
    let command = command.trim();
    command
        .starts_with("pullpass ")
        .then(|| (limit, command.to_owned()))
}

/// Splits a command line on spaces, keeping "double" or 'single' quoted words whole.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in command.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (_, c) => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// What `command` prints (stdout, then stderr), from the repository root.
fn sample_output(pullpass: &Path, command: &str, limit: Option<usize>) -> anyhow::Result<String> {
    let args = words(command);
    let out = Command::new(pullpass)
        .args(&args[1..])
        .current_dir(project_root())
        .env("NO_COLOR", "1")
        .env(
            "PULLPASS_CONFIG",
            project_root().join("examples/config/none.toml"),
        )
        .env("COLUMNS", "100")
        .env_remove("AWS_PROFILE")
        .output()
        .with_context(|| format!("running `{command}`"))?;
    if !matches!(out.status.code(), Some(0 | 1)) {
        bail!(
            "README sample `{command}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if let Some(limit) = limit {
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > limit {
            text = lines[..limit].join("\n");
            text.push_str("\n…\n");
        }
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// The `pullpass …` and `cargo xtask …` command lines of the README's code blocks, with `\`
/// continuations joined and a leading `$ ` removed.
fn command_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    let mut pending: Option<String> = None;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            pending = None;
            continue;
        }
        if !in_code {
            continue;
        }
        let line = line.trim();
        let joined = match pending.take() {
            Some(mut p) => {
                p.push(' ');
                p.push_str(line);
                p
            }
            None => {
                let l = line.strip_prefix("$ ").unwrap_or(line);
                if !(l.starts_with("pullpass ") || l.starts_with("cargo xtask ")) {
                    continue;
                }
                l.to_owned()
            }
        };
        if let Some(head) = joined.strip_suffix('\\') {
            pending = Some(head.trim_end().to_owned());
        } else {
            out.push(joined);
        }
    }
    out
}

/// Every README command names a real subcommand and only flags it has.
fn check_commands(text: &str, pullpass: &Path) -> anyhow::Result<()> {
    let mut helps: BTreeMap<Vec<String>, Option<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for line in command_lines(text) {
        // Only the command itself: stop at a pipe, a redirection, a comment or `;`.
        let cut = line
            .find(['|', '>', '#', ';', '<'])
            .map_or(line.as_str(), |i| &line[..i]);
        let words = words(cut);
        let (path, flags) = if words.first().is_some_and(|w| w == "cargo") {
            match xtask_help(&words[2..]) {
                Ok(found) => found,
                Err(e) => {
                    problems.push(format!("`{line}`: {e}"));
                    continue;
                }
            }
        } else {
            let mut path = Vec::new();
            let mut help = pullpass_help(pullpass, &path, &mut helps);
            for w in &words[1..] {
                if w.starts_with('-') || w.starts_with('[') {
                    break;
                }
                let mut next = path.clone();
                next.push(w.clone());
                match pullpass_help(pullpass, &next, &mut helps) {
                    Some(h) if lists_subcommand(help.as_deref(), w) => {
                        path = next;
                        help = Some(h);
                    }
                    _ => break,
                }
            }
            (path, help.unwrap_or_default())
        };
        for w in &words {
            let flag = w.trim_start_matches('[');
            if !flag.starts_with("--") {
                continue;
            }
            let flag = flag.split(['=', ']']).next().unwrap_or(flag);
            if !flags
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .any(|t| t == flag)
            {
                problems.push(format!(
                    "`{line}`: `{} {}` has no `{flag}`",
                    words[0],
                    path.join(" ")
                ));
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "README.md names commands the binaries do not accept:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// Does `help` (a `--help` text) list `name` under its commands?
fn lists_subcommand(help: Option<&str>, name: &str) -> bool {
    let Some(help) = help else { return false };
    let Some((_, commands)) = help.split_once("Commands:") else {
        return false;
    };
    commands
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .any(|l| l.split_whitespace().next() == Some(name))
}

fn pullpass_help(
    pullpass: &Path,
    path: &[String],
    cache: &mut BTreeMap<Vec<String>, Option<String>>,
) -> Option<String> {
    cache
        .entry(path.to_vec())
        .or_insert_with(|| {
            let out = Command::new(pullpass)
                .args(path)
                .arg("--help")
                .env("NO_COLOR", "1")
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        })
        .clone()
}

/// The subcommand path and the help text (flags) of `cargo xtask <words>`, from xtask's own
/// command definition.
fn xtask_help(words: &[String]) -> anyhow::Result<(Vec<String>, String)> {
    let mut cmd = crate::Cli::command();
    let mut path = Vec::new();
    if let Some(name) = words.first().filter(|w| !w.starts_with('-')) {
        let Some(sub) = cmd.find_subcommand_mut(name) else {
            bail!("`cargo xtask` has no subcommand `{name}`");
        };
        cmd = sub.clone();
        path.push(name.clone());
    }
    let mut help = cmd.render_long_help().to_string();
    // The global flags.
    help.push_str(&crate::Cli::command().render_long_help().to_string());
    Ok((path, help))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_words() {
        assert_eq!(
            parse_marker(": pullpass lint examples/ -->"),
            Some((None, "pullpass lint examples/".to_owned()))
        );
        assert_eq!(
            parse_marker(" lines=12: pullpass rules -->"),
            Some((Some(12), "pullpass rules".to_owned()))
        );
        assert_eq!(parse_marker(": rm -rf / -->"), None);
        assert_eq!(
            words(r#"pullpass explain "InvalidIdentityToken: Incorrect token audience""#),
            [
                "pullpass",
                "explain",
                "InvalidIdentityToken: Incorrect token audience"
            ]
        );
    }

    #[test]
    fn command_lines_join_continuations() {
        let text = "```sh\n$ pullpass trust-policy irsa --issuer X \\\n    --account 1\nls\n```\npullpass outside\n";
        assert_eq!(
            command_lines(text),
            ["pullpass trust-policy irsa --issuer X --account 1"]
        );
    }
}
