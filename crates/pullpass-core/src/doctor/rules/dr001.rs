//! DR001 `input-unreadable`.

crate::declare_rule! {
    /// ## What it does
    /// Reads each artifact given to `pullpass doctor` (service account YAML, helm values, cluster,
    /// OIDC provider and association JSON, pod env) and reports the first syntax or shape error with
    /// its position.
    ///
    /// ## Why is this bad
    /// Every check that needs the artifact depends on it; doctor marks those checks "not checked"
    /// instead of guessing.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/pull
    ///   name: coder   # indented differently from the line above
    /// ```
    ///
    /// ## Fix
    /// Give the artifact as the tool printed it: `kubectl get sa <name> -o yaml`,
    /// `aws eks describe-cluster --name <name>`, `aws iam get-open-id-connect-provider --open-id-connect-provider-arn <arn>`.
    pub(crate) static DR001 = ("input-unreadable", "doctor", Error, "An artifact given to doctor could not be read");
}
