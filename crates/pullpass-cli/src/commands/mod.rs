//! One module per subcommand; each has `Args` and `run`.

use clap::{Parser, Subcommand};

use crate::exit::Exit;

mod check;
mod credential_helper;
mod doctor;
mod explain;
mod helm_values;
mod host;
mod images;
mod import;
mod kubelet;
mod lint;
mod lint_inputs;
mod lint_skip;
mod listing;
mod login;
mod registry;
mod registry_ref;
mod registry_test;
mod repos;
mod rules;
mod trust_policy;

/// Private container registries, above all Amazon ECR, that just work.
#[derive(Debug, Parser)]
#[command(name = "pullpass", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// The config file (default: $PULLPASS_CONFIG, else $XDG_CONFIG_HOME/pullpass/config.toml,
    /// else ~/.config/pullpass/config.toml). The commands that read it also take it after
    /// their name.
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// More detail: `lint` lists skipped files; logs on stderr at info (`-v`), debug (`-vv`),
    /// trace (`-vvv`); warnings are always shown.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Log level on stderr (overrides -v); `off` silences warnings too.
    #[arg(long, global = true, value_enum, value_name = "LEVEL")]
    log_level: Option<crate::log::LogLevel>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse a registry host: kind, account, region, partition, FIPS, dual-stack.
    Host(host::Args),
    /// Validate an Add-registry form.
    Check(check::Args),
    /// Lint IAM trust and permissions policies (text, JSON, SARIF, GitHub annotations).
    Lint(lint::Args),
    /// List the rule catalog, or show one rule's documentation.
    Rules(rules::Args),
    /// Explain an AWS error message: likely causes, the rule that catches it, next steps.
    Explain(explain::Args),
    /// Generate an IRSA or EKS Pod Identity trust policy.
    TrustPolicy(trust_policy::Args),
    /// Print the helm values that annotate the service account with a role.
    HelmValues(helm_values::Args),
    /// Manage configured registries and test them.
    Registry(registry::Args),
    /// Print registry credentials for docker, skopeo, Kubernetes or the environment.
    Login(login::Args),
    /// List a registry's repositories.
    Repos(repos::Args),
    /// List a repository's images and tags.
    Images(images::Args),
    /// Check that an image exists and print its digest.
    Import(import::Args),
    /// Docker credential helper protocol (also as `docker-credential-pullpass`).
    CredentialHelper(credential_helper::Args),
    /// Kubelet credential provider (`credentialprovider.kubelet.k8s.io/v1`).
    KubeletCredentialProvider(kubelet::Args),
    /// Check an IRSA / Pod Identity set-up end to end.
    Doctor(doctor::Args),
}

/// The verbs of the docker credential helper protocol that the fast path takes.
const HELPER_VERBS: &[&str] = &["get", "store", "erase", "list", "version"];

impl Cli {
    /// The credential protocols' own invocations, parsed without clap: docker runs
    /// `docker-credential-pullpass <verb>` (already `credential-helper <verb>` after
    /// `main::argv`) and the kubelet `pullpass kubelet-credential-provider`, a process per pull.
    /// Building clap's `Command` tree for the whole CLI costs such a process more than the
    /// token cache look-up itself, so these exact shapes become the value clap would give
    /// (`protocol_invocations_parse_as_clap_does` holds them equal). `None` for anything
    /// else, flags and `--help` included: clap parses it, with its help and errors.
    pub(crate) fn protocol_invocation(args: &[std::ffi::OsString]) -> Option<Self> {
        let command = match args {
            [_, sub, verb] if sub == "credential-helper" => {
                let verb = HELPER_VERBS.iter().find(|v| verb == **v)?;
                Command::CredentialHelper(credential_helper::Args::new(verb))
            }
            [_, sub] if sub == "kubelet-credential-provider" => {
                Command::KubeletCredentialProvider(kubelet::Args::default())
            }
            _ => return None,
        };
        Some(Self {
            config: None,
            verbose: 0,
            log_level: None,
            command,
        })
    }
}

/// Runs a command; the ones that reach registries or AWS do it through `backend`.
pub(crate) fn run(cli: Cli, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    crate::log::set_verbosity(cli.verbose);
    crate::log::init(crate::log::level(cli.log_level, cli.verbose));
    if let Some(path) = cli.config {
        crate::config::set_path_override(path);
    }
    match cli.command {
        Command::Host(args) => host::run(args),
        Command::Check(args) => check::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Explain(args) => explain::run(args),
        Command::TrustPolicy(args) => trust_policy::run(args),
        Command::HelmValues(args) => helm_values::run(args),
        Command::Registry(args) => registry::run(args, backend),
        Command::Login(args) => login::run(args, backend),
        Command::Repos(args) => repos::run(args, backend),
        Command::Images(args) => images::run(args, backend),
        Command::Import(args) => import::run(args, backend),
        Command::CredentialHelper(args) => credential_helper::run(args, backend),
        Command::KubeletCredentialProvider(args) => kubelet::run(args, backend),
        Command::Doctor(args) => doctor::run(args, backend),
    }
}

/// The exit of a run; an error is printed on stderr and is a usage error (exit 2).
pub(crate) fn finish(result: anyhow::Result<Exit>) -> Exit {
    result.unwrap_or_else(|error| {
        errln!("error: {error:#}");
        Exit::Usage
    })
}

#[cfg(test)]
mod live_tests;

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    /// Every command, subcommand, flag and argument says what it is: `--help` has no bare
    /// names. (The clap definition is checked too.)
    #[test]
    fn every_help_text_is_described() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.is_hide_set() || sub.get_name() == "help" {
                    continue;
                }
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(sub_path.clone());
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut cmd = super::Cli::command();
        cmd.build();
        cmd.clone().debug_assert();
        let mut missing = Vec::new();
        walk(&cmd, "pullpass", &mut missing);
        assert!(
            missing.is_empty(),
            "undescribed in --help:\n{}",
            missing.join("\n")
        );
    }

    /// The fast path of the credential protocols gives exactly what clap gives for the same
    /// arguments, and leaves everything else (flags, help, unknown verbs, extra arguments) to
    /// clap, so help and error messages are clap's.
    #[test]
    fn protocol_invocations_parse_as_clap_does() {
        use clap::Parser as _;
        let argv = |args: &[&str]| -> Vec<std::ffi::OsString> {
            args.iter().map(std::ffi::OsString::from).collect()
        };
        let fast = [
            &["pullpass", "credential-helper", "get"][..],
            &[
                "/usr/bin/docker-credential-pullpass",
                "credential-helper",
                "store",
            ],
            &["pullpass", "credential-helper", "erase"],
            &["pullpass", "credential-helper", "list"],
            &["pullpass", "credential-helper", "version"],
            &["/opt/bin/pullpass", "kubelet-credential-provider"],
        ];
        for args in fast {
            let args = argv(args);
            let quick = super::Cli::protocol_invocation(&args).expect("a protocol invocation");
            let clap = super::Cli::try_parse_from(&args).expect("clap parses it");
            assert_eq!(format!("{quick:?}"), format!("{clap:?}"), "{args:?}");
        }
        let to_clap = [
            &["pullpass"][..],
            &["pullpass", "credential-helper"],
            &["pullpass", "credential-helper", "--help"],
            &["pullpass", "credential-helper", "-h"],
            &["pullpass", "credential-helper", "--version"],
            &["pullpass", "credential-helper", "help"],
            &["pullpass", "credential-helper", "frob"],
            &["pullpass", "credential-helper", "GET"],
            &["pullpass", "credential-helper", "get", "extra"],
            &["pullpass", "credential-helper", "get", "--bogus"],
            &["pullpass", "credential-helper", "--bogus"],
            &["pullpass", "credential-helper", "-v"],
            &["pullpass", "credential-helper", "--", "get"],
            &["pullpass", "-v", "credential-helper", "get"],
            &["pullpass", "--log-level", "off", "credential-helper", "get"],
            &["pullpass", "--config", "x.toml", "credential-helper", "get"],
            &["pullpass", "kubelet-credential-provider", "--print-config"],
            &["pullpass", "kubelet-credential-provider", "--help"],
            &["pullpass", "kubelet-credential-provider", "extra"],
            &["pullpass", "get"],
            &["pullpass", "host", "get"],
        ];
        for args in to_clap {
            assert!(
                super::Cli::protocol_invocation(&argv(args)).is_none(),
                "{args:?} must go to clap"
            );
        }
    }

    /// `--config` is offered only by the commands that read the config file.
    #[test]
    fn config_is_offered_only_where_it_is_read() {
        let mut cmd = super::Cli::command();
        cmd.build();
        let has_config = |path: &[&str]| {
            let mut c = &cmd;
            for name in path {
                c = c.find_subcommand(name).expect(name);
            }
            c.get_arguments().any(|a| a.get_long() == Some("config"))
        };
        for path in [
            &["trust-policy", "irsa"][..],
            &["lint"],
            &["host"],
            &["explain"],
            &["helm-values"],
        ] {
            assert!(!has_config(path), "{path:?} lists a --config it ignores");
        }
        for path in [
            &["registry", "list"][..],
            &["login"],
            &["repos"],
            &["doctor", "irsa"],
        ] {
            assert!(
                has_config(path),
                "{path:?} reads the config file but has no --config"
            );
        }
    }
}
