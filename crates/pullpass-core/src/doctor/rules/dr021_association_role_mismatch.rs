//! DR021 `association-role-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the association's `roleArn` with `--role-arn`.
    ///
    /// ## Why is this bad
    /// Pods get the associated role, not the one you prepared.
    ///
    /// ## Example
    /// Association `role/old-role`, `--role-arn …:role/coder-ecr-pull`.
    ///
    /// ## Fix
    /// `aws eks update-pod-identity-association --association-id <id> --role-arn <arn>`.
    pub(crate) static DR021 = ("association-role-mismatch", "doctor", Error, "The Pod Identity association names another role");
}

use super::prelude::*;

/// `association.role`: the association names the role given with `--role-arn`.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let (Some(a), Some(role)) = (cx.f.association.ok(), cx.f.role.ok()) else {
        return Outcome::needs(&[Input::Association, Input::RoleArn]);
    };
    let Some(located) = &a.role_arn else {
        return Outcome::needs(&[Input::Association]);
    };
    match aws::parse_role(&located.value, false) {
        Ok(actual) if actual.same_as(role) => Outcome::pass(format!("`{}`", actual.text)),
        _ => {
            let d = at(
                Diagnostic::new(&DR021, format!(
                    "the association names `{}`, not `{}`: pods get the other role",
                    located.value, role.text
                )),
                located.range,
            )
            .with_help(format!("`aws eks update-pod-identity-association --cluster-name <cluster> --association-id <id> --role-arn {}`", role.text));
            Outcome::Finding(d, Some(Input::Association))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn pod_identity_dr021_fails_only_its_link() {
        let mut i = pod_identity_sound();
        i.association = Some(
            i.association
                .unwrap()
                .replace("role/coder-ecr-pull", "role/old"),
        );
        assert_only(&check_pod_identity(&i), "association.role", "DR021");
    }
}
