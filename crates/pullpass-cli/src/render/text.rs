//! rustc-style text: code, message, the source line with a caret under the exact range, help
//! and fix, then a summary line.

use std::io::IsTerminal;
use std::io::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use pullpass_core::LineIndex;
use pullpass_core::Severity;
use pullpass_core::diagnostic::Summary;

use super::Item;

/// Whether to colour output written to stdout: a terminal, and `NO_COLOR` unset.
pub(crate) fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// Renders `items` and a closing summary line.
pub(crate) fn render(items: &[Item<'_>], color: bool) -> String {
    let mut out = Vec::new();
    // Writing to a `Vec` does not fail, and every piece written is a `str`.
    let _ = write(items, color, &mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`render`], written to `w` piece by piece (a report of 60 k findings is not held whole).
pub(crate) fn write(
    items: &[Item<'_>],
    color: bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let indexes = super::line_indexes(items);
    // A file with thousands of findings (a 1 MB policy has 60 k) renders them on every core,
    // in chunks written in order; drawing snippets is most of the time of such a report.
    super::write_chunks(items, PARALLEL_FROM, w, |chunk, out| {
        for item in chunk {
            render_one(item, &indexes, &renderer, !color, out);
        }
        Ok(())
    })?;
    let summary = summary_line(&Summary::of(items.iter().map(|i| i.diagnostic)));
    w.write_all(summary.as_bytes())?;
    w.write_all(b"\n")
}

/// Findings from which [`render`] uses every core (and the chunk size it hands each).
const PARALLEL_FROM: usize = 256;

/// Whether every byte of `text` is printable ASCII (space to `~`): a branch-free pass the
/// compiler vectorizes (a finding's message, help, label and line are checked each time).
fn printable_ascii(text: &str) -> bool {
    text.bytes()
        .fold(true, |ok, b| ok & (b.wrapping_sub(b' ') < 0x5f))
}

/// Whether annotate-snippets prints `text` as a title as it is: one line, nothing it
/// replaces (control characters, zero-width joiner, text-direction controls).
fn plain_title(text: &str) -> bool {
    printable_ascii(text)
        || !text.chars().any(|c| {
            c.is_control()
                || c == '\u{200d}'
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
}

/// One finding: title, the snippet of the lines its range covers, help and fix. Returns
/// whether the title and help were written by hand (below).
///
/// Without colour, the title's message and the help are written here, not drawn by
/// annotate-snippets, which lays out every character of them in a styled buffer (half the
/// time of a report of 60 k findings): it draws the same report with both empty, and the two
/// are put in their lines. The bytes are the same (`tests::fast_path_is_annotate_snippets`).
fn render_one(
    item: &Item<'_>,
    indexes: &[LineIndex<'_>],
    renderer: &Renderer,
    plain: bool,
    out: &mut Vec<u8>,
) -> bool {
    let d = item.diagnostic;
    // Plain output (`renderer` draws no colour), a message and a help annotate-snippets
    // prints verbatim.
    let fast = plain && plain_title(d.message()) && d.help().is_none_or(plain_title);
    let title = level(d.severity())
        .primary_title(if fast { "" } else { d.message() })
        .id(d.code());
    let mut group = Group::with_title(title);
    // Where a finding without a range is: printed under its title as `--> /pointer`, with
    // no snippet (annotate-snippets would draw an empty `|` gutter for an origin alone).
    let mut origin = None;
    if let (Some(source), Some(range)) = (item.source, d.range())
        && !source.text.is_empty()
    {
        // Show only the lines the range covers, so a 10 MB input prints one line.
        let Some(index) = super::index_of(indexes, source.text) else {
            return false;
        };
        let first = index.line_of(range.start);
        let last = index.line_of(range.end.saturating_sub(1).max(range.start));
        let start = index.line_start(first);
        let end = if last + 1 < index.line_count() {
            index.line_start(last + 1)
        } else {
            source.text.len()
        };
        // A minified policy is one long line: show a window around the range instead.
        let (start, end) = clip(source.text, start, end, range.as_usize_range());
        let excerpt = &source.text[start..end];
        let local = (range.start as usize).clamp(start, end) - start
            ..(range.end as usize).clamp(start, end) - start;
        let label = d
            .fix()
            .as_ref()
            .map(|f| f.message.as_str())
            .unwrap_or_default();
        if fast
            && one_line_snippet(
                &OneLine {
                    title: (d.severity(), d.code(), d.message()),
                    path: source.name,
                    line: first + 1,
                    excerpt,
                    span: local.clone(),
                    label,
                    help: d.help(),
                },
                out,
            )
        {
            return true;
        }
        group = group.element(
            Snippet::source(excerpt)
                .line_start(first + 1)
                .path(source.name)
                .annotation(AnnotationKind::Primary.span(local).label(label)),
        );
    } else if !d.pointer().is_empty() {
        origin = Some(d.pointer());
    }
    let mut report = vec![group];
    if let Some(help) = d.help() {
        report.push(Group::with_title(Level::HELP.secondary_title(if fast {
            ""
        } else {
            help
        })));
    }
    if let Some(fix) = d.fix()
        && item.source.is_none()
    {
        report.push(Group::with_title(
            Level::NOTE.secondary_title(format!("fix: {}", fix.message)),
        ));
    }
    let rendered = renderer.render(&report);
    let rendered = if fast {
        match fill_in(&rendered, d.message(), d.help()) {
            Some(full) => full,
            // Not the shape expected: annotate-snippets draws all of it.
            None => return render_one(item, indexes, renderer, false, out),
        }
    } else {
        rendered
    };
    match origin {
        Some(pointer) => {
            let mut lines = rendered.lines();
            let _ = writeln!(out, "{}\n--> {pointer}", lines.next().unwrap_or_default());
            for line in lines.filter(|l| !is_bare_gutter(l)) {
                let _ = writeln!(out, "{line}");
            }
            out.push(b'\n');
        }
        None => {
            out.extend_from_slice(rendered.as_bytes());
            out.extend_from_slice(b"\n\n");
        }
    }
    fast
}

/// The terminal width annotate-snippets fits source lines into (its default).
const TERM_WIDTH: usize = 140;

/// What [`one_line_snippet`] draws: a finding whose range lies on one line of its source.
struct OneLine<'a> {
    title: (Severity, &'a str, &'a str),
    path: &'a str,
    /// 1-based.
    line: usize,
    /// The line (and its `\n`), or the window of it [`clip`] chose.
    excerpt: &'a str,
    /// The range, in bytes of `excerpt`.
    span: std::ops::Range<usize>,
    /// The caret's label (the fix), possibly empty.
    label: &'a str,
    help: Option<&'a str>,
}

/// The whole report of a finding whose excerpt is one line of printable ASCII (what nearly
/// every finding of a policy is), written as annotate-snippets draws it without colour, but
/// without its grid of styled characters and width tables: a 1 MB policy's 60 k findings
/// spent 70% of the text report's instructions there. The line is trimmed to the terminal
/// width as annotate-snippets' `Margin` trims it (`...` on a cut side). Returns `false`, with
/// nothing written, for anything else (tabs, control characters, non-ASCII, an empty or
/// very wide range), which annotate-snippets draws. The bytes are the same
/// (`tests::fast_path_is_annotate_snippets`).
fn one_line_snippet(s: &OneLine<'_>, out: &mut Vec<u8>) -> bool {
    let line = s.excerpt.strip_suffix('\n').unwrap_or(s.excerpt);
    let span = s.span.clone();
    let digits = s.line.to_string();
    let n = digits.len();
    let code_offset = n + 3;
    let column_width = TERM_WIDTH.saturating_sub(code_offset);
    if span.start >= span.end
        || span.end > line.len()
        || span.end - span.start > column_width
        || !printable_ascii(line)
        || !printable_ascii(s.label)
    {
        return false;
    }
    // `Margin::new` and `Margin::compute` for one annotation on one line.
    const ELLIPSIS_PASSING: usize = 6;
    let leading = line.bytes().take_while(|&b| b == b' ').count();
    let leading = if leading == line.len() { 0 } else { leading };
    let whitespace_left = leading.min(span.start).saturating_sub(ELLIPSIS_PASSING);
    let span_left = span.start.saturating_sub(ELLIPSIS_PASSING);
    let span_right = span.end + ELLIPSIS_PASSING;
    let label_right = span.end + s.label.len() + 1 + ELLIPSIS_PASSING;
    let mut computed_left = if whitespace_left > 20 {
        whitespace_left - 16
    } else {
        0
    };
    let mut computed_right = line.len().max(computed_left);
    if computed_right - computed_left > column_width {
        if label_right.saturating_sub(whitespace_left) <= column_width
            && label_right >= whitespace_left
        {
            computed_left = whitespace_left;
            computed_right = computed_left + column_width;
        } else if label_right - span_left <= column_width {
            computed_left =
                span_left.saturating_sub((column_width - (label_right - span_left)) / 2);
            computed_right = computed_left + column_width;
        } else if span_right - span_left <= column_width {
            computed_left =
                span_left.saturating_sub((column_width - (span_right - span_left)) / 5 * 2);
            computed_right = computed_left + column_width;
        } else {
            computed_left = span_left;
            computed_right = span_right;
        }
    }
    let left = computed_left.min(line.len());
    let right = if line.len().saturating_sub(computed_left) <= column_width {
        line.len()
    } else {
        line.len().min(computed_right)
    };
    if span.start < left || right < left {
        return false;
    }
    let (severity, code, message) = s.title;
    let level = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let pad = |out: &mut Vec<u8>, k: usize| out.resize(out.len() + k, b' ');
    // Title, origin (the column counts in the excerpt, as annotate-snippets is given it).
    let _ = write!(
        out,
        "{level}[{code}]: {message}\n{:n$}--> {}:{}:{}\n{:w$}|\n",
        "",
        s.path,
        s.line,
        span.start + 1,
        "",
        w = n + 1
    );
    // The source line: `...` over the first and last three characters of a cut side.
    let code = &line.as_bytes()[left..right];
    let mut row = Vec::with_capacity(code_offset + code.len() + 3);
    row.extend_from_slice(digits.as_bytes());
    row.extend_from_slice(b" | ");
    row.extend_from_slice(code);
    let ellipsis = |row: &mut Vec<u8>, at: usize| {
        if row.len() < at + 3 {
            row.resize(at + 3, b' ');
        }
        row[at..at + 3].copy_from_slice(b"...");
    };
    if computed_left > 0 {
        ellipsis(&mut row, code_offset);
    }
    if line.len() > right {
        ellipsis(&mut row, code_offset + code.len() - code.len().min(3));
    }
    out.extend_from_slice(&row);
    out.push(b'\n');
    // The carets and their label, one column after them.
    pad(out, n + 1);
    out.push(b'|');
    pad(out, 1 + span.start - left);
    out.resize(out.len() + span.end - span.start, b'^');
    if !s.label.is_empty() {
        out.push(b' ');
        out.extend_from_slice(s.label.as_bytes());
    }
    if let Some(help) = s.help {
        out.push(b'\n');
        pad(out, n + 1);
        out.extend_from_slice(b"|\nhelp: ");
        out.extend_from_slice(help.as_bytes());
    }
    out.extend_from_slice(b"\n\n");
    true
}

/// A report drawn with an empty title message (and an empty help) with `message` (and `help`)
/// put in: the title is the first line (`error[TP021]: `), the help group the last one
/// (`help: `). `None` when the report does not have that shape.
fn fill_in(rendered: &str, message: &str, help: Option<&str>) -> Option<String> {
    const HELP: &str = "help: ";
    let (title, rest) = match rendered.split_once('\n') {
        Some((title, rest)) => (title, Some(rest)),
        None => (rendered, None),
    };
    if !title.ends_with(": ") {
        return None;
    }
    let mut full = String::with_capacity(rendered.len() + message.len() + help.map_or(0, str::len));
    full.push_str(title);
    full.push_str(message);
    if let Some(rest) = rest {
        full.push('\n');
        full.push_str(rest);
    }
    if let Some(help) = help {
        let cut = full.len().checked_sub(HELP.len())?;
        if !full.ends_with(HELP) || !full[..cut].ends_with('\n') {
            return None;
        }
        full.push_str(help);
    }
    Some(full)
}

/// A gutter line with nothing in it (` |`, possibly coloured): what a finding without a
/// snippet must not print.
fn is_bare_gutter(line: &str) -> bool {
    let mut plain = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An ANSI escape: `ESC [ … letter`.
            for e in chars.by_ref() {
                if e.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain.trim() == "|"
}

/// At most about 200 bytes around `range` when the lines `start..end` are longer than 512
/// bytes, on char boundaries.
fn clip(text: &str, start: usize, end: usize, range: std::ops::Range<usize>) -> (usize, usize) {
    if end - start <= 512 {
        return (start, end);
    }
    let mut from = range.start.saturating_sub(100).max(start);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (range.end.max(range.start + 1) + 100)
        .min(end)
        .min(range.start + 400);
    while !text.is_char_boundary(to) {
        to += 1;
    }
    (from, to.max(from))
}

/// "2 errors, 1 warning, 0 infos" or "no findings".
pub(crate) fn summary_line(summary: &Summary) -> String {
    if summary.errors + summary.warnings + summary.infos == 0 {
        return "no findings".to_owned();
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.infos, "info")
    )
}

#[cfg(test)]
mod tests {
    use pullpass_core::{Diagnostic, Severity};

    use super::{Item, render};
    use crate::render::Source;

    /// A finding with no range prints where it is and no snippet: no `|` line at all.
    #[test]
    fn no_range_no_gutter() {
        let rule = pullpass_core::catalog::get("RF010").expect("RF010");
        let d = Diagnostic::new(rule, "the registry host is required")
            .with_help("enter the registry host")
            .with_pointer("/host");
        assert_eq!(d.severity(), Severity::Error);
        for color in [false, true] {
            let text = render(
                &[Item {
                    diagnostic: &d,
                    source: None,
                }],
                color,
            );
            assert!(text.contains("--> /host"), "{text}");
            assert!(
                !text.lines().any(super::is_bare_gutter),
                "an empty gutter line in:\n{text}"
            );
        }
    }

    /// Without colour, the title and help written by hand are the bytes annotate-snippets
    /// draws: every finding of policies of several shapes (pretty, minified on one long line,
    /// non-ASCII, no range), rendered both ways.
    #[test]
    fn fast_path_is_annotate_snippets() {
        // Indentation deeper than annotate-snippets keeps (20 columns), line numbers of one to
        // three digits, lines longer than the terminal cut on either side.
        let stmt = r#"{"Sid":"a-b","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:*","Condition":{"StringEquals":{"x:sub":"*"}}}"#;
        let value: serde_json::Value =
            serde_json::from_str(&pullpass_core::policy::stress::one_line_findings(12))
                .expect("json");
        let mut deep = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"             ");
        serde::Serialize::serialize(
            &value,
            &mut serde_json::Serializer::with_formatter(&mut deep, formatter),
        )
        .expect("json");
        let deep = String::from_utf8(deep).expect("utf-8");
        let mut long_lines = String::from("{\"Version\":\"2012-10-17\",\"Statement\":[\n");
        for i in 0..120 {
            let sep = if i == 0 { "" } else { "," };
            let body = [stmt; 3].join(",");
            long_lines.push_str(&format!("{}{sep}{body}\n", " ".repeat(i % 70)));
        }
        long_lines.push_str("]}\n");
        let tabs = long_lines.replace("\"Sid\"", "\t\"Sid\"");
        let texts = [
            "{\n  \"Statement\": [{\"Effect\": \"allow\", \"Principal\": \"*\", \"Action\": \"sts:AssumeRoleWithWebIdentity\"}]\n}\n",
            &pullpass_core::policy::stress::one_line_findings(40),
            &pullpass_core::policy::stress::many_condition_keys(20_000),
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ÄÖÜ\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"oidc.eks.us-east-1.amazonaws.com/id/ÄÖÜ:sub\":\"system:serviceaccount:*\"}}}]}",
            "{\"Version\": \"2012-10-17\", \"Statement\": [",
            "",
            &deep,
            &long_lines,
            &tabs,
        ];
        let renderer = annotate_snippets::Renderer::plain();
        let (mut compared, mut by_hand) = (0, 0);
        for text in texts {
            let out = pullpass_core::policy::lint(text, None, &Default::default());
            let source = Source {
                name: "dir/policy.json",
                text,
            };
            for with_source in [true, false] {
                let items: Vec<Item<'_>> = out
                    .diagnostics
                    .iter()
                    .map(|d| Item {
                        diagnostic: d,
                        source: (with_source && d.range().is_some()).then_some(source),
                    })
                    .collect();
                let indexes = super::super::line_indexes(&items);
                for item in &items {
                    let (mut fast, mut slow) = (Vec::new(), Vec::new());
                    let hand = super::render_one(item, &indexes, &renderer, true, &mut fast);
                    // Findings of a file (with their source) take the fast path; a finding
                    // without a range but with a fix has a third group and does not.
                    if item.source.is_some() {
                        assert!(hand, "{}", String::from_utf8_lossy(&fast));
                        by_hand += 1;
                    }
                    super::render_one(item, &indexes, &renderer, false, &mut slow);
                    assert_eq!(
                        String::from_utf8_lossy(&fast),
                        String::from_utf8_lossy(&slow)
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 100, "{compared}");
        assert!(by_hand > 100, "{by_hand} of {compared} by hand");
    }
}
