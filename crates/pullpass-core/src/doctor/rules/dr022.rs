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
