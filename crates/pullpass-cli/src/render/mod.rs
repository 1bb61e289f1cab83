//! Renderers: views of [`Diagnostic`]s for people (text) and tools (JSON; SARIF and GitHub
//! annotations for `lint`). None of them invents its own finding shape.

pub(crate) mod json;
pub(crate) mod text;

use pullpass_core::Diagnostic;

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

/// `--format` for commands that print findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// rustc-style, for people.
    #[default]
    Text,
    /// The stable JSON contract of `schemas/findings.schema.json`.
    Json,
}
