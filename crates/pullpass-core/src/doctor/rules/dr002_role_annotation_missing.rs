//! DR002 `role-annotation-missing`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for `eks.amazonaws.com/role-arn` on the service account, or under
    /// `coderd.builtinProviderServiceAccount.annotations` in the helm values.
    ///
    /// ## Why is this bad
    /// The EKS Pod Identity Webhook injects `AWS_ROLE_ARN` and the token file only into pods whose
    /// service account carries this annotation. Without it the pod has no IRSA credentials at all.
    ///
    /// ## Example
    /// ```yaml
    /// coderd:
    ///   builtinProviderServiceAccount:
    ///     annotations: {}
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// coderd:
    ///   builtinProviderServiceAccount:
    ///     annotations:
    ///       eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/coder-ecr-pull
    /// ```
    /// then `helm upgrade` and restart the pods.
    pub(crate) static DR002 = ("role-annotation-missing", "doctor", Error, "The service account has no `eks.amazonaws.com/role-arn` annotation");
}

use super::prelude::*;

/// `sa.annotation`: the service account (or, without it, the helm values) names a role.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let f = cx.f;
    let source = match (&f.sa, &f.helm) {
        (Slot::Ok(_), _) => Input::ServiceAccount,
        (_, Slot::Ok(_)) => Input::HelmValues,
        (Slot::Broken, _) => return Outcome::blocked("input.service-account"),
        (_, Slot::Broken) => return Outcome::blocked("input.helm-values"),
        _ => return Outcome::needs(&[Input::ServiceAccount, Input::HelmValues]),
    };
    let Some((located, source)) = f.annotation(ROLE_ANNOTATION) else {
        return missing(f, source);
    };
    match aws::parse_role(&located.value, false) {
        Ok(role) => {
            let detail = format!("`{ROLE_ANNOTATION}: {}`", role.text);
            cx.annotated = Some(role);
            Outcome::Pass(detail)
        }
        Err(why) => {
            let d = at(
                Diagnostic::new(&RF050, format!("the `{ROLE_ANNOTATION}` annotation is not a role ARN: {why}")),
                located.range,
            )
            .with_help("put the full role ARN there, e.g. `arn:aws:iam::123456789012:role/coder-ecr-pull` (the product doc's `my-role-arn` is a placeholder)");
            Outcome::Finding(d, Some(source))
        }
    }
}

fn missing(f: &Facts, source: Input) -> Outcome {
    let message = match source {
        Input::ServiceAccount => format!(
            "the service account {} has no `{ROLE_ANNOTATION}` annotation, so the webhook gives its pods no IRSA credentials{}",
            f.sa.ok().and_then(|s| s.name.clone()).unwrap_or_default(),
            match f.helm.ok().and_then(|h| h.annotation(ROLE_ANNOTATION)) {
                Some(v) => format!(
                    " (the helm values set `{}`: they were never applied)",
                    v.value.trim()
                ),
                None => String::new(),
            }
        ),
        _ => {
            let helm = f.helm.ok();
            match helm.and_then(|h| h.misplaced.clone()) {
                Some((path, _)) => format!(
                    "the helm values set `{path}`, but the chart reads `coderd.builtinProviderServiceAccount.annotations`: the annotation is never applied"
                ),
                None => format!(
                    "the helm values set no `{ROLE_ANNOTATION}` annotation under `{}`",
                    helm.and_then(|h| h.path.clone()).unwrap_or_else(|| "coderd.builtinProviderServiceAccount.annotations".to_owned())
                ),
            }
        }
    };
    let mut d = Diagnostic::new(&DR002, message)
        .with_help("set `coderd.builtinProviderServiceAccount.annotations.\"eks.amazonaws.com/role-arn\"` to the role ARN in the helm values, `helm upgrade`, then restart the pods");
    if let Some((_, range)) = f
        .helm
        .ok()
        .and_then(|h| h.misplaced.clone())
        .filter(|_| source == Input::HelmValues)
    {
        d = d.with_range(range);
    }
    Outcome::Finding(d, Some(source))
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr002_missing_annotation_suppresses_the_pod_env() {
        let mut inputs = sound();
        inputs.service_account = Some(sa("    other: x\n"));
        inputs.helm_values = None;
        inputs.pod_env = Some("HOSTNAME=coder-0\n".to_owned());
        let list = check_irsa(&inputs);
        assert_only(&list, "sa.annotation", "DR002");
        assert_eq!(list.get("pod.env").unwrap().status, Status::NotChecked);
        assert_eq!(
            list.get("pod.env").unwrap().blocked_by,
            Some("sa.annotation")
        );
    }

    #[test]
    fn dr002_misplaced_helm_block_is_named() {
        let mut inputs = sound();
        inputs.service_account = None;
        inputs.helm_values = Some(format!(
            "coderd:\n  image: x\nbuiltinProviderServiceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: {ROLE}\n"
        ));
        inputs.pod_env = None;
        let list = check_irsa(&inputs);
        assert_only(&list, "sa.annotation", "DR002");
        let msg = &list.get("sa.annotation").unwrap().detail;
        assert!(msg.contains("`builtinProviderServiceAccount`"), "{msg}");
    }
}
