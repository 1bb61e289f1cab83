use super::{Cx, at, claim_entries};
use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::policy::glob;

declare_rule! {
    /// ## What it does
    /// Judges a `sub` pattern under `StringLike` segment by segment
    /// (`system:serviceaccount:<namespace>:<service account>`) and says exactly what it admits:
    /// every service account of every namespace (`*`, `system:*`, `system:serviceaccount:*`,
    /// `system:serviceaccount:*:*`) is an error; a namespace pattern (`team-*:app`, `*:app`) or
    /// every service account of one namespace (`coder:*`) is a warning; a service-account prefix
    /// inside one namespace (`coder:coder-*`) is not reported.
    ///
    /// ## Why is this bad
    /// STS matches the token's `sub` claim against the pattern with `StringLike` semantics: `*`
    /// matches any run of characters, colons included ("IAM JSON policy elements: Condition
    /// operators", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String>;
    /// the EKS user guide scopes IRSA roles with `system:serviceaccount:<ns>:<sa>`,
    /// <https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html>).
    /// Whoever can create a service account in an admitted namespace can then assume the role
    /// and pull every image it can pull; an any-namespace pattern admits the whole cluster.
    ///
    /// ## Example
    /// ```json
    /// {"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:*"}}
    /// ```
    ///
    /// ## Fix
    /// Name the service account: `system:serviceaccount:coder:coder` under `StringEquals`.
    pub(crate) static TP029 = ("broad-sub-pattern", "trust-policy", Error, "`sub` under StringLike admits every service account of every namespace (E), a namespace pattern or a whole namespace (W)");
}

/// Made-up names no pattern written for a real cluster would name on purpose.
const PROBE_NS: &str = "zq9-probe-namespace";
const PROBE_SA: &str = "zq9-probe-account";

/// What a `system:serviceaccount:…` pattern admits, for the message, and whether that is
/// every service account everywhere.
fn judge(value: &str) -> Option<(String, bool)> {
    let any = |ns: &str, sa: &str| glob::matches(value, &format!("system:serviceaccount:{ns}:{sa}"));
    if any(PROBE_NS, PROBE_SA) {
        return Some(("every service account in every namespace of the cluster".to_owned(), true));
    }
    let rest = value.strip_prefix("system:serviceaccount:")?;
    let (ns, sa) = match rest.split_once(':') {
        Some((ns, sa)) => (ns, Some(sa)),
        // `system:serviceaccount:team-*`: the `*` also spans the `:<sa>` part.
        None => (rest, None),
    };
    let ns_text = if !glob::has_wildcard(ns) {
        format!("namespace `{ns}`")
    } else if ns.chars().all(|c| c == '*') {
        "every namespace".to_owned()
    } else {
        format!("every namespace matching `{ns}` (including ones created later)")
    };
    let sa_text = match sa {
        None => "every service account".to_owned(),
        Some(sa) if sa.chars().all(|c| c == '*') => "every service account".to_owned(),
        Some(sa) if glob::has_wildcard(sa) => format!("service accounts matching `{sa}`"),
        Some(sa) => format!("service account `{sa}`"),
    };
    let broad_ns = glob::has_wildcard(ns);
    let every_sa = sa.is_none_or(|sa| sa.chars().all(|c| c == '*'));
    // One namespace and a service-account prefix: narrow enough, not reported.
    (broad_ns || every_sa).then(|| (format!("{sa_text} in {ns_text}"), false))
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if !stmt.is_allow() || cx.oidc(stmt).is_empty() || cx.fails_closed(stmt) {
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
                let pointer = v.pointer_in(entry.pointer());
                if value.chars().all(|c| c == '*' || c == '?') {
                    cx.push(at(&TP029, format!("`{value}` admits every subject the issuer signs tokens for"), pointer, v.range()).with_help("name the subject: system:serviceaccount:<namespace>:<name> for Kubernetes"));
                    continue;
                }
                if !kubernetes {
                    continue;
                }
                let Some((what, everything)) = judge(value) else { continue };
                let d = at(&TP029, format!("`{value}` admits {what}"), pointer, v.range());
                cx.push(if everything {
                    d.with_help("name the namespace and the service account: system:serviceaccount:<namespace>:<name>")
                } else {
                    d.with_severity(Severity::Warning).with_help("name the service account if only one needs the role: system:serviceaccount:<namespace>:<name> under StringEquals")
                });
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
        for sub in ["*", "system:serviceaccount:*", "system:*", "system:serviceaccount:*:*", "system:serviceaccount:*-*"] {
            assert_eq!(fires("TP029", &like(sub))[0].severity(), Severity::Error, "{sub}");
        }
        for (sub, says) in [
            ("system:serviceaccount:coder:*", "every service account in namespace `coder`"),
            ("system:serviceaccount:team-*:app", "service account `app` in every namespace matching `team-*`"),
            ("system:serviceaccount:*:coder", "service account `coder` in every namespace"),
            ("system:serviceaccount:co*", "every service account in every namespace matching `co*`"),
        ] {
            let d = fires("TP029", &like(sub));
            assert_eq!(d[0].severity(), Severity::Warning, "{sub}");
            assert!(d[0].message().contains(says), "{sub}: {}", d[0].message());
        }
    }

    #[test]
    fn silent_on_narrow_patterns() {
        silent("TP029", IRSA);
        silent("TP029", &like("system:serviceaccount:coder:coder"));
        silent("TP029", &like("system:serviceaccount:coder:coder-*"));
    }
}
