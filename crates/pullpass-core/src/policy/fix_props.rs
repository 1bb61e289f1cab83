//! What a safe fix may do, held over every fixture policy and mutations of it (issue 15):
//!
//! - it changes the text, applies on char boundaries, and creates no duplicate key;
//! - re-linting never reports the same code at the same place with the same fix again;
//! - it never admits a request the policy did not admit before unless every value of that
//!   request is one the author wrote (normalised: case, surrounding space, a URL scheme or an
//!   ARN prefix on an issuer, the STS audience): a fix may repair a condition that could never
//!   match into the one the author evidently meant, never turn a literal into a pattern
//!   (TP028's `StringEquals` → `StringLike` is unsafe for exactly that reason);
//! - the fix loop (`policy::fix_all`, `new_errors` here) never ends with a new error.
//!
//! The comparison runs a small trust-side evaluator (principal, action, the string, `Null` and
//! `Bool` condition operators with `ForAnyValue:`/`ForAllValues:`/`IfExists`, explicit deny
//! wins) on requests sampled from the policy's own literals and their wildcard expansions.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::{LintContext, PolicyKind, glob, lint};
use crate::diagnostic::{Applicability, Diagnostic, new_errors};

/// One assume-role request: who, what, and the request context.
#[derive(Debug, Clone)]
struct Request {
    principal_type: &'static str,
    principal: String,
    action: String,
    /// Lower-case key → values.
    context: Vec<(String, Vec<String>)>,
}

/// `Some(allowed)`, or `None` when IAM would reject the policy (unknown operator, bad effect)
/// or it uses what this evaluator does not model (`NotPrincipal`).
fn evaluate(policy: &Value, req: &Request) -> Option<bool> {
    let statements = match policy.get("Statement")? {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        one @ Value::Object(_) => vec![one],
        _ => return None,
    };
    let mut allowed = false;
    for stmt in statements {
        let stmt = stmt.as_object()?;
        if stmt.contains_key("NotPrincipal") {
            return None;
        }
        let effect = match stmt.get("Effect")?.as_str()? {
            "Allow" => true,
            "Deny" => false,
            _ => return None,
        };
        let principal_ok = match stmt.get("Principal") {
            Some(Value::String(s)) => s == "*",
            Some(Value::Object(map)) => map.iter().any(|(kind, v)| {
                kind == req.principal_type
                    && strings(v).iter().any(|p| p == "*" || *p == req.principal)
            }),
            _ => false,
        };
        let action_ok = if let Some(a) = stmt.get("Action") {
            strings(a)
                .iter()
                .any(|p| glob::matches_ignore_case(p, &req.action))
        } else if let Some(a) = stmt.get("NotAction") {
            !strings(a)
                .iter()
                .any(|p| glob::matches_ignore_case(p, &req.action))
        } else {
            false
        };
        let conditions_ok = match stmt.get("Condition") {
            None => true,
            Some(Value::Object(blocks)) => {
                let mut all = true;
                for (op, entries) in blocks {
                    all &= block_matches(op, entries.as_object()?, req)?;
                }
                all
            }
            Some(_) => return None,
        };
        if principal_ok && action_ok && conditions_ok {
            if !effect {
                return Some(false);
            }
            allowed = true;
        }
    }
    Some(allowed)
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::String(s) => vec![s.clone()],
        // An intrinsic function (`{"Fn::Sub": …}`) is not a value IAM compares.
        Value::Null | Value::Object(_) => Vec::new(),
        other => vec![other.to_string()],
    }
}

/// `None` for an operator IAM rejects.
fn block_matches(
    op: &str,
    entries: &serde_json::Map<String, Value>,
    req: &Request,
) -> Option<bool> {
    let (set, rest) = match op.split_once(':') {
        Some(("ForAnyValue", rest)) => (Some(false), rest),
        Some(("ForAllValues", rest)) => (Some(true), rest),
        Some(_) => return None,
        None => (None, op),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let (negated, compare): (bool, fn(&str, &str) -> bool) = match base {
        "StringEquals" => (false, |p, v| p == v),
        "StringNotEquals" => (true, |p, v| p == v),
        "StringEqualsIgnoreCase" => (false, |p, v| p.eq_ignore_ascii_case(v)),
        "StringNotEqualsIgnoreCase" => (true, |p, v| p.eq_ignore_ascii_case(v)),
        "StringLike" | "ArnLike" | "ArnEquals" => (false, glob::matches),
        "StringNotLike" | "ArnNotLike" | "ArnNotEquals" => (true, glob::matches),
        "Bool" => (false, |p, v| p.eq_ignore_ascii_case(v)),
        "Null" => {
            return Some(entries.iter().all(|(key, want)| {
                let absent = !req.context.iter().any(|(k, _)| k.eq_ignore_ascii_case(key));
                strings(want)
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(&absent.to_string()))
            }));
        }
        _ => return None,
    };
    for (key, want) in entries {
        let patterns = strings(want);
        let got = req
            .context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice());
        let hit = |v: &str| patterns.iter().any(|p| compare(p, v));
        let ok = match (set, got) {
            (Some(true), None) => true,
            (Some(true), Some(values)) => values.iter().all(|v| hit(v) != negated),
            (Some(false), None) => false,
            (Some(false), Some(values)) => values.iter().any(|v| hit(v) != negated),
            (None, None) => if_exists || negated,
            (None, Some(values)) => values.first().is_some_and(|v| hit(v) != negated),
        };
        if !ok {
            return Some(false);
        }
    }
    Some(true)
}

/// The issuer host and path of a key or principal value written with a scheme or an ARN prefix.
fn normalise(s: &str) -> String {
    let mut s = s.trim().to_ascii_lowercase();
    for _ in 0..3 {
        for prefix in ["https://", "http://"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.to_owned();
            }
        }
        // arn:PARTITION:iam::ACCOUNT:TYPE/ISSUER, whatever TYPE says (`oidc-provide/`).
        if s.starts_with("arn:")
            && let Some(resource) = s.splitn(6, ':').nth(5)
            && let Some((_, issuer)) = resource.split_once('/')
        {
            s = issuer.to_owned();
        }
    }
    s.trim_end_matches('/').to_owned()
}

/// Every string (keys and values) of a JSON value.
fn literals(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|i| literals(i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                literals(v, out);
            }
        }
        _ => {}
    }
}

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        &items[(self.0 % items.len() as u64) as usize]
    }
}

/// What the statements of a policy name: principals by type, actions, values by context key
/// (keys in IAM's form).
#[derive(Default)]
struct Named {
    principals: BTreeSet<(&'static str, String)>,
    actions: BTreeSet<String>,
    values: std::collections::BTreeMap<String, BTreeSet<String>>,
}

/// IAM's form of a condition key: an identity-provider key without scheme or ARN prefix.
fn real_key(key: &str) -> String {
    match key.rsplit_once(':') {
        Some((provider, claim))
            if provider.contains('.')
                || provider.to_ascii_lowercase().starts_with("arn:")
                || provider.to_ascii_lowercase().starts_with("http") =>
        {
            format!("{}:{}", normalise(provider), claim.to_ascii_lowercase())
        }
        _ => key.to_ascii_lowercase(),
    }
}

fn collect(policy: &Value, named: &mut Named) {
    let statements = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    for stmt in statements {
        if let Some(Value::Object(map)) = stmt.get("Principal") {
            for (kind, v) in map {
                let kind = match kind.as_str() {
                    "Federated" => "Federated",
                    "AWS" => "AWS",
                    "Service" => "Service",
                    _ => continue,
                };
                for p in strings(v) {
                    if let Some(i) = p.find("oidc-provider/") {
                        let bare = format!("{}oidc-provider/{}", &p[..i], normalise(&p[i + 14..]));
                        named.principals.insert((kind, bare));
                    }
                    named.principals.insert((kind, p));
                }
            }
        }
        for key in ["Action", "NotAction"] {
            if let Some(a) = stmt.get(key) {
                named
                    .actions
                    .extend(strings(a).into_iter().map(|a| a.replace(['*', '?'], "x")));
            }
        }
        if let Some(Value::Object(blocks)) = stmt.get("Condition") {
            for entries in blocks.values() {
                if let Value::Object(entries) = entries {
                    for (key, v) in entries {
                        let slot = named.values.entry(real_key(key)).or_default();
                        for value in strings(v) {
                            slot.insert(value.trim().to_ascii_lowercase());
                            if glob::has_wildcard(&value) {
                                slot.insert(value.replace(['*', '?'], "x"));
                                slot.insert(value.replace('*', "").replace('?', "y"));
                            }
                            slot.insert(value);
                        }
                    }
                }
            }
        }
    }
}

/// Requests built from what `before` and `after` name, with wildcard expansions.
fn sample(before: &Value, after: &Value, n: usize) -> Vec<Request> {
    let mut named = Named::default();
    collect(before, &mut named);
    collect(after, &mut named);
    named.actions.extend(
        [
            "sts:AssumeRoleWithWebIdentity",
            "sts:AssumeRole",
            "sts:TagSession",
        ]
        .map(str::to_owned),
    );
    let mut principals: Vec<(&'static str, String)> = named.principals.into_iter().collect();
    if principals.is_empty() {
        principals.push(("AWS", "x".to_owned()));
    }
    let actions: Vec<String> = named.actions.into_iter().collect();
    let keys: Vec<(String, Vec<String>)> = named
        .values
        .into_iter()
        .map(|(k, mut v)| {
            v.insert("sts.amazonaws.com".to_owned());
            v.insert("x".to_owned());
            (k, v.into_iter().collect())
        })
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let (principal_type, principal) = rng.pick(&principals).clone();
        let action = rng.pick(&actions).clone();
        let mut context = Vec::new();
        for (k, values) in &keys {
            if *rng.pick(&[true, true, true, true, false]) {
                context.push((k.clone(), vec![rng.pick(values).clone()]));
            }
        }
        out.push(Request {
            principal_type,
            principal,
            action,
            context,
        });
    }
    out
}

/// The values the policy already compares with a `…Like` operator: patterns the author meant
/// as patterns (a `*` under `StringEquals` is a literal, and not among them).
fn like_patterns(policy: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let statements = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    for stmt in statements {
        if let Some(Value::Object(blocks)) = stmt.get("Condition") {
            for (op, entries) in blocks {
                if op.contains("Like")
                    && !op.contains("Not")
                    && let Value::Object(entries) = entries
                {
                    out.extend(entries.values().flat_map(strings));
                }
            }
        }
    }
    out
}

/// Whether every value of `req` is one the author wrote (normalised).
fn named_by(req: &Request, named: &BTreeSet<String>, patterns: &[String]) -> bool {
    let is_named =
        |v: &str| named.contains(&normalise(v)) || patterns.iter().any(|p| glob::matches(p, v));
    let principal = req.principal.as_str();
    let principal_named = is_named(principal)
        || principal.find("oidc-provider/").is_some_and(|i| {
            named
                .iter()
                .any(|n| n.ends_with(&normalise(&principal[i + 14..])))
        });
    principal_named
        && req
            .context
            .iter()
            .all(|(_, vs)| vs.iter().all(|v| is_named(v)))
}

/// Duplicate keys in any object of `text` (by our parser, which keeps them).
fn duplicate_keys(text: &str) -> usize {
    lint(text, None, &LintContext::default())
        .diagnostics
        .iter()
        .filter(|d| d.code() == "TP006")
        .count()
}

/// Checks one safe fix of `d` against `text`; returns a description of what broke.
fn check_fix(
    text: &str,
    kind: Option<PolicyKind>,
    before: &[Diagnostic],
    d: &Diagnostic,
) -> Result<(), String> {
    let Some(fix) = d.fix().filter(|f| f.applicability == Applicability::Safe) else {
        return Ok(());
    };
    let fixed = fix
        .apply(text)
        .ok_or_else(|| format!("{} fix does not apply", d.code()))?;
    if fixed == text {
        return Err(format!("{} fix changes nothing", d.code()));
    }
    if duplicate_keys(&fixed) > duplicate_keys(text) {
        return Err(format!(
            "{} fix creates a duplicate key:\n{fixed}",
            d.code()
        ));
    }
    let after = lint(&fixed, kind, &LintContext::default());
    if after.diagnostics.iter().any(|a| {
        a.code() == d.code()
            && a.range() == d.range()
            && a.message() == d.message()
            && a.fix().is_some_and(|f| f.edits == fix.edits)
    }) {
        return Err(format!(
            "{} is reported again at the same place after its fix:\n{fixed}",
            d.code()
        ));
    }
    let _ = before;
    if let (Ok(old), Ok(new)) = (
        serde_json::from_str::<Value>(text),
        serde_json::from_str::<Value>(&fixed),
    ) {
        let mut named = BTreeSet::new();
        literals(&old, &mut named);
        let mut named: BTreeSet<String> = named.iter().map(|s| normalise(s)).collect();
        named.insert("sts.amazonaws.com".to_owned());
        let widened = |r: &Request| {
            matches!(
                (evaluate(&old, r), evaluate(&new, r)),
                (Some(false), Some(true))
            )
        };
        for req in sample(&old, &new, 300) {
            if !widened(&req) {
                continue;
            }
            // Only the context keys that matter: drop each one that the widening does not need.
            let mut req = req;
            let mut i = 0;
            while i < req.context.len() {
                let mut smaller = req.clone();
                smaller.context.remove(i);
                if widened(&smaller) {
                    req = smaller;
                } else {
                    i += 1;
                }
            }
            if !named_by(&req, &named, &like_patterns(&old)) {
                return Err(format!(
                    "{} fix ({}) admits {req:?}, which the policy did not admit and does not name:\n{text}\n=>\n{fixed}",
                    d.code(),
                    fix.message
                ));
            }
        }
    }
    Ok(())
}

/// Every policy fixture of the repository (trust and permissions).
fn fixtures() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "json")
                && let Ok(text) = std::fs::read_to_string(&p)
            {
                out.push((p.display().to_string(), text));
            }
        }
    }
    out.sort();
    out
}

/// Mutations that turn working fixtures into ones with fixable findings.
const MUTATIONS: &[(&str, &str)] = &[
    ("\"StringEquals\"", "\"StringEqual\""),
    ("\"StringEquals\"", "\"stringequals\""),
    ("\"StringLike\"", "\"StringLik\""),
    ("\"Condition\"", "\"Conditon\""),
    ("\"Allow\"", "\"allow\""),
    ("\"Effect\"", "\"effect\""),
    ("\"Action\"", "\"Actions\""),
    ("system:serviceaccount:", "system:serviceaccount:*"),
    ("coder:coder\"", "coder:*\""),
    (":sub\"", ":Sub\""),
    ("\"oidc.eks.", "\"https://oidc.eks."),
    ("\"oidc.eks.", "\"HTTPS://oidc.eks."),
    (
        "\"oidc.eks.",
        "\"arn:aws:iam::123456789012:oidc-provide/oidc.eks.",
    ),
    ("oidc-provider/oidc", "oidc-provider/https://oidc"),
    ("\"sts.amazonaws.com\"", "\"sts.amazonaws.con\""),
    ("\"sts.amazonaws.com\"", "\"https://sts.amazonaws.com\""),
    ("sts:AssumeRoleWithWebIdentity", "sts:AssumeRole"),
    (
        "\"ForAnyValue:StringEquals\"",
        "\"ForAnyValue:StringEqual\"",
    ),
    ("\"StringEquals\": {", "\"ForAllValues:StringEquals\": {"),
    ("}]", "},]"),
];

#[test]
fn safe_fixes_keep_what_the_policy_admits_over_fixtures_and_mutations() {
    let mut checked = 0usize;
    let mut failures = Vec::new();
    for (name, text) in fixtures() {
        let mut inputs = vec![text.clone()];
        for (from, to) in MUTATIONS {
            if text.contains(from) {
                inputs.push(text.replacen(from, to, 1));
            }
        }
        // Pairs of mutations: a typo block next to a correct one, a wildcard under a typo.
        if text.contains("\"StringEquals\"") {
            inputs.push(text.replacen(
                "\"StringEquals\": {",
                "\"StringEqual\": {\"aws:x\": \"y\"}, \"StringEquals\": {",
                1,
            ));
            inputs.push(
                text.replacen("\"StringEquals\"", "\"StringEqual\"", 1)
                    .replacen("coder:coder\"", "coder:*\"", 1),
            );
        }
        for input in inputs {
            for kind in [None, Some(PolicyKind::Trust)] {
                let out = lint(&input, kind, &LintContext::default());
                for d in &out.diagnostics {
                    checked += 1;
                    if let Err(e) = check_fix(&input, kind, &out.diagnostics, d) {
                        failures.push(format!("{name}: {e}"));
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} findings checked");
    assert!(
        failures.is_empty(),
        "{} failures, first:\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n\n")
    );
}

#[test]
fn the_evaluator_sees_what_tp028s_fix_would_widen() {
    // The property's own check: moving a `*` subject under StringLike admits subjects the
    // policy never named, so the check fires for it (and TP028's fix is therefore unsafe).
    let text = super::rules::test_support::IRSA.replace(
        "system:serviceaccount:coder:coder",
        "system:serviceaccount:*",
    );
    let out = lint(&text, None, &LintContext::default());
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code() == "TP028")
        .expect("TP028");
    let mut as_safe = d.clone();
    let fix = as_safe.take_fix().unwrap();
    as_safe = as_safe.with_fix(fix.with_applicability(Applicability::Safe));
    let err = check_fix(&text, None, &out.diagnostics, &as_safe).unwrap_err();
    assert!(err.contains("admits"), "{err}");
}

#[test]
fn new_errors_counts_per_code() {
    let out = lint(
        super::rules::test_support::IRSA,
        None,
        &LintContext::default(),
    );
    assert!(new_errors(&out.diagnostics, &out.diagnostics).is_empty());
    let broken = lint("{", None, &LintContext::default());
    assert_eq!(
        new_errors(&out.diagnostics, &broken.diagnostics),
        vec!["TP001"]
    );
}
