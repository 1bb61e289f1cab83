use super::{Cx, at, did_you_mean, replace_string};
use crate::declare_rule;
use crate::policy::model::{OPERATORS, Operator};

declare_rule! {
    /// ## What it does
    /// Reports a condition operator IAM does not know (`StringEqual`,
    /// `StringEqualsIgnorecase`, `ForAllValue:StringLike`) and suggests the closest one.
    /// Operator names are case-sensitive.
    ///
    /// ## Why is this bad
    /// IAM rejects the policy, or a tool that skips unknown operators drops the condition and
    /// with it the restriction you meant.
    ///
    /// ## Example
    /// ```json
    /// {"Condition": {"StringEqual": {"oidc.eks.us-east-1.amazonaws.com/id/X:sub": "system:serviceaccount:coder:coder"}}}
    /// ```
    ///
    /// ## Fix
    /// Use the operator's exact name; a close misspelling has a safe fix.
    pub(crate) static TP014 = ("unknown-condition-operator", "trust-policy", Error, "Unknown condition operator");
}

const QUALIFIERS: &[&str] = &["ForAllValues", "ForAnyValue"];

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for block in &stmt.conditions {
            let raw = &*block.member.key;
            let op = Operator::parse(raw);
            let qualifier_ok = op.qualifier.is_some() || !raw.contains(':');
            if op.is_known() && qualifier_ok {
                continue;
            }
            // Correct the qualifier and the base separately.
            let (qual, rest) = match raw.split_once(':') {
                Some((q, rest)) => {
                    let q = QUALIFIERS.iter().copied().find(|k| *k == q).or_else(|| did_you_mean(q, QUALIFIERS));
                    (Some(q), rest)
                }
                None => (None, raw),
            };
            let (base, suffix) = match rest.strip_suffix("IfExists").filter(|b| !b.is_empty()) {
                Some(b) => (b, "IfExists"),
                None => match rest.len().checked_sub(8).filter(|&i| rest.is_char_boundary(i)).map(|i| rest.split_at(i)) {
                    Some((b, s)) if s.eq_ignore_ascii_case("ifexists") && !b.is_empty() => (b, "IfExists"),
                    _ => (rest, ""),
                },
            };
            let base = OPERATORS.iter().copied().find(|k| *k == base).or_else(|| did_you_mean(base, OPERATORS));
            let suggestion = match (qual, base) {
                (Some(Some(q)), Some(b)) => Some(format!("{q}:{b}{suffix}")),
                (None, Some(b)) => Some(format!("{b}{suffix}")),
                _ => None,
            };
            let mut d = at(&TP014, format!("`{raw}` is not a condition operator; IAM rejects the policy"), block.pointer(), block.member.key_range);
            if let Some(s) = suggestion.filter(|s| s != raw) {
                d = d.help(format!("did you mean `{s}`?")).fix(replace_string(format!("Use `{s}`"), block.member.key_range, &s));
            } else {
                d = d.help("operators are StringEquals, StringLike, StringNotEquals, ArnLike, Bool, Null, … with optional ForAllValues:/ForAnyValue: and IfExists");
            }
            cx.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_with_did_you_mean() {
        for (typo, right) in [
            ("StringEqual", "StringEquals"),
            ("stringequals", "StringEquals"),
            ("StringEqualsIgnorecase", "StringEqualsIgnoreCase"),
            ("ForAllValue:StringEquals", "ForAllValues:StringEquals"),
            ("StringLikeIfexists", "StringLikeIfExists"),
        ] {
            let text = edit(IRSA, "\"StringEquals\"", &format!("\"{typo}\""));
            let d = fires("TP014", &text);
            assert_eq!(fixed(&text, &d[0]), edit(IRSA, "\"StringEquals\"", &format!("\"{right}\"")), "{typo}");
        }
        let d = fires("TP014", &edit(IRSA, "\"StringEquals\"", "\"Whatever\""));
        assert!(d[0].fix.is_none());
    }

    #[test]
    fn silent_on_known_operators() {
        silent("TP014", IRSA);
        for op in ["ForAnyValue:StringLike", "StringEqualsIfExists", "ArnLike", "Null", "Bool"] {
            silent("TP014", &edit(IRSA, "\"StringEquals\"", &format!("\"{op}\"")));
        }
    }
}
