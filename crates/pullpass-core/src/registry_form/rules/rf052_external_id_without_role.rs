use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::registry_form::FormCheck;

declare_rule! {
    /// ## What it does
    /// Checks that an external ID comes with a role ARN.
    ///
    /// ## Why is this bad
    /// An external ID is sent only when assuming a role; without a role ARN it is ignored,
    /// which usually means the role ARN was forgotten.
    ///
    /// ## Example
    /// ```json
    /// { "roleArn": "", "externalId": "pull-from-prod" }
    /// ```
    ///
    /// ## Fix
    /// Enter the role ARN the external ID belongs to, or clear the external ID.
    pub(crate) static RF052 = ("external-id-without-role", "registry-form", Error, "External ID given without a role ARN");
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if f.form.external_id.trim().is_empty() || !f.form.role_arn.trim().is_empty() {
        return;
    }
    out.push(
        Diagnostic::new(
            &RF052,
            "an external ID is given without a role ARN; it is only sent when assuming a role",
        )
        .with_help("enter the role ARN the external ID belongs to, or clear the external ID")
        .with_pointer("/externalId"),
    );
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn form(role: &str, external_id: &str) -> RegistryForm {
        RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            role_arn: role.into(),
            external_id: external_id.into(),
            ..RegistryForm::default()
        }
    }

    #[test]
    fn fires_without_a_role() {
        assert_eq!(
            form_findings(
                "RF052",
                &form("", "pull-from-prod"),
                &FormContext::default()
            )
            .len(),
            1
        );
    }

    #[test]
    fn quiet_with_a_role_or_without_an_external_id() {
        assert!(
            form_findings(
                "RF052",
                &form("arn:aws:iam::123456789012:role/x", "pull-from-prod"),
                &FormContext::default()
            )
            .is_empty()
        );
        assert!(form_findings("RF052", &form("", ""), &FormContext::default()).is_empty());
    }
}
