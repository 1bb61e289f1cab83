use super::{Cx, at, did_you_mean};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::policy::PolicyKind;
use crate::policy::json::{Member, Value, ValueKind};
use crate::policy::model::{STATEMENT_KEYS, TOP_KEYS, json_string, push_segment};

declare_rule! {
    /// ## What it does
    /// Reports elements IAM does not know (or in the wrong case: element names are
    /// case-sensitive), elements of the wrong type, `Resource`/`NotResource`/`NotPrincipal` in a
    /// trust policy, and `Principal` in a permissions (identity) policy.
    ///
    /// ## Why is this bad
    /// IAM rejects the document (`MalformedPolicyDocument: … has prohibited field Resource`),
    /// or, for a misspelt element in tools that skip unknown keys, silently drops the intent.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
    ///   "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Fix
    /// Remove the element, or spell it as IAM does (`Statement`, `Effect`, `Condition`); a
    /// wrong-case element has a safe fix.
    pub(crate) static TP003 = ("unknown-or-prohibited-element", "trust-policy", Error, "Unknown element, wrong type, or an element this kind of policy may not have");
}

fn unknown(cx: &mut Cx<'_>, members: &[Member<'_>], known: &[&str], base: impl Fn() -> String, what: &str) {
    for m in members {
        if known.contains(&&*m.key) {
            continue;
        }
        let mut pointer = base();
        push_segment(&mut pointer, &m.key);
        if let Some(right) = known.iter().find(|k| k.eq_ignore_ascii_case(&m.key)) {
            // Only the first member of that name is read; fix it unless the right one exists.
            if members.iter().any(|o| o.key == *right) {
                cx.push(at(&TP003, format!("`{}` is a second `{right}` in the wrong case; IAM element names are case-sensitive", m.key), pointer, m.key_range));
            } else {
                cx.push(
                    at(&TP003, format!("`{}` must be spelt `{right}`: IAM element names are case-sensitive", m.key), pointer, m.key_range)
                        .with_fix(Fix::safe(format!("Rename to `{right}`"), vec![Edit::replace(m.key_range, json_string(right))])),
                );
            }
            continue;
        }
        let mut d = at(&TP003, format!("`{}` is not an element of {what}; IAM rejects the policy", m.key), pointer, m.key_range)
            .with_help(format!("{what} may have {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")));
        if let Some(right) = did_you_mean(&m.key, known)
            && !members.iter().any(|o| o.key == right)
        {
            d = d
                .with_help(format!("did you mean `{right}`?"))
                .with_fix(Fix::unsafe_(format!("Rename to `{right}`"), vec![Edit::replace(m.key_range, json_string(right))]));
        }
        cx.push(d);
    }
}

/// Explains a CloudFormation intrinsic (`{"Fn::Sub": …}`, `{"Ref": …}`) where IAM wants text:
/// the policy was copied from a template, not from IAM.
fn intrinsic_help(d: Diagnostic, value: &Value<'_>) -> Diagnostic {
    let intrinsic = match &value.kind {
        ValueKind::Object(members) => members.first().map(|m| &*m.key).filter(|k| k.starts_with("Fn::") || *k == "Ref"),
        _ => None,
    };
    match intrinsic {
        Some(f) => d.with_help(format!("`{f}` is a CloudFormation function, resolved only inside a template: lint the deployed policy (`aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument`) or write the value out")),
        None => d,
    }
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let policy = cx.policy;
    unknown(cx, policy.members, TOP_KEYS, String::new, "a policy");
    if let Some(id) = policy.members.iter().find(|m| m.key == "Id")
        && id.value.as_str().is_none()
    {
        cx.push(at(&TP003, "`Id` must be a string", "/Id".into(), id.value.range));
    }
    for stmt in cx.statements() {
        unknown(cx, stmt.members, STATEMENT_KEYS, || stmt.pointer(), "a statement");
        let kind = cx.kind;
        let prohibited: &[&str] = match kind {
            Some(PolicyKind::Trust) => &["Resource", "NotResource", "NotPrincipal"],
            Some(PolicyKind::Permissions) => &["Principal", "NotPrincipal"],
            // A repository policy's `Resource` is EP012's.
            Some(PolicyKind::Repository) | None => &[],
        };
        for m in stmt.members.iter().filter(|m| prohibited.contains(&&*m.key)) {
            let message = match kind {
                Some(PolicyKind::Trust) if m.key == "NotPrincipal" => "a trust policy may not use `NotPrincipal`: name who may assume the role in `Principal`".to_owned(),
                Some(PolicyKind::Trust) => format!("a trust policy may not have `{}`: the resource is the role itself (IAM: \"has prohibited field {}\")", m.key, m.key),
                _ => format!("an identity (permissions) policy may not have `{}`: it applies to whoever it is attached to", m.key),
            };
            cx.push(at(&TP003, message, stmt.ptr(&m.key), m.key_range).with_help("remove the element"));
        }
        // Types of the known elements.
        fn not_strings<'m>(m: Option<&'m Member<'m>>) -> Option<&'m Member<'m>> {
            m.filter(|m| match &m.value.kind {
                ValueKind::String(_) => false,
                ValueKind::Array(items) => items.is_empty() || items.iter().any(|v| v.as_str().is_none()),
                _ => true,
            })
        }
        for m in [stmt.action, stmt.not_action, stmt.resource, stmt.not_resource]
            .into_iter()
            .filter_map(not_strings)
        {
            cx.push(intrinsic_help(at(&TP003, format!("`{}` must be a string or a non-empty array of strings", m.key), stmt.ptr(&m.key), m.value.range), &m.value));
        }
        if let Some(sid) = stmt.sid
            && sid.value.as_str().is_none()
        {
            cx.push(at(&TP003, "`Sid` must be a string", stmt.ptr(&sid.key), sid.value.range));
        }
        for p in [stmt.principal, stmt.not_principal].into_iter().flatten() {
            match &p.value.kind {
                ValueKind::String(s) if s == "*" => {}
                ValueKind::Object(types) if !types.is_empty() => {
                    for t in types {
                        let ok = match &t.value.kind {
                            ValueKind::String(_) => true,
                            ValueKind::Array(items) => !items.is_empty() && items.iter().all(|v| v.as_str().is_some()),
                            _ => false,
                        };
                        let pointer = || {
                            let mut pointer = stmt.ptr(&p.key);
                            push_segment(&mut pointer, &t.key);
                            pointer
                        };
                        if !ok {
                            cx.push(intrinsic_help(at(&TP003, format!("principal `{}` must be a string or a non-empty array of strings", t.key), pointer(), t.value.range), &t.value));
                        } else if !["AWS", "Service", "Federated", "CanonicalUser"].contains(&&*t.key) {
                            let mut d = at(&TP003, format!("`{}` is not a principal type: use `AWS`, `Service`, `Federated` or `CanonicalUser`", t.key), pointer(), t.key_range);
                            if let Some(right) = ["AWS", "Service", "Federated", "CanonicalUser"].into_iter().find(|k| k.eq_ignore_ascii_case(&t.key)) {
                                d = d.with_fix(Fix::safe(format!("Rename to `{right}`"), vec![Edit::replace(t.key_range, json_string(right))]));
                            }
                            cx.push(d);
                        }
                    }
                }
                _ => cx.push(at(&TP003, format!("`{}` must be \"*\" or an object such as {{\"Federated\": \"arn:…\"}}", p.key), stmt.ptr(&p.key), p.value.range)),
            }
        }
        if let Some(c) = stmt.condition {
            if c.value.as_object().is_none() {
                cx.push(at(&TP003, "`Condition` must be an object of operators, such as {\"StringEquals\": {…}}", stmt.ptr(&c.key), c.value.range));
            }
            for block in &stmt.conditions {
                if !block.is_object {
                    cx.push(at(&TP003, format!("condition operator `{}` must map keys to values: {{\"key\": \"value\"}}", block.member.key), block.pointer(), block.member.value.range));
                    continue;
                }
                for entry in &block.entries {
                    let bad = match &entry.member.value.kind {
                        ValueKind::Array(items) => items.iter().any(|v| matches!(v.kind, ValueKind::Array(_) | ValueKind::Object(_) | ValueKind::Null)),
                        ValueKind::Object(_) | ValueKind::Null => true,
                        _ => false,
                    };
                    if bad {
                        cx.push(intrinsic_help(at(&TP003, format!("condition key `{}` must have a string, number, boolean or an array of them", entry.key), entry.pointer(), entry.member.value.range), &entry.member.value));
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
    fn fires_on_unknown_and_prohibited_elements() {
        let text = edit(IRSA, "\"Action\"", "\"action\"");
        let d = fires("TP003", &text);
        assert!(d[0].message().contains("case-sensitive"));
        let fixed_text = fixed(&text, &d[0]);
        assert_eq!(fixed_text, IRSA);
        fires("TP003", &edit(IRSA, "\"Effect\": \"Allow\",", "\"Effect\": \"Allow\", \"Resource\": \"*\","));
        fires("TP003", &edit(IRSA, "\"Effect\": \"Allow\",", "\"Effect\": \"Allow\", \"Condtion\": {},"));
        // A `Principal` with only `ecr:` actions reads as a repository policy; as an identity
        // policy (`--kind permissions`) it is prohibited.
        let text = edit(READ_ONLY, "\"Effect\": \"Allow\",", "\"Effect\": \"Allow\", \"Principal\": \"*\",");
        let out = crate::policy::lint(&text, Some(crate::policy::PolicyKind::Permissions), &crate::policy::LintContext::default());
        assert!(out.diagnostics.iter().any(|d| d.code() == "TP003"), "{:#?}", out.diagnostics);
        fires("TP003", &edit(IRSA, "\"Federated\"", "\"Federate\""));
        fires("TP003", &edit(POD, "\"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]", "\"Action\": {}"));
        fires("TP003", &edit(IRSA, "\"Version\"", "\"Versions\""));
        // Copied from a CloudFormation template: the function is named in the help.
        let d = fires("TP003", &edit(IRSA, "\"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E\"", "{\"Fn::Sub\": \"arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E\"}"));
        assert!(d.iter().any(|d| d.help().is_some_and(|h| h.contains("`Fn::Sub` is a CloudFormation function"))), "{d:?}");
    }

    #[test]
    fn silent_on_valid_policies() {
        silent("TP003", IRSA);
        silent("TP003", POD);
        silent("TP003", READ_ONLY);
    }
}
