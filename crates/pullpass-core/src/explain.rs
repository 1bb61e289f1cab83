//! `pullpass explain`: maps the AWS error texts people paste into issues to their usual causes,
//! the rule that would have caught them, and what to do next.

/// One known error and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Short name of the error (`AccessDenied on sts:AssumeRoleWithWebIdentity`).
    pub title: &'static str,
    /// The usual causes, most likely first.
    pub causes: Vec<String>,
    /// Rule codes that catch these causes before they fail.
    pub rules: Vec<&'static str>,
    /// What to run or check next.
    pub next_steps: Vec<String>,
}

struct Entry {
    title: &'static str,
    /// All of one inner list must appear (case-insensitive); any inner list may.
    patterns: &'static [&'static [&'static str]],
    causes: &'static [&'static str],
    rules: &'static [&'static str],
    next_steps: &'static [&'static str],
}

static ENTRIES: &[Entry] = &[
    Entry {
        title: "AccessDenied on sts:AssumeRoleWithWebIdentity",
        patterns: &[
            &["assumerolewithwebidentity", "not authorized"],
            &["assumerolewithwebidentity", "accessdenied"],
        ],
        causes: &[
            "the trust policy's conditions do not match the token: the `sub` names another namespace or service account, or is written with wrong case or format",
            "the condition keys name another issuer than the principal, or carry `https://`",
            "a wildcard under `StringEquals` (compares literally) instead of `StringLike`",
            "the provider ARN is in another account or partition than the role",
        ],
        rules: &[
            "TP021", "TP022", "TP027", "TP028", "TP040", "TP041", "TP032",
        ],
        next_steps: &[
            "pullpass lint trust-policy.json --expect-service-account <ns>/<sa> --expect-issuer <issuer URL> --role-arn <role ARN>",
            "aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument > trust-policy.json",
            "pullpass trust-policy irsa --issuer <issuer URL> --account <account> --namespace <ns> --service-account <sa>",
        ],
    },
    Entry {
        title: "InvalidIdentityToken: No OpenIDConnect provider found",
        patterns: &[&["no openidconnect provider found"]],
        causes: &[
            "the IAM OIDC provider for the cluster's issuer does not exist in the role's account (it is per account and per cluster)",
            "in China or GovCloud: the SDK called the STS endpoint of another partition (set AWS_REGION / AWS_STS_REGIONAL_ENDPOINTS=regional)",
        ],
        rules: &["TP041", "TP040"],
        next_steps: &[
            "aws iam list-open-id-connect-providers",
            "eksctl utils associate-iam-oidc-provider --cluster <cluster> --approve",
            "aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer",
        ],
    },
    Entry {
        title: "InvalidIdentityToken: Incorrect token audience",
        patterns: &[&["incorrect token audience"]],
        causes: &[
            "the IAM OIDC provider's client IDs do not include the token's `aud` (the IRSA webhook requests `sts.amazonaws.com`)",
            "`sts.amazonaws.com.cn` or a regional STS host used as the audience (China clusters use `sts.amazonaws.com` too)",
            "the service account's `eks.amazonaws.com/audience` annotation asks for another audience",
        ],
        rules: &["TP024", "TP025"],
        next_steps: &[
            "aws iam get-open-id-connect-provider --open-id-connect-provider-arn <provider ARN> --query ClientIDList",
            "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <provider ARN> --client-id sts.amazonaws.com",
        ],
    },
    Entry {
        title: "InvalidIdentityToken: the web identity token could not be validated",
        patterns: &[
            &["web identity token", "could not be validated"],
            &["couldn't retrieve verification key"],
            &["thumbprint"],
        ],
        causes: &[
            "the IAM OIDC provider's URL differs from the token's issuer (a trailing slash, another cluster)",
            "the provider's thumbprint is stale, or the issuer's keys cannot be fetched (self-managed issuers)",
        ],
        rules: &["TP010", "TP023"],
        next_steps: &[
            "aws iam get-open-id-connect-provider --open-id-connect-provider-arn <provider ARN>",
            "compare its Url with `aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer`",
        ],
    },
    Entry {
        title: "no basic auth credentials / 403 from the registry",
        patterns: &[
            &["no basic auth credentials"],
            &["403", "forbidden"],
            &["403", "denied"],
            &["unauthorized: authentication required"],
            &["401", "unauthorized"],
            &["pull access denied"],
            &["insufficient_scope"],
            &["may require authorization"],
            &["denied: your authorization token has expired"],
        ],
        causes: &[
            "no registry token, or one older than 12 hours (ECR tokens expire)",
            "a token for another region: tokens are region-scoped",
            "the identity may not call `ecr:GetAuthorizationToken` on `*`, or lacks `ecr:BatchGetImage` / `ecr:GetDownloadUrlForLayer` on the repository",
        ],
        rules: &["EP001", "EP002"],
        next_steps: &[
            "pullpass registry test <name>",
            "pullpass lint --kind permissions permissions-policy.json --registry <host> --repository <repo>",
            "aws ecr get-login-password --region <the registry's region> | docker login --username AWS --password-stdin <host>",
        ],
    },
    Entry {
        title: "AccessDenied on sts:AssumeRole (cross-account role)",
        patterns: &[
            &["sts:assumerole on resource"],
            &["assumerole operation", "accessdenied"],
            &["sts: assumerole,", "accessdenied"],
        ],
        causes: &[
            "the role's trust policy does not name the calling principal (its account, role or user ARN)",
            "the trust policy requires `sts:ExternalId` and the caller sent none, or another value (one STS can never send: spaces, other characters)",
            "the calling identity's own policy does not allow `sts:AssumeRole` on the role ARN",
        ],
        rules: &["TP041", "TP062", "TP064", "RF050", "RF051", "RF052"],
        next_steps: &[
            "aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument > trust-policy.json",
            "pullpass lint trust-policy.json --role-arn <role ARN>",
            "aws sts assume-role --role-arn <role ARN> --role-session-name test --external-id <external ID>",
        ],
    },
    Entry {
        title: "No AWS credentials found",
        patterns: &[
            &["nocredentialproviders"],
            &["unable to locate credentials"],
            &["no valid providers in chain"],
            &["no providers in chain provided credentials"],
            &["could not load credentials from any providers"],
        ],
        causes: &[
            "IRSA is not wired: the service account lacks `eks.amazonaws.com/role-arn`, or the pod started before the annotation (no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE in its env)",
            "EKS Pod Identity: no association for the namespace/service account, or the eks-pod-identity-agent add-on is missing",
            "the node's IMDS hop limit (1) keeps containers from the instance role",
        ],
        rules: &["RF040"],
        next_steps: &[
            "kubectl get serviceaccount <sa> -n <ns> -o yaml",
            "kubectl exec <pod> -- env | grep AWS_",
            "aws eks list-pod-identity-associations --cluster-name <cluster>",
        ],
    },
    Entry {
        title: "kubelet's ECR credential provider failed",
        patterns: &[
            &["credential provider plugin"],
            &["ecr-credential-provider"],
            &["external registry credential provider"],
        ],
        causes: &[
            "the node's instance role may not call `ecr:GetAuthorizationToken` on `*` (attach AmazonEC2ContainerRegistryPullOnly or ReadOnly)",
            "the plugin cannot reach IMDS or STS (hop limit, no VPC endpoint for `ecr.api` / `sts`)",
            "the CredentialProviderConfig's `matchImages` does not cover this registry host (China, GovCloud or a vanity host)",
        ],
        rules: &["EP001", "EP002", "RF021", "RF024"],
        next_steps: &[
            "journalctl -u kubelet | grep -i credential",
            "pullpass lint --kind permissions node-role-policy.json --registry <host> --repository <repo>",
        ],
    },
    Entry {
        title: "UnrecognizedClientException / invalid security token",
        patterns: &[
            &["unrecognizedclientexception"],
            &["security token included in the request is invalid"],
            &["invalidclienttokenid"],
        ],
        causes: &[
            "an opt-in region (af-south-1, ap-east-1, me-south-1, …) called with session tokens from the global STS endpoint: use regional STS (AWS_STS_REGIONAL_ENDPOINTS=regional)",
            "wrong, deactivated or deleted access keys, or a temporary (ASIA…) key without its session token",
        ],
        rules: &["RF031", "RF032"],
        next_steps: &[
            "aws sts get-caller-identity",
            "pullpass registry test <name>",
        ],
    },
    Entry {
        title: "SignatureDoesNotMatch",
        patterns: &[&["signaturedoesnotmatch"]],
        causes: &[
            "the secret access key does not belong to the access key ID (swapped fields, a copy with a stray character)",
        ],
        rules: &["RF035", "RF036", "RF037"],
        next_steps: &[
            "pullpass check registry --form form.json",
            "create a new access key for the IAM user",
        ],
    },
    Entry {
        title: "AccessDenied on ecr:GetAuthorizationToken",
        patterns: &[&["not authorized to perform", "ecr:getauthorizationtoken"]],
        causes: &[
            "the identity policy does not allow `ecr:GetAuthorizationToken` on `\"Resource\": \"*\"` (a repository policy cannot grant it)",
        ],
        rules: &["EP001"],
        next_steps: &["pullpass lint --kind permissions permissions-policy.json"],
    },
    Entry {
        title: "AccessDenied on an ECR pull action",
        patterns: &[
            &["not authorized to perform", "ecr:batchgetimage"],
            &["not authorized to perform", "ecr:getdownloadurlforlayer"],
            &[
                "not authorized to perform",
                "ecr:batchchecklayeravailability",
            ],
        ],
        causes: &[
            "the identity policy (or the repository policy) does not allow the pull actions on this repository, or a Deny matches",
        ],
        rules: &["EP002"],
        next_steps: &[
            "pullpass lint --kind permissions permissions-policy.json --registry <host> --repository <repo>",
        ],
    },
    Entry {
        title: "AccessDenied on an ECR list/describe action",
        patterns: &[
            &["not authorized to perform", "ecr:describerepositories"],
            &["not authorized to perform", "ecr:describeimages"],
            &["not authorized to perform", "ecr:listimages"],
        ],
        causes: &[
            "the identity policy does not allow the actions Import Image uses to list repositories and tags",
        ],
        rules: &["EP003"],
        next_steps: &[
            "attach AmazonEC2ContainerRegistryReadOnly, or allow ecr:DescribeRepositories, ecr:DescribeImages, ecr:ListImages",
        ],
    },
    Entry {
        title: "MalformedPolicyDocument",
        patterns: &[&["malformedpolicydocument"]],
        causes: &[
            "the policy is not valid JSON, has an unknown or prohibited element, a bad Version, Sid or principal",
        ],
        rules: &[
            "TP001", "TP002", "TP003", "TP005", "TP007", "TP010", "TP014",
        ],
        next_steps: &["pullpass lint policy.json"],
    },
    Entry {
        title: "LimitExceeded: trust policy too long",
        patterns: &[
            &["limitexceeded", "assumerolepolicy"],
            &["cannot exceed quota for aclsizeperrole"],
        ],
        causes: &[
            "the trust policy is over the role trust policy quota (2,048 characters by default, 4,096 at most)",
        ],
        rules: &["TP060"],
        next_steps: &["pullpass lint trust-policy.json"],
    },
    Entry {
        title: "ExpiredToken",
        patterns: &[
            &["expiredtoken"],
            &["token included in the request is expired"],
            &["invalididentitytoken", "expired"],
        ],
        causes: &[
            "temporary credentials (a session token, a web identity session) expired; long-running processes must refresh them",
            "the projected service account token (AWS_WEB_IDENTITY_TOKEN_FILE) expired: an SDK too old to re-read the file, or a token copied out of the pod",
        ],
        rules: &["RF032"],
        next_steps: &["pullpass registry test <name>"],
    },
];

/// The explanations whose patterns occur in `error_text` (case-insensitive), most specific
/// first. Empty when the text is not a known error.
#[must_use]
pub fn explain(error_text: &str) -> Vec<Explanation> {
    // Pasted errors wrap lines and indent; compare with single spaces.
    let text = error_text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let mut out: Vec<(usize, Explanation)> = Vec::new();
    for entry in ENTRIES {
        let best = entry
            .patterns
            .iter()
            .filter(|all| all.iter().all(|p| text.contains(p)))
            .map(|all| all.iter().map(|p| p.len()).sum::<usize>())
            .max();
        if let Some(score) = best {
            out.push((
                score,
                Explanation {
                    title: entry.title,
                    causes: entry.causes.iter().map(|s| (*s).to_owned()).collect(),
                    rules: entry.rules.to_vec(),
                    next_steps: entry.next_steps.iter().map(|s| (*s).to_owned()).collect(),
                },
            ));
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.0));
    out.into_iter().map(|(_, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn maps_every_error_of_the_catalog() {
        for (text, title, rule) in [
            (
                "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
                "AccessDenied on sts:AssumeRoleWithWebIdentity",
                "TP022",
            ),
            (
                "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
                "InvalidIdentityToken: No OpenIDConnect provider found",
                "TP041",
            ),
            (
                "WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: Incorrect token audience",
                "InvalidIdentityToken: Incorrect token audience",
                "TP025",
            ),
            (
                "InvalidIdentityToken: The web identity token provided could not be validated",
                "InvalidIdentityToken: the web identity token could not be validated",
                "TP010",
            ),
            (
                "Error response from daemon: Head https://1.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/v1: no basic auth credentials",
                "no basic auth credentials / 403 from the registry",
                "EP001",
            ),
            (
                "UnrecognizedClientException: The security token included in the request is invalid",
                "UnrecognizedClientException / invalid security token",
                "RF032",
            ),
        ] {
            let found = explain(text);
            assert!(!found.is_empty(), "{text}");
            assert_eq!(found[0].title, title, "{text}");
            assert!(found[0].rules.contains(&rule), "{text}");
            assert!(!found[0].causes.is_empty() && !found[0].next_steps.is_empty());
        }
    }

    /// The same errors as SDKs, kubelet and pasted terminals print them.
    #[test]
    fn matches_sdk_and_kubelet_variants() {
        for (text, title) in [
            (
                "operation error STS: AssumeRoleWithWebIdentity, https response error StatusCode: 403, RequestID: 1, api error AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
                "AccessDenied on sts:AssumeRoleWithWebIdentity",
            ),
            (
                "WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized to perform\n\tsts:AssumeRoleWithWebIdentity\n\tstatus code: 403",
                "AccessDenied on sts:AssumeRoleWithWebIdentity",
            ),
            (
                "Failed to pull image \"1.dkr.ecr.us-east-1.amazonaws.com/app:1\": failed to resolve reference: unexpected status from HEAD request: 401 Unauthorized",
                "no basic auth credentials / 403 from the registry",
            ),
            (
                "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::210987654321:assumed-role/x/y is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ecr-pull",
                "AccessDenied on sts:AssumeRole (cross-account role)",
            ),
            (
                "operation error STS: AssumeRole, https response error StatusCode: 403, api error AccessDenied: User is not authorized",
                "AccessDenied on sts:AssumeRole (cross-account role)",
            ),
            (
                "NoCredentialProviders: no valid providers in chain. Deprecated.",
                "No AWS credentials found",
            ),
            (
                "Unable to locate credentials. You can configure credentials by running \"aws configure\".",
                "No AWS credentials found",
            ),
        ] {
            let found = explain(text);
            assert_eq!(found.first().map(|e| e.title), Some(title), "{text}");
        }
    }

    /// Container runtimes and kubelet say "denied" in their own words.
    #[test]
    fn matches_runtime_and_kubelet_wording() {
        for (text, title) in [
            (
                "Failed to pull image \"1.dkr.ecr.us-east-1.amazonaws.com/app:v1\": failed to resolve reference: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
                "no basic auth credentials / 403 from the registry",
            ),
            (
                "\"Failed to get credential from external registry credential provider\" err=\"error execing credential provider plugin ecr-credential-provider for image 1.dkr.ecr.us-east-1.amazonaws.com/app: exit status 1\"",
                "kubelet's ECR credential provider failed",
            ),
            (
                "InvalidIdentityTokenException: Token is expired",
                "ExpiredToken",
            ),
        ] {
            assert_eq!(
                explain(text).first().map(|e| e.title),
                Some(title),
                "{text}"
            );
        }
    }

    #[test]
    fn unknown_text_explains_nothing() {
        assert!(explain("everything is fine").is_empty());
        assert!(explain("").is_empty());
    }
}
