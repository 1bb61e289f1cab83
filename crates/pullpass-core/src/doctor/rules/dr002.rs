//! DR002 `role-annotation-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for `eks.amazonaws.com/role-arn` on the service account, or under
    /// `coderd.builtinProviderServiceAccount.annotations` in the helm values.
    ///
    /// ## Why is this bad
    /// The EKS Pod Identity Webhook injects `AWS_ROLE_ARN` and the token file only into pods whose
    /// service account carries this annotation. Without it the pod has no IRSA credentials at all.
    ///
    /// ## Example
    /// ```yaml
    /// coderd:
    ///   builtinProviderServiceAccount:
    ///     annotations: {}
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// coderd:
    ///   builtinProviderServiceAccount:
    ///     annotations:
    ///       eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/coder-ecr-pull
    /// ```
    /// then `helm upgrade` and restart the pods.
    pub(crate) static DR002 = ("role-annotation-missing", "doctor", Error, "The service account has no `eks.amazonaws.com/role-arn` annotation");
}
