//! DR023 `session-tags-disabled`.

crate::declare_rule! {
    /// ## What it does
    /// Looks for `aws:RequestTag/…` conditions in the trust policy when the association has
    /// `disableSessionTags: true`.
    ///
    /// ## Why is this bad
    /// Without session tags the conditions never match and the agent gets `AccessDenied`.
    ///
    /// ## Example
    /// `"StringEquals": {"aws:RequestTag/kubernetes-namespace": "coder"}` with tags disabled.
    ///
    /// ## Fix
    /// Enable session tags on the association (`--no-disable-session-tags`) or drop the tag conditions.
    pub(crate) static DR023 = ("session-tags-disabled", "doctor", Error, "Trust conditions on session tags that the association does not send");
}

use super::prelude::*;

/// `trust.tags`: the trust policy's session-tag (and source) conditions admit what the agent
/// sends for this service account in this cluster.
pub(crate) fn check(cx: &mut Cx<'_>, run: &Run) -> Outcome {
    let f = cx.f;
    let (Some(doc), Some(statement)) = (cx.doc, cx.pod_statement) else {
        return Outcome::needs(&[Input::TrustPolicy, Input::Live]);
    };
    let first_tag = statement
        .condition_entries()
        .map(|(_, e)| e.key)
        .find(|k| k.to_ascii_lowercase().starts_with("aws:requesttag/"));
    if let Some(disabled) = f.association.ok().and_then(|a| a.disable_session_tags)
        && let Some(key) = first_tag
    {
        let d = Diagnostic::new(&DR023, format!(
            "the association disables session tags, but the trust policy conditions on `{key}`: the tags are never sent, so the condition never matches"
        ))
        .with_range(disabled)
        .with_help("enable session tags on the association (`aws eks update-pod-identity-association … --no-disable-session-tags`) or drop the tag conditions");
        return Outcome::Finding(d, Some(Input::Association));
    }
    // No namespace / service-account conditions (TP051).
    if let Some(d) = lint_finding(
        &doc.lint,
        &["TP051"],
        &statement.pointer(),
        Severity::Warning,
    ) {
        return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
    }
    let sent = Sent::of(f, run);
    let mut checked = Vec::new();
    for (block, entry) in statement.condition_entries() {
        let Some((what, actual, sender)) = sent.for_key(entry.key) else {
            continue;
        };
        let Some(actual) = actual else { continue };
        if !entry_admits(&block.op, &entry.values, &actual) {
            let written: Vec<&str> = entry.values.iter().map(Str::as_str).collect();
            let d = at(
                Diagnostic::new(&TP032, format!(
                    "the trust policy requires `{what}` = `{}`, but {sender} `{actual}`: the condition never matches",
                    written.join("`, `")
                ))
                .with_pointer(block.pointer())
                .with_help(format!("write `\"{what}\": \"{actual}\"`")),
                entry.values.first().and_then(|v| doc.range(v.range())),
            );
            return Outcome::Finding(d, Some(Input::TrustPolicy));
        }
        checked.push(format!("{what}={actual}"));
    }
    if checked.is_empty() {
        return Outcome::not_checked(
            vec![Input::Association, Input::ServiceAccount],
            "not checked: give --association or --service-account to compare the tag conditions",
        );
    }
    Outcome::pass(format!("tag conditions match: {}", checked.join(", ")))
}

/// What the agent sends for this service account in this cluster (the association's own
/// values only when those are unknown: a wrong association is its own link).
struct Sent {
    ns: Option<String>,
    name: Option<String>,
    cluster: Option<String>,
    cluster_arn: Option<String>,
    cluster_account: Option<String>,
    cluster_arn_source: Option<String>,
}

impl Sent {
    fn of(f: &Facts, run: &Run) -> Self {
        let a = f.association.ok();
        let from_association = |l: Option<&Located>| l.map(|l| l.value.clone());
        let ns = f
            .expected_sa
            .ok()
            .map(|p| p.0.clone())
            .or_else(|| from_association(a.and_then(|a| a.namespace.as_ref())));
        let name = f
            .expected_sa
            .ok()
            .map(|p| p.1.clone())
            .or_else(|| from_association(a.and_then(|a| a.service_account.as_ref())));
        let cluster = f
            .cluster
            .ok()
            .and_then(|c| c.name.clone())
            .or_else(|| from_association(a.and_then(|a| a.cluster_name.as_ref())));
        let cluster_arn = f.cluster.ok().and_then(|c| c.arn_text.clone());
        // With the role in another account than the cluster (`aws.account` failed) the
        // source conditions belong to a role that has to change anyway: not compared.
        let other_account = run.failed("aws.account");
        let cluster_account = f
            .cluster
            .ok()
            .and_then(|c| c.arn.as_ref().map(|a| a.2.clone()))
            .filter(|_| !other_account);
        let cluster_arn_source = cluster_arn.clone().filter(|_| !other_account);
        Self {
            ns,
            name,
            cluster,
            cluster_arn,
            cluster_account,
            cluster_arn_source,
        }
    }

    /// The key as written in messages, the value sent, and who sends it.
    fn for_key(&self, key: &str) -> Option<(&'static str, Option<String>, &'static str)> {
        const AGENT: &str = "the agent sends";
        Some(match key.to_ascii_lowercase().as_str() {
            "aws:requesttag/kubernetes-namespace" => {
                ("aws:RequestTag/kubernetes-namespace", self.ns.clone(), AGENT)
            }
            "aws:requesttag/kubernetes-service-account" => (
                "aws:RequestTag/kubernetes-service-account",
                self.name.clone(),
                AGENT,
            ),
            "aws:requesttag/eks-cluster-name" => {
                ("aws:RequestTag/eks-cluster-name", self.cluster.clone(), AGENT)
            }
            "aws:requesttag/eks-cluster-arn" => (
                "aws:RequestTag/eks-cluster-arn",
                self.cluster_arn.clone(),
                AGENT,
            ),
            "aws:sourceaccount" => (
                "aws:SourceAccount",
                self.cluster_account.clone(),
                "the cluster's account is",
            ),
            "aws:sourcearn" => (
                "aws:SourceArn",
                self.cluster_arn_source.clone(),
                "the cluster's ARN is",
            ),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn pod_identity_dr023_fails_only_its_link() {
        let mut i = pod_identity_sound();
        i.association = Some(i.association.unwrap().replace(
            "\"disableSessionTags\": false",
            "\"disableSessionTags\": true",
        ));
        assert_only(&check_pod_identity(&i), "trust.tags", "DR023");
    }
}
