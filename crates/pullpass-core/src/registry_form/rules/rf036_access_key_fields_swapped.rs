use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::registry_form::FormCheck;

use super::keys;

declare_rule! {
    /// ## What it does
    /// Checks that the access key ID and the secret access key are not swapped: the secret
    /// equals the key ID, the secret looks like an access key ID, or the key ID field holds
    /// what looks like a secret access key.
    ///
    /// ## Why is this bad
    /// Swapped fields never authenticate, and a secret in the key ID field is a secret in a
    /// field that is displayed and logged. pullpass never shows either value.
    ///
    /// ## Example
    /// ```json
    /// { "accessKeyId": "<the 40-character secret>", "secretAccessKey": "AKIA…" }
    /// ```
    ///
    /// ## Fix
    /// Put the `AKIA…` ID in the access key ID field and the 40-character secret in the secret
    /// field. If a secret was shown or logged, rotate the key.
    pub(crate) static RF036 = ("access-key-fields-swapped", "registry-form", Error, "Access key ID and secret access key look swapped");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if !super::uses_aws_keys(f) {
        return;
    }
    let (id, _) = keys::trimmed(&f.form.access_key_id);
    let (secret, _) = keys::trimmed(f.form.secret_access_key.expose());
    let help = "put the `AKIA…` ID in the access key ID field and the 40-character secret in the secret field";
    if !secret.is_empty() && (secret == id || keys::is_usual_key_id(secret)) {
        out.push(
            Diagnostic::new(
                &RF036,
                "the secret access key field holds an access key ID: the fields look swapped",
            )
            .with_help(help)
            .with_pointer("/secretAccessKey"),
        );
    } else if keys::looks_like_secret(id) {
        // No range: the CLI shows no snippet for a value that may be a secret.
        out.push(
            Diagnostic::new(&RF036, "the access key ID field holds what looks like a secret access key: the fields look swapped")
                .with_help(format!("{help} A secret that was displayed or logged should be rotated"))
                .with_pointer("/accessKeyId"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    const ID: &str = "AKIAZ7XQ2M4N6P3R5T7V";
    const SECRET: &str = "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";

    fn found(id: &str, secret: &str) -> Vec<crate::Diagnostic> {
        let form = RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            ..RegistryForm::default()
        };
        form_findings("RF036", &form, &FormContext::default())
    }

    #[test]
    fn fires_on_swapped_or_duplicated_fields() {
        assert_eq!(found(SECRET, ID).len(), 1);
        assert_eq!(found(ID, ID).len(), 1);
        let d = &found(SECRET, "")[0];
        assert_eq!(d.pointer(), "/accessKeyId");
        assert!(d.range().is_none());
        assert!(!format!("{d:?}").contains("Zq8m"));
    }

    #[test]
    fn quiet_on_a_correct_pair() {
        assert!(found(ID, SECRET).is_empty());
        assert!(found(ID, "WJALRXUTNFEMIK7MDENGBPXRFICYZZZZZZZZZZZZ").is_empty());
    }
}
