//! The file's shape (what `schemas/config.schema.json` describes) and its parser.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::{Auth, Config, ConfigError, FieldSpans, Registry, SecretRef, line_column};
use crate::registry::{HostOverride, RegistryKind};
use crate::text::TextRange;

/// The config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "pullpass config",
    description = "The pullpass config file (TOML; this schema describes it as JSON). Registries, each with its auth mode; secrets only as references to an environment variable or a file, never inline."
)]
pub struct ConfigFile {
    /// Format version of this file; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1))]
    pub version: Option<u32>,
    /// The registries, one `[[registry]]` table each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registry: Vec<RegistryEntry>,
    /// What `pullpass lint` reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lint: Option<LintTable>,
}

/// The `[lint]` table: which findings `pullpass lint` reports, and how loudly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintTable {
    /// Report only these rules (codes or prefixes: `"TP02"`, `"EP"`); all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub select: Vec<String>,
    /// Never report these rules (codes or prefixes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Path pattern (`*` any characters, `/` included; `?` one) → rules not reported for the
    /// files it matches. Paths are as `pullpass lint` prints them.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub per_path_ignores: std::collections::BTreeMap<String, Vec<String>>,
    /// Rule code → the severity to report it with.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub severity: std::collections::BTreeMap<String, crate::diagnostic::Severity>,
    /// A baseline file (`pullpass lint --write-baseline`) whose findings are not reported,
    /// relative to the working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

impl LintTable {
    /// Whether a finding of `code` in `path` is reported.
    #[must_use]
    pub fn reports(&self, code: &str, path: &str) -> bool {
        let matches = |list: &[String]| {
            list.iter()
                .any(|c| !c.is_empty() && code.starts_with(c.as_str()))
        };
        (self.select.is_empty() || matches(&self.select))
            && !matches(&self.ignore)
            && !self.per_path_ignores.iter().any(|(pattern, codes)| {
                crate::policy::glob::matches(pattern, path) && matches(codes)
            })
    }
}

/// How pullpass gets credentials for a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// ECR: `access_key_id` + `secret_access_key` (+ `session_token`); generic: `username` +
    /// `password`. Secrets by reference.
    Static,
    /// ECR only: the AWS SDK chain (environment, IRSA web identity, EKS Pod Identity, instance
    /// role).
    Ambient,
    /// ECR only: the named `profile` of the AWS config and credentials files.
    Profile,
    /// No credentials (public registries, anonymous pulls).
    None,
}

impl AuthMode {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Static => "static",
            Self::Ambient => "ambient",
            Self::Profile => "profile",
            Self::None => "none",
        }
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `[[registry]]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("allOf" = [
    {
        "if": {
            "properties": { "auth": { "const": "static" } },
            "required": ["auth"],
            "not": { "properties": { "kind": { "const": "generic" } }, "required": ["kind"] }
        },
        "then": { "required": ["access_key_id", "secret_access_key"] }
    },
    {
        "if": {
            "properties": { "auth": { "const": "static" }, "kind": { "const": "generic" } },
            "required": ["auth", "kind"]
        },
        "then": { "required": ["username", "password"] }
    },
    {
        "if": { "properties": { "auth": { "const": "profile" } }, "required": ["auth"] },
        "then": { "required": ["profile"] }
    }
]))]
pub struct RegistryEntry {
    /// Display name, unique among the registries (case-insensitive).
    pub name: String,
    /// Registry host, e.g. `123456789012.dkr.ecr.eu-central-1.amazonaws.com`.
    pub host: String,
    /// `ecr` (default) or `generic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RegistryKind>,
    /// Auth mode. When absent: `static` if credential fields are present, `profile` if
    /// `profile` is, else `ambient` for ECR and `none` for generic registries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthMode>,
    /// ECR static: the access key ID (not a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// ECR static: where the secret access key is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_access_key: Option<SecretRefEntry>,
    /// ECR static, temporary (`ASIA…`) keys: where the session token is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<SecretRefEntry>,
    /// ECR profile: the profile name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Generic static: the username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Generic static: where the password or access token is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretRefEntry>,
    /// ECR: a role to assume before calling ECR (cross-account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// ECR: the external ID the role's trust policy requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// ECR vanity host (CNAME, pull-through proxy): the account and region behind it.
    #[serde(default, rename = "override", skip_serializing_if = "Option::is_none")]
    pub host_override: Option<OverrideEntry>,
    /// The registry is used to import images (list repositories and tags): `pullpass lint
    /// --registry <this host>` then also checks the listing actions (EP003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_images: Option<bool>,
}

/// The account and region behind a vanity host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideEntry {
    /// 12-digit AWS account ID.
    pub account_id: String,
    /// AWS region, e.g. `eu-central-1`.
    pub region: String,
}

/// A reference to a secret: `{ env = "VAR" }` or `{ file = "/path" }`. A secret written
/// inline is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SecretRefEntry {
    /// The value of this environment variable.
    Env {
        /// Environment variable name.
        #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
        env: String,
    },
    /// The contents of this file (a trailing newline is ignored); relative to the config
    /// file's directory unless absolute.
    File {
        /// File path.
        #[schemars(length(min = 1))]
        file: String,
    },
}

impl From<&SecretRef> for SecretRefEntry {
    fn from(value: &SecretRef) -> Self {
        match value {
            SecretRef::Env(env) => Self::Env { env: env.clone() },
            SecretRef::File(file) => Self::File { file: file.clone() },
        }
    }
}

impl From<SecretRefEntry> for SecretRef {
    fn from(value: SecretRefEntry) -> Self {
        match value {
            SecretRefEntry::Env { env } => Self::Env(env),
            SecretRefEntry::File { file } => Self::File(file),
        }
    }
}

/// The marker an inline secret's deserialization error carries, replaced by the full message
/// once the field is known. The value itself is dropped by the visitor, never copied.
const INLINE_SECRET: &str = "pullpass:inline-secret";
const REF_SHAPE: &str =
    "a secret reference is `{ env = \"VARIABLE\" }` or `{ file = \"/path/to/file\" }`";

impl<'de> Deserialize<'de> for SecretRefEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SecretRefVisitor)
    }
}

struct SecretRefVisitor;

impl SecretRefVisitor {
    fn inline<E: de::Error>() -> E {
        E::custom(INLINE_SECRET)
    }
}

impl<'de> Visitor<'de> for SecretRefVisitor {
    type Value = SecretRefEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REF_SHAPE)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(Self::inline())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(Self::inline())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(Self::inline())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(Self::inline())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(Self::inline())
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
        Err(Self::inline())
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(Self::inline())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found: Option<SecretRefEntry> = None;
        while let Some(key) = map.next_key::<String>()? {
            // The value is read as a reference name, never echoed: a wrong type gets a fixed
            // message.
            let value = map
                .next_value::<toml::Value>()
                .map_err(|_| de::Error::custom(REF_SHAPE))?;
            let Some(value) = value.as_str().map(str::to_owned) else {
                return Err(de::Error::custom(format!(
                    "`{key}` must be a string; {REF_SHAPE}"
                )));
            };
            let entry = match key.as_str() {
                "env" => {
                    if !is_env_name(&value) {
                        return Err(de::Error::custom(format!(
                            "`env` must name an environment variable (letters, digits, `_`, not starting with a digit), e.g. {{ env = \"PULLPASS_PROD_SECRET\" }}; got {} characters that are not a variable name",
                            value.chars().count()
                        )));
                    }
                    SecretRefEntry::Env { env: value }
                }
                "file" => {
                    if value.trim().is_empty() {
                        return Err(de::Error::custom(
                            "`file` is empty; give the path of the file that holds the secret",
                        ));
                    }
                    SecretRefEntry::File { file: value }
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key `{other}` in a secret reference; {REF_SHAPE}"
                    )));
                }
            };
            if found.is_some() {
                return Err(de::Error::custom(format!(
                    "a secret reference names exactly one source; {REF_SHAPE}"
                )));
            }
            found = Some(entry);
        }
        found.ok_or_else(|| de::Error::custom(format!("empty secret reference; {REF_SHAPE}")))
    }
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The secret fields of a registry table.
const SECRET_FIELDS: &[&str] = &["secret_access_key", "session_token", "password"];

fn range(span: std::ops::Range<usize>) -> TextRange {
    TextRange::new(span.start, span.end)
}

fn error(
    text: &str,
    message: impl Into<String>,
    registry: Option<&str>,
    field: Option<&str>,
    span: Option<std::ops::Range<usize>>,
) -> ConfigError {
    let (line, column) = match &span {
        Some(span) => {
            let (l, c) = line_column(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    ConfigError {
        message: message.into(),
        registry: registry.map(str::to_owned),
        field: field.map(str::to_owned),
        range: span.map(range),
        line,
        column,
    }
}

pub(super) fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
    let root = DeTable::parse(text).map_err(|e| {
        // A syntax error: the parser's description and position, never the source line (it
        // could hold a secret).
        vec![error(
            text,
            format!("not valid TOML: {}", e.message().trim()),
            None,
            None,
            e.span(),
        )]
    })?;
    let mut errors = Vec::new();
    let mut registries = Vec::new();
    let mut lint: Option<LintTable> = None;
    for (key, value) in root.get_ref() {
        match key.get_ref().as_ref() {
            "version" => {
                if value.get_ref().as_integer().map(|i| i.as_str()) != Some("1") {
                    errors.push(error(
                        text,
                        "this pullpass understands config version 1 only; write `version = 1` or leave it out",
                        None,
                        Some("version"),
                        Some(value.span()),
                    ));
                }
            }
            "lint" => match LintTable::deserialize(ValueDeserializer::from(value.clone())) {
                Ok(table) => lint = Some(table),
                Err(e) => errors.push(error(
                    text,
                    format!("[lint]: {}", e.message().trim()),
                    None,
                    Some("lint"),
                    e.span().or_else(|| Some(value.span())),
                )),
            },
            "registry" => match value.get_ref() {
                DeValue::Array(items) => {
                    for (index, item) in items.iter().enumerate() {
                        match parse_registry(text, index, item) {
                            Ok(registry) => registries.push(registry),
                            Err(mut e) => errors.append(&mut e),
                        }
                    }
                }
                _ => errors.push(error(
                    text,
                    "`registry` must be a list of tables: write each registry under its own `[[registry]]` header",
                    None,
                    Some("registry"),
                    Some(key.span()),
                )),
            },
            other => {
                let hint = if other.starts_with("registr") {
                    " (registries are written as `[[registry]]` tables)"
                } else {
                    ""
                };
                errors.push(error(
                    text,
                    format!(
                        "unknown top-level key `{other}`; the file has `version`, `[lint]` and `[[registry]]` tables{hint}"
                    ),
                    None,
                    Some(other),
                    Some(key.span()),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(Config {
            registries,
            lint: lint.unwrap_or_default(),
        })
    } else {
        Err(errors)
    }
}

/// The dotted key path whose key or value contains `offset`, in a table (two levels deep).
fn field_at(table: &DeTable<'_>, offset: usize) -> Option<String> {
    for (key, value) in table {
        let in_key = key.span().contains(&offset);
        let in_value = value.span().contains(&offset) || value.span().start == offset;
        if in_key || in_value {
            let name = key.get_ref().to_string();
            if let (true, DeValue::Table(inner)) = (in_value, value.get_ref())
                && let Some(child) = field_at(inner, offset)
            {
                return Some(format!("{name}.{child}"));
            }
            return Some(name);
        }
    }
    None
}

fn parse_registry(
    text: &str,
    index: usize,
    item: &Spanned<DeValue<'_>>,
) -> Result<Registry, Vec<ConfigError>> {
    let number = format!("#{}", index + 1);
    let DeValue::Table(table) = item.get_ref() else {
        return Err(vec![error(
            text,
            "each registry must be a table under a `[[registry]]` header",
            Some(&number),
            None,
            Some(item.span()),
        )]);
    };
    let label = table
        .iter()
        .find(|(k, _)| k.get_ref() == "name")
        .and_then(|(_, v)| v.get_ref().as_str())
        // A secret pasted as the name is never echoed in an error (issue 15 #7).
        .filter(|name| !crate::registry_form::rules::keys::is_usual_secret(name.trim()))
        .map_or_else(|| number.clone(), |name| format!("{name:?} ({number})"));
    let spans = FieldSpans {
        table: Some(range(item.span())),
        fields: table
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), range(v.span())))
            .collect(),
    };
    let key_span = |field: &str| {
        table
            .iter()
            .find(|(k, _)| k.get_ref() == field)
            .map(|(k, _)| k.span())
    };
    let entry = RegistryEntry::deserialize(ValueDeserializer::from(item.clone())).map_err(|e| {
        let field = e.span().and_then(|s| field_at(table, s.start));
        let message = if e.message().contains(INLINE_SECRET) {
            let field = field.as_deref().unwrap_or("secret");
            inline_secret_message(field)
        } else {
            e.message().trim().to_owned()
        };
        // Point at the key, not the value, for secrets: the caret never sits under one.
        let span = match field.as_deref() {
            Some(f) if SECRET_FIELDS.contains(&f) => key_span(f).or(e.span()),
            _ => e.span(),
        };
        vec![error(text, message, Some(&label), field.as_deref(), span)]
    })?;
    check_entry(text, &label, entry, spans, &key_span)
}

fn inline_secret_message(field: &str) -> String {
    let var = match field {
        "session_token" => "PULLPASS_SESSION_TOKEN",
        "password" => "PULLPASS_REGISTRY_PASSWORD",
        _ => "PULLPASS_SECRET_ACCESS_KEY",
    };
    format!(
        "the secret is written inline, and pullpass refuses inline secrets (a config file gets copied, committed and printed). Move the value into an environment variable or a file readable only by you, and write a reference instead: `{field} = {{ env = \"{var}\" }}` or `{field} = {{ file = \"/path/to/secret\" }}`; rotate the secret if this file was shared"
    )
}

pub(super) fn check_entry(
    text: &str,
    label: &str,
    entry: RegistryEntry,
    spans: FieldSpans,
    key_span: &dyn Fn(&str) -> Option<std::ops::Range<usize>>,
) -> Result<Registry, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let kind = entry.kind.unwrap_or_default();
    let present = |field: &str| match field {
        "access_key_id" => entry.access_key_id.is_some(),
        "secret_access_key" => entry.secret_access_key.is_some(),
        "session_token" => entry.session_token.is_some(),
        "profile" => entry.profile.is_some(),
        "username" => entry.username.is_some(),
        "password" => entry.password.is_some(),
        "role_arn" => entry.role_arn.is_some(),
        "external_id" => entry.external_id.is_some(),
        "override" => entry.host_override.is_some(),
        _ => false,
    };
    let credential_fields = [
        "access_key_id",
        "secret_access_key",
        "session_token",
        "username",
        "password",
    ];
    let mode = entry.auth.unwrap_or_else(|| {
        if credential_fields.iter().any(|f| present(f)) {
            AuthMode::Static
        } else if present("profile") {
            AuthMode::Profile
        } else if kind == RegistryKind::Ecr {
            AuthMode::Ambient
        } else {
            AuthMode::None
        }
    });
    let mode_text = match entry.auth {
        Some(mode) => format!("auth = \"{mode}\""),
        None => format!("auth (\"{mode}\" by default here)"),
    };
    let kind_text = match kind {
        RegistryKind::Ecr => "kind = \"ecr\"",
        RegistryKind::Generic => "kind = \"generic\"",
    };
    let mut push = |field: &str, message: String| {
        let span = key_span(field).or_else(|| key_span("auth")).or_else(|| {
            spans
                .table
                .map(|r| r.start as usize..(r.start as usize + 1).min(text.len()))
        });
        errors.push(error(text, message, Some(label), Some(field), span));
    };

    // Which fields each (kind, mode) needs and allows.
    let (needed, allowed): (&[&str], &[&str]) = match (kind, mode) {
        (RegistryKind::Ecr, AuthMode::Static) => (
            &["access_key_id", "secret_access_key"],
            &["access_key_id", "secret_access_key", "session_token"],
        ),
        (RegistryKind::Generic, AuthMode::Static) => {
            (&["username", "password"], &["username", "password"])
        }
        (RegistryKind::Ecr, AuthMode::Profile) => (&["profile"], &["profile"]),
        (RegistryKind::Generic, AuthMode::Ambient | AuthMode::Profile) => {
            push(
                "auth",
                format!(
                    "{mode_text} takes AWS credentials, which only ECR registries use; for {kind_text} use auth = \"static\" (username + password) or auth = \"none\""
                ),
            );
            (&[], &[])
        }
        (_, AuthMode::Ambient | AuthMode::None) => (&[], &[]),
    };
    for field in needed {
        if !present(field) {
            let example = match *field {
                "secret_access_key" | "password" => " = { env = \"VARIABLE\" }".to_owned(),
                "access_key_id" => " = \"AKIA…\"".to_owned(),
                _ => " = \"…\"".to_owned(),
            };
            push(
                field,
                format!("{mode_text} with {kind_text} needs `{field}{example}`"),
            );
        }
    }
    for field in ["profile"].iter().chain(&credential_fields) {
        if present(field) && !allowed.contains(field) {
            let why = match (*field, kind) {
                ("username" | "password", RegistryKind::Ecr) => {
                    "ECR logins use temporary tokens minted from AWS credentials; for a registry with a fixed password set kind = \"generic\"".to_owned()
                }
                ("access_key_id" | "secret_access_key" | "session_token" | "profile", RegistryKind::Generic) => {
                    "AWS credentials are only used by kind = \"ecr\"".to_owned()
                }
                _ => format!("it is not used with {mode_text}; remove it, or change `auth`"),
            };
            push(field, format!("`{field}` does not belong here: {why}"));
        }
    }
    if kind == RegistryKind::Generic {
        for field in ["role_arn", "external_id", "override"] {
            if present(field) {
                push(
                    field,
                    format!("`{field}` is only used by kind = \"ecr\"; remove it"),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let auth = match (kind, mode) {
        (RegistryKind::Ecr, AuthMode::Static) => Auth::Static {
            access_key_id: entry.access_key_id.unwrap_or_default(),
            secret_access_key: entry
                .secret_access_key
                .map(Into::into)
                .unwrap_or(SecretRef::Env(String::new())),
            session_token: entry.session_token.map(Into::into),
        },
        (RegistryKind::Generic, AuthMode::Static) => Auth::Basic {
            username: entry.username.unwrap_or_default(),
            password: entry
                .password
                .map(Into::into)
                .unwrap_or(SecretRef::Env(String::new())),
        },
        (_, AuthMode::Profile) => Auth::Profile(entry.profile.unwrap_or_default()),
        (_, AuthMode::Ambient) => Auth::Ambient,
        (_, AuthMode::None) => Auth::None,
    };
    Ok(Registry {
        name: entry.name,
        host: entry.host,
        kind,
        auth,
        role_arn: entry.role_arn,
        external_id: entry.external_id,
        host_override: entry.host_override.map(|o| HostOverride {
            account_id: o.account_id,
            region: o.region,
        }),
        import_images: entry.import_images.unwrap_or(false),
        spans,
    })
}
