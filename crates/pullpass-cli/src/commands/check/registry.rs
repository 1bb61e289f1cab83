//! `pullpass check registry`: the Add-registry form through every `RF…` rule.
//!
//! Secrets come from an environment variable, stdin or the form file, never from argv (where
//! `ps` and shell history would show them).

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use pullpass_core::registry::HostOverride;
use pullpass_core::registry_form::{self, FormContext, RegistryForm};
use pullpass_core::secret::SecretText;

use crate::commands::host::{KindArg, describe, exit_for, items, print};
use crate::exit::Exit;
use crate::render::Format;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Flags override the fields of `--form`. Secrets are never taken from argv: use \
    --secret-access-key-env, --session-token-env, --secret-access-key-stdin, or the form file."
)]
pub(crate) struct Args {
    /// The form as JSON (`schemas/registry-form.schema.json`); `-` reads stdin.
    #[arg(long, value_name = "FILE|-")]
    form: Option<PathBuf>,
    /// Registry name.
    #[arg(long)]
    name: Option<String>,
    /// Registry host.
    #[arg(long, allow_hyphen_values = true)]
    host: Option<String>,
    /// Registry kind (default: the form's, else `ecr`).
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// AWS access key ID (not a secret).
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    access_key_id: Option<String>,
    /// Read the secret access key from this environment variable.
    #[arg(long, value_name = "VAR")]
    secret_access_key_env: Option<String>,
    /// Read the secret access key from stdin (one trailing line break is dropped).
    #[arg(long, conflicts_with = "secret_access_key_env")]
    secret_access_key_stdin: bool,
    /// Read the session token from this environment variable.
    #[arg(long, value_name = "VAR")]
    session_token_env: Option<String>,
    /// Role to assume (cross-account).
    #[arg(long, value_name = "ARN", allow_hyphen_values = true)]
    role_arn: Option<String>,
    /// External ID of the role's trust policy.
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    external_id: Option<String>,
    /// Vanity-host override: account of the ECR registry behind the host.
    #[arg(long, value_name = "ID")]
    override_account: Option<String>,
    /// Vanity-host override: region of the ECR registry behind the host.
    #[arg(long, value_name = "REGION")]
    override_region: Option<String>,
    /// Import Image: repository.
    #[arg(long, allow_hyphen_values = true)]
    repository: Option<String>,
    /// Import Image: tag or `sha256:` digest.
    #[arg(long, allow_hyphen_values = true)]
    tag: Option<String>,
    /// Names of registries that already exist (RF002); repeat the flag.
    #[arg(long = "existing-name", value_name = "NAME")]
    existing_names: Vec<String>,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let form = build_form(&args)?;
    let ctx = FormContext {
        existing_names: args.existing_names.clone(),
    };
    // One analysis of the host: the validation carries it.
    let registry_form::FormValidation {
        diagnostics,
        host: analysis,
    } = registry_form::validate(&form, &ctx);
    // Field values as shown next to findings: secrets hidden, the host masked.
    let shown: Vec<(&str, String)> = diagnostics
        .iter()
        .filter_map(|d| {
            registry_form::field_display(&form, d.pointer()).map(|v| (d.pointer(), v.into_owned()))
        })
        .collect();
    let items = items(&diagnostics, |pointer| {
        shown
            .iter()
            .find(|(p, _)| *p == pointer)
            .map(|(_, v)| v.as_str())
    });
    let preamble = (!form.host.trim().is_empty()).then(|| describe(&analysis));
    print(&items, &analysis, args.format, preamble.as_deref());
    Ok(exit_for(&diagnostics, args.deny_warnings))
}

/// A registry form is a few short fields.
const FORM_LIMIT: usize = 64 * 1024;
/// A secret access key is 40 characters; a pasted line with a break is a little more.
const SECRET_LIMIT: usize = 4 * 1024;

/// The form from `--form` (if any) with the flags laid over it.
fn build_form(args: &Args) -> anyhow::Result<RegistryForm> {
    let reads_stdin_form = args.form.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if reads_stdin_form && args.secret_access_key_stdin {
        bail!(
            "`--form -` and `--secret-access-key-stdin` both read stdin; put the secret in the form or in an environment variable (`--secret-access-key-env VAR`)"
        );
    }
    let mut form = match &args.form {
        Some(path) => {
            let text = crate::input::read_text(path, FORM_LIMIT, "the form")?;
            let name = if reads_stdin_form {
                "<stdin>".to_owned()
            } else {
                path.display().to_string()
            };
            parse_form(&text).with_context(|| format!("`{name}` is not a registry form"))?
        }
        None => RegistryForm::default(),
    };
    let set = |field: &mut String, value: &Option<String>| {
        if let Some(v) = value {
            field.clone_from(v);
        }
    };
    set(&mut form.name, &args.name);
    set(&mut form.host, &args.host);
    set(&mut form.access_key_id, &args.access_key_id);
    set(&mut form.role_arn, &args.role_arn);
    set(&mut form.external_id, &args.external_id);
    if let Some(kind) = args.kind {
        form.kind = kind.into();
    }
    if args.override_account.is_some() || args.override_region.is_some() {
        let o = form.host_override.get_or_insert_with(HostOverride::default);
        set(&mut o.account_id, &args.override_account);
        set(&mut o.region, &args.override_region);
    }
    if args.repository.is_some() {
        form.repository.clone_from(&args.repository);
    }
    if args.tag.is_some() {
        form.tag.clone_from(&args.tag);
    }
    if let Some(var) = &args.secret_access_key_env {
        form.secret_access_key = env_secret(var, "--secret-access-key-env")?;
    }
    if args.secret_access_key_stdin {
        let text = crate::input::read_stdin_text(SECRET_LIMIT, "the secret access key")?;
        let text = text
            .strip_suffix('\n')
            .map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
        form.secret_access_key = SecretText::new(text);
    }
    if let Some(var) = &args.session_token_env {
        form.session_token = env_secret(var, "--session-token-env")?;
    }
    Ok(form)
}

/// A secret from the environment; the error names the variable, never a value.
fn env_secret(var: &str, flag: &str) -> anyhow::Result<SecretText> {
    match std::env::var(var) {
        Ok(value) => Ok(SecretText::new(value)),
        Err(std::env::VarError::NotPresent) => {
            bail!("{flag}: the environment variable `{var}` is not set; export it first")
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("{flag}: the environment variable `{var}` is not valid UTF-8")
        }
    }
}

/// Parses form JSON; errors name the field (`override.accountId: invalid type …`) and never
/// quote a value.
fn parse_form(text: &str) -> anyhow::Result<RegistryForm> {
    // serde also reads a struct from an array; a form is an object.
    if !text.trim_start().starts_with('{') {
        bail!(
            "expected a JSON object with the form's fields; the form is described by schemas/registry-form.schema.json"
        );
    }
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, RegistryForm>(&mut de) {
        Ok(form) => {
            de.end().context("unexpected text after the JSON object")?;
            Ok(form)
        }
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let what = describe_json_error(&inner);
            let field = if path == "." || path.is_empty() {
                String::new()
            } else {
                format!("field `{path}`: ")
            };
            bail!(
                "{field}{what} (line {}, column {}); the form is described by schemas/registry-form.schema.json",
                inner.line(),
                inner.column()
            )
        }
    }
}

/// serde_json's message without any quoted input value (a secret may be in it).
fn describe_json_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    // Drop serde_json's own " at line X column Y" suffix; we add it once.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    if error.is_data() && message.starts_with("invalid type:") {
        // "invalid type: string \"…\", expected …" quotes the value: keep only the types.
        let expected = message
            .split(", expected ")
            .nth(1)
            .unwrap_or("another type");
        let found = message
            .trim_start_matches("invalid type: ")
            .split([' ', ','])
            .next()
            .unwrap_or("value");
        let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return format!("expected {expected}, found {article} {found}");
    }
    if error.is_data() && message.starts_with("invalid value:") {
        let expected = message
            .split(", expected ")
            .nth(1)
            .unwrap_or("another value");
        return format!("invalid value, expected {expected}");
    }
    if error.is_data() && message.starts_with("unknown variant") {
        let expected = message
            .split(", expected ")
            .nth(1)
            .unwrap_or("a known value");
        return format!("unknown value, expected {expected}");
    }
    message
}
