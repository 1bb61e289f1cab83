//! DR010 `pod-env-role-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares `AWS_ROLE_ARN` in the pod with the service account's annotation (or `--role-arn`).
    ///
    /// ## Why is this bad
    /// The webhook injects the variables when the pod starts; a pod started before the annotation
    /// changed keeps the old role.
    ///
    /// ## Example
    /// Annotation `role/coder-ecr-pull`, pod env `AWS_ROLE_ARN=…:role/old-role`.
    ///
    /// ## Fix
    /// Restart the pods (`kubectl rollout restart deployment/coder`).
    pub(crate) static DR010 = ("pod-env-role-mismatch", "doctor", Error, "The pod's `AWS_ROLE_ARN` is not the annotated role");
}

use super::prelude::*;

/// `pod.role`: the pod's `AWS_ROLE_ARN` is the role the annotation names today.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let Some(env) = cx.f.env.ok() else {
        return Outcome::needs(&[Input::PodEnv]);
    };
    let Some(var) = env.get("AWS_ROLE_ARN").filter(|v| !v.value.is_empty()) else {
        return Outcome::blocked("pod.env");
    };
    let (expected, what) = match (cx.annotated.as_ref(), cx.f.role.ok()) {
        (Some(a), _) => (a, "the service account's annotation"),
        (None, Some(r)) => (r, "--role-arn"),
        (None, None) => {
            return Outcome::needs(&[Input::ServiceAccount, Input::HelmValues, Input::RoleArn]);
        }
    };
    match aws::parse_role(&var.value, false) {
        Ok(actual) if actual.same_as(expected) => {
            Outcome::pass(format!("`AWS_ROLE_ARN={}`", actual.text))
        }
        _ => {
            let d = Diagnostic::new(&DR010, format!(
                "the pod runs with `AWS_ROLE_ARN={}`, but {what} names `{}`: the pod started before the annotation changed",
                var.value, expected.text
            ))
            .with_range(var.range)
            .with_help("restart the pods (`kubectl rollout restart deployment/<name>`) so the webhook injects the current role");
            Outcome::Finding(d, Some(Input::PodEnv))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr010_pod_started_before_the_annotation_changed() {
        let mut inputs = sound();
        inputs.pod_env = Some(
            "AWS_ROLE_ARN=arn:aws:iam::210987654321:role/old\nAWS_WEB_IDENTITY_TOKEN_FILE=/t\nAWS_REGION=us-west-2\n".to_owned(),
        );
        assert_only(&check_irsa(&inputs), "pod.role", "DR010");
    }
}
