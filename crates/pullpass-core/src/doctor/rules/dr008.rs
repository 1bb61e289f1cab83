//! DR008 `token-audience-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the `:aud` condition of the trust policy with the audience the pod's token carries
    /// (`eks.amazonaws.com/audience`, default `sts.amazonaws.com`).
    ///
    /// ## Why is this bad
    /// The condition never matches, so STS denies `sts:AssumeRoleWithWebIdentity`.
    ///
    /// ## Example
    /// Trust policy `"…:aud": "my-app"`, service account without an audience annotation.
    ///
    /// ## Fix
    /// Make the two equal: `sts.amazonaws.com` in both is the usual choice.
    pub(crate) static DR008 = ("token-audience-mismatch", "doctor", Error, "The trust policy's `aud` is not the token's audience");
}
