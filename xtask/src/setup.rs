//! `cargo xtask setup`: installs what the tests and the demo need. Every step checks first and
//! does nothing when its tool is already there, so running it twice is cheap.

use std::process::Command;

use crate::util::{have, sh, tools_dir};

/// The AWS API peer for the ECR tests (environment.md): moto in a project-local virtualenv.
pub(crate) const MOTO_VENV: &str = "venv-moto";
const MOTO_REQUIREMENTS: &[&str] = &[
    "moto[ecr,eks,iam,sts]==5.2.5",
    "flask",
    "flask-cors",
    "boto3",
];

/// The `pullpass lint` peers (issue 12): cfn-lint holds the CloudFormation fixtures to real
/// CloudFormation, checkov runs beside pullpass in `cargo xtask bench`, pre-commit runs the
/// hook of `.pre-commit-hooks.yaml` in the tests.
pub(crate) const LINT_PEERS_VENV: &str = "venv-lint-peers";
const LINT_PEERS_REQUIREMENTS: &[&str] =
    &["cfn-lint==1.58.0", "checkov==3.3.30", "pre-commit==4.7.0"];
const LINT_PEERS_CHECK: &str = "import cfnlint, checkov, pre_commit";

/// Only the lint peers' virtualenv.
pub(crate) fn lint_peers() -> anyhow::Result<()> {
    python_venv(LINT_PEERS_VENV, LINT_PEERS_REQUIREMENTS, LINT_PEERS_CHECK)
}

/// Installs everything.
pub(crate) fn all() -> anyhow::Result<()> {
    apt(&[])?;
    wasm()?;
    browser()?;
    sarif_schema()?;
    // A real registry and a real OCI client for the credential-helper end-to-end tests.
    apt(&[
        ("/usr/bin/docker-registry", "docker-registry"),
        ("/usr/bin/skopeo", "skopeo"),
        ("/usr/bin/htpasswd", "apache2-utils"),
    ])?;
    python_venv(
        MOTO_VENV,
        MOTO_REQUIREMENTS,
        "import moto, boto3, flask, flask_cors; assert moto.__version__ == '5.2.5'",
    )?;
    lint_peers()?;
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

/// The wasm toolchain: Debian's wasm compiler route when rustup lacks the target, binaryen's
/// `wasm-opt`, and the wasm-bindgen CLI at the crate's pinned version under `.tools/`.
pub(crate) fn wasm() -> anyhow::Result<()> {
    let mut packages = vec![("/usr/bin/wasm-opt", "binaryen")];
    if !crate::wasm::rustup_has_target() {
        packages.extend([
            ("/usr/bin/rustc", "rustc-web"),
            ("/usr/bin/cargo", "cargo-web"),
            ("/usr/lib/rustlib/src/rust/library/std", "rust-web-src"),
            ("/usr/bin/wasm-ld-22", "lld-22"),
        ]);
    }
    apt(&packages)?;
    let root = crate::wasm::wasm_bindgen_root();
    let bin = root.join("bin/wasm-bindgen");
    let version = crate::wasm::WASM_BINDGEN_VERSION;
    let installed = Command::new(&bin).arg("--version").output().is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout).trim() == format!("wasm-bindgen {version}")
    });
    if !installed {
        eprintln!(
            "installing wasm-bindgen-cli {version} into {} (a few minutes, once)",
            root.display()
        );
        // No `--locked`: a crate its lock file names is no longer served (environment.md).
        sh(crate::util::cargo()
            .args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                version,
                "--root",
            ])
            .arg(&root))?;
    }
    Ok(())
}

/// What the browser tests need: Debian's Chromium and the npm packages of `web/package-lock.json`.
pub(crate) fn browser() -> anyhow::Result<()> {
    apt(&[("/usr/bin/chromium", "chromium")])?;
    let web = crate::util::project_root().join("web");
    let lock = web.join("package-lock.json");
    let installed = web.join("node_modules/.package-lock.json");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&installed), modified(&lock)), (Some(i), Some(l)) if i >= l);
    if !fresh {
        sh(Command::new("npm")
            .current_dir(&web)
            .args(["ci", "--no-audit", "--no-fund"]))?;
    }
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

/// The published SARIF 2.1.0 JSON schema (the final 2.1.0 schema, `rtm.5`), which the lint
/// SARIF tests validate against: `<tools>/sarif/sarif-schema-2.1.0.json`. It comes from the
/// MIT-licensed npm package `@microsoft/jest-sarif` (`npm pack` only downloads the tarball; no
/// install scripts run).
pub(crate) fn sarif_schema() -> anyhow::Result<()> {
    const PACKAGE: &str = "@microsoft/jest-sarif@1.0.0-beta.0";
    const MEMBER: &str = "package/lib/schemas/sarif-2.1.0-rtm.5.json";
    let dir = crate::util::tools_dir().join("sarif");
    let target = dir.join("sarif-schema-2.1.0.json");
    if target.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)?;
    eprintln!("fetching the SARIF 2.1.0 schema from npm ({PACKAGE})");
    let packed = crate::util::output(
        Command::new("npm")
            .args(["pack", "--silent", PACKAGE, "--pack-destination"])
            .arg(&dir),
    )?;
    let tarball = dir.join(packed.trim().lines().last().unwrap_or_default());
    sh(Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&dir)
        .arg(MEMBER))?;
    std::fs::rename(dir.join(MEMBER), &target)?;
    std::fs::remove_dir_all(dir.join("package"))?;
    std::fs::remove_file(&tarball)?;
    Ok(())
}
