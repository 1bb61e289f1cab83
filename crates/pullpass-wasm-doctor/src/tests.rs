//! Host tests of the doctor module: the same functions the browser calls, minus the JS boundary.

use serde_json::{Value, json};

use crate::api;

fn call(json: &str) -> Value {
    serde_json::from_str(json).expect("every result is JSON")
}

/// The `{ … }` body of `export interface <name>` in either module's TypeScript section.
fn interface(name: &str) -> String {
    let all = format!(
        "{}{}",
        pullpass_wasm::transfer::TYPESCRIPT,
        crate::transfer::TYPESCRIPT
    );
    let start = all
        .find(&format!("export interface {name} "))
        .unwrap_or_else(|| panic!("no `export interface {name}` in TYPESCRIPT"));
    let body = &all[start..];
    let open = body.find('{').unwrap();
    let mut depth = 0;
    for (i, c) in body[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return body[open..=open + i].to_owned();
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced interface {name}")
}

/// Every key of `value` is declared in `interface` (as `key:` or `key?:`).
fn declared(interface_name: &str, value: &Value) {
    let body = interface(interface_name);
    for key in value.as_object().expect("an object").keys() {
        assert!(
            body.contains(&format!(" {key}:")) || body.contains(&format!(" {key}?:")),
            "`{key}` is serialized but not declared in TypeScript `{interface_name}`: {body}"
        );
    }
}

#[test]
fn typescript_declares_every_serialized_field() {
    let doctor = call(&api::check_irsa(Some(&doctor_inputs("coderd"))));
    declared("DoctorResult", &doctor);
    declared("DoctorSummary", &doctor["summary"]);
    let checks = doctor["checks"].as_array().unwrap();
    for check in checks {
        declared("DoctorCheck", check);
    }
    let failed = checks
        .iter()
        .find(|c| c["status"] == "failed")
        .expect("a failed check");
    declared("Finding", &failed["finding"]);
    declared("Range", &failed["finding"]["range"]);
    let pod = call(&api::check_pod_identity(Some("{}")));
    declared("DoctorResult", &pod);
    let rules = call(&api::rules());
    declared("RuleInfo", &rules[0]);
    for family in ["RF", "TP", "EP", "DR"] {
        assert!(
            rules
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["code"].as_str().unwrap().starts_with(family)),
            "{family}"
        );
    }
}

/// The inputs of the `irsa-sound` fixture set, with `sa` as the trust policy's service account.
fn doctor_inputs(sa: &str) -> String {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/doctor/irsa-sound/"
    );
    let file = |name: &str| std::fs::read_to_string(format!("{dir}{name}")).expect("fixture");
    json!({
        "serviceAccount": file("sa.yaml"),
        "helmValues": file("values.yaml"),
        "trustPolicy": file("trust.json").replace("system:serviceaccount:coder:coder\"", &format!("system:serviceaccount:coder:{sa}\"")),
        "roleArn": "arn:aws:iam::210987654321:role/coder-ecr-pull",
        "cluster": file("cluster.json"),
        "oidcProvider": file("provider.json"),
        "registry": "210987654321.dkr.ecr.us-west-2.amazonaws.com",
        "podEnv": file("env.txt"),
        "permissionsPolicy": file("permissions.json"),
        "repository": "team/app",
    })
    .to_string()
}

#[test]
fn doctor_points_at_the_broken_link_with_a_utf16_range() {
    let sound = call(&api::check_irsa(Some(&doctor_inputs("coder"))));
    assert_eq!(sound["ok"], true);
    assert_eq!(sound["sound"], true, "{sound}");
    assert_eq!(sound["summary"]["failed"], 0);

    // `aws iam get-role` output with a non-ASCII description before the broken subject: UTF-16
    // and byte offsets differ there.
    let mut inputs: Value = serde_json::from_str(&doctor_inputs("coderd")).unwrap();
    let trust = format!(
        r#"{{"Role": {{"RoleName": "coder-ecr-pull", "Description": "Zugriff für 😀 Pods", "AssumeRolePolicyDocument": {}}}}}"#,
        inputs["trustPolicy"].as_str().unwrap()
    );
    inputs["trustPolicy"] = Value::String(trust.clone());
    let broken = call(&api::check_irsa(Some(&inputs.to_string())));
    assert_eq!(broken["sound"], false);
    let failed: Vec<&Value> = broken["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{broken}");
    let check = failed[0];
    assert_eq!(check["id"], "trust.subject");
    assert_eq!(check["finding"]["code"], "TP032");
    assert_eq!(check["input"], "trustPolicy");
    let range = &check["finding"]["range"];
    let units: Vec<u16> = trust.encode_utf16().collect();
    let start = range["start"].as_u64().unwrap() as usize;
    let end = range["end"].as_u64().unwrap() as usize;
    let text = String::from_utf16(&units[start..end]).unwrap();
    assert!(text.contains("coderd"), "{text}");
    assert!(trust.find("😀").unwrap() < trust.find("coderd").unwrap());
}

#[test]
fn doctor_blank_inputs_are_not_given_and_bad_shapes_are_failures() {
    let blank = call(&api::check_irsa(Some(
        r#"{"trustPolicy": "  ", "roleArn": null}"#,
    )));
    assert_eq!(blank["ok"], true);
    assert_eq!(blank["summary"]["failed"], 0, "{blank}");
    let needs: Vec<&Value> = blank["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["needs"].as_array().unwrap())
        .collect();
    assert!(needs.iter().any(|n| *n == "trustPolicy"), "{blank}");
    for bad in [
        "[]",
        "7",
        r#"{"trustPolicy": 3}"#,
        r#"{"association": "x"}"#,
        "{",
    ] {
        let result = call(&api::check_irsa(Some(bad)));
        assert_eq!(result["ok"], false, "{bad}");
        assert!(
            result["error"]
                .as_str()
                .unwrap()
                .starts_with("could not read the inputs")
        );
    }
    let result = call(&api::check_pod_identity(Some(r#"{"oidcProvider": "x"}"#)));
    assert_eq!(result["ok"], false);
    let result = call(&api::check_pod_identity(None));
    assert_eq!(result["mode"], "podIdentity");
}
