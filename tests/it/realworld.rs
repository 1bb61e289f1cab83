//! The real-world corpus (`tests/realworld/policies/`): policies from public documentation,
//! modules and issue threads, each with the verdict its source reached (`manifest.toml`).
//! Every working policy lints without an error; every broken one gets exactly the findings
//! the manifest names (its defect at the stated severity, nothing unrelated); the whole text
//! output is snapshotted. Also the CLI side of `--repository-policy`, `--import-images` and the
//! config's `import_images`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{pullpass, root, run};

#[derive(Debug, serde::Deserialize)]
struct Manifest {
    policy: Vec<Entry>,
}

#[derive(Debug, serde::Deserialize)]
struct Entry {
    name: String,
    verdict: String,
    source: String,
    note: String,
    expect: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    known_miss: bool,
}

fn dir() -> PathBuf {
    root().join("tests/realworld/policies")
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(dir().join("manifest.toml")).expect("manifest.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("manifest.toml: {e}"))
}

/// `pullpass lint <args> --format <format> <name>.json` in the corpus directory, with no
/// config file in reach.
fn lint(entry: &Entry, format: &str) -> crate::support::Output {
    run(
        pullpass()
            .current_dir(dir())
            .env("PULLPASS_CONFIG", dir().join("no-such-config.toml"))
            .arg("lint")
            .args(&entry.args)
            .args(["--format", format, &format!("{}.json", entry.name)]),
        None,
    )
}

/// Each finding as `CODE:severity`.
fn findings(entry: &Entry) -> Vec<String> {
    let out = lint(entry, "json");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}{}",
            entry.name, out.stdout, out.stderr
        )
    });
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["code"].as_str().expect("code"),
                f["severity"].as_str().expect("severity")
            )
        })
        .collect()
}

#[test]
fn the_corpus_is_large_varied_and_sourced() {
    let m = manifest();
    let files: BTreeSet<String> = std::fs::read_dir(dir())
        .expect("corpus dir")
        .filter_map(|e| {
            let p = e.expect("entry").path();
            (p.extension().is_some_and(|x| x == "json"))
                .then(|| p.file_stem().expect("stem").to_string_lossy().into_owned())
        })
        .collect();
    let named: BTreeSet<String> = m.policy.iter().map(|e| e.name.clone()).collect();
    assert_eq!(
        files, named,
        "every policy file has one manifest entry and back"
    );
    assert_eq!(named.len(), m.policy.len(), "names are unique");
    let broken = m.policy.iter().filter(|e| e.verdict == "broken").count();
    assert!(m.policy.len() >= 60, "{} policies", m.policy.len());
    assert!(
        3 * broken >= m.policy.len(),
        "{broken} broken of {}",
        m.policy.len()
    );
    for e in &m.policy {
        assert!(
            e.verdict == "valid" || e.verdict == "broken",
            "{}: verdict",
            e.name
        );
        assert!(e.source.starts_with("https://"), "{}: source", e.name);
        assert!(!e.note.is_empty(), "{}: note", e.name);
        assert!(
            !e.known_miss || e.verdict == "broken",
            "{}: only a broken policy can be a miss",
            e.name
        );
    }
}

#[test]
fn every_policy_gets_exactly_its_expected_findings() {
    let _snapshots = crate::support::snapshot_lock();
    let m = manifest();
    let mut failures = Vec::new();
    let (mut valid, mut valid_with_error) = (0, 0);
    let (mut broken, mut caught) = (0, 0);
    let (mut errors, mut errors_on_defects) = (0, 0);
    for e in &m.policy {
        let got = findings(e);
        let got_set: BTreeSet<&str> = got.iter().map(String::as_str).collect();
        let want: BTreeSet<&str> = e.expect.iter().map(String::as_str).collect();
        if got_set != want {
            failures.push(format!("{}: expected {want:?}, got {got:?}", e.name));
        }
        let has_error = got.iter().any(|f| f.ends_with(":error"));
        if e.verdict == "valid" {
            valid += 1;
            valid_with_error += usize::from(has_error);
        } else {
            broken += 1;
            // Caught: the defect is reported at error or warning (info is a note).
            caught += usize::from(!e.known_miss && got.iter().any(|f| !f.ends_with(":info")));
        }
        let errors_here = got.iter().filter(|f| f.ends_with(":error")).count();
        errors += errors_here;
        if e.verdict == "broken" {
            errors_on_defects += errors_here;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The corpus's figures, kept in a snapshot so a change shows in review.
    insta::assert_snapshot!(
        "realworld-figures",
        format!(
            "policies: {} ({valid} valid, {broken} broken)\nvalid policies with an error: {valid_with_error}\nerrors on a broken policy (its defect): {errors_on_defects}/{errors}\nbroken policies caught (error or warning): {caught}/{broken}\n",
            m.policy.len()
        )
    );
    assert_eq!(valid_with_error, 0);
}

#[test]
fn text_output_snapshots() {
    let _snapshots = crate::support::snapshot_lock();
    let m = manifest();
    for e in &m.policy {
        let out = lint(e, "text");
        insta::assert_snapshot!(
            format!("realworld-{}", e.name),
            format!(
                "{} ({}) — {}\n{}\nexit {}\n{}{}",
                e.name, e.verdict, e.source, e.note, out.code, out.stdout, out.stderr
            )
        );
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

const NO_PULL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}"#;
const GRANTS_PULLER: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Puller","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::402957361847:role/puller"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}]}"#;

fn lint_in(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = run(
        pullpass()
            .current_dir(dir)
            .env("PULLPASS_CONFIG", dir.join("config.toml"))
            .arg("lint")
            .args(args)
            .args(["--format", "json"]),
        None,
    );
    let value = serde_json::from_str(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.code, value, out.stderr)
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    format!(
                        "{}:{}",
                        f["code"].as_str().unwrap_or(""),
                        f["severity"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn repository_policy_is_evaluated_with_the_identity_policy() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "identity.json", NO_PULL);
    write(tmp.path(), "repo.json", GRANTS_PULLER);
    let host = "402957361847.dkr.ecr.eu-west-1.amazonaws.com";
    // Without the repository policy: a warning that a same-account repository policy could grant it.
    let (code, report, _) = lint_in(
        tmp.path(),
        &["--registry", host, "--repository", "app", "identity.json"],
    );
    assert_eq!(code, 0, "{report}");
    assert!(
        codes(&report).contains(&"EP002:warning".to_owned()),
        "{report}"
    );
    // Same account, the repository policy grants the role: clean.
    let role = "arn:aws:iam::402957361847:role/puller";
    let (code, report, err) = lint_in(
        tmp.path(),
        &[
            "--registry",
            host,
            "--repository",
            "app",
            "--role-arn",
            role,
            "--repository-policy",
            "repo.json",
            "identity.json",
        ],
    );
    assert_eq!((code, codes(&report)), (0, vec![]), "{report}{err}");
    // Another role of the account: neither policy allows, so the error is certain.
    let (code, report, _) = lint_in(
        tmp.path(),
        &[
            "--registry",
            host,
            "--repository",
            "app",
            "--role-arn",
            "arn:aws:iam::402957361847:role/other",
            "--repository-policy",
            "repo.json",
            "identity.json",
        ],
    );
    assert_eq!(code, 1, "{report}");
    assert!(
        codes(&report).contains(&"EP002:error".to_owned()),
        "{report}"
    );
    // A repository policy that is not JSON is refused with a clear message.
    write(tmp.path(), "broken.json", "{\"Statement\": [");
    let (code, _, err) = lint_in(
        tmp.path(),
        &["--repository-policy", "broken.json", "identity.json"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--repository-policy broken.json"), "{err}");
    // Linting the repository policy itself: its own kind, detected.
    let (code, report, _) = lint_in(tmp.path(), &["repo.json"]);
    assert_eq!(code, 0);
    assert_eq!(report["files"][0]["kind"], "repository", "{report}");
    let (_, report, _) = lint_in(tmp.path(), &["--kind", "repository", "identity.json"]);
    assert_eq!(report["files"][0]["kind"], "repository", "{report}");
}

#[test]
fn import_listing_is_checked_only_when_asked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pull_only = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"],"Resource":"*"}]}"#;
    write(tmp.path(), "pull.json", pull_only);
    let (_, report, _) = lint_in(tmp.path(), &["pull.json"]);
    assert_eq!(codes(&report), Vec::<String>::new(), "{report}");
    let (_, report, _) = lint_in(tmp.path(), &["--import-images", "pull.json"]);
    assert_eq!(codes(&report), vec!["EP003:warning".to_owned()], "{report}");
    // The config says the registry named by --registry imports images.
    let host = "402957361847.dkr.ecr.eu-west-1.amazonaws.com";
    write(
        tmp.path(),
        "config.toml",
        &format!("[[registry]]\nname = \"prod\"\nhost = \"{host}\"\nimport_images = true\n"),
    );
    let (_, report, err) = lint_in(tmp.path(), &["--registry", host, "pull.json"]);
    assert_eq!(
        codes(&report),
        vec!["EP003:warning".to_owned()],
        "{report}{err}"
    );
    let (_, report, _) = lint_in(tmp.path(), &["--registry", "prod", "pull.json"]);
    assert_eq!(codes(&report), vec!["EP003:warning".to_owned()], "{report}");
}
