//! Byte ranges inside, line/column and UTF-16 only at the edges.
//!
//! Every range the core produces is a byte range into the text it was given. Renderers turn it
//! into 1-based line/column (CLI, SARIF, GitHub annotations) or UTF-16 code units (browsers)
//! with a [`LineIndex`].

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into some input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "range start {start} after end {end}");
        Self {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The whole of `text`.
    #[must_use]
    pub fn of(text: &str) -> Self {
        Self::new(0, text.len())
    }

    #[must_use]
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    #[must_use]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// This range moved right by `offset` bytes (a range inside a field, placed in a document).
    #[must_use]
    pub fn shifted(self, offset: usize) -> Self {
        Self::new(self.start as usize + offset, self.end as usize + offset)
    }

    #[must_use]
    pub fn as_usize_range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// How a column is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units: JavaScript strings, editors, SARIF's default `columnKind`.
    Utf16,
    /// Unicode scalar values: what a person counts in a terminal.
    Char,
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

/// Maps byte offsets of one text to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line; the first is 0.
    line_starts: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        Self { text, line_starts }
    }

    #[must_use]
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Clamps `offset` into the text and back onto a char boundary.
    fn clamp(&self, offset: u32) -> usize {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The 0-based line that holds `offset`.
    #[must_use]
    pub fn line_of(&self, offset: u32) -> usize {
        let offset = self.clamp(offset) as u32;
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The text of the 0-based `line`, without its line break.
    #[must_use]
    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self.line_starts[line] as usize;
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&s| s as usize);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    #[must_use]
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line] as usize
    }

    #[must_use]
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and column of `offset`, the column counted in `unit`.
    #[must_use]
    pub fn line_column(&self, offset: u32, unit: ColumnUnit) -> LineColumn {
        let offset = self.clamp(offset);
        let line = self.line_of(offset as u32);
        let before = &self.text[self.line_starts[line] as usize..offset];
        let column = match unit {
            ColumnUnit::Utf8 => before.len(),
            ColumnUnit::Utf16 => before.encode_utf16().count(),
            ColumnUnit::Char => before.chars().count(),
        };
        LineColumn {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    /// The UTF-16 code unit offset of the byte `offset` (what `String.prototype.slice` takes).
    #[must_use]
    pub fn utf16_offset(&self, offset: u32) -> u32 {
        let offset = self.clamp(offset);
        u32::try_from(self.text[..offset].encode_utf16().count()).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_columns_in_every_unit() {
        // "é" is 2 UTF-8 bytes and 1 UTF-16 unit; "𝄞" is 4 bytes and 2 UTF-16 units.
        let text = "ab\né𝄞x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(
            index.line_column(x, ColumnUnit::Utf8),
            LineColumn { line: 2, column: 7 }
        );
        assert_eq!(
            index.line_column(x, ColumnUnit::Utf16),
            LineColumn { line: 2, column: 4 }
        );
        assert_eq!(
            index.line_column(x, ColumnUnit::Char),
            LineColumn { line: 2, column: 3 }
        );
        assert_eq!(index.utf16_offset(x), 6);
        assert_eq!(index.line_text(1), "é𝄞x");
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_char_are_clamped() {
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_column(1, ColumnUnit::Char),
            LineColumn { line: 1, column: 1 }
        );
        assert_eq!(
            index.line_column(99, ColumnUnit::Char),
            LineColumn { line: 1, column: 2 }
        );
    }
}

/// A user value cut for a message: over 120 characters, its first 117 and `…`.
#[must_use]
pub fn shorten(text: &str) -> String {
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}…")
    } else {
        text.to_owned()
    }
}

/// Decodes RFC 3986 percent escapes (`%7B%22` → `{"`), the form IAM returns policy documents
/// in and URLs carry query values in. An invalid escape stays as written; bytes that do not
/// form UTF-8 become U+FFFD.
#[must_use]
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod percent_tests {
    use super::*;

    #[test]
    fn percent_decoding_keeps_invalid_escapes() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            "{\"Version\":\"2012-10-17\"}"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("a+b%2B"), "a+b+");
        assert_eq!(shorten(&"x".repeat(130)).chars().count(), 118);
    }
}
