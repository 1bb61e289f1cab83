//! The doctor's transfer types: what `checkIrsa` / `checkPodIdentity` take and return.
//!
//! The shapes shared with the form and policy module (`Failure`, `Finding`, `Range`, …) come
//! from `pullpass-wasm`'s transfer types; the declarations below import them from
//! `./pullpass.js`, so an admin UI sees one `Finding` type for both modules.

use pullpass_core::doctor::{Checklist, Input, Mode, Status};
use pullpass_core::text::LineIndex;
use pullpass_wasm::transfer::{Finding, finding};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;

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

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT_SECTION: &str = TYPESCRIPT;

/// TypeScript declarations of the doctor's transfer types, emitted into `pullpass_doctor.d.ts`.
pub const TYPESCRIPT: &str = r#"
import type { Failure, Finding, FixResult, GenerateOptions, HelmResult, LintOptions, PolicyResult, RuleInfo } from "./pullpass.js";
export type { Failure, Finding, FixResult, GenerateOptions, HelmResult, LintOptions, PolicyResult, RuleInfo };

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

"#;
