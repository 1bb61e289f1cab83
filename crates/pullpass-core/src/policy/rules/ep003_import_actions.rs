use super::eval::{self, Decision, Resource};
use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Only when the registry is used to import images (`pullpass lint --import-images`, or
    /// `import_images = true` on the registry in the config file, matched by `--registry`):
    /// warns when the identity policy does not allow the actions Import Image uses to list
    /// repositories and tags: `ecr:DescribeRepositories`, `ecr:DescribeImages`, `ecr:ListImages`.
    /// Off by default: AWS's managed `AmazonEC2ContainerRegistryPullOnly` grants pulling only,
    /// and a pull-only role is correct for a registry that is only pulled from.
    ///
    /// ## Why is this bad
    /// Pulling works, but the platform's Import Image dialog shows no repositories or tags, and
    /// the product doc's own check (`aws ecr describe-repositories`) fails. The listing actions
    /// are separate IAM actions ("Amazon ECR managed policies",
    /// <https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html>).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "*"}
    /// ```
    ///
    /// ## Fix
    /// Allow the three actions on the repositories (`AmazonEC2ContainerRegistryReadOnly` has them).
    pub(crate) static EP003 = ("import-actions-missing", "permissions-policy", Warning, "List/describe actions for Import Image missing");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let policy = cx.policy;
    let root = TextRange::new(policy.root.range.start as usize, policy.root.range.start as usize + 1);
    if !cx.ctx.import_images || eval::delegated_role(policy).is_some() || eval::is_public_ecr(policy, cx.ctx.registry_host.as_deref()) {
        return; // EP001 says where the pull permissions live.
    }
    let mut missing = Vec::new();
    for action in ["ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:ListImages"] {
        match eval::evaluate(policy, action, Resource::AnyRepository) {
            Decision::Allowed => {}
            Decision::ExplicitDeny(stmt) => cx.push(
                at(&EP003, format!("`{action}` is denied by this statement: Import Image cannot list repositories or tags"), stmt.pointer(), stmt.node.range)
                    .with_help(format!("narrow the Deny so it no longer matches `{action}` on the repositories to import from")),
            ),
            Decision::ImplicitDeny => missing.push(format!("`{action}`")),
        }
    }
    if !missing.is_empty() {
        cx.push(
            Diagnostic::new(&EP003, format!("nothing allows {}: pulls work, but Import Image cannot list repositories and tags", missing.join(", ")))
                .with_help("allow ecr:DescribeRepositories, ecr:DescribeImages and ecr:ListImages (AmazonEC2ContainerRegistryReadOnly has them)")
                .with_range(root),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_when_listing_is_missing_and_the_user_imports() {
        let text = edit(READ_ONLY, "\"ecr:ListImages\",", "");
        let ctx = crate::policy::LintContext { import_images: true, ..Default::default() };
        let d = findings_with("EP003", &text, &ctx);
        assert!(d[0].message().contains("ecr:ListImages"));
        // Off by default: pull-only is right for a registry that is only pulled from.
        silent("EP003", &text);
    }

    #[test]
    fn silent_on_read_only() {
        silent("EP003", READ_ONLY);
        silent("EP003", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:Describe*","ecr:List*"],"Resource":"*"}]}"#);
    }
}
