//! `cargo xtask setup`: installs what the tests and the demo need. Every step checks first and
//! does nothing when its tool is already there, so running it twice is cheap.

use std::process::Command;

use crate::util::{have, sh, tools_dir};

/// The AWS API peer for the ECR tests (environment.md): moto in a project-local virtualenv.
pub(crate) const MOTO_VENV: &str = "venv-moto";
const MOTO_REQUIREMENTS: &[&str] = &["moto[ecr,iam,sts]==5.2.5", "flask", "flask-cors", "boto3"];

/// Installs everything.
pub(crate) fn all() -> anyhow::Result<()> {
    apt(&[])?;
    python_venv(
        MOTO_VENV,
        MOTO_REQUIREMENTS,
        "import moto, boto3, flask, flask_cors; assert moto.__version__ == '5.2.5'",
    )?;
    Ok(())
}

/// Only the moto virtualenv (what `cargo xtask bench` needs of `all`).
pub(crate) fn all_moto() -> anyhow::Result<()> {
    python_venv(
        MOTO_VENV,
        MOTO_REQUIREMENTS,
        "import moto, boto3, flask, flask_cors; assert moto.__version__ == '5.2.5'",
    )
}

/// Creates `.tools/<name>` as a Python virtualenv with `requirements`, unless `check` (Python
/// code) already succeeds in it. Installs Debian's python3 / python3-venv when missing.
pub(crate) fn python_venv(name: &str, requirements: &[&str], check: &str) -> anyhow::Result<()> {
    let venv = tools_dir().join(name);
    let python = venv.join("bin/python");
    if python.exists()
        && Command::new(&python)
            .args(["-c", check])
            .output()
            .is_ok_and(|o| o.status.success())
    {
        return Ok(());
    }
    apt(&[("python3", "python3")])?;
    let has_venv = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_venv {
        apt(&[("/usr/share/doc/python3-venv", "python3-venv")])?;
    }
    eprintln!("creating the Python virtualenv {}", venv.display());
    std::fs::create_dir_all(tools_dir())?;
    sh(Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg("--clear")
        .arg(&venv))?;
    sh(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(requirements))?;
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
