use super::{Cx, at, is_pod_identity_statement, key_entries};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Warns when an EKS Pod Identity statement does not restrict the session tags
    /// `aws:RequestTag/kubernetes-namespace` and `aws:RequestTag/kubernetes-service-account`.
    ///
    /// ## Why is this bad
    /// Without them the role trusts any pod identity association that names it, in any
    /// cluster of the account: whoever can create an association gets the role's pull rights.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
    /// ```
    ///
    /// ## Fix
    /// Add `"Condition": {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "<ns>",
    /// "aws:RequestTag/kubernetes-service-account": "<sa>"}}` (`pullpass trust-policy pod-identity`).
    pub(crate) static TP051 = ("pod-identity-conditions", "trust-policy", Warning, "Pod Identity without namespace and service-account tag conditions");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements().iter().filter(|s| is_pod_identity_statement(s)) {
        let missing: Vec<&str> = ["aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account"]
            .into_iter()
            .filter(|k| !key_entries(stmt, k).any(|(b, _)| b.op.is_positive_string_match()))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let principal = stmt.principals_of("Service").find(|p| p.value.text == Some(super::POD_IDENTITY_SERVICE));
        let Some(p) = principal else { continue };
        cx.push(
            at(&TP051, format!("no condition on {}: any pod identity association naming this role can use it", missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" and ")), p.pointer(stmt), p.value.range())
                .with_help("add StringEquals conditions on aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_without_tag_conditions() {
        let d = fires("TP051", &edit(POD, "\"aws:RequestTag/kubernetes-namespace\": \"coder\",", ""));
        assert!(d[0].message().contains("kubernetes-namespace"));
        fires("TP051", &edit(POD, "StringEquals", "StringNotEquals"));
    }

    #[test]
    fn silent_with_both_tags() {
        silent("TP051", POD);
        silent("TP051", IRSA);
    }
}
