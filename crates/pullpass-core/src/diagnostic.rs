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
///
/// The fields are private: a finding is made only from its rule's metadata
/// ([`Diagnostic::new`]), so its code is always a registered rule's and its words come from
/// that rule. Callers that move a finding (a policy extracted from a larger file, a form value
/// inside a config file) or re-rank it (`[lint]` severity overrides) do it through the few
/// methods below, which never change the code and only add to the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable rule code (`RF011`, `TP022`).
    code: &'static str,
    severity: Severity,
    /// What is wrong and why it matters (see [`crate::catalog::style`] for the house style).
    message: String,
    /// What to type instead, or where to look.
    help: Option<String>,
    /// JSON pointer to the field or policy element (`/host`, `/Statement/0/Condition`); `""` is
    /// the whole input.
    pointer: String,
    /// Byte range in the input (a form field's value, or the policy text), where there is one.
    range: Option<TextRange>,
    fix: Option<Fix>,
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

    /// The same finding at another severity (rules marked W/E in the catalogue pick one per
    /// finding).
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = pointer.into();
        self
    }

    #[must_use]
    pub fn with_range(mut self, range: TextRange) -> Self {
        self.range = Some(range);
        self
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// The stable rule code (`RF011`, `TP022`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// What is wrong and why it matters.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to type instead, or where to look.
    #[must_use]
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// JSON pointer to the field or policy element; `""` is the whole input.
    #[must_use]
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// Byte range in the input, where there is one.
    #[must_use]
    pub fn range(&self) -> Option<TextRange> {
        self.range
    }

    #[must_use]
    pub fn fix(&self) -> Option<&Fix> {
        self.fix.as_ref()
    }

    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Re-ranks the finding: the `[lint]` table's severity overrides.
    pub fn set_severity(&mut self, severity: Severity) {
        self.severity = severity;
    }

    /// Moves the finding to `pointer` and `range` of a larger input (a form field's finding
    /// placed in the config file that holds the form). The fix is left as it is.
    pub fn relocate(&mut self, pointer: impl Into<String>, range: Option<TextRange>) {
        self.pointer = pointer.into();
        self.range = range;
    }

    /// Maps the finding's range (not its fix's edits) into another text: a policy generated
    /// from a source file, a trimmed value inside the value given.
    pub fn map_range(&mut self, f: impl FnOnce(TextRange) -> TextRange) {
        self.range = self.range.map(f);
    }

    /// Takes the fix away, to drop it or to put back a mapped one with [`Self::with_fix`].
    pub fn take_fix(&mut self) -> Option<Fix> {
        self.fix.take()
    }

    /// Drops the help: a help that would quote what the finding no longer stands for (a
    /// placeholder-built principal's wildcards).
    pub fn clear_help(&mut self) {
        self.help = None;
    }

    /// Adds `note` to the help (after `; ` when there is one already): a fix that could not be
    /// mapped back to the source, shown instead of applied.
    pub fn append_help(&mut self, note: &str) {
        self.help = Some(match self.help.take() {
            Some(help) => format!("{help}; {note}"),
            None => note.to_owned(),
        });
    }

    /// Adds `context` to the end of the message (where the policy came from: ` (in
    /// aws_iam_role.ci)`). The rule's words stay first and unchanged.
    pub fn append_to_message(&mut self, context: &str) {
        self.message.push_str(context);
    }

    /// Rewrites the message and help with `f` (the policy linter's elision of very long
    /// quotes); crate-internal, so only the core's own text passes through it.
    pub(crate) fn map_text(&mut self, f: impl Fn(&str) -> Option<String>) {
        if let Some(m) = f(&self.message) {
            self.message = m;
        }
        if let Some(h) = self.help.as_deref().and_then(&f) {
            self.help = Some(h);
        }
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
