//! `pullpass-wasm-doctor`: `pullpass doctor` in the browser, the second wasm module of the page.
//!
//! The form and policy module (`pullpass-wasm`, `pullpass.js`) is what the page needs at once;
//! the doctor's checks, its YAML reader and the rule catalogue with every rule's documentation
//! are this module (`pullpass_doctor.js`), which the page imports only when the IRSA check panel
//! opens. Both
//! modules answer with the same transfer types (`Finding`, `Failure`, …), defined once in
//! `pullpass-wasm`.
//!
//! **Architecture Invariant:** a thin adapter, like `pullpass-wasm`: no rule logic, no IO; it
//! imports only `pullpass-core`, `pullpass-wasm` (helpers, without its exports), serde and
//! wasm-bindgen.

pub mod api;
pub mod transfer;

use pullpass_wasm::{arg, result};
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

/// The package version (the pullpass version it was built from).
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[cfg(test)]
mod tests;
