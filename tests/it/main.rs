//! pullpass integration tests: one binary, one module per area.

mod check_registry;
mod host;
mod lint;
mod schemas;
mod support;
