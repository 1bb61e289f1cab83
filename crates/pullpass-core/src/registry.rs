//! The registry model: what a configured registry *is*, independent of how it is typed in
//! (the Add-registry form, `registry_form`), how its host is read (`host`) or how tokens are
//! fetched for it (`pullpass-ecr`). All three share these types, so none of them depends on
//! another's UI or backend.

use serde::{Deserialize, Serialize};

/// The kind of registry: ECR (temporary tokens from AWS) or a generic basic-auth registry.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistryKind {
    #[default]
    Ecr,
    Generic,
}

impl RegistryKind {
    /// The config and CLI spelling: `ecr`, `generic`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ecr => "ecr",
            Self::Generic => "generic",
        }
    }
}

/// Account and region for a host that cannot be parsed (a CNAME or pull-through proxy in front
/// of ECR).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostOverride {
    /// 12-digit AWS account ID that owns the registry.
    #[serde(default)]
    pub account_id: String,
    /// AWS region of the registry, e.g. `eu-central-1`.
    #[serde(default)]
    pub region: String,
}

impl HostOverride {
    /// Whether at least one of the fields is filled in (blank means "no override").
    #[must_use]
    pub fn is_set(&self) -> bool {
        !self.account_id.trim().is_empty() || !self.region.trim().is_empty()
    }
}

/// Whether `s` is a 12-digit AWS account ID: the one account-ID check (host grammar, IAM
/// policies, the ECR backend's override).
#[must_use]
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}
