use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::registry_form::FormCheck;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks that the registry name differs from every existing registry's name, ignoring
    /// case and surrounding whitespace (only when the existing names are supplied).
    ///
    /// ## Why is this bad
    /// Two registries called `Prod` and `prod` cannot be told apart in Import Image, and a
    /// config keyed by name would silently overwrite one with the other.
    ///
    /// ## Example
    /// ```json
    /// { "name": "Prod" }   // with an existing registry named "prod"
    /// ```
    ///
    /// ## Fix
    /// Choose another name, or edit the existing registry instead.
    pub(crate) static RF002 = ("registry-name-duplicate", "registry-form", Error, "Registry name already exists");
}

/// Case-insensitive comparison that also folds non-ASCII letters (`É` and `é`).
fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    let name = f.form.name.as_str();
    if name.trim().is_empty() {
        return;
    }
    if let Some(existing) = f.ctx.existing_names.iter().find(|e| same(e, name)) {
        out.push(
            Diagnostic::new(
                &RF002,
                format!("a registry named `{}` already exists", existing.trim()),
            )
            .with_help("choose another name, or edit the existing registry instead")
            .with_pointer("/name")
            .with_range(TextRange::of(name)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::rules::testing::form_findings;
    use crate::registry_form::{FormContext, RegistryForm};

    fn ctx() -> FormContext {
        FormContext {
            existing_names: vec!["prod".into(), "Équipe".into()],
        }
    }

    #[test]
    fn fires_on_case_insensitive_duplicates() {
        for name in ["prod", "PROD", " Prod ", "équipe"] {
            let form = RegistryForm {
                name: name.into(),
                ..RegistryForm::default()
            };
            assert_eq!(form_findings("RF002", &form, &ctx()).len(), 1, "{name}");
        }
    }

    #[test]
    fn quiet_on_new_names_and_without_context() {
        let form = RegistryForm {
            name: "staging".into(),
            ..RegistryForm::default()
        };
        assert!(form_findings("RF002", &form, &ctx()).is_empty());
        let form = RegistryForm {
            name: "prod".into(),
            ..RegistryForm::default()
        };
        assert!(form_findings("RF002", &form, &FormContext::default()).is_empty());
    }
}
