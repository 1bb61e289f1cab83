//! pullpass integration tests: one binary, one module per area.

mod canary;
mod check_registry;
mod config;
mod credential_helper;
mod host;
mod lint;
mod schemas;
mod support;
