use super::eval::{self, Decision, Resource};
use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Evaluates the identity policy as IAM does and requires `ecr:GetAuthorizationToken`
    /// allowed on `Resource: "*"`, not denied by any `Deny`.
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
    match eval::evaluate(policy, ACTION, Resource::Exact("*")) {
        Decision::Allowed => {}
        Decision::ExplicitDeny(stmt) => cx.push(
            at(&EP001, "`ecr:GetAuthorizationToken` is denied by this statement: no registry token, no pull", stmt.pointer(), stmt.node.range)
                .help("narrow the Deny so it leaves `ecr:GetAuthorizationToken` on `\"Resource\": \"*\"` alone (e.g. list the denied actions instead of `ecr:*`)"),
        ),
        Decision::ImplicitDeny => {
            let d = match eval::allowed_elsewhere(policy, ACTION) {
                Some(stmt) => {
                    let (pointer, range) = stmt.resource.map_or((stmt.pointer(), stmt.node.range), |r| (stmt.ptr(&r.key), r.value.range));
                    at(&EP001, "`ecr:GetAuthorizationToken` is allowed only on specific resources, but it has no resource type: only `\"Resource\": \"*\"` grants it", pointer, range)
                }
                None => Diagnostic::new(&EP001, "nothing allows `ecr:GetAuthorizationToken` on `\"*\"`: the role gets no registry token (`no basic auth credentials`)").pointer("").range(root),
            };
            cx.push(d.help("add {\"Effect\": \"Allow\", \"Action\": \"ecr:GetAuthorizationToken\", \"Resource\": \"*\"}"));
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
        assert!(d[0].help.as_deref().is_some_and(|h| h.contains("narrow the Deny")), "{d:?}");
    }

    #[test]
    fn silent_when_allowed() {
        silent("EP001", READ_ONLY);
        silent("EP001", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#);
        silent("EP001", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#);
    }
}
