//! DR030 `registry-token-failed`.

crate::declare_rule! {
    /// ## What it does
    /// With `--live`, asks ECR for a registry token with your current credentials.
    ///
    /// ## Why is this bad
    /// If your own credentials cannot get a token, check the registry's region and the permissions
    /// (`ecr:GetAuthorizationToken` on `*`).
    ///
    /// ## Example
    /// `AccessDeniedException … ecr:GetAuthorizationToken`.
    ///
    /// ## Fix
    /// Grant `ecr:GetAuthorizationToken` on `Resource: "*"` and the pull actions on the repository.
    pub(crate) static DR030 = ("registry-token-failed", "doctor", Error, "A registry token could not be fetched");
}
