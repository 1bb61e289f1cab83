//! The committed schemas are what the Rust types generate, and the findings schema is valid.

use crate::support::root;

#[test]
fn committed_schemas_are_fresh() {
    for (name, expected) in pullpass_core::schema::all() {
        let path = root().join("schemas").join(name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "schemas/{name} is stale; run `cargo xtask codegen`.\n--- committed\n{committed}\n--- generated\n{expected}"
        );
    }
}

#[test]
fn every_schema_is_a_valid_draft_2020_12_schema_with_an_id() {
    for (name, text) in pullpass_core::schema::all() {
        let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        assert!(
            schema["$id"].as_str().is_some_and(|id| id.ends_with(name)),
            "{name} $id"
        );
        jsonschema::draft202012::meta::validate(&schema)
            .unwrap_or_else(|e| panic!("{name} is not a valid 2020-12 schema: {e}"));
    }
}
