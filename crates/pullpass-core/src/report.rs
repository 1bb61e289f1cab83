//! The wire shape of findings: what `--format json` prints and `schemas/findings.schema.json`
//! describes.
//!
//! These are transfer types, a compatibility contract kept apart from the internal
//! [`Diagnostic`]: renaming an internal field must never change the JSON a CI job parses.
//! Columns here count Unicode scalar values (what a terminal shows); SARIF and the wasm package
//! convert to UTF-16 themselves.

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Applicability, Diagnostic, Severity, Summary};
use crate::text::{ColumnUnit, LineIndex};

mod registry;
pub use registry::{Check, CheckStatus, ConnectionReport, ImageReport, Probe, RepositoryReport};

/// Version of the JSON output contract. Bump only on a breaking change.
pub const REPORT_VERSION: u32 = 1;

/// The top-level object of every `--format json` output.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    schemars(
        title = "pullpass findings",
        description = "Findings printed by `pullpass … --format json`."
    )
)]
pub struct FindingsReport {
    /// Output contract version; this schema describes version 1.
    pub version: u32,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// The inputs that were checked, with what pullpass decided about each (`pullpass lint`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileReport>,
    /// What the registry host parsed to (`pullpass host`, `pullpass check registry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<HostReport>,
    /// What `pullpass registry test` found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<ConnectionReport>,
    /// `pullpass repos`: one page, or every page with `--all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repositories: Option<Vec<RepositoryReport>>,
    /// `pullpass images` (one page, or all), `pullpass import` (the one image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<ImageReport>>,
    /// Pass as `--next-token` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl FindingsReport {
    #[must_use]
    pub fn new(findings: Vec<Finding>) -> Self {
        let summary = Summary {
            errors: findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count(),
            warnings: findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count(),
            infos: findings
                .iter()
                .filter(|f| f.severity == Severity::Info)
                .count(),
        };
        Self {
            version: REPORT_VERSION,
            findings,
            summary,
            files: Vec::new(),
            host: None,
            connection: None,
            repositories: None,
            images: None,
            next_token: None,
        }
    }
}

/// One input file of a `pullpass lint` run.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    pub path: String,
    /// `trust`, `permissions`, or `unknown` when the document could not be read as either.
    pub kind: String,
    /// How the kind was chosen: `flag` (from `--kind`) or `detected`.
    pub kind_source: String,
    pub summary: Summary,
}

/// What a registry host is.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostReport {
    /// The host as checked (normalized: no scheme, lower case).
    pub host: String,
    /// `privateEcr`, `publicEcr` or `other`.
    pub kind: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub partition: Option<String>,
    pub fips: bool,
    pub dual_stack: bool,
    /// True when account and region come from a vanity-host override, not from the host name.
    #[serde(default)]
    pub from_override: bool,
}

/// One finding.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable rule code, e.g. `RF011` or `TP022`.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// JSON pointer to the form field or policy element; `""` is the whole input.
    pub pointer: String,
    /// The input file, for findings about files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Byte range in the input (the field's value for forms, the file for policies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<ByteRange>,
    /// 1-based start position, columns in Unicode scalar values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Position>,
    /// 1-based end position (exclusive), columns in Unicode scalar values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Position>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<FixReport>,
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteRange {
    pub start: u32,
    pub end: u32,
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixReport {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<EditReport>,
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditReport {
    pub range: ByteRange,
    pub replacement: String,
}

impl Finding {
    /// The wire form of `diagnostic`. With `source` (the text its range points into), the
    /// finding also carries line/column positions.
    #[must_use]
    pub fn from_diagnostic(
        diagnostic: &Diagnostic,
        source: Option<&LineIndex<'_>>,
        file: Option<&str>,
    ) -> Self {
        let range = diagnostic.range().map(|r| ByteRange {
            start: r.start,
            end: r.end,
        });
        let position = |offset: u32| {
            source.map(|index| {
                let lc = index.line_column(offset, ColumnUnit::Char);
                Position {
                    line: lc.line,
                    column: lc.column,
                }
            })
        };
        Self {
            code: diagnostic.code().to_owned(),
            severity: diagnostic.severity(),
            message: diagnostic.message().to_owned(),
            help: diagnostic.help().map(str::to_owned),
            pointer: diagnostic.pointer().to_owned(),
            file: file.map(str::to_owned),
            range,
            start: diagnostic.range().and_then(|r| position(r.start)),
            end: diagnostic.range().and_then(|r| position(r.end)),
            fixes: diagnostic
                .fix()
                .iter()
                .map(|fix| FixReport {
                    message: fix.message.clone(),
                    applicability: fix.applicability,
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| EditReport {
                            range: ByteRange {
                                start: e.range.start,
                                end: e.range.end,
                            },
                            replacement: e.replacement.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// `pullpass doctor --format json`: the checklist of an IRSA or Pod Identity set-up
/// (`schemas/doctor.schema.json`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    schemars(
        title = "pullpass doctor report",
        description = "The checklist printed by `pullpass doctor … --format json`."
    )
)]
pub struct DoctorReport {
    /// Output contract version; this schema describes version 1.
    pub version: u32,
    /// `irsa` or `podIdentity`.
    pub mode: String,
    /// True when no check failed (warnings and not-checked links allowed).
    pub ok: bool,
    /// The links of the chain, in chain order.
    pub checks: Vec<DoctorCheck>,
    pub summary: DoctorSummary,
}

/// How a link fared.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DoctorCheckStatus {
    Passed,
    Warning,
    Failed,
    NotChecked,
}

/// One link of the chain.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorCheck {
    /// Stable id: `sa.annotation`, `trust.subject`, `oidc.client-id`, …
    pub id: String,
    pub title: String,
    pub status: DoctorCheckStatus,
    /// What was verified, the failure's cause, or why the link was not checked.
    pub detail: String,
    /// For failed and warning links: the rule code, cause (`message`) and fix (`help`, `fixes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<Finding>,
    /// For links not checked for want of input: the flags that would check them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// For links not checked because another failed: that link's id (`input.<name>` for an
    /// unreadable input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
}

/// Counts of checks by status.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorSummary {
    pub passed: usize,
    pub warnings: usize,
    pub failed: usize,
    pub not_checked: usize,
}
