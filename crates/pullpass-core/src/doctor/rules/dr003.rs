//! DR003 `role-annotation-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the role ARN in the `eks.amazonaws.com/role-arn` annotation with the role given with
    /// `--role-arn` (the role whose trust policy and permissions you set up).
    ///
    /// ## Why is this bad
    /// The pod assumes the annotated role, not the one you prepared: its trust policy and permissions
    /// are the ones that count.
    ///
    /// ## Example
    /// Annotation `arn:aws:iam::123456789012:role/old-role`, `--role-arn arn:aws:iam::123456789012:role/coder-ecr-pull`.
    ///
    /// ## Fix
    /// Put the intended role's ARN in the annotation (through the helm values) and restart the pods.
    pub(crate) static DR003 = ("role-annotation-mismatch", "doctor", Error, "The service account's annotation names another role");
}
