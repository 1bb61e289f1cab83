//! `cargo xtask test`: everything CI runs, in the order that fails fastest.

use anyhow::bail;

use crate::util::{cargo, output, sh};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Skip fmt and clippy (for a quick local loop; CI never passes this).
    #[arg(long)]
    no_lint: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    crate::setup::all()?;
    if !args.no_lint {
        sh(cargo().args(["fmt", "--all", "--", "--check"]))?;
        sh(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
    }
    core_dependency_guard()?;
    aws_containment_guard()?;
    crate::codegen::run(true)?;
    sh(cargo().args(["test", "--workspace", "--all-targets"]))?;
    // A short, seeded fuzz run (issue 15); `cargo xtask bench hardening` runs a long one.
    crate::fuzz::run(&crate::fuzz::Args {
        seconds: 60,
        seed: 0x5EED,
        slow_ms: 100,
    })?;
    crate::wasm::test()?;
    Ok(())
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
    eprintln!("dependency guard: pullpass-core has no IO or AWS crates");
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
    eprintln!("dependency guard: only pullpass-ecr depends on aws-* crates");
    Ok(())
}
