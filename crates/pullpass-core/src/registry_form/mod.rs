//! The Add-registry form of the product doc and its `RF…` rules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rule::RuleMeta;
use crate::secret::SecretText;

/// Every `RF…` rule.
pub static RULES: &[&RuleMeta] = &[];

/// The kind of registry: ECR (temporary tokens from AWS) or a generic basic-auth registry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegistryKind {
    #[default]
    Ecr,
    Generic,
}

/// Account and region for a host that cannot be parsed (a CNAME or pull-through proxy in front
/// of ECR).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostOverride {
    /// 12-digit AWS account ID that owns the registry.
    #[serde(default)]
    pub account_id: String,
    /// AWS region of the registry, e.g. `eu-central-1`.
    #[serde(default)]
    pub region: String,
}

/// The fields of the Add-registry dialog. Blank strings are "not filled in".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(
    title = "pullpass registry form",
    description = "The Add-registry dialog: what `pullpass check registry --form` and the wasm `validateRegistryForm` take."
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FormContext {
    /// Names of the registries that already exist (RF002).
    #[serde(default)]
    pub existing_names: Vec<String>,
}

/// Runs every `RF…` rule over `form` (contract of the form engineer; placeholder on this
/// branch until `form` is merged: it finds nothing).
#[must_use]
pub fn validate(form: &RegistryForm, ctx: &FormContext) -> Vec<crate::Diagnostic> {
    let _ = (form, ctx);
    Vec::new()
}
