use super::{Cx, at, replace_string};
use crate::declare_rule;
use crate::policy::PolicyKind;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports a statement without a valid `Effect` (`Allow` or `Deny`, case-sensitive),
    /// without `Action`/`NotAction` (or with both), a trust statement without `Principal`, and
    /// a permissions statement without `Resource`/`NotResource`.
    ///
    /// ## Why is this bad
    /// IAM rejects the document (`Missing required field Effect`, `Principal`, `Action`,
    /// `Resource`), so the role or policy is never written.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Principal": {"Service": "pods.eks.amazonaws.com"}}]}
    /// ```
    ///
    /// ## Fix
    /// Add the missing element. `allow`/`deny` in the wrong case have a safe fix.
    pub(crate) static TP007 = ("effect-or-action-missing", "trust-policy", Error, "`Effect` missing or not Allow/Deny; `Action` (or `Principal`/`Resource`) missing");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let kind = cx.kind;
    for stmt in cx.statements() {
        let open = TextRange::new(stmt.node.range.start as usize, stmt.node.range.start as usize + 1);
        match stmt.effect_member {
            None => cx.push(at(&TP007, "the statement has no `Effect`", stmt.pointer(), open).with_help(r#"add `"Effect": "Allow"` (or "Deny")"#)),
            Some(m) if stmt.effect.is_none() => {
                let value = m.value.as_str().unwrap_or("");
                let mut d = at(&TP007, format!("`Effect` must be \"Allow\" or \"Deny\" (case-sensitive), not {}", &cx.text[m.value.range.as_usize_range()]), stmt.ptr(&m.key), m.value.range);
                for right in ["Allow", "Deny"] {
                    if value.trim().eq_ignore_ascii_case(right) {
                        d = d.with_fix(replace_string(format!("Write `{right}`"), m.value.range, right));
                    }
                }
                cx.push(d);
            }
            Some(_) => {}
        }
        match (stmt.action, stmt.not_action) {
            (None, None) => cx.push(at(&TP007, "the statement has no `Action`", stmt.pointer(), open).with_help("add the action, e.g. `\"Action\": \"sts:AssumeRoleWithWebIdentity\"`")),
            (Some(_), Some(n)) => cx.push(at(&TP007, "a statement may have `Action` or `NotAction`, not both", stmt.ptr(&n.key), n.key_range)),
            _ => {}
        }
        match kind {
            Some(PolicyKind::Trust) if stmt.principal.is_none() && stmt.not_principal.is_none() => {
                cx.push(at(&TP007, "a trust policy statement needs a `Principal`: who may assume the role", stmt.pointer(), open));
            }
            Some(PolicyKind::Repository) if stmt.principal.is_none() && stmt.not_principal.is_none() => {
                cx.push(at(&TP007, "a repository policy statement needs a `Principal`: who may pull or push", stmt.pointer(), open));
            }
            Some(PolicyKind::Permissions) if stmt.resource.is_none() && stmt.not_resource.is_none() => {
                cx.push(at(&TP007, "an identity policy statement needs a `Resource` (`\"*\"` for `ecr:GetAuthorizationToken`)", stmt.pointer(), open));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_missing_or_bad_elements() {
        let text = edit(IRSA, "\"Allow\"", "\"allow\"");
        let d = fires("TP007", &text);
        assert_eq!(fixed(&text, &d[0]), IRSA);
        fires("TP007", &edit(IRSA, "\"Effect\": \"Allow\",", ""));
        fires("TP007", &edit(IRSA, "\"Action\": \"sts:AssumeRoleWithWebIdentity\",", ""));
        fires("TP007", &edit(READ_ONLY, ",\n      \"Resource\": \"*\"", ""));
    }

    #[test]
    fn silent_on_complete_statements() {
        silent("TP007", IRSA);
        silent("TP007", POD);
        silent("TP007", READ_ONLY);
    }
}
