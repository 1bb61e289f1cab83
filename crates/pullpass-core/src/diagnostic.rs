//! The one finding type every rule family reports with.
//!
//! Renderers (CLI text, JSON, SARIF, GitHub annotations, the wasm package) are views of a
//! [`Diagnostic`]; none of them invents its own shape. A diagnostic never holds a secret: rules
//! that look at secret fields describe the value ("40 characters, contains a space") instead of
//! quoting it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rule::RuleMeta;
use crate::text::TextRange;

/// How bad a finding is. Errors block a form submit and fail `pullpass lint`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a fix may be applied without a person looking at it (ruff's model): `safe` with
/// `--fix`, `unsafe` only with `--fix --unsafe-fixes`, `display` never.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the meaning: never admits a principal or subject the input did not admit or
    /// name literally, never drops a condition (`--fix` applies it).
    Safe,
    /// Changes what the input admits (a `StringEquals` made `StringLike`, a region or account
    /// guessed); shown, applied only with `--unsafe-fixes`.
    Unsafe,
    /// A suggestion to read, never applied by a tool (the edit is a sketch).
    Display,
}

impl Applicability {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::Unsafe => "unsafe",
            Self::Display => "display",
        }
    }
}

/// Which fixes a run applies: `--fix` is `Safe`, `--fix --unsafe-fixes` is `Unsafe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixLevel {
    Safe,
    Unsafe,
}

impl FixLevel {
    /// Whether a fix of `applicability` is applied at this level.
    #[must_use]
    pub fn applies(self, applicability: Applicability) -> bool {
        match (self, applicability) {
            (_, Applicability::Safe) | (Self::Unsafe, Applicability::Unsafe) => true,
            (_, Applicability::Unsafe | Applicability::Display) => false,
        }
    }
}

/// One replacement of a byte range of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub replacement: String,
}

impl Edit {
    #[must_use]
    pub fn replace(range: TextRange, replacement: impl Into<String>) -> Self {
        Self {
            range,
            replacement: replacement.into(),
        }
    }

    #[must_use]
    pub fn delete(range: TextRange) -> Self {
        Self::replace(range, "")
    }

    #[must_use]
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Self::replace(TextRange::new(at, at), text)
    }
}

/// A mechanical fix: one or more non-overlapping edits applied together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, imperative: "Strip `https://`".
    pub message: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    #[must_use]
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            message: message.into(),
            edits,
            applicability: Applicability::Safe,
        }
    }

    #[must_use]
    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            message: message.into(),
            edits,
            applicability: Applicability::Unsafe,
        }
    }

    #[must_use]
    pub fn display(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            message: message.into(),
            edits,
            applicability: Applicability::Display,
        }
    }

    /// The same fix with another applicability.
    #[must_use]
    pub fn with_applicability(mut self, applicability: Applicability) -> Self {
        self.applicability = applicability;
        self
    }

    /// Applies the edits to `text`. Edits are applied back to front so earlier ranges stay
    /// valid; `None` when edits overlap or fall outside the text or inside a character.
    #[must_use]
    pub fn apply(&self, text: &str) -> Option<String> {
        apply_edits(text, self.edits.iter())
    }
}

/// Applies non-overlapping edits to `text`; `None` if they overlap or are out of bounds.
#[must_use]
pub fn apply_edits<'e>(text: &str, edits: impl IntoIterator<Item = &'e Edit>) -> Option<String> {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0usize;
    for edit in edits {
        let range = edit.range.as_usize_range();
        if range.start < cursor
            || range.end > text.len()
            || !text.is_char_boundary(range.start)
            || !text.is_char_boundary(range.end)
        {
            return None;
        }
        out.push_str(&text[cursor..range.start]);
        out.push_str(&edit.replacement);
        cursor = range.end;
    }
    out.push_str(&text[cursor..]);
    Some(out)
}

/// A finding: which rule, how bad, what is wrong, where, and how to mend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable rule code (`RF011`, `TP022`).
    pub code: &'static str,
    pub severity: Severity,
    /// What is wrong and why it matters, in one or two sentences.
    pub message: String,
    /// What to type instead, or where to look.
    pub help: Option<String>,
    /// JSON pointer to the field or policy element (`/host`, `/Statement/0/Condition`); `""` is
    /// the whole input.
    pub pointer: String,
    /// Byte range in the input (a form field's value, or the policy text), where there is one.
    pub range: Option<TextRange>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A finding of `rule` at its default severity.
    #[must_use]
    pub fn new(rule: &'static RuleMeta, message: impl Into<String>) -> Self {
        Self {
            code: rule.code,
            severity: rule.severity,
            message: message.into(),
            help: None,
            pointer: String::new(),
            range: None,
            fix: None,
        }
    }

    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = pointer.into();
        self
    }

    #[must_use]
    pub fn range(mut self, range: TextRange) -> Self {
        self.range = Some(range);
        self
    }

    #[must_use]
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Counts of findings by severity.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    #[must_use]
    pub fn of<'d>(diagnostics: impl IntoIterator<Item = &'d Diagnostic>) -> Self {
        let mut summary = Self::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        summary
    }
}

/// The rule codes with more errors in `after` than in `before`: what applying a fix broke.
/// A fix loop keeps a fix only when this is empty, so `--fix` never trades one error for a new
/// one (a `StringEqual` renamed to `StringEquals` that then compares a `*` literally, TP028).
#[must_use]
pub fn new_errors(before: &[Diagnostic], after: &[Diagnostic]) -> Vec<&'static str> {
    let mut counts: std::collections::BTreeMap<&'static str, isize> = Default::default();
    for d in after.iter().filter(|d| d.is_error()) {
        *counts.entry(d.code).or_default() += 1;
    }
    for d in before.iter().filter(|d| d.is_error()) {
        *counts.entry(d.code).or_default() -= 1;
    }
    counts
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(code, _)| code)
        .collect()
}

/// Sorts findings for output: by position, then severity (worst first), then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let pos = |d: &Diagnostic| d.range.map_or((u32::MAX, u32::MAX), |r| (r.start, r.end));
        (pos(a), &a.pointer, std::cmp::Reverse(a.severity), a.code).cmp(&(
            pos(b),
            &b.pointer,
            std::cmp::Reverse(b.severity),
            b.code,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_back_to_front_and_refuse_overlaps() {
        let text = "https://Example.com/";
        let fix = Fix::safe(
            "strip",
            vec![
                Edit::delete(TextRange::new(19, 20)),
                Edit::delete(TextRange::new(0, 8)),
            ],
        );
        assert_eq!(fix.apply(text).as_deref(), Some("Example.com"));
        let overlapping = Fix::safe(
            "bad",
            vec![
                Edit::delete(TextRange::new(0, 5)),
                Edit::delete(TextRange::new(3, 6)),
            ],
        );
        assert_eq!(overlapping.apply(text), None);
        let outside = Fix::safe("bad", vec![Edit::delete(TextRange::new(3, 99))]);
        assert_eq!(outside.apply(text), None);
    }
}
