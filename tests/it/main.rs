//! pullpass integration tests: one binary, one module per area.

mod doctor;
mod doctor_live;
mod schemas;
mod support;
