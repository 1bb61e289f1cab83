//! The EKS Pod Identity chain: association ↔ service account, role and cluster; the trust
//! policy's `pods.eks.amazonaws.com` statement and its session-tag conditions; partitions, the
//! registry and the pod's environment.

use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::LintContext;
use crate::policy::aws::{self, Role};
use crate::policy::json;
use crate::policy::model::{Policy, Statement, Str};
use crate::policy::rules::eval::entry_admits;
use crate::policy::rules::tp032_expected_binding::TP032;
use crate::policy::rules::{POD_IDENTITY_SERVICE, is_pod_identity_statement};
use crate::registry_form::rules::rf050::RF050;

use super::artifacts::{
    self, Association, Cluster, PodEnv, ROLE_ANNOTATION, ServiceAccount, TrustDocument, TrustInput,
};
use super::irsa::{
    self, PartitionSource, compare_partitions, expected_sa, pod_precedence, registry_reach,
    trust_document,
};
use super::registry::{self, Registry};
use super::rules::{DR015, DR020, DR021, DR022, DR023, DR025, DR026};
use super::{Checklist, DoctorInputs, Input, Mode, Run, Skip, Slot, lint_finding, load};

const SERVICE: &str = POD_IDENTITY_SERVICE;

struct Facts {
    association: Slot<Association>,
    sa: Slot<ServiceAccount>,
    expected_sa: Slot<(String, String)>,
    trust: Slot<TrustInput>,
    role: Slot<Role>,
    cluster: Slot<Cluster>,
    registry: Slot<Registry>,
    env: Slot<PodEnv>,
}

fn at(mut d: Diagnostic, range: Option<crate::text::TextRange>) -> Diagnostic {
    if let Some(r) = range {
        d = d.range(r);
    }
    d
}

pub(crate) fn check(inputs: &DoctorInputs) -> Checklist {
    let mut run = Run::default();
    let association = load(
        &mut run,
        Input::Association,
        inputs.association.as_ref(),
        artifacts::association,
    );
    let sa = load(
        &mut run,
        Input::ServiceAccount,
        inputs.service_account.as_ref(),
        artifacts::service_account,
    );
    let expected_sa = expected_sa(&mut run, &sa, inputs.expected_service_account.as_ref());
    let trust = load(
        &mut run,
        Input::TrustPolicy,
        inputs.trust_policy.as_ref(),
        |text| artifacts::trust_policy(text, &LintContext::default()),
    );
    let role = load(&mut run, Input::RoleArn, inputs.role_arn.as_ref(), |t| {
        aws::parse_role(t, true)
            .map_err(|why| Diagnostic::new(&RF050, why).range(crate::text::TextRange::of(t)))
    });
    let cluster = load(
        &mut run,
        Input::Cluster,
        inputs.cluster.as_ref(),
        artifacts::cluster,
    );
    let registry = load(
        &mut run,
        Input::Registry,
        inputs.registry.as_ref(),
        registry::read,
    );
    let env = load(
        &mut run,
        Input::PodEnv,
        inputs.pod_env.as_ref(),
        artifacts::pod_env,
    );
    let f = Facts {
        association,
        sa,
        expected_sa,
        trust,
        role,
        cluster,
        registry,
        env,
    };

    association_sa(&mut run, &f);
    association_role(&mut run, &f);
    association_cluster(&mut run, &f);
    let the_role = f.role.ok().cloned().or_else(|| {
        f.association
            .ok()
            .and_then(|a| a.role_arn.as_ref())
            .and_then(|r| aws::parse_role(&r.value, false).ok())
    });
    role_account(&mut run, &f, the_role.as_ref());

    let doc = trust_document(&f.trust);
    let root = doc.and_then(|d| json::parse(&d.text).ok());
    let model = root.as_ref().and_then(Policy::build);
    let policy = irsa::trust_policy(&mut run, &f.trust, model.as_ref());
    let statement = trust_principal(&mut run, doc, policy);
    trust_tags(&mut run, &f, statement);

    let mut sources = Vec::new();
    if let Some(p) = the_role.as_ref().and_then(|r| r.partition.clone()) {
        sources.push(PartitionSource {
            what: "the role".to_owned(),
            partition: p,
            input: None,
            range: None,
            trust: false,
            registry: false,
        });
    }
    if let Some((p, region, _)) = f.cluster.ok().and_then(|c| c.arn.clone()) {
        sources.push(PartitionSource {
            what: format!("the cluster ({region})"),
            partition: p,
            input: None,
            range: None,
            trust: false,
            registry: false,
        });
    }
    if let Some(p) = f.registry.ok().and_then(Registry::partition) {
        sources.push(PartitionSource {
            what: "the registry host".to_owned(),
            partition: p.to_owned(),
            input: None,
            range: None,
            trust: false,
            registry: true,
        });
    }
    compare_partitions(
        &mut run,
        &sources,
        &[
            Input::RoleArn,
            Input::Association,
            Input::Cluster,
            Input::Registry,
        ],
    );
    registry_reach(&mut run, &f.registry, the_role.as_ref(), &f.role);
    irsa::permissions(
        &mut run,
        inputs.permissions_policy.as_ref(),
        inputs.repository.as_ref(),
        the_role.as_ref(),
        &f.registry,
    );

    pod_env(&mut run, &f.env);
    let annotation = f.sa.ok().and_then(|s| s.annotation(ROLE_ANNOTATION));
    pod_precedence(&mut run, &f.env, true, annotation);
    irsa::live_token(&mut run, inputs.registry_token.as_ref(), &f.registry);
    run.finish(Mode::PodIdentity)
}

fn association<'a>(
    run: &mut Run,
    id: &'static str,
    title: &'static str,
    f: &'a Facts,
) -> Option<&'a Association> {
    match &f.association {
        Slot::Ok(a) => Some(a),
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.association"));
            None
        }
        Slot::Absent => {
            run.needs(id, title, &[Input::Association]);
            None
        }
    }
}

fn association_sa(run: &mut Run, f: &Facts) {
    let (id, title) = (
        "association.service-account",
        "The association is for this service account",
    );
    let Some(a) = association(run, id, title, f) else {
        return;
    };
    let (ns, name) = match &f.expected_sa {
        Slot::Ok(pair) => pair,
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.expect-service-account"));
            return;
        }
        Slot::Absent => {
            if matches!(f.sa, Slot::Broken) {
                run.skip(id, title, Skip::Blocked("input.service-account"));
            } else {
                run.needs(
                    id,
                    title,
                    &[Input::ServiceAccount, Input::ExpectedServiceAccount],
                );
            }
            return;
        }
    };
    let a_ns = a
        .namespace
        .as_ref()
        .map(|l| l.value.as_str())
        .unwrap_or_default();
    let a_name = a
        .service_account
        .as_ref()
        .map(|l| l.value.as_str())
        .unwrap_or_default();
    if a_ns == ns && a_name == name {
        run.pass(id, title, format!("`{ns}/{name}`"));
        return;
    }
    let range = if a_ns == ns {
        a.service_account.as_ref()
    } else {
        a.namespace.as_ref()
    }
    .and_then(|l| l.range);
    let d = at(
        Diagnostic::new(&DR020, format!(
            "the association is for `{a_ns}/{a_name}`, but the service account is `{ns}/{name}`: the agent gives its pods no credentials"
        )),
        range,
    )
    .help(format!(
        "create an association for it: `aws eks create-pod-identity-association --cluster-name <cluster> --namespace {ns} --service-account {name} --role-arn <role ARN>` (namespace and service account cannot be updated)"
    ));
    run.fail(id, title, d, Some(Input::Association));
}

fn association_role(run: &mut Run, f: &Facts) {
    let (id, title) = ("association.role", "The association names this role");
    let Some(a) = association(run, id, title, f) else {
        return;
    };
    let role = match &f.role {
        Slot::Ok(r) => r,
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.role-arn"));
            return;
        }
        Slot::Absent => {
            run.needs(id, title, &[Input::RoleArn]);
            return;
        }
    };
    let Some(located) = &a.role_arn else {
        run.needs(id, title, &[Input::Association]);
        return;
    };
    match aws::parse_role(&located.value, false) {
        Ok(actual) if actual.same_as(role) => run.pass(id, title, format!("`{}`", actual.text)),
        _ => {
            let d = at(
                Diagnostic::new(&DR021, format!(
                    "the association names `{}`, not `{}`: pods get the other role",
                    located.value, role.text
                )),
                located.range,
            )
            .help(format!("`aws eks update-pod-identity-association --cluster-name <cluster> --association-id <id> --role-arn {}`", role.text));
            run.fail(id, title, d, Some(Input::Association));
        }
    }
}

fn association_cluster(run: &mut Run, f: &Facts) {
    let (id, title) = ("association.cluster", "The association is in this cluster");
    let Some(a) = association(run, id, title, f) else {
        return;
    };
    let cluster = match &f.cluster {
        Slot::Ok(c) => c,
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.cluster"));
            return;
        }
        Slot::Absent => {
            run.needs(id, title, &[Input::Cluster]);
            return;
        }
    };
    let (Some(assoc), Some(name)) = (&a.cluster_name, &cluster.name) else {
        run.needs(id, title, &[Input::Cluster, Input::Association]);
        return;
    };
    if assoc.value == *name {
        run.pass(id, title, format!("`{name}`"));
    } else {
        let d = at(
            Diagnostic::new(
                &DR025,
                format!(
                    "the association is in cluster `{}`, but the cluster checked is `{name}`",
                    assoc.value
                ),
            ),
            assoc.range,
        )
        .help(format!("create the association in `{name}`"));
        run.fail(id, title, d, Some(Input::Association));
    }
}

fn role_account(run: &mut Run, f: &Facts, role: Option<&Role>) {
    let (id, title) = ("aws.account", "The role is in the cluster's account");
    let Some(role_account) = role.and_then(|r| r.account.clone()) else {
        run.needs(id, title, &[Input::RoleArn, Input::Association]);
        return;
    };
    let Some((_, _, cluster_account)) = f.cluster.ok().and_then(|c| c.arn.clone()) else {
        if matches!(f.cluster, Slot::Broken) {
            run.skip(id, title, Skip::Blocked("input.cluster"));
        } else {
            run.needs(id, title, &[Input::Cluster]);
        }
        return;
    };
    if role_account == cluster_account {
        run.pass(id, title, format!("both in account {role_account}"));
    } else if let Some(target) = f.association.ok().and_then(|a| a.target_role_arn.clone()) {
        run.pass(id, title, format!("the role is in {role_account}, the cluster in {cluster_account}; the association chains to `{target}`"));
    } else {
        let d = Diagnostic::new(&DR026, format!(
            "the role is in account {role_account}, but the cluster is in {cluster_account}: an association takes a role of the cluster's own account"
        ))
        .help("associate a role of the cluster's account and give the other account's role as `--target-role-arn`");
        run.fail(id, title, d, None);
    }
}

const TRUST_PRINCIPAL: (&str, &str) = (
    "trust.principal",
    "A statement lets EKS Pod Identity assume the role",
);

fn trust_principal<'p>(
    run: &mut Run,
    doc: Option<&'p TrustDocument>,
    policy: Option<&'p Policy<'p>>,
) -> Option<(&'p TrustDocument, &'p Statement<'p>)> {
    let (id, title) = TRUST_PRINCIPAL;
    let (Some(policy), Some(doc)) = (policy, doc) else {
        if let Some(by) = run.blocker(&["trust.policy", "input.trust-policy"]) {
            run.skip(id, title, Skip::Blocked(by));
        } else {
            run.needs(id, title, &[Input::TrustPolicy, Input::Live]);
        }
        return None;
    };
    let Some(statement) = policy
        .statements
        .iter()
        .find(|s| is_pod_identity_statement(s))
    else {
        let irsa = policy
            .statements
            .iter()
            .any(|s| s.principals_of("Federated").next().is_some());
        let d = Diagnostic::new(&DR015, format!("no `Allow` statement trusts `{{\"Service\": \"{SERVICE}\"}}`, the principal EKS Pod Identity assumes roles as"))
            .help(if irsa {
                "this trust policy is written for IRSA: check it with `pullpass doctor irsa`, or add the Pod Identity statement (`pullpass trust-policy pod-identity`)"
            } else {
                "add the statement `pullpass trust-policy pod-identity` prints"
            });
        run.fail(id, title, d, None);
        return None;
    };
    // The actions the agent needs (TP050), or actions for another principal (TP011).
    if let Some(d) = lint_finding(
        &doc.lint,
        &["TP050", "TP011"],
        &statement.pointer(),
        Severity::Error,
    ) {
        run.fail(id, title, d.clone(), Some(Input::TrustPolicy));
        return None;
    }
    run.pass(
        id,
        title,
        format!(
            "statement {} lets `{SERVICE}` call sts:AssumeRole and sts:TagSession",
            statement.ordinal
        ),
    );
    Some((doc, statement))
}

fn trust_tags(run: &mut Run, f: &Facts, chosen: Option<(&TrustDocument, &Statement<'_>)>) {
    let (id, title) = (
        "trust.tags",
        "Session-tag conditions admit the service account",
    );
    let Some((doc, statement)) = chosen else {
        run.depends(
            id,
            title,
            TRUST_PRINCIPAL.0,
            &[Input::TrustPolicy, Input::Live],
        );
        return;
    };
    let first_tag = statement
        .condition_entries()
        .map(|(_, e)| e.key)
        .find(|k| k.to_ascii_lowercase().starts_with("aws:requesttag/"));
    if let Some(disabled) = f.association.ok().and_then(|a| a.disable_session_tags)
        && let Some(key) = first_tag
    {
        let d = Diagnostic::new(&DR023, format!(
            "the association disables session tags, but the trust policy conditions on `{key}`: the tags are never sent, so the condition never matches"
        ))
        .range(disabled)
        .help("enable session tags on the association (`aws eks update-pod-identity-association … --no-disable-session-tags`) or drop the tag conditions");
        run.fail(id, title, d, Some(Input::Association));
        return;
    }
    // No namespace / service-account conditions (TP051).
    if let Some(d) = lint_finding(
        &doc.lint,
        &["TP051"],
        &statement.pointer(),
        Severity::Warning,
    ) {
        run.fail(id, title, d.clone(), Some(Input::TrustPolicy));
        return;
    }
    // What the agent sends for this service account in this cluster (the association's own
    // values only when those are unknown: a wrong association is its own link).
    let a = f.association.ok();
    let ns = f.expected_sa.ok().map(|p| p.0.clone()).or_else(|| {
        a.and_then(|a| a.namespace.as_ref())
            .map(|l| l.value.clone())
    });
    let name = f.expected_sa.ok().map(|p| p.1.clone()).or_else(|| {
        a.and_then(|a| a.service_account.as_ref())
            .map(|l| l.value.clone())
    });
    let cluster = f.cluster.ok().and_then(|c| c.name.clone()).or_else(|| {
        a.and_then(|a| a.cluster_name.as_ref())
            .map(|l| l.value.clone())
    });
    let cluster_arn = f.cluster.ok().and_then(|c| c.arn_text.clone());
    // With the role in another account than the cluster (`aws.account` failed) the source
    // conditions belong to a role that has to change anyway: not compared.
    let other_account = run.failed("aws.account");
    let cluster_account = f
        .cluster
        .ok()
        .and_then(|c| c.arn.as_ref().map(|a| a.2.clone()))
        .filter(|_| !other_account);
    let cluster_arn_source = cluster_arn.clone().filter(|_| !other_account);
    let mut checked = Vec::new();
    for (block, entry) in statement.condition_entries() {
        let key = entry.key.to_ascii_lowercase();
        let (what, actual, sender) = match key.as_str() {
            "aws:requesttag/kubernetes-namespace" => (
                "aws:RequestTag/kubernetes-namespace",
                ns.clone(),
                "the agent sends",
            ),
            "aws:requesttag/kubernetes-service-account" => (
                "aws:RequestTag/kubernetes-service-account",
                name.clone(),
                "the agent sends",
            ),
            "aws:requesttag/eks-cluster-name" => (
                "aws:RequestTag/eks-cluster-name",
                cluster.clone(),
                "the agent sends",
            ),
            "aws:requesttag/eks-cluster-arn" => (
                "aws:RequestTag/eks-cluster-arn",
                cluster_arn.clone(),
                "the agent sends",
            ),
            "aws:sourceaccount" => (
                "aws:SourceAccount",
                cluster_account.clone(),
                "the cluster's account is",
            ),
            "aws:sourcearn" => (
                "aws:SourceArn",
                cluster_arn_source.clone(),
                "the cluster's ARN is",
            ),
            _ => continue,
        };
        let Some(actual) = actual else { continue };
        if !entry_admits(&block.op, &entry.values, &actual) {
            let written: Vec<&str> = entry.values.iter().map(Str::as_str).collect();
            let mut d = Diagnostic::new(&TP032, format!(
                "the trust policy requires `{what}` = `{}`, but {sender} `{actual}`: the condition never matches",
                written.join("`, `")
            ))
            .pointer(block.pointer())
            .help(format!("write `\"{what}\": \"{actual}\"`"));
            if let Some(r) = entry.values.first().and_then(|v| doc.range(v.range())) {
                d = d.range(r);
            }
            run.fail(id, title, d, Some(Input::TrustPolicy));
            return;
        }
        checked.push(format!("{what}={actual}"));
    }
    if checked.is_empty() {
        run.skip(id, title, Skip::Needs(
            vec![Input::Association, Input::ServiceAccount],
            "not checked: give --association or --service-account to compare the tag conditions".to_owned(),
        ));
    } else {
        run.pass(
            id,
            title,
            format!("tag conditions match: {}", checked.join(", ")),
        );
    }
}

fn pod_env(run: &mut Run, env: &Slot<PodEnv>) {
    let (id, title) = ("pod.env", "The pod has the Pod Identity variables");
    let env = match env {
        Slot::Ok(e) => e,
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.pod-env"));
            return;
        }
        Slot::Absent => {
            run.needs(id, title, &[Input::PodEnv]);
            return;
        }
    };
    let uri = env
        .get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .filter(|v| !v.value.is_empty());
    let file = env
        .get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        .filter(|v| !v.value.is_empty());
    match (uri, file) {
        (Some(u), Some(_)) => {
            let known = [
                "http://169.254.170.23/v1/credentials",
                "http://[fd00:ec2::23]/v1/credentials",
            ];
            if known.contains(&u.value.as_str()) {
                run.pass(
                    id,
                    title,
                    format!(
                        "`AWS_CONTAINER_CREDENTIALS_FULL_URI={}` and the token file are set",
                        u.value
                    ),
                );
            } else {
                let d = Diagnostic::new(&DR022, format!(
                    "`AWS_CONTAINER_CREDENTIALS_FULL_URI={}` is not the Pod Identity agent (`http://169.254.170.23/v1/credentials`)",
                    u.value
                ))
                .range(u.range)
                .help("remove the hand-set variable and let EKS inject it; restart the pod");
                run.fail(id, title, d, Some(Input::PodEnv));
            }
        }
        (u, f) => {
            let missing: Vec<&str> = [
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", u.is_none()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", f.is_none()),
            ]
            .into_iter()
            .filter_map(|(n, m)| m.then_some(n))
            .collect();
            let d = Diagnostic::new(&DR022, format!(
                "the pod lacks `{}`: EKS did not inject Pod Identity into it",
                missing.join("` and `")
            ))
            .help("install the `eks-pod-identity-agent` add-on, create the association before the pod starts, then restart the pod");
            run.fail(id, title, d, None);
        }
    }
}
