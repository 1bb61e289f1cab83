//! What `pullpass lint` reports: the config file's `[lint]` table (select/ignore, per-path
//! ignores, severity overrides) and a baseline of accepted findings, to adopt pullpass on a
//! repository without fixing everything first.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use pullpass_core::Diagnostic;
use pullpass_core::config::LintTable;

/// Applies the `[lint]` table to one file's findings.
pub(super) fn apply_table(table: &LintTable, path: &str, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.retain(|d| table.reports(d.code(), path));
    for d in diagnostics.iter_mut() {
        if let Some(severity) = table.severity.get(d.code()) {
            d.set_severity(*severity);
        }
    }
}

/// Accepted findings, by (file, code, message): no line numbers, so the baseline survives
/// edits above a finding; a finding whose message changes is new.
#[derive(Debug, Default)]
pub(super) struct Baseline {
    counts: HashMap<(String, String, String), usize>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    file: String,
    code: String,
    message: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

impl Baseline {
    pub(super) fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the baseline {}", path.display()))?;
        let file: File = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a pullpass baseline; write one with `pullpass lint --write-baseline {}`",
                path.display(),
                path.display()
            )
        })?;
        let mut counts = HashMap::new();
        for e in file.findings {
            *counts.entry((e.file, e.code, e.message)).or_insert(0) += 1;
        }
        Ok(Self { counts })
    }

    /// Drops the findings the baseline accepts (each entry accepts one finding).
    pub(super) fn filter(&mut self, path: &str, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain(|d| {
            let key = (path.to_owned(), d.code().to_owned(), d.message().to_owned());
            match self.counts.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
    }
}

/// Writes every finding as the new baseline (through the one file-replacement policy).
pub(super) fn write(path: &Path, files: &[(&str, &[Diagnostic])]) -> anyhow::Result<usize> {
    let findings: Vec<Entry> = files
        .iter()
        .flat_map(|(file, ds)| {
            ds.iter().map(|d| Entry {
                file: (*file).to_owned(),
                code: d.code().to_owned(),
                message: d.message().to_owned(),
            })
        })
        .collect();
    let n = findings.len();
    let text = serde_json::to_string_pretty(&File {
        version: 1,
        findings,
    })? + "\n";
    let old = match std::fs::read(path) {
        Ok(old) => Some(old),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    };
    pullpass_ecr::fsio::replace_file(path, old.as_deref(), text.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write the baseline: {e}"))?;
    Ok(n)
}
