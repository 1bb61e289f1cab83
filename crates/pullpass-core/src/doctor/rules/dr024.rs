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
