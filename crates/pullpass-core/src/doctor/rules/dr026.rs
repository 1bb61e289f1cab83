//! DR026 `pod-identity-role-other-account`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the associated role's account with the cluster's account.
    ///
    /// ## Why is this bad
    /// A Pod Identity association takes a role of the cluster's own account; a role elsewhere needs
    /// `targetRoleArn` (role chaining) instead.
    ///
    /// ## Example
    /// Cluster in `111111111111`, association role in `222222222222`.
    ///
    /// ## Fix
    /// Associate a role of the cluster's account, and give the other account's role as `--target-role-arn`.
    pub(crate) static DR026 = ("pod-identity-role-other-account", "doctor", Error, "The Pod Identity role is in another account than the cluster");
}
