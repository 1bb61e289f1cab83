use super::{Cx, at, is_pod_identity_statement};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Requires `sts:AssumeRole` and `sts:TagSession` for the EKS Pod Identity principal
    /// (`pods.eks.amazonaws.com`).
    ///
    /// ## Why is this bad
    /// The EKS Pod Identity agent assumes the role and attaches session tags (cluster,
    /// namespace, service account) in one call; without `sts:TagSession` that call is denied
    /// and the pod gets no credentials.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    /// ```
    ///
    /// ## Fix
    /// `"Action": ["sts:AssumeRole", "sts:TagSession"]`.
    pub(crate) static TP050 = ("pod-identity-actions", "trust-policy", Error, "Pod Identity statement lacks `sts:AssumeRole` or `sts:TagSession`");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let pods: Vec<_> = cx.statements().iter().filter(|s| is_pod_identity_statement(s)).collect();
    let Some(first) = pods.first() else { return };
    for needed in ["sts:AssumeRole", "sts:TagSession"] {
        if pods.iter().any(|s| s.action_matches(needed)) {
            continue;
        }
        let (pointer, range) = match first.action {
            Some(a) => (first.ptr(&a.key), a.value.range),
            None => (first.pointer(), first.node.range),
        };
        cx.push(at(&TP050, format!("EKS Pod Identity needs `{needed}`, which no statement for `pods.eks.amazonaws.com` allows"), pointer, range).with_help("allow [\"sts:AssumeRole\", \"sts:TagSession\"]"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_without_both_actions() {
        fires("TP050", &edit(POD, "[\"sts:AssumeRole\", \"sts:TagSession\"]", "\"sts:AssumeRole\""));
        fires("TP050", &edit(POD, "[\"sts:AssumeRole\", \"sts:TagSession\"]", "\"sts:TagSession\""));
    }

    #[test]
    fn silent_with_both() {
        silent("TP050", POD);
        silent("TP050", &edit(POD, "[\"sts:AssumeRole\", \"sts:TagSession\"]", "[\"sts:AssumeRole\", \"sts:Tag*\"]"));
    }
}
