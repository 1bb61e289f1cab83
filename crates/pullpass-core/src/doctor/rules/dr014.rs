//! DR014 `no-web-identity-statement`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for an `Allow` statement with a `Federated` OIDC provider principal.
    ///
    /// ## Why is this bad
    /// IRSA assumes the role with `sts:AssumeRoleWithWebIdentity` as the cluster's OIDC provider;
    /// without such a statement STS denies every pod.
    ///
    /// ## Example
    /// A trust policy that trusts only `ec2.amazonaws.com`, or only `pods.eks.amazonaws.com`.
    ///
    /// ## Fix
    /// Add the statement `pullpass trust-policy irsa …` generates.
    pub(crate) static DR014 = ("no-web-identity-statement", "doctor", Error, "The trust policy has no statement for an OIDC provider");
}
