//! DR013 `role-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Reads IAM's answer for the role (`aws iam get-role`, or pullpass's `--live` call).
    ///
    /// ## Why is this bad
    /// A role that does not exist cannot be assumed; the annotation or `--role-arn` names a deleted or
    /// mistyped role, or the role lives in another account.
    ///
    /// ## Example
    /// `NoSuchEntity: The role with name coder-ecr-pul cannot be found.`
    ///
    /// ## Fix
    /// Create the role, or correct its name and account.
    pub(crate) static DR013 = ("role-missing", "doctor", Error, "The role does not exist");
}

use super::prelude::*;

/// Codes of the linter that make a trust policy invalid or unusable as a whole (TP061 first:
/// a placeholder explains the rest).
const VALIDITY: &[&str] = &[
    "TP061", "TP001", "TP002", "TP003", "TP004", "TP005", "TP006", "TP007", "TP012", "TP013",
    "TP014", "TP060", "TP064",
];

/// `trust.policy`: the role exists and its trust policy is valid (the linter's words).
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    match cx.f.trust.ok() {
        Some(TrustInput::RoleMissing(said)) => {
            let d = Diagnostic::new(&DR013, format!("IAM says the role does not exist: {}", said.trim_end_matches('.')))
                .with_help("create the role, or correct its name and account in `--role-arn` and the annotation");
            Outcome::Finding(d, None)
        }
        Some(TrustInput::Document(doc)) => {
            if let Some(d) = lint_finding(&doc.lint, VALIDITY, "", Severity::Error) {
                return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
            }
            let Some(policy) = cx.model else {
                return Outcome::blocked("input.trust-policy");
            };
            cx.policy = Some(policy);
            Outcome::pass(format!("{} statement(s)", policy.statements.len()))
        }
        // Gated on the input: not reached.
        None => Outcome::blocked("input.trust-policy"),
    }
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr013_role_missing() {
        let mut inputs = sound();
        inputs.trust_policy = Some("An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name coder-ecr-pull cannot be found.".to_owned());
        let list = check_irsa(&inputs);
        assert_only(&list, "trust.policy", "DR013");
        assert_eq!(
            list.get("trust.subject").unwrap().status,
            Status::NotChecked
        );
    }
}
