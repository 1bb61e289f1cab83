//! The transfer types: what crosses into JavaScript.
//!
//! Serialization is a compatibility contract with every admin UI that imports the package, so
//! these are structs of this crate, never internal core types derived onto the wire. Ranges are
//! in UTF-16 code units (what `String.prototype.slice` and `<textarea>.setSelectionRange` take),
//! lines and columns 1-based with columns in UTF-16 code units. `TYPESCRIPT` below describes the
//! same shapes for TypeScript; a test checks that every field serialized here is declared there.

use pullpass_core::text::{ColumnUnit, LineIndex};
use pullpass_core::{Diagnostic, Severity};
use serde::Serialize;
#[cfg(feature = "exports")]
use wasm_bindgen::prelude::wasm_bindgen;

/// A failure to run (bad input shape), as a value: `{ ok: false, error }`.
#[derive(Debug, Serialize)]
pub struct Failure {
    pub ok: bool,
    pub error: String,
}

impl Failure {
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            ok: false,
            error: error.into(),
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// JSON pointer: the form field (`/host`) or the policy element (`/Statement/0/Condition`).
    pub pointer: String,
    /// Where, in the field's value (forms) or the policy text; absent for whole-input findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
    pub fixes: Vec<Fix>,
}

/// A range in UTF-16 code units, with 1-based line/column of both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Range {
    pub start: u32,
    pub end: u32,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// A mechanical fix: apply its edits (back to front) to the same text the range points into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    pub message: String,
    /// `safe` (keeps the evident meaning) or `unsafe` (changes it: show it, do not auto-apply).
    pub applicability: &'static str,
    pub edits: Vec<Edit>,
}

/// Replace `start..end` (UTF-16 code units) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Edit {
    pub start: u32,
    pub end: u32,
    pub replacement: String,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let mut summary = Self::default();
        for f in findings {
            match f.severity {
                "error" => summary.errors += 1,
                "warning" => summary.warnings += 1,
                _ => summary.infos += 1,
            }
        }
        summary
    }
}

/// What a registry host is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostInfo {
    /// The host as it should be stored: lower case, no scheme or path.
    pub host: String,
    /// `privateEcr`, `publicEcr` or `other`.
    pub kind: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub partition: Option<String>,
    pub fips: bool,
    pub dual_stack: bool,
    /// Public ECR: pulls need no credentials.
    pub public: bool,
    /// Account and region come from the vanity-host override.
    pub from_override: bool,
}

/// One rule of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    /// `registry-form`, `trust-policy` or `permissions-policy`.
    pub family: &'static str,
    pub severity: &'static str,
    pub summary: &'static str,
    /// Markdown: What it does / Why is this bad / Example / Fix.
    pub docs: &'static str,
}

/// The options of `lintPolicy`: the CLI's `pullpass lint` context flags (read by
/// [`crate::input::lint_options`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// `trust`, `permissions` or `auto` (the default).
    pub kind: Option<String>,
    /// `namespace/name` of the service account the role is for.
    pub expected_service_account: Option<String>,
    pub expected_issuer: Option<String>,
    pub expected_provider_arn: Option<String>,
    pub role_arn: Option<String>,
    pub registry_host: Option<String>,
    pub repository: Option<String>,
}

pub fn severity(severity: Severity) -> &'static str {
    severity.as_str()
}

/// The transfer form of `diagnostic`, whose byte ranges point into `source`.
pub fn finding(diagnostic: &Diagnostic, source: &LineIndex<'_>) -> Finding {
    let range = diagnostic.range().map(|r| {
        let start = source.line_column(r.start, ColumnUnit::Utf16);
        let end = source.line_column(r.end, ColumnUnit::Utf16);
        Range {
            start: source.utf16_offset(r.start),
            end: source.utf16_offset(r.end),
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    });
    Finding {
        code: diagnostic.code().to_owned(),
        severity: severity(diagnostic.severity()),
        message: diagnostic.message().to_owned(),
        help: diagnostic.help().map(str::to_owned),
        pointer: diagnostic.pointer().to_owned(),
        range,
        fixes: diagnostic
            .fix()
            .iter()
            .map(|fix| Fix {
                message: fix.message.clone(),
                applicability: fix.applicability.as_str(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| Edit {
                        start: source.utf16_offset(e.range.start),
                        end: source.utf16_offset(e.range.end),
                        replacement: e.replacement.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(feature = "exports")]
#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT_SECTION: &str = TYPESCRIPT;

/// TypeScript declarations of the transfer types, emitted into `pullpass.d.ts`.
pub const TYPESCRIPT: &str = r#"
/** `{ ok: false, error }`: the call could not run (the input had the wrong shape). Findings are never errors. */
export interface Failure { ok: false; error: string }

export type Severity = "error" | "warning" | "info";

/** A range in UTF-16 code units (what `String.prototype.slice` takes), with 1-based line/column; columns count UTF-16 code units. */
export interface Range { start: number; end: number; startLine: number; startColumn: number; endLine: number; endColumn: number }

/** Replace `start..end` (UTF-16 code units of the same text the finding points into) with `replacement`. */
export interface Edit { start: number; end: number; replacement: string }

/** A mechanical fix: apply all its edits, back to front. `unsafe` fixes change the meaning: show them, never auto-apply. */
export interface Fix { message: string; applicability: "safe" | "unsafe" | "display"; edits: Edit[] }

/** One finding: the same code, severity and message as `pullpass … --format json`. */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  help?: string;
  /** JSON pointer: the form field (`/host`, `/override/region`) or the policy element. */
  pointer: string;
  /** In the field's value (forms) or the policy text; absent for findings about the whole input. */
  range?: Range;
  fixes: Fix[];
}

export interface Summary { errors: number; warnings: number; infos: number }

/** What a registry host is. */
export interface HostInfo {
  /** As it should be stored: lower case, no scheme or path. */
  host: string;
  kind: "privateEcr" | "publicEcr" | "other";
  account: string | null;
  region: string | null;
  partition: string | null;
  fips: boolean;
  dualStack: boolean;
  /** Public ECR: pulls need no credentials. */
  public: boolean;
  /** Account and region come from the vanity-host override. */
  fromOverride: boolean;
}

/** The Add-registry dialog (schemas/registry-form.schema.json). Blank strings mean "not filled in". */
export interface RegistryForm {
  name?: string;
  host?: string;
  kind?: "ecr" | "generic";
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  roleArn?: string;
  externalId?: string;
  /** Account and region of a vanity host (CNAME, pull-through proxy). */
  override?: { accountId?: string; region?: string };
  repository?: string;
  tag?: string;
}

export interface FormContext { existingNames?: string[] }

export interface FormResult {
  ok: true;
  findings: Finding[];
  summary: Summary;
  /** What the host parses to; null while the host is blank. */
  host: HostInfo | null;
  /** No error-severity finding: the dialog may submit. */
  canSubmit: boolean;
}

export interface HostOptions {
  /** Absent: ECR for ECR hosts and near misses, generic for anything else (as `pullpass host`). */
  kind?: "ecr" | "generic";
  override?: { accountId?: string; region?: string };
}

export interface HostResult { ok: true; host: HostInfo; findings: Finding[]; summary: Summary }

/** The context flags of `pullpass lint`. */
export interface LintOptions {
  kind?: "trust" | "permissions" | "auto";
  /** `namespace/name`. */
  expectedServiceAccount?: string;
  expectedIssuer?: string;
  expectedProviderArn?: string;
  roleArn?: string;
  registryHost?: string;
  repository?: string;
}

export interface LintResult {
  ok: true;
  /** null when the document could be read as neither. */
  kind: "trust" | "permissions" | null;
  /** The kind was detected, not given. */
  kindDetected: boolean;
  findings: Finding[];
  summary: Summary;
}

/** What `fixPolicy` returns: the policy with every fix the level allows applied (the core's fix loop, as `pullpass lint --fix`). */
export interface FixResult {
  ok: true;
  text: string;
  /** How many fixes were applied. */
  applied: number;
}

/** Options of `generateTrustPolicy` (the flags of `pullpass trust-policy`). */
export interface GenerateOptions {
  /** Default "irsa". */
  mechanism?: "irsa" | "podIdentity";
  /** IRSA: the cluster's OIDC issuer URL (then `account` is needed) … */
  issuer?: string;
  /** … or the IAM OIDC provider ARN (gives account and partition). */
  providerArn?: string;
  /** IRSA: the 12-digit account that holds the IAM OIDC provider. */
  account?: string;
  /** IRSA: `aws`, `aws-cn`, …; derived from the issuer's region when absent. */
  partition?: string;
  namespace: string;
  serviceAccount: string;
  /** Pod Identity: restrict to one cluster. */
  clusterArn?: string;
}

export interface PolicyResult { ok: true; policy: string }

/** `values.yaml` for the platform's helm chart, with the `kubectl` checks as comments. */
export interface HelmResult { ok: true; values: string }

export interface RuleInfo {
  code: string;
  name: string;
  family: "registry-form" | "trust-policy" | "permissions-policy" | "doctor";
  severity: Severity;
  summary: string;
  /** Markdown: What it does / Why is this bad / Example / Fix. */
  docs: string;
}
"#;
