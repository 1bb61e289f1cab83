use super::{Cx, at};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports `"Principal": "*"` and `{"AWS": "*"}` in an `Allow` statement of a trust policy.
    ///
    /// ## Why is this bad
    /// Any principal in any AWS account may then assume the role; conditions are the only
    /// thing left between the role and the internet, and one mistake in them is a breach.
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
    for stmt in cx.statements() {
        if !stmt.is_allow() {
            continue;
        }
        for p in &stmt.principals {
            if (p.ptype == "*" || p.ptype == "AWS") && p.value.text == Some("*") {
                cx.push(
                    at(&TP004, "`*` lets every principal of every AWS account assume this role", p.pointer(stmt), p.value.range())
                        .help("name the principal: the OIDC provider ARN (IRSA), {\"Service\": \"pods.eks.amazonaws.com\"} (Pod Identity) or an account/role ARN"),
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
    }
}
