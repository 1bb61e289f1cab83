//! The doctor module's functions on plain Rust values: JSON text in, JSON text out (as
//! `pullpass-wasm`'s `api`, whose helpers it reuses).

use pullpass_core::doctor::{self, DoctorInputs};
use pullpass_wasm::api::{read, rule_list, scrub, to_json};
use pullpass_wasm::transfer::Failure;
use serde::de::DeserializeOwned;

use crate::transfer::{DoctorIrsaInputs, DoctorPodIdentityInputs, doctor_result};

/// `rules()`: the whole catalogue, `RF…`, `TP…`, `EP…` and `DR…`, with the documentation.
pub fn rules() -> String {
    rule_list(pullpass_core::catalog::all())
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
    let inputs = DoctorInputs {
        association: None,
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
    let inputs = DoctorInputs {
        helm_values: None,
        issuer: None,
        oidc_provider: None,
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
