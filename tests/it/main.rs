//! pullpass integration tests: one binary, one module per area.

mod config;
mod ecr;
mod schemas;
mod support;
