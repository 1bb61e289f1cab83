//! Hostile-but-valid inputs for the linear-time benchmarks and tests (issue 15 #4, #9): pure
//! string builders, shared by `benches/core.rs`, `cargo xtask bench` and the tests so every
//! measurement means the same input.

/// A trust policy of about `bytes` bytes (under the 1 MiB limit) whose one `StringEquals`
/// block holds as many condition keys as fit (≈ 58 k for 1 MB).
#[must_use]
pub fn many_condition_keys(bytes: usize) -> String {
    let head = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"#;
    let tail = "}}}]}";
    let mut out = String::with_capacity(bytes + 64);
    out.push_str(head);
    let mut i = 0usize;
    while out.len() + tail.len() + 20 < bytes {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("\"k{i:x}.x:s\":\"v\""));
        i += 1;
    }
    out.push_str(tail);
    out
}

/// A minified (one-line) policy of `statements` statements with several findings each
/// (TP004, TP005, TP012, TP028 …): about 15 k findings for 4,000 statements.
#[must_use]
pub fn one_line_findings(statements: usize) -> String {
    let stmt = r#"{"Sid":"a-b","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:*","Condition":{"StringEquals":{"x:sub":"*"}}}"#;
    let mut out = String::from(r#"{"Version":"2012-10-17","Statement":["#);
    for i in 0..statements {
        if i > 0 {
            out.push(',');
        }
        out.push_str(stmt);
    }
    out.push_str("]}");
    out
}
