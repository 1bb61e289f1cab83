//! Wire types of the registry commands (`pullpass registry test`, `repos`, `images`, `import`):
//! what `pullpass-ecr` fills in and `--format json` prints inside a [`super::FindingsReport`].

use serde::{Deserialize, Serialize};

/// The result of testing one registry end to end (`pullpass registry test`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    /// The registry's configured name.
    pub registry: String,
    pub host: String,
    /// `privateEcr`, `publicEcr` or `generic`.
    pub kind: String,
    /// True when every check passed.
    pub ok: bool,
    /// `static`, `ambient`, `profile`, `basic`, `anonymous`.
    pub auth_mode: String,
    /// Where the credentials came from: `env`, `web-identity`, `container`, `profile`,
    /// `static`, `instance-metadata`, `sso`, `process`, `basic`, `none`; with
    /// ` + assumed-role` when a role was assumed on top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_source: Option<String>,
    /// The role assumed on top of the base credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_role: Option<String>,
    /// `sts:GetCallerIdentity` ARN of the identity that asks for tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub fips: bool,
    pub dual_stack: bool,
    /// True when account and region come from the vanity-host override.
    pub from_override: bool,
    /// The AWS API endpoint the token is requested from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<String>,
    /// When the registry token expires (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<String>,
    /// Whether the token came from the token cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_from_cache: Option<bool>,
    /// The `GET /v2/` probe of the registry with the credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<Probe>,
    /// Every check, in order: `config`, `credentials`, `identity`, `token`, `probe`.
    pub checks: Vec<Check>,
    /// The likely cause of the first failure and what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// One step of the connection test.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub name: String,
    pub status: CheckStatus,
    /// What was found (never a secret).
    pub detail: String,
    /// For a failure: the likely cause and what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Ok,
    Warning,
    Failed,
    Skipped,
}

/// The `GET /v2/` probe.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub url: String,
    /// HTTP status of the final request, when the registry answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub ok: bool,
    pub detail: String,
}

/// A repository (`pullpass repos`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryReport {
    pub name: String,
    /// `host/name`: what an image reference starts with.
    pub uri: String,
    /// RFC 3339, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// An image, one manifest (`pullpass images`, `pullpass import`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageReport {
    pub repository: String,
    /// `sha256:…`.
    pub digest: String,
    pub tags: Vec<String>,
    /// `host/repository@digest`: the reference that pins this image.
    pub reference: String,
    /// RFC 3339, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}
