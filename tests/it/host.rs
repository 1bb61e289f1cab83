//! `pullpass host`: every host of `tests/fixtures/hosts.txt` in text and JSON (snapshots),
//! the JSON contract, and exit codes.

use crate::support::{findings_schema, fixtures, pullpass, run};

fn hosts() -> Vec<String> {
    let text = std::fs::read_to_string(fixtures("hosts.txt")).expect("hosts.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn host_list_text_snapshot() {
    let _snapshots = crate::support::snapshot_lock();
    let mut all = String::new();
    for host in hosts() {
        let out = run(pullpass().args(["host", &host]), None);
        assert!(
            out.code == 0 || out.code == 1,
            "{host}: exit {} {}",
            out.code,
            out.stderr
        );
        assert!(out.stderr.is_empty(), "{host}: {}", out.stderr);
        // The command line is shown with user info masked, as pullpass itself shows it.
        let shown = pullpass_core::host::redacted(&host);
        all.push_str(&format!(
            "$ pullpass host {shown}\n[exit {}]\n{}\n",
            out.code, out.stdout
        ));
    }
    assert!(
        !all.contains("s3cr3tpw") && !all.contains("jdoe"),
        "user info leaked"
    );
    insta::assert_snapshot!("host_list_text", all);
}

#[test]
fn host_list_json_is_valid_and_snapshotted() {
    let _snapshots = crate::support::snapshot_lock();
    let validator = findings_schema();
    let mut all = serde_json::Map::new();
    for host in hosts() {
        let out = run(pullpass().args(["host", &host, "--format", "json"]), None);
        let json: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{host}: {e}\n{}", out.stdout));
        if let Err(error) = validator.validate(&json) {
            panic!("{host}: output does not fit findings.schema.json: {error}\n{json:#}");
        }
        let errors = json["summary"]["errors"].as_u64().unwrap();
        assert_eq!(out.code, i32::from(errors > 0), "{host}");
        for key in [
            "kind",
            "account",
            "region",
            "partition",
            "fips",
            "dualStack",
        ] {
            assert!(
                json["host"].get(key).is_some(),
                "{host}: host.{key} missing"
            );
        }
        all.insert(pullpass_core::host::redacted(&host), json);
    }
    let text = serde_json::to_string_pretty(&all).unwrap();
    assert!(!text.contains("s3cr3tpw"), "user info leaked");
    insta::assert_snapshot!("host_list_json", text);
}

#[test]
fn host_facts_in_json() {
    let out = run(
        pullpass().args([
            "host",
            "123456789012.dkr-ecr-fips.us-west-2.on.aws",
            "--format",
            "json",
        ]),
        None,
    );
    assert_eq!(out.code, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let host = &json["host"];
    assert_eq!(host["kind"], "privateEcr");
    assert_eq!(host["account"], "123456789012");
    assert_eq!(host["region"], "us-west-2");
    assert_eq!(host["partition"], "aws");
    assert_eq!(host["fips"], true);
    assert_eq!(host["dualStack"], true);
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn vanity_host_with_override() {
    let out = run(
        pullpass().args([
            "host",
            "ecr-proxy.corp.example",
            "--override-account",
            "012345678901",
            "--override-region",
            "cn-north-1",
            "--format",
            "json",
        ]),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["host"]["partition"], "aws-cn");
    assert_eq!(json["host"]["fromOverride"], true);
    let bad = run(
        pullpass().args([
            "host",
            "ecr-proxy.corp.example",
            "--override-account",
            "1234",
            "--override-region",
            "cn-north-1",
        ]),
        None,
    );
    assert_eq!(bad.code, 1);
    assert!(bad.stdout.contains("RF028"), "{}", bad.stdout);
}

#[test]
fn kind_flag_and_exit_codes() {
    // Auto kind: a generic host is just "other".
    assert_eq!(run(pullpass().args(["host", "ghcr.io"]), None).code, 0);
    // Asked as ECR, it is an error.
    let out = run(pullpass().args(["host", "ghcr.io", "--kind", "ecr"]), None);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("RF021"));
    // An ECR host as generic: a warning, exit 0, or 1 with --deny-warnings.
    let ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    let out = run(pullpass().args(["host", ecr, "--kind", "generic"]), None);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("RF022"));
    assert_eq!(
        run(
            pullpass().args(["host", ecr, "--kind", "generic", "--deny-warnings"]),
            None
        )
        .code,
        1
    );
    // Usage errors: 2.
    assert_eq!(run(pullpass().args(["host"]), None).code, 2);
    assert_eq!(
        run(pullpass().args(["host", ecr, "--format", "yaml"]), None).code,
        2
    );
}
