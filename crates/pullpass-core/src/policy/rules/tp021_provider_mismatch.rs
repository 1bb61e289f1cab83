use super::{Cx, WEB_IDPS, at};
use crate::declare_rule;
use crate::diagnostic::{Edit, Fix};
use crate::policy::aws;
use crate::policy::model::json_string;

declare_rule! {
    /// ## What it does
    /// Compares the provider part of each `<provider>:<claim>` condition key with the statement's
    /// OIDC principal (`…:oidc-provider/<provider>`). Keys are compared case-insensitively, after
    /// dropping a scheme (TP022 reports that).
    ///
    /// ## Why is this bad
    /// A key of another issuer (another cluster, a copied policy, a typo in the id) never
    /// appears in this provider's tokens, so a positive condition never matches: AccessDenied
    /// on `sts:AssumeRoleWithWebIdentity`, with nothing in the error pointing here. The same
    /// holds for one statement that trusts two providers and lists both providers' keys under
    /// one operator: the keys are ANDed, and a token carries only its own issuer's keys
    /// ("Creating a condition with multiple context keys or values",
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>;
    /// karpenter-provider-aws#1313). Such statements admit nobody; they never admit too much.
    ///
    /// ## Example
    /// ```json
    /// {"Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAAA…"},
    ///  "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/BBBB…:sub": "system:serviceaccount:coder:coder"}}}
    /// ```
    ///
    /// ## Fix
    /// Write the principal's provider in the key. The finding offers the replacement (not
    /// applied by `--fix`: the principal may be the wrong one).
    pub(crate) static TP021 = ("condition-provider-mismatch", "trust-policy", Error, "Condition key's provider differs from the principal's provider");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        let principals = cx.oidc(stmt);
        if principals.is_empty() || principals.iter().any(|p| cx.has_placeholder(p.provider)) {
            continue;
        }
        let keys = &cx.facts[stmt.ordinal].keys;
        for ((block, entry), facts) in stmt.condition_entries().zip(keys) {
            if facts.bare_issuer.is_some() {
                continue; // TP033
            }
            let (Some((_, claim)), Some(provider)) = (entry.claim, facts.provider) else { continue };
            if cx.has_placeholder(provider) || WEB_IDPS.iter().any(|idp| idp.eq_ignore_ascii_case(provider)) {
                continue;
            }
            if principals.iter().any(|p| super::same_provider(p.provider, provider)) {
                continue;
            }
            let names: Vec<String> = principals.iter().map(|p| format!("`{}`", p.provider)).collect();
            let mut d = at(
                &TP021,
                format!("condition key names provider `{provider}`, but the principal is {}: this key is never in the token, so {}", names.join(" or "), super::direction(block)),
                entry.pointer(),
                entry.member.key_range,
            );
            if let [p] = principals
                && aws::suggest_eks_issuer(p.provider).is_some_and(|good| good.eq_ignore_ascii_case(provider))
            {
                // The key names the real issuer; the principal is the misspelt one.
                d = d.with_help(format!("the principal's provider is misspelt: the issuer is `{provider}`; name it in the principal (`arn:{}:iam::{}:oidc-provider/{provider}`)", p.arn.partition, p.arn.account));
            } else if let [p] = principals {
                let key = format!("{}:{claim}", p.provider);
                d = d.with_help(format!("write `{key}`")).with_fix(Fix::unsafe_(format!("Use the principal's provider: `{key}`"), vec![Edit::replace(entry.member.key_range, json_string(&key))]));
            }
            cx.push(d);
        }
        // Several providers in one statement: a token comes from one issuer and carries only
        // that issuer's keys, so positive conditions on keys of two providers never all match.
        if principals.len() > 1 {
            let mut first: Option<&str> = None;
            for ((block, entry), facts) in stmt.condition_entries().zip(keys) {
                let Some(provider) = facts.provider else { continue };
                if !super::needs_key(&block.op) || facts.bare_issuer.is_some() {
                    continue;
                }
                if !principals.iter().any(|p| super::same_provider(p.provider, provider)) {
                    continue; // reported above
                }
                match first {
                    None => first = Some(provider),
                    Some(f) if f.eq_ignore_ascii_case(provider) => {}
                    Some(f) => {
                        cx.push(
                            at(&TP021, format!("this statement's conditions name keys of two providers (`{f}` and `{provider}`): conditions are ANDed and a token carries only its own issuer's keys, so no token matches and nobody can assume the role through this statement"), entry.pointer(), entry.member.key_range)
                                .with_help("write one statement per provider, each with its own `:sub`/`:aud` keys"),
                        );
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_when_one_statement_ands_two_providers_keys() {
        let two = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":["arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"]},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:sub":"system:serviceaccount:karpenter:karpenter","oidc.eks.eu-west-1.amazonaws.com/id/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB:sub":"system:serviceaccount:karpenter:karpenter"}}}]}"#;
        let d = fires("TP021", two);
        assert!(d[0].message().contains("nobody can assume"), "{}", d[0].message());
    }

    #[test]
    fn fires_on_other_provider() {
        let text = edit(IRSA, "id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub", "id/0000000000000000000000000000000A:sub");
        let d = fires("TP021", &text);
        assert_eq!(d.len(), 1);
        assert_eq!(fixed(&text, &d[0]), IRSA);
        fires("TP021", &edit(IRSA, "oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud", "oidc.eks.us-west-2.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud"));
    }

    #[test]
    fn silent_on_matching_provider_and_global_keys() {
        silent("TP021", IRSA);
        silent("TP021", &edit(IRSA, "/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub", "/ID/5c6d6a7e8f9a0b1c2d3e4f5a6b7c8d9e:sub"));
        silent("TP021", &edit(IRSA, "oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub", "https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub"));
        silent("TP021", &edit(IRSA, "\"StringEquals\": {", "\"StringEquals\": {\"aws:SourceAccount\": \"123456789012\","));
    }
}
