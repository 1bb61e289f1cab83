//! The config file: its schema accepts what the parser accepts and refuses inline secrets.

use crate::support::fixtures;

fn schema() -> jsonschema::Validator {
    let text = pullpass_core::schema::all()
        .into_iter()
        .find(|(name, _)| *name == "config.schema.json")
        .expect("config schema is published")
        .1;
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    toml::from_str(toml_text).expect("fixture is TOML")
}

#[test]
fn sample_config_validates_against_the_schema_and_parses() {
    let text = std::fs::read_to_string(fixtures("config/sample.toml")).expect("fixture");
    let validator = schema();
    let errors: Vec<String> = validator
        .iter_errors(&as_json(&text))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let config = pullpass_core::config::parse(&text).expect("parser accepts the sample");
    assert_eq!(config.registries.len(), 5);
}

#[test]
fn schema_refuses_inline_secrets_and_missing_static_fields() {
    let validator = schema();
    let inline = as_json(
        "[[registry]]\nname = \"p\"\nhost = \"h\"\nauth = \"static\"\naccess_key_id = \"AKIAIOSFODNN7PULLPAS\"\nsecret_access_key = \"inline\"\n",
    );
    assert!(!validator.is_valid(&inline));
    let missing = as_json("[[registry]]\nname = \"p\"\nhost = \"h\"\nauth = \"static\"\n");
    assert!(!validator.is_valid(&missing));
    let generic = as_json(
        "[[registry]]\nname = \"g\"\nhost = \"ghcr.io\"\nkind = \"generic\"\nauth = \"static\"\naccess_key_id = \"A\"\nsecret_access_key = { env = \"S\" }\n",
    );
    assert!(
        !validator.is_valid(&generic),
        "generic static needs username + password"
    );
    let unknown = as_json("[[registry]]\nname = \"p\"\nhost = \"h\"\nsecret = \"x\"\n");
    assert!(!validator.is_valid(&unknown));
}

#[test]
fn an_absent_config_is_empty_and_a_dangling_symlink_is_an_error() {
    use crate::support::{Output, pullpass, run};
    let dir = tempfile::tempdir().expect("temp dir");
    let list = |config: &std::path::Path| -> Output {
        run(
            pullpass()
                .arg("--config")
                .arg(config)
                .args(["registry", "list", "--format", "json"]),
            None,
        )
    };
    // Nothing at the path: no registries, exit 0.
    let out = list(&dir.path().join("absent.toml"));
    assert_eq!(out.code, 0, "{out:?}");
    let listed: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(listed["registries"], serde_json::json!([]), "{out:?}");
    // A symlink to nothing is something: reading it fails, and the error names the file.
    let dangling = dir.path().join("dangling.toml");
    std::os::unix::fs::symlink(dir.path().join("gone.toml"), &dangling).expect("symlink");
    let out = list(&dangling);
    assert_ne!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("cannot read the config file") && out.stderr.contains("dangling.toml"),
        "{out:?}"
    );
}
