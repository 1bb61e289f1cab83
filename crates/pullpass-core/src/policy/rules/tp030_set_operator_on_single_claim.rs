use super::{Cx, at, claim_key};
use crate::declare_rule;
use crate::diagnostic::{Edit, Fix, Severity};
use crate::policy::model::{SetQualifier, json_string};

declare_rule! {
    /// ## What it does
    /// Reports `ForAllValues:` (error) and `ForAnyValue:` (warning) on the single-valued `sub`
    /// and `aud` keys.
    ///
    /// ## Why is this bad
    /// `ForAllValues:` is true when the key is missing from the request (the empty set), so the
    /// condition stops restricting anything. `ForAnyValue:` on a single value only obscures
    /// what a plain operator says.
    ///
    /// ## Example
    /// ```json
    /// {"ForAllValues:StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:coder:coder"}}
    /// ```
    ///
    /// ## Fix
    /// Drop the prefix (a safe fix when no block of that name exists yet).
    pub(crate) static TP030 = ("set-operator-on-single-valued-claim", "trust-policy", Error, "`ForAllValues:` (E) or `ForAnyValue:` (W) on `sub`/`aud`");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for block in &stmt.conditions {
            let Some(qualifier) = block.op.qualifier else { continue };
            let claims: Vec<&str> = block
                .entries
                .iter()
                .filter_map(|e| claim_key(e.key).map(|(_, c)| c))
                .filter(|c| c.eq_ignore_ascii_case("sub") || c.eq_ignore_ascii_case("aud"))
                .collect();
            let Some(claim) = claims.first() else { continue };
            let raw = &*block.member.key;
            let plain = raw.split_once(':').map_or(raw, |(_, rest)| rest);
            let (message, severity) = match qualifier {
                SetQualifier::ForAllValues => (format!("`{raw}` on the single-valued `{claim}` is true when the key is absent: the condition restricts nothing"), Severity::Error),
                SetQualifier::ForAnyValue => (format!("`{raw}` on the single-valued `{claim}`: a set operator on one value; use `{plain}`"), Severity::Warning),
            };
            let mut d = at(&TP030, message, block.pointer(), block.member.key_range)
                .severity(severity)
                .help(format!("move the `{claim}` condition under `{plain}`"));
            let collides = stmt.conditions.iter().any(|b| b.member.key == plain);
            let only_single = block.entries.len() == claims.len();
            if !collides && only_single {
                d = d.fix(Fix::safe(format!("Use `{plain}`"), vec![Edit::replace(block.member.key_range, json_string(plain))]));
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
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(fixed(&text, &d[0]), IRSA);
        let d = fires("TP030", &edit(IRSA, "\"StringEquals\"", "\"ForAnyValue:StringEquals\""));
        assert_eq!(d[0].severity, Severity::Warning);
    }

    #[test]
    fn silent_on_plain_operators() {
        silent("TP030", IRSA);
        silent("TP030", &edit(POD, "\"StringEquals\"", "\"ForAnyValue:StringEquals\""));
    }
}
