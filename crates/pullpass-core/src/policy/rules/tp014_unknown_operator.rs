use super::{Cx, at, did_you_mean, rename_block_fix};
use crate::declare_rule;
use crate::policy::model::OPERATORS;

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
    /// Use the operator's exact name; a close misspelling has a safe fix. When the statement
    /// already has a block of the right operator, the fix moves the entries into it (a rename
    /// would make a duplicate key, and JSON readers keep only one of the two blocks); when the
    /// two blocks name the same condition key, no fix is offered.
    pub(crate) static TP014 = ("unknown-condition-operator", "trust-policy", Error, "Unknown condition operator");
}

const QUALIFIERS: &[&str] = &["ForAllValues", "ForAnyValue"];

pub(crate) fn check(cx: &mut Cx<'_>) {
    let text = cx.text;
    for stmt in cx.statements() {
        for block in &stmt.conditions {
            let raw = &*block.member.key;
            let op = block.op;
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
                (Some(Some(q)), Some(b)) => Some([q, ":", b, suffix].concat()),
                (None, Some(b)) => Some([b, suffix].concat()),
                _ => None,
            };
            let mut d = at(&TP014, ["`", raw, "` is not a condition operator; IAM rejects the policy"].concat(), block.pointer(), block.member.key_range);
            if let Some(s) = suggestion.filter(|s| s != raw) {
                d = d.with_help(["did you mean `", &s, "`?"].concat());
                if let Some(fix) = rename_block_fix(text, stmt, block, &s, ["Use `", &s, "`"].concat()) {
                    d = d.with_fix(fix);
                }
            } else {
                d = d.with_help("operators are StringEquals, StringLike, StringNotEquals, ArnLike, Bool, Null, … with optional ForAllValues:/ForAnyValue: and IfExists");
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
        assert!(d[0].fix().is_none());
    }

    #[test]
    fn merges_into_an_existing_block_never_a_duplicate_key() {
        // Issue 15 #2: renaming `StringEqual` next to a `StringEquals` made a duplicate key and
        // JSON readers kept one of them, dropping the `:sub` condition.
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEqual":{"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub":"system:serviceaccount:coder:coder"},"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud":"sts.amazonaws.com"}}}]}"#;
        let d = fires("TP014", text);
        let out = fixed(text, &d[0]);
        silent("TP006", &out);
        silent("TP014", &out);
        assert!(out.contains(r#""Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub":"system:serviceaccount:coder:coder", "oidc"#), "{out}");
        // Both blocks name the same key: no fix.
        let clash = text.replace(":aud\":\"sts.amazonaws.com", ":sub\":\"system:serviceaccount:a:b");
        let d = fires("TP014", &clash);
        assert!(d[0].fix().is_none(), "{:?}", d[0].fix());
        // The typo block after the right one, pretty-printed.
        let pretty = edit(IRSA, "\"Condition\": {\n", "\"Condition\": {\n        \"StringEqual\": {\"aws:x\": \"y\"},\n");
        let d = fires("TP014", &pretty);
        let out = fixed(&pretty, &d[0]);
        silent("TP006", &out);
        silent("TP014", &out);
        assert!(out.contains("\"aws:x\""), "{out}");
    }

    #[test]
    fn silent_on_known_operators() {
        silent("TP014", IRSA);
        for op in ["ForAnyValue:StringLike", "StringEqualsIfExists", "ArnLike", "Null", "Bool"] {
            silent("TP014", &edit(IRSA, "\"StringEquals\"", &format!("\"{op}\"")));
        }
    }
}
