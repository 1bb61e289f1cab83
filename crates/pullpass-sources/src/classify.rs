//! Which source a file is, from its name and a look at its text (no parse).

/// The formats `pullpass lint` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A JSON policy document (today's `pullpass lint`).
    Policy,
    /// A CloudFormation template, JSON or YAML.
    CloudFormation,
    /// Terraform configuration (`.tf`).
    Terraform,
    /// `terraform show -json` output.
    TerraformPlan,
    /// Kubernetes manifests (multi-document YAML) with a `ServiceAccount`.
    Kubernetes,
    /// Helm values with an IRSA role annotation.
    HelmValues,
    /// A policy document written in YAML (`Version:` / `Statement:` at the top level), as
    /// CloudFormation templates hold policies and build steps inline them into templates.
    YamlPolicy,
}

impl Format {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Policy => "policy",
            Self::CloudFormation => "cloudformation",
            Self::Terraform => "terraform",
            Self::TerraformPlan => "terraform-plan",
            Self::Kubernetes => "kubernetes",
            Self::HelmValues => "helm-values",
            Self::YamlPolicy => "yaml-policy",
        }
    }
}

/// The role annotation IRSA reads.
pub const ROLE_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// Decides the format of `name` (a file name or path) with `text`.
/// `Err` says, for `--verbose`, why the file is not one of ours.
///
/// # Errors
/// A file that is none of the formats, with the reason.
pub fn classify(name: &str, text: &str) -> Result<Format, &'static str> {
    let lower = name.to_ascii_lowercase();
    let file = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "tf" => Ok(Format::Terraform),
        "json" | "template" | "yaml" | "yml" => {
            let json = text.trim_start().starts_with(['{', '[']);
            if is_cloudformation(text) {
                return Ok(Format::CloudFormation);
            }
            if json || ext == "json" {
                if text.contains("\"format_version\"")
                    && (text.contains("\"planned_values\"") || text.contains("\"values\""))
                {
                    return Ok(Format::TerraformPlan);
                }
                if ext == "json" {
                    // A policy, a broken one, or other JSON: the CLI's skip rule decides.
                    return Ok(Format::Policy);
                }
            }
            if ext == "template" {
                return Err("a .template file that is not a CloudFormation template");
            }
            // A Helm chart's `templates/` hold Go templates, YAML only once rendered at
            // install time (https://helm.sh/docs/chart_template_guide/getting_started/):
            // reading one as a manifest would report a parse error on correct charts.
            if lower.contains("templates/") && text.contains("{{") {
                return Err("a Helm chart template (Go template syntax, YAML only once rendered)");
            }
            // A Terraform template (`templatefile`,
            // https://developer.hashicorp.com/terraform/language/functions/templatefile), as
            // modules keep Helm values: `%{ if … }` directives on their own lines are not
            // YAML, which the file becomes only once Terraform renders it.
            if has_directive_line(text) {
                return Err(
                    "a Terraform template (`%{ }` directives), YAML only once `templatefile` renders it",
                );
            }
            if is_yaml_policy(text) {
                return Ok(Format::YamlPolicy);
            }
            if text.contains("ServiceAccount") && text.contains("kind:") {
                return Ok(Format::Kubernetes);
            }
            if text.contains(ROLE_ANNOTATION) {
                return if file.contains("values") {
                    Ok(Format::HelmValues)
                } else if text.contains("apiVersion:") {
                    Ok(Format::Kubernetes)
                } else {
                    Ok(Format::HelmValues)
                };
            }
            // A manifest that names a namespace (a `Namespace` object, `metadata.namespace`,
            // a kustomization's `namespace`): a Helm values file beside it may take its
            // service account's namespace from it.
            if text.contains("kind:")
                && (text.contains("kind: Namespace") || text.contains("namespace:"))
                && (text.contains("apiVersion:"))
            {
                return Ok(Format::Kubernetes);
            }
            Err(
                "YAML without a CloudFormation resource, a ServiceAccount, an IRSA role annotation or a namespace",
            )
        }
        _ => Err("not a .json, .yaml, .yml, .template or .tf file"),
    }
}

/// A YAML mapping with `Statement:` as a top-level key and a policy's `Version:` or
/// `Effect:` in it: a policy document (no Kubernetes object or template has a top-level
/// `Statement`).
fn is_yaml_policy(text: &str) -> bool {
    starts_a_line(text, "Statement:")
        && (starts_a_line(text, "Version:") || text.contains("Effect:"))
}

/// Whether a line of `text` (as `str::lines` splits it) starts with `word`: one substring
/// search instead of a walk over every line.
fn starts_a_line(text: &str, word: &str) -> bool {
    text.starts_with(word) || {
        let mut at = String::with_capacity(word.len() + 1);
        at.push('\n');
        at.push_str(word);
        text.contains(at.as_str())
    }
}

/// Whether a line of `text`, its leading whitespace trimmed, starts with a Terraform template
/// directive (`%{`): the occurrences of `%{` are found by a substring search and only their
/// lines are looked at.
fn has_directive_line(text: &str) -> bool {
    text.match_indices("%{").any(|(i, _)| {
        let start = text[..i].rfind('\n').map_or(0, |n| n + 1);
        text[start..i].chars().all(char::is_whitespace)
    })
}

fn is_cloudformation(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::") && text.contains("Type"))
}
