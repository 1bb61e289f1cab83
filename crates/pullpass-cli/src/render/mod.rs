//! Renderers: views of [`Diagnostic`]s for people (text) and tools (JSON; SARIF and GitHub
//! annotations for `lint`). None of them invents its own finding shape.

pub(crate) mod github;
pub(crate) mod json;
pub(crate) mod sarif;
pub(crate) mod text;

use pullpass_core::{Diagnostic, LineIndex};

/// The text a diagnostic's byte range points into, and what to call it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    /// A file path, or a form field's JSON pointer.
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
}

/// A diagnostic with the source its range indexes (none for secrets and whole-input findings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub(crate) diagnostic: &'a Diagnostic,
    pub(crate) source: Option<Source<'a>>,
}

/// One [`LineIndex`] per distinct source text of `items` (a big input with many findings
/// must not be re-indexed per finding).
pub(crate) fn line_indexes<'a>(items: &[Item<'a>]) -> Vec<LineIndex<'a>> {
    let mut indexes: Vec<LineIndex<'a>> = Vec::new();
    for source in items.iter().filter_map(|i| i.source) {
        if index_of(&indexes, source.text).is_none() {
            indexes.push(LineIndex::new(source.text));
        }
    }
    indexes
}

/// The index of exactly this text (same address and length) in `indexes`.
pub(crate) fn index_of<'i, 'a>(
    indexes: &'i [LineIndex<'a>],
    text: &str,
) -> Option<&'i LineIndex<'a>> {
    indexes
        .iter()
        .find(|i| std::ptr::eq(i.text().as_ptr(), text.as_ptr()) && i.text().len() == text.len())
}

/// serde_json's pretty printer (two spaces a level) that writes `prefix` at the start of every
/// line: a serialized item put straight into its place inside a larger document that is
/// written piece by piece (serializing it alone and indenting the copy made every byte of a
/// 60 k-finding SARIF report twice, through a growing buffer).
struct Nested<'p> {
    prefix: &'p [u8],
    depth: usize,
    has_value: bool,
}

impl Nested<'_> {
    fn line<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(self.prefix)?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, c: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(c)
    }
}

// The same calls as `serde_json::ser::PrettyFormatter`'s, with the prefix in `indent`.
impl serde_json::ser::Formatter for Nested<'_> {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `value` as pretty JSON with `prefix` before every line, appended to `out`.
pub(crate) fn write_nested<T: serde::Serialize + ?Sized>(
    value: &T,
    prefix: &[u8],
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    out.extend_from_slice(prefix);
    let formatter = Nested {
        prefix,
        depth: 0,
        has_value: false,
    };
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::other)
}

/// Renders `items` in chunks of `chunk` on every core and writes them to `w` in order. A
/// window of a few chunks per thread is rendered at a time into buffers that are reused, so a
/// report of 60 k findings is neither held whole nor allocated afresh chunk by chunk (the
/// page faults of fresh buffers were a fifth of the time of a large SARIF report).
pub(crate) fn write_chunks<T: Sync>(
    items: &[T],
    chunk: usize,
    w: &mut dyn std::io::Write,
    render: impl Fn(&[T], &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let chunk = chunk.max(1);
    if items.len() <= chunk {
        let mut out = Vec::new();
        render(items, &mut out)?;
        return w.write_all(&out);
    }
    let lanes = rayon::current_num_threads().max(1) * 2;
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); lanes];
    for window in items.chunks(chunk * lanes) {
        let used = window.len().div_ceil(chunk);
        buffers[..used]
            .par_iter_mut()
            .zip(window.par_chunks(chunk))
            .try_for_each(|(buffer, part)| {
                buffer.clear();
                render(part, buffer)
            })?;
        for buffer in &buffers[..used] {
            w.write_all(buffer)?;
        }
    }
    Ok(())
}

/// `--format` for commands that print findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// rustc-style, for people.
    #[default]
    Text,
    /// The stable JSON contract of `schemas/findings.schema.json`.
    Json,
}

#[cfg(test)]
mod tests {
    /// [`super::write_nested`] writes the bytes of serde_json's pretty printer with the prefix
    /// before every line.
    #[test]
    fn nested_is_pretty_json_indented() {
        let value = serde_json::json!({
            "a": [1, {"b": [], "c": {}}, [[]], "x\ny"],
            "d": {"e": null, "f": [true, false]},
            "g": "h"
        });
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let expected: Vec<String> = pretty.lines().map(|l| format!(">> {l}")).collect();
        let mut out = Vec::new();
        super::write_nested(&value, b">> ", &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expected.join("\n"));
    }

    /// Chunks come out in order for any number of windows.
    #[test]
    fn chunks_are_written_in_order() {
        let items: Vec<u32> = (0..1000).collect();
        for chunk in [1, 7, 256, 2000] {
            let mut out = Vec::new();
            super::write_chunks(&items, chunk, &mut out, |part, buf| {
                for i in part {
                    buf.extend_from_slice(format!("{i},").as_bytes());
                }
                Ok(())
            })
            .unwrap();
            let expected: String = items.iter().map(|i| format!("{i},")).collect();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }
}
