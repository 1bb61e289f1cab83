use super::{Cx, at, replace_string};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an identity-provider condition key written with `https://`/`http://`, or as an
    /// ARN (`arn:aws:iam::…:oidc-provider/…:sub`).
    ///
    /// ## Why is this bad
    /// IAM names the key after the issuer host and path only (`oidc.eks.<region>.amazonaws.com/id/<ID>:sub`).
    /// A key with a scheme or an ARN prefix is never present in the request, so the condition
    /// never matches and every assume call is denied (karpenter #1666).
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:coder:coder"}}
    /// ```
    ///
    /// ## Fix
    /// Strip the scheme or the ARN prefix from the key (a safe fix, for any case of the scheme
    /// and any spelling of the ARN's resource type, `oidc-provide/` included). When nothing
    /// that is left looks like an issuer, no fix is offered.
    pub(crate) static TP022 = ("condition-key-scheme", "trust-policy", Error, "Condition key with `https://` or an ARN prefix");
}

/// The issuer host and path of a key's provider part written as a URL (any case of the scheme)
/// or an ARN (any resource type spelling: `oidc-provider/`, `oidc-provide/`); `None` when what
/// is left is empty or still has a scheme or an ARN prefix (a fix would change nothing).
fn issuer_part(provider: &str) -> Option<&str> {
    fn strip_scheme(s: &str) -> &str {
        for scheme in ["https://", "http://"] {
            if s.len() >= scheme.len() && s.is_char_boundary(scheme.len()) && s[..scheme.len()].eq_ignore_ascii_case(scheme) {
                return &s[scheme.len()..];
            }
        }
        s
    }
    let mut s = strip_scheme(provider);
    if s.get(..4).is_some_and(|h| h.eq_ignore_ascii_case("arn:")) {
        // arn:PARTITION:iam::ACCOUNT:RESOURCE-TYPE/ISSUER
        let resource = s.splitn(6, ':').nth(5)?;
        s = strip_scheme(resource.split_once('/')?.1);
    }
    let s = s.trim_end_matches('/');
    let lower = s.to_ascii_lowercase();
    let bad = s.is_empty() || lower.starts_with("https:") || lower.starts_with("http:") || lower.starts_with("arn:") || s == provider;
    (!bad && s.contains('.')).then_some(s)
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for ((block, entry), facts) in stmt.condition_entries().zip(&cx.facts[stmt.ordinal].keys) {
            let Some((provider_part, claim)) = entry.claim else { continue };
            let Some(what) = facts.scheme else { continue };
            if facts.bare_issuer.is_some() {
                continue; // TP033
            }
            let bare = issuer_part(provider_part).map(|p| [p, ":", claim].concat());
            // The block already has the bare key: renaming would make a duplicate key and JSON
            // readers keep only one of the two (TP006 reports the pair); no fix then.
            let clash = bare.as_deref().is_some_and(|k| block.entries.iter().any(|e| e.key.eq_ignore_ascii_case(k)));
            let d = match bare.filter(|_| !clash) {
                // Joined from pieces (see `super::at`), not `format!`.
                Some(key) => at(&TP022, ["condition key `", entry.key, "` has ", what, ": IAM's key is `", &key, "`, so ", super::direction(block)].concat(), entry.pointer(), entry.member.key_range)
                    .with_fix(replace_string(["Use `", &key, "`"].concat(), entry.member.key_range, &key)),
                None => at(&TP022, ["condition key `", entry.key, "` has ", what, ": IAM's key is the issuer host and path only, so ", super::direction(block)].concat(), entry.pointer(), entry.member.key_range),
            };
            cx.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_and_fixes() {
        for prefix in ["https://", "http://", "arn:aws:iam::123456789012:oidc-provider/"] {
            let text = edit(IRSA, "\"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\"", &format!("\"{prefix}oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\""));
            let d = fires("TP022", &text);
            assert_eq!(fixed(&text, &d[0]), IRSA, "{prefix}");
        }
    }

    #[test]
    fn fixes_upper_case_schemes_and_misspelt_arns_or_offers_nothing() {
        // Issue 15 #3: the fix was a no-op for `HTTPS://` and `oidc-provide/`, so `--fix` looped.
        for prefix in ["HTTPS://", "Http://", "arn:aws:iam::123456789012:oidc-provide/", "arn:aws:iam::123456789012:OIDC-PROVIDER/https://"] {
            let text = edit(IRSA, "\"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\"", &format!("\"{prefix}oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\""));
            let d = fires("TP022", &text);
            assert_eq!(fixed(&text, &d[0]), IRSA, "{prefix}");
        }
        for key in ["https://:sub", "arn:aws:iam::1:oidc-provider:sub", "https://https://x.y:sub"] {
            let text = edit(IRSA, "\"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\"", &format!("\"{key}\""));
            for d in findings("TP022", &text) {
                if let Some(fix) = d.fix() {
                    let out = fix.apply(&text).unwrap();
                    assert_ne!(out, text, "{key}");
                    assert!(findings("TP022", &out).iter().all(|e| e.range() != d.range()), "{key}: {out}");
                }
            }
        }
    }

    #[test]
    fn silent_on_plain_keys() {
        silent("TP022", IRSA);
        silent("TP022", POD);
    }
}
