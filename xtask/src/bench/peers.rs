//! The peers the benchmarks measure against, installed the way the tests install theirs: Debian
//! packages through `crate::setup::apt`, Python tools into project-local virtualenvs under
//! `.tools/` (reused between runs).

use std::path::PathBuf;
use std::process::Command;

use anyhow::bail;

use crate::util::tools_dir;

/// Parliament, the offline IAM policy linter, pinned.
pub(crate) const PARLIAMENT: &str = "parliament==1.6.4";

/// The Python of the virtualenv `.tools/<name>`, installed through `crate::setup` (as the
/// tests install theirs) unless `install` is false, in which case it must already be there.
fn venv_python(
    name: &str,
    requirements: &[&str],
    check: &str,
    install: bool,
) -> anyhow::Result<PathBuf> {
    if install {
        crate::setup::python_venv(name, requirements, check)?;
    }
    let python = tools_dir().join(name).join("bin/python");
    if !python.exists() {
        bail!(
            "{} is not installed (run without --no-install)",
            python.display()
        );
    }
    Ok(python)
}

/// `parliament` in `.tools/venv-parliament`.
pub(crate) fn parliament(install: bool) -> anyhow::Result<PathBuf> {
    let python = venv_python(
        "venv-parliament",
        &[PARLIAMENT],
        "import importlib.metadata as m; assert m.version('parliament') == '1.6.4'",
        install,
    )?;
    let bin = python.with_file_name("parliament");
    if !bin.exists() {
        bail!("{} is missing from its virtualenv", bin.display());
    }
    Ok(bin)
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

/// The Python of `.tools/venv-moto` (the AWS API peer the tests use, same install).
pub(crate) fn moto_python(install: bool) -> anyhow::Result<PathBuf> {
    if install {
        crate::setup::all_moto()?;
    }
    let python = tools_dir().join(crate::setup::MOTO_VENV).join("bin/python");
    if !python.exists() {
        bail!(
            "{} is not installed (run `cargo xtask setup`)",
            python.display()
        );
    }
    Ok(python)
}

/// `moto 5.2.5`, read from the venv.
pub(crate) fn moto_version(python: &std::path::Path) -> String {
    let v = crate::bench::machine::first_line(
        Command::new(python).args(["-c", "import moto; print(moto.__version__)"]),
    );
    format!("{v} (PyPI, `.tools/venv-moto`)")
}
