use super::*;
use pullpass_core::policy::LintContext;

fn fixture(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/repo/");
    std::fs::read_to_string(format!("{root}{path}")).expect("fixture")
}

fn extract_fixture(path: &str) -> (String, Extracted) {
    let text = fixture(path);
    let format = classify(path, &text).expect("classified");
    let ex = extract(format, &text);
    assert_eq!(ex.error, None, "{path}");
    (text, ex)
}

#[test]
fn every_generated_policy_is_valid_json_and_maps_inside_the_file() {
    for path in [
        "cloudformation/irsa-role.yaml",
        "cloudformation/sub-json.yaml",
        "cloudformation/policy.json",
        "terraform/irsa/main.tf",
        "terraform/irsa/ecr.tf",
        "terraform/plan/plan.json",
    ] {
        let (text, ex) = extract_fixture(path);
        assert!(!ex.policies.is_empty(), "{path}");
        for p in &ex.policies {
            assert!(
                pullpass_core::policy::json::parse(&p.json).is_ok(),
                "{path} {}: {}",
                p.owner,
                p.json
            );
            for s in p.map.segments() {
                assert!(s.source.end as usize <= text.len(), "{path}");
                if s.kind == SegmentKind::Exact {
                    assert_eq!(
                        &p.json[s.generated.as_usize_range()],
                        &text[s.source.as_usize_range()],
                        "{path}"
                    );
                }
            }
        }
    }
}

#[test]
fn terraform_policy_document_is_translated_as_the_provider_does() {
    let (_, ex) = extract_fixture("terraform/irsa/main.tf");
    let doc = ex
        .policies
        .iter()
        .find(|p| {
            p.owner
                .starts_with("data.aws_iam_policy_document.puller_assume")
        })
        .expect("data document");
    assert_eq!(doc.kind, Some(PolicyKind::Trust));
    assert_eq!(doc.role_name.as_deref(), Some("image-puller"));
    let v: serde_json::Value = serde_json::from_str(&doc.json).expect("JSON");
    assert_eq!(v["Statement"][0]["Effect"], "Allow");
    assert_eq!(v["Statement"][0]["Action"], "sts:AssumeRoleWithWebIdentity");
    let cond = &v["Statement"][0]["Condition"]["StringEquals"];
    assert_eq!(
        cond["oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:sub"],
        "system:serviceaccount:builds:image-puller"
    );
    assert!(
        v["Statement"][0]["Principal"]["Federated"]
            .as_str()
            .unwrap()
            .ends_with(":oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9")
    );
}

#[test]
fn intrinsics_are_placeholders_and_literal_mistakes_in_sub_are_found() {
    let (text, ex) = extract_fixture("cloudformation/sub-json.yaml");
    let found = check::lint_policy(&ex.policies[0], &LintContext::default());
    let codes: Vec<&str> = found.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["TP028"], "{:#?}", found.diagnostics);
    let r = found.diagnostics[0].range().unwrap();
    assert_eq!(
        &text[r.as_usize_range()],
        "\"system:serviceaccount:build:*\""
    );
    // No placeholder finding (TP061) anywhere: `${…}` and `!Sub` are not left-over templates.
    let (_, ex) = extract_fixture("cloudformation/irsa-role.yaml");
    for p in &ex.policies {
        let found = check::lint_policy(p, &LintContext::default());
        assert!(
            found
                .diagnostics
                .iter()
                .all(|d| d.code() != "TP061" && d.code() != "TP040"),
            "{}: {:#?}",
            p.owner,
            found.diagnostics
        );
    }
}

#[test]
fn service_accounts_come_from_manifests_and_values() {
    let (_, ex) = extract_fixture("k8s/service-accounts.yaml");
    let names: Vec<_> = ex
        .service_accounts
        .iter()
        .map(|s| (s.namespace.as_deref(), s.name.as_deref(), s.role_name()))
        .collect();
    assert_eq!(
        names,
        [
            (Some("builds"), Some("image-puller"), Some("image-puller")),
            (Some("ci"), Some("deployer"), Some("reporter"))
        ]
    );
    let (_, ex) = extract_fixture("helm/puller/values.yaml");
    assert_eq!(ex.service_accounts.len(), 1);
    assert_eq!(ex.service_accounts[0].namespace, None);
    assert_eq!(ex.service_accounts[0].name.as_deref(), Some("image-puller"));
}

#[test]
fn classification() {
    assert_eq!(classify("a/b.tf", ""), Ok(Format::Terraform));
    assert_eq!(
        classify("x.json", "{\"Statement\": []}"),
        Ok(Format::Policy)
    );
    assert_eq!(
        classify("x.json", "{\"Version\": \"2012-10-17\"}"),
        Ok(Format::Policy)
    );
    assert_eq!(classify("x.json", "{\"broken"), Ok(Format::Policy));
    assert!(classify("chart/templates/deploy.yaml", "kind: Deployment\n").is_err());
    // A chart's service-account template is a Go template, not a manifest (no false TP001).
    assert!(
        classify(
            "charts/web/templates/serviceaccount.yaml",
            "{{- if .Values.serviceAccount.create -}}\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ include \"web.fullname\" . }}\n{{- end }}\n"
        )
        .is_err()
    );
    assert!(classify("README.md", "").is_err());
}

#[test]
fn a_computed_principal_hides_only_the_findings_about_its_value() {
    let (_, ex) = extract_fixture("cloudformation/open-web-identity.yaml");
    let [p] = ex.policies.as_slice() else {
        panic!("one policy: {ex:?}")
    };
    // The core alone sees `arn:*:iam::*:oidc-provider/oidc.eks.*…`: TP020 (no Condition, true
    // whatever the parameters are), TP023 and TP041 (about the computed issuer and account).
    let raw: Vec<&str> = pullpass_core::policy::lint(&p.json, p.kind, &LintContext::default())
        .diagnostics
        .iter()
        .map(|d| d.code())
        .collect();
    assert!(raw.contains(&"TP023") && raw.contains(&"TP041"), "{raw:?}");
    let kept: Vec<&str> = check::lint_policy(p, &LintContext::default())
        .diagnostics
        .iter()
        .map(|d| d.code())
        .collect();
    assert!(kept.contains(&"TP020"), "{kept:?}");
    assert!(
        !kept.contains(&"TP023") && !kept.contains(&"TP041"),
        "{kept:?}"
    );
}

#[test]
fn a_policy_document_of_a_sibling_file_gets_its_kind_and_role() {
    let (_, mut data) = extract_fixture("terraform/split/data.tf");
    let (_, mut main) = extract_fixture("terraform/split/main.tf");
    assert!(main.policies.is_empty());
    assert_eq!(main.document_uses.len(), 2);
    assert!(data.policies.iter().all(|p| p.kind.is_none()));
    let changed = terraform::link_module(&mut [
        ("terraform/split/data.tf", &mut data),
        ("terraform/split/main.tf", &mut main),
    ]);
    assert_eq!(changed, vec![0]);
    let assume = &data.policies[0];
    assert_eq!(assume.kind, Some(PolicyKind::Trust));
    assert_eq!(assume.role_name.as_deref(), Some("log-shipper"));
    assert_eq!(
        assume.owner,
        "data.aws_iam_policy_document.shipper_assume (used by aws_iam_role.shipper in main.tf)"
    );
    assert_eq!(data.policies[1].kind, Some(PolicyKind::Permissions));
}

#[test]
fn helm_values_give_the_namespace_when_they_name_it() {
    let (_, ex) = extract_fixture("helm/shipper/values.yaml");
    let [sa] = ex.service_accounts.as_slice() else {
        panic!("{ex:?}")
    };
    assert_eq!(sa.namespace.as_deref(), Some("observability"));
    assert_eq!(sa.name.as_deref(), Some("log-shipper"));
    let nested = k8s::extract_values(
        "namespace: a\nserviceAccount:\n  namespace: b\n  name: x\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::210987654321:role/x\n",
    );
    assert_eq!(nested.service_accounts[0].namespace.as_deref(), Some("b"));
    let (_, plain) = extract_fixture("helm/puller/values.yaml");
    assert_eq!(plain.service_accounts[0].namespace, None);
}
