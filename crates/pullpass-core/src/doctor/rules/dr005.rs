//! DR005 `oidc-provider-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Checks that the role's account has an IAM OIDC identity provider for the issuer the trust
    /// policy names.
    ///
    /// ## Why is this bad
    /// STS answers `InvalidIdentityToken: No OpenIDConnect provider found in your account` and no
    /// pod can assume the role.
    ///
    /// ## Example
    /// `aws iam get-open-id-connect-provider` answers `NoSuchEntity`.
    ///
    /// ## Fix
    /// `eksctl utils associate-iam-oidc-provider --cluster <name> --approve`, or
    /// `aws iam create-open-id-connect-provider --url <issuer> --client-id-list sts.amazonaws.com`.
    pub(crate) static DR005 = ("oidc-provider-missing", "doctor", Error, "No IAM OIDC provider exists for the cluster's issuer");
}
