//! DR015 `no-pod-identity-statement`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for an `Allow` statement with the `Service` principal `pods.eks.amazonaws.com`.
    ///
    /// ## Why is this bad
    /// EKS Pod Identity assumes the role as that service principal; without it the agent gets
    /// `AccessDenied`.
    ///
    /// ## Example
    /// A trust policy written for IRSA only.
    ///
    /// ## Fix
    /// Add the statement `pullpass trust-policy pod-identity …` generates.
    pub(crate) static DR015 = ("no-pod-identity-statement", "doctor", Error, "The trust policy does not trust `pods.eks.amazonaws.com`");
}

use super::prelude::*;

/// `trust.principal` (Pod Identity): an `Allow` statement lets `pods.eks.amazonaws.com`
/// assume the role with the actions the agent uses.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let (Some(policy), Some(doc)) = (cx.policy, cx.doc) else {
        return Outcome::needs(&[Input::TrustPolicy, Input::Live]);
    };
    let Some(statement) = policy
        .statements
        .iter()
        .find(|s| is_pod_identity_statement(s))
    else {
        let irsa = policy
            .statements
            .iter()
            .any(|s| s.principals_of("Federated").next().is_some());
        let d = Diagnostic::new(&DR015, format!("no `Allow` statement trusts `{{\"Service\": \"{POD_IDENTITY_SERVICE}\"}}`, the principal EKS Pod Identity assumes roles as"))
            .with_help(if irsa {
                "this trust policy is written for IRSA: check it with `pullpass doctor irsa`, or add the Pod Identity statement (`pullpass trust-policy pod-identity`)"
            } else {
                "add the statement `pullpass trust-policy pod-identity` prints"
            });
        return Outcome::Finding(d, None);
    };
    // The actions the agent needs (TP050), or actions for another principal (TP011).
    if let Some(d) = lint_finding(
        &doc.lint,
        &["TP050", "TP011"],
        &statement.pointer(),
        Severity::Error,
    ) {
        return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
    }
    cx.pod_statement = Some(statement);
    Outcome::pass(format!(
        "statement {} lets `{POD_IDENTITY_SERVICE}` call sts:AssumeRole and sts:TagSession",
        statement.ordinal
    ))
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn pod_identity_dr015_fails_only_its_link() {
        let mut i = pod_identity_sound();
        i.trust_policy = Some(sound().trust_policy.unwrap());
        assert_only(&check_pod_identity(&i), "trust.principal", "DR015");
    }
}
