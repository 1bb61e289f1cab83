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
    /// Every multi-byte character: its byte offset, and how many bytes more than chars and
    /// than UTF-16 units the text holds up to and including it (prefix sums), so a column is
    /// a binary search, never a scan from the line start (a one-line file with 15 k findings
    /// would be quadratic).
    wide: Vec<Wide>,
}

#[derive(Debug, Clone, Copy)]
struct Wide {
    offset: u32,
    extra_vs_chars: u32,
    extra_vs_utf16: u32,
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
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let (mut chars, mut utf16) = (0u32, 0u32);
            for (i, c) in text.char_indices() {
                let len = c.len_utf8() as u32;
                if len > 1 {
                    chars += len - 1;
                    utf16 += len - c.len_utf16() as u32;
                    wide.push(Wide {
                        offset: u32::try_from(i).unwrap_or(u32::MAX),
                        extra_vs_chars: chars,
                        extra_vs_utf16: utf16,
                    });
                }
            }
        }
        Self {
            text,
            line_starts,
            wide,
        }
    }

    /// Bytes more than chars and than UTF-16 units in `text[..offset]` (`offset` on a char
    /// boundary).
    fn extra_before(&self, offset: usize) -> (usize, usize) {
        let i = self.wide.partition_point(|w| (w.offset as usize) < offset);
        match i.checked_sub(1).map(|i| self.wide[i]) {
            Some(w) => (w.extra_vs_chars as usize, w.extra_vs_utf16 as usize),
            None => (0, 0),
        }
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
        let start = self.line_starts[line] as usize;
        let bytes = offset - start;
        let (chars_at, utf16_at) = self.extra_before(offset);
        let (chars_start, utf16_start) = self.extra_before(start);
        let column = match unit {
            ColumnUnit::Utf8 => bytes,
            ColumnUnit::Utf16 => bytes - (utf16_at - utf16_start),
            ColumnUnit::Char => bytes - (chars_at - chars_start),
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
        u32::try_from(offset - self.extra_before(offset).1).unwrap_or(u32::MAX)
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
    fn columns_match_a_scan_from_the_line_start() {
        let text = "aé\n𝄞b日本\r\nx\u{1F600}y\n";
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let line = index.line_of(offset as u32);
            let before = &text[index.line_start(line)..offset];
            let at = |unit| index.line_column(offset as u32, unit).column as usize - 1;
            assert_eq!(at(ColumnUnit::Utf8), before.len());
            assert_eq!(at(ColumnUnit::Char), before.chars().count());
            assert_eq!(at(ColumnUnit::Utf16), before.encode_utf16().count());
            assert_eq!(
                index.utf16_offset(offset as u32) as usize,
                text[..offset].encode_utf16().count()
            );
        }
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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` (eight bytes, little-endian) that equals `b`. The
/// lowest one is exact (a byte equal to `b` has one, a byte below it never): `(v - 0x01…) & !v
/// & 0x80…` flags the zero bytes of `v = word ^ b…b`, and its borrow runs only upwards.
pub(crate) fn bytes_equal(word: u64, b: u8) -> u64 {
    let v = word ^ (ONES * u64::from(b));
    v.wrapping_sub(ONES) & !v & HIGH
}

/// The high bit of each byte of `word` below `n` (at most 0x80), the lowest one exact as in
/// [`bytes_equal`].
pub(crate) fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH
}

/// The index of the first byte that `flags` marks, eight bytes at a time: `flags` maps a
/// little-endian word to the high bits of its marked bytes, the lowest one exact
/// ([`bytes_equal`], [`bytes_below`]). For the searches over every string a finding quotes or
/// points at (JSON escapes, pointer escapes), which a byte at a time took 3 instructions a byte.
pub(crate) fn find_flagged(bytes: &[u8], flags: impl Fn(u64) -> u64) -> Option<usize> {
    let word = |chunk: &[u8]| {
        let mut word = [0; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        u64::from_le_bytes(word)
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let found = flags(word(chunk));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = chunks.remainder();
    // The zero bytes that fill the last word up are not the text's (and, being higher, never
    // hide a real byte's flag).
    let found = flags(word(rest)) & (1u64 << (rest.len() * 8)).wrapping_sub(1);
    (found != 0).then(|| at + (found.trailing_zeros() / 8) as usize)
}

/// Whether `bytes` holds any of the bytes of `set` (a few, none of them zero), read eight at a
/// time ([`bytes_equal`]). The rules ask this of every action, condition key and value (a
/// wildcard, a `:`), mostly 10 to 80 bytes without any: a vectorised pass finishes such
/// strings a byte at a time.
pub(crate) fn has_any_byte<const N: usize>(bytes: &[u8], set: [u8; N]) -> bool {
    let hit = |chunk: &[u8]| {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        set.iter().fold(0, |flags, &b| flags | bytes_equal(word, b)) != 0
    };
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes.iter().any(|c| set.contains(c));
    };
    // Whole words, then the last eight bytes (overlapping the words already read).
    bytes.chunks_exact(8).any(hit) || hit(&bytes[last..])
}

/// Levenshtein distance over chars, O(n·m) time and O(m) space: the one edit distance
/// (host-name typos, operator and audience near misses, "did you mean").
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    distance(a, b, false, usize::MAX)
}

/// [`edit_distance`] with ASCII letters compared case-insensitively (as if both were
/// lower-cased first, without the copies).
#[must_use]
pub fn edit_distance_ignore_ascii_case(a: &str, b: &str) -> usize {
    distance(a, b, true, usize::MAX)
}

/// [`edit_distance`] when it is at most `max`, else `None` (cut short like
/// [`edit_distance_ignore_ascii_case_within`]).
#[must_use]
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let d = distance(a, b, false, max);
    (d <= max).then_some(d)
}

/// [`edit_distance_ignore_ascii_case`] when it is at most `max`, else `None`. Only the cells
/// within `max` of the diagonal are computed, and the computation stops as soon as a whole
/// row is over `max`: "did you mean" asks this of dozens of candidates, and most are far off.
#[must_use]
pub fn edit_distance_ignore_ascii_case_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let d = distance(a, b, true, max);
    (d <= max).then_some(d)
}

/// The distance, or a value over `max` when it is over `max` (then cut short).
fn distance(a: &str, b: &str, fold: bool, max: usize) -> usize {
    /// Up to this many bytes, `b` and the row live on the stack: "did you mean" compares
    /// short names against dozens of candidates per finding (issue 13's profile).
    const SHORT: usize = 48;
    let fold_char = |c: char| if fold { c.to_ascii_lowercase() } else { c };
    // No distance exceeds the longer length, so `cap + 1` cannot overflow and an unbounded
    // call computes every cell.
    let cap = max.min(a.len().max(b.len()));
    let over = cap + 1;
    // One row of the table, each cell capped at `over`: a cell further than `cap` from the
    // diagonal is at least that far, so only the band around it is computed.
    let run = |b: &[char], row: &mut [usize]| {
        let n = b.len();
        for (j, r) in row.iter_mut().enumerate() {
            *r = j.min(over);
        }
        for (i, ca) in a.chars().map(fold_char).enumerate() {
            let i = i + 1;
            let lo = i.saturating_sub(cap).max(1);
            if lo > n {
                return over;
            }
            let hi = (i + cap).min(n);
            let mut diag = row[lo - 1];
            row[lo - 1] = if lo == 1 { i.min(over) } else { over };
            let mut row_min = row[lo - 1];
            for j in lo..=hi {
                let up = row[j];
                let cell = if ca == b[j - 1] {
                    diag
                } else {
                    1 + diag.min(row[j - 1]).min(up)
                };
                row[j] = cell.min(over);
                row_min = row_min.min(row[j]);
                diag = up;
            }
            // The smallest cell of a row never shrinks further down the table.
            if row_min > cap {
                return over;
            }
        }
        row[n]
    };
    if b.len() <= SHORT {
        // A char takes at least one byte, so `b` has at most `SHORT` chars.
        let mut chars = ['\0'; SHORT];
        let mut n = 0;
        for c in b.chars() {
            chars[n] = fold_char(c);
            n += 1;
        }
        let mut row = [0usize; SHORT + 1];
        return run(&chars[..n], &mut row[..=n]);
    }
    let chars: Vec<char> = b.chars().map(fold_char).collect();
    let mut row = vec![0usize; chars.len() + 1];
    run(&chars, &mut row)
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
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("StringEqual", "stringequals"), 3);
        assert_eq!(
            edit_distance_ignore_ascii_case("stringequal", "StringEquals"),
            1
        );
        let long = "x".repeat(60);
        assert_eq!(edit_distance_ignore_ascii_case(&long, &"X".repeat(61)), 1);
        assert_eq!(edit_distance("ä", "a"), 1);
        assert_eq!(
            edit_distance_ignore_ascii_case_within("stringequal", "StringEquals", 2),
            Some(1)
        );
        assert_eq!(
            edit_distance_ignore_ascii_case_within("stringequal", "StringNotLike", 2),
            None
        );
    }

    proptest::proptest! {
        /// The eight-bytes-at-a-time search finds the first marked byte as a byte-by-byte
        /// search does: equal bytes and control bytes, in whole words and in the last one.
        #[test]
        fn find_flagged_agrees_with_searching(s in "[a-z~/\"\\\\\n\u{1}é]{0,40}") {
            let b = s.as_bytes();
            let flags = |w| bytes_equal(w, b'"') | bytes_equal(w, b'\\') | bytes_below(w, 0x20);
            proptest::prop_assert_eq!(find_flagged(b, flags), b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20));
            let slash = |w| bytes_equal(w, b'~') | bytes_equal(w, b'/');
            proptest::prop_assert_eq!(find_flagged(b, slash), b.iter().position(|&c| c == b'~' || c == b'/'));
        }
    }

    proptest::proptest! {
        /// The eight-bytes-at-a-time test answers as a byte-by-byte search, for any length
        /// and wherever the byte is (words, the overlapping last word, short strings).
        #[test]
        fn has_any_byte_agrees_with_searching(s in "[a-z:*?é\u{0}]{0,40}") {
            let b = s.as_bytes();
            proptest::prop_assert_eq!(has_any_byte(b, [b'*', b'?']), b.iter().any(|&c| c == b'*' || c == b'?'));
            proptest::prop_assert_eq!(has_any_byte(b, [b':']), b.contains(&b':'));
        }
    }

    proptest::proptest! {
        /// The banded, cut-short distance is the full one wherever it answers.
        #[test]
        fn bounded_distance_is_the_distance(a in "[abAB\u{e4}]{0,12}", b in "[abAB\u{e4}]{0,60}", max in 0usize..8) {
            let full = edit_distance_ignore_ascii_case(&a, &b);
            let bounded = edit_distance_ignore_ascii_case_within(&a, &b, max);
            proptest::prop_assert_eq!(bounded, (full <= max).then_some(full));
            proptest::prop_assert_eq!(edit_distance_ignore_ascii_case_within(&a, &b, usize::MAX), Some(full));
        }
    }
}
