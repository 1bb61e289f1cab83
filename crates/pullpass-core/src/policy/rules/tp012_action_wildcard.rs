use super::{Cx, at, principal_classes};
use crate::declare_rule;
use crate::diagnostic::{Edit, Fix};
use crate::policy::model::json_string;

declare_rule! {
    /// ## What it does
    /// Reports `"Action": "*"` or `"sts:*"` in an `Allow` statement of a trust policy.
    ///
    /// ## Why is this bad
    /// The principal may then also tag sessions, set source identities and use every future
    /// STS action on this role; a trust policy should allow exactly the assume call its
    /// principal makes.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:*"}
    /// ```
    ///
    /// ## Fix
    /// List the actions: `sts:AssumeRoleWithWebIdentity` (IRSA), `["sts:AssumeRole",
    /// "sts:TagSession"]` (Pod Identity). The finding offers that replacement (not applied by
    /// `--fix`: it narrows what the policy allows).
    pub(crate) static TP012 = ("action-wildcard", "trust-policy", Error, "`Action` `*` or `sts:*` in a trust policy");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if !stmt.is_allow() {
            continue;
        }
        for a in &stmt.actions {
            let Some(action) = a.text else { continue };
            if action != "*" && !action.eq_ignore_ascii_case("sts:*") {
                continue;
            }
            let mut d = at(&TP012, format!("`{action}` allows every STS action on this role; allow only the assume action of the principal"), a.pointer_in(stmt.ptr("Action")), a.range());
            if let [class] = principal_classes(stmt)[..] {
                let actions = class.actions();
                let replacement = if a.index.is_none() && actions.len() > 1 && class != super::PrincipalClass::WebIdentity {
                    format!("[{}]", actions[..2].iter().map(|s| json_string(s)).collect::<Vec<_>>().join(", "))
                } else {
                    json_string(class.main_action())
                };
                d = d.with_fix(Fix::unsafe_(format!("Allow only {replacement}"), vec![Edit::replace(a.range(), replacement.clone())]));
            }
            cx.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_wildcards() {
        let text = edit(IRSA, "\"sts:AssumeRoleWithWebIdentity\"", "\"sts:*\"");
        let d = fires("TP012", &text);
        assert_eq!(fixed(&text, &d[0]), IRSA);
        let text = edit(POD, "[\"sts:AssumeRole\", \"sts:TagSession\"]", "\"*\"");
        let d = fires("TP012", &text);
        assert_eq!(fixed(&text, &d[0]), POD);
    }

    #[test]
    fn silent_on_named_actions() {
        silent("TP012", IRSA);
        silent("TP012", POD);
    }
}
