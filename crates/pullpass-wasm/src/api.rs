//! The package's functions on plain Rust values: JSON text in, JSON text out.
//!
//! Each function here is one exported JavaScript function minus the boundary crossing, so the
//! host tests exercise exactly what the browser runs. Nothing here decides a finding: every
//! rule, message and position comes from `pullpass-core`; this layer only converts.

use pullpass_core::host::{HostAnalysis, HostKind};
use pullpass_core::policy::generate::{self, IrsaOptions, PodIdentityOptions};
use pullpass_core::policy::{self, LintContext, PolicyKind};
use pullpass_core::registry::{HostOverride, RegistryKind};
use pullpass_core::registry_form::{self, FormContext, RegistryForm};
use pullpass_core::{FixLevel, LineIndex};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::transfer::{
    Failure, Finding, HostInfo, LintOptions, RuleInfo, Summary, finding, severity,
};

/// JSON of `value`. The transfer types always serialize.
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        serde_json::to_string(&Failure::new(format!("internal error: {e}")))
            .unwrap_or_else(|_| r#"{"ok":false,"error":"internal error"}"#.to_owned())
    })
}

fn failure(what: &str, error: impl std::fmt::Display) -> String {
    to_json(&Failure::new(format!("{what}: {error}")))
}

/// Reads `json` (absent: the type's default) as `T`.
pub fn read<T: DeserializeOwned + Default>(json: Option<&str>) -> Result<T, serde_json::Error> {
    match json {
        None | Some("null") => Ok(T::default()),
        Some(text) => serde_json::from_str(&well_formed(text)),
    }
}

/// `json` with every lone-surrogate escape (`\ud83d` without its pair) replaced by `\ufffd`.
///
/// A JavaScript string may hold a lone surrogate (a paste cut in the middle of an emoji);
/// `JSON.stringify` escapes it and serde_json refuses it. U+FFFD is one UTF-16 unit too, so every
/// range stays where it was.
pub fn well_formed(json: &str) -> std::borrow::Cow<'_, str> {
    fn unit(bytes: &[u8], at: usize) -> Option<u16> {
        if bytes.get(at) != Some(&b'\\') || bytes.get(at + 1) != Some(&b'u') {
            return None;
        }
        let hex = std::str::from_utf8(bytes.get(at + 2..at + 6)?).ok()?;
        u16::from_str_radix(hex, 16).ok()
    }
    if !json.contains("\\u") {
        return json.into();
    }
    let bytes = json.as_bytes();
    let mut lone = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit(bytes, i) {
            Some(0xD800..=0xDBFF) => {
                if matches!(unit(bytes, i + 6), Some(0xDC00..=0xDFFF)) {
                    i += 12;
                } else {
                    lone.push(i);
                    i += 6;
                }
            }
            Some(0xDC00..=0xDFFF) => {
                lone.push(i);
                i += 6;
            }
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    if lone.is_empty() {
        return json.into();
    }
    let mut out = String::with_capacity(json.len());
    let mut last = 0;
    for at in lone {
        out.push_str(&json[last..at]);
        out.push_str("\\ufffd");
        last = at + 6;
    }
    out.push_str(&json[last..]);
    out.into()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FormResult {
    ok: bool,
    findings: Vec<Finding>,
    summary: Summary,
    host: Option<HostInfo>,
    can_submit: bool,
}

/// `validateRegistryForm(form, context)`.
///
/// The form is read twice, both without `serde_json::Value` (its code would add about a tenth
/// to the module): by serde into the typed form, and by the core's span-keeping JSON parser for
/// what serde cannot say, which field is wrong and the text of each field (the ranges of the
/// findings index it).
pub fn validate_registry_form(form: Option<&str>, context: Option<&str>) -> String {
    let text = form.map_or(std::borrow::Cow::Borrowed("{}"), well_formed);
    let tree = policy::json::parse(&text).ok();
    // serde would read an array as a struct's fields in order: only an object is a form.
    let object = tree.as_ref().map_or_else(
        || text.trim_start().starts_with('{'),
        |t| t.as_object().is_some(),
    );
    if !object && (tree.is_some() || serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok()) {
        return to_json(&Failure::new(
            "the form must be an object like { name, host, kind, accessKeyId, secretAccessKey }",
        ));
    }
    let form: RegistryForm = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            return match tree.as_ref().and_then(|t| t.as_object()) {
                None => failure("the form is not a JSON object", e),
                Some(members) => to_json(&Failure::new(describe_form_error(&text, members, &e))),
            };
        }
    };
    let ctx: FormContext = match read(context) {
        Ok(c) => c,
        Err(e) => return failure("could not read the context", scrub(&e)),
    };
    // The core's order and verdict, passed through: no re-sorting, no deciding here.
    let validation = registry_form::validate(&form, &ctx);
    let findings: Vec<Finding> = validation
        .iter()
        .map(|d| {
            // Form ranges point into the value of the field the pointer names.
            let field = tree
                .as_ref()
                .and_then(|t| string_at(t, d.pointer()))
                .unwrap_or("");
            finding(d, &LineIndex::new(field))
        })
        .collect();
    let host = (!form.host.trim().is_empty()).then(|| host_info(&validation.host));
    let summary = Summary::of(&findings);
    to_json(&FormResult {
        ok: true,
        can_submit: validation.can_submit(),
        findings,
        summary,
        host,
    })
}

/// The string at a JSON pointer of the form's fields (`/host`, `/override/region`).
fn string_at<'t>(tree: &'t policy::json::Value<'t>, pointer: &str) -> Option<&'t str> {
    let mut node = tree;
    for segment in pointer.split('/').skip(1) {
        node = &node
            .as_object()?
            .iter()
            .rev()
            .find(|m| m.key == segment)?
            .value;
    }
    node.as_str()
}

/// Which field of `form` is wrong, and how, without quoting its value (it may be a secret).
fn describe_form_error(
    text: &str,
    members: &[policy::json::Member<'_>],
    error: &serde_json::Error,
) -> String {
    for member in members {
        let single = format!("{{{}}}", &text[member.range().as_usize_range()]);
        if let Err(e) = serde_json::from_str::<RegistryForm>(&single) {
            return format!(
                "could not read the form: field `{}`: {}; the form is described by schemas/registry-form.schema.json",
                member.key,
                scrub(&e)
            );
        }
    }
    format!("could not read the form: {}", scrub(error))
}

/// serde_json's message without any value it quotes (`invalid type: integer \`123\``).
pub fn scrub(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    if !(message.starts_with("invalid type:") || message.starts_with("invalid value:")) {
        return message.to_owned();
    }
    let (head, expected) = message.split_once(", expected ").unwrap_or((message, ""));
    let head = head.split(['`', '"']).next().unwrap_or(head).trim_end();
    if expected.is_empty() {
        head.to_owned()
    } else {
        format!("{head}, expected {expected}")
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HostOptions {
    /// Absent: ECR for ECR hosts and near misses, generic for everything else (as `pullpass host`).
    #[serde(default)]
    kind: Option<RegistryKind>,
    #[serde(default, rename = "override")]
    host_override: Option<HostOverride>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HostResult {
    ok: bool,
    host: HostInfo,
    findings: Vec<Finding>,
    summary: Summary,
}

/// `parseRegistryHost(host, options)`.
pub fn parse_registry_host(text: &str, options: Option<&str>) -> String {
    let options: HostOptions = match read(options) {
        Ok(o) => o,
        Err(e) => return failure("could not read the options", scrub(&e)),
    };
    let over = options.host_override.as_ref();
    let analysis = match options.kind {
        Some(kind) => registry_form::analyze_host(text, over, kind),
        None => registry_form::analyze_host_any_kind(text, over),
    };
    let index = LineIndex::new(text);
    let findings: Vec<Finding> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            if d.pointer() == "/host" {
                finding(d, &index)
            } else {
                let field = match d.pointer() {
                    "/override/accountId" => options.host_override.as_ref().map(|o| &*o.account_id),
                    "/override/region" => options.host_override.as_ref().map(|o| &*o.region),
                    _ => None,
                };
                finding(d, &LineIndex::new(field.unwrap_or("")))
            }
        })
        .collect();
    to_json(&HostResult {
        ok: true,
        host: host_info(&analysis),
        summary: Summary::of(&findings),
        findings,
    })
}

fn host_info(analysis: &HostAnalysis) -> HostInfo {
    let report = analysis.to_report();
    HostInfo {
        host: report.host,
        kind: report.kind,
        account: report.account,
        region: report.region,
        partition: report.partition,
        fips: report.fips,
        dual_stack: report.dual_stack,
        public: analysis.kind == HostKind::PublicEcr,
        from_override: report.from_override,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LintResult {
    ok: bool,
    kind: Option<&'static str>,
    kind_detected: bool,
    findings: Vec<Finding>,
    summary: Summary,
}

/// The policy kind and lint context that `options` (the `lintPolicy` / `fixPolicy` options)
/// name, or the failure JSON.
fn lint_setup(options: Option<&str>) -> Result<(Option<PolicyKind>, LintContext), String> {
    let options: LintOptions =
        read(options).map_err(|e| failure("could not read the options", scrub(&e)))?;
    let kind = match options.kind.as_deref() {
        None | Some("auto") => None,
        Some("trust") => Some(PolicyKind::Trust),
        Some("permissions") => Some(PolicyKind::Permissions),
        Some("repository") => Some(PolicyKind::Repository),
        Some(other) => {
            return Err(to_json(&Failure::new(format!(
                "unknown policy kind `{other}`: use \"trust\", \"permissions\", \"repository\" or \"auto\""
            ))));
        }
    };
    let ctx = LintContext {
        expected_service_account: options.expected_service_account,
        expected_issuer: options.expected_issuer,
        expected_provider_arn: options.expected_provider_arn,
        role_arn: options.role_arn,
        registry_host: options.registry_host,
        repository: options.repository,
        // A `kind: "permissions"` says the text is the pulling role's policy.
        pull_role: kind == Some(PolicyKind::Permissions),
        ..LintContext::default()
    };
    Ok((kind, ctx))
}

/// `lintPolicy(text, options)`.
pub fn lint_policy(text: &str, options: Option<&str>) -> String {
    let (kind, ctx) = match lint_setup(options) {
        Ok(setup) => setup,
        Err(failure) => return failure,
    };
    // Findings come sorted from the core (`policy::lint`); passed through as they are.
    let out = policy::lint(text, kind, &ctx);
    let index = LineIndex::new(text);
    let findings: Vec<Finding> = out.diagnostics.iter().map(|d| finding(d, &index)).collect();
    to_json(&LintResult {
        ok: true,
        kind: out.kind.map(PolicyKind::as_str),
        kind_detected: out.kind_detected,
        summary: Summary::of(&findings),
        findings,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FixResult {
    ok: bool,
    text: String,
    applied: usize,
}

/// `fixPolicy(text, options, level)`: the core's fixed-point fix loop (`policy::fix_all`, the
/// one `pullpass lint --fix` runs). `level` is `safe` (the default) or `unsafe`.
pub fn fix_policy(text: &str, options: Option<&str>, level: Option<&str>) -> String {
    let (kind, ctx) = match lint_setup(options) {
        Ok(setup) => setup,
        Err(failure) => return failure,
    };
    let level = match level {
        None | Some("safe") => FixLevel::Safe,
        Some("unsafe") => FixLevel::Unsafe,
        Some(other) => {
            return to_json(&Failure::new(format!(
                "unknown fix level `{other}`: use \"safe\" or \"unsafe\""
            )));
        }
    };
    let (text, applied) = policy::fix_all(text, kind, &ctx, level);
    to_json(&FixResult {
        ok: true,
        text,
        applied,
    })
}

/// The options of `generateTrustPolicy`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GenerateOptions {
    /// `irsa` (the default) or `podIdentity`.
    #[serde(default)]
    mechanism: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    provider_arn: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    partition: Option<String>,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    service_account: String,
    #[serde(default)]
    cluster_arn: Option<String>,
}

#[derive(Serialize)]
struct PolicyResult {
    ok: bool,
    policy: String,
}

/// `generateTrustPolicy(options)`.
pub fn generate_trust_policy(options: Option<&str>) -> String {
    let o: GenerateOptions = match read(options) {
        Ok(o) => o,
        Err(e) => return failure("could not read the options", scrub(&e)),
    };
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let generated = match o.mechanism.as_deref() {
        None | Some("irsa") => generate::irsa(&IrsaOptions {
            issuer: blank(o.issuer),
            provider_arn: blank(o.provider_arn),
            namespace: o.namespace,
            service_account: o.service_account,
            account: blank(o.account),
            partition: blank(o.partition),
        }),
        Some("podIdentity") => generate::pod_identity(&PodIdentityOptions {
            namespace: o.namespace,
            service_account: o.service_account,
            cluster_arn: blank(o.cluster_arn),
        }),
        Some(other) => {
            return to_json(&Failure::new(format!(
                "unknown mechanism `{other}`: use \"irsa\" or \"podIdentity\""
            )));
        }
    };
    match generated {
        Ok(policy) => to_json(&PolicyResult { ok: true, policy }),
        Err(e) => to_json(&Failure::new(e.to_string())),
    }
}

#[derive(Serialize)]
struct HelmResult {
    ok: bool,
    values: String,
}

/// `helmValues(roleArn)`.
pub fn helm_values(role_arn: &str) -> String {
    match generate::helm_values(role_arn) {
        Ok(values) => to_json(&HelmResult { ok: true, values }),
        Err(e) => to_json(&Failure::new(e.to_string())),
    }
}

/// The JSON list of `rules` (the doctor module's `rules()`).
pub fn rule_list(rules: Vec<&'static pullpass_core::RuleMeta>) -> String {
    let rules: Vec<RuleInfo> = rules
        .into_iter()
        .map(|r| RuleInfo {
            code: r.code,
            name: r.name,
            family: r.family,
            severity: severity(r.severity),
            summary: r.summary,
            docs: r.docs,
        })
        .collect();
    to_json(&rules)
}
