use super::{
    Step, cause_for_registry_status, cause_for_service_error, cause_for_text, explain,
    known_causes, table,
};

fn first(text: &str) -> Option<&'static str> {
    explain(text).first().map(|e| e.id)
}

fn ids(text: &str) -> Vec<&'static str> {
    explain(text).iter().map(|e| e.id).collect()
}

#[test]
fn every_cited_rule_exists_in_the_catalogue() {
    for (id, _, rules) in known_causes() {
        for code in rules {
            assert!(
                crate::catalog::get(code).is_some(),
                "cause `{id}` cites {code}, which the catalogue does not have"
            );
        }
    }
}

#[test]
fn ids_are_unique_and_supersedes_name_known_causes() {
    let all: Vec<&str> = table::CAUSES.iter().map(|c| c.id).collect();
    for (i, id) in all.iter().enumerate() {
        assert!(!all[..i].contains(id), "duplicate cause id `{id}`");
    }
    for cause in table::CAUSES {
        assert!(
            !cause.causes.is_empty() && !cause.next_steps.is_empty(),
            "{}",
            cause.id
        );
        for other in cause.supersedes {
            assert!(
                all.contains(other),
                "`{}` supersedes unknown `{other}`",
                cause.id
            );
            assert_ne!(cause.id, *other);
        }
    }
}

/// Issue 14: a step that reads a file the steps make (a trust policy, the service account,
/// the pod's env) never comes before the step that writes it.
#[test]
fn next_steps_create_files_before_they_use_them() {
    const MADE: &[&str] = &[
        "trust-policy.json",
        "trust-policy.new.json",
        "sa.yaml",
        "pod-env.txt",
    ];
    for cause in table::CAUSES {
        let mut written: Vec<&str> = Vec::new();
        for step in cause.next_steps {
            let words: Vec<&str> = step.text().split_whitespace().collect();
            for (i, word) in words.iter().enumerate() {
                let file = word.trim_start_matches("file://");
                if !MADE.contains(&file) {
                    continue;
                }
                if i > 0 && words[i - 1] == ">" {
                    written.push(file);
                } else {
                    assert!(
                        written.contains(&file),
                        "`{}` uses {file} before a step creates it",
                        cause.id
                    );
                }
            }
        }
    }
}

#[test]
fn trust_wiring_causes_point_at_doctor() {
    for id in [
        "sts-web-identity-denied",
        "oidc-provider-missing",
        "oidc-audience",
        "pod-identity-association-invalid",
        "pod-identity-assume-denied",
        "pod-identity-agent-unreachable",
        "no-credentials",
    ] {
        let cause = table::CAUSES.iter().find(|c| c.id == id).unwrap();
        assert!(
            cause
                .next_steps
                .iter()
                .any(|s| matches!(s, Step::Run(r) if r.starts_with("pullpass doctor "))),
            "{id} does not mention pullpass doctor"
        );
    }
}

#[test]
fn maps_the_errors_rules_md_lists() {
    for (text, id) in [
        (
            "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
            "sts-web-identity-denied",
        ),
        (
            "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
            "oidc-provider-missing",
        ),
        (
            "WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: Incorrect token audience",
            "oidc-audience",
        ),
        (
            "InvalidIdentityToken: The web identity token provided could not be validated",
            "oidc-token-unverifiable",
        ),
        (
            "Error response from daemon: Head https://1.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/v1: no basic auth credentials",
            "registry-no-credentials",
        ),
        (
            "UnrecognizedClientException: The security token included in the request is invalid",
            "invalid-security-token",
        ),
    ] {
        assert_eq!(first(text), Some(id), "{text}");
    }
}

/// The bug issue 10 names: an STS 403 got the registry's 403 explanation.
#[test]
fn an_sts_403_is_not_a_registry_403() {
    let text = "WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity\n\tstatus code: 403, request id: 5c3f9ce5";
    assert_eq!(ids(text), ["sts-web-identity-denied"]);
    let sdk = "operation error STS: AssumeRole, https response error StatusCode: 403, api error AccessDenied: User is not authorized";
    assert_eq!(ids(sdk), ["sts-assume-role-denied"]);
}

#[test]
fn specific_causes_replace_generic_ones() {
    // A pull denial that names the missing ECR action: EP002, not "log in again".
    let text = "Error response from daemon: pull access denied for 1.dkr.ecr.us-west-2.amazonaws.com/app, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-west-2:1:repository/app";
    assert_eq!(ids(text), ["ecr-pull-denied"]);
    // TagSession on an AssumeRole: the TagSession cause alone.
    let tag = "User: arn:aws:iam::1:user/deployer is not authorized to perform: sts:TagSession on resource: arn:aws:iam::2:role/devops";
    assert_eq!(ids(tag), ["sts-tag-session-denied"]);
}

#[test]
fn image_references_without_a_registry_mean_docker_hub() {
    assert_eq!(
        first(
            "Error response from daemon: pull access denied for api-server, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
        ),
        Some("docker-hub-fallback")
    );
    assert_eq!(
        first(
            "pull access denied for 1.dkr.ecr.eu-west-1.amazonaws.com, repository does not exist or may require 'docker login'"
        ),
        Some("registry-host-only")
    );
    // A full ECR reference is neither.
    let full = ids(
        "pull access denied for 1.dkr.ecr.eu-west-1.amazonaws.com/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    );
    assert_eq!(full, ["registry-denied"]);
}

#[test]
fn structured_queries_use_the_operation() {
    let denied =
        cause_for_service_error("AccessDeniedException", "", "GetAuthorizationToken").unwrap();
    assert!(
        denied.starts_with("AccessDenied on ecr:GetAuthorizationToken") && denied.contains("EP001"),
        "{denied}"
    );
    let listing = cause_for_service_error("HTTP 403", "", "DescribeImages").unwrap();
    assert!(listing.contains("EP003"), "{listing}");
    let assume =
        cause_for_service_error("AccessDenied", "User is not authorized", "AssumeRole").unwrap();
    assert!(
        assume.starts_with("AccessDenied on sts:AssumeRole"),
        "{assume}"
    );
    let keys = cause_for_service_error("UnrecognizedClientException", "", "GetAuthorizationToken")
        .unwrap();
    assert!(
        keys.contains("opt-in region") && keys.contains("stale cached credentials"),
        "{keys}"
    );
    let missing =
        cause_for_service_error("RepositoryNotFoundException", "", "DescribeImages").unwrap();
    assert!(missing.contains("RF060"), "{missing}");
    assert!(cause_for_service_error("SomethingElse", "", "x").is_none());
    let oidc = cause_for_text("failed to load credentials: InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/ABC").unwrap();
    assert!(oidc.contains("OIDC provider"), "{oidc}");
    assert!(
        cause_for_registry_status(403, true)
            .unwrap()
            .contains("EP002")
    );
    assert!(cause_for_registry_status(200, true).is_none());
}

#[test]
fn unknown_text_explains_nothing() {
    assert!(explain("everything is fine").is_empty());
    assert!(explain("").is_empty());
    assert!(explain("403").is_empty());
}

#[test]
fn odd_input_never_panics() {
    for text in [
        "pull access denied for ",
        "pull access denied for \"",
        "\u{0}\u{fffd}é403 denied public.ecr.aws",
        &"x".repeat(100_000),
    ] {
        let _ = explain(text);
    }
}

/// The kubelet provider's binary problems, in the shapes kubelet logs them (written here, not
/// taken from a thread: the corpus has the musl and wrong-program cases).
#[test]
fn kubelet_provider_binary_problems() {
    for text in [
        "Failed getting credential from external registry credential provider: error execing credential provider plugin ecr-credential-provider for image 1.dkr.ecr.us-east-1.amazonaws.com/app: fork/exec /etc/eks/image-credential-provider/ecr-credential-provider: exec format error",
        "Failed getting credential from external registry credential provider: error execing credential provider plugin ecr-credential-provider for image 1.dkr.ecr.us-east-1.amazonaws.com/app: exit status 1: /etc/eks/image-credential-provider/ecr-credential-provider: /lib64/libc.so.6: version `GLIBC_2.34' not found",
    ] {
        assert_eq!(ids(text), ["kubelet-provider-binary"], "{text}");
    }
}
