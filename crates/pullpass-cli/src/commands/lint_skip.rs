//! Which JSON files a directory walk of `pullpass lint` leaves alone: JSON that is plainly not
//! an IAM policy (a registry form, `describe-cluster` output, a `package.json`). A file named
//! on the command line is always linted; only files found inside a directory are skipped,
//! counted, and (with `--verbose`) listed with the reason.
//!
//! Kept to one function so the directory walk can be rewritten around it.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// `None` when `bytes` may be a policy (lint it), else why it is not one. A policy is a JSON
/// object with a top-level `Statement` or `Version`, in any letter case (a miscased element is
/// a broken policy worth linting). Text that is not JSON, or not UTF-8, is linted too: in a
/// policy directory a broken policy is the likelier story, and TP001 says what is wrong.
///
/// Read with serde_json as a `serde_json::Value` would be (the same grammar, number range and
/// nesting limit) but without building the tree: only the top-level keys are looked at.
pub(super) fn not_a_policy(bytes: &[u8]) -> Option<&'static str> {
    // Most files of a policy directory are policies: one look at their top-level keys settles
    // it without a second parse (the linter parses the file next).
    if top_level_statement(bytes) {
        return None;
    }
    match serde_json::from_slice::<Top>(bytes) {
        Err(_) => None,
        Ok(Top::Object { policy: true }) => None,
        Ok(Top::Object { policy: false }) => Some("a JSON object without `Version` or `Statement`"),
        Ok(Top::Array) => Some("a JSON array, not a policy object"),
        Ok(Top::Scalar) => Some("a JSON scalar, not a policy object"),
    }
}

/// Whether `bytes` open an object with a `Statement` key (any case, written without escapes)
/// at its top level. Then [`not_a_policy`] answers "lint it" whatever the rest holds: valid
/// JSON is such an object, and invalid JSON is linted too. The scan tracks strings and
/// nesting only; for valid JSON a string at depth 1 followed by `:` is a top-level key, and
/// for invalid JSON the answer does not matter. `false` sends the file to the full check.
fn top_level_statement(bytes: &[u8]) -> bool {
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = bytes.iter().position(|&b| !space(b)).unwrap_or(bytes.len());
    if bytes.get(i) != Some(&b'{') {
        return false;
    }
    let mut depth = 0usize;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            b'"' => {
                let start = i;
                let mut escaped = false;
                loop {
                    match bytes.get(i) {
                        None => return false,
                        Some(b'\\') => {
                            escaped = true;
                            i += 2;
                        }
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                let key = &bytes[start..i];
                i += 1;
                if depth == 1 && !escaped && key.eq_ignore_ascii_case(b"statement") {
                    let next = bytes[i..].iter().position(|&b| !space(b));
                    if next.is_some_and(|n| bytes[i + n] == b':') {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

/// What the top of the document is; for an object, whether it has a policy key.
enum Top {
    Object { policy: bool },
    Array,
    Scalar,
}

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Top;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
                let mut statement = false;
                // `Version`-like keys, exactly as written, with whether the last value given
                // is a policy's date-like version (a later duplicate key replaces the value,
                // as in `serde_json::Map`).
                let mut versions: Vec<(String, bool)> = Vec::new();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Statement => {
                            statement = true;
                            map.next_value::<Skip>()?;
                        }
                        Key::Version(key) => {
                            let dated = map.next_value::<Dated>()?.0;
                            match versions.iter_mut().find(|(k, _)| *k == key) {
                                Some(entry) => entry.1 = dated,
                                None => versions.push((key, dated)),
                            }
                        }
                        Key::Other => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                // `version` alone is every `package.json`: only a policy's date-like version
                // (or a `Statement`) says "policy".
                Ok(Top::Object {
                    policy: statement || versions.iter().any(|(_, dated)| *dated),
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok(Top::Array)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
                Ok(Top::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
                Ok(Top::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
                Ok(Top::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
                Ok(Top::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Top, E> {
                Ok(Top::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Top, E> {
                Ok(Top::Scalar)
            }
        }
        d.deserialize_any(V)
    }
}

/// A top-level key.
enum Key {
    Statement,
    /// Spelled as in the file.
    Version(String),
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, key: &str) -> Result<Key, E> {
                Ok(if key.eq_ignore_ascii_case("Statement") {
                    Key::Statement
                } else if key.eq_ignore_ascii_case("Version") {
                    Key::Version(key.to_owned())
                } else {
                    Key::Other
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// Whether a value is a string ending in `-10-17` (`2012-10-17`, `2008-10-17`).
struct Dated(bool);

impl<'de> Deserialize<'de> for Dated {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Dated;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_str<E>(self, v: &str) -> Result<Dated, E> {
                Ok(Dated(v.ends_with("-10-17")))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Dated, A::Error> {
                Skip::visit_map(map).map(|_| Dated(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Dated, A::Error> {
                Skip::visit_seq(seq).map(|_| Dated(false))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Dated, E> {
                Ok(Dated(false))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Dated, E> {
                Ok(Dated(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Dated, E> {
                Ok(Dated(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Dated, E> {
                Ok(Dated(false))
            }
            fn visit_unit<E>(self) -> Result<Dated, E> {
                Ok(Dated(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value, read through (`deserialize_any`, so serde_json's nesting limit applies as
/// it does to a `Value`; `IgnoredAny` would skip without it) and dropped.
struct Skip;

impl Skip {
    fn visit_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Skip;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Skip, A::Error> {
                Skip::visit_map(map)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Skip, A::Error> {
                Skip::visit_seq(seq)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
        }
        d.deserialize_any(V)
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

    /// The same answer as reading a `serde_json::Value` (what this function did before it
    /// stopped building the tree), on the edges of the grammar too.
    #[test]
    fn same_as_a_value() {
        fn by_value(bytes: &[u8]) -> Option<&'static str> {
            match serde_json::from_slice::<serde_json::Value>(bytes).ok()? {
                serde_json::Value::Object(map) => {
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
        let deep = |n: usize| format!("{{\"a\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        let mut inputs: Vec<String> = [
            r#"{"Version":"2012-10-17","Version":1}"#,
            r#"{"Version":1,"Version":"2012-10-17"}"#,
            r#"{"version":"2008-10-17","Version":{}}"#,
            r#"{"a":1e400}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"Statement":null} x"#,
            r#"{"a":[1,{"b":[true,null,"s\n"]}],"VERSION":"x-10-17"}"#,
            r#"{"a":{"Statement":1}}"#,
            r#"{"a":[{"Statement":1}],"b":"Statement"}"#,
            r#"[{"Statement":1}]"#,
            r#"{"St\u0061tement":1}"#,
            r#"{"x":"\"Statement\":","y":2}"#,
            r#" {"a":"\\","STATEMENT" : []}"#,
            r#"{"Statement":[1,2,}"#,
            r#"{"a":1}{"Statement":1}"#,
            r#"{"Statement""#,
            "[]",
            "null",
            "\"s\"",
            "-0.5e3",
            "",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        inputs.extend([deep(100), deep(126), deep(127), deep(128), deep(300)]);
        for text in &inputs {
            assert_eq!(
                not_a_policy(text.as_bytes()),
                by_value(text.as_bytes()),
                "{text}"
            );
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
