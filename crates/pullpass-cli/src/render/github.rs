//! GitHub Actions workflow commands (protocols.md):
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=<code>::<message>`.

use std::fmt::Write as _;

use pullpass_core::text::{ColumnUnit, LineIndex};
use pullpass_core::{Diagnostic, Severity};

/// `%`, `\r`, `\n` in a message.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also escape `:` and `,` (they separate properties).
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation line per finding of `path`.
pub(crate) fn render(path: &str, text: &str, diagnostics: &[Diagnostic], out: &mut String) {
    let index = LineIndex::new(text);
    for d in diagnostics {
        let command = match d.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let _ = write!(out, "::{command} file={}", escape_property(path));
        if let Some(range) = d.range() {
            let start = index.line_column(range.start, ColumnUnit::Char);
            let end = index.line_column(range.end, ColumnUnit::Char);
            let _ = write!(
                out,
                ",line={},col={},endLine={},endColumn={}",
                start.line, start.column, end.line, end.column
            );
        }
        let mut message = d.message().to_owned();
        if let Some(help) = d.help() {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            ",title={}::{}",
            escape_property(d.code()),
            escape_data(&message)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
