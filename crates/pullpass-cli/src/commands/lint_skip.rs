//! Which JSON files a directory walk of `pullpass lint` leaves alone: JSON that is plainly not
//! an IAM policy (a registry form, `describe-cluster` output, a `package.json`). A file named
//! on the command line is always linted; only files found inside a directory are skipped,
//! counted, and (with `--verbose`) listed with the reason.
//!
//! Kept to one function so the directory walk can be rewritten around it.

/// `None` when `bytes` may be a policy (lint it), else why it is not one. A policy is a JSON
/// object with a top-level `Statement` or `Version`, in any letter case (a miscased element is
/// a broken policy worth linting). Text that is not JSON, or not UTF-8, is linted too: in a
/// policy directory a broken policy is the likelier story, and TP001 says what is wrong.
pub(super) fn not_a_policy(bytes: &[u8]) -> Option<&'static str> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return None;
    };
    match value {
        serde_json::Value::Object(map) => {
            // `version` alone is every `package.json`: only a policy's date-like version
            // (or a `Statement`) says "policy".
            let policy_key = map.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("Statement")
                    || (k.eq_ignore_ascii_case("Version")
                        && v.as_str().is_some_and(|v| v.ends_with("-10-17")))
            });
            (!policy_key).then_some("a JSON object without `Version` or `Statement`")
        }
        serde_json::Value::Array(_) => Some("a JSON array, not a policy object"),
        _ => Some("a JSON scalar, not a policy object"),
    }
}

#[cfg(test)]
mod tests {
    use super::not_a_policy;

    #[test]
    fn policies_and_broken_json_are_linted() {
        for text in [
            r#"{"Version":"2012-10-17","Statement":[]}"#,
            r#"{"statement":{}}"#,
            r#"{"Version":"2012-10-17"}"#,
            r#"{"Version":"2012-10-17","Statement":[],}"#,
            "not json",
        ] {
            assert_eq!(not_a_policy(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn other_json_is_skipped() {
        for text in [
            r#"{"host":"ghcr.io","kind":"generic"}"#,
            r#"{"cluster":{"name":"prod"}}"#,
            "[1,2]",
            r#"{"name":"site","version":"1.0.0"}"#,
            "42",
        ] {
            assert!(not_a_policy(text.as_bytes()).is_some(), "{text}");
        }
    }
}
