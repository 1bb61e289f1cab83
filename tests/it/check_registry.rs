//! `pullpass check registry`: the form fixtures (snapshots of text and JSON), every rule
//! through the CLI, secret sources, form-file errors, exit codes, and the secret canary.

use std::path::Path;

use crate::support::{findings_schema, fixtures, pullpass, run};

/// The secret every fixture form uses; it must appear in no output.
const FIXTURE_SECRET: &str = "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet";

fn check_form(path: &Path, format: &str) -> crate::support::Output {
    run(
        pullpass()
            .args([
                "check",
                "registry",
                "--existing-name",
                "prod",
                "--format",
                format,
                "--form",
            ])
            .arg(path),
        None,
    )
}

#[test]
fn form_fixtures() {
    let _snapshots = crate::support::glob_lock();
    let validator = findings_schema();
    insta::glob!("../fixtures/forms", "*/*.json", |path| {
        let valid = path.parent().is_some_and(|p| p.ends_with("valid"));
        let text = check_form(path, "text");
        let json = check_form(path, "json");
        for out in [&text, &json] {
            assert!(
                !out.stdout.contains(FIXTURE_SECRET) && !out.stderr.contains(FIXTURE_SECRET),
                "{}: secret leaked",
                path.display()
            );
            assert!(
                !out.stdout.contains("hunter2"),
                "{}: user info leaked",
                path.display()
            );
            assert!(out.stderr.is_empty(), "{}: {}", path.display(), out.stderr);
        }
        let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON output");
        if let Err(error) = validator.validate(&report) {
            panic!(
                "{}: output does not fit findings.schema.json: {error}",
                path.display()
            );
        }
        let codes: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let errors = report["summary"]["errors"].as_u64().unwrap();
        let warnings = report["summary"]["warnings"].as_u64().unwrap();
        assert_eq!(text.code, json.code);
        if valid {
            assert_eq!(
                (errors, warnings, text.code),
                (0, 0, 0),
                "{}: valid form has findings {codes:?}",
                path.display()
            );
        } else {
            // The fixture's name starts with the rule it demonstrates.
            let stem = path.file_stem().unwrap().to_string_lossy();
            let code = stem.split('-').next().unwrap().to_ascii_uppercase();
            assert!(
                codes.contains(&code.as_str()),
                "{}: expected {code}, got {codes:?}",
                path.display()
            );
            assert_eq!(text.code, i32::from(errors > 0));
        }
        insta::assert_snapshot!("text", text.stdout);
        insta::assert_snapshot!("json", json.stdout);
    });
}

#[test]
fn every_rf_rule_has_a_firing_fixture() {
    let names: Vec<String> = std::fs::read_dir(fixtures("forms/invalid"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .to_ascii_uppercase()
        })
        .collect();
    for rule in pullpass_core::registry_form::RULES {
        assert!(
            names.iter().any(|n| n.starts_with(rule.code)),
            "no fixture fires {}",
            rule.code
        );
    }
}

#[test]
fn flags_fill_the_form_and_override_the_file() {
    let file = fixtures("forms/valid/ecr-static-keys.json");
    let out = run(
        pullpass()
            .args([
                "check",
                "registry",
                "--format",
                "json",
                "--host",
                "ecr.us-east-1.amazonaws.com",
                "--form",
            ])
            .arg(&file),
        None,
    );
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("RF027"));
    let out = run(
        pullpass().args([
            "check",
            "registry",
            "--name",
            "prod",
            "--host",
            "ghcr.io",
            "--kind",
            "generic",
            "--repository",
            "Team/App",
            "--tag",
            "v1",
        ]),
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("RF060"));
}

#[test]
fn secrets_from_env_and_stdin() {
    let args = [
        "check",
        "registry",
        "--name",
        "prod",
        "--host",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "--access-key-id",
        "AKIAZ7XQ2M4N6P3R5T7V",
    ];
    let ok = run(
        pullpass()
            .args(args)
            .args(["--secret-access-key-env", "PP_TEST_SECRET"])
            .env("PP_TEST_SECRET", FIXTURE_SECRET),
        None,
    );
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(ok.stdout.contains("no findings"));
    // stdin: one trailing line break is dropped.
    let ok = run(
        pullpass().args(args).arg("--secret-access-key-stdin"),
        Some(&format!("{FIXTURE_SECRET}\n")),
    );
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    // Without the secret: RF030.
    let half = run(pullpass().args(args), None);
    assert_eq!(half.code, 1);
    assert!(half.stdout.contains("RF030"));
    // A missing variable is a usage error that names the variable.
    let missing = run(
        pullpass()
            .args(args)
            .args(["--secret-access-key-env", "PP_TEST_NOT_SET"])
            .env_remove("PP_TEST_NOT_SET"),
        None,
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("PP_TEST_NOT_SET"),
        "{}",
        missing.stderr
    );
    // There is no argv flag for a secret.
    let argv = run(
        pullpass()
            .args(args)
            .args(["--secret-access-key", FIXTURE_SECRET]),
        None,
    );
    assert_eq!(argv.code, 2);
    assert!(!argv.stderr.contains(FIXTURE_SECRET), "{}", argv.stderr);
    // stdin cannot carry both the form and the secret.
    let both = run(
        pullpass().args([
            "check",
            "registry",
            "--form",
            "-",
            "--secret-access-key-stdin",
        ]),
        Some("{}"),
    );
    assert_eq!(both.code, 2);
}

#[test]
fn bad_form_files_name_the_field_and_exit_2() {
    let cases = [
        (r#"{"name": "x", "host": 5}"#, "field `host`"),
        (
            r#"{"name": "x", "hots": "ghcr.io"}"#,
            "unknown field `hots`",
        ),
        (
            r#"{"override": {"accountId": 123456789012}}"#,
            "field `override.accountId`",
        ),
        (r#"{"kind": "ECR"}"#, "field `kind`"),
        (r#"{"name": "x""#, "line 1"),
        ("[]", "registry form"),
    ];
    for (form, expected) in cases {
        let out = run(
            pullpass().args(["check", "registry", "--form", "-"]),
            Some(form),
        );
        assert_eq!(out.code, 2, "{form}");
        assert!(out.stderr.contains(expected), "{form}: {}", out.stderr);
        assert!(
            out.stderr.contains("registry-form.schema.json") || expected == "line 1",
            "{}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
    }
    let missing = run(
        pullpass().args(["check", "registry", "--form", "/nonexistent/form.json"]),
        None,
    );
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("/nonexistent/form.json"));
}

#[test]
fn secret_canary_never_appears_in_any_output() {
    // A unique canary in every secret slot, through every source and format, valid or not.
    let canary = "CANARYzq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU";
    let token = "CANARYTOKENIQoJb3JpZ2luX2VjEJf";
    let wrong_type = format!(r#"{{"name": "x", "secretAccessKey": ["{canary}"]}}"#);
    let form = format!(
        r#"{{"name": "x", "host": "public.ecr.aws", "accessKeyId": "{canary}", "secretAccessKey": " {canary} "}}"#
    );
    let runs = [
        run(
            pullpass().args(["check", "registry", "--form", "-"]),
            Some(&form),
        ),
        run(
            pullpass().args(["check", "registry", "--format", "json", "--form", "-"]),
            Some(&form),
        ),
        run(
            pullpass().args(["check", "registry", "--form", "-"]),
            Some(&wrong_type),
        ),
        run(
            pullpass()
                .args([
                    "check",
                    "registry",
                    "--name",
                    "x",
                    "--host",
                    "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                    "--access-key-id",
                    "AKIAZ7XQ2M4N6P3R5T7V",
                ])
                .args([
                    "--secret-access-key-env",
                    "PP_CANARY",
                    "--session-token-env",
                    "PP_TOKEN",
                    "--format",
                    "json",
                ])
                .env("PP_CANARY", format!("{canary} x"))
                .env("PP_TOKEN", format!("{token}\n")),
            None,
        ),
        run(
            pullpass()
                .args([
                    "check",
                    "registry",
                    "--name",
                    "x",
                    "--host",
                    "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                    "--access-key-id",
                    canary,
                ])
                .arg("--secret-access-key-stdin"),
            Some(&format!("{canary}\n")),
        ),
        run(
            pullpass().args([
                "host",
                &format!("https://{canary}:{canary}@ghcr.io/?t={token}"),
            ]),
            None,
        ),
        run(
            pullpass().args([
                "host",
                &format!("https://u:{canary}@ghcr.io#{token}"),
                "--format",
                "json",
            ]),
            None,
        ),
        run(
            pullpass().args(["host", &format!("https://u:{canary}/x@ghcr.io")]),
            None,
        ),
    ];
    for (i, out) in runs.iter().enumerate() {
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !stream.contains("CANARY"),
                "run {i} leaked a secret:\n{stream}"
            );
        }
        assert!(
            !out.stdout.is_empty() || !out.stderr.is_empty(),
            "run {i} printed nothing"
        );
    }
}

#[test]
fn deny_warnings_counts_warnings_not_infos() {
    let warn = fixtures("forms/invalid/rf037-trailing-newline.json");
    let info = fixtures("forms/valid/ecr-irsa-ambient.json");
    let code = |path: &Path, deny: bool| {
        let mut cmd = pullpass();
        cmd.args(["check", "registry", "--form"]).arg(path);
        if deny {
            cmd.arg("--deny-warnings");
        }
        run(&mut cmd, None).code
    };
    assert_eq!(code(&warn, false), 0);
    assert_eq!(code(&warn, true), 1);
    assert_eq!(code(&info, true), 0);
}
