//! DR004 `helm-values-not-applied`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the annotation in the helm values with the annotation on the live service account.
    ///
    /// ## Why is this bad
    /// A difference means the values were not applied (`helm upgrade` not run, another release or
    /// values file), or the next upgrade will change the role.
    ///
    /// ## Example
    /// values.yaml names `role/coder-ecr-pull`, the service account still has `role/old-role`.
    ///
    /// ## Fix
    /// Run `helm upgrade <release> coder/coder --values values.yaml` with the values you checked, then
    /// restart the pods.
    pub(crate) static DR004 = ("helm-values-not-applied", "doctor", Error, "The helm values and the live service account disagree on the role");
}
