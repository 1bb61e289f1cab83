//! A string that must never be shown.
//!
//! `secrecy::SecretString` would do for the backend, but the form types here must also derive
//! `JsonSchema` and cross the wasm boundary as plain strings; this newtype keeps the one
//! property that matters (no `Debug`/`Display` of the value) without those frictions.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A secret value (secret access key, session token, password). `Debug` prints only its length.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself. Call only where the value is needed (validation, a request).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("SecretText(empty)")
        } else {
            write!(f, "SecretText(redacted, {} chars)", self.0.chars().count())
        }
    }
}

impl From<&str> for SecretText {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for SecretText {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_never_shows_the_value() {
        let secret = super::SecretText::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz");
        let shown = format!("{secret:?}");
        assert!(!shown.contains("wJalr"), "{shown}");
        assert_eq!(shown, "SecretText(redacted, 40 chars)");
    }
}
