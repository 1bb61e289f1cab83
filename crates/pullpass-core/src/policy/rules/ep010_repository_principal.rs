use super::{Cx, at};
use crate::declare_rule;
use crate::policy::aws::{self, Arn};
use crate::policy::glob;

declare_rule! {
    /// ## What it does
    /// In an ECR repository policy, reports a principal that can never match a caller:
    /// a `Federated` (OIDC/SAML) principal, an `AWS` value that is neither `*`, a 12-digit
    /// account nor an IAM ARN of a 12-digit account, and a wildcard inside an ARN
    /// (`arn:aws:iam::123456789012:role/ci-*`).
    ///
    /// ## Why is this bad
    /// ECR sees the IAM role session that calls it, never the web identity or SAML assertion
    /// it came from, so a federated principal names nobody. IAM does not accept wildcards in a
    /// principal ARN, and rejects malformed ARNs and accounts: `SetRepositoryPolicy` fails with
    /// `Invalid parameter at 'PolicyText'`, or, through CloudFormation, the stack fails
    /// ("IAM JSON policy elements: Principal",
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>;
    /// "Private repository policies", <https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html>).
    /// Either way the repository policy grants nothing to whom it meant to.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci-*"}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}
    /// ```
    ///
    /// ## Fix
    /// Name the role or account (`arn:aws:iam::123456789012:role/ci`, `123456789012`); for a
    /// pattern use `"Principal": "*"` with `"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*"}}`.
    pub(crate) static EP010 = ("repository-principal-never-matches", "permissions-policy", Error, "Repository policy principal that can never match a caller");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for p in &stmt.principals {
            let Some(value) = p.value.text else { continue };
            if cx.has_placeholder(value) {
                continue;
            }
            let problem = match p.ptype {
                "Federated" => Some(format!("`{value}` is a federated identity provider: ECR sees the role session that calls it, never the web identity or SAML assertion, so this principal names nobody")),
                "AWS" if value == "*" || aws::is_account_id(value) => None,
                "AWS" => match Arn::parse(value) {
                    Some(arn) if !aws::is_account_id(arn.account) => Some(format!("`{value}`: the account `{}` is not 12 digits, so IAM rejects the policy (`Invalid parameter at 'PolicyText'`)", arn.account)),
                    Some(_) if glob::has_wildcard(value) => Some(format!("`{value}`: IAM does not accept wildcards in a principal ARN, so the policy is rejected")),
                    Some(arn) if arn.service == "iam" || arn.service == "sts" => None,
                    Some(arn) => Some(format!("`{value}` is a `{}` ARN, not an IAM principal", arn.service)),
                    None => Some(format!("`{value}` is neither an account ID nor an IAM ARN: IAM rejects it as an invalid principal")),
                },
                _ => None,
            };
            if let Some(message) = problem {
                let help = if glob::has_wildcard(value) {
                    "use \"Principal\": \"*\" with \"Condition\": {\"ArnLike\": {\"aws:PrincipalArn\": \"<pattern>\"}}"
                } else {
                    "name the IAM role or account that pulls: arn:<partition>:iam::<12 digits>:role/<name>, or the 12-digit account"
                };
                cx.push(at(&EP010, message, p.pointer(stmt), p.value.range()).with_help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    const REPO: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}]}"#;

    #[test]
    fn fires_on_principals_that_never_match() {
        fires("EP010", &edit(REPO, "arn:aws:iam::210987654321:root", "arn:aws:iam::21098765432:root"));
        fires("EP010", &edit(REPO, "arn:aws:iam::210987654321:root", "arn:aws:iam::210987654321:role/ci-*"));
        fires("EP010", &edit(REPO, "{\"AWS\":\"arn:aws:iam::210987654321:root\"}", "{\"Federated\":\"arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com\"}"));
    }

    #[test]
    fn silent_on_accounts_roles_and_star() {
        silent("EP010", REPO);
        silent("EP010", &edit(REPO, "arn:aws:iam::210987654321:root", "210987654321"));
        silent("EP010", &edit(REPO, "{\"AWS\":\"arn:aws:iam::210987654321:root\"}", "\"*\""));
        silent("EP010", &edit(REPO, "{\"AWS\":\"arn:aws:iam::210987654321:root\"}", "{\"Service\":\"lambda.amazonaws.com\"}"));
    }
}
