//! DR012 `static-keys-override-ambient`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for `AWS_ACCESS_KEY_ID` in the pod's environment.
    ///
    /// ## Why is this bad
    /// The SDK's default chain reads environment keys before web identity and container credentials,
    /// so the role is never used.
    ///
    /// ## Example
    /// `AWS_ACCESS_KEY_ID=AKIA…` next to `AWS_ROLE_ARN`.
    ///
    /// ## Fix
    /// Remove the key variables from the pod spec (and rotate the key if it was a long-lived one).
    pub(crate) static DR012 = ("static-keys-override-ambient", "doctor", Warning, "Static keys in the pod override IRSA / Pod Identity");
}

use super::prelude::*;

/// `pod.precedence` (IRSA; the tail of Pod Identity's): no static keys in the pod's
/// environment, which the SDK reads before any role.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let env = match cx.f.env.need(Input::PodEnv, &[Input::PodEnv]) {
        Ok(env) => env,
        Err(outcome) => return outcome,
    };
    let pod_identity = cx.mode == Mode::PodIdentity;
    if env.get("AWS_ACCESS_KEY_ID").is_some_and(|v| !v.value.is_empty()) {
        let d = Diagnostic::new(&DR012, format!(
            "the pod sets `AWS_ACCESS_KEY_ID`{}: the SDK reads environment keys before {}, so the role is never used",
            if env.get("AWS_SECRET_ACCESS_KEY").is_some() { " and `AWS_SECRET_ACCESS_KEY`" } else { "" },
            if pod_identity { "Pod Identity" } else { "web identity" }
        ))
        .with_help("remove the key variables from the pod spec (and rotate the key if it is a long-lived one)");
        return Outcome::Finding(d, None);
    }
    if pod_identity {
        return super::dr024_irsa_overrides_pod_identity::web_identity_env(env);
    }
    Outcome::pass("no static keys in the environment")
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr012_static_keys_and_their_value_never_quoted() {
        let mut inputs = sound();
        inputs.pod_env = Some(format!(
            "AWS_ROLE_ARN={ROLE}\nAWS_WEB_IDENTITY_TOKEN_FILE=/t\nAWS_ACCESS_KEY_ID=AKIAZZZZZZZZZZZZZZZZ\nAWS_SECRET_ACCESS_KEY=verysecretvalue/abc\n"
        ));
        let list = check_irsa(&inputs);
        assert_only(&list, "pod.precedence", "DR012");
        let text = format!("{list:?}");
        assert!(!text.contains("verysecretvalue"));
        assert!(!text.contains("AKIAZZZZ"));
    }
}
