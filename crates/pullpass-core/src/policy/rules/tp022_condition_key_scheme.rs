use super::{Cx, at, claim_key, replace_string};
use crate::declare_rule;
use crate::policy::aws;

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
    /// Strip the scheme or the ARN prefix from the key (a safe fix).
    pub(crate) static TP022 = ("condition-key-scheme", "trust-policy", Error, "Condition key with `https://` or an ARN prefix");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for (block, entry) in stmt.condition_entries() {
            if super::bare_issuer(entry.key).is_some() {
                continue; // TP033
            }
            let Some((provider_part, claim)) = claim_key(entry.key) else { continue };
            let lower = provider_part.to_ascii_lowercase();
            let what = if lower.starts_with("https://") || lower.starts_with("http://") {
                "a URL scheme"
            } else if lower.starts_with("arn:") || lower.contains(":oidc-provider/") {
                "an ARN prefix"
            } else {
                continue;
            };
            let provider = aws::normalize_provider(provider_part);
            let key = format!("{provider}:{claim}");
            cx.push(
                at(&TP022, format!("condition key `{}` has {what}: IAM's key is `{key}`, so {}", entry.key, super::direction(block)), entry.pointer(), entry.member.key_range)
                    .fix(replace_string(format!("Use `{key}`"), entry.member.key_range, &key)),
            );
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
    fn silent_on_plain_keys() {
        silent("TP022", IRSA);
        silent("TP022", POD);
    }
}
