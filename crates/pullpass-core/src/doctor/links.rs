//! The links no `DR…` rule owns: the linter's `TP…`/`EP…`/`RF…` rules judge them, in their
//! own words, with the facts only doctor has (the issuer, the service account, the role).

use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::aws::{self, Role};
use crate::policy::model::{Effect, Str};
use crate::policy::rules::claim_entries;
use crate::policy::rules::eval::entry_admits;
use crate::policy::rules::tp032_expected_binding::TP032;
use crate::policy::rules::tp040_partition_mismatch::TP040;
use crate::policy::{self, LintContext, PolicyKind};
use crate::registry_form::rules::rf050_role_arn_invalid::RF050;
use crate::text::TextRange;

use super::chain::{Cx, Outcome, Run, Slot, at};
use super::registry::Registry;
use super::{Input, Mode, lint_finding};

/// `trust.keys`: the condition keys name the trusted provider (TP022, TP021).
pub(crate) fn trust_keys(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let Some(chosen) = cx.chosen.as_ref() else {
        return Outcome::needs(&[Input::TrustPolicy, Input::Live]);
    };
    let scope = chosen.statement.pointer();
    match lint_finding(
        &chosen.doc.lint,
        &["TP022", "TP021"],
        &scope,
        Severity::Warning,
    ) {
        Some(d) => Outcome::Finding(d.clone(), Some(Input::TrustPolicy)),
        None => Outcome::pass(format!(
            "condition keys are `{}:…`",
            chosen.provider.provider
        )),
    }
}

/// `trust.issuer`: the trusted provider is the cluster's issuer (TP032).
pub(crate) fn trust_issuer(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let Some(chosen) = cx.chosen.as_ref() else {
        return Outcome::needs(&[Input::TrustPolicy, Input::Live]);
    };
    let issuer = match &f.issuer {
        Slot::Ok(i) => i,
        Slot::Broken if matches!(f.cluster, Slot::Broken) => {
            return Outcome::blocked("input.cluster");
        }
        Slot::Broken => return Outcome::blocked("input.issuer"),
        Slot::Absent => return Outcome::needs(&[Input::Issuer, Input::Cluster]),
    };
    let pass = format!("the role trusts the cluster's issuer `{}`", issuer.path);
    if chosen.provider.provider == issuer.path {
        return Outcome::Pass(pass);
    }
    // The linter judges the binding to the expected issuer (TP032).
    let lint = chosen.doc.lint_with(&LintContext {
        expected_issuer: Some(issuer.path.clone()),
        ..LintContext::default()
    });
    let found = lint_finding(
        &lint,
        &["TP032"],
        &chosen.principal_pointer(),
        Severity::Warning,
    )
    .or_else(|| lint_finding(&lint, &["TP032"], "", Severity::Warning));
    match found {
        Some(d) => Outcome::Finding(d.clone(), Some(Input::TrustPolicy)),
        None => Outcome::Pass(pass),
    }
}

/// `trust.subject`: the trust policy admits exactly the service account (the claim's shape,
/// the linter's binding and breadth, then no `Deny` that matches it).
pub(crate) fn trust_subject(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let Some(chosen) = cx.chosen.as_ref() else {
        return Outcome::needs(&[Input::TrustPolicy, Input::Live]);
    };
    let lint = &chosen.doc.lint;
    let scope = chosen.statement.pointer();
    // The claim's shape: present, single-valued operator, wildcards only under `StringLike`.
    if let Some(d) = lint_finding(
        lint,
        &["TP026", "TP030", "TP028", "TP027"],
        &scope,
        Severity::Warning,
    ) {
        return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
    }
    let Some((ns, name)) = f.expected_sa.ok() else {
        let written: Vec<&str> = claim_entries(chosen.statement, "sub")
            .flat_map(|(_, e)| e.values.iter().map(Str::as_str))
            .collect();
        return Outcome::not_checked(
            vec![Input::ServiceAccount, Input::ExpectedServiceAccount],
            format!(
                "not checked: the policy admits `{}`; give --service-account or --expect-service-account to check it is the right one",
                written.join("`, `")
            ),
        );
    };
    let wanted = format!("system:serviceaccount:{ns}:{name}");
    // The linter was told the service account: it judges the binding (TP032) and its breadth.
    if let Some(d) = lint_finding(lint, &["TP029", "TP032"], &scope, Severity::Warning)
        .or_else(|| lint_finding(lint, &["TP032"], "", Severity::Warning))
    {
        return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
    }
    // An explicit Deny that matches the service account beats the Allow.
    let audience = f.audience();
    let provider = chosen.provider.provider.as_str();
    let denies = |deny: &&crate::policy::model::Statement<'_>| {
        let principal = deny.principals.is_empty()
            || deny.principals.iter().any(|p| {
                p.value.as_str() == "*" || p.value.as_str() == chosen.principal.value.as_str()
            });
        principal
            && deny.condition_entries().all(|(block, entry)| {
                if entry.key == format!("{provider}:sub") {
                    entry_admits(&block.op, &entry.values, &wanted)
                } else if entry.key == format!("{provider}:aud") {
                    entry_admits(&block.op, &entry.values, &audience)
                } else {
                    true
                }
            })
    };
    if let Some(deny) = chosen
        .policy
        .statements
        .iter()
        .filter(|s| {
            s.effect == Some(Effect::Deny) && s.action_matches("sts:AssumeRoleWithWebIdentity")
        })
        .find(denies)
    {
        let d = at(
            Diagnostic::new(&TP032, format!(
                "statement {} denies `{wanted}`: an explicit `Deny` beats the `Allow` of statement {}",
                deny.ordinal, chosen.statement.ordinal
            )),
            chosen.doc.range(deny.node.range),
        )
        .with_pointer(deny.pointer())
        .with_help("narrow the Deny's conditions so they no longer match this service account, or drop the statement");
        return Outcome::Finding(d, Some(Input::TrustPolicy));
    }
    Outcome::pass(format!("admits `{wanted}` and no other"))
}

/// `aws.account` (IRSA): the provider the trust policy names is in the role's account (TP041).
pub(crate) fn irsa_account(cx: &mut Cx<'_>, run: &Run) -> Outcome {
    let role = cx.the_role();
    let Some(role_account) = role.as_ref().and_then(|r| r.account.as_deref()) else {
        if matches!(cx.f.role, Slot::Broken) {
            return Outcome::blocked("input.role-arn");
        }
        return Outcome::needs(&[Input::RoleArn, Input::ServiceAccount, Input::HelmValues]);
    };
    let Some(chosen) = cx.chosen.as_ref() else {
        if let Some(by) = run.blocker(&["trust.principal", "trust.policy", "input.trust-policy"]) {
            return Outcome::blocked(by);
        }
        return Outcome::needs(&[Input::TrustPolicy, Input::Live]);
    };
    if chosen.provider.account == role_account {
        return Outcome::pass(format!("both in account {role_account}"));
    }
    // The linter judges the principal's account against the role's (TP041).
    let lint = chosen.doc.lint_with(&LintContext {
        role_arn: role.as_ref().map(|r| r.text.clone()),
        ..LintContext::default()
    });
    match lint_finding(
        &lint,
        &["TP041"],
        &chosen.principal_pointer(),
        Severity::Warning,
    ) {
        // The rule warns (it cannot know the role is this one); doctor knows: STS looks for
        // the provider in the role's own account only, so the link is broken.
        Some(d) => Outcome::Finding(
            d.clone().with_severity(Severity::Error),
            Some(Input::TrustPolicy),
        ),
        None => Outcome::pass(format!(
            "the provider is in account {}, the role in {role_account}",
            chosen.provider.account
        )),
    }
}

/// One place a partition comes from.
struct PartitionSource {
    what: String,
    partition: String,
    input: Option<Input>,
    range: Option<TextRange>,
    trust: bool,
    registry: bool,
}

impl PartitionSource {
    fn plain(what: String, partition: String) -> Self {
        Self {
            what,
            partition,
            input: None,
            range: None,
            trust: false,
            registry: false,
        }
    }
}

/// `aws.partition`: the role, the provider (or the cluster) and the registry are in one
/// partition; the odd one out is the broken link (TP040, RF050 for the registry).
pub(crate) fn partition(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let mut sources = Vec::new();
    if let Some(p) = cx.the_role().and_then(|r| r.partition) {
        sources.push(PartitionSource::plain("the role".to_owned(), p));
    }
    let missing: &[Input] = match cx.mode {
        Mode::Irsa => {
            if let Some(c) = cx.chosen.as_ref() {
                sources.push(PartitionSource {
                    input: Some(Input::TrustPolicy),
                    range: c.principal_range(),
                    trust: true,
                    ..PartitionSource::plain(
                        "the trust policy's provider ARN".to_owned(),
                        c.provider.partition.clone(),
                    )
                });
            }
            let issuer_region = f.issuer.ok().and_then(|i| i.region.clone()).or_else(|| {
                f.cluster
                    .ok()
                    .and_then(|c| c.arn.as_ref().map(|a| a.1.clone()))
            });
            if let Some(p) = issuer_region.as_deref().and_then(aws::region_partition) {
                sources.push(PartitionSource::plain(
                    format!("the cluster's region {}", issuer_region.unwrap_or_default()),
                    p.to_owned(),
                ));
            }
            &[
                Input::RoleArn,
                Input::TrustPolicy,
                Input::Issuer,
                Input::Registry,
            ]
        }
        Mode::PodIdentity => {
            if let Some((p, region, _)) = f.cluster.ok().and_then(|c| c.arn.clone()) {
                sources.push(PartitionSource::plain(format!("the cluster ({region})"), p));
            }
            &[
                Input::RoleArn,
                Input::Association,
                Input::Cluster,
                Input::Registry,
            ]
        }
    };
    if let Some(p) = f.registry.ok().and_then(Registry::partition) {
        sources.push(PartitionSource {
            registry: true,
            ..PartitionSource::plain("the registry host".to_owned(), p.to_owned())
        });
    }
    compare_partitions(&sources, missing)
}

/// Compares partitions; the odd one out is the broken link.
fn compare_partitions(sources: &[PartitionSource], missing: &[Input]) -> Outcome {
    if sources.len() < 2 {
        return Outcome::needs(missing);
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for s in sources {
        match counts.iter_mut().find(|(p, _)| *p == s.partition) {
            Some((_, n)) => *n += 1,
            None => counts.push((&s.partition, 1)),
        }
    }
    if counts.len() == 1 {
        return Outcome::pass(format!("all in `{}`", counts[0].0));
    }
    // The majority (ties: the role's side, listed first) is taken as intended.
    let most = counts.iter().map(|c| c.1).max().unwrap_or(0);
    let majority = if counts.iter().filter(|(_, n)| *n == most).count() > 1 {
        sources[0].partition.as_str()
    } else {
        counts
            .iter()
            .find(|(_, n)| *n == most)
            .map(|(p, _)| *p)
            .unwrap_or_default()
    };
    let odd: Vec<&PartitionSource> = sources.iter().filter(|s| s.partition != majority).collect();
    let listing: Vec<String> = sources
        .iter()
        .map(|s| format!("{} `{}`", s.what, s.partition))
        .collect();
    let first = odd[0];
    let rule = if odd.iter().all(|s| s.registry) {
        &RF050
    } else {
        &TP040
    };
    let d = at(
        Diagnostic::new(rule, format!(
            "partitions disagree: {}; cross-partition trust is impossible, so {} must be in `{majority}` too",
            listing.join(", "),
            odd.iter().map(|s| s.what.as_str()).collect::<Vec<_>>().join(" and ")
        )),
        first.range,
    )
    .with_help(if first.trust {
        format!("write `arn:{majority}:…` in the trust policy's principal (the product doc hard-codes `aws`)")
    } else if first.registry {
        format!("pull from a registry of partition `{majority}`: a role cannot reach another partition's registry")
    } else {
        format!("keep the role, its OIDC provider and the cluster in one partition (`{majority}`)")
    });
    Outcome::Finding(d, first.input)
}

/// `registry`: the role's account can pull from the registry (offline: same account).
pub(crate) fn registry(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let Some(registry) = cx.f.registry.ok() else {
        return Outcome::needs(&[Input::Registry]);
    };
    match registry {
        Registry::Public { host } => Outcome::pass(format!(
            "`{host}` is public ECR: pulling needs no credentials"
        )),
        Registry::Other { host } => Outcome::not_checked(
            Vec::new(),
            format!("not checked: `{host}` is not an ECR host, so IAM roles do not apply to it"),
        ),
        Registry::Private {
            host,
            account,
            region,
            ..
        } => {
            let role = cx.the_role();
            let Some(role_account) = role.as_ref().and_then(|r| r.account.as_deref()) else {
                if matches!(cx.f.role, Slot::Broken) {
                    return Outcome::blocked("input.role-arn");
                }
                return Outcome::needs(&[Input::RoleArn, Input::ServiceAccount]);
            };
            if role_account == account {
                Outcome::pass(format!(
                    "`{host}` is in the role's account {account} ({region}); tokens come from ECR in {region}"
                ))
            } else {
                Outcome::not_checked(
                    Vec::new(),
                    format!(
                        "not checked offline: `{host}` is in account {account}, the role in {role_account}. A cross-account pull works only if the repository policy in {account} grants the role `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` (and the role's own policy allows them)"
                    ),
                )
            }
        }
    }
}

/// `role.permissions`: the role's own permissions, judged by the linter's `EP…` rules for
/// pulling from the registry.
pub(crate) fn permissions(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let inputs = cx.inputs;
    let Some(text) = inputs
        .permissions_policy
        .as_ref()
        .filter(|t| !t.trim().is_empty())
    else {
        return Outcome::needs(&[Input::PermissionsPolicy]);
    };
    let repository = inputs.repository.as_ref();
    let host = match cx.f.registry.ok() {
        Some(Registry::Private { host, .. }) => Some(host.clone()),
        _ => None,
    };
    let role: Option<Role> = cx.the_role();
    let ctx = LintContext {
        role_arn: role.filter(|r| r.account.is_some()).map(|r| r.text),
        registry_host: host.clone(),
        repository: repository.filter(|_| host.is_some()).cloned(),
        // The role's own policy, the one its pods pull with.
        pull_role: true,
        ..LintContext::default()
    };
    let out = policy::lint(text, Some(PolicyKind::Permissions), &ctx);
    let worst = out.diagnostics.iter().find(|d| d.is_error()).or_else(|| {
        out.diagnostics
            .iter()
            .find(|d| d.severity() == Severity::Warning)
    });
    match worst {
        Some(d) => Outcome::Finding(d.clone(), Some(Input::PermissionsPolicy)),
        None => Outcome::pass(match (&host, repository) {
            (Some(h), Some(r)) => format!("allows a token and pulls from `{h}/{r}`"),
            (Some(h), None) => {
                format!("allows a token and pulls from `{h}` (give --repository to check one)")
            }
            _ => "allows a token and pulls (give --registry to check the repository's ARN)"
                .to_owned(),
        }),
    }
}
