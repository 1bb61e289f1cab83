//! Trust policies and helm values as eksctl and the EKS docs write them: IRSA with `sub` and
//! `aud` under `StringEquals` and the key without `https://`, EKS Pod Identity with
//! `sts:AssumeRole` + `sts:TagSession` and the namespace / service-account session tags, in
//! the right partition. Every generated policy lints without errors or warnings (a property
//! test proves it).

use super::aws::{self, Arn};
use super::model::json_string;

/// Why a policy could not be generated. Each message says what to pass instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The policy built from these inputs would not pass `pullpass lint` (an issuer the
    /// linter rejects, names so long the policy is over IAM's 4,096-character limit).
    #[error("the generated policy would not pass `pullpass lint`: {code}: {message}")]
    OwnLint { code: &'static str, message: String },
    #[error(
        "give the cluster's OIDC issuer URL (--issuer) or the IAM OIDC provider ARN (--provider-arn)"
    )]
    MissingIssuer,
    #[error(
        "`{0}` is not an OIDC issuer URL such as https://oidc.eks.us-east-1.amazonaws.com/id/<ID> (see `aws eks describe-cluster --query cluster.identity.oidc.issuer`)"
    )]
    InvalidIssuer(String),
    #[error(
        "`{0}` is not an IAM OIDC provider ARN (arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>)"
    )]
    InvalidProviderArn(String),
    #[error("`{0}` is not a 12-digit AWS account ID")]
    InvalidAccount(String),
    #[error(
        "with --issuer, the account that holds the IAM OIDC provider is needed: pass --account <12 digits> (or --provider-arn)"
    )]
    AccountRequired,
    #[error("the provider ARN is in account {arn}, but --account says {given}")]
    AccountMismatch { arn: String, given: String },
    #[error(
        "`{0}` is not an AWS partition (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc)"
    )]
    InvalidPartition(String),
    #[error(
        "the issuer's region is in partition `{issuer}`, but --partition says `{given}`: IAM never trusts across partitions"
    )]
    PartitionMismatch { issuer: String, given: String },
    #[error(
        "`{0}` is not a Kubernetes namespace (a DNS-1123 label: lower-case letters, digits and `-`, at most 63)"
    )]
    InvalidNamespace(String),
    #[error(
        "`{0}` is not a Kubernetes service account name (a DNS-1123 subdomain: lower-case letters, digits, `-` and `.`, at most 253)"
    )]
    InvalidServiceAccount(String),
    #[error(
        "`{0}` is not an EKS cluster ARN (arn:<partition>:eks:<region>:<account>:cluster/<name>)"
    )]
    InvalidClusterArn(String),
    #[error(
        "`{0}` is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<path><name>)"
    )]
    InvalidRoleArn(String),
}

/// What an IRSA trust policy needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IrsaOptions {
    /// The cluster's issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<ID>`).
    pub issuer: Option<String>,
    /// The IAM OIDC provider ARN; wins over `issuer` and gives account and partition.
    pub provider_arn: Option<String>,
    pub namespace: String,
    pub service_account: String,
    /// The account of the OIDC provider (required with `issuer`).
    pub account: Option<String>,
    /// The partition (`aws`, `aws-cn`, …); derived from the issuer's region when absent.
    pub partition: Option<String>,
}

/// What an EKS Pod Identity trust policy needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodIdentityOptions {
    pub namespace: String,
    pub service_account: String,
    /// Restrict to one cluster (`aws:RequestTag/eks-cluster-arn`).
    pub cluster_arn: Option<String>,
}

pub(crate) fn is_dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn check_names(namespace: &str, service_account: &str) -> Result<(), GenerateError> {
    if !is_dns_label(namespace, 63) {
        return Err(GenerateError::InvalidNamespace(namespace.to_owned()));
    }
    if service_account.len() > 253 || !service_account.split('.').all(|l| is_dns_label(l, 63)) {
        return Err(GenerateError::InvalidServiceAccount(
            service_account.to_owned(),
        ));
    }
    Ok(())
}

/// An issuer host and path as a condition key wants it: no scheme, no trailing `/`, nothing a
/// policy cannot hold.
fn clean_provider(raw: &str) -> Option<&str> {
    let p = aws::normalize_provider(raw.trim());
    let ok = !p.is_empty()
        && p.split('/').next().is_some_and(|host| host.contains('.'))
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/:%".contains(&b));
    ok.then_some(p)
}

/// The IRSA trust policy eksctl writes, pretty-printed with a final newline.
///
/// # Errors
/// A [`GenerateError`] naming the option that is missing or malformed.
pub fn irsa(opts: &IrsaOptions) -> Result<String, GenerateError> {
    let namespace = opts.namespace.trim();
    let service_account = opts.service_account.trim();
    check_names(namespace, service_account)?;
    let given_account = opts
        .account
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(a) = given_account
        && !aws::is_account_id(a)
    {
        return Err(GenerateError::InvalidAccount(a.to_owned()));
    }
    let given_partition = opts
        .partition
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(p) = given_partition
        && !aws::known_partition(p)
    {
        return Err(GenerateError::InvalidPartition(p.to_owned()));
    }
    let (provider, account, partition) = if let Some(raw) = opts
        .provider_arn
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let bad = || GenerateError::InvalidProviderArn(raw.to_owned());
        let arn = Arn::parse(raw).ok_or_else(bad)?;
        let provider = arn
            .oidc_provider()
            .and_then(clean_provider)
            .ok_or_else(bad)?;
        if !aws::is_account_id(arn.account)
            || !aws::known_partition(arn.partition)
            || !arn.region.is_empty()
        {
            return Err(bad());
        }
        if let Some(a) = given_account
            && a != arn.account
        {
            return Err(GenerateError::AccountMismatch {
                arn: arn.account.to_owned(),
                given: a.to_owned(),
            });
        }
        (provider, arn.account, arn.partition)
    } else {
        let raw = opts
            .issuer
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(GenerateError::MissingIssuer)?;
        if raw.starts_with("arn:") {
            return Err(GenerateError::InvalidIssuer(raw.to_owned()));
        }
        let provider =
            clean_provider(raw).ok_or_else(|| GenerateError::InvalidIssuer(raw.to_owned()))?;
        let account = given_account.ok_or(GenerateError::AccountRequired)?;
        let derived = aws::issuer_region_partition(provider).map(|(_, p)| p);
        let partition = match (given_partition, derived) {
            (Some(g), Some(d)) if g != d => {
                return Err(GenerateError::PartitionMismatch {
                    issuer: d.to_owned(),
                    given: g.to_owned(),
                });
            }
            (Some(g), _) => g,
            (None, Some(d)) => d,
            (None, None) => "aws",
        };
        (provider, account, partition)
    };
    if let (Some(g), Some(d)) = (
        given_partition,
        aws::issuer_region_partition(provider).map(|(_, p)| p),
    ) && g != d
    {
        return Err(GenerateError::PartitionMismatch {
            issuer: d.to_owned(),
            given: g.to_owned(),
        });
    }
    if let Some(g) = given_partition
        && g != partition
    {
        return Err(GenerateError::PartitionMismatch {
            issuer: partition.to_owned(),
            given: g.to_owned(),
        });
    }
    let federated = format!("arn:{partition}:iam::{account}:oidc-provider/{provider}");
    let subject = format!("system:serviceaccount:{namespace}:{service_account}");
    lints_clean(format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Principal": {{
        "Federated": {federated}
      }},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {{
        "StringEquals": {{
          {sub}: {subject},
          {aud}: "sts.amazonaws.com"
        }}
      }}
    }}
  ]
}}
"#,
        federated = json_string(&federated),
        sub = json_string(&format!("{provider}:sub")),
        aud = json_string(&format!("{provider}:aud")),
        subject = json_string(&subject),
    ))
}

/// The generated policy, or the first error `pullpass lint` would report on it: the generator
/// never hands out what its own linter rejects (issue 15 #7, #13).
fn lints_clean(text: String) -> Result<String, GenerateError> {
    let out = super::lint(
        &text,
        Some(super::PolicyKind::Trust),
        &super::LintContext::default(),
    );
    match out
        .diagnostics
        .into_iter()
        .find(super::super::Diagnostic::is_error)
    {
        Some(d) => Err(GenerateError::OwnLint {
            code: d.code(),
            message: d.message().to_owned(),
        }),
        None => Ok(text),
    }
}

/// The EKS Pod Identity trust policy, scoped to one service account (and cluster).
///
/// # Errors
/// A [`GenerateError`] naming the option that is malformed.
pub fn pod_identity(opts: &PodIdentityOptions) -> Result<String, GenerateError> {
    let namespace = opts.namespace.trim();
    let service_account = opts.service_account.trim();
    check_names(namespace, service_account)?;
    let mut conditions = vec![
        format!(
            "\"aws:RequestTag/kubernetes-namespace\": {}",
            json_string(namespace)
        ),
        format!(
            "\"aws:RequestTag/kubernetes-service-account\": {}",
            json_string(service_account)
        ),
    ];
    if let Some(raw) = opts
        .cluster_arn
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let ok = Arn::parse(raw).is_some_and(|a| {
            aws::known_partition(a.partition)
                && a.service == "eks"
                && aws::region_partition(a.region) == Some(a.partition)
                && aws::is_account_id(a.account)
                && a.resource.strip_prefix("cluster/").is_some_and(|n| {
                    !n.is_empty()
                        && n.len() <= 100
                        && n.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
        });
        if !ok {
            return Err(GenerateError::InvalidClusterArn(raw.to_owned()));
        }
        conditions.push(format!(
            "\"aws:RequestTag/eks-cluster-arn\": {}",
            json_string(raw)
        ));
    }
    Ok(format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "AllowEksAuthToAssumeRoleForPodIdentity",
      "Effect": "Allow",
      "Principal": {{
        "Service": "pods.eks.amazonaws.com"
      }},
      "Action": [
        "sts:AssumeRole",
        "sts:TagSession"
      ],
      "Condition": {{
        "StringEquals": {{
          {}
        }}
      }}
    }}
  ]
}}
"#,
        conditions.join(",\n          ")
    ))
}

/// Validates a role ARN: `arn:<partition>:iam::<12 digits>:role/<path><name>`.
pub(crate) fn check_role_arn(raw: &str) -> Result<Arn<'_>, GenerateError> {
    let bad = || GenerateError::InvalidRoleArn(raw.to_owned());
    let arn = aws::role_arn(raw).ok_or_else(bad)?;
    let path_and_name = arn.resource.strip_prefix("role/").ok_or_else(bad)?;
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    let ok = raw.len() <= 2048
        && aws::known_partition(arn.partition)
        && arn.region.is_empty()
        && aws::is_account_id(arn.account)
        && (1..=64).contains(&name.len())
        && path_and_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@-_/".contains(&b));
    ok.then_some(arn).ok_or_else(bad)
}

/// The product doc's helm values (`coderd.builtinProviderServiceAccount.annotations`) for
/// `role_arn`, followed by the commands that apply and verify them.
///
/// # Errors
/// [`GenerateError::InvalidRoleArn`] when `role_arn` is not a role ARN.
pub fn helm_values(role_arn: &str) -> Result<String, GenerateError> {
    let role_arn = role_arn.trim();
    check_role_arn(role_arn)?;
    Ok(format!(
        r#"# values.yaml for the Coder helm chart: annotate coderd's service account with the IAM role (IRSA).
coderd:
  builtinProviderServiceAccount:
    annotations:
      eks.amazonaws.com/role-arn: "{role_arn}"

# Apply, restart so pods get the web identity token, and verify:
#   helm upgrade coder coder/coder --values values.yaml
#   kubectl rollout restart deployment coder
#   kubectl get serviceaccount coder -o yaml | grep eks.amazonaws.com/role-arn
#     (expect: eks.amazonaws.com/role-arn: {role_arn})
#   kubectl run -it --rm awscli --image=amazon/aws-cli --overrides='{{"spec":{{"serviceAccount":"coder"}}}}' --command -- aws sts get-caller-identity
#     (expect an assumed-role ARN of {role_name})
#   kubectl run -it --rm awscli --image=amazon/aws-cli --overrides='{{"spec":{{"serviceAccount":"coder"}}}}' --command -- aws ecr describe-repositories
"#,
        role_name = role_arn.rsplit('/').next().unwrap_or(role_arn),
    ))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Severity;
    use crate::policy::{LintContext, PolicyKind, lint};

    fn assert_clean(policy: &str) {
        let out = lint(policy, None, &LintContext::default());
        assert_eq!(out.kind, Some(PolicyKind::Trust));
        let bad: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.severity() != Severity::Info)
            .collect();
        assert!(bad.is_empty(), "{policy}\n{bad:#?}");
    }

    #[test]
    fn irsa_from_issuer_matches_eksctl() {
        let policy = irsa(&IrsaOptions {
            issuer: Some(
                "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E/"
                    .into(),
            ),
            namespace: "coder".into(),
            service_account: "coder".into(),
            account: Some("123456789012".into()),
            ..IrsaOptions::default()
        })
        .unwrap();
        assert!(policy.contains("\"Federated\": \"arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E\""), "{policy}");
        assert!(policy.contains("\"oidc.eks.cn-north-1.amazonaws.com.cn/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud\": \"sts.amazonaws.com\""));
        assert_clean(&policy);
        let ctx = LintContext {
            expected_service_account: Some("coder/coder".into()),
            expected_issuer: Some(
                "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"
                    .into(),
            ),
            role_arn: Some("arn:aws-cn:iam::123456789012:role/coder".into()),
            ..LintContext::default()
        };
        assert!(lint(&policy, None, &ctx).diagnostics.is_empty());
    }

    #[test]
    fn irsa_refuses_bad_options() {
        let base = IrsaOptions {
            issuer: Some(
                "https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"
                    .into(),
            ),
            namespace: "coder".into(),
            service_account: "coder".into(),
            account: Some("123456789012".into()),
            ..IrsaOptions::default()
        };
        assert_eq!(
            irsa(&IrsaOptions {
                account: None,
                ..base.clone()
            }),
            Err(GenerateError::AccountRequired)
        );
        assert_eq!(
            irsa(&IrsaOptions {
                issuer: None,
                ..base.clone()
            }),
            Err(GenerateError::MissingIssuer)
        );
        assert!(matches!(
            irsa(&IrsaOptions {
                namespace: "Coder".into(),
                ..base.clone()
            }),
            Err(GenerateError::InvalidNamespace(_))
        ));
        assert!(matches!(
            irsa(&IrsaOptions {
                partition: Some("aws-cn".into()),
                ..base.clone()
            }),
            Err(GenerateError::PartitionMismatch { .. })
        ));
        assert!(matches!(
            irsa(&IrsaOptions {
                issuer: Some("https://${OIDC_PROVIDER}".into()),
                ..base.clone()
            }),
            Err(GenerateError::InvalidIssuer(_))
        ));
        let from_arn = irsa(&IrsaOptions {
            issuer: None,
            account: None,
            provider_arn: Some("arn:aws-us-gov:iam::123456789012:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E".into()),
            ..base
        })
        .unwrap();
        assert!(from_arn.contains("arn:aws-us-gov:iam::123456789012"));
        assert_clean(&from_arn);
    }

    #[test]
    fn pod_identity_and_helm_values() {
        let policy = pod_identity(&PodIdentityOptions {
            namespace: "coder".into(),
            service_account: "coder".into(),
            cluster_arn: Some("arn:aws:eks:us-east-1:123456789012:cluster/prod".into()),
        })
        .unwrap();
        assert_clean(&policy);
        assert!(
            pod_identity(&PodIdentityOptions {
                cluster_arn: Some("arn:aws:eks:cn-north-1:1:cluster/x".into()),
                namespace: "a".into(),
                service_account: "b".into()
            })
            .is_err()
        );
        let values = helm_values("arn:aws:iam::123456789012:role/coder-ecr").unwrap();
        assert!(values.contains("coderd:\n  builtinProviderServiceAccount:\n    annotations:\n      eks.amazonaws.com/role-arn: \"arn:aws:iam::123456789012:role/coder-ecr\""));
        assert!(values.contains("kubectl get serviceaccount coder"));
        assert!(helm_values("my-role-arn").is_err());
        assert!(helm_values("arn:aws:iam::123456789012:user/x").is_err());
    }

    fn region() -> impl Strategy<Value = (String, &'static str, &'static str)> {
        prop_oneof![
            Just(("us-east-1".to_owned(), "aws", "amazonaws.com")),
            Just(("eu-central-1".to_owned(), "aws", "amazonaws.com")),
            Just(("cn-northwest-1".to_owned(), "aws-cn", "amazonaws.com.cn")),
            Just(("us-gov-west-1".to_owned(), "aws-us-gov", "amazonaws.com")),
        ]
    }

    proptest! {
        #[test]
        fn every_generated_policy_lints_clean(
            (region, partition, suffix) in region(),
            id in "[0-9A-F]{32}",
            account in "[0-9]{12}",
            ns in "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?",
            sa in "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\\.[a-z0-9]{1,8})?",
            by_arn in any::<bool>(),
            with_cluster in any::<bool>(),
        ) {
            let provider = format!("oidc.eks.{region}.{suffix}/id/{id}");
            let opts = if by_arn {
                IrsaOptions { provider_arn: Some(format!("arn:{partition}:iam::{account}:oidc-provider/{provider}")), namespace: ns.clone(), service_account: sa.clone(), ..IrsaOptions::default() }
            } else {
                IrsaOptions { issuer: Some(format!("https://{provider}")), account: Some(account.clone()), namespace: ns.clone(), service_account: sa.clone(), ..IrsaOptions::default() }
            };
            let policy = irsa(&opts).unwrap();
            assert_clean(&policy);
            let ctx = LintContext {
                expected_service_account: Some(format!("{ns}/{sa}")),
                expected_issuer: Some(format!("https://{provider}")),
                role_arn: Some(format!("arn:{partition}:iam::{account}:role/r")),
                ..LintContext::default()
            };
            prop_assert!(lint(&policy, None, &ctx).diagnostics.is_empty());
            let cluster = with_cluster.then(|| format!("arn:{partition}:eks:{region}:{account}:cluster/c1"));
            let pod = pod_identity(&PodIdentityOptions { namespace: ns.clone(), service_account: sa.clone(), cluster_arn: cluster }).unwrap();
            assert_clean(&pod);
            let ctx = LintContext { expected_service_account: Some(format!("{ns}/{sa}")), ..LintContext::default() };
            prop_assert!(lint(&pod, None, &ctx).diagnostics.is_empty());
        }
    }
}

#[cfg(test)]
mod own_lint_tests {
    use super::*;

    #[test]
    fn never_hands_out_what_its_linter_rejects() {
        // Issue 15 #7/#13: long names gave a policy over 4,096 characters (TP060 error).
        for id in [
            "0123456789ABCDEF0123456789ABCDEF".repeat(45),
            "A".repeat(2000),
        ] {
            let r = irsa(&IrsaOptions {
                issuer: Some(format!("https://oidc.eks.us-east-1.amazonaws.com/id/{id}")),
                account: Some("123456789012".into()),
                namespace: "coder".into(),
                service_account: "coder".into(),
                ..Default::default()
            });
            check(&r);
        }
        let r = irsa(&IrsaOptions {
            issuer: Some(
                "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
                    .into(),
            ),
            account: Some("123456789012".into()),
            namespace: "c".repeat(63),
            service_account: "s".repeat(253),
            ..Default::default()
        });
        check(&r);
    }

    fn check(r: &Result<String, GenerateError>) {
        if let Ok(text) = r {
            let out = crate::policy::lint(
                text,
                Some(crate::policy::PolicyKind::Trust),
                &crate::policy::LintContext::default(),
            );
            assert!(
                !out.diagnostics.iter().any(crate::Diagnostic::is_error),
                "{text}"
            );
        }
    }
}
