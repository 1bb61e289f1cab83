use super::eval::{self, Decision, Resource};
use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Evaluates the identity policy as IAM does and requires `ecr:GetAuthorizationToken`
    /// allowed on `Resource: "*"`, not denied by any `Deny`.
    /// A policy that grants no ECR action but allows `sts:AssumeRole` on a role ARN (keys that
    /// only assume the cross-account role that pulls) gets an info naming that role instead,
    /// and EP002/EP003 stay silent: the pull permissions live in the role's own policy.
    /// An ECR Public policy (`--registry public.ecr.aws`, or only `ecr-public:` actions) gets an
    /// info too: anonymous pulls need no permissions.
    /// An identity policy that can grant no ECR action at all (a KMS, VPC CNI or logs policy,
    /// as most policies of a Terraform or CloudFormation repository are) is not judged unless
    /// the caller says it is the pulling role's (`--kind permissions`, `--registry`, the
    /// doctor): EP001 and EP002 stay silent on it.
    ///
    /// ## Why is this bad
    /// Every pull starts with a registry token. The action has no resource type, so only
    /// `"Resource": "*"` grants it, and a repository policy cannot grant it at all: without it
    /// docker answers `no basic auth credentials`.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/app"}
    /// ```
    ///
    /// ## Fix
    /// A statement `{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}`.
    pub(crate) static EP001 = ("authorization-token-not-allowed", "permissions-policy", Error, "`ecr:GetAuthorizationToken` not allowed on `Resource: \"*\"`");
}

pub(crate) const ACTION: &str = "ecr:GetAuthorizationToken";

pub(crate) fn check(cx: &mut Cx<'_>) {
    let policy = cx.policy;
    let root = TextRange::new(policy.root.range.start as usize, policy.root.range.start as usize + 1);
    if eval::is_public_ecr(policy, cx.ctx.registry_host.as_deref()) {
        cx.push(
            Diagnostic::new(&EP001, "ECR Public: anonymous pulls need no permissions; authenticated ones (higher rate limits) need `ecr-public:GetAuthorizationToken` and `sts:GetServiceBearerToken`, nothing else is checked")
                .with_severity(Severity::Info)
                .with_pointer("")
                .with_range(root),
        );
        return;
    }
    if !cx.ctx.states_pulling() && !eval::can_grant_ecr(policy) && eval::delegated_role(policy).is_none() {
        return; // Another service's policy (KMS, CNI, logs): not a pulling policy.
    }
    if let Some(role) = eval::delegated_role(policy) {
        cx.push(
            Diagnostic::new(&EP001, format!("this policy grants no ECR action; it lets the identity assume `{}`, so pulls use that role's permissions", role.as_str()))
                .with_severity(Severity::Info)
                .with_help("lint the assumed role's permissions policy instead: `pullpass lint --kind permissions role-policy.json`")
                .with_pointer("")
                .with_range(role.range()),
        );
        return;
    }
    match eval::evaluate(policy, ACTION, Resource::Exact("*")) {
        Decision::Allowed => {}
        Decision::ExplicitDeny(stmt) => cx.push(
            at(&EP001, "`ecr:GetAuthorizationToken` is denied by this statement: no registry token, no pull", stmt.pointer(), stmt.node.range)
                .with_help("narrow the Deny so it leaves `ecr:GetAuthorizationToken` on `\"Resource\": \"*\"` alone (e.g. list the denied actions instead of `ecr:*`)"),
        ),
        Decision::ImplicitDeny => {
            let d = match eval::allowed_elsewhere(policy, ACTION) {
                Some(stmt) => {
                    let (pointer, range) = stmt.resource.map_or((stmt.pointer(), stmt.node.range), |r| (stmt.ptr(&r.key), r.value.range));
                    at(&EP001, "`ecr:GetAuthorizationToken` is allowed only on specific resources, but it has no resource type: only `\"Resource\": \"*\"` grants it", pointer, range)
                }
                None => Diagnostic::new(&EP001, "nothing allows `ecr:GetAuthorizationToken` on `\"*\"`: the role gets no registry token (`no basic auth credentials`)").with_pointer("").with_range(root),
            };
            cx.push(d.with_help("add {\"Effect\": \"Allow\", \"Action\": \"ecr:GetAuthorizationToken\", \"Resource\": \"*\"}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_when_not_allowed_on_star() {
        fires("EP001", &edit(READ_ONLY, "\"ecr:GetAuthorizationToken\",", ""));
        fires("EP001", &edit(READ_ONLY, "\"Resource\": \"*\"", "\"Resource\": \"arn:aws:ecr:us-east-1:123456789012:repository/app\""));
        let deny = edit(READ_ONLY, "    }\n  ]", "    },\n    {\"Effect\": \"Deny\", \"Action\": \"ecr:Get*\", \"Resource\": \"*\"}\n  ]");
        let d = fires("EP001", &deny);
        assert!(d[0].help().is_some_and(|h| h.contains("narrow the Deny")), "{d:?}");
    }

    /// Static keys whose only job is to assume the cross-account role that pulls.
    #[test]
    fn only_informs_when_the_policy_assumes_the_pulling_role() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::210987654321:role/ecr-pull"}]}"#;
        let d = fires("EP001", text);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity(), crate::Severity::Info);
        assert_eq!(&text[d[0].range().unwrap().as_usize_range()], "\"arn:aws:iam::210987654321:role/ecr-pull\"");
        silent("EP002", text);
        silent("EP003", text);
        // ECR Public: by the registry host, or by the `ecr-public:` actions alone.
        let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:GetAuthorizationToken","sts:GetServiceBearerToken"],"Resource":"*"}]}"#;
        assert_eq!(fires("EP001", public)[0].severity(), crate::Severity::Info);
        silent("EP002", public);
        silent("EP003", public);
        let ctx = crate::policy::LintContext { registry_host: Some("public.ecr.aws".into()), ..Default::default() };
        assert!(findings_with("EP002", READ_ONLY, &ctx).is_empty());
        // Once it grants an ECR action itself, it is judged as a pulling policy.
        fires("EP002", &text.replace("\"sts:AssumeRole\"", "[\"sts:AssumeRole\",\"ecr:GetAuthorizationToken\"]"));
    }

    /// Most identity policies of a real repository belong to another service (the shape of
    /// terraform-aws-modules/eks's cluster-encryption policy, other IDs): not a pulling policy
    /// unless the caller says so.
    #[test]
    fn another_services_policy_is_judged_only_when_said_to_pull() {
        let kms = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"arn:aws:kms:eu-west-1:402938475610:key/0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b"}]}"#;
        silent("EP001", kms);
        silent("EP002", kms);
        let said = crate::policy::LintContext { pull_role: true, ..Default::default() };
        assert!(!findings_with("EP001", kms, &said).is_empty());
        assert!(!findings_with("EP002", kms, &said).is_empty());
        let host = crate::policy::LintContext { registry_host: Some("402938475610.dkr.ecr.eu-west-1.amazonaws.com".into()), ..Default::default() };
        assert!(!findings_with("EP001", kms, &host).is_empty());
        // A guard that only denies ECR actions grants none: not a pulling policy either.
        let guard = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr:Delete*","Resource":"*"}]}"#;
        silent("EP001", guard);
        silent("EP002", guard);
        // `ecr*:…`, `*` and `NotAction` can grant ECR actions: judged.
        fires("EP001", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr*:BatchGetImage","Resource":"*"}]}"#);
        fires("EP001", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"ecr:GetAuthorizationToken","Resource":"*"}]}"#);
    }

    #[test]
    fn silent_when_allowed() {
        silent("EP001", READ_ONLY);
        silent("EP001", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#);
        silent("EP001", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#);
    }
}
