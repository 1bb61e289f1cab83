//! `pullpass doctor irsa --live` against moto: IAM roles, OIDC providers and an EKS cluster
//! created by the test, fetched by pullpass (GetRole, GetOpenIDConnectProvider,
//! DescribeCluster), checked, and a registry token tried with the caller's credentials.

use std::process::Command;

use crate::support::doctor_json::{IRSA_LIVE_LINKS, assert_passed, broken};
use crate::support::moto::{ACCOUNT, Moto};
use crate::support::{pullpass, run};

const REGION: &str = "us-west-2";

/// Creates the cluster, its OIDC provider and roles; returns the issuer path (no scheme).
fn seed(moto: &Moto) -> String {
    let out = moto.boto(
        REGION,
        r#"
eks = boto3.client('eks', **_kw)
c = eks.create_cluster(name='coder-prod', roleArn='arn:aws:iam::123456789012:role/eks', resourcesVpcConfig={})
issuer = c['cluster']['identity']['oidc']['issuer']
path = issuer.replace('https://', '')
iam.create_open_id_connect_provider(Url=issuer, ClientIDList=['sts.amazonaws.com'], ThumbprintList=['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'])
def trust(sub, provider=path):
    return json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow',
        'Principal': {'Federated': 'arn:aws:iam::123456789012:oidc-provider/' + provider},
        'Action': 'sts:AssumeRoleWithWebIdentity',
        'Condition': {'StringEquals': {provider + ':sub': sub, provider + ':aud': 'sts.amazonaws.com'}}}]})
iam.create_role(RoleName='coder-ecr-pull', AssumeRolePolicyDocument=trust('system:serviceaccount:coder:coder'))
iam.create_role(RoleName='coder-wrong-ns', AssumeRolePolicyDocument=trust('system:serviceaccount:default:coder'))
iam.create_role(RoleName='coder-other-cluster', AssumeRolePolicyDocument=trust('system:serviceaccount:coder:coder', 'oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9'))
pull = json.dumps({'Version': '2012-10-17', 'Statement': [
    {'Effect': 'Allow', 'Action': 'ecr:GetAuthorizationToken', 'Resource': '*'},
    {'Effect': 'Allow', 'Action': ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability',
        'ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:ListImages'], 'Resource': 'arn:aws:ecr:*:123456789012:repository/*'}]})
for role in ['coder-ecr-pull', 'coder-wrong-ns', 'coder-other-cluster']:
    iam.put_role_policy(RoleName=role, PolicyName='pull', PolicyDocument=pull)
iam.create_role(RoleName='coder-no-permissions', AssumeRolePolicyDocument=trust('system:serviceaccount:coder:coder'))
ecr.create_repository(repositoryName='team/app')
print(path)
"#,
    );
    out.trim().to_owned()
}

fn live(
    moto: &Moto,
    role: &str,
    extra: &[&str],
    keys: (&str, &str),
) -> (i32, serde_json::Value, String) {
    live_with(moto, role, &["--cluster-name", "coder-prod"], extra, keys)
}

fn live_with(
    moto: &Moto,
    role: &str,
    cluster: &[&str],
    extra: &[&str],
    keys: (&str, &str),
) -> (i32, serde_json::Value, String) {
    let mut cmd: Command = pullpass();
    moto.aws_env(&mut cmd, REGION);
    cmd.env("AWS_ACCESS_KEY_ID", keys.0)
        .env("AWS_SECRET_ACCESS_KEY", keys.1)
        .args([
            "doctor",
            "irsa",
            "--live",
            "--role-arn",
            role,
            "--region",
            REGION,
            "--expect-service-account",
            "coder/coder",
            "--format",
            "json",
        ])
        .args(cluster)
        .args(extra);
    let out = run(&mut cmd, None);
    let report = serde_json::from_str(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.code, report, out.stderr)
}

#[test]
fn live_checks_fetch_role_provider_and_cluster_from_the_aws_peer() {
    let moto = Moto::start();
    let issuer = seed(&moto);
    let registry = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com");
    let keys = ("testing", "testing");

    // Sound: every fetched link passes, and a token comes back.
    let (code, report, stderr) = live(&moto, "coder-ecr-pull", &["--registry", &registry], keys);
    assert_eq!(code, 0, "{stderr}\n{report:#}");
    assert!(broken(&report).is_empty(), "{report:#}");
    assert_passed(&report, IRSA_LIVE_LINKS);
    let issuer_detail = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "trust.issuer")
        .unwrap()["detail"]
        .to_string();
    assert!(issuer_detail.contains(&issuer), "{issuer_detail}");

    // The trust policy admits another namespace: exactly that link, with a position in the
    // fetched (URL-decoded) policy.
    let (code, report, _) = live(&moto, "coder-wrong-ns", &[], keys);
    assert_eq!(code, 1);
    assert_eq!(broken(&report), vec!["trust.subject TP032"], "{report:#}");
    let finding = &report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "trust.subject")
        .unwrap()["finding"];
    assert_eq!(finding["file"], "iam get-role coder-wrong-ns");
    assert!(finding["start"]["line"].as_u64().is_some(), "{finding}");

    // The role trusts another cluster's provider, which does not exist in the account: the
    // issuer link and the missing provider are two broken links, and nothing else fails.
    let (code, report, _) = live(&moto, "coder-other-cluster", &[], keys);
    assert_eq!(code, 1);
    assert_eq!(
        broken(&report),
        vec!["trust.issuer TP032", "oidc.provider DR005"],
        "{report:#}"
    );

    // The role's policies (none here) do not let it get a registry token.
    let (code, report, _) = live(&moto, "coder-no-permissions", &[], keys);
    assert_eq!(code, 1);
    assert_eq!(
        broken(&report),
        vec!["role.permissions EP001"],
        "{report:#}"
    );
    let finding = &report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "role.permissions")
        .unwrap()["finding"];
    assert_eq!(finding["file"], "iam role policies of coder-no-permissions");

    // The role does not exist.
    let (code, report, _) = live(
        &moto,
        "arn:aws:iam::123456789012:role/coder-ecr-pul",
        &[],
        keys,
    );
    assert_eq!(code, 1);
    assert_eq!(broken(&report), vec!["trust.policy DR013"], "{report:#}");

    // An unknown cluster is a usage error (exit 2), not a broken link.
    let mut cmd = pullpass();
    moto.aws_env(&mut cmd, REGION);
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args([
            "doctor",
            "irsa",
            "--live",
            "--role-arn",
            "coder-ecr-pull",
            "--cluster-name",
            "nope",
        ]);
    let out = run(&mut cmd, None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("nope"), "{}", out.stderr);
}

#[test]
fn live_registry_token_failure_is_its_own_link() {
    let moto = Moto::start();
    let issuer = seed(&moto);
    // A user who may read IAM and EKS but not call ECR; then IAM enforcement on.
    let keys = moto.boto(
        REGION,
        r#"
iam.create_user(UserName='operator')
iam.put_user_policy(UserName='operator', PolicyName='read', PolicyDocument=json.dumps({'Version': '2012-10-17',
    'Statement': [{'Effect': 'Allow', 'Action': ['iam:Get*', 'iam:List*', 'eks:Describe*'], 'Resource': '*'}]}))
k = iam.create_access_key(UserName='operator')['AccessKey']
print(k['AccessKeyId'], k['SecretAccessKey'])
"#,
    );
    let mut keys = keys.split_whitespace();
    let (id, secret) = (
        keys.next().unwrap().to_owned(),
        keys.next().unwrap().to_owned(),
    );
    moto.enforce_iam();
    let registry = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com");
    // moto answers 403 to EKS calls under enforcement, so the issuer is given offline here.
    let issuer = format!("https://{issuer}");
    let (code, report, stderr) = live_with(
        &moto,
        "coder-ecr-pull",
        &["--issuer", &issuer],
        &["--registry", &registry],
        (&id, &secret),
    );
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    assert_eq!(broken(&report), vec!["live.token DR030"], "{report:#}");
    assert!(!report.to_string().contains(&secret));
}

#[test]
fn live_pod_identity_fetches_the_role_and_the_cluster() {
    let moto = Moto::start();
    moto.boto(
        REGION,
        r#"
eks = boto3.client('eks', **_kw)
eks.create_cluster(name='coder-prod', roleArn='arn:aws:iam::123456789012:role/eks', resourcesVpcConfig={})
def trust(actions):
    return json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow',
        'Principal': {'Service': 'pods.eks.amazonaws.com'}, 'Action': actions,
        'Condition': {'StringEquals': {'aws:RequestTag/kubernetes-namespace': 'coder',
                                       'aws:RequestTag/kubernetes-service-account': 'coder'}}}]})
iam.create_role(RoleName='coder-pod-identity', AssumeRolePolicyDocument=trust(['sts:AssumeRole', 'sts:TagSession']))
iam.create_role(RoleName='coder-no-tag-session', AssumeRolePolicyDocument=trust(['sts:AssumeRole']))
arn = iam.create_policy(PolicyName='pull', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [
    {'Effect': 'Allow', 'Action': 'ecr:GetAuthorizationToken', 'Resource': '*'},
    {'Effect': 'Allow', 'Action': ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability',
        'ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:ListImages'], 'Resource': '*'}]}))['Policy']['Arn']
for role in ['coder-pod-identity', 'coder-no-tag-session']:
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
"#,
    );
    let dir = tempfile::tempdir().unwrap();
    // moto does not implement Pod Identity associations: the association is given as a file.
    let association = dir.path().join("association.json");
    let write = |role: &str| {
        std::fs::write(
            &association,
            format!(
                r#"{{"association": {{"clusterName": "coder-prod", "namespace": "coder", "serviceAccount": "coder", "roleArn": "arn:aws:iam::{ACCOUNT}:role/{role}", "associationId": "a-1"}}}}"#
            ),
        )
        .unwrap();
    };
    let run_pi = |role: &str| {
        let mut cmd = pullpass();
        moto.aws_env(&mut cmd, REGION);
        cmd.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .args([
                "doctor",
                "pod-identity",
                "--live",
                "--role-arn",
                role,
                "--cluster-name",
                "coder-prod",
            ])
            .args([
                "--region",
                REGION,
                "--expect-service-account",
                "coder/coder",
                "--format",
                "json",
            ])
            .arg("--association")
            .arg(&association);
        let out = run(&mut cmd, None);
        let report: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stderr, out.stdout));
        (out.code, report)
    };
    write("coder-pod-identity");
    let (code, report) = run_pi("coder-pod-identity");
    assert_eq!(code, 0, "{report:#}");
    assert!(broken(&report).is_empty(), "{report:#}");
    assert_passed(
        &report,
        &[
            "association.role",
            "association.cluster",
            "aws.account",
            "trust.principal",
            "trust.tags",
            "role.permissions",
        ],
    );

    write("coder-no-tag-session");
    let (code, report) = run_pi("coder-no-tag-session");
    assert_eq!(code, 1);
    assert_eq!(broken(&report), vec!["trust.principal TP050"], "{report:#}");
}
