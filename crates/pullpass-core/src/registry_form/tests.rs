//! Whole-form behaviour: valid forms stay clean, secrets never leak, and no input panics or
//! yields a range outside its field.

use proptest::prelude::*;

use super::*;
use crate::Severity;

const SECRET: &str = "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet";

fn ecr_form() -> RegistryForm {
    RegistryForm {
        name: "prod".into(),
        host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
        kind: RegistryKind::Ecr,
        access_key_id: "AKIAZ7XQ2M4N6P3R5T7V".into(),
        secret_access_key: SECRET.into(),
        ..RegistryForm::default()
    }
}

#[test]
fn valid_forms_raise_nothing() {
    let ctx = FormContext {
        existing_names: vec!["staging".into()],
    };
    let mut forms = vec![ecr_form()];
    forms.push(RegistryForm {
        role_arn: "arn:aws:iam::210987654321:role/ecr-pull".into(),
        external_id: "pull-from-prod".into(),
        repository: Some("team/app".into()),
        tag: Some("v1.2.3".into()),
        ..ecr_form()
    });
    for host in [
        "ghcr.io",
        "registry-1.docker.io",
        "localhost:5000",
        "registry.example.com:5443",
    ] {
        forms.push(RegistryForm {
            name: host.into(),
            host: host.into(),
            kind: RegistryKind::Generic,
            access_key_id: "deploy-bot".into(),
            secret_access_key: "correct horse battery staple".into(),
            ..RegistryForm::default()
        });
    }
    for form in &forms {
        let found = validate(form, &ctx).diagnostics;
        assert!(found.is_empty(), "{}: {found:?}", form.host);
    }
    // Ambient credentials: one info, no error.
    let ambient = RegistryForm {
        access_key_id: String::new(),
        secret_access_key: SecretText::default(),
        ..ecr_form()
    };
    let found = validate(&ambient, &ctx).diagnostics;
    assert_eq!(
        found.iter().map(|d| d.code()).collect::<Vec<_>>(),
        ["RF040"]
    );
    assert_eq!(found[0].severity(), Severity::Info);
}

#[test]
fn findings_are_sorted_in_dialog_order() {
    let form = RegistryForm {
        name: String::new(),
        host: "https://ecr.us-east-1.amazonaws.com".into(),
        external_id: "x y".into(),
        ..RegistryForm::default()
    };
    let pointers: Vec<_> = validate(&form, &FormContext::default())
        .into_iter()
        .map(|d| d.pointer().to_owned())
        .collect();
    let mut sorted = pointers.clone();
    sorted.sort_by_key(|p| FIELD_ORDER.iter().position(|f| p.starts_with(f)));
    assert_eq!(pointers, sorted);
}

#[test]
fn displayed_values_hide_secrets() {
    let form = RegistryForm {
        host: "https://bob:hunter2@ghcr.io".into(),
        access_key_id: SECRET.into(),
        ..ecr_form()
    };
    assert_eq!(field_display(&form, "/secretAccessKey"), None);
    assert_eq!(field_display(&form, "/sessionToken"), None);
    assert_eq!(field_display(&form, "/accessKeyId"), None);
    let host = field_display(&form, "/host").unwrap();
    assert!(!host.contains("hunter2") && !host.contains("bob"));
    assert_eq!(host.len(), form.host.len());
    assert_eq!(
        field_display(&ecr_form(), "/accessKeyId").as_deref(),
        Some("AKIAZ7XQ2M4N6P3R5T7V")
    );
}

#[test]
fn every_rule_is_registered_once_in_code_order() {
    let codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted);
    for code in [
        "RF001", "RF002", "RF010", "RF011", "RF012", "RF013", "RF014", "RF021", "RF022", "RF023",
        "RF024", "RF025", "RF026", "RF027", "RF028", "RF030", "RF031", "RF032", "RF033", "RF034",
        "RF035", "RF036", "RF037", "RF040", "RF050", "RF051", "RF052", "RF060", "RF061",
    ] {
        assert!(codes.contains(&code), "{code} missing from RULES");
    }
    assert!(RULES.iter().all(|r| r.family == "registry-form"));
}

/// Pieces that make near-ECR hosts likely, so the generator explores the grammar's corners.
fn host_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("123456789012".to_owned()),
        Just("12345678901".to_owned()),
        Just(".".to_owned()),
        Just("dkr".to_owned()),
        Just("ecr".to_owned()),
        Just("-fips".to_owned()),
        Just("-".to_owned()),
        Just("us-east-1".to_owned()),
        Just("cn-north-1".to_owned()),
        Just("amazonaws.com".to_owned()),
        Just("on.aws".to_owned()),
        Just("on.amazonwebservices.com.cn".to_owned()),
        Just("public.ecr.aws".to_owned()),
        Just("https://".to_owned()),
        Just("@".to_owned()),
        Just("/".to_owned()),
        Just(":".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(" ".to_owned()),
        Just("é".to_owned()),
        Just("𝄞".to_owned()),
        Just("_".to_owned()),
        Just("A".to_owned()),
        "\\PC{0,6}",
    ]
}

fn host_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(host_piece(), 0..12).prop_map(|v| v.concat()),
        "\\PC{0,80}",
        ".{0,40}",
    ]
}

fn check_ranges(form: &RegistryForm, found: &[Diagnostic]) -> Result<(), TestCaseError> {
    for d in found {
        let field = form.field(d.pointer());
        if let Some(range) = d.range() {
            let value = field.ok_or_else(|| {
                TestCaseError::fail(format!(
                    "{} has a range but pointer {} names no field",
                    d.code(),
                    d.pointer()
                ))
            })?;
            let r = range.as_usize_range();
            prop_assert!(
                r.start <= r.end && r.end <= value.len(),
                "{} range {r:?} outside {:?}",
                d.code(),
                value
            );
            prop_assert!(
                value.is_char_boundary(r.start) && value.is_char_boundary(r.end),
                "{} range {r:?} inside a char of {value:?}",
                d.code()
            );
        }
        if let (Some(fix), Some(value)) = (&d.fix(), field) {
            prop_assert!(
                fix.apply(value).is_some(),
                "{} fix does not apply to {value:?}",
                d.code()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn no_host_panics_and_ranges_stay_inside(
        host in host_strategy(),
        ecr in any::<bool>(),
        account in prop_oneof![Just(String::new()), Just("123456789012".to_owned()), "\\PC{0,14}"],
        region in prop_oneof![Just(String::new()), Just("eu-west-1".to_owned()), "\\PC{0,14}"],
    ) {
        let form = RegistryForm {
            name: "x".into(),
            host,
            kind: if ecr { RegistryKind::Ecr } else { RegistryKind::Generic },
            host_override: Some(HostOverride { account_id: account, region }),
            ..RegistryForm::default()
        };
        let found = validate(&form, &FormContext::default());
        check_ranges(&form, &found.diagnostics)?;
        prop_assert!(!found.host.normalized.contains('@'));
    }

    #[test]
    fn no_form_panics_leaks_or_strays(
        name in "\\PC{0,70}",
        host in host_strategy(),
        key in prop_oneof![Just("AKIAZ7XQ2M4N6P3R5T7V".to_owned()), Just(SECRET.to_owned()), "[A-Za-z0-9_ /+]{0,45}", "\\PC{0,30}"],
        secret_body in "[A-Za-z0-9/+]{30,42}",
        secret_pad in prop_oneof![Just(""), Just(" "), Just("\n")],
        token in prop_oneof![Just(String::new()), "[A-Za-z0-9/+=]{8,60}"],
        role in prop_oneof![Just(String::new()), Just("arn:aws:iam::123456789012:role/x".to_owned()), "arn:\\PC{0,40}", "\\PC{0,20}"],
        external_id in "\\PC{0,20}",
        repository in prop::option::of("\\PC{0,30}"),
        tag in prop::option::of("\\PC{0,30}"),
        ecr in any::<bool>(),
    ) {
        // A unique marker inside the secret and token, so a leak is unmistakable.
        let secret = format!("{secret_pad}QQSECRETQQ{secret_body}{secret_pad}");
        let token = if token.is_empty() { token } else { format!("QQTOKENQQ{token}") };
        let form = RegistryForm {
            name,
            host,
            kind: if ecr { RegistryKind::Ecr } else { RegistryKind::Generic },
            access_key_id: key,
            secret_access_key: secret.into(),
            session_token: token.into(),
            role_arn: role,
            external_id,
            host_override: None,
            repository,
            tag,
        };
        let found = validate(&form, &FormContext { existing_names: vec!["prod".into()] }).diagnostics;
        check_ranges(&form, &found)?;
        for d in &found {
            let shown = format!("{} {:?} {:?}", d.message(), d.help(), d.fix().map(|f| (&f.message, f.edits.iter().map(|e| &e.replacement).collect::<Vec<_>>())));
            prop_assert!(!shown.contains("QQSECRETQQ") && !shown.contains("QQTOKENQQ"), "{} leaks: {shown}", d.code());
        }
    }

    #[test]
    fn repository_and_tag_never_panic(value in "\\PC{0,300}") {
        for d in validate_repository(&value).into_iter().chain(validate_tag(&value)) {
            let r = d.range().unwrap().as_usize_range();
            prop_assert!(r.end <= value.len() && value.is_char_boundary(r.start) && value.is_char_boundary(r.end));
            if let Some(fix) = d.fix() {
                prop_assert!(fix.apply(&value).is_some());
            }
        }
    }
}
