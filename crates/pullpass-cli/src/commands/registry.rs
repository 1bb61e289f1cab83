//! `pullpass registry add|list|show|remove|test`: the registries of the config file.
//!
//! Secrets are never taken on the command line (argv is visible to every user of the
//! machine): `add` records a reference to an environment variable or a file.

use std::fmt::Write as _;

use anyhow::{anyhow, bail};
use pullpass_core::config::{
    self, AuthMode, ConfigError, OverrideEntry, RegistryEntry, RegistryFinding, SecretRefEntry,
    edit,
};
use pullpass_core::registry::RegistryKind;
use serde::Serialize;

use crate::config::{self as cfg, Loaded};
use crate::exit::Exit;
use crate::render::{self, Format};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    config: crate::config::ConfigArg,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Add a registry to the config file (validated with the RF rules first).
    Add(Box<AddArgs>),
    /// List the configured registries.
    List(ListArgs),
    /// Show one registry (secrets only as their references) and its findings.
    Show(ShowArgs),
    /// Remove a registry from the config file.
    Remove(NameArgs),
    /// Test a registry end to end: credentials, identity, token, a `/v2/` probe.
    Test(TestArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum KindArg {
    Ecr,
    Generic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum AuthArg {
    /// Access key (ECR) or username + password (generic), secrets by reference.
    Static,
    /// The AWS SDK chain: IRSA, EKS Pod Identity, instance role, environment.
    Ambient,
    /// A named AWS profile (`--profile`).
    Profile,
    /// No credentials.
    None,
}

#[derive(Debug, clap::Args)]
struct AddArgs {
    /// Registry name, unique (case-insensitive).
    name: String,
    /// Registry host, e.g. `123456789012.dkr.ecr.eu-central-1.amazonaws.com`.
    #[arg(long)]
    host: String,
    /// `ecr` (tokens from AWS) or `generic` (a user name and a password or token).
    #[arg(long, value_enum, default_value = "ecr")]
    kind: KindArg,
    /// Auth mode; inferred from the other flags when absent (keys → static, --profile →
    /// profile, else ambient for ECR and none for generic).
    #[arg(long, value_enum)]
    auth: Option<AuthArg>,
    /// ECR static: the access key ID.
    #[arg(long)]
    access_key_id: Option<String>,
    /// ECR static: the environment variable that holds the secret access key.
    #[arg(long, value_name = "VAR", conflicts_with = "secret_access_key_file")]
    secret_access_key_env: Option<String>,
    /// ECR static: the file that holds the secret access key.
    #[arg(long, value_name = "PATH")]
    secret_access_key_file: Option<String>,
    /// ECR static, temporary keys: the environment variable that holds the session token.
    #[arg(long, value_name = "VAR", conflicts_with = "session_token_file")]
    session_token_env: Option<String>,
    /// ECR static, temporary keys: the file that holds the session token.
    #[arg(long, value_name = "PATH")]
    session_token_file: Option<String>,
    /// ECR profile mode: the AWS profile name.
    #[arg(long)]
    profile: Option<String>,
    /// Generic static: the username.
    #[arg(long)]
    username: Option<String>,
    /// Generic static: the environment variable that holds the password or token.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    password_env: Option<String>,
    /// Generic static: the file that holds the password or token.
    #[arg(long, value_name = "PATH")]
    password_file: Option<String>,
    /// A role to assume before calling ECR (cross-account).
    #[arg(long)]
    role_arn: Option<String>,
    /// The external ID the role's trust policy requires.
    #[arg(long)]
    external_id: Option<String>,
    /// Vanity host: the 12-digit account behind it.
    #[arg(long, requires = "override_region")]
    override_account: Option<String>,
    /// Vanity host: the region behind it.
    #[arg(long, requires = "override_account")]
    override_region: Option<String>,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct ShowArgs {
    /// The registry's name.
    name: String,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct TestArgs {
    #[command(flatten)]
    registry: super::registry_ref::RegistryArgs,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct NameArgs {
    /// The registry's name.
    name: String,
}

pub(crate) fn run(args: Args, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    args.config.apply();
    match args.command {
        Command::Add(args) => add(*args),
        Command::List(args) => list(&args),
        Command::Show(args) => show(&args),
        Command::Remove(args) => remove(&args),
        Command::Test(args) => test(&args, backend),
    }
}

fn secret_ref(env: Option<String>, file: Option<String>) -> Option<SecretRefEntry> {
    env.map(|env| SecretRefEntry::Env { env })
        .or_else(|| file.map(|file| SecretRefEntry::File { file }))
}

/// The flag that sets a config field, for messages about `add`.
fn flag_of(field: &str) -> &'static str {
    match field {
        "access_key_id" => "--access-key-id",
        "secret_access_key" => "--secret-access-key-env or --secret-access-key-file",
        "session_token" => "--session-token-env or --session-token-file",
        "profile" => "--profile",
        "username" => "--username",
        "password" => "--password-env or --password-file",
        "role_arn" => "--role-arn",
        "external_id" => "--external-id",
        "override" => "--override-account/--override-region",
        "auth" => "--auth",
        "kind" => "--kind",
        "name" => "NAME",
        "host" => "--host",
        _ => "the flags",
    }
}

fn entry_of(args: AddArgs) -> RegistryEntry {
    RegistryEntry {
        name: args.name,
        host: args.host,
        kind: Some(match args.kind {
            KindArg::Ecr => RegistryKind::Ecr,
            KindArg::Generic => RegistryKind::Generic,
        }),
        auth: args.auth.map(|a| match a {
            AuthArg::Static => AuthMode::Static,
            AuthArg::Ambient => AuthMode::Ambient,
            AuthArg::Profile => AuthMode::Profile,
            AuthArg::None => AuthMode::None,
        }),
        access_key_id: args.access_key_id,
        secret_access_key: secret_ref(args.secret_access_key_env, args.secret_access_key_file),
        session_token: secret_ref(args.session_token_env, args.session_token_file),
        profile: args.profile,
        username: args.username,
        password: secret_ref(args.password_env, args.password_file),
        role_arn: args.role_arn,
        external_id: args.external_id,
        host_override: match (args.override_account, args.override_region) {
            (Some(account_id), Some(region)) => Some(OverrideEntry { account_id, region }),
            _ => None,
        },
        import_images: None,
    }
}

fn add_errors(errors: &[ConfigError]) -> anyhow::Error {
    let mut message = String::from("the registry cannot be added:");
    for e in errors {
        let field = e.field.as_deref().unwrap_or("");
        let _ = write!(message, "\n  {} ({}): {}", field, flag_of(field), e.message);
    }
    anyhow!(message)
}

fn add(args: AddArgs) -> anyhow::Result<Exit> {
    let format = args.format;
    let _lock = cfg::lock_for_edit(&cfg::path()?)?;
    let loaded = cfg::load()?;
    let registry = config::from_entry(entry_of(args)).map_err(|e| add_errors(&e))?;
    let index = loaded.config.registries.len();
    let existing = loaded
        .config
        .registries
        .iter()
        .map(|r| r.name.clone())
        .collect();
    // When the secrets can be read now, check their values too (swapped fields, a key ID
    // pasted as the secret); otherwise only the references are checked.
    let secrets = resolved_now(&registry, &loaded.path);
    let findings = config::validate_registry(&registry, index, existing, secrets.as_ref(), None);
    let errors = findings.iter().filter(|f| f.diagnostic.is_error()).count();
    print_findings(&findings, format, &registry)?;
    if errors > 0 {
        eprintln!(
            "registry {:?} was not added: fix the {} error{} above",
            registry.name,
            errors,
            if errors == 1 { "" } else { "s" }
        );
        return Ok(Exit::Findings);
    }
    let text = edit::add(&loaded.text, &registry)
        .map_err(|e| anyhow!("{e} (config file {})", loaded.path.display()))?;
    cfg::write_atomic(
        &loaded.path,
        loaded.exists.then_some(loaded.text.as_str()),
        &text,
    )?;
    eprintln!(
        "added registry {:?} to {}",
        registry.name,
        loaded.path.display()
    );
    for (field, reference) in registry.secret_refs() {
        if let Err(e) = cfg::resolve_secret(&registry.name, field, reference, &loaded.path) {
            eprintln!("note: {e:#}");
        }
    }
    Ok(Exit::Ok)
}

/// The static ECR secrets of `registry`, if every reference resolves in this environment.
fn resolved_now(
    registry: &pullpass_core::config::Registry,
    config_path: &std::path::Path,
) -> Option<config::ResolvedSecrets> {
    use secrecy::ExposeSecret as _;
    let config::Auth::Static {
        secret_access_key,
        session_token,
        ..
    } = &registry.auth
    else {
        return None;
    };
    let read = |field: &str, r: &config::SecretRef| {
        cfg::resolve_secret(&registry.name, field, r, config_path)
            .ok()
            .map(|s| pullpass_core::secret::SecretText::new(s.expose_secret()))
    };
    let secret_access_key = read("secret_access_key", secret_access_key)?;
    let session_token = match session_token {
        Some(token) => read("session_token", token)?,
        None => pullpass_core::secret::SecretText::default(),
    };
    Some(config::ResolvedSecrets {
        secret_access_key,
        session_token,
    })
}

/// Findings of `add` (no config text to point into: ranges point into the flag's value):
/// JSON on stdout, text on stderr.
fn print_findings(
    findings: &[RegistryFinding],
    format: Format,
    registry: &pullpass_core::config::Registry,
) -> anyhow::Result<()> {
    let masked_host = cfg::shown_host(&registry.host);
    let items: Vec<render::Item<'_>> = findings
        .iter()
        .map(|f| render::Item {
            diagnostic: &f.diagnostic,
            source: f.diagnostic.range().and_then(|_| {
                let field = f.diagnostic.pointer().rsplit('/').next()?;
                let text = config::field_value(registry, f.diagnostic.pointer())?;
                // The host may carry `user:password@` (RF012): shown masked, same length.
                let text = if field == "host" {
                    masked_host.as_str()
                } else {
                    text
                };
                Some(render::Source {
                    name: flag_of(field),
                    text,
                })
            }),
        })
        .collect();
    match format {
        Format::Json => {
            let report =
                pullpass_core::report::FindingsReport::new(render::json::findings(&items, None));
            print!("{}", render::json::to_string(&report));
        }
        Format::Text => {
            if !findings.is_empty() {
                eprint!(
                    "registry {:?}:\n{}",
                    registry.name,
                    render::text::render(&items, false)
                );
            }
        }
    }
    Ok(())
}

/// `registry list --format json` and `registry show --format json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput {
    version: u32,
    config_path: String,
    registries: Vec<ShownRegistry>,
}

/// A registry as shown: the config entry (secrets as references) and its findings.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ShownRegistry {
    #[serde(flatten)]
    entry: RegistryEntry,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<pullpass_core::report::Finding>,
}

fn shown(loaded: &Loaded, index: usize) -> ShownRegistry {
    let registry = &loaded.config.registries[index];
    let findings = loaded.findings_of(index);
    let mut entry = registry.to_entry();
    entry.host = cfg::shown_host(&entry.host);
    if let Some(id) = &mut entry.access_key_id {
        *id = pullpass_core::registry_form::shown_access_key_id(id).into_owned();
    }
    ShownRegistry {
        entry,
        findings: render::json::findings(&loaded.items(&findings), None),
    }
}

fn list(args: &ListArgs) -> anyhow::Result<Exit> {
    let loaded = cfg::load()?;
    match args.format {
        Format::Json => {
            let out = ListOutput {
                version: 1,
                config_path: loaded.path.display().to_string(),
                registries: (0..loaded.config.registries.len())
                    .map(|i| shown(&loaded, i))
                    .collect(),
            };
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Text => {
            if loaded.config.registries.is_empty() {
                eprintln!(
                    "no registries in {}; add one with `pullpass registry add NAME --host HOST`",
                    loaded.path.display()
                );
                return Ok(Exit::Ok);
            }
            let rows: Vec<[String; 4]> = loaded
                .config
                .registries
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let errors = loaded
                        .findings_of(i)
                        .iter()
                        .filter(|f| f.diagnostic.is_error())
                        .count();
                    let name = if errors > 0 {
                        format!("{} (!{errors})", r.name)
                    } else {
                        r.name.clone()
                    };
                    [
                        name,
                        cfg::shown_host(&r.host),
                        kind_str(r.kind).to_owned(),
                        r.auth.mode().to_string(),
                    ]
                })
                .collect();
            print!("{}", table(&["NAME", "HOST", "KIND", "AUTH"], &rows));
            if rows.iter().any(|r| r[0].ends_with(')')) {
                eprintln!("(!N): the registry has N errors; see `pullpass registry show NAME`");
            }
        }
    }
    Ok(Exit::Ok)
}

fn kind_str(kind: RegistryKind) -> &'static str {
    kind.as_str()
}

fn table(header: &[&str; 4], rows: &[[String; 4]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<w$}  ");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

fn show(args: &ShowArgs) -> anyhow::Result<Exit> {
    let loaded = cfg::load()?;
    let (index, registry) = loaded.registry(&args.name)?;
    let findings = loaded.findings_of(index);
    let errors = findings.iter().filter(|f| f.diagnostic.is_error()).count();
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&shown(&loaded, index))?),
        Format::Text => {
            let mut out = String::new();
            let mut field = |key: &str, value: &str| {
                let _ = writeln!(out, "{key:<18} {value}");
            };
            field("name", &registry.name);
            field("host", &cfg::shown_host(&registry.host));
            field("kind", kind_str(registry.kind));
            field("auth", registry.auth.mode().as_str());
            match &registry.auth {
                config::Auth::Static {
                    access_key_id,
                    secret_access_key,
                    session_token,
                } => {
                    field(
                        "access_key_id",
                        &pullpass_core::registry_form::shown_access_key_id(access_key_id),
                    );
                    field("secret_access_key", &secret_access_key.to_string());
                    if let Some(token) = session_token {
                        field("session_token", &token.to_string());
                    }
                }
                config::Auth::Basic { username, password } => {
                    field("username", username);
                    field("password", &password.to_string());
                }
                config::Auth::Profile(profile) => field("profile", profile),
                config::Auth::Ambient | config::Auth::None => {}
            }
            if let Some(arn) = &registry.role_arn {
                field("role_arn", arn);
            }
            if let Some(id) = &registry.external_id {
                field("external_id", id);
            }
            if let Some(o) = &registry.host_override {
                field(
                    "override",
                    &format!("account {} region {}", o.account_id, o.region),
                );
            }
            field("config", &loaded.path.display().to_string());
            print!("{out}");
            if !findings.is_empty() {
                print!(
                    "\n{}",
                    render::text::render(&loaded.items(&findings), false)
                );
            }
        }
    }
    Ok(if errors > 0 { Exit::Findings } else { Exit::Ok })
}

fn remove(args: &NameArgs) -> anyhow::Result<Exit> {
    let path = cfg::path()?;
    if !path.exists() {
        bail!(
            "no registry named {:?}: the config file {} does not exist",
            args.name,
            path.display()
        );
    }
    let _lock = cfg::lock_for_edit(&path)?;
    let text = crate::input::read_text(&path, crate::input::MAX_INPUT_BYTES, "the config file")?;
    let (updated, removed) =
        edit::remove(&text, &args.name).map_err(|e| anyhow!("{e} ({})", path.display()))?;
    cfg::write_atomic(&path, Some(&text), &updated)?;
    eprintln!("removed registry {removed:?} from {}", path.display());
    Ok(Exit::Ok)
}

fn test(args: &TestArgs, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    let spec = args.registry.spec()?;
    let options = args.registry.options();
    let report = pullpass_ecr::block_on(backend.test_connection(&spec, &options));
    match args.format {
        Format::Json => out!("{}", super::registry_test::render_json(&report)),
        Format::Text => out!("{}", super::registry_test::render_text(&report)),
    }
    Ok(if report.ok { Exit::Ok } else { Exit::Findings })
}
