//! `cargo xtask test`: everything CI runs, in the order that fails fastest.
//!
//! One progress line per stage; compiler output goes to `target/xtask/test-*.log` (`-v` shows
//! it). The test runs still print their summary lines (`test result: ok. N passed; …` per test
//! binary, the Node runner's `ℹ pass N`), which CI reads.

use anyhow::bail;

use crate::util::{Stage, cargo, output, sh, sh_showing};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Skip fmt and clippy (for a quick local loop; CI never passes this).
    #[arg(long)]
    no_lint: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    crate::setup::ensure(crate::setup::ALL)?;
    if !args.no_lint {
        let stage = Stage::start("Checking", "formatting (cargo fmt)", "test-fmt");
        sh(cargo().args(["fmt", "--all", "--", "--check"]))?;
        stage.done();
        let stage = Stage::start("Checking", "lints (cargo clippy)", "test-clippy");
        sh(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        stage.done();
    }
    core_dependency_guard()?;
    aws_containment_guard()?;
    let stage = Stage::start(
        "Checking",
        "generated files and the README's samples (codegen --check)",
        "test-codegen",
    );
    crate::codegen::run(true)?;
    stage.done();
    let stage = Stage::start("Testing", "the workspace (cargo test)", "test-cargo");
    sh_showing(
        cargo().args(["test", "--workspace", "--all-targets"]),
        is_summary,
    )?;
    stage.done();
    let stage = Stage::start(
        "Fuzzing",
        "the core entry points (60 s, seeded)",
        "test-fuzz",
    );
    // A short, seeded fuzz run (issue 15); `cargo xtask bench hardening` runs a long one.
    crate::fuzz::run(&crate::fuzz::Args {
        seconds: 60,
        seed: 0x5EED,
        slow_ms: 100,
    })?;
    stage.done();
    let stage = Stage::start(
        "Testing",
        "the browser package (Node and Chromium)",
        "test-wasm",
    );
    crate::wasm::test()?;
    stage.done();
    Ok(())
}

/// The lines of a test run CI and people read: which test binary, its result line, the Node
/// runner's totals, and what failed.
pub(crate) fn is_summary(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("Running ")
        || t.starts_with("Doc-tests ")
        || t.starts_with("test result:")
        || t.starts_with("ℹ ")
        || t.starts_with("✖ ")
        || (t.starts_with("test ") && t.ends_with("FAILED"))
}

/// **Architecture Invariant:** `pullpass-core` has no IO runtime and no AWS types. Fails when
/// its normal dependency tree names any crate that would bring them.
fn core_dependency_guard() -> anyhow::Result<()> {
    const FORBIDDEN: &[&str] = &[
        "tokio", "mio", "aws-", "reqwest", "hyper", "socket2", "rustls",
    ];
    let tree = output(cargo().args([
        "tree",
        "-p",
        "pullpass-core",
        "-e",
        "normal",
        "--prefix",
        "none",
    ]))?;
    let bad: Vec<&str> = tree
        .lines()
        .filter(|line| FORBIDDEN.iter().any(|f| line.starts_with(f)))
        .collect();
    if !bad.is_empty() {
        bail!(
            "pullpass-core must not depend on IO or AWS crates, but its tree has:\n{}",
            bad.join("\n")
        );
    }
    crate::util::say("dependency guard: pullpass-core has no IO or AWS crates");
    Ok(())
}

/// **Architecture Invariant:** AWS types stay inside `pullpass-ecr`: no other crate of ours
/// depends on an `aws-*` crate directly.
fn aws_containment_guard() -> anyhow::Result<()> {
    for package in ["pullpass-cli", "pullpass-core"] {
        let tree = output(cargo().args([
            "tree", "-p", package, "-e", "normal", "--depth", "1", "--prefix", "none",
        ]))?;
        let bad: Vec<&str> = tree
            .lines()
            .skip(1)
            .filter(|line| line.starts_with("aws-"))
            .collect();
        if !bad.is_empty() {
            bail!(
                "{package} must reach AWS only through pullpass-ecr, but depends directly on:\n{}",
                bad.join("\n")
            );
        }
    }
    crate::util::say("dependency guard: only pullpass-ecr depends on aws-* crates");
    Ok(())
}
