//! `cargo xtask wasm`: builds the browser package `web/pkg/`: two modules, the form + policy
//! module (`crates/pullpass-wasm`, `pullpass.js`) the page loads at once, and the doctor module
//! (`crates/pullpass-wasm-doctor`, `pullpass_doctor.js`) it imports only when the IRSA check panel
//! opens. Each is compiled on its own (one cargo call per crate, so cargo's feature unification
//! never pulls the doctor's core features into the form module), bound, optimised, checked
//! against its reviewed declarations and held to its own size budget.
//!
//! Two compiler routes, chosen by what the machine has:
//! - rustup's `wasm32-unknown-unknown` target when `rustup target list --installed` shows it;
//! - else Debian's `rustc-web` + `rust-web-src` + `lld-22` (environment.md), building std from
//!   source with `-Zbuild-std` into a target directory of its own (`target/wasm-debian`), so its
//!   artifacts never mix with rustup's.
//!
//! Then `wasm-bindgen` (the CLI pinned to the crate's exact version, installed by `cargo xtask
//! setup` under `.tools/`) writes the ES-module package (`--target web`) to `web/pkg/` and a
//! CommonJS build for Node (`--target nodejs`) to `web/pkg/node/`; `wasm-opt -Oz` shrinks both
//! when binaryen is installed. The generated TypeScript declarations are compared with the
//! reviewed copy `crates/pullpass-wasm/pullpass.d.ts` (`--check` fails when it is stale).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::util::{cargo, have, output, project_root, sh, tools_dir};

/// The wasm-bindgen version: the crate is pinned to it with `=` in the root `Cargo.toml`.
pub(crate) const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// Debian's route: its compiler, cargo and linker.
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_WASM_LD: &str = "/usr/bin/wasm-ld-22";
const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
/// The package's main module name: `pullpass.js`, `pullpass_bg.wasm`, `pullpass.d.ts`.
const OUT_NAME: &str = "pullpass";

/// One wasm module of the package.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Module {
    /// The cargo package.
    pub(crate) package: &'static str,
    /// The file stem: `<out_name>.js`, `<out_name>_bg.wasm`, `<out_name>.d.ts`.
    pub(crate) out_name: &'static str,
    /// The reviewed copy of the generated declarations, relative to the root.
    pub(crate) declarations: &'static str,
    /// Budget of the optimised module, gzipped, in bytes: over it the build fails.
    pub(crate) gzip_budget: u64,
    /// What the module should weigh, gzipped, in bytes: reported (and judged by
    /// `cargo xtask bench browser`), not enforced.
    pub(crate) gzip_target: u64,
}

/// The form + policy module (target ≤ 150 KB gzipped, issue 13) and the doctor module, each
/// within issue 5's 400 KB budget, which both together once had.
pub(crate) const MODULES: [Module; 2] = [
    Module {
        package: "pullpass-wasm",
        out_name: OUT_NAME,
        declarations: "crates/pullpass-wasm/pullpass.d.ts",
        gzip_budget: 400 * 1000,
        gzip_target: 150 * 1000,
    },
    Module {
        package: "pullpass-wasm-doctor",
        out_name: "pullpass_doctor",
        declarations: "crates/pullpass-wasm-doctor/pullpass_doctor.d.ts",
        gzip_budget: 400 * 1000,
        gzip_target: 400 * 1000,
    },
];

/// Rust flags of Debian's route. Without reference types wasm-bindgen keeps JS objects in a
/// JS-side slab instead of an `externref` table: Debian's binaryen 108 rewrites that table into
/// one Node and Chromium then refuse to instantiate ("function-typed object must be null").
/// `RUSTC_BOOTSTRAP=1` is set there already (for `-Zbuild-std`), so also no file/line/column
/// strings for panic locations: 3 KB of the form module gzipped (148 KB instead of 151 KB),
/// and a panic still names its message through the panic hook.
const RUSTFLAGS_DEBIAN: &str = "-Ctarget-feature=-reference-types -Zlocation-detail=none";

/// The standard library's own size switch, for Debian's route (std is compiled there anyway):
/// `optimize_for_size` picks std's small variants (insertion and merge sorts instead of the
/// sorting networks and driftsort, shorter integer formatting, no unrolled `memchr`). 6.6 KB
/// of the form module gzipped (4 %). Results are the same; only speed differs, where the inputs
/// are a form's fields and a policy's few dozen findings (the Chromium medians in
/// `cargo xtask bench browser` hold it).
///
/// Measured and not taken: `-Zunstable-options -Cpanic=immediate-abort` (Debian's rustc 1.96
/// accepts it with `-Zbuild-std`) saves another 6.8 KB gzipped (132,938 → 126,150 bytes), but
/// a panic then traps without running the panic hook, so a bug report from the page would carry
/// only "unreachable" instead of the panic's message. The module is within its 150 KB target
/// without it.
const BUILD_STD_FEATURES: &str = "-Zbuild-std-features=optimize_for_size";

#[derive(Debug, Default, clap::Args)]
pub(crate) struct Args {
    /// Fail when the reviewed `crates/pullpass-wasm/pullpass.d.ts` differs from the generated
    /// declarations, instead of updating it.
    #[arg(long)]
    pub(crate) check: bool,
    /// After building, measure validation latency in Chromium (`web/latency.html`: median and
    /// p99 over 1,000 calls) and print it. A measurement, not a test.
    #[arg(long)]
    pub(crate) bench: bool,
    /// Run the package's own tests as `cargo xtask test` does (its last stage): the
    /// thin-adapter guard, the build with `--check`, the demo page's smoke test, the Node tests
    /// against the CLI and the Chromium tests. For work on the wasm crates, without the rest.
    #[arg(long, conflicts_with_all = ["check", "bench"])]
    pub(crate) test: bool,
}

/// Where the pinned wasm-bindgen CLI lives.
pub(crate) fn wasm_bindgen_root() -> PathBuf {
    tools_dir().join(format!("wasm-bindgen-{WASM_BINDGEN_VERSION}"))
}

fn wasm_bindgen_bin() -> PathBuf {
    wasm_bindgen_root().join("bin/wasm-bindgen")
}

/// Does rustup have the ordinary wasm32 target (prebuilt std)?
pub(crate) fn rustup_has_target() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l == TARGET)
        })
}

/// The package directory, `web/pkg`.
pub(crate) fn pkg_dir() -> PathBuf {
    project_root().join("web/pkg")
}

/// Builds the package. Installs missing tools first (the same steps as `cargo xtask setup`).
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    if args.test {
        crate::setup::browser()?;
        return test();
    }
    crate::setup::wasm()?;
    let built: Vec<(Module, PathBuf)> = MODULES
        .iter()
        .map(|m| compile(m.package).map(|wasm| (*m, wasm)))
        .collect::<anyhow::Result<_>>()?;
    let pkg = pkg_dir();
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg).with_context(|| format!("removing {}", pkg.display()))?;
    }
    let node = pkg.join("node");
    for (module, wasm) in &built {
        bindgen(module.out_name, wasm, &pkg, &node, true)?;
    }
    write_package_json(&pkg)?;
    // The nodejs build is CommonJS; the package root is an ES module package.
    std::fs::write(node.join("package.json"), "{ \"type\": \"commonjs\" }\n")?;
    for (module, wasm) in &built {
        if let Err(error) = smoke(&node, module.out_name) {
            // An optimiser too old for what the compiler emitted breaks the module; ship it
            // unoptimised rather than broken, and say so.
            let first = format!("{error:#}");
            let first = first
                .lines()
                .find(|l| l.contains("Error"))
                .unwrap_or_else(|| first.lines().next().unwrap_or_default())
                .trim()
                .to_owned();
            crate::util::note(&format!(
                "wasm-opt broke {} ({first}); shipping it unoptimised",
                module.out_name
            ));
            bindgen(module.out_name, wasm, &pkg, &node, false)?;
            smoke(&node, module.out_name)?;
        }
    }
    let mut over = Vec::new();
    for (module, _) in &built {
        check_declarations(
            module,
            &pkg.join(format!("{}.d.ts", module.out_name)),
            args.check,
        )?;
        if !report_size(module, &pkg.join(format!("{}_bg.wasm", module.out_name)))? {
            over.push(module.out_name);
        }
    }
    if !over.is_empty() {
        bail!("over the size budget: {}", over.join(", "));
    }
    if args.bench {
        crate::setup::browser()?;
        sh(Command::new("node")
            .current_dir(project_root().join("web"))
            .arg("test/latency.mjs"))?;
    }
    Ok(())
}

/// `wasm-bindgen` for the browser (`pkg`) and for Node (`node`), then `wasm-opt` if `optimise`.
fn bindgen(
    out_name: &str,
    wasm: &Path,
    pkg: &Path,
    node: &Path,
    optimise_it: bool,
) -> anyhow::Result<()> {
    for (target, dir) in [("web", pkg), ("nodejs", node)] {
        sh(Command::new(wasm_bindgen_bin())
            .args(["--target", target, "--out-name", out_name, "--out-dir"])
            .arg(dir)
            .arg(wasm))?;
        if optimise_it {
            optimise(&dir.join(format!("{out_name}_bg.wasm")))?;
        }
    }
    Ok(())
}

/// Compiles one wasm crate for wasm32 (alone, so its features are its own) and returns the
/// `.wasm` path.
fn compile(package: &str) -> anyhow::Result<PathBuf> {
    let root = project_root();
    // Debian's route first: rustup's prebuilt wasm32 std brings reference types, which
    // Debian's binaryen 108 cannot optimise (the module then ships unoptimised, 177 KB
    // gzipped for the form module instead of 134 KB). rustup's target, where a machine has
    // it and not Debian's route, still builds a working module.
    if !crate::setup::debian_wasm_ready() && rustup_has_target() {
        let target_dir = root.join("target/wasm");
        sh(cargo()
            .args(["build", "--package", package, "--lib", "--target", TARGET])
            .args(["--profile", PROFILE])
            // Not `RUSTFLAGS` here: rustup's prebuilt std has reference types, and a crate
            // built without them next to it makes wasm-bindgen fail ("failed to find the
            // `__wbindgen_externref_table_dealloc` function"). The module then uses an
            // externref table, which binaryen 108 breaks: `smoke` catches that and the
            // unoptimised module ships (the form module 177 KB gzipped, within the budget).
            .arg("--target-dir")
            .arg(&target_dir))?;
        return Ok(artifact(&target_dir, package));
    }
    for tool in [DEBIAN_RUSTC, DEBIAN_CARGO, DEBIAN_WASM_LD] {
        if !have(tool) {
            bail!(
                "rustup has no `{TARGET}` target and Debian's wasm toolchain is missing ({tool}); \
                 run `cargo xtask setup`"
            );
        }
    }
    let target_dir = root.join("target/wasm-debian");
    let mut cmd = Command::new(DEBIAN_CARGO);
    cmd.current_dir(&root)
        .env("RUSTC", DEBIAN_RUSTC)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", DEBIAN_WASM_LD)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            RUSTFLAGS_DEBIAN,
        )
        // rustup's proxies must not pick the compiler for Debian's cargo.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO")
        .args(["build", "--package", package, "--lib", "--target", TARGET])
        .args(["--profile", PROFILE, "-Zbuild-std=std,panic_abort"])
        .arg(BUILD_STD_FEATURES)
        .arg("--target-dir")
        .arg(&target_dir);
    sh(&mut cmd)?;
    Ok(artifact(&target_dir, package))
}

fn artifact(target_dir: &Path, package: &str) -> PathBuf {
    target_dir
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{}.wasm", package.replace('-', "_")))
}

/// `wasm-opt -Oz` in place, when binaryen is installed.
fn optimise(wasm: &Path) -> anyhow::Result<()> {
    if !have("wasm-opt") {
        eprintln!("wasm-opt not found (Debian package binaryen): the module stays unoptimised");
        return Ok(());
    }
    let before = std::fs::metadata(wasm)?.len();
    // The features rustc enables for wasm32-unknown-unknown (less reference types, see
    // `RUSTFLAGS`); binaryen 108 needs them spelt out. `--converge` repeats the passes until the
    // module stops shrinking: 1.1 KB of the form module gzipped, a few seconds more.
    sh(Command::new("wasm-opt")
        .args([
            "-Oz",
            "--converge",
            "--enable-bulk-memory",
            "--enable-mutable-globals",
            "--enable-sign-ext",
            "--enable-nontrapping-float-to-int",
            "--enable-multivalue",
            "-o",
        ])
        .arg(wasm)
        .arg(wasm))?;
    let after = std::fs::metadata(wasm)?.len();
    if crate::util::verbose() {
        eprintln!("wasm-opt -Oz: {before} → {after} bytes");
    }
    Ok(())
}

/// Loads the optimised Node build and calls `version()`: an optimiser that broke the module fails
/// here, not in a test far away.
fn smoke(node_dir: &Path, out_name: &str) -> anyhow::Result<()> {
    let script = format!(
        "const p = require({:?}); const v = p.version(); if (v !== {:?}) {{ throw new Error('version() returned ' + v); }}",
        node_dir
            .join(format!("{out_name}.js"))
            .display()
            .to_string(),
        env!("CARGO_PKG_VERSION"),
    );
    let out = Command::new("node")
        .args(["-e", &script])
        .output()
        .context("running node (Node.js is needed to check the package)")?;
    if !out.status.success() {
        bail!(
            "the built package does not load in Node:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

fn write_package_json(pkg: &Path) -> anyhow::Result<()> {
    const DOCTOR: &str = MODULES[1].out_name;
    let version = env!("CARGO_PKG_VERSION");
    let text = format!(
        r#"{{
  "name": "pullpass",
  "version": "{version}",
  "description": "Validate container-registry forms and IAM trust policies in the browser: the same rules, codes and messages as the pullpass CLI",
  "license": "Apache-2.0",
  "type": "module",
  "main": "./{OUT_NAME}.js",
  "module": "./{OUT_NAME}.js",
  "types": "./{OUT_NAME}.d.ts",
  "exports": {{
    ".": {{
      "types": "./{OUT_NAME}.d.ts",
      "node": "./node/{OUT_NAME}.js",
      "default": "./{OUT_NAME}.js"
    }},
    "./doctor": {{
      "types": "./{DOCTOR}.d.ts",
      "node": "./node/{DOCTOR}.js",
      "default": "./{DOCTOR}.js"
    }},
    "./{OUT_NAME}_bg.wasm": "./{OUT_NAME}_bg.wasm",
    "./{DOCTOR}_bg.wasm": "./{DOCTOR}_bg.wasm"
  }},
  "files": ["{OUT_NAME}.js", "{OUT_NAME}.d.ts", "{OUT_NAME}_bg.wasm", "{OUT_NAME}_bg.wasm.d.ts", "{DOCTOR}.js", "{DOCTOR}.d.ts", "{DOCTOR}_bg.wasm", "{DOCTOR}_bg.wasm.d.ts", "node/"],
  "sideEffects": false
}}
"#
    );
    std::fs::write(pkg.join("package.json"), text)?;
    Ok(())
}

/// The declarations wasm-bindgen generated must equal the reviewed, committed copy.
fn check_declarations(module: &Module, generated: &Path, check: bool) -> anyhow::Result<()> {
    let committed = project_root().join(module.declarations);
    let new = std::fs::read_to_string(generated)
        .with_context(|| format!("reading {}", generated.display()))?;
    let old = std::fs::read_to_string(&committed).unwrap_or_default();
    if new == old {
        return Ok(());
    }
    // `InitOutput` lists the module's raw exports, which differ by compiler route (rustup's
    // prebuilt std brings reference types and an externref table; Debian's std built without
    // them does not). The API the page and users call is the rest: that must not change.
    if check && public_declarations(&new) == public_declarations(&old) {
        return Ok(());
    }
    if check {
        bail!(
            "the TypeScript declarations changed: {} differs from {}; review the difference \
             and run `cargo xtask wasm` to update the committed copy",
            generated.display(),
            committed.display()
        );
    }
    std::fs::write(&committed, new)?;
    crate::util::say(&format!(
        "updated {}: review it before you commit",
        module.declarations
    ));
    Ok(())
}

/// The declarations without the `InitOutput` interface (the module's raw exports).
fn public_declarations(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("export interface InitOutput") {
            inside = true;
        }
        if !inside {
            out.push_str(line);
            out.push('\n');
        }
        if inside && line.starts_with('}') {
            inside = false;
        }
    }
    out
}

/// Prints raw and gzipped size; `false` when over the module's budget.
fn report_size(module: &Module, wasm: &Path) -> anyhow::Result<bool> {
    let raw = std::fs::metadata(wasm)?.len();
    let gzipped = gzip_size(wasm)?;
    crate::util::say(&format!(
        "{}: {raw} bytes ({:.1} KiB), gzipped {gzipped} bytes ({:.1} KiB; target {} KB{}, budget {} KB)",
        wasm.strip_prefix(project_root()).unwrap_or(wasm).display(),
        raw as f64 / 1024.0,
        gzipped as f64 / 1024.0,
        module.gzip_target / 1000,
        if gzipped > module.gzip_target {
            ", MISSED"
        } else {
            ""
        },
        module.gzip_budget / 1000
    ));
    Ok(gzipped <= module.gzip_budget)
}

pub(crate) fn gzip_size(path: &Path) -> anyhow::Result<u64> {
    let data = std::fs::read(path)?;
    let mut child = Command::new("gzip")
        .args(["-9", "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("running gzip")?;
    let mut stdin = child.stdin.take().context("gzip stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("gzip writer"))??;
    if !out.status.success() {
        bail!("gzip failed");
    }
    Ok(out.stdout.len() as u64)
}

/// The package's own tests, after the cargo tests: the build (declarations checked), Node tests
/// of the Node build against the CLI, browser tests in Chromium.
pub(crate) fn test() -> anyhow::Result<()> {
    thin_adapter_guard()?;
    run(&Args {
        check: true,
        ..Args::default()
    })?;
    crate::demo::smoke_web()?;
    // The Node tests compare with the CLI's JSON output.
    sh(crate::util::cargo().args([
        "build",
        "--quiet",
        "--package",
        "pullpass-cli",
        "--bin",
        "pullpass",
    ]))?;
    node_test(&["test/node.test.mjs", "test/browser.test.mjs"])
}

/// **Architecture Invariant:** the wasm crates are thin adapters over the core: their direct
/// dependencies are the core, serde, serde_json, wasm-bindgen and the panic hook (and, for the
/// doctor module, `pullpass-wasm`'s helpers), nothing else. The form module's whole graph
/// carries no config, TOML, JSON Schema or YAML crate (core features `config`, `schema`,
/// `doctor` off).
fn thin_adapter_guard() -> anyhow::Result<()> {
    const ALLOWED: &[&str] = &[
        "pullpass-wasm",
        "pullpass-wasm-doctor",
        "pullpass-core",
        "serde",
        "serde_json",
        "wasm-bindgen",
        "console_error_panic_hook",
    ];
    const NOT_IN_THE_FORM_MODULE: &[&str] = &["toml", "toml_edit", "schemars", "saphyr-parser"];
    for module in MODULES {
        let tree = output(crate::util::cargo().args([
            "tree",
            "-p",
            module.package,
            "-e",
            "normal",
            "--depth",
            "1",
            "--prefix",
            "none",
        ]))?;
        let extra: Vec<&str> = tree
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter(|l| !ALLOWED.contains(&l.split_whitespace().next().unwrap_or("")))
            .collect();
        if !extra.is_empty() {
            bail!(
                "{} is a thin adapter over pullpass-core, but it depends on:\n{}\nput the logic in pullpass-core instead",
                module.package,
                extra.join("\n")
            );
        }
    }
    let tree = output(crate::util::cargo().args([
        "tree",
        "-p",
        MODULES[0].package,
        "-e",
        "normal",
        "--prefix",
        "none",
    ]))?;
    let carried: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| NOT_IN_THE_FORM_MODULE.contains(name))
        .collect();
    if !carried.is_empty() {
        bail!(
            "the form module's graph carries {}: turn the pullpass-core feature that brings it off",
            carried.join(", ")
        );
    }
    crate::util::say(
        "dependency guard: the wasm crates depend only on the core, serde and wasm-bindgen; \
         the form module carries no TOML, JSON Schema or YAML crate",
    );
    Ok(())
}

/// Runs Node's test runner on `files` (relative to `web/`).
fn node_test(files: &[&str]) -> anyhow::Result<()> {
    let web = project_root().join("web");
    let _ = output(Command::new("node").arg("--version"))
        .context("Node.js is needed for the wasm tests")?;
    crate::util::sh_showing(
        Command::new("node")
            .current_dir(&web)
            .env("PULLPASS_BIN", crate::demo::cli_path())
            .args(["--test", "--test-reporter=spec"])
            .args(files),
        crate::test::is_summary,
    )
}

#[cfg(test)]
mod tests {
    /// The CLI `setup` installs must be the exact version the crate is pinned to, or
    /// wasm-bindgen refuses the module ("schema version mismatch").
    #[test]
    fn the_cli_version_is_the_pinned_crate_version() {
        let manifest = std::fs::read_to_string(crate::util::project_root().join("Cargo.toml"))
            .expect("root Cargo.toml");
        let pinned = format!("wasm-bindgen = \"={}\"", super::WASM_BINDGEN_VERSION);
        assert!(
            manifest.lines().any(|l| l.trim() == pinned),
            "the root Cargo.toml must pin `{pinned}` (xtask installs that CLI)"
        );
        let lock = std::fs::read_to_string(crate::util::project_root().join("Cargo.lock"))
            .expect("Cargo.lock");
        let locked = format!(
            "name = \"wasm-bindgen\"\nversion = \"{}\"",
            super::WASM_BINDGEN_VERSION
        );
        assert!(lock.contains(&locked), "Cargo.lock must hold {locked}");
    }
}
