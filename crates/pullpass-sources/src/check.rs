//! Linting extracted policies with the core rules, findings mapped back to the file, and the
//! cross-file check of service accounts against the trust policies of their roles.

use pullpass_core::diagnostic::{self, Diagnostic, Fix};
use pullpass_core::policy::{self, LintContext, PolicyKind, aws, glob};
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

/// TP021 (a condition key names another provider than the principal) on a key at `key` whose
/// statement's OIDC principal is built with placeholders (`!Sub
/// "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/oidc.eks.${AWS::Region}.amazonaws.com/id/${Id}"`):
/// the principal is known only in its literal parts, so the key is compared with the principal
/// read as a pattern, each placeholder a wildcard. `Some(true)` when the key fits it (the
/// finding judged the placeholder, not the author's text), `Some(false)` when the key differs
/// in a literal part (the finding stands), `None` when no principal of the statement holds a
/// placeholder.
fn key_fits_placeholder_principal(p: &ExtractedPolicy, key: TextRange) -> Option<bool> {
    if p.placeholders.is_empty() {
        return None;
    }
    let root = policy::json::parse(&p.json).ok()?;
    let model = policy::Policy::build(&root)?;
    let stmt = model
        .statements
        .iter()
        .find(|s| s.node.range.start <= key.start && key.end <= s.node.range.end)?;
    let key_text = p.json.get(key.as_usize_range())?.trim_matches('"');
    let (provider, _claim) = key_text.rsplit_once(':')?;
    let provider = aws::normalize_provider(provider).to_ascii_lowercase();
    let mut computed = stmt
        .principals_of("Federated")
        .filter(|principal| p.touches_placeholder(principal.value.range()))
        .peekable();
    computed.peek()?;
    Some(computed.any(|principal| {
        let r = principal.value.range();
        // The principal's JSON string with every placeholder as `*` (IAM's wildcard).
        let mut pattern = String::new();
        let mut at = r.start as usize + 1;
        let end = (r.end as usize).saturating_sub(1);
        let mut holes: Vec<TextRange> = p
            .placeholders
            .iter()
            .copied()
            .filter(|ph| ph.start < r.end && r.start < ph.end)
            .collect();
        holes.sort_by_key(|h| h.start);
        for h in holes {
            let (hs, he) = (h.start as usize, h.end as usize);
            if let Some(lit) = p.json.get(at..hs.max(at)) {
                pattern.push_str(lit);
            }
            pattern.push('*');
            at = he.max(at);
        }
        if let Some(lit) = p.json.get(at..end.max(at)) {
            pattern.push_str(lit);
        }
        let Some(arn) = aws::Arn::parse(&pattern) else {
            return false;
        };
        let Some(principal_provider) = arn.oidc_provider() else {
            return false;
        };
        glob::matches(
            &aws::normalize_provider(principal_provider).to_ascii_lowercase(),
            &provider,
        )
    }))
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
///   at a placeholder; TP021 on a key that fits a placeholder-built principal is dropped (see
///   [`key_fits_placeholder_principal`]);
/// - a fix is kept when every edit lands on literal source text, else it is dropped and its
///   message is added to the help ("not applied here").
#[must_use]
pub fn lint_policy(p: &ExtractedPolicy, ctx: &LintContext) -> PolicyFindings {
    let kind = p.kind;
    let out = policy::lint(&p.json, kind, ctx);
    let mut diagnostics = Vec::with_capacity(out.diagnostics.len());
    for mut d in out.diagnostics {
        // The key fits the principal wherever the principal is known: the finding (and its
        // fix, which would write the placeholder into the key) judged the placeholder.
        if d.code() == "TP021"
            && let Some(r) = d.range()
        {
            match key_fits_placeholder_principal(p, r) {
                Some(true) => continue,
                // A literal mistake: the finding stands, but its replacement and help would
                // write the principal's placeholders into the key.
                Some(false) => {
                    d.take_fix();
                    d.clear_help();
                }
                None => {}
            }
        }
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
    /// What the check could not decide, and how it treated it (for `--verbose`): (file, note).
    pub notes: Vec<(usize, String)>,
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

/// The partition and account of the role a trust policy belongs to, when the policy says it:
/// the account of its literal OIDC/SAML provider principals. IAM lets a trust policy name only
/// identity providers of the role's own account (TP041;
/// <https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html>: the provider
/// is created in the role's account), so that account is the role's. `None` when no provider
/// principal names a literal 12-digit account, or when they disagree.
#[must_use]
pub fn trust_account(p: &ExtractedPolicy) -> Option<(String, String)> {
    if !p.json.contains(":oidc-provider/") && !p.json.contains(":saml-provider/") {
        return None;
    }
    let root = policy::json::parse(&p.json).ok()?;
    let model = policy::Policy::build(&root)?;
    let mut found: Option<(String, String)> = None;
    for stmt in &model.statements {
        for principal in stmt.principals_of("Federated") {
            let Some(arn) = principal.value.text.and_then(aws::Arn::parse) else {
                continue;
            };
            if arn.oidc_provider().is_none() && arn.saml_provider().is_none() {
                continue;
            }
            if !aws::is_account_id(arn.account) || !aws::known_partition(arn.partition) {
                continue;
            }
            let this = (arn.partition.to_owned(), arn.account.to_owned());
            match &found {
                None => found = Some(this),
                Some(f) if *f == this => {}
                Some(_) => return None,
            }
        }
    }
    found
}

/// The role a service account's annotation names: (partition, account) when both are literal.
fn annotated_account(sa: &ServiceAccountBinding) -> Option<(&str, &str)> {
    let arn = aws::role_arn(&sa.role_arn)?;
    (aws::is_account_id(arn.account) && aws::known_partition(arn.partition))
        .then_some((arn.partition, arn.account))
}

/// A trust policy with a role name: (name, file, policy index, [`trust_account`]).
type Trust<'a> = (&'a str, usize, usize, Option<(String, String)>);

/// Whether two role names name one role. IAM names "are not distinguished by case": an account
/// cannot hold both `App` and `app` (IAM API reference, `CreateRole`, `RoleName`), so a role
/// written `App` in Terraform and annotated as `app` is that one role, not another.
fn same_role_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// How a trust policy was found to be the policy of a service account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// Same name, partition and account: the same IAM role (names are unique in an account).
    Identity,
    /// Same name, the trust policy's account unknown, in the same project of the tree.
    NameInProject,
}

/// The project a file belongs to for name-only matches: the deepest directory above it whose
/// subtree holds both a trust policy with a role name and a service-account annotation. In a
/// repository of one application (`terraform/`, `k8s/`, `charts/` side by side) that is the
/// root; in a monorepo of several (`teams/a/{terraform,k8s}`, `teams/b/…`) it is each
/// application's directory, so a role of one team is never matched by name with a service
/// account of another.
fn projects(
    files: &[FileRef<'_>],
    trust_files: &[usize],
    sa_files: &[usize],
) -> Vec<Option<String>> {
    use std::collections::HashSet;
    fn ancestors(path: &str) -> impl Iterator<Item = &str> {
        let path = path.trim_start_matches("./");
        path.rmatch_indices(['/', '\\'])
            .map(move |(i, _)| &path[..i])
            .chain(std::iter::once(""))
    }
    let under = |set: &[usize]| -> HashSet<&str> {
        set.iter().flat_map(|&i| ancestors(files[i].path)).collect()
    };
    let with_trust = under(trust_files);
    let with_sa = under(sa_files);
    files
        .iter()
        .map(|f| {
            ancestors(f.path)
                .find(|d| with_trust.contains(d) && with_sa.contains(d))
                .map(str::to_owned)
        })
        .collect()
}

/// The namespace of a Helm values file's service account when the values do not give it:
/// the one namespace the Kubernetes manifests of its chart or kustomization name (files in the
/// values file's directory and below: `templates/` without template syntax, a
/// `kustomization.yaml` beside it). `Ok((namespace, where))`, or `Err(why)` when they name
/// none or several (the release's namespace is then chosen at install time, `helm install -n`).
fn adjacent_namespace(files: &[FileRef<'_>], values: usize) -> Result<(String, String), String> {
    let path = files[values].path.trim_start_matches("./");
    let dir = path.rfind(['/', '\\']).map_or("", |i| &path[..=i]);
    let mut found: Vec<(&str, &str)> = Vec::new();
    for f in files {
        let p = f.path.trim_start_matches("./");
        if !p.starts_with(dir) || p == path {
            continue;
        }
        for ns in &f.extracted.namespaces {
            if !found.iter().any(|(n, _)| n == ns) {
                found.push((ns.as_str(), f.path));
            }
        }
    }
    match found.as_slice() {
        [(ns, from)] => Ok(((*ns).to_owned(), (*from).to_owned())),
        [] => Err(format!(
            "not in the values, and no manifest under `{}` names one",
            if dir.is_empty() {
                "."
            } else {
                dir.trim_end_matches('/')
            }
        )),
        several => Err(format!(
            "not in the values, and the manifests beside them name several: {}",
            several
                .iter()
                .map(|(n, f)| format!("`{n}` ({f})"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// For every service account annotated with a role whose trust policy is in the tree: lints
/// that trust policy with the service account expected (TP032's logic) and reports a mismatch
/// at both ends, the trust policy and the annotation. Also gives each such trust policy its
/// role ARN (account and partition) as context.
///
/// A role is its partition, account and name. A trust policy is the policy of an annotated
/// role when its name matches and either its account (from its provider principals, see
/// [`trust_account`]) is the annotation's, or its account is unknown and it lies in the same
/// project (see [`projects`]): a same-named role of another account or another project is
/// another role. When names alone leave several trust policies for one service account
/// (environments of one project, each its own Terraform root), a mismatch is reported only
/// when none of them admits it; otherwise the `--verbose` notes say the check was not decided.
#[must_use]
pub fn cross_check(files: &[FileRef<'_>], base: &LintContext) -> TreeContext {
    let tp032 = policy::RULES.iter().find(|r| r.code == "TP032");
    let mut tree = TreeContext::default();
    // Trust policies by role name, with the account when the policy says it.
    let mut trusts: Vec<Trust<'_>> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for (pi, p) in f.extracted.policies.iter().enumerate() {
            if p.kind == Some(crate::PolicyKind::Trust)
                && let Some(name) = &p.role_name
            {
                trusts.push((name.as_str(), fi, pi, trust_account(p)));
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
    if bindings.is_empty() {
        return tree;
    }
    bindings.sort_by_key(|(fi, s)| (*fi, s.range.start));
    let mut trust_files: Vec<usize> = trusts.iter().map(|t| t.1).collect();
    trust_files.dedup();
    let mut sa_files: Vec<usize> = bindings.iter().map(|b| b.0).collect();
    sa_files.dedup();
    let project = projects(files, &trust_files, &sa_files);
    // For each binding, the trust policies of its role: (index into `trusts`, how).
    let matches: Vec<Vec<(usize, Match)>> = bindings
        .iter()
        .map(|&(sfi, sa)| {
            let Some(name) = sa.role_name() else {
                return Vec::new();
            };
            let account = annotated_account(sa);
            let mut found: Vec<(usize, Match)> = trusts
                .iter()
                .enumerate()
                .filter(|(_, t)| same_role_name(t.0, name))
                .filter_map(
                    |(ti, (_, fi, _, trust_account))| match (trust_account, account) {
                        (Some((tp, ta)), Some((sp, sacc))) => {
                            (tp == sp && ta == sacc).then_some((ti, Match::Identity))
                        }
                        _ => (project[*fi].is_some() && project[*fi] == project[sfi])
                            .then_some((ti, Match::NameInProject)),
                    },
                )
                .collect();
            // The role itself, when the tree holds it, outranks same-named guesses.
            if found.iter().any(|(_, m)| *m == Match::Identity) {
                found.retain(|(_, m)| *m == Match::Identity);
            }
            found
        })
        .collect();
    let mut notes: Vec<(usize, String)> = Vec::new();
    for (&(sfi, sa), found) in bindings.iter().zip(&matches) {
        let Some(name) = sa.role_name() else { continue };
        let elsewhere = trusts.iter().filter(|t| same_role_name(t.0, name)).count() - found.len();
        if found.is_empty() && elsewhere > 0 {
            notes.push((
                sfi,
                format!(
                    "line {}: role `{name}`: {elsewhere} same-named trust policy(ies) in the tree belong to another account or project; not compared",
                    line_of(files[sfi].text, sa.range.start)
                ),
            ));
        }
    }
    // The role ARN each trust policy learns from the annotations that name it.
    for (ti, &(_, fi, pi, _)) in trusts.iter().enumerate() {
        let mut arns: Vec<&str> = bindings
            .iter()
            .zip(&matches)
            .filter(|(_, m)| m.iter().any(|(t, _)| *t == ti))
            .map(|((_, s), _)| s.role_arn.as_str())
            .collect();
        arns.sort_unstable();
        arns.dedup();
        if let [arn] = arns.as_slice() {
            tree.role_arns.push(((fi, pi), (*arn).to_owned()));
        }
    }
    // How many service accounts each trust policy is matched with.
    let users = |ti: usize| {
        matches
            .iter()
            .filter(|m| m.iter().any(|(t, _)| *t == ti))
            .count()
    };
    for (&(sfi, sa), found) in bindings.iter().zip(&matches) {
        if found.is_empty() {
            continue;
        }
        let name = sa.role_name().unwrap_or_default();
        let line = line_of(files[sfi].text, sa.range.start);
        let Some(sa_name) = &sa.name else {
            notes.push((
                sfi,
                format!(
                    "line {line}: service account of role `{name}`: its name is not in the values (the chart derives it from the release name), so the trust policy was not checked against it"
                ),
            ));
            continue;
        };
        let adjacent;
        let ns = match &sa.namespace {
            Some(ns) => ns,
            None => match adjacent_namespace(files, sfi) {
                Ok((ns, from)) => {
                    notes.push((
                        sfi,
                        format!(
                            "line {line}: service account `{sa_name}`: namespace `{ns}` taken from {from} (the values do not name one)"
                        ),
                    ));
                    adjacent = ns;
                    &adjacent
                }
                Err(why) => {
                    notes.push((
                        sfi,
                        format!(
                            "line {line}: service account `{sa_name}` of role `{name}`: namespace unknown ({why}); the trust policy was not checked against it"
                        ),
                    ));
                    continue;
                }
            },
        };
        let ctx = LintContext {
            expected_service_account: Some(format!("{ns}/{sa_name}")),
            role_arn: Some(sa.role_arn.clone()),
            ..base.clone()
        };
        let mut verdicts: Vec<(usize, Vec<Diagnostic>)> = Vec::new();
        for &(ti, _) in found {
            let (_, fi, pi, _) = trusts[ti];
            let policy = &files[fi].extracted.policies[pi];
            let shared = users(ti) > 1;
            let mismatches: Vec<Diagnostic> = lint_policy(policy, &ctx)
                .diagnostics
                .into_iter()
                .filter(|d| d.code() == "TP032")
                // Several service accounts may share a role: then only "not admitted" counts.
                .filter(|d| !shared || d.message().starts_with("no statement admits"))
                .collect();
            verdicts.push((ti, mismatches));
        }
        // Names alone left several candidates: one that admits the service account may be its
        // role, so nothing is certain unless none does.
        if verdicts.len() > 1
            && verdicts.iter().any(|(_, m)| {
                !m.iter()
                    .any(|d| d.message().starts_with("no statement admits"))
            })
        {
            if verdicts.iter().any(|(_, m)| !m.is_empty()) {
                notes.push((
                    sfi,
                    format!(
                        "line {}: role `{name}`: {} same-named trust policies in this project; one admits `{ns}/{sa_name}`, so the others were not reported",
                        line_of(files[sfi].text, sa.range.start),
                        verdicts.len()
                    ),
                ));
            }
            continue;
        }
        for (ti, mismatches) in verdicts {
            if mismatches.is_empty() {
                continue;
            }
            let (_, fi, pi, _) = trusts[ti];
            let policy = &files[fi].extracted.policies[pi];
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
    notes.sort();
    notes.dedup();
    tree.notes = notes;
    tree
}

fn line_of(text: &str, offset: u32) -> usize {
    pullpass_core::text::LineIndex::new(text).line_of(offset) + 1
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
