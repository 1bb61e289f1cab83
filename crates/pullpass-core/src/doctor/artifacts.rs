//! Readers for the artifacts an operator already has: each turns text into the few facts the
//! checks compare, or into one `DR001` finding with the position of what could not be read.

use crate::diagnostic::Diagnostic;
use crate::text::TextRange;

use super::rules::dr001_input_unreadable::DR001;
use super::yaml::{self, Node, Value};
use crate::policy::aws::{self, Issuer};
use crate::policy::{self, LintContext, PolicyKind, json};
use crate::text::shorten;

/// A text value and where it sits in its artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub(crate) value: String,
    pub(crate) range: Option<TextRange>,
}

impl Located {
    fn at(node: &Node) -> Option<Self> {
        node.as_str().map(|s| Self {
            value: s.to_owned(),
            range: Some(node.range),
        })
    }
}

/// How to get each artifact right.
fn how(what: &str) -> &'static str {
    match what {
        "service account" => "give the output of `kubectl get sa <name> -n <namespace> -o yaml`",
        "helm values" => "give the values file you pass to `helm upgrade --values`",
        "cluster description" => "give the output of `aws eks describe-cluster --name <name>`",
        "OIDC provider description" => {
            "give the output of `aws iam get-open-id-connect-provider --open-id-connect-provider-arn <arn>`"
        }
        "Pod Identity association" => {
            "give the output of `aws eks describe-pod-identity-association --cluster-name <c> --association-id <id>`"
        }
        _ => "give the output of `kubectl exec <pod> -- env`",
    }
}

fn unreadable(what: &str, error: &yaml::YamlError) -> Diagnostic {
    Diagnostic::new(
        &DR001,
        format!("the {what} could not be read: {}", error.message),
    )
    .with_range(error.range)
    .with_help(how(what))
}

fn shape(what: &str, message: impl Into<String>, range: Option<TextRange>) -> Diagnostic {
    let mut d =
        Diagnostic::new(&DR001, format!("the {what} {}", message.into())).with_help(how(what));
    if let Some(r) = range {
        d = d.with_range(r);
    }
    d
}

fn annotations_of(node: Option<&Node>) -> Vec<(String, Located)> {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), Located::at(v)?)))
        .collect()
}

pub(crate) const ROLE_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
pub(crate) const AUDIENCE_ANNOTATION: &str = "eks.amazonaws.com/audience";
pub(crate) const STS_REGIONAL_ANNOTATION: &str = "eks.amazonaws.com/sts-regional-endpoints";

/// A Kubernetes service account.
#[derive(Debug, Clone)]
pub(crate) struct ServiceAccount {
    pub(crate) namespace: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) annotations: Vec<(String, Located)>,
}

impl ServiceAccount {
    pub(crate) fn annotation(&self, key: &str) -> Option<&Located> {
        self.annotations
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// `kubectl get sa <name> -o yaml` (or `-o json`, or a `List` holding one service account).
pub(crate) fn service_account(text: &str) -> Result<ServiceAccount, Diagnostic> {
    const WHAT: &str = "service account";
    let doc = yaml::parse_one(text).map_err(|e| unreadable(WHAT, &e))?;
    let mut node = &doc;
    if doc.get("kind").and_then(Node::as_str) == Some("List") {
        let items = doc.get("items").and_then(Node::as_seq).unwrap_or_default();
        let sas: Vec<&Node> = items
            .iter()
            .filter(|i| i.get("kind").and_then(Node::as_str) == Some("ServiceAccount"))
            .collect();
        match sas.as_slice() {
            [one] => node = one,
            [] => {
                return Err(shape(
                    WHAT,
                    "is a `List` without a ServiceAccount; give `kubectl get sa <name> -o yaml`",
                    Some(doc.range),
                ));
            }
            [_, second, ..] => {
                return Err(shape(
                    WHAT,
                    format!(
                        "is a `List` of {} service accounts; name the one to check: `kubectl get sa <name> -o yaml`",
                        sas.len()
                    ),
                    Some(second.range),
                ));
            }
        }
    }
    if node.as_map().is_none() {
        return Err(shape(
            WHAT,
            "is not a YAML mapping; give `kubectl get sa <name> -o yaml`",
            Some(node.range),
        ));
    }
    if let Some(kind) = node.get("kind")
        && kind.as_str() != Some("ServiceAccount")
    {
        return Err(shape(
            WHAT,
            format!(
                "is a `{}`, not a `ServiceAccount`; give `kubectl get sa <name> -o yaml`",
                kind.as_str().unwrap_or("?")
            ),
            Some(kind.range),
        ));
    }
    let Some(metadata) = node.get("metadata").filter(|m| m.as_map().is_some()) else {
        return Err(shape(WHAT, "has no `metadata` mapping", Some(node.range)));
    };
    Ok(ServiceAccount {
        namespace: metadata
            .get("namespace")
            .and_then(Node::as_str)
            .map(str::to_owned),
        name: metadata
            .get("name")
            .and_then(Node::as_str)
            .map(str::to_owned),
        annotations: annotations_of(metadata.get("annotations")),
    })
}

/// Where the charts read service-account annotations, most specific first.
pub(crate) const HELM_PATHS: &[&[&str]] = &[
    &["coderd", "builtinProviderServiceAccount", "annotations"],
    &["coder", "serviceAccount", "annotations"],
    &["serviceAccount", "annotations"],
];

/// The annotations a helm values file sets on the service account.
#[derive(Debug, Clone)]
pub(crate) struct HelmValues {
    /// The chart path the annotations were found under, dotted.
    pub(crate) path: Option<String>,
    pub(crate) annotations: Vec<(String, Located)>,
    /// `builtinProviderServiceAccount` found somewhere the chart does not read it.
    pub(crate) misplaced: Option<(String, TextRange)>,
}

impl HelmValues {
    pub(crate) fn annotation(&self, key: &str) -> Option<&Located> {
        self.annotations
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

pub(crate) fn helm_values(text: &str) -> Result<HelmValues, Diagnostic> {
    const WHAT: &str = "helm values";
    let docs = yaml::parse(text).map_err(|e| unreadable(WHAT, &e))?;
    let Some(doc) = docs.into_iter().find(|d| d.value != Value::Null) else {
        return Ok(HelmValues {
            path: None,
            annotations: Vec::new(),
            misplaced: None,
        });
    };
    if doc.as_map().is_none() {
        return Err(shape(WHAT, "are not a YAML mapping", Some(doc.range)));
    }
    for path in HELM_PATHS {
        if let Some(node) = doc.path(path) {
            return Ok(HelmValues {
                path: Some(path.join(".")),
                annotations: annotations_of(Some(node)),
                misplaced: None,
            });
        }
    }
    // A `builtinProviderServiceAccount` key anywhere else (wrong indentation, wrong parent).
    let mut misplaced = None;
    let mut stack: Vec<(&Node, String)> = vec![(&doc, String::new())];
    while let Some((node, path)) = stack.pop() {
        for (k, v) in node.as_map().unwrap_or_default() {
            let Some(key) = k.as_str() else { continue };
            let here = if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            };
            if key == "builtinProviderServiceAccount" {
                misplaced = Some((here.clone(), k.range));
            }
            if v.as_map().is_some() && here.matches('.').count() < 8 {
                stack.push((v, here));
            }
        }
    }
    Ok(HelmValues {
        path: None,
        annotations: Vec::new(),
        misplaced,
    })
}

/// `aws eks describe-cluster --name <name>`.
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub(crate) name: Option<String>,
    /// (partition, region, account) from the cluster ARN.
    pub(crate) arn: Option<(String, String, String)>,
    /// The cluster ARN as written.
    pub(crate) arn_text: Option<String>,
    pub(crate) issuer: Option<(Issuer, TextRange)>,
}

pub(crate) fn cluster(text: &str) -> Result<Cluster, Diagnostic> {
    const WHAT: &str = "cluster description";
    let doc = yaml::parse_one(text).map_err(|e| unreadable(WHAT, &e))?;
    let node = doc.get("cluster").unwrap_or(&doc);
    if node.as_map().is_none() {
        return Err(shape(
            WHAT,
            "is not a JSON object; give `aws eks describe-cluster --name <name>`",
            Some(node.range),
        ));
    }
    let issuer = match node.path(&["identity", "oidc", "issuer"]) {
        Some(n) => {
            let text = n.as_str().unwrap_or_default();
            let issuer = aws::parse_issuer(text).map_err(|why| {
                shape(
                    WHAT,
                    format!("has an unreadable issuer: {why}"),
                    Some(n.range),
                )
            })?;
            Some((issuer, n.range))
        }
        None => None,
    };
    if issuer.is_none() && node.get("arn").is_none() {
        return Err(shape(
            WHAT,
            "has neither `arn` nor `identity.oidc.issuer`; give `aws eks describe-cluster --name <name>`",
            Some(node.range),
        ));
    }
    Ok(Cluster {
        name: node.get("name").and_then(Node::as_str).map(str::to_owned),
        arn: node
            .get("arn")
            .and_then(Node::as_str)
            .and_then(aws::parse_cluster_arn),
        arn_text: node.get("arn").and_then(Node::as_str).map(str::to_owned),
        issuer,
    })
}

/// What IAM said about the OIDC provider.
#[derive(Debug, Clone)]
pub(crate) enum Provider {
    /// `aws iam get-open-id-connect-provider`.
    Found {
        url: Located,
        client_ids: Vec<Located>,
        client_ids_range: TextRange,
    },
    /// `aws iam list-open-id-connect-providers`: the ARNs of the account's providers.
    List(Vec<String>),
    /// `NoSuchEntity` (pasted from the CLI, or the `--live` call's answer).
    NotFound(String),
}

pub(crate) fn oidc_provider(text: &str) -> Result<Provider, Diagnostic> {
    const WHAT: &str = "OIDC provider description";
    let trimmed = text.trim();
    let said_missing =
        |t: &str| t.contains("NoSuchEntity") || t.to_ascii_lowercase().contains("not found");
    if !trimmed.starts_with('{') && said_missing(trimmed) {
        return Ok(Provider::NotFound(shorten(
            trimmed.lines().next().unwrap_or(trimmed),
        )));
    }
    // The whole text, not the trimmed one: ranges must index what the renderer slices
    // (issue 15 #10: a range on the trimmed text, never shifted back, split a character).
    let doc = match yaml::parse_one(text) {
        Ok(doc) if doc.as_map().is_some() => doc,
        other => {
            return Err(match other {
                Err(e) => unreadable(WHAT, &e),
                Ok(doc) => shape(
                    WHAT,
                    "is not a JSON object; give `aws iam get-open-id-connect-provider --open-id-connect-provider-arn <arn>`",
                    Some(doc.range),
                ),
            });
        }
    };
    if let Some(list) = doc.get("OpenIDConnectProviderList") {
        let arns = list
            .as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.get("Arn").and_then(Node::as_str).map(str::to_owned))
            .collect();
        return Ok(Provider::List(arns));
    }
    let Some(url) = doc.get("Url").and_then(Located::at) else {
        return Err(shape(
            WHAT,
            "has no `Url`; give `aws iam get-open-id-connect-provider --open-id-connect-provider-arn <arn>`",
            Some(doc.range),
        ));
    };
    let ids = doc.get("ClientIDList");
    Ok(Provider::Found {
        url,
        client_ids: ids
            .map(|n| {
                n.strings()
                    .into_iter()
                    .map(|(s, r)| Located {
                        value: s.to_owned(),
                        range: Some(r),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        client_ids_range: ids.map_or(doc.range, |n| n.range),
    })
}

/// One `NAME=value` line of `env` output.
#[derive(Debug, Clone)]
pub(crate) struct EnvVar {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) range: TextRange,
}

/// The environment of the pod.
#[derive(Debug, Clone)]
pub(crate) struct PodEnv {
    pub(crate) vars: Vec<EnvVar>,
}

impl PodEnv {
    pub(crate) fn get(&self, name: &str) -> Option<&EnvVar> {
        self.vars.iter().rev().find(|v| v.name == name)
    }
}

/// `kubectl exec <pod> -- env`: `NAME=value` lines; other lines (continuations of multi-line
/// values, blank lines, comments) are skipped. Values are kept only in memory: a pod's
/// environment holds secrets, and only the AWS variables doctor compares are ever quoted.
pub(crate) fn pod_env(text: &str) -> Result<PodEnv, Diagnostic> {
    if text.len() > yaml::MAX_INPUT_BYTES {
        return Err(shape(
            "pod environment",
            format!("is over {} bytes", yaml::MAX_INPUT_BYTES),
            None,
        ));
    }
    let mut vars = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        let body = line.strip_prefix("export ").unwrap_or(line);
        let lead = line.len() - body.len();
        let Some((name, value)) = body.split_once('=') else {
            continue;
        };
        let valid_name = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_name {
            continue;
        }
        let value_start = start + lead + name.len() + 1;
        vars.push(EnvVar {
            name: name.to_owned(),
            value: value.to_owned(),
            range: TextRange::new(value_start, value_start + value.len()),
        });
    }
    if vars.is_empty() && !text.trim().is_empty() {
        return Err(shape(
            "pod environment",
            "has no `NAME=value` line; give the output of `kubectl exec <pod> -- env`",
            Some(TextRange::new(0, text.find('\n').unwrap_or(text.len()))),
        ));
    }
    Ok(PodEnv { vars })
}

/// `aws eks describe-pod-identity-association`.
#[derive(Debug, Clone)]
pub(crate) struct Association {
    pub(crate) cluster_name: Option<Located>,
    pub(crate) namespace: Option<Located>,
    pub(crate) service_account: Option<Located>,
    pub(crate) role_arn: Option<Located>,
    pub(crate) target_role_arn: Option<String>,
    pub(crate) disable_session_tags: Option<TextRange>,
}

pub(crate) fn association(text: &str) -> Result<Association, Diagnostic> {
    const WHAT: &str = "Pod Identity association";
    let doc = yaml::parse_one(text).map_err(|e| unreadable(WHAT, &e))?;
    let node = doc.get("association").unwrap_or(&doc);
    if node.get("namespace").is_none() || node.get("serviceAccount").is_none() {
        return Err(shape(
            WHAT,
            "has no `namespace`/`serviceAccount`; give `aws eks describe-pod-identity-association --cluster-name <c> --association-id <id>`",
            Some(node.range),
        ));
    }
    let field = |key: &str| node.get(key).and_then(Located::at);
    Ok(Association {
        cluster_name: field("clusterName"),
        namespace: field("namespace"),
        service_account: field("serviceAccount"),
        role_arn: field("roleArn"),
        target_role_arn: node
            .get("targetRoleArn")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        disable_session_tags: node
            .get("disableSessionTags")
            .filter(|n| n.as_str() == Some("true"))
            .map(|n| n.range),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_account_from_a_list_and_wrong_kinds() {
        let list = "kind: List\nitems:\n- kind: ServiceAccount\n  metadata:\n    name: coder\n    namespace: coder\n";
        let sa = service_account(list).unwrap();
        assert_eq!(sa.name.as_deref(), Some("coder"));
        let pod = "kind: Pod\nmetadata:\n  name: x\n";
        let d = service_account(pod).unwrap_err();
        assert_eq!(d.code(), "DR001");
        assert!(d.message().contains("`Pod`"), "{}", d.message());
        assert_eq!(&pod[d.range().unwrap().as_usize_range()], "Pod");
    }

    #[test]
    fn helm_values_find_a_misplaced_block() {
        let values = "coderd:\n  image: x\nbuiltinProviderServiceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/r\n";
        let helm = helm_values(values).unwrap();
        assert!(helm.path.is_none());
        assert_eq!(helm.misplaced.unwrap().0, "builtinProviderServiceAccount");
    }

    #[test]
    fn pod_env_keeps_value_ranges_and_skips_continuations() {
        let env = "PATH=/bin\nMULTI=a\nb c\nexport AWS_ROLE_ARN=arn:aws:iam::123456789012:role/r\n";
        let parsed = pod_env(env).unwrap();
        let role = parsed.get("AWS_ROLE_ARN").unwrap();
        assert_eq!(
            &env[role.range.as_usize_range()],
            "arn:aws:iam::123456789012:role/r"
        );
        assert!(pod_env("just words\n").is_err());
    }

    #[test]
    fn provider_not_found_text_is_a_fact_not_an_error() {
        let text = "An error occurred (NoSuchEntity) when calling the GetOpenIDConnectProvider operation: OpenIDConnect Provider not found for arn arn:aws:iam::123456789012:oidc-provider/x";
        assert!(matches!(oidc_provider(text), Ok(Provider::NotFound(_))));
        assert!(oidc_provider("{\"ClientIDList\": []}").is_err());
    }

    #[test]
    fn provider_ranges_index_the_untrimmed_text() {
        // Issue 15 #10: a range computed on the trimmed text was never shifted back, so the
        // renderer sliced inside `é` (exit 101); with ASCII the underline was misplaced.
        for text in [
            "  \u{e9}\u{e9}{\"Url\": 1}",
            "\n\n  {\"Url\": \"oidc.eks.us-east-1.amazonaws.com/id/\u{e9}\"}",
            " \t{\"Url\": \"x\", \"ClientIDList\": [\"\u{e9}\"]}",
            "   [\u{e9}",
        ] {
            match oidc_provider(text) {
                Err(d) => {
                    if let Some(r) = d.range() {
                        assert!(
                            (r.end as usize) <= text.len()
                                && text.is_char_boundary(r.start as usize)
                                && text.is_char_boundary(r.end as usize),
                            "{text:?}: {r:?}"
                        );
                    }
                }
                Ok(Provider::Found {
                    url, client_ids, ..
                }) => {
                    for l in std::iter::once(&url).chain(&client_ids) {
                        let r = l.range.unwrap();
                        assert!(
                            text[r.as_usize_range()].contains(l.value.as_str()),
                            "{text:?}"
                        );
                    }
                }
                Ok(_) => {}
            }
        }
    }
}

/// What the trust-policy input turned out to be.
#[derive(Debug, Clone)]
pub(crate) enum TrustInput {
    Document(TrustDocument),
    /// IAM's `NoSuchEntity` for the role (pasted, or from `--live`).
    RoleMissing(String),
}

/// A trust policy document and what the linter says of it.
#[derive(Debug, Clone)]
pub(crate) struct TrustDocument {
    /// The policy document: the input itself, the inline `AssumeRolePolicyDocument` of
    /// `aws iam get-role` output, or that document URL-decoded.
    pub(crate) text: String,
    /// Where `text` starts in the input; `None` when its ranges index no part of the input
    /// (a decoded document).
    pub(crate) offset: Option<usize>,
    /// `policy::lint` of `text` as a trust policy, with ranges in the input.
    pub(crate) lint: Vec<Diagnostic>,
}

/// Codes that leave a trust policy unreadable: nothing else about it can be judged.
const UNREADABLE: &[&str] = &["TP001", "TP002", "TP007", "TP014"];

impl TrustDocument {
    /// Lints the document with `ctx`, ranges moved into the input.
    pub(crate) fn lint_with(&self, ctx: &LintContext) -> Vec<Diagnostic> {
        let out = policy::lint(&self.text, Some(PolicyKind::Trust), ctx);
        out.diagnostics
            .into_iter()
            .map(|mut d| {
                match self.offset {
                    Some(offset) => {
                        d.map_range(|r| r.shifted(offset));
                        if let Some(mut fix) = d.take_fix() {
                            for e in &mut fix.edits {
                                e.range = e.range.shifted(offset);
                            }
                            d = d.with_fix(fix);
                        }
                    }
                    None => {
                        let pointer = d.pointer().to_owned();
                        d.relocate(pointer, None);
                        d.take_fix();
                    }
                }
                d
            })
            .collect()
    }
}

/// Reads the trust policy: a bare policy document, `aws iam get-role` output (whose
/// `AssumeRolePolicyDocument` may be URL-encoded), or IAM's `NoSuchEntity` answer. The
/// document is linted with `ctx`; a finding that leaves it unreadable is the error.
pub(crate) fn trust_policy(text: &str, ctx: &LintContext) -> Result<TrustInput, Diagnostic> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') && trimmed.contains("NoSuchEntity") {
        return Ok(TrustInput::RoleMissing(shorten(
            trimmed.lines().next().unwrap_or(trimmed),
        )));
    }
    let (document, offset) = match json::parse(text) {
        Ok(root) => match get_role_document(&root) {
            Some(Ok(inner)) => match inner.as_str() {
                Some(encoded) => (crate::text::percent_decode(encoded), None),
                None => (
                    text[inner.range.as_usize_range()].to_owned(),
                    Some(inner.range.start as usize),
                ),
            },
            Some(Err(role)) => {
                return Err(Diagnostic::new(
                    &crate::policy::rules::tp002_policy_shape::TP002,
                    "the `aws iam get-role` output has no `AssumeRolePolicyDocument`",
                )
                .with_range(role));
            }
            None => (text.to_owned(), Some(0)),
        },
        // The linter reports where (TP001).
        Err(_) => (text.to_owned(), Some(0)),
    };
    let mut doc = TrustDocument {
        text: document,
        offset,
        lint: Vec::new(),
    };
    doc.lint = doc.lint_with(ctx);
    if let Some(d) = doc
        .lint
        .iter()
        .find(|d| d.is_error() && UNREADABLE.contains(&d.code()))
    {
        // The rule says what is wrong; where it does not say what to do, say what to give.
        let mut d = d.clone();
        if d.help().is_none() && d.fix().is_none() {
            d = d.with_help("give the role's trust policy JSON, or the output of `aws iam get-role --role-name <name>`");
        }
        return Err(d);
    }
    Ok(TrustInput::Document(doc))
}

/// `Role.AssumeRolePolicyDocument` of `aws iam get-role` output: `None` for another document,
/// `Err(range of Role)` when the role has no document.
fn get_role_document<'v>(
    root: &'v json::Value<'v>,
) -> Option<Result<&'v json::Value<'v>, TextRange>> {
    let role = root.as_object()?.iter().find(|m| m.key == "Role")?;
    let doc = role
        .value
        .as_object()
        .and_then(|members| members.iter().find(|m| m.key == "AssumeRolePolicyDocument"));
    Some(doc.map(|m| &m.value).ok_or(role.value.range))
}
