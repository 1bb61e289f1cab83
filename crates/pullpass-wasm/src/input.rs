//! Reading the form module's arguments (the form, its context, the host and lint options) from
//! the core's span-keeping JSON tree, [`pullpass_core::policy::json`], instead of serde_json's
//! deserializer.
//!
//! The tree is in the module anyway (the policy lint parses with it, and the form's field texts
//! come from it). serde_json's deserializer was not: its generic struct visitors, number parsing
//! and the float formatting behind "invalid type: floating point `1.5`" were 21.8 KB of the
//! form module gzipped (154,726 → 132,938 bytes, issue 13). The doctor module still reads its
//! own inputs with serde ([`crate::api::read`]).
//!
//! The messages keep serde's wording ("invalid type: integer, expected a string", "unknown
//! field `hots`, expected one of …") and never quote a value: a form field may hold a secret.
//! A test checks that this reader and serde's derive accept and read the same forms.

use pullpass_core::policy::json::{self, Member, Value, ValueKind};
use pullpass_core::registry::{HostOverride, RegistryKind};
use pullpass_core::registry_form::{FormContext, RegistryForm};

use crate::api::well_formed;
use crate::transfer::LintOptions;

/// Why a value could not be read, and the field it was in (`None`: the value itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub field: Option<String>,
    pub reason: String,
}

impl Unreadable {
    fn new(reason: String) -> Self {
        Self {
            field: None,
            reason,
        }
    }

    /// "field `host`: invalid type: …", or the reason alone.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.field {
            Some(field) => format!("field `{field}`: {}", self.reason),
            None => self.reason.clone(),
        }
    }
}

/// What `value` is, in serde's words.
fn unexpected(value: &Value<'_>) -> &'static str {
    match &value.kind {
        ValueKind::Null => "null",
        ValueKind::Bool(_) => "boolean",
        ValueKind::Number(n) if n.contains(['.', 'e', 'E']) => "floating point",
        ValueKind::Number(_) => "integer",
        ValueKind::String(_) => "string",
        ValueKind::Array(_) => "sequence",
        ValueKind::Object(_) => "map",
    }
}

fn invalid(value: &Value<'_>, expected: &str) -> String {
    format!("invalid type: {}, expected {expected}", unexpected(value))
}

fn string(value: &Value<'_>) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| invalid(value, "a string"))
}

/// `null` is `None`, as serde reads an `Option`.
fn optional<T>(
    value: &Value<'_>,
    read: impl FnOnce(&Value<'_>) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match value.kind {
        ValueKind::Null => Ok(None),
        _ => read(value).map(Some),
    }
}

fn kind(value: &Value<'_>) -> Result<RegistryKind, String> {
    match value.as_str() {
        Some("ecr") => Ok(RegistryKind::Ecr),
        Some("generic") => Ok(RegistryKind::Generic),
        Some(other) => Err(format!(
            "unknown variant `{other}`, expected `ecr` or `generic`"
        )),
        None => Err(invalid(value, "`ecr` or `generic`")),
    }
}

/// Reads the object `value` member by member, as serde's derive does: each of `fields` at most
/// once, any other key refused when `deny_unknown` (else skipped), `field` called with each
/// known key and its value.
fn object(
    value: &Value<'_>,
    fields: &[&str],
    deny_unknown: bool,
    mut field: impl FnMut(&str, &Value<'_>) -> Result<(), String>,
) -> Result<(), Unreadable> {
    let members: &[Member<'_>] = value
        .as_object()
        .ok_or_else(|| Unreadable::new(invalid(value, "an object")))?;
    for (i, member) in members.iter().enumerate() {
        let key: &str = &member.key;
        let fail = |reason: String| Unreadable {
            field: Some(key.to_owned()),
            reason,
        };
        if !fields.contains(&key) {
            if deny_unknown {
                let expected: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
                return Err(fail(format!(
                    "unknown field `{key}`, expected one of {}",
                    expected.join(", ")
                )));
            }
            continue;
        }
        if members[..i].iter().any(|m| m.key == member.key) {
            return Err(fail(format!("duplicate field `{key}`")));
        }
        field(key, &member.value).map_err(fail)?;
    }
    Ok(())
}

/// The fields of [`RegistryForm`], as the JSON spells them.
const FORM_FIELDS: &[&str] = &[
    "name",
    "host",
    "kind",
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
    "roleArn",
    "externalId",
    "override",
    "repository",
    "tag",
];

/// The Add-registry form (`schemas/registry-form.schema.json`).
///
/// # Errors
/// Which field is wrong and how, without its value.
pub fn form(value: &Value<'_>) -> Result<RegistryForm, Unreadable> {
    let mut form = RegistryForm::default();
    object(value, FORM_FIELDS, true, |key, v| {
        match key {
            "name" => form.name = string(v)?,
            "host" => form.host = string(v)?,
            "kind" => form.kind = kind(v)?,
            "accessKeyId" => form.access_key_id = string(v)?,
            "secretAccessKey" => form.secret_access_key = string(v)?.into(),
            "sessionToken" => form.session_token = string(v)?.into(),
            "roleArn" => form.role_arn = string(v)?,
            "externalId" => form.external_id = string(v)?,
            "override" => {
                form.host_override = optional(v, |v| host_override(v).map_err(|e| e.describe()))?;
            }
            "repository" => form.repository = optional(v, string)?,
            _ => form.tag = optional(v, string)?,
        }
        Ok(())
    })?;
    Ok(form)
}

/// `{ accountId, region }` of a vanity host.
fn host_override(value: &Value<'_>) -> Result<HostOverride, Unreadable> {
    let mut o = HostOverride::default();
    object(value, &["accountId", "region"], true, |key, v| {
        match key {
            "accountId" => o.account_id = string(v)?,
            _ => o.region = string(v)?,
        }
        Ok(())
    })?;
    Ok(o)
}

/// `{ existingNames }`: other keys are ignored, as serde's derive did.
pub fn form_context(value: &Value<'_>) -> Result<FormContext, Unreadable> {
    let mut ctx = FormContext::default();
    object(value, &["existingNames"], false, |_, v| {
        let items = v
            .as_array()
            .ok_or_else(|| invalid(v, "a sequence of strings"))?;
        ctx.existing_names = items.iter().map(string).collect::<Result<_, _>>()?;
        Ok(())
    })?;
    Ok(ctx)
}

/// The options of `parseRegistryHost`.
#[derive(Debug, Default)]
pub struct HostOptions {
    /// Absent: ECR for ECR hosts and near misses, generic for everything else (as `pullpass host`).
    pub kind: Option<RegistryKind>,
    pub host_override: Option<HostOverride>,
}

/// `{ kind, override }`.
pub fn host_options(value: &Value<'_>) -> Result<HostOptions, Unreadable> {
    let mut o = HostOptions::default();
    object(value, &["kind", "override"], true, |key, v| {
        match key {
            "kind" => o.kind = optional(v, kind)?,
            _ => o.host_override = optional(v, |v| host_override(v).map_err(|e| e.describe()))?,
        }
        Ok(())
    })?;
    Ok(o)
}

/// The options of `lintPolicy` / `fixPolicy`.
pub fn lint_options(value: &Value<'_>) -> Result<LintOptions, Unreadable> {
    let mut o = LintOptions::default();
    object(
        value,
        &[
            "kind",
            "expectedServiceAccount",
            "expectedIssuer",
            "expectedProviderArn",
            "roleArn",
            "registryHost",
            "repository",
        ],
        true,
        |key, v| {
            let text = optional(v, string)?;
            match key {
                "kind" => o.kind = text,
                "expectedServiceAccount" => o.expected_service_account = text,
                "expectedIssuer" => o.expected_issuer = text,
                "expectedProviderArn" => o.expected_provider_arn = text,
                "roleArn" => o.role_arn = text,
                "registryHost" => o.registry_host = text,
                _ => o.repository = text,
            }
            Ok(())
        },
    )?;
    Ok(o)
}

/// Reads the JSON text of an argument with `read`; absent or `null` is `T::default()`.
///
/// # Errors
/// The text is not JSON (too deep, too large), or `read` refused it.
pub fn read_with<T: Default>(
    json: Option<&str>,
    read: impl FnOnce(&Value<'_>) -> Result<T, Unreadable>,
) -> Result<T, Unreadable> {
    let Some(text) = json.filter(|t| *t != "null") else {
        return Ok(T::default());
    };
    let text = well_formed(text);
    let tree = json::parse(&text).map_err(|e| Unreadable::new(e.message))?;
    read(&tree)
}
