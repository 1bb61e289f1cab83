use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::registry_form::{FormCheck, RegistryKind};

declare_rule! {
    /// ## What it does
    /// Checks that the access key ID and the secret access key are given together: both, or
    /// neither. A session token needs both.
    ///
    /// ## Why is this bad
    /// One half of a key pair cannot sign a request. On an ECR registry, leaving both blank
    /// is meaningful (ambient credentials: IRSA, EKS Pod Identity or an instance role), so a
    /// half-filled pair is ambiguous as well as broken.
    ///
    /// ## Example
    /// ```json
    /// { "accessKeyId": "AKIA…", "secretAccessKey": "" }
    /// ```
    ///
    /// ## Fix
    /// Fill in both, or leave both blank to use IRSA / Pod Identity.
    pub(crate) static RF030 = ("access-key-pair-incomplete", "registry-form", Error, "Only one of access key ID and secret access key is given");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    let form = f.form;
    let has_id = !form.access_key_id.trim().is_empty();
    let has_secret = !form.secret_access_key.expose().trim().is_empty();
    let has_token = !form.session_token.expose().trim().is_empty();
    let help = if form.kind == RegistryKind::Ecr {
        "fill in both, or leave both blank for IRSA / Pod Identity (ambient credentials)"
    } else {
        "fill in both, or leave both blank for anonymous pulls"
    };
    if has_id && !has_secret {
        out.push(
            Diagnostic::new(
                &RF030,
                "an access key ID is given without its secret access key",
            )
            .with_help(help)
            .with_pointer("/secretAccessKey"),
        );
    } else if has_secret && !has_id {
        out.push(
            Diagnostic::new(
                &RF030,
                "a secret access key is given without its access key ID",
            )
            .with_help(help)
            .with_pointer("/accessKeyId"),
        );
    } else if has_token && !has_id {
        out.push(
            Diagnostic::new(
                &RF030,
                "a session token is given without an access key ID and secret access key",
            )
            .with_help("a session token belongs to a temporary key pair; fill in all three, or clear the token")
            .with_pointer("/sessionToken"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn form(id: &str, secret: &str, token: &str) -> RegistryForm {
        RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            session_token: token.into(),
            ..RegistryForm::default()
        }
    }

    const SECRET: &str = "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet";

    #[test]
    fn fires_on_half_a_pair() {
        let ctx = FormContext::default();
        assert_eq!(
            form_findings("RF030", &form("AKIAZ7XQ2M4N6P3R5T7V", "", ""), &ctx)[0].pointer(),
            "/secretAccessKey"
        );
        assert_eq!(
            form_findings("RF030", &form(" ", SECRET, ""), &ctx)[0].pointer(),
            "/accessKeyId"
        );
        assert_eq!(
            form_findings("RF030", &form("", "", "token"), &ctx)[0].pointer(),
            "/sessionToken"
        );
    }

    #[test]
    fn quiet_on_both_or_neither() {
        let ctx = FormContext::default();
        assert!(form_findings("RF030", &form("AKIAZ7XQ2M4N6P3R5T7V", SECRET, ""), &ctx).is_empty());
        assert!(form_findings("RF030", &form("", "", ""), &ctx).is_empty());
    }
}
