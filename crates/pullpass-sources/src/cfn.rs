//! CloudFormation templates, JSON and YAML (short-form tags `!Sub`, `!Ref`, `!GetAtt`, …).
//!
//! Read with the core's bounded YAML reader (`pullpass_core::doctor::yaml`: 1 MiB, depth 64,
//! 200 000 nodes with aliases counted as copies), which reads JSON templates as well.
//! Policies: `AWS::IAM::Role` (`AssumeRolePolicyDocument`, `Policies[].PolicyDocument`),
//! `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy` (`PolicyDocument`), `AWS::ECR::Repository`
//! (`RepositoryPolicyText`). Intrinsics become `${…}` placeholders; a `Fn::Sub` string keeps
//! its literal text (mapped byte for byte), so a mistake in it is still found.
//! Intrinsic functions: <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>

use pullpass_core::doctor::yaml::{self, Node, Value};
use pullpass_core::text::TextRange;

use crate::json_out::{JsonOut, Piece, dedented_lines, split_template};
use crate::{Attachment, Extracted, ExtractedPolicy, NotLinted, PolicyKind, SourceError};

/// Reads a template.
#[must_use]
pub fn extract(text: &str) -> Extracted {
    let docs = match yaml::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            return Extracted {
                error: Some(SourceError {
                    message: format!("not a readable CloudFormation template: {}", e.message),
                    range: e.range,
                }),
                ..Extracted::default()
            };
        }
    };
    let mut out = Extracted::default();
    for doc in &docs {
        let Some(resources) = doc.get("Resources").and_then(Node::as_map) else {
            continue;
        };
        for (logical, resource) in resources {
            let Some(logical) = logical.as_str() else {
                continue;
            };
            let Some(rtype) = resource.get("Type").and_then(Node::as_str) else {
                continue;
            };
            let Some(props) = resource.get("Properties") else {
                continue;
            };
            let owner = format!("Resources.{logical}");
            match rtype {
                "AWS::IAM::Role" => {
                    let role_name = props.get("RoleName").and_then(literal).map(str::to_owned);
                    if let Some(doc) = props.get("AssumeRolePolicyDocument") {
                        push(
                            &mut out,
                            text,
                            doc,
                            Some(PolicyKind::Trust),
                            format!("{owner} (AWS::IAM::Role trust policy)"),
                            // Without `RoleName`, CloudFormation names the role
                            // `<stack>-<logical id>-<random>`: no annotation can be matched to
                            // it by name.
                            role_name.clone(),
                            &owner,
                        );
                    }
                    for arn in props
                        .get("ManagedPolicyArns")
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                    {
                        if let Some(policy) = reference(arn) {
                            out.attachments.push(Attachment {
                                role: owner.clone(),
                                policy,
                                range: arn.range,
                            });
                        }
                    }
                    for (i, p) in props
                        .get("Policies")
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                    {
                        if let Some(doc) = p.get("PolicyDocument") {
                            let name = p
                                .get("PolicyName")
                                .and_then(literal)
                                .map_or_else(|| format!("Policies[{i}]"), str::to_owned);
                            push(
                                &mut out,
                                text,
                                doc,
                                Some(PolicyKind::Permissions),
                                format!("{owner} inline policy {name}"),
                                None,
                                &owner,
                            );
                            out.attachments.push(Attachment {
                                role: owner.clone(),
                                policy: owner.clone(),
                                range: doc.range,
                            });
                        }
                    }
                }
                "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy" => {
                    if let Some(doc) = props.get("PolicyDocument") {
                        push(
                            &mut out,
                            text,
                            doc,
                            Some(PolicyKind::Permissions),
                            format!("{owner} ({rtype})"),
                            None,
                            &owner,
                        );
                    }
                    // `Roles: [!Ref NodeRole]` (`RoleName: !Ref NodeRole` for a RolePolicy);
                    // users and groups too, so that a policy they share is not judged by a
                    // role alone.
                    for (key, kind) in [
                        ("Roles", ""),
                        ("RoleName", ""),
                        ("Users", "user "),
                        ("Groups", "group "),
                    ] {
                        let Some(node) = props.get(key) else {
                            continue;
                        };
                        for who in node.as_seq().unwrap_or(std::slice::from_ref(node)) {
                            out.attachments.push(Attachment {
                                role: format!("{kind}{}", identity(text, who)),
                                policy: owner.clone(),
                                range: who.range,
                            });
                        }
                    }
                }
                "AWS::ECR::Repository" => {
                    if let Some(doc) = props.get("RepositoryPolicyText") {
                        push(
                            &mut out,
                            text,
                            doc,
                            Some(PolicyKind::Repository),
                            format!("{owner} (AWS::ECR::Repository policy)"),
                            None,
                            &owner,
                        );
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// A policy document written in YAML, the way a template holds it (short-form tags and all):
/// its kind is detected from its text, as for a JSON policy file.
#[must_use]
pub fn extract_yaml_policy(text: &str) -> Extracted {
    let docs = match yaml::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            return Extracted {
                error: Some(SourceError {
                    message: format!("not a readable YAML policy: {}", e.message),
                    range: e.range,
                }),
                ..Extracted::default()
            };
        }
    };
    let mut out = Extracted::default();
    for (i, doc) in docs.iter().enumerate() {
        if doc.get("Statement").is_some() {
            let owner = if docs.len() == 1 {
                "the YAML policy".to_owned()
            } else {
                format!("YAML document {}", i + 1)
            };
            push(&mut out, text, doc, None, owner, None, "");
        }
    }
    out
}

/// A role or policy as an attachment names it: `!Ref X` → `Resources.X`; a literal or
/// `!Sub` string (a policy ARN) as written; `None` for anything else.
fn reference(node: &Node) -> Option<String> {
    match intrinsic(node) {
        Some((name, arg)) if name == "Ref" => arg.as_str().map(|x| format!("Resources.{x}")),
        Some((name, arg)) if name == "Fn::Sub" => arg.as_str().map(str::to_owned),
        Some(_) => None,
        None => node.as_str().map(str::to_owned),
    }
}

/// An identity a policy attaches to: `!Ref NodeRole` → `Resources.NodeRole` (the role's
/// owner), anything else as written (the same text is the same identity in one template; one
/// that no other policy names is granted nothing by the others).
fn identity(text: &str, node: &Node) -> String {
    reference(node)
        .filter(|r| r.starts_with("Resources."))
        .unwrap_or_else(|| {
            text.get(node.range.as_usize_range())
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
}

/// A plain scalar without a tag.
fn literal(node: &Node) -> Option<&str> {
    if node.tag.is_some() {
        return None;
    }
    node.as_str()
}

fn push(
    out: &mut Extracted,
    text: &str,
    doc: &Node,
    kind: Option<PolicyKind>,
    owner: String,
    role_name: Option<String>,
    resource: &str,
) {
    let mut json = JsonOut::new();
    // A policy given as a JSON string (or a `Fn::Sub` of one) is JSON text itself.
    if let Some(pieces) = string_pieces(text, doc) {
        json.json_text(&pieces, false);
    } else if intrinsic(doc).is_some() {
        // `!If [cond, doc, doc]`, `Fn::Transform` (`AWS::Include`) and the like: the document
        // is chosen or filled in at deploy time.
        out.not_linted.push(NotLinted {
            owner,
            range: doc.range,
            why: "it is an intrinsic function (`Fn::If`, `Fn::Transform`, …) that CloudFormation resolves at deploy time; lint the document it resolves to",
        });
        return;
    } else if is_file_include(doc) {
        out.not_linted.push(NotLinted {
            owner,
            range: doc.range,
            why: "it is a file include (`file: ./policy.yaml`) that a build step fills in (aws-samples/eks-workshop-v2 inlines it with `yq load`); lint the included file",
        });
        return;
    } else {
        write_value(&mut json, text, doc);
    }
    out.policies.push(ExtractedPolicy {
        json: json.text,
        kind,
        owner,
        role_name,
        resource: resource.to_owned(),
        placeholders: json.placeholders,
        map: json.map,
        range: doc.range,
    });
}

/// Whether a document is only a reference to a file a build step inlines: one key,
/// none of a policy's elements, whose value is a relative path to a JSON or YAML file
/// (`PolicyDocument: {file: ./iam/policies/base.yaml}`). CloudFormation itself has no such
/// form, so the template is an input of a build, not what is deployed.
fn is_file_include(doc: &Node) -> bool {
    let Some([(key, value)]) = doc.as_map() else {
        return false;
    };
    let (Some(key), Some(path)) = (key.as_str(), literal(value)) else {
        return false;
    };
    let element = ["version", "statement", "id"]
        .iter()
        .any(|e| key.eq_ignore_ascii_case(e));
    let file = [".json", ".yaml", ".yml"]
        .iter()
        .any(|ext| path.to_ascii_lowercase().ends_with(ext));
    !element && file && !path.contains(char::is_whitespace)
}

/// Where a scalar's text starts in the file when the file holds it unescaped: a plain
/// scalar, or a quoted one without escapes.
fn literal_at(text: &str, node: &Node, value: &str) -> Option<usize> {
    let (src, start) = untagged(text, node)?;
    if src == value {
        return Some(start);
    }
    let inner = src
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| src.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))?;
    (inner == value).then_some(start + 1)
}

/// A node's source text without its `!Tag` (the reader's range starts at the tag).
fn untagged<'t>(text: &'t str, node: &Node) -> Option<(&'t str, usize)> {
    let src = text.get(node.range.as_usize_range())?;
    let mut start = node.range.start as usize;
    if node.tag.is_some() && src.starts_with('!') {
        let tag_end = src.find(char::is_whitespace)?;
        let rest = &src[tag_end..];
        let skip = tag_end + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
        start += skip;
        return Some((&src[skip..], start));
    }
    Some((src, start))
}

/// A string (or `Fn::Sub` template) as pieces mapped to the file: byte for byte when the
/// scalar is plain or quoted without escapes, line by line for a literal block (`|`), whose
/// lines are then contiguous literal text for an edit that spans several of them.
fn template_pieces(text: &str, node: &Node, s: &str) -> Vec<Piece> {
    if let Some(at) = literal_at(text, node, s) {
        return split_template(s, node.range, Some(at));
    }
    match block_lines(text, node, s) {
        Some(lines) => {
            let mut pieces = Vec::new();
            for line in lines {
                let Piece::Line {
                    text: line_text,
                    source,
                    indent,
                    line_start,
                } = line
                else {
                    continue;
                };
                for (i, piece) in split_template(&line_text, source, Some(source.start as usize))
                    .into_iter()
                    .enumerate()
                {
                    pieces.push(match piece {
                        Piece::Literal { text, source, .. } => Piece::Line {
                            text,
                            source,
                            indent,
                            line_start: line_start && i == 0,
                        },
                        other => other,
                    });
                }
            }
            pieces
        }
        None => split_template(s, node.range, None),
    }
}

/// For a literal block scalar (`|`, `|-`, `|+`), its lines as they are in the file (see
/// [`dedented_lines`]); `None` for another scalar or when the value is not the block's lines
/// less its indentation.
fn block_lines(text: &str, node: &Node, value: &str) -> Option<Vec<Piece>> {
    let (src, start) = untagged(text, node)?;
    if !src.starts_with('|') {
        return None;
    }
    let body = start + src.find('\n')? + 1;
    // The block's indentation: that of its first line with content.
    let indent = text
        .get(body..)?
        .split('\n')
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())?;
    dedented_lines(value, text, body, indent, true)
}

/// The intrinsic function a node is (`Ref`, `Fn::Sub`, …), long or short form, and its argument.
fn intrinsic(node: &Node) -> Option<(String, &Node)> {
    if let Some(tag) = &node.tag {
        let name = match tag.as_str() {
            "Ref" | "Condition" => tag.clone(),
            other => format!("Fn::{other}"),
        };
        return Some((name, node));
    }
    match node.as_map() {
        Some([(k, v)]) => {
            let k = k.as_str()?;
            (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then(|| (k.to_owned(), v))
        }
        _ => None,
    }
}

/// A string value as pieces: a literal, a `Fn::Sub` template, a `Fn::Join` of such; `None`
/// for anything else.
fn string_pieces(text: &str, node: &Node) -> Option<Vec<Piece>> {
    match intrinsic(node) {
        None => {
            let s = node.as_str()?;
            let at = literal_at(text, node, s);
            Some(vec![Piece::Literal {
                text: s.to_owned(),
                source: at.map_or(node.range, |a| TextRange::new(a, a + s.len())),
                exact: at.is_some(),
            }])
        }
        Some((name, arg)) if name == "Fn::Sub" => {
            let template = match &arg.value {
                Value::Scalar(s) => (s.as_str(), arg),
                Value::Seq(items) => {
                    let first = items.first()?;
                    (first.as_str()?, first)
                }
                _ => return None,
            };
            let (s, at_node) = template;
            Some(template_pieces(text, at_node, s))
        }
        Some((name, arg)) if name == "Fn::Join" => {
            let items = arg.as_seq()?;
            let [sep, list] = items else { return None };
            let sep = sep.as_str()?;
            let mut pieces = Vec::new();
            for (i, item) in list.as_seq()?.iter().enumerate() {
                if i > 0 && !sep.is_empty() {
                    pieces.push(Piece::Literal {
                        text: sep.to_owned(),
                        source: item.range,
                        exact: false,
                    });
                }
                pieces.extend(
                    string_pieces(text, item).unwrap_or_else(|| vec![placeholder_of(item)]),
                );
            }
            Some(pieces)
        }
        Some(_) => None,
    }
}

fn placeholder_of(node: &Node) -> Piece {
    let name = match intrinsic(node) {
        Some((name, arg)) => match &arg.value {
            Value::Scalar(s) => format!("{name}.{s}"),
            Value::Seq(items) => {
                let parts: Vec<&str> = items.iter().filter_map(Node::as_str).collect();
                format!("{name}.{}", parts.join("."))
            }
            _ => name,
        },
        None => "value".to_owned(),
    };
    Piece::Placeholder {
        name: name.trim_start_matches("Fn::").to_owned(),
        source: node.range,
    }
}

/// Writes a YAML/JSON tree as JSON: intrinsics as placeholders. Iterative (the reader's
/// depth limit bounds the stack anyway, but the walk keeps its own).
fn write_value(out: &mut JsonOut, text: &str, root: &Node) {
    enum Step<'a> {
        Value(&'a Node),
        Raw(&'static str),
        Open,
        End(TextRange),
    }
    let mut stack = vec![Step::Value(root)];
    let mut marks = Vec::new();
    while let Some(step) = stack.pop() {
        match step {
            Step::Raw(s) => out.raw(s),
            Step::Open => marks.push(out.mark()),
            Step::End(range) => {
                let from = marks.pop().unwrap_or(0);
                out.span(from, range);
            }
            Step::Value(node) => {
                if intrinsic(node).is_some() {
                    match string_pieces(text, node) {
                        Some(pieces) => out.pieces(&pieces, node.range),
                        None => {
                            let piece = placeholder_of(node);
                            out.pieces(&[piece], node.range);
                        }
                    }
                    continue;
                }
                match &node.value {
                    Value::Null => {
                        let from = out.mark();
                        out.raw("null");
                        out.span(from, node.range);
                    }
                    Value::Scalar(s) => {
                        let at = literal_at(text, node, s);
                        out.string(s, node.range, at);
                    }
                    Value::Seq(items) => {
                        marks.push(out.mark());
                        out.raw("[");
                        stack.push(Step::End(node.range));
                        stack.push(Step::Raw("]"));
                        for (i, item) in items.iter().enumerate().rev() {
                            stack.push(Step::Value(item));
                            if i > 0 {
                                stack.push(Step::Raw(","));
                            }
                        }
                    }
                    Value::Map(entries) => {
                        marks.push(out.mark());
                        out.raw("{");
                        stack.push(Step::End(node.range));
                        stack.push(Step::Raw("}"));
                        // The stack runs last-pushed first: push each member in reverse.
                        for (i, (k, v)) in entries.iter().enumerate().rev() {
                            stack.push(Step::End(TextRange::new(
                                k.range.start as usize,
                                v.range.end as usize,
                            )));
                            stack.push(Step::Value(v));
                            stack.push(Step::Raw(":"));
                            stack.push(Step::Value(k));
                            stack.push(Step::Open);
                            if i > 0 {
                                stack.push(Step::Raw(","));
                            }
                        }
                    }
                }
            }
        }
    }
}
