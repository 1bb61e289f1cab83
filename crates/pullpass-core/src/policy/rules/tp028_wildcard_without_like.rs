use super::{Cx, at, move_entry_fix};
use crate::declare_rule;
use crate::diagnostic::Applicability;
use crate::policy::glob;

declare_rule! {
    /// ## What it does
    /// Reports `*` or `?` in a value under `StringEquals`, `StringNotEquals` or their
    /// `IgnoreCase` forms (with any `ForAllValues:`/`ForAnyValue:` prefix or `IfExists` suffix).
    ///
    /// ## Why is this bad
    /// These operators compare literally: `system:serviceaccount:coder:*` matches only a service
    /// account named `*`, which cannot exist, so the role can never be assumed.
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:coder:*"}}
    /// ```
    ///
    /// ## Fix
    /// Use `StringLike` (`StringNotLike`), which treats `*` and `?` as wildcards; values without
    /// wildcards mean the same under both. The fix renames the operator or moves the key into
    /// the statement's `StringLike` block. It is **unsafe** (applied only with
    /// `--unsafe-fixes`): the policy as written admits nobody, the fixed one admits every
    /// subject the pattern matches (`system:serviceaccount:*` is every service account of the
    /// cluster). Better still: name the exact value.
    pub(crate) static TP028 = ("wildcard-without-like", "trust-policy", Error, "`*` or `?` in a value under a `StringEquals`-family operator");
}

/// `${*}`, `${?}`, `${$}` are escapes for literal characters, not wildcards.
/// Without a `$` there is no escape to remove (and no copy to make).
fn has_real_wildcard(value: &str) -> bool {
    glob::has_wildcard(value) && (!super::has_byte(value, b'$') || glob::has_wildcard(&value.replace("${*}", "").replace("${?}", "")))
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let text = cx.text;
    for stmt in cx.statements() {
        for block in &stmt.conditions {
            if !block.op.is_string_equals_family() {
                continue;
            }
            for entry in &block.entries {
                for v in entry.values.iter().filter(|v| v.is_string() && has_real_wildcard(v.as_str())) {
                    let like = match block.op.base {
                        "StringEquals" => Some("StringLike"),
                        "StringNotEquals" => Some("StringNotLike"),
                        _ => None,
                    };
                    let mut d = at(
                        &TP028,
                        ["`", &block.member.key, "` compares literally, so `", v.as_str(), "` matches only a value with a real `*`/`?`, never as a wildcard"].concat(),
                        v.pointer_in(entry.pointer()),
                        v.range(),
                    );
                    if let Some(like) = like {
                        let target = block.member.key.replacen(block.op.base, like, 1);
                        d = d.with_help(["use `", &target, "` for wildcards, or name the exact value"].concat());
                        // Unsafe: it turns a literal that admits nobody into a pattern that admits
                        // every subject it matches.
                        if let Some(fix) = move_entry_fix(text, stmt, block, entry, &target, ["Use `", &target, "` for this key (admits every value the pattern matches)"].concat()) {
                            d = d.with_fix(fix.with_applicability(Applicability::Unsafe));
                        }
                    } else {
                        d = d.with_help("`…IgnoreCase` operators have no wildcard form; name the exact value or use `StringLike`");
                    }
                    cx.push(d);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::diagnostic::Applicability;
    use crate::policy::{LintContext, lint};

    #[test]
    fn fires_and_renames_a_lone_block() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub":"system:serviceaccount:coder:*"}}}]}"#;
        let d = fires("TP028", text);
        let out = fixed(text, &d[0]);
        assert!(out.contains("\"StringLike\":{\"oidc"), "{out}");
        silent("TP028", &out);
    }

    #[test]
    fn moves_the_key_out_of_a_shared_block() {
        let text = edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:coder:*\"");
        let d = fires("TP028", &text);
        let out = fixed(&text, &d[0]);
        silent("TP028", &out);
        // Still valid JSON with the aud under StringEquals and the sub under StringLike.
        let again = lint(&out, None, &LintContext::default());
        assert!(again.diagnostics.iter().all(|d| d.code() != "TP001"), "{out}");
        assert!(out.contains("\"StringLike\": {\"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\": \"system:serviceaccount:coder:*\"}"), "{out}");
        // A pretty-printed policy stays one member per line, with no trailing spaces.
        assert!(out.contains("\"Condition\": {\n        \"StringLike\": {"), "{out}");
        assert!(out.contains("\"system:serviceaccount:coder:*\"},\n        \"StringEquals\""), "{out}");
        assert!(!out.lines().any(|l| l.ends_with(' ')), "{out}");
        // Into an existing StringLike block.
        let both = edit(&text, "\"Condition\": {", "\"Condition\": {\"StringLike\": {\"aws:x\": \"y\"},");
        let d = fires("TP028", &both);
        let out = fixed(&both, &d[0]);
        silent("TP028", &out);
        silent("TP006", &out);
    }

    #[test]
    fn the_fix_widens_what_is_admitted_so_it_is_unsafe() {
        // Issue 15 #1: `--fix` turned a policy that admits nobody into one that admits every
        // service account of the cluster.
        let text = edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:*\"");
        let d = fires("TP028", &text);
        let fix = d[0].fix().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
    }

    #[test]
    fn silent_on_literals_and_like() {
        silent("TP028", IRSA);
        silent("TP028", &edit(&edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:coder:*\""), "StringEquals", "StringLike"));
        silent("TP028", &edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"a${*}b\""));
    }
}
