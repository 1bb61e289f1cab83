//! The transfer types: what crosses into JavaScript.
//!
//! Serialization is a compatibility contract with every admin UI that imports the package, so
//! these are structs of this crate, never internal core types derived onto the wire. Ranges are
//! in UTF-16 code units (what `String.prototype.slice` and `<textarea>.setSelectionRange` take),
//! lines and columns 1-based with columns in UTF-16 code units. `TYPESCRIPT` below describes the
//! same shapes for TypeScript; a test checks that every field serialized here is declared there.

use pullpass_core::doctor::{Checklist, Input, Mode, Status};
use pullpass_core::text::{ColumnUnit, LineIndex};
use pullpass_core::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};
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

/// The options of `lintPolicy`: the CLI's `pullpass lint` context flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LintOptions {
    /// `trust`, `permissions` or `auto` (the default).
    #[serde(default)]
    pub kind: Option<String>,
    /// `namespace/name` of the service account the role is for.
    #[serde(default)]
    pub expected_service_account: Option<String>,
    #[serde(default)]
    pub expected_issuer: Option<String>,
    #[serde(default)]
    pub expected_provider_arn: Option<String>,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub registry_host: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
}

/// The artifacts of `checkIrsa`: the flags of `pullpass doctor irsa`, as text. Absent, `null`
/// or blank: not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DoctorIrsaInputs {
    #[serde(default)]
    pub service_account: Option<String>,
    #[serde(default)]
    pub helm_values: Option<String>,
    #[serde(default)]
    pub expected_service_account: Option<String>,
    #[serde(default)]
    pub trust_policy: Option<String>,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub oidc_provider: Option<String>,
    #[serde(default)]
    pub registry: Option<String>,
    #[serde(default)]
    pub pod_env: Option<String>,
    #[serde(default)]
    pub permissions_policy: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
}

/// The artifacts of `checkPodIdentity`: the flags of `pullpass doctor pod-identity`, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DoctorPodIdentityInputs {
    #[serde(default)]
    pub association: Option<String>,
    #[serde(default)]
    pub service_account: Option<String>,
    #[serde(default)]
    pub expected_service_account: Option<String>,
    #[serde(default)]
    pub trust_policy: Option<String>,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub registry: Option<String>,
    #[serde(default)]
    pub pod_env: Option<String>,
    #[serde(default)]
    pub permissions_policy: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
}

/// The result of `checkIrsa` / `checkPodIdentity`: one entry per link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorResult {
    pub ok: bool,
    /// `irsa` or `podIdentity`.
    pub mode: &'static str,
    /// No check failed (warnings and not-checked links allowed): the CLI's `ok`.
    pub sound: bool,
    pub checks: Vec<DoctorCheck>,
    pub summary: DoctorSummary,
}

/// One link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorCheck {
    pub id: &'static str,
    pub title: &'static str,
    /// `passed`, `warning`, `failed` or `notChecked`.
    pub status: &'static str,
    pub detail: String,
    /// Failed and warning links: rule code, cause (`message`), fix (`help`, `fixes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<Finding>,
    /// The input (a key of the inputs object) the finding's range and fixes point into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<&'static str>,
    /// Not checked for want of input: the inputs (keys of the inputs object) that would check it.
    pub needs: Vec<&'static str>,
    /// Not checked because another link failed: that check's id (`input.<flag>` for an
    /// unreadable input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<&'static str>,
}

/// Counts of checks by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorSummary {
    pub passed: usize,
    pub warnings: usize,
    pub failed: usize,
    pub not_checked: usize,
}

/// The key of the inputs object that gives `input` (`--trust-policy` is `trustPolicy`).
#[must_use]
pub fn input_key(input: Input) -> &'static str {
    match input {
        Input::ServiceAccount => "serviceAccount",
        Input::HelmValues => "helmValues",
        Input::ExpectedServiceAccount => "expectedServiceAccount",
        Input::TrustPolicy => "trustPolicy",
        Input::RoleArn => "roleArn",
        Input::Issuer => "issuer",
        Input::Cluster => "cluster",
        Input::OidcProvider => "oidcProvider",
        Input::Registry => "registry",
        Input::PodEnv => "podEnv",
        Input::Association => "association",
        Input::PermissionsPolicy => "permissionsPolicy",
        Input::Repository => "repository",
        Input::Live => "live",
    }
}

/// The transfer form of a checklist; `text_of` gives each input's text (ranges index it).
pub fn doctor_result<'t>(
    list: &Checklist,
    text_of: impl Fn(Input) -> Option<&'t str>,
) -> DoctorResult {
    let checks = list
        .checks
        .iter()
        .map(|c| DoctorCheck {
            id: c.id,
            title: c.title,
            status: match c.status {
                Status::Passed => "passed",
                Status::Warning => "warning",
                Status::Failed => "failed",
                Status::NotChecked => "notChecked",
            },
            detail: c.detail.clone(),
            finding: c.diagnostic.as_ref().map(|d| {
                let text = c.source.and_then(&text_of).unwrap_or("");
                finding(d, &LineIndex::new(text))
            }),
            input: c.diagnostic.as_ref().and(c.source.map(input_key)),
            needs: c.needs.iter().copied().map(input_key).collect(),
            blocked_by: c.blocked_by,
        })
        .collect();
    let s = list.summary();
    DoctorResult {
        ok: true,
        mode: match list.mode {
            Mode::Irsa => "irsa",
            Mode::PodIdentity => "podIdentity",
        },
        sound: s.failed == 0,
        checks,
        summary: DoctorSummary {
            passed: s.passed,
            warnings: s.warnings,
            failed: s.failed,
            not_checked: s.not_checked,
        },
    }
}

pub fn severity(severity: Severity) -> &'static str {
    severity.as_str()
}

/// The transfer form of `diagnostic`, whose byte ranges point into `source`.
pub fn finding(diagnostic: &Diagnostic, source: &LineIndex<'_>) -> Finding {
    let range = diagnostic.range.map(|r| {
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
        code: diagnostic.code.to_owned(),
        severity: severity(diagnostic.severity),
        message: diagnostic.message.clone(),
        help: diagnostic.help.clone(),
        pointer: diagnostic.pointer.clone(),
        range,
        fixes: diagnostic
            .fix
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

/** The artifacts of `checkIrsa` (the flags of `pullpass doctor irsa`), as the tools print them. Absent, null or blank: not given. */
export interface DoctorIrsaInputs {
  /** `kubectl get sa <name> -n <namespace> -o yaml`. */
  serviceAccount?: string | null;
  /** The chart values (`coderd.builtinProviderServiceAccount.annotations`). */
  helmValues?: string | null;
  /** `namespace/name` of the service account, when its YAML is not at hand. */
  expectedServiceAccount?: string | null;
  /** The role's trust policy JSON (or `aws iam get-role` output). */
  trustPolicy?: string | null;
  /** The role ARN (or a bare role name). */
  roleArn?: string | null;
  /** The cluster's OIDC issuer URL. */
  issuer?: string | null;
  /** `aws eks describe-cluster --name <name>`. */
  cluster?: string | null;
  /** `aws iam get-open-id-connect-provider` (or `list-open-id-connect-providers`). */
  oidcProvider?: string | null;
  /** The registry host. */
  registry?: string | null;
  /** `kubectl exec <pod> -- env`. */
  podEnv?: string | null;
  /** The role's permissions policy JSON. */
  permissionsPolicy?: string | null;
  /** The repository pulled from (scopes the permissions check). */
  repository?: string | null;
}

/** The artifacts of `checkPodIdentity` (the flags of `pullpass doctor pod-identity`). Absent, null or blank: not given. */
export interface DoctorPodIdentityInputs {
  /** `aws eks describe-pod-identity-association`. */
  association?: string | null;
  serviceAccount?: string | null;
  expectedServiceAccount?: string | null;
  trustPolicy?: string | null;
  roleArn?: string | null;
  cluster?: string | null;
  registry?: string | null;
  podEnv?: string | null;
  permissionsPolicy?: string | null;
  repository?: string | null;
}

/** A key of the inputs objects (`live`: only the CLI's `--live` can check it). */
export type DoctorInput = keyof DoctorIrsaInputs | keyof DoctorPodIdentityInputs | "live";

export type DoctorStatus = "passed" | "warning" | "failed" | "notChecked";

/** One link of the chain: the same ids, statuses, details and findings as `pullpass doctor … --format json`. */
export interface DoctorCheck {
  /** Stable id: `sa.annotation`, `trust.subject`, `oidc.client-id`, … */
  id: string;
  title: string;
  status: DoctorStatus;
  /** What was verified, the failure's cause, or why the link was not checked. */
  detail: string;
  /** Failed and warning links: rule code, cause (`message`), fix (`help`, `fixes`). */
  finding?: Finding;
  /** The input the finding's range and fixes point into. */
  input?: DoctorInput;
  /** Not checked for want of input: the inputs that would check it. */
  needs: DoctorInput[];
  /** Not checked because another link failed: that check's id (`input.<flag>` for an unreadable input). */
  blockedBy?: string;
}

export interface DoctorSummary { passed: number; warnings: number; failed: number; notChecked: number }

export interface DoctorResult {
  ok: true;
  mode: "irsa" | "podIdentity";
  /** No check failed (warnings and not-checked links allowed). */
  sound: boolean;
  /** In chain order. */
  checks: DoctorCheck[];
  summary: DoctorSummary;
}

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
