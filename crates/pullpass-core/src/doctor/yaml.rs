//! A bounded YAML (and so JSON) reader that keeps byte ranges, for the artifacts `doctor` reads.
//!
//! Why `saphyr-parser` and not a serde front end: `serde_yaml` is archived; `serde_yaml_ng`
//! runs on `unsafe-libyaml` (a machine translation of C, `unsafe` throughout); `yaml-rust2` is
//! the older fork whose maintainers moved to `saphyr`; `serde-saphyr` is a good serde layer but
//! hides where a value came from. `saphyr-parser` is the maintained, pure-Rust, `unsafe`-free
//! YAML 1.2 event parser of the saphyr project, with two small dependencies, a state machine
//! instead of recursion (safe on a wasm stack) and a span on every event. We build the tree
//! ourselves from its events, iteratively, so we decide the limits: input size, nesting depth,
//! node count (aliases count every node they copy, so "billion laughs" stops at the budget),
//! and every node keeps the byte range an editor can underline.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::text::TextRange;

/// Largest artifact `doctor` reads (1 MiB); a service account or a policy is a few KB.
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// Deepest nesting accepted; real artifacts nest under 12 levels.
pub const MAX_DEPTH: usize = 64;
/// Most nodes one document may build, aliases expanded.
pub const MAX_NODES: usize = 200_000;

/// A YAML value with the byte range it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub value: Value,
    pub range: TextRange,
    /// A local tag's name without the `!` (`Sub` for `!Sub`), as CloudFormation's short-form
    /// intrinsics use; `None` for untagged nodes and the core schema's `!!` tags.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// Every scalar stays text (`"true"`, `12` and `true` alike): artifacts compare as text.
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// Why a document could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub range: TextRange,
}

impl Node {
    /// The value under `key` in a mapping (the last one, as Kubernetes reads duplicates).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    #[must_use]
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A scalar, or each scalar of a sequence (IAM's "string or array of strings").
    #[must_use]
    pub fn strings(&self) -> Vec<(&str, TextRange)> {
        match &self.value {
            Value::Scalar(s) => vec![(s.as_str(), self.range)],
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| n.as_str().map(|s| (s, n.range)))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn count(&self) -> usize {
        match &self.value {
            Value::Null | Value::Scalar(_) => 1,
            Value::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Value::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.count() + v.count())
                    .sum::<usize>()
            }
        }
    }
}

/// Converts the parser's character indices to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    /// (char index, byte offset) of the last lookup, to walk forward cheaply.
    cursor: (usize, usize),
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            ascii: text.is_ascii(),
            cursor: (0, 0),
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let (mut ci, mut bi) = self.cursor;
        if char_index < ci {
            (ci, bi) = (0, 0);
        }
        for ch in self.text[bi..].chars() {
            if ci == char_index {
                break;
            }
            ci += 1;
            bi += ch.len_utf8();
        }
        self.cursor = (ci, bi);
        bi
    }

    fn range(&mut self, span: Span) -> TextRange {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        TextRange::new(start, end)
    }
}

/// The name of a local tag (`!Sub` → `Sub`); `!!str` and other global tags are not kept.
fn local_tag(tag: Option<&saphyr_parser::Tag>) -> Option<String> {
    tag.filter(|t| t.handle == "!" && !t.suffix.is_empty())
        .map(|t| t.suffix.clone())
}

enum Frame {
    Seq {
        start: TextRange,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Map {
        start: TextRange,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Reads every document of `text` (a `---`-separated stream; JSON is one document).
///
/// # Errors
/// A syntax error, an input over [`MAX_INPUT_BYTES`], nesting over [`MAX_DEPTH`], more than
/// [`MAX_NODES`] nodes, or an alias to an unknown anchor: each with the range to underline.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(YamlError {
            message: format!(
                "the input is {} bytes; pullpass reads at most {MAX_INPUT_BYTES} bytes of one artifact",
                text.len()
            ),
            range: TextRange::new(0, 0),
        });
    }
    let mut offsets = Offsets::new(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut nodes = 0usize;
    let mut doc: Option<Node> = None;
    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(error) => {
                let at = offsets.byte(error.marker().index());
                let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                return Err(YamlError {
                    message: format!(
                        "not valid YAML or JSON: {} (line {}, column {})",
                        error.info(),
                        error.marker().line(),
                        error.marker().col() + 1
                    ),
                    range: TextRange::new(at, end),
                });
            }
        };
        let range = offsets.range(span);
        let finished: Option<(Node, usize)> = match event {
            Event::DocumentStart(_) => {
                doc = None;
                None
            }
            Event::DocumentEnd => {
                docs.push(doc.take().unwrap_or(Node {
                    value: Value::Null,
                    range,
                    tag: None,
                }));
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = local_tag(tag.as_deref());
                nodes += 1;
                let value = if style == ScalarStyle::Plain
                    && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL")
                {
                    Value::Null
                } else {
                    Value::Scalar(match value {
                        Cow::Borrowed(s) => s.to_owned(),
                        Cow::Owned(s) => s,
                    })
                };
                Some((Node { value, range, tag }, anchor))
            }
            Event::Alias(id) => {
                let Some(node) = anchors.get(&id) else {
                    return Err(YamlError {
                        message:
                            "an alias (`*name`) refers to an anchor that is not defined before it"
                                .to_owned(),
                        range,
                    });
                };
                nodes += node.count();
                Some((node.clone(), 0))
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                nodes += 1;
                let tag = local_tag(tag.as_deref());
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!(
                            "nesting deeper than {MAX_DEPTH} levels; no artifact doctor reads is nested this deep"
                        ),
                        range,
                    });
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        start: range,
                        anchor,
                        tag,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start: range,
                        anchor,
                        tag,
                        entries: Vec::new(),
                        key: None,
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq {
                    start,
                    anchor,
                    tag,
                    items,
                }) => Some((
                    Node {
                        value: Value::Seq(items),
                        range: TextRange::new(start.start as usize, range.end as usize),
                        tag,
                    },
                    anchor,
                )),
                Some(Frame::Map {
                    start,
                    anchor,
                    tag,
                    entries,
                    ..
                }) => Some((
                    Node {
                        value: Value::Map(entries),
                        range: TextRange::new(start.start as usize, range.end as usize),
                        tag,
                    },
                    anchor,
                )),
                None => None,
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
        };
        if nodes > MAX_NODES {
            return Err(YamlError {
                message: format!(
                    "more than {MAX_NODES} values (aliases counted as copies); refusing to build it"
                ),
                range,
            });
        }
        if let Some((node, anchor)) = finished {
            if anchor != 0 {
                anchors.insert(anchor, node.clone());
            }
            match stack.last_mut() {
                Some(Frame::Seq { items, .. }) => items.push(node),
                Some(Frame::Map { entries, key, .. }) => match key.take() {
                    Some(k) => entries.push((k, node)),
                    None => *key = Some(node),
                },
                None => doc = Some(node),
            }
        }
    }
    if let Some(node) = doc {
        docs.push(node);
    }
    Ok(docs)
}

/// Reads exactly one document.
///
/// # Errors
/// As [`parse`], and when the text holds no document or several.
pub fn parse_one(text: &str) -> Result<Node, YamlError> {
    let mut docs = parse(text)?;
    docs.retain(|d| d.value != Value::Null);
    match docs.len() {
        1 => Ok(docs.remove(0)),
        0 => Err(YamlError {
            message: "the input is empty".to_owned(),
            range: TextRange::new(0, 0),
        }),
        n => Err(YamlError {
            message: format!("the input holds {n} YAML documents; give one"),
            range: docs[1].range,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_byte_ranges_of_values_with_non_ascii_before_them() {
        let text = "metadata:\n  name: café\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/x\n";
        let doc = parse_one(text).unwrap();
        let arn = doc
            .path(&["metadata", "annotations", "eks.amazonaws.com/role-arn"])
            .unwrap();
        assert_eq!(
            &text[arn.range.as_usize_range()],
            "arn:aws:iam::123456789012:role/x"
        );
        assert_eq!(
            doc.path(&["metadata", "name"]).unwrap().as_str(),
            Some("café")
        );
    }

    #[test]
    fn reads_json_with_positions() {
        let text = r#"{"cluster": {"identity": {"oidc": {"issuer": "https://x"}}}}"#;
        let doc = parse_one(text).unwrap();
        let issuer = doc
            .path(&["cluster", "identity", "oidc", "issuer"])
            .unwrap();
        assert_eq!(&text[issuer.range.as_usize_range()], "\"https://x\"");
    }

    #[test]
    fn syntax_errors_have_a_position_and_never_panic() {
        for text in [
            "a: [1, 2",
            "a:\n  - b\n c: d",
            "{\"a\": [}",
            "*x",
            "a: &a [*a]",
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.range.end as usize <= text.len(), "{text:?}");
            assert!(!error.message.is_empty());
        }
    }

    #[test]
    fn depth_and_alias_budgets_hold() {
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, name) in ["b", "c", "d", "e", "f", "g"].iter().enumerate() {
            let prev = if i == 0 {
                "a"
            } else {
                ["b", "c", "d", "e", "f"][i - 1]
            };
            laughs.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse(&laughs).unwrap_err().message.contains("more than"));
        let big = "x".repeat(MAX_INPUT_BYTES + 1);
        assert!(parse(&big).unwrap_err().message.contains("at most"));
    }

    #[test]
    fn plain_null_forms_are_null_and_quoted_ones_are_text() {
        let doc = parse_one("a: ~\nb: \"null\"\nc:\n").unwrap();
        assert_eq!(doc.get("a").unwrap().value, Value::Null);
        assert_eq!(doc.get("b").unwrap().as_str(), Some("null"));
        assert_eq!(doc.get("c").unwrap().value, Value::Null);
    }
}
