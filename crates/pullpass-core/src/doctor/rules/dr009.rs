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
