//! The IAM evaluation the EP rules need: does this identity policy allow an action on a
//! resource? Action wildcards (`ecr:Get*`, `ecr:*`, `*`, case-insensitive), `NotAction`,
//! resource ARNs and wildcards, `NotResource`, and an explicit `Deny` beats any `Allow`.
//!
//! Conditions cannot be evaluated without a request: an `Allow` with a condition counts as an
//! allow (the author meant it to apply), a `Deny` with a condition does not count as a deny.

use super::super::glob;
use super::super::model::{Effect, Policy, Statement, Str};

/// The outcome for one action and resource.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Decision<'s, 'v> {
    Allowed,
    /// No statement allows it.
    ImplicitDeny,
    /// An unconditional `Deny` matches.
    ExplicitDeny(&'s Statement<'v>),
}

/// The resource a request names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resource<'r> {
    /// A concrete ARN, or `*` for actions without a resource (GetAuthorizationToken).
    Exact(&'r str),
    /// "Some ECR repository": an allow counts when one of its resource patterns can name a
    /// repository, a deny when it covers that pattern whole.
    AnyRepository,
}

fn action_matches(stmt: &Statement<'_>, action: &str) -> bool {
    if stmt.action.is_some() {
        stmt.actions
            .iter()
            .any(|a| glob::matches_ignore_case(a.as_str(), action))
    } else if stmt.not_action.is_some() {
        !stmt
            .not_actions
            .iter()
            .any(|a| glob::matches_ignore_case(a.as_str(), action))
    } else {
        false
    }
}

/// Whether a resource pattern can name an ECR repository ARN.
pub(crate) fn can_name_repository(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let Some(arn) = super::super::aws::Arn::parse(pattern) else {
        return false;
    };
    glob::matches_ignore_case(arn.service, "ecr")
        && (arn.resource.starts_with("repository/")
            || glob::matches(arn.resource, "repository/x")
            || glob::matches(arn.resource, "repository/"))
}

/// The resource patterns of `stmt` that can match `resource` (for an allow) or that cover it
/// (for a deny).
fn resource_matches(stmt: &Statement<'_>, resource: Resource<'_>, deny: bool) -> bool {
    let hits_plain = |pattern: &str| match resource {
        Resource::Exact(r) => glob::matches(pattern, r),
        Resource::AnyRepository => {
            if deny {
                pattern == "*" || glob::matches(pattern, "arn:aws:ecr:r:1:repository/*")
            } else {
                can_name_repository(pattern)
            }
        }
    };
    let hits = |pattern: &str| {
        match with_variables_as_wildcards(pattern) {
            // A policy variable (`${aws:PrincipalTag/team}`) depends on the request: it may
            // name the repository (allow), but is not known to cover it (deny).
            Some(_) if deny => false,
            Some(expanded) => hits_plain(&expanded),
            None => hits_plain(pattern),
        }
    };
    if stmt.resource.is_some() {
        stmt.resources.iter().any(|r| hits(r.as_str()))
    } else if stmt.not_resource.is_some() {
        match resource {
            Resource::Exact(r) => !stmt
                .not_resources
                .iter()
                .any(|p| glob::matches(p.as_str(), r)),
            // NotResource leaves some repository out unless it excludes them all.
            Resource::AnyRepository => !stmt.not_resources.iter().any(|p| {
                p.as_str() == "*" || glob::matches(p.as_str(), "arn:aws:ecr:r:1:repository/*")
            }),
        }
    } else {
        // No `Resource` at all: IAM rejects the policy (TP007 says so); judge the actions as if
        // the author meant every resource, rather than piling more findings on.
        true
    }
}

/// `pattern` with each `${…}` policy variable (and the `${*}`-style escapes) turned into `*`;
/// `None` when it has none.
fn with_variables_as_wildcards(pattern: &str) -> Option<String> {
    if !pattern.contains("${") {
        return None;
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('*');
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Evaluates `action` on `resource` as IAM would.
pub(crate) fn evaluate<'s, 'v>(
    policy: &'s Policy<'v>,
    action: &str,
    resource: Resource<'_>,
) -> Decision<'s, 'v> {
    let mut allowed = None;
    for stmt in &policy.statements {
        if !action_matches(stmt, action) {
            continue;
        }
        match stmt.effect {
            Some(Effect::Deny)
                if stmt.condition.is_none() && resource_matches(stmt, resource, true) =>
            {
                return Decision::ExplicitDeny(stmt);
            }
            Some(Effect::Allow) if allowed.is_none() && resource_matches(stmt, resource, false) => {
                allowed = Some(stmt);
            }
            _ => {}
        }
    }
    allowed.map_or(Decision::ImplicitDeny, |_: &Statement<'v>| {
        Decision::Allowed
    })
}

/// The statement that allows `action` on some resource, ignoring the resource.
pub(crate) fn allowed_elsewhere<'s, 'v>(
    policy: &'s Policy<'v>,
    action: &str,
) -> Option<&'s Statement<'v>> {
    policy
        .statements
        .iter()
        .find(|s| s.effect == Some(Effect::Allow) && action_matches(s, action))
}

/// Whether the pull is from ECR Public: the registry host says so, or the policy grants
/// `ecr-public:` actions and no private ECR action. EP001–EP003 are about private ECR.
pub(crate) fn is_public_ecr(policy: &Policy<'_>, registry_host: Option<&str>) -> bool {
    if let Some(host) = registry_host {
        return matches!(
            crate::host::parse_ecr(host.trim()),
            Some((crate::host::HostKind::PublicEcr, _))
        );
    }
    let allows = |s: &&Statement<'_>| s.effect == Some(Effect::Allow);
    policy
        .statements
        .iter()
        .filter(allows)
        .any(|s| action_matches(s, "ecr-public:GetAuthorizationToken"))
        && !policy.statements.iter().filter(allows).any(|s| {
            action_matches(s, "ecr:BatchGetImage") || action_matches(s, "ecr:GetAuthorizationToken")
        })
}

/// Whether some `Allow` of the policy can grant an ECR action: an `Action` whose service
/// part covers `ecr` or `ecr-public` (`ecr:…`, `ecr:*`, `ecr*:…`, `*`), or a `NotAction`
/// (which grants every action it does not list). An identity policy that can grant none
/// (KMS, VPC CNI, logs: most policies of a real repository) is not a pulling policy, and
/// EP001/EP002 judge it only when the caller says it is ([`LintContext::states_pulling`]).
///
/// [`LintContext::states_pulling`]: crate::policy::LintContext::states_pulling
pub(crate) fn can_grant_ecr(policy: &Policy<'_>) -> bool {
    // A statement whose `Effect` is mistyped (`"allow"`, TP007) counts: it was written to
    // allow, and the rest of the policy is judged as its author meant it.
    policy.statements.iter().any(|s| {
        s.effect != Some(Effect::Deny)
            && (s.not_action.is_some()
                || s.actions.iter().any(|a| {
                    let service = a.as_str().split(':').next().unwrap_or_default();
                    glob::matches_ignore_case(service, "ecr")
                        || glob::matches_ignore_case(service, "ecr-public")
                }))
    })
}

/// The role this policy hands pulling over to: when no `Allow` grants any ECR action but one
/// allows `sts:AssumeRole` on an IAM role ARN (the cross-account setup: these keys only
/// assume the role that pulls), that role ARN pattern.
pub(crate) fn delegated_role<'s, 'v>(policy: &'s Policy<'v>) -> Option<&'s Str<'v>> {
    const ECR: [&str; 5] = [
        "ecr:GetAuthorizationToken",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeRepositories",
        "ecr:ListImages",
    ];
    let allows = |s: &Statement<'_>| s.effect == Some(Effect::Allow);
    if policy
        .statements
        .iter()
        .any(|s| allows(s) && ECR.iter().any(|a| action_matches(s, a)))
    {
        return None;
    }
    policy
        .statements
        .iter()
        .filter(|s| allows(s) && action_matches(s, "sts:AssumeRole"))
        .flat_map(|s| &s.resources)
        .find(|r| {
            super::super::aws::Arn::parse(r.as_str())
                .is_some_and(|arn| arn.service == "iam" && arn.resource.starts_with("role/"))
        })
}

/// The ARN of a repository in a private ECR registry host, when both are known.
pub(crate) fn repository_arn(host: &str, repository: &str) -> Option<String> {
    let reg = super::super::aws::parse_private_ecr_host(host)?;
    Some(format!(
        "arn:{}:ecr:{}:{}:repository/{}",
        reg.partition, reg.region, reg.account, repository
    ))
}

/// Whether a condition entry under `op` admits `actual` for a single-valued key: IAM's string
/// and ARN operators (`*`/`?` wildcards under the `Like` forms and the ARN ones). Other
/// operators (numbers, dates, IPs, `Null`) cannot be judged from a value and admit.
/// (Only the doctor asks this.)
#[cfg(feature = "doctor")]
pub(crate) fn entry_admits(
    op: &super::super::model::Operator<'_>,
    values: &[Str<'_>],
    actual: &str,
) -> bool {
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v.as_str()));
    match op.base {
        "StringEquals" => any(&|v| v == actual),
        "StringEqualsIgnoreCase" => any(&|v| v.eq_ignore_ascii_case(actual)),
        "StringLike" | "ArnEquals" | "ArnLike" => any(&|v| glob::matches(v, actual)),
        "StringNotEquals" => !any(&|v| v == actual),
        "StringNotEqualsIgnoreCase" => !any(&|v| v.eq_ignore_ascii_case(actual)),
        "StringNotLike" | "ArnNotEquals" | "ArnNotLike" => !any(&|v| glob::matches(v, actual)),
        _ => true,
    }
}

/// Who calls, as far as the context says: the role's account and ARN (`None` when unknown).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Caller<'c> {
    pub(crate) account: Option<&'c str>,
    pub(crate) arn: Option<&'c str>,
}

/// Whether a resource-policy principal can name `caller`. An unknown caller is given the
/// benefit of the doubt for any IAM principal (the finding then says it assumed so).
pub(crate) fn principal_names(ptype: &str, value: &str, caller: Caller<'_>) -> bool {
    if value == "*" {
        return ptype == "*" || ptype == "AWS";
    }
    if ptype != "AWS" {
        return false; // services and federated principals are not the pulling role
    }
    let account = if super::super::aws::is_account_id(value) {
        Some(value)
    } else {
        super::super::aws::Arn::parse(value)
            .filter(|a| a.service == "iam" || a.service == "sts")
            .map(|a| a.account)
    };
    let Some(account) = account else { return false };
    match caller {
        Caller {
            account: None,
            arn: None,
        } => true,
        Caller { arn: Some(arn), .. } if value.eq_ignore_ascii_case(arn) => true,
        Caller {
            account: Some(a), ..
        } => a == account && (value == account || value.ends_with(":root")),
        Caller { account: None, .. } => value.ends_with(":root") || value == account,
    }
}

/// Evaluates `action` in an ECR repository policy for `caller`, as IAM evaluates a resource
/// policy: a statement applies when its principal names the caller (`Resource` is implied).
pub(crate) fn evaluate_repository<'s, 'v>(
    policy: &'s Policy<'v>,
    action: &str,
    caller: Caller<'_>,
) -> Decision<'s, 'v> {
    let mut allowed = false;
    for stmt in &policy.statements {
        if !action_matches(stmt, action) {
            continue;
        }
        let names = stmt.principals.iter().any(|p| {
            p.value
                .text
                .is_some_and(|v| principal_names(p.ptype, v, caller))
        });
        if !names {
            continue;
        }
        match stmt.effect {
            Some(Effect::Deny) if stmt.condition.is_none() => return Decision::ExplicitDeny(stmt),
            Some(Effect::Allow) => allowed = true,
            _ => {}
        }
    }
    if allowed {
        Decision::Allowed
    } else {
        Decision::ImplicitDeny
    }
}
