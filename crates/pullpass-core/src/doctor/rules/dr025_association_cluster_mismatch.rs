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

use super::prelude::*;

/// `association.cluster`: the association is in the cluster checked.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let (Some(a), Some(cluster)) = (cx.f.association.ok(), cx.f.cluster.ok()) else {
        return Outcome::needs(&[Input::Association, Input::Cluster]);
    };
    let (Some(assoc), Some(name)) = (&a.cluster_name, &cluster.name) else {
        return Outcome::needs(&[Input::Cluster, Input::Association]);
    };
    if assoc.value == *name {
        return Outcome::pass(format!("`{name}`"));
    }
    let d = at(
        Diagnostic::new(
            &DR025,
            format!(
                "the association is in cluster `{}`, but the cluster checked is `{name}`",
                assoc.value
            ),
        ),
        assoc.range,
    )
    .with_help(format!("create the association in `{name}`"));
    Outcome::Finding(d, Some(Input::Association))
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn pod_identity_dr025_fails_only_its_link() {
        let mut i = pod_identity_sound();
        i.association = Some(
            i.association
                .unwrap()
                .replace("\"clusterName\": \"prod\"", "\"clusterName\": \"staging\""),
        );
        assert_only(&check_pod_identity(&i), "association.cluster", "DR025");
    }
}
