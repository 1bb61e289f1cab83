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
mod fuzz;
mod serve;
mod setup;
mod test;
mod util;
mod wasm;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "pullpass automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install everything the tests and the demo need (idempotent).
    Setup,
    /// Run every check CI runs: fmt, clippy, dependency guards, codegen --check, all tests.
    Test(test::Args),
    /// Regenerate the committed generated files (schemas), or check them with --check.
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
    match cli.command {
        Command::Setup => setup::all(),
        Command::Test(args) => test::run(&args),
        Command::Codegen { check } => codegen::run(check),
        Command::Demo(args) => demo::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
        Command::BenchTokenInner(args) => bench::token_inner(&args),
        Command::Wasm(args) => wasm::run(&args),
        Command::BenchHelper(args) => bench_helper::run(&args),
    }
}
