//! Section 3: the wasm package in Chromium.

use super::{Ctx, Section};

pub(crate) fn run(_ctx: &Ctx) -> anyhow::Result<Section> {
    anyhow::bail!("the wasm package has not landed yet")
}
