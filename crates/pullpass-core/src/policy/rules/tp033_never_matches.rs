use super::{AbsentKey, Cx, at, needs_key, swapped_audience};
use crate::declare_rule;
use crate::diagnostic::{Edit, Fix};
use crate::policy::model::json_string;

declare_rule! {
    /// ## What it does
    /// Reports condition shapes that can never match, so the statement fails closed and
    /// nobody can assume the role through it:
    /// - a key that is the issuer alone, with no `:sub`/`:aud` claim
    ///   (`"oidc.eks.us-east-1.amazonaws.com/id/…": "system:serviceaccount:ns:sa"`);
    /// - a `system:serviceaccount:…` value under the `:aud` key (subject and audience swapped);
    /// - on the EKS Pod Identity statement (`pods.eks.amazonaws.com`), a global key that a
    ///   service principal's request never carries: `aws:PrincipalOrgID`,
    ///   `aws:PrincipalOrgPaths`, `aws:PrincipalTag/…`.
    ///
    /// Only operators that need their key present count (`StringEquals`, `StringLike`, … without
    /// `IfExists`); under a negated operator the same key makes the condition always true, which
    /// the message says instead.
    ///
    /// ## Why is this bad
    /// STS builds the request context from the token: for an OIDC provider the keys are
    /// `<issuer>:sub`, `<issuer>:aud` (and `:amr`/`:oaud` for some issuers), never the bare
    /// issuer; a condition on a key that is absent from the request is false, so the statement
    /// never applies and every `AssumeRoleWithWebIdentity` call is denied ("Available keys for
    /// OIDC federation", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif>;
    /// "Condition operators: …IfExists", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>).
    /// The token's `aud` is the audience the service account asked for (`sts.amazonaws.com`),
    /// not its name. The IAM reference "AWS global condition context keys"
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>)
    /// says `aws:PrincipalOrgID`/`…OrgPaths` are present only when the principal is a member of
    /// an organization and `aws:PrincipalTag` only for a user or role with tags: the EKS Pod
    /// Identity service is neither, so Pod Identity associations fail. Such a policy does not
    /// admit too much; it admits nothing.
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E": "system:serviceaccount:coder:coder"}}
    /// ```
    ///
    /// ## Fix
    /// Add the claim to the key (`…/id/<ID>:sub`; offered as a fix, not applied by `--fix`);
    /// put the service account under `:sub` and `sts.amazonaws.com` under `:aud`; on the Pod
    /// Identity statement scope with `aws:SourceAccount`/`aws:SourceArn` and the
    /// `aws:RequestTag/kubernetes-…` session tags instead.
    pub(crate) static TP033 = ("condition-never-matches", "trust-policy", Error, "Condition key or value shape that can never match (the statement admits nobody)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if !stmt.is_allow() {
            continue;
        }
        for ((block, entry), facts) in stmt.condition_entries().zip(&cx.facts[stmt.ordinal].keys) {
            let absent = facts.absent;
            let positive = needs_key(&block.op);
            let negated = block.op.is_negation();
            if !positive && !negated {
                continue;
            }
            match absent {
                Some(AbsentKey::BareIssuer) => {
                    let issuer = facts.bare_issuer.unwrap_or(entry.key);
                    let audience = !entry.values.is_empty() && entry.values.iter().all(|v| v.as_str().starts_with("sts."));
                    let claim = if audience { "aud" } else { "sub" };
                    let key = format!("{issuer}:{claim}");
                    let message = if positive {
                        format!("condition key `{}` is the issuer alone: tokens carry `{issuer}:sub` and `{issuer}:aud`, never this key, so the condition never matches and nobody can assume the role through this statement", entry.key)
                    } else {
                        format!("condition key `{}` is the issuer alone and is never in the request, so this `{}` condition is always true and restricts nothing", entry.key, block.member.key)
                    };
                    cx.push(at(&TP033, message, entry.pointer(), entry.member.key_range).with_help(format!("write `{key}`")).with_fix(Fix::unsafe_(format!("Use `{key}`"), vec![Edit::replace(entry.member.key_range, json_string(&key))])));
                }
                Some(AbsentKey::NotForServicePrincipal) if positive => {
                    cx.push(
                        at(&TP033, format!("`{}` is never in the request of a service principal: EKS Pod Identity (`pods.eks.amazonaws.com`) belongs to no organization and has no principal tags, so this condition never matches and every Pod Identity association of this role fails", entry.key), entry.pointer(), entry.member.key_range)
                            .with_help("scope the statement with aws:SourceAccount / aws:SourceArn (the cluster) and the aws:RequestTag/kubernetes-namespace and …/kubernetes-service-account session tags"),
                    );
                }
                _ => {}
            }
            if positive && let Some(v) = swapped_audience(entry) {
                cx.push(
                    at(&TP033, format!("`{}` under `:aud`: the token's audience is `sts.amazonaws.com` (the service account is the `:sub` claim), so this never matches and nobody can assume the role", v.as_str()), v.pointer_in(entry.pointer()), v.range())
                        .with_help("put the service account under `<issuer>:sub` and `sts.amazonaws.com` under `<issuer>:aud`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    const SUB_KEY: &str = "\"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub\"";

    #[test]
    fn bare_issuer_key_fails_closed_and_nothing_says_everyone_can() {
        let text = edit(IRSA, SUB_KEY, "\"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E\"");
        let d = fires("TP033", &text);
        assert!(d[0].message().contains("nobody can assume"), "{}", d[0].message());
        assert_eq!(fixed(&text, &d[0]), IRSA);
        silent("TP026", &text);
        let https = edit(IRSA, SUB_KEY, "\"https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E\"");
        fires("TP033", &https);
        silent("TP022", &https);
        silent("TP026", &https);
    }

    #[test]
    fn swapped_audience_and_service_principal_keys() {
        let swapped = edit(&edit(IRSA, "\"system:serviceaccount:coder:coder\"", "\"sts.amazonaws.com\""), "\"sts.amazonaws.com\"\n", "\"system:serviceaccount:coder:coder\"\n");
        fires("TP033", &swapped);
        let org = edit(POD, "\"aws:RequestTag/kubernetes-namespace\": \"coder\",", "\"aws:RequestTag/kubernetes-namespace\": \"coder\", \"aws:PrincipalOrgID\": \"o-a1b2c3d4e5\",");
        fires("TP033", &org);
        // Keys a service principal does send, or IfExists, are fine.
        silent("TP033", &edit(POD, "\"aws:RequestTag/kubernetes-namespace\": \"coder\",", "\"aws:RequestTag/kubernetes-namespace\": \"coder\", \"aws:SourceAccount\": \"123456789012\","));
        silent("TP033", &edit(org.as_str(), "\"StringEquals\"", "\"StringEqualsIfExists\""));
    }

    #[test]
    fn silent_on_well_formed_policies() {
        silent("TP033", IRSA);
        silent("TP033", POD);
    }
}
