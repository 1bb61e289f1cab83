//! Host tests of the adapter: the same functions the browser calls, minus the JS boundary.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::api;
use crate::transfer::TYPESCRIPT;

fn call(json: &str) -> Value {
    serde_json::from_str(json).expect("every result is JSON")
}

fn form(value: &Value) -> Value {
    call(&api::validate_registry_form(Some(&value.to_string()), None))
}

fn codes(result: &Value) -> Vec<String> {
    result["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The `{ … }` body of `export interface <name>` in the TypeScript section.
fn interface(name: &str) -> &'static str {
    let start = TYPESCRIPT
        .find(&format!("export interface {name} "))
        .unwrap_or_else(|| panic!("no `export interface {name}` in TYPESCRIPT"));
    let body = &TYPESCRIPT[start..];
    let open = body.find('{').unwrap();
    let mut depth = 0;
    for (i, c) in body[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &body[open..=open + i];
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

const TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "Überprüfung",
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {
      "https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:coder:coder",
      "oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud": "sts.amazonaws.com"
    }}
  }]
}"#;

#[test]
fn typescript_declares_every_serialized_field() {
    let result = form(&json!({
        "name": "prod", "host": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
    }));
    declared("FormResult", &result);
    declared("HostInfo", &result["host"]);
    let with_fix = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| !f["fixes"].as_array().unwrap().is_empty())
        .expect("RF011 has a fix");
    declared("Finding", with_fix);
    declared("Range", &with_fix["range"]);
    declared("Fix", &with_fix["fixes"][0]);
    declared("Edit", &with_fix["fixes"][0]["edits"][0]);
    declared("Summary", &result["summary"]);

    let host = call(&api::parse_registry_host("public.ecr.aws", None));
    declared("HostResult", &host);
    let lint = call(&api::lint_policy(TRUST, None));
    declared("LintResult", &lint);
    declared("FixResult", &call(&api::fix_policy(TRUST, None, None)));
    declared(
        "Failure",
        &call(&api::validate_registry_form(Some("[]"), None)),
    );
    declared(
        "PolicyResult",
        &call(&api::generate_trust_policy(Some(
            r#"{"mechanism":"podIdentity","namespace":"coder","serviceAccount":"coder"}"#,
        ))),
    );
    declared(
        "HelmResult",
        &call(&api::helm_values(
            "arn:aws:iam::123456789012:role/coder-ecr",
        )),
    );
}

#[test]
fn generated_policies_lint_clean_and_bad_options_say_why() {
    for options in [
        json!({"issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9", "account": "123456789012", "namespace": "coder", "serviceAccount": "coder"}),
        json!({"mechanism": "irsa", "providerArn": "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9", "namespace": "coder", "serviceAccount": "coder"}),
        json!({"mechanism": "podIdentity", "namespace": "coder", "serviceAccount": "coder"}),
    ] {
        let generated = call(&api::generate_trust_policy(Some(&options.to_string())));
        assert_eq!(generated["ok"], true, "{generated}");
        let policy = generated["policy"].as_str().unwrap();
        let lint = call(&api::lint_policy(
            policy,
            Some(r#"{"expectedServiceAccount":"coder/coder"}"#),
        ));
        assert_eq!(codes(&lint), Vec::<String>::new(), "{policy}");
    }
    let missing = call(&api::generate_trust_policy(Some(
        r#"{"namespace":"coder","serviceAccount":"coder"}"#,
    )));
    assert_eq!(missing["ok"], false);
    assert!(
        missing["error"].as_str().unwrap().contains("issuer"),
        "{missing}"
    );
    let bad = call(&api::generate_trust_policy(Some(
        r#"{"mechanism":"kiam","namespace":"a","serviceAccount":"b"}"#,
    )));
    assert!(bad["error"].as_str().unwrap().contains("podIdentity"));
    let helm = call(&api::helm_values(
        "arn:aws:iam::123456789012:role/coder-ecr",
    ));
    assert!(
        helm["values"]
            .as_str()
            .unwrap()
            .contains("eks.amazonaws.com/role-arn")
    );
    let helm = call(&api::helm_values("arn:aws:iam::1234:role/x"));
    assert_eq!(helm["ok"], false);
}

#[test]
fn lint_ranges_are_utf16_and_fixes_apply_in_utf16() {
    let result = call(&api::lint_policy(TRUST, None));
    assert_eq!(result["ok"], true);
    assert_eq!(result["kind"], "trust");
    let f = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TP022")
        .expect("TP022 for the https:// key");
    let start = f["range"]["start"].as_u64().unwrap() as usize;
    let end = f["range"]["end"].as_u64().unwrap() as usize;
    let utf16: Vec<u16> = TRUST.encode_utf16().collect();
    let token = String::from_utf16(&utf16[start..end]).unwrap();
    assert!(token.contains("https://oidc.eks"), "range covers {token:?}");
    // The byte range differs: "Ü" and "ü" are two bytes each, one UTF-16 unit each.
    let byte_start = TRUST.find("\"https://").unwrap();
    assert_eq!(start, byte_start - 2);
    assert_eq!(f["range"]["startLine"], 9);
    // The fix, applied in UTF-16 units, removes the scheme.
    let edit = &f["fixes"][0]["edits"][0];
    let (es, ee) = (
        edit["start"].as_u64().unwrap() as usize,
        edit["end"].as_u64().unwrap() as usize,
    );
    let mut fixed: Vec<u16> = utf16[..es].to_vec();
    fixed.extend(edit["replacement"].as_str().unwrap().encode_utf16());
    fixed.extend(&utf16[ee..]);
    let fixed = String::from_utf16(&fixed).unwrap();
    let again = call(&api::lint_policy(&fixed, None));
    assert!(!codes(&again).contains(&"TP022".to_owned()), "{again}");
}

#[test]
fn form_ranges_point_into_the_field_value() {
    let result = form(
        &json!({ "name": "prod", "host": "HTTPS://123456789012.dkr.ecr.us-east-1.amazonaws.com/" }),
    );
    assert_eq!(result["ok"], true);
    assert_eq!(result["host"]["account"], "123456789012");
    assert_eq!(result["host"]["region"], "us-east-1");
    assert_eq!(result["host"]["partition"], "aws");
    let rf011 = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "RF011")
        .expect("RF011");
    assert_eq!(rf011["pointer"], "/host");
    assert_eq!(rf011["range"]["start"], 0);
    assert_eq!(rf011["range"]["startColumn"], 1);
}

#[test]
fn swapped_keys_are_reported_without_echoing_the_secret() {
    let secret = "AKIAIOSFODNN7ABCDEFG";
    let result = form(&json!({
        "name": "prod", "host": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "accessKeyId": "AKIAIOSFODNN7ABCDEFH", "secretAccessKey": secret,
    }));
    assert!(codes(&result).contains(&"RF036".to_owned()), "{result}");
    assert!(!result.to_string().contains(secret));
    assert_eq!(result["canSubmit"], false);
}

#[test]
fn a_form_of_the_wrong_shape_names_the_field_and_never_quotes_the_value() {
    for (form, field) in [
        (
            json!({"name": "x", "secretAccessKey": 918273645546372819_u64}),
            "secretAccessKey",
        ),
        (json!({"name": "x", "sessionToken": true}), "sessionToken"),
        (
            json!({"name": "x", "override": {"accountId": 123456789012_u64}}),
            "override",
        ),
        (json!({"name": "x", "hots": "a"}), "hots"),
    ] {
        let result = call(&api::validate_registry_form(Some(&form.to_string()), None));
        let error = result["error"].as_str().unwrap();
        assert!(error.contains(&format!("field `{field}`")), "{error}");
        for secret in ["918273645546372819", "123456789012", "true"] {
            assert!(!error.contains(secret), "{error}");
        }
    }
}

#[test]
fn public_ecr_needs_no_credentials() {
    let result = call(&api::parse_registry_host("public.ecr.aws", None));
    assert_eq!(result["host"]["public"], true);
    assert_eq!(result["host"]["kind"], "publicEcr");
}

#[test]
fn bad_shapes_are_failures_not_traps() {
    for (form, context) in [
        ("[]", None),
        ("42", None),
        ("{\"host\": 7}", None),
        ("{\"nope\": \"x\"}", None),
        ("{", None),
        ("{}", Some("{\"existingNames\": 3}")),
    ] {
        let result = call(&api::validate_registry_form(Some(form), context));
        assert_eq!(result["ok"], false, "{form}");
        assert!(result["error"].as_str().unwrap().len() > 10);
    }
    let result = call(&api::lint_policy("{}", Some("{\"kind\": \"role\"}")));
    assert_eq!(result["ok"], false);
    assert!(result["error"].as_str().unwrap().contains("trust"));
    let result = call(&api::parse_registry_host(
        "x",
        Some("{\"kind\": \"docker\"}"),
    ));
    assert_eq!(result["ok"], false);
    // A blank form is a form with findings, not a failure.
    let result = call(&api::validate_registry_form(None, None));
    assert_eq!(result["ok"], true);
    assert!(codes(&result).contains(&"RF001".to_owned()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_policy_text_gives_findings_with_ranges_inside_the_text(text in "\\PC{0,200}") {
        let result = call(&api::lint_policy(&text, None));
        prop_assert_eq!(&result["ok"], &json!(true));
        let len = text.encode_utf16().count() as u64;
        for f in result["findings"].as_array().unwrap() {
            if let Some(range) = f.get("range") {
                prop_assert!(range["start"].as_u64().unwrap() <= range["end"].as_u64().unwrap());
                prop_assert!(range["end"].as_u64().unwrap() <= len);
            }
        }
    }

    #[test]
    fn any_form_values_give_findings(host in "\\PC{0,80}", key in "\\PC{0,40}", secret in "\\PC{0,50}", name in "\\PC{0,70}") {
        let result = form(&json!({ "name": name, "host": host, "accessKeyId": key, "secretAccessKey": secret }));
        prop_assert_eq!(&result["ok"], &json!(true));
        let host_len = host.encode_utf16().count() as u64;
        for f in result["findings"].as_array().unwrap() {
            if let (true, Some(range)) = (f["pointer"] == "/host", f.get("range")) {
                prop_assert!(range["end"].as_u64().unwrap() <= host_len);
            }
        }
    }
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    assert_eq!(
        api::well_formed(r#"{"a":"x\ud83dy"}"#),
        r#"{"a":"x\ufffdy"}"#
    );
    assert_eq!(api::well_formed(r#""\ude00\ud83d""#), r#""\ufffd\ufffd""#);
    // A pair, an escaped backslash before `u`, and plain escapes stay as they are.
    for ok in [r#""\ud83d\ude00""#, r#""\\ud83d""#, r#""\n\u0041""#] {
        assert_eq!(api::well_formed(ok), ok);
    }
    let result = call(&api::validate_registry_form(
        Some(r#"{"name":"\ud83d"}"#),
        None,
    ));
    assert_eq!(result["ok"], true);
}

#[test]
fn fix_policy_is_the_cores_fix_loop() {
    use pullpass_core::FixLevel;
    use pullpass_core::policy::{self, LintContext};
    for level in [None, Some("unsafe")] {
        let result = call(&api::fix_policy(TRUST, None, level));
        let core_level = if level.is_some() {
            FixLevel::Unsafe
        } else {
            FixLevel::Safe
        };
        let (text, applied) = policy::fix_all(TRUST, None, &LintContext::default(), core_level);
        assert_eq!(result["text"].as_str(), Some(text.as_str()), "{result}");
        assert_eq!(result["applied"].as_u64(), Some(applied as u64), "{result}");
    }
    let bad = call(&api::fix_policy(TRUST, None, Some("all")));
    assert_eq!(bad["ok"], false, "{bad}");
}

#[test]
fn form_findings_and_can_submit_are_the_cores() {
    use pullpass_core::registry_form::{self, FormContext, RegistryForm};
    let value = json!({
        "name": "", "host": "HTTPS://user:pw@123456789012.DKR.ecr.us-east-1.amazonaws.com/x",
        "accessKeyId": "AKIA", "override": { "accountId": "12", "region": "mars-1" },
    });
    let result = form(&value);
    let typed: RegistryForm = serde_json::from_value(value).unwrap();
    let core = registry_form::validate(&typed, &FormContext::default());
    let wasm: Vec<(String, String)> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["pointer"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let core_order: Vec<(String, String)> = core
        .iter()
        .map(|d| (d.code().to_owned(), d.pointer().to_owned()))
        .collect();
    assert_eq!(wasm, core_order);
    assert_eq!(result["canSubmit"].as_bool(), Some(core.can_submit()));
}

/// JSON snippets of every type the form's fields meet: right, wrong and absent.
const SNIPPETS: &[&str] = &[
    "\"ecr\"",
    "\"generic\"",
    "\"x\"",
    "null",
    "12",
    "1.5",
    "true",
    "[\"a\", \"b\"]",
    "[1]",
    "{\"accountId\": \"123456789012\", \"region\": \"us-east-1\"}",
    "{\"region\": null}",
    "{\"regio\": \"x\"}",
    "{}",
];

fn object_text(members: &[(&str, usize)]) -> String {
    let members: Vec<String> = members
        .iter()
        .map(|(key, value)| format!("\"{key}\": {}", SNIPPETS[*value]))
        .collect();
    format!("{{{}}}", members.join(", "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The hand-written reader (`input`) and serde's derive on the core's types accept the same
    /// forms and read them alike (duplicates, unknown keys, nulls and wrong types included).
    #[test]
    fn the_form_reader_reads_what_serde_reads(
        members in proptest::collection::vec((prop::sample::select(vec![
            "name", "host", "kind", "accessKeyId", "secretAccessKey", "sessionToken", "roleArn",
            "externalId", "override", "repository", "tag", "hots",
        ]), 0..SNIPPETS.len()), 0..5)
    ) {
        use pullpass_core::registry_form::{FormContext, RegistryForm};
        let text = object_text(&members);
        let tree = pullpass_core::policy::json::parse(&text).unwrap();
        let ours = crate::input::form(&tree).ok();
        // serde reads an array as a struct's fields in order (`"override": ["a", "b"]`); the
        // reader, like the TypeScript type, takes only an object.
        if members.iter().any(|(k, v)| *k == "override" && SNIPPETS[*v].starts_with('[')) {
            prop_assert_eq!(&ours, &None, "{}", text);
        } else {
            let serde = serde_json::from_str::<RegistryForm>(&text).ok();
            prop_assert_eq!(&ours, &serde, "{}", text);
        }
        let context: Vec<(&str, usize)> = members
            .iter()
            .map(|(k, v)| (if *k == "name" { "existingNames" } else { k }, *v))
            .collect();
        let text = object_text(&context);
        let tree = pullpass_core::policy::json::parse(&text).unwrap();
        let ours = crate::input::form_context(&tree).ok();
        let serde = serde_json::from_str::<FormContext>(&text).ok();
        prop_assert_eq!(ours, serde, "{}", text);
    }
}

#[test]
fn unreadable_fields_are_named_in_serdes_words_without_the_value() {
    for (form, message) in [
        (
            r#"{"host": 7}"#,
            "field `host`: invalid type: integer, expected a string",
        ),
        (
            r#"{"host": null}"#,
            "field `host`: invalid type: null, expected a string",
        ),
        (
            r#"{"secretAccessKey": 1.5e3}"#,
            "field `secretAccessKey`: invalid type: floating point, expected a string",
        ),
        (
            r#"{"name": "a", "name": "b"}"#,
            "field `name`: duplicate field `name`",
        ),
        (
            r#"{"kind": "docker"}"#,
            "field `kind`: unknown variant `docker`, expected `ecr` or `generic`",
        ),
        (
            r#"{"override": {"accountId": 123456789012}}"#,
            "field `override`: field `accountId`: invalid type: integer, expected a string",
        ),
        (
            r#"{"hots": "a"}"#,
            "field `hots`: unknown field `hots`, expected one of `name`, `host`",
        ),
    ] {
        let result = call(&api::validate_registry_form(Some(form), None));
        let error = result["error"].as_str().unwrap();
        assert!(
            error.starts_with(&format!("could not read the form: {message}")),
            "{form}: {error}"
        );
    }
    let result = call(&api::validate_registry_form(
        Some("{}"),
        Some(r#"{"existingNames": ["a", 3]}"#),
    ));
    assert_eq!(
        result["error"],
        "could not read the context: field `existingNames`: invalid type: integer, expected a string"
    );
    let result = call(&api::lint_policy("{}", Some(r#"{"kind": 3}"#)));
    assert_eq!(
        result["error"],
        "could not read the options: field `kind`: invalid type: integer, expected a string"
    );
}
