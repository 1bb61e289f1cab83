//! `cargo xtask demo`: build pullpass and show it working on the bundled examples.
//!
//! For now the CLI part only ([`demo_cli`]); the browser demo joins it in its own function.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context as _;

use crate::util::{cargo, project_root, sh};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: &Args) -> anyhow::Result<()> {
    demo_cli()
}

/// Hosts `pullpass host` is shown on: every kind of answer once.
const DEMO_HOSTS: &[&str] = &[
    "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    "123456789012.dkr-ecr-fips.us-gov-west-1.on.aws",
    "210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn",
    "public.ecr.aws",
    "ghcr.io",
    "ecr.us-east-1.amazonaws.com",
    "12345678901.dkr.ecr.us-east-1.amazonaws.co",
];

/// Builds the CLI, then runs `pullpass host` over [`DEMO_HOSTS`] and `pullpass check registry`
/// over `examples/forms/*.json`, printing what a user would see.
pub(crate) fn demo_cli() -> anyhow::Result<()> {
    sh(cargo().args([
        "build",
        "--quiet",
        "--package",
        "pullpass-cli",
        "--bin",
        "pullpass",
    ]))?;
    let pullpass = target_dir().join("debug").join("pullpass");
    for host in DEMO_HOSTS {
        show(&pullpass, &["host", host])?;
    }
    let dir = project_root().join("examples/forms");
    let mut forms: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("could not list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    forms.sort();
    for form in &forms {
        let rel = form.strip_prefix(project_root()).unwrap_or(form);
        show(
            &pullpass,
            &[
                "check",
                "registry",
                "--existing-name",
                "prod",
                "--form",
                &rel.to_string_lossy(),
            ],
        )?;
    }
    println!(
        "Shown: {} hosts, {} forms. Try `{} host <HOST>` or `… check registry --help`.",
        DEMO_HOSTS.len(),
        forms.len(),
        pullpass.display()
    );
    Ok(())
}

/// Runs pullpass with `args` from the project root and prints its output. Exit 1 (findings)
/// is the point of the demo; only 2 (usage) or a crash fails it.
fn show(pullpass: &std::path::Path, args: &[&str]) -> anyhow::Result<()> {
    println!("$ pullpass {}", args.join(" "));
    let out = Command::new(pullpass)
        .args(args)
        .current_dir(project_root())
        .output()
        .with_context(|| format!("could not run {}", pullpass.display()))?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let code = out.status.code();
    println!(
        "[exit {}]\n",
        code.map_or_else(|| "signal".to_owned(), |c| c.to_string())
    );
    anyhow::ensure!(
        matches!(code, Some(0 | 1)),
        "`pullpass {}` failed",
        args.join(" ")
    );
    Ok(())
}

/// `CARGO_TARGET_DIR`, or `<root>/target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || project_root().join("target"),
        |d| {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                project_root().join(d)
            }
        },
    )
}
