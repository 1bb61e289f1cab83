use super::{Cx, at, is_pod_identity_statement};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Notes a role that trusts both an OIDC provider (IRSA) and EKS Pod Identity.
    ///
    /// ## Why is this bad
    /// It works, but during a migration it is easy to forget one of the two paths open, and
    /// the two are checked differently (a `sub` condition vs. session tags).
    ///
    /// ## Example
    /// One statement with `{"Federated": "arn:aws:iam::…:oidc-provider/…"}` and another with
    /// `{"Service": "pods.eks.amazonaws.com"}`.
    ///
    /// ## Fix
    /// Make sure both are intended; remove the IRSA statement once Pod Identity is in use.
    pub(crate) static TP052 = ("irsa-and-pod-identity", "trust-policy", Info, "Both IRSA and Pod Identity statements in one role");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let statements = cx.statements();
    if !statements.iter().any(|s| cx.is_oidc_statement(s)) {
        return;
    }
    if let Some(pod) = statements.iter().find(|s| is_pod_identity_statement(s)) {
        let service = pod.principals_of("Service").find(|p| p.value.text == Some(super::POD_IDENTITY_SERVICE));
        let (pointer, range) = service.map_or((pod.ptr("Principal"), pod.node.range), |p| (p.pointer(pod), p.value.range()));
        cx.push(at(&TP052, "the role trusts both an OIDC provider (IRSA) and EKS Pod Identity: make sure both are intended", pointer, range));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_both() {
        let pod_stmt = &POD[POD.find("{\n      \"Sid\"").unwrap()..POD.rfind("}\n  ]").unwrap() + 1];
        let both = edit(IRSA, "    }\n  ]", &format!("    }},\n{pod_stmt}\n  ]"));
        fires("TP052", &both);
    }

    #[test]
    fn silent_on_one_kind() {
        silent("TP052", IRSA);
        silent("TP052", POD);
    }
}
