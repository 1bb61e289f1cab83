use super::{Cx, at, claim_entries, is_pod_identity_statement, key_entries};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::policy::aws::{self, Arn};
use crate::policy::glob;
use crate::policy::model::Operator;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// With `--expect-service-account NS/NAME` and/or `--expect-issuer URL` /
    /// `--expect-provider-arn ARN`, checks that the policy admits exactly that service account
    /// from exactly that issuer: that some statement admits it, and that no statement admits
    /// another issuer, another service account, or a pattern wider than the one expected.
    ///
    /// `pullpass lint DIR` runs the same check with no flags: each service account annotated
    /// with `eks.amazonaws.com/role-arn` (a manifest, Helm values) is checked against the trust
    /// policy of its role when that policy is in the tree (Terraform, CloudFormation), and a
    /// mismatch is reported at both ends. Which trust policy is the role's:
    /// - a role is its partition, account and name (names are unique within an account). The
    ///   annotation gives all three; a trust policy gives its name (`name`, `RoleName`) and,
    ///   when it names an identity provider literally, its account: a trust policy can only
    ///   trust providers of the role's own account (TP041; the EKS guide's cross-account set-up
    ///   creates the provider in the role's account,
    ///   <https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html>). Same
    ///   name, partition and account: that is the role. Same name in another account: another
    ///   role, never compared.
    /// - when the trust policy's account is not in the text (`var.oidc_provider_arn`,
    ///   `!Sub …${AWS::AccountId}…`, a role without `RoleName`, which CloudFormation names
    ///   itself, is not matched at all), names alone decide, and only within one project: the
    ///   deepest directory above both files that holds both trust policies and annotated
    ///   service accounts. A repository of one application (`terraform/`, `k8s/`, `charts/`
    ///   side by side, the layout of the public EKS blueprints) is one project; a monorepo of
    ///   teams or services (`teams/a/{terraform,k8s}`, `teams/b/…`) is one per team, so a
    ///   same-named role of another team is not this one.
    /// - when names leave several trust policies in one project (environments with their own
    ///   Terraform roots, `envs/prod` and `envs/dev`), the service account is reported only if
    ///   none of them admits it. Helm values without a namespace take it from the chart's own
    ///   manifests (a `Namespace` object, `metadata.namespace`, a kustomization's
    ///   `namespace`) when they name exactly one; otherwise the service account is not checked.
    ///   `pullpass -v lint` says each of these decisions.
    ///
    /// ## Why is this bad
    /// A trust policy copied from another cluster or namespace is valid JSON and valid IAM, and
    /// still lets the wrong workload in, or the right one not at all.
    ///
    /// ## Example
    /// `pullpass lint --expect-service-account coder/coder policy.json` on a policy whose `sub`
    /// is `system:serviceaccount:default:coder`.
    ///
    /// ## Fix
    /// Make the principal the expected provider and the `sub` exactly
    /// `system:serviceaccount:<ns>:<name>` (`pullpass trust-policy irsa` writes it).
    pub(crate) static TP032 = ("expected-binding-not-met", "trust-policy", Error, "The policy does not admit exactly the expected service account and issuer");
}

fn op_matches(op: &Operator<'_>, pattern: &str, subject: &str) -> bool {
    match op.base {
        "StringLike" => glob::matches(pattern, subject),
        "StringEqualsIgnoreCase" => pattern.eq_ignore_ascii_case(subject),
        _ => pattern == subject,
    }
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let ctx = cx.ctx;
    let root = TextRange::new(cx.policy.root.range.start as usize, cx.policy.root.range.start as usize + 1);
    let mut expected_provider: Option<(&str, Option<Arn<'_>>)> = None;
    if let Some(arn_text) = ctx.expected_provider_arn.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match Arn::parse(arn_text).and_then(|a| a.oidc_provider().map(|p| (aws::normalize_provider(p), a))) {
            Some((p, a)) => expected_provider = Some((p, Some(a))),
            None => cx.push(Diagnostic::new(&TP032, format!("the expected provider ARN `{arn_text}` is not `arn:<partition>:iam::<account>:oidc-provider/<issuer>`"))),
        }
    }
    if expected_provider.is_none()
        && let Some(issuer) = ctx.expected_issuer.as_deref().map(str::trim).filter(|s| !s.is_empty())
    {
        expected_provider = Some((aws::normalize_provider(issuer), None));
    }
    let mut expected_sa: Option<(&str, &str)> = None;
    if let Some(sa) = ctx.expected_service_account.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match sa.split_once('/') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => expected_sa = Some((ns, name)),
            _ => cx.push(Diagnostic::new(&TP032, format!("the expected service account `{sa}` is not `namespace/name`"))),
        }
    }
    if expected_provider.is_none() && expected_sa.is_none() {
        return;
    }
    let statements = cx.statements();
    let mut found_provider = false;
    let mut admitted = false;
    for stmt in statements.iter().filter(|s| s.is_allow()) {
        let oidc = cx.oidc(stmt);
        let mut provider_ok = true;
        if let Some((want, want_arn)) = expected_provider {
            provider_ok = false;
            for p in oidc {
                let pointer = p.principal.pointer(stmt);
                if !p.provider.eq_ignore_ascii_case(want) {
                    cx.push(at(&TP032, format!("admits tokens from issuer `{}`, not the expected `{want}`", p.provider), pointer, p.principal.value.range()).with_help(format!("trust `…:oidc-provider/{want}` and use `{want}:` in the condition keys, or drop this statement if that cluster should not assume the role")));
                } else if let Some(a) = want_arn.filter(|a| a.partition != p.arn.partition || a.account != p.arn.account) {
                    cx.push(at(&TP032, format!("names the expected issuer in `{}` account {}, but the expected provider is in `{}` account {}", p.arn.partition, p.arn.account, a.partition, a.account), pointer, p.principal.value.range()));
                } else {
                    provider_ok = true;
                    found_provider = true;
                }
            }
        }
        let Some((ns, name)) = expected_sa else { continue };
        let subject = format!("system:serviceaccount:{ns}:{name}");
        if !oidc.is_empty() && provider_ok {
            let subs: Vec<_> = claim_entries(stmt, "sub").filter(|(b, _)| b.op.is_positive_string_match()).collect();
            if subs.is_empty() {
                let p = oidc[0];
                cx.push(at(&TP032, format!("admits every service account of the cluster, not only `{ns}/{name}` (no `sub` condition)"), p.principal.pointer(stmt), p.principal.value.range()).with_help(format!("add \"{}:sub\": \"{subject}\" under StringEquals", p.provider)));
                admitted = true;
                continue;
            }
            let mut stmt_admits = true;
            for (block, entry) in subs {
                let mut any = false;
                for v in &entry.values {
                    let value = v.as_str();
                    if op_matches(&block.op, value, &subject) {
                        any = true;
                        if value != subject {
                            cx.push(at(&TP032, format!("`{value}` admits more than the expected `{subject}`"), v.pointer_in(entry.pointer()), v.range()).with_help(format!("write exactly `{subject}`")));
                        }
                    } else {
                        cx.push(at(&TP032, format!("`{value}` admits another service account than the expected `{subject}`"), v.pointer_in(entry.pointer()), v.range()).with_help(format!("write `{subject}`, or check the expected service account (`kubectl get sa -A`)")));
                    }
                }
                stmt_admits &= any;
            }
            admitted |= stmt_admits;
        }
        if is_pod_identity_statement(stmt) && expected_provider.is_none() {
            let mut ok = true;
            for (key, want) in [("aws:RequestTag/kubernetes-namespace", ns), ("aws:RequestTag/kubernetes-service-account", name)] {
                for (block, entry) in key_entries(stmt, key).filter(|(b, _)| b.op.is_positive_string_match()) {
                    let mut any = false;
                    for v in &entry.values {
                        if op_matches(&block.op, v.as_str(), want) {
                            any = true;
                        } else {
                            cx.push(at(&TP032, format!("`{}` is not the expected `{want}` (`{ns}/{name}`)", v.as_str()), v.pointer_in(entry.pointer()), v.range()));
                        }
                    }
                    ok &= any;
                }
            }
            admitted |= ok;
        }
    }
    if let Some((want, _)) = expected_provider
        && !found_provider
    {
        cx.push(at(&TP032, format!("no statement trusts the expected issuer `{want}`"), String::new(), root).with_help("generate the statement with `pullpass trust-policy irsa --issuer <issuer URL> …`"));
    }
    if let Some((ns, name)) = expected_sa
        && !admitted
    {
        cx.push(at(&TP032, format!("no statement admits the expected service account `{ns}/{name}`"), String::new(), root).with_help(format!("the token's subject is `system:serviceaccount:{ns}:{name}`: admit exactly that")));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::policy::LintContext;

    fn ctx(sa: Option<&str>, issuer: Option<&str>) -> LintContext {
        LintContext {
            expected_service_account: sa.map(str::to_owned),
            expected_issuer: issuer.map(str::to_owned),
            ..LintContext::default()
        }
    }

    const ISSUER: &str = "https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E";

    #[test]
    fn fires_when_the_binding_differs() {
        assert!(!findings_with("TP032", IRSA, &ctx(Some("default/coder"), None)).is_empty());
        assert!(!findings_with("TP032", IRSA, &ctx(None, Some("https://oidc.eks.us-east-1.amazonaws.com/id/00000000000000000000000000000000"))).is_empty());
        let wide = edit(&edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:coder:*\""), "StringEquals", "StringLike");
        let d = findings_with("TP032", &wide, &ctx(Some("coder/coder"), None));
        assert!(d.iter().any(|d| d.message().contains("more than")), "{d:#?}");
        // Every finding says what to write instead.
        assert!(d.iter().all(|d| d.help().is_some()), "{d:#?}");
        let d = findings_with("TP032", IRSA, &ctx(Some("default/coder"), None));
        assert!(d.iter().any(|d| d.help().is_some_and(|h| h.contains("system:serviceaccount:default:coder"))), "{d:#?}");
        assert!(!findings_with("TP032", POD, &ctx(Some("coder/other"), None)).is_empty());
        assert!(!findings_with("TP032", IRSA, &LintContext { expected_provider_arn: Some("arn:aws:iam::999999999999:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E".into()), ..LintContext::default() }).is_empty());
    }

    #[test]
    fn silent_when_the_binding_holds() {
        assert!(findings_with("TP032", IRSA, &ctx(Some("coder/coder"), Some(ISSUER))).is_empty());
        assert!(findings_with("TP032", POD, &ctx(Some("coder/coder"), None)).is_empty());
        silent("TP032", IRSA);
    }
}
