//! DR030 `registry-token-failed`.

crate::declare_rule! {
    /// ## What it does
    /// With `--live`, asks ECR for a registry token with your current credentials.
    ///
    /// ## Why is this bad
    /// If your own credentials cannot get a token, check the registry's region and the permissions
    /// (`ecr:GetAuthorizationToken` on `*`).
    ///
    /// ## Example
    /// `AccessDeniedException … ecr:GetAuthorizationToken`.
    ///
    /// ## Fix
    /// Grant `ecr:GetAuthorizationToken` on `Resource: "*"` and the pull actions on the repository.
    pub(crate) static DR030 = ("registry-token-failed", "doctor", Error, "A registry token could not be fetched");
}

use super::prelude::*;

/// `live.token`: with `--live`, the registry-token attempt the caller made.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let registry = &cx.f.registry;
    let Some(attempt) = cx.inputs.registry_token.as_ref() else {
        let (needs, flags) = if matches!(registry, Slot::Ok(_)) {
            (vec![Input::Live], "--live")
        } else {
            (vec![Input::Live, Input::Registry], "--live and --registry")
        };
        return Outcome::not_checked(
            needs,
            format!("not checked: give {flags} to try a registry token"),
        );
    };
    if attempt.ok {
        return Outcome::pass(attempt.detail.clone());
    }
    let host = match registry.ok() {
        Some(
            Registry::Private { host, .. } | Registry::Public { host } | Registry::Other { host },
        ) => host.clone(),
        None => "the registry".to_owned(),
    };
    let d = Diagnostic::new(&DR030, format!(
        "no token for {host} with your current credentials: {}",
        attempt.detail
    ))
    .with_help("this uses your credentials, not the pod's role: check `aws sts get-caller-identity`, the registry's region, and that your identity may call `ecr:GetAuthorizationToken` on `*`");
    Outcome::Finding(d, None)
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr030_registry_token_failure() {
        let mut inputs = sound();
        inputs.registry_token = Some(TokenAttempt {
            ok: false,
            detail: "AccessDeniedException: not authorized to perform ecr:GetAuthorizationToken"
                .to_owned(),
        });
        assert_only(&check_irsa(&inputs), "live.token", "DR030");
    }
}
