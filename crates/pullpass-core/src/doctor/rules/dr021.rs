//! DR021 `association-role-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the association's `roleArn` with `--role-arn`.
    ///
    /// ## Why is this bad
    /// Pods get the associated role, not the one you prepared.
    ///
    /// ## Example
    /// Association `role/old-role`, `--role-arn …:role/coder-ecr-pull`.
    ///
    /// ## Fix
    /// `aws eks update-pod-identity-association --association-id <id> --role-arn <arn>`.
    pub(crate) static DR021 = ("association-role-mismatch", "doctor", Error, "The Pod Identity association names another role");
}
