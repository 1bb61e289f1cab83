use super::{Cx, at};
use crate::declare_rule;
use crate::policy::aws;

declare_rule! {
    /// ## What it does
    /// Warns when an `Allow` statement trusts an `{"AWS": …}` principal of another account
    /// (any account, when `--role-arn` is not given) without a `sts:ExternalId`, MFA
    /// (`aws:MultiFactorAuthPresent`/`Age`), organization (`aws:PrincipalOrgID`/`OrgPaths`),
    /// `aws:PrincipalAccount` or `aws:PrincipalArn` condition. A statement that grants only
    /// `sts:TagSession` is not reported: it lets nobody assume the role by itself.
    ///
    /// ## Why is this bad
    /// A third party that assumes roles for many customers can be tricked into using its
    /// access on your role (the confused deputy); an external ID ties the call to your
    /// configuration ("The confused deputy problem",
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html>). A pin on the
    /// caller's ARN already names which role of that account may call, so it needs no more.
    /// It is a warning: inside one organization, or with your own second account, a plain
    /// account principal is the documented cross-account shape
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/tutorial_cross-account-with-roles.html>).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}
    /// ```
    ///
    /// ## Fix
    /// Add `"Condition": {"StringEquals": {"sts:ExternalId": "<shared secret id>"}}`, or an
    /// MFA or organization condition.
    pub(crate) static TP062 = ("cross-account-without-guard", "trust-policy", Warning, "Cross-account AWS principal without ExternalId, MFA or PrincipalOrgID");
}

/// Guards beyond the caller pins of [`super::CALLER_PINS`].
const GUARDS: &[&str] = &["aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge"];

pub(crate) fn check(cx: &mut Cx<'_>) {
    let role_account = cx.role().map(|r| r.account).filter(|a| aws::is_account_id(a));
    for stmt in cx.statements() {
        // Only an `AWS` principal other than `*` can be reported: the conditions are walked
        // for a guard only then.
        if !stmt.is_allow() || !stmt.principals_of("AWS").any(|p| p.value.text.is_some_and(|v| v != "*")) {
            continue;
        }
        let guarded = super::caller_pin(stmt).is_some() || stmt.condition_entries().any(|(_, e)| GUARDS.iter().any(|g| g.eq_ignore_ascii_case(e.key)));
        // A statement that only lets the caller tag its session grants no assume by itself.
        let tag_only = !stmt.actions.is_empty() && stmt.actions.iter().all(|a| a.text.is_some_and(|t| t.eq_ignore_ascii_case("sts:TagSession")));
        if guarded || tag_only {
            continue;
        }
        for p in stmt.principals_of("AWS") {
            let Some(value) = p.value.text else { continue };
            if value == "*" {
                continue; // TP004
            }
            let account = match p.arn {
                Some(arn) => arn.account,
                None => value,
            };
            if !aws::is_account_id(account) || role_account == Some(account) {
                continue;
            }
            let whose = if role_account.is_some() { "another account" } else { "an account that may not be yours" };
            cx.push(
                at(&TP062, format!("trusts {whose} ({account}) with no `sts:ExternalId`, MFA or organization condition: a confused deputy can assume this role"), p.pointer(stmt), p.value.range())
                    .with_help("add \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"…\"}} (or pass --role-arn if this is the same account)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::policy::LintContext;

    const CROSS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn fires_without_a_guard() {
        fires("TP062", CROSS);
        let ctx = LintContext { role_arn: Some("arn:aws:iam::123456789012:role/r".into()), ..LintContext::default() };
        assert!(!findings_with("TP062", CROSS, &ctx).is_empty());
    }

    #[test]
    fn silent_with_a_guard_or_same_account() {
        silent("TP062", &edit(CROSS, "\"Action\":\"sts:AssumeRole\"", "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"coder-prod\"}}"));
        let ctx = LintContext { role_arn: Some("arn:aws:iam::210987654321:role/r".into()), ..LintContext::default() };
        assert!(findings_with("TP062", CROSS, &ctx).is_empty());
        silent("TP062", IRSA);
        silent("TP062", &edit(CROSS, "\"Action\":\"sts:AssumeRole\"", "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::210987654321:role/deployer\"}}"));
        silent("TP062", &edit(CROSS, "\"Action\":\"sts:AssumeRole\"", "\"Action\":\"sts:TagSession\""));
    }
}
