//! `cargo xtask`: every automation step of pullpass (matklad's xtask convention).
//!
//! `setup` installs what the tests and the demo need (Debian packages, a project-local Python
//! virtualenv, npm packages, wasm tools), `test` runs every check CI runs, `codegen` writes the
//! generated files (and `--check`s them), `demo` builds and shows the product, `bench` measures.
//! No Makefiles, no shell scripts that drift.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod bench_helper;
mod codegen;
mod demo;
mod docs;
mod fuzz;
// The one moto launcher's Rust side, shared with the integration tests (tests/it/support).
#[path = "../../tests/peers/moto_launch.rs"]
mod moto_launch;
mod readme;
mod serve;
mod setup;
mod test;
mod util;
mod wasm;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "pullpass automation")]
struct Cli {
    /// Show every command and its whole output (compilers, apt, pip, npm) instead of one
    /// progress line per stage; without it the output goes to `target/xtask/<stage>.log`.
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Print what `setup`, `demo` or `test` would install (and why), then stop.
    #[arg(long, global = true)]
    dry_run: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install everything the tests and the demo need, after listing it (idempotent).
    Setup,
    /// Run every check CI runs: fmt, clippy, dependency guards, codegen --check, all tests.
    Test(test::Args),
    /// Regenerate the committed generated files (schemas, README samples), or check them with
    /// --check.
    Codegen {
        /// Fail with a diff instead of writing when a file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Build pullpass and show it working on the bundled examples.
    Demo(demo::Args),
    /// Measure pullpass against its peers and write BENCHMARKS.md.
    Bench(bench::Args),
    /// Mutation-fuzz every core entry point from tests/fixtures (seeded, reproducible).
    Fuzz(fuzz::Args),
    /// Internal: the token benchmark, run by `bench` inside a private namespace.
    #[command(hide = true)]
    BenchTokenInner(bench::TokenInnerArgs),
    /// Build the browser package `web/pkg/` from `crates/pullpass-wasm` (installs missing tools).
    Wasm(wasm::Args),
    /// Time `docker-credential-pullpass get` against moto: warm cache, cold cache, and
    /// concurrent gets on a stale entry (release build).
    BenchHelper(bench_helper::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    util::set_verbose(cli.verbose);
    if cli.dry_run {
        let needs: &[setup::Need] = match cli.command {
            Command::Setup | Command::Test(_) => setup::ALL,
            Command::Demo(_) => setup::DEMO,
            Command::Wasm(_) => &[setup::Need::Wasm],
            _ => anyhow::bail!("--dry-run is for `setup`, `demo`, `test` and `wasm`"),
        };
        setup::dry_run(needs);
        return Ok(());
    }
    match cli.command {
        Command::Setup => setup::all(),
        Command::Test(args) => test::run(&args),
        Command::Codegen { check } => codegen::run(check),
        Command::Demo(args) => demo::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
        Command::BenchTokenInner(args) => bench::token_inner(&args),
        Command::Wasm(args) => {
            setup::ensure(&[setup::Need::Wasm])?;
            let stage =
                util::Stage::start("Building", "the browser package (web/pkg)", "build-wasm");
            wasm::run(&args)?;
            stage.done();
            Ok(())
        }
        Command::BenchHelper(args) => bench_helper::run(&args),
    }
}
