//! The config file on disk: where it is, reading it, resolving secret references, writing it
//! back atomically, and turning a configured registry into a `pullpass_ecr::RegistrySpec`.
//!
//! The model and every check live in `pullpass_core::config`; this module only does the IO.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context as _, anyhow, bail};
use pullpass_core::Severity;
use pullpass_core::config::{
    self, Auth, Config, ConfigError, Registry, RegistryFinding, ResolvedSecrets, SecretRef,
};
use pullpass_core::secret::SecretText;
use pullpass_ecr::{AssumeRole, AuthSpec, RegistrySpec};
use secrecy::{ExposeSecret as _, SecretString};

use crate::render::{Item, Source};

/// The environment variable that names the config file.
pub(crate) const ENV_CONFIG: &str = "PULLPASS_CONFIG";

static OVERRIDE: OnceLock<PathBuf> = OnceLock::new();

/// Records the `--config` flag (the first one given wins).
pub(crate) fn set_path_override(path: PathBuf) {
    let _ = OVERRIDE.set(path);
}

/// `--config FILE` of the commands that read the config file (`registry`, `login`, `repos`,
/// `images`, `import`, `doctor`); the others do not offer it. `pullpass --config FILE <command>`
/// works for every command too.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct ConfigArg {
    /// The config file (default: $PULLPASS_CONFIG, else $XDG_CONFIG_HOME/pullpass/config.toml,
    /// else ~/.config/pullpass/config.toml).
    #[arg(long = "config", global = true, value_name = "FILE")]
    path: Option<PathBuf>,
}

impl ConfigArg {
    /// Makes the flag, when given, the config file every later lookup uses.
    pub(crate) fn apply(&self) {
        if let Some(path) = &self.path {
            set_path_override(path.clone());
        }
    }
}

/// The config file: `--config`, else `$PULLPASS_CONFIG`, else
/// `$XDG_CONFIG_HOME/pullpass/config.toml`, else `~/.config/pullpass/config.toml`.
pub(crate) fn path() -> anyhow::Result<PathBuf> {
    if let Some(path) = OVERRIDE.get() {
        return Ok(path.clone());
    }
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(path) = env(ENV_CONFIG) {
        return Ok(PathBuf::from(path));
    }
    if let Some(xdg) = env("XDG_CONFIG_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        return Ok(xdg.join("pullpass").join("config.toml"));
    }
    if let Some(home) = env("HOME") {
        return Ok(PathBuf::from(home).join(".config/pullpass/config.toml"));
    }
    bail!(
        "cannot tell where the config file is: neither --config, {ENV_CONFIG}, XDG_CONFIG_HOME nor HOME is set; pass --config <file>"
    )
}

/// A config file as read from disk.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) path: PathBuf,
    /// The file's text; empty when the file does not exist yet.
    pub(crate) text: String,
    /// The text as shown in findings: every host's user info masked (same byte length).
    pub(crate) display_text: String,
    pub(crate) exists: bool,
    pub(crate) config: Config,
    /// `RF…` findings of every registry (ranges into `text`).
    pub(crate) findings: Vec<RegistryFinding>,
}

/// Reads and parses the config file. A missing file is an empty config.
pub(crate) fn load() -> anyhow::Result<Loaded> {
    let path = path()?;
    load_from(&path)
}

/// Like [`load`], but with no way to tell where the file is (no `--config`,
/// `PULLPASS_CONFIG`, `XDG_CONFIG_HOME` or `HOME`: a kubelet's environment, say) it is an
/// empty config instead of an error, so ambient credentials still work.
pub(crate) fn load_or_empty() -> anyhow::Result<Loaded> {
    match path() {
        Ok(path) => load_from(&path),
        Err(_) => Ok(Loaded::empty()),
    }
}

impl Loaded {
    /// No config at all.
    pub(crate) fn empty() -> Self {
        Self {
            path: PathBuf::from("config.toml"),
            text: String::new(),
            display_text: String::new(),
            exists: false,
            config: Config::default(),
            findings: Vec::new(),
        }
    }
}

pub(crate) fn load_from(path: &Path) -> anyhow::Result<Loaded> {
    let (text, exists) = match crate::input::read_text_if_exists(
        path,
        crate::input::MAX_INPUT_BYTES,
        "the config file",
    ) {
        Ok(Some(text)) => (text, true),
        Ok(None) => (String::new(), false),
        Err(e) => {
            return Err(e.context(format!(
                "cannot read the config file {}; check its permissions, or pass another file with --config",
                path.display()
            )));
        }
    };
    let config = config::parse(&text).map_err(|errors| parse_errors(path, &errors))?;
    let findings = config::validate(&config, Some(&text));
    let display_text = redact_hosts(&text, &config);
    Ok(Loaded {
        path: path.to_owned(),
        text,
        display_text,
        exists,
        config,
        findings,
    })
}

/// `text` with the user info, query and fragment of every registry host masked (same byte
/// length, so finding ranges stay valid): a host with `user:password@` is never shown.
fn redact_hosts(text: &str, config: &Config) -> String {
    let mut out = text.to_owned();
    for registry in &config.registries {
        let Some(span) = registry.spans.get("host") else {
            continue;
        };
        // Inside the quotes of the string literal.
        let range = span.start as usize + 1..(span.end as usize).saturating_sub(1);
        let Some(inner) = text.get(range.clone()) else {
            continue;
        };
        let masked = pullpass_core::host::redacted(inner);
        if masked != inner && masked.len() == inner.len() {
            out.replace_range(range, &masked);
        } else if inner.contains('@') && masked == inner {
            // Not parseable as a host (escapes, odd quoting): mask the whole value.
            out.replace_range(range, &"*".repeat(inner.len()));
        }
    }
    out
}

/// A host as shown to people: user info, query and fragment masked.
pub(crate) fn shown_host(host: &str) -> String {
    pullpass_core::host::redacted(host)
}

/// One error naming the file, then each problem on a line of its own.
fn parse_errors(path: &Path, errors: &[ConfigError]) -> anyhow::Error {
    let mut message = format!(
        "the config file {} cannot be used ({} problem{}):",
        path.display(),
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for e in errors {
        let position = match (e.line, e.column) {
            (Some(line), Some(column)) => format!(":{line}:{column}"),
            _ => String::new(),
        };
        let _ = write!(
            message,
            "\n  {}{position}: {}",
            path.display(),
            e.without_position()
        );
    }
    anyhow!(message)
}

impl Loaded {
    /// The registry called `name`, or an error that lists the configured names.
    pub(crate) fn registry(&self, name: &str) -> anyhow::Result<(usize, &Registry)> {
        let registry = self.config.find(name).ok_or_else(|| {
            let names: Vec<&str> = self
                .config
                .registries
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            let known = if names.is_empty() {
                format!(
                    "{} has no registries yet",
                    if self.exists {
                        self.path.display().to_string()
                    } else {
                        format!("{} does not exist, so it", self.path.display())
                    }
                )
            } else {
                format!("configured: {}", names.join(", "))
            };
            anyhow!(
                "no registry named {name:?} ({known}); add it with `pullpass registry add {name} --host <host>`"
            )
        })?;
        let index = self
            .config
            .registries
            .iter()
            .position(|r| std::ptr::eq(r, registry))
            .unwrap_or_default();
        Ok((index, registry))
    }

    /// The findings of registry `index`.
    pub(crate) fn findings_of(&self, index: usize) -> Vec<&RegistryFinding> {
        self.findings.iter().filter(|f| f.index == index).collect()
    }

    /// Render items for findings: the range points into the config text.
    pub(crate) fn items<'a>(&'a self, findings: &[&'a RegistryFinding]) -> Vec<Item<'a>> {
        findings
            .iter()
            .map(|f| Item {
                diagnostic: &f.diagnostic,
                source: f.diagnostic.range().map(|_| Source {
                    name: self.path.to_str().unwrap_or("config.toml"),
                    text: &self.display_text,
                }),
            })
            .collect()
    }
}

/// Fails when `findings` hold an error, with the findings rendered into the message.
pub(crate) fn refuse_errors(registry: &str, path: &Path, items: &[Item<'_>]) -> anyhow::Result<()> {
    let errors = items
        .iter()
        .filter(|i| i.diagnostic.severity() == Severity::Error)
        .count();
    if errors == 0 {
        return Ok(());
    }
    let rendered = crate::render::text::render(items, false);
    bail!(
        "registry {registry:?} in {} has {errors} error{} to fix first:\n\n{rendered}",
        path.display(),
        if errors == 1 { "" } else { "s" }
    )
}

/// Reads one secret reference. Errors name the registry, the field, the variable or file,
/// and what to do; never the value.
pub(crate) fn resolve_secret(
    registry: &str,
    field: &str,
    reference: &SecretRef,
    config_path: &Path,
) -> anyhow::Result<SecretString> {
    match reference {
        SecretRef::Env(var) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(SecretString::from(value)),
            Ok(_) => bail!(
                "registry {registry:?}: `{field}` refers to the environment variable {var}, which is set but empty; set it to the secret in the environment pullpass runs in, or point `{field}` at a file with {{ file = \"/path\" }}"
            ),
            Err(std::env::VarError::NotPresent) => bail!(
                "registry {registry:?}: `{field}` refers to the environment variable {var}, which is not set; export {var} in the environment pullpass runs in (for docker and the kubelet that is their environment, not your shell), or point `{field}` at a file with {{ file = \"/path\" }}"
            ),
            Err(std::env::VarError::NotUnicode(_)) => bail!(
                "registry {registry:?}: `{field}` refers to the environment variable {var}, which is not valid UTF-8; set it to the secret as plain text"
            ),
        },
        SecretRef::File(file) => {
            let path = secret_path(file, config_path);
            let bytes = std::fs::read(&path).map_err(|e| {
                anyhow!(
                    "registry {registry:?}: `{field}` refers to the file {}, which cannot be read ({}); create it with the secret as its only content (`chmod 600`), or fix the path in {}",
                    path.display(),
                    io_reason(&e),
                    config_path.display()
                )
            })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                anyhow!(
                    "registry {registry:?}: the file {} of `{field}` is not UTF-8 text; it must hold the secret as plain text",
                    path.display()
                )
            })?;
            let value = text
                .strip_suffix("\r\n")
                .or_else(|| text.strip_suffix('\n'))
                .unwrap_or(&text);
            if value.trim().is_empty() {
                bail!(
                    "registry {registry:?}: the file {} of `{field}` is empty; write the secret into it",
                    path.display()
                );
            }
            Ok(SecretString::from(value.to_owned()))
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "it does not exist".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// A secret file path: absolute, `~/…`, or relative to the config file's directory.
pub(crate) fn secret_path(file: &str, config_path: &Path) -> PathBuf {
    if let Some(rest) = file.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    let path = PathBuf::from(file);
    if path.is_absolute() {
        path
    } else {
        config_path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join(path)
    }
}

/// The backend spec of a registry, its secrets resolved. Refuses a registry with `RF…`
/// errors (re-checked with the secret values, which the file alone cannot show).
pub(crate) fn to_spec(loaded: &Loaded, index: usize) -> anyhow::Result<RegistrySpec> {
    let registry = &loaded.config.registries[index];
    let resolve =
        |field: &str, r: &SecretRef| resolve_secret(&registry.name, field, r, &loaded.path);
    let auth = match &registry.auth {
        Auth::Static {
            access_key_id,
            secret_access_key,
            session_token,
        } => AuthSpec::Static {
            access_key_id: access_key_id.clone(),
            secret_access_key: resolve("secret_access_key", secret_access_key)?,
            session_token: session_token
                .as_ref()
                .map(|t| resolve("session_token", t))
                .transpose()?,
        },
        Auth::Basic { username, password } => AuthSpec::Basic {
            username: username.clone(),
            password: resolve("password", password)?,
        },
        Auth::Ambient => AuthSpec::Ambient,
        Auth::Profile(profile) => AuthSpec::Profile(profile.clone()),
        Auth::None => AuthSpec::Anonymous,
    };
    // The full check, secrets included.
    let secrets = match &auth {
        AuthSpec::Static {
            secret_access_key,
            session_token,
            ..
        } => Some(ResolvedSecrets {
            secret_access_key: SecretText::new(secret_access_key.expose_secret()),
            session_token: session_token
                .as_ref()
                .map(|t| SecretText::new(t.expose_secret()))
                .unwrap_or_default(),
        }),
        _ => None,
    };
    let others = loaded
        .config
        .registries
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < index)
        .map(|(_, r)| r.name.clone())
        .collect();
    let findings = config::validate_registry(
        registry,
        index,
        others,
        secrets.as_ref(),
        Some(&loaded.text),
    );
    let refs: Vec<&RegistryFinding> = findings.iter().collect();
    refuse_errors(&registry.name, &loaded.path, &loaded.items(&refs))?;
    // The host as the backend wants it: no scheme, path or upper case (RF011/RF013/RF014
    // are warnings, so a file may still carry them).
    let host = pullpass_core::host::normalize(&registry.host)
        .map_or_else(|| registry.host.clone(), |n| n.authority());
    Ok(RegistrySpec {
        name: registry.name.clone(),
        host,
        kind: registry.kind,
        auth,
        assume_role: registry.role_arn.as_ref().map(|arn| AssumeRole {
            role_arn: arn.clone(),
            external_id: registry.external_id.clone(),
        }),
        host_override: registry.host_override.clone(),
    })
}

/// An exclusive lock on `<config>.lock` for a read-modify-write of the config file, so two
/// `registry add` at once do not lose one of the registries. Released on drop.
#[derive(Debug)]
pub(crate) struct EditLock(#[allow(dead_code)] std::fs::File);

pub(crate) fn lock_for_edit(path: &Path) -> anyhow::Result<EditLock> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .with_context(|| format!("cannot create the config directory {}", dir.display()))?;
    }
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".lock");
    let lock_path = dir.join(name);
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&lock_path)
        .with_context(|| format!("cannot open the lock file {}", lock_path.display()))?;
    file.lock()
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    Ok(EditLock(file))
}

/// Replaces the config file at `path` with `text` by the one file-writing policy
/// (`pullpass_ecr::fsio::replace_file`, ARCHITECTURE.md "Files"): a symlinked config stays a
/// link and its target is written; mode and owner kept; a read-only or hard-linked file is
/// refused; `before` is the text read (`None`: the file did not exist), and a file changed
/// since is refused. A new file is created `0600` in a `0700` directory.
pub(crate) fn write_atomic(path: &Path, before: Option<&str>, text: &str) -> anyhow::Result<()> {
    pullpass_ecr::fsio::replace_file(path, before.map(str::as_bytes), text.as_bytes())
        .map_err(|e| anyhow!("cannot write the config file {e}"))?;
    Ok(())
}
