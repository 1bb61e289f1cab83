//! pullpass integration tests: one binary, one module per area.

mod check_registry;
mod doctor;
mod doctor_live;
mod host;
mod schemas;
mod support;
