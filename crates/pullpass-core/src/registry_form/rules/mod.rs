//! The `RF…` rules, one file each: the rule's documentation (`declare_rule!`), its detection,
//! and its own pass/fail examples.
//!
//! Host rules (RF010–RF028) judge the facts that [`crate::host`] gathers and run from
//! [`super::analyze_host`]; the other rules run over the whole form from
//! [`super::validate`].

use crate::diagnostic::Diagnostic;
use crate::host::HostCheck;
use crate::rule::RuleMeta;

use super::FormCheck;

pub(crate) mod keys;
crate::rule_family! {
    rules: [
        rf001_registry_name_invalid::RF001,
        rf002_registry_name_duplicate::RF002,
        rf010_registry_host_required::RF010,
        rf011_registry_host_scheme_or_trailing_slash::RF011,
        rf012_registry_host_credentials_or_query::RF012,
        rf013_registry_host_malformed::RF013,
        rf014_registry_host_has_path::RF014,
        rf021_ecr_kind_without_ecr_host::RF021,
        rf022_ecr_host_with_generic_kind::RF022,
        rf023_public_ecr_credentials::RF023,
        rf024_ecr_host_region_partition::RF024,
        rf025_ecr_host_unknown_region::RF025,
        rf026_ecr_host_unsupported_endpoint::RF026,
        rf027_ecr_host_near_miss::RF027,
        rf028_vanity_host_override_invalid::RF028,
        rf030_access_key_pair_incomplete::RF030,
        rf031_access_key_id_malformed::RF031,
        rf032_temporary_access_key::RF032,
        rf033_iam_unique_id_as_access_key::RF033,
        rf034_documentation_example_key::RF034,
        rf035_secret_access_key_malformed::RF035,
        rf036_access_key_fields_swapped::RF036,
        rf037_credential_whitespace::RF037,
        rf040_ambient_credentials::RF040,
        rf050_role_arn_invalid::RF050,
        rf051_external_id_invalid::RF051,
        rf052_external_id_without_role::RF052,
        rf060_repository_name_invalid::RF060,
        rf061_tag_invalid::RF061,
    ]
}

/// A host rule: facts about the host field in, findings out.
pub(crate) type HostRule = fn(&HostCheck<'_>, &mut Vec<Diagnostic>);

/// The host rules in the order they run (code order), each with the rule it reports; the
/// test `check_lists_cover_the_registration` holds them to the `rule_family!` list.
pub(crate) static HOST_CHECKS: &[(&RuleMeta, HostRule)] = &[
    (
        &rf010_registry_host_required::RF010,
        rf010_registry_host_required::check,
    ),
    (
        &rf011_registry_host_scheme_or_trailing_slash::RF011,
        rf011_registry_host_scheme_or_trailing_slash::check,
    ),
    (
        &rf012_registry_host_credentials_or_query::RF012,
        rf012_registry_host_credentials_or_query::check,
    ),
    (
        &rf013_registry_host_malformed::RF013,
        rf013_registry_host_malformed::check,
    ),
    (
        &rf014_registry_host_has_path::RF014,
        rf014_registry_host_has_path::check,
    ),
    (
        &rf021_ecr_kind_without_ecr_host::RF021,
        rf021_ecr_kind_without_ecr_host::check,
    ),
    (
        &rf022_ecr_host_with_generic_kind::RF022,
        rf022_ecr_host_with_generic_kind::check,
    ),
    (
        &rf024_ecr_host_region_partition::RF024,
        rf024_ecr_host_region_partition::check,
    ),
    (
        &rf025_ecr_host_unknown_region::RF025,
        rf025_ecr_host_unknown_region::check,
    ),
    (
        &rf026_ecr_host_unsupported_endpoint::RF026,
        rf026_ecr_host_unsupported_endpoint::check,
    ),
    (
        &rf027_ecr_host_near_miss::RF027,
        rf027_ecr_host_near_miss::check,
    ),
    (
        &rf028_vanity_host_override_invalid::RF028,
        rf028_vanity_host_override_invalid::check,
    ),
];

/// A form rule: the whole form and its context in, findings out.
pub(crate) type FormRule = fn(&FormCheck<'_>, &mut Vec<Diagnostic>);

/// The form rules (everything but the host rules) in the order they run (code order), each
/// with the rule it reports (RF022 has a host check and a form check).
pub(crate) static FORM_CHECKS: &[(&RuleMeta, FormRule)] = &[
    (
        &rf001_registry_name_invalid::RF001,
        rf001_registry_name_invalid::check,
    ),
    (
        &rf002_registry_name_duplicate::RF002,
        rf002_registry_name_duplicate::check,
    ),
    (
        &rf022_ecr_host_with_generic_kind::RF022,
        rf022_ecr_host_with_generic_kind::check_form,
    ),
    (
        &rf023_public_ecr_credentials::RF023,
        rf023_public_ecr_credentials::check,
    ),
    (
        &rf030_access_key_pair_incomplete::RF030,
        rf030_access_key_pair_incomplete::check,
    ),
    (
        &rf031_access_key_id_malformed::RF031,
        rf031_access_key_id_malformed::check,
    ),
    (
        &rf032_temporary_access_key::RF032,
        rf032_temporary_access_key::check,
    ),
    (
        &rf033_iam_unique_id_as_access_key::RF033,
        rf033_iam_unique_id_as_access_key::check,
    ),
    (
        &rf034_documentation_example_key::RF034,
        rf034_documentation_example_key::check,
    ),
    (
        &rf035_secret_access_key_malformed::RF035,
        rf035_secret_access_key_malformed::check,
    ),
    (
        &rf036_access_key_fields_swapped::RF036,
        rf036_access_key_fields_swapped::check,
    ),
    (
        &rf037_credential_whitespace::RF037,
        rf037_credential_whitespace::check,
    ),
    (
        &rf040_ambient_credentials::RF040,
        rf040_ambient_credentials::check,
    ),
    (
        &rf050_role_arn_invalid::RF050,
        rf050_role_arn_invalid::check,
    ),
    (
        &rf051_external_id_invalid::RF051,
        rf051_external_id_invalid::check,
    ),
    (
        &rf052_external_id_without_role::RF052,
        rf052_external_id_without_role::check,
    ),
    (
        &rf060_repository_name_invalid::RF060,
        rf060_repository_name_invalid::check,
    ),
    (&rf061_tag_invalid::RF061, rf061_tag_invalid::check),
];

/// Whether the key fields hold AWS keys (an ECR registry), so their AWS shapes apply.
pub(crate) fn uses_aws_keys(f: &FormCheck<'_>) -> bool {
    f.form.kind == crate::registry_form::RegistryKind::Ecr
}

/// Every `RF…` rule, in code order (the family's `RULES`).
pub(crate) static ALL: &[&RuleMeta] = RULES;

/// Pointer of the host field.
pub(crate) const HOST: &str = "/host";

#[cfg(test)]
mod registration {
    use super::{FORM_CHECKS, HOST_CHECKS, RULES};

    /// The check lists are written by hand (two check types, and RF022 is in both), so this
    /// holds them to the one registration: every registered rule has a check, every check
    /// names a registered rule, and each list runs in code order.
    #[test]
    fn check_lists_cover_the_registration() {
        let host: Vec<&str> = HOST_CHECKS.iter().map(|(r, _)| r.code).collect();
        let form: Vec<&str> = FORM_CHECKS.iter().map(|(r, _)| r.code).collect();
        for list in [&host, &form] {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "not in code order: {list:?}"
            );
        }
        let registered: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        for code in &registered {
            assert!(
                host.contains(code) || form.contains(code),
                "{code} is registered but never checked"
            );
        }
        for code in host.iter().chain(&form) {
            assert!(
                registered.contains(code),
                "{code} is checked but not registered"
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the rules' own tests.

    use crate::Diagnostic;
    use crate::registry_form::{FormContext, HostOverride, RegistryForm, RegistryKind};

    /// The findings of `code` for a host value.
    pub(crate) fn host(code: &str, host: &str, kind: RegistryKind) -> Vec<Diagnostic> {
        host_with(code, host, None, kind)
    }

    /// The findings of `code` for a host value with an override.
    pub(crate) fn host_with(
        code: &str,
        host: &str,
        host_override: Option<(&str, &str)>,
        kind: RegistryKind,
    ) -> Vec<Diagnostic> {
        let o = host_override.map(|(account_id, region)| HostOverride {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
        });
        let found = crate::registry_form::analyze_host(host, o.as_ref(), kind).diagnostics;
        crate::catalog::style::assert_styled(&found);
        found.into_iter().filter(|d| d.code() == code).collect()
    }

    /// The findings of `code` for a whole form.
    pub(crate) fn form_findings(
        code: &str,
        form: &RegistryForm,
        ctx: &FormContext,
    ) -> Vec<Diagnostic> {
        let found = crate::registry_form::validate(form, ctx);
        crate::catalog::style::assert_styled(found.iter());
        found.into_iter().filter(|d| d.code() == code).collect()
    }

    /// The codes of every finding for a whole form.
    pub(crate) fn form_codes(form: &RegistryForm, ctx: &FormContext) -> Vec<&'static str> {
        let found = crate::registry_form::validate(form, ctx);
        crate::catalog::style::assert_styled(found.iter());
        found.into_iter().map(|d| d.code()).collect()
    }

    /// Applies the finding's fix to `value`.
    pub(crate) fn fixed(d: &Diagnostic, value: &str) -> String {
        d.fix()
            .and_then(|f| f.apply(value))
            .unwrap_or_else(|| panic!("{} has no applicable fix: {d:?}", d.code()))
    }
}
