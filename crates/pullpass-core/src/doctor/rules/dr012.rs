//! DR012 `static-keys-override-ambient`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for `AWS_ACCESS_KEY_ID` in the pod's environment.
    ///
    /// ## Why is this bad
    /// The SDK's default chain reads environment keys before web identity and container credentials,
    /// so the role is never used.
    ///
    /// ## Example
    /// `AWS_ACCESS_KEY_ID=AKIA…` next to `AWS_ROLE_ARN`.
    ///
    /// ## Fix
    /// Remove the key variables from the pod spec (and rotate the key if it was a long-lived one).
    pub(crate) static DR012 = ("static-keys-override-ambient", "doctor", Warning, "Static keys in the pod override IRSA / Pod Identity");
}
