use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::{Edit, Fix, Severity};
use crate::policy::model::{SetQualifier, json_string};

declare_rule! {
    /// ## What it does
    /// Warns on `ForAllValues:` and `ForAnyValue:` on the single-valued `sub` and `aud` keys.
    ///
    /// ## Why is this bad
    /// Set operators are meant for multivalued keys ("Set operators for multivalued context
    /// keys", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>).
    /// `ForAllValues:` is also true when the key is missing from the request (the empty set).
    /// For `sub` and `aud` that does not open the role today: STS rejects a web identity token
    /// without them (`Missing a required claim: aud`), so the condition still restricts, and
    /// such policies work (configure-aws-credentials#318). It is a warning, not an error: the
    /// shape is misleading and copied onto keys that can be absent, where it does admit
    /// everyone. `ForAnyValue:` on a single value only obscures what a plain operator says.
    ///
    /// ## Example
    /// ```json
    /// {"ForAllValues:StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:coder:coder"}}
    /// ```
    ///
    /// ## Fix
    /// Drop the prefix (a safe fix when no block of that name exists yet).
    pub(crate) static TP030 = ("set-operator-on-single-valued-claim", "trust-policy", Warning, "`ForAllValues:` or `ForAnyValue:` on the single-valued `sub`/`aud`");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for block in &stmt.conditions {
            let Some(qualifier) = block.op.qualifier else { continue };
            let claims: Vec<&str> = block
                .entries
                .iter()
                .filter_map(|e| e.claim.map(|(_, c)| c))
                .filter(|c| c.eq_ignore_ascii_case("sub") || c.eq_ignore_ascii_case("aud"))
                .collect();
            let Some(claim) = claims.first() else { continue };
            let raw = &*block.member.key;
            let plain = raw.split_once(':').map_or(raw, |(_, rest)| rest);
            let (message, severity) = match qualifier {
                SetQualifier::ForAllValues => (format!("`{raw}` on the single-valued `{claim}`: a set operator that is also true when the key is absent; it works here only because STS tokens always carry `{claim}`"), Severity::Warning),
                SetQualifier::ForAnyValue => (format!("`{raw}` on the single-valued `{claim}`: a set operator on one value; use `{plain}`"), Severity::Warning),
            };
            let mut d = at(&TP030, message, block.pointer(), block.member.key_range)
                .with_severity(severity)
                .with_help(format!("move the `{claim}` condition under `{plain}`"));
            let collides = stmt.conditions.iter().any(|b| b.member.key == plain);
            let only_single = block.entries.len() == claims.len();
            if !collides && only_single {
                d = d.with_fix(Fix::safe(format!("Use `{plain}`"), vec![Edit::replace(block.member.key_range, json_string(plain))]));
            }
            cx.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;

    #[test]
    fn fires_on_set_operators() {
        let text = edit(IRSA, "\"StringEquals\"", "\"ForAllValues:StringEquals\"");
        let d = fires("TP030", &text);
        assert_eq!(d[0].severity(), Severity::Warning);
        assert_eq!(fixed(&text, &d[0]), IRSA);
        let d = fires("TP030", &edit(IRSA, "\"StringEquals\"", "\"ForAnyValue:StringEquals\""));
        assert_eq!(d[0].severity(), Severity::Warning);
    }

    #[test]
    fn silent_on_plain_operators() {
        silent("TP030", IRSA);
        silent("TP030", &edit(POD, "\"StringEquals\"", "\"ForAnyValue:StringEquals\""));
    }
}
