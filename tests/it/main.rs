//! pullpass integration tests: one binary, one module per area.

mod config;
mod schemas;
mod support;
