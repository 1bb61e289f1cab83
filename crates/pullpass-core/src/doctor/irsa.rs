//! The IRSA chain: service account → annotation → role → trust policy → OIDC provider →
//! issuer, then partitions/accounts, the registry and the pod's environment.

use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::aws::{self, Issuer, ProviderArn, Role};
use crate::policy::json;
use crate::policy::model::{Effect, Policy, PrincipalValue, Statement, Str};
use crate::policy::rules::eval::entry_admits;
use crate::policy::rules::tp032_expected_binding::TP032;
use crate::policy::rules::tp040_partition_mismatch::TP040;
use crate::policy::rules::{claim_entries, is_pod_identity_statement};
use crate::policy::{self, LintContext, PolicyKind};
use crate::registry_form::rules::rf050::RF050;
use crate::text::TextRange;

use super::artifacts::{
    self, AUDIENCE_ANNOTATION, HelmValues, Located, PodEnv, Provider, ROLE_ANNOTATION,
    STS_REGIONAL_ANNOTATION, ServiceAccount, TrustDocument, TrustInput,
};
use super::registry::{self, Registry};
use super::rules::{
    DR002, DR003, DR004, DR005, DR006, DR007, DR008, DR009, DR010, DR011, DR012, DR013, DR014,
    DR030,
};
use super::{
    Checklist, DEFAULT_AUDIENCE, DoctorInputs, Input, Mode, Run, Skip, Slot, lint_finding, load,
    read_expected_sa,
};

/// Everything read from the inputs, before any cross-check.
pub(crate) struct Facts {
    pub(crate) sa: Slot<ServiceAccount>,
    pub(crate) helm: Slot<HelmValues>,
    /// `namespace/name`, from the service account or `--expect-service-account`.
    pub(crate) expected_sa: Slot<(String, String)>,
    pub(crate) trust: Slot<TrustInput>,
    pub(crate) role: Slot<Role>,
    pub(crate) issuer: Slot<Issuer>,
    pub(crate) cluster: Slot<artifacts::Cluster>,
    pub(crate) provider: Slot<Provider>,
    pub(crate) registry: Slot<Registry>,
    pub(crate) env: Slot<PodEnv>,
}

fn role_input(text: &str) -> Result<Role, Diagnostic> {
    aws::parse_role(text, true).map_err(|why| {
        Diagnostic::new(&RF050, why)
            .range(TextRange::of(text))
            .help("give the role ARN: `arn:aws:iam::<12-digit account>:role/<name>`")
    })
}

fn issuer_input(text: &str) -> Result<Issuer, Diagnostic> {
    aws::parse_issuer(text)
        .map_err(|why| Diagnostic::new(&super::rules::DR001, why).range(TextRange::of(text)))
}

/// The expected service account: the YAML's own name wins over `--expect-service-account`.
pub(crate) fn expected_sa(
    run: &mut Run,
    sa: &Slot<ServiceAccount>,
    given: Option<&String>,
) -> Slot<(String, String)> {
    let from_flag = load(run, Input::ExpectedServiceAccount, given, read_expected_sa);
    if let Some(sa) = sa.ok()
        && let (Some(ns), Some(name)) = (&sa.namespace, &sa.name)
    {
        return Slot::Ok((ns.clone(), name.clone()));
    }
    from_flag
}

impl Facts {
    fn load(inputs: &DoctorInputs, run: &mut Run) -> Self {
        let sa = load(
            run,
            Input::ServiceAccount,
            inputs.service_account.as_ref(),
            artifacts::service_account,
        );
        let helm = load(
            run,
            Input::HelmValues,
            inputs.helm_values.as_ref(),
            artifacts::helm_values,
        );
        let expected_sa = expected_sa(run, &sa, inputs.expected_service_account.as_ref());
        let ctx = LintContext {
            expected_service_account: expected_sa.ok().map(|(ns, name)| format!("{ns}/{name}")),
            ..LintContext::default()
        };
        let trust = load(
            run,
            Input::TrustPolicy,
            inputs.trust_policy.as_ref(),
            |text| artifacts::trust_policy(text, &ctx),
        );
        let role = load(run, Input::RoleArn, inputs.role_arn.as_ref(), role_input);
        let cluster = load(
            run,
            Input::Cluster,
            inputs.cluster.as_ref(),
            artifacts::cluster,
        );
        let mut issuer = load(run, Input::Issuer, inputs.issuer.as_ref(), issuer_input);
        if matches!(issuer, Slot::Absent) {
            issuer = match &cluster {
                Slot::Ok(c) => c
                    .issuer
                    .as_ref()
                    .map_or(Slot::Absent, |(i, _)| Slot::Ok(i.clone())),
                Slot::Broken => Slot::Broken,
                Slot::Absent => Slot::Absent,
            };
        }
        let provider = load(
            run,
            Input::OidcProvider,
            inputs.oidc_provider.as_ref(),
            artifacts::oidc_provider,
        );
        let registry = load(
            run,
            Input::Registry,
            inputs.registry.as_ref(),
            registry::read,
        );
        let env = load(
            run,
            Input::PodEnv,
            inputs.pod_env.as_ref(),
            artifacts::pod_env,
        );
        Self {
            sa,
            helm,
            expected_sa,
            trust,
            role,
            issuer,
            cluster,
            provider,
            registry,
            env,
        }
    }

    /// The issuer's input, for "needs" and "blocked by".
    fn issuer_inputs() -> &'static [Input] {
        &[Input::Issuer, Input::Cluster]
    }

    /// An annotation of the service account, else of the helm values.
    fn annotation(&self, key: &str) -> Option<(&Located, Input)> {
        if let Some(sa) = self.sa.ok() {
            return sa.annotation(key).map(|a| (a, Input::ServiceAccount));
        }
        self.helm
            .ok()
            .and_then(|h| h.annotation(key))
            .map(|a| (a, Input::HelmValues))
    }
}

fn at(mut d: Diagnostic, range: Option<TextRange>) -> Diagnostic {
    if let Some(r) = range {
        d = d.range(r);
    }
    d
}

pub(crate) fn check(inputs: &DoctorInputs) -> Checklist {
    let mut run = Run::default();
    let f = Facts::load(inputs, &mut run);

    let annotated = sa_annotation(&mut run, &f);
    helm_applied(&mut run, &f);
    role_matches_annotation(&mut run, &f, annotated.as_ref());
    let the_role = f.role.ok().cloned().or_else(|| annotated.clone());

    let doc = trust_document(&f.trust);
    let root = doc.and_then(|d| json::parse(&d.text).ok());
    let model = root.as_ref().and_then(Policy::build);
    let policy = trust_policy(&mut run, &f.trust, model.as_ref());
    let chosen = trust_principal(&mut run, &f, doc, policy);
    trust_keys(&mut run, chosen.as_ref());
    trust_issuer(&mut run, &f, chosen.as_ref());
    trust_subject(&mut run, &f, chosen.as_ref());
    let audience = f.annotation(AUDIENCE_ANNOTATION).map_or_else(
        || DEFAULT_AUDIENCE.to_owned(),
        |(a, _)| a.value.trim().to_owned(),
    );
    trust_audience(&mut run, &f, chosen.as_ref(), &audience);

    oidc_provider(&mut run, &f, chosen.as_ref());
    oidc_url(&mut run, &f, chosen.as_ref());
    oidc_client_id(&mut run, &f, &audience);

    account(&mut run, &f, the_role.as_ref(), chosen.as_ref());
    partition(&mut run, &f, the_role.as_ref(), chosen.as_ref());
    registry_reach(&mut run, &f.registry, the_role.as_ref(), &f.role);
    permissions(
        &mut run,
        inputs.permissions_policy.as_ref(),
        inputs.repository.as_ref(),
        the_role.as_ref(),
        &f.registry,
    );

    pod_env(&mut run, &f);
    pod_role(&mut run, &f, annotated.as_ref());
    pod_precedence(&mut run, &f.env, false, None);
    pod_sts(&mut run, &f);
    live_token(&mut run, inputs.registry_token.as_ref(), &f.registry);
    run.finish(Mode::Irsa)
}

const SA_ANNOTATION: (&str, &str) = ("sa.annotation", "The service account names a role");

fn sa_annotation(run: &mut Run, f: &Facts) -> Option<Role> {
    let (id, title) = SA_ANNOTATION;
    let source = match (&f.sa, &f.helm) {
        (Slot::Ok(_), _) => Input::ServiceAccount,
        (_, Slot::Ok(_)) => Input::HelmValues,
        (Slot::Broken, _) => {
            run.skip(id, title, Skip::Blocked("input.service-account"));
            return None;
        }
        (_, Slot::Broken) => {
            run.skip(id, title, Skip::Blocked("input.helm-values"));
            return None;
        }
        _ => {
            run.needs(id, title, &[Input::ServiceAccount, Input::HelmValues]);
            return None;
        }
    };
    let Some((located, source)) = f.annotation(ROLE_ANNOTATION) else {
        let mut d = Diagnostic::new(&DR002, match source {
            Input::ServiceAccount => format!(
                "the service account {} has no `{ROLE_ANNOTATION}` annotation, so the webhook gives its pods no IRSA credentials{}",
                f.sa.ok().and_then(|s| s.name.clone()).unwrap_or_default(),
                match f.helm.ok().and_then(|h| h.annotation(ROLE_ANNOTATION)) {
                    Some(v) => format!(
                        " (the helm values set `{}`: they were never applied)",
                        v.value.trim()
                    ),
                    None => String::new(),
                }
            ),
            _ => {
                let helm = f.helm.ok();
                match helm.and_then(|h| h.misplaced.clone()) {
                    Some((path, _)) => format!(
                        "the helm values set `{path}`, but the chart reads `coderd.builtinProviderServiceAccount.annotations`: the annotation is never applied"
                    ),
                    None => format!(
                        "the helm values set no `{ROLE_ANNOTATION}` annotation under `{}`",
                        helm.and_then(|h| h.path.clone()).unwrap_or_else(|| "coderd.builtinProviderServiceAccount.annotations".to_owned())
                    ),
                }
            }
        })
        .help("set `coderd.builtinProviderServiceAccount.annotations.\"eks.amazonaws.com/role-arn\"` to the role ARN in the helm values, `helm upgrade`, then restart the pods");
        if let Some((_, range)) = f
            .helm
            .ok()
            .and_then(|h| h.misplaced.clone())
            .filter(|_| source == Input::HelmValues)
        {
            d = d.range(range);
        }
        run.fail(id, title, d, Some(source));
        return None;
    };
    match aws::parse_role(&located.value, false) {
        Ok(role) => {
            run.pass(id, title, format!("`{ROLE_ANNOTATION}: {}`", role.text));
            Some(role)
        }
        Err(why) => {
            let d = at(
                Diagnostic::new(&RF050, format!("the `{ROLE_ANNOTATION}` annotation is not a role ARN: {why}")),
                located.range,
            )
            .help("put the full role ARN there, e.g. `arn:aws:iam::123456789012:role/coder-ecr-pull` (the product doc's `my-role-arn` is a placeholder)");
            run.fail(id, title, d, Some(source));
            None
        }
    }
}

fn helm_applied(run: &mut Run, f: &Facts) {
    let (id, title) = ("sa.helm", "The helm values match the live service account");
    let (Slot::Ok(sa), Slot::Ok(helm)) = (&f.sa, &f.helm) else {
        if let Slot::Broken = f.sa {
            run.skip(id, title, Skip::Blocked("input.service-account"));
        } else if let Slot::Broken = f.helm {
            run.skip(id, title, Skip::Blocked("input.helm-values"));
        } else {
            let missing: Vec<Input> = [
                (Input::ServiceAccount, matches!(f.sa, Slot::Absent)),
                (Input::HelmValues, matches!(f.helm, Slot::Absent)),
            ]
            .into_iter()
            .filter_map(|(i, absent)| absent.then_some(i))
            .collect();
            let flags: Vec<&str> = missing.iter().map(|i| i.flag()).collect();
            let detail = format!(
                "not checked: needs both --service-account and --helm-values; give {}",
                flags.join(" and ")
            );
            run.skip(id, title, Skip::Needs(missing, detail));
        }
        return;
    };
    if run.failed(SA_ANNOTATION.0)
        && sa.annotation(ROLE_ANNOTATION).is_none()
        && helm.annotation(ROLE_ANNOTATION).is_none()
    {
        run.skip(id, title, Skip::Blocked(SA_ANNOTATION.0));
        return;
    }
    let live = sa.annotation(ROLE_ANNOTATION);
    let values = helm.annotation(ROLE_ANNOTATION);
    match (live, values) {
        (Some(l), Some(v)) if l.value.trim() == v.value.trim() => {
            run.pass(
                id,
                title,
                "the helm values and the live service account name the same role",
            );
        }
        (Some(l), Some(v)) => {
            let d = at(
                Diagnostic::new(&DR004, format!(
                    "the helm values name `{}`, but the live service account has `{}`: the values were not applied, or belong to another release",
                    v.value.trim(), l.value.trim()
                )),
                v.range,
            )
            .help("run `helm upgrade <release> coder/coder --values <this file>`, then restart the pods");
            run.fail(id, title, d, Some(Input::HelmValues));
        }
        (Some(l), None) => {
            let d = Diagnostic::new(&DR004, format!(
                "the live service account has `{}`, but the helm values set no `{ROLE_ANNOTATION}`: the next `helm upgrade` removes it",
                l.value.trim()
            ))
            .help("add the annotation under `coderd.builtinProviderServiceAccount.annotations` in the values");
            run.fail(id, title, d, None);
        }
        // The live service account lacks the annotation: `sa.annotation` failed and says so.
        (None, _) => run.skip(id, title, Skip::Blocked(SA_ANNOTATION.0)),
    }
}

fn role_matches_annotation(run: &mut Run, f: &Facts, annotated: Option<&Role>) {
    let (id, title) = ("role.annotation", "The annotation names this role");
    if let Some(by) = run.blocker(&[SA_ANNOTATION.0]) {
        run.skip(id, title, Skip::Blocked(by));
        return;
    }
    let role = match &f.role {
        Slot::Ok(role) => role,
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.role-arn"));
            return;
        }
        Slot::Absent => {
            run.needs(id, title, &[Input::RoleArn]);
            return;
        }
    };
    let Some(annotated) = annotated else {
        run.needs(id, title, &[Input::ServiceAccount, Input::HelmValues]);
        return;
    };
    if annotated.same_as(role) {
        run.pass(id, title, format!("the annotation names {}", role.text));
    } else {
        let located = f.annotation(ROLE_ANNOTATION);
        let d = at(
            Diagnostic::new(&DR003, format!(
                "the service account is annotated with `{}`, not with `{}`: its pods assume the other role, whose trust policy and permissions are the ones that count",
                annotated.text, role.text
            )),
            located.and_then(|(l, _)| l.range),
        )
        .help(format!("set the annotation to `{}` in the helm values, `helm upgrade`, then restart the pods", role.text));
        run.fail(id, title, d, located.map(|(_, s)| s));
    }
}

const TRUST_POLICY: (&str, &str) = ("trust.policy", "The trust policy is a valid policy");

/// Codes of the linter that make a trust policy invalid or unusable as a whole (TP061 first:
/// a placeholder explains the rest).
const VALIDITY: &[&str] = &[
    "TP061", "TP001", "TP002", "TP003", "TP004", "TP005", "TP006", "TP007", "TP012", "TP013",
    "TP014", "TP060", "TP064",
];

/// The trust policy's document, when the input is one.
pub(crate) fn trust_document(trust: &Slot<TrustInput>) -> Option<&TrustDocument> {
    match trust.ok() {
        Some(TrustInput::Document(doc)) => Some(doc),
        _ => None,
    }
}

pub(crate) fn trust_policy<'p>(
    run: &mut Run,
    trust: &Slot<TrustInput>,
    model: Option<&'p Policy<'p>>,
) -> Option<&'p Policy<'p>> {
    let (id, title) = TRUST_POLICY;
    match trust {
        Slot::Absent => {
            run.needs(id, title, &[Input::TrustPolicy, Input::Live]);
            None
        }
        // The unreadable finding is already in the list as `input.trust-policy`.
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.trust-policy"));
            None
        }
        Slot::Ok(TrustInput::RoleMissing(said)) => {
            let d = Diagnostic::new(&DR013, format!("IAM says the role does not exist: {said}"))
                .help("create the role, or correct its name and account in `--role-arn` and the annotation");
            run.fail(id, title, d, None);
            None
        }
        Slot::Ok(TrustInput::Document(doc)) => {
            if let Some(d) = lint_finding(&doc.lint, VALIDITY, "", Severity::Error) {
                run.fail(id, title, d.clone(), Some(Input::TrustPolicy));
                return None;
            }
            let Some(policy) = model else {
                run.skip(id, title, Skip::Blocked("input.trust-policy"));
                return None;
            };
            run.pass(
                id,
                title,
                format!("{} statement(s)", policy.statements.len()),
            );
            Some(policy)
        }
    }
}

/// The web-identity statement doctor checks, and its provider.
pub(crate) struct Chosen<'p> {
    pub(crate) doc: &'p TrustDocument,
    pub(crate) policy: &'p Policy<'p>,
    pub(crate) statement: &'p Statement<'p>,
    pub(crate) provider: ProviderArn,
    pub(crate) principal: &'p PrincipalValue<'p>,
}

impl Chosen<'_> {
    /// The principal's range in the input.
    fn principal_range(&self) -> Option<TextRange> {
        self.doc.range(self.principal.value.range())
    }

    fn principal_pointer(&self) -> String {
        self.principal.pointer(self.statement)
    }
}

const TRUST_PRINCIPAL: (&str, &str) = (
    "trust.principal",
    "A statement lets the OIDC provider assume the role",
);
const TRUST_KEYS: (&str, &str) = ("trust.keys", "Condition keys name the trusted provider");

fn trust_principal<'p>(
    run: &mut Run,
    f: &Facts,
    doc: Option<&'p TrustDocument>,
    policy: Option<&'p Policy<'p>>,
) -> Option<Chosen<'p>> {
    let (id, title) = TRUST_PRINCIPAL;
    let (Some(policy), Some(doc)) = (policy, doc) else {
        if let Some(by) = run.blocker(&[TRUST_POLICY.0, "input.trust-policy"]) {
            run.skip(id, title, Skip::Blocked(by));
        } else {
            run.needs(id, title, &[Input::TrustPolicy, Input::Live]);
        }
        return None;
    };
    let no_oidc = |pods: bool| {
        Diagnostic::new(
            &DR014,
            "no `Allow` statement trusts an OIDC provider (`Principal: {\"Federated\": \"arn:…:oidc-provider/…\"}`), so no pod can assume the role with IRSA",
        )
        .help(if pods {
            "this trust policy is written for EKS Pod Identity: check it with `pullpass doctor pod-identity`, or add an IRSA statement (`pullpass trust-policy irsa`)"
        } else {
            "add the IRSA statement `pullpass trust-policy irsa --issuer <issuer> --service-account <ns>/<name>` prints"
        })
    };
    let parsed: Vec<(&Statement<'_>, &PrincipalValue<'_>, Option<ProviderArn>)> = policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| {
            s.principals_of("Federated")
                .map(move |p| (s, p, aws::parse_provider_arn(p.value.as_str())))
        })
        .collect();
    if parsed.is_empty() {
        let pods = policy.statements.iter().any(is_pod_identity_statement);
        run.fail(id, title, no_oidc(pods), None);
        return None;
    }
    let issuer = f.issuer.ok().map(|i| i.path.as_str());
    let pick = parsed
        .iter()
        .find(|(_, _, p)| {
            p.as_ref()
                .is_some_and(|p| Some(p.provider.as_str()) == issuer)
        })
        .or_else(|| parsed.iter().find(|(_, _, p)| p.is_some()));
    let Some((statement, principal, Some(provider))) = pick else {
        // No federated principal is an OIDC provider ARN: the linter says why (TP010).
        let (s, ..) = parsed[0];
        match lint_finding(&doc.lint, &["TP010"], &s.pointer(), Severity::Warning) {
            Some(d) => run.fail(id, title, d.clone(), Some(Input::TrustPolicy)),
            None => run.fail(id, title, no_oidc(false), None),
        }
        return None;
    };
    if let Some(d) = lint_finding(
        &doc.lint,
        &["TP010", "TP013", "TP011", "TP020"],
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
            "statement {} lets `{}` call sts:AssumeRoleWithWebIdentity",
            statement.ordinal,
            principal.value.as_str()
        ),
    );
    Some(Chosen {
        doc,
        policy,
        statement,
        provider: provider.clone(),
        principal,
    })
}

fn trust_keys(run: &mut Run, chosen: Option<&Chosen<'_>>) {
    let (id, title) = TRUST_KEYS;
    let Some(chosen) = chosen else {
        run.depends(
            id,
            title,
            TRUST_PRINCIPAL.0,
            &[Input::TrustPolicy, Input::Live],
        );
        return;
    };
    let scope = chosen.statement.pointer();
    match lint_finding(
        &chosen.doc.lint,
        &["TP022", "TP021"],
        &scope,
        Severity::Warning,
    ) {
        Some(d) => run.fail(id, title, d.clone(), Some(Input::TrustPolicy)),
        None => run.pass(
            id,
            title,
            format!("condition keys are `{}:…`", chosen.provider.provider),
        ),
    }
}

fn trust_issuer(run: &mut Run, f: &Facts, chosen: Option<&Chosen<'_>>) {
    let (id, title) = (
        "trust.issuer",
        "The trusted provider is the cluster's issuer",
    );
    let Some(chosen) = chosen else {
        run.depends(
            id,
            title,
            TRUST_PRINCIPAL.0,
            &[Input::TrustPolicy, Input::Live],
        );
        return;
    };
    let issuer = match &f.issuer {
        Slot::Ok(i) => i,
        Slot::Broken => {
            let by = if matches!(f.cluster, Slot::Broken) {
                "input.cluster"
            } else {
                "input.issuer"
            };
            run.skip(id, title, Skip::Blocked(by));
            return;
        }
        Slot::Absent => {
            run.needs(id, title, Facts::issuer_inputs());
            return;
        }
    };
    let pass = format!("the role trusts the cluster's issuer `{}`", issuer.path);
    if chosen.provider.provider == issuer.path {
        run.pass(id, title, pass);
        return;
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
        Some(d) => run.fail(id, title, d.clone(), Some(Input::TrustPolicy)),
        None => run.pass(id, title, pass),
    }
}

fn trust_subject(run: &mut Run, f: &Facts, chosen: Option<&Chosen<'_>>) {
    let (id, title) = (
        "trust.subject",
        "The trust policy admits exactly the service account",
    );
    let Some(chosen) = chosen else {
        run.depends(
            id,
            title,
            TRUST_PRINCIPAL.0,
            &[Input::TrustPolicy, Input::Live],
        );
        return;
    };
    if let Some(by) = run.blocker(&[TRUST_KEYS.0]) {
        run.skip(id, title, Skip::Blocked(by));
        return;
    }
    let lint = &chosen.doc.lint;
    let scope = chosen.statement.pointer();
    // The claim's shape: present, single-valued operator, wildcards only under `StringLike`.
    if let Some(d) = lint_finding(
        lint,
        &["TP026", "TP030", "TP028", "TP027"],
        &scope,
        Severity::Warning,
    ) {
        run.fail(id, title, d.clone(), Some(Input::TrustPolicy));
        return;
    }
    let Some((ns, name)) = f.expected_sa.ok() else {
        let written: Vec<&str> = claim_entries(chosen.statement, "sub")
            .flat_map(|(_, e)| e.values.iter().map(Str::as_str))
            .collect();
        run.skip(id, title, Skip::Needs(
            vec![Input::ServiceAccount, Input::ExpectedServiceAccount],
            format!("not checked: the policy admits `{}`; give --service-account or --expect-service-account to check it is the right one", written.join("`, `")),
        ));
        return;
    };
    let wanted = format!("system:serviceaccount:{ns}:{name}");
    // The linter was told the service account: it judges the binding (TP032) and its breadth.
    if let Some(d) = lint_finding(lint, &["TP029", "TP032"], &scope, Severity::Warning)
        .or_else(|| lint_finding(lint, &["TP032"], "", Severity::Warning))
    {
        run.fail(id, title, d.clone(), Some(Input::TrustPolicy));
        return;
    }
    // An explicit Deny that matches the service account beats the Allow.
    let audience = f.annotation(AUDIENCE_ANNOTATION).map_or_else(
        || DEFAULT_AUDIENCE.to_owned(),
        |(a, _)| a.value.trim().to_owned(),
    );
    let provider = chosen.provider.provider.as_str();
    for deny in chosen.policy.statements.iter().filter(|s| {
        s.effect == Some(Effect::Deny) && s.action_matches("sts:AssumeRoleWithWebIdentity")
    }) {
        let principal = deny.principals.is_empty()
            || deny.principals.iter().any(|p| {
                p.value.as_str() == "*" || p.value.as_str() == chosen.principal.value.as_str()
            });
        let applies = deny.condition_entries().all(|(block, entry)| {
            if entry.key == format!("{provider}:sub") {
                entry_admits(&block.op, &entry.values, &wanted)
            } else if entry.key == format!("{provider}:aud") {
                entry_admits(&block.op, &entry.values, &audience)
            } else {
                true
            }
        });
        if principal && applies {
            let d = at(
                Diagnostic::new(&TP032, format!(
                    "statement {} denies `{wanted}`: an explicit `Deny` beats the `Allow` of statement {}",
                    deny.ordinal, chosen.statement.ordinal
                )),
                chosen.doc.range(deny.node.range),
            )
            .pointer(deny.pointer())
            .help("narrow the Deny's conditions so they no longer match this service account, or drop the statement");
            run.fail(id, title, d, Some(Input::TrustPolicy));
            return;
        }
    }
    run.pass(id, title, format!("admits `{wanted}` and no other"));
}

fn trust_audience(run: &mut Run, f: &Facts, chosen: Option<&Chosen<'_>>, audience: &str) {
    let (id, title) = (
        "trust.audience",
        "The trust policy checks the token's audience",
    );
    let Some(chosen) = chosen else {
        run.depends(
            id,
            title,
            TRUST_PRINCIPAL.0,
            &[Input::TrustPolicy, Input::Live],
        );
        return;
    };
    if let Some(by) = run.blocker(&[TRUST_KEYS.0]) {
        run.skip(id, title, Skip::Blocked(by));
        return;
    }
    let lint = &chosen.doc.lint;
    let scope = chosen.statement.pointer();
    // Misspelt (TP025).
    if let Some(d) = lint_finding(lint, &["TP025"], &scope, Severity::Error) {
        run.fail(id, title, d.clone(), Some(Input::TrustPolicy));
        return;
    }
    let auds: Vec<_> = claim_entries(chosen.statement, "aud").collect();
    // Missing (TP024). Its other finding, a value that is not `sts.amazonaws.com`, is judged
    // here against the audience the pod's token really carries (DR008).
    if !auds
        .iter()
        .any(|(block, _)| block.op.is_positive_string_match())
        && let Some(d) = lint_finding(lint, &["TP024"], &scope, Severity::Warning)
    {
        run.fail(id, title, d.clone(), Some(Input::TrustPolicy));
        return;
    }
    if let Some((block, entry)) = auds.iter().find(|(block, entry)| {
        block.op.is_positive_string_match() && !entry_admits(&block.op, &entry.values, audience)
    }) {
        let written: Vec<&str> = entry.values.iter().map(Str::as_str).collect();
        let from = if f.annotation(AUDIENCE_ANNOTATION).is_some() {
            format!("the service account's `{AUDIENCE_ANNOTATION}`")
        } else {
            "the default, no `eks.amazonaws.com/audience` annotation".to_owned()
        };
        let d = at(
            Diagnostic::new(&DR008, format!(
                "the trust policy requires the audience `{}`, but the pod's token carries `{audience}` ({from})",
                written.join("`, `")
            )),
            entry.values.first().and_then(|v| chosen.doc.range(v.range())),
        )
        .pointer(block.pointer())
        .help(format!("write `\"{}\": \"{audience}\"`, or annotate the service account with the audience you mean", entry.key));
        run.fail(id, title, d, Some(Input::TrustPolicy));
        return;
    }
    // A pattern on the audience (TP063).
    if let Some(d) = auds
        .iter()
        .find_map(|(_, entry)| lint_finding(lint, &["TP063"], &entry.pointer(), Severity::Warning))
    {
        run.fail(id, title, d.clone(), Some(Input::TrustPolicy));
        return;
    }
    run.pass(
        id,
        title,
        format!("requires the audience `{audience}`, which the pod's token carries"),
    );
}

const OIDC_PROVIDER: (&str, &str) = (
    "oidc.provider",
    "An IAM OIDC provider exists for the issuer",
);

fn oidc_provider(run: &mut Run, f: &Facts, chosen: Option<&Chosen<'_>>) {
    let (id, title) = OIDC_PROVIDER;
    let provider = match &f.provider {
        Slot::Ok(p) => p,
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.oidc-provider"));
            return;
        }
        Slot::Absent => {
            run.needs(id, title, &[Input::OidcProvider, Input::Live]);
            return;
        }
    };
    let issuer = chosen
        .map(|c| c.provider.provider.clone())
        .or_else(|| f.issuer.ok().map(|i| i.path.clone()));
    let create = |issuer: Option<&str>| {
        format!(
            "create it: `eksctl utils associate-iam-oidc-provider --cluster <name> --approve`, or `aws iam create-open-id-connect-provider --url https://{} --client-id-list sts.amazonaws.com`",
            issuer.unwrap_or("<issuer>")
        )
    };
    match provider {
        Provider::Found { url, .. } => {
            run.pass(
                id,
                title,
                format!(
                    "IAM has a provider for `{}`",
                    aws::normalize_provider(url.value.trim()).to_owned()
                ),
            );
        }
        Provider::NotFound(said) => {
            let d = Diagnostic::new(
                &DR005,
                format!(
                    "IAM has no OIDC provider {}: {said}",
                    chosen.map_or_else(String::new, |c| format!("`{}`", c.provider.arn()))
                ),
            )
            .help(create(issuer.as_deref()));
            run.fail(id, title, d, None);
        }
        Provider::List(arns) => {
            let found = match (chosen, &issuer) {
                (Some(c), _) => arns.contains(&c.provider.arn()),
                (None, Some(i)) => arns
                    .iter()
                    .any(|a| a.ends_with(&format!(":oidc-provider/{i}"))),
                (None, None) => {
                    run.needs(
                        id,
                        title,
                        &[Input::TrustPolicy, Input::Issuer, Input::Cluster],
                    );
                    return;
                }
            };
            if found {
                run.pass(
                    id,
                    title,
                    format!(
                        "the account's providers include `{}`",
                        issuer.unwrap_or_default()
                    ),
                );
            } else {
                let d = Diagnostic::new(
                    &DR005,
                    format!(
                        "none of the account's {} OIDC provider(s) is for `{}`",
                        arns.len(),
                        issuer.as_deref().unwrap_or_default()
                    ),
                )
                .help(create(issuer.as_deref()));
                run.fail(id, title, d, None);
            }
        }
    }
}

fn oidc_url(run: &mut Run, f: &Facts, chosen: Option<&Chosen<'_>>) {
    let (id, title) = ("oidc.url", "The provider's URL is the trusted issuer");
    if let Some(by) = run.blocker(&[OIDC_PROVIDER.0]) {
        run.skip(id, title, Skip::Blocked(by));
        return;
    }
    let Some(Provider::Found { url, .. }) = f.provider.ok() else {
        if matches!(f.provider, Slot::Ok(_)) {
            run.pass(id, title, "the provider list names the issuer");
        } else if matches!(f.provider, Slot::Broken) {
            run.skip(id, title, Skip::Blocked("input.oidc-provider"));
        } else {
            run.needs(id, title, &[Input::OidcProvider, Input::Live]);
        }
        return;
    };
    let (expected, what) = match (chosen, f.issuer.ok()) {
        (Some(c), _) => (
            c.provider.provider.clone(),
            "the provider the trust policy names",
        ),
        (None, Some(i)) => (i.path.clone(), "the cluster's issuer"),
        (None, None) => {
            run.needs(
                id,
                title,
                &[Input::TrustPolicy, Input::Issuer, Input::Cluster],
            );
            return;
        }
    };
    let actual = aws::normalize_provider(url.value.trim()).to_owned();
    if actual == expected {
        run.pass(id, title, format!("`{actual}`"));
    } else {
        let d = at(
            Diagnostic::new(&DR006, format!("the provider's URL is `{actual}`, but {what} is `{expected}`: this is a provider for another issuer")),
            url.range,
        )
        .help(format!("fetch (or create) the provider for `https://{expected}`"));
        run.fail(id, title, d, Some(Input::OidcProvider));
    }
}

fn oidc_client_id(run: &mut Run, f: &Facts, audience: &str) {
    let (id, title) = (
        "oidc.client-id",
        "The provider accepts the token's audience",
    );
    if let Some(by) = run.blocker(&[OIDC_PROVIDER.0]) {
        run.skip(id, title, Skip::Blocked(by));
        return;
    }
    let Some(Provider::Found {
        client_ids,
        client_ids_range,
        ..
    }) = f.provider.ok()
    else {
        if matches!(f.provider, Slot::Broken) {
            run.skip(id, title, Skip::Blocked("input.oidc-provider"));
        } else {
            run.needs(id, title, &[Input::OidcProvider, Input::Live]);
        }
        return;
    };
    if client_ids.iter().any(|c| c.value == audience) {
        run.pass(id, title, format!("client IDs include `{audience}`"));
        return;
    }
    let ids: Vec<&str> = client_ids.iter().map(|c| c.value.as_str()).collect();
    let d = Diagnostic::new(&DR007, format!(
        "the provider's client IDs are [{}], without `{audience}`, the token's audience: STS answers `Incorrect token audience`",
        ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
    ))
    .range(*client_ids_range)
    .help(format!("`aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <arn> --client-id {audience}`"));
    run.fail(id, title, d, Some(Input::OidcProvider));
}

fn account(run: &mut Run, f: &Facts, role: Option<&Role>, chosen: Option<&Chosen<'_>>) {
    let (id, title) = ("aws.account", "The provider is in the role's account");
    let Some(role_account) = role.and_then(|r| r.account.as_deref()) else {
        if matches!(f.role, Slot::Broken) {
            run.skip(id, title, Skip::Blocked("input.role-arn"));
        } else {
            run.needs(
                id,
                title,
                &[Input::RoleArn, Input::ServiceAccount, Input::HelmValues],
            );
        }
        return;
    };
    let Some(chosen) = chosen else {
        if let Some(by) = run.blocker(&[TRUST_PRINCIPAL.0, TRUST_POLICY.0, "input.trust-policy"]) {
            run.skip(id, title, Skip::Blocked(by));
        } else {
            run.needs(id, title, &[Input::TrustPolicy, Input::Live]);
        }
        return;
    };
    if chosen.provider.account == role_account {
        run.pass(id, title, format!("both in account {role_account}"));
        return;
    }
    // The linter judges the principal's account against the role's (TP041).
    let lint = chosen.doc.lint_with(&LintContext {
        role_arn: role.map(|r| r.text.clone()),
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
        Some(d) => run.fail(
            id,
            title,
            d.clone().severity(Severity::Error),
            Some(Input::TrustPolicy),
        ),
        None => run.pass(
            id,
            title,
            format!(
                "the provider is in account {}, the role in {role_account}",
                chosen.provider.account
            ),
        ),
    }
}

/// One place a partition comes from.
pub(crate) struct PartitionSource {
    pub(crate) what: String,
    pub(crate) partition: String,
    pub(crate) input: Option<Input>,
    pub(crate) range: Option<TextRange>,
    pub(crate) trust: bool,
    pub(crate) registry: bool,
}

/// Compares partitions; the odd one out is the broken link.
pub(crate) fn compare_partitions(run: &mut Run, sources: &[PartitionSource], missing: &[Input]) {
    let (id, title) = ("aws.partition", "Partitions agree");
    if sources.len() < 2 {
        run.needs(id, title, missing);
        return;
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for s in sources {
        match counts.iter_mut().find(|(p, _)| *p == s.partition) {
            Some((_, n)) => *n += 1,
            None => counts.push((&s.partition, 1)),
        }
    }
    if counts.len() == 1 {
        run.pass(id, title, format!("all in `{}`", counts[0].0));
        return;
    }
    // The majority (ties: the role's side, listed first) is taken as intended.
    let majority = counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(p, _)| *p)
        .unwrap_or_default();
    let majority = if counts
        .iter()
        .filter(|(_, n)| *n == counts.iter().map(|c| c.1).max().unwrap_or(0))
        .count()
        > 1
    {
        sources[0].partition.as_str()
    } else {
        majority
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
            "partitions disagree: {}. Cross-partition trust is impossible, so {} must be in `{majority}` too",
            listing.join(", "),
            odd.iter().map(|s| s.what.as_str()).collect::<Vec<_>>().join(" and ")
        )),
        first.range,
    )
    .help(if first.trust {
        format!("write `arn:{majority}:…` in the trust policy's principal (the product doc hard-codes `aws`)")
    } else if first.registry {
        format!("pull from a registry of partition `{majority}`: a role cannot reach another partition's registry")
    } else {
        format!("keep the role, its OIDC provider and the cluster in one partition (`{majority}`)")
    });
    run.fail(id, title, d, first.input);
}

fn partition(run: &mut Run, f: &Facts, role: Option<&Role>, chosen: Option<&Chosen<'_>>) {
    let mut sources = Vec::new();
    if let Some(p) = role.and_then(|r| r.partition.clone()) {
        sources.push(PartitionSource {
            what: "the role".to_owned(),
            partition: p,
            input: None,
            range: None,
            trust: false,
            registry: false,
        });
    }
    if let Some(c) = chosen {
        sources.push(PartitionSource {
            what: "the trust policy's provider ARN".to_owned(),
            partition: c.provider.partition.clone(),
            input: Some(Input::TrustPolicy),
            range: c.principal_range(),
            trust: true,
            registry: false,
        });
    }
    let issuer_region = f.issuer.ok().and_then(|i| i.region.clone()).or_else(|| {
        f.cluster
            .ok()
            .and_then(|c| c.arn.as_ref().map(|a| a.1.clone()))
    });
    if let Some(p) = issuer_region.as_deref().and_then(aws::region_partition) {
        sources.push(PartitionSource {
            what: format!("the cluster's region {}", issuer_region.unwrap_or_default()),
            partition: p.to_owned(),
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
        run,
        &sources,
        &[
            Input::RoleArn,
            Input::TrustPolicy,
            Input::Issuer,
            Input::Registry,
        ],
    );
}

pub(crate) fn registry_reach(
    run: &mut Run,
    registry: &Slot<Registry>,
    role: Option<&Role>,
    role_slot: &Slot<Role>,
) {
    let (id, title) = ("registry", "The role's account can pull from the registry");
    let registry = match registry {
        Slot::Ok(r) => r,
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.registry"));
            return;
        }
        Slot::Absent => {
            run.needs(id, title, &[Input::Registry]);
            return;
        }
    };
    match registry {
        Registry::Public { host } => run.pass(
            id,
            title,
            format!("`{host}` is public ECR: pulling needs no credentials"),
        ),
        Registry::Other { host } => run.skip(
            id,
            title,
            Skip::Needs(
                Vec::new(),
                format!(
                    "not checked: `{host}` is not an ECR host, so IAM roles do not apply to it"
                ),
            ),
        ),
        Registry::Private {
            host,
            account,
            region,
            ..
        } => {
            let Some(role_account) = role.and_then(|r| r.account.as_deref()) else {
                if matches!(role_slot, Slot::Broken) {
                    run.skip(id, title, Skip::Blocked("input.role-arn"));
                } else {
                    run.needs(id, title, &[Input::RoleArn, Input::ServiceAccount]);
                }
                return;
            };
            if role_account == account {
                run.pass(id, title, format!("`{host}` is in the role's account {account} ({region}); tokens come from ECR in {region}"));
            } else {
                run.skip(id, title, Skip::Needs(Vec::new(), format!(
                    "not checked offline: `{host}` is in account {account}, the role in {role_account}. A cross-account pull works only if the repository policy in {account} grants the role `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` (and the role's own policy allows them)"
                )));
            }
        }
    }
}

/// The role's own permissions, judged by the linter's `EP…` rules for pulling from the registry.
pub(crate) fn permissions(
    run: &mut Run,
    text: Option<&String>,
    repository: Option<&String>,
    role: Option<&Role>,
    registry: &Slot<Registry>,
) {
    let (id, title) = ("role.permissions", "The role's permissions let it pull");
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        run.needs(id, title, &[Input::PermissionsPolicy]);
        return;
    };
    let host = match registry {
        Slot::Ok(Registry::Private { host, .. }) => Some(host.clone()),
        _ => None,
    };
    let ctx = LintContext {
        role_arn: role.filter(|r| r.account.is_some()).map(|r| r.text.clone()),
        registry_host: host.clone(),
        repository: repository.filter(|_| host.is_some()).cloned(),
        ..LintContext::default()
    };
    let out = policy::lint(text, Some(PolicyKind::Permissions), &ctx);
    let worst = out.diagnostics.iter().find(|d| d.is_error()).or_else(|| {
        out.diagnostics
            .iter()
            .find(|d| d.severity == Severity::Warning)
    });
    match worst {
        Some(d) => run.fail(id, title, d.clone(), Some(Input::PermissionsPolicy)),
        None => run.pass(
            id,
            title,
            match (&host, repository) {
                (Some(h), Some(r)) => format!("allows a token and pulls from `{h}/{r}`"),
                (Some(h), None) => {
                    format!("allows a token and pulls from `{h}` (give --repository to check one)")
                }
                _ => "allows a token and pulls (give --registry to check the repository's ARN)"
                    .to_owned(),
            },
        ),
    }
}

const POD_ENV: (&str, &str) = ("pod.env", "The pod has the IRSA variables");

fn pod_env_slot<'e>(
    run: &mut Run,
    id: &'static str,
    title: &'static str,
    env: &'e Slot<PodEnv>,
) -> Option<&'e PodEnv> {
    match env {
        Slot::Ok(e) => Some(e),
        Slot::Broken => {
            run.skip(id, title, Skip::Blocked("input.pod-env"));
            None
        }
        Slot::Absent => {
            run.needs(id, title, &[Input::PodEnv]);
            None
        }
    }
}

fn pod_env(run: &mut Run, f: &Facts) {
    let (id, title) = POD_ENV;
    let Some(env) = pod_env_slot(run, id, title, &f.env) else {
        return;
    };
    let role = env.get("AWS_ROLE_ARN").filter(|v| !v.value.is_empty());
    let file = env
        .get("AWS_WEB_IDENTITY_TOKEN_FILE")
        .filter(|v| !v.value.is_empty());
    if role.is_some() && file.is_some() {
        run.pass(
            id,
            title,
            "`AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` are set",
        );
        return;
    }
    // Nothing injected because the annotation is missing: that link already failed.
    if role.is_none()
        && file.is_none()
        && let Some(by) = run.blocker(&[SA_ANNOTATION.0])
    {
        run.skip(id, title, Skip::Blocked(by));
        return;
    }
    let pod_identity = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some();
    let message = match (role, file) {
        (None, None) => format!(
            "the pod has neither `AWS_ROLE_ARN` nor `AWS_WEB_IDENTITY_TOKEN_FILE`: the webhook did not inject IRSA into it{}",
            if pod_identity { " (it has the Pod Identity variables instead)" } else { "" }
        ),
        (Some(_), None) => "the pod has `AWS_ROLE_ARN` but no `AWS_WEB_IDENTITY_TOKEN_FILE`: the SDK cannot read the token, so the role is never assumed".to_owned(),
        _ => "the pod has `AWS_WEB_IDENTITY_TOKEN_FILE` but no `AWS_ROLE_ARN`: the SDK does not know which role to assume".to_owned(),
    };
    let d = Diagnostic::new(&DR009, message).help(
        "restart the pod after annotating its service account (`kubectl rollout restart deployment/<name>`); check the pod runs under that service account (`spec.serviceAccountName`) and that the webhook runs; if you set these variables by hand, set both",
    );
    run.fail(id, title, d, None);
}

fn pod_role(run: &mut Run, f: &Facts, annotated: Option<&Role>) {
    let (id, title) = ("pod.role", "The pod's AWS_ROLE_ARN is the annotated role");
    let Some(env) = pod_env_slot(run, id, title, &f.env) else {
        return;
    };
    // The webhook injects the annotation's value: a broken annotation is that link's failure.
    if let Some(by) = run.blocker(&[POD_ENV.0, SA_ANNOTATION.0]) {
        run.skip(id, title, Skip::Blocked(by));
        return;
    }
    let Some(var) = env.get("AWS_ROLE_ARN").filter(|v| !v.value.is_empty()) else {
        run.skip(id, title, Skip::Blocked(POD_ENV.0));
        return;
    };
    let (expected, what) = match (annotated, f.role.ok()) {
        (Some(a), _) => (a, "the service account's annotation"),
        (None, Some(r)) => (r, "--role-arn"),
        (None, None) => {
            run.needs(
                id,
                title,
                &[Input::ServiceAccount, Input::HelmValues, Input::RoleArn],
            );
            return;
        }
    };
    match aws::parse_role(&var.value, false) {
        Ok(actual) if actual.same_as(expected) => {
            run.pass(id, title, format!("`AWS_ROLE_ARN={}`", actual.text))
        }
        _ => {
            let d = Diagnostic::new(&DR010, format!(
                "the pod runs with `AWS_ROLE_ARN={}`, but {what} names `{}`: the pod started before the annotation changed",
                var.value, expected.text
            ))
            .range(var.range)
            .help("restart the pods (`kubectl rollout restart deployment/<name>`) so the webhook injects the current role");
            run.fail(id, title, d, Some(Input::PodEnv));
        }
    }
}

/// Static keys beat IRSA and Pod Identity; in a Pod Identity set-up, IRSA beats it too.
pub(crate) fn pod_precedence(
    run: &mut Run,
    env: &Slot<PodEnv>,
    pod_identity: bool,
    sa_role_annotation: Option<&Located>,
) {
    let (id, title) = if pod_identity {
        (
            "pod.precedence",
            "Nothing in the pod overrides Pod Identity",
        )
    } else {
        ("pod.precedence", "Nothing in the pod overrides IRSA")
    };
    if pod_identity && let Some(a) = sa_role_annotation {
        let d = at(
            Diagnostic::new(&super::rules::DR024, format!(
                "the service account is also annotated with `{ROLE_ANNOTATION}: {}`: the webhook injects IRSA, and the SDK takes IRSA before Pod Identity",
                a.value
            )),
            a.range,
        )
        .help("remove the annotation (from the helm values too), then restart the pods");
        run.fail(id, title, d, Some(Input::ServiceAccount));
        return;
    }
    let Some(env) = pod_env_slot(run, id, title, env) else {
        return;
    };
    if let Some(key) = env.get("AWS_ACCESS_KEY_ID").filter(|v| !v.value.is_empty()) {
        let _ = key;
        let d = Diagnostic::new(&DR012, format!(
            "the pod sets `AWS_ACCESS_KEY_ID`{}: the SDK reads environment keys before {}, so the role is never used",
            if env.get("AWS_SECRET_ACCESS_KEY").is_some() { " and `AWS_SECRET_ACCESS_KEY`" } else { "" },
            if pod_identity { "Pod Identity" } else { "web identity" }
        ))
        .help("remove the key variables from the pod spec (and rotate the key if it is a long-lived one)");
        run.fail(id, title, d, None);
        return;
    }
    if pod_identity
        && env.get("AWS_ROLE_ARN").is_some()
        && env.get("AWS_WEB_IDENTITY_TOKEN_FILE").is_some()
    {
        let var = env.get("AWS_ROLE_ARN");
        let d = at(
            Diagnostic::new(&super::rules::DR024, "the pod also has IRSA's `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`: the SDK takes web identity before Pod Identity"),
            var.map(|v| v.range),
        )
        .help("remove the `eks.amazonaws.com/role-arn` annotation from the service account, then restart the pods");
        run.fail(id, title, d, Some(Input::PodEnv));
        return;
    }
    run.pass(id, title, "no static keys in the environment");
}

fn pod_sts(run: &mut Run, f: &Facts) {
    let (id, title) = ("pod.sts", "STS tokens are valid in the pod's region");
    let Some(env) = pod_env_slot(run, id, title, &f.env) else {
        return;
    };
    let region = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .map(|v| v.value.clone())
        .or_else(|| f.issuer.ok().and_then(|i| i.region.clone()));
    let setting = env
        .get("AWS_STS_REGIONAL_ENDPOINTS")
        .map(|v| (v.value.clone(), Some(v.range), Input::PodEnv))
        .or_else(|| {
            f.sa.ok()
                .and_then(|s| s.annotation(STS_REGIONAL_ANNOTATION))
                .map(|a| {
                    (
                        if a.value.trim() == "false" {
                            "legacy".to_owned()
                        } else {
                            "regional".to_owned()
                        },
                        a.range,
                        Input::ServiceAccount,
                    )
                })
        });
    let Some(region) = region else {
        run.skip(
            id,
            title,
            Skip::Needs(
                vec![Input::PodEnv],
                "not checked: the pod sets no `AWS_REGION` and the issuer names no region"
                    .to_owned(),
            ),
        );
        return;
    };
    match setting {
        Some((value, range, source)) if value == "legacy" && aws::is_opt_in_region(&region) => {
            let d = at(
                Diagnostic::new(&DR011, format!(
                    "`AWS_STS_REGIONAL_ENDPOINTS=legacy` in {region}, a region that must be opted into: session tokens from the global STS endpoint are not valid there"
                )),
                range,
            )
            .help("annotate the service account with `eks.amazonaws.com/sts-regional-endpoints: \"true\"` (or set `AWS_STS_REGIONAL_ENDPOINTS=regional`), then restart the pods");
            run.fail(id, title, d, Some(source));
        }
        Some((value, ..)) => run.pass(id, title, format!("STS endpoints `{value}` in {region}")),
        None => run.pass(
            id,
            title,
            format!("the SDK's default (regional STS) in {region}"),
        ),
    }
}

pub(crate) fn live_token(
    run: &mut Run,
    attempt: Option<&super::TokenAttempt>,
    registry: &Slot<Registry>,
) {
    let (id, title) = (
        "live.token",
        "A registry token can be fetched (your credentials)",
    );
    let Some(attempt) = attempt else {
        let (needs, flags) = if matches!(registry, Slot::Ok(_)) {
            (vec![Input::Live], "--live")
        } else {
            (vec![Input::Live, Input::Registry], "--live and --registry")
        };
        run.skip(
            id,
            title,
            Skip::Needs(
                needs,
                format!("not checked: give {flags} to try a registry token"),
            ),
        );
        return;
    };
    if attempt.ok {
        run.pass(id, title, attempt.detail.clone());
        return;
    }
    let host = match registry.ok() {
        Some(
            Registry::Private { host, .. } | Registry::Public { host } | Registry::Other { host },
        ) => host.clone(),
        None => "the registry".to_owned(),
    };
    let d = Diagnostic::new(&DR030, format!(
        "no token for {host} with your current credentials: {}",
        attempt.detail
    ))
    .help("this uses your credentials, not the pod's role: check `aws sts get-caller-identity`, the registry's region, and that your identity may call `ecr:GetAuthorizationToken` on `*`");
    run.fail(id, title, d, None);
}
