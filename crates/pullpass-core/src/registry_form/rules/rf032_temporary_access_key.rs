use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry_form::FormCheck;

use super::keys;

declare_rule! {
    /// ## What it does
    /// Checks temporary keys: an `ASIA…` access key ID without a session token is an error,
    /// and with one a warning that it expires. A session token with a long-term `AKIA…` key
    /// is a warning too.
    ///
    /// ## Why is this bad
    /// `ASIA…` keys come from STS and are valid only with their session token, and only for
    /// hours (at most 36). A registry configured with them stops pulling when they expire,
    /// usually at night. A long-term key signed with a session token is refused.
    ///
    /// ## Example
    /// ```json
    /// { "accessKeyId": "ASIA…", "sessionToken": "" }
    /// ```
    ///
    /// ## Fix
    /// Use IRSA / Pod Identity (leave the keys blank), or a long-term `AKIA…` key of a
    /// dedicated IAM user with pull-only permissions.
    pub(crate) static RF032 = ("temporary-access-key", "registry-form", Error, "Temporary (ASIA) access key without a session token, or one that expires");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if !super::uses_aws_keys(f) {
        return;
    }
    let (id, range) = keys::trimmed(&f.form.access_key_id);
    let has_token = !f.form.session_token.expose().trim().is_empty();
    let d = if id.starts_with("ASIA") && !has_token {
        Diagnostic::new(
            &RF032,
            "`ASIA…` is a temporary access key: it works only with its session token, and it expires",
        )
        .with_help("fill in the session token, or better, use IRSA / Pod Identity or a long-term `AKIA…` key")
    } else if id.starts_with("ASIA") {
        Diagnostic::new(
            &RF032,
            "temporary credentials expire (after hours, 36 at most); pulls fail once they do",
        )
        .with_severity(Severity::Warning)
        .with_help("use IRSA / Pod Identity (leave the keys blank) or a long-term `AKIA…` key for a registry that must keep working")
    } else if id.starts_with("AKIA") && has_token {
        Diagnostic::new(
            &RF032,
            "a session token is only for temporary `ASIA…` keys; with a long-term `AKIA…` key AWS rejects the request",
        )
        .with_severity(Severity::Warning)
        .with_help("clear the session token")
    } else {
        return;
    };
    out.push(d.with_pointer("/accessKeyId").with_range(range));
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn form(id: &str, token: &str) -> RegistryForm {
        RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            access_key_id: id.into(),
            secret_access_key: "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet".into(),
            session_token: token.into(),
            ..RegistryForm::default()
        }
    }

    #[test]
    fn temporary_keys() {
        let ctx = FormContext::default();
        assert_eq!(
            form_findings("RF032", &form("ASIAZ7XQ2M4N6P3R5T7V", ""), &ctx)[0].severity(),
            Severity::Error
        );
        assert_eq!(
            form_findings("RF032", &form("ASIAZ7XQ2M4N6P3R5T7V", "IQoJb3JpZ2lu"), &ctx)[0].severity(),
            Severity::Warning
        );
        assert_eq!(
            form_findings("RF032", &form("AKIAZ7XQ2M4N6P3R5T7V", "IQoJb3JpZ2lu"), &ctx)[0].severity(),
            Severity::Warning
        );
    }

    #[test]
    fn quiet_on_long_term_keys() {
        assert!(
            form_findings(
                "RF032",
                &form("AKIAZ7XQ2M4N6P3R5T7V", ""),
                &FormContext::default()
            )
            .is_empty()
        );
    }
}
