use super::{Cx, at};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement for an OIDC provider principal with no `Condition` (or an
    /// empty one).
    ///
    /// ## Why is this bad
    /// Every token the issuer signs can then assume the role: any service account in any
    /// namespace of the cluster (or, for a public issuer, anyone it issues tokens to).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},
    ///  "Action": "sts:AssumeRoleWithWebIdentity"}
    /// ```
    ///
    /// ## Fix
    /// Add `"Condition": {"StringEquals": {"<issuer>:sub": "system:serviceaccount:<ns>:<sa>",
    /// "<issuer>:aud": "sts.amazonaws.com"}}` (`pullpass trust-policy irsa` writes it).
    pub(crate) static TP020 = ("oidc-without-condition", "trust-policy", Error, "OIDC statement without any `Condition`");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if !stmt.is_allow() {
            continue;
        }
        let oidc = cx.oidc(stmt);
        let Some(first) = oidc.first() else { continue };
        if stmt.condition_entries().next().is_none() {
            cx.push(
                at(&TP020, if cx.kubernetes(stmt) { format!("no `Condition`: any token from `{}` can assume this role, from any service account in the cluster", first.provider) } else { format!("no `Condition`: any token `{}` issues (with an audience on the provider's client-ID list) can assume this role", first.provider) }, first.principal.pointer(stmt), first.principal.value.range())
                    .with_help(format!("add \"Condition\": {{\"StringEquals\": {{\"{p}:sub\": \"system:serviceaccount:<namespace>:<service-account>\", \"{p}:aud\": \"sts.amazonaws.com\"}}}}", p = first.provider)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_without_conditions() {
        let start = IRSA.find(",\n      \"Condition\"").unwrap();
        let end = IRSA.rfind("}\n    }").unwrap() + 1;
        let text = format!("{}{}", &IRSA[..start], &IRSA[end..]);
        fires("TP020", &text);
        fires("TP020", &edit(IRSA, "\"Condition\": {", "\"Condition\": {}, \"X\": {"));
    }

    #[test]
    fn silent_with_conditions() {
        silent("TP020", IRSA);
        silent("TP020", POD);
    }
}
