use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry_form::FormCheck;

use super::keys::{self, UNIQUE_ID_PREFIXES};

declare_rule! {
    /// ## What it does
    /// Checks the shape of the access key ID on an ECR registry. Not
    /// `[A-Za-z0-9_]{16,128}` (what the IAM API accepts) is an error; not the usual 20-character
    /// `(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}` is a warning.
    ///
    /// ## Why is this bad
    /// A key ID of the wrong shape is a pasting mistake (a cut-off key, the secret, an ARN, a
    /// user name); AWS rejects it with `InvalidClientTokenId` only when the first pull runs.
    ///
    /// ## Example
    /// ```text
    /// AKIA-IOSFODNN7
    /// ```
    ///
    /// ## Fix
    /// Copy the access key ID from the IAM console or the CSV AWS offered when the key was
    /// created: 20 characters starting with `AKIA`.
    pub(crate) static RF031 = ("access-key-id-malformed", "registry-form", Error, "Access key ID does not have the shape of an access key ID");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if !super::uses_aws_keys(f) {
        return;
    }
    let (id, range) = keys::trimmed(&f.form.access_key_id);
    if id.is_empty() || UNIQUE_ID_PREFIXES.iter().any(|(p, _)| id.starts_with(p)) {
        return; // RF033 names unique IDs more precisely.
    }
    if keys::looks_like_secret(id) {
        return; // RF036: the fields look swapped; say nothing about the value here.
    }
    if id.len() >= 16 && id.ends_with("EXAMPLE") {
        return; // RF034: the documentation's example key says more than "unusual".
    }
    let len = id.chars().count();
    let d = if !keys::is_api_shaped_key_id(id) {
        let why = if len < 16 {
            format!("it has {len} characters, fewer than 16")
        } else if len > 128 {
            format!("it has {len} characters, more than 128")
        } else {
            "it has characters other than letters, digits and `_`".to_owned()
        };
        Diagnostic::new(&RF031, format!("this is not an access key ID: {why}")).with_help(
            "copy the access key ID from the IAM console: 20 characters starting with `AKIA`",
        )
    } else if !keys::is_usual_key_id(id) {
        let why = if len != 20 {
            format!("{len} characters, where access key IDs usually have 20")
        } else if !keys::ACCESS_KEY_PREFIXES.iter().any(|p| id.starts_with(p)) {
            format!("it starts with `{}`, not `AKIA` or `ASIA`", &id[..4])
        } else {
            "after the prefix, access key IDs have only upper-case letters and the digits 2–7"
                .to_owned()
        };
        Diagnostic::new(&RF031, format!("unusual access key ID: {why}"))
            .with_severity(Severity::Warning)
            .with_help("check that the whole key ID was copied; ignore this if AWS issued it as is")
    } else {
        return;
    };
    out.push(d.with_pointer("/accessKeyId").with_range(range));
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm, RegistryKind};

    fn form(id: &str, kind: RegistryKind) -> RegistryForm {
        RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            kind,
            access_key_id: id.into(),
            secret_access_key: "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet".into(),
            ..RegistryForm::default()
        }
    }

    fn found(id: &str) -> Vec<crate::Diagnostic> {
        form_findings(
            "RF031",
            &form(id, RegistryKind::Ecr),
            &FormContext::default(),
        )
    }

    #[test]
    fn malformed_ids_are_errors_and_unusual_ones_warnings() {
        assert_eq!(found("AKIA-IOSFODNN7")[0].severity(), Severity::Error);
        assert_eq!(found("AKIAZ7XQ2")[0].severity(), Severity::Error);
        assert_eq!(found(&"A".repeat(129))[0].severity(), Severity::Error);
        assert_eq!(
            found("AKIAZ7XQ2M4N6P3R5T7V99")[0].severity(),
            Severity::Warning
        );
        assert_eq!(found("akiaz7xq2m4n6p3r5t7v")[0].severity(), Severity::Warning);
        // The warning says what is unusual.
        assert!(
            found("AKIAZ7XQ2M4N6P3R5T7V99")[0]
                .message()
                .contains("22 characters")
        );
        assert!(found("AXYZZ7XQ2M4N6P3R5T7V")[0].message().contains("`AXYZ`"));
        assert!(
            found("AKIAZ0XQ2M4N1P3R5T8V")[0]
                .message()
                .contains("digits 2–7")
        );
        // The documentation's examples are RF034's, not "unusual".
        assert!(found("AKIAI44QH8DHBEXAMPLE").is_empty());
    }

    #[test]
    fn quiet_on_real_shapes_and_generic_registries() {
        for id in [
            "AKIAZ7XQ2M4N6P3R5T7V",
            "ASIAZ7XQ2M4N6P3R5T7V",
            "ABIAZ7XQ2M4N6P3R5T7V",
            "ACCAZ7XQ2M4N6P3R5T7V",
            "",
        ] {
            assert!(found(id).is_empty(), "{id}");
        }
        let generic = form("deploy-bot", RegistryKind::Generic);
        let mut generic = generic;
        generic.host = "ghcr.io".into();
        assert!(form_findings("RF031", &generic, &FormContext::default()).is_empty());
    }
}
