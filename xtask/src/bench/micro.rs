//! Section 5: criterion micro-benchmarks of the core.

use super::{Ctx, Section};

pub(crate) fn run(_ctx: &Ctx) -> anyhow::Result<Section> {
    anyhow::bail!("no criterion benchmarks yet")
}
