use super::{Cx, STS_AUDIENCE, at, claim_entries, is_audience_typo, replace_string};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `aud` value that is a misspelt STS audience: `sts.amazon.com`,
    /// `https://sts.amazonaws.com`, a regional `sts.<region>.amazonaws.com`, stray spaces, and
    /// for IRSA `sts.amazonaws.com.cn` (China clusters use `sts.amazonaws.com` too).
    ///
    /// ## Why is this bad
    /// The token's audience is exactly `sts.amazonaws.com`; any other spelling never matches
    /// and every assume call fails (amazon-eks-irsa-cfn #18, aws-load-balancer-controller
    /// #1728, terraform-aws-eks #1704).
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud": "https://sts.amazonaws.com"}}
    /// ```
    ///
    /// ## Fix
    /// Write `sts.amazonaws.com` (a safe fix).
    pub(crate) static TP025 = ("audience-typo", "trust-policy", Error, "`aud` typo (`sts.amazon.com`, `https://…`, regional STS)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        let kubernetes = cx.kubernetes(stmt);
        for (_, entry) in claim_entries(stmt, "aud") {
            for v in &entry.values {
                let value = v.as_str();
                if v.is_string() && is_audience_typo(value, kubernetes) {
                    cx.push(
                        at(&TP025, ["audience `", value, "` is a misspelling of `sts.amazonaws.com`: tokens never carry it, so the condition never matches"].concat(), v.pointer_in(entry.pointer()), v.range())
                            .with_fix(replace_string("Use `sts.amazonaws.com`", v.range(), STS_AUDIENCE)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_and_fixes_typos() {
        for typo in ["sts.amazon.com", "https://sts.amazonaws.com", "sts.us-east-1.amazonaws.com", " sts.amazonaws.com", "sts.amazonaws.com.cn", "sts.amazonws.com"] {
            let text = edit(IRSA, "\"sts.amazonaws.com\"", &format!("\"{typo}\""));
            let d = fires("TP025", &text);
            assert_eq!(fixed(&text, &d[0]), IRSA, "{typo}");
        }
    }

    #[test]
    fn silent_on_the_right_audience() {
        silent("TP025", IRSA);
        silent("TP025", &edit(IRSA, "\"sts.amazonaws.com\"", "\"my-client-id\""));
    }
}
