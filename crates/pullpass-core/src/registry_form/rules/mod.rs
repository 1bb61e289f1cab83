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
pub(crate) mod rf001;
pub(crate) mod rf002;
pub(crate) mod rf010;
pub(crate) mod rf011;
pub(crate) mod rf012;
pub(crate) mod rf013;
pub(crate) mod rf014;
pub(crate) mod rf021;
pub(crate) mod rf022;
pub(crate) mod rf023;
pub(crate) mod rf024;
pub(crate) mod rf025;
pub(crate) mod rf026;
pub(crate) mod rf027;
pub(crate) mod rf028;
pub(crate) mod rf030;
pub(crate) mod rf031;
pub(crate) mod rf032;
pub(crate) mod rf033;
pub(crate) mod rf034;
pub(crate) mod rf035;
pub(crate) mod rf036;
pub(crate) mod rf037;
pub(crate) mod rf040;
pub(crate) mod rf050;
pub(crate) mod rf051;
pub(crate) mod rf052;
pub(crate) mod rf060;
pub(crate) mod rf061;

/// A host rule: facts about the host field in, findings out.
pub(crate) type HostRule = fn(&HostCheck<'_>, &mut Vec<Diagnostic>);

/// The host rules in the order they run.
pub(crate) static HOST_CHECKS: &[HostRule] = &[
    rf010::check,
    rf011::check,
    rf012::check,
    rf013::check,
    rf014::check,
    rf021::check,
    rf022::check,
    rf024::check,
    rf025::check,
    rf026::check,
    rf027::check,
    rf028::check,
];

/// A form rule: the whole form and its context in, findings out.
pub(crate) type FormRule = fn(&FormCheck<'_>, &mut Vec<Diagnostic>);

/// The form rules (everything but the host rules) in the order they run.
pub(crate) static FORM_CHECKS: &[FormRule] = &[
    rf001::check,
    rf002::check,
    rf022::check_form,
    rf023::check,
    rf030::check,
    rf031::check,
    rf032::check,
    rf033::check,
    rf034::check,
    rf035::check,
    rf036::check,
    rf037::check,
    rf040::check,
    rf050::check,
    rf051::check,
    rf052::check,
    rf060::check,
    rf061::check,
];

/// Whether the key fields hold AWS keys (an ECR registry), so their AWS shapes apply.
pub(crate) fn uses_aws_keys(f: &FormCheck<'_>) -> bool {
    f.form.kind == crate::registry_form::RegistryKind::Ecr
}

/// Every `RF…` rule, in code order.
pub(crate) static ALL: &[&RuleMeta] = &[
    &rf001::RF001,
    &rf002::RF002,
    &rf010::RF010,
    &rf011::RF011,
    &rf012::RF012,
    &rf013::RF013,
    &rf014::RF014,
    &rf021::RF021,
    &rf022::RF022,
    &rf023::RF023,
    &rf024::RF024,
    &rf025::RF025,
    &rf026::RF026,
    &rf027::RF027,
    &rf028::RF028,
    &rf030::RF030,
    &rf031::RF031,
    &rf032::RF032,
    &rf033::RF033,
    &rf034::RF034,
    &rf035::RF035,
    &rf036::RF036,
    &rf037::RF037,
    &rf040::RF040,
    &rf050::RF050,
    &rf051::RF051,
    &rf052::RF052,
    &rf060::RF060,
    &rf061::RF061,
];

/// Pointer of the host field.
pub(crate) const HOST: &str = "/host";

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
        crate::registry_form::analyze_host(host, o.as_ref(), kind)
            .diagnostics
            .into_iter()
            .filter(|d| d.code == code)
            .collect()
    }

    /// The findings of `code` for a whole form.
    pub(crate) fn form_findings(
        code: &str,
        form: &RegistryForm,
        ctx: &FormContext,
    ) -> Vec<Diagnostic> {
        crate::registry_form::validate(form, ctx)
            .into_iter()
            .filter(|d| d.code == code)
            .collect()
    }

    /// The codes of every finding for a whole form.
    pub(crate) fn form_codes(form: &RegistryForm, ctx: &FormContext) -> Vec<&'static str> {
        crate::registry_form::validate(form, ctx)
            .into_iter()
            .map(|d| d.code)
            .collect()
    }

    /// Applies the finding's fix to `value`.
    pub(crate) fn fixed(d: &Diagnostic, value: &str) -> String {
        d.fix
            .as_ref()
            .and_then(|f| f.apply(value))
            .unwrap_or_else(|| panic!("{} has no applicable fix: {d:?}", d.code))
    }
}
