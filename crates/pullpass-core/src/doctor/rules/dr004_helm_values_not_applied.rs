//! DR004 `helm-values-not-applied`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the annotation in the helm values with the annotation on the live service account.
    ///
    /// ## Why is this bad
    /// A difference means the values were not applied (`helm upgrade` not run, another release or
    /// values file), or the next upgrade will change the role.
    ///
    /// ## Example
    /// values.yaml names `role/coder-ecr-pull`, the service account still has `role/old-role`.
    ///
    /// ## Fix
    /// Run `helm upgrade <release> coder/coder --values values.yaml` with the values you checked, then
    /// restart the pods.
    pub(crate) static DR004 = ("helm-values-not-applied", "doctor", Error, "The helm values and the live service account disagree on the role");
}

use super::prelude::*;

/// `sa.helm`: the helm values name the role the live service account has.
pub(crate) fn check(cx: &mut Cx<'_>, run: &Run) -> Outcome {
    let f = cx.f;
    let (Slot::Ok(sa), Slot::Ok(helm)) = (&f.sa, &f.helm) else {
        if let Slot::Broken = f.sa {
            return Outcome::blocked("input.service-account");
        }
        if let Slot::Broken = f.helm {
            return Outcome::blocked("input.helm-values");
        }
        let missing: Vec<Input> = [
            (Input::ServiceAccount, matches!(f.sa, Slot::Absent)),
            (Input::HelmValues, matches!(f.helm, Slot::Absent)),
        ]
        .into_iter()
        .filter_map(|(i, absent)| absent.then_some(i))
        .collect();
        let flags: Vec<&str> = missing.iter().map(|i| i.flag()).collect();
        let detail = format!(
            "not checked: needs both --service-account and --helm-values; give {}",
            flags.join(" and ")
        );
        return Outcome::not_checked(missing, detail);
    };
    if run.failed("sa.annotation")
        && sa.annotation(ROLE_ANNOTATION).is_none()
        && helm.annotation(ROLE_ANNOTATION).is_none()
    {
        return Outcome::blocked("sa.annotation");
    }
    let live = sa.annotation(ROLE_ANNOTATION);
    let values = helm.annotation(ROLE_ANNOTATION);
    match (live, values) {
        (Some(l), Some(v)) if l.value.trim() == v.value.trim() => {
            Outcome::pass("the helm values and the live service account name the same role")
        }
        (Some(l), Some(v)) => {
            let d = at(
                Diagnostic::new(&DR004, format!(
                    "the helm values name `{}`, but the live service account has `{}`: the values were not applied, or belong to another release",
                    v.value.trim(), l.value.trim()
                )),
                v.range,
            )
            .with_help("run `helm upgrade <release> coder/coder --values <this file>`, then restart the pods");
            Outcome::Finding(d, Some(Input::HelmValues))
        }
        (Some(l), None) => {
            let d = Diagnostic::new(&DR004, format!(
                "the live service account has `{}`, but the helm values set no `{ROLE_ANNOTATION}`: the next `helm upgrade` removes it",
                l.value.trim()
            ))
            .with_help("add the annotation under `coderd.builtinProviderServiceAccount.annotations` in the values");
            Outcome::Finding(d, None)
        }
        // The live service account lacks the annotation: `sa.annotation` failed and says so.
        (None, _) => Outcome::blocked("sa.annotation"),
    }
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr004_helm_values_not_applied() {
        let mut inputs = sound();
        inputs.helm_values = Some(
            "coderd:\n  builtinProviderServiceAccount:\n    annotations:\n      eks.amazonaws.com/role-arn: arn:aws:iam::210987654321:role/next\n".to_owned(),
        );
        assert_only(&check_irsa(&inputs), "sa.helm", "DR004");
    }
}
