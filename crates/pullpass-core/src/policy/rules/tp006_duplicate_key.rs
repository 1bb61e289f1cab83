use std::collections::{HashMap, HashSet};

use super::{Cx, at};
use crate::declare_rule;
use crate::policy::json::{Member, Value, ValueKind};
use crate::policy::model::{Seg, pointer_of};

declare_rule! {
    /// ## What it does
    /// Reports a key that appears twice in one JSON object, anywhere in the document, and
    /// condition keys of one operator that differ only in case.
    ///
    /// ## Why is this bad
    /// Parsers keep one of the two silently (most keep the last), so the policy IAM stores is
    /// not the one you read: a second `"StringEquals"` block replaces the first with its `sub`
    /// condition. Condition keys are case-insensitive, so `…:Sub` and `…:sub` are one key.
    ///
    /// ## Example
    /// ```json
    /// {"Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/X:sub": "system:serviceaccount:coder:coder"},
    ///                "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/X:aud": "sts.amazonaws.com"}}}
    /// ```
    ///
    /// ## Fix
    /// Merge the two into one key (both conditions under one `StringEquals`).
    pub(crate) static TP006 = ("duplicate-key", "trust-policy", Error, "Duplicate JSON key, or condition keys that differ only in case");
}

/// Walks the tree; nesting is capped by the parser, so the recursion is bounded.
/// Up to this many members, duplicates are found by comparing with the earlier members.
const SMALL: usize = 16;

fn walk(cx: &mut Cx<'_>, value: &Value<'_>) {
    match &value.kind {
        ValueKind::Object(members) => {
            // A set of the keys seen, not every key against every key (58 k keys were 15 s);
            // a policy's objects mostly have a handful of members, where comparing with the
            // earlier ones beats hashing (issue 13's in-memory profile).
            // (Only a large object gets a set: making one draws its random hash keys.)
            let mut seen: Option<HashSet<&str>> = (members.len() > SMALL).then(|| HashSet::with_capacity(members.len()));
            for (i, m) in members.iter().enumerate().skip(1) {
                let repeated = match &mut seen {
                    None => members[..i].iter().any(|e| e.key == m.key),
                    Some(seen) => {
                        if i == 1 {
                            seen.insert(&members[0].key);
                        }
                        !seen.insert(&m.key)
                    }
                };
                if repeated {
                    // The pointer is found again from the root, only for a finding: the walk
                    // keeps no path (issue 13's profile).
                    let mut path = Vec::new();
                    path_to(cx.policy.root, m, &mut path);
                    cx.push(
                        at(&TP006, format!("duplicate key `{}`: only one of the two takes effect (most JSON parsers silently keep the last)", m.key), pointer_of(&path), m.key_range)
                            .with_help("merge both into one key"),
                    );
                }
            }
            for m in members {
                if matches!(m.value.kind, ValueKind::Object(_) | ValueKind::Array(_)) {
                    walk(cx, &m.value);
                }
            }
        }
        ValueKind::Array(items) => {
            for item in items {
                if matches!(item.kind, ValueKind::Object(_) | ValueKind::Array(_)) {
                    walk(cx, item);
                }
            }
        }
        _ => {}
    }
}

/// Pushes the path from `value` down to `target` (a member below it, known by its key's range,
/// which no other member shares) onto `path`; false when `target` is not below `value`.
fn path_to<'v>(value: &'v Value<'v>, target: &Member<'_>, path: &mut Vec<Seg<'v>>) -> bool {
    match &value.kind {
        ValueKind::Object(members) => members.iter().any(|m| {
            path.push(Seg::Key(&m.key));
            let found = m.key_range == target.key_range || path_to(&m.value, target, path);
            if !found {
                path.pop();
            }
            found
        }),
        ValueKind::Array(items) => items.iter().enumerate().any(|(i, item)| {
            path.push(Seg::Index(i));
            let found = path_to(item, target, path);
            if !found {
                path.pop();
            }
            found
        }),
        _ => false,
    }
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let root = cx.policy.root;
    if cx.keys_may_repeat {
        walk(cx, root);
    }
    for stmt in cx.statements() {
        for block in &stmt.conditions {
            // The first spelling of each key, by its lower-case form (a scan of the earlier
            // entries for the usual few, a map for many).
            let mut first_of: Option<HashMap<String, &str>> = (block.entries.len() > SMALL).then(HashMap::new);
            for (i, e) in block.entries.iter().enumerate() {
                let first = match &mut first_of {
                    None => block.entries[..i].iter().find(|f| f.key.eq_ignore_ascii_case(e.key)).map_or(e.key, |f| f.key),
                    Some(first_of) => *first_of.entry(e.key.to_ascii_lowercase()).or_insert(e.key),
                };
                if first != e.key {
                    cx.push(
                        at(&TP006, format!("condition key `{}` is `{}` again: condition keys are case-insensitive, so one replaces the other", e.key, first), e.pointer(), e.member.key_range)
                            .with_help("keep one key; put several allowed values in an array"),
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
    fn fires_on_duplicates() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"ecr:*","Resource":"*"}]}"#;
        let d = fires("TP006", text);
        assert_eq!(d[0].pointer(), "/Statement/0/Effect");
        assert_eq!(&text[d[0].range().unwrap().as_usize_range()], "\"Effect\"");
        let case = edit(IRSA, ":aud\"", ":AUD\": \"sts.amazonaws.com\", \"oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud\"");
        fires("TP006", &case);
    }

    #[test]
    fn silent_without_duplicates() {
        silent("TP006", IRSA);
        silent("TP006", READ_ONLY);
    }
}
