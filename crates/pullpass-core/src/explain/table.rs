//! The causes `pullpass explain` knows, as data: when each applies (scopes, words, codes) and
//! what it says. Order matters only between equal ranks (earlier wins).
//!
//! Sources for the wording are the AWS documentation pages named beside the entries and the
//! public issue threads collected in `tests/realworld/errors/` (each file names its thread).

use super::{Cause, Scope, Step, Tier};

const NONE: &[&str] = &[];

/// Steps shared by the IRSA causes: look at the live wiring first, then at the policy file you
/// fetch, and only then generate a replacement (generate, then lint, then apply).
const IRSA_STEPS: &[Step] = &[
    Step::Run(
        "pullpass doctor irsa --live --role-arn <role ARN> --expect-service-account <ns>/<sa> --cluster-name <cluster>",
    ),
    Step::Run(
        "aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument --output json > trust-policy.json",
    ),
    Step::Run(
        "pullpass lint trust-policy.json --expect-service-account <ns>/<sa> --expect-issuer <issuer URL> --role-arn <role ARN>",
    ),
    Step::Run(
        "pullpass trust-policy irsa --issuer <issuer URL> --account <account> --namespace <ns> --service-account <sa> > trust-policy.new.json",
    ),
    Step::Run(
        "pullpass lint trust-policy.new.json --expect-service-account <ns>/<sa> --role-arn <role ARN>",
    ),
    Step::Run(
        "aws iam update-assume-role-policy --role-name <role> --policy-document file://trust-policy.new.json",
    ),
];

const POD_IDENTITY_STEPS: &[Step] = &[
    Step::Run(
        "pullpass doctor pod-identity --live --role-arn <role ARN> --expect-service-account <ns>/<sa> --cluster-name <cluster>",
    ),
    Step::Run(
        "pullpass trust-policy pod-identity --namespace <ns> --service-account <sa> > trust-policy.json",
    ),
    Step::Run("pullpass lint trust-policy.json --role-arn <role ARN>"),
    Step::Run(
        "aws iam update-assume-role-policy --role-name <role> --policy-document file://trust-policy.json",
    ),
];

const CROSS_ACCOUNT_STEPS: &[Step] = &[
    Step::Run(
        "aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument --output json > trust-policy.json",
    ),
    Step::Run("pullpass lint trust-policy.json --role-arn <role ARN>"),
    Step::Run(
        "aws sts assume-role --role-arn <role ARN> --role-session-name pullpass-test --external-id <external ID>",
    ),
];

const REGISTRY_LOGIN_STEPS: &[Step] = &[
    Step::Run("pullpass registry test <name>"),
    Step::Run(
        "aws ecr get-login-password --region <the registry's region> | docker login --username AWS --password-stdin <account>.dkr.ecr.<region>.amazonaws.com",
    ),
    Step::Run(
        "pullpass lint --kind permissions permissions-policy.json --registry <host> --repository <repo>",
    ),
];

/// Every cause, most specific families first.
pub(super) static CAUSES: &[Cause] = &[
    // ---- STS: web identity (IRSA, GitHub Actions OIDC) -------------------------------------
    Cause {
        id: "oidc-provider-missing",
        title: "InvalidIdentityToken: No OpenIDConnect provider found",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[&["no openidconnect provider found"]],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["sts-web-identity-denied", "oidc-token-unverifiable"],
        causes: &[
            "the IAM OIDC provider for the cluster's issuer does not exist in the role's account: it is per account and per cluster, and a re-created cluster has a new issuer",
            "in China or GovCloud: the SDK called the STS endpoint of another partition (set AWS_REGION and AWS_STS_REGIONAL_ENDPOINTS=regional)",
        ],
        rules: &["TP041", "TP040"],
        next_steps: &[
            Step::Run("pullpass doctor irsa --live --role-arn <role ARN> --cluster-name <cluster>"),
            Step::Run("aws iam list-open-id-connect-providers"),
            Step::Run("eksctl utils associate-iam-oidc-provider --cluster <cluster> --approve"),
        ],
    },
    Cause {
        id: "oidc-audience",
        title: "InvalidIdentityToken: Incorrect token audience",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[&["incorrect token audience"]],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["sts-web-identity-denied"],
        causes: &[
            "the IAM OIDC provider's client IDs (audiences) do not include the token's `aud`: EKS's webhook and GitHub Actions request `sts.amazonaws.com`",
            "a misspelt audience on the provider or in the trust policy (`sts.amazon.com`, `https://sts.amazonaws.com`, a regional STS host)",
            "the service account's `eks.amazonaws.com/audience` annotation, or the workflow's `audience` input, asks for another audience",
        ],
        rules: &["TP025", "TP024"],
        next_steps: &[
            Step::Run(
                "aws iam get-open-id-connect-provider --open-id-connect-provider-arn <provider ARN> --query ClientIDList",
            ),
            Step::Run(
                "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <provider ARN> --client-id sts.amazonaws.com",
            ),
            Step::Run("pullpass doctor irsa --live --role-arn <role ARN> --cluster-name <cluster>"),
        ],
    },
    Cause {
        id: "oidc-token-unverifiable",
        title: "InvalidIdentityToken: STS could not verify the web identity token",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["web identity token", "could not be validated"],
            &["couldn't retrieve verification key"],
            &["could not retrieve verification key"],
            &["thumbprint"],
            &["idpcommunicationerror"],
        ],
        network: false,
        test: None,
        codes: &["IDPCommunicationError"],
        operations: NONE,
        supersedes: &["sts-web-identity-denied"],
        causes: &[
            "STS could not fetch the issuer's signing keys (`/.well-known/openid-configuration`, `jwks_uri`): a self-managed issuer that is private or down, or a passing outage; EKS issuers are public",
            "the IAM OIDC provider's URL differs from the token's `iss` (a trailing slash, another cluster), or its thumbprint is stale for a self-managed issuer",
        ],
        rules: &["TP010", "TP023"],
        next_steps: &[
            Step::Run(
                "aws iam get-open-id-connect-provider --open-id-connect-provider-arn <provider ARN>",
            ),
            Step::Run("curl -s <issuer URL>/.well-known/openid-configuration"),
            Step::Check(
                "compare the provider's Url with `aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer`",
            ),
        ],
    },
    Cause {
        id: "web-identity-token-file",
        title: "The web identity token file cannot be read",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["web_identity_token_file", "no such file"],
            &["web identity token file"],
            &["could not read", "web identity token"],
            &[
                "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
                "no such file",
            ],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["no-credentials"],
        causes: &[
            "the projected service account token is not mounted at AWS_WEB_IDENTITY_TOKEN_FILE: the EKS Pod Identity Webhook adds it only to pods created after the service account was annotated",
            "the container runs as a user that cannot read the token file (set `fsGroup` in the pod's securityContext)",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("kubectl get serviceaccount <sa> -n <ns> -o yaml > sa.yaml"),
            Step::Run("kubectl exec <pod> -n <ns> -- env > pod-env.txt"),
            Step::Run("pullpass doctor irsa --service-account sa.yaml --pod-env pod-env.txt"),
            Step::Run("kubectl rollout restart deployment/<name> -n <ns>"),
        ],
    },
    Cause {
        id: "sts-tag-session-denied",
        title: "AccessDenied on sts:TagSession",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[&["not authorized to perform", "sts:tagsession"]],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["sts-assume-role-denied", "sts-web-identity-denied"],
        causes: &[
            "the caller passes session tags (aws-actions/configure-aws-credentials does by default; EKS Pod Identity always does) and the role's trust policy allows `sts:AssumeRole` (or `sts:AssumeRoleWithWebIdentity`) but not `sts:TagSession`",
            "for a chained role you do not need tags on: skip tagging instead (`role-skip-session-tagging: true` in configure-aws-credentials)",
        ],
        rules: &["TP050", "TP011"],
        next_steps: &[
            Step::Run(
                "aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument --output json > trust-policy.json",
            ),
            Step::Run("pullpass lint trust-policy.json --role-arn <role ARN>"),
            Step::Check(
                "add `sts:TagSession` to the statement's Action, then `aws iam update-assume-role-policy --role-name <role> --policy-document file://trust-policy.json`",
            ),
        ],
    },
    Cause {
        id: "sts-web-identity-denied",
        title: "AccessDenied on sts:AssumeRoleWithWebIdentity",
        tier: Tier::Operation,
        scopes: &[Scope::Sts],
        all_of: &[
            &["assumerolewithwebidentity", "not authorized"],
            &["assumerolewithwebidentity", "accessdenied"],
            &["webidentityerr", "accessdenied"],
        ],
        network: false,
        test: None,
        codes: &["AccessDenied", "AccessDeniedException", "HTTP 403"],
        operations: &["AssumeRoleWithWebIdentity"],
        supersedes: NONE,
        causes: &[
            "the trust policy's conditions do not match the token: the `sub` names another namespace or service account (or is written with other case), or the pod uses another service account than the one annotated",
            "the condition keys or the Federated principal name another issuer than the token's (another cluster, a typo such as `oidc.<region>.eks…`), or the keys carry `https://`",
            "a wildcard under `StringEquals` (compared literally) instead of `StringLike`",
            "the provider ARN is in another account or partition than the role",
        ],
        rules: &[
            "TP021", "TP022", "TP027", "TP028", "TP040", "TP041", "TP032",
        ],
        next_steps: IRSA_STEPS,
    },
    Cause {
        id: "sts-assume-role-denied",
        title: "AccessDenied on sts:AssumeRole",
        tier: Tier::Operation,
        scopes: &[Scope::Sts],
        all_of: &[
            &["not authorized to perform", "sts:assumerole on resource"],
            &["not authorized to perform: sts:assumerole"],
            &["assumerole operation", "accessdenied"],
            &["sts: assumerole,", "accessdenied"],
            &["could not assume role", "not authorized"],
        ],
        network: false,
        test: None,
        codes: &["AccessDenied", "AccessDeniedException", "HTTP 403"],
        operations: &["AssumeRole"],
        supersedes: NONE,
        causes: &[
            "the role's trust policy does not name the calling principal (its account, role or user ARN)",
            "the trust policy requires `sts:ExternalId` and the caller sent none, or another value (or one STS can never send: spaces, other characters)",
            "the calling identity's own policy does not allow `sts:AssumeRole` on the role ARN",
        ],
        rules: &["TP041", "TP062", "TP064", "RF050", "RF051", "RF052"],
        next_steps: CROSS_ACCOUNT_STEPS,
    },
    // ---- EKS Pod Identity --------------------------------------------------------------------
    Cause {
        id: "pod-identity-association-invalid",
        title: "CreatePodIdentityAssociation: the role's trust policy is invalid",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["trust policy of the role provided is invalid"],
            &["createpodidentityassociation", "invalidparameterexception"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "the role does not trust `pods.eks.amazonaws.com` with both `sts:AssumeRole` and `sts:TagSession`: a role written for IRSA (a Federated OIDC principal with `sts:AssumeRoleWithWebIdentity`) cannot be used for a Pod Identity association",
            "a condition in the statement can never hold for the EKS Auth service (a global key such as `aws:PrincipalOrgID` that a service principal's request does not carry)",
        ],
        rules: &["TP011", "TP050", "TP051", "TP052"],
        next_steps: POD_IDENTITY_STEPS,
    },
    Cause {
        id: "pod-identity-assume-denied",
        title: "EKS Pod Identity could not assume the associated role",
        tier: Tier::Exact,
        scopes: &[Scope::PodIdentity],
        all_of: &[
            &["eks does not have permissions to assume the associated role"],
            &["assumeroleforpodidentity", "accessdenied"],
        ],
        network: false,
        test: None,
        codes: &["AccessDeniedException", "AccessDenied"],
        operations: &["AssumeRoleForPodIdentity"],
        supersedes: &["no-credentials"],
        causes: &[
            "the associated role's trust policy does not let `pods.eks.amazonaws.com` call `sts:AssumeRole` and `sts:TagSession`, or its `aws:RequestTag/kubernetes-namespace` / `…/kubernetes-service-account` conditions name another service account",
            "an `aws:SourceArn` / `aws:SourceAccount` condition that does not match the association",
        ],
        rules: &["TP050", "TP051", "TP011"],
        next_steps: POD_IDENTITY_STEPS,
    },
    Cause {
        id: "pod-identity-agent-unreachable",
        title: "The EKS Pod Identity agent or the EKS Auth API cannot be reached",
        tier: Tier::Exact,
        scopes: &[Scope::PodIdentity],
        all_of: &[],
        network: true,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["aws-api-unreachable", "no-credentials"],
        causes: &[
            "the eks-pod-identity-agent add-on is not running on this node, or the pod cannot reach its link-local address 169.254.170.23 (a host firewall or iptables rule, a CNI that does not route it, `hostNetwork` pods)",
            "the agent cannot reach the EKS Auth API: in a private subnet without a NAT it needs the `com.amazonaws.<region>.eks-auth` VPC endpoint",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("kubectl get daemonset eks-pod-identity-agent -n kube-system"),
            Step::Run(
                "kubectl logs -n kube-system -l app.kubernetes.io/name=eks-pod-identity-agent",
            ),
            Step::Run(
                "pullpass doctor pod-identity --live --role-arn <role ARN> --cluster-name <cluster>",
            ),
        ],
    },
    // ---- ECR API permissions ------------------------------------------------------------------
    Cause {
        id: "ecr-token-denied",
        title: "AccessDenied on ecr:GetAuthorizationToken",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[&["not authorized to perform", "ecr:getauthorizationtoken"]],
        network: false,
        test: None,
        codes: &["AccessDenied", "AccessDeniedException", "HTTP 403"],
        operations: &["GetAuthorizationToken"],
        supersedes: &["registry-denied", "registry-no-credentials"],
        causes: &[
            "the identity policy does not allow `ecr:GetAuthorizationToken` on `\"Resource\": \"*\"` (a repository policy cannot grant it): attach AmazonEC2ContainerRegistryPullOnly or ReadOnly",
        ],
        rules: &["EP001"],
        next_steps: &[Step::Run(
            "pullpass lint --kind permissions permissions-policy.json",
        )],
    },
    Cause {
        id: "ecr-pull-denied",
        title: "AccessDenied on an ECR pull action",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["not authorized to perform", "ecr:batchgetimage"],
            &["not authorized to perform", "ecr:getdownloadurlforlayer"],
            &[
                "not authorized to perform",
                "ecr:batchchecklayeravailability",
            ],
        ],
        network: false,
        test: None,
        codes: &["AccessDenied", "AccessDeniedException", "HTTP 403"],
        operations: &[
            "BatchGetImage",
            "GetDownloadUrlForLayer",
            "BatchCheckLayerAvailability",
        ],
        supersedes: &[
            "registry-denied",
            "docker-hub-fallback",
            "registry-no-credentials",
        ],
        causes: &[
            "neither the identity policy nor the repository policy allows the pull actions on this repository (for another account's repository both must), or a Deny matches",
        ],
        rules: &["EP002"],
        next_steps: &[
            Step::Run(
                "pullpass lint --kind permissions permissions-policy.json --registry <host> --repository <repo>",
            ),
            Step::Run(
                "aws ecr get-repository-policy --repository-name <repo> --registry-id <account>",
            ),
        ],
    },
    Cause {
        id: "ecr-list-denied",
        title: "AccessDenied on an ECR list/describe action",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["not authorized to perform", "ecr:describerepositories"],
            &["not authorized to perform", "ecr:describeimages"],
            &["not authorized to perform", "ecr:listimages"],
        ],
        network: false,
        test: None,
        codes: &["AccessDenied", "AccessDeniedException", "HTTP 403"],
        operations: &["DescribeRepositories", "DescribeImages", "ListImages"],
        supersedes: NONE,
        causes: &[
            "the identity policy does not allow the actions Import Image uses to list repositories and tags (`ecr:DescribeRepositories`, `ecr:DescribeImages`, `ecr:ListImages`)",
        ],
        rules: &["EP003"],
        next_steps: &[Step::Check(
            "attach AmazonEC2ContainerRegistryReadOnly, or allow ecr:DescribeRepositories, ecr:DescribeImages and ecr:ListImages",
        )],
    },
    Cause {
        id: "repository-not-found",
        title: "The repository does not exist in this registry",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["repositorynotfoundexception"],
            &["does not exist in the registry with id"],
            &["name unknown"],
        ],
        network: false,
        test: None,
        codes: &["RepositoryNotFoundException"],
        operations: NONE,
        supersedes: &["registry-denied"],
        causes: &[
            "the repository does not exist in this registry's account and region, or its name is misspelt (names are lower case)",
        ],
        rules: &["RF060"],
        next_steps: &[Step::Run("pullpass repos <name>")],
    },
    Cause {
        id: "image-not-found",
        title: "The image tag or digest does not exist",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["imagenotfoundexception"],
            &["manifest unknown"],
            &["code = notfound", "failed to resolve reference"],
        ],
        network: false,
        test: None,
        codes: &["ImageNotFoundException"],
        operations: NONE,
        supersedes: &["registry-denied"],
        causes: &[
            "no image with this tag or digest exists in the repository (tags are case-sensitive), or it was pushed for another platform only",
        ],
        rules: &["RF061"],
        next_steps: &[Step::Run("pullpass images <name> <repository>")],
    },
    Cause {
        id: "throttled",
        title: "AWS throttled the request",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["throttlingexception"],
            &["rate exceeded"],
            &["toomanyrequestsexception"],
        ],
        network: false,
        test: None,
        codes: &[
            "ThrottlingException",
            "Throttling",
            "TooManyRequestsException",
        ],
        operations: NONE,
        supersedes: &["registry-denied"],
        causes: &[
            "too many GetAuthorizationToken (or STS) calls from one account: every node or pod asking for a fresh token; cache tokens for most of their 12 hours and retry with back-off",
        ],
        rules: NONE,
        next_steps: &[Step::Check(
            "use one cached token per registry (pullpass's token cache refreshes at half-life), and retry later",
        )],
    },
    Cause {
        id: "unsupported-operation",
        title: "The endpoint does not offer this operation",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["unsupportedcommandexception"],
            &["unknownoperationexception"],
        ],
        network: false,
        test: None,
        codes: &["UnsupportedCommandException", "UnknownOperationException"],
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "the request went to the wrong endpoint or region: public ECR's API is only in us-east-1, and not every region has every operation",
        ],
        rules: &["RF024", "RF025"],
        next_steps: &[Step::Run("pullpass host <host>")],
    },
    // ---- Registry (/v2/ API) ------------------------------------------------------------------
    Cause {
        id: "public-ecr-stale-token",
        title: "public.ecr.aws refused stale credentials",
        tier: Tier::Exact,
        scopes: &[Scope::Registry],
        all_of: &[
            &["public.ecr.aws", "403"],
            &["public.ecr.aws", "denied"],
            &["public.ecr.aws", "token has expired"],
            &["public.ecr.aws", "unauthorized"],
            &["public.ecr.aws", "unexpected status"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &[
            "registry-token-expired",
            "registry-denied",
            "registry-no-credentials",
            "docker-hub-fallback",
        ],
        causes: &[
            "docker sends an expired public ECR token it stored earlier (`docker login public.ecr.aws`, or a credential helper): public ECR rejects a stale token instead of serving the image anonymously; public images need no login at all",
            "the token came from `aws ecr-public get-login-password` in a region other than us-east-1",
        ],
        rules: &["RF023"],
        next_steps: &[
            Step::Run("docker logout public.ecr.aws"),
            Step::Run(
                "aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws",
            ),
        ],
    },
    Cause {
        id: "registry-token-expired",
        title: "The registry token has expired",
        tier: Tier::Exact,
        scopes: &[Scope::Registry],
        all_of: &[
            &["authorization token has expired"],
            &["token has expired. reauthenticate"],
            &[" denied: the security token included in the request is invalid"],
            &["denied: the security token included in the request is expired"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &[
            "registry-denied",
            "registry-no-credentials",
            "invalid-security-token",
            "expired-token",
        ],
        causes: &[
            "an ECR registry token is valid for 12 hours: one stored by `docker login`, in a Kubernetes pull secret or in a CI step has run out; a stored `auths` entry is used before a credential helper",
            "a credential helper handed out its cached token after it failed to get a new one",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("docker logout <host>"),
            Step::Run(
                "aws ecr get-login-password --region <region> | docker login --username AWS --password-stdin <host>",
            ),
            Step::Check(
                "for long-lived clients use a credential helper (`pullpass credential-helper`, or the kubelet provider) instead of a stored token",
            ),
        ],
    },
    Cause {
        id: "s3-layer-denied",
        title: "S3 refused a layer download",
        tier: Tier::Exact,
        scopes: &[Scope::S3],
        all_of: &[
            &["<error><code>accessdenied</code>"],
            &["starport-layer-bucket", "denied"],
            &["starport-layer-bucket", "403"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &[
            "registry-denied",
            "docker-hub-fallback",
            "registry-no-credentials",
        ],
        causes: &[
            "the registry redirects layer downloads to S3, and an S3 gateway VPC endpoint policy (or a proxy or bucket-restricting policy) does not allow `s3:GetObject` on ECR's layer bucket `arn:aws:s3:::prod-<region>-starport-layer-bucket/*` (Docker Hub serves layers from S3 too)",
            "the endpoint policy pins `aws:PrincipalAccount` or `aws:ResourceAccount` to your account: ECR's pre-signed layer URLs are for AWS's bucket, not yours",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run(
                "aws ec2 describe-vpc-endpoints --filters Name=service-name,Values=com.amazonaws.<region>.s3 --query 'VpcEndpoints[].PolicyDocument'",
            ),
            Step::Check(
                "allow s3:GetObject on arn:aws:s3:::prod-<region>-starport-layer-bucket/* in the S3 endpoint policy (AWS: Amazon ECR interface VPC endpoints)",
            ),
        ],
    },
    Cause {
        id: "registry-host-only",
        title: "The image reference has no repository",
        tier: Tier::Exact,
        scopes: &[Scope::Registry],
        all_of: &[],
        network: false,
        test: Some(reference_is_only_a_host),
        codes: NONE,
        operations: NONE,
        supersedes: &["registry-denied", "registry-no-credentials"],
        causes: &[
            "the image reference is just the registry host (a variable that held the repository was empty): write `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`",
        ],
        rules: &["RF014", "RF060"],
        next_steps: &[Step::Run("pullpass host <host>")],
    },
    Cause {
        id: "docker-hub-fallback",
        title: "The image reference has no registry host: Docker Hub was asked",
        tier: Tier::Exact,
        scopes: &[Scope::Registry],
        all_of: &[],
        network: false,
        test: Some(reference_without_registry),
        codes: NONE,
        operations: NONE,
        supersedes: &["registry-denied", "registry-no-credentials"],
        causes: &[
            "an image name without a registry host (`app:1.2`, `team/app`) means Docker Hub (`docker.io`): to pull from ECR write the whole reference, `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`",
            "if it is meant to be a Docker Hub image: the repository or tag does not exist there, or it is private and needs `docker login`",
        ],
        rules: NONE,
        next_steps: &[
            Step::Check(
                "write the image as `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`",
            ),
            Step::Run("pullpass images <name> <repository>"),
        ],
    },
    Cause {
        id: "registry-login-rejected",
        title: "docker login was rejected by the registry",
        tier: Tier::Operation,
        scopes: &[Scope::Registry],
        all_of: &[
            &["login attempt to", "failed with status: 400"],
            &["login attempt to", "failed with status: 401"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["registry-denied"],
        causes: &[
            "the password is a token for another registry: `get-login-password --region` must be the host's region, and the token is for the account of the credentials that asked",
            "the token was mangled on the way (a newline, or the old `get-login` output pasted whole)",
        ],
        rules: &["RF024"],
        next_steps: &[Step::Run(
            "aws ecr get-login-password --region <the host's region> | docker login --username AWS --password-stdin <account>.dkr.ecr.<region>.amazonaws.com",
        )],
    },
    Cause {
        id: "registry-no-credentials",
        title: "no basic auth credentials: docker sent nothing for this registry",
        tier: Tier::Operation,
        scopes: &[Scope::Registry],
        all_of: &[&["no basic auth credentials"]],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["registry-denied"],
        causes: &[
            "docker (or the kubelet) has no credentials for this exact host: a token belongs to one registry, the account and region in its host, so logging in to one account's registry does not cover another account's, and each registry needs its own login or credential-helper entry",
            "the login ran as another user or with another DOCKER_CONFIG than the pull (sudo, CI steps, a container)",
            "the credential helper named in `credHelpers` / `credsStore` is not installed or failed",
        ],
        rules: &["EP001"],
        next_steps: REGISTRY_LOGIN_STEPS,
    },
    Cause {
        id: "registry-denied",
        title: "The registry refused the pull (401/403)",
        tier: Tier::Generic,
        scopes: &[Scope::Registry],
        all_of: &[
            &["403", "forbidden"],
            &["403", "denied"],
            &["unauthorized: authentication required"],
            &["401", "unauthorized"],
            &["pull access denied"],
            &["insufficient_scope"],
            &["may require authorization"],
            &["requested access to the resource is denied"],
            &["no pull access"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "no registry token, or one older than 12 hours (ECR tokens expire)",
            "a token for another registry: an ECR token works only for the account and region it was issued for",
            "the identity may not call `ecr:GetAuthorizationToken` on `*`, or neither its policy nor the repository's policy allows `ecr:BatchGetImage` / `ecr:GetDownloadUrlForLayer` (for another account's repository, both must)",
        ],
        rules: &["EP001", "EP002"],
        next_steps: REGISTRY_LOGIN_STEPS,
    },
    // ---- Credential helpers ---------------------------------------------------------------------
    Cause {
        id: "helper-store-unsupported",
        title: "The credential helper cannot store or erase credentials",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["error storing credentials", "not implemented"],
            &["error erasing credentials", "not implemented"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "`docker login` (or `logout`) asks the `credsStore` helper to save the token, and docker-credential-ecr-login does not store anything: it fetches tokens itself, so with it no `docker login` is needed",
            "`credsStore: ecr-login` sends every registry, Docker Hub included, to the ECR helper: name ECR hosts under `credHelpers` instead, or set AWS_ECR_IGNORE_CREDS_STORAGE=true (helper 0.9 or later) for tools that insist on logging in",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("cat ~/.docker/config.json"),
            Step::Check(
                "replace `\"credsStore\": \"ecr-login\"` with `\"credHelpers\": {\"<account>.dkr.ecr.<region>.amazonaws.com\": \"ecr-login\"}`",
            ),
            Step::Check(
                "or use `docker-credential-pullpass` (`pullpass credential-helper`), which accepts docker's store and erase as no-ops",
            ),
        ],
    },
    Cause {
        id: "helper-keychain-entry",
        title: "The OS keychain holds a conflicting entry for this registry",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["already exists in the keychain"],
            &["could not be found in the keychain"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "the `credsStore` helper (osxkeychain, wincred, pass) has a stale entry for this host and will not overwrite it; on `docker logout` the same message is only a warning, the entry is gone",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("docker logout <host>"),
            Step::Check("log in again, or remove the host's entry from the keychain by hand"),
        ],
    },
    Cause {
        id: "helper-binary-broken",
        title: "The docker credential helper binary cannot run",
        tier: Tier::Exact,
        scopes: &[Scope::Helper],
        all_of: &[
            &["docker-credential-", "exec format error"],
            &["docker-credential-", "executable file not found"],
            &["docker-credential-", "glibc_"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "the helper binary is for another CPU architecture or OS (`exec format error`), or needs a newer C library than the machine has",
            "the helper named in `credsStore` / `credHelpers` is not on docker's PATH",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("file \"$(command -v docker-credential-<name>)\""),
            Step::Check("install the build for this machine's architecture (uname -m)"),
        ],
    },
    // ---- Kubelet credential provider ------------------------------------------------------------
    Cause {
        id: "kubelet-provider-binary",
        title: "The kubelet credential provider binary cannot run",
        tier: Tier::Exact,
        scopes: &[Scope::Kubelet],
        all_of: &[
            &["exec format error"],
            &["glibc_", "not found"],
            &["fork/exec", "no such file or directory"],
            &["did not exist"],
            &["executable file not found"],
            &["credentialproviderrequest", "error parsing"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["kubelet-provider-failed"],
        causes: &[
            "the binary is for another CPU architecture (`exec format error`), or was linked against musl or a newer glibc than the node has (`GLIBC_2.xx not found`; a missing musl loader shows as `no such file or directory` although the file is there)",
            "no file with the provider's `name` in the kubelet's `--image-credential-provider-bin-dir`",
            "the wrong program: docker-credential-ecr-login speaks docker's helper protocol, not the kubelet's CredentialProviderRequest; use ecr-credential-provider or `pullpass kubelet-credential-provider`",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("file <bin dir>/<provider name>"),
            Step::Run("ldd <bin dir>/<provider name>"),
            Step::Run("journalctl -u kubelet | grep -i credential"),
        ],
    },
    Cause {
        id: "kubelet-provider-unreachable",
        title: "The kubelet credential provider timed out reaching AWS",
        tier: Tier::Exact,
        scopes: &[Scope::Kubelet],
        all_of: &[],
        network: true,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &[
            "kubelet-provider-failed",
            "aws-api-unreachable",
            "registry-unreachable",
        ],
        causes: &[
            "the provider cannot reach IMDS (for the node's role and region: a hop limit of 1 in a container, IMDS disabled) or the ECR API (`api.ecr.<region>`: no NAT, no `com.amazonaws.<region>.ecr.api` VPC endpoint, a proxy the plugin's env does not set)",
            "no region: the provider takes it from the image host; vanity hosts and mirrors need AWS_REGION in the provider's `env`",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("journalctl -u kubelet | grep -i credential"),
            Step::Run(
                "curl -s -m 2 -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'",
            ),
        ],
    },
    Cause {
        id: "kubelet-provider-failed",
        title: "The kubelet's ECR credential provider failed",
        tier: Tier::Operation,
        scopes: &[Scope::Kubelet],
        all_of: &[
            &["credential provider plugin"],
            &["ecr-credential-provider"],
            &["external registry credential provider"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "the node's instance role may not call `ecr:GetAuthorizationToken` on `*` (attach AmazonEC2ContainerRegistryPullOnly or ReadOnly)",
            "the plugin cannot reach IMDS or STS (hop limit, no VPC endpoint for `ecr.api` / `sts`)",
            "the CredentialProviderConfig's `matchImages` does not cover this registry host (China, GovCloud or a vanity host)",
        ],
        rules: &["EP001", "EP002", "RF021", "RF024"],
        next_steps: &[
            Step::Run("journalctl -u kubelet | grep -i credential"),
            Step::Run(
                "pullpass lint --kind permissions node-role-policy.json --registry <host> --repository <repo>",
            ),
        ],
    },
    // ---- Credentials ------------------------------------------------------------------------------
    Cause {
        id: "invalid-security-token",
        title: "The security token included in the request is invalid",
        tier: Tier::Operation,
        scopes: &[],
        all_of: &[
            &["unrecognizedclientexception"],
            &["security token included in the request is invalid"],
            &["invalidclienttokenid"],
        ],
        network: false,
        test: None,
        codes: &["UnrecognizedClientException", "InvalidClientTokenId"],
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "stale cached credentials: an old AWS_SESSION_TOKEN (or AWS_ACCESS_KEY_ID) left in the environment overrides the profile, or a cached SSO/assume-role session (~/.aws/sso/cache, ~/.aws/cli/cache, a credential helper's cache) outlived its keys",
            "wrong, deactivated or deleted access keys, or a temporary (ASIA…) key without its session token (CI secrets are a common place for a typo)",
            "an opt-in region (af-south-1, ap-east-1, me-south-1, …) called with session tokens from the global STS endpoint: use regional STS (AWS_STS_REGIONAL_ENDPOINTS=regional)",
        ],
        rules: &["RF031", "RF032", "RF037"],
        next_steps: &[
            Step::Run("env | grep ^AWS_"),
            Step::Run("aws sts get-caller-identity"),
            Step::Run("aws sso login --profile <profile>"),
        ],
    },
    Cause {
        id: "expired-token",
        title: "ExpiredToken: the session credentials have expired",
        tier: Tier::Operation,
        scopes: &[],
        all_of: &[
            &["expiredtoken"],
            &["token included in the request is expired"],
            &["invalididentitytoken", "expired"],
            &["requestexpired"],
        ],
        network: false,
        test: None,
        codes: &["ExpiredToken", "ExpiredTokenException", "RequestExpired"],
        operations: NONE,
        supersedes: &["sts-web-identity-denied"],
        causes: &[
            "temporary credentials (a session token, an SSO or web identity session) expired: long-running processes must refresh them, and a copied session token cannot be",
            "the projected service account token (AWS_WEB_IDENTITY_TOKEN_FILE) expired: an SDK too old to re-read the file, or a token copied out of the pod",
            "the machine's clock is far off",
        ],
        rules: &["RF032"],
        next_steps: &[
            Step::Run("aws sts get-caller-identity"),
            Step::Run("pullpass registry test <name>"),
        ],
    },
    Cause {
        id: "signature-mismatch",
        title: "SignatureDoesNotMatch",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[&["signaturedoesnotmatch"], &["invalidsignatureexception"]],
        network: false,
        test: None,
        codes: &["SignatureDoesNotMatch", "InvalidSignatureException"],
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "the secret access key does not belong to the access key ID (swapped fields, a copy with a stray character or trailing whitespace)",
        ],
        rules: &["RF035", "RF036", "RF037"],
        next_steps: &[
            Step::Run("pullpass check registry --form form.json"),
            Step::Check("create a new access key for the IAM user"),
        ],
    },
    Cause {
        id: "no-credentials",
        title: "No AWS credentials found",
        tier: Tier::Operation,
        scopes: &[],
        all_of: &[
            &["nocredentialproviders"],
            &["unable to locate credentials"],
            &["no valid providers in chain"],
            &["no providers in chain"],
            &["could not load credentials from any providers"],
            &["no ec2 imds role found"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["imds-unreachable"],
        causes: &[
            "IRSA is not wired: the service account lacks `eks.amazonaws.com/role-arn`, or the pod started before the annotation (no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE in its env)",
            "EKS Pod Identity: no association for the namespace/service account, or the eks-pod-identity-agent add-on is missing",
            "the node's IMDS hop limit (1) keeps containers from the instance role",
        ],
        rules: &["RF040"],
        next_steps: &[
            Step::Run("kubectl get serviceaccount <sa> -n <ns> -o yaml > sa.yaml"),
            Step::Run("kubectl exec <pod> -n <ns> -- env > pod-env.txt"),
            Step::Run("pullpass doctor irsa --service-account sa.yaml --pod-env pod-env.txt"),
            Step::Run("aws eks list-pod-identity-associations --cluster-name <cluster>"),
        ],
    },
    // ---- Networks --------------------------------------------------------------------------------
    Cause {
        id: "imds-unreachable",
        title: "The instance metadata service cannot be reached",
        tier: Tier::Exact,
        scopes: &[Scope::Imds],
        all_of: &[],
        network: true,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["aws-api-unreachable"],
        causes: &[
            "IMDSv2's hop limit is 1 on the node, so containers cannot reach 169.254.169.254; not on EC2 at all (a laptop, another cloud) so there is no instance role",
        ],
        rules: &["RF040"],
        next_steps: &[Step::Run(
            "aws ec2 modify-instance-metadata-options --instance-id <id> --http-put-response-hop-limit 2",
        )],
    },
    Cause {
        id: "aws-api-unreachable",
        title: "The AWS API (STS or ECR) cannot be reached",
        tier: Tier::Operation,
        scopes: &[Scope::Sts, Scope::EcrApi],
        all_of: &[],
        network: true,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: &["registry-unreachable"],
        causes: &[
            "no route out: a private subnet without a NAT gateway needs the `com.amazonaws.<region>.sts` and `com.amazonaws.<region>.ecr.api` interface VPC endpoints (with private DNS), and their security group must allow 443 from the caller",
            "DNS: `no such host` means the name does not resolve (a typo in the region, a China or GovCloud host from the wrong partition, private DNS off on the endpoint)",
            "a proxy or firewall: set HTTPS_PROXY/NO_PROXY for the process that calls AWS, or allow the endpoint; TLS errors often mean an intercepting proxy",
        ],
        rules: &["RF024"],
        next_steps: &[
            Step::Run("nslookup sts.<region>.amazonaws.com"),
            Step::Run("curl -sv https://api.ecr.<region>.amazonaws.com/ -o /dev/null"),
            Step::Run("aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=<vpc>"),
        ],
    },
    Cause {
        id: "registry-unreachable",
        title: "The registry cannot be reached",
        tier: Tier::Operation,
        scopes: &[Scope::Registry],
        all_of: &[],
        network: true,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "no route to the registry: a private subnet without a NAT gateway needs the `com.amazonaws.<region>.ecr.dkr` interface endpoint and the S3 gateway endpoint that serves layers",
            "DNS, a proxy or a firewall between the node and the registry (or a passing outage: retry)",
        ],
        rules: NONE,
        next_steps: &[
            Step::Run("curl -sv https://<host>/v2/ -o /dev/null"),
            Step::Run("aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=<vpc>"),
        ],
    },
    // ---- Policy documents -------------------------------------------------------------------------
    Cause {
        id: "malformed-policy",
        title: "MalformedPolicyDocument",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[&["malformedpolicydocument"]],
        network: false,
        test: None,
        codes: &[
            "MalformedPolicyDocument",
            "MalformedPolicyDocumentException",
        ],
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "the policy is not valid JSON, or has an unknown or prohibited element (`Resource` in a trust policy), a bad Version, Sid or principal",
        ],
        rules: &[
            "TP001", "TP002", "TP003", "TP005", "TP007", "TP010", "TP014",
        ],
        next_steps: &[Step::Run("pullpass lint policy.json")],
    },
    Cause {
        id: "trust-policy-too-long",
        title: "LimitExceeded: trust policy too long",
        tier: Tier::Exact,
        scopes: &[],
        all_of: &[
            &["limitexceeded", "assumerolepolicy"],
            &["cannot exceed quota for aclsizeperrole"],
        ],
        network: false,
        test: None,
        codes: NONE,
        operations: NONE,
        supersedes: NONE,
        causes: &[
            "the trust policy is over the role trust policy quota (2,048 characters by default, 4,096 at most)",
        ],
        rules: &["TP060"],
        next_steps: &[Step::Run(
            "pullpass lint <the trust policy file you applied>",
        )],
    },
];

/// The image name after "pull access denied for " or in a quoted reference, if the text has one.
fn image_reference(text: &str) -> Option<&str> {
    let after = |marker: &str| {
        let start = text.find(marker)? + marker.len();
        let rest = &text[start..];
        let end = rest
            .find(|c: char| c == ',' || c == '"' || c == '\'' || c.is_whitespace())
            .unwrap_or(rest.len());
        Some(&rest[..end])
    };
    after("pull access denied for ")
        .or_else(|| after("failed to resolve reference \""))
        .or_else(|| after("failed to pull image \""))
        .filter(|r| !r.is_empty())
}

/// The first path segment is a registry host when it has a dot or a port, or is `localhost`.
fn names_a_host(segment: &str) -> bool {
    segment.contains('.') || segment.contains(':') || segment == "localhost"
}

/// An image reference that names no registry (so Docker Hub), or names Docker Hub itself.
fn reference_without_registry(text: &str) -> bool {
    let Some(reference) = image_reference(text) else {
        return false;
    };
    let first = reference.split('/').next().unwrap_or(reference);
    let hub = matches!(
        first,
        "docker.io" | "registry-1.docker.io" | "index.docker.io"
    );
    let refused = [
        "denied",
        "unauthorized",
        "not found",
        "does not exist",
        "403",
        "401",
    ]
    .iter()
    .any(|w| text.contains(w));
    refused && (hub || !names_a_host(first))
}

/// An image reference that is only an ECR registry host, without a repository.
fn reference_is_only_a_host(text: &str) -> bool {
    image_reference(text).is_some_and(|r| {
        !r.contains('/')
            && (r.ends_with(".amazonaws.com") || r.ends_with(".amazonaws.com.cn"))
            && r.contains(".dkr.ecr")
    })
}
