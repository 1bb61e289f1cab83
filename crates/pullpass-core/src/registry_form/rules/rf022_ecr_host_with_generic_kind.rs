use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::host::{HostCheck, HostKind};
use crate::registry_form::{FormCheck, RegistryKind};

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Checks that a registry whose host is an ECR host has the ECR kind. For public ECR it
    /// fires only when credentials are given (anonymous pulls from public ECR are fine with
    /// any kind).
    ///
    /// ## Why is this bad
    /// A generic registry uses a static user name and password. ECR has no static password: a
    /// password from `aws ecr get-login-password` is a token that expires after 12 hours, and
    /// every pull after that fails until someone pastes a new one.
    ///
    /// ## Example
    /// ```json
    /// { "kind": "generic", "host": "123456789012.dkr.ecr.us-east-1.amazonaws.com" }
    /// ```
    ///
    /// ## Fix
    /// Choose the ECR kind, which requests fresh tokens with AWS credentials (or IRSA / Pod
    /// Identity) whenever needed.
    pub(crate) static RF022 = ("ecr-host-with-generic-kind", "registry-form", Warning, "ECR host registered with a non-ECR kind");
}

const WHY: &str = "a static password for ECR is a token that expires after 12 hours";

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    if c.kind == RegistryKind::Ecr || c.class.kind != HostKind::PrivateEcr {
        return;
    }
    out.push(
        Diagnostic::new(
            &RF022,
            format!("this is an ECR host, but the kind is not ECR: {WHY}"),
        )
        .with_help("choose the ECR kind; it requests fresh tokens with AWS credentials, IRSA or Pod Identity")
        .with_pointer(HOST)
        .with_range(c.syntax.host),
    );
}

/// Public ECR with a generic kind matters only when credentials are given.
pub(crate) fn check_form(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    let form = f.form;
    let has_credentials =
        !form.access_key_id.trim().is_empty() || !form.secret_access_key.expose().trim().is_empty();
    if form.kind == RegistryKind::Ecr || f.host.kind != HostKind::PublicEcr || !has_credentials {
        return;
    }
    out.push(
        Diagnostic::new(
            &RF022,
            format!("this is public ECR with credentials, but the kind is not ECR: {WHY}"),
        )
        .with_help("choose the ECR kind, or leave the credentials blank: public ECR allows anonymous pulls")
        .with_pointer(HOST),
    );
}

#[cfg(test)]
mod tests {
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::host;
    use crate::registry_form::{FormContext, RegistryForm};

    #[test]
    fn fires_on_ecr_host_with_generic_kind() {
        let found = host(
            "RF022",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            Generic,
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message().contains("12 hours"));
        let form = RegistryForm {
            name: "pub".into(),
            host: "public.ecr.aws".into(),
            kind: Generic,
            access_key_id: "AKIAIOSFODNN7ABCDEFG".into(),
            secret_access_key: "a".repeat(40).into(),
            ..RegistryForm::default()
        };
        let codes: Vec<_> = crate::registry_form::validate(&form, &FormContext::default())
            .into_iter()
            .map(|d| d.code())
            .collect();
        assert!(codes.contains(&"RF022"), "{codes:?}");
    }

    #[test]
    fn quiet_on_matching_kinds_and_anonymous_public_ecr() {
        assert!(host("RF022", "123456789012.dkr.ecr.us-east-1.amazonaws.com", Ecr).is_empty());
        assert!(host("RF022", "ghcr.io", Generic).is_empty());
        let form = RegistryForm {
            name: "pub".into(),
            host: "public.ecr.aws".into(),
            kind: Generic,
            ..RegistryForm::default()
        };
        let diags = crate::registry_form::validate(&form, &FormContext::default());
        assert!(diags.iter().all(|d| d.code() != "RF022"), "{diags:?}");
    }
}
