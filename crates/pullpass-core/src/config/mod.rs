//! The pullpass config file: registries in TOML, secrets only by reference.
//!
//! ```toml
//! [[registry]]
//! name = "prod"
//! host = "123456789012.dkr.ecr.eu-central-1.amazonaws.com"
//! kind = "ecr"                       # or "generic"
//! auth = "static"                    # static | ambient | profile | none
//! access_key_id = "AKIA…"
//! secret_access_key = { env = "PULLPASS_PROD_SECRET_ACCESS_KEY" }   # or { file = "/run/secrets/…" }
//! role_arn = "arn:aws:iam::210987654321:role/pull"                  # optional, with external_id
//! override = { account_id = "123456789012", region = "eu-central-1" } # vanity hosts only
//! import_images = true               # optional: used to import images (lint checks listing, EP003)
//! ```
//!
//! This module parses a `&str` (no IO): [`parse`] turns the text into a [`Config`] or into
//! [`ConfigError`]s that name the registry, the field and the line/column; [`validate`] runs
//! the registry-form `RF…` rules over every registry; [`edit`] adds and removes registries in
//! a document while keeping its comments and layout. A secret is never held here: only its
//! reference (an environment variable or a file), and an inline secret is refused without its
//! value ever being copied out of the parser.

pub mod edit;
mod raw;

use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::registry::{HostOverride, RegistryKind};
use crate::registry_form::{FormContext, RegistryForm};
use crate::secret::SecretText;
use crate::text::{ColumnUnit, LineIndex, TextRange};

pub use raw::{AuthMode, ConfigFile, LintTable, OverrideEntry, RegistryEntry, SecretRefEntry};

/// The config file, parsed and checked for shape (not yet for the `RF…` rules: [`validate`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub registries: Vec<Registry>,
    /// The `[lint]` table (empty when absent).
    pub lint: LintTable,
}

/// One configured registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    pub name: String,
    /// The host as written (validated by RF010–RF028).
    pub host: String,
    pub kind: RegistryKind,
    pub auth: Auth,
    /// Role to assume before calling ECR (cross-account).
    pub role_arn: Option<String>,
    /// External ID the role's trust policy requires.
    pub external_id: Option<String>,
    /// Account and region for a vanity host.
    pub host_override: Option<HostOverride>,
    /// The registry is used to import images: `lint` checks the listing actions (EP003).
    pub import_images: bool,
    /// Where each field's value sits in the file (byte ranges); empty for registries built in
    /// code.
    pub spans: FieldSpans,
}

/// How pullpass gets credentials for a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// ECR with an access key; the secret (and optional session token) by reference.
    Static {
        access_key_id: String,
        secret_access_key: SecretRef,
        session_token: Option<SecretRef>,
    },
    /// A generic registry with a username and a password (or token) by reference.
    Basic {
        username: String,
        password: SecretRef,
    },
    /// The AWS SDK chain: environment, IRSA web identity, EKS Pod Identity, instance role.
    Ambient,
    /// A named profile of the AWS config/credentials files.
    Profile(String),
    /// Anonymous: no credentials (public registries).
    None,
}

impl Auth {
    /// The mode's name as written in the file.
    #[must_use]
    pub fn mode(&self) -> AuthMode {
        match self {
            Self::Static { .. } | Self::Basic { .. } => AuthMode::Static,
            Self::Ambient => AuthMode::Ambient,
            Self::Profile(_) => AuthMode::Profile,
            Self::None => AuthMode::None,
        }
    }
}

/// Where a secret lives. Only the reference is ever stored, shown or written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretRef {
    /// The value of an environment variable.
    Env(String),
    /// The contents of a file (trailing newline stripped). A relative path is relative to the
    /// config file's directory.
    File(String),
}

impl fmt::Display for SecretRef {
    /// The TOML form of the reference: `{ env = "VAR" }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(var) => write!(f, "{{ env = {} }}", quote(var)),
            Self::File(path) => write!(f, "{{ file = {} }}", quote(path)),
        }
    }
}

fn quote(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("\"{value}\""))
}

/// Byte ranges of a registry's field values in the config text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSpans {
    /// The whole `[[registry]]` table.
    pub table: Option<TextRange>,
    /// (TOML key, value range) for every top-level key of the table.
    pub fields: Vec<(String, TextRange)>,
}

impl FieldSpans {
    /// The value range of `key`, if the file has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<TextRange> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, r)| *r)
    }
}

/// Why a config text could not be read. Never holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// What is wrong and what to write instead.
    pub message: String,
    /// The registry's name (or `#<n>`, 1-based, when it has no readable name).
    pub registry: Option<String>,
    /// The TOML key, dotted for nested keys (`override.region`).
    pub field: Option<String>,
    /// Byte range in the text.
    pub range: Option<TextRange>,
    /// 1-based line and column (Unicode scalar values) of the range start.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl ConfigError {
    /// The message with the registry and field, without the position:
    /// `registry "prod" (#1), field `secret_access_key`: …`.
    #[must_use]
    pub fn without_position(&self) -> String {
        let mut plain = self.clone();
        plain.line = None;
        plain.column = None;
        plain.to_string()
    }
}

impl fmt::Display for ConfigError {
    /// `line 4, column 21: registry "prod" (#1), field `secret_access_key`: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, "line {line}, column {column}: ")?;
        }
        match (&self.registry, &self.field) {
            (Some(registry), Some(field)) => write!(f, "registry {registry}, field `{field}`: ")?,
            (Some(registry), None) => write!(f, "registry {registry}: ")?,
            (None, Some(field)) => write!(f, "`{field}`: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Parses a config text. Every shape error is reported (one per registry at most from the
/// TOML deserializer, plus every semantic one), each with its position.
///
/// # Errors
/// The text is not TOML, has unknown keys, an inline secret, or a registry whose auth fields
/// contradict its mode.
pub fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
    raw::parse(text)
}

/// Checks one registry entry built in code (`pullpass registry add`) the way [`parse`]
/// checks a `[[registry]]` table: same messages, no positions.
///
/// # Errors
/// The entry's auth fields contradict its mode or kind.
pub fn from_entry(entry: RegistryEntry) -> Result<Registry, Vec<ConfigError>> {
    let label = format!("{:?}", entry.name);
    raw::check_entry("", &label, entry, FieldSpans::default(), &|_| None)
}

/// A registry finding: which registry, and the diagnostic (its range, where there is one,
/// points into the config text; `pointer` is `/registry/<index>/<field>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryFinding {
    pub registry: String,
    pub index: usize,
    pub diagnostic: Diagnostic,
}

/// The secret values of a registry, for the full `RF…` check once they have been resolved.
#[derive(Debug, Clone, Default)]
pub struct ResolvedSecrets {
    pub secret_access_key: SecretText,
    pub session_token: SecretText,
}

/// Runs the `RF…` rules over every registry (RF002 against the registries before it).
/// Findings that need secret values are left to [`validate_registry`] with the resolved
/// secrets.
#[must_use]
pub fn validate(config: &Config, text: Option<&str>) -> Vec<RegistryFinding> {
    let mut out = Vec::new();
    for (index, registry) in config.registries.iter().enumerate() {
        let existing = config.registries[..index]
            .iter()
            .map(|r| r.name.clone())
            .collect();
        out.extend(validate_registry(registry, index, existing, None, text));
    }
    out
}

/// Runs the `RF…` rules over one registry. `existing_names` are the other registries' names
/// (RF002). Without `secrets` the checks on secret values are skipped (the file holds only
/// references); with them, every rule runs. `text` (the config text the registry was parsed
/// from) moves each finding's range from the field value into the file; without it the range
/// stays relative to the field's value (see [`field_value`]).
#[must_use]
pub fn validate_registry(
    registry: &Registry,
    index: usize,
    existing_names: Vec<String>,
    secrets: Option<&ResolvedSecrets>,
    text: Option<&str>,
) -> Vec<RegistryFinding> {
    let form = registry.to_form(secrets);
    let ctx = FormContext { existing_names };
    let has_session_token = matches!(
        &registry.auth,
        Auth::Static {
            session_token: Some(_),
            ..
        }
    );
    crate::registry_form::validate(&form, &ctx)
        .into_iter()
        .filter(|d| {
            if secrets.is_some() {
                return true;
            }
            // Without the values, the file only says a secret *is* given.
            let about_secret = matches!(d.pointer(), "/secretAccessKey" | "/sessionToken");
            let needs_values = d.code() == "RF030" || (d.code() == "RF032" && has_session_token);
            !(about_secret || needs_values)
        })
        .filter(|d| {
            // RF040 announces ambient credentials: true only in the ambient mode.
            d.code() != "RF040" || matches!(registry.auth, Auth::Ambient)
        })
        .map(|mut d| {
            let field = pointer_field(d.pointer());
            let range = match text {
                Some(text) => file_range(registry, field, d.range(), text),
                // No file: the range stays inside the field's value (secrets: none at all).
                None => d.range().filter(|_| field.is_some()),
            };
            d.relocate(
                format!("/registry/{index}/{}", field.unwrap_or(""))
                    .trim_end_matches('/')
                    .to_owned(),
                range,
            );
            RegistryFinding {
                registry: registry.name.clone(),
                index,
                diagnostic: d,
            }
        })
        .collect()
}

/// The value of the field a finding's pointer (`/registry/<i>/<field>`) names, for findings
/// whose range is relative to that value; never a secret.
#[must_use]
pub fn field_value<'r>(registry: &'r Registry, pointer: &str) -> Option<&'r str> {
    match pointer.rsplit('/').next()? {
        "name" => Some(&registry.name),
        "host" => Some(&registry.host),
        "role_arn" => registry.role_arn.as_deref(),
        "external_id" => registry.external_id.as_deref(),
        "access_key_id" => match &registry.auth {
            Auth::Static { access_key_id, .. } => Some(access_key_id),
            _ => None,
        },
        _ => None,
    }
}

/// The TOML key of a form pointer (`/accessKeyId` → `access_key_id`); `None` for secrets and
/// the whole form.
fn pointer_field(pointer: &str) -> Option<&'static str> {
    Some(match pointer {
        "/name" => "name",
        "/host" => "host",
        "/kind" => "kind",
        "/accessKeyId" => "access_key_id",
        "/roleArn" => "role_arn",
        "/externalId" => "external_id",
        "/override" | "/override/accountId" | "/override/region" => "override",
        _ => return None,
    })
}

/// Moves a range inside a field value to the file: exact when the value is a plain string
/// literal, else the whole value.
fn file_range(
    registry: &Registry,
    field: Option<&str>,
    range: Option<TextRange>,
    text: &str,
) -> Option<TextRange> {
    let field = field?;
    let value = registry.spans.get(field)?;
    let literal = text.get(value.as_usize_range())?;
    let (Some(range), Some(inner)) = (range, literal.get(1..literal.len().saturating_sub(1)))
    else {
        return Some(value);
    };
    let plain = (literal.starts_with('"') && !inner.contains('\\')) || literal.starts_with('\'');
    let decoded = match field {
        "name" => registry.name.as_str(),
        "host" => registry.host.as_str(),
        "role_arn" => registry.role_arn.as_deref().unwrap_or_default(),
        "external_id" => registry.external_id.as_deref().unwrap_or_default(),
        "access_key_id" => match &registry.auth {
            Auth::Static { access_key_id, .. } => access_key_id.as_str(),
            _ => "",
        },
        _ => return Some(value),
    };
    if plain && inner == decoded && range.end as usize <= inner.len() {
        Some(range.shifted(value.start as usize + 1))
    } else {
        Some(value)
    }
}

impl Registry {
    /// The registry as the Add-registry form (secret fields from `secrets`, else blank).
    #[must_use]
    pub fn to_form(&self, secrets: Option<&ResolvedSecrets>) -> RegistryForm {
        let (access_key_id, secret, token) = match (&self.auth, secrets) {
            (Auth::Static { access_key_id, .. }, Some(s)) => (
                access_key_id.clone(),
                s.secret_access_key.clone(),
                s.session_token.clone(),
            ),
            (Auth::Static { access_key_id, .. }, None) => (
                access_key_id.clone(),
                SecretText::default(),
                SecretText::default(),
            ),
            _ => (String::new(), SecretText::default(), SecretText::default()),
        };
        RegistryForm {
            name: self.name.clone(),
            host: self.host.clone(),
            kind: self.kind,
            access_key_id,
            secret_access_key: secret,
            session_token: token,
            role_arn: self.role_arn.clone().unwrap_or_default(),
            external_id: self.external_id.clone().unwrap_or_default(),
            host_override: self.host_override.clone(),
            repository: None,
            tag: None,
        }
    }

    /// The registry as written in the file (secrets as references).
    #[must_use]
    pub fn to_entry(&self) -> RegistryEntry {
        let mut entry = RegistryEntry {
            name: self.name.clone(),
            host: self.host.clone(),
            kind: Some(self.kind),
            auth: Some(self.auth.mode()),
            role_arn: self.role_arn.clone(),
            external_id: self.external_id.clone(),
            host_override: self.host_override.as_ref().map(|o| OverrideEntry {
                account_id: o.account_id.clone(),
                region: o.region.clone(),
            }),
            import_images: self.import_images.then_some(true),
            ..RegistryEntry::default()
        };
        match &self.auth {
            Auth::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => {
                entry.access_key_id = Some(access_key_id.clone());
                entry.secret_access_key = Some(secret_access_key.into());
                entry.session_token = session_token.as_ref().map(Into::into);
            }
            Auth::Basic { username, password } => {
                entry.username = Some(username.clone());
                entry.password = Some(password.into());
            }
            Auth::Profile(profile) => entry.profile = Some(profile.clone()),
            Auth::Ambient | Auth::None => {}
        }
        entry
    }

    /// Every secret reference of the registry, with its TOML key.
    #[must_use]
    pub fn secret_refs(&self) -> Vec<(&'static str, &SecretRef)> {
        match &self.auth {
            Auth::Static {
                secret_access_key,
                session_token,
                ..
            } => {
                let mut refs = vec![("secret_access_key", secret_access_key)];
                if let Some(token) = session_token {
                    refs.push(("session_token", token));
                }
                refs
            }
            Auth::Basic { password, .. } => vec![("password", password)],
            _ => Vec::new(),
        }
    }
}

impl Config {
    /// The registry called `name`: exact match first, else the one case-insensitive match.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&Registry> {
        self.registries.iter().find(|r| r.name == name).or_else(|| {
            let mut matches = self
                .registries
                .iter()
                .filter(|r| r.name.eq_ignore_ascii_case(name));
            let first = matches.next()?;
            matches.next().is_none().then_some(first)
        })
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let index = LineIndex::new(text);
    let lc = index.line_column(
        u32::try_from(offset.min(text.len())).unwrap_or(u32::MAX),
        ColumnUnit::Char,
    );
    (lc.line, lc.column)
}

#[cfg(test)]
mod tests;
