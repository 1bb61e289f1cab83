//! `pullpass lint DIR` over a repository: policies in Terraform, CloudFormation, Kubernetes
//! manifests and Helm values (`tests/fixtures/repo`), the walk (`.gitignore`, skipped files),
//! the cross-file service-account check, positions in text/SARIF/GitHub output, suppressions,
//! `--fix` on source text, bad input, and output order independent of the thread count.

use std::path::Path;

use crate::lint::{assert_valid, sarif_validator};
use crate::support::{fixtures, pullpass, run};

fn lint_repo(args: &[&str]) -> crate::support::Output {
    run(
        pullpass()
            .current_dir(fixtures("repo"))
            .arg("lint")
            .args(args),
        None,
    )
}

#[test]
fn repository_text_report() {
    let _snapshots = crate::support::snapshot_lock();
    let out = lint_repo(&["."]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!("repo-text", out.stdout);
}

#[test]
fn repository_sarif_points_at_source_lines() {
    let _snapshots = crate::support::snapshot_lock();
    let out = lint_repo(&["--format", "sarif", "."]);
    let log: serde_json::Value = serde_json::from_str(&out.stdout).expect("SARIF is JSON");
    assert_valid(&sarif_validator(), &log, "repo");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let locate = |uri: &str, rule: &str| {
        results
            .iter()
            .filter(|r| r["ruleId"] == rule)
            .filter_map(|r| {
                let loc = &r["locations"][0]["physicalLocation"];
                (loc["artifactLocation"]["uri"] == uri)
                    .then(|| loc["region"]["startLine"].as_u64().expect("line"))
            })
            .collect::<Vec<_>>()
    };
    // jsonencode in main.tf: the wildcard `sub` under StringEquals, on its own line.
    assert_eq!(locate("terraform/irsa/main.tf", "TP028"), [67]);
    // Inside a `!Sub |` JSON block: the line of the literal mistake.
    assert_eq!(locate("cloudformation/sub-json.yaml", "TP028"), [22]);
    // Both ends of the service-account mismatch.
    assert_eq!(locate("k8s/service-accounts.yaml", "TP032"), [20]);
    // The heredoc's provider is computed, its `sub` literal: the root and the `sub` value.
    assert_eq!(locate("terraform/irsa/main.tf", "TP032"), [78, 87]);
    insta::assert_snapshot!("repo-sarif", out.stdout);
}

#[test]
fn repository_github_annotations() {
    let _snapshots = crate::support::snapshot_lock();
    let out = lint_repo(&["--format", "github", "."]);
    assert!(
        out.stdout
            .contains("::error file=terraform/irsa/main.tf,line=67,"),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!("repo-github", out.stdout);
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    // Every format: the walk runs on every core and the output is streamed file by file,
    // with the files of the cross-file pass written into their places at the end.
    for format in ["json", "text", "sarif", "github"] {
        let with = |threads: &str| {
            let out = run(
                pullpass()
                    .current_dir(fixtures("repo"))
                    .env("RAYON_NUM_THREADS", threads)
                    .args(["-v", "lint", "--format", format, "."]),
                None,
            );
            (out.stdout, out.stderr)
        };
        let one = with("1");
        assert!(one.0.contains("TP032"), "{format}: {}", one.0);
        for threads in ["2", "8"] {
            assert_eq!(with(threads), one, "{format}, {threads} threads");
        }
    }
}

#[test]
fn verbose_lists_what_the_walk_skipped() {
    let out = run(
        pullpass()
            .current_dir(fixtures("repo"))
            .args(["-v", "lint", "."]),
        None,
    );
    assert!(
        out.stdout.contains("docs/package.json: skipped ("),
        "{}",
        out.stdout
    );
    // Named explicitly, the same file is an error, not a skip.
    let named = lint_repo(&["docs/package.json"]);
    assert_eq!(named.code, 1, "{}", named.stdout);
    assert!(named.stdout.contains("TP002"), "{}", named.stdout);
}

/// A document whose statements Terraform computes (the shape of terraform-aws-modules/iam
/// `iam-role-for-service-accounts-eks`: one `dynamic "statement"` per OIDC provider, rewritten
/// with other names) is not linted, and `--verbose` says so and where.
#[test]
fn verbose_names_computed_documents_it_does_not_lint() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "main.tf",
        r#"data "aws_iam_policy_document" "assume" {
  dynamic "statement" {
    for_each = var.oidc_providers
    content {
      effect  = "Allow"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = [statement.value.provider_arn]
      }
      condition {
        test     = "StringEquals"
        variable = "${replace(statement.value.provider_arn, "/^(.*provider/)/", "")}:sub"
        values   = [for sa in statement.value.service_accounts : "system:serviceaccount:${sa}"]
      }
    }
  }
}

resource "aws_iam_role" "puller" {
  name               = "image-puller"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
"#,
    );
    let out = run(
        pullpass().current_dir(tmp.path()).args(["-v", "lint", "."]),
        None,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(
            "main.tf: line 1: data.aws_iam_policy_document.assume not linted: its statements are computed by Terraform"
        ),
        "{}",
        out.stdout
    );
}

/// IAM allows a role what any of its identity policies allows
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
/// an EKS node role's push policy (Terraform in the shape of
/// terraform-aws-modules/eks, CloudFormation in the shape of aws-cloudformation-templates'
/// EKS template) lacks the pull actions that `AmazonEC2ContainerRegistryReadOnly`, attached
/// beside it (in another `.tf` file of the module; by `!Sub` ARN), grants. Linted alone the
/// policy gets EP001/EP002; in the repository walk they are gone, and `--verbose` names the
/// grant.
#[test]
fn a_roles_other_policies_answer_ep001_and_ep002() {
    let lint = |args: &[&str]| {
        run(
            pullpass()
                .current_dir(fixtures("roles"))
                .arg("lint")
                .args(args),
            None,
        )
    };
    // Named alone, `main.tf` is a module without `ecr.tf`: the findings stand. (The template
    // holds the role and its managed policy ARN itself: it is joined even when named alone.)
    let alone = lint(&["terraform/main.tf", "cloudformation/node-role.yaml"]);
    assert_eq!(alone.code, 1, "{}{}", alone.stdout, alone.stderr);
    for (code, n) in [("error[EP001]", 1), ("warning[EP002]", 2)] {
        assert_eq!(alone.stdout.matches(code).count(), n, "{}", alone.stdout);
    }
    assert!(
        !alone
            .stdout
            .contains("(in Resources.NodeRole inline policy"),
        "{}",
        alone.stdout
    );
    let walk = lint(&["-v", "."]);
    assert_eq!(walk.code, 0, "{}{}", walk.stdout, walk.stderr);
    assert!(!walk.stdout.contains("EP00"), "{}", walk.stdout);
    for note in [
        "terraform/main.tf: line 23: EP001 on aws_iam_role_policy.pull_through_cache dropped: `ecr:GetAuthorizationToken` granted by AmazonEC2ContainerRegistryReadOnly attached to aws_iam_role.node",
        "terraform/main.tf: line 23: EP002 on aws_iam_role_policy.pull_through_cache dropped: `ecr:BatchGetImage` granted by AmazonEC2ContainerRegistryReadOnly attached to aws_iam_role.node",
        "cloudformation/node-role.yaml: line 23: EP001 on Resources.NodeRole inline policy image-push dropped: `ecr:GetAuthorizationToken` granted by AmazonEC2ContainerRegistryReadOnly attached to Resources.NodeRole",
        "cloudformation/node-role.yaml: line 23: EP002 on Resources.NodeRole inline policy image-push dropped: `ecr:GetDownloadUrlForLayer` granted by AmazonEC2ContainerRegistryReadOnly attached to Resources.NodeRole",
    ] {
        assert!(walk.stderr.contains(note), "{note}\n{}", walk.stderr);
    }
    // Without `-v` the walk says nothing of it.
    let quiet = lint(&["."]);
    assert!(!quiet.stderr.contains("dropped"), "{}", quiet.stderr);
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn gitignore_is_honoured() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), ".gitignore", "generated/\n");
    write(tmp.path(), "generated/bad.json", "{\"Statement\": 1");
    write(
        tmp.path(),
        "good.json",
        &std::fs::read_to_string(fixtures("trust/valid/eksctl-irsa.json")).unwrap(),
    );
    let out = run(pullpass().current_dir(tmp.path()).args(["lint", "."]), None);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("bad.json"), "{}", out.stdout);
}

#[test]
fn unreadable_sources_get_one_finding_with_a_position() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "broken.tf",
        "resource \"aws_iam_role\" \"x\" {\n  name = \n}\n",
    );
    write(
        tmp.path(),
        "broken-cfn.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R: [a, b\n",
    );
    // Alias expansion ("billion laughs") in a template.
    let mut laughs = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for (name, prev) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
    ] {
        laughs.push_str(&format!("  {name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    write(tmp.path(), "laughs.yaml", &laughs);
    // Deep nesting in HCL, and a 10 MB Terraform file.
    write(
        tmp.path(),
        "deep.tf",
        &format!(
            "locals {{\n  x = {}1{}\n}}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    );
    write(
        tmp.path(),
        "huge.tf",
        &format!("# {}\n", "x".repeat(10 * 1024 * 1024)),
    );
    let out = run(
        pullpass()
            .current_dir(tmp.path())
            .args(["lint", "--format", "json", "."]),
        None,
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    for file in [
        "broken.tf",
        "broken-cfn.yaml",
        "laughs.yaml",
        "deep.tf",
        "huge.tf",
    ] {
        let mine: Vec<_> = findings.iter().filter(|f| f["file"] == file).collect();
        assert_eq!(mine.len(), 1, "{file}: {mine:#?}");
        assert_eq!(mine[0]["code"], "TP001", "{file}");
    }
}

/// A manifest pullpass reads only for the namespace it names (no `ServiceAccount`, no role
/// annotation) is skipped when its YAML is not readable, not reported: Kubernetes' YAML reader
/// (go-yaml, libyaml's rules) takes a flow sequence closed at its key's indentation, as
/// awslabs/data-on-eks writes a Karpenter `NodePool`, which a strict YAML 1.2 reader refuses.
/// An unreadable `ServiceAccount` manifest is still a finding.
#[test]
fn unreadable_manifests_read_only_for_a_namespace_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "nodepool.yaml",
        "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: local-nvme\n  namespace: karpenter\nspec:\n  template:\n    spec:\n      requirements:\n        - key: karpenter.k8s.aws/instance-family\n          operator: In\n          values: [\n            \"c5d\", \"m5d\"\n          ]\n",
    );
    write(
        tmp.path(),
        "sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: puller\n  annotations:\n    eks.amazonaws.com/role-arn: [arn\n",
    );
    let out = run(
        pullpass()
            .current_dir(tmp.path())
            .args(["-v", "lint", "--format", "json", "."]),
        None,
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let files: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(files, [("sa.yaml", "TP001")], "{}", out.stdout);
    assert!(
        out.stderr.contains("nodepool.yaml") && out.stderr.contains("read only for a namespace"),
        "{}",
        out.stderr
    );
}

/// Files over the 1 MiB read limit met in a walk: a `package-lock.json` and a bundle of
/// Kubernetes manifests (cert-manager's release manifest, vendored in
/// kubernetes-sigs/aws-load-balancer-controller, is 1.4 MB) hold nothing pullpass lints and
/// are skipped with the reason; a file that is a policy or a source pullpass reads stays a
/// TP001 finding in its own words (a manifest with a role annotation, a huge policy).
#[test]
fn files_over_the_read_limit_are_classified_before_they_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let mut lock =
        String::from("{\n  \"name\": \"web\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n");
    for i in 0..12_000 {
        lock.push_str(&format!("    \"node_modules/p{i}\": {{\"version\": \"1.0.0\", \"integrity\": \"sha512-{}\"}},\n", "a".repeat(64)));
    }
    lock.push_str("    \"\": {}\n  }\n}\n");
    write(tmp.path(), "package-lock.json", &lock);
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: certificates.cert-manager.io\n  namespace: cert-manager\n";
    let service_account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: cert-manager\n  namespace: cert-manager\n";
    let filler = format!("# {}\n", "x".repeat(100)).repeat(12_000);
    write(
        tmp.path(),
        "vendor/cert-manager.yaml",
        &format!("{crd}---\n{service_account}{filler}"),
    );
    write(
        tmp.path(),
        "k8s/bundle.yaml",
        &format!(
            "{service_account}  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/puller\n{filler}"
        ),
    );
    let statement = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#;
    write(
        tmp.path(),
        "policies/huge.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            vec![statement; 20_000].join(", ")
        ),
    );
    let out = run(
        pullpass()
            .current_dir(tmp.path())
            .args(["-v", "lint", "--format", "json", "."]),
        None,
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap(),
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!((found[0].0, found[0].1), ("k8s/bundle.yaml", "TP001"));
    assert!(found[0].2.starts_with("the file is "), "{}", found[0].2);
    assert_eq!((found[1].0, found[1].1), ("policies/huge.json", "TP001"));
    assert!(
        found[1].2.contains("far over any IAM policy"),
        "{}",
        found[1].2
    );
    for (file, why) in [
        (
            "package-lock.json",
            "a JSON object without `Version` or `Statement`",
        ),
        (
            "vendor/cert-manager.yaml",
            "without an IRSA role annotation",
        ),
    ] {
        assert!(
            out.stderr.contains(&format!("{file}: skipped (")) && out.stderr.contains(why),
            "{file}: {}",
            out.stderr
        );
    }
}

#[test]
fn suppressions_drop_findings_and_unused_ones_warn() {
    let tmp = tempfile::tempdir().unwrap();
    let tf = std::fs::read_to_string(fixtures("repo/terraform/irsa/main.tf")).unwrap();
    let tf = tf.replace(
        "          \"oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:sub\" = \"system:serviceaccount:ci:*\"",
        "          # pullpass: ignore[TP028] the CI namespace only holds runners\n          \"oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:sub\" = \"system:serviceaccount:ci:*\"",
    );
    let tf = tf.replace(
        "resource \"aws_iam_role\" \"reporter\" {",
        "# pullpass: ignore[TP004] nothing here\nresource \"aws_iam_role\" \"reporter\" {",
    );
    write(tmp.path(), "main.tf", &tf);
    let out = run(
        pullpass().current_dir(tmp.path()).args(["lint", "main.tf"]),
        None,
    );
    assert!(!out.stdout.contains("TP028"), "{}", out.stdout);
    assert!(out.stdout.contains("TP024"), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("main.tf:76: unused suppression `pullpass: ignore[TP004]`"),
        "{}",
        out.stderr
    );
}

#[test]
fn fix_rewrites_literal_source_text_only() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["terraform/irsa/main.tf", "cloudformation/policy.json"] {
        let text = std::fs::read_to_string(fixtures(&format!("repo/{name}"))).unwrap();
        write(
            tmp.path(),
            Path::new(name).file_name().unwrap().to_str().unwrap(),
            &text,
        );
    }
    let fix = |extra: &[&str]| {
        run(
            pullpass()
                .current_dir(tmp.path())
                .args(["lint", "--fix"])
                .args(extra)
                .args(["main.tf", "policy.json"]),
            None,
        )
    };
    // Safe fixes only: `"allow"` → `"Allow"` in the template; TP028's fix is unsafe.
    let out = fix(&[]);
    assert!(
        out.stdout.contains("policy.json: applied 1 safe fix(es)"),
        "{}",
        out.stdout
    );
    let cfn = std::fs::read_to_string(tmp.path().join("policy.json")).unwrap();
    assert!(cfn.contains("\"Effect\": \"Allow\""), "{cfn}");
    assert!(out.stdout.contains("TP028"), "{}", out.stdout);
    // With --unsafe-fixes, the HCL key is rewritten in place (a quoted key is valid HCL).
    let out = fix(&["--unsafe-fixes"]);
    let tf = std::fs::read_to_string(tmp.path().join("main.tf")).unwrap();
    assert!(tf.contains("        \"StringLike\" = {\n"), "{tf}");
    assert!(!out.stdout.contains("TP028"), "{}", out.stdout);
}

#[test]
fn lint_table_and_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let tf = std::fs::read_to_string(fixtures("repo/terraform/irsa/main.tf")).unwrap();
    write(tmp.path(), "infra/main.tf", &tf);
    write(
        tmp.path(),
        "config.toml",
        "[lint]\nignore = [\"EP\"]\nseverity = { TP024 = \"warning\" }\n\n[lint.per_path_ignores]\n\"infra/*\" = [\"TP032\"]\n",
    );
    let lint = |args: &[&str]| {
        run(
            pullpass()
                .current_dir(tmp.path())
                .env("PULLPASS_CONFIG", tmp.path().join("config.toml"))
                .arg("lint")
                .args(args),
            None,
        )
    };
    let out = lint(&["--format", "json", "."]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let codes: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [("TP024", "warning"), ("TP028", "error")],
        "{}",
        out.stdout
    );
    // Adopt: record what is there, then only new findings count.
    let wrote = lint(&["--write-baseline", "baseline.json", "."]);
    assert_eq!(wrote.code, 0, "{}", wrote.stderr);
    assert!(
        wrote.stdout.contains("wrote 2 finding(s)"),
        "{}",
        wrote.stdout
    );
    let clean = lint(&["--baseline", "baseline.json", "."]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    write(
        tmp.path(),
        "infra/main.tf",
        &tf.replace(
            "Action = \"sts:AssumeRoleWithWebIdentity\"",
            "Action = \"sts:AssumeRole\"",
        ),
    );
    let new = lint(&["--baseline", "baseline.json", "."]);
    assert_eq!(new.code, 1, "{}", new.stdout);
}

/// `.tools` (or `$PULLPASS_TOOLS_DIR`), where `cargo xtask setup` installs the peers.
fn tools() -> std::path::PathBuf {
    std::env::var_os("PULLPASS_TOOLS_DIR")
        .map_or_else(|| crate::support::root().join(".tools"), Into::into)
}

#[test]
fn github_action_runs_its_lint_step_on_a_repository() {
    let root = crate::support::root();
    let action = std::fs::read_to_string(root.join("action.yml")).unwrap();
    let doc = pullpass_core::doctor::yaml::parse_one(&action).expect("action.yml is YAML");
    let steps = doc
        .path(&["runs", "steps"])
        .and_then(|s| s.as_seq())
        .expect("steps");
    let install = steps[0]
        .get("run")
        .and_then(|r| r.as_str())
        .expect("install step");
    assert!(
        install.contains("--path \"$GITHUB_ACTION_PATH/crates/pullpass-cli\""),
        "{install}"
    );
    assert!(root.join("crates/pullpass-cli/Cargo.toml").exists());
    let lint = steps[1]
        .get("run")
        .and_then(|r| r.as_str())
        .expect("lint step");
    // The Lint step as the runner runs it, with the binary the install step builds.
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("pullpass/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(crate::support::pullpass_path(), bin.join("pullpass")).unwrap();
    let step = |format: &str| {
        run(
            std::process::Command::new("bash")
                .args(["-e", "-c", lint])
                .current_dir(fixtures("repo"))
                .env("NO_COLOR", "1")
                .env_remove("PULLPASS_CONFIG")
                .env("RUNNER_TEMP", tmp.path())
                .env("PULLPASS_PATH", ".")
                .env("PULLPASS_FORMAT", format)
                .env("PULLPASS_SARIF", tmp.path().join("out.sarif"))
                .env("PULLPASS_ARGS", "--deny-warnings"),
            None,
        )
    };
    let github = step("github");
    assert_eq!(github.code, 1, "{}", github.stderr);
    assert!(
        github
            .stdout
            .contains("::error file=terraform/irsa/main.tf,line=67,"),
        "{}",
        github.stdout
    );
    let sarif = step("sarif");
    assert_eq!(sarif.code, 1, "{}", sarif.stderr);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_valid(&sarif_validator(), &log, "action SARIF");
}

#[test]
fn pre_commit_hook_runs_through_pre_commit() {
    let pre_commit = tools().join("venv-lint-peers/bin/pre-commit");
    assert!(
        pre_commit.exists(),
        "pre-commit is missing at {}; run `cargo xtask setup`",
        pre_commit.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    write(
        &repo,
        "infra/main.tf",
        &std::fs::read_to_string(fixtures("repo/terraform/irsa/main.tf")).unwrap(),
    );
    write(
        &repo,
        "web/package.json",
        "{\"name\": \"site\", \"private\": true}\n",
    );
    let git = |args: &[&str]| {
        let out = run(
            std::process::Command::new("git")
                .current_dir(&repo)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
                .args(args),
            None,
        );
        assert_eq!(out.code, 0, "git {args:?}: {}", out.stderr);
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    let bin_dir = crate::support::pullpass_path().parent().unwrap().to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = run(
        std::process::Command::new(&pre_commit)
            .current_dir(&repo)
            .env("PATH", path)
            .env("NO_COLOR", "1")
            .env("PRE_COMMIT_HOME", tmp.path().join("cache"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("PULLPASS_CONFIG")
            .args(["try-repo", crate::support::root().to_str().unwrap()])
            .args(["pullpass-lint-system", "--all-files", "--color", "never"]),
        None,
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("pullpass lint (pullpass on PATH)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("TP028"), "{}", out.stdout);
    // The hook names every staged .json; one that is no policy is skipped, not an error.
    assert!(!out.stdout.contains("package.json"), "{}", out.stdout);
}

/// cfn-lint (PyPI, `.tools/venv-lint-peers`) holds the CloudFormation fixtures to real
/// CloudFormation: every template passes, except `policy.json`, whose `"Effect": "allow"` is
/// the mistake it is there for, which cfn-lint (E3510) and pullpass (TP007) both put on line 12.
#[test]
fn cfn_lint_accepts_the_cloudformation_fixtures() {
    let cfn_lint = tools().join("venv-lint-peers/bin/cfn-lint");
    assert!(
        cfn_lint.exists(),
        "cfn-lint is missing at {}; run `cargo xtask setup`",
        cfn_lint.display()
    );
    let dir = fixtures("repo/cloudformation");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    names.push("../../monorepo/teams/search/cloudformation/irsa.yaml".to_owned());
    names.push("../../roles/cloudformation/node-role.yaml".to_owned());
    for name in &names {
        let out = run(
            std::process::Command::new(&cfn_lint)
                .current_dir(&dir)
                .args(["--format", "parseable", name]),
            None,
        );
        if name == "policy.json" {
            assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
            assert!(out.stdout.contains("policy.json:12:"), "{}", out.stdout);
            assert!(out.stdout.contains("E3510"), "{}", out.stdout);
            let ours = lint_repo(&["--format", "github", "cloudformation/policy.json"]);
            assert!(
                ours.stdout
                    .contains("line=12,col=25,endLine=12,endColumn=32,title=TP007"),
                "{}",
                ours.stdout
            );
        } else {
            assert_eq!(out.code, 0, "{name}: {}{}", out.stdout, out.stderr);
        }
    }
}

/// A cross-file finding (TP032: the service account's role does not admit it) is suppressed
/// by a comment at the end it is reported at; that comment is then used, not "unused"; the
/// other end still reports. The trust policy comes from a `data` block in a sibling `.tf`
/// file (Terraform's module = the directory).
#[test]
fn cross_file_findings_are_suppressed_at_their_end_and_data_documents_resolve_across_files() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["data.tf", "main.tf"] {
        write(
            tmp.path(),
            &format!("tf/{name}"),
            &std::fs::read_to_string(fixtures(&format!("repo/terraform/split/{name}"))).unwrap(),
        );
    }
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: log-shipper\n  namespace: logs\n  annotations:\n    SUPPRESS\n    eks.amazonaws.com/role-arn: arn:aws:iam::210987654321:role/log-shipper\n";
    write(tmp.path(), "k8s/sa.yaml", &sa.replace("    SUPPRESS\n", ""));
    let out = run(
        pullpass()
            .current_dir(tmp.path())
            .args(["lint", "--format", "github", "."]),
        None,
    );
    // Both ends: the annotation, and the data block in data.tf (its role is in main.tf).
    assert!(
        out.stdout.contains("file=k8s/sa.yaml,line=7"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("file=tf/data.tf") && l.contains("title=TP032")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("used by aws_iam_role.shipper in main.tf"),
        "{}",
        out.stdout
    );
    write(
        tmp.path(),
        "k8s/sa.yaml",
        &sa.replace(
            "SUPPRESS",
            "# pullpass: ignore[TP032] the logs namespace moves next quarter",
        ),
    );
    let out = run(
        pullpass()
            .current_dir(tmp.path())
            .args(["lint", "--format", "github", "."]),
        None,
    );
    assert!(!out.stdout.contains("file=k8s/sa.yaml"), "{}", out.stdout);
    assert!(!out.stderr.contains("unused suppression"), "{}", out.stderr);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("file=tf/data.tf") && l.contains("title=TP032")),
        "{}",
        out.stdout
    );
}

/// A monorepo of two teams that both name a role `app` (tests/fixtures/monorepo): a service
/// account is compared only with the trust policy of its own role (same account, or the
/// account unknown and the same team's directory), a `!Sub`-built provider principal is judged
/// only on its literal parts (TP021 on the `oidc-eks` typo, not on the placeholders), and a
/// real mismatch (`indexer` vs `indexer-v1`) is reported at both ends. Helm values without a
/// namespace take it from the chart's Namespace manifest; `-v` says so, and says when it is
/// unknown.
#[test]
fn monorepo_roles_are_matched_by_account_and_project() {
    let _snapshots = crate::support::snapshot_lock();
    let out = run(
        pullpass()
            .current_dir(fixtures("monorepo"))
            .args(["-v", "lint", "."]),
        None,
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let json = run(
        pullpass()
            .current_dir(fixtures("monorepo"))
            .args(["lint", "--format", "json", "."]),
        None,
    );
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let codes = |file: &str| -> Vec<String> {
        let mut codes: Vec<String> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["file"].as_str().is_some_and(|p| p.starts_with(file)))
            .map(|f| f["code"].as_str().unwrap_or("").to_owned())
            .collect();
        codes.sort();
        codes
    };
    assert!(codes("teams/payments/").is_empty(), "{}", out.stdout);
    assert!(codes("teams/search/terraform").is_empty(), "{}", out.stdout);
    assert!(codes("teams/search/chart").is_empty(), "{}", out.stdout);
    assert_eq!(
        codes("teams/search/cloudformation/irsa.yaml"),
        ["TP021", "TP032", "TP032"],
        "{}",
        out.stdout
    );
    assert_eq!(
        codes("teams/search/k8s/service-accounts.yaml"),
        ["TP032"],
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains(
            "teams/search/chart/values.yaml: line 6: service account `app`: namespace `search` taken from teams/search/chart/templates/namespace.yaml"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("teams/search/tools-chart/values.yaml: line 5: service account `app` of role `app`: namespace unknown"),
        "{}",
        out.stderr
    );
    let quiet = run(
        pullpass()
            .current_dir(fixtures("monorepo"))
            .args(["lint", "."]),
        None,
    );
    insta::assert_snapshot!("monorepo-text", quiet.stdout);
}

/// `--fix --unsafe-fixes` moves TP028's wildcard `sub` out of `StringEquals` into a new
/// `StringLike` block: edits that span several lines of a `<<-` heredoc and of a `!Sub |`
/// block scalar, applied because every byte they touch is literal text there (new lines keep
/// the block's indentation, so the YAML stays a block scalar). The same move over a key with
/// an interpolation is refused and shown as help.
#[test]
fn multi_line_fixes_map_to_heredocs_and_block_scalars() {
    let _snapshots = crate::support::snapshot_lock();
    let tmp = tempfile::tempdir().unwrap();
    let statement = |key: &str| {
        format!(
            "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {{\"Federated\": \"PRINCIPAL\"}},\n      \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n      \"Condition\": {{\n        \"StringEquals\": {{\n          \"{key}:sub\": \"system:serviceaccount:ci:*\",\n          \"{key}:aud\": \"sts.amazonaws.com\"\n        }}\n      }}\n    }}\n  ]\n}}\n"
        )
    };
    let indent =
        |text: &str, by: &str| -> String { text.lines().map(|l| format!("{by}{l}\n")).collect() };
    let issuer = "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
    let tf = |key: &str| {
        format!(
            "resource \"aws_iam_role\" \"ci\" {{\n  name               = \"ci\"\n  assume_role_policy = <<-EOT\n{}  EOT\n}}\n",
            indent(
                &statement(key).replace(
                    "PRINCIPAL",
                    &format!("arn:aws:iam::210987654321:oidc-provider/{issuer}")
                ),
                "    "
            )
        )
    };
    write(tmp.path(), "heredoc.tf", &tf(issuer));
    write(tmp.path(), "interpolated.tf", &tf("${local.issuer}"));
    let cfn = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  CiRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: !Sub |\n{}",
        indent(
            &statement(issuer).replace(
                "PRINCIPAL",
                &format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{issuer}")
            ),
            "        "
        )
    );
    write(tmp.path(), "template.yaml", &cfn);
    let out = run(
        pullpass().current_dir(tmp.path()).args([
            "lint",
            "--fix",
            "--unsafe-fixes",
            "heredoc.tf",
            "interpolated.tf",
            "template.yaml",
        ]),
        None,
    );
    let fixed_tf = std::fs::read_to_string(tmp.path().join("heredoc.tf")).unwrap();
    let fixed_cfn = std::fs::read_to_string(tmp.path().join("template.yaml")).unwrap();
    assert!(
        out.stdout.contains("heredoc.tf: applied 1"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("template.yaml: applied 1"),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!("multi-line-fix-heredoc", fixed_tf);
    insta::assert_snapshot!("multi-line-fix-block-scalar", fixed_cfn);
    // Both still read as their format, and lint without TP028.
    let again = run(
        pullpass()
            .current_dir(tmp.path())
            .args(["lint", "heredoc.tf", "template.yaml"]),
        None,
    );
    assert!(!again.stdout.contains("TP028"), "{}", again.stdout);
    assert!(!again.stdout.contains("TP001"), "{}", again.stdout);
    // The interpolated key: nothing written, the fix shown.
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("interpolated.tf")).unwrap(),
        tf("${local.issuer}")
    );
    assert!(
        out.stdout
            .contains("fix (not applied: `aws_iam_role.ci` generates this policy)"),
        "{}",
        out.stdout
    );
}
