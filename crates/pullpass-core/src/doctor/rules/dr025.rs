//! DR025 `association-cluster-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the association's `clusterName` with the cluster checked.
    ///
    /// ## Why is this bad
    /// Associations are per cluster; pods of this cluster never see it.
    ///
    /// ## Example
    /// Association in `staging`, cluster `prod`.
    ///
    /// ## Fix
    /// Create the association in this cluster.
    pub(crate) static DR025 = ("association-cluster-mismatch", "doctor", Error, "The Pod Identity association is in another cluster");
}
