//! DR020 `association-service-account-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the association's `namespace` and `serviceAccount` with the service account checked.
    ///
    /// ## Why is this bad
    /// The agent gives credentials only to pods of the associated service account.
    ///
    /// ## Example
    /// Association `default/coder`, service account `coder/coder`.
    ///
    /// ## Fix
    /// `aws eks create-pod-identity-association --namespace coder --service-account coder …`
    /// (an association's namespace and service account cannot be updated).
    pub(crate) static DR020 = ("association-service-account-mismatch", "doctor", Error, "The Pod Identity association is for another service account");
}

use super::prelude::*;

/// `association.service-account`: the association is for the service account checked.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let Some(a) = f.association.ok() else {
        return Outcome::needs(&[Input::Association]);
    };
    let (ns, name) = match &f.expected_sa {
        Slot::Ok(pair) => pair,
        Slot::Broken => return Outcome::blocked("input.expect-service-account"),
        Slot::Absent if matches!(f.sa, Slot::Broken) => {
            return Outcome::blocked("input.service-account");
        }
        Slot::Absent => {
            return Outcome::needs(&[Input::ServiceAccount, Input::ExpectedServiceAccount]);
        }
    };
    let a_ns = a
        .namespace
        .as_ref()
        .map(|l| l.value.as_str())
        .unwrap_or_default();
    let a_name = a
        .service_account
        .as_ref()
        .map(|l| l.value.as_str())
        .unwrap_or_default();
    if a_ns == ns && a_name == name {
        return Outcome::pass(format!("`{ns}/{name}`"));
    }
    let range = if a_ns == ns {
        a.service_account.as_ref()
    } else {
        a.namespace.as_ref()
    }
    .and_then(|l| l.range);
    let d = at(
        Diagnostic::new(&DR020, format!(
            "the association is for `{a_ns}/{a_name}`, but the service account is `{ns}/{name}`: the agent gives its pods no credentials"
        )),
        range,
    )
    .with_help(format!(
        "create an association for it: `aws eks create-pod-identity-association --cluster-name <cluster> --namespace {ns} --service-account {name} --role-arn <role ARN>` (namespace and service account cannot be updated)"
    ));
    Outcome::Finding(d, Some(Input::Association))
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn pod_identity_dr020_fails_only_its_link() {
        let mut i = pod_identity_sound();
        i.association = Some(
            i.association
                .unwrap()
                .replace("\"namespace\": \"coder\"", "\"namespace\": \"default\""),
        );
        assert_only(
            &check_pod_identity(&i),
            "association.service-account",
            "DR020",
        );
    }
}
