//! pullpass integration tests: one binary, one module per area.

mod canary;
mod config;
mod credential_helper;
mod check_registry;
mod host;
mod schemas;
mod support;
