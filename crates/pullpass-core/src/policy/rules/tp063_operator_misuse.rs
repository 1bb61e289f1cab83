use super::{Cx, at, claim_key, move_entry_fix};
use crate::declare_rule;
use crate::diagnostic::{Edit, Fix, Severity};
use crate::policy::PolicyKind;
use crate::policy::glob;
use crate::policy::model::json_string;

declare_rule! {
    /// ## What it does
    /// Reports `Null` with an `IfExists` suffix (error), and in trust policies `StringLike` on
    /// the `aud` claim (warning).
    ///
    /// ## Why is this bad
    /// `Null` already tests whether the key exists; `NullIfExists` is rejected or meaningless.
    /// The audience is one exact value: a pattern on it admits tokens minted for other
    /// audiences.
    ///
    /// ## Example
    /// ```json
    /// {"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud": "sts.*"}}
    /// ```
    ///
    /// ## Fix
    /// `Null` without `IfExists` (safe fix); `aud` under `StringEquals` (a safe fix when the
    /// value has no wildcard).
    pub(crate) static TP063 = ("operator-misuse", "trust-policy", Error, "`Null` with `IfExists` (E); `StringLike` on `aud` (W)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let text = cx.text;
    let trust = cx.kind == Some(PolicyKind::Trust);
    for stmt in cx.statements() {
        for block in &stmt.conditions {
            if block.op.base == "Null" && block.op.if_exists {
                let plain = block.member.key.replacen("IfExists", "", 1);
                let mut d = at(&TP063, format!("`{}`: `Null` already tests whether the key exists, so `IfExists` makes no sense", block.member.key), block.pointer(), block.member.key_range);
                if !stmt.conditions.iter().any(|b| b.member.key == plain) {
                    d = d.fix(Fix::safe(format!("Use `{plain}`"), vec![Edit::replace(block.member.key_range, json_string(&plain))]));
                }
                cx.push(d);
            }
            if !trust || !block.op.is_string_like() {
                continue;
            }
            for entry in &block.entries {
                if !claim_key(entry.key).is_some_and(|(_, c)| c.eq_ignore_ascii_case("aud")) {
                    continue;
                }
                let target = block.member.key.replacen("StringLike", "StringEquals", 1);
                let mut d = at(&TP063, "`StringLike` on `aud`: the audience is one exact value; a pattern admits tokens minted for other audiences", entry.pointer(), entry.member.key_range)
                    .severity(Severity::Warning);
                if entry.values.iter().all(|v| !glob::has_wildcard(v.as_str()))
                    && let Some(fix) = move_entry_fix(text, stmt, block, entry, &target, format!("Put `aud` under `{target}`"))
                {
                    d = d.fix(fix);
                }
                cx.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;

    #[test]
    fn fires_on_null_if_exists_and_like_on_aud() {
        let text = edit(POD, "\"StringEquals\": {", "\"NullIfExists\": {\"aws:x\": \"false\"}, \"StringEquals\": {");
        let d = fires("TP063", &text);
        assert!(fixed(&text, &d[0]).contains("\"Null\": {"));
        let like = edit(IRSA, "\"StringEquals\"", "\"StringLike\"");
        let d = fires("TP063", &like);
        assert_eq!(d[0].severity, Severity::Warning);
        let out = fixed(&like, &d[0]);
        silent("TP063", &out);
        silent("TP001", &out);
    }

    #[test]
    fn silent_on_plain_null_and_equals() {
        silent("TP063", IRSA);
        silent("TP063", &edit(POD, "\"StringEquals\": {", "\"Null\": {\"aws:x\": \"false\"}, \"StringEquals\": {"));
    }
}
