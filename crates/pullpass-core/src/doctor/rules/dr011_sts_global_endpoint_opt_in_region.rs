//! DR011 `sts-global-endpoint-opt-in-region`.

crate::declare_rule! {
    /// ## What it does
    /// Looks at `AWS_STS_REGIONAL_ENDPOINTS` (and the service account's
    /// `eks.amazonaws.com/sts-regional-endpoints`) and the pod's region.
    ///
    /// ## Why is this bad
    /// With `legacy` the SDK calls the global STS endpoint, whose session tokens are not valid in
    /// regions that need opting in: calls fail with `UnrecognizedClientException: The security token
    /// included in the request is invalid`.
    ///
    /// ## Example
    /// `AWS_REGION=ap-east-1`, `AWS_STS_REGIONAL_ENDPOINTS=legacy`.
    ///
    /// ## Fix
    /// Annotate the service account with `eks.amazonaws.com/sts-regional-endpoints: "true"` (or set
    /// `AWS_STS_REGIONAL_ENDPOINTS=regional`) and restart the pods.
    pub(crate) static DR011 = ("sts-global-endpoint-opt-in-region", "doctor", Error, "Global STS tokens in an opt-in region");
}

use super::prelude::*;

/// `pod.sts`: STS session tokens are valid in the pod's region (no global endpoint in a
/// region that must be opted into).
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let Some(env) = f.env.ok() else {
        return Outcome::needs(&[Input::PodEnv]);
    };
    let region = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .map(|v| v.value.clone())
        .or_else(|| f.issuer.ok().and_then(|i| i.region.clone()));
    let setting = env
        .get("AWS_STS_REGIONAL_ENDPOINTS")
        .map(|v| (v.value.clone(), Some(v.range), Input::PodEnv))
        .or_else(|| {
            f.sa.ok()
                .and_then(|s| s.annotation(STS_REGIONAL_ANNOTATION))
                .map(|a| {
                    (
                        if a.value.trim() == "false" {
                            "legacy".to_owned()
                        } else {
                            "regional".to_owned()
                        },
                        a.range,
                        Input::ServiceAccount,
                    )
                })
        });
    let Some(region) = region else {
        return Outcome::not_checked(
            vec![Input::PodEnv],
            "not checked: the pod sets no `AWS_REGION` and the issuer names no region",
        );
    };
    match setting {
        Some((value, range, source)) if value == "legacy" && aws::is_opt_in_region(&region) => {
            let d = at(
                Diagnostic::new(&DR011, format!(
                    "`AWS_STS_REGIONAL_ENDPOINTS=legacy` in {region}, a region that must be opted into: session tokens from the global STS endpoint are not valid there"
                )),
                range,
            )
            .with_help("annotate the service account with `eks.amazonaws.com/sts-regional-endpoints: \"true\"` (or set `AWS_STS_REGIONAL_ENDPOINTS=regional`), then restart the pods");
            Outcome::Finding(d, Some(source))
        }
        Some((value, ..)) => Outcome::pass(format!("STS endpoints `{value}` in {region}")),
        None => Outcome::pass(format!("the SDK's default (regional STS) in {region}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr011_legacy_sts_in_an_opt_in_region() {
        let mut inputs = sound();
        inputs.pod_env = Some(format!(
            "AWS_ROLE_ARN={ROLE}\nAWS_WEB_IDENTITY_TOKEN_FILE=/t\nAWS_REGION=ap-east-1\nAWS_STS_REGIONAL_ENDPOINTS=legacy\n"
        ));
        assert_only(&check_irsa(&inputs), "pod.sts", "DR011");
    }
}
