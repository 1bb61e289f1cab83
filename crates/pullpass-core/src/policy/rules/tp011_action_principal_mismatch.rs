use super::{Cx, PrincipalClass, at, principal_classes, replace_string};
use crate::declare_rule;
use crate::policy::glob;

declare_rule! {
    /// ## What it does
    /// Checks that the actions fit the principal: an OIDC provider needs
    /// `sts:AssumeRoleWithWebIdentity`, a SAML provider `sts:AssumeRoleWithSAML` (both plus
    /// optional `sts:TagSession` and `sts:SetSourceIdentity`), and EKS Pod Identity (`pods.eks.amazonaws.com`) `sts:AssumeRole`
    /// and `sts:TagSession`.
    ///
    /// ## Why is this bad
    /// The SDK calls exactly one of these APIs for each kind of identity. With the wrong one
    /// the call is denied: `not authorized to perform sts:AssumeRoleWithWebIdentity`.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},
    ///  "Action": "sts:AssumeRole"}
    /// ```
    ///
    /// ## Fix
    /// Use the action of the principal (`sts:AssumeRoleWithWebIdentity` for IRSA). When the
    /// statement has one kind of principal, replacing a wrong assume action is a safe fix.
    pub(crate) static TP011 = ("action-principal-mismatch", "trust-policy", Error, "Action does not fit the principal (OIDC, SAML, Pod Identity)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if !stmt.is_allow() || stmt.action.is_none() {
            continue;
        }
        let classes = principal_classes(stmt);
        if classes.is_empty() {
            continue;
        }
        let fits = |action: &str| {
            // The action is the pattern: whether it has a wildcard is asked once, not for
            // every action of every class.
            if glob::has_wildcard(action) {
                classes.iter().any(|c| c.actions().iter().any(|a| glob::matches_ignore_case(action, a)))
            } else {
                classes.iter().any(|c| c.actions().iter().any(|a| action.eq_ignore_ascii_case(a)))
            }
        };
        for a in &stmt.actions {
            let Some(action) = a.text else { continue };
            // `*` and `sts:*` are TP012's.
            // An action no service has is TP034's (with its did-you-mean).
            if action == "*" || action.eq_ignore_ascii_case("sts:*") || fits(action) || super::tp034_unknown_action::is_unknown(cx, action) {
                continue;
            }
            let pointer = a.pointer_in(stmt.ptr("Action"));
            // Pushed piece by piece (see `super::at`): "`A` does not work with X or Y: it
            // assumes roles with `a` or `b`".
            let mut message = ["`", action, "` does not work with "].concat();
            for (i, c) in classes.iter().enumerate() {
                message.push_str(if i == 0 { "" } else { " or " });
                message.push_str(c.describe());
            }
            for (i, c) in classes.iter().enumerate() {
                message.push_str(if i == 0 { ": it assumes roles with `" } else { "` or `" });
                message.push_str(c.main_action());
            }
            message.push('`');
            let mut d = at(&TP011, message, pointer, a.range());
            if let [class] = classes[..]
                && action.get(..14).is_some_and(|head| head.eq_ignore_ascii_case("sts:assumerole"))
                && !stmt.action_matches(class.main_action())
            {
                d = d.with_fix(replace_string(["Use `", class.main_action(), "`"].concat(), a.range(), class.main_action()));
            }
            cx.push(d);
        }
        // The main action missing altogether (only e.g. `sts:TagSession`).
        for class in classes.iter() {
            if *class != PrincipalClass::PodIdentity
                && classes.len() == 1
                && !stmt.action_matches(class.main_action())
                && stmt.actions.iter().all(|a| a.text.is_some_and(fits))
                && let Some(action) = stmt.action
            {
                cx.push(at(&TP011, format!("{} needs `{}`, which this statement does not allow", class.describe(), class.main_action()), stmt.ptr(&action.key), action.value.range));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_mismatched_actions() {
        let text = edit(IRSA, "\"sts:AssumeRoleWithWebIdentity\"", "\"sts:AssumeRole\"");
        let d = fires("TP011", &text);
        assert_eq!(fixed(&text, &d[0]), IRSA);
        fires("TP011", &edit(POD, "\"sts:AssumeRole\"", "\"sts:AssumeRoleWithWebIdentity\""));
        fires("TP011", &edit(IRSA, "\"sts:AssumeRoleWithWebIdentity\"", "\"sts:TagSession\""));
        fires("TP011", &edit(IRSA, "\"sts:AssumeRoleWithWebIdentity\"", "\"ecr:BatchGetImage\""));
    }

    #[test]
    fn silent_on_fitting_actions() {
        silent("TP011", IRSA);
        silent("TP011", POD);
        silent("TP011", &edit(IRSA, "\"sts:AssumeRoleWithWebIdentity\"", "[\"sts:AssumeRoleWithWebIdentity\", \"sts:TagSession\"]"));
        silent("TP011", &edit(IRSA, "\"sts:AssumeRoleWithWebIdentity\"", "\"STS:assumerolewithwebidentity\""));
        // The `https://aws.amazon.com/source_identity` claim needs sts:SetSourceIdentity.
        silent("TP011", &edit(IRSA, "\"sts:AssumeRoleWithWebIdentity\"", "[\"sts:AssumeRoleWithWebIdentity\", \"sts:SetSourceIdentity\"]"));
    }
}
