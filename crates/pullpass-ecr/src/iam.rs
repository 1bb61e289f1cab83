//! Read-only IAM and EKS look-ups for `pullpass doctor --live`.
//!
//! Every answer is plain text in the shape the AWS CLI prints (`get-open-id-connect-provider`,
//! `describe-cluster`, `describe-pod-identity-association` JSON; the role's trust policy
//! document, URL-decoded), so `pullpass_core::doctor` reads a live answer exactly as it reads
//! a pasted file. "Does not exist" is an answer ([`Lookup::NotFound`], with AWS's words), not an
//! error: a missing role or OIDC provider is a broken link doctor reports.

use aws_config::{BehaviorVersion, Region};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use pullpass_core::text::percent_decode;
use serde_json::json;

use crate::aws::{endpoint_override, map_sdk_error};
use crate::{Error, Options};

/// The answer to one look-up.
#[derive(Debug)]
pub enum Lookup<T> {
    Found(T),
    /// The service said the thing does not exist; its message, as AWS worded it.
    NotFound(String),
    /// Anything else: refused, unreachable.
    Failed(Error),
}

impl<T> Lookup<T> {
    /// "Does not exist", worded as AWS words it: `<code>: <message>`.
    pub(crate) fn not_found(code: &str, message: &str) -> Self {
        Self::NotFound(format!("{code}: {message}"))
    }

    fn from_result(result: Result<T, Error>, not_found_codes: &[&str]) -> Self {
        match result {
            Ok(t) => Self::Found(t),
            Err(Error::Service { code, message, .. })
                if not_found_codes.contains(&code.as_str()) =>
            {
                Self::not_found(&code, &message)
            }
            Err(e) => Self::Failed(e),
        }
    }
}

/// A role as IAM describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleFacts {
    pub arn: String,
    /// The trust policy document, URL-decoded JSON text.
    pub trust_policy: String,
}

/// The IAM and EKS look-ups `doctor --live` makes, read-only. [`AwsDirectory`] asks AWS;
/// `fake::FakeDirectory` (feature `fake`) answers from memory for tests.
#[async_trait::async_trait]
pub trait Directory: Send + Sync + std::fmt::Debug {
    /// The region EKS calls go to, if any.
    fn region(&self) -> Option<&str>;
    /// IAM GetRole: the role's ARN and trust policy. Takes a role name or ARN.
    async fn role(&self, name_or_arn: &str) -> Lookup<RoleFacts>;
    /// The role's permissions: its inline and attached policies' statements merged into one
    /// document (Allows add up, a Deny anywhere wins, so it means what the set means).
    async fn role_permissions(&self, name_or_arn: &str) -> Lookup<String>;
    /// IAM GetOpenIDConnectProvider, as `aws iam get-open-id-connect-provider` prints it.
    async fn oidc_provider(&self, arn: &str) -> Lookup<String>;
    /// EKS DescribeCluster, as `aws eks describe-cluster` prints it (the fields doctor reads).
    async fn cluster(&self, name: &str) -> Lookup<String>;
    /// The Pod Identity association of `namespace/service_account` in `cluster`, as
    /// `aws eks describe-pod-identity-association` prints it.
    async fn pod_identity_association(
        &self,
        cluster: &str,
        namespace: &str,
        service_account: &str,
    ) -> Lookup<String>;
}

/// The answer when no Pod Identity association matches (the real and the fake directory).
pub(crate) fn no_association(cluster: &str, namespace: &str, service_account: &str) -> String {
    format!("no Pod Identity association for {namespace}/{service_account} in cluster {cluster}")
}

/// The AWS CLI's JSON shape: pretty, with a final newline.
pub(crate) fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// IAM and EKS clients on the operator's current credentials (the SDK's default chain).
#[derive(Debug, Clone)]
pub struct AwsDirectory {
    iam: aws_sdk_iam::Client,
    eks: aws_sdk_eks::Client,
    region: Option<String>,
    /// `Options::endpoint_url` or `AWS_ENDPOINT_URL*`, for error messages.
    endpoint: Option<String>,
}

impl AwsDirectory {
    /// Loads the SDK configuration from the environment. `region` overrides the SDK's; IAM is
    /// global and works without one (`us-east-1` signs for the `aws` partition), EKS needs one.
    pub async fn from_env(region: Option<&str>, options: &Options) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(crate::aws::sdk_http_client())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(options.connect_timeout)
                    .operation_attempt_timeout(options.timeout)
                    .operation_timeout(options.timeout * options.max_attempts.max(1))
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)));
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_owned()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let region = config.region().map(ToString::to_string);
        let iam_config = if config.region().is_none() {
            config
                .to_builder()
                .region(Region::from_static("us-east-1"))
                .build()
        } else {
            config.clone()
        };
        Self {
            iam: aws_sdk_iam::Client::new(&iam_config),
            eks: aws_sdk_eks::Client::new(&config),
            region,
            endpoint: endpoint_override(options),
        }
    }
}

#[async_trait::async_trait]
impl Directory for AwsDirectory {
    fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    async fn role(&self, name_or_arn: &str) -> Lookup<RoleFacts> {
        let name = role_name(name_or_arn);
        let result = self
            .iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| map_sdk_error("IAM", "GetRole", self.endpoint.as_deref(), e))
            .map(|out| {
                let role = out.role();
                RoleFacts {
                    arn: role.map(|r| r.arn().to_owned()).unwrap_or_default(),
                    trust_policy: percent_decode(
                        role.and_then(|r| r.assume_role_policy_document())
                            .unwrap_or_default(),
                    ),
                }
            });
        Lookup::from_result(result, &["NoSuchEntity", "NoSuchEntityException"])
    }

    /// The role's permissions: every inline policy (ListRolePolicies, GetRolePolicy) and every
    /// attached managed policy's default version (ListAttachedRolePolicies, GetPolicy,
    /// GetPolicyVersion), their statements merged into one document. Allows across policies
    /// add up and a Deny anywhere wins, so the merged document means what the set means.
    async fn role_permissions(&self, name_or_arn: &str) -> Lookup<String> {
        let name = role_name(name_or_arn);
        let endpoint = self.endpoint.as_deref();
        let mut statements: Vec<serde_json::Value> = Vec::new();
        let inline = self
            .iam
            .list_role_policies()
            .role_name(name)
            .max_items(1000)
            .send()
            .await
            .map_err(|e| map_sdk_error("IAM", "ListRolePolicies", endpoint, e));
        let names = match inline {
            Ok(out) => out.policy_names().to_vec(),
            Err(e) => {
                return Lookup::from_result(Err(e), &["NoSuchEntity", "NoSuchEntityException"]);
            }
        };
        for policy in names {
            match self
                .iam
                .get_role_policy()
                .role_name(name)
                .policy_name(&policy)
                .send()
                .await
            {
                Ok(out) => statements.extend(statements_of(out.policy_document())),
                Err(e) => {
                    return Lookup::Failed(map_sdk_error("IAM", "GetRolePolicy", endpoint, e));
                }
            }
        }
        let attached = match self
            .iam
            .list_attached_role_policies()
            .role_name(name)
            .max_items(1000)
            .send()
            .await
        {
            Ok(out) => out
                .attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_owned))
                .collect::<Vec<_>>(),
            Err(e) => {
                return Lookup::Failed(map_sdk_error(
                    "IAM",
                    "ListAttachedRolePolicies",
                    endpoint,
                    e,
                ));
            }
        };
        for arn in attached {
            let version = match self.iam.get_policy().policy_arn(&arn).send().await {
                Ok(out) => out
                    .policy()
                    .and_then(|p| p.default_version_id())
                    .unwrap_or("v1")
                    .to_owned(),
                Err(e) => return Lookup::Failed(map_sdk_error("IAM", "GetPolicy", endpoint, e)),
            };
            match self
                .iam
                .get_policy_version()
                .policy_arn(&arn)
                .version_id(version)
                .send()
                .await
            {
                Ok(out) => statements.extend(statements_of(
                    out.policy_version()
                        .and_then(|v| v.document())
                        .unwrap_or_default(),
                )),
                Err(e) => {
                    return Lookup::Failed(map_sdk_error("IAM", "GetPolicyVersion", endpoint, e));
                }
            }
        }
        Lookup::Found(merged_policy(statements))
    }

    /// IAM GetOpenIDConnectProvider, as `aws iam get-open-id-connect-provider` prints it.
    async fn oidc_provider(&self, arn: &str) -> Lookup<String> {
        let result = self
            .iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| {
                map_sdk_error(
                    "IAM",
                    "GetOpenIDConnectProvider",
                    self.endpoint.as_deref(),
                    e,
                )
            })
            .map(|out| {
                oidc_provider_text(
                    out.url().unwrap_or_default(),
                    out.client_id_list(),
                    out.thumbprint_list(),
                )
            });
        Lookup::from_result(result, &["NoSuchEntity", "NoSuchEntityException"])
    }

    /// EKS DescribeCluster, as `aws eks describe-cluster` prints it (the fields doctor reads).
    async fn cluster(&self, name: &str) -> Lookup<String> {
        let result = self
            .eks
            .describe_cluster()
            .name(name)
            .send()
            .await
            .map_err(|e| map_sdk_error("EKS", "DescribeCluster", self.endpoint.as_deref(), e))
            .map(|out| {
                let cluster = out.cluster();
                cluster_text(
                    cluster.and_then(|c| c.name()),
                    cluster.and_then(|c| c.arn()),
                    cluster
                        .and_then(|c| c.identity())
                        .and_then(|i| i.oidc())
                        .and_then(|o| o.issuer()),
                )
            });
        Lookup::from_result(result, &["ResourceNotFoundException"])
    }

    /// The Pod Identity association of `namespace/service_account` in `cluster`, as
    /// `aws eks describe-pod-identity-association` prints it.
    async fn pod_identity_association(
        &self,
        cluster: &str,
        namespace: &str,
        service_account: &str,
    ) -> Lookup<String> {
        let endpoint = self.endpoint.clone();
        let listed = self
            .eks
            .list_pod_identity_associations()
            .cluster_name(cluster)
            .namespace(namespace)
            .service_account(service_account)
            .send()
            .await
            .map_err(|e| {
                map_sdk_error("EKS", "ListPodIdentityAssociations", endpoint.as_deref(), e)
            });
        let id = match listed {
            Ok(out) => match out.associations().first().and_then(|a| a.association_id()) {
                Some(id) => id.to_owned(),
                None => {
                    return Lookup::NotFound(no_association(cluster, namespace, service_account));
                }
            },
            Err(e) => return Lookup::from_result(Err(e), &["ResourceNotFoundException"]),
        };
        let result = self
            .eks
            .describe_pod_identity_association()
            .cluster_name(cluster)
            .association_id(&id)
            .send()
            .await
            .map_err(|e| {
                map_sdk_error(
                    "EKS",
                    "DescribePodIdentityAssociation",
                    endpoint.as_deref(),
                    e,
                )
            })
            .map(|out| {
                let a = out.association();
                association_text(&Association {
                    cluster_name: a.and_then(|a| a.cluster_name()),
                    namespace: a.and_then(|a| a.namespace()),
                    service_account: a.and_then(|a| a.service_account()),
                    role_arn: a.and_then(|a| a.role_arn()),
                    association_id: a.and_then(|a| a.association_id()),
                    disable_session_tags: a.and_then(|a| a.disable_session_tags()),
                    target_role_arn: a.and_then(|a| a.target_role_arn()),
                })
            });
        Lookup::from_result(result, &["ResourceNotFoundException"])
    }
}

/// The role's policies' statements as one document.
pub(crate) fn merged_policy(statements: Vec<serde_json::Value>) -> String {
    pretty(&json!({"Version": "2012-10-17", "Statement": statements}))
}

/// `aws iam get-open-id-connect-provider`'s shape.
pub(crate) fn oidc_provider_text(
    url: &str,
    audiences: &[String],
    thumbprints: &[String],
) -> String {
    pretty(&json!({
        "Url": url,
        "ClientIDList": audiences,
        "ThumbprintList": thumbprints,
    }))
}

/// `aws eks describe-cluster`'s shape, the fields doctor reads.
pub(crate) fn cluster_text(name: Option<&str>, arn: Option<&str>, issuer: Option<&str>) -> String {
    pretty(&json!({"cluster": {
        "name": name,
        "arn": arn,
        "identity": {"oidc": {"issuer": issuer}},
    }}))
}

/// The fields of a Pod Identity association doctor reads.
#[derive(Debug, Default)]
pub(crate) struct Association<'a> {
    pub(crate) cluster_name: Option<&'a str>,
    pub(crate) namespace: Option<&'a str>,
    pub(crate) service_account: Option<&'a str>,
    pub(crate) role_arn: Option<&'a str>,
    pub(crate) association_id: Option<&'a str>,
    pub(crate) disable_session_tags: Option<bool>,
    pub(crate) target_role_arn: Option<&'a str>,
}

/// `aws eks describe-pod-identity-association`'s shape.
pub(crate) fn association_text(a: &Association<'_>) -> String {
    pretty(&json!({"association": {
        "clusterName": a.cluster_name,
        "namespace": a.namespace,
        "serviceAccount": a.service_account,
        "roleArn": a.role_arn,
        "associationId": a.association_id,
        "disableSessionTags": a.disable_session_tags,
        "targetRoleArn": a.target_role_arn,
    }}))
}

/// `arn:aws:iam::123456789012:role/path/name` → `name`; a bare name stays.
pub(crate) fn role_name(name_or_arn: &str) -> &str {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
    } else {
        name_or_arn
    }
}

/// The statements of a URL-encoded policy document (none when it is not a policy).
fn statements_of(encoded: &str) -> Vec<serde_json::Value> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(&percent_decode(encoded)) else {
        return Vec::new();
    };
    match doc.get("Statement") {
        Some(serde_json::Value::Array(items)) => items.clone(),
        Some(one @ serde_json::Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_iam_policy_documents_and_role_names() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            "{\"Version\":\"2012-10-17\"}"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/team/pull"),
            "pull"
        );
        assert_eq!(role_name("pull"), "pull");
        assert_eq!(
            statements_of("%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%7D%7D").len(),
            1
        );
        assert!(statements_of("not json").is_empty());
    }
}
