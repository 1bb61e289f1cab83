//! Linting extracted policies with the core rules, findings mapped back to the file, and the
//! cross-file check of service accounts against the trust policies of their roles.

use pullpass_core::diagnostic::{self, Diagnostic, Fix};
use pullpass_core::policy::{self, LintContext, PolicyKind};
use pullpass_core::text::TextRange;

use crate::{Extracted, ExtractedPolicy, ServiceAccountBinding};

/// The findings of one extracted policy, in file positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFindings {
    pub kind: Option<PolicyKind>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Rules whose judgement is about the shape of the policy (a key or block that is there or
/// not, an operator's name, the action list), not about the value their finding points at:
/// a placeholder inside that value changes nothing, so the finding stands (a `Fn::Sub`
/// principal with no `Condition` is still TP020).
const SHAPE_RULES: &[&str] = &[
    "TP002", "TP003", "TP006", "TP007", "TP012", "TP013", "TP014", "TP020", "TP030", "TP031",
    "TP050", "TP052",
];

/// Rules that report a condition key missing (`aud`, `sub`, the Pod Identity tags): they stand
/// unless a whole condition key is computed (then the missing key may be that one).
const MISSING_KEY_RULES: &[&str] = &["TP024", "TP026", "TP051"];

/// Whether a finding at `range` judges only the unknown value (and is dropped):
/// - inside one placeholder: the evidence is the unknown value itself;
/// - over a placeholder, by a rule that reads the value (TP023 on an issuer, TP041 on an
///   account): the value is unknown, so is the verdict;
/// - over a placeholder, by a [`SHAPE_RULES`] rule: kept; by a [`MISSING_KEY_RULES`] rule:
///   kept unless some condition key is wholly a placeholder.
fn judges_unknown_value(p: &ExtractedPolicy, code: &str, range: TextRange) -> bool {
    if !p.touches_placeholder(range) {
        return false;
    }
    if p.placeholders
        .iter()
        .any(|ph| ph.start <= range.start && range.end <= ph.end)
    {
        return true;
    }
    if SHAPE_RULES.contains(&code) {
        return false;
    }
    if MISSING_KEY_RULES.contains(&code) {
        return p.placeholders.iter().any(|ph| is_whole_key(&p.json, *ph));
    }
    true
}

/// `"${X}":` — the placeholder is a whole object key.
fn is_whole_key(json: &str, ph: TextRange) -> bool {
    let (start, end) = (ph.start as usize, ph.end as usize);
    let b = json.as_bytes();
    start > 0
        && b.get(start - 1) == Some(&b'"')
        && b.get(end) == Some(&b'"')
        && json[end + 1..].trim_start().starts_with(':')
}

/// Lints `p` with the core's rules and maps every finding back to the file:
/// - a finding whose evidence is a value only known at deploy time is dropped (see
///   [`judges_unknown_value`]), unless its fix edits only literal text (the mistake is in
///   what the author wrote); a finding about the policy's shape is kept even where it points
///   at a placeholder;
/// - a fix is kept when every edit lands on literal source text, else it is dropped and its
///   message is added to the help ("not applied here").
#[must_use]
pub fn lint_policy(p: &ExtractedPolicy, ctx: &LintContext) -> PolicyFindings {
    let kind = p.kind;
    let out = policy::lint(&p.json, kind, ctx);
    let mut diagnostics = Vec::with_capacity(out.diagnostics.len());
    for mut d in out.diagnostics {
        if let Some(r) = d.range()
            && judges_unknown_value(p, d.code(), r)
        {
            let literal_fix = d.fix().is_some_and(|f| {
                !f.edits.is_empty() && f.edits.iter().all(|e| !p.touches_placeholder(e.range))
            });
            if d.code() == "TP061" || !literal_fix {
                continue;
            }
        }
        d.map_range(|r| p.map_range(r));
        if let Some(fix) = d.take_fix() {
            let mapped: Option<Vec<_>> = fix.edits.iter().map(|e| p.map.map_edit(e)).collect();
            match mapped {
                Some(edits) if !edits.is_empty() => {
                    d = d.with_fix(Fix {
                        message: fix.message,
                        edits,
                        applicability: fix.applicability,
                    });
                }
                _ => d.append_help(&format!(
                    "fix (not applied: `{}` generates this policy): {}",
                    p.owner, fix.message
                )),
            }
        }
        d.append_to_message(&format!(" (in {})", p.owner));
        diagnostics.push(d);
    }
    PolicyFindings {
        kind: out.kind.or(kind),
        diagnostics,
    }
}

/// A file's extraction and where it is, for the cross-file check.
#[derive(Debug, Clone, Copy)]
pub struct FileRef<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub extracted: &'a Extracted,
}

/// A finding the cross-file check adds to file `file` (an index into the slice given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossFinding {
    pub file: usize,
    pub diagnostic: Diagnostic,
}

/// The context each trust policy gets from the tree: (file, policy index) → context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeContext {
    /// The role ARN a service account annotation gives a trust policy's role.
    pub role_arns: Vec<((usize, usize), String)>,
    pub findings: Vec<CrossFinding>,
}

impl TreeContext {
    #[must_use]
    pub fn role_arn(&self, file: usize, policy: usize) -> Option<&str> {
        self.role_arns
            .iter()
            .find(|(k, _)| *k == (file, policy))
            .map(|(_, v)| v.as_str())
    }
}

/// For every service account annotated with a role whose trust policy is in the tree: lints
/// that trust policy with the service account expected (TP032's logic) and reports a mismatch
/// at both ends, the trust policy and the annotation. Also gives each such trust policy its
/// role ARN (account and partition) as context.
#[must_use]
pub fn cross_check(files: &[FileRef<'_>], base: &LintContext) -> TreeContext {
    let tp032 = policy::RULES.iter().find(|r| r.code == "TP032");
    let mut tree = TreeContext::default();
    // Trust policies by role name.
    let mut trusts: Vec<(&str, usize, usize)> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for (pi, p) in f.extracted.policies.iter().enumerate() {
            if p.kind == Some(crate::PolicyKind::Trust)
                && let Some(name) = &p.role_name
            {
                trusts.push((name.as_str(), fi, pi));
            }
        }
    }
    if trusts.is_empty() {
        return tree;
    }
    let mut bindings: Vec<(usize, &ServiceAccountBinding)> = files
        .iter()
        .enumerate()
        .flat_map(|(fi, f)| f.extracted.service_accounts.iter().map(move |s| (fi, s)))
        .collect();
    bindings.sort_by_key(|(fi, s)| (*fi, s.range.start));
    for &(name, fi, pi) in &trusts {
        let users: Vec<&(usize, &ServiceAccountBinding)> = bindings
            .iter()
            .filter(|(_, s)| s.role_name() == Some(name))
            .collect();
        let mut arns: Vec<&str> = users.iter().map(|(_, s)| s.role_arn.as_str()).collect();
        arns.sort_unstable();
        arns.dedup();
        if let [arn] = arns.as_slice() {
            tree.role_arns.push(((fi, pi), (*arn).to_owned()));
        }
        let policy = &files[fi].extracted.policies[pi];
        for &&(sfi, sa) in &users {
            let (Some(ns), Some(sa_name)) = (&sa.namespace, &sa.name) else {
                continue;
            };
            let ctx = LintContext {
                expected_service_account: Some(format!("{ns}/{sa_name}")),
                role_arn: Some(sa.role_arn.clone()),
                ..base.clone()
            };
            let found = lint_policy(policy, &ctx);
            let mismatches: Vec<Diagnostic> = found
                .diagnostics
                .into_iter()
                .filter(|d| d.code() == "TP032")
                // Several service accounts may share a role: then only "not admitted" counts.
                .filter(|d| users.len() == 1 || d.message().starts_with("no statement admits"))
                .collect();
            if mismatches.is_empty() {
                continue;
            }
            let sa_at = line_of(files[sfi].text, sa.range.start);
            for mut d in mismatches {
                d.append_to_message(&format!(
                    " — service account `{ns}/{sa_name}` ({}:{sa_at}) is annotated with this role",
                    files[sfi].path
                ));
                tree.findings.push(CrossFinding {
                    file: fi,
                    diagnostic: d,
                });
            }
            if let Some(rule) = tp032 {
                let at = line_of(files[fi].text, policy.range.start);
                tree.findings.push(CrossFinding {
                    file: sfi,
                    diagnostic: Diagnostic::new(
                        rule,
                        format!(
                            "service account `{ns}/{sa_name}` is annotated with role `{name}`, whose trust policy ({}:{at}, {}) does not admit it",
                            files[fi].path, policy.owner
                        ),
                    )
                    .with_help(format!(
                        "admit `system:serviceaccount:{ns}:{sa_name}` in that trust policy, or annotate the role meant for this service account"
                    ))
                    .with_range(sa.range),
                });
            }
        }
    }
    tree.findings
        .sort_by_key(|f| (f.file, f.diagnostic.range().map(|r| r.start)));
    tree
}

fn line_of(text: &str, offset: u32) -> usize {
    let end = (offset as usize).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Sorts a file's findings by position (the core's order).
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostic::sort(diagnostics);
}

/// The range of a parse failure, for a finding.
#[must_use]
pub fn error_range(text: &str, r: TextRange) -> TextRange {
    let start = (r.start as usize).min(text.len());
    let end = (r.end as usize).clamp(start, text.len());
    TextRange::new(start, end)
}
