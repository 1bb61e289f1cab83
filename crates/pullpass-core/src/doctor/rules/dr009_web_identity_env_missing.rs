//! DR009 `web-identity-env-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Reads the pod's environment (`kubectl exec <pod> -- env`) for the variables the EKS Pod
    /// Identity Webhook injects.
    ///
    /// ## Why is this bad
    /// Without both, the SDK never reaches the web-identity provider and falls through to the node's
    /// instance role (or finds no credentials).
    ///
    /// ## Example
    /// `AWS_ROLE_ARN` set, `AWS_WEB_IDENTITY_TOKEN_FILE` absent.
    ///
    /// ## Fix
    /// Restart the pod after annotating its service account; check the pod runs under that service
    /// account and that the webhook runs (`kubectl get mutatingwebhookconfiguration pod-identity-webhook`).
    pub(crate) static DR009 = ("web-identity-env-missing", "doctor", Error, "The pod lacks `AWS_ROLE_ARN` or `AWS_WEB_IDENTITY_TOKEN_FILE`");
}

use super::prelude::*;

/// `pod.env` (IRSA): the webhook injected `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`.
pub(crate) fn check(cx: &mut Cx<'_>, run: &Run) -> Outcome {
    let Some(env) = cx.f.env.ok() else {
        return Outcome::needs(&[Input::PodEnv]);
    };
    let role = env.get("AWS_ROLE_ARN").filter(|v| !v.value.is_empty());
    let file = env
        .get("AWS_WEB_IDENTITY_TOKEN_FILE")
        .filter(|v| !v.value.is_empty());
    if role.is_some() && file.is_some() {
        return Outcome::pass("`AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` are set");
    }
    // Nothing injected because the annotation is missing: that link already failed.
    if role.is_none()
        && file.is_none()
        && let Some(by) = run.blocker(&["sa.annotation"])
    {
        return Outcome::blocked(by);
    }
    let pod_identity = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some();
    let message = match (role, file) {
        (None, None) => format!(
            "the pod has neither `AWS_ROLE_ARN` nor `AWS_WEB_IDENTITY_TOKEN_FILE`: the webhook did not inject IRSA into it{}",
            if pod_identity { " (it has the Pod Identity variables instead)" } else { "" }
        ),
        (Some(_), None) => "the pod has `AWS_ROLE_ARN` but no `AWS_WEB_IDENTITY_TOKEN_FILE`: the SDK cannot read the token, so the role is never assumed".to_owned(),
        _ => "the pod has `AWS_WEB_IDENTITY_TOKEN_FILE` but no `AWS_ROLE_ARN`: the SDK does not know which role to assume".to_owned(),
    };
    let d = Diagnostic::new(&DR009, message).with_help(
        "restart the pod after annotating its service account (`kubectl rollout restart deployment/<name>`); check the pod runs under that service account (`spec.serviceAccountName`) and that the webhook runs; if you set these variables by hand, set both",
    );
    Outcome::Finding(d, None)
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr009_token_file_missing_from_env() {
        let mut inputs = sound();
        inputs.pod_env = Some(format!("AWS_ROLE_ARN={ROLE}\nAWS_REGION=us-west-2\n"));
        let list = check_irsa(&inputs);
        assert_only(&list, "pod.env", "DR009");
        assert_eq!(list.get("pod.role").unwrap().blocked_by, Some("pod.env"));
    }
}
