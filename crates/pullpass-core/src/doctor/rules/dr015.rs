//! DR015 `no-pod-identity-statement`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for an `Allow` statement with the `Service` principal `pods.eks.amazonaws.com`.
    ///
    /// ## Why is this bad
    /// EKS Pod Identity assumes the role as that service principal; without it the agent gets
    /// `AccessDenied`.
    ///
    /// ## Example
    /// A trust policy written for IRSA only.
    ///
    /// ## Fix
    /// Add the statement `pullpass trust-policy pod-identity …` generates.
    pub(crate) static DR015 = ("no-pod-identity-statement", "doctor", Error, "The trust policy does not trust `pods.eks.amazonaws.com`");
}
