//! `cargo xtask codegen [--check]`: the generated files: `schemas/` and the README's samples
//! (`crate::readme`).

use anyhow::bail;

use crate::util::project_root;

pub(crate) fn run(check: bool) -> anyhow::Result<()> {
    let dir = project_root().join("schemas");
    std::fs::create_dir_all(&dir)?;
    let mut stale = Vec::new();
    for (name, text) in pullpass_core::schema::all() {
        let path = dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if check {
            stale.push(name);
        } else {
            std::fs::write(&path, text)?;
            eprintln!("wrote schemas/{name}");
        }
    }
    if let Err(error) = crate::readme::run(check) {
        if !check {
            return Err(error);
        }
        eprintln!("{error:#}");
        stale.push("README.md");
    }
    if !stale.is_empty() {
        bail!(
            "stale generated files: {}; run `cargo xtask codegen`",
            stale.join(", ")
        );
    }
    Ok(())
}
