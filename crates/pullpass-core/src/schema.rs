//! The JSON Schemas pullpass publishes under `schemas/`, generated from the Rust types.
//!
//! `cargo xtask codegen` writes them; a test regenerates them in memory and fails with a diff
//! when the committed files are stale.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;

/// Base of every schema `$id`.
pub const ID_BASE: &str = "https://pullpass.dev/schemas/";

/// Every published schema as (file name under `schemas/`, pretty JSON with a final newline).
#[must_use]
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        (
            "doctor.schema.json",
            render::<crate::report::DoctorReport>("doctor.schema.json"),
        ),
        (
            "config.schema.json",
            render::<crate::config::ConfigFile>("config.schema.json"),
        ),
        (
            "findings.schema.json",
            render::<crate::report::FindingsReport>("findings.schema.json"),
        ),
        (
            "registry-form.schema.json",
            render::<crate::registry_form::RegistryForm>("registry-form.schema.json"),
        ),
    ]
}

/// Draft 2020-12 schema of `T` with an `$id` under [`ID_BASE`].
#[must_use]
pub fn render<T: JsonSchema>(file_name: &str) -> String {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<T>();
    schema.insert("$id".to_owned(), format!("{ID_BASE}{file_name}").into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
