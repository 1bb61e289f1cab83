use super::{Cx, at};
use crate::declare_rule;
use crate::policy::model::PrincipalValue;

declare_rule! {
    /// ## What it does
    /// Reports `"Principal": "*"` and `{"AWS": "*"}` in an `Allow` statement of a trust policy,
    /// unless a condition pins the caller: `aws:PrincipalArn`, `aws:PrincipalAccount`,
    /// `aws:PrincipalOrgID`/`…OrgPaths`, `aws:SourceAccount`/`aws:SourceArn`, `aws:userid`,
    /// or `sts:ExternalId` under an operator that needs the key.
    ///
    /// ## Why is this bad
    /// Without such a condition any principal in any AWS account may assume the role. With
    /// one, IAM evaluates the condition against the caller's own ARN, account or organization
    /// ("AWS global condition context keys", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn>),
    /// which is how the self-assume shape (`aws:PrincipalArn` naming the role itself, written by
    /// the Terraform IAM modules) and organization-wide roles are meant to be written; those are
    /// not reported ("IAM JSON policy elements: Principal", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous>).
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    /// ```
    ///
    /// ## Fix
    /// Name the principal: the OIDC provider ARN for IRSA, `{"Service": "pods.eks.amazonaws.com"}`
    /// for EKS Pod Identity, or the account or role ARN that may assume the role.
    pub(crate) static TP004 = ("wildcard-principal", "trust-policy", Error, "`Principal: \"*\"` or `{\"AWS\": \"*\"}` on Allow");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let wildcard = |p: &PrincipalValue<'_>| (p.ptype == "*" || p.ptype == "AWS") && p.value.text == Some("*");
    for stmt in cx.statements() {
        // The principals first: the walk of the conditions for a pin matters only for `*`.
        if !stmt.is_allow() || !stmt.principals.iter().any(wildcard) || super::caller_pin(stmt).is_some() {
            continue;
        }
        for p in &stmt.principals {
            if wildcard(p) {
                cx.push(
                    at(&TP004, "`*` with no condition that pins the caller (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`, `sts:ExternalId`): every principal of every AWS account can assume this role", p.pointer(stmt), p.value.range())
                        .with_help("name the principal: the OIDC provider ARN (IRSA), {\"Service\": \"pods.eks.amazonaws.com\"} (Pod Identity) or an account/role ARN"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_wildcard_principals() {
        fires("TP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#);
        fires("TP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","*"]},"Action":"sts:AssumeRole"}]}"#);
    }

    #[test]
    fn silent_on_named_principals_and_deny() {
        silent("TP004", IRSA);
        silent("TP004", POD);
        silent("TP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}"#);
        // The self-assume shape of the Terraform IAM module, and an organization-wide role.
        silent("TP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ci-deploy"}}}]}"#);
        silent("TP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#);
        // A negated or wildcard "pin" pins nothing.
        fires("TP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#);
        fires("TP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:PrincipalArn":"*"}}}]}"#);
    }
}
