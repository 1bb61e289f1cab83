use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::registry_form::FormCheck;

use super::keys;

declare_rule! {
    /// ## What it does
    /// Checks for the example credentials of the AWS documentation: an access key ID ending in
    /// `EXAMPLE` (`AKIAIOSFODNN7EXAMPLE`) or the secret `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`
    /// (any secret ending in `EXAMPLEKEY`).
    ///
    /// ## Why is this bad
    /// They are placeholders copied from a tutorial; AWS rejects them, and the first pull
    /// fails with `InvalidClientTokenId`.
    ///
    /// ## Example
    /// ```json
    /// { "accessKeyId": "AKIAIOSFODNN7EXAMPLE" }
    /// ```
    ///
    /// ## Fix
    /// Enter the real key pair, or leave both blank for IRSA / Pod Identity.
    pub(crate) static RF034 = ("documentation-example-key", "registry-form", Error, "AWS documentation example key");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if !super::uses_aws_keys(f) {
        return;
    }
    let (id, range) = keys::trimmed(&f.form.access_key_id);
    if id.len() >= 16 && id.ends_with("EXAMPLE") {
        out.push(
            Diagnostic::new(&RF034, "this is the example access key ID of the AWS documentation, not a real key")
                .with_help("enter the access key ID of a real IAM user, or leave the keys blank for IRSA / Pod Identity")
                .with_pointer("/accessKeyId")
                .with_range(range),
        );
    }
    let (secret, _) = keys::trimmed(f.form.secret_access_key.expose());
    if secret.len() >= 16 && secret.ends_with("EXAMPLEKEY") {
        out.push(
            Diagnostic::new(&RF034, "this is the example secret access key of the AWS documentation, not a real secret")
                .with_help("enter the secret of a real access key, or leave the keys blank for IRSA / Pod Identity")
                .with_pointer("/secretAccessKey"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn form(id: &str, secret: &str) -> RegistryForm {
        RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            ..RegistryForm::default()
        }
    }

    #[test]
    fn fires_on_the_documentation_pair() {
        let found = form_findings(
            "RF034",
            &form(
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
            &FormContext::default(),
        );
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|d| !d.message().contains("wJalr")));
    }

    #[test]
    fn quiet_on_real_looking_keys() {
        let found = form_findings(
            "RF034",
            &form(
                "AKIAZ7XQ2M4N6P3R5T7V",
                "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet",
            ),
            &FormContext::default(),
        );
        assert!(found.is_empty());
    }
}
