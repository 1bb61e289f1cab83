//! Filling in a [`ConnectionReport`] (the wire type lives in `pullpass_core::report`, so the
//! JSON output and its schema are defined once).

pub use pullpass_core::report::{Check, CheckStatus, ConnectionReport, Probe};

use crate::{Error, RegistrySpec};

/// A report for a spec that [`crate::open`] refused.
#[must_use]
pub fn failed_to_open(spec: &RegistrySpec, error: &Error) -> ConnectionReport {
    let kind = match spec.kind {
        pullpass_core::registry::RegistryKind::Ecr => "privateEcr",
        pullpass_core::registry::RegistryKind::Generic => "generic",
    };
    let mut report = ConnectionReport::new_for(spec, kind);
    report.fail("config", error);
    report
}

/// Building a report check by check.
pub(crate) trait ReportExt {
    fn new_for(spec: &RegistrySpec, kind: &str) -> Self;
    fn pass(&mut self, name: &str, detail: impl Into<String>);
    fn warn(&mut self, name: &str, detail: impl Into<String>);
    fn skip(&mut self, name: &str, detail: impl Into<String>);
    fn fail(&mut self, name: &str, error: &Error);
    fn fail_with(&mut self, name: &str, detail: String, cause: Option<String>);
}

impl ReportExt for ConnectionReport {
    fn new_for(spec: &RegistrySpec, kind: &str) -> Self {
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

    fn pass(&mut self, name: &str, detail: impl Into<String>) {
        push(self, name, CheckStatus::Ok, detail.into(), None);
    }

    fn warn(&mut self, name: &str, detail: impl Into<String>) {
        push(self, name, CheckStatus::Warning, detail.into(), None);
    }

    fn skip(&mut self, name: &str, detail: impl Into<String>) {
        push(self, name, CheckStatus::Skipped, detail.into(), None);
    }

    fn fail(&mut self, name: &str, error: &Error) {
        let cause = error.cause().map(str::to_owned);
        push(self, name, CheckStatus::Failed, error.to_string(), cause);
    }

    fn fail_with(&mut self, name: &str, detail: String, cause: Option<String>) {
        push(self, name, CheckStatus::Failed, detail, cause);
    }
}

fn push(
    report: &mut ConnectionReport,
    name: &str,
    status: CheckStatus,
    detail: String,
    cause: Option<String>,
) {
    if status == CheckStatus::Failed {
        report.ok = false;
        if report.cause.is_none() {
            report.cause.clone_from(&cause);
        }
    }
    report.checks.push(Check {
        name: name.to_owned(),
        status,
        detail,
        cause,
    });
}
