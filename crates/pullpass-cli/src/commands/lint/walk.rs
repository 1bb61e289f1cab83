//! The repository walk of `pullpass lint DIR`: which files to read (the `ignore` crate, so
//! `.gitignore`, `.ignore` and hidden files are honoured as ripgrep does), policies extracted
//! from Terraform / CloudFormation / Kubernetes / Helm files (`pullpass-sources`), inline
//! suppressions, and the cross-file service-account check after the parallel pass.

use std::path::{Path, PathBuf};

use pullpass_core::Diagnostic;
use pullpass_core::diagnostic::{Edit, FixLevel, apply_edits};
use pullpass_core::policy::{LintContext, RULES};
use pullpass_sources::check::{self, FileRef};
use pullpass_sources::{Extracted, Format};

/// File name endings a source may have; everything else is skipped without being read.
const CANDIDATE_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template", "tf"];

/// Lists the files under `dir` a source may be (by extension), sorted. Other files are not
/// read, as ripgrep's type filter does not read them.
///
/// The walk runs on every core (`ignore`'s parallel walker, as ripgrep's); the order is made
/// afterwards: `Path`'s order compares component by component, which is the order of a walk
/// that visits each directory's entries sorted by name, so the list (and the output) is the
/// same for any number of threads. Warnings and errors are sorted likewise.
pub(super) fn expand(dir: &Path, errors: &mut Vec<String>) -> Vec<PathBuf> {
    let found = std::sync::Mutex::new(Vec::new());
    let said = std::sync::Mutex::new(Vec::new());
    ignore::WalkBuilder::new(dir)
        // A checked-out tree without `.git` (a CI artifact) still honours its `.gitignore`.
        .require_git(false)
        .build_parallel()
        .run(|| {
            // Each walker thread keeps its own list and hands it over once, when the walk
            // drops its visitor: no lock per file.
            let mut mine = Gathered {
                paths: Vec::new(),
                notes: Vec::new(),
                found: &found,
                said: &said,
            };
            Box::new(move |entry| {
                if let Some(kept) = visit(entry, dir, &mut mine.notes) {
                    mine.paths.push(kept);
                }
                ignore::WalkState::Continue
            })
        });
    let mut said = said
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    said.sort();
    for (is_error, text) in said {
        if is_error {
            errors.push(text);
        } else {
            eprintln!("warning: {text}");
        }
    }
    let mut found = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // `Path`'s order, faster: a separator compares below every byte of a name (which is what
    // comparing component by component does), and the root every path starts with is the
    // same (`Components` made 5 % of a 10 k-file lint).
    found.sort_by_cached_key(|p| {
        p.as_os_str()
            .as_encoded_bytes()
            .iter()
            .map(|&c| if c == b'/' { 0 } else { c })
            .collect::<Vec<u8>>()
    });
    found
}

/// One walker thread's finds, added to the shared lists when the thread's visitor is dropped.
struct Gathered<'a> {
    paths: Vec<PathBuf>,
    notes: Vec<(bool, String)>,
    found: &'a std::sync::Mutex<Vec<PathBuf>>,
    said: &'a std::sync::Mutex<Vec<(bool, String)>>,
}

impl Drop for Gathered<'_> {
    fn drop(&mut self) {
        lock(self.found).append(&mut self.paths);
        lock(self.said).append(&mut self.notes);
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One entry of the walk: the path when it is a candidate file; warnings and errors go to
/// `notes` as (is an error, text).
fn visit(
    entry: Result<ignore::DirEntry, ignore::Error>,
    dir: &Path,
    notes: &mut Vec<(bool, String)>,
) -> Option<PathBuf> {
    let entry = match entry {
        Ok(entry) => entry,
        Err(e) => {
            notes.push((true, format!("cannot walk {}: {e}", dir.display())));
            return None;
        }
    };
    let file_type = entry.file_type()?;
    if file_type.is_symlink() {
        // Symlinked directories are not followed (a loop would never end); say so
        // instead of skipping without a word. A link to a file is linted.
        if let Some(why) = super::skipped_link(entry.path()) {
            notes.push((false, format!("{} skipped: {why}", entry.path().display())));
            return None;
        }
    } else if !file_type.is_file() {
        return None;
    }
    // The extension as `Path::extension` finds it (after the last `.`, not a leading one),
    // from the entry's name: no walk over the path's components for each of its files.
    let name = entry.file_name().as_encoded_bytes();
    let dot = name.iter().rposition(|&b| b == b'.').filter(|&i| i > 0)?;
    let ext = std::str::from_utf8(&name[dot + 1..]).ok()?;
    if !CANDIDATE_EXTENSIONS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(ext))
    {
        return None;
    }
    let path = entry.into_path();
    Some(match path.strip_prefix("./") {
        Ok(p) => p.to_path_buf(),
        Err(_) => path,
    })
}

/// One source file linted: findings in file positions, a line for the text report, and the
/// extraction for the cross-file check.
#[derive(Debug)]
pub(super) struct SourceLint {
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) note: String,
    /// `line N: OWNER not linted: why`, for `--verbose`.
    pub(super) not_linted: Vec<String>,
    pub(super) extracted: Extracted,
}

fn rule(code: &str) -> &'static pullpass_core::rule::RuleMeta {
    RULES
        .iter()
        .find(|r| r.code == code)
        .copied()
        .unwrap_or(RULES[0])
}

/// The finding on a source file too large to read.
pub(super) fn too_large(len: usize) -> Diagnostic {
    Diagnostic::new(rule("TP001"), pullpass_sources::too_large(len).message)
}

/// Extracts and lints one source file.
pub(super) fn lint_source(text: &str, format: Format, ctx: &LintContext) -> SourceLint {
    let extracted = pullpass_sources::extract(format, text);
    let (diagnostics, note) = lint_extracted(text, format, &extracted, ctx);
    let not_linted = if extracted.not_linted.is_empty() {
        Vec::new()
    } else {
        let lines = pullpass_core::text::LineIndex::new(text);
        extracted
            .not_linted
            .iter()
            .map(|n| {
                format!(
                    "line {}: {} not linted: {}",
                    lines.line_of(n.range.start) + 1,
                    n.owner,
                    n.why
                )
            })
            .collect()
    };
    SourceLint {
        diagnostics,
        note,
        not_linted,
        extracted,
    }
}

/// The findings of a file's extraction and the line the text report says of it.
fn lint_extracted(
    text: &str,
    format: Format,
    extracted: &Extracted,
    ctx: &LintContext,
) -> (Vec<Diagnostic>, String) {
    let mut diagnostics = Vec::new();
    if let Some(e) = &extracted.error {
        diagnostics.push(
            Diagnostic::new(rule("TP001"), e.message.clone())
                .with_range(check::error_range(text, e.range)),
        );
    }
    let mut kinds = Vec::new();
    for p in &extracted.policies {
        let found = check::lint_policy(p, ctx);
        kinds.push(
            p.kind
                .map(pullpass_core::policy::PolicyKind::as_str)
                .or(found.kind.map(|k| k.as_str()))
                .unwrap_or("unknown"),
        );
        diagnostics.extend(found.diagnostics);
    }
    let note = if extracted.error.is_some() {
        format!("could not be read as {}", format.as_str())
    } else {
        let mut note = format!(
            "{}: {} policy(ies)",
            format.as_str(),
            extracted.policies.len()
        );
        if !kinds.is_empty() {
            note.push_str(&format!(" ({})", kinds.join(", ")));
        }
        if !extracted.service_accounts.is_empty() {
            note.push_str(&format!(
                ", {} service account role annotation(s)",
                extracted.service_accounts.len()
            ));
        }
        note
    };
    (diagnostics, note)
}

/// Applies the fixes `level` allows that map back to literal source text (one round; the file is then
/// re-read). Returns the new text and how many were applied.
pub(super) fn fix_source(
    text: &str,
    diagnostics: &[Diagnostic],
    level: FixLevel,
) -> Option<(String, usize)> {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for fix in diagnostics
        .iter()
        .filter_map(|d| d.fix())
        .filter(|f| level.applies(f.applicability))
    {
        let overlaps = fix.edits.iter().any(|e| {
            chosen.iter().any(|c| {
                e.range.start < c.range.end && c.range.start < e.range.end
                    || e.range.start == c.range.start
            })
        });
        if !overlaps {
            chosen.extend(fix.edits.iter());
            count += 1;
        }
    }
    if count == 0 {
        return None;
    }
    apply_edits(text, chosen).map(|t| (t, count))
}

/// `# pullpass: ignore[TP026, TP029] reason` (or `//`): drops the named findings that start
/// on that line or the next; a suppression that drops nothing is reported as unused.
/// Runs after the cross-file pass, so a cross-file finding (TP032 at the trust policy or at the
/// service account's annotation) is suppressed by a comment at the end it is reported at.
/// Returns the unused suppressions: (line, codes).
pub(super) fn apply_suppressions(
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(usize, String)> {
    const MARKER: &str = "pullpass: ignore[";
    // One search over the file first: most files hold no suppression, and a search per line
    // set up its searcher 76,000 times on the bench's 10,000-file repository (4 % of the walk).
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let mut rules: Vec<(usize, Vec<String>, bool)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = line[..at].trim_end();
        if !(before.ends_with('#') || before.ends_with("//")) {
            continue;
        }
        let rest = &line[at + MARKER.len()..];
        let Some(close) = rest.find(']') else {
            continue;
        };
        let codes = rest[..close]
            .split(',')
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .collect();
        rules.push((i + 1, codes, false));
    }
    if rules.is_empty() {
        return Vec::new();
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: u32| line_starts.partition_point(|&s| s <= offset as usize);
    diagnostics.retain(|d| {
        let Some(r) = d.range() else { return true };
        let line = line_of(r.start);
        for (at, codes, used) in &mut rules {
            if (*at == line || *at + 1 == line) && codes.iter().any(|c| c == d.code()) {
                *used = true;
                return false;
            }
        }
        true
    });
    rules
        .into_iter()
        .filter(|(_, _, used)| !used)
        .map(|(line, codes, _)| (line, codes.join(", ")))
        .collect()
}

/// One source file after the parallel pass.
#[derive(Debug)]
pub(super) struct Walked<'a> {
    pub(super) path: &'a str,
    pub(super) text: &'a str,
    pub(super) extracted: &'a mut Extracted,
    pub(super) diagnostics: &'a mut Vec<Diagnostic>,
    /// The text report's line for the file.
    pub(super) note: &'a mut Option<String>,
}

/// Terraform reads every `.tf` file of a directory as one module: a resource in one file may
/// take its policy from a `data "aws_iam_policy_document"` block of another. Joins them and
/// lints the documents that learnt their kind and role again.
fn link_terraform_modules(files: &mut [Walked<'_>], ctx: &LintContext) {
    use rayon::prelude::*;
    // Keyed by the directory's text: the walk joins every path the same way, and comparing
    // `Path`s component by component was 7 M instructions of the serial pass (10,000 files).
    let mut modules: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, f) in files.iter().enumerate() {
        if let Some(dir) = pullpass_sources::terraform::module_dir(f.path) {
            modules
                .entry(dir.to_str().unwrap_or(f.path))
                .or_default()
                .push(i);
        }
    }
    let modules: Vec<Vec<usize>> = modules
        .into_values()
        .filter(|m| {
            m.len() > 1
                && m.iter()
                    .any(|&i| !files[i].extracted.document_uses.is_empty())
        })
        .collect();
    // Each module is linked alone (its members are in input order, as the walk lists them),
    // then the documents that changed are linted again on every core.
    let mut relint: Vec<usize> = Vec::new();
    for module in modules {
        let changed = {
            let mut members: Vec<(&str, &mut Extracted)> = Vec::with_capacity(module.len());
            let mut rest: &mut [Walked<'_>] = &mut *files;
            let mut at = 0;
            for &i in &module {
                let (_, tail) = std::mem::take(&mut rest).split_at_mut(i - at);
                let (f, tail) = tail.split_first_mut().expect("a module member is a file");
                members.push((f.path, &mut *f.extracted));
                rest = tail;
                at = i + 1;
            }
            pullpass_sources::terraform::link_module(&mut members)
        };
        relint.extend(changed.into_iter().map(|j| module[j]));
    }
    relint.sort_unstable();
    let linted: Vec<(Vec<Diagnostic>, String)> = relint
        .par_iter()
        .map(|&i| {
            let f = &files[i];
            lint_extracted(f.text, Format::Terraform, f.extracted, ctx)
        })
        .collect();
    for (i, (diagnostics, note)) in relint.into_iter().zip(linted) {
        let f = &mut files[i];
        *f.diagnostics = diagnostics;
        *f.note = Some(note);
    }
}

/// The cross-file pass: trust policies get their role's ARN from a service account
/// annotation (re-linted with it), and service accounts are checked against the trust
/// policy of their role; findings go to both files. EP001/EP002 that another policy of the
/// same role answers are dropped. Returns what the check could not decide
/// (`PATH: line N: …`), which `--verbose` prints.
pub(super) fn cross_check(files: &mut [Walked<'_>], ctx: &LintContext) -> Vec<String> {
    link_terraform_modules(files, ctx);
    let refs: Vec<FileRef<'_>> = files
        .iter()
        .map(|f| FileRef {
            path: f.path,
            text: f.text,
            extracted: &*f.extracted,
        })
        .collect();
    let tree = check::cross_check(&refs, ctx);
    drop(refs);
    let notes = tree
        .notes
        .iter()
        .map(|(fi, note)| format!("{}: {note}", files[*fi].path))
        .collect();
    for ((fi, pi), arn) in &tree.role_arns {
        if ctx.role_arn.is_some() {
            break;
        }
        let f = &mut files[*fi];
        let policy = &f.extracted.policies[*pi];
        let with_arn = LintContext {
            role_arn: Some(arn.clone()),
            ..ctx.clone()
        };
        // Findings the role ARN adds (TP040/TP041/TP062 know the role's account now).
        let before = check::lint_policy(policy, ctx).diagnostics;
        for d in check::lint_policy(policy, &with_arn).diagnostics {
            if !before.contains(&d) {
                f.diagnostics.push(d);
            }
        }
    }
    for found in tree.findings {
        files[found.file].diagnostics.push(found.diagnostic);
    }
    // EP001/EP002 that another policy of the same role answers.
    for gone in &tree.dropped {
        files[gone.file]
            .diagnostics
            .retain(|d| *d != gone.diagnostic);
    }
    for f in files.iter_mut() {
        check::sort(f.diagnostics);
    }
    notes
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// The parallel walk's order is `Path`'s (a walk of sorted directories), also for names
    /// that sort differently byte by byte (`a.json` against the directory `a/`).
    #[test]
    fn walk_order_is_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "a.json",
            "a/b.json",
            "a-b.json",
            "a/c/d.json",
            "a b.json",
            "a/c.json",
            "B.json",
            "a0/x.json",
            "a.b/y.json",
        ];
        for name in names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "{}").unwrap();
        }
        let mut errors = Vec::new();
        let found = super::expand(dir.path(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let mut by_path: Vec<PathBuf> = names.iter().map(|n| dir.path().join(n)).collect();
        by_path.sort();
        assert_eq!(found, by_path);
    }
}
