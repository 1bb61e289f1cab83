use super::{Cx, at, claim_entries, replace_string};
use crate::declare_rule;
use crate::policy::glob;

declare_rule! {
    /// ## What it does
    /// Checks `sub` values of Kubernetes (IRSA) statements: `system:serviceaccount:<ns>:<sa>`
    /// where the namespace is a DNS-1123 label (≤ 63) and the service account a DNS-1123
    /// subdomain (≤ 253). Upper case, spaces, `serviceaccounts` (the group) and `/` as a
    /// separator are errors.
    ///
    /// ## Why is this bad
    /// Matching is case-sensitive and Kubernetes names are lower case, so such a subject is in
    /// no token and the condition never matches (configure-aws-credentials #1100).
    ///
    /// ## Example
    /// ```json
    /// {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:Coder:coder"}
    /// ```
    ///
    /// ## Fix
    /// Write the namespace and name exactly as `kubectl get sa -A` prints them. Lower-casing,
    /// trimming and the separator have an unsafe fix (`--unsafe-fixes`): it admits a service account the policy never named.
    pub(crate) static TP027 = ("sub-format", "trust-policy", Error, "`sub` is not `system:serviceaccount:<ns>:<sa>` with valid names");
}

fn is_label(s: &str, max: usize) -> bool {
    is_label_bytes(s.as_bytes(), max)
}

fn is_label_bytes(s: &[u8], max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.first() != Some(&b'-')
        && s.last() != Some(&b'-')
}

fn is_subdomain(s: &str) -> bool {
    // Split as bytes: `str::split('.')` sets up a char searcher (every `sub` value is asked).
    s.len() <= 253 && s.as_bytes().split(|&b| b == b'.').all(|l| is_label_bytes(l, 63))
}

/// What is wrong with a literal subject, and the subject it should be (when that is clear).
pub(crate) fn problem(value: &str) -> Option<(String, Option<String>)> {
    let Some(rest) = value.strip_prefix("system:serviceaccount:") else {
        let lower = value.trim().to_ascii_lowercase();
        for wrong in ["system:serviceaccounts:", "system:service-account:", "system:serviceaccount:"] {
            if let Some(rest) = lower.strip_prefix(wrong) {
                let fixed = format!("system:serviceaccount:{}", rest.replacen('/', ":", 1));
                return Some((format!("`{value}` must start with exactly `system:serviceaccount:`"), problem(&fixed).is_none().then_some(fixed)));
            }
        }
        return Some((format!("`{value}` is not a service account subject `system:serviceaccount:<namespace>:<name>`"), None));
    };
    // A byte search for the `:` (a char search costs more than the namespace it skips).
    let (ns, sa) = match rest.bytes().position(|b| b == b':') {
        Some(colon) => (&rest[..colon], &rest[colon + 1..]),
        None => match rest.split_once('/') {
            Some((ns, sa)) => {
                let fixed = format!("system:serviceaccount:{ns}:{sa}");
                return Some(("namespace and name are separated by `:`, not `/`".to_owned(), problem(&fixed).is_none().then_some(fixed)));
            }
            None => return Some((format!("`{value}` has no service account name after the namespace"), None)),
        },
    };
    if is_label(ns, 63) && is_subdomain(sa) {
        return None;
    }
    let lowered = format!("system:serviceaccount:{}:{}", ns.trim().to_ascii_lowercase(), sa.trim().to_ascii_lowercase());
    let fix = (is_label(ns.trim().to_ascii_lowercase().as_str(), 63) && is_subdomain(&sa.trim().to_ascii_lowercase())).then_some(lowered);
    let why = if value.bytes().any(|b| b.is_ascii_uppercase()) {
        "Kubernetes names are lower case and `sub` matching is case-sensitive"
    } else if value.contains(char::is_whitespace) {
        "it contains whitespace"
    } else if !is_label(ns, 63) {
        "the namespace is not a DNS-1123 label (lower-case letters, digits, `-`, at most 63)"
    } else {
        "the service account name is not a DNS-1123 subdomain (lower-case letters, digits, `-`, `.`, at most 253)"
    };
    Some((format!("`{value}` never matches: {why}"), fix))
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if !cx.kubernetes(stmt) {
            continue;
        }
        for (block, entry) in claim_entries(stmt, "sub") {
            if !block.op.is_positive_string_match() {
                continue;
            }
            for v in &entry.values {
                let value = v.as_str();
                // TP061 reports a placeholder; its upper case is not the user's subject.
                if !v.is_string() || cx.has_placeholder(value) {
                    continue;
                }
                if glob::has_wildcard(value) {
                    // Only what the literal parts show for sure.
                    if value.bytes().any(|b| b.is_ascii_uppercase()) && block.op.base != "StringEqualsIgnoreCase" {
                        cx.push(at(&TP027, format!("`{value}` has upper case, but Kubernetes names are lower case and matching is case-sensitive"), v.pointer_in(entry.pointer()), v.range()));
                    }
                    continue;
                }
                if let Some((message, fix)) = problem(value) {
                    let mut d = at(&TP027, message, v.pointer_in(entry.pointer()), v.range());
                    if let Some(fixed) = fix {
                        // Unsafe: the policy as written admits nobody; the fix admits a service
                        // account the policy never named (a guess at the intended one).
                        d = d.with_fix(replace_string(format!("Use `{fixed}`"), v.range(), &fixed).with_applicability(crate::diagnostic::Applicability::Unsafe));
                    } else {
                        d = d.with_help("write `system:serviceaccount:<namespace>:<service-account>`, with the names exactly as `kubectl get serviceaccounts -A` prints them");
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

    #[test]
    fn fires_on_malformed_subjects() {
        for (bad, good) in [
            ("system:serviceaccount:Coder:coder", true),
            ("system:serviceaccounts:coder:coder", true),
            ("system:serviceaccount:coder/coder", true),
            (" system:serviceaccount:coder:coder", true),
            ("serviceaccount:coder:coder", false),
            ("system:serviceaccount:coder", false),
            ("system:serviceaccount:co_der:coder", false),
        ] {
            let text = edit(IRSA, "\"system:serviceaccount:coder:coder\"", &format!("\"{bad}\""));
            let d = fires("TP027", &text);
            if good {
                assert_eq!(fixed(&text, &d[0]), IRSA, "{bad}");
            } else {
                assert!(d[0].fix().is_none(), "{bad}");
                assert!(d[0].help().is_some_and(|h| h.contains("system:serviceaccount:<namespace>")), "{bad}");
            }
        }
        fires("TP027", &edit(&edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:Coder:*\""), "StringEquals", "StringLike"));
    }

    #[test]
    fn silent_on_good_subjects() {
        silent("TP027", IRSA);
        silent("TP027", &edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:kube-system:my.sa-1\""));
        let github = IRSA
            .replace("oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E", "token.actions.githubusercontent.com")
            .replace("system:serviceaccount:coder:coder", "repo:octo/app:ref:refs/heads/main");
        silent("TP027", &github);
        // The product doc's template: TP061 reports the placeholders, not their upper case.
        silent("TP027", &edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}\""));
        silent("TP027", &edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:$namespace:$service_account\""));
    }
}
