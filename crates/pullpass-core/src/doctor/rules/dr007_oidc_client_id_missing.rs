//! DR007 `oidc-client-id-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Checks that the provider's `ClientIDList` contains the audience of the projected token
    /// (`sts.amazonaws.com` unless the service account sets `eks.amazonaws.com/audience`).
    ///
    /// ## Why is this bad
    /// STS rejects the token with `InvalidIdentityToken: Incorrect token audience`.
    ///
    /// ## Example
    /// `ClientIDList: ["https://sts.amazonaws.com"]`.
    ///
    /// ## Fix
    /// `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <arn> --client-id sts.amazonaws.com`.
    pub(crate) static DR007 = ("oidc-client-id-missing", "doctor", Error, "The OIDC provider's client IDs lack the token's audience");
}

use super::prelude::*;

/// `oidc.client-id`: the provider's client IDs include the token's audience.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let Some(Provider::Found {
        client_ids,
        client_ids_range,
        ..
    }) = cx.f.provider.ok()
    else {
        return Outcome::needs(&[Input::OidcProvider, Input::Live]);
    };
    let audience = cx.f.audience();
    if client_ids.iter().any(|c| c.value == audience) {
        return Outcome::pass(format!("client IDs include `{audience}`"));
    }
    let ids: Vec<&str> = client_ids.iter().map(|c| c.value.as_str()).collect();
    let d = Diagnostic::new(&DR007, format!(
        "the provider's client IDs are [{}], without `{audience}`, the token's audience: STS answers `Incorrect token audience`",
        ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
    ))
    .with_range(*client_ids_range)
    .with_help(format!("`aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <arn> --client-id {audience}`"));
    Outcome::Finding(d, Some(Input::OidcProvider))
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr007_client_id_missing() {
        let mut inputs = sound();
        inputs.oidc_provider = Some(format!(
            r#"{{"Url": "{PROVIDER}", "ClientIDList": ["https://sts.amazonaws.com"]}}"#
        ));
        assert_only(&check_irsa(&inputs), "oidc.client-id", "DR007");
    }
}
