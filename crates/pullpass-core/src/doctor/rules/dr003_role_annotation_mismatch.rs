//! DR003 `role-annotation-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the role ARN in the `eks.amazonaws.com/role-arn` annotation with the role given with
    /// `--role-arn` (the role whose trust policy and permissions you set up).
    ///
    /// ## Why is this bad
    /// The pod assumes the annotated role, not the one you prepared: its trust policy and permissions
    /// are the ones that count.
    ///
    /// ## Example
    /// Annotation `arn:aws:iam::123456789012:role/old-role`, `--role-arn arn:aws:iam::123456789012:role/coder-ecr-pull`.
    ///
    /// ## Fix
    /// Put the intended role's ARN in the annotation (through the helm values) and restart the pods.
    pub(crate) static DR003 = ("role-annotation-mismatch", "doctor", Error, "The service account's annotation names another role");
}

use super::prelude::*;

/// `role.annotation`: the annotation names the role given with `--role-arn`.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let (Some(role), Some(annotated)) = (cx.f.role.ok(), cx.annotated.as_ref()) else {
        return Outcome::needs(&[Input::ServiceAccount, Input::HelmValues]);
    };
    if annotated.same_as(role) {
        return Outcome::pass(format!("the annotation names {}", role.text));
    }
    let located = cx.f.annotation(ROLE_ANNOTATION);
    let d = at(
        Diagnostic::new(&DR003, format!(
            "the service account is annotated with `{}`, not with `{}`: its pods assume the other role, whose trust policy and permissions are the ones that count",
            annotated.text, role.text
        )),
        located.and_then(|(l, _)| l.range),
    )
    .with_help(format!("set the annotation to `{}` in the helm values, `helm upgrade`, then restart the pods", role.text));
    Outcome::Finding(d, located.map(|(_, s)| s))
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr003_annotation_on_another_role() {
        let mut inputs = sound();
        inputs.role_arn = Some("arn:aws:iam::210987654321:role/other".to_owned());
        assert_only(&check_irsa(&inputs), "role.annotation", "DR003");
    }
}
