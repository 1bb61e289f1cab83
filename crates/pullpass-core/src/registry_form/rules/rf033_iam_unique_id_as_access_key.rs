use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::registry_form::FormCheck;

use super::keys::{self, UNIQUE_ID_PREFIXES};

declare_rule! {
    /// ## What it does
    /// Checks that the access key ID is not an IAM unique ID: `AIDA…` (user), `AROA…` (role),
    /// `AGPA…` (group), `AIPA…` (instance profile), `ANPA…`/`ANVA…` (managed policy),
    /// `APKA…` (public key), `ASCA…` (certificate).
    ///
    /// ## Why is this bad
    /// Unique IDs look like access key IDs and show up next to them (in `get-user`,
    /// CloudTrail, trust-policy conditions), but they cannot sign anything.
    ///
    /// ## Example
    /// ```text
    /// AIDAJQABLZS4A3QDU576Q
    /// ```
    ///
    /// ## Fix
    /// Create an access key for the IAM user (`aws iam create-access-key`) and use its
    /// `AKIA…` ID, or leave the keys blank for IRSA / Pod Identity.
    pub(crate) static RF033 = ("iam-unique-id-as-access-key", "registry-form", Error, "Access key ID is an IAM unique ID, not an access key");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if !super::uses_aws_keys(f) {
        return;
    }
    let (id, range) = keys::trimmed(&f.form.access_key_id);
    let Some((prefix, what)) = UNIQUE_ID_PREFIXES.iter().find(|(p, _)| id.starts_with(p)) else {
        return;
    };
    out.push(
        Diagnostic::new(
            &RF033,
            format!("`{prefix}…` is the unique ID of {what}, not an access key ID"),
        )
        .with_help("use an access key ID (`AKIA…`) from `aws iam create-access-key`, or leave the keys blank for IRSA / Pod Identity")
        .with_pointer("/accessKeyId")
        .with_range(range),
    );
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn form(id: &str) -> RegistryForm {
        RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            access_key_id: id.into(),
            secret_access_key: "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet".into(),
            ..RegistryForm::default()
        }
    }

    #[test]
    fn fires_on_unique_ids() {
        for id in [
            "AIDAJQABLZS4A3QDU576Q",
            "AROAZ7XQ2M4N6P3R5T7V",
            "ANPAZ7XQ2M4N6P3R5T7V",
        ] {
            let found = form_findings("RF033", &form(id), &FormContext::default());
            assert_eq!(found.len(), 1, "{id}");
        }
        let codes: Vec<_> =
            crate::registry_form::validate(&form("AROAZ7XQ2M4N6P3R5T7V"), &FormContext::default())
                .into_iter()
                .map(|d| d.code())
                .collect();
        assert!(!codes.contains(&"RF031"), "RF033 alone: {codes:?}");
    }

    #[test]
    fn quiet_on_access_keys() {
        assert!(
            form_findings(
                "RF033",
                &form("AKIAZ7XQ2M4N6P3R5T7V"),
                &FormContext::default()
            )
            .is_empty()
        );
        assert!(
            form_findings(
                "RF033",
                &form("ASIAZ7XQ2M4N6P3R5T7V"),
                &FormContext::default()
            )
            .is_empty()
        );
    }
}
