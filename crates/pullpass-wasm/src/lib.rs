//! `pullpass-wasm`: pullpass in the browser, a thin wasm-bindgen adapter over `pullpass-core`.
//!
//! Owns the JavaScript API (camelCase functions), its transfer types ([`transfer`]) and their
//! TypeScript declarations, and the conversion of core byte ranges into UTF-16 code units. It
//! decides nothing itself: every rule, message and position comes from the core, so the browser
//! says exactly what the CLI says.
//!
//! Two modules: this one (the registry form, hosts and policy lint: what the page runs as you
//! type) and `pullpass-wasm-doctor`, loaded only on demand: the IRSA check panel's `checkIrsa` /
//! `checkPodIdentity`, the rule catalogue `rules()` with every rule's documentation, and the
//! one-click tools `generateTrustPolicy`, `helmValues` and `fixPolicy` (the page calls them only
//! on a click; they were 12 KB of this module gzipped, 7 %). Their JSON
//! functions stay in [`api`], with their transfer types. The doctor module reuses this crate's
//! helpers and transfer types without its exports (`default-features = false` turns the
//! `exports` feature off, so no function of this module is linked into that one).
//!
//! **Architecture Invariant:** a thin adapter. No rule logic, no IO; it imports only
//! `pullpass-core`, serde and wasm-bindgen (pinned with `=` to the CLI `cargo xtask wasm` uses).
//!
//! Values cross the boundary as JSON text: `JSON.stringify` on the way in, `serde_json` inside,
//! `JSON.parse` on the way out. Measured against `serde-wasm-bindgen` 0.6.5 on the same typed
//! results in Chromium: the same median latency (25 µs per form, 55 µs per trust policy, at the
//! timer's 5 µs resolution), but `serde-wasm-bindgen` added 30 KB to the module (13 KB gzipped);
//! serde_json is in the module anyway, for the core. No input traps: a call that cannot run returns
//! `{ ok: false, error }`, and a panic hook logs any bug to the console.

pub mod api;
pub mod transfer;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `JSON.stringify(value)`: `None` for `undefined` (and functions); throws on cycles and
    /// `BigInt`.
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> Result<Option<String>, JsValue>;

    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;

    /// `String(value)`: an exception's "RangeError: Maximum call stack size exceeded".
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

#[cfg(feature = "exports")]
/// Runs once when the module is instantiated (wasm-bindgen calls it from `__wbindgen_start`).
#[wasm_bindgen(start, js_name = __pullpassStart, skip_typescript)]
fn start() {
    console_error_panic_hook::set_once();
}

/// JSON text of a JavaScript argument; `Ok(None)` when it is `undefined`/`null`.
pub fn arg(value: &JsValue, what: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    json_stringify(value).map_err(|e| {
        let reason = e.as_string().unwrap_or_else(|| js_string(&e));
        result(&api::to_json(&transfer::Failure::new(format!(
            "could not read {what}: {reason}"
        ))))
    })
}

/// The JavaScript value of a JSON result text.
pub fn result(json: &str) -> JsValue {
    json_parse(json).unwrap_or_else(|_| {
        // Unreachable with serde_json's output; still never a trap.
        JsValue::from_str("internal error: invalid JSON result")
    })
}

#[cfg(feature = "exports")]
/// Validates the Add-registry form: every `RF…` rule, field by field, and what the host parses
/// to. `context.existingNames` enables the duplicate-name rule.
#[wasm_bindgen(js_name = validateRegistryForm, unchecked_return_type = "FormResult | Failure")]
pub fn validate_registry_form(
    #[wasm_bindgen(unchecked_param_type = "RegistryForm")] form: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FormContext")] context: Option<JsValue>,
) -> JsValue {
    let context = context.unwrap_or(JsValue::UNDEFINED);
    let form = match arg(&form, "the form") {
        Ok(f) => f,
        Err(failure) => return failure,
    };
    let context = match arg(&context, "the context") {
        Ok(c) => c,
        Err(failure) => return failure,
    };
    result(&api::validate_registry_form(
        form.as_deref(),
        context.as_deref(),
    ))
}

#[cfg(feature = "exports")]
/// Parses a registry host: private ECR (account, region, partition, FIPS, dual-stack), public
/// ECR, or another registry, with the host rules' findings.
#[wasm_bindgen(js_name = parseRegistryHost, unchecked_return_type = "HostResult | Failure")]
pub fn parse_registry_host(
    #[wasm_bindgen(unchecked_param_type = "string")] host: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "HostOptions")] options: Option<JsValue>,
) -> JsValue {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let Some(host) = host.as_string() else {
        return result(&api::to_json(&transfer::Failure::new(
            "the host must be a string",
        )));
    };
    let options = match arg(&options, "the options") {
        Ok(o) => o,
        Err(failure) => return failure,
    };
    result(&api::parse_registry_host(&host, options.as_deref()))
}

/// The policy text and the JSON of the options of `lintPolicy` / `fixPolicy` (the doctor
/// module's), or the failure.
///
/// # Errors
/// The failure value when `text` is not a string or the options cannot be read.
pub fn policy_args(
    text: &JsValue,
    options: Option<JsValue>,
) -> Result<(String, Option<String>), JsValue> {
    let Some(text) = text.as_string() else {
        return Err(result(&api::to_json(&transfer::Failure::new(
            "the policy text must be a string",
        ))));
    };
    let options = arg(&options.unwrap_or(JsValue::UNDEFINED), "the options")?;
    Ok((text, options))
}

#[cfg(feature = "exports")]
/// Lints an IAM trust or permissions policy (the kind is detected unless `options.kind` says).
/// Ranges are UTF-16 code units into `text`.
#[wasm_bindgen(js_name = lintPolicy, unchecked_return_type = "LintResult | Failure")]
pub fn lint_policy(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "LintOptions")] options: Option<JsValue>,
) -> JsValue {
    match policy_args(&text, options) {
        Ok((text, options)) => result(&api::lint_policy(&text, options.as_deref())),
        Err(failure) => failure,
    }
}

#[cfg(feature = "exports")]
/// The package version (the pullpass version it was built from).
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[cfg(test)]
mod tests;
