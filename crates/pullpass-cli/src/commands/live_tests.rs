//! The live paths (`login`, `registry test`, `repos`, `images`, `import`, the credential
//! helper's token, `doctor --live`) run in-process against `pullpass_ecr::fake`: what the user
//! sees (stdout, stderr, exit code) for the main successes and failures, in milliseconds and
//! without moto. The AWS peer tests (`tests/it`: ecr, doctor_live, credential_helper) hold the
//! real SDK path.

use std::path::PathBuf;
use std::sync::OnceLock;

use base64::Engine as _;
use clap::Parser as _;
use pullpass_ecr::fake::{FakeBackend, FakeDirectory, FakeRegistry, Fault};
use secrecy::ExposeSecret as _;

use super::{Cli, finish, run};

#[path = "../../../../tests/it/support/doctor_json.rs"]
mod doctor_json;
use crate::exit::Exit;
use doctor_json::{IRSA_LIVE_LINKS, assert_passed, broken};

const HOST: &str = "123456789012.dkr.ecr.eu-central-1.amazonaws.com";
const REGION: &str = "us-west-2";
const ISSUER: &str = "oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const ROLE: &str = "arn:aws:iam::123456789012:role/coder-ecr-pull";
/// A token value that must appear only where a token is the output.
const CANARY: &str = "canary-token-5f1d0c";

/// One config file for every test (the `--config` override is process-wide, first one wins).
fn config() -> &'static str {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let path = dir.join("config.toml");
        std::fs::write(
            &path,
            format!(
                "version = 1\n\n[[registry]]\nname = \"prod\"\nhost = \"{HOST}\"\nauth = \"ambient\"\n"
            ),
        )
        .expect("write config");
        // Also for the tests that call a command's functions without `--config`.
        crate::config::set_path_override(path.clone());
        path
    })
    .to_str()
    .expect("UTF-8 temp path")
}

#[derive(Debug)]
struct Ran {
    exit: Exit,
    stdout: String,
    stderr: String,
}

/// `pullpass --config <test config> ARGS` with `backend`, as main runs it.
fn pullpass(args: &[&str], backend: &FakeBackend) -> Ran {
    let argv = ["pullpass", "--config", config()]
        .into_iter()
        .chain(args.iter().copied());
    let cli = Cli::try_parse_from(argv).expect("arguments parse");
    let (exit, stdout, stderr) = crate::out::capture(|| finish(run(cli, backend)));
    Ran {
        exit,
        stdout,
        stderr,
    }
}

fn registry(fake: FakeRegistry) -> FakeBackend {
    FakeBackend::new(fake, FakeDirectory::new(Some(REGION)))
}

fn failing(fault: Fault) -> FakeBackend {
    registry(FakeRegistry::new().failing(fault))
}

// ---- login (the token) ----

#[test]
fn login_prints_the_token_as_docker_config() {
    let backend = registry(FakeRegistry::new().token(CANARY, None));
    let ran = pullpass(&["login", "prod"], &backend);
    assert_eq!(ran.exit, Exit::Ok, "{ran:?}");
    let doc: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("AWS:{CANARY}"));
    assert_eq!(doc["auths"][HOST]["auth"], auth.as_str(), "{doc}");
    assert_eq!(backend.registry.token_calls(), 1);
    assert_eq!(backend.opened(), vec![HOST.to_owned()]);
}

#[test]
fn login_access_denied_names_the_code_and_the_cause() {
    let backend = failing(Fault::access_denied(
        "ecr",
        "GetAuthorizationToken",
        "ecr:GetAuthorizationToken",
    ));
    let ran = pullpass(&["login", "prod", "--format", "docker-login"], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert!(ran.stdout.is_empty(), "{ran:?}");
    assert!(
        ran.stderr
            .starts_with("error: ecr GetAuthorizationToken refused: AccessDeniedException: User:"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("\n  likely cause: "), "{}", ran.stderr);
}

#[test]
fn login_with_expired_session_credentials_says_so() {
    let backend = failing(Fault::expired_token("ecr", "GetAuthorizationToken"));
    let ran = pullpass(&["login", "prod", "--format", "env"], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert!(ran.stdout.is_empty());
    assert!(
        ran.stderr.contains("ExpiredTokenException"),
        "{}",
        ran.stderr
    );
    let cause = ran
        .stderr
        .split_once("likely cause: ")
        .map(|(_, c)| c.to_ascii_lowercase())
        .unwrap_or_default();
    assert!(cause.contains("expired"), "{}", ran.stderr);
}

#[test]
fn login_when_ecr_is_unreachable_points_at_the_network() {
    let backend = failing(Fault::unreachable("ecr", "GetAuthorizationToken"));
    let ran = pullpass(&["login", "prod"], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert!(
        ran.stderr
            .starts_with("error: could not reach ecr for GetAuthorizationToken: "),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("likely cause: the endpoint did not answer"),
        "{}",
        ran.stderr
    );
}

#[test]
fn an_unknown_registry_name_is_a_usage_error_before_any_call() {
    let backend = registry(FakeRegistry::new());
    let ran = pullpass(&["login", "nope"], &backend);
    assert_eq!(ran.exit, Exit::Usage, "{ran:?}");
    assert!(ran.stderr.starts_with("error: "), "{}", ran.stderr);
    assert!(ran.stderr.contains("nope"), "{}", ran.stderr);
    assert!(backend.opened().is_empty());
}

// ---- the credential helper's token ----

#[test]
fn credential_helper_token_and_its_error_line() {
    config();
    let backend = registry(FakeRegistry::new().token(CANARY, None));
    let creds = super::credential_helper::credentials_for(HOST, &backend)
        .expect("credentials")
        .expect("a configured host");
    assert_eq!(creds.username, "AWS");
    assert_eq!(creds.password.expose_secret(), CANARY);
    assert!(!format!("{creds:?}").contains(CANARY));

    let backend = failing(Fault::throttled("ecr", "GetAuthorizationToken"));
    let message = super::credential_helper::credentials_for(HOST, &backend).expect_err("throttled");
    assert!(
        message.starts_with(
            "pullpass: registry \"prod\": ecr GetAuthorizationToken refused: ThrottlingException"
        ),
        "{message}"
    );
    // An unconfigured non-ECR host: nothing to answer, no backend call.
    let none = super::credential_helper::credentials_for("ghcr.io", &backend).expect("no error");
    assert!(none.is_none());
}

// ---- registry test ----

#[test]
fn registry_test_passes_every_check_and_never_prints_the_token() {
    let backend = registry(FakeRegistry::new().token(CANARY, None));
    let ran = pullpass(&["registry", "test", "prod"], &backend);
    assert_eq!(ran.exit, Exit::Ok, "{ran:?}");
    assert!(
        ran.stdout
            .starts_with(&format!("registry prod ({HOST}, privateEcr): ok\n")),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("[ok  ] token"), "{}", ran.stdout);
    assert!(!ran.stdout.contains(CANARY) && !ran.stderr.contains(CANARY));
}

#[test]
fn registry_test_throttled_fails_the_token_check_in_json() {
    let backend = failing(Fault::throttled("ecr", "GetAuthorizationToken"));
    let ran = pullpass(&["registry", "test", "prod", "--format", "json"], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    let doc: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let connection = &doc["connection"];
    assert_eq!(connection["ok"], false, "{doc:#}");
    let token = connection["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "token"))
        .expect("a token check");
    assert_eq!(token["status"], "failed", "{doc:#}");
    assert!(
        token["detail"]
            .as_str()
            .is_some_and(|d| d.contains("ThrottlingException")),
        "{doc:#}"
    );
}

// ---- repos, images, import ----

fn app_images() -> FakeRegistry {
    FakeRegistry::new()
        .repository("base")
        .image(
            "team/app",
            &format!("sha256:{}", "a".repeat(64)),
            &["v1"],
            1_500_000,
        )
        .image(
            "team/app",
            &format!("sha256:{}", "b".repeat(64)),
            &["v2", "latest"],
            2_000,
        )
        .image("team/app", &format!("sha256:{}", "c".repeat(64)), &[], 10)
        .page_size(2)
}

#[test]
fn repos_lists_the_registry() {
    let ran = pullpass(&["repos", "prod", "--all"], &registry(app_images()));
    assert_eq!(ran.exit, Exit::Ok, "{ran:?}");
    let names: Vec<&str> = ran
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["base", "team/app"], "{}", ran.stdout);
    assert!(ran.stdout.contains(&format!("{HOST}/team/app")));
}

#[test]
fn images_follow_every_page_or_print_the_next_token() {
    let backend = registry(app_images());
    let ran = pullpass(
        &["images", "prod", "team/app", "--all", "--format", "json"],
        &backend,
    );
    assert_eq!(ran.exit, Exit::Ok, "{ran:?}");
    let doc: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let images = doc["images"].as_array().expect("images");
    assert_eq!(images.len(), 3, "{doc:#}");
    assert_eq!(
        images[0]["reference"],
        format!("{HOST}/team/app@sha256:{}", "a".repeat(64))
    );
    assert!(
        doc.get("nextToken").is_none_or(serde_json::Value::is_null),
        "{doc:#}"
    );

    let ran = pullpass(&["images", "prod", "team/app"], &backend);
    assert_eq!(ran.exit, Exit::Ok, "{ran:?}");
    assert_eq!(ran.stdout.lines().count(), 2, "{}", ran.stdout);
    assert!(ran.stdout.contains("v2,latest"), "{}", ran.stdout);
    assert!(
        ran.stderr.contains("more results: pass --next-token 2"),
        "{}",
        ran.stderr
    );
}

#[test]
fn images_of_a_missing_repository_and_a_refused_listing() {
    let ran = pullpass(&["images", "prod", "team/nope"], &registry(app_images()));
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert!(
        ran.stderr.starts_with(&format!(
            "error: repository `team/nope` in {HOST} not found"
        )),
        "{}",
        ran.stderr
    );

    let backend = failing(Fault::access_denied(
        "ecr",
        "DescribeImages",
        "ecr:DescribeImages",
    ));
    let ran = pullpass(&["images", "prod", "team/app"], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert!(
        ran.stderr
            .contains("ecr DescribeImages refused: AccessDeniedException"),
        "{}",
        ran.stderr
    );
}

#[test]
fn import_pins_a_tag_to_its_digest_or_says_it_is_missing() {
    let backend = registry(app_images());
    let ran = pullpass(&["import", "prod", "team/app:latest"], &backend);
    assert_eq!(ran.exit, Exit::Ok, "{ran:?}");
    assert_eq!(ran.stdout, format!("sha256:{}\n", "b".repeat(64)));
    assert!(ran.stderr.contains("pin it as "), "{}", ran.stderr);

    let ran = pullpass(&["import", "prod", "team/app:v9"], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert!(
        ran.stderr
            .starts_with(&format!("error: image `team/app:v9` in {HOST} not found")),
        "{}",
        ran.stderr
    );
}

// ---- doctor --live ----

fn irsa_trust(subject: &str) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::123456789012:oidc-provider/{ISSUER}")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            format!("{ISSUER}:sub"): subject,
            format!("{ISSUER}:aud"): "sts.amazonaws.com"}}}]})
    .to_string()
}

const PULL: &str = r#"{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability"], "Resource": "arn:aws:ecr:*:123456789012:repository/*"}]}"#;

fn irsa_directory() -> FakeDirectory {
    FakeDirectory::new(Some(REGION))
        .role(ROLE, &irsa_trust("system:serviceaccount:coder:coder"))
        .permissions("coder-ecr-pull", PULL)
        .role(
            "arn:aws:iam::123456789012:role/coder-wrong-ns",
            &irsa_trust("system:serviceaccount:default:coder"),
        )
        .permissions("coder-wrong-ns", PULL)
        .oidc_provider(
            &format!("arn:aws:iam::123456789012:oidc-provider/{ISSUER}"),
            ISSUER,
            &["sts.amazonaws.com"],
        )
        .cluster(
            "coder-prod",
            "arn:aws:eks:us-west-2:123456789012:cluster/coder-prod",
            &format!("https://{ISSUER}"),
        )
}

fn doctor_irsa(role: &str, extra: &[&str], backend: &FakeBackend) -> (Ran, serde_json::Value) {
    let mut args = vec![
        "doctor",
        "irsa",
        "--live",
        "--role-arn",
        role,
        "--region",
        REGION,
        "--cluster-name",
        "coder-prod",
        "--expect-service-account",
        "coder/coder",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let ran = pullpass(&args, backend);
    let report = serde_json::from_str(&ran.stdout).unwrap_or(serde_json::Value::Null);
    (ran, report)
}

#[test]
fn doctor_irsa_live_sound_set_up_passes_every_fetched_link() {
    let backend = FakeBackend::new(FakeRegistry::new().token(CANARY, None), irsa_directory());
    let (ran, report) = doctor_irsa("coder-ecr-pull", &["--registry", HOST], &backend);
    assert_eq!(ran.exit, Exit::Ok, "{ran:?}");
    assert!(broken(&report).is_empty(), "{report:#}");
    assert_passed(&report, IRSA_LIVE_LINKS);
    assert!(!ran.stdout.contains(CANARY), "the token leaked into doctor");
}

#[test]
fn doctor_irsa_live_broken_links_fail_one_check_each() {
    let backend = FakeBackend::new(FakeRegistry::new(), irsa_directory());
    let (ran, report) = doctor_irsa("coder-wrong-ns", &[], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert_eq!(broken(&report), ["trust.subject TP032"], "{report:#}");

    // The role does not exist: IAM's NoSuchEntity is a broken link, not an error.
    let (ran, report) = doctor_irsa(
        "arn:aws:iam::123456789012:role/coder-ecr-pul",
        &[],
        &backend,
    );
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert_eq!(broken(&report), ["trust.policy DR013"], "{report:#}");

    // A role with no policies cannot get a token.
    let backend = FakeBackend::new(
        FakeRegistry::new(),
        irsa_directory().role(
            "arn:aws:iam::123456789012:role/coder-no-permissions",
            &irsa_trust("system:serviceaccount:coder:coder"),
        ),
    );
    let (ran, report) = doctor_irsa("coder-no-permissions", &[], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert_eq!(broken(&report), ["role.permissions EP001"], "{report:#}");
}

#[test]
fn doctor_live_token_refusal_is_its_own_link() {
    let backend = FakeBackend::new(
        FakeRegistry::new().failing(Fault::access_denied(
            "ecr",
            "GetAuthorizationToken",
            "ecr:GetAuthorizationToken",
        )),
        irsa_directory(),
    );
    let (ran, report) = doctor_irsa("coder-ecr-pull", &["--registry", HOST], &backend);
    assert_eq!(ran.exit, Exit::Findings, "{ran:?}");
    assert_eq!(broken(&report), ["live.token DR030"], "{report:#}");
}

#[test]
fn doctor_live_refused_or_unreachable_iam_is_a_usage_error_with_a_hint() {
    let cases: [(Fault, &[&str]); 3] = [
        (
            Fault::access_denied("IAM", "GetRole", "iam:GetRole"),
            &[
                "error: IAM GetRole for `coder-ecr-pull` failed: IAM GetRole refused: AccessDeniedException",
                "\n  --live reads with your credentials: they need iam:GetRole",
            ],
        ),
        (
            Fault::unreachable("IAM", "GetRole"),
            &[
                "error: IAM GetRole for `coder-ecr-pull` failed: could not reach IAM for GetRole",
                "\n  the endpoint did not answer",
            ],
        ),
        (
            Fault::expired_token("IAM", "GetRole"),
            &["IAM GetRole refused: ExpiredTokenException"],
        ),
    ];
    for (fault, said) in cases {
        let backend = FakeBackend::new(FakeRegistry::new(), irsa_directory().failing(fault));
        let (ran, _) = doctor_irsa("coder-ecr-pull", &[], &backend);
        assert_eq!(ran.exit, Exit::Usage, "{ran:?}");
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
        for part in said {
            assert!(ran.stderr.contains(part), "{part:?} in:\n{}", ran.stderr);
        }
    }
}

#[test]
fn doctor_live_unknown_cluster_is_a_usage_error() {
    let backend = FakeBackend::new(FakeRegistry::new(), irsa_directory());
    let ran = pullpass(
        &[
            "doctor",
            "irsa",
            "--live",
            "--role-arn",
            "coder-ecr-pull",
            "--region",
            REGION,
            "--cluster-name",
            "nope",
        ],
        &backend,
    );
    assert_eq!(ran.exit, Exit::Usage, "{ran:?}");
    assert!(
        ran.stderr.starts_with(
            "error: EKS has no cluster `nope` in us-west-2: ResourceNotFoundException"
        ),
        "{}",
        ran.stderr
    );
}

fn pod_identity_directory() -> FakeDirectory {
    let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "coder",
            "aws:RequestTag/kubernetes-service-account": "coder"}}}]}"#;
    FakeDirectory::new(Some(REGION))
        .role("arn:aws:iam::123456789012:role/coder-pod-identity", trust)
        .permissions("coder-pod-identity", PULL)
        .cluster(
            "coder-prod",
            "arn:aws:eks:us-west-2:123456789012:cluster/coder-prod",
            &format!("https://{ISSUER}"),
        )
        .association(
            "coder-prod",
            "coder",
            "coder",
            "arn:aws:iam::123456789012:role/coder-pod-identity",
        )
}

/// moto has no Pod Identity associations: only the fake can serve this path's look-up.
#[test]
fn doctor_pod_identity_live_finds_the_association_and_its_role() {
    let backend = FakeBackend::new(FakeRegistry::new(), pod_identity_directory());
    let args = [
        "doctor",
        "pod-identity",
        "--live",
        "--cluster-name",
        "coder-prod",
        "--region",
        REGION,
        "--expect-service-account",
        "coder/coder",
        "--format",
        "json",
    ];
    let ran = pullpass(&args, &backend);
    assert_eq!(ran.exit, Exit::Ok, "{ran:?}");
    let report: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert!(broken(&report).is_empty(), "{report:#}");
    assert_passed(
        &report,
        &[
            "association.service-account",
            "association.cluster",
            "trust.tags",
            "role.permissions",
        ],
    );

    let mut other = args;
    other[8] = "coder/builder";
    let ran = pullpass(&other, &backend);
    assert_eq!(ran.exit, Exit::Usage, "{ran:?}");
    assert!(
        ran.stderr.starts_with(
            "error: no Pod Identity association for coder/builder in cluster coder-prod: create one with `aws eks create-pod-identity-association"
        ),
        "{}",
        ran.stderr
    );
}

#[test]
fn fakes_keep_the_token_out_of_debug_output() {
    let backend = registry(FakeRegistry::new().token(CANARY, None));
    assert!(!format!("{backend:?}").contains(CANARY));
    let ran = pullpass(&["registry", "test", "prod", "--format", "json"], &backend);
    assert!(!ran.stdout.contains(CANARY) && !ran.stderr.contains(CANARY));
}
