use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::host::HostKind;
use crate::registry_form::{FormCheck, RegistryKind};

declare_rule! {
    /// ## What it does
    /// Notes that public ECR (`public.ecr.aws`) needs no credentials when some are given.
    ///
    /// ## Why is this bad
    /// Pulling from public ECR is anonymous. Credentials only raise the pull rate limit, and
    /// public ECR authentication (`ecr-public:GetAuthorizationToken` plus
    /// `sts:GetServiceBearerToken`) works only in `us-east-1`, so keys scoped elsewhere fail.
    ///
    /// ## Example
    /// ```json
    /// { "kind": "ecr", "host": "public.ecr.aws", "accessKeyId": "AKIA…", "secretAccessKey": "…" }
    /// ```
    ///
    /// ## Fix
    /// Leave the credentials blank, unless you need the higher rate limit.
    pub(crate) static RF023 = ("public-ecr-credentials", "registry-form", Info, "Public ECR needs no credentials");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    let form = f.form;
    let has_credentials = !form.access_key_id.trim().is_empty()
        || !form.secret_access_key.expose().trim().is_empty()
        || !form.role_arn.trim().is_empty();
    if form.kind != RegistryKind::Ecr || f.host.kind != HostKind::PublicEcr || !has_credentials {
        return;
    }
    out.push(
        Diagnostic::new(
            &RF023,
            "public ECR needs no credentials to pull; credentials only raise the rate limit",
        )
        .with_help(format!(
            "public ECR authentication works only in `{}`; leave the credentials blank unless you need the higher limit",
            crate::host::table::PUBLIC_ECR_AUTH_REGION
        ))
        .with_pointer("/host"),
    );
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn public(key: &str) -> RegistryForm {
        RegistryForm {
            name: "public".into(),
            host: "public.ecr.aws".into(),
            access_key_id: key.into(),
            secret_access_key: if key.is_empty() {
                "".into()
            } else {
                "x".repeat(40).into()
            },
            ..RegistryForm::default()
        }
    }

    #[test]
    fn fires_when_credentials_are_given_for_public_ecr() {
        let found = form_findings(
            "RF023",
            &public("AKIAIOSFODNN7ABCDEFG"),
            &FormContext::default(),
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].help().unwrap().contains("us-east-1"));
    }

    #[test]
    fn quiet_without_credentials_or_on_private_ecr() {
        assert!(form_findings("RF023", &public(""), &FormContext::default()).is_empty());
        let mut form = public("AKIAIOSFODNN7ABCDEFG");
        form.host = "123456789012.dkr.ecr.us-east-1.amazonaws.com".into();
        assert!(form_findings("RF023", &form, &FormContext::default()).is_empty());
    }
}
