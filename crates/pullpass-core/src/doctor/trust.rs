//! The trust policy as doctor needs it: statements, principals, actions and conditions, each
//! value with its byte range. Syntax and shape problems come back as `TP…` findings.

use crate::diagnostic::{Diagnostic, Severity};
use crate::text::{LineIndex, TextRange};

use super::artifacts::Located;
use super::yaml::{self, Node};

#[derive(Debug, Clone)]
pub(crate) struct Principal {
    /// `Federated`, `Service`, `AWS`.
    pub(crate) kind: String,
    pub(crate) value: Located,
}

#[derive(Debug, Clone)]
pub(crate) struct Condition {
    /// As written: `StringEquals`, `ForAnyValue:StringLike`, …
    pub(crate) operator: String,
    pub(crate) operator_range: Option<TextRange>,
    pub(crate) key: Located,
    pub(crate) values: Vec<Located>,
}

impl Condition {
    /// The operator without set prefix and `IfExists`: `StringEquals`.
    pub(crate) fn base_operator(&self) -> &str {
        let op = self.operator.as_str();
        let op = op
            .strip_prefix("ForAnyValue:")
            .or_else(|| op.strip_prefix("ForAllValues:"))
            .unwrap_or(op);
        op.strip_suffix("IfExists").unwrap_or(op)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub(crate) index: usize,
    pub(crate) allow: bool,
    pub(crate) principals: Vec<Principal>,
    pub(crate) actions: Vec<Located>,
    pub(crate) not_action: bool,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) range: Option<TextRange>,
}

impl Statement {
    pub(crate) fn allows_action(&self, action: &str) -> bool {
        !self.not_action
            && self.actions.iter().any(|a| {
                let a = a.value.as_str();
                a == "*" || a.eq_ignore_ascii_case("sts:*") || a.eq_ignore_ascii_case(action)
            })
    }

    pub(crate) fn pointer(&self) -> String {
        format!("/Statement/{}", self.index)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) statements: Vec<Statement>,
    /// The input is this policy document itself (not `aws iam get-role` output), so the
    /// linter's ranges index it too.
    pub(crate) bare: bool,
}

/// What the trust-policy input turned out to be.
#[derive(Debug, Clone)]
pub(crate) enum Read {
    Policy(Policy),
    /// IAM's `NoSuchEntity` for the role (pasted, or from `--live`).
    RoleMissing(String),
}

pub(crate) fn finding(
    code: &'static str,
    severity: Severity,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        code,
        severity,
        message: message.into(),
        help: None,
        pointer: String::new(),
        range: None,
        fix: None,
    }
}

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Reads the trust policy: a bare policy document, or `aws iam get-role` output (whose
/// `AssumeRolePolicyDocument` may be URL-encoded), or IAM's `NoSuchEntity` answer.
pub(crate) fn read(text: &str) -> Result<Read, Diagnostic> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') && trimmed.contains("NoSuchEntity") {
        return Ok(Read::RoleMissing(super::aws::shorten(
            trimmed.lines().next().unwrap_or(trimmed),
        )));
    }
    if text.len() > yaml::MAX_INPUT_BYTES {
        return Err(finding(
            "TP001",
            Severity::Error,
            format!("the trust policy is over {} bytes", yaml::MAX_INPUT_BYTES),
        ));
    }
    if let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let index = LineIndex::new(text);
        let line = error.line().saturating_sub(1).min(index.line_count() - 1);
        let at = (index.line_start(line) + error.column().saturating_sub(1)).min(text.len());
        let mut at = at;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        return Err(finding(
            "TP001",
            Severity::Error,
            format!("the trust policy is not valid JSON: {error}"),
        )
        .range(TextRange::new(at, end))
        .help("IAM accepts only JSON; check quotes, commas and brackets around this position"));
    }
    let doc = yaml::parse_one(text).map_err(|e| {
        finding(
            "TP001",
            Severity::Error,
            format!("the trust policy could not be read: {}", e.message),
        )
        .range(e.range)
    })?;
    // `aws iam get-role` output.
    if let Some(role) = doc.get("Role") {
        match role.get("AssumeRolePolicyDocument") {
            Some(inner) if inner.as_map().is_some() => {
                return statements(inner).map(|mut p| {
                    p.bare = false;
                    Read::Policy(p)
                });
            }
            Some(inner) => {
                let encoded = inner.as_str().unwrap_or_default();
                let decoded = percent_decode(encoded);
                let mut read = read(&decoded)?;
                if let Read::Policy(policy) = &mut read {
                    strip_ranges(policy);
                }
                return Ok(read);
            }
            None => {
                return Err(finding(
                    "TP002",
                    Severity::Error,
                    "the `aws iam get-role` output has no `AssumeRolePolicyDocument`",
                )
                .range(role.range));
            }
        }
    }
    statements(&doc).map(Read::Policy)
}

fn strip_ranges(policy: &mut Policy) {
    policy.bare = false;
    for s in &mut policy.statements {
        s.range = None;
        for p in &mut s.principals {
            p.value.range = None;
        }
        for a in &mut s.actions {
            a.range = None;
        }
        for c in &mut s.conditions {
            c.operator_range = None;
            c.key.range = None;
            for v in &mut c.values {
                v.range = None;
            }
        }
    }
}

/// `%7B%22Version…` → `{"Version…`. Invalid escapes stay as written.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (
                (bytes[i + 1] as char).to_digit(16),
                (bytes[i + 2] as char).to_digit(16),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
        } else if bytes[i] == b'+' {
            out.push(b' ');
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn located_strings(node: &Node) -> Vec<Located> {
    node.strings()
        .into_iter()
        .map(|(s, r)| Located {
            value: s.to_owned(),
            range: Some(r),
        })
        .collect()
}

fn statements(doc: &Node) -> Result<Policy, Diagnostic> {
    if doc.as_map().is_none() {
        return Err(finding(
            "TP002",
            Severity::Error,
            "the trust policy is not a JSON object with `Statement`",
        )
        .range(doc.range));
    }
    let Some(statement) = doc.get("Statement") else {
        return Err(finding(
            "TP002",
            Severity::Error,
            "the trust policy has no `Statement`",
        )
        .range(doc.range)
        .help("a trust policy reads {\"Version\": \"2012-10-17\", \"Statement\": [ … ]}"));
    };
    let nodes: Vec<&Node> = match statement.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![statement],
    };
    let mut out = Vec::new();
    for (index, node) in nodes.into_iter().enumerate() {
        let pointer = format!("/Statement/{index}");
        if node.as_map().is_none() {
            return Err(
                finding("TP002", Severity::Error, "a statement is not a JSON object")
                    .range(node.range)
                    .pointer(pointer),
            );
        }
        let effect = node.get("Effect").and_then(Node::as_str);
        if !matches!(effect, Some("Allow" | "Deny")) {
            return Err(finding(
                "TP007",
                Severity::Error,
                format!("statement {index} has no `Effect` of `Allow` or `Deny`"),
            )
            .range(node.get("Effect").map_or(node.range, |n| n.range))
            .pointer(pointer));
        }
        let mut principals = Vec::new();
        if let Some(p) = node.get("Principal") {
            match p.as_map() {
                Some(entries) => {
                    for (k, v) in entries {
                        for value in located_strings(v) {
                            principals.push(Principal {
                                kind: k.as_str().unwrap_or_default().to_owned(),
                                value,
                            });
                        }
                    }
                }
                None => {
                    if let Some(value) = p.as_str() {
                        principals.push(Principal {
                            kind: "*".to_owned(),
                            value: Located {
                                value: value.to_owned(),
                                range: Some(p.range),
                            },
                        });
                    }
                }
            }
        }
        let (actions, not_action) = match (node.get("Action"), node.get("NotAction")) {
            (Some(a), _) => (located_strings(a), false),
            (None, Some(a)) => (located_strings(a), true),
            (None, None) => {
                return Err(finding(
                    "TP007",
                    Severity::Error,
                    format!("statement {index} has no `Action`"),
                )
                .range(node.range)
                .pointer(pointer));
            }
        };
        let mut conditions = Vec::new();
        if let Some(block) = node.get("Condition") {
            for (op, keys) in block.as_map().unwrap_or_default() {
                let operator = op.as_str().unwrap_or_default().to_owned();
                let base = {
                    let o = operator.as_str();
                    let o = o
                        .strip_prefix("ForAnyValue:")
                        .or_else(|| o.strip_prefix("ForAllValues:"))
                        .unwrap_or(o);
                    o.strip_suffix("IfExists").unwrap_or(o)
                };
                if !OPERATORS.contains(&base) {
                    let near = OPERATORS
                        .iter()
                        .find(|k| {
                            k.to_ascii_lowercase()
                                .starts_with(&base.to_ascii_lowercase())
                                || base.eq_ignore_ascii_case(k)
                        })
                        .or_else(|| {
                            OPERATORS.iter().find(|k| {
                                base.to_ascii_lowercase().starts_with(
                                    &k.to_ascii_lowercase()
                                        [..k.len().min(base.len()).saturating_sub(1)],
                                )
                            })
                        });
                    let mut d = finding(
                        "TP014",
                        Severity::Error,
                        format!(
                            "`{operator}` is not an IAM condition operator: IAM refuses the policy"
                        ),
                    )
                    .range(op.range)
                    .pointer(format!("{pointer}/Condition"));
                    if let Some(near) = near {
                        d = d.help(format!("did you mean `{near}`?"));
                    }
                    return Err(d);
                }
                for (key, values) in keys.as_map().unwrap_or_default() {
                    conditions.push(Condition {
                        operator: operator.clone(),
                        operator_range: Some(op.range),
                        key: Located {
                            value: key.as_str().unwrap_or_default().to_owned(),
                            range: Some(key.range),
                        },
                        values: located_strings(values),
                    });
                }
            }
        }
        out.push(Statement {
            index,
            allow: effect == Some("Allow"),
            principals,
            actions,
            not_action,
            conditions,
            range: Some(node.range),
        });
    }
    Ok(Policy {
        statements: out,
        bare: true,
    })
}

/// IAM's `StringLike`: `*` any run of characters, `?` exactly one.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Whether one condition admits `actual` for its key (a single-valued key).
pub(crate) fn admits(condition: &Condition, actual: &str) -> bool {
    let any = |f: &dyn Fn(&str) -> bool| condition.values.iter().any(|v| f(&v.value));
    match condition.base_operator() {
        "StringEquals" => any(&|v| v == actual),
        "StringEqualsIgnoreCase" => any(&|v| v.eq_ignore_ascii_case(actual)),
        "StringLike" => any(&|v| glob(v, actual)),
        "StringNotEquals" => !any(&|v| v == actual),
        "StringNotEqualsIgnoreCase" => !any(&|v| v.eq_ignore_ascii_case(actual)),
        "StringNotLike" => !any(&|v| glob(v, actual)),
        "ArnEquals" | "ArnLike" => any(&|v| glob(v, actual)),
        "ArnNotEquals" | "ArnNotLike" => !any(&|v| glob(v, actual)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_iam() {
        assert!(glob(
            "system:serviceaccount:coder:*",
            "system:serviceaccount:coder:coder"
        ));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*", ""));
        assert!(!glob(
            "system:serviceaccount:default:*",
            "system:serviceaccount:coder:coder"
        ));
    }

    #[test]
    fn invalid_json_points_at_the_error() {
        let text = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}";
        let d = read(text).unwrap_err();
        assert_eq!(d.code, "TP001");
        assert_eq!(LineIndex::new(text).line_of(d.range.unwrap().start), 2);
    }

    #[test]
    fn get_role_output_with_an_encoded_document() {
        let text = r#"{"Role": {"RoleName": "r", "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22pods.eks.amazonaws.com%22%7D%2C%22Action%22%3A%5B%22sts%3AAssumeRole%22%2C%22sts%3ATagSession%22%5D%7D%5D%7D"}}"#;
        let Ok(Read::Policy(policy)) = read(text) else {
            panic!("not read")
        };
        assert_eq!(
            policy.statements[0].principals[0].value.value,
            "pods.eks.amazonaws.com"
        );
        assert!(policy.statements[0].allows_action("sts:TagSession"));
    }

    #[test]
    fn misspelt_operator_is_tp014_with_a_suggestion() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Condition": {"StringEqual": {"a": "b"}}}]}"#;
        let d = read(text).unwrap_err();
        assert_eq!(d.code, "TP014");
        assert_eq!(d.help.as_deref(), Some("did you mean `StringEquals`?"));
    }
}
