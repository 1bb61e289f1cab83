use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::registry_form::FormCheck;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks the registry name: required once surrounding whitespace is trimmed, 1–64
    /// characters, no control or invisible (zero-width, bidi-override) characters. Surrounding
    /// whitespace alone is a warning with a trim fix.
    ///
    /// ## Why is this bad
    /// The name is how people pick the registry in Import Image and how the config refers to
    /// it; a blank, overlong or invisible-character name cannot be told apart or typed.
    ///
    /// ## Example
    /// ```json
    /// { "name": "   " }
    /// ```
    ///
    /// ## Fix
    /// Enter a short, printable name such as `prod-ecr`.
    pub(crate) static RF001 = ("registry-name-invalid", "registry-form", Error, "Registry name is blank, too long or has control characters");
}

const NAME: &str = "/name";

/// Zero-width spaces, the byte-order mark and bidirectional overrides: invisible on screen and
/// never part of a real name. (The zero-width joiners and direction marks that emoji and
/// right-to-left scripts need are allowed.)
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    let name = f.form.name.as_str();
    let trimmed = name.trim();
    if trimmed.is_empty() {
        let d = Diagnostic::new(&RF001, "the registry name is required")
            .with_help("enter a short name people will recognise, e.g. `prod-ecr`")
            .with_pointer(NAME);
        out.push(if name.is_empty() {
            d
        } else {
            d.with_range(TextRange::of(name))
        });
        return;
    }
    // Leading/trailing line breaks and tabs are whitespace handled by the trim below.
    let (start, end) = (name.len() - name.trim_start().len(), name.trim_end().len());
    if let Some((i, c)) = name
        .char_indices()
        .filter(|(i, _)| (start..end).contains(i))
        .find(|(_, c)| c.is_control() || is_invisible(*c))
    {
        let what = if c.is_control() {
            "a control"
        } else {
            "an invisible"
        };
        out.push(
            Diagnostic::new(
                &RF001,
                format!(
                    "the registry name contains {what} character (U+{:04X})",
                    u32::from(c)
                ),
            )
            .with_help("use printable characters only; an invisible character makes two names look the same")
            .with_pointer(NAME)
            .with_range(TextRange::new(i, i + c.len_utf8())),
        );
    }
    let chars = trimmed.chars().count();
    if chars > 64 {
        out.push(
            Diagnostic::new(
                &RF001,
                format!("the registry name is {chars} characters long; at most 64 are allowed"),
            )
            .with_help("use a shorter name")
            .with_pointer(NAME)
            .with_range(TextRange::of(name)),
        );
    }
    if trimmed.len() != name.len() {
        let start = name.len() - name.trim_start().len();
        let mut edits = Vec::new();
        if start > 0 {
            edits.push(Edit::delete(TextRange::new(0, start)));
        }
        if name.trim_end().len() < name.len() {
            edits.push(Edit::delete(TextRange::new(
                name.trim_end().len(),
                name.len(),
            )));
        }
        out.push(
            Diagnostic::new(&RF001, "the registry name has whitespace around it")
                .with_severity(Severity::Warning)
                .with_help("remove it; names are compared after trimming")
                .with_pointer(NAME)
                .with_range(TextRange::of(name))
                .with_fix(Fix::safe("Trim the name", edits)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::registry_form::rules::testing::{fixed, form_codes, form_findings};
    use crate::registry_form::{FormContext, RegistryForm};

    fn named(name: &str) -> RegistryForm {
        RegistryForm {
            name: name.into(),
            host: "ghcr.io".into(),
            kind: crate::registry_form::RegistryKind::Generic,
            ..RegistryForm::default()
        }
    }

    #[test]
    fn blank_long_and_control_names_are_errors() {
        for name in [
            "",
            "   ",
            "a\u{7}b",
            &"x".repeat(65),
            // Invisible: `prod\u{200B}` looks like `prod` and slips past RF002.
            "prod\u{200B}",
            "\u{FEFF}prod",
            "pr\u{202E}od",
            // A control character inside, after a leading tab the trim handles.
            "\tpr\u{7}od",
        ] {
            let found = form_findings("RF001", &named(name), &FormContext::default());
            assert!(
                found.iter().any(|d| d.severity() == Severity::Error),
                "{name:?}: {found:?}"
            );
        }
    }

    #[test]
    fn surrounding_whitespace_warns_with_a_trim() {
        let found = form_findings("RF001", &named(" prod \n"), &FormContext::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity(), Severity::Warning);
        assert_eq!(fixed(&found[0], " prod \n"), "prod");
    }

    #[test]
    fn quiet_on_good_names() {
        for name in [
            "prod",
            "Prod ECR (eu-west-1)",
            "レジストリ",
            "Prod – Frankfurt 🇩🇪",
            "👩‍💻 team",
            "ثبت\u{200C}نام",
            &"x".repeat(64),
        ] {
            assert!(
                !form_codes(&named(name), &FormContext::default()).contains(&"RF001"),
                "{name}"
            );
        }
    }
}
