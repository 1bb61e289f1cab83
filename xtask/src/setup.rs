//! `cargo xtask setup`: installs what the tests and the demo need, after saying what and why.
//!
//! Every command that needs tools first works out what is missing on this machine ([`plan`]),
//! prints it as one block (what, how, why), then installs it, one progress line per stage, the
//! tools' own output in `target/xtask/setup-*.log`. `--dry-run` prints the block and stops.
//! Running it twice is cheap: each item checks first.
//!
//! Nothing here enables or starts a system service, or runs a package's maintainer scripts
//! where they would: the test registry is extracted from Debian's `docker-registry` package
//! into `.tools/` (its postinst creates a user and enables a systemd unit) and the tests run
//! it as their own child process on a loopback port.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::util::{Stage, have, project_root, rel, sh, tools_dir};

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
const MOTO_CHECK: &str =
    "import moto, boto3, flask, flask_cors; assert moto.__version__ == '5.2.5'";

/// What a command needs installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// The browser package: a wasm32 compiler, wasm-bindgen, wasm-opt.
    Wasm,
    /// Chromium and the npm packages of `web/`.
    Browser,
    /// The SARIF 2.1.0 schema the SARIF tests validate against.
    Sarif,
    /// A real registry, a real OCI client and htpasswd for the credential-helper tests.
    Registry,
    /// moto, the AWS API peer of the ECR tests.
    Moto,
    /// cfn-lint, checkov and pre-commit, the peers of `pullpass lint` over repositories.
    LintPeers,
}

/// What `cargo xtask demo` needs.
pub(crate) const DEMO: &[Need] = &[Need::Wasm];
/// What `cargo xtask test` (and `setup`) needs.
pub(crate) const ALL: &[Need] = &[
    Need::Wasm,
    Need::Browser,
    Need::Sarif,
    Need::Registry,
    Need::Moto,
    Need::LintPeers,
];

/// A Debian package, the file that shows it is installed, and why pullpass needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Deb {
    marker: &'static str,
    name: &'static str,
    why: &'static str,
}

const BINARYEN: Deb = Deb {
    marker: "/usr/bin/wasm-opt",
    name: "binaryen",
    why: "wasm-opt, which shrinks the browser module",
};
const CHROMIUM: Deb = Deb {
    marker: "/usr/bin/chromium",
    name: "chromium",
    why: "the browser the page's tests run in",
};
const SKOPEO: Deb = Deb {
    marker: "/usr/bin/skopeo",
    name: "skopeo",
    why: "a real OCI client for the credential-helper tests",
};
const HTPASSWD: Deb = Deb {
    marker: "/usr/bin/htpasswd",
    name: "apache2-utils",
    why: "htpasswd, the test registry's password file",
};
const PYTHON_VENV: Deb = Deb {
    marker: "/usr/share/doc/python3-venv",
    name: "python3-venv",
    why: "Python virtualenvs (moto runs in one)",
};
/// Debian's wasm route (environment.md): a second Rust (1.96) with a wasm32 std built from
/// source, and LLVM's wasm linker: the browser module's compiler (see `crate::wasm::compile`).
const DEBIAN_WASM: &[Deb] = &[
    Deb {
        marker: "/usr/bin/rustc",
        name: "rustc-web",
        why: "",
    },
    Deb {
        marker: "/usr/bin/cargo",
        name: "cargo-web",
        why: "",
    },
    Deb {
        marker: "/usr/lib/rustlib/src/rust/library/std",
        name: "rust-web-src",
        why: "",
    },
    Deb {
        marker: "/usr/bin/wasm-ld-22",
        name: "lld-22",
        why: "",
    },
];
/// The Debian package the test registry binary is extracted from.
const REGISTRY_DEB: &str = "docker-registry";

/// One thing to install.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Debs(Vec<Deb>),
    WasmTarget,
    WasmBindgen,
    Npm,
    Sarif,
    Registry,
    Moto,
    LintPeers,
}

/// What is missing on this machine for `needs`, in install order; with `everything`, what a
/// fresh machine would need.
fn plan(needs: &[Need], everything: bool) -> Vec<Item> {
    let has = |n: Need| needs.contains(&n);
    let wasm_target_ready = || !everything && wasm_target_ready();
    let wasm_bindgen_ready = || !everything && wasm_bindgen_ready();
    let npm_ready = || !everything && npm_ready();
    let venv_ready = |name, check| !everything && venv_ready(name, check);
    let python_has_venv = || !everything && python_has_venv();
    let present = |p: &Path| !everything && p.exists();
    let mut debs = Vec::new();
    let mut items = Vec::new();
    if has(Need::Wasm) {
        debs.push(BINARYEN);
        if !wasm_target_ready() {
            items.push(Item::WasmTarget);
        }
        if !wasm_bindgen_ready() {
            items.push(Item::WasmBindgen);
        }
    }
    if has(Need::Browser) {
        debs.push(CHROMIUM);
        if !npm_ready() {
            items.push(Item::Npm);
        }
    }
    if has(Need::Sarif) && !present(&sarif_path()) {
        items.push(Item::Sarif);
    }
    if has(Need::Registry) {
        debs.extend([SKOPEO, HTPASSWD]);
        if !present(&registry_bin()) {
            items.push(Item::Registry);
        }
    }
    if has(Need::Moto) && !venv_ready(MOTO_VENV, MOTO_CHECK) {
        if !python_has_venv() {
            debs.push(PYTHON_VENV);
        }
        items.push(Item::Moto);
    }
    if has(Need::LintPeers) && !venv_ready(LINT_PEERS_VENV, LINT_PEERS_CHECK) {
        if !python_has_venv() && !debs.contains(&PYTHON_VENV) {
            debs.push(PYTHON_VENV);
        }
        items.push(Item::LintPeers);
    }
    debs.retain(|d| everything || !have(d.marker));
    if !debs.is_empty() {
        items.insert(0, Item::Debs(debs));
    }
    items
}

/// The block printed before installing (and by `--dry-run`). `here` marks what is already
/// installed (`--dry-run` lists everything, marking what it would skip).
fn describe(items: &[Item], here: &dyn Fn(&Item, Option<&Deb>) -> bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let row = |out: &mut String, item: &Item, what: &str, text: &str| {
        let mark = if here(item, None) { "(here)" } else { "" };
        let _ = writeln!(out, "  {what:<16} {text} {mark}");
    };
    for item in items {
        match item {
            Item::Debs(debs) => {
                let _ = writeln!(
                    out,
                    "  Debian packages  one `apt-get install --no-install-recommends` (as root):"
                );
                for d in debs {
                    let mark = if here(item, Some(d)) { " (here)" } else { "" };
                    let _ = writeln!(out, "    {:<14} {}{mark}", d.name, d.why);
                }
            }
            Item::WasmTarget => {
                let debs: Vec<&str> = DEBIAN_WASM.iter().map(|d| d.name).collect();
                row(
                    &mut out,
                    item,
                    "wasm32 compiler",
                    &format!(
                        "Debian's {} (a second Rust and LLVM's wasm linker, about 780 MB; \
                         compiles the browser module; nothing is downloaded through rustup)",
                        debs.join(" ")
                    ),
                );
            }
            Item::WasmBindgen => row(
                &mut out,
                item,
                "wasm-bindgen",
                &format!(
                    "`cargo install wasm-bindgen-cli --version {}` into {} (must equal the \
                     crate's pinned version; a 2–5 min build, once)",
                    crate::wasm::WASM_BINDGEN_VERSION,
                    rel(&crate::wasm::wasm_bindgen_root())
                ),
            ),
            Item::Npm => row(
                &mut out,
                item,
                "npm packages",
                &format!(
                    "`npm ci` in web/: {} (the browser tests drive Debian's Chromium; no \
                     browser download)",
                    npm_packages().join(", ")
                ),
            ),
            Item::Sarif => row(
                &mut out,
                item,
                "SARIF schema",
                "`npm pack @microsoft/jest-sarif` (only its SARIF 2.1.0 schema, which the \
                 SARIF tests validate against; no install scripts run)",
            ),
            Item::Registry => row(
                &mut out,
                item,
                "test registry",
                &format!(
                    "`apt-get download {REGISTRY_DEB}`, unpacked into {} without its \
                     maintainer scripts (no system user, no service); the tests start it on a \
                     loopback port and stop it",
                    rel(&registry_root())
                ),
            ),
            Item::Moto => row(
                &mut out,
                item,
                "Python venv",
                &format!(
                    "{}: {} (the AWS API the ECR tests talk to, on loopback)",
                    rel(&tools_dir().join(MOTO_VENV)),
                    MOTO_REQUIREMENTS.join(", ")
                ),
            ),
            Item::LintPeers => row(
                &mut out,
                item,
                "Python venv",
                &format!(
                    "{}: {} (cfn-lint checks the CloudFormation fixtures, pre-commit runs the \
                     hook, checkov runs beside `pullpass lint` in the bench)",
                    rel(&tools_dir().join(LINT_PEERS_VENV)),
                    LINT_PEERS_REQUIREMENTS.join(", ")
                ),
            ),
        }
    }
    out.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

/// What `cargo xtask setup --dry-run` prints on a fresh machine (for the README).
pub(crate) fn fresh_plan_text() -> String {
    format!(
        "What this needs, with why (`(here)`: already installed, skipped):\n{}\
         Nothing is enabled or started as a system service. Logs would go to target/xtask/.\n",
        describe(&plan(ALL, true), &|_, _| false)
    )
}

/// Prints what `needs` takes on a fresh machine and what of it this one lacks, installing
/// nothing (`--dry-run`).
pub(crate) fn dry_run(needs: &[Need]) {
    let missing = plan(needs, false);
    let missing_debs: Vec<Deb> = missing
        .iter()
        .find_map(|i| match i {
            Item::Debs(d) => Some(d.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let here = |item: &Item, deb: Option<&Deb>| match deb {
        Some(d) => !missing_debs.contains(d),
        None => !matches!(item, Item::Debs(_)) && !missing.contains(item),
    };
    println!("What this needs, with why (`(here)`: already installed, skipped):");
    print!("{}", describe(&plan(needs, true), &here));
    if missing.is_empty() {
        println!("Nothing to install: everything is already here.");
    } else {
        println!(
            "Nothing is enabled or started as a system service. Logs would go to {}/.",
            rel(&crate::util::log_dir())
        );
    }
}

/// Installs what `needs` lacks, after printing what and why in one block.
pub(crate) fn ensure(needs: &[Need]) -> anyhow::Result<()> {
    let items = plan(needs, false);
    if items.is_empty() {
        return Ok(());
    }
    crate::util::say("Installing what is missing (`--dry-run` lists it without installing):");
    eprint!("{}", describe(&items, &|_, _| false));
    eprintln!(
        "Nothing is enabled or started as a system service; tool output goes to {}/setup-*.log \
         (`-v` shows it).",
        rel(&crate::util::log_dir())
    );
    for item in &items {
        match item {
            Item::Debs(debs) => apt_install(&debs.iter().map(|d| d.name).collect::<Vec<_>>())?,
            Item::WasmTarget => wasm_target()?,
            Item::WasmBindgen => wasm_bindgen()?,
            Item::Npm => npm_ci()?,
            Item::Sarif => sarif_schema()?,
            Item::Registry => registry()?,
            Item::Moto => python_venv(MOTO_VENV, MOTO_REQUIREMENTS, MOTO_CHECK)?,
            Item::LintPeers => {
                python_venv(LINT_PEERS_VENV, LINT_PEERS_REQUIREMENTS, LINT_PEERS_CHECK)?;
            }
        }
    }
    Ok(())
}

/// Installs everything (`cargo xtask setup`).
pub(crate) fn all() -> anyhow::Result<()> {
    ensure(ALL)
}

/// Only the moto virtualenv (what `cargo xtask bench` needs of `all`).
pub(crate) fn all_moto() -> anyhow::Result<()> {
    ensure(&[Need::Moto])
}

/// The wasm toolchain (what `cargo xtask wasm` needs).
pub(crate) fn wasm() -> anyhow::Result<()> {
    ensure(&[Need::Wasm])
}

/// What the browser tests need: Debian's Chromium and the npm packages of `web/package-lock.json`.
pub(crate) fn browser() -> anyhow::Result<()> {
    ensure(&[Need::Browser])
}

pub(crate) fn debian_wasm_ready() -> bool {
    DEBIAN_WASM.iter().all(|d| have(d.marker))
}

/// Debian's route, or rustup's wasm32 target where the machine already has it
/// (`crate::wasm::compile` says which one builds).
fn wasm_target_ready() -> bool {
    debian_wasm_ready() || crate::wasm::rustup_has_target()
}

/// Debian's wasm route (environment.md): only the package registries are reachable, so no
/// toolchain or target is downloaded through rustup.
fn wasm_target() -> anyhow::Result<()> {
    apt_install(&DEBIAN_WASM.iter().map(|d| d.name).collect::<Vec<_>>())
}

fn wasm_bindgen_ready() -> bool {
    let bin = crate::wasm::wasm_bindgen_root().join("bin/wasm-bindgen");
    let version = crate::wasm::WASM_BINDGEN_VERSION;
    Command::new(&bin).arg("--version").output().is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout).trim() == format!("wasm-bindgen {version}")
    })
}

/// The wasm-bindgen CLI at the crate's pinned version under `.tools/`.
fn wasm_bindgen() -> anyhow::Result<()> {
    let root = crate::wasm::wasm_bindgen_root();
    let version = crate::wasm::WASM_BINDGEN_VERSION;
    let stage = Stage::start(
        "Installing",
        &format!("wasm-bindgen-cli {version} (a 2–5 min build, once)"),
        "setup-wasm-bindgen",
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
    stage.done();
    Ok(())
}

/// `web/node_modules` is at least as new as `web/package-lock.json`.
fn npm_ready() -> bool {
    let web = project_root().join("web");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!(
        (
            modified(&web.join("node_modules/.package-lock.json")),
            modified(&web.join("package-lock.json"))
        ),
        (Some(i), Some(l)) if i >= l
    )
}

/// The npm packages `web/package.json` names, with their versions.
fn npm_packages() -> Vec<String> {
    let text = std::fs::read_to_string(project_root().join("web/package.json")).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    json.get("devDependencies")
        .and_then(|d| d.as_object())
        .map(|deps| {
            deps.iter()
                .map(|(name, v)| format!("{name} {}", v.as_str().unwrap_or("?")))
                .collect()
        })
        .unwrap_or_default()
}

fn npm_ci() -> anyhow::Result<()> {
    let stage = Stage::start("Installing", "the npm packages of web/", "setup-npm");
    sh(Command::new("npm")
        .current_dir(project_root().join("web"))
        .args(["ci", "--no-audit", "--no-fund"]))?;
    stage.done();
    Ok(())
}

/// Installs the Debian packages `names` with one `apt-get update` first.
fn apt_install(names: &[&str]) -> anyhow::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let stage = Stage::start(
        "Installing",
        &format!("Debian packages: {}", names.join(" ")),
        "setup-apt",
    );
    sh(sudo("apt-get").args(["update", "-qq"]))?;
    sh(sudo("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(names)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    stage.done();
    Ok(())
}

/// Installs the Debian packages whose marker file (a binary path) is missing, with one
/// `apt-get update` first. `packages` is (marker path, package name). For the benchmarks'
/// peers; the set-up proper goes through [`ensure`].
pub(crate) fn apt(packages: &[(&str, &str)]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(marker, _)| !have(marker))
        .map(|(_, p)| *p)
        .collect();
    apt_install(&missing)
}

/// `program` as root: directly when we are root (CI, these machines), else through sudo.
fn sudo(program: &str) -> Command {
    if is_root() {
        Command::new(program)
    } else {
        let mut cmd = Command::new("sudo");
        cmd.arg(program);
        cmd
    }
}

/// Are we root (apt without sudo; namespaces for the benchmarks)?
pub(crate) fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Where the test registry is unpacked: `.tools/docker-registry`.
pub(crate) fn registry_root() -> PathBuf {
    tools_dir().join("docker-registry")
}

/// The registry binary the tests start (`tests/it/support/registry.rs` finds it here too).
fn registry_bin() -> PathBuf {
    registry_root().join("usr/bin/docker-registry")
}

/// Downloads Debian's `docker-registry` package and unpacks its files into `.tools/` without
/// running its maintainer scripts: those add a `docker-registry` system user and enable and
/// start a systemd service, none of which the tests want. Its only runtime dependency is
/// libc6 (the others, adduser and lsb-base, serve those scripts), which every Debian has.
fn registry() -> anyhow::Result<()> {
    let stage = Stage::start(
        "Unpacking",
        &format!("{REGISTRY_DEB} into {} (no service)", rel(&registry_root())),
        "setup-registry",
    );
    let download = tools_dir().join("debs");
    std::fs::create_dir_all(&download)?;
    // `apt-get download` needs the package lists; a fresh container has none.
    let has_lists = std::fs::read_dir("/var/lib/apt/lists")
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
        })
        .unwrap_or(false);
    if !has_lists {
        sh(sudo("apt-get").args(["update", "-qq"]))?;
    }
    sh(Command::new("apt-get")
        .current_dir(&download)
        .args(["download", REGISTRY_DEB]))?;
    let deb = std::fs::read_dir(&download)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{REGISTRY_DEB}_")))
        })
        .max()
        .with_context(|| format!("apt-get download left no {REGISTRY_DEB}_*.deb"))?;
    let root = registry_root();
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    std::fs::create_dir_all(&root)?;
    sh(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root))?;
    std::fs::remove_file(&deb)?;
    if !registry_bin().exists() {
        bail!("{} has no {}", deb.display(), rel(&registry_bin()));
    }
    stage.done();
    Ok(())
}

fn python_has_venv() -> bool {
    Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn venv_ready(name: &str, check: &str) -> bool {
    let python = tools_dir().join(name).join("bin/python");
    python.exists()
        && Command::new(&python)
            .args(["-c", check])
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Creates `.tools/<name>` as a Python virtualenv with `requirements`, unless `check` (Python
/// code) already succeeds in it. Installs Debian's python3 / python3-venv when missing.
pub(crate) fn python_venv(name: &str, requirements: &[&str], check: &str) -> anyhow::Result<()> {
    if venv_ready(name, check) {
        return Ok(());
    }
    apt(&[("python3", "python3")])?;
    if !python_has_venv() {
        apt_install(&[PYTHON_VENV.name])?;
    }
    let venv = tools_dir().join(name);
    let python = venv.join("bin/python");
    let stage = Stage::start(
        "Installing",
        &format!("the Python virtualenv {}", rel(&venv)),
        "setup-python",
    );
    std::fs::create_dir_all(tools_dir())?;
    sh(Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg("--clear")
        .arg(&venv))?;
    sh(Command::new(&python)
        .args(["-m", "pip", "install", "--disable-pip-version-check"])
        .args(requirements))?;
    stage.done();
    Ok(())
}

/// `<tools>/sarif/sarif-schema-2.1.0.json`.
fn sarif_path() -> PathBuf {
    tools_dir().join("sarif/sarif-schema-2.1.0.json")
}

/// The published SARIF 2.1.0 JSON schema (the final 2.1.0 schema, `rtm.5`), which the lint
/// SARIF tests validate against: `<tools>/sarif/sarif-schema-2.1.0.json`. It comes from the
/// MIT-licensed npm package `@microsoft/jest-sarif` (`npm pack` only downloads the tarball; no
/// install scripts run).
pub(crate) fn sarif_schema() -> anyhow::Result<()> {
    const PACKAGE: &str = "@microsoft/jest-sarif@1.0.0-beta.0";
    const MEMBER: &str = "package/lib/schemas/sarif-2.1.0-rtm.5.json";
    let target = sarif_path();
    if target.exists() {
        return Ok(());
    }
    let dir = tools_dir().join("sarif");
    let stage = Stage::start(
        "Fetching",
        &format!("the SARIF 2.1.0 schema ({PACKAGE})"),
        "setup-npm",
    );
    std::fs::create_dir_all(&dir)?;
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
    stage.done();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan block names every item with its reason; nothing is installed to print it.
    #[test]
    fn the_plan_says_what_and_why() {
        let text = describe(
            &[
                Item::Debs(vec![BINARYEN, CHROMIUM]),
                Item::WasmTarget,
                Item::WasmBindgen,
                Item::Npm,
                Item::Sarif,
                Item::Registry,
                Item::Moto,
            ],
            &|_, _| false,
        );
        for want in [
            "binaryen",
            "chromium",
            "wasm32",
            "rustc-web",
            "wasm-bindgen-cli --version",
            "npm ci",
            "playwright-core",
            "jest-sarif",
            "no system user, no service",
            "moto[ecr,eks,iam,sts]==5.2.5",
        ] {
            assert!(text.contains(want), "{want} missing from:\n{text}");
        }
    }
}
