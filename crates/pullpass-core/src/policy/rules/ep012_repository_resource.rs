use super::{Cx, at, delete_member};
use crate::declare_rule;
use crate::diagnostic::Fix;

declare_rule! {
    /// ## What it does
    /// Reports `Resource` or `NotResource` in an ECR repository policy, with a safe fix that
    /// removes it.
    ///
    /// ## Why is this bad
    /// The repository the policy is attached to is the resource. ECR rejects a repository
    /// policy that names one: `Invalid parameter at 'PolicyText' failed to satisfy constraint:
    /// 'Invalid repository policy provided'` (the ECR user guide removed `Resource` from its
    /// examples for this reason, awsdocs/amazon-ecr-user-guide#20; aws-cdk#24314). Through
    /// CloudFormation or Terraform the deployment fails with that message
    /// ("Private repository policies", <https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html>).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "210987654321"}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "*"}
    /// ```
    ///
    /// ## Fix
    /// Remove `Resource` (safe fix).
    pub(crate) static EP012 = ("repository-policy-resource", "permissions-policy", Error, "`Resource` in an ECR repository policy (ECR rejects it)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let text = cx.text;
    for stmt in cx.statements() {
        for member in [stmt.resource, stmt.not_resource].into_iter().flatten() {
            let Some(index) = stmt.members.iter().position(|m| std::ptr::eq(m, member)) else { continue };
            cx.push(
                at(&EP012, format!("an ECR repository policy may not have `{}`: the repository it is attached to is the resource, and ECR rejects the policy (`Invalid repository policy provided`)", member.key), stmt.ptr(&member.key), member.key_range)
                    .with_help("remove the element")
                    .with_fix(Fix::safe(format!("Remove `{}`", member.key), vec![delete_member(text, stmt.members, index)])),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    const REPO: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}]}"#;

    #[test]
    fn fires_and_removes_resource() {
        let text = edit(REPO, "\"Sid\":\"Pull\",", "\"Sid\":\"Pull\",\"Resource\":\"*\",");
        let d = fires("EP012", &text);
        let out = fixed(&text, &d[0]);
        silent("EP012", &out);
        silent("TP001", &out);
        // Detected as a repository policy even with the Resource, and no trust rule runs.
        let out = crate::policy::lint(&text, None, &crate::policy::LintContext::default());
        assert_eq!(out.kind, Some(crate::policy::PolicyKind::Repository));
        assert!(out.diagnostics.iter().all(|d| !d.code().starts_with("TP0") || d.code() == "TP034"), "{:#?}", out.diagnostics);
    }

    #[test]
    fn silent_without_resource() {
        silent("EP012", REPO);
        clean(REPO, crate::policy::PolicyKind::Repository);
    }
}
