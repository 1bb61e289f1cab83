use super::eval::{self, Decision, Resource};
use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Evaluates the identity policy for the pull actions `ecr:BatchGetImage` and
    /// `ecr:GetDownloadUrlForLayer` (error when missing) and `ecr:BatchCheckLayerAvailability`
    /// (info: some clients call it), on the repository given with `--registry` and
    /// `--repository`, or else on any ECR repository. Wildcards, `NotAction`, `NotResource`
    /// and an explicit `Deny` count as IAM counts them.
    ///
    /// ## Why is this bad
    /// With a token but without these actions the registry answers 403 on the manifest or the
    /// layers: the pull fails after login succeeded.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:DescribeImages"], "Resource": "*"}
    /// ```
    ///
    /// ## Fix
    /// Allow `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer` and
    /// `ecr:BatchCheckLayerAvailability` on the repositories (or attach
    /// `AmazonEC2ContainerRegistryPullOnly`).
    pub(crate) static EP002 = ("pull-actions-missing", "permissions-policy", Error, "Pull actions (`ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`) missing for the repository");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let policy = cx.policy;
    let root = TextRange::new(policy.root.range.start as usize, policy.root.range.start as usize + 1);
    if eval::delegated_role(policy).is_some() || eval::is_public_ecr(policy, cx.ctx.registry_host.as_deref()) {
        return; // EP001 says where the pull permissions live.
    }
    let arn = match (cx.ctx.registry_host.as_deref(), cx.ctx.repository.as_deref()) {
        (Some(host), Some(repo)) => eval::repository_arn(host, repo.trim()),
        _ => None,
    };
    let resource = arn.as_deref().map_or(Resource::AnyRepository, Resource::Exact);
    let on = arn.as_deref().map_or_else(|| "any repository".to_owned(), |a| format!("`{a}`"));
    for (action, severity) in [
        ("ecr:BatchGetImage", Severity::Error),
        ("ecr:GetDownloadUrlForLayer", Severity::Error),
        ("ecr:BatchCheckLayerAvailability", Severity::Info),
    ] {
        let d = match eval::evaluate(policy, action, resource) {
            Decision::Allowed => continue,
            Decision::ExplicitDeny(stmt) => at(&EP002, format!("`{action}` is denied on {on} by this statement"), stmt.pointer(), stmt.node.range).help("an explicit Deny beats every Allow: narrow or remove it"),
            Decision::ImplicitDeny => {
                let why = if severity == Severity::Info { "some clients check layers before pulling" } else { "pulls fail with 403 after login" };
                match eval::allowed_elsewhere(policy, action) {
                    // Underline the resources that miss the repository.
                    Some(stmt) => {
                        let (pointer, range) = stmt.resource.map_or((stmt.pointer(), stmt.node.range), |r| (stmt.ptr(&r.key), r.value.range));
                        at(&EP002, format!("`{action}` is allowed, but not on {on}: {why}"), pointer, range)
                    }
                    None => Diagnostic::new(&EP002, format!("nothing allows `{action}` on {on}: {why}")).pointer("").range(root),
                }
                .help(format!("allow `{action}` on the repositories to pull from"))
            }
        };
        cx.push(d.severity(severity));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;
    use crate::policy::LintContext;

    #[test]
    fn fires_when_pull_actions_are_missing_or_denied() {
        let d = fires("EP002", &edit(READ_ONLY, "\"ecr:BatchGetImage\",", ""));
        assert_eq!(d[0].severity, Severity::Error);
        let d = fires("EP002", &edit(READ_ONLY, "\"ecr:BatchCheckLayerAvailability\",", ""));
        assert_eq!(d[0].severity, Severity::Info);
        let deny = edit(READ_ONLY, "    }\n  ]", "    },\n    {\"Effect\": \"Deny\", \"Action\": \"ecr:Batch*\", \"Resource\": \"arn:aws:ecr:*:*:repository/*\"}\n  ]");
        fires("EP002", &deny);
        let scoped = r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},
          {"Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/team/*"}]}"#;
        let ctx = LintContext {
            registry_host: Some("123456789012.dkr.ecr.us-east-1.amazonaws.com".into()),
            repository: Some("other/app".into()),
            ..LintContext::default()
        };
        assert_eq!(findings_with("EP002", scoped, &ctx).len(), 3);
        let ctx = LintContext { repository: Some("team/app".into()), ..ctx };
        assert!(findings_with("EP002", scoped, &ctx).is_empty());
        // A policy variable depends on the request: it may name the repository when allowing,
        // but a Deny with one is not known to cover it.
        let tagged = scoped.replace("repository/team/*", "repository/${aws:PrincipalTag/team}/*");
        assert!(findings_with("EP002", &tagged, &ctx).is_empty());
        let deny = edit(READ_ONLY, "    }\n  ]", "    },\n    {\"Effect\": \"Deny\", \"Action\": \"ecr:*\", \"Resource\": \"arn:aws:ecr:*:*:repository/${aws:username}/*\"}\n  ]");
        assert!(findings_with("EP002", &deny, &ctx).is_empty());
    }

    #[test]
    fn silent_when_pull_is_allowed() {
        silent("EP002", READ_ONLY);
        silent("EP002", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:Get*","ecr:Batch*"],"Resource":"*"}]}"#);
    }
}
