use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::host::HostKind;
use crate::registry_form::{FormCheck, RegistryKind};

declare_rule! {
    /// ## What it does
    /// Notes that a private ECR registry with both keys blank will use ambient credentials.
    ///
    /// ## Why is this bad
    /// It is not bad: it is the recommended set-up. But it only works when the platform's
    /// pod has an identity: IRSA (a role annotation on its service account and an IAM OIDC
    /// provider for the cluster), EKS Pod Identity, or an instance role. Saying so up front
    /// saves a confusing "no credentials" later.
    ///
    /// ## Example
    /// ```json
    /// { "kind": "ecr", "host": "123456789012.dkr.ecr.us-east-1.amazonaws.com", "accessKeyId": "", "secretAccessKey": "" }
    /// ```
    ///
    /// ## Fix
    /// Nothing to fix. Check the set-up with `pullpass doctor`, or generate the trust policy
    /// with `pullpass trust-policy`.
    pub(crate) static RF040 = ("ambient-credentials", "registry-form", Info, "Ambient credentials will be used");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    let form = f.form;
    let blank = form.access_key_id.trim().is_empty()
        && form.secret_access_key.expose().trim().is_empty()
        && form.session_token.expose().trim().is_empty();
    if form.kind != RegistryKind::Ecr || f.host.kind != HostKind::PrivateEcr || !blank {
        return;
    }
    let role = if form.role_arn.trim().is_empty() {
        ""
    } else {
        "; they then assume the role ARN given"
    };
    out.push(
        Diagnostic::new(
            &RF040,
            format!("ambient credentials will be used: IRSA, EKS Pod Identity or the instance role{role}"),
        )
        .with_help("make sure the platform's service account is annotated with a role (IRSA) or has a Pod Identity association; `pullpass doctor` checks it")
        .with_pointer("/accessKeyId"),
    );
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn form(host: &str, id: &str) -> RegistryForm {
        RegistryForm {
            name: "prod".into(),
            host: host.into(),
            access_key_id: id.into(),
            secret_access_key: if id.is_empty() {
                "".into()
            } else {
                "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet".into()
            },
            ..RegistryForm::default()
        }
    }

    #[test]
    fn fires_for_blank_keys_on_private_ecr() {
        let found = form_findings(
            "RF040",
            &form("123456789012.dkr.ecr.us-east-1.amazonaws.com", ""),
            &FormContext::default(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity(), crate::Severity::Info);
    }

    #[test]
    fn quiet_with_keys_or_on_public_ecr() {
        assert!(
            form_findings(
                "RF040",
                &form(
                    "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                    "AKIAZ7XQ2M4N6P3R5T7V"
                ),
                &FormContext::default()
            )
            .is_empty()
        );
        assert!(
            form_findings(
                "RF040",
                &form("public.ecr.aws", ""),
                &FormContext::default()
            )
            .is_empty()
        );
    }
}
