//! `pullpass doctor irsa|pod-identity`: the whole IRSA / EKS Pod Identity chain checked at
//! once, from the artifacts an operator has (offline) or fetched from AWS (`--live`).
//!
//! The checks are `pullpass_core::doctor`; this module reads files, runs the live look-ups
//! through `pullpass-ecr`, and renders the checklist.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use pullpass_core::doctor::{self, Check, Checklist, DoctorInputs, Input, Status};

use crate::exit::Exit;
use crate::render::{self, Format, Item, Source};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    mode: Mode,
    #[command(flatten)]
    config: crate::config::ConfigArg,
}

#[derive(Debug, clap::Subcommand)]
enum Mode {
    /// IAM roles for service accounts: service account → role → trust policy → OIDC provider.
    Irsa(Box<IrsaArgs>),
    /// EKS Pod Identity: association → role → trust policy (`pods.eks.amazonaws.com`).
    PodIdentity(Box<PodIdentityArgs>),
}

/// Flags both modes share.
#[derive(Debug, clap::Args)]
struct Common {
    /// The service account, as `kubectl get sa <name> -n <ns> -o yaml` prints it (`-` = stdin).
    #[arg(long, value_name = "FILE")]
    service_account: Option<PathBuf>,
    /// `namespace/name` of the service account, when its YAML is not at hand.
    #[arg(long, value_name = "NS/NAME")]
    expect_service_account: Option<String>,
    /// The role's trust policy JSON (or `aws iam get-role` output).
    #[arg(long, value_name = "FILE")]
    trust_policy: Option<PathBuf>,
    /// The role ARN (with `--live`, a role name is enough).
    #[arg(long, value_name = "ARN")]
    role_arn: Option<String>,
    /// The cluster, as `aws eks describe-cluster --name <name>` prints it.
    #[arg(long, value_name = "FILE")]
    cluster: Option<PathBuf>,
    /// The registry the pods pull from: its host, or its name in the config file.
    #[arg(long, value_name = "NAME|HOST")]
    registry: Option<String>,
    /// The pod's environment, as `kubectl exec <pod> -- env` prints it.
    #[arg(long, value_name = "FILE")]
    pod_env: Option<PathBuf>,
    /// The role's permissions policy JSON: does it let the role get a token and pull?
    #[arg(long, value_name = "FILE")]
    permissions_policy: Option<PathBuf>,
    /// The repository the pods pull (scopes the permissions check; needs --registry).
    #[arg(long, value_name = "NAME")]
    repository: Option<String>,
    /// Fetch the role's trust policy, the OIDC provider and (with `--cluster-name`) the
    /// cluster from AWS with your current credentials, then try a registry token.
    #[arg(long)]
    live: bool,
    /// With `--live`: the EKS cluster to describe.
    #[arg(long, value_name = "NAME", requires = "live")]
    cluster_name: Option<String>,
    /// With `--live`: the region of the EKS cluster (default: the SDK's region).
    #[arg(long, value_name = "REGION", requires = "live")]
    region: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct IrsaArgs {
    #[command(flatten)]
    common: Common,
    /// The helm values that annotate the service account
    /// (`coderd.builtinProviderServiceAccount.annotations`).
    #[arg(long, value_name = "FILE")]
    helm_values: Option<PathBuf>,
    /// The cluster's OIDC issuer URL.
    #[arg(long, value_name = "URL")]
    issuer: Option<String>,
    /// The OIDC provider, as `aws iam get-open-id-connect-provider` prints it (or
    /// `list-open-id-connect-providers`, or its `NoSuchEntity` error).
    #[arg(long, value_name = "FILE")]
    oidc_provider: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct PodIdentityArgs {
    #[command(flatten)]
    common: Common,
    /// The association, as `aws eks describe-pod-identity-association` prints it.
    #[arg(long, value_name = "FILE")]
    association: Option<PathBuf>,
}

/// Every input's text and what to call it in output.
#[derive(Debug, Default)]
struct Sources {
    texts: Vec<(Input, String, String)>,
}

impl Sources {
    fn add(&mut self, input: Input, name: String, text: &str) {
        self.texts.push((input, name, text.to_owned()));
    }

    fn text(&self, input: Input) -> Option<&str> {
        self.texts
            .iter()
            .find(|(i, _, _)| *i == input)
            .map(|(_, _, t)| t.as_str())
    }

    fn name(&self, input: Input) -> String {
        self.texts
            .iter()
            .find(|(i, _, _)| *i == input)
            .map_or_else(|| input.flag().to_owned(), |(_, n, _)| n.clone())
    }
}

/// Reads `path` (`-` = stdin, once) and records it.
fn read(
    sources: &mut Sources,
    input: Input,
    path: Option<&Path>,
    stdin_used: &mut bool,
) -> anyhow::Result<Option<String>> {
    let Some(path) = path else { return Ok(None) };
    let text = if path == Path::new("-") {
        if std::mem::replace(stdin_used, true) {
            bail!("only one input can come from stdin (`-`)");
        }
        crate::input::read_text(
            path,
            pullpass_core::doctor::yaml::MAX_INPUT_BYTES,
            input.flag(),
        )?
    } else {
        // Doctor reads at most 1 MiB of an artifact (files, FIFOs, devices alike).
        crate::input::read_text(
            path,
            pullpass_core::doctor::yaml::MAX_INPUT_BYTES,
            input.flag(),
        )
        .context("give the artifact itself (a service account, a policy, `env` output)")?
    };
    sources.add(input, path.display().to_string(), &text);
    Ok(Some(text))
}

fn value(sources: &mut Sources, input: Input, value: Option<&String>) -> Option<String> {
    let v = value?;
    sources.add(input, input.flag().to_owned(), v);
    Some(v.clone())
}

/// A configured registry's name becomes its host; a host stays as given.
fn registry_host(value: Option<&String>) -> anyhow::Result<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    let looks_like_host = value.contains(['.', ':', '/']);
    if looks_like_host {
        return Ok(Some(value.clone()));
    }
    let loaded = crate::config::load()?;
    let (_, registry) = loaded.registry(value)?;
    Ok(Some(registry.host.clone()))
}

pub(crate) fn run(args: Args, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    args.config.apply();
    let mut sources = Sources::default();
    let mut stdin_used = false;
    let (list, format) = match args.mode {
        Mode::Irsa(a) => {
            let c = &a.common;
            let mut inputs = DoctorInputs {
                association: None,
                service_account: read(
                    &mut sources,
                    Input::ServiceAccount,
                    c.service_account.as_deref(),
                    &mut stdin_used,
                )?,
                helm_values: read(
                    &mut sources,
                    Input::HelmValues,
                    a.helm_values.as_deref(),
                    &mut stdin_used,
                )?,
                expected_service_account: value(
                    &mut sources,
                    Input::ExpectedServiceAccount,
                    c.expect_service_account.as_ref(),
                ),
                trust_policy: read(
                    &mut sources,
                    Input::TrustPolicy,
                    c.trust_policy.as_deref(),
                    &mut stdin_used,
                )?,
                role_arn: value(&mut sources, Input::RoleArn, c.role_arn.as_ref()),
                issuer: value(&mut sources, Input::Issuer, a.issuer.as_ref()),
                cluster: read(
                    &mut sources,
                    Input::Cluster,
                    c.cluster.as_deref(),
                    &mut stdin_used,
                )?,
                oidc_provider: read(
                    &mut sources,
                    Input::OidcProvider,
                    a.oidc_provider.as_deref(),
                    &mut stdin_used,
                )?,
                registry: value(
                    &mut sources,
                    Input::Registry,
                    registry_host(c.registry.as_ref())?.as_ref(),
                ),
                pod_env: read(
                    &mut sources,
                    Input::PodEnv,
                    c.pod_env.as_deref(),
                    &mut stdin_used,
                )?,
                permissions_policy: read(
                    &mut sources,
                    Input::PermissionsPolicy,
                    c.permissions_policy.as_deref(),
                    &mut stdin_used,
                )?,
                repository: value(&mut sources, Input::Repository, c.repository.as_ref()),
                registry_token: None,
            };
            if c.live {
                live::irsa(&mut inputs, &mut sources, c, backend)?;
            }
            (doctor::check_irsa(&inputs), c.format)
        }
        Mode::PodIdentity(a) => {
            let c = &a.common;
            let mut inputs = DoctorInputs {
                helm_values: None,
                issuer: None,
                oidc_provider: None,
                association: read(
                    &mut sources,
                    Input::Association,
                    a.association.as_deref(),
                    &mut stdin_used,
                )?,
                service_account: read(
                    &mut sources,
                    Input::ServiceAccount,
                    c.service_account.as_deref(),
                    &mut stdin_used,
                )?,
                expected_service_account: value(
                    &mut sources,
                    Input::ExpectedServiceAccount,
                    c.expect_service_account.as_ref(),
                ),
                trust_policy: read(
                    &mut sources,
                    Input::TrustPolicy,
                    c.trust_policy.as_deref(),
                    &mut stdin_used,
                )?,
                role_arn: value(&mut sources, Input::RoleArn, c.role_arn.as_ref()),
                cluster: read(
                    &mut sources,
                    Input::Cluster,
                    c.cluster.as_deref(),
                    &mut stdin_used,
                )?,
                registry: value(
                    &mut sources,
                    Input::Registry,
                    registry_host(c.registry.as_ref())?.as_ref(),
                ),
                pod_env: read(
                    &mut sources,
                    Input::PodEnv,
                    c.pod_env.as_deref(),
                    &mut stdin_used,
                )?,
                permissions_policy: read(
                    &mut sources,
                    Input::PermissionsPolicy,
                    c.permissions_policy.as_deref(),
                    &mut stdin_used,
                )?,
                repository: value(&mut sources, Input::Repository, c.repository.as_ref()),
                registry_token: None,
            };
            if c.live {
                live::pod_identity(&mut inputs, &mut sources, c, backend)?;
            }
            (doctor::check_pod_identity(&inputs), c.format)
        }
    };
    match format {
        Format::Json => {
            let report = list.to_report(|i| sources.text(i), |i| sources.name(i));
            let mut text = serde_json::to_string_pretty(&report)?;
            text.push('\n');
            out!("{text}");
        }
        Format::Text => out!(
            "{}",
            render_text(&list, &sources, render::text::use_color())
        ),
    }
    Ok(if list.summary().failed > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    })
}

fn marker(status: Status) -> &'static str {
    match status {
        Status::Passed => "ok  ",
        Status::Warning => "warn",
        Status::Failed => "FAIL",
        Status::NotChecked => " -- ",
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{by}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn render_check(out: &mut String, check: &Check, sources: &Sources, color: bool) {
    let _ = writeln!(
        out,
        "{} {:<28} {}",
        marker(check.status),
        check.id,
        check.title
    );
    let Some(d) = &check.diagnostic else {
        let _ = writeln!(out, "{}", indent(&check.detail, "       "));
        return;
    };
    let name = check.source.map(|i| sources.name(i));
    let source = match (check.source, &name) {
        (Some(i), Some(name)) => sources.text(i).map(|text| Source { name, text }),
        _ => None,
    };
    if source.is_none() || d.range().is_none() {
        // Nothing to underline: the finding in two lines, without an empty snippet.
        let _ = writeln!(
            out,
            "       {}[{}]: {}",
            d.severity(),
            d.code(),
            d.message()
        );
        if let Some(help) = d.help() {
            let _ = writeln!(out, "       help: {help}");
        }
        return;
    }
    let rendered = render::text::render(
        &[Item {
            diagnostic: d,
            source,
        }],
        color,
    );
    // The renderer closes with a summary line; the checklist has its own.
    let body = rendered
        .trim_end()
        .rsplit_once('\n')
        .map_or("", |(b, _)| b)
        .trim_end();
    let _ = writeln!(out, "{}", indent(body, "       "));
}

fn render_text(list: &Checklist, sources: &Sources, color: bool) -> String {
    let mut out = String::new();
    let mode = match list.mode {
        doctor::Mode::Irsa => "IRSA",
        doctor::Mode::PodIdentity => "EKS Pod Identity",
    };
    let _ = writeln!(
        out,
        "pullpass doctor: {mode} set-up, {} links\n",
        list.checks.len()
    );
    for check in &list.checks {
        render_check(&mut out, check, sources, color);
    }
    let s = list.summary();
    let _ = writeln!(
        out,
        "\n{} passed, {} failed, {} warning{}, {} not checked",
        s.passed,
        s.failed,
        s.warnings,
        if s.warnings == 1 { "" } else { "s" },
        s.not_checked
    );
    let failed: Vec<String> = list
        .failures()
        .map(|c| {
            format!(
                "{} ({})",
                c.id,
                c.diagnostic.as_ref().map_or("", |d| d.code())
            )
        })
        .collect();
    if failed.is_empty() {
        let _ = writeln!(out, "no broken link found");
    } else {
        let _ = writeln!(out, "broken: {}", failed.join(", "));
    }
    out
}

/// `--live`: fetch what the operator did not give from IAM and EKS, with their current
/// credentials, into the same inputs the offline checks read.
mod live {
    use anyhow::bail;
    use pullpass_core::doctor::{self, DoctorInputs, Input, TokenAttempt};
    use pullpass_core::registry::RegistryKind;
    use pullpass_ecr::{AuthSpec, Backend, CacheMode, Directory, Lookup, Options, RegistrySpec};

    use super::{Common, Sources};

    fn options() -> Options {
        let mut options = Options::from_env();
        options.cache = CacheMode::Disabled;
        options
    }

    fn role_of(c: &Common, service_account: Option<&String>) -> anyhow::Result<String> {
        match doctor::live_role(c.role_arn.as_deref(), service_account.map(String::as_str)) {
            Some(role) => Ok(role),
            None => bail!(
                "--live needs the role: give --role-arn (a role name or ARN), or a --service-account annotated with one"
            ),
        }
    }

    /// The role's permissions (inline and attached policies, merged), unless given as a file.
    async fn permissions(
        dir: &dyn Directory,
        name: &str,
        given: &mut Option<String>,
        sources: &mut Sources,
    ) -> anyhow::Result<()> {
        if given.is_some() {
            return Ok(());
        }
        match dir.role_permissions(name).await {
            Lookup::Found(text) => {
                sources.add(
                    Input::PermissionsPolicy,
                    format!("iam role policies of {name}"),
                    &text,
                );
                *given = Some(text);
            }
            // The role is missing: `trust.policy` already says so.
            Lookup::NotFound(_) => {}
            Lookup::Failed(error) => bail!(
                "reading the policies of `{name}` failed: {error}{}",
                hint(&error)
            ),
        }
        Ok(())
    }

    /// The role's trust policy (and full ARN) from IAM GetRole.
    async fn role(
        dir: &dyn Directory,
        name: &str,
        role_arn: &mut Option<String>,
        trust: &mut Option<String>,
        sources: &mut Sources,
    ) -> anyhow::Result<()> {
        match dir.role(name).await {
            Lookup::Found(facts) => {
                sources.add(
                    Input::TrustPolicy,
                    format!("iam get-role {name}"),
                    &facts.trust_policy,
                );
                *trust = Some(facts.trust_policy);
                if !facts.arn.is_empty() {
                    sources.add(Input::RoleArn, "--role-arn".to_owned(), &facts.arn);
                    *role_arn = Some(facts.arn);
                }
            }
            // The core reads IAM's `NoSuchEntity` as "the role does not exist".
            Lookup::NotFound(said) => *trust = Some(said),
            Lookup::Failed(error) => {
                bail!("IAM GetRole for `{name}` failed: {error}{}", hint(&error))
            }
        }
        Ok(())
    }

    /// What the operator's identity needs for `--live` (the backend's own hints are about ECR).
    fn hint(error: &pullpass_ecr::Error) -> String {
        if error.is_refusal() {
            "\n  --live reads with your credentials: they need iam:GetRole, iam:GetOpenIDConnectProvider and (with --cluster-name) eks:DescribeCluster".to_owned()
        } else {
            error
                .cause()
                .map(|c| format!("\n  {c}"))
                .unwrap_or_default()
        }
    }

    async fn cluster(
        dir: &dyn Directory,
        c: &Common,
        cluster: &mut Option<String>,
        sources: &mut Sources,
    ) -> anyhow::Result<()> {
        let Some(name) = &c.cluster_name else {
            return Ok(());
        };
        if dir.region().is_none() {
            bail!("--cluster-name needs a region: give --region or set AWS_REGION");
        }
        match dir.cluster(name).await {
            Lookup::Found(text) => {
                sources.add(
                    Input::Cluster,
                    format!("eks describe-cluster {name}"),
                    &text,
                );
                *cluster = Some(text);
                Ok(())
            }
            Lookup::NotFound(said) => bail!(
                "EKS has no cluster `{name}` in {}: {said}",
                dir.region().unwrap_or_default()
            ),
            Lookup::Failed(error) => bail!(
                "EKS DescribeCluster for `{name}` failed: {error}{}",
                hint(&error)
            ),
        }
    }

    async fn token(backend: &dyn Backend, registry: Option<&String>) -> Option<TokenAttempt> {
        let host = registry?;
        let spec = RegistrySpec {
            name: "doctor".to_owned(),
            host: host.clone(),
            kind: RegistryKind::Ecr,
            auth: AuthSpec::Ambient,
            assume_role: None,
            host_override: None,
        };
        let attempt = match backend.open(&spec, &options()) {
            Ok(registry) => registry.credentials().await,
            Err(error) => Err(error),
        };
        Some(match attempt {
            Ok(credentials) => TokenAttempt {
                ok: true,
                detail: format!(
                    "token for {} with your credentials{}",
                    credentials.server,
                    credentials
                        .expires_at
                        .map(|t| format!(", expires {}", pullpass_ecr::format_rfc3339(t)))
                        .unwrap_or_default()
                ),
            },
            Err(error) => TokenAttempt {
                ok: false,
                detail: format!(
                    "{error}{}",
                    error.cause().map(|c| format!(" ({c})")).unwrap_or_default()
                ),
            },
        })
    }

    pub(super) fn irsa(
        inputs: &mut DoctorInputs,
        sources: &mut Sources,
        c: &Common,
        backend: &dyn Backend,
    ) -> anyhow::Result<()> {
        let name = role_of(c, inputs.service_account.as_ref())?;
        pullpass_ecr::block_on(async {
            let dir = backend.directory(c.region.as_deref(), &options()).await;
            let dir = dir.as_ref();
            role(
                dir,
                &name,
                &mut inputs.role_arn,
                &mut inputs.trust_policy,
                sources,
            )
            .await?;
            permissions(dir, &name, &mut inputs.permissions_policy, sources).await?;
            cluster(dir, c, &mut inputs.cluster, sources).await?;
            // The plan is the core's: the provider the trust policy names for the issuer.
            let provider = inputs.live_oidc_provider();
            if let Some(arn) = provider {
                match dir.oidc_provider(&arn).await {
                    Lookup::Found(text) => {
                        sources.add(
                            Input::OidcProvider,
                            format!("iam get-open-id-connect-provider {arn}"),
                            &text,
                        );
                        inputs.oidc_provider = Some(text);
                    }
                    Lookup::NotFound(said) => {
                        inputs.oidc_provider = Some(format!("{said} ({arn})"))
                    }
                    Lookup::Failed(error) => bail!(
                        "IAM GetOpenIDConnectProvider for `{arn}` failed: {error}{}",
                        hint(&error)
                    ),
                }
            }
            inputs.registry_token = token(backend, inputs.registry.as_ref()).await;
            Ok(())
        })
    }

    pub(super) fn pod_identity(
        inputs: &mut DoctorInputs,
        sources: &mut Sources,
        c: &Common,
        backend: &dyn Backend,
    ) -> anyhow::Result<()> {
        pullpass_ecr::block_on(async {
            let dir = backend.directory(c.region.as_deref(), &options()).await;
            let dir = dir.as_ref();
            cluster(dir, c, &mut inputs.cluster, sources).await?;
            if let Some(lookup) = inputs.live_association(c.cluster_name.as_deref()) {
                let doctor::AssociationLookup {
                    cluster,
                    namespace: ns,
                    service_account: name,
                } = &lookup;
                match dir.pod_identity_association(cluster, ns, name).await {
                    Lookup::Found(text) => {
                        sources.add(
                            Input::Association,
                            format!("eks describe-pod-identity-association ({ns}/{name})"),
                            &text,
                        );
                        inputs.association = Some(text);
                    }
                    Lookup::NotFound(said) => bail!(
                        "{said}: create one with `aws eks create-pod-identity-association --cluster-name {cluster} --namespace {ns} --service-account {name} --role-arn <role ARN>`"
                    ),
                    Lookup::Failed(error) => bail!(
                        "EKS ListPodIdentityAssociations failed: {error}{}",
                        hint(&error)
                    ),
                }
            }
            let Some(name) = inputs.live_role(c.role_arn.as_deref()) else {
                if inputs.association.is_some() {
                    bail!("--live needs the role: give --role-arn");
                }
                bail!(
                    "--live needs the role: give --role-arn, or --cluster-name with the service account"
                );
            };
            let mut role_arn = inputs.role_arn.clone();
            role(dir, &name, &mut role_arn, &mut inputs.trust_policy, sources).await?;
            permissions(dir, &name, &mut inputs.permissions_policy, sources).await?;
            if inputs.role_arn.is_some() {
                inputs.role_arn = role_arn;
            }
            inputs.registry_token = token(backend, inputs.registry.as_ref()).await;
            Ok(())
        })
    }
}
