//! DR005 `oidc-provider-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Checks that the role's account has an IAM OIDC identity provider for the issuer the trust
    /// policy names.
    ///
    /// ## Why is this bad
    /// STS answers `InvalidIdentityToken: No OpenIDConnect provider found in your account` and no
    /// pod can assume the role.
    ///
    /// ## Example
    /// `aws iam get-open-id-connect-provider` answers `NoSuchEntity`.
    ///
    /// ## Fix
    /// `eksctl utils associate-iam-oidc-provider --cluster <name> --approve`, or
    /// `aws iam create-open-id-connect-provider --url <issuer> --client-id-list sts.amazonaws.com`.
    pub(crate) static DR005 = ("oidc-provider-missing", "doctor", Error, "No IAM OIDC provider exists for the cluster's issuer");
}

use super::prelude::*;

/// `oidc.provider`: IAM has an OIDC provider for the issuer the trust policy names.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let chosen = cx.chosen.as_ref();
    let Some(provider) = f.provider.ok() else {
        return Outcome::needs(&[Input::OidcProvider, Input::Live]);
    };
    let issuer = chosen
        .map(|c| c.provider.provider.clone())
        .or_else(|| f.issuer.ok().map(|i| i.path.clone()));
    let create = |issuer: Option<&str>| {
        format!(
            "create it: `eksctl utils associate-iam-oidc-provider --cluster <name> --approve`, or `aws iam create-open-id-connect-provider --url https://{} --client-id-list sts.amazonaws.com`",
            issuer.unwrap_or("<issuer>")
        )
    };
    match provider {
        Provider::Found { url, .. } => Outcome::pass(format!(
            "IAM has a provider for `{}`",
            aws::normalize_provider(url.value.trim())
        )),
        Provider::NotFound(said) => {
            let d = Diagnostic::new(
                &DR005,
                format!(
                    "IAM has no OIDC provider {}: {said}",
                    chosen.map_or_else(String::new, |c| format!("`{}`", c.provider.arn()))
                ),
            )
            .with_help(create(issuer.as_deref()));
            Outcome::Finding(d, None)
        }
        Provider::List(arns) => {
            let found = match (chosen, &issuer) {
                (Some(c), _) => arns.contains(&c.provider.arn()),
                (None, Some(i)) => arns
                    .iter()
                    .any(|a| a.ends_with(&format!(":oidc-provider/{i}"))),
                (None, None) => {
                    return Outcome::needs(&[Input::TrustPolicy, Input::Issuer, Input::Cluster]);
                }
            };
            if found {
                return Outcome::pass(format!(
                    "the account's providers include `{}`",
                    issuer.unwrap_or_default()
                ));
            }
            let d = Diagnostic::new(
                &DR005,
                format!(
                    "none of the account's {} OIDC provider(s) is for `{}`",
                    arns.len(),
                    issuer.as_deref().unwrap_or_default()
                ),
            )
            .with_help(create(issuer.as_deref()));
            Outcome::Finding(d, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr005_no_provider_blocks_url_and_client_ids() {
        let mut inputs = sound();
        inputs.oidc_provider = Some("An error occurred (NoSuchEntity) when calling the GetOpenIDConnectProvider operation: OpenIDConnect Provider not found".to_owned());
        let list = check_irsa(&inputs);
        assert_only(&list, "oidc.provider", "DR005");
        assert_eq!(
            list.get("oidc.client-id").unwrap().blocked_by,
            Some("oidc.provider")
        );
    }
}
