//! DR024 `irsa-overrides-pod-identity`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for IRSA's `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` in the pod, or the
    /// `eks.amazonaws.com/role-arn` annotation, in a Pod Identity set-up.
    ///
    /// ## Why is this bad
    /// The SDK's default chain tries web identity before container credentials: the IRSA role wins.
    ///
    /// ## Example
    /// Service account annotated with a role and associated with another.
    ///
    /// ## Fix
    /// Remove the `eks.amazonaws.com/role-arn` annotation (helm values) and restart the pods.
    pub(crate) static DR024 = ("irsa-overrides-pod-identity", "doctor", Warning, "IRSA settings override Pod Identity");
}

use super::prelude::*;

/// `pod.precedence` (Pod Identity): neither an IRSA annotation nor IRSA's variables, which
/// the SDK takes before Pod Identity, nor static keys (DR012).
pub(crate) fn check(cx: &mut Cx<'_>, run: &Run) -> Outcome {
    if let Some(a) = cx.f.sa.ok().and_then(|s| s.annotation(ROLE_ANNOTATION)) {
        let d = at(
            Diagnostic::new(&DR024, format!(
                "the service account is also annotated with `{ROLE_ANNOTATION}: {}`: the webhook injects IRSA, and the SDK takes IRSA before Pod Identity",
                a.value
            )),
            a.range,
        )
        .with_help("remove the annotation (from the helm values too), then restart the pods");
        return Outcome::Finding(d, Some(Input::ServiceAccount));
    }
    super::dr012_static_keys_override_ambient::check(cx, run)
}

/// IRSA's variables in a Pod Identity pod (after the static keys, which beat both).
pub(crate) fn web_identity_env(env: &PodEnv) -> Outcome {
    if env.get("AWS_ROLE_ARN").is_some() && env.get("AWS_WEB_IDENTITY_TOKEN_FILE").is_some() {
        let var = env.get("AWS_ROLE_ARN");
        let d = at(
            Diagnostic::new(&DR024, "the pod also has IRSA's `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`: the SDK takes web identity before Pod Identity"),
            var.map(|v| v.range),
        )
        .with_help("remove the `eks.amazonaws.com/role-arn` annotation from the service account, then restart the pods");
        return Outcome::Finding(d, Some(Input::PodEnv));
    }
    Outcome::pass("no static keys in the environment")
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn pod_identity_dr024_fails_only_its_link() {
        let mut i = pod_identity_sound();
        i.service_account = Some(sa(&format!("    eks.amazonaws.com/role-arn: {ROLE}\n")));
        assert_only(&check_pod_identity(&i), "pod.precedence", "DR024");
    }
}
