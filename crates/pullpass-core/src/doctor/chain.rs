//! The doctor as data: each mode is a table of [`Link`]s (id, title, what it needs, what it
//! comes after, its check) run by one interpreter, [`run`]. The interpreter reads the inputs,
//! applies each link's gates ("needs input X" → not checked, "after link Y" → blocked when Y
//! failed) and records each outcome once; a check only judges its link.

use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::LintContext;
use crate::policy::aws::{self, Issuer, ProviderArn, Role};
use crate::policy::json;
use crate::policy::model::{Policy, PrincipalValue, Statement};
use crate::registry_form::rules::rf050_role_arn_invalid::RF050;
use crate::text::TextRange;

use super::artifacts::{
    self, AUDIENCE_ANNOTATION, Association, Cluster, HelmValues, Located, PodEnv, Provider,
    ServiceAccount, TrustDocument, TrustInput,
};
use super::registry::{self, Registry};
use super::rules::*;
use super::{
    Check, Checklist, DEFAULT_AUDIENCE, DoctorInputs, Input, Mode, Status, input_check_id, links,
    read_expected_sa,
};

/// A parsed input: not given, given but unreadable (its failure is already in the list), or read.
#[derive(Debug, Clone)]
pub(crate) enum Slot<T> {
    Absent,
    Broken,
    Ok(T),
}

impl<T> Slot<T> {
    pub(crate) fn ok(&self) -> Option<&T> {
        match self {
            Self::Ok(t) => Some(t),
            _ => None,
        }
    }

    /// The value, or the outcome of a link that needs it: blocked by its unreadable input,
    /// or not checked for want of `needs`.
    pub(crate) fn need(&self, input: Input, needs: &[Input]) -> Result<&T, Outcome> {
        match self {
            Self::Ok(t) => Ok(t),
            Self::Broken => Err(Outcome::blocked(input_check_id(input))),
            Self::Absent => Err(Outcome::needs(needs)),
        }
    }

    fn state(&self) -> Slot<()> {
        match self {
            Self::Ok(_) => Slot::Ok(()),
            Self::Broken => Slot::Broken,
            Self::Absent => Slot::Absent,
        }
    }
}

/// Why a check cannot run.
#[derive(Debug)]
pub(crate) enum Skip {
    /// These inputs would let it run.
    Needs(Vec<Input>, String),
    /// It depends on this failed check.
    Blocked(&'static str),
}

/// What a link's check found.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The link holds; what was verified.
    Pass(String),
    /// A finding on this link (errors fail it, warnings warn, infos pass with the note), and
    /// the input its range points into.
    Finding(Diagnostic, Option<Input>),
    Skip(Skip),
}

impl Outcome {
    pub(crate) fn pass(detail: impl Into<String>) -> Self {
        Self::Pass(detail.into())
    }

    /// Not checked for want of `needs`.
    pub(crate) fn needs(needs: &[Input]) -> Self {
        let flags: Vec<&str> = needs.iter().map(|i| i.flag()).collect();
        let detail = format!("not checked: give {} to check this", flags.join(" or "));
        Self::Skip(Skip::Needs(needs.to_vec(), detail))
    }

    /// Not checked, with its own reason.
    pub(crate) fn not_checked(needs: Vec<Input>, detail: impl Into<String>) -> Self {
        Self::Skip(Skip::Needs(needs, detail.into()))
    }

    pub(crate) fn blocked(by: &'static str) -> Self {
        Self::Skip(Skip::Blocked(by))
    }
}

/// What a link needs before its check runs, tried in order.
#[derive(Debug)]
pub(crate) enum Gate {
    /// The input must be read: unreadable → blocked by `input.<name>`; absent → not checked,
    /// naming these inputs.
    Input(Input, &'static [Input]),
    /// Blocked by the first of these links that failed.
    After(&'static [&'static str]),
    /// Blocked when this link failed, or by what blocked it.
    Depends(&'static str),
}

/// A check: judges its link from the facts (and the links recorded before it).
pub(crate) type CheckFn = for<'a, 'p> fn(&'a mut Cx<'p>, &'a Run) -> Outcome;

/// One link of a chain.
pub(crate) struct Link {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) gates: &'static [Gate],
    pub(crate) check: CheckFn,
}

const fn link(
    id: &'static str,
    title: &'static str,
    gates: &'static [Gate],
    check: CheckFn,
) -> Link {
    Link {
        id,
        title,
        gates,
        check,
    }
}

const TRUST_OR_LIVE: &[Input] = &[Input::TrustPolicy, Input::Live];
const PROVIDER_OR_LIVE: &[Input] = &[Input::OidcProvider, Input::Live];

/// The IRSA chain: service account → annotation → role → trust policy → OIDC provider →
/// issuer, then partitions/accounts, the registry and the pod's environment.
pub(crate) static IRSA: &[Link] = &[
    link(
        "sa.annotation",
        "The service account names a role",
        &[],
        dr002_role_annotation_missing::check,
    ),
    link(
        "sa.helm",
        "The helm values match the live service account",
        &[],
        dr004_helm_values_not_applied::check,
    ),
    link(
        "role.annotation",
        "The annotation names this role",
        &[
            Gate::After(&["sa.annotation"]),
            Gate::Input(Input::RoleArn, &[Input::RoleArn]),
        ],
        dr003_role_annotation_mismatch::check,
    ),
    link(
        "trust.policy",
        "The trust policy is a valid policy",
        &[Gate::Input(Input::TrustPolicy, TRUST_OR_LIVE)],
        dr013_role_missing::check,
    ),
    link(
        "trust.principal",
        "A statement lets the OIDC provider assume the role",
        &[Gate::After(&["trust.policy", "input.trust-policy"])],
        dr014_no_web_identity_statement::check,
    ),
    link(
        "trust.keys",
        "Condition keys name the trusted provider",
        &[Gate::Depends("trust.principal")],
        links::trust_keys,
    ),
    link(
        "trust.issuer",
        "The trusted provider is the cluster's issuer",
        &[Gate::Depends("trust.principal")],
        links::trust_issuer,
    ),
    link(
        "trust.subject",
        "The trust policy admits exactly the service account",
        &[
            Gate::Depends("trust.principal"),
            Gate::After(&["trust.keys"]),
        ],
        links::trust_subject,
    ),
    link(
        "trust.audience",
        "The trust policy checks the token's audience",
        &[
            Gate::Depends("trust.principal"),
            Gate::After(&["trust.keys"]),
        ],
        dr008_token_audience_mismatch::check,
    ),
    link(
        "oidc.provider",
        "An IAM OIDC provider exists for the issuer",
        &[Gate::Input(Input::OidcProvider, PROVIDER_OR_LIVE)],
        dr005_oidc_provider_missing::check,
    ),
    link(
        "oidc.url",
        "The provider's URL is the trusted issuer",
        &[
            Gate::After(&["oidc.provider"]),
            Gate::Input(Input::OidcProvider, PROVIDER_OR_LIVE),
        ],
        dr006_oidc_provider_url_mismatch::check,
    ),
    link(
        "oidc.client-id",
        "The provider accepts the token's audience",
        &[
            Gate::After(&["oidc.provider"]),
            Gate::Input(Input::OidcProvider, PROVIDER_OR_LIVE),
        ],
        dr007_oidc_client_id_missing::check,
    ),
    link(
        "aws.account",
        "The provider is in the role's account",
        &[],
        links::irsa_account,
    ),
    link("aws.partition", "Partitions agree", &[], links::partition),
    link(
        "registry",
        "The role's account can pull from the registry",
        &[Gate::Input(Input::Registry, &[Input::Registry])],
        links::registry,
    ),
    link(
        "role.permissions",
        "The role's permissions let it pull",
        &[],
        links::permissions,
    ),
    link(
        "pod.env",
        "The pod has the IRSA variables",
        &[Gate::Input(Input::PodEnv, &[Input::PodEnv])],
        dr009_web_identity_env_missing::check,
    ),
    link(
        "pod.role",
        "The pod's AWS_ROLE_ARN is the annotated role",
        &[
            Gate::Input(Input::PodEnv, &[Input::PodEnv]),
            Gate::After(&["pod.env", "sa.annotation"]),
        ],
        dr010_pod_env_role_mismatch::check,
    ),
    link(
        "pod.precedence",
        "Nothing in the pod overrides IRSA",
        &[],
        dr012_static_keys_override_ambient::check,
    ),
    link(
        "pod.sts",
        "STS tokens are valid in the pod's region",
        &[Gate::Input(Input::PodEnv, &[Input::PodEnv])],
        dr011_sts_global_endpoint_opt_in_region::check,
    ),
    link(
        "live.token",
        "A registry token can be fetched (your credentials)",
        &[],
        dr030_registry_token_failed::check,
    ),
];

/// The EKS Pod Identity chain: association ↔ service account, role and cluster; the trust
/// policy's `pods.eks.amazonaws.com` statement and its session-tag conditions; partitions, the
/// registry and the pod's environment.
pub(crate) static POD_IDENTITY: &[Link] = &[
    link(
        "association.service-account",
        "The association is for this service account",
        &[Gate::Input(Input::Association, &[Input::Association])],
        dr020_association_service_account_mismatch::check,
    ),
    link(
        "association.role",
        "The association names this role",
        &[
            Gate::Input(Input::Association, &[Input::Association]),
            Gate::Input(Input::RoleArn, &[Input::RoleArn]),
        ],
        dr021_association_role_mismatch::check,
    ),
    link(
        "association.cluster",
        "The association is in this cluster",
        &[
            Gate::Input(Input::Association, &[Input::Association]),
            Gate::Input(Input::Cluster, &[Input::Cluster]),
        ],
        dr025_association_cluster_mismatch::check,
    ),
    link(
        "aws.account",
        "The role is in the cluster's account",
        &[],
        dr026_pod_identity_role_other_account::check,
    ),
    link(
        "trust.policy",
        "The trust policy is a valid policy",
        &[Gate::Input(Input::TrustPolicy, TRUST_OR_LIVE)],
        dr013_role_missing::check,
    ),
    link(
        "trust.principal",
        "A statement lets EKS Pod Identity assume the role",
        &[Gate::After(&["trust.policy", "input.trust-policy"])],
        dr015_no_pod_identity_statement::check,
    ),
    link(
        "trust.tags",
        "Session-tag conditions admit the service account",
        &[Gate::Depends("trust.principal")],
        dr023_session_tags_disabled::check,
    ),
    link("aws.partition", "Partitions agree", &[], links::partition),
    link(
        "registry",
        "The role's account can pull from the registry",
        &[Gate::Input(Input::Registry, &[Input::Registry])],
        links::registry,
    ),
    link(
        "role.permissions",
        "The role's permissions let it pull",
        &[],
        links::permissions,
    ),
    link(
        "pod.env",
        "The pod has the Pod Identity variables",
        &[Gate::Input(Input::PodEnv, &[Input::PodEnv])],
        dr022_pod_identity_env_missing::check,
    ),
    link(
        "pod.precedence",
        "Nothing in the pod overrides Pod Identity",
        &[],
        dr024_irsa_overrides_pod_identity::check,
    ),
    link(
        "live.token",
        "A registry token can be fetched (your credentials)",
        &[],
        dr030_registry_token_failed::check,
    ),
];

/// The checklist as it is built: one record per link, in chain order.
#[derive(Debug, Default)]
pub(crate) struct Run {
    checks: Vec<Check>,
}

impl Run {
    /// Records a link's outcome: the one place a result becomes a [`Check`].
    fn record(&mut self, id: &'static str, title: &'static str, outcome: Outcome) {
        let mut check = Check {
            id,
            title,
            status: Status::Passed,
            detail: String::new(),
            diagnostic: None,
            source: None,
            needs: Vec::new(),
            blocked_by: None,
        };
        match outcome {
            Outcome::Pass(detail) => check.detail = detail,
            Outcome::Finding(diagnostic, source) => {
                check.status = match diagnostic.severity() {
                    Severity::Error => Status::Failed,
                    Severity::Warning => Status::Warning,
                    Severity::Info => Status::Passed,
                };
                check.source = source.filter(|_| diagnostic.range().is_some());
                check.detail = diagnostic.message().to_owned();
                check.diagnostic = Some(diagnostic);
            }
            Outcome::Skip(Skip::Needs(needs, detail)) => {
                check.status = Status::NotChecked;
                check.detail = detail;
                check.needs = needs;
            }
            Outcome::Skip(Skip::Blocked(by)) => {
                check.status = Status::NotChecked;
                check.detail = if let Some(input) = by.strip_prefix("input.") {
                    format!("not checked: the {input} input could not be read (see `{by}`)")
                } else {
                    format!("not checked: depends on `{by}`, which failed")
                };
                check.blocked_by = Some(by);
            }
        }
        self.checks.push(check);
    }

    pub(crate) fn failed(&self, id: &str) -> bool {
        self.checks
            .iter()
            .any(|c| c.id == id && c.status == Status::Failed)
    }

    /// The first of `ids` that failed.
    pub(crate) fn blocker(&self, ids: &[&'static str]) -> Option<&'static str> {
        ids.iter().copied().find(|id| self.failed(id))
    }

    /// What blocks a link that depends on `dep`: `dep` itself when it failed, else what
    /// blocked `dep`.
    fn blocked_through(&self, dep: &'static str) -> Option<&'static str> {
        self.checks.iter().find(|c| c.id == dep).and_then(|c| {
            if c.status == Status::Failed {
                Some(dep)
            } else {
                c.blocked_by
            }
        })
    }

    /// Whether `gate` stops the link, and how.
    fn gate(&self, gate: &Gate, facts: &Facts) -> Option<Outcome> {
        match gate {
            Gate::Input(input, needs) => match facts.state(*input) {
                Slot::Ok(()) => None,
                Slot::Broken => Some(Outcome::blocked(input_check_id(*input))),
                Slot::Absent => Some(Outcome::needs(needs)),
            },
            Gate::After(ids) => self.blocker(ids).map(Outcome::blocked),
            Gate::Depends(dep) => self.blocked_through(dep).map(Outcome::blocked),
        }
    }

    /// Reads one optional input; an unreadable one becomes a failed `input.<name>` check.
    fn load<T>(
        &mut self,
        input: Input,
        text: Option<&String>,
        read: impl FnOnce(&str) -> Result<T, Diagnostic>,
    ) -> Slot<T> {
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            return Slot::Absent;
        };
        match read(text) {
            Ok(value) => Slot::Ok(value),
            Err(diagnostic) => {
                self.record(
                    input_check_id(input),
                    "Input can be read",
                    Outcome::Finding(diagnostic, Some(input)),
                );
                Slot::Broken
            }
        }
    }
}

/// Everything read from the inputs, before any cross-check. A mode reads only its own
/// inputs; the others stay absent.
pub(crate) struct Facts {
    pub(crate) sa: Slot<ServiceAccount>,
    pub(crate) helm: Slot<HelmValues>,
    /// `namespace/name`, from the service account or `--expect-service-account`.
    pub(crate) expected_sa: Slot<(String, String)>,
    pub(crate) trust: Slot<TrustInput>,
    pub(crate) role: Slot<Role>,
    pub(crate) issuer: Slot<Issuer>,
    pub(crate) cluster: Slot<Cluster>,
    pub(crate) provider: Slot<Provider>,
    pub(crate) association: Slot<Association>,
    pub(crate) registry: Slot<Registry>,
    pub(crate) env: Slot<PodEnv>,
}

impl Facts {
    fn load(mode: Mode, inputs: &DoctorInputs, run: &mut Run) -> Self {
        let irsa = mode == Mode::Irsa;
        let association = if irsa {
            Slot::Absent
        } else {
            run.load(
                Input::Association,
                inputs.association.as_ref(),
                artifacts::association,
            )
        };
        let sa = run.load(
            Input::ServiceAccount,
            inputs.service_account.as_ref(),
            artifacts::service_account,
        );
        let helm = if irsa {
            run.load(
                Input::HelmValues,
                inputs.helm_values.as_ref(),
                artifacts::helm_values,
            )
        } else {
            Slot::Absent
        };
        // The service account's own name wins over `--expect-service-account`.
        let from_flag = run.load(
            Input::ExpectedServiceAccount,
            inputs.expected_service_account.as_ref(),
            read_expected_sa,
        );
        let expected_sa = match sa.ok() {
            Some(ServiceAccount {
                namespace: Some(ns),
                name: Some(name),
                ..
            }) => Slot::Ok((ns.clone(), name.clone())),
            _ => from_flag,
        };
        let ctx = LintContext {
            expected_service_account: expected_sa
                .ok()
                .filter(|_| irsa)
                .map(|(ns, name)| format!("{ns}/{name}")),
            ..LintContext::default()
        };
        let trust = run.load(Input::TrustPolicy, inputs.trust_policy.as_ref(), |text| {
            artifacts::trust_policy(text, &ctx)
        });
        let role = run.load(Input::RoleArn, inputs.role_arn.as_ref(), |text| {
            role_input(text, irsa)
        });
        let cluster = run.load(Input::Cluster, inputs.cluster.as_ref(), artifacts::cluster);
        let mut issuer = if irsa {
            run.load(Input::Issuer, inputs.issuer.as_ref(), issuer_input)
        } else {
            Slot::Absent
        };
        if irsa && matches!(issuer, Slot::Absent) {
            issuer = match &cluster {
                Slot::Ok(c) => c
                    .issuer
                    .as_ref()
                    .map_or(Slot::Absent, |(i, _)| Slot::Ok(i.clone())),
                Slot::Broken => Slot::Broken,
                Slot::Absent => Slot::Absent,
            };
        }
        let provider = if irsa {
            run.load(
                Input::OidcProvider,
                inputs.oidc_provider.as_ref(),
                artifacts::oidc_provider,
            )
        } else {
            Slot::Absent
        };
        let registry = run.load(Input::Registry, inputs.registry.as_ref(), registry::read);
        let env = run.load(Input::PodEnv, inputs.pod_env.as_ref(), artifacts::pod_env);
        Self {
            sa,
            helm,
            expected_sa,
            trust,
            role,
            issuer,
            cluster,
            provider,
            association,
            registry,
            env,
        }
    }

    /// How the input a gate names was read.
    fn state(&self, input: Input) -> Slot<()> {
        match input {
            Input::ServiceAccount => self.sa.state(),
            Input::HelmValues => self.helm.state(),
            Input::ExpectedServiceAccount => self.expected_sa.state(),
            Input::TrustPolicy => self.trust.state(),
            Input::RoleArn => self.role.state(),
            Input::Issuer => self.issuer.state(),
            Input::Cluster => self.cluster.state(),
            Input::OidcProvider => self.provider.state(),
            Input::Association => self.association.state(),
            Input::Registry => self.registry.state(),
            Input::PodEnv => self.env.state(),
            Input::PermissionsPolicy | Input::Repository | Input::Live => Slot::Absent,
        }
    }

    /// An annotation of the service account, else of the helm values.
    pub(crate) fn annotation(&self, key: &str) -> Option<(&Located, Input)> {
        if let Some(sa) = self.sa.ok() {
            return sa.annotation(key).map(|a| (a, Input::ServiceAccount));
        }
        self.helm
            .ok()
            .and_then(|h| h.annotation(key))
            .map(|a| (a, Input::HelmValues))
    }

    /// The audience the pod's projected token carries.
    pub(crate) fn audience(&self) -> String {
        self.annotation(AUDIENCE_ANNOTATION).map_or_else(
            || DEFAULT_AUDIENCE.to_owned(),
            |(a, _)| a.value.trim().to_owned(),
        )
    }
}

fn role_input(text: &str, with_help: bool) -> Result<Role, Diagnostic> {
    aws::parse_role(text, true).map_err(|why| {
        let d = Diagnostic::new(&RF050, why).with_range(TextRange::of(text));
        if with_help {
            d.with_help("give the role ARN: `arn:aws:iam::<12-digit account>:role/<name>`")
        } else {
            d
        }
    })
}

fn issuer_input(text: &str) -> Result<Issuer, Diagnostic> {
    aws::parse_issuer(text).map_err(|why| {
        Diagnostic::new(&dr001_input_unreadable::DR001, why).with_range(TextRange::of(text))
    })
}

/// The web-identity statement the IRSA chain checks, and its provider.
pub(crate) struct Chosen<'p> {
    pub(crate) doc: &'p TrustDocument,
    pub(crate) policy: &'p Policy<'p>,
    pub(crate) statement: &'p Statement<'p>,
    pub(crate) provider: ProviderArn,
    pub(crate) principal: &'p PrincipalValue<'p>,
}

impl Chosen<'_> {
    /// The principal's range in the input.
    pub(crate) fn principal_range(&self) -> Option<TextRange> {
        self.doc.range(self.principal.value.range())
    }

    pub(crate) fn principal_pointer(&self) -> String {
        self.principal.pointer(self.statement)
    }
}

/// What every check sees: the mode, the inputs, what was read from them, and what earlier
/// links established (the annotated role, the valid policy, the chosen statement).
pub(crate) struct Cx<'p> {
    pub(crate) mode: Mode,
    pub(crate) inputs: &'p DoctorInputs,
    pub(crate) f: &'p Facts,
    /// The trust policy's document, when the input is one.
    pub(crate) doc: Option<&'p TrustDocument>,
    /// The document's model, when it parses.
    pub(crate) model: Option<&'p Policy<'p>>,
    /// Set by `trust.policy` when the policy is valid.
    pub(crate) policy: Option<&'p Policy<'p>>,
    /// Set by the IRSA `trust.principal`.
    pub(crate) chosen: Option<Chosen<'p>>,
    /// Set by the Pod Identity `trust.principal`.
    pub(crate) pod_statement: Option<&'p Statement<'p>>,
    /// Set by `sa.annotation`: the role the service account names.
    pub(crate) annotated: Option<Role>,
}

impl Cx<'_> {
    /// The role the chain is about: `--role-arn`, else the annotation's (IRSA) or the
    /// association's (Pod Identity).
    pub(crate) fn the_role(&self) -> Option<Role> {
        self.f.role.ok().cloned().or_else(|| match self.mode {
            Mode::Irsa => self.annotated.clone(),
            Mode::PodIdentity => self
                .f
                .association
                .ok()
                .and_then(|a| a.role_arn.as_ref())
                .and_then(|r| aws::parse_role(&r.value, false).ok()),
        })
    }
}

/// Runs one mode's chain over the inputs: the interpreter.
pub(crate) fn run(mode: Mode, inputs: &DoctorInputs) -> Checklist {
    let mut run = Run::default();
    let facts = Facts::load(mode, inputs, &mut run);
    let doc = match facts.trust.ok() {
        Some(TrustInput::Document(doc)) => Some(doc),
        _ => None,
    };
    let root = doc.and_then(|d| json::parse(&d.text).ok());
    let model = root.as_ref().and_then(Policy::build);
    let mut cx = Cx {
        mode,
        inputs,
        f: &facts,
        doc,
        model: model.as_ref(),
        policy: None,
        chosen: None,
        pod_statement: None,
        annotated: None,
    };
    let table = match mode {
        Mode::Irsa => IRSA,
        Mode::PodIdentity => POD_IDENTITY,
    };
    for link in table {
        let gated = link.gates.iter().find_map(|g| run.gate(g, &facts));
        let outcome = match gated {
            Some(outcome) => outcome,
            None => (link.check)(&mut cx, &run),
        };
        run.record(link.id, link.title, outcome);
    }
    Checklist {
        mode,
        checks: run.checks,
    }
}

/// `d` at `range`, when there is one.
pub(crate) fn at(mut d: Diagnostic, range: Option<TextRange>) -> Diagnostic {
    if let Some(r) = range {
        d = d.with_range(r);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_unique_ids_and_gates_name_earlier_links() {
        for table in [IRSA, POD_IDENTITY] {
            let mut seen: Vec<&str> = Vec::new();
            for link in table {
                assert!(!seen.contains(&link.id), "{} twice", link.id);
                for gate in link.gates {
                    let ids: &[&str] = match gate {
                        Gate::After(ids) => ids,
                        Gate::Depends(id) => std::slice::from_ref(id),
                        Gate::Input(..) => &[],
                    };
                    for id in ids {
                        assert!(
                            id.starts_with("input.") || seen.contains(id),
                            "{} comes after `{id}`, which is not before it",
                            link.id
                        );
                    }
                }
                seen.push(link.id);
            }
        }
    }
}
