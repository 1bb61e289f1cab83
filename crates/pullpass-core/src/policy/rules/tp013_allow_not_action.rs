use super::{Cx, at};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement with `NotAction` in a trust policy.
    ///
    /// ## Why is this bad
    /// `NotAction` allows every action except the listed ones, including actions added to STS
    /// later. A trust policy should allow the one assume action its principal uses.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "NotAction": "sts:AssumeRoleWithSAML"}
    /// ```
    ///
    /// ## Fix
    /// Replace `NotAction` with `Action` listing the needed actions.
    pub(crate) static TP013 = ("allow-with-not-action", "trust-policy", Error, "Allow with `NotAction`");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if let Some(n) = stmt.not_action
            && stmt.is_allow()
        {
            cx.push(
                at(&TP013, "`Allow` with `NotAction` allows every other action, including future ones", stmt.ptr(&n.key), n.key_range)
                    .with_help("use `Action` with the assume action of the principal"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_allow_not_action() {
        fires("TP013", &edit(POD, "\"Action\"", "\"NotAction\""));
    }

    #[test]
    fn silent_on_action_or_deny() {
        silent("TP013", POD);
        silent("TP013", &edit(&edit(POD, "\"Action\"", "\"NotAction\""), "\"Allow\"", "\"Deny\""));
    }
}
