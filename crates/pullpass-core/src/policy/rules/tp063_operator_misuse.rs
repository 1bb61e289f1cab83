use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::{Edit, Fix, Severity};
use crate::policy::PolicyKind;
use crate::policy::glob;
use crate::policy::model::json_string;

declare_rule! {
    /// ## What it does
    /// Reports `Null` with an `IfExists` suffix (error), and in trust policies a wildcard in an
    /// `aud` value under `StringLike` (warning). `StringLike` on `aud` with a plain value is the
    /// same as `StringEquals` and is not reported.
    ///
    /// ## Why is this bad
    /// `Null` already tests whether the key exists; `NullIfExists` is rejected or meaningless
    /// ("Condition operators", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null>).
    /// `StringLike` without `*` or `?` compares exactly, like `StringEquals`, so it is harmless.
    /// A wildcard in the audience admits tokens minted for other audiences, as far as the
    /// policy goes; STS still rejects a token whose `aud` is not a client ID of the IAM OIDC
    /// provider (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html>),
    /// so the pattern only widens what the provider's client-ID list already allows.
    ///
    /// ## Example
    /// ```json
    /// {"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud": "sts.*"}}
    /// ```
    ///
    /// ## Fix
    /// `Null` without `IfExists` (safe fix); the exact audience, `sts.amazonaws.com`, for `aud`.
    pub(crate) static TP063 = ("operator-misuse", "trust-policy", Error, "`Null` with `IfExists` (E); a wildcard in `aud` (W)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let trust = cx.kind == Some(PolicyKind::Trust);
    for stmt in cx.statements() {
        for block in &stmt.conditions {
            if block.op.base == "Null" && block.op.if_exists {
                let plain = block.member.key.replacen("IfExists", "", 1);
                let mut d = at(&TP063, format!("`{}`: `Null` already tests whether the key exists, so `IfExists` makes no sense", block.member.key), block.pointer(), block.member.key_range);
                if !stmt.conditions.iter().any(|b| b.member.key == plain) {
                    d = d.with_fix(Fix::safe(format!("Use `{plain}`"), vec![Edit::replace(block.member.key_range, json_string(&plain))]));
                }
                cx.push(d);
            }
            if !trust || !block.op.is_string_like() {
                continue;
            }
            for entry in &block.entries {
                if !entry.claim.is_some_and(|(_, c)| c.eq_ignore_ascii_case("aud")) {
                    continue;
                }
                for v in entry.values.iter().filter(|v| glob::has_wildcard(v.as_str())) {
                    cx.push(
                        at(&TP063, format!("`{}` in `aud`: the pattern admits tokens minted for other audiences (STS still requires the audience to be a client ID of the OIDC provider)", v.as_str()), v.pointer_in(entry.pointer()), v.range())
                            .with_severity(Severity::Warning)
                            .with_help("write the exact audience, `sts.amazonaws.com` for IRSA"),
                    );
                }
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
        let like = edit(&edit(IRSA, "\"StringEquals\"", "\"StringLike\""), "\"sts.amazonaws.com\"", "\"sts.*\"");
        let d = fires("TP063", &like);
        assert_eq!(d[0].severity(), Severity::Warning);
    }

    #[test]
    fn silent_on_plain_null_and_equals() {
        silent("TP063", IRSA);
        // StringLike with no wildcard compares exactly: same as StringEquals.
        silent("TP063", &edit(IRSA, "\"StringEquals\"", "\"StringLike\""));
        silent("TP063", &edit(POD, "\"StringEquals\": {", "\"Null\": {\"aws:x\": \"false\"}, \"StringEquals\": {"));
    }
}
