//! pullpass integration tests: one binary, one module per area.

mod canary;
mod check_registry;
mod config;
mod credential_helper;
mod doctor;
mod doctor_live;
mod ecr;
mod examples;
mod explain;
mod generic;
mod hardening;
mod host;
mod lint;
mod realworld;
mod registry_cli;
mod schemas;
mod sources;
mod style;
mod support;
