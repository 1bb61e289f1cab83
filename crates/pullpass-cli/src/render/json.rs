//! `--format json`: the [`FindingsReport`] contract of `schemas/findings.schema.json`.

use pullpass_core::report::{Finding, FindingsReport};

use super::Item;

/// The wire findings of `items`, with line/column where the source is known.
pub(crate) fn findings(items: &[Item<'_>], file: Option<&str>) -> Vec<Finding> {
    let indexes = super::line_indexes(items);
    items
        .iter()
        .map(|item| {
            let index = item.source.and_then(|s| super::index_of(&indexes, s.text));
            Finding::from_diagnostic(item.diagnostic, index, file)
        })
        .collect()
}

/// Pretty JSON with a final newline.
pub(crate) fn to_string(report: &FindingsReport) -> String {
    let mut text =
        serde_json::to_string_pretty(report).expect("a findings report always serializes");
    text.push('\n');
    text
}
