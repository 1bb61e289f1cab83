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

/// The public IRSA modules build their trust documents with `dynamic "statement"` blocks and
/// `source_policy_documents` (terraform-aws-modules/iam `iam-assumable-role-with-oidc`,
/// `iam-role-for-service-accounts-eks`; shapes rewritten here with other names): their static
/// text is no policy, so nothing is linted (no "empty Statement"); a static document beside
/// them still is.
#[test]
fn computed_policy_documents_are_not_judged() {
    let text = r#"
data "aws_iam_policy_document" "oidc" {
  dynamic "statement" {
    for_each = local.issuers
    content {
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = ["arn:aws:iam::${local.account}:oidc-provider/${statement.value}"]
      }
    }
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.oidc.json]
}

data "aws_iam_policy_document" "conditions" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.provider_arn]
    }
    dynamic "condition" {
      for_each = var.subjects
      content {
        test     = "StringEquals"
        variable = "${var.issuer}:sub"
        values   = [condition.value]
      }
    }
  }
}

data "aws_iam_policy_document" "static" {
  statement {
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.merged.json
}
"#;
    let ex = extract(Format::Terraform, text);
    assert_eq!(ex.error, None);
    let owners: Vec<&str> = ex.policies.iter().map(|p| p.owner.as_str()).collect();
    assert_eq!(owners, ["data.aws_iam_policy_document.static"]);
}

fn trust_tf(role: &str, account: Option<&str>, sa: &str) -> String {
    let principal = account.map_or_else(
        || "${var.oidc_provider_arn}".to_owned(),
        |a| format!("arn:aws:iam::{a}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9"),
    );
    format!(
        "resource \"aws_iam_role\" \"r\" {{\n  name = \"{role}\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect = \"Allow\"\n      Action = \"sts:AssumeRoleWithWebIdentity\"\n      Principal = {{ Federated = \"{principal}\" }}\n      Condition = {{ StringEquals = {{\n        \"oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:sub\" = \"system:serviceaccount:{sa}\"\n        \"oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:aud\" = \"sts.amazonaws.com\"\n      }} }}\n    }}]\n  }})\n}}\n"
    )
}

fn sa_yaml(ns: &str, name: &str, arn: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n  annotations:\n    eks.amazonaws.com/role-arn: {arn}\n"
    )
}

/// (file, code) of the cross-file findings, and the notes, for files (path, text).
fn cross(files: &[(&str, String)]) -> (Vec<(String, &'static str)>, Vec<String>) {
    let extracted: Vec<Extracted> = files
        .iter()
        .map(|(path, text)| extract(classify(path, text).expect("classified"), text))
        .collect();
    let refs: Vec<check::FileRef<'_>> = files
        .iter()
        .zip(&extracted)
        .map(|((path, text), ex)| check::FileRef {
            path,
            text,
            extracted: ex,
        })
        .collect();
    let tree = check::cross_check(&refs, &LintContext::default());
    (
        tree.findings
            .iter()
            .map(|f| (files[f.file].0.to_owned(), f.diagnostic.code()))
            .collect(),
        tree.notes.iter().map(|(_, n)| n.clone()).collect(),
    )
}

#[test]
fn a_role_is_its_account_and_name_and_names_alone_stay_in_their_project() {
    let arn_a = "arn:aws:iam::402938475610:role/app";
    // Same name, another account: another role.
    let (found, notes) = cross(&[
        (
            "infra/main.tf",
            trust_tf("app", Some("519283746501"), "web:app"),
        ),
        ("k8s/sa.yaml", sa_yaml("payments", "app", arn_a)),
    ]);
    assert!(found.is_empty(), "{found:?}");
    assert!(notes[0].contains("another account or project"), "{notes:?}");
    // Same name and account: the same role, a mismatch at both ends.
    let (found, _) = cross(&[
        (
            "infra/main.tf",
            trust_tf("app", Some("402938475610"), "web:app"),
        ),
        ("k8s/sa.yaml", sa_yaml("payments", "app", arn_a)),
    ]);
    assert!(
        found.contains(&("infra/main.tf".to_owned(), "TP032")),
        "{found:?}"
    );
    assert!(
        found.contains(&("k8s/sa.yaml".to_owned(), "TP032")),
        "{found:?}"
    );
    // Account unknown: by name, inside one team's directory only.
    let (found, _) = cross(&[
        ("teams/a/tf/main.tf", trust_tf("app", None, "a:app")),
        ("teams/a/k8s/sa.yaml", sa_yaml("a", "app", arn_a)),
        ("teams/b/tf/main.tf", trust_tf("app", None, "b:app")),
        (
            "teams/b/k8s/sa.yaml",
            sa_yaml("b", "app", "arn:aws:iam::519283746501:role/app"),
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
    // Two same-named candidates in one project (two Terraform roots): one admits, so nothing
    // is certain; when none admits, both ends report.
    let envs = |sa: &str| {
        cross(&[
            ("envs/dev/main.tf", trust_tf("app", None, "dev:app")),
            ("envs/prod/main.tf", trust_tf("app", None, "prod:app")),
            ("k8s/sa.yaml", sa_yaml(sa, "app", arn_a)),
        ])
    };
    let (found, notes) = envs("prod");
    assert!(found.is_empty(), "{found:?}");
    assert!(
        notes[0].contains("2 same-named trust policies"),
        "{notes:?}"
    );
    let (found, _) = envs("staging");
    assert_eq!(
        found.iter().filter(|(f, _)| f == "k8s/sa.yaml").count(),
        2,
        "{found:?}"
    );
}

/// IAM role names are unique regardless of case, so `Image-Puller` in Terraform and
/// `image-puller` in an annotation are one role and are compared.
#[test]
fn role_names_that_differ_only_in_case_are_one_role() {
    let arn = "arn:aws:iam::402938475610:role/image-puller";
    let (found, notes) = cross(&[
        (
            "infra/main.tf",
            trust_tf("Image-Puller", Some("402938475610"), "web:app"),
        ),
        ("k8s/sa.yaml", sa_yaml("payments", "app", arn)),
    ]);
    assert!(
        found.contains(&("infra/main.tf".to_owned(), "TP032"))
            && found.contains(&("k8s/sa.yaml".to_owned(), "TP032")),
        "{found:?} {notes:?}"
    );
    let (found, _) = cross(&[
        (
            "infra/main.tf",
            trust_tf("Image-Puller", Some("402938475610"), "payments:app"),
        ),
        ("k8s/sa.yaml", sa_yaml("payments", "app", arn)),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_multi_line_edit_over_an_interpolation_is_refused() {
    let text = "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = <<-EOT\n    {\n      \"a\": \"${var.x}\",\n      \"b\": 2\n    }\n  EOT\n}\n";
    let ex = extract(Format::Terraform, text);
    let p = &ex.policies[0];
    let json = &p.json;
    let b = json.find("\"b\"").unwrap();
    // Literal lines only: mapped, the new line indented as the heredoc is.
    let edit = pullpass_core::diagnostic::Edit::replace(
        TextRange::new(json.find("\"b\"").unwrap() - 3, b + 3),
        "\n  \"c\"".to_owned(),
    );
    let mapped = p.map.map_edit(&edit).expect("literal lines map");
    assert_eq!(mapped.replacement, "\n      \"c\"");
    assert_eq!(&text[mapped.range.as_usize_range()], "\n      \"b\"");
    // Across the interpolation: refused.
    let a = json.find("\"a\"").unwrap();
    let edit = pullpass_core::diagnostic::Edit::replace(TextRange::new(a, b), String::new());
    assert_eq!(p.map.map_edit(&edit), None);
}

/// The CloudFormation eksctl writes for `eksctl create iamserviceaccount` (shape of eksctl's
/// `MakeAssumeRoleWithWebIdentityPolicyDocument`, rewritten with other IDs): a literal
/// provider, `Action` as a list, no `RoleName` (CloudFormation names the role, so no
/// annotation can be matched to it by name). Nothing to report.
#[test]
fn eksctl_templates_lint_clean_and_are_not_matched_by_logical_id() {
    let text = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "IAM role for serviceaccount \"tools/puller\"",
  "Resources": {
    "Role1": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Statement": [{
            "Action": ["sts:AssumeRoleWithWebIdentity"],
            "Condition": {"StringEquals": {
              "oidc.eks.eu-north-1.amazonaws.com/id/5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D:aud": "sts.amazonaws.com",
              "oidc.eks.eu-north-1.amazonaws.com/id/5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D:sub": "system:serviceaccount:tools:puller"
            }},
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::602938475610:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D"}
          }],
          "Version": "2012-10-17"
        }
      }
    }
  }
}"#;
    assert_eq!(classify("eksctl.json", text), Ok(Format::CloudFormation));
    let ex = extract(Format::CloudFormation, text);
    assert_eq!(ex.policies.len(), 1);
    assert_eq!(ex.policies[0].role_name, None);
    assert_eq!(
        check::trust_account(&ex.policies[0]),
        Some(("aws".to_owned(), "602938475610".to_owned()))
    );
    let found = check::lint_policy(&ex.policies[0], &LintContext::default());
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
}
