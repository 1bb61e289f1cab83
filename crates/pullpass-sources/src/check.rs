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

/// Rules whose evidence is a `*` or `?` in the value they point at (TP028: a wildcard under
/// `StringEquals`). A placeholder inside an ARN is written as `*` (an unknown partition,
/// region or account matches as IAM would, see [`crate::JsonOut`]), so such a finding stands
/// only when a wildcard is in the author's literal text:
/// `!Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:f` under
/// `StringEquals` is an exact ARN once CloudFormation substitutes it.
const WILDCARD_RULES: &[&str] = &["TP028"];

/// Whether every `*`/`?` of `range` in the generated JSON comes from a placeholder.
fn wildcards_only_from_placeholders(p: &ExtractedPolicy, range: TextRange) -> bool {
    let Some(text) = p.json.get(range.as_usize_range()) else {
        return false;
    };
    text.bytes()
        .enumerate()
        .filter(|(_, b)| matches!(b, b'*' | b'?'))
        .all(|(i, _)| {
            let at = range.start + u32::try_from(i).unwrap_or(u32::MAX);
            p.placeholders
                .iter()
                .any(|ph| ph.start <= at && at < ph.end)
        })
}

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
///   [`key_fits_placeholder_principal`]); a wildcard finding whose every `*`/`?` is a
///   placeholder is dropped (see [`WILDCARD_RULES`]);
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
            && WILDCARD_RULES.contains(&d.code())
            && p.touches_placeholder(r)
            && wildcards_only_from_placeholders(p, r)
        {
            continue;
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
    /// EP001/EP002 findings the per-policy lint reported that another policy of the same role
    /// answers (see [`joint_permissions`]): the caller removes them from the file's findings.
    pub dropped: Vec<CrossFinding>,
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

/// A trust policy with a role name: (name, file, policy index, [`trust_account`] once a
/// service account of that name asks: parsing every trust policy of the tree for it was 8 M
/// instructions of the serial pass on 10,000 files).
type Trust<'a> = (
    &'a str,
    usize,
    usize,
    std::cell::OnceCell<Option<(String, String)>>,
);

/// The key under which two role names that name one role meet. IAM names "are not distinguished by case": an account
/// cannot hold both `App` and `app` (IAM API reference, `CreateRole`, `RoleName`), so a role
/// written `App` in Terraform and annotated as `app` is that one role, not another.
fn role_key(name: &str) -> String {
    name.to_ascii_lowercase()
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
    use std::collections::HashMap;
    let tp032 = policy::RULES.iter().find(|r| r.code == "TP032");
    let mut tree = TreeContext::default();
    joint_permissions(files, base, &mut tree);
    // Trust policies by role name, with the account when the policy says it.
    let mut trusts: Vec<Trust<'_>> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for (pi, p) in f.extracted.policies.iter().enumerate() {
            if p.kind == Some(crate::PolicyKind::Trust)
                && let Some(name) = &p.role_name
            {
                trusts.push((name.as_str(), fi, pi, std::cell::OnceCell::new()));
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
    // The trust policies of each role name (IAM names ignore case), in `trusts` order: one
    // look-up per binding instead of a comparison with every trust policy of the tree.
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (ti, t) in trusts.iter().enumerate() {
        by_name.entry(role_key(t.0)).or_default().push(ti);
    }
    let named =
        |name: &str| -> &[usize] { by_name.get(&role_key(name)).map_or(&[], Vec::as_slice) };
    // For each binding, the trust policies of its role: (index into `trusts`, how).
    let matches: Vec<Vec<(usize, Match)>> = bindings
        .iter()
        .map(|&(sfi, sa)| {
            let Some(name) = sa.role_name() else {
                return Vec::new();
            };
            let account = annotated_account(sa);
            let mut found: Vec<(usize, Match)> = named(name)
                .iter()
                .filter_map(|&ti| {
                    let (_, fi, pi, known) = &trusts[ti];
                    let trust_account =
                        known.get_or_init(|| trust_account(&files[*fi].extracted.policies[*pi]));
                    match (trust_account, account) {
                        (Some((tp, ta)), Some((sp, sacc))) => {
                            (tp == sp && ta == sacc).then_some((ti, Match::Identity))
                        }
                        _ => (project[*fi].is_some() && project[*fi] == project[sfi])
                            .then_some((ti, Match::NameInProject)),
                    }
                })
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
        let elsewhere = named(name).len() - found.len();
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
    // The role ARN annotated on each service account a trust policy is matched with (one
    // entry per service account, so its length counts them): one pass over the matches.
    let mut arns_of: Vec<Vec<&str>> = vec![Vec::new(); trusts.len()];
    for ((_, s), found) in bindings.iter().zip(&matches) {
        let mut seen: Vec<usize> = found.iter().map(|(t, _)| *t).collect();
        seen.sort_unstable();
        seen.dedup();
        for ti in seen {
            arns_of[ti].push(s.role_arn.as_str());
        }
    }
    // The role ARN each trust policy learns: the one all the annotations that name it agree on.
    for (ti, &(_, fi, pi, _)) in trusts.iter().enumerate() {
        if let Some((arn, rest)) = arns_of[ti].split_first()
            && rest.iter().all(|a| a == arn)
        {
            tree.role_arns.push(((fi, pi), (*arn).to_owned()));
        }
    }
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
            let shared = arns_of[ti].len() > 1;
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
    tree.notes.append(&mut notes);
    tree.notes.sort();
    tree.notes.dedup();
    tree
}

/// AWS managed policies that grant what EP001 and EP002 ask for, as the part of their
/// document that matters here: `ecr:GetAuthorizationToken`, `ecr:BatchGetImage` and
/// `ecr:GetDownloadUrlForLayer` allowed on `"*"` (each allows more). From the AWS managed
/// policy reference, <https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerRegistryReadOnly.html>
/// (and `…/AmazonEC2ContainerRegistryPullOnly.html`, `…PowerUser.html`, `…FullAccess.html`;
/// "AWS managed policies for Amazon ECR",
/// <https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html>).
/// `AmazonEKSWorkerNodePolicy` grants no ECR action and is not here.
const MANAGED_ECR: &[(&str, &str)] = &[
    ("AmazonEC2ContainerRegistryReadOnly", PULL_ON_ANY),
    ("AmazonEC2ContainerRegistryPullOnly", PULL_ON_ANY),
    ("AmazonEC2ContainerRegistryPowerUser", PULL_ON_ANY),
    (
        "AmazonEC2ContainerRegistryFullAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#,
    ),
];

const PULL_ON_ANY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"*"}]}"#;

/// The AWS managed policy an attachment names, when it is one of [`MANAGED_ECR`]:
/// `arn:aws:iam::aws:policy/NAME`, with the partition or the whole prefix computed
/// (`arn:${AWS::Partition}:iam::aws:policy/NAME`, `${local.iam_role_policy_prefix}/NAME` as
/// terraform-aws-modules/eks writes it).
fn managed_ecr(arn: &str) -> Option<(&'static str, &'static str)> {
    let (prefix, name) = arn.rsplit_once('/')?;
    let aws_managed = prefix.ends_with(":iam::aws:policy") || prefix.ends_with('}');
    MANAGED_ECR
        .iter()
        .find(|(n, _)| aws_managed && n.eq_ignore_ascii_case(name))
        .copied()
}

/// The action and resource an EP001/EP002 finding says is missing (`None`: any repository).
fn missing(d: &Diagnostic) -> Option<(&'static str, Option<&'static str>)> {
    match d.code() {
        "EP001" => Some(("ecr:GetAuthorizationToken", Some("*"))),
        "EP002" => ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
            .into_iter()
            .find(|a| d.message().contains(&format!("`{a}`")))
            .map(|a| (a, None)),
        _ => None,
    }
}

/// A policy an identity has: one the tree holds (file, policy index), or a known AWS
/// managed policy ([`MANAGED_ECR`]).
struct Held<'a> {
    at: Option<(usize, usize)>,
    name: &'a str,
    json: &'a str,
}

/// IAM allows a role what any of its identity policies allows, unless one denies it
/// ("Policy evaluation logic", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>).
/// Each permissions policy is linted alone, so EP001/EP002 report what another policy of the
/// same role grants (an inline pull-through-cache policy beside an attached
/// `AmazonEC2ContainerRegistryReadOnly`). Per Terraform module or CloudFormation template:
/// the policies attached to each identity (see [`crate::Attachment`]), and an EP001/EP002
/// finding of one of them is dropped when, for every identity it is attached to, another
/// policy of the tree or a known AWS managed ECR policy attached to it allows the action and
/// none of them denies it. A finding stands when the grant is not provable (a policy ARN
/// from a variable, a policy defined elsewhere, a specific `--repository`).
fn joint_permissions(files: &[FileRef<'_>], base: &LintContext, tree: &mut TreeContext) {
    use std::collections::{BTreeMap, BTreeSet};
    if base.repository.is_some() || base.repository_policy.is_some() {
        return; // EP002 then judges one repository, or two policies together: left alone.
    }
    // The scope role and policy names are unique in: a Terraform module, or one file (a
    // CloudFormation template).
    // In `Path`'s order (their notes are listed in it), compared as bytes with a separator
    // below every other byte, which is that order for the walk's paths: comparing `Path`s
    // component by component was 17 M instructions of the serial pass on 10,000 files.
    let mut scopes: BTreeMap<Vec<u8>, Vec<usize>> = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        let scope = crate::terraform::module_dir(f.path)
            .and_then(std::path::Path::to_str)
            .unwrap_or(f.path)
            .bytes()
            .map(|b| if b == b'/' { 0 } else { b })
            .collect();
        scopes.entry(scope).or_default().push(fi);
    }
    for members in scopes.values() {
        // Identity → the policies attached to it.
        let mut identities: BTreeMap<&str, Vec<Held<'_>>> = BTreeMap::new();
        for l in members
            .iter()
            .flat_map(|&fi| &files[fi].extracted.attachments)
        {
            let held = identities.entry(&l.role).or_default();
            if let Some((name, json)) = managed_ecr(&l.policy) {
                held.push(Held {
                    at: None,
                    name,
                    json,
                });
                continue;
            }
            for &fi in members {
                for (pi, p) in files[fi].extracted.policies.iter().enumerate() {
                    if p.kind == Some(PolicyKind::Permissions) && p.resource == l.policy {
                        held.push(Held {
                            at: Some((fi, pi)),
                            name: &p.owner,
                            json: &p.json,
                        });
                    }
                }
            }
        }
        let judged: BTreeSet<(usize, usize)> =
            identities.values().flatten().filter_map(|h| h.at).collect();
        for this in judged {
            let (fi, pi) = this;
            let p = &files[fi].extracted.policies[pi];
            let attached_to: Vec<(&&str, &Vec<Held<'_>>)> = identities
                .iter()
                .filter(|(_, held)| held.iter().any(|h| h.at == Some(this)))
                .collect();
            if attached_to
                .iter()
                .any(|(_, held)| held.iter().all(|h| h.at == Some(this)))
            {
                continue; // An identity with no other policy: nothing to join, no re-lint.
            }
            for d in lint_policy(p, base).diagnostics {
                if d.severity() == diagnostic::Severity::Info {
                    continue;
                }
                let Some((action, resource)) = missing(&d) else {
                    continue;
                };
                // Who grants it, for every identity the policy is attached to.
                let grants: Option<Vec<String>> = attached_to
                    .iter()
                    .map(|(who, held)| {
                        granted_by(held, this, action, resource)
                            .map(|by| format!("{by} attached to {who}"))
                    })
                    .collect();
                let Some(grants) = grants else {
                    continue;
                };
                tree.notes.push((
                    fi,
                    format!(
                        "line {}: {} on {} dropped: `{action}` granted by {}",
                        line_of(files[fi].text, d.range().map_or(p.range.start, |r| r.start)),
                        d.code(),
                        p.owner,
                        grants.join(", ")
                    ),
                ));
                tree.dropped.push(CrossFinding {
                    file: fi,
                    diagnostic: d,
                });
            }
        }
    }
}

/// The policy of `held` other than `this` that allows `action` on `resource`, when none of
/// them denies it (an explicit deny in any policy of the identity wins).
fn granted_by<'a>(
    held: &[Held<'a>],
    this: (usize, usize),
    action: &str,
    resource: Option<&str>,
) -> Option<&'a str> {
    let mut by = None;
    for h in held {
        match policy::allows(h.json, action, resource) {
            Some(false) => return None,
            Some(true) if h.at != Some(this) => {
                by.get_or_insert(h.name);
            }
            _ => {}
        }
    }
    by
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
