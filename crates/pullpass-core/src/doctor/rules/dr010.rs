//! DR010 `pod-env-role-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares `AWS_ROLE_ARN` in the pod with the service account's annotation (or `--role-arn`).
    ///
    /// ## Why is this bad
    /// The webhook injects the variables when the pod starts; a pod started before the annotation
    /// changed keeps the old role.
    ///
    /// ## Example
    /// Annotation `role/coder-ecr-pull`, pod env `AWS_ROLE_ARN=…:role/old-role`.
    ///
    /// ## Fix
    /// Restart the pods (`kubectl rollout restart deployment/coder`).
    pub(crate) static DR010 = ("pod-env-role-mismatch", "doctor", Error, "The pod's `AWS_ROLE_ARN` is not the annotated role");
}
