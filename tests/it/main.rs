//! pullpass integration tests: one binary, one module per area.

mod canary;
mod config;
mod credential_helper;
mod schemas;
mod support;
