use super::{Cx, at};
use crate::declare_rule;
use crate::text::TextRange;
use crate::diagnostic::Severity;
use crate::policy::aws;

declare_rule! {
    /// ## What it does
    /// Checks the account in principal ARNs: it must be 12 digits (error), and an OIDC or SAML
    /// provider must be in the role's own account when `--role-arn` is given (warning).
    ///
    /// ## Why is this bad
    /// IAM rejects an account that is not 12 digits (a dropped leading zero is the classic
    /// case). An identity provider is an object in the role's account; a provider ARN in
    /// another account does not exist there, so every web-identity call fails.
    ///
    /// ## Example
    /// ```json
    /// {"Federated": "arn:aws:iam::12345678901:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"}
    /// ```
    ///
    /// ## Fix
    /// Write the account as 12 digits, leading zeros included; use the provider of the role's
    /// account (`aws iam list-open-id-connect-providers` in that account).
    pub(crate) static TP041 = ("principal-account", "trust-policy", Error, "Account in the principal ARN not 12 digits (E), or not the role's account (W)");
}

fn is_placeholder(cx: &Cx<'_>, account: &str) -> bool {
    cx.placeholders && (account.contains("${") || account.contains('<') || account.contains("{{") || super::has_placeholder(account))
}

/// The account's own bytes inside the principal string token (the whole token when the
/// source spells the string with escapes, so offsets are not 1:1).
fn account_range(text: &str, token: TextRange, value: &str, account: &str) -> TextRange {
    let start = if account.len() == value.len() { Some(0) } else { value.match_indices(':').nth(3).map(|(i, _)| i + 1) };
    match start {
        Some(start) if text.get(token.as_usize_range()).is_some_and(|raw| raw.len() == value.len() + 2) && value.get(start..start + account.len()) == Some(account) => {
            let at = token.start as usize + 1 + start;
            TextRange::new(at, at + account.len())
        }
        _ => token,
    }
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let role = cx.role();
    for stmt in cx.statements() {
        for p in &stmt.principals {
            let Some(value) = p.value.text.filter(|_| p.value.is_string()) else { continue };
            let (account, federated) = match (p.ptype, p.arn) {
                ("Federated", Some(arn)) if arn.oidc_provider().is_some() || arn.saml_provider().is_some() => (arn.account, true),
                ("AWS", Some(arn)) if arn.service == "iam" || arn.service == "sts" => (arn.account, false),
                ("AWS", None) if value.bytes().all(|b| b.is_ascii_digit()) => (value, false),
                _ => continue,
            };
            if is_placeholder(cx, account) {
                continue;
            }
            if !aws::is_account_id(account) {
                let digits = account.bytes().filter(u8::is_ascii_digit).count();
                let hint = if digits == 11 && account.len() == 11 { " (a leading zero dropped?)" } else { "" };
                cx.push(
                    at(&TP041, format!("account `{account}` in the principal is not a 12-digit AWS account ID{hint}"), p.pointer(stmt), account_range(cx.text, p.value.range(), value, account))
                        .with_help("copy the 12 digits (leading zeros included) from `aws sts get-caller-identity --query Account`"),
                );
            } else if federated
                && let Some(role) = role
                && aws::is_account_id(role.account)
                && role.account != account
            {
                cx.push(
                    at(&TP041, format!("the identity provider is in account {account}, but the role is in {}: a trust policy can only use providers of its own account", role.account), p.pointer(stmt), p.value.range())
                        .with_severity(Severity::Warning)
                        .with_help(format!("create the identity provider in account {} (if needed) and trust its ARN there", role.account)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;
    use crate::policy::LintContext;

    #[test]
    fn fires_on_bad_or_foreign_accounts() {
        let text = edit(IRSA, "123456789012", "12345678901");
        let d = fires("TP041", &text);
        assert!(d[0].message().contains("leading zero"));
        assert_eq!(&text[d[0].range().unwrap().as_usize_range()], "12345678901");
        assert!(d[0].help().is_some_and(|h| h.contains("get-caller-identity")));
        let ctx = LintContext { role_arn: Some("arn:aws:iam::210987654321:role/coder".into()), ..LintContext::default() };
        let d = findings_with("TP041", IRSA, &ctx);
        assert_eq!(d[0].severity(), Severity::Warning);
        fires("TP041", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"1234"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}"#);
    }

    #[test]
    fn silent_on_good_accounts_and_placeholders() {
        silent("TP041", IRSA);
        silent("TP041", &edit(IRSA, "123456789012", "${ACCT_ID}"));
        let ctx = LintContext { role_arn: Some("arn:aws:iam::123456789012:role/coder".into()), ..LintContext::default() };
        assert!(findings_with("TP041", IRSA, &ctx).is_empty());
    }
}
