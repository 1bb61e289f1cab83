//! `cargo xtask codegen [--check]`: the generated files: `schemas/`, `docs/` (`crate::docs`)
//! and the README's samples (`crate::readme`); and every file the documents refer to exists.

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
    for (name, text) in crate::docs::all() {
        let path = project_root().join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if check {
            stale.push(name);
        } else {
            std::fs::create_dir_all(path.parent().unwrap_or(&dir))?;
            std::fs::write(&path, text)?;
            eprintln!("wrote {name}");
        }
    }
    if let Err(error) = crate::docs::check_links() {
        eprintln!("{error:#}");
        stale.push("(referenced files)");
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
