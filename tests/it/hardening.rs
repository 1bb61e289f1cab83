//! Issue 15 end to end: bounded reads from devices and streams, the one file-writing policy
//! of `--fix`, `--unsafe-fixes`, and secrets that must not be echoed. Each test names the
//! finding of the issue it holds.

use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{pullpass, run};

/// A policy whose only fixable finding is TP028 (unsafe) next to a safe one (TP022).
const WIDENING: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"HTTPS://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub":"system:serviceaccount:*","oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud":"sts.amazonaws.com"}}}]}"#;

/// Runs `pullpass <args>` with stdin from `/dev/zero`, killed after 20 s.
fn from_dev_zero(args: &[&str]) -> (i32, String, Duration) {
    let started = Instant::now();
    let mut child = pullpass()
        .args(args)
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (
                status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stderr).into_owned()
                    + &String::from_utf8_lossy(&out.stdout),
                started.elapsed(),
            );
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("pullpass {args:?} < /dev/zero still reading after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn unbounded_inputs_answer_at_once() {
    // Issue 15 #6: these read until memory ran out.
    let (code, out, _) = from_dev_zero(&["lint", "-"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("TP001"), "{out}");
    let (code, out, _) = from_dev_zero(&["lint", "/dev/zero"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("TP001"), "{out}");
    for args in [
        &["explain", "-"][..],
        &["check", "registry", "--form", "-"][..],
        &["check", "registry", "--form", "/dev/zero"][..],
        &["doctor", "irsa", "--trust-policy", "-"][..],
    ] {
        let (code, out, _) = from_dev_zero(args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(out.contains("larger than"), "{args:?}: {out}");
    }
}

#[test]
fn fix_applies_safe_fixes_only_unless_unsafe_fixes() {
    // Issue 15 #1: TP028's StringEquals → StringLike widened the policy and --fix wrote it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trust.json");
    std::fs::write(&file, WIDENING).unwrap();
    let out = run(pullpass().args(["lint", "--fix"]).arg(&file), None);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains("HTTPS://"),
        "the safe TP022 fix: {text}\n{}",
        out.stdout
    );
    assert!(!text.contains("StringLike"), "TP028 is unsafe: {text}");
    // With --unsafe-fixes the move to StringLike is applied, unless it brings a new error:
    // `system:serviceaccount:*` under StringLike admits every namespace (TP029, an error).
    let out = run(
        pullpass()
            .args(["lint", "--fix", "--unsafe-fixes"])
            .arg(&file),
        None,
    );
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains("StringLike"),
        "{}",
        out.stdout
    );
    std::fs::write(
        &file,
        WIDENING.replace("serviceaccount:*", "serviceaccount:coder:*"),
    )
    .unwrap();
    let out = run(
        pullpass()
            .args(["lint", "--fix", "--unsafe-fixes"])
            .arg(&file),
        None,
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("StringLike"), "{text}\n{}", out.stdout);
    // The JSON and SARIF reports say which is which.
    std::fs::write(&file, WIDENING).unwrap();
    let json = run(
        pullpass().args(["lint", "--format", "json"]).arg(&file),
        None,
    );
    assert!(
        json.stdout.contains("\"applicability\": \"unsafe\""),
        "{}",
        json.stdout
    );
    let sarif = run(
        pullpass().args(["lint", "--format", "sarif"]).arg(&file),
        None,
    );
    assert!(
        sarif.stdout.contains("\"applicability\": \"unsafe\""),
        "{}",
        sarif.stdout
    );
}

#[test]
fn fix_follows_symlinks_keeps_modes_and_refuses_read_only_and_hard_links() {
    // Issue 15 #12.
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    std::fs::write(&real, WIDENING).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.json");
    symlink(&real, &link).unwrap();
    run(pullpass().args(["lint", "--fix"]).arg(&link), None);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!std::fs::read_to_string(&real).unwrap().contains("HTTPS://"));
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );

    let ro = dir.path().join("ro.json");
    std::fs::write(&ro, WIDENING).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = run(pullpass().args(["lint", "--fix"]).arg(&ro), None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("read-only"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), WIDENING);

    let a = dir.path().join("a.json");
    std::fs::write(&a, WIDENING).unwrap();
    std::fs::hard_link(&a, dir.path().join("b.txt")).unwrap();
    let out = run(pullpass().args(["lint", "--fix"]).arg(&a), None);
    assert!(out.stderr.contains("hard links"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&a).unwrap(), WIDENING);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn fix_in_a_directory_never_writes_through_a_link_out_of_the_tree() {
    // Issue 15 #12: a symlink found by the walk pointed outside the scanned tree, and
    // `--fix` rewrote its target.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.json");
    std::fs::write(&victim, WIDENING).unwrap();
    let tree = tempfile::tempdir().unwrap();
    symlink(&victim, tree.path().join("planted.json")).unwrap();
    let inside = tree.path().join("real.json");
    std::fs::write(&inside, WIDENING).unwrap();
    symlink(&inside, tree.path().join("inside-link.json")).unwrap();
    let out = run(pullpass().args(["lint", "--fix"]).arg(tree.path()), None);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("outside the scanned directory") && out.stderr.contains("planted.json"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), WIDENING);
    // A link whose target is in the tree is followed, the file it names fixed.
    assert!(
        !std::fs::read_to_string(&inside)
            .unwrap()
            .contains("HTTPS://")
    );
    // Named on the command line, the link is the user's choice and followed.
    run(
        pullpass()
            .args(["lint", "--fix"])
            .arg(tree.path().join("planted.json")),
        None,
    );
    assert!(
        !std::fs::read_to_string(&victim)
            .unwrap()
            .contains("HTTPS://")
    );
}

#[test]
fn host_never_prints_a_password_after_a_slash() {
    // Issue 15 #11.
    let out = run(pullpass().args(["host", "bot@PASS/WORD@ghcr.io"]), None);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(!all.contains("WORD") && !all.contains("PASS"), "{all}");
    let out = run(
        pullpass().args(["host", "--format", "json", "bot@PASS/WORD@ghcr.io"]),
        None,
    );
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(!all.contains("WORD") && !all.contains("PASS"), "{all}");
}

#[test]
fn credential_helper_store_never_echoes_user_info() {
    // Issue 15 #11.
    let out = run(
        pullpass().args(["credential-helper", "store"]),
        Some(r#"{"ServerURL":"bot:S3CRETPW@/x y","Username":"u","Secret":"s"}"#),
    );
    assert!(!out.stderr.contains("S3CRETPW"), "{}", out.stderr);
    assert!(!out.stdout.contains("S3CRETPW"), "{}", out.stdout);
}

#[test]
fn a_symlink_loop_in_a_directory_gets_a_word() {
    // Issue 15 #13.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.json"), WIDENING).unwrap();
    symlink(dir.path().join("loop.json"), dir.path().join("loop.json")).unwrap();
    symlink(dir.path(), dir.path().join("sub")).unwrap();
    let out = run(pullpass().args(["lint"]).arg(dir.path()), None);
    assert!(out.stderr.contains("symlink loop"), "{}", out.stderr);
    assert!(out.stderr.contains("not followed"), "{}", out.stderr);
}

#[test]
fn a_broken_config_answers_not_found_for_hosts_it_does_not_name() {
    // Issue 15 #13: a malformed config made `get` fail for every host, Docker Hub included.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[[registry]]\nname = \"team\"\nhost = \"registry.example.com\"\nauth = 7\n",
    )
    .unwrap();
    let out = run(
        pullpass()
            .env("PULLPASS_CONFIG", &config)
            .env("PULLPASS_AMBIENT_FALLBACK", "0")
            .args(["credential-helper", "get"]),
        Some("https://index.docker.io/v1/\n"),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("credentials not found"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("warning"), "{}", out.stderr);
    // The host the file names still gets the error.
    let out = run(
        pullpass()
            .env("PULLPASS_CONFIG", &config)
            .args(["credential-helper", "get"]),
        Some("registry.example.com\n"),
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        !out.stdout.contains("credentials not found"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("config"), "{}", out.stdout);
}
