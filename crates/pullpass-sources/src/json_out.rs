//! Writing policy JSON while remembering where every piece came from.

use pullpass_core::diagnostic::Edit;
use pullpass_core::text::TextRange;

use crate::placeholder_text;

/// How a range of the generated JSON relates to its source range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Byte for byte the same text: offsets map one to one.
    Exact,
    /// A whole JSON string whose source is one scalar a JSON string may replace (a quoted or
    /// plain YAML scalar, an HCL quoted string).
    WholeString,
    /// Generated from that source range (structure, escapes, placeholders).
    Approx,
}

/// One generated range and the source range it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub generated: TextRange,
    pub source: TextRange,
    pub kind: SegmentKind,
    /// For a line of an indented block (a `<<-` heredoc, a YAML block scalar): the indentation
    /// the source has and the generated text drops at the start of every line of the block.
    /// A line's segment starts after it, so two lines are contiguous in the generated text and
    /// `indent` bytes apart in the source. 0 elsewhere.
    pub indent: u32,
    /// True when this segment starts a line of such a block (its source follows `indent`
    /// bytes of indentation).
    pub line_start: bool,
}

/// From generated policy JSON back to the file. Segments nest (a member inside an object);
/// a range maps through the innermost segment that contains it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanMap {
    segments: Vec<Segment>,
}

impl SpanMap {
    fn innermost(&self, r: TextRange) -> Option<&Segment> {
        self.segments
            .iter()
            .filter(|s| s.generated.start <= r.start && r.end <= s.generated.end)
            .min_by_key(|s| {
                (
                    s.generated.len(),
                    std::cmp::Reverse(s.kind == SegmentKind::Exact),
                )
            })
    }

    /// The source range `r` came from; `None` when no segment contains it.
    #[must_use]
    pub fn map(&self, r: TextRange) -> Option<TextRange> {
        let Some(seg) = self.innermost(r) else {
            return self.lines(r).map(|(source, _)| source);
        };
        Some(match seg.kind {
            SegmentKind::Exact => shift(seg, r),
            SegmentKind::WholeString | SegmentKind::Approx => {
                self.lines(r).map_or(seg.source, |(source, _)| source)
            }
        })
    }

    /// `r` across several lines of an indented block, every byte of it literal source text:
    /// the exact segments that cover it are contiguous in the generated text and, in the
    /// source, either adjacent or separated only by the block's indentation. Returns the
    /// source range and the block's indentation.
    fn lines(&self, r: TextRange) -> Option<(TextRange, u32)> {
        let exact: Vec<&Segment> = self
            .segments
            .iter()
            .filter(|s| s.kind == SegmentKind::Exact && !s.generated.is_empty())
            .collect();
        // The segment `r` starts in (an empty `r` at a line boundary: the later line, after
        // its indentation) and the one it ends in (at a boundary: the earlier line).
        let first = exact
            .iter()
            .position(|s| s.generated.start <= r.start && r.start < s.generated.end)?;
        let mut last = first;
        loop {
            let at = exact[last].generated;
            if (at.start < r.end && r.end <= at.end) || (r.is_empty() && last == first) {
                break;
            }
            let (a, b) = (exact[last], exact.get(last + 1)?);
            let joined = b.generated.start == a.generated.end
                && (b.source.start == a.source.end
                    || (b.line_start && b.indent > 0 && b.source.start == a.source.end + b.indent));
            if !joined {
                return None;
            }
            last += 1;
        }
        let (a, b) = (exact[first], exact[last]);
        let start = a.source.start + (r.start - a.generated.start);
        let end = b.source.start + (r.end - b.generated.start);
        (start <= end).then(|| (TextRange { start, end }, a.indent.max(b.indent)))
    }

    /// The source range when `r` is literal source text byte for byte.
    #[must_use]
    pub fn map_exact(&self, r: TextRange) -> Option<TextRange> {
        let seg = self.innermost(r)?;
        (seg.kind == SegmentKind::Exact).then(|| shift(seg, r))
    }

    /// The same edit on the source, when it lands on literal source text: inside one literal,
    /// across the lines of an indented block when every byte of the edited range is literal
    /// text there (the replacement's new lines then get the block's indentation), or a whole
    /// string replaced by another plain JSON string. `None` elsewhere (the fix is then shown,
    /// not applied), and for a replacement that the source would read as an interpolation
    /// (`${`, HCL's `%{`).
    #[must_use]
    pub fn map_edit(&self, edit: &Edit) -> Option<Edit> {
        if edit.replacement.contains("${") || edit.replacement.contains("%{") {
            return None;
        }
        let Some(seg) = self.innermost(edit.range) else {
            let (source, indent) = self.lines(edit.range)?;
            return Some(Edit::replace(source, reindent(&edit.replacement, indent)));
        };
        match seg.kind {
            SegmentKind::Exact if seg.indent == 0 || !edit.replacement.contains('\n') => Some(
                Edit::replace(shift(seg, edit.range), edit.replacement.clone()),
            ),
            SegmentKind::Exact => Some(Edit::replace(
                shift(seg, edit.range),
                reindent(&edit.replacement, seg.indent),
            )),
            SegmentKind::WholeString
                if edit.range == seg.generated
                    && edit.replacement.len() >= 2
                    && edit.replacement.starts_with('"')
                    && edit.replacement.ends_with('"')
                    && !edit.replacement[1..edit.replacement.len() - 1].contains(['"', '\\']) =>
            {
                Some(Edit::replace(seg.source, edit.replacement.clone()))
            }
            _ => {
                let (source, indent) = self.lines(edit.range)?;
                Some(Edit::replace(source, reindent(&edit.replacement, indent)))
            }
        }
    }

    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

/// `text` with `indent` spaces after each of its line breaks (a line added to an indented
/// block keeps the block's indentation; a YAML block scalar would end at a shallower line).
fn reindent(text: &str, indent: u32) -> String {
    let pad = " ".repeat(indent as usize);
    text.replace('\n', &format!("\n{pad}"))
}

fn shift(seg: &Segment, r: TextRange) -> TextRange {
    let start = seg.source.start + (r.start - seg.generated.start);
    let end = (start + r.len() as u32).min(seg.source.end);
    TextRange { start, end }
}

/// One piece of a string value (or of JSON text) built from source pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text; `exact` when the source holds exactly this text at `source`.
    Literal {
        text: String,
        source: TextRange,
        exact: bool,
    },
    /// Text of one line of an indented block (a `<<-` heredoc, a YAML block scalar), held
    /// byte for byte at `source`; `line_start` when `source` starts right after the block's
    /// `indent` spaces (the text starts the line).
    Line {
        text: String,
        source: TextRange,
        indent: u32,
        line_start: bool,
    },
    /// A value known only at deploy time, named as the source names it.
    Placeholder { name: String, source: TextRange },
}

/// The generated JSON and its map under construction.
#[derive(Debug, Default)]
pub struct JsonOut {
    pub text: String,
    pub map: SpanMap,
    pub placeholders: Vec<TextRange>,
}

impl JsonOut {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes structural JSON (`{`, `,`, `:`).
    pub fn raw(&mut self, s: &str) {
        self.text.push_str(s);
    }

    #[must_use]
    pub fn mark(&self) -> usize {
        self.text.len()
    }

    /// Records that everything written since `from` came from `source`.
    pub fn span(&mut self, from: usize, source: TextRange) {
        self.push(from, source, SegmentKind::Approx);
    }

    fn push(&mut self, from: usize, source: TextRange, kind: SegmentKind) {
        self.map.segments.push(Segment {
            generated: TextRange::new(from, self.text.len()),
            source,
            kind,
            indent: 0,
            line_start: false,
        });
    }

    /// Writes `value` as a JSON string read from the scalar at `source`. `literal_at`: where
    /// the value's text starts in the file when the file holds it unescaped; `quoted`: the
    /// source is the same JSON string text (quotes included).
    pub fn string(&mut self, value: &str, source: TextRange, literal_at: Option<usize>) {
        self.pieces(
            &[Piece::Literal {
                text: value.to_owned(),
                source: literal_at.map_or(source, |at| TextRange::new(at, at + value.len())),
                exact: literal_at.is_some(),
            }],
            source,
        );
    }

    /// Writes a JSON string made of `pieces`, from the scalar at `source`.
    pub fn pieces(&mut self, pieces: &[Piece], source: TextRange) {
        let start = self.mark();
        self.text.push('"');
        self.json_text(pieces, true);
        self.text.push('"');
        let whole = pieces
            .iter()
            .all(|p| matches!(p, Piece::Literal { .. } | Piece::Line { .. }));
        self.push(
            start,
            source,
            if whole {
                SegmentKind::WholeString
            } else {
                SegmentKind::Approx
            },
        );
    }

    /// Writes `pieces` as they are (they are JSON text themselves: a heredoc, a `Fn::Sub`
    /// string), or escaped into a JSON string's content when `escape`.
    pub fn json_text(&mut self, pieces: &[Piece], escape: bool) {
        for (i, piece) in pieces.iter().enumerate() {
            let from = self.mark();
            match piece {
                Piece::Literal {
                    text,
                    source,
                    exact,
                } => {
                    let changed = if escape {
                        escape_into(text, &mut self.text)
                    } else {
                        self.text.push_str(text);
                        false
                    };
                    let kind = if *exact && !changed && source.len() == text.len() {
                        SegmentKind::Exact
                    } else {
                        SegmentKind::Approx
                    };
                    self.push(from, *source, kind);
                }
                Piece::Line {
                    text,
                    source,
                    indent,
                    line_start,
                } => {
                    let changed = if escape {
                        escape_into(text, &mut self.text)
                    } else {
                        self.text.push_str(text);
                        false
                    };
                    if changed || source.len() != text.len() {
                        self.push(from, *source, SegmentKind::Approx);
                    } else {
                        self.map.segments.push(Segment {
                            generated: TextRange::new(from, self.text.len()),
                            source: *source,
                            kind: SegmentKind::Exact,
                            indent: *indent,
                            line_start: *line_start,
                        });
                    }
                }
                Piece::Placeholder { name, source } => {
                    // Inside an ARN, `*` (an unknown account, region or partition matches
                    // as IAM would); elsewhere (a condition key's issuer, a name) `${name}`.
                    let quote = self.text.rfind('"').map_or(0, |q| q + 1);
                    let whole_string = quote == from
                        && match pieces.get(i + 1) {
                            None => escape,
                            Some(Piece::Literal { text, .. } | Piece::Line { text, .. }) => {
                                text.starts_with('"')
                            }
                            Some(Piece::Placeholder { .. }) => false,
                        };
                    if self.text[quote..].starts_with("arn:") {
                        self.text.push('*');
                    } else if whole_string && is_federated_value(&self.text[..from]) {
                        // A computed identity provider (`aws_iam_openid_connect_provider.x.arn`,
                        // `!GetAtt Provider.Arn`) is still an OIDC provider ARN: written as one
                        // with an unknown provider, the rules judge the statement's conditions
                        // (a `sub` that admits another service account) and skip the provider.
                        self.text.push_str("arn:*:iam::*:oidc-provider/");
                        self.text.push_str(&placeholder_text(name));
                    } else {
                        self.text.push_str(&placeholder_text(name));
                    }
                    self.placeholders
                        .push(TextRange::new(from, self.text.len()));
                    self.push(from, *source, SegmentKind::Approx);
                }
            }
        }
    }

    /// Writes a placeholder as a whole JSON string value.
    pub fn placeholder(&mut self, name: &str, source: TextRange) {
        self.pieces(
            &[Piece::Placeholder {
                name: name.to_owned(),
                source,
            }],
            source,
        );
    }
}

/// Whether `before` (the generated JSON up to a string's content) ends with
/// `"Federated": "`: the string is a `Federated` principal.
fn is_federated_value(before: &str) -> bool {
    before
        .strip_suffix('"')
        .map(str::trim_end)
        .and_then(|b| b.strip_suffix(':'))
        .map(str::trim_end)
        .is_some_and(|b| b.ends_with("\"Federated\""))
}

/// Appends `s` JSON-escaped (the core's one escaper); true when anything needed escaping
/// (every escape is longer than the character it stands for).
fn escape_into(s: &str, out: &mut String) -> bool {
    let quoted = pullpass_core::policy::model::json_string(s);
    let inner = &quoted[1..quoted.len() - 1];
    out.push_str(inner);
    inner.len() != s.len()
}

/// The pieces of `value`, a literal whose source (`text[at..]`) is the same text with an
/// indentation of `indent` spaces at the start of each line (a `<<-` heredoc's literal, a
/// YAML block scalar's content): one exact [`Piece::Line`] per line, the line break included.
/// `line_start`: `text[at..]` starts a line (its indentation is at `at`). `None` when the
/// source is not that (the caller maps the literal as a whole instead).
pub(crate) fn dedented_lines(
    value: &str,
    text: &str,
    at: usize,
    indent: usize,
    line_start: bool,
) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut pos = at;
    for (i, line) in value.split_inclusive('\n').enumerate() {
        let starts = i > 0 || line_start;
        if starts {
            // A blank line may hold fewer spaces than the block's indentation.
            let spaces = text
                .get(pos..)?
                .bytes()
                .take(indent)
                .take_while(|&b| b == b' ')
                .count();
            if spaces < indent && line.trim_end_matches(['\n', '\r']).is_empty() {
                pos += spaces;
            } else if spaces == indent {
                pos += indent;
            } else {
                return None;
            }
        }
        if text.get(pos..pos + line.len()) != Some(line) {
            // The file's last line may lack its line break (the value still has one).
            let content = line.strip_suffix('\n')?;
            if text.get(pos..)? != content {
                return None;
            }
            pieces.push(Piece::Line {
                text: content.to_owned(),
                source: TextRange::new(pos, pos + content.len()),
                indent: u32::try_from(indent).ok()?,
                line_start: starts,
            });
            pieces.push(Piece::Literal {
                text: "\n".to_owned(),
                source: TextRange::new(text.len(), text.len()),
                exact: false,
            });
            break;
        }
        pieces.push(Piece::Line {
            text: line.to_owned(),
            source: TextRange::new(pos, pos + line.len()),
            indent: u32::try_from(indent).ok()?,
            line_start: starts,
        });
        pos += line.len();
    }
    Some(pieces)
}

/// Splits a `${…}` template (`Fn::Sub`, Terraform JSON text) into literal and placeholder
/// pieces. `at` is where `s` starts in the file when it is literal source text there.
/// `${!Name}` is CloudFormation's escape for a literal `${Name}`.
#[must_use]
pub(crate) fn split_template(s: &str, source: TextRange, at: Option<usize>) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = 0;
    let mut lit_start = 0;
    let bytes = s.as_bytes();
    let range_of = |a: usize, b: usize| match at {
        Some(at) => TextRange::new(at + a, at + b),
        None => source,
    };
    while let Some(found) = s[rest..].find("${") {
        let open = rest + found;
        let Some(close_rel) = s[open..].find('}') else {
            break;
        };
        let close = open + close_rel;
        if bytes.get(open + 2) == Some(&b'!') {
            rest = close + 1;
            continue;
        }
        if lit_start < open {
            pieces.push(Piece::Literal {
                text: s[lit_start..open].to_owned(),
                source: range_of(lit_start, open),
                exact: at.is_some(),
            });
        }
        pieces.push(Piece::Placeholder {
            name: s[open + 2..close].trim().to_owned(),
            source: range_of(open, close + 1),
        });
        rest = close + 1;
        lit_start = rest;
    }
    if lit_start < s.len() || pieces.is_empty() {
        pieces.push(Piece::Literal {
            text: s[lit_start..].to_owned(),
            source: range_of(lit_start, s.len()),
            exact: at.is_some(),
        });
    }
    pieces
}
