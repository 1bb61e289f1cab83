use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry_form::FormCheck;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks the access key ID, secret access key and session token for whitespace around
    /// them, and offers to trim it.
    ///
    /// ## Why is this bad
    /// Values pasted from a terminal, a CSV or a chat often carry a space or a line break.
    /// AWS compares them exactly, so a trailing newline turns a good key into
    /// `SignatureDoesNotMatch`.
    ///
    /// ## Example
    /// ```text
    /// "AKIAZ7XQ2M4N6P3R5T7V\n"
    /// ```
    ///
    /// ## Fix
    /// Trim the whitespace (the fix deletes it; it never repeats a secret).
    pub(crate) static RF037 = ("credential-whitespace", "registry-form", Warning, "Credential has leading or trailing whitespace");
}

/// Deletions of the whitespace around `value` (deletions only, so no secret is repeated).
fn trim_edits(value: &str) -> Vec<Edit> {
    let start = value.len() - value.trim_start().len();
    let end = value.trim_end().len().max(start);
    let mut edits = Vec::new();
    if start > 0 {
        edits.push(Edit::delete(TextRange::new(0, start)));
    }
    if end < value.len() {
        edits.push(Edit::delete(TextRange::new(end, value.len())));
    }
    edits
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    let form = f.form;
    let fields = [
        (
            "/accessKeyId",
            "access key ID",
            form.access_key_id.as_str(),
            false,
        ),
        (
            "/secretAccessKey",
            "secret access key",
            form.secret_access_key.expose(),
            true,
        ),
        (
            "/sessionToken",
            "session token",
            form.session_token.expose(),
            true,
        ),
    ];
    for (pointer, what, value, secret) in fields {
        if value.trim().is_empty() {
            continue;
        }
        let edits = trim_edits(value);
        if edits.is_empty() {
            continue;
        }
        let d = Diagnostic::new(&RF037, format!("the {what} has whitespace around it"))
            .with_help("pasted values often carry a space or a line break; AWS compares credentials exactly")
            .with_pointer(pointer)
            .with_fix(Fix::safe(format!("Trim the {what}"), edits));
        // Ranges into a secret are fine (they are offsets), but the CLI shows no snippet.
        out.push(if secret {
            d
        } else {
            d.with_range(TextRange::of(value))
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::{fixed, form_findings};
    use crate::registry_form::{FormContext, RegistryForm};

    const SECRET: &str = "Zq8mT3vB9xKp2LrN5sW7yC1dF4gH6jE0aU+/oIet";

    #[test]
    fn trims_every_credential_without_repeating_secrets() {
        let form = RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            access_key_id: " AKIAZ7XQ2M4N6P3R5T7V".into(),
            secret_access_key: format!("{SECRET}\n").into(),
            session_token: "\ttoken ".into(),
            ..RegistryForm::default()
        };
        let found = form_findings("RF037", &form, &FormContext::default());
        assert_eq!(found.len(), 3);
        assert_eq!(
            fixed(&found[0], " AKIAZ7XQ2M4N6P3R5T7V"),
            "AKIAZ7XQ2M4N6P3R5T7V"
        );
        assert_eq!(fixed(&found[1], &format!("{SECRET}\n")), SECRET);
        for d in &found {
            assert!(
                d.fix()
                    .unwrap()
                    .edits
                    .iter()
                    .all(|e| e.replacement.is_empty())
            );
        }
    }

    #[test]
    fn quiet_on_clean_values() {
        let form = RegistryForm {
            name: "prod".into(),
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            access_key_id: "AKIAZ7XQ2M4N6P3R5T7V".into(),
            secret_access_key: SECRET.into(),
            ..RegistryForm::default()
        };
        assert!(form_findings("RF037", &form, &FormContext::default()).is_empty());
    }
}
