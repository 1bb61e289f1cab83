//! What `test_connection` found, in the order it checked. A transfer type: the CLI renders it
//! as text or prints it as JSON.

use serde::Serialize;

use crate::{Error, RegistrySpec};

/// The result of testing one registry end to end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// `static`, `instance-metadata`, `assumed-role` (on top of one of these), `basic`, `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_source: Option<String>,
    /// The role assumed on top of the base credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumed_role: Option<String>,
    /// `sts:GetCallerIdentity` ARN of the identity that asks ECR for tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub fips: bool,
    pub dual_stack: bool,
    /// True when account and region come from the vanity-host override.
    pub from_override: bool,
    /// The AWS API endpoint used for the token (when known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<String>,
    /// When the registry token expires (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<String>,
    /// Whether the token came from the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_from_cache: Option<bool>,
    /// The `GET /v2/` probe of the registry with the credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<Probe>,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// The likely cause of the first failure and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// One step of the connection test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// `config`, `credentials`, `identity`, `token`, `probe`.
    pub name: String,
    pub status: CheckStatus,
    /// What was found (never a secret).
    pub detail: String,
    /// For a failure: the likely cause and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Ok,
    Warning,
    Failed,
    Skipped,
}

/// The `/v2/` probe result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub url: String,
    /// HTTP status, when the registry answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub ok: bool,
    pub detail: String,
}

impl ConnectionReport {
    pub(crate) fn new(spec: &RegistrySpec, kind: &str) -> Self {
        Self {
            registry: spec.name.clone(),
            host: crate::target::normalize_host(&spec.host),
            kind: kind.to_owned(),
            ok: true,
            auth_mode: spec.auth.mode().to_owned(),
            credential_source: None,
            assumed_role: spec.assume_role.as_ref().map(|r| r.role_arn.clone()),
            caller_arn: None,
            account: None,
            partition: None,
            region: None,
            fips: false,
            dual_stack: false,
            from_override: false,
            api_endpoint: None,
            token_expires_at: None,
            token_from_cache: None,
            probe: None,
            checks: Vec::new(),
            cause: None,
        }
    }

    /// A report for a spec that [`crate::open`] refused.
    #[must_use]
    pub fn failed_to_open(spec: &RegistrySpec, error: &Error) -> Self {
        let kind = match spec.kind {
            pullpass_core::registry_form::RegistryKind::Ecr => "privateEcr",
            pullpass_core::registry_form::RegistryKind::Generic => "generic",
        };
        let mut report = Self::new(spec, kind);
        report.fail("config", error);
        report
    }

    pub(crate) fn pass(&mut self, name: &str, detail: impl Into<String>) {
        self.push(name, CheckStatus::Ok, detail.into(), None);
    }

    pub(crate) fn warn(&mut self, name: &str, detail: impl Into<String>) {
        self.push(name, CheckStatus::Warning, detail.into(), None);
    }

    pub(crate) fn skip(&mut self, name: &str, detail: impl Into<String>) {
        self.push(name, CheckStatus::Skipped, detail.into(), None);
    }

    pub(crate) fn fail(&mut self, name: &str, error: &Error) {
        let cause = error.cause().map(str::to_owned);
        self.push(name, CheckStatus::Failed, error.to_string(), cause);
    }

    pub(crate) fn fail_with(&mut self, name: &str, detail: String, cause: Option<String>) {
        self.push(name, CheckStatus::Failed, detail, cause);
    }

    fn push(&mut self, name: &str, status: CheckStatus, detail: String, cause: Option<String>) {
        if status == CheckStatus::Failed {
            self.ok = false;
            if self.cause.is_none() {
                self.cause.clone_from(&cause);
            }
        }
        self.checks.push(Check {
            name: name.to_owned(),
            status,
            detail,
            cause,
        });
    }
}
