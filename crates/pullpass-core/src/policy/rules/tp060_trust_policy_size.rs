use super::Cx;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};

declare_rule! {
    /// ## What it does
    /// Counts the characters of a trust policy that are not whitespace, as IAM does: over
    /// 2,048 is a warning, over 4,096 an error.
    ///
    /// ## Why is this bad
    /// The default quota for a role trust policy is 2,048 characters (it can be raised to
    /// 4,096); past it `CreateRole`/`UpdateAssumeRolePolicy` fail with `LimitExceeded`, often
    /// only when the next service account is appended.
    ///
    /// ## Example
    /// A trust policy with one IRSA statement per namespace for thirty namespaces.
    ///
    /// ## Fix
    /// Use one statement with a list of `sub` values, a `StringLike` pattern you can defend,
    /// or several roles; or request the quota increase.
    pub(crate) static TP060 = ("trust-policy-size", "trust-policy", Warning, "Trust policy over 2,048 non-whitespace characters (W), over 4,096 (E)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    if cx.text.len() <= 2048 {
        return; // at most 2,048 characters of any kind
    }
    // Characters (not UTF-8 continuation bytes) that are not JSON whitespace.
    let size = cx
        .text
        .bytes()
        .filter(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r') && (b & 0xC0) != 0x80)
        .count();
    if size > 4096 {
        cx.push(
            Diagnostic::new(&TP060, format!("the trust policy has {size} characters without whitespace, over IAM's maximum of 4,096"))
                .with_severity(Severity::Error)
                .with_help("split the trust into several roles, or merge statements"),
        );
    } else if size > 2048 {
        cx.push(
            Diagnostic::new(&TP060, format!("the trust policy has {size} characters without whitespace, over IAM's default quota of 2,048"))
                .with_help("request the \"Role trust policy length\" quota increase (up to 4,096), or shorten the policy"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;

    fn with_subjects(n: usize) -> String {
        let subs: Vec<String> = (0..n).map(|i| format!("\"system:serviceaccount:ns{i}:coder\"")).collect();
        edit(IRSA, "\"system:serviceaccount:coder:coder\"", &format!("[{}]", subs.join(", ")))
    }

    #[test]
    fn fires_over_the_quota() {
        assert_eq!(fires("TP060", &with_subjects(60))[0].severity(), Severity::Warning);
        assert_eq!(fires("TP060", &with_subjects(140))[0].severity(), Severity::Error);
    }

    #[test]
    fn silent_under_the_quota() {
        silent("TP060", IRSA);
        silent("TP060", &with_subjects(10));
    }
}
