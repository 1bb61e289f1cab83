use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// In an ECR repository policy, checks what the principals are allowed to pull: a
    /// statement that allows one of `ecr:BatchGetImage` / `ecr:GetDownloadUrlForLayer` but not
    /// the other (error: half a pull); a policy that allows neither to anyone (warning: it
    /// grants no pull, fine for a push-only or lifecycle policy); `ecr:GetAuthorizationToken`
    /// in it (error: ECR rejects the policy, cloudposse/terraform-aws-ecr#67).
    ///
    /// ## Why is this bad
    /// A pull reads the manifest (`BatchGetImage`) and then each layer
    /// (`GetDownloadUrlForLayer`): with one of the two the pull fails with 403 half way.
    /// `GetAuthorizationToken` is a registry-level action with no resource, so a repository
    /// policy cannot grant it: it must be in the caller's identity policy
    /// ("Private repository policy examples",
    /// <https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html>;
    /// "Amazon ECR: Actions, resources, and condition keys",
    /// <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html>).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "210987654321"}, "Action": "ecr:BatchGetImage"}
    /// ```
    ///
    /// ## Fix
    /// Allow `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer` and
    /// `ecr:BatchCheckLayerAvailability` together; grant `ecr:GetAuthorizationToken` in the
    /// puller's identity policy on `"Resource": "*"`.
    pub(crate) static EP011 = ("repository-pull-actions", "permissions-policy", Error, "Repository policy grants half a pull (E), no pull (W), or names `ecr:GetAuthorizationToken` (E, rejected)");
}

const PULL: [&str; 2] = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

pub(crate) fn check(cx: &mut Cx<'_>) {
    let policy = cx.policy;
    let mut any_pull = false;
    let public = policy
        .statements
        .iter()
        .flat_map(|s| &s.actions)
        .all(|a| a.text.is_some_and(|t| t.to_ascii_lowercase().starts_with("ecr-public:")));
    if public {
        return; // ECR Public repository policies govern pushing; pulls are anonymous.
    }
    for stmt in cx.statements() {
        if !stmt.is_allow() {
            continue;
        }
        let has = |a: &str| stmt.action_matches(a);
        let granted: Vec<&str> = PULL.into_iter().filter(|a| has(a)).collect();
        any_pull |= !granted.is_empty();
        if let [one] = granted[..] {
            let other = PULL.into_iter().find(|a| *a != one).unwrap_or(one);
            let (pointer, range) = stmt.action.map_or((stmt.pointer(), stmt.node.range), |a| (stmt.ptr(&a.key), a.value.range));
            cx.push(at(&EP011, format!("this statement allows `{one}` but not `{other}`: a pull reads the manifest and then the layers, so it fails with 403 half way"), pointer, range).with_help(format!("add `{other}` (and `ecr:BatchCheckLayerAvailability`)")));
        }
        for a in &stmt.actions {
            if a.text.is_some_and(|t| t.eq_ignore_ascii_case("ecr:GetAuthorizationToken")) {
                cx.push(
                    at(&EP011, "`ecr:GetAuthorizationToken` cannot be granted by a repository policy (it is a registry-level action with no resource), and ECR rejects repository policies that name it (`Invalid repository policy provided`)", a.pointer_in(stmt.ptr("Action")), a.range())
                        .with_help("remove it here; grant it in the puller's identity policy on \"Resource\": \"*\""),
                );
            }
        }
    }
    if !any_pull {
        let root = TextRange::new(policy.root.range.start as usize, policy.root.range.start as usize + 1);
        cx.push(
            Diagnostic::new(&EP011, "this repository policy allows no pull (`ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer`) to anyone: pullers need them from their identity policy (same account) or from here (another account)")
                .with_severity(Severity::Warning)
                .with_pointer("")
                .with_range(root)
                .with_help("fine for a push-only or lifecycle policy; to share the repository add {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"<account or role>\"}, \"Action\": [\"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\", \"ecr:BatchCheckLayerAvailability\"]}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;

    const REPO: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}]}"#;

    #[test]
    fn fires_on_half_a_pull_no_pull_and_token() {
        let d = fires("EP011", &edit(REPO, "\"ecr:GetDownloadUrlForLayer\",", ""));
        assert_eq!(d[0].severity(), Severity::Error);
        let d = fires("EP011", &edit(REPO, "[\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchCheckLayerAvailability\"]", "[\"ecr:PutImage\",\"ecr:InitiateLayerUpload\"]"));
        assert_eq!(d[0].severity(), Severity::Warning);
        let d = fires("EP011", &edit(REPO, "\"ecr:BatchCheckLayerAvailability\"", "\"ecr:BatchCheckLayerAvailability\",\"ecr:GetAuthorizationToken\""));
        assert_eq!(d[0].severity(), Severity::Error);
    }

    #[test]
    fn silent_on_a_full_pull() {
        silent("EP011", REPO);
        silent("EP011", &edit(REPO, "[\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchCheckLayerAvailability\"]", "\"ecr:*\""));
    }
}
