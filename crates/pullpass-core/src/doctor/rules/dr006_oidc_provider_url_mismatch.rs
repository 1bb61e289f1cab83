//! DR006 `oidc-provider-url-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the provider's `Url` with the issuer the trust policy names (or the cluster's issuer).
    ///
    /// ## Why is this bad
    /// STS finds the provider by the token's issuer; a provider for another URL is a provider for
    /// another cluster.
    ///
    /// ## Example
    /// Provider `Url` `oidc.eks.us-west-2.amazonaws.com/id/AAAA…`, issuer `…/id/BBBB…`.
    ///
    /// ## Fix
    /// Create the provider for this cluster's issuer and name it in the trust policy.
    pub(crate) static DR006 = ("oidc-provider-url-mismatch", "doctor", Error, "The OIDC provider's URL is not the issuer");
}

use super::prelude::*;

/// `oidc.url`: the provider's URL is the issuer the trust policy (or the cluster) names.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let Some(Provider::Found { url, .. }) = f.provider.ok() else {
        return Outcome::pass("the provider list names the issuer");
    };
    let (expected, what) = match (cx.chosen.as_ref(), f.issuer.ok()) {
        (Some(c), _) => (
            c.provider.provider.clone(),
            "the provider the trust policy names",
        ),
        (None, Some(i)) => (i.path.clone(), "the cluster's issuer"),
        (None, None) => {
            return Outcome::needs(&[Input::TrustPolicy, Input::Issuer, Input::Cluster]);
        }
    };
    let actual = aws::normalize_provider(url.value.trim()).to_owned();
    if actual == expected {
        return Outcome::pass(format!("`{actual}`"));
    }
    let d = at(
        Diagnostic::new(&DR006, format!("the provider's URL is `{actual}`, but {what} is `{expected}`: this is a provider for another issuer")),
        url.range,
    )
    .with_help(format!("fetch (or create) the provider for `https://{expected}`"));
    Outcome::Finding(d, Some(Input::OidcProvider))
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr006_provider_for_another_issuer() {
        let mut inputs = sound();
        inputs.oidc_provider = Some(
            r#"{"Url": "oidc.eks.us-west-2.amazonaws.com/id/0000000000000000000000000000AAAA", "ClientIDList": ["sts.amazonaws.com"]}"#.to_owned(),
        );
        assert_only(&check_irsa(&inputs), "oidc.url", "DR006");
    }
}
