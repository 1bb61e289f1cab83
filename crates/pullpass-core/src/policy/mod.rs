//! IAM trust and permissions policies: a span-keeping parser, the policy model and the
//! `TP…`/`EP…` rules.
//!
//! [`lint`] is the one entry point: it parses (TP001 on malformed input, with size and depth
//! limits), decides whether the document is a trust or a permissions policy (unless told), runs
//! every rule that applies and returns the findings sorted by position.

pub mod aws;
mod fix;
#[cfg(test)]
mod fix_props;
pub mod generate;
pub mod glob;
pub mod json;
pub mod model;
pub(crate) mod rules;
#[doc(hidden)]
pub mod stress;
#[cfg(test)]
mod tests;

use crate::diagnostic::{self, Diagnostic};
use crate::rule::RuleMeta;

pub use fix::fix_all;
pub use model::Policy;

/// Every `TP…` and `EP…` rule.
pub static RULES: &[&RuleMeta] = rules::RULES;

/// What kind of policy a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// A role's trust policy (who may assume it): `sts:AssumeRole*` with a `Principal`.
    Trust,
    /// An identity policy (what the role or user may do), judged for pulling from ECR.
    Permissions,
    /// An ECR repository policy (a resource policy: who may pull or push this repository),
    /// judged by the `EP01x` rules and never by trust rules.
    Repository,
}

impl PolicyKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trust => "trust",
            Self::Permissions => "permissions",
            Self::Repository => "repository",
        }
    }
}

/// What the caller knows besides the policy (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintContext {
    /// `namespace/name` of the service account that must be able to assume the role (TP032).
    pub expected_service_account: Option<String>,
    /// The cluster's OIDC issuer URL (TP032, TP040).
    pub expected_issuer: Option<String>,
    /// The IAM OIDC provider ARN (TP032, TP040, TP041).
    pub expected_provider_arn: Option<String>,
    /// The role this policy belongs to: its account and partition (TP040, TP041, TP062).
    pub role_arn: Option<String>,
    /// The registry host the role pulls from (TP040; EP001/EP002 resource).
    pub registry_host: Option<String>,
    /// The repository the role pulls (EP002 evaluates against its ARN).
    pub repository: Option<String>,
    /// The text of the repository's ECR repository policy: EP002 then evaluates identity and
    /// repository policy together, as IAM does, and its findings are certain.
    pub repository_policy: Option<String>,
    /// The registry is used to import images (list repositories and tags): EP003 runs.
    pub import_images: bool,
    /// The caller states that this identity policy is the pulling role's (`--kind
    /// permissions`, the doctor's role, the page's permissions field): EP001/EP002 judge it even
    /// when it names no ECR action. Otherwise (a kind detected, or taken from Terraform or
    /// CloudFormation) an identity policy that allows no ECR action is another service's
    /// policy and they stay silent; see [`LintContext::states_pulling`].
    pub pull_role: bool,
}

impl LintContext {
    /// Whether the caller says the policy is used to pull: [`Self::pull_role`], or a
    /// registry, repository or repository policy to pull from, or images to import.
    #[must_use]
    pub fn states_pulling(&self) -> bool {
        self.pull_role
            || self.registry_host.is_some()
            || self.repository.is_some()
            || self.repository_policy.is_some()
            || self.import_images
    }
}

/// The findings for one document and the kind it was linted as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintOutput {
    /// `None` when the document is not JSON or could be read as neither kind.
    pub kind: Option<PolicyKind>,
    /// True when the kind was detected rather than given.
    pub kind_detected: bool,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lints one policy document. `kind` `None` detects trust vs permissions from the document.
#[must_use]
pub fn lint(text: &str, kind: Option<PolicyKind>, ctx: &LintContext) -> LintOutput {
    let (root, keys_may_repeat) = match json::parse_screened(text) {
        Ok(parsed) => parsed,
        Err(error) => {
            return LintOutput {
                kind,
                kind_detected: false,
                diagnostics: vec![rules::tp001_invalid_json::diagnostic(error)],
            };
        }
    };
    let Some(policy) = Policy::build(&root) else {
        // Not an object: TP002 says so; nothing else can be read.
        let mut diagnostics = Vec::new();
        rules::not_an_object(&root, &mut diagnostics);
        return LintOutput {
            kind,
            kind_detected: false,
            diagnostics,
        };
    };
    let (kind, kind_detected) = match kind {
        Some(k) => (Some(k), false),
        None => (detect(&policy), true),
    };
    let mut diagnostics = rules::run(text, kind, &policy, ctx, keys_may_repeat);
    diagnostic::sort(&mut diagnostics);
    LintOutput {
        kind,
        kind_detected: kind_detected && kind.is_some(),
        diagnostics,
    }
}

/// An ECR repository (resource) policy: every statement names who (`AWS`, `Service` or `*`)
/// may call `ecr:`/`ecr-public:` actions, and none assumes a role. A `Resource` does not make
/// it another kind: EP012 reports it.
fn is_repository_policy(policy: &Policy<'_>) -> bool {
    // Case-insensitive prefixes without a lower-cased copy of each action.
    let starts = |a: &str, prefix: &str| {
        a.get(..prefix.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
    };
    let ecr = |a: &str| starts(a, "ecr:") || starts(a, "ecr-public:");
    !policy.statements.is_empty()
        && policy.statements.iter().all(|s| {
            (s.principal.is_some() || s.not_principal.is_some())
                && s.principals
                    .iter()
                    .all(|p| matches!(p.ptype, "AWS" | "Service" | "*" | "Federated"))
                && !s.actions.is_empty()
                && s.actions.iter().all(|a| a.text.is_some_and(ecr))
                // Identity-provider claims (`<issuer>:sub`) make it a trust policy with a
                // wrong action, not a repository policy.
                && !s.condition_entries().any(|(_, e)| e.claim.is_some())
        })
}

/// A resource policy of another service (an S3 bucket's, a KMS key's, an SQS queue's): every
/// statement names a `Resource` and no statement names an STS action. A trust policy names
/// `sts:AssumeRole…`/`sts:TagSession` (with a stray `Resource` that TP003 reports); a bucket
/// policy beside the roles of a Terraform module (aws-ia/terraform-aws-eks-blueprints'
/// `kubecost` pattern) is neither a trust policy nor one pullpass has rules for.
fn is_other_resource_policy(policy: &Policy<'_>) -> bool {
    policy.statements.iter().all(|s| {
        s.resource.is_some()
            && s.actions.iter().chain(&s.not_actions).all(|a| {
                let a = a.as_str();
                !a.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("sts:")) && a != "*"
            })
    })
}

/// An ECR private registry policy (`aws_ecr_registry_policy`, `PutRegistryPolicy`): who
/// may replicate into the registry or fill it from a pull-through cache. It reads like a
/// repository policy, but every statement names its `Resource` (`…:repository/*`) and the
/// policy grants a registry-level action (`ecr:ReplicateImage`,
/// `ecr:BatchImportUpstreamImage`, `ecr:CreateRepository`), which a repository policy has no
/// use for. pullpass has no rules for it: detection leaves its kind unknown, so only the rules
/// for every policy apply. "Private registry permissions in Amazon ECR",
/// <https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions-create.html>.
fn is_registry_policy(policy: &Policy<'_>) -> bool {
    const REGISTRY_ACTIONS: [&str; 3] = [
        "ecr:ReplicateImage",
        "ecr:BatchImportUpstreamImage",
        "ecr:CreateRepository",
    ];
    !policy.statements.is_empty()
        && policy.statements.iter().all(|s| {
            s.principal.is_some()
                && s.resource.is_some()
                && !s.actions.is_empty()
                && s.actions.iter().all(|a| {
                    let a = a.as_str();
                    a.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("ecr:"))
                })
        })
        && policy.statements.iter().any(|s| {
            s.actions.iter().any(|a| {
                REGISTRY_ACTIONS
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(a.as_str()))
            })
        })
}

/// What identity policy `text` says of `action` on `resource` (`None`: on any ECR
/// repository), evaluated as the EP rules evaluate it (see `rules::eval`): `Some(true)`
/// allowed, `Some(false)` explicitly denied, `None` neither (or not a readable policy). For
/// joining the policies of one role (IAM allows what any of them allows unless one denies).
#[must_use]
pub fn allows(text: &str, action: &str, resource: Option<&str>) -> Option<bool> {
    use rules::eval::{Decision, Resource, evaluate};
    let root = json::parse(text).ok()?;
    let policy = Policy::build(&root)?;
    let resource = resource.map_or(Resource::AnyRepository, Resource::Exact);
    match evaluate(&policy, action, resource) {
        Decision::Allowed => Some(true),
        Decision::ExplicitDeny(_) => Some(false),
        Decision::ImplicitDeny => None,
    }
}

/// Lints raw bytes: invalid UTF-8 is TP001 at the first bad byte.
#[must_use]
pub fn lint_bytes(bytes: &[u8], kind: Option<PolicyKind>, ctx: &LintContext) -> LintOutput {
    match std::str::from_utf8(bytes) {
        Ok(text) => lint(text, kind, ctx),
        Err(error) => LintOutput {
            kind,
            kind_detected: false,
            diagnostics: vec![rules::tp001_invalid_json::not_utf8(error.valid_up_to())],
        },
    }
}

/// The output for an input of `len` bytes that is over [`json::MAX_INPUT_BYTES`], for callers
/// that know the size without reading it all (a file's metadata).
#[must_use]
pub fn lint_oversized(len: usize, kind: Option<PolicyKind>) -> LintOutput {
    LintOutput {
        kind,
        kind_detected: false,
        diagnostics: vec![rules::tp001_invalid_json::diagnostic(json::too_large(len))],
    }
}

/// Repository for an ECR repository policy (principals and only `ecr:` actions); trust when a
/// statement names a principal or assumes a role; permissions when a statement names a
/// resource or any other action; `None` when nothing tells.
#[must_use]
pub fn detect(policy: &Policy<'_>) -> Option<PolicyKind> {
    if is_registry_policy(policy) {
        return None;
    }
    if is_repository_policy(policy) {
        return Some(PolicyKind::Repository);
    }
    if policy
        .statements
        .iter()
        .any(|s| s.principal.is_some() || s.not_principal.is_some())
    {
        return (!is_other_resource_policy(policy)).then_some(PolicyKind::Trust);
    }
    if policy
        .statements
        .iter()
        .any(|s| s.resource.is_some() || s.not_resource.is_some())
    {
        return Some(PolicyKind::Permissions);
    }
    let actions: Vec<&str> = policy
        .statements
        .iter()
        .flat_map(|s| s.actions.iter().chain(&s.not_actions))
        .filter_map(|a| a.text)
        .collect();
    if actions.is_empty() {
        return None;
    }
    if actions.iter().all(|a| {
        let a = a.to_ascii_lowercase();
        a.starts_with("sts:assumerole") || a == "sts:tagsession" || a == "sts:setsourceidentity"
    }) {
        Some(PolicyKind::Trust)
    } else {
        Some(PolicyKind::Permissions)
    }
}
