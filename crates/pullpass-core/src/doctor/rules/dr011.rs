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
