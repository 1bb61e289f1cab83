//! pullpass integration tests: one binary, one module per area.

mod schemas;
mod support;
