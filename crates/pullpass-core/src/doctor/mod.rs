//! `pullpass doctor`: an IRSA or EKS Pod Identity set-up checked end to end, link by link.
//!
//! The inputs are the artifacts an operator already has, as plain strings (the same call runs
//! in the CLI and, through the wasm package, in a browser): the service account YAML, the helm
//! values, the trust policy, the role ARN, the issuer or the cluster description, the OIDC
//! provider description, the registry host, the pod's `env`, the Pod Identity association.
//! The output is a [`Checklist`]: one [`Check`] per link of the chain, passed, warning, failed
//! (with one [`Diagnostic`]: rule code, cause, fix) or not checked (with the input that would
//! check it, or the failed link it depends on).
//!
//! **Invariant:** a broken link fails exactly one check. A check that depends on a failed
//! check or on an input that could not be read is "not checked" and says which, so one
//! mistake never reads as a pile of failures.

// Readers return their one finding as the `Err`: a cold path, never a hot one.
#![allow(clippy::result_large_err)]

mod artifacts;
mod chain;
mod links;
mod live;
mod registry;
mod rules;
pub mod yaml;

#[cfg(test)]
mod tests;

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{
    DoctorCheck, DoctorCheckStatus, DoctorReport, DoctorSummary, Finding, REPORT_VERSION,
};
use crate::rule::RuleMeta;
use crate::text::LineIndex;

pub use live::{AssociationLookup, live_role};

/// Every `DR…` rule (the catalog lists them with the `doctor` family).
pub static RULES: &[&RuleMeta] = rules::RULES;

/// The audience a projected service-account token carries unless the service account sets
/// `eks.amazonaws.com/audience`.
pub const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";

/// The result of the `--live` registry-token attempt (made by the caller: the core does no IO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenAttempt {
    pub ok: bool,
    /// "token for <host>, expires <when>", or the error as AWS gave it (never the token).
    pub detail: String,
}

/// The artifacts of an IRSA or EKS Pod Identity set-up, one type for both modes and every
/// surface (core, CLI, wasm); each is optional, and each given one is cross-checked with every
/// other it can be. A mode reads only its own: IRSA ignores `association`, Pod Identity ignores
/// `helm_values`, `issuer` and `oidc_provider`.
#[derive(Debug, Clone, Default)]
pub struct DoctorInputs {
    /// `kubectl get sa <name> -o yaml`.
    pub service_account: Option<String>,
    /// The chart values (`coderd.builtinProviderServiceAccount.annotations`). IRSA only.
    pub helm_values: Option<String>,
    /// `namespace/name` of the service account, when its YAML is not at hand.
    pub expected_service_account: Option<String>,
    /// The role's trust policy JSON (or `aws iam get-role` output).
    pub trust_policy: Option<String>,
    /// The role ARN (or a bare role name).
    pub role_arn: Option<String>,
    /// The cluster's OIDC issuer URL. IRSA only.
    pub issuer: Option<String>,
    /// `aws eks describe-cluster --name <name>`.
    pub cluster: Option<String>,
    /// `aws iam get-open-id-connect-provider` (or `list-open-id-connect-providers`, or the
    /// `NoSuchEntity` error text). IRSA only.
    pub oidc_provider: Option<String>,
    /// `aws eks describe-pod-identity-association`. Pod Identity only.
    pub association: Option<String>,
    /// The registry host.
    pub registry: Option<String>,
    /// `kubectl exec <pod> -- env`.
    pub pod_env: Option<String>,
    /// The role's permissions policy JSON (does it let the role pull?).
    pub permissions_policy: Option<String>,
    /// The repository pulled from (scopes the permissions check).
    pub repository: Option<String>,
    /// With `--live`: the registry-token attempt.
    pub registry_token: Option<TokenAttempt>,
}

/// An input of doctor: names the flag that supplies it and the text a finding's range indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    ServiceAccount,
    HelmValues,
    ExpectedServiceAccount,
    TrustPolicy,
    RoleArn,
    Issuer,
    Cluster,
    OidcProvider,
    Registry,
    PodEnv,
    Association,
    PermissionsPolicy,
    Repository,
    Live,
}

impl Input {
    /// The CLI flag that gives this input.
    #[must_use]
    pub fn flag(self) -> &'static str {
        match self {
            Self::ServiceAccount => "--service-account",
            Self::HelmValues => "--helm-values",
            Self::ExpectedServiceAccount => "--expect-service-account",
            Self::TrustPolicy => "--trust-policy",
            Self::RoleArn => "--role-arn",
            Self::Issuer => "--issuer",
            Self::Cluster => "--cluster",
            Self::OidcProvider => "--oidc-provider",
            Self::Registry => "--registry",
            Self::PodEnv => "--pod-env",
            Self::Association => "--association",
            Self::PermissionsPolicy => "--permissions-policy",
            Self::Repository => "--repository",
            Self::Live => "--live",
        }
    }
}

/// How a link fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    /// Works, but a warning-level rule fired (too broad, overridden, …).
    Warning,
    Failed,
    /// Missing input, or depends on a failed link.
    NotChecked,
}

/// One link of the chain.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable id: `trust.subject`, `oidc.client-id`, …
    pub id: &'static str,
    pub title: &'static str,
    pub status: Status,
    /// What was verified, or why it was not checked. For a failure: the diagnostic's message.
    pub detail: String,
    /// The finding of a failed or warning check: rule code, cause (message), fix (help).
    pub diagnostic: Option<Diagnostic>,
    /// The input the diagnostic's range points into.
    pub source: Option<Input>,
    /// Inputs that would let a not-checked link be checked.
    pub needs: Vec<Input>,
    /// The failed check (or unreadable input, `input.<name>`) this one depends on.
    pub blocked_by: Option<&'static str>,
}

/// What kind of set-up was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Irsa,
    PodIdentity,
}

/// The result of a doctor run.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub mode: Mode,
    pub checks: Vec<Check>,
}

impl Checklist {
    /// The check with this id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Checks that failed (errors only).
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status == Status::Failed)
    }

    #[must_use]
    pub fn summary(&self) -> DoctorSummary {
        let count = |s: Status| self.checks.iter().filter(|c| c.status == s).count();
        DoctorSummary {
            passed: count(Status::Passed),
            warnings: count(Status::Warning),
            failed: count(Status::Failed),
            not_checked: count(Status::NotChecked),
        }
    }

    /// The wire form. `text_of` gives the text of an input (for line/column), `name_of` what
    /// to call it (a file path, or the flag).
    pub fn to_report<'t>(
        &self,
        text_of: impl Fn(Input) -> Option<&'t str>,
        name_of: impl Fn(Input) -> String,
    ) -> DoctorReport {
        let checks = self
            .checks
            .iter()
            .map(|c| {
                let finding = c.diagnostic.as_ref().map(|d| {
                    let index = c.source.and_then(&text_of).map(LineIndex::new);
                    let name = c.source.map(&name_of);
                    Finding::from_diagnostic(d, index.as_ref(), name.as_deref())
                });
                DoctorCheck {
                    id: c.id.to_owned(),
                    title: c.title.to_owned(),
                    status: match c.status {
                        Status::Passed => DoctorCheckStatus::Passed,
                        Status::Warning => DoctorCheckStatus::Warning,
                        Status::Failed => DoctorCheckStatus::Failed,
                        Status::NotChecked => DoctorCheckStatus::NotChecked,
                    },
                    detail: c.detail.clone(),
                    finding,
                    needs: c.needs.iter().map(|i| i.flag().to_owned()).collect(),
                    blocked_by: c.blocked_by.map(str::to_owned),
                }
            })
            .collect();
        let summary = self.summary();
        DoctorReport {
            version: REPORT_VERSION,
            mode: match self.mode {
                Mode::Irsa => "irsa",
                Mode::PodIdentity => "podIdentity",
            }
            .to_owned(),
            ok: summary.failed == 0,
            checks,
            summary,
        }
    }
}

/// Checks an IRSA set-up.
#[must_use]
pub fn check_irsa(inputs: &DoctorInputs) -> Checklist {
    chain::run(Mode::Irsa, inputs)
}

/// Checks an EKS Pod Identity set-up.
#[must_use]
pub fn check_pod_identity(inputs: &DoctorInputs) -> Checklist {
    chain::run(Mode::PodIdentity, inputs)
}

/// The id of the check that reports an unreadable input.
pub(crate) fn input_check_id(input: Input) -> &'static str {
    match input {
        Input::ServiceAccount => "input.service-account",
        Input::HelmValues => "input.helm-values",
        Input::ExpectedServiceAccount => "input.expect-service-account",
        Input::TrustPolicy => "input.trust-policy",
        Input::RoleArn => "input.role-arn",
        Input::Issuer => "input.issuer",
        Input::Cluster => "input.cluster",
        Input::OidcProvider => "input.oidc-provider",
        Input::Registry => "input.registry",
        Input::PodEnv => "input.pod-env",
        Input::Association => "input.association",
        Input::PermissionsPolicy => "input.permissions-policy",
        Input::Repository => "input.repository",
        Input::Live => "input.live",
    }
}

/// Whether the JSON pointer `pointer` lies at or under `scope` (`""`: anywhere).
fn within(pointer: &str, scope: &str) -> bool {
    scope.is_empty()
        || pointer
            .strip_prefix(scope)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The linter's worst finding (at least `floor`) among `codes` (tried in that order) under the
/// JSON pointer `scope`: how a link reports what a `TP…` rule found, in the rule's words.
pub(crate) fn lint_finding<'d>(
    lint: &'d [Diagnostic],
    codes: &[&str],
    scope: &str,
    floor: Severity,
) -> Option<&'d Diagnostic> {
    [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .filter(|s| *s >= floor)
        .find_map(|severity| {
            codes.iter().find_map(|code| {
                lint.iter().find(|d| {
                    d.code() == *code && d.severity() == severity && within(d.pointer(), scope)
                })
            })
        })
}

impl artifacts::TrustDocument {
    /// A range of the document, in the input (`None` for a decoded document).
    pub(crate) fn range(&self, range: crate::text::TextRange) -> Option<crate::text::TextRange> {
        self.offset.map(|o| range.shifted(o))
    }
}

/// `namespace/name`.
pub(crate) fn read_expected_sa(text: &str) -> Result<(String, String), Diagnostic> {
    let t = text.trim();
    let t = t.strip_prefix("system:serviceaccount:").unwrap_or(t);
    let parts: Vec<&str> = t.split(['/', ':']).collect();
    match parts.as_slice() {
        [ns, name] if !ns.is_empty() && !name.is_empty() => {
            Ok(((*ns).to_owned(), (*name).to_owned()))
        }
        _ => Err(Diagnostic::new(
            &rules::dr001_input_unreadable::DR001,
            format!(
                "`{}` is not `namespace/name` of a service account",
                crate::text::shorten(t)
            ),
        )
        .with_help("write it as `<namespace>/<service account>`, e.g. `coder/coder`")),
    }
}

/// `namespace/name` of the service account in `kubectl get sa -o yaml` output, if readable.
#[must_use]
pub fn service_account_identity(yaml: &str) -> Option<(String, String)> {
    let sa = artifacts::service_account(yaml).ok()?;
    Some((sa.namespace?, sa.name?))
}

/// The `eks.amazonaws.com/role-arn` annotation of a service account YAML, if any.
#[must_use]
pub fn role_annotation(yaml: &str) -> Option<String> {
    artifacts::service_account(yaml)
        .ok()?
        .annotation(artifacts::ROLE_ANNOTATION)
        .map(|a| a.value.trim().to_owned())
}

/// The OIDC provider ARNs a trust policy's `Allow` statements trust (`Federated`), in order.
#[must_use]
pub fn trusted_oidc_providers(trust_policy: &str) -> Vec<String> {
    let Ok(artifacts::TrustInput::Document(doc)) =
        artifacts::trust_policy(trust_policy, &crate::policy::LintContext::default())
    else {
        return Vec::new();
    };
    let Ok(root) = crate::policy::json::parse(&doc.text) else {
        return Vec::new();
    };
    let Some(policy) = crate::policy::Policy::build(&root) else {
        return Vec::new();
    };
    policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| s.principals_of("Federated"))
        .map(|p| p.value.as_str())
        .filter(|v| crate::policy::aws::parse_provider_arn(v).is_some())
        .map(|v| v.trim().to_owned())
        .collect()
}

/// The issuer of an `aws eks describe-cluster` output, without `https://`.
#[must_use]
pub fn cluster_issuer(cluster_json: &str) -> Option<String> {
    artifacts::cluster(cluster_json)
        .ok()?
        .issuer
        .map(|(issuer, _)| issuer.path)
}

impl DoctorInputs {
    /// The text given for `input` (for line/column in [`Checklist::to_report`]).
    #[must_use]
    pub fn text(&self, input: Input) -> Option<&str> {
        match input {
            Input::ServiceAccount => self.service_account.as_deref(),
            Input::HelmValues => self.helm_values.as_deref(),
            Input::ExpectedServiceAccount => self.expected_service_account.as_deref(),
            Input::TrustPolicy => self.trust_policy.as_deref(),
            Input::RoleArn => self.role_arn.as_deref(),
            Input::Issuer => self.issuer.as_deref(),
            Input::Cluster => self.cluster.as_deref(),
            Input::OidcProvider => self.oidc_provider.as_deref(),
            Input::Association => self.association.as_deref(),
            Input::Registry => self.registry.as_deref(),
            Input::PodEnv => self.pod_env.as_deref(),
            Input::PermissionsPolicy => self.permissions_policy.as_deref(),
            Input::Repository => self.repository.as_deref(),
            Input::Live => None,
        }
    }
}
