//! DR006 `oidc-provider-url-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the provider's `Url` with the issuer the trust policy names (or the cluster's issuer).
    ///
    /// ## Why is this bad
    /// STS finds the provider by the token's issuer; a provider for another URL is a provider for
    /// another cluster.
    ///
    /// ## Example
    /// Provider `Url` `oidc.eks.us-west-2.amazonaws.com/id/AAAA…`, issuer `…/id/BBBB…`.
    ///
    /// ## Fix
    /// Create the provider for this cluster's issuer and name it in the trust policy.
    pub(crate) static DR006 = ("oidc-provider-url-mismatch", "doctor", Error, "The OIDC provider's URL is not the issuer");
}
