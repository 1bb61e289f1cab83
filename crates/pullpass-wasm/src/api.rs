//! The package's functions on plain Rust values: JSON text in, JSON text out.
//!
//! Each function here is one exported JavaScript function minus the boundary crossing, so the
//! host tests exercise exactly what the browser runs. Nothing here decides a finding: every
//! rule, message and position comes from `pullpass-core`; this layer only converts.

use pullpass_core::LineIndex;
use pullpass_core::host::{self, HostAnalysis, HostKind};
use pullpass_core::policy::generate::{self, IrsaOptions, PodIdentityOptions};
use pullpass_core::policy::{self, LintContext, PolicyKind};
use pullpass_core::registry_form::{self, FormContext, HostOverride, RegistryForm, RegistryKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

use pullpass_core::doctor::{self, IrsaInputs, PodIdentityInputs};

use crate::transfer::{
    DoctorIrsaInputs, DoctorPodIdentityInputs, Failure, Finding, HostInfo, LintOptions, RuleInfo,
    Summary, doctor_result, finding, severity,
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
fn read<T: DeserializeOwned + Default>(json: Option<&str>) -> Result<T, serde_json::Error> {
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
pub fn validate_registry_form(form: Option<&str>, context: Option<&str>) -> String {
    let value: serde_json::Value = match form {
        None => serde_json::Value::Object(serde_json::Map::new()),
        Some(text) => match serde_json::from_str(&well_formed(text)) {
            Ok(v) => v,
            Err(e) => return failure("the form is not a JSON object", e),
        },
    };
    if !value.is_object() {
        return to_json(&Failure::new(
            "the form must be an object like { name, host, kind, accessKeyId, secretAccessKey }",
        ));
    }
    let form: RegistryForm = match serde_json::from_value(value.clone()) {
        Ok(f) => f,
        Err(e) => return to_json(&Failure::new(describe_form_error(&value, &e))),
    };
    let ctx: FormContext = match read(context) {
        Ok(c) => c,
        Err(e) => return failure("could not read the context", scrub(&e)),
    };
    let mut diagnostics = registry_form::validate(&form, &ctx);
    pullpass_core::diagnostic::sort(&mut diagnostics);
    let findings: Vec<Finding> = diagnostics
        .iter()
        .map(|d| {
            // Form ranges point into the value of the field the pointer names.
            let field = value
                .pointer(&d.pointer)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("");
            finding(d, &LineIndex::new(field))
        })
        .collect();
    let host = (!form.host.trim().is_empty()).then(|| {
        host_info(&host::analyze(
            &form.host,
            form.host_override.as_ref(),
            form.kind,
        ))
    });
    let summary = Summary::of(&findings);
    to_json(&FormResult {
        ok: true,
        can_submit: summary.errors == 0,
        findings,
        summary,
        host,
    })
}

/// Which field of `form` is wrong, and how, without quoting its value (it may be a secret).
fn describe_form_error(form: &serde_json::Value, error: &serde_json::Error) -> String {
    let fields = form.as_object().into_iter().flatten();
    for (key, value) in fields {
        let single =
            serde_json::Value::Object([(key.clone(), value.clone())].into_iter().collect());
        if let Err(e) = serde_json::from_value::<RegistryForm>(single) {
            return format!(
                "could not read the form: field `{key}`: {}; the form is described by schemas/registry-form.schema.json",
                scrub(&e)
            );
        }
    }
    format!("could not read the form: {}", scrub(error))
}

/// serde_json's message without any value it quotes (`invalid type: integer \`123\``).
fn scrub(error: &serde_json::Error) -> String {
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
        Some(kind) => host::analyze(text, over, kind),
        None => host::analyze_any_kind(text, over),
    };
    let index = LineIndex::new(text);
    let findings: Vec<Finding> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            if d.pointer == "/host" {
                finding(d, &index)
            } else {
                let field = match d.pointer.as_str() {
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

/// `lintPolicy(text, options)`.
pub fn lint_policy(text: &str, options: Option<&str>) -> String {
    let options: LintOptions = match read(options) {
        Ok(o) => o,
        Err(e) => return failure("could not read the options", scrub(&e)),
    };
    let kind = match options.kind.as_deref() {
        None | Some("auto") => None,
        Some("trust") => Some(PolicyKind::Trust),
        Some("permissions") => Some(PolicyKind::Permissions),
        Some("repository") => Some(PolicyKind::Repository),
        Some(other) => {
            return to_json(&Failure::new(format!(
                "unknown policy kind `{other}`: use \"trust\", \"permissions\", \"repository\" or \"auto\""
            )));
        }
    };
    let ctx = LintContext {
        expected_service_account: options.expected_service_account,
        expected_issuer: options.expected_issuer,
        expected_provider_arn: options.expected_provider_arn,
        role_arn: options.role_arn,
        registry_host: options.registry_host,
        repository: options.repository,
        ..LintContext::default()
    };
    let mut out = policy::lint(text, kind, &ctx);
    pullpass_core::diagnostic::sort(&mut out.diagnostics);
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

/// `rules()`.
pub fn rules() -> String {
    let rules: Vec<RuleInfo> = pullpass_core::catalog::all()
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

/// A blank input is one not given (an empty textarea).
fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Reads the inputs object of a doctor call: an object (absent: all inputs absent), never an
/// array serde would read field by field.
fn read_inputs<T: DeserializeOwned + Default>(json: Option<&str>) -> Result<T, String> {
    let object = |text: &str| text.trim_start().starts_with('{');
    match json {
        Some(text) if text != "null" && !object(text) => Err(
            "could not read the inputs: give an object like { trustPolicy, serviceAccount, roleArn }"
                .to_owned(),
        ),
        _ => read(json).map_err(|e| format!("could not read the inputs: {}", scrub(&e))),
    }
}

/// `checkIrsa(inputs)`.
pub fn check_irsa(inputs: Option<&str>) -> String {
    let i: DoctorIrsaInputs = match read_inputs(inputs) {
        Ok(i) => i,
        Err(e) => return to_json(&Failure::new(e)),
    };
    let inputs = IrsaInputs {
        service_account: given(i.service_account),
        helm_values: given(i.helm_values),
        expected_service_account: given(i.expected_service_account),
        trust_policy: given(i.trust_policy),
        role_arn: given(i.role_arn),
        issuer: given(i.issuer),
        cluster: given(i.cluster),
        oidc_provider: given(i.oidc_provider),
        registry: given(i.registry),
        pod_env: given(i.pod_env),
        permissions_policy: given(i.permissions_policy),
        repository: given(i.repository),
        registry_token: None,
    };
    let list = doctor::check_irsa(&inputs);
    to_json(&doctor_result(&list, |input| inputs.text(input)))
}

/// `checkPodIdentity(inputs)`.
pub fn check_pod_identity(inputs: Option<&str>) -> String {
    let i: DoctorPodIdentityInputs = match read_inputs(inputs) {
        Ok(i) => i,
        Err(e) => return to_json(&Failure::new(e)),
    };
    let inputs = PodIdentityInputs {
        association: given(i.association),
        service_account: given(i.service_account),
        expected_service_account: given(i.expected_service_account),
        trust_policy: given(i.trust_policy),
        role_arn: given(i.role_arn),
        cluster: given(i.cluster),
        registry: given(i.registry),
        pod_env: given(i.pod_env),
        permissions_policy: given(i.permissions_policy),
        repository: given(i.repository),
        registry_token: None,
    };
    let list = doctor::check_pod_identity(&inputs);
    to_json(&doctor_result(&list, |input| inputs.text(input)))
}
