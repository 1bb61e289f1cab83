//! DR020 `association-service-account-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the association's `namespace` and `serviceAccount` with the service account checked.
    ///
    /// ## Why is this bad
    /// The agent gives credentials only to pods of the associated service account.
    ///
    /// ## Example
    /// Association `default/coder`, service account `coder/coder`.
    ///
    /// ## Fix
    /// `aws eks create-pod-identity-association --namespace coder --service-account coder …`
    /// (an association's namespace and service account cannot be updated).
    pub(crate) static DR020 = ("association-service-account-mismatch", "doctor", Error, "The Pod Identity association is for another service account");
}
