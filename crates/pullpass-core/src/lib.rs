//! `pullpass-core`: everything pullpass knows, and nothing it does.
//!
//! Owns the models (registry form, registry hosts, IAM policies), the rule catalog and its
//! rules, the one [`Diagnostic`] type every rule reports with, the generators (trust policies,
//! helm values) and the error explainer.
//!
//! **Architecture Invariant:** no IO, no async runtime, no clock, no AWS SDK types. This crate
//! builds for `wasm32-unknown-unknown`; `cargo xtask test` proves it with a dependency guard.
//! Anything that touches a file, a socket or the time belongs in `pullpass-ecr` or
//! `pullpass-cli`.

pub mod catalog;
#[cfg(feature = "config")]
pub mod config;
pub mod diagnostic;
#[cfg(feature = "doctor")]
pub mod doctor;
pub mod explain;
pub mod host;
pub mod policy;
pub mod registry;
pub mod registry_form;
pub mod report;
pub mod rule;
#[cfg(all(feature = "schema", feature = "config"))]
pub mod schema;
pub mod secret;
pub mod text;

pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, FixLevel, Severity};
pub use rule::RuleMeta;
pub use text::{LineIndex, TextRange};
