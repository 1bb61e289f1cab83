//! Policies where they really live: Terraform (`.tf` and `terraform show -json` plans),
//! CloudFormation (JSON and YAML, short-form intrinsics), Kubernetes `ServiceAccount`
//! manifests and Helm values.
//!
//! Every source is a pure function from a file's text to an [`Extracted`]: the policies it
//! holds, each as generated policy JSON ([`ExtractedPolicy::json`]) with a [`SpanMap`] from
//! every byte of that JSON back to the file, plus the service-account → role bindings the
//! file declares. `pullpass lint` runs `pullpass_core::policy::lint` over each policy and maps
//! the findings back with [`ExtractedPolicy::map_range`].
//!
//! This crate does no IO and is not a dependency of `pullpass-wasm` (the browser package
//! stays small; see ARCHITECTURE.md). It must not import anything that does IO.

pub mod cfn;
pub mod check;
mod classify;
mod json_out;
pub mod k8s;
pub mod terraform;
#[cfg(test)]
mod tests;

use pullpass_core::policy::PolicyKind;
use pullpass_core::text::TextRange;

pub use classify::{Format, ROLE_ANNOTATION, classify};
pub use json_out::{JsonOut, Piece, Segment, SegmentKind, SpanMap};

/// One policy found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedPolicy {
    /// The policy as JSON text, generated from the source; unknown values (intrinsics,
    /// interpolations) are `${…}` placeholders listed in [`Self::placeholders`].
    pub json: String,
    /// What the source says the policy is; `None` when it does not say (a loose
    /// `aws_iam_policy_document` nobody references).
    pub kind: Option<PolicyKind>,
    /// Who owns it, for messages: `aws_iam_role.web`, `Resources.PullRole`.
    pub owner: String,
    /// The IAM role's name when the source gives it literally (for the service-account check).
    pub role_name: Option<String>,
    /// The resource whose value the policy is, as other resources of its module or template
    /// name it (`aws_iam_role_policy.pull`, `aws_iam_role.node` for its trust and inline
    /// policies, `Resources.PullPolicy`); empty for a document nothing uses. [`Attachment`]s
    /// link it to roles.
    pub resource: String,
    /// Byte ranges of [`Self::json`] that stand for values the source computes at deploy time.
    pub placeholders: Vec<TextRange>,
    /// From [`Self::json`] back to the file.
    pub map: SpanMap,
    /// The whole policy in the file (what a finding without a better place points at).
    pub range: TextRange,
}

impl ExtractedPolicy {
    /// The file range a range of [`Self::json`] came from.
    #[must_use]
    pub fn map_range(&self, range: TextRange) -> TextRange {
        self.map.map(range).unwrap_or(self.range)
    }

    /// Maps a range exactly (a byte of literal source text for each byte of JSON), or `None`.
    #[must_use]
    pub fn map_exact(&self, range: TextRange) -> Option<TextRange> {
        self.map.map_exact(range)
    }

    /// True when `range` overlaps a placeholder: a finding there judges a value the source
    /// computes at deploy time, which pullpass cannot know.
    #[must_use]
    pub fn touches_placeholder(&self, range: TextRange) -> bool {
        self.placeholders.iter().any(|p| {
            (range.start < p.end && p.start < range.end)
                || (range.is_empty() && p.start <= range.start && range.start < p.end)
        })
    }
}

/// A Kubernetes service account bound to an IAM role (IRSA's `eks.amazonaws.com/role-arn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountBinding {
    /// `None` in Helm values (the release namespace is chosen at install time).
    pub namespace: Option<String>,
    /// `None` when a Helm chart derives it from the release name.
    pub name: Option<String>,
    /// The annotation's value.
    pub role_arn: String,
    /// Where the annotation's value is.
    pub range: TextRange,
}

impl ServiceAccountBinding {
    /// The role name of [`Self::role_arn`] (`arn:…:role/path/name` → `name`).
    #[must_use]
    pub fn role_name(&self) -> Option<&str> {
        let resource = self.role_arn.splitn(6, ':').nth(5)?;
        let path = resource.strip_prefix("role/")?;
        path.rsplit('/').next().filter(|n| !n.is_empty())
    }
}

/// A file that claimed a format and could not be read as it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub message: String,
    pub range: TextRange,
}

/// Everything one file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub policies: Vec<ExtractedPolicy>,
    pub service_accounts: Vec<ServiceAccountBinding>,
    /// Kubernetes manifests: the namespaces the file names (`Namespace` objects,
    /// `metadata.namespace`, a kustomization's `namespace`), distinct, in order. A Helm values
    /// file whose service account has no namespace takes it from these in its chart (see
    /// [`check::cross_check`]).
    pub namespaces: Vec<String>,
    /// At most one: the file could not be read as its format.
    pub error: Option<SourceError>,
    /// Terraform: `data.aws_iam_policy_document.NAME.json` references to documents this file
    /// does not define (another `.tf` file of the module defines them; see
    /// [`terraform::link_module`]).
    pub document_uses: Vec<DocumentUse>,
    /// Which policies attach to which roles, as the file declares it (the role's own inline
    /// policies, `aws_iam_role_policy`, attachments, `ManagedPolicyArns`, `Roles: [!Ref …]`);
    /// joined per Terraform module or CloudFormation template by [`check::cross_check`].
    pub attachments: Vec<Attachment>,
    /// Policies the file holds that are not linted, and why (Terraform documents whose
    /// statements Terraform computes); `--verbose` says so.
    pub not_linted: Vec<NotLinted>,
}

/// A role ⇄ permissions policy link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The role, as its module or template names it: `aws_iam_role.node`, `Resources.NodeRole`.
    pub role: String,
    /// The policy: a resource ([`ExtractedPolicy::resource`]) or a policy ARN as written
    /// (`arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly`, with `${…}` where the
    /// source computes a part).
    pub policy: String,
    /// Where the link is written.
    pub range: TextRange,
}

/// A policy of the file that pullpass does not lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotLinted {
    /// `data.aws_iam_policy_document.NAME`.
    pub owner: String,
    pub range: TextRange,
    /// Why, in words after the owner: "its statements are computed …".
    pub why: &'static str,
}

/// A Terraform resource that takes its policy from a `data "aws_iam_policy_document"` block
/// of another file of its module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentUse {
    /// The data block's name.
    pub document: String,
    pub kind: PolicyKind,
    /// `aws_iam_role.web`.
    pub owner: String,
    /// The role's literal name, for a trust policy.
    pub role_name: Option<String>,
}

/// Largest file a source reads (the same 1 MiB as a JSON policy and a doctor artifact).
pub const MAX_INPUT_BYTES: usize = pullpass_core::policy::json::MAX_INPUT_BYTES;

/// Why a file found by a walk is skipped although its extraction failed, or `None` when the
/// failure is a finding. A Kubernetes file with no `ServiceAccount` and no role annotation is
/// read only for the namespace it may give a Helm values file beside it (see [`classify`]):
/// pullpass lints nothing in it, so YAML its reader refuses (a broken manifest, or one that
/// Kubernetes' more lenient YAML reader takes, such as a flow sequence closed at its key's
/// indentation) is not pullpass's to report.
#[must_use]
pub fn skip_unreadable(format: Format, text: &str, extracted: &Extracted) -> Option<&'static str> {
    (format == Format::Kubernetes
        && extracted.error.is_some()
        && !text.contains("ServiceAccount")
        && !text.contains(ROLE_ANNOTATION))
    .then_some("Kubernetes YAML without a ServiceAccount or role annotation, not readable (read only for a namespace)")
}

/// The error of a source file of `len` bytes, over [`MAX_INPUT_BYTES`].
#[must_use]
pub fn too_large(len: usize) -> SourceError {
    SourceError {
        message: format!(
            "the file is {len} bytes; pullpass reads at most {MAX_INPUT_BYTES} bytes of one file"
        ),
        range: TextRange::new(0, 0),
    }
}

/// Extracts the policies and service accounts of `text`, read as `format`.
#[must_use]
pub fn extract(format: Format, text: &str) -> Extracted {
    if text.len() > MAX_INPUT_BYTES {
        return Extracted {
            error: Some(too_large(text.len())),
            ..Extracted::default()
        };
    }
    match format {
        Format::Policy => Extracted::default(),
        Format::CloudFormation => cfn::extract(text),
        Format::Terraform => terraform::extract(text),
        Format::TerraformPlan => terraform::extract_plan(text),
        Format::Kubernetes => k8s::extract_manifests(text),
        Format::HelmValues => k8s::extract_values(text),
        Format::YamlPolicy => cfn::extract_yaml_policy(text),
    }
}

/// A placeholder's text for a value only known at deploy time (outside an ARN, where it is
/// `*`): `${…}` with the source's name for it, reduced to characters that need no JSON
/// escaping and hold no `:`. Findings on a placeholder are dropped by [`check::lint_policy`]
/// (they judge a value pullpass cannot know).
#[must_use]
pub fn placeholder_text(name: &str) -> String {
    let mut out = String::from("${");
    for c in name.chars().take(60) {
        out.push(
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            },
        );
    }
    out.push('}');
    out
}
