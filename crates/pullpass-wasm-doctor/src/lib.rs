//! `pullpass-wasm-doctor`: `pullpass doctor` in the browser, the second wasm module of the page.
//!
//! The form and policy module (`pullpass-wasm`, `pullpass.js`) is what the page needs at once,
//! as the user types; everything else is this module (`pullpass_doctor.js`), which the page
//! imports only on demand: the doctor's checks and its YAML reader (when the IRSA check panel
//! opens), the rule catalogue with every rule's documentation, and the one-click tools
//! `generateTrustPolicy`, `helmValues` and `fixPolicy` (on the first click; their JSON functions
//! and transfer types are `pullpass-wasm`'s `api` and `transfer`, so both modules share one
//! implementation). Both modules answer with the same transfer types (`Finding`, `Failure`, …),
//! defined once in `pullpass-wasm`.
//!
//! **Architecture Invariant:** a thin adapter, like `pullpass-wasm`: no rule logic, no IO; it
//! imports only `pullpass-core`, `pullpass-wasm` (helpers, without its exports), serde and
//! wasm-bindgen.

pub mod api;
pub mod transfer;

use pullpass_wasm::transfer::Failure;
use pullpass_wasm::{api::to_json, arg, policy_args, result};
use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated (wasm-bindgen calls it from `__wbindgen_start`).
#[wasm_bindgen(start, js_name = __pullpassDoctorStart, skip_typescript)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Checks an IRSA set-up link by link from the pasted artifacts (`pullpass doctor irsa`).
/// Ranges are UTF-16 code units into the input each check names.
#[wasm_bindgen(js_name = checkIrsa, unchecked_return_type = "DoctorResult | Failure")]
pub fn check_irsa(
    #[wasm_bindgen(unchecked_param_type = "DoctorIrsaInputs")] inputs: JsValue,
) -> JsValue {
    let inputs = match arg(&inputs, "the inputs") {
        Ok(i) => i,
        Err(failure) => return failure,
    };
    result(&api::check_irsa(inputs.as_deref()))
}

/// Checks an EKS Pod Identity set-up link by link (`pullpass doctor pod-identity`).
/// Ranges are UTF-16 code units into the input each check names.
#[wasm_bindgen(js_name = checkPodIdentity, unchecked_return_type = "DoctorResult | Failure")]
pub fn check_pod_identity(
    #[wasm_bindgen(unchecked_param_type = "DoctorPodIdentityInputs")] inputs: JsValue,
) -> JsValue {
    let inputs = match arg(&inputs, "the inputs") {
        Ok(i) => i,
        Err(failure) => return failure,
    };
    result(&api::check_pod_identity(inputs.as_deref()))
}

/// The rule catalog: every `RF…`, `TP…`, `EP…` and `DR…` rule with its documentation. It lives
/// in this module, which the page loads on demand, because the page itself never shows the
/// docs and they would weigh on the form module that loads with it.
#[wasm_bindgen(unchecked_return_type = "RuleInfo[]")]
#[must_use]
pub fn rules() -> JsValue {
    result(&api::rules())
}

/// Applies the policy's fixes until none is left (the core's fix loop, as `pullpass lint
/// --fix`): `{ ok: true, text, applied }`. `level` is `"safe"` (the default) or `"unsafe"`.
#[wasm_bindgen(js_name = fixPolicy, unchecked_return_type = "FixResult | Failure")]
pub fn fix_policy(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "LintOptions")] options: Option<JsValue>,
    #[wasm_bindgen(unchecked_optional_param_type = "\"safe\" | \"unsafe\"")] level: Option<JsValue>,
) -> JsValue {
    let level = level.and_then(|l| l.as_string());
    match policy_args(&text, options) {
        Ok((text, options)) => result(&pullpass_wasm::api::fix_policy(
            &text,
            options.as_deref(),
            level.as_deref(),
        )),
        Err(failure) => failure,
    }
}

/// Generates an IRSA or EKS Pod Identity trust policy that lints clean: `{ ok: true, policy }`,
/// or `{ ok: false, error }` naming the option that is missing or malformed.
#[wasm_bindgen(js_name = generateTrustPolicy, unchecked_return_type = "PolicyResult | Failure")]
pub fn generate_trust_policy(
    #[wasm_bindgen(unchecked_param_type = "GenerateOptions")] options: JsValue,
) -> JsValue {
    let options = match arg(&options, "the options") {
        Ok(o) => o,
        Err(failure) => return failure,
    };
    result(&pullpass_wasm::api::generate_trust_policy(
        options.as_deref(),
    ))
}

/// The helm values that annotate the platform's service account with `roleArn`, followed by
/// the `kubectl` commands that apply and verify them (as YAML comments).
#[wasm_bindgen(js_name = helmValues, unchecked_return_type = "HelmResult | Failure")]
pub fn helm_values(
    #[wasm_bindgen(js_name = roleArn, unchecked_param_type = "string")] role_arn: JsValue,
) -> JsValue {
    let Some(role_arn) = role_arn.as_string() else {
        return result(&to_json(&Failure::new("the role ARN must be a string")));
    };
    result(&pullpass_wasm::api::helm_values(&role_arn))
}

/// The package version (the pullpass version it was built from).
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[cfg(test)]
mod tests;
