//! `--format json`: the [`FindingsReport`] contract of `schemas/findings.schema.json`.

use pullpass_core::report::{FileReport, Finding, FindingsReport};
use rayon::prelude::*;

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

/// How [`to_string`] ends a report: the top-level object's `}` and the final newline.
pub(crate) const CLOSE: &str = "\n}\n";

/// The `files` member of a report as [`to_string`] writes it when it is the last member
/// (`,\n  "files": [\n    {…},\n    {…}\n  ]`; empty for no files, which the report skips),
/// each entry made by `entry` and serialized on every core: the frame of a 10 k-file lint was
/// a serial tail of the run.
pub(crate) fn files_member<T: Sync>(
    items: &[T],
    entry: impl Fn(&T) -> FileReport + Sync,
) -> String {
    if items.is_empty() {
        return String::new();
    }
    let entries: Vec<String> = items
        .par_iter()
        .map(|item| {
            let one = serde_json::to_string_pretty(&entry(item))
                .expect("a file report always serializes");
            // Two levels down (the report's object, then the array): four spaces more on every
            // line. A JSON string never holds a raw line break, so lines are the pretty-printer's.
            let mut out = String::with_capacity(one.len() + 64);
            for (i, line) in one.split('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str("    ");
                out.push_str(line);
            }
            out
        })
        .collect();
    let mut out = String::with_capacity(entries.iter().map(|e| e.len() + 2).sum::<usize>() + 32);
    out.push_str(",\n  \"files\": [\n");
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(e);
    }
    out.push_str("\n  ]");
    out
}

#[cfg(test)]
mod tests {
    use pullpass_core::diagnostic::Summary;
    use pullpass_core::report::{FileReport, FindingsReport};

    /// The `files` spliced in are what serializing the whole report writes.
    #[test]
    fn files_member_matches_the_whole_report() {
        let files: Vec<FileReport> = (0..3)
            .map(|i| FileReport {
                path: format!("dir/{i} \"odd\"\\name.json"),
                kind: "trust".to_owned(),
                kind_source: "detected".to_owned(),
                summary: Summary {
                    errors: i,
                    warnings: 1,
                    infos: 0,
                },
            })
            .collect();
        let whole = FindingsReport {
            files: files.clone(),
            ..FindingsReport::new(Vec::new())
        };
        let frame = super::to_string(&FindingsReport::new(Vec::new()));
        let members = frame.strip_suffix(super::CLOSE).unwrap();
        let spliced = format!(
            "{members}{}{}",
            super::files_member(&files, Clone::clone),
            super::CLOSE
        );
        assert_eq!(spliced, super::to_string(&whole));
        assert_eq!(super::files_member(&[] as &[FileReport], Clone::clone), "");
    }
}
