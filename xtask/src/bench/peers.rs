//! The peers the benchmarks measure against, installed the way the tests install theirs: Debian
//! packages through `crate::setup::apt`, Python tools into project-local virtualenvs under
//! `.tools/` (reused between runs).

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use crate::util::{sh, tools_dir};

/// Parliament, the offline IAM policy linter, pinned.
pub(crate) const PARLIAMENT: &str = "parliament==1.6.4";

/// A Python virtualenv under `.tools/<name>` with `packages` installed; created when its
/// marker `bin/<marker>` is missing. Returns the venv's `bin/` folder.
pub(crate) fn venv(
    name: &str,
    packages: &[&str],
    marker: &str,
    install: bool,
) -> anyhow::Result<PathBuf> {
    let dir = tools_dir().join(name);
    let bin = dir.join("bin");
    if bin.join(marker).exists() {
        return Ok(bin);
    }
    if !install {
        bail!(
            "{} is not installed (run without --no-install)",
            dir.join("bin").join(marker).display()
        );
    }
    let python = ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|p| crate::util::have(p))
        .context("python3 is not installed: install Debian's python3 and python3-venv")?;
    if !bin.join("pip").exists() {
        sh(Command::new(python).args(["-m", "venv"]).arg(&dir))?;
    }
    sh(Command::new(bin.join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(packages))?;
    if !bin.join(marker).exists() {
        bail!(
            "installing {} did not provide {}",
            packages.join(" "),
            bin.join(marker).display()
        );
    }
    Ok(bin)
}

/// `parliament` in `.tools/venv-parliament`.
pub(crate) fn parliament(install: bool) -> anyhow::Result<PathBuf> {
    Ok(venv("venv-parliament", &[PARLIAMENT], "parliament", install)?.join("parliament"))
}

/// Debian's `amazon-ecr-credential-helper` (`docker-credential-ecr-login`).
pub(crate) fn ecr_login(install: bool) -> anyhow::Result<PathBuf> {
    let path = PathBuf::from("/usr/bin/docker-credential-ecr-login");
    if !path.exists() && install {
        crate::setup::apt(&[(
            "/usr/bin/docker-credential-ecr-login",
            "amazon-ecr-credential-helper",
        )])?;
    }
    if !path.exists() {
        bail!(
            "docker-credential-ecr-login is not installed (Debian package amazon-ecr-credential-helper)"
        );
    }
    Ok(path)
}

/// The version line of a Debian package, e.g. `0.6.0-1+b2`.
pub(crate) fn deb_version(package: &str) -> String {
    crate::bench::machine::first_line(Command::new("dpkg-query").args([
        "-W",
        "-f=${Version}",
        package,
    ]))
}

/// moto's pins (environment.md): the slim install that serves ECR, IAM and STS.
pub(crate) const MOTO: &[&str] = &["moto[ecr,iam,sts]==5.2.5", "flask", "flask-cors", "boto3"];

/// The Python of `.tools/venv-moto` (the AWS API peer the tests use too).
pub(crate) fn moto_python(install: bool) -> anyhow::Result<PathBuf> {
    Ok(venv("venv-moto", MOTO, "moto_server", install)?.join("python"))
}

/// `moto 5.2.5`, read from the venv.
pub(crate) fn moto_version(python: &std::path::Path) -> String {
    let v = crate::bench::machine::first_line(
        Command::new(python).args(["-c", "import moto; print(moto.__version__)"]),
    );
    format!("{v} (PyPI, `.tools/venv-moto`)")
}
