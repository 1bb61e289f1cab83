//! `cargo xtask demo`: build pullpass and show it working on the bundled examples.
//!
//! [`demo_cli`] runs the CLI over the bundled examples (`examples/`); `demo_web` builds the
//! browser package and serves `web/` on loopback. What is missing is installed first, after
//! saying what (`crate::setup::ensure`); `--dry-run` only says it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::util::{cargo, project_root, sh};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Build everything and lint the examples, but do not serve the demo page.
    #[arg(long)]
    no_serve: bool,
    /// Serve the page on a free port, fetch it and the wasm module once, check their content
    /// types, and exit (for CI).
    #[arg(long)]
    smoke: bool,
    /// Port for the demo page (default: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    crate::setup::ensure(crate::setup::DEMO)?;
    demo_cli()?;
    demo_web(args)
}

/// Builds the `pullpass` binary (one progress line) and returns its path.
pub(crate) fn build_cli() -> anyhow::Result<PathBuf> {
    let stage = crate::util::Stage::start("Building", "pullpass (the CLI)", "build-cli");
    sh(cargo().args(["build", "--package", "pullpass-cli", "--bin", "pullpass"]))?;
    stage.done();
    Ok(cli_path())
}

/// What the demo runs, from the repository root: one look at each part of pullpass, on the
/// bundled examples (the README's samples run the same files).
const DEMO_COMMANDS: &[&[&str]] = &[
    &["host", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
    &["host", "12345678901.dkr.ecr.us-east-1.amazonaws.co"],
    &["lint", "examples/"],
    &[
        "check",
        "registry",
        "--form",
        "examples/forms/03-pasted-url-and-swapped-keys.json",
    ],
    &[
        "doctor",
        "irsa",
        "--service-account",
        "examples/doctor/irsa-aud-typo/sa.yaml",
        "--trust-policy",
        "examples/doctor/irsa-aud-typo/trust.json",
        "--cluster",
        "examples/doctor/irsa-aud-typo/cluster.json",
        "--oidc-provider",
        "examples/doctor/irsa-aud-typo/provider.json",
    ],
];

/// Builds the CLI, then runs [`DEMO_COMMANDS`], printing what a user would see.
pub(crate) fn demo_cli() -> anyhow::Result<()> {
    let pullpass = build_cli()?;
    println!();
    for args in DEMO_COMMANDS {
        show(&pullpass, args)?;
    }
    println!(
        "Try more: `{} --help`, `… lint --help`, and the files under examples/.",
        crate::util::rel(&pullpass)
    );
    Ok(())
}

/// Builds the browser package and serves `web/` on loopback until Ctrl-C.
fn demo_web(args: &Args) -> anyhow::Result<()> {
    let stage =
        crate::util::Stage::start("Building", "the browser package (web/pkg)", "build-wasm");
    crate::wasm::run(&crate::wasm::Args::default())?;
    stage.done();
    if args.no_serve {
        return Ok(());
    }
    if args.smoke {
        return smoke_web();
    }
    let server = crate::serve::Server::bind(&project_root().join("web"), args.port)?;
    let addr = server.addr()?;
    println!("\npullpass demo: http://{addr}/  (Ctrl-C stops it)");
    println!("latency:       http://{addr}/latency.html\n");
    server.serve_forever()
}

/// Serves `web/` on a free loopback port and fetches the page, its modules and the wasm module
/// once, checking status and content types (`application/wasm`, `text/javascript`).
pub(crate) fn smoke_web() -> anyhow::Result<()> {
    let server = crate::serve::Server::bind(&project_root().join("web"), 0)?;
    let addr = server.spawn()?;
    for (path, want) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/pkg/pullpass.js", "text/javascript"),
        ("/pkg/pullpass_bg.wasm", "application/wasm"),
        ("/latency.html", "text/html"),
    ] {
        let (status, kind, body) = crate::serve::get(addr, path)?;
        if !status.contains("200") || !kind.starts_with(want) || body.is_empty() {
            bail!(
                "GET {path}: {status}, {kind}, {} bytes (wanted 200 {want})",
                body.len()
            );
        }
        if crate::util::verbose() {
            eprintln!("GET {path}: {status}, {kind}, {} bytes", body.len());
        }
    }
    let (status, _, _) = crate::serve::get(addr, "/../Cargo.toml")?;
    if !status.contains("400") {
        bail!("GET /../Cargo.toml: {status} (wanted 400: paths must stay inside web/)");
    }
    Ok(())
}

/// `CARGO_TARGET_DIR`, or `<root>/target` (where the tests find the CLI).
pub(crate) fn cli_path() -> PathBuf {
    target_dir().join("debug").join("pullpass")
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
