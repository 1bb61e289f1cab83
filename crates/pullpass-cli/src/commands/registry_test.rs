//! Rendering `pullpass registry test` (the `registry` command runs the test with
//! `Backend::test_connection` of `pullpass-ecr` and prints one of these).

use std::fmt::Write as _;

use pullpass_core::report::{CheckStatus, ConnectionReport, FindingsReport};

use crate::render::json;

/// The report for people: a header with what the registry is and who is asking, then every
/// check in order, then the likely cause of the first failure.
pub(crate) fn render_text(report: &ConnectionReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "registry {} ({}, {}): {}",
        report.registry,
        report.host,
        report.kind,
        if report.ok { "ok" } else { "FAILED" }
    );
    let mut field = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            let _ = writeln!(out, "  {key:<17} {value}");
        }
    };
    field("auth mode", Some(report.auth_mode.clone()));
    field("credentials from", report.credential_source.clone());
    field("assumed role", report.assumed_role.clone());
    field("caller", report.caller_arn.clone());
    field("account", report.account.clone());
    field("partition", report.partition.clone());
    field("region", report.region.clone());
    let mut endpoint = Vec::new();
    if report.fips {
        endpoint.push("FIPS");
    }
    if report.dual_stack {
        endpoint.push("dual-stack");
    }
    if report.from_override {
        endpoint.push("account/region from override");
    }
    field(
        "endpoint",
        (!endpoint.is_empty() || report.api_endpoint.is_some()).then(|| {
            let mut text = report.api_endpoint.clone().unwrap_or_default();
            if !endpoint.is_empty() {
                if !text.is_empty() {
                    text.push(' ');
                }
                let _ = write!(text, "({})", endpoint.join(", "));
            }
            text
        }),
    );
    field(
        "token expires",
        report
            .token_expires_at
            .clone()
            .map(|at| match report.token_from_cache {
                Some(true) => format!("{at} (cached)"),
                _ => at,
            }),
    );
    field(
        "probe",
        report.probe.as_ref().map(|p| {
            format!(
                "{} → {}",
                p.url,
                p.status
                    .map_or_else(|| "no answer".to_owned(), |s| s.to_string())
            )
        }),
    );
    let _ = writeln!(out, "checks:");
    for check in &report.checks {
        let status = match check.status {
            CheckStatus::Ok => "ok",
            CheckStatus::Warning => "warn",
            CheckStatus::Failed => "FAIL",
            CheckStatus::Skipped => "skip",
        };
        let _ = writeln!(out, "  [{status:<4}] {:<11} {}", check.name, check.detail);
        if let Some(cause) = &check.cause {
            let _ = writeln!(out, "         cause: {cause}");
        }
    }
    if let Some(cause) = &report.cause {
        let _ = writeln!(out, "likely cause: {cause}");
    }
    out
}

/// The report as JSON: a [`FindingsReport`] whose `connection` is the report.
pub(crate) fn render_json(report: &ConnectionReport) -> String {
    let mut doc = FindingsReport::new(Vec::new());
    doc.connection = Some(report.clone());
    json::to_string(&doc)
}
