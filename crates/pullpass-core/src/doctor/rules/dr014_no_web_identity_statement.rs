//! DR014 `no-web-identity-statement`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for an `Allow` statement with a `Federated` OIDC provider principal.
    ///
    /// ## Why is this bad
    /// IRSA assumes the role with `sts:AssumeRoleWithWebIdentity` as the cluster's OIDC provider;
    /// without such a statement STS denies every pod.
    ///
    /// ## Example
    /// A trust policy that trusts only `ec2.amazonaws.com`, or only `pods.eks.amazonaws.com`.
    ///
    /// ## Fix
    /// Add the statement `pullpass trust-policy irsa …` generates.
    pub(crate) static DR014 = ("no-web-identity-statement", "doctor", Error, "The trust policy has no statement for an OIDC provider");
}

use super::prelude::*;

fn no_oidc(pods: bool) -> Diagnostic {
    Diagnostic::new(
        &DR014,
        "no `Allow` statement trusts an OIDC provider (`Principal: {\"Federated\": \"arn:…:oidc-provider/…\"}`), so no pod can assume the role with IRSA",
    )
    .with_help(if pods {
        "this trust policy is written for EKS Pod Identity: check it with `pullpass doctor pod-identity`, or add an IRSA statement (`pullpass trust-policy irsa`)"
    } else {
        "add the IRSA statement `pullpass trust-policy irsa --issuer <issuer> --service-account <ns>/<name>` prints"
    })
}

/// `trust.principal` (IRSA): an `Allow` statement lets the OIDC provider assume the role;
/// the statement chosen (the cluster's provider first) is what the `trust.*` links judge.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let (Some(policy), Some(doc)) = (cx.policy, cx.doc) else {
        return Outcome::needs(&[Input::TrustPolicy, Input::Live]);
    };
    let parsed: Vec<(&Statement<'_>, &PrincipalValue<'_>, Option<ProviderArn>)> = policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| {
            s.principals_of("Federated")
                .map(move |p| (s, p, aws::parse_provider_arn(p.value.as_str())))
        })
        .collect();
    if parsed.is_empty() {
        let pods = policy.statements.iter().any(is_pod_identity_statement);
        return Outcome::Finding(no_oidc(pods), None);
    }
    let issuer = cx.f.issuer.ok().map(|i| i.path.as_str());
    let pick = parsed
        .iter()
        .find(|(_, _, p)| {
            p.as_ref()
                .is_some_and(|p| Some(p.provider.as_str()) == issuer)
        })
        .or_else(|| parsed.iter().find(|(_, _, p)| p.is_some()));
    let Some((statement, principal, Some(provider))) = pick else {
        // No federated principal is an OIDC provider ARN: the linter says why (TP010).
        let (s, ..) = parsed[0];
        return match lint_finding(&doc.lint, &["TP010"], &s.pointer(), Severity::Warning) {
            Some(d) => Outcome::Finding(d.clone(), Some(Input::TrustPolicy)),
            None => Outcome::Finding(no_oidc(false), None),
        };
    };
    if let Some(d) = lint_finding(
        &doc.lint,
        &["TP010", "TP013", "TP011", "TP020"],
        &statement.pointer(),
        Severity::Error,
    ) {
        return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
    }
    let detail = format!(
        "statement {} lets `{}` call sts:AssumeRoleWithWebIdentity",
        statement.ordinal,
        principal.value.as_str()
    );
    cx.chosen = Some(Chosen {
        doc,
        policy,
        statement,
        provider: provider.clone(),
        principal,
    });
    Outcome::Pass(detail)
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr014_no_web_identity_statement() {
        let mut inputs = sound();
        inputs.trust_policy = Some(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}"#.to_owned());
        let list = check_irsa(&inputs);
        assert_only(&list, "trust.principal", "DR014");
        assert!(
            list.get("trust.principal")
                .unwrap()
                .diagnostic
                .as_ref()
                .unwrap()
                .help()
                .unwrap()
                .contains("pod-identity")
        );
    }
}
