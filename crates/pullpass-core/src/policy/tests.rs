//! Whole-linter properties: no input panics or hangs, every range and fix fits its input,
//! positions survive non-ASCII text, and the size and depth limits answer with a finding.

use proptest::prelude::*;

use super::rules::test_support::{IRSA, POD, READ_ONLY};
use super::{LintContext, LintOutput, lint, lint_bytes};
use crate::diagnostic::Applicability;

/// Every range is inside `text` on char boundaries, every fix applies, and the safe fixes
/// applied one after another never break the linter.
fn check_output(text: &str, out: &LintOutput) {
    for d in &out.diagnostics {
        if let Some(r) = d.range() {
            assert!(r.start <= r.end && (r.end as usize) <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(r.start as usize) && text.is_char_boundary(r.end as usize),
                "{d:?}"
            );
        }
        if let Some(fix) = d.fix() {
            let fixed = fix
                .apply(text)
                .unwrap_or_else(|| panic!("fix does not apply: {d:?}\n{text}"));
            if fix.applicability == Applicability::Safe {
                let again = lint(&fixed, out.kind, &LintContext::default());
                assert!(again.diagnostics.len() < 10_000);
            }
        }
        assert!(!d.message().is_empty());
    }
}

const SNIPPETS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "*",
    "?",
    "\\",
    "\"sts:*\"",
    "https://",
    "StringLike",
    "ForAllValues:",
    "IfExists",
    "${ACCT_ID}",
    "é",
    "日本",
    "\u{1F600}",
    "null",
    "1e999",
    "\"\"",
    "\"Statement\"",
    "\"Condition\": {}",
    "\"Principal\": \"*\"",
    "arn:aws-cn:",
    ":aud",
    ":sub",
];

fn mutated() -> impl Strategy<Value = String> {
    let seed = prop_oneof![Just(IRSA), Just(POD), Just(READ_ONLY)];
    (
        seed,
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0..3usize,
                0..SNIPPETS.len(),
                0..8usize,
            ),
            1..6,
        ),
    )
        .prop_map(|(seed, edits)| {
            let mut text = seed.to_owned();
            for (at, op, snippet, len) in edits {
                let mut i = at.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                match op {
                    0 => text.insert_str(i, SNIPPETS[snippet]),
                    1 => {
                        let mut end = (i + len).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(i..end, "");
                    }
                    _ => {
                        let mut end = (i + len).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(i..end, SNIPPETS[snippet]);
                    }
                }
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let out = lint_bytes(&bytes, None, &LintContext::default());
        if let Ok(text) = std::str::from_utf8(&bytes) {
            check_output(text, &out);
        } else {
            prop_assert_eq!(out.diagnostics.len(), 1);
            prop_assert_eq!(out.diagnostics[0].code(), "TP001");
        }
    }

    #[test]
    fn arbitrary_json_like_text_never_panics(text in "[\\[\\]{}\":,a-zA-Z0-9*?/ \\\\é]{0,400}") {
        let out = lint(&text, None, &LintContext::default());
        check_output(&text, &out);
    }

    #[test]
    fn mutated_valid_policies_never_panic(text in mutated()) {
        for kind in [None, Some(super::PolicyKind::Trust), Some(super::PolicyKind::Permissions)] {
            let out = lint(&text, kind, &LintContext::default());
            check_output(&text, &out);
        }
    }
}

#[test]
fn ranges_are_right_after_non_ascii_text() {
    // Non-ASCII text (2-, 3- and 4-byte chars) before the finding.
    let text = IRSA.replace(
        "\"Effect\": \"Allow\",",
        "\"Sid\": \"Équipe日本\u{1F600}\", \"Effect\": \"Allow\",",
    );
    let out = lint(&text, None, &LintContext::default());
    let sid = out
        .diagnostics
        .iter()
        .find(|d| d.code() == "TP005")
        .expect("TP005");
    assert_eq!(
        &text[sid.range().unwrap().as_usize_range()],
        "\"Équipe日本\u{1F600}\""
    );
    let text = text.replace("\"sts.amazonaws.com\"", "\"https://sts.amazonaws.com\"");
    let out = lint(&text, None, &LintContext::default());
    let aud = out
        .diagnostics
        .iter()
        .find(|d| d.code() == "TP025")
        .expect("TP025");
    assert_eq!(
        &text[aud.range().unwrap().as_usize_range()],
        "\"https://sts.amazonaws.com\""
    );
    let fixed = aud.fix().unwrap().apply(&text).unwrap();
    assert!(fixed.contains("\"sts.amazonaws.com\"") && fixed.contains("Équipe日本"));
}

#[test]
fn huge_and_deep_inputs_are_answered_with_a_finding() {
    // CPU time of this thread: a guard against a hang or a quadratic path, which load on
    // the machine cannot trip (speed itself is measured in `cargo xtask bench`).
    let start = cpu_time::ThreadTime::now();
    let big = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [], \"x\": \"{}\"}}",
        "a".repeat(10 * 1024 * 1024)
    );
    let out = lint(&big, None, &LintContext::default());
    assert_eq!(out.diagnostics.len(), 1);
    assert_eq!(out.diagnostics[0].code(), "TP001");
    assert!(
        out.diagnostics[0].message().contains("at most"),
        "{}",
        out.diagnostics[0].message()
    );
    // Depth 10,000 inside an otherwise valid policy.
    let deep = IRSA.replace(
        "\"system:serviceaccount:coder:coder\"",
        &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
    );
    let out = lint(&deep, None, &LintContext::default());
    assert_eq!(out.diagnostics.len(), 1);
    assert_eq!(out.diagnostics[0].code(), "TP001");
    assert!(
        out.diagnostics[0]
            .message()
            .contains("nested deeper than 64")
    );
    let deep_objects = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    assert_eq!(
        lint(&deep_objects, None, &LintContext::default()).diagnostics[0].code(),
        "TP001"
    );
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
}

#[test]
fn a_megabyte_of_statements_lints_without_hanging() {
    // Under the size limit, many statements with findings each: the linter stays linear.
    let stmt = r#"{"Sid":"a-b","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:*","Condition":{"StringEquals":{"x:sub":"*"}}}"#;
    let mut text = String::from(r#"{"Version":"2012-10-17","Statement":["#);
    while text.len() < 900_000 {
        text.push_str(stmt);
        text.push(',');
    }
    text.push_str(stmt);
    text.push_str("]}");
    // CPU time of this thread: a guard against a hang or a quadratic path, which load on
    // the machine cannot trip (speed itself is measured in `cargo xtask bench`).
    let start = cpu_time::ThreadTime::now();
    let out = lint(&text, None, &LintContext::default());
    assert!(out.diagnostics.len() > 10_000);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

/// An ECR repository policy is its own kind: it is linted by the repository rules, never as a
/// trust or identity policy (no confused-deputy warning for granting another account pulls).
#[test]
fn repository_policies_are_their_own_kind() {
    let repo = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllowPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}"#;
    let out = lint(repo, None, &LintContext::default());
    assert_eq!(out.kind, Some(super::PolicyKind::Repository));
    assert!(out.kind_detected);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    // A trust policy with a wrong action is still a trust policy.
    let trust = repo.replace(
        "[\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\"]",
        "\"sts:AssumeRole\"",
    );
    assert_eq!(
        lint(&trust, None, &LintContext::default()).kind,
        Some(super::PolicyKind::Trust)
    );
    // A registry policy (replication, pull-through cache: terraform-aws-modules/ecr's
    // `complete` example, other IDs) and a bucket policy are no kind pullpass has rules for:
    // no EP012 on their `Resource`, no TP003.
    let registry = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"ecr:ReplicateImage","Resource":"arn:aws:ecr:eu-west-1:210987654321:repository/*"},{"Sid":"dockerhub","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:CreateRepository","ecr:BatchImportUpstreamImage"],"Resource":"arn:aws:ecr:eu-west-1:210987654321:repository/dockerhub/*"}]}"#;
    let bucket = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"billingreports.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:GetBucketPolicy"],"Resource":"arn:aws:s3:::cost-reports-210987654321"}]}"#;
    for other in [registry, bucket] {
        let out = lint(other, None, &LintContext::default());
        assert_eq!(out.kind, None, "{other}");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    }
    // A repository policy with a `Resource` (no registry-level action) is still one: EP012.
    let with_resource = repo.replace("]}]}", "],\"Resource\":\"*\"}]}");
    let out = lint(&with_resource, None, &LintContext::default());
    assert_eq!(out.kind, Some(super::PolicyKind::Repository));
    assert!(
        out.diagnostics.iter().any(|d| d.code() == "EP012"),
        "{:?}",
        out.diagnostics
    );
    // A trust policy with a stray `Resource` is still a trust policy: TP003.
    let out = lint(
        &trust.replace("}]}", ",\"Resource\":\"*\"}]}"),
        None,
        &LintContext::default(),
    );
    assert_eq!(out.kind, Some(super::PolicyKind::Trust));
    assert!(
        out.diagnostics.iter().any(|d| d.code() == "TP003"),
        "{:?}",
        out.diagnostics
    );
}

/// Issue 15 #4: a 1 MB policy with ~58 k condition keys took 15–18 s (TP006 compared every
/// key with every key). Linear now; the release-build number is a bench row (< 0.5 s).
#[test]
fn a_megabyte_of_condition_keys_lints_in_linear_time() {
    let text = super::stress::many_condition_keys(1_000_000);
    assert!(text.len() <= super::json::MAX_INPUT_BYTES);
    let keys = text.matches(":s\"").count();
    assert!(keys > 55_000, "{keys}");
    // CPU time of this thread: a guard against a hang or a quadratic path, which load on
    // the machine cannot trip (speed itself is measured in `cargo xtask bench`).
    let start = cpu_time::ThreadTime::now();
    let out = lint(&text, None, &LintContext::default());
    assert!(!out.diagnostics.iter().any(|d| d.code() == "TP001"));
    // Debug build, shared machine: generous; the quadratic version took minutes here.
    assert!(start.elapsed().as_secs() < 15, "took {:?}", start.elapsed());
}
