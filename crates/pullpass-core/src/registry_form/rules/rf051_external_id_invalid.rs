use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry_form::FormCheck;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks the external ID: 2–1224 characters of `[A-Za-z0-9_+=,.@:/-]`.
    ///
    /// ## Why is this bad
    /// STS refuses any other external ID in `AssumeRole`, even where IAM accepted it in the
    /// trust policy (IAM allows spaces; STS does not). The role then cannot be assumed at all.
    ///
    /// ## Example
    /// ```text
    /// pull from prod
    /// ```
    ///
    /// ## Fix
    /// Use letters, digits and `_+=,.@:/-` only, e.g. `pull-from-prod`, in both the trust
    /// policy's `sts:ExternalId` condition and here.
    pub(crate) static RF051 = ("external-id-invalid", "registry-form", Error, "External ID is not one STS accepts");
}

pub(crate) fn is_external_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c)
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    let value = f.form.external_id.as_str();
    if value.is_empty() {
        return;
    }
    let d = |msg: String| Diagnostic::new(&RF051, msg).with_pointer("/externalId");
    let trimmed = value.trim();
    if trimmed.len() != value.len()
        && !trimmed.is_empty()
        && trimmed.chars().all(is_external_id_char)
    {
        out.push(
            d("the external ID has whitespace around it; STS rejects spaces".to_owned())
                .with_help("remove it, here and in the trust policy")
                .with_range(TextRange::of(value))
                .with_fix(Fix::safe(
                    "Trim the external ID",
                    vec![Edit::replace(TextRange::of(value), trimmed)],
                )),
        );
        return;
    }
    if let Some((i, c)) = value.char_indices().find(|(_, c)| !is_external_id_char(*c)) {
        let what = if c.is_whitespace() {
            "a space".to_owned()
        } else if c.is_ascii_graphic() {
            format!("`{c}`")
        } else {
            format!("U+{:04X}", u32::from(c))
        };
        out.push(
            d(format!("the external ID contains {what}; STS accepts only letters, digits and `_+=,.@:/-`"))
                .with_help("change it here and in the trust policy's `sts:ExternalId` condition (IAM accepts values that STS later rejects)")
                .with_range(TextRange::new(i, i + c.len_utf8())),
        );
        return;
    }
    let len = value.chars().count();
    if !(2..=1224).contains(&len) {
        out.push(
            d(format!(
                "the external ID has {len} characters; STS accepts 2 to 1224"
            ))
            .with_help("use a longer (or shorter) external ID, here and in the trust policy")
            .with_range(TextRange::of(value)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::{fixed, form_findings};
    use crate::registry_form::{FormContext, RegistryForm};

    fn found(external_id: &str) -> Vec<crate::Diagnostic> {
        let form = RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            role_arn: "arn:aws:iam::123456789012:role/ecr-pull".into(),
            external_id: external_id.into(),
            ..RegistryForm::default()
        };
        form_findings("RF051", &form, &FormContext::default())
    }

    #[test]
    fn fires_on_what_sts_rejects() {
        assert!(found("pull from prod")[0].message().contains("a space"));
        assert_eq!(found("x").len(), 1);
        assert_eq!(found(&"x".repeat(1225)).len(), 1);
        assert_eq!(found("a#b").len(), 1);
        assert_eq!(fixed(&found(" abc ")[0], " abc "), "abc");
    }

    #[test]
    fn quiet_on_valid_external_ids() {
        for id in ["", "ab", "pull-from_prod:v1/x@y.z+=,", &"x".repeat(1224)] {
            assert!(found(id).is_empty(), "{id}");
        }
    }
}
