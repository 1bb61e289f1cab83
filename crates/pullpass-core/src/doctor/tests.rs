//! What the doctor's tests share (a sound set-up of each mode, `assert_only`), and the links the
//! `TP`/`RF`/`EP` rules judge (each `DR…` rule's tests are in its file), each failing exactly its link, from one
//! sound set-up with one thing broken at a time; the fixture sets under
//! `tests/fixtures/doctor/` cover the same ground end to end through the CLI.

pub(crate) use super::*;

pub(crate) const ROLE: &str = "arn:aws:iam::210987654321:role/coder-ecr-pull";
pub(crate) const ISSUER: &str =
    "https://oidc.eks.us-west-2.amazonaws.com/id/5C1A3B7F0E9D2C4B6A8F1E3D5C7B9A02";
pub(crate) const PROVIDER: &str =
    "oidc.eks.us-west-2.amazonaws.com/id/5C1A3B7F0E9D2C4B6A8F1E3D5C7B9A02";

pub(crate) fn sa(annotations: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: coder\n  namespace: coder\n  annotations:\n{annotations}"
    )
}

pub(crate) fn trust(sub: &str, aud: &str) -> String {
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [{{
    "Effect": "Allow",
    "Principal": {{"Federated": "arn:aws:iam::210987654321:oidc-provider/{PROVIDER}"}},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {{"StringEquals": {{{sub}{aud}}}}}
  }}]
}}"#
    )
}

pub(crate) fn sound() -> DoctorInputs {
    DoctorInputs {
        association: None,
        service_account: Some(sa(&format!("    eks.amazonaws.com/role-arn: {ROLE}\n"))),
        helm_values: Some(format!(
            "coderd:\n  builtinProviderServiceAccount:\n    annotations:\n      eks.amazonaws.com/role-arn: {ROLE}\n"
        )),
        expected_service_account: None,
        trust_policy: Some(trust(
            &format!("\"{PROVIDER}:sub\": \"system:serviceaccount:coder:coder\", "),
            &format!("\"{PROVIDER}:aud\": \"sts.amazonaws.com\""),
        )),
        role_arn: Some(ROLE.to_owned()),
        issuer: Some(ISSUER.to_owned()),
        cluster: None,
        oidc_provider: Some(format!(
            r#"{{"Url": "{PROVIDER}", "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": []}}"#
        )),
        registry: Some("210987654321.dkr.ecr.us-west-2.amazonaws.com".to_owned()),
        pod_env: Some(format!(
            "HOSTNAME=coder-0\nAWS_ROLE_ARN={ROLE}\nAWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token\nAWS_STS_REGIONAL_ENDPOINTS=regional\nAWS_REGION=us-west-2\n"
        )),
        permissions_policy: Some(PERMISSIONS.to_owned()),
        repository: Some("team/app".to_owned()),
        registry_token: None,
    }
}

pub(crate) const PERMISSIONS: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
  {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability",
     "ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:ListImages"],
   "Resource": "arn:aws:ecr:us-west-2:210987654321:repository/*"}]}"#;

/// (id, code) of every check that is not passed or not-checked-for-want-of-input.
pub(crate) fn broken(list: &Checklist) -> Vec<(&'static str, &'static str)> {
    crate::catalog::style::assert_styled(list.checks.iter().filter_map(|c| c.diagnostic.as_ref()));
    list.checks
        .iter()
        .filter(|c| matches!(c.status, Status::Failed | Status::Warning))
        .map(|c| (c.id, c.diagnostic.as_ref().map_or("", |d| d.code())))
        .collect()
}

pub(crate) fn assert_only(list: &Checklist, id: &str, code: &str) {
    assert_eq!(broken(list), vec![(id, code)], "{list:#?}");
    let failed = list.get(id).unwrap();
    let d = failed.diagnostic.as_ref().unwrap();
    assert!(d.help().is_some() || d.fix().is_some(), "{id} has no fix");
}

#[test]
fn a_sound_set_up_passes_every_link() {
    let list = check_irsa(&sound());
    assert!(broken(&list).is_empty(), "{list:#?}");
    let not_checked: Vec<&str> = list
        .checks
        .iter()
        .filter(|c| c.status == Status::NotChecked)
        .map(|c| c.id)
        .collect();
    assert_eq!(not_checked, vec!["live.token"]);
}

#[test]
fn rf050_placeholder_annotation() {
    let mut inputs = sound();
    inputs.service_account = Some(sa("    eks.amazonaws.com/role-arn: my-role-arn\n"));
    inputs.helm_values = None;
    inputs.pod_env = None;
    assert_only(&check_irsa(&inputs), "sa.annotation", "RF050");
}

#[test]
fn tp022_https_in_the_key_is_one_failure() {
    let mut inputs = sound();
    inputs.trust_policy = Some(trust(
        &format!("\"https://{PROVIDER}:sub\": \"system:serviceaccount:coder:coder\", "),
        &format!("\"https://{PROVIDER}:aud\": \"sts.amazonaws.com\""),
    ));
    let list = check_irsa(&inputs);
    assert_only(&list, "trust.keys", "TP022");
    let d = list.get("trust.keys").unwrap().diagnostic.clone().unwrap();
    let fixed = d
        .fix()
        .unwrap()
        .apply(inputs.trust_policy.as_deref().unwrap())
        .unwrap();
    assert!(fixed.contains(&format!("\"{PROVIDER}:sub\"")));
}

#[test]
fn tp028_wildcard_under_string_equals() {
    let mut inputs = sound();
    inputs.trust_policy = Some(trust(
        &format!("\"{PROVIDER}:sub\": \"system:serviceaccount:coder:*\", "),
        &format!("\"{PROVIDER}:aud\": \"sts.amazonaws.com\""),
    ));
    assert_only(&check_irsa(&inputs), "trust.subject", "TP028");
}

#[test]
fn tp032_wrong_namespace_and_wrong_name() {
    // The linter's TP032, in its words: the value and the service account expected.
    for (sub, says) in [
        (
            "system:serviceaccount:default:coder",
            "`system:serviceaccount:default:coder`",
        ),
        (
            "system:serviceaccount:coder:coderd",
            "`system:serviceaccount:coder:coderd`",
        ),
    ] {
        let mut inputs = sound();
        inputs.trust_policy = Some(trust(
            &format!("\"{PROVIDER}:sub\": \"{sub}\", "),
            &format!("\"{PROVIDER}:aud\": \"sts.amazonaws.com\""),
        ));
        let list = check_irsa(&inputs);
        assert_only(&list, "trust.subject", "TP032");
        assert!(list.get("trust.subject").unwrap().detail.contains(says));
    }
}

#[test]
fn tp024_missing_aud() {
    let mut inputs = sound();
    inputs.trust_policy = Some(trust(
        &format!("\"{PROVIDER}:sub\": \"system:serviceaccount:coder:coder\""),
        "",
    ));
    assert_only(&check_irsa(&inputs), "trust.audience", "TP024");
}

#[test]
fn tp041_provider_in_another_account() {
    let mut inputs = sound();
    inputs.trust_policy = Some(inputs.trust_policy.unwrap().replace(
        "arn:aws:iam::210987654321:oidc-provider",
        "arn:aws:iam::999988887777:oidc-provider",
    ));
    assert_only(&check_irsa(&inputs), "aws.account", "TP041");
}

#[test]
fn tp040_principal_in_another_partition() {
    let cn = "oidc.eks.cn-north-1.amazonaws.com.cn/id/5C1A3B7F0E9D2C4B6A8F1E3D5C7B9A02";
    let role = "arn:aws-cn:iam::210987654321:role/coder-ecr-pull";
    let mut inputs = sound();
    inputs.service_account = Some(sa(&format!("    eks.amazonaws.com/role-arn: {role}\n")));
    inputs.helm_values = None;
    inputs.role_arn = Some(role.to_owned());
    inputs.issuer = Some(format!("https://{cn}"));
    inputs.trust_policy = Some(inputs.trust_policy.unwrap().replace(PROVIDER, cn));
    inputs.oidc_provider = Some(format!(
        r#"{{"Url": "{cn}", "ClientIDList": ["sts.amazonaws.com"]}}"#
    ));
    inputs.registry = Some("210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn".to_owned());
    inputs.permissions_policy = None;
    inputs.pod_env = Some(format!(
        "AWS_ROLE_ARN={role}\nAWS_WEB_IDENTITY_TOKEN_FILE=/t\n"
    ));
    let list = check_irsa(&inputs);
    assert_only(&list, "aws.partition", "TP040");
}

#[test]
fn cross_account_registry_is_not_checked_and_says_why() {
    let mut inputs = sound();
    inputs.permissions_policy = None;
    inputs.registry = Some("111122224444.dkr.ecr.us-west-2.amazonaws.com".to_owned());
    let list = check_irsa(&inputs);
    assert!(broken(&list).is_empty());
    let reg = list.get("registry").unwrap();
    assert_eq!(reg.status, Status::NotChecked);
    assert!(reg.detail.contains("repository policy"), "{}", reg.detail);
}

pub(crate) fn pod_identity_sound() -> DoctorInputs {
    DoctorInputs {
        helm_values: None,
        issuer: None,
        oidc_provider: None,
        association: Some(format!(
            r#"{{"association": {{"clusterName": "prod", "namespace": "coder", "serviceAccount": "coder", "roleArn": "{ROLE}", "associationId": "a-1", "disableSessionTags": false}}}}"#
        )),
        service_account: Some("kind: ServiceAccount\nmetadata:\n  name: coder\n  namespace: coder\n".to_owned()),
        expected_service_account: None,
        trust_policy: Some(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "coder", "aws:RequestTag/kubernetes-service-account": "coder"}}}]}"#.to_owned()),
        role_arn: Some(ROLE.to_owned()),
        cluster: Some(r#"{"cluster": {"name": "prod", "arn": "arn:aws:eks:us-west-2:210987654321:cluster/prod"}}"#.to_owned()),
        registry: Some("210987654321.dkr.ecr.us-west-2.amazonaws.com".to_owned()),
        pod_env: Some("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials\nAWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token\n".to_owned()),
        permissions_policy: None,
        repository: None,
        registry_token: None,
    }
}

#[test]
fn pod_identity_sound_and_each_link_broken() {
    assert!(broken(&check_pod_identity(&pod_identity_sound())).is_empty());

    let mut i = pod_identity_sound();
    i.trust_policy = Some(i.trust_policy.unwrap().replace(", \"sts:TagSession\"", ""));
    assert_only(&check_pod_identity(&i), "trust.principal", "TP050");
}

#[test]
fn every_dr_rule_is_in_the_catalog_with_family_doctor() {
    for rule in RULES {
        assert_eq!(rule.family, "doctor");
        assert_eq!(crate::catalog::get(rule.code), Some(*rule));
    }
}

#[test]
fn garbage_never_panics() {
    let junk = [
        "",
        "{",
        "[[[[",
        "\u{0}",
        "key: *alias",
        "---\n---\n",
        "{\"Statement\": 5}",
        "é: [",
        "%YAML 9\n",
    ];
    for j in junk {
        let inputs = DoctorInputs {
            association: None,
            service_account: Some(j.to_owned()),
            helm_values: Some(j.to_owned()),
            expected_service_account: Some(j.to_owned()),
            trust_policy: Some(j.to_owned()),
            role_arn: Some(j.to_owned()),
            issuer: Some(j.to_owned()),
            cluster: Some(j.to_owned()),
            oidc_provider: Some(j.to_owned()),
            registry: Some(j.to_owned()),
            pod_env: Some(j.to_owned()),
            permissions_policy: Some(j.to_owned()),
            repository: Some(j.to_owned()),
            registry_token: None,
        };
        let list = check_irsa(&inputs);
        let _ = list.to_report(|_| Some(j), |i| i.flag().to_owned());
        let p = DoctorInputs {
            helm_values: None,
            issuer: None,
            oidc_provider: None,
            association: Some(j.to_owned()),
            service_account: Some(j.to_owned()),
            expected_service_account: Some(j.to_owned()),
            trust_policy: Some(j.to_owned()),
            role_arn: Some(j.to_owned()),
            cluster: Some(j.to_owned()),
            registry: Some(j.to_owned()),
            pod_env: Some(j.to_owned()),
            permissions_policy: Some(j.to_owned()),
            repository: Some(j.to_owned()),
            registry_token: None,
        };
        let _ = check_pod_identity(&p);
    }
}

#[test]
fn the_linter_judges_validity_and_gives_a_second_opinion_on_the_subject() {
    // A duplicate key (only the linter sees it) makes the policy invalid: one failure.
    let mut inputs = sound();
    inputs.trust_policy = Some(trust(
        &format!(
            "\"{PROVIDER}:sub\": \"system:serviceaccount:coder:coder\", \"{PROVIDER}:sub\": \"system:serviceaccount:default:coder\", "
        ),
        &format!("\"{PROVIDER}:aud\": \"sts.amazonaws.com\""),
    ));
    let list = check_irsa(&inputs);
    assert_only(&list, "trust.policy", "TP006");
    assert!(
        list.get("trust.policy")
            .unwrap()
            .diagnostic
            .as_ref()
            .unwrap()
            .range()
            .is_some()
    );

    // An explicit Deny that matches the service account beats the Allow.
    let mut inputs = sound();
    let policy = inputs.trust_policy.take().unwrap();
    let deny = format!(
        r#", {{"Effect": "Deny", "Principal": {{"Federated": "arn:aws:iam::210987654321:oidc-provider/{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringLike": {{"{PROVIDER}:sub": "system:serviceaccount:coder:*"}}}}}}]"#
    );
    inputs.trust_policy = Some(policy.replacen("}]", &format!("}}{deny}"), 1));
    let list = check_irsa(&inputs);
    assert_only(&list, "trust.subject", "TP032");
    assert!(list.get("trust.subject").unwrap().detail.contains("Deny"));
}

#[test]
fn the_wire_report_carries_positions_from_the_inputs() {
    let mut inputs = sound();
    inputs.trust_policy = Some(trust(
        &format!("\"{PROVIDER}:sub\": \"system:serviceaccount:coder:coder\", "),
        &format!("\"{PROVIDER}:aud\": \"sts.amazon.com\""),
    ));
    let list = check_irsa(&inputs);
    let report = list.to_report(|i| inputs.text(i), |i| i.flag().to_owned());
    assert!(!report.ok);
    assert_eq!(report.summary.failed, 1);
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "trust.audience")
        .unwrap();
    let finding = check.finding.as_ref().unwrap();
    assert_eq!(finding.code, "TP025");
    assert_eq!(finding.file.as_deref(), Some("--trust-policy"));
    let start = finding.start.unwrap();
    let line = inputs
        .trust_policy
        .as_deref()
        .unwrap()
        .lines()
        .nth(start.line as usize - 1)
        .unwrap();
    assert!(line.contains("sts.amazon.com"), "{line}");
    // The fix edits the policy into one that passes.
    let fix = &finding.fixes[0];
    let text = inputs.trust_policy.clone().unwrap();
    let (s, e) = (
        fix.edits[0].range.start as usize,
        fix.edits[0].range.end as usize,
    );
    inputs.trust_policy = Some(format!(
        "{}{}{}",
        &text[..s],
        fix.edits[0].replacement,
        &text[e..]
    ));
    assert!(check_irsa(&inputs).failures().next().is_none());
}

#[test]
fn role_permissions_come_from_the_linter() {
    let mut inputs = sound();
    inputs.permissions_policy = Some(PERMISSIONS.replace(
        r#"{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},"#,
        "",
    ));
    assert_only(&check_irsa(&inputs), "role.permissions", "EP001");

    // The repository lives in another account than the policy allows.
    let mut inputs = sound();
    inputs.registry = Some("111122224444.dkr.ecr.us-west-2.amazonaws.com".to_owned());
    assert_only(&check_irsa(&inputs), "role.permissions", "EP002");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Mutations of a sound input: a byte range replaced by arbitrary text.
    fn mutate(text: &str, at: usize, len: usize, with: &str) -> String {
        let mut start = at.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        format!("{}{}{}", &text[..start], with, &text[end..])
    }

    fn assert_ranges_fit(list: &Checklist, inputs: &DoctorInputs) {
        for check in &list.checks {
            let Some(d) = &check.diagnostic else { continue };
            if let (Some(range), Some(input)) = (d.range(), check.source) {
                let text = inputs
                    .text(input)
                    .expect("a range points into a given input");
                assert!(range.end as usize <= text.len(), "{}: {range:?}", check.id);
                assert!(text.is_char_boundary(range.start as usize), "{}", check.id);
                assert!(text.is_char_boundary(range.end as usize), "{}", check.id);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn mutated_artifacts_never_panic_and_ranges_fit(
            field in 0usize..6,
            at in 0usize..600,
            len in 0usize..20,
            with in "(\\PC|[{}\\[\\]:,\"'\\n\\t*&!%é]){0,12}",
        ) {
            let mut inputs = sound();
            let slot = match field {
                0 => &mut inputs.service_account,
                1 => &mut inputs.helm_values,
                2 => &mut inputs.trust_policy,
                3 => &mut inputs.oidc_provider,
                4 => &mut inputs.pod_env,
                _ => &mut inputs.permissions_policy,
            };
            let text = slot.take().unwrap_or_default();
            *slot = Some(mutate(&text, at, len, &with));
            let list = check_irsa(&inputs);
            assert_ranges_fit(&list, &inputs);
            // Each link once (so at most one failure per link), and every blocked link names a
            // failed one.
            let mut ids: Vec<&str> = list.checks.iter().map(|c| c.id).collect();
            ids.sort_unstable();
            let before = ids.len();
            ids.dedup();
            prop_assert_eq!(before, ids.len());
            for check in &list.checks {
                if let Some(by) = check.blocked_by {
                    prop_assert!(list.get(by).is_some_and(|b| b.status == Status::Failed), "{} blocked by {by}", check.id);
                }
            }
            let _ = list.to_report(|i| inputs.text(i), |i| i.flag().to_owned());
        }
    }
}
