//! DR007 `oidc-client-id-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Checks that the provider's `ClientIDList` contains the audience of the projected token
    /// (`sts.amazonaws.com` unless the service account sets `eks.amazonaws.com/audience`).
    ///
    /// ## Why is this bad
    /// STS rejects the token with `InvalidIdentityToken: Incorrect token audience`.
    ///
    /// ## Example
    /// `ClientIDList: ["https://sts.amazonaws.com"]`.
    ///
    /// ## Fix
    /// `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <arn> --client-id sts.amazonaws.com`.
    pub(crate) static DR007 = ("oidc-client-id-missing", "doctor", Error, "The OIDC provider's client IDs lack the token's audience");
}
