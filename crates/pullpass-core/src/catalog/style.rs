//! The one style of every text a rule shows, for every family (RF, TP, EP, DR).
//!
//! STYLE.md sends us to ruff, rust-analyzer and clippy; this is their split, and rustc's
//! diagnostic convention that clippy enforces with a test over its outputs:
//!
//! - **Titles are labels**: a rule's title ([`RuleMeta::summary`], listings and SARIF
//!   `shortDescription`) and a fix's title ([`Fix::message`], "Strip `https://`") are in
//!   sentence case and end without a full stop, like ruff's rule titles and fix titles and
//!   rust-analyzer's assist labels.
//! - **Messages and helps are rustc-style**: the text after `error[RF011]:` and after `help:`
//!   starts in lower case (a quoted `token`, a number or an acronym such as `ECR` may start
//!   it), is one sentence (clauses joined with `:` or `;`, never `. Next`), and ends without a
//!   full stop. A question (`did you mean …?`) keeps its mark.
//!
//! [`check`] holds a finding to it; the catalogue test holds every title, and the rules' own
//! tests (their helpers call [`check`]) and `tests/it` (over every rendered snapshot) hold
//! every message the fixtures make.

use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::RuleMeta;

/// Which kind of text: a label (rule or fix title) or a sentence (message, help).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A rule's title or a fix's title: sentence case, no full stop.
    Title,
    /// A finding's message or help: lower case, one sentence, no full stop.
    Message,
}

/// Proper nouns a message may start with (capitalised words that are names, not sentence
/// starts). Acronyms (`ECR`, `IAM`) need no entry.
const PROPER_NOUNS: &[&str] = &["CloudFormation", "Kubernetes"];

/// What is wrong with `text` as a `kind`, or `None` when it follows the style.
#[must_use]
pub fn problem(kind: Kind, text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some("is empty");
    }
    if text.trim() != text {
        return Some("has whitespace around it");
    }
    if text.ends_with('.') && !text.ends_with("...") {
        return Some("ends with a full stop");
    }
    if text.ends_with([',', ';', ':']) {
        return Some("ends with a comma, semicolon or colon");
    }
    let first = text.chars().next()?;
    match kind {
        Kind::Title => {
            if first.is_lowercase() {
                return Some("starts in lower case (a title is in sentence case)");
            }
        }
        Kind::Message => {
            if first.is_uppercase() {
                let word: &str = text
                    .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                    .next()
                    .unwrap_or_default();
                let acronym = word.chars().count() > 1 && !word.chars().any(char::is_lowercase);
                if !acronym && !PROPER_NOUNS.contains(&word) {
                    return Some("starts with a capital letter (a message is in lower case)");
                }
            }
            if has_sentence_break(text) {
                return Some("has more than one sentence (join them with `:` or `;`)");
            }
        }
    }
    None
}

/// A `. ` followed by a capital letter outside backticks: a second sentence.
fn has_sentence_break(text: &str) -> bool {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '`' => quoted = !quoted,
            '.' | '!' | '?' if !quoted => {
                let rest = &text[i + 1..];
                if let Some(after) = rest.strip_prefix(' ')
                    && after.chars().next().is_some_and(char::is_uppercase)
                {
                    let word = after
                        .split(|c: char| !c.is_alphanumeric())
                        .next()
                        .unwrap_or_default();
                    // `… e.g. AWS` is one sentence; `… here. The` is two.
                    if word.chars().any(char::is_lowercase) {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

/// Every style problem of a finding's texts: message, help and fix title.
#[must_use]
pub fn check(d: &Diagnostic) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |what: &str, kind: Kind, text: &str| {
        if let Some(p) = problem(kind, text) {
            out.push(format!("{} {what} {p}: {text:?}", d.code()));
        }
    };
    push("message", Kind::Message, d.message());
    if let Some(help) = d.help() {
        push("help", Kind::Message, help);
    }
    if let Some(Fix { message, .. }) = d.fix() {
        push("fix title", Kind::Title, message);
    }
    out
}

/// The style problem of a rule's title, if any.
#[must_use]
pub fn check_rule(rule: &RuleMeta) -> Option<String> {
    problem(Kind::Title, rule.summary)
        .map(|p| format!("{} title {p}: {:?}", rule.code, rule.summary))
}

/// Panics with every problem of `diagnostics`: for the rules' own test helpers, so every
/// message a rule test makes is held to the style.
#[cfg(test)]
pub(crate) fn assert_styled<'d>(diagnostics: impl IntoIterator<Item = &'d Diagnostic>) {
    let problems: Vec<String> = diagnostics.into_iter().flat_map(check).collect();
    assert!(
        problems.is_empty(),
        "message style (catalog/style.rs):\n{}",
        problems.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::{Kind, problem};

    #[test]
    fn every_rule_title_is_a_label() {
        let problems: Vec<String> = crate::catalog::all()
            .into_iter()
            .filter_map(super::check_rule)
            .collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Every finding the repository's fixtures make through the core (policies as trust and
    /// as permissions, forms, hosts of every kind) is in the style. Doctor sets and the
    /// source formats run through the CLI; `tests/it` holds their rendered output.
    #[test]
    fn every_fixture_finding_follows_the_style() {
        use crate::policy::{LintContext, PolicyKind, lint};
        use crate::registry_form::{
            FormContext, RegistryForm, RegistryKind, analyze_host, validate,
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut problems = Vec::new();
        let mut seen = 0;
        let mut check_all = |name: &str, found: &[crate::Diagnostic]| {
            seen += found.len();
            for d in found {
                problems.extend(super::check(d).into_iter().map(|p| format!("{name}: {p}")));
            }
        };
        let json_files = |dir: &str| {
            let mut files: Vec<_> = ["valid", "invalid"]
                .iter()
                .flat_map(|sub| {
                    std::fs::read_dir(root.join(dir).join(sub))
                        .into_iter()
                        .flatten()
                        .flatten()
                })
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            files
        };
        let ctx = LintContext::default();
        for dir in ["trust", "permissions"] {
            for path in json_files(dir) {
                let text = std::fs::read_to_string(&path).unwrap();
                for kind in [None, Some(PolicyKind::Trust), Some(PolicyKind::Permissions)] {
                    check_all(
                        &path.display().to_string(),
                        &lint(&text, kind, &ctx).diagnostics,
                    );
                }
            }
        }
        let form_ctx = FormContext {
            existing_names: vec!["prod".to_owned()],
        };
        for path in json_files("forms") {
            let text = std::fs::read_to_string(&path).unwrap();
            let form: RegistryForm = serde_json::from_str(&text).unwrap();
            check_all(
                &path.display().to_string(),
                &validate(&form, &form_ctx).diagnostics,
            );
        }
        let hosts = std::fs::read_to_string(root.join("hosts.txt")).unwrap();
        for host in hosts.lines().filter(|l| !l.starts_with('#')) {
            for kind in [RegistryKind::Ecr, RegistryKind::Generic] {
                check_all(host, &analyze_host(host, None, kind).diagnostics);
            }
        }
        assert!(
            seen > 300,
            "only {seen} findings: the fixtures were not found"
        );
        assert!(
            problems.is_empty(),
            "{} texts out of style:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    #[test]
    fn the_style_is_what_the_module_says() {
        for ok in [
            "the registry host is required",
            "`https://` is implied",
            "ECR registries are served over HTTPS only; `http://` cannot work",
            "did you mean `amazonaws.com`?",
            "12 digits, e.g. `123456789012`",
            "CloudFormation functions resolve only in a template",
            "the suffix is `amazonaws.com`. `x` is quoted (a code token may follow a stop)",
        ] {
            assert_eq!(problem(Kind::Message, ok), None, "{ok}");
        }
        for bad in [
            "The registry host is required",
            "the registry host is required.",
            "A registry named `prod` already exists",
            "the host is wrong. Enter it again",
            "did you mean `x`? Region names use `-`",
            " leading space",
            "",
            "ends with a colon:",
        ] {
            assert!(problem(Kind::Message, bad).is_some(), "{bad}");
        }
        assert_eq!(problem(Kind::Title, "Strip `https://`"), None);
        assert_eq!(problem(Kind::Title, "`sub` admits everything"), None);
        assert!(problem(Kind::Title, "strip `https://`").is_some());
        assert!(problem(Kind::Title, "Strip `https://`.").is_some());
    }
}
