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
    // Helm values kept as a Terraform `templatefile` (awslabs/data-on-eks keeps its
    // aws-for-fluentbit values so): YAML only once rendered, so no false TP001.
    assert!(
        classify(
            "helm-values/fluent-bit.yaml",
            "serviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: ${irsa_arn}\n%{ if enable_ipv6 ~}\nipv6: true\n%{ endif ~}\n"
        )
        .is_err()
    );
}

/// The line checks of `classify` (a directive line, a top-level `Statement:`) find what a walk
/// over `str::lines` finds: indented directives, CRLF files, a key on the first line, and
/// neither a `%{` inside a line nor an indented `Statement:`.
#[test]
fn classification_line_checks() {
    let values = "a: 1\r\n \t%{ if x ~}\r\nb: 2\r\n";
    assert!(classify("v.yaml", values).is_err());
    let inline =
        "annotations:\n  note: \"100%{x}\"\n  namespace: a\napiVersion: v1\nkind: Namespace\n";
    assert_eq!(classify("ns.yaml", inline), Ok(Format::Kubernetes));
    let first = "Statement:\n  - Effect: Allow\n";
    assert_eq!(classify("p.yaml", first), Ok(Format::YamlPolicy));
    let crlf = "Version: '2012-10-17'\r\nStatement:\r\n  - Sid: a\r\n";
    assert_eq!(classify("p.yml", crlf), Ok(Format::YamlPolicy));
    let nested = "Policy:\n  Statement:\n    - Effect: Allow\n";
    assert!(classify("p.yaml", nested).is_err());
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

/// The extraction of each file (path, text) and the cross-file check of them all.
fn cross_checked<T: AsRef<str>>(files: &[(&str, T)]) -> (Vec<Extracted>, check::TreeContext) {
    let extracted: Vec<Extracted> = files
        .iter()
        .map(|(path, text)| {
            let text = text.as_ref();
            extract(classify(path, text).expect("classified"), text)
        })
        .collect();
    let refs: Vec<check::FileRef<'_>> = files
        .iter()
        .zip(&extracted)
        .map(|((path, text), ex)| check::FileRef {
            path,
            text: text.as_ref(),
            extracted: ex,
        })
        .collect();
    let tree = check::cross_check(&refs, &LintContext::default());
    (extracted, tree)
}

/// (file, code) of the cross-file findings, and the notes, for files (path, text).
fn cross(files: &[(&str, String)]) -> (Vec<(String, &'static str)>, Vec<String>) {
    let (_, tree) = cross_checked(files);
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

/// The codes `lint_policy` keeps for each policy of `text` read as `format`.
fn kept_codes(format: Format, text: &str) -> Vec<Vec<&'static str>> {
    let ex = extract(format, text);
    assert_eq!(ex.error, None);
    ex.policies
        .iter()
        .map(|p| {
            check::lint_policy(p, &LintContext::default())
                .diagnostics
                .iter()
                .map(|d| d.code())
                .collect()
        })
        .collect()
}

/// An exact source ARN built with `!Sub` (as AWS's own templates write it, e.g. Karpenter's
/// getting-started `cloudformation.yaml`, whose `ZonalShiftPolicy` compares
/// `arc-zonal-shift:ResourceIdentifier` with `StringEquals`) is exact once deployed: the
/// placeholders are not wildcards, so no TP028. A `*` the author wrote still is.
#[test]
fn wildcards_that_are_placeholders_are_not_tp028() {
    let cfn = |value: &str| {
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Fn:\n    Type: String\nResources:\n  Invoker:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n            Condition:\n              StringEquals:\n                aws:SourceArn: !Sub {value}\n"
        )
    };
    let exact = cfn("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}");
    assert_eq!(
        kept_codes(Format::CloudFormation, &exact),
        [Vec::<&str>::new()]
    );
    let wild = cfn("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*");
    assert_eq!(kept_codes(Format::CloudFormation, &wild), [vec!["TP028"]]);
    // A JSON policy in a `!Sub |` block, as the Karpenter template writes it.
    let block = "Resources:\n  ZonalShift:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: !Sub |\n        {\n          \"Version\": \"2012-10-17\",\n          \"Statement\": [{\"Effect\": \"Allow\", \"Resource\": \"*\",\n            \"Action\": [\"arc-zonal-shift:GetManagedResource\"],\n            \"Condition\": {\"StringEquals\": {\"arc-zonal-shift:ResourceIdentifier\": \"arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/${ClusterName}\"}}}]\n        }\n";
    assert_eq!(
        kept_codes(Format::CloudFormation, block),
        [Vec::<&str>::new()]
    );
    // Terraform interpolations alike.
    let tf = r#"resource "aws_iam_role" "invoker" {
  name = "invoker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:lambda:${var.region}:${var.account}:function:${var.fn}" } }
    }]
  })
}
"#;
    assert_eq!(kept_codes(Format::Terraform, tf), [Vec::<&str>::new()]);
    let tf_wild = tf.replace(":function:${var.fn}", ":function:*");
    assert_eq!(kept_codes(Format::Terraform, &tf_wild), [vec!["TP028"]]);
}

/// Terraform takes an object that repeats a key (the last value wins,
/// hashicorp/terraform#28727); the file is read, not reported as unreadable.
#[test]
fn an_object_that_repeats_a_key_is_read_as_terraform_reads_it() {
    let tf = r#"module "eks" {
  node_groups = {
    gpu = {
      min_size = 2
      "max_size" = 2
      enable_efa_support = true
      min_size = 4
      "max_size" = 5
    }
  }
}

resource "aws_iam_role" "puller" {
  name = "puller"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
"#;
    let ex = extract(Format::Terraform, tf);
    assert_eq!(ex.error, None);
    assert_eq!(ex.policies.len(), 1);
    let p = &ex.policies[0];
    assert_eq!(&tf[p.range.as_usize_range()][..11], "jsonencode(");
    // A real syntax error is still one.
    assert!(
        extract(Format::Terraform, "locals {\n  x = {\n    a = \n  }\n}\n")
            .error
            .is_some()
    );
}
/// The EP001/EP002 findings each policy gets alone, and those the role's other policies
/// answer (dropped), as (file, code, message), with the notes, for files (path, text).
#[allow(clippy::type_complexity)]
fn joined(
    files: &[(&str, &str)],
) -> (
    Vec<(String, &'static str, String)>,
    Vec<(String, &'static str, String)>,
    Vec<String>,
) {
    let ctx = LintContext::default();
    let (extracted, tree) = cross_checked(files);
    let row = |fi: usize, d: &pullpass_core::diagnostic::Diagnostic| {
        (files[fi].0.to_owned(), d.code(), d.message().to_owned())
    };
    let alone = extracted
        .iter()
        .enumerate()
        .flat_map(|(fi, ex)| {
            ex.policies
                .iter()
                .flat_map(|p| check::lint_policy(p, &ctx).diagnostics)
                .filter(|d| {
                    ["EP001", "EP002"].contains(&d.code())
                        && d.severity() != pullpass_core::diagnostic::Severity::Info
                })
                .map(move |d| row(fi, &d))
                .collect::<Vec<_>>()
        })
        .collect();
    (
        alone,
        tree.dropped
            .iter()
            .map(|f| row(f.file, &f.diagnostic))
            .collect(),
        tree.notes.iter().map(|(_, n)| n.clone()).collect(),
    )
}

/// An EC2 node role as terraform-aws-modules/eks's node groups build it (other names): the
/// trust policy, a push policy of its own, and AWS's managed read-only ECR
/// policy attached by ARN with the partition computed. `EXTRA` is replaced by more resources.
const TF_NODE: &str = r#"resource "aws_iam_role" "node" {
  name = "eks-node"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "cache" {
  name = "image-push"
  role = aws_iam_role.node.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["ecr:BatchCheckLayerAvailability", "ecr:PutImage"], Resource = "*" }]
  })
}

resource "aws_iam_role_policy_attachment" "ecr" {
  role       = aws_iam_role.node.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}
EXTRA"#;

/// IAM allows a role what any of its identity policies allows: the node role's push policy
/// (which checks layers, so it is judged as a pulling policy) misses nothing while the managed
/// read-only policy is attached beside it.
#[test]
fn a_roles_attached_managed_policy_answers_ep001_and_ep002_of_its_inline_policy() {
    let tf = TF_NODE.replace("EXTRA", "");
    let (alone, dropped, notes) = joined(&[("infra/node.tf", &tf)]);
    assert_eq!(alone.len(), 3, "{alone:?}"); // EP001, EP002 for both pull actions.
    assert_eq!(dropped, alone);
    assert!(
        notes.contains(
            &"line 12: EP001 on aws_iam_role_policy.cache dropped: `ecr:GetAuthorizationToken` granted by AmazonEC2ContainerRegistryReadOnly attached to aws_iam_role.node"
                .to_owned()
        ),
        "{notes:?}"
    );
    // terraform-aws-modules' prefix, `${local.iam_role_policy_prefix}/NAME`, names it too.
    let prefixed = tf.replace(
        "arn:${data.aws_partition.current.partition}:iam::aws:policy",
        "${local.iam_role_policy_prefix}",
    );
    assert_eq!(joined(&[("infra/node.tf", &prefixed)]).1.len(), 3);
    // A customer managed policy of the same name is not AWS's.
    let customer = tf.replace(
        "arn:${data.aws_partition.current.partition}:iam::aws:policy",
        "arn:aws:iam::402938475610:policy",
    );
    assert!(joined(&[("infra/node.tf", &customer)]).1.is_empty());
}

/// A Deny in any policy of the role keeps the finding of what it denies, and only that.
#[test]
fn a_deny_in_another_policy_of_the_role_keeps_the_finding() {
    let tf = TF_NODE.replace(
        "EXTRA",
        r#"
resource "aws_iam_role_policy" "guard" {
  name = "no-tokens"
  role = aws_iam_role.node.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "ecr:GetAuthorizationToken", Resource = "*" }]
  })
}
"#,
    );
    let (alone, dropped, _) = joined(&[("infra/node.tf", &tf)]);
    assert!(
        alone.iter().any(|(_, code, _)| *code == "EP001"),
        "{alone:?}"
    );
    assert_eq!(dropped.len(), 2, "{dropped:?}");
    assert!(
        dropped.iter().all(|(_, code, _)| *code == "EP002"),
        "{dropped:?}"
    );
}

/// A grant that cannot be proved here leaves the finding: a policy ARN from a variable, an
/// attachment in another module (directory), a role outside the module that shares the
/// policy.
#[test]
fn an_unprovable_grant_keeps_the_finding() {
    let from_var = TF_NODE.replace("EXTRA", "").replace(
        "\"arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly\"",
        "var.ecr_policy_arn",
    );
    let (alone, dropped, _) = joined(&[("infra/node.tf", &from_var)]);
    assert_eq!(alone.len(), 3, "{alone:?}");
    assert!(dropped.is_empty(), "{dropped:?}");
    // The attachment in another directory: another module, another `aws_iam_role.node`.
    let (main, attachment) = TF_NODE
        .replace("EXTRA", "")
        .split_once("resource \"aws_iam_role_policy_attachment\"")
        .map(|(a, b)| {
            (
                a.to_owned(),
                format!("resource \"aws_iam_role_policy_attachment\"{b}"),
            )
        })
        .unwrap();
    let (_, dropped, _) = joined(&[("infra/node.tf", &main), ("other/ecr.tf", &attachment)]);
    assert!(dropped.is_empty(), "{dropped:?}");
    let (_, dropped, _) = joined(&[("infra/node.tf", &main), ("infra/ecr.tf", &attachment)]);
    assert_eq!(dropped.len(), 3, "{dropped:?}");
}

/// A policy attached to two roles loses a finding only when both roles are granted it;
/// one also attached to a role the module takes as a variable keeps it.
#[test]
fn a_policy_of_two_roles_needs_the_grant_in_both() {
    let shared = |extra: &str| {
        format!(
            r#"resource "aws_iam_policy" "cache" {{
  name   = "image-push"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["ecr:BatchCheckLayerAvailability", "ecr:PutImage"], Resource = "*" }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "node_cache" {{
  role       = aws_iam_role.node.name
  policy_arn = aws_iam_policy.cache.arn
}}

resource "aws_iam_role_policy_attachment" "node_ecr" {{
  role       = aws_iam_role.node.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
}}

resource "aws_iam_policy_attachment" "builder_cache" {{
  name       = "builder-cache"
  roles      = [aws_iam_role.builder.name]
  policy_arn = aws_iam_policy.cache.arn
}}
{extra}"#
        )
    };
    let (alone, dropped, _) = joined(&[("infra/iam.tf", &shared(""))]);
    assert_eq!(alone.len(), 3, "{alone:?}");
    assert!(dropped.is_empty(), "{dropped:?}");
    let both = shared(
        r#"
resource "aws_iam_role_policy_attachment" "builder_ecr" {
  role       = aws_iam_role.builder.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}
"#,
    );
    let (alone, dropped, notes) = joined(&[("infra/iam.tf", &both)]);
    assert_eq!(dropped, alone);
    assert!(
        notes.iter().any(|n| n.ends_with(
            "granted by AmazonEC2ContainerRegistryReadOnly attached to aws_iam_role.builder, AmazonEC2ContainerRegistryPullOnly attached to aws_iam_role.node"
        )),
        "{notes:?}"
    );
    // Also attached to a role the module is given: its grants are not known here.
    let outside = both.replace(
        "roles      = [aws_iam_role.builder.name]",
        "roles      = [aws_iam_role.builder.name, var.extra_role_name]",
    );
    assert!(joined(&[("infra/iam.tf", &outside)]).1.is_empty());
}

/// A CloudFormation node role (the shape of aws-cloudformation-templates' EKS/template.yaml,
/// other names): inline policies and `ManagedPolicyArns` with `!Sub arn:${AWS::Partition}…`,
/// and an `AWS::IAM::Policy` that names the role in `Roles: [!Ref …]`.
#[test]
fn cloudformation_roles_join_inline_managed_and_standalone_policies() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  NodeRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly
      Policies:
        - PolicyName: image-push
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - ecr:BatchCheckLayerAvailability
                  - ecr:PutImage
                Resource: "*"
"#;
    let (alone, dropped, notes) = joined(&[("stack/node.yaml", template)]);
    assert_eq!(alone.len(), 3, "{alone:?}");
    assert_eq!(dropped, alone);
    assert!(
        notes.iter().all(
            |n| n.contains("on Resources.NodeRole inline policy image-push dropped")
                && n.ends_with(
                    "granted by AmazonEC2ContainerRegistryReadOnly attached to Resources.NodeRole"
                )
        ),
        "{notes:?}"
    );
    // A push role whose pull permissions come from an `AWS::IAM::Policy` naming it.
    let push = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  CiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: codebuild.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: push
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - ecr:PutImage
                  - ecr:InitiateLayerUpload
                  - ecr:UploadLayerPart
                  - ecr:CompleteLayerUpload
                  - ecr:BatchCheckLayerAvailability
                Resource: !Sub arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/app
  PullPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: pull
      Roles:
        - !Ref CiRole
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ecr:GetAuthorizationToken
            Resource: "*"
          - Effect: Allow
            Action:
              - ecr:BatchGetImage
              - ecr:GetDownloadUrlForLayer
            Resource: !Sub arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/app
"#;
    let (alone, dropped, notes) = joined(&[("stack/ci.yaml", push)]);
    assert_eq!(alone.len(), 3, "{alone:?}");
    assert_eq!(dropped, alone);
    assert!(
        notes
            .iter()
            .all(|n| n.ends_with("attached to Resources.CiRole")
                && n.contains("granted by Resources.PullPolicy (AWS::IAM::Policy)")),
        "{notes:?}"
    );
    // The cache policy standalone, on the node role: joined; on a role the stack is given
    // by a parameter as well: that role's grants are not known.
    let (role, _) = template.split_once("      Policies:").unwrap();
    let standalone = format!(
        r#"{role}  CachePolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: image-push
      Roles:
        - !Ref NodeRole
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action:
              - ecr:BatchCheckLayerAvailability
              - ecr:PutImage
            Resource: "*"
"#
    );
    let (alone, dropped, _) = joined(&[("stack/node.yaml", &standalone)]);
    assert_eq!(alone.len(), 3, "{alone:?}");
    assert_eq!(dropped, alone);
    let param = standalone.replace(
        "        - !Ref NodeRole\n",
        "        - !Ref NodeRole\n        - !Ref OtherRoleName\n",
    );
    assert!(joined(&[("stack/node.yaml", &param)]).1.is_empty());
}

/// terraform-aws-modules/eks attaches a node group's `iam_role_additional_policies` to the
/// role it creates for the group: the shape of aws-ia/terraform-aws-eks-blueprints'
/// `patterns/ecr-pull-through-cache/eks.tf` (other names; a push policy where the pattern's
/// pull-through-cache policy, which no longer counts as a pulling policy, is), beside the
/// managed read-only policy in that map.
#[test]
fn eks_module_node_groups_join_their_additional_policies() {
    let tf = |extra: &str| {
        format!(
            r#"module "eks" {{
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.20"

  eks_managed_node_groups = {{
    general = {{
      instance_types = ["m6i.large"]
      iam_role_additional_policies = {{
        {extra}
        cache = aws_iam_policy.cache.arn
      }}
    }}
  }}
}}

resource "aws_iam_policy" "cache" {{
  name = "ecr-pull-through-cache"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:TagResource"], Resource = "*" }}]
  }})
}}
"#
        )
    };
    let with = tf(
        r#"AmazonEC2ContainerRegistryReadOnly = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly""#,
    );
    let (alone, dropped, notes) = joined(&[("patterns/cache/eks.tf", &with)]);
    assert_eq!(alone.len(), 3, "{alone:?}");
    assert_eq!(dropped, alone);
    assert!(
        notes.iter().all(|n| n.ends_with(
            "granted by AmazonEC2ContainerRegistryReadOnly attached to module.eks eks_managed_node_groups.general"
        )),
        "{notes:?}"
    );
    // Without it in the map, what the module attaches by itself is not assumed.
    let (_, dropped, _) = joined(&[("patterns/cache/eks.tf", &tf(""))]);
    assert!(dropped.is_empty(), "{dropped:?}");
    // Another source: not this module's inputs.
    let other = with.replace("terraform-aws-modules/eks/aws", "./modules/eks");
    assert!(joined(&[("patterns/cache/eks.tf", &other)]).1.is_empty());
}

/// A policy kept as a YAML file, the way templates write policies and build steps inline
/// them (aws-samples/eks-workshop-v2 keeps its IDE role's policies in `lab/iam/policies/*.yaml`
/// and inlines them with `yq load`): read, its kind detected, findings on its own lines.
#[test]
fn yaml_policy_files_are_read_with_their_kind_detected() {
    let text = "Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Principal:\n      Federated: arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E\n    Action: sts:AssumeRoleWithWebIdentity\n    Condition:\n      StringEquals:\n        oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub: system:serviceaccount:coder:*\n";
    assert_eq!(classify("iam/trust.yaml", text), Ok(Format::YamlPolicy));
    let ex = extract(Format::YamlPolicy, text);
    assert_eq!(ex.error, None);
    let [p] = ex.policies.as_slice() else {
        panic!("{:#?}", ex.policies)
    };
    let out = check::lint_policy(p, &LintContext::default());
    assert_eq!(out.kind, Some(PolicyKind::Trust));
    let tp028: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code() == "TP028")
        .collect();
    assert_eq!(tp028.len(), 1, "{:#?}", out.diagnostics);
    let at = tp028[0].range().expect("a range");
    let line = text[..at.start as usize].matches('\n').count() + 1;
    assert_eq!(line, 9);
    // A manifest, a values file and a template are not policies.
    assert_ne!(
        classify(
            "k8s/sa.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n"
        ),
        Ok(Format::YamlPolicy)
    );
    assert_eq!(
        classify(
            "t.yaml",
            &format!("AWSTemplateFormatVersion: \"2010-09-09\"\n{text}")
        ),
        Ok(Format::CloudFormation)
    );
}

/// A template's document that CloudFormation resolves at deploy time (`Fn::If`) or that a
/// build step fills in (`file: ./policy.yaml`) is not linted, and `--verbose` says why; a
/// document that only misspells its elements is still linted.
#[test]
fn documents_resolved_or_included_later_are_not_linted() {
    let template = |doc: &str| {
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nConditions:\n  Prod: !Equals [a, a]\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n{doc}"
        )
    };
    for doc in [
        "        file: ./iam/policies/base.yaml\n",
        "        Fn::If: [Prod, {Version: \"2012-10-17\", Statement: []}, !Ref AWS::NoValue]\n",
    ] {
        let ex = extract(Format::CloudFormation, &template(doc));
        assert_eq!(ex.error, None);
        assert!(ex.policies.is_empty(), "{doc}: {:#?}", ex.policies);
        assert_eq!(ex.not_linted.len(), 1, "{doc}");
        assert_eq!(
            ex.not_linted[0].owner,
            "Resources.P (AWS::IAM::ManagedPolicy)"
        );
    }
    let misspelt = template(
        "        Statment: [{Effect: Allow, Action: \"s3:GetObject\", Resource: \"*\"}]\n",
    );
    let codes = &kept_codes(Format::CloudFormation, &misspelt)[0];
    assert!(codes.contains(&"TP003"), "{codes:?}");
}
