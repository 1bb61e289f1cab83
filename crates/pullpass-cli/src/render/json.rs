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

/// The entries of the `files` member of a report, each made by `entry` and serialized on
/// every core, indented for their place (the frame of a 10 k-file lint was a serial tail of
/// the run); [`write_files_member`] writes them.
pub(crate) fn file_entries<T: Sync>(
    items: &[T],
    entry: impl Fn(&T) -> FileReport + Sync,
) -> Vec<String> {
    let one = |item: &T| {
        let one =
            serde_json::to_string_pretty(&entry(item)).expect("a file report always serializes");
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
    };
    // A few files on this thread: a lint of one file starts no thread pool (its latency).
    if items.len() < PARALLEL_FROM {
        items.iter().map(one).collect()
    } else {
        items.par_iter().map(one).collect()
    }
}

/// From how many files [`file_entries`] serializes on every core.
const PARALLEL_FROM: usize = 256;

/// Writes the `files` member as [`to_string`] writes it when it is the report's last member
/// (`,\n  "files": [\n    {…},\n    {…}\n  ]`); nothing for no files, which the report skips.
pub(crate) fn write_files_member(
    entries: &[String],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    w.write_all(b",\n  \"files\": [\n")?;
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(e.as_bytes())?;
    }
    w.write_all(b"\n  ]")
}

#[cfg(test)]
mod tests {
    use pullpass_core::diagnostic::Summary;
    use pullpass_core::report::{FileReport, FindingsReport};

    /// The `files` written into the frame are what serializing the whole report writes.
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
        let mut spliced = members.as_bytes().to_vec();
        super::write_files_member(&super::file_entries(&files, Clone::clone), &mut spliced)
            .unwrap();
        spliced.extend_from_slice(super::CLOSE.as_bytes());
        assert_eq!(
            String::from_utf8(spliced).unwrap(),
            super::to_string(&whole)
        );
        let mut none = Vec::new();
        let no_files: &[FileReport] = &[];
        super::write_files_member(&super::file_entries(no_files, Clone::clone), &mut none).unwrap();
        assert!(none.is_empty());
    }
}
