//! `pullpass helm-values`: placeholder until its issue lands.

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`pullpass helm-values` is not available in this build")
}
