//! A small HTTP client for `/v2/` probes and the generic registry API.
