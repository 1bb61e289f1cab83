//! SARIF 2.1.0 for code scanning (protocols.md): the TP/EP rules of the catalog as
//! `tool.driver.rules`, one result per finding with 1-based lines and UTF-16 columns
//! (`columnKind: utf16CodeUnits`), and fixes as `artifactChanges`.

use pullpass_core::text::{ColumnUnit, LineIndex};
use pullpass_core::{Diagnostic, RuleMeta, Severity, TextRange};
use serde_json::{Value, json};

/// Where the rules' documentation lives.
pub(crate) const INFORMATION_URI: &str = "https://example.invalid/pullpass";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(index: &LineIndex<'_>, range: TextRange) -> Region {
    let start = index.line_column(range.start, ColumnUnit::Utf16);
    let end = index.line_column(range.end, ColumnUnit::Utf16);
    Region {
        end_column: end.column,
        end_line: end.line,
        start_column: start.column,
        start_line: start.line,
    }
}

// One result as serialized structs, not `json!` trees (a tree of maps per finding made a
// 15 k-finding file take half a second). Fields are declared in the order of their JSON
// names, which is the order the `serde_json::Value` maps wrote (sorted keys), so the bytes
// are those of the tree.

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: u32,
    end_line: u32,
    start_column: u32,
    start_line: u32,
}

#[derive(serde::Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(serde::Serialize)]
struct Uri<'a> {
    uri: &'a str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical<'a> {
    artifact_location: Uri<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_locations: Option<[Logical<'a>; 1]>,
    physical_location: Physical<'a>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Change<'a> {
    artifact_location: Uri<'a>,
    replacements: Vec<Replacement<'a>>,
}

#[derive(serde::Serialize)]
struct Applicability {
    applicability: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    artifact_changes: [Change<'a>; 1],
    description: Text<'a>,
    properties: Applicability,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<[SarifFix<'a>; 1]>,
    level: &'static str,
    locations: [Location<'a>; 1],
    message: Text<'a>,
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
}

/// A relative URI for a path: forward slashes, and `stdin` for `-`.
pub(crate) fn uri(path: &str) -> String {
    if path == "-" {
        return "stdin".to_owned();
    }
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

/// Where the results go in the frame of [`frame`]: `head`, then [`RESULTS_OPEN`] and the
/// results of [`write_results`] (the first one's leading `,\n` dropped) and [`RESULTS_CLOSE`],
/// or [`RESULTS_EMPTY`] when there are none, then `tail`.
pub(crate) const RESULTS_OPEN: &str = "\n      \"results\": [\n";
pub(crate) const RESULTS_CLOSE: &str = "\n      ],";
/// Keys are sorted, so `"results": []` occurs once, at this indentation.
pub(crate) const RESULTS_EMPTY: &str = "\n      \"results\": [],";

/// The SARIF log without its results, split where they go: (head, tail). `paths` are the
/// artifacts, in order.
pub(crate) fn frame<'p>(
    rules: &[&RuleMeta],
    paths: impl Iterator<Item = &'p str>,
) -> (String, String) {
    let rule_objects: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.docs, "markdown": r.docs},
                "helpUri": format!("{INFORMATION_URI}/rules/{}", r.code),
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"family": r.family},
            })
        })
        .collect();
    let log = json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "pullpass",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rule_objects,
            }},
            "columnKind": "utf16CodeUnits",
            "artifacts": [],
            "results": [],
        }],
    });
    let mut frame = serde_json::to_string_pretty(&log).expect("a SARIF log always serializes");
    let at = frame
        .find(RESULTS_EMPTY)
        .expect("the SARIF frame has an empty results array");
    let mut tail = frame.split_off(at + RESULTS_EMPTY.len());
    frame.truncate(at);
    tail.push('\n');
    // The artifacts written into the frame as `serde_json` would print them in place (one
    // small object per file: a tree of maps for 100 k files held 130 MB).
    let empty = "\"artifacts\": []";
    let at = frame
        .find(empty)
        .expect("the SARIF frame has an empty artifacts array");
    let rest = frame.split_off(at + empty.len());
    frame.truncate(at + empty.len() - 1);
    let mut any = false;
    for path in paths {
        frame.push_str(if any { ",\n" } else { "\n" });
        any = true;
        frame.push_str("        {\n          \"location\": {\n            \"uri\": ");
        frame.push_str(&serde_json::to_string(&uri(path)).expect("a string serializes"));
        frame.push_str("\n          }\n        }");
    }
    if any {
        frame.push_str("\n      ");
    }
    frame.push(']');
    frame.push_str(&rest);
    (frame, tail)
}

/// Writes one result per finding of one file to `w`, each as `,\n` and the result indented to
/// its place in the log (see [`frame`]).
pub(crate) fn write_results(
    rules: &[&RuleMeta],
    path: &str,
    text: &str,
    diagnostics: &[Diagnostic],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    let index = LineIndex::new(text);
    let uri = uri(path);
    // A file with thousands of findings serializes them on every core, in chunks written
    // in order.
    super::write_chunks(diagnostics, PARALLEL_FROM, w, |chunk, out| {
        results(rules, &index, &uri, chunk, out)
    })
}

/// Findings from which [`write_results`] uses every core (and the chunk size it hands each).
const PARALLEL_FROM: usize = 256;

/// The results of `diagnostics`, appended to `out` (see [`write_results`]).
fn results(
    rules: &[&RuleMeta],
    index: &LineIndex<'_>,
    uri: &str,
    diagnostics: &[Diagnostic],
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    // Findings of one file mostly share a few codes: the last code's index is looked up once.
    let mut last: Option<(&str, Option<usize>)> = None;
    for d in diagnostics {
        let rule_index = match last {
            Some((code, index)) if code == d.code() => index,
            _ => {
                let index = rules.iter().position(|r| r.code == d.code());
                last = Some((d.code(), index));
                index
            }
        };
        let mut message = d.message().to_owned();
        if let Some(help) = d.help() {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let result = SarifResult {
            fixes: d.fix().as_ref().map(|fix| {
                [SarifFix {
                    artifact_changes: [Change {
                        artifact_location: Uri { uri },
                        replacements: fix
                            .edits
                            .iter()
                            .map(|e| Replacement {
                                deleted_region: region(index, e.range),
                                inserted_content: Text {
                                    text: &e.replacement,
                                },
                            })
                            .collect(),
                    }],
                    description: Text { text: &fix.message },
                    properties: Applicability {
                        applicability: fix.applicability.as_str(),
                    },
                }]
            }),
            level: level(d.severity()),
            locations: [Location {
                logical_locations: (!d.pointer().is_empty()).then(|| {
                    [Logical {
                        fully_qualified_name: d.pointer(),
                        kind: "member",
                    }]
                }),
                physical_location: Physical {
                    artifact_location: Uri { uri },
                    region: d.range().map(|r| region(index, r)),
                },
            }],
            message: Text { text: &message },
            rule_id: d.code(),
            rule_index,
        };
        out.extend_from_slice(b",\n");
        super::write_nested(&result, b"        ", out)?;
    }
    Ok(())
}
