//! DR022 `pod-identity-env-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Reads the pod's environment for `AWS_CONTAINER_CREDENTIALS_FULL_URI`
    /// (`http://169.254.170.23/v1/credentials`) and `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    ///
    /// ## Why is this bad
    /// Without them the SDK never asks the Pod Identity agent.
    ///
    /// ## Example
    /// Neither variable in `kubectl exec <pod> -- env`.
    ///
    /// ## Fix
    /// Install the `eks-pod-identity-agent` add-on, create the association before the pod starts, and
    /// restart the pod.
    pub(crate) static DR022 = ("pod-identity-env-missing", "doctor", Error, "The pod lacks the Pod Identity variables");
}

use super::prelude::*;

/// The endpoints of the Pod Identity agent (IPv4 and IPv6).
const AGENT_URIS: [&str; 2] = [
    "http://169.254.170.23/v1/credentials",
    "http://[fd00:ec2::23]/v1/credentials",
];

/// `pod.env` (Pod Identity): EKS injected the agent's URI and the token file.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let Some(env) = cx.f.env.ok() else {
        return Outcome::needs(&[Input::PodEnv]);
    };
    let uri = env
        .get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .filter(|v| !v.value.is_empty());
    let file = env
        .get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        .filter(|v| !v.value.is_empty());
    match (uri, file) {
        (Some(u), Some(_)) if AGENT_URIS.contains(&u.value.as_str()) => Outcome::pass(format!(
            "`AWS_CONTAINER_CREDENTIALS_FULL_URI={}` and the token file are set",
            u.value
        )),
        (Some(u), Some(_)) => {
            let d = Diagnostic::new(&DR022, format!(
                "`AWS_CONTAINER_CREDENTIALS_FULL_URI={}` is not the Pod Identity agent (`http://169.254.170.23/v1/credentials`)",
                u.value
            ))
            .with_range(u.range)
            .with_help("remove the hand-set variable and let EKS inject it; restart the pod");
            Outcome::Finding(d, Some(Input::PodEnv))
        }
        (u, f) => {
            let missing: Vec<&str> = [
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", u.is_none()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", f.is_none()),
            ]
            .into_iter()
            .filter_map(|(n, m)| m.then_some(n))
            .collect();
            let d = Diagnostic::new(&DR022, format!(
                "the pod lacks `{}`: EKS did not inject Pod Identity into it",
                missing.join("` and `")
            ))
            .with_help("install the `eks-pod-identity-agent` add-on, create the association before the pod starts, then restart the pod");
            Outcome::Finding(d, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn pod_identity_dr022_fails_only_its_link() {
        let mut i = pod_identity_sound();
        i.pod_env = Some("HOSTNAME=x\n".to_owned());
        assert_only(&check_pod_identity(&i), "pod.env", "DR022");
    }
}
