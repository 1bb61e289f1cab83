//! `cargo xtask setup`: installs what the tests and the demo need. Every step checks first and
//! does nothing when its tool is already there, so running it twice is cheap.

use std::process::Command;

use crate::util::{have, sh};

/// Installs everything.
pub(crate) fn all() -> anyhow::Result<()> {
    apt(&[])?;
    Ok(())
}

/// Installs the Debian packages whose marker file (a binary path) is missing, with one
/// `apt-get update` first. `packages` is (marker path, package name).
pub(crate) fn apt(packages: &[(&str, &str)]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(marker, _)| !have(marker))
        .map(|(_, p)| *p)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("installing Debian packages: {}", missing.join(" "));
    let sudo = |program: &str| {
        // CI and these machines run as root; elsewhere apt needs sudo.
        let is_root = std::env::var("USER").is_ok_and(|u| u == "root") || unsafe_is_root();
        if is_root {
            Command::new(program)
        } else {
            let mut cmd = Command::new("sudo");
            cmd.arg(program);
            cmd
        }
    };
    sh(sudo("apt-get").args(["update", "-qq"]))?;
    sh(sudo("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    Ok(())
}

/// Are we root (apt without sudo; namespaces for the benchmarks)?
pub(crate) fn is_root() -> bool {
    unsafe_is_root()
}

/// `id -u` is 0.
fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
