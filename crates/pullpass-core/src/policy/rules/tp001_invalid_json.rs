use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::policy::json::ParseError;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports input that is not one strict JSON value: a syntax error (with its position), text
    /// that is not UTF-8, an input larger than any IAM policy, or nesting no policy has.
    ///
    /// ## Why is this bad
    /// IAM answers `MalformedPolicyDocument` and the role is never created or updated; a CI job
    /// that skips such a file silently checks nothing. IAM accepts no comments, no trailing
    /// commas and no single quotes.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",},]}
    /// ```
    ///
    /// ## Fix
    /// Correct the JSON at the reported position. A trailing comma has a safe fix: delete it.
    pub(crate) static TP001 = ("invalid-json", "trust-policy", Error, "The policy is not valid JSON (syntax, encoding, size or nesting)");
}

/// The finding for a parse error.
pub(crate) fn diagnostic(error: ParseError) -> Diagnostic {
    let mut d = Diagnostic::new(&TP001, format!("not valid JSON: {}", error.message));
    if let Some(range) = error.range {
        d = d.with_range(range);
    }
    if let Some(help) = error.help {
        d = d.with_help(help);
    }
    if let Some(edit) = error.fix {
        d = d.with_fix(Fix::safe("Remove the trailing comma", vec![edit]));
    }
    d
}

/// The finding for bytes that are not UTF-8.
pub(crate) fn not_utf8(valid_up_to: usize) -> Diagnostic {
    Diagnostic::new(
        &TP001,
        format!("not valid JSON: the input is not UTF-8 (first bad byte at offset {valid_up_to})"),
    )
    .with_help("save the policy as UTF-8; IAM accepts nothing else")
    .with_range(TextRange::new(valid_up_to, valid_up_to))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::policy::{LintContext, lint_bytes};

    #[test]
    fn fires_on_syntax_errors_with_position() {
        let text = "{\"Version\": \"2012-10-17\",\n \"Statement\": [],}";
        let d = fires("TP001", text);
        assert_eq!(d.len(), 1);
        let range = d[0].range().unwrap();
        assert_eq!(&text[range.as_usize_range()], ",");
        assert_eq!(fixed(text, &d[0]), "{\"Version\": \"2012-10-17\",\n \"Statement\": []}");
        fires("TP001", "");
        fires("TP001", "{\"a\": 1} // comment");
    }

    #[test]
    fn fires_on_bytes_that_are_not_utf8() {
        let out = lint_bytes(b"{\"a\": \"\xff\"}", None, &LintContext::default());
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].code(), "TP001");
        assert_eq!(out.diagnostics[0].range().unwrap().start, 7);
    }

    #[test]
    fn silent_on_valid_json() {
        silent("TP001", IRSA);
        silent("TP001", READ_ONLY);
    }
}
