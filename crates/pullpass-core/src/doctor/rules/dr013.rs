//! DR013 `role-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Reads IAM's answer for the role (`aws iam get-role`, or pullpass's `--live` call).
    ///
    /// ## Why is this bad
    /// A role that does not exist cannot be assumed; the annotation or `--role-arn` names a deleted or
    /// mistyped role, or the role lives in another account.
    ///
    /// ## Example
    /// `NoSuchEntity: The role with name coder-ecr-pul cannot be found.`
    ///
    /// ## Fix
    /// Create the role, or correct its name and account.
    pub(crate) static DR013 = ("role-missing", "doctor", Error, "The role does not exist");
}
