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

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr001_unreadable_input_blocks_only_its_dependents() {
        let mut inputs = sound();
        inputs.service_account = Some("metadata:\n  name: [coder\n".to_owned());
        inputs.helm_values = None;
        let list = check_irsa(&inputs);
        assert_only(&list, "input.service-account", "DR001");
        assert_eq!(
            list.get("sa.annotation").unwrap().blocked_by,
            Some("input.service-account")
        );
        // The failure points into the YAML.
        assert!(
            list.get("input.service-account")
                .unwrap()
                .diagnostic
                .as_ref()
                .unwrap()
                .range()
                .is_some()
        );
    }
}
