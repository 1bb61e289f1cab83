use super::{Cx, STS_AUDIENCE, at, claim_entries, is_audience_typo};
use crate::declare_rule;
use crate::policy::glob;

declare_rule! {
    /// ## What it does
    /// Warns when an OIDC statement has no `<issuer>:aud` condition, and, for Kubernetes
    /// (IRSA) statements, when its value is not `sts.amazonaws.com`.
    ///
    /// ## Why is this bad
    /// It is a warning, not an error, because STS already checks the audience: an
    /// `AssumeRoleWithWebIdentity` call is rejected (`InvalidIdentityToken: Incorrect token
    /// audience`) unless the token's `aud` is one of the client IDs registered on the IAM OIDC
    /// provider ("Create an OpenID Connect (OIDC) identity provider in IAM",
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html>;
    /// `AssumeRoleWithWebIdentity`, <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html>).
    /// So a policy without the condition works, and AWS's own IRSA example and the popular
    /// Terraform IRSA module ship such policies. The condition still pins the audience to
    /// `sts.amazonaws.com` should someone add another client ID to the provider (for another
    /// application), so adding it is the safer shape. For IRSA the webhook requests
    /// `sts.amazonaws.com` unless the service account's `eks.amazonaws.com/audience` says
    /// otherwise; another value must be on the provider's client-ID list.
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:coder:coder"}}
    /// ```
    ///
    /// ## Fix
    /// Add `"<issuer>:aud": "sts.amazonaws.com"` next to the `sub` condition.
    pub(crate) static TP024 = ("audience-condition", "trust-policy", Warning, "No `:aud` condition (STS still checks the provider's client IDs), or its value is not `sts.amazonaws.com`");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        // No condition at all is TP020's (one finding for one defect).
        if !stmt.is_allow() || cx.fails_closed(stmt) || stmt.condition_entries().next().is_none() {
            continue;
        }
        let oidc = cx.oidc(stmt);
        let Some(first) = oidc.first() else { continue };
        let kubernetes = cx.kubernetes(stmt);
        let mut present = false;
        for (block, entry) in claim_entries(stmt, "aud") {
            // An unknown operator (TP014) was meant to test it too.
            if !block.op.is_positive_string_match() {
                present |= !block.op.is_known();
                continue;
            }
            present = true;
            if !kubernetes {
                continue;
            }
            for v in &entry.values {
                let value = v.as_str();
                if value != STS_AUDIENCE && !is_audience_typo(value, kubernetes) && !value.starts_with("system:serviceaccount:") && !glob::has_wildcard(value) {
                    cx.push(
                        at(&TP024, ["audience `", value, "` is not `sts.amazonaws.com`: it must be a client ID of the IAM OIDC provider and the service account's `eks.amazonaws.com/audience`"].concat(), v.pointer_in(entry.pointer()), v.range())
                            .with_help("keep it only if the provider lists it (`aws iam get-open-id-connect-provider … --query ClientIDList`); IRSA tokens carry `sts.amazonaws.com`"),
                    );
                }
            }
        }
        if !present {
            let (pointer, range) = match stmt.condition {
                Some(c) => (stmt.ptr(&c.key), c.key_range),
                None => (first.principal.pointer(stmt), first.principal.value.range()),
            };
            cx.push(
                at(&TP024, ["no `", first.provider, ":aud` condition: this works (STS accepts only tokens whose `aud` is a client ID of the IAM OIDC provider), but the audience is pinned only while the provider lists no other client ID"].concat(), pointer, range)
                    .with_help(["add \"", first.provider, ":aud\": \"sts.amazonaws.com\" under StringEquals"].concat()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;

    const AUD: &str = ",\n          \"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud\": \"sts.amazonaws.com\"";

    #[test]
    fn fires_without_aud_or_with_other_value() {
        let d = fires("TP024", &edit(IRSA, AUD, ""));
        assert_eq!(d[0].severity(), Severity::Warning);
        assert!(d[0].message().contains("this works"), "{}", d[0].message());
        let d = fires("TP024", &edit(IRSA, "\"sts.amazonaws.com\"", "\"my-client\""));
        assert_eq!(d[0].severity(), Severity::Warning);
    }

    #[test]
    fn silent_with_sts_audience_or_typos_reported_elsewhere() {
        silent("TP024", IRSA);
        silent("TP024", &edit(IRSA, "\"sts.amazonaws.com\"", "\"https://sts.amazonaws.com\""));
    }
}
