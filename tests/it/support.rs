//! Shared test support: the `pullpass` binary, fixtures, the repository root.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub(crate) mod doctor_json;
pub(crate) mod moto;
pub(crate) mod registry;

/// The repository root.
pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives below the root")
}

/// `tests/fixtures/<rel>`.
pub(crate) fn fixtures(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// The `pullpass` binary of this profile, built once per test run if it is not already there.
///
/// A virtual workspace's test package cannot use `CARGO_BIN_EXE_*` of another package, so the
/// binary is found next to this test executable (`target/<profile>/deps/it-…` →
/// `target/<profile>/pullpass`) and built with the same cargo when missing or stale.
pub(crate) fn pullpass_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root())
            .args([
                "build",
                "--quiet",
                "--package",
                "pullpass-cli",
                "--bin",
                "pullpass",
            ])
            .env(
                "CARGO_TARGET_DIR",
                profile_dir.parent().expect("target dir"),
            )
            .status()
            .expect("cargo build of pullpass");
        assert!(status.success(), "building pullpass failed");
        profile_dir.join("pullpass")
    })
}

/// A `pullpass` command with a clean, predictable environment.
pub(crate) fn pullpass() -> Command {
    let mut cmd = Command::new(pullpass_path());
    cmd.env_remove("PULLPASS_CONFIG").env("NO_COLOR", "1");
    cmd
}

/// Output of a finished command.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `cmd` with `stdin` and collects its output.
pub(crate) fn run(cmd: &mut Command, stdin: Option<&str>) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn pullpass");
    if let Some(input) = stdin {
        // A command that fails before reading stdin closes it: that is its answer, not ours.
        let written = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes());
        if let Err(error) = written {
            assert_eq!(
                error.kind(),
                std::io::ErrorKind::BrokenPipe,
                "write stdin: {error}"
            );
        }
    }
    let out = child.wait_with_output().expect("wait for pullpass");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A validator for `schemas/findings.schema.json` (the committed file, as users get it).
pub(crate) fn findings_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas/findings.schema.json"))
        .expect("findings schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("findings schema compiles")
}

/// insta's `glob!` counts failures on one process-wide stack: a snapshot assertion that fails
/// on any thread while a glob runs is charged to that glob (and does not fail its own test).
/// Tests that assert snapshots hold this lock, so a failure is reported by the test that made
/// it: a glob alone, single assertions beside each other.
static SNAPSHOTS: RwLock<()> = RwLock::new(());

/// Held by a test that runs `insta::glob!`: no other snapshot assertion runs meanwhile.
pub(crate) fn glob_lock() -> RwLockWriteGuard<'static, ()> {
    SNAPSHOTS.write().unwrap_or_else(PoisonError::into_inner)
}

/// Held by a test that asserts snapshots outside a glob.
pub(crate) fn snapshot_lock() -> RwLockReadGuard<'static, ()> {
    SNAPSHOTS.read().unwrap_or_else(PoisonError::into_inner)
}
