//! AWS credential loading, STS and error mapping.
