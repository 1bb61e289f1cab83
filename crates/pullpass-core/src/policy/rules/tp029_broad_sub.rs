use super::{Cx, at, claim_entries};
use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::policy::glob;

declare_rule! {
    /// ## What it does
    /// Judges how much a `sub` pattern under `StringLike` admits: `*`, `system:*` or
    /// `system:serviceaccount:*` (any namespace) is an error; `system:serviceaccount:<ns>:*`
    /// (any service account of one namespace) is a warning.
    ///
    /// ## Why is this bad
    /// Whoever can create a service account in an admitted namespace can assume the role and
    /// pull every image it can pull. Any-namespace patterns admit the whole cluster.
    ///
    /// ## Example
    /// ```json
    /// {"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:*"}}
    /// ```
    ///
    /// ## Fix
    /// Name the service account: `system:serviceaccount:coder:coder` under `StringEquals`.
    pub(crate) static TP029 = ("broad-sub-pattern", "trust-policy", Error, "`sub` under StringLike admits any namespace (E) or any service account of a namespace (W)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if !stmt.is_allow() || cx.oidc(stmt).is_empty() {
            continue;
        }
        let kubernetes = cx.kubernetes(stmt);
        for (block, entry) in claim_entries(stmt, "sub") {
            if !block.op.is_string_like() {
                continue;
            }
            for v in &entry.values {
                let value = v.as_str();
                if !glob::has_wildcard(value) {
                    continue;
                }
                let pointer = v.pointer(&entry.pointer());
                if value.chars().all(|c| c == '*' || c == '?') {
                    cx.push(at(&TP029, format!("`{value}` admits every subject the issuer signs"), pointer, v.range()).help("name the service account: system:serviceaccount:<namespace>:<name>"));
                    continue;
                }
                if !kubernetes {
                    continue;
                }
                let Some(rest) = value.strip_prefix("system:serviceaccount:") else {
                    if glob::matches(value, "system:serviceaccount:x:y") {
                        cx.push(at(&TP029, format!("`{value}` admits service accounts of every namespace"), pointer, v.range()).help("name the namespace and the service account"));
                    }
                    continue;
                };
                match rest.split_once(':') {
                    Some((ns, sa)) if !glob::has_wildcard(ns) => {
                        if sa.chars().all(|c| c == '*') {
                            cx.push(
                                at(&TP029, format!("`{value}` admits every service account in namespace `{ns}`, including ones created later"), pointer, v.range())
                                    .severity(Severity::Warning)
                                    .help(format!("name it: system:serviceaccount:{ns}:<name>")),
                            );
                        }
                    }
                    _ => cx.push(at(&TP029, format!("`{value}` admits service accounts of every namespace"), pointer, v.range()).help("name the namespace and the service account")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;

    fn like(sub: &str) -> String {
        edit(&edit(IRSA, "\"system:serviceaccount:coder:coder\"", &format!("\"{sub}\"")), "StringEquals", "StringLike")
    }

    #[test]
    fn fires_on_broad_patterns() {
        for sub in ["*", "system:serviceaccount:*", "system:*", "system:serviceaccount:*:coder", "system:serviceaccount:co*"] {
            assert_eq!(fires("TP029", &like(sub))[0].severity, Severity::Error, "{sub}");
        }
        assert_eq!(fires("TP029", &like("system:serviceaccount:coder:*"))[0].severity, Severity::Warning);
    }

    #[test]
    fn silent_on_narrow_patterns() {
        silent("TP029", IRSA);
        silent("TP029", &like("system:serviceaccount:coder:coder"));
        silent("TP029", &like("system:serviceaccount:coder:coder-*"));
    }
}
