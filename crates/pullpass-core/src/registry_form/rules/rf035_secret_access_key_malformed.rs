use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry_form::FormCheck;

use super::keys;

declare_rule! {
    /// ## What it does
    /// Checks the shape of the secret access key on an ECR registry, without ever showing it:
    /// shorter than 16 characters or containing whitespace is an error; anything but 40
    /// characters of `[A-Za-z0-9/+]` is a warning.
    ///
    /// ## Why is this bad
    /// A cut-off or mangled secret signs requests that AWS refuses with
    /// `SignatureDoesNotMatch`, long after the form was saved.
    ///
    /// ## Example
    /// ```text
    /// a secret with a space in it, or one of 12 characters
    /// ```
    ///
    /// ## Fix
    /// Copy the whole secret access key (40 characters) from the CSV AWS offered when the key
    /// was created; if it is lost, create a new access key.
    pub(crate) static RF035 = ("secret-access-key-malformed", "registry-form", Warning, "Secret access key does not have the usual shape");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if !super::uses_aws_keys(f) {
        return;
    }
    let (secret, _) = keys::trimmed(f.form.secret_access_key.expose());
    if secret.is_empty() || keys::is_usual_secret(secret) || keys::is_usual_key_id(secret) {
        return; // A key ID here is RF036's.
    }
    let len = secret.chars().count();
    let d = if secret.chars().any(char::is_whitespace) {
        Diagnostic::new(
            &RF035,
            "the secret access key contains whitespace; secrets never do",
        )
        .with_help("copy the secret again in one piece")
    } else if len < 16 {
        Diagnostic::new(
            &RF035,
            format!("the secret access key has only {len} characters; secrets have 40"),
        )
        .with_help("copy the whole secret access key")
    } else {
        let why = if len == 40 {
            "it has characters other than letters, digits, `/` and `+`".to_owned()
        } else {
            format!("it has {len} characters, not 40")
        };
        return out.push(
            Diagnostic::new(&RF035, format!("unusual secret access key: {why}"))
                .with_help("check that the whole secret was copied; ignore this if AWS issued it as is")
                .with_pointer("/secretAccessKey"),
        );
    };
    out.push(d.with_severity(Severity::Error).with_pointer("/secretAccessKey"));
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn found(secret: &str) -> Vec<crate::Diagnostic> {
        let form = RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            access_key_id: "AKIAZ7XQ2M4N6P3R5T7V".into(),
            secret_access_key: secret.into(),
            ..RegistryForm::default()
        };
        form_findings("RF035", &form, &FormContext::default())
    }

    #[test]
    fn short_or_spaced_secrets_are_errors_odd_ones_warnings() {
        assert_eq!(found("tooShort123")[0].severity(), Severity::Error);
        assert_eq!(
            found("Zq8mT3vB9xKp2LrN5sW7 C1dF4gH6jE0aU+/oIet")[0].severity(),
            Severity::Error
        );
        assert_eq!(
            found("Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIe")[0].severity(),
            Severity::Warning
        );
        assert_eq!(
            found("Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIe=")[0].severity(),
            Severity::Warning
        );
        for d in found("Zq8mT3vB9xKp2LrN5sW7 C1dF4gH6jE0aU+/oIet") {
            assert!(d.range().is_none() && !d.message().contains("Zq8m"));
        }
    }

    #[test]
    fn quiet_on_real_secrets() {
        assert!(found("Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet").is_empty());
        assert!(found("wJalrXUtnFEMIK7MDENGbPxRfiCYzzzzzzzzzzzz").is_empty());
        assert!(
            found(" Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet\n").is_empty(),
            "RF037 owns surrounding whitespace"
        );
    }
}
