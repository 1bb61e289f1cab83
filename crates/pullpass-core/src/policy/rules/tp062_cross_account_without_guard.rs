use super::{Cx, at};
use crate::declare_rule;
use crate::policy::aws::{self, Arn};

declare_rule! {
    /// ## What it does
    /// Warns when an `Allow` statement trusts an `{"AWS": …}` principal of another account
    /// (any account, when `--role-arn` is not given) without a `sts:ExternalId`, MFA
    /// (`aws:MultiFactorAuthPresent`/`Age`) or organization (`aws:PrincipalOrgID`/`OrgPaths`)
    /// condition.
    ///
    /// ## Why is this bad
    /// A third party that assumes roles for many customers can be tricked into using its
    /// access on your role (the confused deputy); an external ID ties the call to your
    /// configuration.
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

const GUARDS: &[&str] = &[
    "sts:ExternalId",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceAccount",
    "aws:SourceArn",
];

pub(crate) fn check(cx: &mut Cx<'_>) {
    let role_account = cx.role().map(|r| r.account).filter(|a| aws::is_account_id(a));
    for stmt in cx.statements() {
        if !stmt.is_allow() {
            continue;
        }
        let guarded = stmt.condition_entries().any(|(_, e)| GUARDS.iter().any(|g| g.eq_ignore_ascii_case(e.key)));
        if guarded {
            continue;
        }
        for p in stmt.principals_of("AWS") {
            let Some(value) = p.value.text else { continue };
            if value == "*" {
                continue; // TP004
            }
            let account = match Arn::parse(value) {
                Some(arn) => arn.account,
                None => value,
            };
            if !aws::is_account_id(account) || role_account == Some(account) {
                continue;
            }
            let whose = if role_account.is_some() { "another account" } else { "an account that may not be yours" };
            cx.push(
                at(&TP062, format!("trusts {whose} ({account}) with no `sts:ExternalId`, MFA or organization condition: a confused deputy can assume this role"), p.pointer(stmt), p.value.range())
                    .help("add \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"…\"}} (or pass --role-arn if this is the same account)"),
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
    }
}
