use super::*;
use crate::text::TextRange;

const CANARY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY";

const SAMPLE: &str = r#"# pullpass registries
version = 1

[[registry]]
name = "prod"
host = "123456789012.dkr.ecr.eu-central-1.amazonaws.com"
kind = "ecr"
auth = "static"
access_key_id = "AKIAIOSFODNN7PULLPAS"
secret_access_key = { env = "PROD_SECRET" }
session_token = { file = "/run/secrets/token" }
role_arn = "arn:aws:iam::210987654321:role/pull"
external_id = "coder-prod"

[[registry]]
name = "irsa"
host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

[[registry]]
name = "dev"
host = "ecr.example.internal"
auth = "profile"
profile = "dev"
override = { account_id = "123456789012", region = "us-west-2" }

[[registry]]
name = "ghcr"
host = "ghcr.io"
kind = "generic"
username = "bot"
password = { file = "ghcr-token" }

[[registry]]
name = "public"
host = "public.ecr.aws"
auth = "none"
"#;

fn errors(text: &str) -> Vec<ConfigError> {
    parse(text).expect_err("expected the config to be refused")
}

#[test]
fn sample_parses_into_every_auth_mode() {
    let config = parse(SAMPLE).unwrap();
    let names: Vec<&str> = config.registries.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["prod", "irsa", "dev", "ghcr", "public"]);
    let prod = &config.registries[0];
    assert_eq!(
        prod.auth,
        Auth::Static {
            access_key_id: "AKIAIOSFODNN7PULLPAS".into(),
            secret_access_key: SecretRef::Env("PROD_SECRET".into()),
            session_token: Some(SecretRef::File("/run/secrets/token".into())),
        }
    );
    assert_eq!(
        prod.role_arn.as_deref(),
        Some("arn:aws:iam::210987654321:role/pull")
    );
    assert_eq!(prod.external_id.as_deref(), Some("coder-prod"));
    assert_eq!(config.registries[1].auth, Auth::Ambient, "ECR default");
    assert_eq!(config.registries[2].auth, Auth::Profile("dev".into()));
    assert_eq!(
        config.registries[2].host_override,
        Some(HostOverride {
            account_id: "123456789012".into(),
            region: "us-west-2".into()
        })
    );
    assert_eq!(
        config.registries[3].auth,
        Auth::Basic {
            username: "bot".into(),
            password: SecretRef::File("ghcr-token".into())
        },
        "credential fields imply static"
    );
    assert_eq!(config.registries[3].kind, RegistryKind::Generic);
    assert_eq!(config.registries[4].auth, Auth::None);
}

#[test]
fn field_spans_point_at_values_in_the_file() {
    let config = parse(SAMPLE).unwrap();
    let host = config.registries[1].spans.get("host").unwrap();
    assert_eq!(
        &SAMPLE[host.as_usize_range()],
        "\"123456789012.dkr.ecr.us-east-1.amazonaws.com\""
    );
}

#[test]
fn inline_secret_is_refused_without_echoing_it() {
    for value in [
        format!("\"{CANARY}\""),
        format!("'{CANARY}'"),
        "12345678901234567".into(),
    ] {
        let text = format!(
            "[[registry]]\nname = \"prod\"\nhost = \"h.example\"\naccess_key_id = \"AKIAIOSFODNN7PULLPAS\"\nsecret_access_key = {value}\n"
        );
        let errs = errors(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        let e = &errs[0];
        let shown = format!("{e} {e:?}");
        assert!(
            !shown.contains(CANARY) && !shown.contains("12345678901234567"),
            "{shown}"
        );
        assert_eq!(e.registry.as_deref(), Some("\"prod\" (#1)"));
        assert_eq!(e.field.as_deref(), Some("secret_access_key"));
        assert_eq!((e.line, e.column), (Some(5), Some(1)), "points at the key");
        assert!(e.message.contains("inline"), "{shown}");
        assert!(
            e.message
                .contains("secret_access_key = { env = \"PULLPASS_SECRET_ACCESS_KEY\" }"),
            "says what to write: {shown}"
        );
    }
}

#[test]
fn inline_password_and_session_token_are_refused_too() {
    let text = format!(
        "[[registry]]\nname = \"g\"\nhost = \"ghcr.io\"\nkind = \"generic\"\nusername = \"u\"\npassword = \"{CANARY}\"\n"
    );
    let e = &errors(&text)[0];
    assert_eq!(e.field.as_deref(), Some("password"));
    assert!(!format!("{e}").contains(CANARY));
    let text = format!(
        "[[registry]]\nname = \"p\"\nhost = \"h\"\naccess_key_id = \"A\"\nsecret_access_key = {{ env = \"S\" }}\nsession_token = \"{CANARY}\"\n"
    );
    let e = &errors(&text)[0];
    assert_eq!(e.field.as_deref(), Some("session_token"));
    assert!(!format!("{e}").contains(CANARY));
}

#[test]
fn bad_secret_references_are_explained_without_their_values() {
    let cases = [
        (format!("{{ env = \"{CANARY}\" }}"), "environment variable"),
        ("{ env = 5 }".to_owned(), "must be a string"),
        ("{ vault = \"x\" }".to_owned(), "unknown key `vault`"),
        ("{ env = \"A\", file = \"/b\" }".to_owned(), "exactly one"),
        ("{}".to_owned(), "empty secret reference"),
        ("{ file = \"\" }".to_owned(), "`file` is empty"),
    ];
    for (value, expected) in cases {
        let text = format!(
            "[[registry]]\nname = \"p\"\nhost = \"h\"\naccess_key_id = \"A\"\nsecret_access_key = {value}\n"
        );
        let e = &errors(&text)[0];
        let shown = e.to_string();
        assert!(shown.contains(expected), "{value}: {shown}");
        assert!(!shown.contains(CANARY), "{shown}");
        assert_eq!(e.line, Some(5), "{shown}");
    }
}

#[test]
fn unknown_field_names_registry_field_and_position() {
    let text = "[[registry]]\nname = \"a\"\nhost = \"h\"\n\n[[registry]]\nname = \"b\"\nhost = \"h2\"\nsecret_key = \"zzz\"\n";
    let e = &errors(text)[0];
    assert_eq!(e.registry.as_deref(), Some("\"b\" (#2)"));
    assert_eq!(e.field.as_deref(), Some("secret_key"));
    assert_eq!((e.line, e.column), (Some(8), Some(1)));
    assert!(e.message.contains("unknown field `secret_key`"), "{e}");
    assert!(!e.to_string().contains("zzz"));
}

#[test]
fn nested_field_errors_name_the_dotted_path() {
    let text = "[[registry]]\nname = \"v\"\nhost = \"h\"\noverride = { account_id = \"123456789012\", zone = \"x\" }\n";
    let e = &errors(text)[0];
    assert_eq!(e.field.as_deref(), Some("override.zone"), "{e}");
    assert_eq!(e.line, Some(4));
}

#[test]
fn missing_name_uses_the_registry_number() {
    let text = "[[registry]]\nhost = \"h\"\n";
    let e = &errors(text)[0];
    assert_eq!(e.registry.as_deref(), Some("#1"));
    assert!(e.message.contains("missing field `name`"), "{e}");
}

#[test]
fn syntax_errors_have_a_position_and_no_source_line() {
    let text = format!("[[registry]]\nname = \"a\"\nhost = \"{CANARY}\" junk\n");
    let e = &errors(&text)[0];
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.starts_with("not valid TOML"), "{e}");
    assert!(!e.to_string().contains(CANARY), "{e}");
}

#[test]
fn top_level_keys_are_checked() {
    let e = &errors("[[registries]]\nname = \"a\"\n")[0];
    assert!(e.message.contains("[[registry]]"), "{e}");
    let e = &errors("version = 2\n")[0];
    assert!(e.message.contains("version 1"), "{e}");
    let e = &errors("registry = \"x\"\n")[0];
    assert!(e.message.contains("list of tables"), "{e}");
}

#[test]
fn auth_fields_must_fit_the_mode_and_kind() {
    let cases = [
        (
            "auth = \"ambient\"\naccess_key_id = \"AKIAIOSFODNN7PULLPAS\"\n",
            "access_key_id",
            "not used with auth = \"ambient\"",
        ),
        (
            "auth = \"static\"\naccess_key_id = \"AKIAIOSFODNN7PULLPAS\"\n",
            "secret_access_key",
            "needs `secret_access_key = { env",
        ),
        ("auth = \"profile\"\n", "profile", "needs `profile"),
        (
            "kind = \"generic\"\naccess_key_id = \"AKIAIOSFODNN7PULLPAS\"\n",
            "access_key_id",
            "only used by kind = \"ecr\"",
        ),
        (
            "username = \"u\"\npassword = { env = \"P\" }\n",
            "username",
            "set kind = \"generic\"",
        ),
        (
            "kind = \"generic\"\nauth = \"ambient\"\n",
            "auth",
            "only ECR registries",
        ),
        (
            "kind = \"generic\"\nrole_arn = \"arn:aws:iam::123456789012:role/x\"\n",
            "role_arn",
            "only used by kind = \"ecr\"",
        ),
        (
            "profile = \"p\"\nauth = \"none\"\n",
            "profile",
            "not used with auth = \"none\"",
        ),
    ];
    for (fields, field, expected) in cases {
        let text = format!("[[registry]]\nname = \"r\"\nhost = \"h\"\n{fields}");
        let errs = errors(&text);
        let e = errs
            .iter()
            .find(|e| e.field.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("{fields}: no error on {field}: {errs:?}"));
        assert!(e.message.contains(expected), "{fields}: {e}");
        assert!(e.line.is_some(), "{e}");
    }
}

#[test]
fn every_bad_registry_is_reported_not_only_the_first() {
    let text = "[[registry]]\nname = \"a\"\nhost = \"h\"\nbogus = 1\n\n[[registry]]\nname = \"b\"\nhost = \"h\"\nauth = \"profile\"\n";
    let errs = errors(text);
    assert_eq!(errs.len(), 2, "{errs:?}");
}

#[test]
fn edit_add_keeps_comments_and_round_trips() {
    let config = parse(SAMPLE).unwrap();
    let mut added = config.registries[0].clone();
    added.name = "prod-2".into();
    let text = edit::add(SAMPLE, &added).unwrap();
    assert!(text.starts_with("# pullpass registries\n"), "{text}");
    let reparsed = parse(&text).unwrap();
    assert_eq!(reparsed.registries.len(), 6);
    let last = reparsed.registries.last().unwrap();
    assert_eq!(last.name, "prod-2");
    assert_eq!(last.auth, added.auth);
    assert_eq!(last.role_arn, added.role_arn);
    assert!(
        text.contains("secret_access_key = { env = \"PROD_SECRET\" }"),
        "{text}"
    );

    let mut vanity = config.registries[2].clone();
    vanity.name = "dev-2".into();
    let text = edit::add("", &vanity).unwrap();
    let reparsed = parse(&text).unwrap();
    assert_eq!(reparsed.registries[0].host_override, vanity.host_override);
    assert_eq!(reparsed.registries[0].auth, vanity.auth);
}

#[test]
fn edit_remove_takes_out_one_table_and_keeps_the_rest() {
    let (text, removed) = edit::remove(SAMPLE, "DEV").unwrap();
    assert_eq!(removed, "dev");
    let reparsed = parse(&text).unwrap();
    let names: Vec<&str> = reparsed
        .registries
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["prod", "irsa", "ghcr", "public"]);
    assert!(text.starts_with("# pullpass registries\n"));
    assert_eq!(
        edit::remove(SAMPLE, "nope"),
        Err(edit::EditError::NotFound("nope".into()))
    );
    let only = "[[registry]]\nname = \"a\"\nhost = \"h\"\n";
    assert_eq!(
        parse(&edit::remove(only, "a").unwrap().0).unwrap(),
        Config::default()
    );
    assert!(matches!(
        edit::add("x = [", &parse(only).unwrap().registries[0]),
        Err(edit::EditError::NotToml(_))
    ));
}

#[test]
fn find_is_exact_first_then_case_insensitive() {
    let config = parse(SAMPLE).unwrap();
    assert_eq!(config.find("Prod").map(|r| r.name.as_str()), Some("prod"));
    assert!(config.find("missing").is_none());
}

#[test]
fn secret_refs_display_as_toml() {
    assert_eq!(SecretRef::Env("A".into()).to_string(), "{ env = \"A\" }");
    assert_eq!(
        SecretRef::File("/x \"y\"".into()).to_string(),
        "{ file = \"/x \\\"y\\\"\" }"
    );
}

#[test]
fn finding_ranges_move_from_the_value_into_the_file() {
    let config = parse(SAMPLE).unwrap();
    let registry = &config.registries[1];
    // "123456789012" in the host value.
    let moved = file_range(registry, Some("host"), Some(TextRange::new(0, 12)), SAMPLE).unwrap();
    assert_eq!(&SAMPLE[moved.as_usize_range()], "123456789012");
    // A value with escapes maps to the whole value.
    let text = "[[registry]]\nname = \"a\"\nhost = \"h\\u0041\"\n";
    let config = parse(text).unwrap();
    let moved = file_range(
        &config.registries[0],
        Some("host"),
        Some(TextRange::new(0, 1)),
        text,
    )
    .unwrap();
    assert_eq!(&text[moved.as_usize_range()], "\"h\\u0041\"");
    assert_eq!(pointer_field("/secretAccessKey"), None);
}

#[test]
fn to_form_carries_secrets_only_when_resolved() {
    let config = parse(SAMPLE).unwrap();
    let form = config.registries[0].to_form(None);
    assert!(form.secret_access_key.is_empty());
    assert_eq!(form.access_key_id, "AKIAIOSFODNN7PULLPAS");
    let secrets = ResolvedSecrets {
        secret_access_key: CANARY.into(),
        session_token: "tok".into(),
    };
    let form = config.registries[0].to_form(Some(&secrets));
    assert_eq!(form.secret_access_key.expose(), CANARY);
    assert!(!format!("{form:?}").contains(CANARY));
}

#[test]
fn edit_add_keeps_a_comment_only_file_at_the_top() {
    let registry = parse(SAMPLE).unwrap().registries[1].clone();
    let text = edit::add("# team registries\n", &registry).unwrap();
    assert!(text.starts_with("# team registries\n"), "{text}");
    let text = edit::add(&text, &registry).unwrap();
    assert!(text.starts_with("# team registries\n"), "{text}");
    assert_eq!(text.matches("# team registries").count(), 1, "{text}");
}

#[test]
fn deeply_nested_values_are_refused_without_exhausting_the_stack() {
    for open in ["[", "{ a = "] {
        let text = format!("x = {}", open.repeat(100_000));
        let errs = errors(&text);
        assert!(!errs.is_empty());
    }
}

#[test]
fn a_secret_pasted_as_the_name_is_never_echoed_in_an_error() {
    // Issue 15 #7: `line 1, column 1: registry "<secret>…` echoed the pasted secret.
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY";
    let text = format!("[[registry]]\nname = \"{secret}\"\nhost = 5\n");
    let errs = errors(&text);
    assert!(!errs.is_empty());
    for e in &errs {
        let shown = format!("{e} {:?}", e.registry);
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn an_access_key_id_that_is_a_secret_is_shown_hidden() {
    // Issue 15 #11: `registry show` printed a secret pasted into the key ID field.
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY";
    assert!(!crate::registry_form::shown_access_key_id(secret).contains("wJalr"));
    assert_eq!(
        crate::registry_form::shown_access_key_id("AKIAIOSFODNN7EXAMPLE"),
        "AKIAIOSFODNN7EXAMPLE"
    );
}
