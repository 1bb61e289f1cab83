//! The Add-registry form of the product doc and its `RF…` rules.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::host::{HostAnalysis, HostKind};
use crate::rule::RuleMeta;
use crate::secret::SecretText;

pub(crate) mod rules;

pub use rules::rf060_repository_name_invalid::validate_repository;
pub use rules::rf061_tag_invalid::validate_tag;

/// Every `RF…` rule, in code order.
pub static RULES: &[&RuleMeta] = rules::ALL;

/// The registry model's types, re-exported so the form's rule files keep their imports; code
/// outside the form names them by [`crate::registry`].
pub use crate::registry::{HostOverride, RegistryKind};

/// The fields of the Add-registry dialog. Blank strings are "not filled in".
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(
    feature = "schema",
    schemars(
        title = "pullpass registry form",
        description = "The Add-registry dialog: what `pullpass check registry --form` and the wasm `validateRegistryForm` take."
    )
)]
pub struct RegistryForm {
    /// Display name, unique among the platform's registries (case-insensitive).
    #[serde(default)]
    pub name: String,
    /// Registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`.
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub kind: RegistryKind,
    /// AWS access key ID. Leave it and the secret blank to use IRSA / EKS Pod Identity.
    #[serde(default)]
    pub access_key_id: String,
    /// AWS secret access key. Never echoed in any finding.
    #[serde(default)]
    pub secret_access_key: SecretText,
    /// Session token for temporary (`ASIA…`) keys. Never echoed in any finding.
    #[serde(default)]
    pub session_token: SecretText,
    /// Role to assume before calling ECR (cross-account).
    #[serde(default)]
    pub role_arn: String,
    /// External ID required by the role's trust policy.
    #[serde(default)]
    pub external_id: String,
    /// Account and region for a vanity host.
    #[serde(default, rename = "override", skip_serializing_if = "Option::is_none")]
    pub host_override: Option<HostOverride>,
    /// Import Image: the repository to import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Import Image: a tag or a `sha256:` digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// What the form is checked against besides itself.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormContext {
    /// Names of the registries that already exist (RF002).
    #[serde(default)]
    pub existing_names: Vec<String>,
}

/// What the form rules look at: the form, its context, and the host analysis.
#[derive(Debug)]
pub(crate) struct FormCheck<'a> {
    pub(crate) form: &'a RegistryForm,
    pub(crate) ctx: &'a FormContext,
    pub(crate) host: &'a HostAnalysis,
}

/// What [`validate`] found: every finding, in the core's one order ([`sort`]), and the host
/// analysis the host rules ran on, so no caller has to analyse the host again.
#[derive(Debug, Clone)]
pub struct FormValidation {
    /// Every `RF…` finding over the form, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// The host field's analysis (its own findings are among [`Self::diagnostics`] too).
    pub host: HostAnalysis,
}

impl FormValidation {
    /// The findings, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.diagnostics.iter()
    }

    /// Whether the form may be submitted: no finding is an error.
    #[must_use]
    pub fn can_submit(&self) -> bool {
        !self
            .diagnostics
            .iter()
            .any(|d| d.severity() == crate::Severity::Error)
    }
}

impl IntoIterator for FormValidation {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.diagnostics.into_iter()
    }
}

/// Every `RF…` rule over `form`, sorted for output ([`sort`]), and the host analysis. Pointers
/// name the form field (`/name`, `/host`, `/accessKeyId`, …); ranges are byte ranges into that
/// field's value. Secret values never appear in a message, help or fix.
#[must_use]
pub fn validate(form: &RegistryForm, ctx: &FormContext) -> FormValidation {
    let host = analyze_host(&form.host, form.host_override.as_ref(), form.kind);
    let check = FormCheck {
        form,
        ctx,
        host: &host,
    };
    let mut out = host.diagnostics.clone();
    for (_, rule) in rules::FORM_CHECKS {
        rule(&check, &mut out);
    }
    sort(&mut out);
    FormValidation {
        diagnostics: out,
        host,
    }
}

/// The host rules (RF010–RF028) over one host value (+ the optional vanity-host override, +
/// the form's kind): [`crate::host`] gathers the facts, the rules judge them. Findings are
/// sorted ([`sort`]); pointers are `/host`, `/override/accountId`, `/override/region`.
///
/// Never panics, whatever the input; every range indexes `host` (or the override field its
/// pointer names) and lies on char boundaries.
#[must_use]
pub fn analyze_host(
    host: &str,
    host_override: Option<&HostOverride>,
    kind: RegistryKind,
) -> HostAnalysis {
    let facts = crate::host::analyze(host, host_override, kind);
    let mut diagnostics = Vec::new();
    for (_, rule) in rules::HOST_CHECKS {
        rule(&facts, &mut diagnostics);
    }
    drop_fixes_that_leave_no_host(host, &mut diagnostics);
    sort(&mut diagnostics);
    facts.into_analysis(diagnostics)
}

/// [`analyze_host`] when the kind is not known (`pullpass host` without `--kind`, the
/// browser's `parseRegistryHost` without a kind): an ECR host or a near miss of one is judged
/// as ECR; anything else as a generic registry, so `ghcr.io` is "other" without an RF021 error.
#[must_use]
pub fn analyze_host_any_kind(host: &str, host_override: Option<&HostOverride>) -> HostAnalysis {
    let as_ecr = analyze_host(host, host_override, RegistryKind::Ecr);
    if as_ecr.kind == HostKind::Other && as_ecr.diagnostics.iter().any(|d| d.code() == "RF021") {
        analyze_host(host, host_override, RegistryKind::Generic)
    } else {
        as_ecr
    }
}

/// A fix of the host field that would leave no host name (`a@` without its user info, a path
/// cut off `user:pw@/x`) or changes nothing is not offered: applying it cannot help (issue 15
/// #7: RF012's "remove the user info" left a blank host).
fn drop_fixes_that_leave_no_host(raw: &str, diagnostics: &mut [Diagnostic]) {
    for d in diagnostics.iter_mut().filter(|d| d.pointer() == "/host") {
        let useless = d.fix().is_some_and(|fix| match fix.apply(raw) {
            Some(fixed) => {
                fixed == raw || {
                    let s = crate::host::HostSyntax::parse(&fixed);
                    s.host.is_empty() || fixed.trim().is_empty()
                }
            }
            None => true,
        });
        if useless {
            d.take_fix();
        }
    }
}

/// The order of the form's fields, for sorting findings the way the dialog shows them.
const FIELD_ORDER: &[&str] = &[
    "/name",
    "/host",
    "/kind",
    "/override",
    "/accessKeyId",
    "/secretAccessKey",
    "/sessionToken",
    "/roleArn",
    "/externalId",
    "/repository",
    "/tag",
];

/// The one order of the form's findings, on every surface (CLI, JSON, wasm): by field (dialog
/// order, `FIELD_ORDER`), then pointer, then position in the field, then severity (worst
/// first), then code. Adapters pass findings through in this order and never re-sort.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    let rank = |pointer: &str| {
        FIELD_ORDER
            .iter()
            .position(|f| pointer == *f || pointer.starts_with(&format!("{f}/")))
            .unwrap_or(FIELD_ORDER.len())
    };
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                rank(d.pointer()),
                d.pointer().to_owned(),
                d.range().map_or((0, 0), |r| (r.start, r.end)),
                std::cmp::Reverse(d.severity()),
                d.code(),
            )
        };
        key(a).cmp(&key(b))
    });
}

impl RegistryForm {
    /// The value of the field a finding's pointer names (`/host`, `/override/region`, …), for
    /// applying fixes and checking ranges. Secret fields are included: call
    /// [`field_display`] for anything a person will see.
    #[must_use]
    pub fn field(&self, pointer: &str) -> Option<&str> {
        let o = self.host_override.as_ref();
        Some(match pointer {
            "/name" => &self.name,
            "/host" => &self.host,
            "/accessKeyId" => &self.access_key_id,
            "/secretAccessKey" => self.secret_access_key.expose(),
            "/sessionToken" => self.session_token.expose(),
            "/roleArn" => &self.role_arn,
            "/externalId" => &self.external_id,
            "/override/accountId" => &o?.account_id,
            "/override/region" => &o?.region,
            "/repository" => self.repository.as_deref()?,
            "/tag" => self.tag.as_deref()?,
            _ => return None,
        })
    }
}

/// The value of a form field as it may be shown next to a finding (same byte length, so the
/// finding's range still applies): `None` for secret fields and for an access key ID that
/// looks like a secret; the host with user info, query and fragment masked.
#[must_use]
pub fn field_display<'a>(form: &'a RegistryForm, pointer: &str) -> Option<Cow<'a, str>> {
    match pointer {
        "/secretAccessKey" | "/sessionToken" => None,
        "/accessKeyId" if rules::keys::looks_like_secret(form.access_key_id.trim()) => None,
        "/host" => Some(Cow::Owned(crate::host::redacted(&form.host))),
        _ => form.field(pointer).map(Cow::Borrowed),
    }
}

/// An access key ID as it may be shown anywhere (`registry show`, JSON, messages): the value
/// itself, or a placeholder when it looks like a secret access key pasted into the wrong
/// field (issue 15 #11; `check registry` already hid it via [`field_display`]).
#[must_use]
pub fn shown_access_key_id(value: &str) -> Cow<'_, str> {
    if rules::keys::looks_like_secret(value.trim()) {
        Cow::Borrowed("<hidden: looks like a secret access key, not a key ID>")
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests;
