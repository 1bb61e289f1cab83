//! Splits what a person typed into the host field into its URL-ish parts, keeping byte ranges
//! into the raw value: surrounding whitespace, scheme, user info, host name, port, path, query,
//! fragment.
//!
//! Hand-written and linear: the grammar is a handful of delimiters (`://`, `@`, `:`, `/`, `?`,
//! `#`), and a regex engine would add weight to the wasm build without making it clearer.

use crate::text::TextRange;

/// The parts of a host field value. Every range indexes the raw value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostSyntax {
    /// The value without surrounding whitespace.
    pub(crate) trimmed: TextRange,
    /// `https://` and the like, `://` included.
    pub(crate) scheme: Option<TextRange>,
    /// `user:pass@`, the `@` included.
    pub(crate) user_info: Option<TextRange>,
    /// The host name (or a bracketed IPv6 literal).
    pub(crate) host: TextRange,
    /// `:5000`, the colon included.
    pub(crate) port: Option<TextRange>,
    /// `/team/app`, from the first `/` up to a `?` or `#`.
    pub(crate) path: Option<TextRange>,
    /// `?…`, the `?` included, up to a `#`.
    pub(crate) query: Option<TextRange>,
    /// `#…`, the `#` included.
    pub(crate) fragment: Option<TextRange>,
}

impl HostSyntax {
    pub(crate) fn parse(raw: &str) -> Self {
        let start = raw.len() - raw.trim_start().len();
        let end = raw.trim_end().len().max(start);
        let trimmed = TextRange::new(start, end);
        let body = &raw[start..end];

        let scheme_len = scheme_len(body);
        let scheme = scheme_len.map(|len| TextRange::new(start, start + len));
        let after_scheme = start + scheme_len.unwrap_or(0);

        // User info: up to the last `@` of the authority (as browsers read URLs). A pasted
        // password may hold an unencoded `/`, `?` or `#`, so a later `@` with a `:` before it
        // ends user info too, unless a digest follows it (`app@sha256:…`): better to mask too
        // much than to print part of a password.
        let rest = &raw[after_scheme..end];
        let first_delim = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        // `bot@PASS/WORD@ghcr.io`: user info has begun before the first delimiter, so a later
        // `@` ends it too (issue 15 #11: the part after the `/` was printed as a path).
        let late_at = rest.rfind('@').filter(|&at| {
            let after = &rest[at + 1..];
            let digest = ["sha256:", "sha384:", "sha512:"]
                .iter()
                .any(|p| after.starts_with(p));
            at > first_delim
                && !digest
                && (rest[..at].contains(':') || rest[..first_delim].contains('@'))
        });
        let user_at = late_at.or_else(|| rest[..first_delim].rfind('@'));
        let user_info = user_at.map(|at| TextRange::new(after_scheme, after_scheme + at + 1));
        let host_start = user_info.map_or(after_scheme, |u| u.end as usize);

        // Authority runs to the next `/`, `?` or `#`; then path, query, fragment.
        let after_user = &raw[host_start..end];
        let authority_end =
            host_start + after_user.find(['/', '?', '#']).unwrap_or(after_user.len());
        let tail = &raw[authority_end..end];
        let fragment_at = tail.find('#').map(|i| authority_end + i);
        let before_fragment = fragment_at.unwrap_or(end);
        let query_at = raw[authority_end..before_fragment]
            .find('?')
            .map(|i| authority_end + i);
        let path_end = query_at.unwrap_or(before_fragment);
        let path = (path_end > authority_end).then(|| TextRange::new(authority_end, path_end));
        let query = query_at.map(|q| TextRange::new(q, before_fragment));
        let fragment = fragment_at.map(|f| TextRange::new(f, end));

        let host_port = &raw[host_start..authority_end];

        // Port: after `]` for a bracketed IPv6 literal, else after the one `:` (a second `:`
        // means an unbracketed IPv6 literal or garbage; the host-name check reports it).
        let port_at = if host_port.starts_with('[') {
            host_port
                .find(']')
                .and_then(|close| host_port[close + 1..].starts_with(':').then_some(close + 1))
        } else if host_port.matches(':').count() == 1 {
            host_port.find(':')
        } else {
            None
        };
        let host_end = port_at.map_or(authority_end, |p| host_start + p);
        let port = port_at.map(|p| TextRange::new(host_start + p, authority_end));
        Self {
            trimmed,
            scheme,
            user_info,
            host: TextRange::new(host_start, host_end),
            port,
            path,
            query,
            fragment,
        }
    }
}

/// Something wrong with the host name or port itself (RF013 judges these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameProblem {
    /// Whitespace inside the value (not around it).
    InnerWhitespace { range: TextRange },
    /// Nothing where the host name should be.
    Empty,
    /// Over 253 characters.
    TooLong { len: usize },
    /// Upper-case letters: DNS is case-insensitive, registries and credential helpers are not.
    UpperCase { range: TextRange, lower: String },
    /// A character DNS does not allow (`_`, `!`, non-ASCII …).
    BadChar { range: TextRange, ch: char },
    /// An empty label (`a..b`, a leading dot).
    EmptyLabel { range: TextRange },
    /// A trailing dot (a fully qualified name registries do not accept).
    TrailingDot { range: TextRange },
    /// A label over 63 characters.
    LongLabel { range: TextRange },
    /// A label that starts or ends with `-`.
    HyphenEdge { range: TextRange },
    /// A port that is not a number from 1 to 65535 (the range includes the colon).
    BadPort { range: TextRange },
    /// A `[…]` literal that is not an IPv6 address, or an unbracketed IPv6 address.
    BadIpLiteral { range: TextRange },
    /// Four numeric labels that are not an IPv4 address (`256.1.1.1`).
    BadIpv4 { range: TextRange },
}

impl NameProblem {
    /// Problems that leave no usable host name (upper case and a trailing dot are mended
    /// before classifying).
    pub(crate) fn is_fatal(&self) -> bool {
        !matches!(self, Self::UpperCase { .. } | Self::TrailingDot { .. })
    }
}

/// The host name of `syntax` in `raw`, checked label by label, and the name to classify
/// (lower case, without a trailing dot) when no problem is fatal.
pub(crate) fn check_name(raw: &str, syntax: &HostSyntax) -> (Vec<NameProblem>, Option<String>) {
    let mut problems = Vec::new();
    let trimmed = &raw[syntax.trimmed.as_usize_range()];
    if let Some(i) = trimmed.find(char::is_whitespace) {
        let at = syntax.trimmed.start as usize + i;
        let len = trimmed[i..].chars().next().map_or(1, char::len_utf8);
        problems.push(NameProblem::InnerWhitespace {
            range: TextRange::new(at, at + len),
        });
    }
    let start = syntax.host.start as usize;
    let name = &raw[syntax.host.as_usize_range()];
    if let Some(port) = syntax.port {
        let digits = &raw[port.start as usize + 1..port.end as usize];
        let ok = !digits.is_empty()
            && digits.len() <= 5
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits
                .parse::<u32>()
                .is_ok_and(|p| (1..=65535).contains(&p));
        if !ok {
            problems.push(NameProblem::BadPort { range: port });
        }
    }
    if name.is_empty() {
        problems.push(NameProblem::Empty);
        return (problems, None);
    }
    if name.starts_with('[') {
        let inner = name.strip_prefix('[').and_then(|n| n.strip_suffix(']'));
        // A real IPv6 address (`[:::]`, `[1:2:3:4:5:6:7:8:9]` and `[12345::1]` are not).
        let ok = inner.is_some_and(|i| i.parse::<core::net::Ipv6Addr>().is_ok());
        if !ok {
            problems.push(NameProblem::BadIpLiteral { range: syntax.host });
        }
        let fatal = problems.iter().any(NameProblem::is_fatal);
        return (problems, (!fatal).then(|| name.to_ascii_lowercase()));
    }
    if name.matches(':').count() > 1 {
        problems.push(NameProblem::BadIpLiteral { range: syntax.host });
        return (problems, None);
    }
    if name.len() > 253 {
        problems.push(NameProblem::TooLong { len: name.len() });
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        problems.push(NameProblem::UpperCase {
            range: syntax.host,
            lower: name.to_ascii_lowercase(),
        });
    }
    let (body, trailing_dot) = match name.strip_suffix('.') {
        Some(body) if !body.is_empty() => (body, true),
        _ => (name, false),
    };
    if trailing_dot {
        problems.push(NameProblem::TrailingDot {
            range: TextRange::new(start + body.len(), start + name.len()),
        });
    }
    let mut offset = start;
    // At most a handful of label findings: a pasted blob must not yield thousands.
    let before_labels = problems.len();
    for label in body.split('.') {
        if problems.len() - before_labels >= 5 {
            break;
        }
        let range = TextRange::new(offset, offset + label.len());
        offset += label.len() + 1;
        if label.is_empty() {
            problems.push(NameProblem::EmptyLabel {
                range: TextRange::new(
                    range.start as usize,
                    (range.start as usize + 1).min(start + name.len()),
                ),
            });
            continue;
        }
        if let Some((i, ch)) = label
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            let at = range.start as usize + i;
            if !ch.is_whitespace() {
                problems.push(NameProblem::BadChar {
                    range: TextRange::new(at, at + ch.len_utf8()),
                    ch,
                });
            }
            continue;
        }
        if label.len() > 63 {
            problems.push(NameProblem::LongLabel { range });
        } else if label.starts_with('-') || label.ends_with('-') {
            problems.push(NameProblem::HyphenEdge { range });
        }
    }
    // Four numbers are an IPv4 address to everyone, and one with an octet over 255 is no
    // address at all (leading zeros are left alone: some tools read them, some do not).
    let numbers: Vec<&str> = body.split('.').collect();
    if numbers.len() == 4
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && numbers
            .iter()
            .any(|n| n.len() > 3 || n.parse::<u16>().is_ok_and(|v| v > 255))
    {
        problems.push(NameProblem::BadIpv4 {
            range: TextRange::new(start, start + body.len()),
        });
    }
    let fatal = problems.iter().any(NameProblem::is_fatal);
    (problems, (!fatal).then(|| body.to_ascii_lowercase()))
}

/// Length of a leading `scheme://` (RFC 3986 scheme: a letter, then letters, digits, `+-.`),
/// or of a mistyped `http:/`, `https//`, `https:\\` (one slash or the colon lost), which would
/// otherwise read as a host `https` with a bad port.
pub(crate) fn scheme_len(body: &str) -> Option<usize> {
    let lower = body.get(..8).unwrap_or(body).to_ascii_lowercase();
    for name in ["https", "http"] {
        if let Some(rest) = lower.strip_prefix(name) {
            if rest.starts_with("://") {
                break;
            }
            if let Some(sep) = ["//", ":/", ":\\\\", ":\\"]
                .iter()
                .find(|sep| body[name.len()..].starts_with(**sep))
            {
                return Some(name.len() + sep.len());
            }
        }
    }
    let sep = body.find("://")?;
    let name = &body[..sep];
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    (first_ok && rest_ok).then_some(sep + 3)
}

/// A copy of `raw` of the same byte length in which user info (but its `@`), the query and the
/// fragment (but their `?`/`#`) are replaced by `*`, so that byte ranges into `raw` stay valid
/// for the copy. Use it wherever the host field value is shown.
#[must_use]
pub fn redacted(raw: &str) -> String {
    let syntax = HostSyntax::parse(raw);
    let mut masks: Vec<std::ops::Range<usize>> = Vec::new();
    if let Some(u) = syntax.user_info {
        masks.push(u.start as usize..u.end as usize - 1);
    }
    for r in [syntax.query, syntax.fragment].into_iter().flatten() {
        masks.push(r.start as usize + 1..r.end as usize);
    }
    if masks.is_empty() {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    for (i, c) in raw.char_indices() {
        if masks.iter().any(|m| m.contains(&i)) {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(raw: &str, r: Option<TextRange>) -> Option<&str> {
        r.map(|r| &raw[r.as_usize_range()])
    }

    #[test]
    fn splits_every_part_with_ranges_into_the_raw_value() {
        let raw = "  https://user:pw@Example.com:5000/team/app?x=1#frag ";
        let s = HostSyntax::parse(raw);
        assert_eq!(part(raw, s.scheme), Some("https://"));
        assert_eq!(part(raw, s.user_info), Some("user:pw@"));
        assert_eq!(&raw[s.host.as_usize_range()], "Example.com");
        assert_eq!(part(raw, s.port), Some(":5000"));
        assert_eq!(part(raw, s.path), Some("/team/app"));
        assert_eq!(part(raw, s.query), Some("?x=1"));
        assert_eq!(part(raw, s.fragment), Some("#frag"));
        assert_eq!(&raw[s.trimmed.as_usize_range()], raw.trim());
    }

    #[test]
    fn plain_hosts_and_ipv6_literals() {
        let s = HostSyntax::parse("localhost:5000");
        assert_eq!(s.host, TextRange::new(0, 9));
        assert_eq!(s.port, Some(TextRange::new(9, 14)));
        let raw = "[::1]:5000";
        let s = HostSyntax::parse(raw);
        assert_eq!(&raw[s.host.as_usize_range()], "[::1]");
        assert_eq!(part(raw, s.port), Some(":5000"));
        let s = HostSyntax::parse("");
        assert_eq!(s.host, TextRange::new(0, 0));
        assert_eq!(s.scheme, None);
    }

    #[test]
    fn redaction_keeps_byte_offsets_and_hides_credentials() {
        let raw = "https://admin:hunter2é@reg.example.com/x?token=abc#s";
        let shown = redacted(raw);
        assert_eq!(shown.len(), raw.len());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("admin"), "{shown}");
        assert!(!shown.contains("abc"), "{shown}");
        assert!(shown.contains("@reg.example.com/x?"), "{shown}");
        assert_eq!(redacted("reg.example.com"), "reg.example.com");
        // A password with an unencoded `/`, `?` or `#` is still user info.
        for raw in [
            "https://bob:pa/ss@reg.example.com/x",
            "bob:pa?ss@reg.example.com",
            "bob:pa#ss@reg.example.com",
            "bob@pa/ss@reg.example.com",
        ] {
            let shown = redacted(raw);
            assert!(
                !shown.contains("pa") && !shown.contains("ss@"),
                "{raw} -> {shown}"
            );
            let s = HostSyntax::parse(raw);
            assert_eq!(&raw[s.host.as_usize_range()], "reg.example.com", "{raw}");
        }
        // A digest in a path is not user info.
        let raw = "ghcr.io/org/app@sha256:0123";
        assert_eq!(HostSyntax::parse(raw).user_info, None);
        assert_eq!(redacted(raw), raw);
    }
}
