//! DR026 `pod-identity-role-other-account`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the associated role's account with the cluster's account.
    ///
    /// ## Why is this bad
    /// A Pod Identity association takes a role of the cluster's own account; a role elsewhere needs
    /// `targetRoleArn` (role chaining) instead.
    ///
    /// ## Example
    /// Cluster in `111111111111`, association role in `222222222222`.
    ///
    /// ## Fix
    /// Associate a role of the cluster's account, and give the other account's role as `--target-role-arn`.
    pub(crate) static DR026 = ("pod-identity-role-other-account", "doctor", Error, "The Pod Identity role is in another account than the cluster");
}

use super::prelude::*;

/// `aws.account` (Pod Identity): the role is in the cluster's account, or the association
/// chains to a role of another account.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let Some(role_account) = cx.the_role().and_then(|r| r.account) else {
        return Outcome::needs(&[Input::RoleArn, Input::Association]);
    };
    let Some((_, _, cluster_account)) = f.cluster.ok().and_then(|c| c.arn.clone()) else {
        if matches!(f.cluster, Slot::Broken) {
            return Outcome::blocked("input.cluster");
        }
        return Outcome::needs(&[Input::Cluster]);
    };
    if role_account == cluster_account {
        return Outcome::pass(format!("both in account {role_account}"));
    }
    if let Some(target) = f.association.ok().and_then(|a| a.target_role_arn.clone()) {
        return Outcome::pass(format!("the role is in {role_account}, the cluster in {cluster_account}; the association chains to `{target}`"));
    }
    let d = Diagnostic::new(&DR026, format!(
        "the role is in account {role_account}, but the cluster is in {cluster_account}: an association takes a role of the cluster's own account"
    ))
    .with_help("associate a role of the cluster's account and give the other account's role as `--target-role-arn`");
    Outcome::Finding(d, None)
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn pod_identity_dr026_fails_only_its_link() {
        let mut i = pod_identity_sound();
        i.cluster = Some(i.cluster.unwrap().replace("210987654321", "333344445555"));
        assert_only(&check_pod_identity(&i), "aws.account", "DR026");
    }
}
