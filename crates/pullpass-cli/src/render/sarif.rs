//! SARIF 2.1.0 for code scanning (protocols.md): the TP/EP rules of the catalog as
//! `tool.driver.rules`, one result per finding with 1-based lines and UTF-16 columns
//! (`columnKind: utf16CodeUnits`), and fixes as `artifactChanges`.

use pullpass_core::text::{ColumnUnit, LineIndex};
use pullpass_core::{Diagnostic, RuleMeta, Severity, TextRange};
use serde_json::{Value, json};

/// Where the rules' documentation lives.
pub(crate) const INFORMATION_URI: &str = "https://example.invalid/pullpass";

/// One input file and its findings.
#[derive(Debug)]
pub(crate) struct Artifact<'a> {
    /// The path as given (forward slashes in the URI).
    pub(crate) path: &'a str,
    pub(crate) text: &'a str,
    pub(crate) diagnostics: &'a [Diagnostic],
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(index: &LineIndex<'_>, range: TextRange) -> Value {
    let start = index.line_column(range.start, ColumnUnit::Utf16);
    let end = index.line_column(range.end, ColumnUnit::Utf16);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
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

/// Writes the SARIF log to `w` as it is built: the head, each result as soon as it is
/// serialized (its JSON tree dropped), the tail. Nothing but one result is held, so the peak
/// memory of a 100 k-file log is the inputs', not the log's (issue 15 #9: the log as one
/// string, spliced and copied, held 1.24 GB).
pub(crate) fn write(
    rules: &[&RuleMeta],
    artifacts: &[Artifact<'_>],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
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
            "artifacts": artifacts.iter().map(|a| json!({"location": {"uri": uri(a.path)}})).collect::<Vec<_>>(),
            "results": [],
        }],
    });
    let frame = serde_json::to_string_pretty(&log).expect("a SARIF log always serializes");
    // Keys are sorted, so `"results": []` occurs once, at this indentation.
    let empty = "\n      \"results\": [],";
    let at = frame
        .find(empty)
        .expect("the SARIF frame has an empty results array");
    let (head, tail) = (&frame[..at], &frame[at + empty.len()..]);
    let mut first = true;
    for artifact in artifacts {
        let index = LineIndex::new(artifact.text);
        let uri = uri(artifact.path);
        for d in artifact.diagnostics {
            let mut physical = json!({"artifactLocation": {"uri": uri}});
            if let Some(range) = d.range() {
                physical["region"] = region(&index, range);
            }
            let mut location = json!({"physicalLocation": physical});
            if !d.pointer().is_empty() {
                location["logicalLocations"] =
                    json!([{"fullyQualifiedName": d.pointer(), "kind": "member"}]);
            }
            let mut message = d.message().to_owned();
            if let Some(help) = d.help() {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.code(),
                "level": level(d.severity()),
                "message": {"text": message},
                "locations": [location],
            });
            if let Some(i) = rules.iter().position(|r| r.code == d.code()) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(fix) = d.fix() {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        json!({
                            "deletedRegion": region(&index, e.range),
                            "insertedContent": {"text": e.replacement},
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": {"text": fix.message},
                    "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
                    "properties": {"applicability": fix.applicability.as_str()},
                }]);
            }
            let item = serde_json::to_string_pretty(&result).expect("a SARIF result serializes");
            if first {
                w.write_all(head.as_bytes())?;
                w.write_all(b"\n      \"results\": [\n")?;
                first = false;
            } else {
                w.write_all(b",\n")?;
            }
            let mut indented = String::with_capacity(item.len() + item.len() / 4);
            for (i, line) in item.lines().enumerate() {
                if i > 0 {
                    indented.push('\n');
                }
                indented.push_str("        ");
                indented.push_str(line);
            }
            w.write_all(indented.as_bytes())?;
        }
    }
    if first {
        w.write_all(head.as_bytes())?;
        w.write_all(empty.as_bytes())?;
    } else {
        w.write_all(b"\n      ],")?;
    }
    w.write_all(tail.as_bytes())?;
    w.write_all(b"\n")
}
