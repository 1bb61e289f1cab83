//! DR023 `session-tags-disabled`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for `aws:RequestTag/…` conditions in the trust policy when the association has
    /// `disableSessionTags: true`.
    ///
    /// ## Why is this bad
    /// Without session tags the conditions never match and the agent gets `AccessDenied`.
    ///
    /// ## Example
    /// `"StringEquals": {"aws:RequestTag/kubernetes-namespace": "coder"}` with tags disabled.
    ///
    /// ## Fix
    /// Enable session tags on the association (`--no-disable-session-tags`) or drop the tag conditions.
    pub(crate) static DR023 = ("session-tags-disabled", "doctor", Error, "Trust conditions on session tags that the association does not send");
}
