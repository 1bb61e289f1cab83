//! `pullpass check`: validate inputs without touching AWS. One subcommand per input kind.

use clap::Subcommand;

use crate::exit::Exit;

mod registry;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: CheckCommand,
}

#[derive(Debug, Subcommand)]
enum CheckCommand {
    /// Validate an Add-registry form (flags per field, or `--form FILE|-`).
    Registry(Box<registry::Args>),
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    match args.command {
        CheckCommand::Registry(args) => registry::run(*args),
    }
}
