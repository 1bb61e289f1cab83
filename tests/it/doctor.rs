//! `pullpass doctor` over the fixture sets of `tests/fixtures/doctor/<case>/`: each folder holds
//! the artifacts of one set-up, `args` (the command line, one argument a line, file names
//! relative to the folder) and `expect` (`sound`, or `<check id> <rule code>` of the one broken
//! link). Every case has a reviewed text snapshot; every broken case must fail (or warn on)
//! exactly its link, every sound case must pass everything it could check.

use std::path::Path;

use crate::support::{self, pullpass, run};

fn args_of(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .expect("args")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn doctor(case: &Path, extra: &[&str]) -> support::Output {
    let mut cmd = pullpass();
    cmd.current_dir(case)
        .arg("doctor")
        .args(args_of(case))
        .args(extra);
    run(&mut cmd, None)
}

#[test]
fn fixture_snapshots() {
    let _snapshots = crate::support::glob_lock();
    insta::glob!("../fixtures/doctor", "*/args", |path| {
        let case = path.parent().expect("case folder");
        let out = doctor(case, &[]);
        assert!(out.stderr.is_empty(), "{}: {}", case.display(), out.stderr);
        insta::assert_snapshot!(format!("exit {}\n{}", out.code, out.stdout));
    });
}

#[test]
fn each_broken_case_fails_exactly_its_link_and_each_sound_case_passes() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(support::root().join("schemas/doctor.schema.json"))
            .expect("doctor schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
    let dir = support::fixtures("doctor");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/doctor")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("args").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "only {} fixture sets", cases.len());
    let mut seen_codes = std::collections::BTreeSet::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expect = std::fs::read_to_string(case.join("expect")).expect("expect");
        let expect = expect.trim();
        let out = doctor(&case, &["--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", out.stdout));
        if let Err(error) = validator.validate(&report) {
            panic!("{name}: output does not match schemas/doctor.schema.json: {error}");
        }
        let checks = report["checks"].as_array().expect("checks");
        for c in checks.iter().filter(|c| c["blockedBy"].is_string()) {
            let by = c["blockedBy"].as_str().unwrap();
            let blocker = checks.iter().find(|b| b["id"] == by);
            assert!(
                blocker.is_some_and(|b| b["status"] == "failed"),
                "{name}: {} is blocked by {by}, which did not fail",
                c["id"]
            );
        }
        let broken: Vec<String> = checks
            .iter()
            .filter(|c| c["status"] == "failed" || c["status"] == "warning")
            .map(|c| {
                format!(
                    "{} {}",
                    c["id"].as_str().unwrap(),
                    c["finding"]["code"].as_str().unwrap_or("")
                )
            })
            .collect();
        if expect == "sound" {
            assert!(
                broken.is_empty(),
                "{name}: sound set-up reported {broken:?}"
            );
            assert_eq!(out.code, 0, "{name}");
            // Sound fixtures leave unchecked only what needs more input than they give.
            for c in checks.iter().filter(|c| c["status"] == "notChecked") {
                let says = c["detail"].as_str().unwrap_or_default();
                assert!(
                    c["blockedBy"].is_null(),
                    "{name}: {} blocked in a sound set-up: {says}",
                    c["id"]
                );
            }
        } else {
            assert_eq!(broken, vec![expect.to_owned()], "{name}");
            let check = checks
                .iter()
                .find(|c| {
                    format!(
                        "{} {}",
                        c["id"].as_str().unwrap(),
                        c["finding"]["code"].as_str().unwrap_or("")
                    ) == expect
                })
                .unwrap();
            let finding = &check["finding"];
            // Every broken link says what to do: a help text, or a fix (the linter's rules
            // that carry a fix say it there).
            assert!(
                finding["help"].as_str().is_some_and(|h| !h.is_empty())
                    || finding["fixes"].as_array().is_some_and(|f| !f.is_empty()),
                "{name}: no fix"
            );
            let failed = check["status"] == "failed";
            assert_eq!(out.code, i32::from(failed), "{name}: exit code");
            assert_eq!(report["ok"], !failed, "{name}: ok");
            seen_codes.insert(expect.split(' ').nth(1).unwrap().to_owned());
        }
    }
    // The fixture sets reach every DR rule that offline doctor can fire.
    for rule in pullpass_core::doctor::RULES {
        if rule.code == "DR030" {
            continue; // needs --live: covered by the moto test
        }
        assert!(
            seen_codes.contains(rule.code),
            "no fixture set breaks {}",
            rule.code
        );
    }
}

#[test]
fn secrets_in_the_pod_env_never_reach_the_output() {
    let case = support::fixtures("doctor/irsa-static-keys-in-pod");
    let env = std::fs::read_to_string(case.join("env.txt")).unwrap();
    let secret = env
        .lines()
        .find_map(|l| l.strip_prefix("AWS_SECRET_ACCESS_KEY="))
        .unwrap();
    let key = env
        .lines()
        .find_map(|l| l.strip_prefix("AWS_ACCESS_KEY_ID="))
        .unwrap();
    for format in ["text", "json"] {
        let out = doctor(&case, &["--format", format]);
        assert!(
            !out.stdout.contains(secret) && !out.stdout.contains(key),
            "{format}"
        );
    }
}

#[test]
fn usage_errors_exit_2_and_say_what() {
    let mut cmd = pullpass();
    cmd.args([
        "doctor",
        "irsa",
        "--trust-policy",
        "/nonexistent/trust.json",
    ]);
    let out = run(&mut cmd, None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("/nonexistent/trust.json"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--trust-policy"), "{}", out.stderr);

    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("env.txt");
    std::fs::write(&big, "A=b\n".repeat(300_000)).unwrap();
    let mut cmd = pullpass();
    cmd.args(["doctor", "irsa", "--pod-env"]).arg(&big);
    let out = run(&mut cmd, None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("larger than 1 MiB"), "{}", out.stderr);

    let mut cmd = pullpass();
    cmd.args(["doctor", "irsa", "--cluster-name", "x"]);
    let out = run(&mut cmd, None);
    assert_eq!(out.code, 2, "--cluster-name without --live: {}", out.stderr);
}

#[test]
fn stdin_input_and_nothing_given() {
    let case = support::fixtures("doctor/irsa-sound");
    let trust = std::fs::read_to_string(case.join("trust.json")).unwrap();
    let mut cmd = pullpass();
    cmd.args([
        "doctor",
        "irsa",
        "--trust-policy",
        "-",
        "--expect-service-account",
        "coder/coder",
        "--format",
        "json",
    ]);
    let out = run(&mut cmd, Some(&trust));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let subject = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "trust.subject")
        .unwrap();
    assert_eq!(subject["status"], "passed");

    // Nothing given: every link says which flag would check it; nothing fails.
    let mut cmd = pullpass();
    cmd.args(["doctor", "irsa", "--format", "json"]);
    let out = run(&mut cmd, None);
    assert_eq!(out.code, 0);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for c in report["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "notChecked", "{c}");
        // Nothing failed, so nothing is "blocked": each says which input would check it.
        assert!(c["blockedBy"].is_null(), "{c}");
        assert!(c["needs"].as_array().is_some_and(|n| !n.is_empty()), "{c}");
    }
}
