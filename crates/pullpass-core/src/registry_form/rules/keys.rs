//! Shapes of AWS access key IDs and secrets shared by RF030–RF037 (facts only; the rules judge).

/// Prefixes of access key IDs: long-term user keys, temporary STS keys, and the two less common
/// kinds (`ABIA`: STS service bearer token, `ACCA`: context-specific credential).
pub(crate) const ACCESS_KEY_PREFIXES: &[&str] = &["AKIA", "ASIA", "ABIA", "ACCA"];

/// IAM unique-ID prefixes that are not access keys, with what they identify.
pub(crate) const UNIQUE_ID_PREFIXES: &[(&str, &str)] = &[
    ("AIDA", "an IAM user"),
    ("AROA", "an IAM role"),
    ("AGPA", "an IAM group"),
    ("AIPA", "an EC2 instance profile"),
    ("ANPA", "a managed policy"),
    ("ANVA", "a managed policy version"),
    ("APKA", "a public key"),
    ("ASCA", "a certificate"),
];

/// `[A-Za-z0-9_]{16,128}`: what the IAM API accepts as an access key ID.
pub(crate) fn is_api_shaped_key_id(s: &str) -> bool {
    (16..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}`: the usual 20-character access key ID.
pub(crate) fn is_usual_key_id(s: &str) -> bool {
    s.len() == 20
        && ACCESS_KEY_PREFIXES.iter().any(|p| s.starts_with(p))
        && s[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// 40 characters of `[A-Za-z0-9/+]`: the usual secret access key.
pub(crate) fn is_usual_secret(s: &str) -> bool {
    s.len() == 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
}

/// A value that looks like a secret access key rather than a key ID: the usual secret shape
/// with a lower-case letter, `/` or `+` (a key ID has none of them).
pub(crate) fn looks_like_secret(s: &str) -> bool {
    is_usual_secret(s)
        && s.bytes()
            .any(|b| b.is_ascii_lowercase() || b == b'/' || b == b'+')
}

/// The trimmed value and its byte range in the raw value.
pub(crate) fn trimmed(raw: &str) -> (&str, crate::text::TextRange) {
    let start = raw.len() - raw.trim_start().len();
    let end = raw.trim_end().len().max(start);
    (&raw[start..end], crate::text::TextRange::new(start, end))
}
