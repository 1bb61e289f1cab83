use super::{Cx, at};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Notes a condition key that appears under both a `StringEquals`-family and a
    /// `StringLike` operator in one statement.
    ///
    /// ## Why is this bad
    /// All operators of a statement must match, so the value must satisfy both: the
    /// `StringLike` pattern adds nothing, or the two contradict and nothing matches. Usually a
    /// leftover of editing.
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"…:sub": "system:serviceaccount:coder:coder"}, "StringLike": {"…:sub": "system:serviceaccount:coder:*"}}
    /// ```
    ///
    /// ## Fix
    /// Keep one of the two.
    pub(crate) static TP031 = ("equals-and-like-on-one-key", "trust-policy", Info, "The same key under StringEquals and StringLike: both must match");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        // The keys under StringEquals operators, walked again for each StringLike entry rather
        // than collected: most statements have no StringLike block, and a list cost them an
        // allocation each.
        let equals = stmt.conditions.iter().filter(|b| b.op.is_string_equals_family()).flat_map(|b| b.entries.iter().map(|e| e.key));
        for block in stmt.conditions.iter().filter(|b| b.op.is_string_like()) {
            for e in &block.entries {
                if equals.clone().any(|k| k.eq_ignore_ascii_case(e.key)) {
                    cx.push(at(&TP031, format!("`{}` is also under a StringEquals operator: both must match, so one of them is redundant or they contradict", e.key), e.pointer(), e.member.key_range).with_help("keep one of the two"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_the_same_key_twice() {
        fires("TP031", &edit(IRSA, "\"Condition\": {", "\"Condition\": {\"StringLike\": {\"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\": \"system:serviceaccount:coder:*\"},"));
    }

    #[test]
    fn silent_on_separate_keys() {
        silent("TP031", IRSA);
    }
}
