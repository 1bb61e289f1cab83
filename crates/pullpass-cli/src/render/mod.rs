//! Renderers: views of [`Diagnostic`]s for people (text) and tools (JSON; SARIF and GitHub
//! annotations for `lint`). None of them invents its own finding shape.

pub(crate) mod github;
pub(crate) mod json;
pub(crate) mod sarif;
pub(crate) mod text;

use pullpass_core::{Diagnostic, LineIndex};

/// The text a diagnostic's byte range points into, and what to call it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    /// A file path, or a form field's JSON pointer.
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
}

/// A diagnostic with the source its range indexes (none for secrets and whole-input findings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub(crate) diagnostic: &'a Diagnostic,
    pub(crate) source: Option<Source<'a>>,
}

/// One [`LineIndex`] per distinct source text of `items` (a big input with many findings
/// must not be re-indexed per finding).
pub(crate) fn line_indexes<'a>(items: &[Item<'a>]) -> Vec<LineIndex<'a>> {
    let mut indexes: Vec<LineIndex<'a>> = Vec::new();
    for source in items.iter().filter_map(|i| i.source) {
        if index_of(&indexes, source.text).is_none() {
            indexes.push(LineIndex::new(source.text));
        }
    }
    indexes
}

/// The index of exactly this text (same address and length) in `indexes`.
pub(crate) fn index_of<'i, 'a>(
    indexes: &'i [LineIndex<'a>],
    text: &str,
) -> Option<&'i LineIndex<'a>> {
    indexes
        .iter()
        .find(|i| std::ptr::eq(i.text().as_ptr(), text.as_ptr()) && i.text().len() == text.len())
}

/// `text` (pretty JSON) with `prefix` before every line, appended to `out`: a serialized item
/// put in its place inside a larger document that is written piece by piece.
pub(crate) fn indent(text: &[u8], prefix: &[u8], out: &mut Vec<u8>) {
    out.reserve(text.len() + text.len() / 4);
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(prefix);
        out.extend_from_slice(line);
    }
}

/// `--format` for commands that print findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// rustc-style, for people.
    #[default]
    Text,
    /// The stable JSON contract of `schemas/findings.schema.json`.
    Json,
}
