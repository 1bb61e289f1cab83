use super::eval::{self, Decision, Resource};
use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::model::Policy;
use crate::policy::{aws, json};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Evaluates the pull actions `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` on the
    /// repository given with `--registry` and `--repository`, or else on any ECR repository,
    /// as IAM does. (`ecr:BatchCheckLayerAvailability` is not required: AWS's managed
    /// `AmazonEC2ContainerRegistryPullOnly` does without it.)
    /// Wildcards, `NotAction`, `NotResource` and an explicit `Deny` count as IAM counts them.
    ///
    /// - With `--repository-policy FILE`, the identity policy and the repository's policy are
    ///   evaluated together: in the repository's own account either may allow; from another
    ///   account both must; an explicit deny in either wins. The findings are then certain:
    ///   errors.
    /// - Without it, a missing pull action is a warning in the repository's own account (a
    ///   repository policy can still grant the pull) and an error when `--role-arn` and
    ///   `--registry` show another account (the identity policy must allow it too).
    /// - An explicit `Deny` in the identity policy is always an error.
    ///
    /// ## Why is this bad
    /// With a token but without these actions the registry answers 403 on the manifest or the
    /// layers: the pull fails after login succeeded. IAM allows a same-account request when
    /// either the identity policy or the resource policy allows it, and a cross-account request
    /// only when both do ("Policy evaluation logic: cross-account",
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>;
    /// "Private repository policies", <https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html>).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:DescribeImages"], "Resource": "*"}
    /// ```
    ///
    /// ## Fix
    /// Allow `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer` and
    /// `ecr:BatchCheckLayerAvailability` on the repositories (or attach
    /// `AmazonEC2ContainerRegistryPullOnly`), or grant them to this role in the repository
    /// policy when the repository is in the same account.
    pub(crate) static EP002 = ("pull-actions-missing", "permissions-policy", Error, "Pull actions (`ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`) missing for the repository (W while a same-account repository policy could grant them)");
}

/// The repository policy of the context, parsed (`None` when absent or unreadable: the CLI
/// refuses an unreadable one before linting).
fn with_repository_policy<R>(ctx: &crate::policy::LintContext, f: impl FnOnce(Option<&Policy<'_>>) -> R) -> R {
    let Some(text) = ctx.repository_policy.as_deref() else { return f(None) };
    match json::parse(text) {
        Ok(root) => {
            let policy = Policy::build(&root);
            f(policy.as_ref())
        }
        Err(_) => f(None),
    }
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let policy = cx.policy;
    let root = TextRange::new(policy.root.range.start as usize, policy.root.range.start as usize + 1);
    if eval::delegated_role(policy).is_some() || eval::is_public_ecr(policy, cx.ctx.registry_host.as_deref()) {
        return; // EP001 says where the pull permissions live.
    }
    if !cx.ctx.states_pulling() && !eval::can_grant_ecr(policy) {
        return; // Another service's policy: see EP001.
    }
    let arn = match (cx.ctx.registry_host.as_deref(), cx.ctx.repository.as_deref()) {
        (Some(host), Some(repo)) => eval::repository_arn(host, repo.trim()),
        _ => None,
    };
    let resource = arn.as_deref().map_or(Resource::AnyRepository, Resource::Exact);
    let on = arn.as_deref().map_or_else(|| "any repository".to_owned(), |a| format!("`{a}`"));
    let role = cx.role();
    let caller = eval::Caller { account: role.map(|r| r.account), arn: cx.ctx.role_arn.as_deref().map(str::trim) };
    let registry_account = cx.ctx.registry_host.as_deref().and_then(aws::parse_private_ecr_host).map(|h| h.account);
    let cross = match (caller.account, registry_account.as_deref()) {
        (Some(a), Some(r)) => a != r,
        _ => false,
    };
    let mut out = Vec::new();
    with_repository_policy(cx.ctx, |repo_policy| {
        // `ecr:BatchCheckLayerAvailability` is not checked: AWS's managed
        // `AmazonEC2ContainerRegistryPullOnly` leaves it out, and pulls work without it (it is
        // the push side's "do you have this layer already?").
        for (action, severity) in [("ecr:BatchGetImage", Severity::Error), ("ecr:GetDownloadUrlForLayer", Severity::Error)] {
            let why = "pulls fail with 403 after login";
            let repo = repo_policy.map(|p| eval::evaluate_repository(p, action, caller));
            let d = match (eval::evaluate(policy, action, resource), repo) {
                (Decision::ExplicitDeny(stmt), _) => at(&EP002, format!("`{action}` is denied on {on} by this statement"), stmt.pointer(), stmt.node.range).with_help("an explicit Deny beats every Allow: narrow or remove it").with_severity(severity),
                (_, Some(Decision::ExplicitDeny(_))) => Diagnostic::new(&EP002, format!("the repository policy denies `{action}` to this caller: an explicit Deny in either policy wins, so {why}")).with_pointer("").with_range(root).with_help("narrow the repository policy's Deny").with_severity(severity),
                (Decision::Allowed, None | Some(Decision::Allowed)) => continue,
                (Decision::Allowed, Some(Decision::ImplicitDeny)) if !cross => continue,
                (Decision::ImplicitDeny, Some(Decision::Allowed)) if !cross => continue,
                (Decision::Allowed, Some(Decision::ImplicitDeny)) => Diagnostic::new(&EP002, format!("`{action}` is allowed here, but the repository is in account {} and its repository policy does not grant it to this caller: across accounts both must allow, so {why}", registry_account.as_deref().unwrap_or("?"))).with_pointer("").with_range(root).with_help(format!("add `{action}` for this role to the repository policy")).with_severity(severity),
                (Decision::ImplicitDeny, repo) => {
                    let certain = cross || repo.is_some();
                    let tail = match repo {
                        Some(Decision::Allowed) => format!("; the repository policy grants it, but the repository is in account {} and across accounts the identity policy must allow it too", registry_account.as_deref().unwrap_or("?")),
                        Some(_) => "; the repository policy does not grant it either".to_owned(),
                        None if cross => format!("; the repository is in account {}, so a repository policy alone cannot grant it", registry_account.as_deref().unwrap_or("?")),
                        None => String::new(),
                    };
                    let reason = if certain { format!(": {why}") } else { ": a repository policy in the repository's own account could still grant it; without one, pulls fail with 403 after login".to_owned() };
                    let d = match eval::allowed_elsewhere(policy, action) {
                        // Underline the resources that miss the repository.
                        Some(stmt) => {
                            let (pointer, range) = stmt.resource.map_or((stmt.pointer(), stmt.node.range), |r| (stmt.ptr(&r.key), r.value.range));
                            at(&EP002, format!("`{action}` is allowed, but not on {on}{tail}{reason}"), pointer, range)
                        }
                        None => Diagnostic::new(&EP002, format!("nothing in this identity policy allows `{action}` on {on}{tail}{reason}")).with_pointer("").with_range(root),
                    };
                    if certain {
                        d.with_help(format!("allow `{action}` on the repositories to pull from")).with_severity(severity)
                    } else {
                        d.with_help(format!("allow `{action}` here, or pass the repository's policy with --repository-policy FILE to check it too")).with_severity(Severity::Warning)
                    }
                }
            };
            out.push(d);
        }
    });
    for d in out {
        cx.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;
    use crate::policy::LintContext;

    const HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    const NO_PULL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}"#;
    const REPO_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/puller"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}]}"#;

    fn ctx(role: &str, repo_policy: Option<&str>) -> LintContext {
        LintContext {
            registry_host: Some(HOST.into()),
            repository: Some("app".into()),
            role_arn: Some(role.into()),
            repository_policy: repo_policy.map(str::to_owned),
            ..LintContext::default()
        }
    }

    #[test]
    fn missing_pull_is_a_warning_while_a_repository_policy_could_grant_it() {
        let d = fires("EP002", &edit(READ_ONLY, "\"ecr:BatchGetImage\",", ""));
        assert_eq!(d[0].severity(), Severity::Warning);
        assert!(d[0].message().contains("repository policy in the repository's own account could still grant it"), "{}", d[0].message());
        // Not needed to pull: AmazonEC2ContainerRegistryPullOnly leaves it out.
        silent("EP002", &edit(READ_ONLY, "\"ecr:BatchCheckLayerAvailability\",", ""));
    }

    #[test]
    fn an_explicit_deny_is_certain() {
        let deny = edit(READ_ONLY, "    }\n  ]", "    },\n    {\"Effect\": \"Deny\", \"Action\": \"ecr:Batch*\", \"Resource\": \"arn:aws:ecr:*:*:repository/*\"}\n  ]");
        assert_eq!(fires("EP002", &deny)[0].severity(), Severity::Error);
    }

    #[test]
    fn identity_and_repository_policy_together_as_iam_does() {
        let same = "arn:aws:iam::123456789012:role/puller";
        let other = "arn:aws:iam::210987654321:role/puller";
        // Same account: the repository policy alone may allow.
        assert!(findings_with("EP002", NO_PULL, &ctx(same, Some(REPO_POLICY))).is_empty());
        // ... and when neither allows, the error is certain.
        let none = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/other"},"Action":"ecr:BatchGetImage"}]}"#;
        let d = findings_with("EP002", NO_PULL, &ctx(same, Some(none)));
        assert!(d.iter().any(|d| d.severity() == Severity::Error), "{d:#?}");
        // Another account: both must allow.
        let cross_policy = REPO_POLICY.replace("123456789012:role/puller", "210987654321:role/puller");
        let d = findings_with("EP002", NO_PULL, &ctx(other, Some(&cross_policy)));
        assert!(d.iter().any(|d| d.severity() == Severity::Error && d.message().contains("across accounts")), "{d:#?}");
        assert!(findings_with("EP002", READ_ONLY, &ctx(other, Some(&cross_policy))).is_empty());
        let d = findings_with("EP002", READ_ONLY, &ctx(other, Some(REPO_POLICY)));
        assert!(d.iter().any(|d| d.severity() == Severity::Error && d.message().contains("both must allow")), "{d:#?}");
        // Without the repository policy, another account's repository is still certain.
        let d = findings_with("EP002", NO_PULL, &ctx(other, None));
        assert!(d.iter().any(|d| d.severity() == Severity::Error), "{d:#?}");
        // An explicit deny in the repository policy wins.
        let deny = REPO_POLICY.replace("\"Allow\"", "\"Deny\"");
        let d = findings_with("EP002", READ_ONLY, &ctx(same, Some(&deny)));
        assert!(d.iter().any(|d| d.severity() == Severity::Error && d.message().contains("denies")), "{d:#?}");
    }

    #[test]
    fn scoped_resources_and_policy_variables() {
        let scoped = r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},
          {"Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/team/*"}]}"#;
        let ctx = LintContext {
            registry_host: Some(HOST.into()),
            repository: Some("other/app".into()),
            ..LintContext::default()
        };
        assert_eq!(findings_with("EP002", scoped, &ctx).len(), 2);
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
