use super::{Cx, at, claim_entries};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Warns when an OIDC statement has no `<issuer>:sub` condition.
    ///
    /// ## Why is this bad
    /// The subject is what names the service account. Without it, every service account in
    /// every namespace of the cluster can assume the role, including ones created later by
    /// anyone allowed to create service accounts. For another issuer (GitHub Actions, a CI
    /// system) every workflow or job it signs tokens for can. STS evaluates only the conditions
    /// written ("Available keys for OIDC federation",
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif>).
    /// A statement whose condition keys are malformed (bare issuer, other provider, URL
    /// scheme) is the opposite case: it admits nobody, and TP021/TP022/TP033 report it.
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud": "sts.amazonaws.com"}}
    /// ```
    ///
    /// ## Fix
    /// Add `"<issuer>:sub": "system:serviceaccount:<namespace>:<service-account>"` under
    /// `StringEquals`.
    pub(crate) static TP026 = ("missing-sub-condition", "trust-policy", Warning, "No `:sub` condition: any service account can assume the role");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        // A statement that can never match admits nobody: TP021/TP022/TP033 say why.
        // No condition at all is TP020's (one finding for one defect).
        if !stmt.is_allow() || cx.fails_closed(stmt) || stmt.condition_entries().next().is_none() {
            continue;
        }
        let oidc = cx.oidc(stmt);
        let Some(first) = oidc.first() else { continue };
        // Another issuer's identifying claim (GitHub's `repository_id`, `job_workflow_ref`,
        // GitLab's `project_path`, …) pins the subject as well as `sub` does.
        let other_pin = !cx.kubernetes(stmt)
            && stmt.condition_entries().any(|(b, e)| {
                super::needs_key(&b.op)
                    && e.claim.is_some_and(|(_, c)| {
                        !["aud", "oaud", "amr", "azp", "iss", "sub"].iter().any(|n| n.eq_ignore_ascii_case(c))
                    })
            });
        if claim_entries(stmt, "sub").next().is_none() && !other_pin {
            let (pointer, range) = match stmt.condition {
                Some(c) => (stmt.ptr(&c.key), c.key_range),
                None => (first.principal.pointer(stmt), first.principal.value.range()),
            };
            let who = if cx.kubernetes(stmt) {
                "every service account in every namespace of the cluster can assume this role".to_owned()
            } else {
                format!("every subject `{}` issues tokens for (with an accepted audience) can assume this role", first.provider)
            };
            cx.push(
                at(&TP026, format!("no `sub` condition: {who}"), pointer, range)
                    .with_help(format!("add \"{}:sub\": \"system:serviceaccount:<namespace>:<service-account>\"", first.provider)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_without_sub() {
        fires("TP026", &edit(IRSA, "\"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\": \"system:serviceaccount:coder:coder\",", ""));
    }

    #[test]
    fn silent_with_sub() {
        silent("TP026", IRSA);
        silent("TP026", POD);
    }
}
