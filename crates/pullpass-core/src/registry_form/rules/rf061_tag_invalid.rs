use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry_form::FormCheck;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks the tag for Import Image: a tag `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, or a digest
    /// `sha256:` followed by 64 lower-case hex digits.
    ///
    /// ## Why is this bad
    /// Registries refuse anything else, so the import cannot find the image. Common pastes: a
    /// leading `:` or `@`, a whole `repo:tag`, an upper-case digest.
    ///
    /// ## Example
    /// ```text
    /// :v1.2
    /// sha256:ABC…
    /// ```
    ///
    /// ## Fix
    /// Enter the tag alone (`v1.2`) or the digest alone (`sha256:` and 64 lower-case hex
    /// digits).
    pub(crate) static RF061 = ("tag-invalid", "registry-form", Error, "Neither a valid tag nor a sha256 digest");
}

const HELP: &str = "a tag is up to 128 letters, digits, `_`, `.` and `-` (not starting with `.` or `-`); a digest is `sha256:` and 64 lower-case hex digits";

fn d(message: impl Into<String>, range: TextRange) -> Diagnostic {
    Diagnostic::new(&RF061, message)
        .with_help(HELP)
        .with_pointer("/tag")
        .with_range(range)
}

fn tag_ok(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|&x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'))
}

/// RF061 for one tag or digest value; ranges index `value`.
#[must_use]
pub fn validate_tag(value: &str) -> Vec<Diagnostic> {
    let whole = TextRange::of(value);
    if value.trim().is_empty() {
        return vec![d(
            "the tag is required (a tag or a `sha256:` digest)",
            whole,
        )];
    }
    if value.trim().len() != value.len() {
        return vec![d("the tag has whitespace around it", whole).with_fix(Fix::safe(
            "Trim the tag",
            vec![Edit::replace(whole, value.trim())],
        ))];
    }
    for lead in [':', '@'] {
        if let Some(rest) = value.strip_prefix(lead)
            && (tag_ok(rest) || rest.starts_with("sha256:"))
        {
            let range = TextRange::new(0, 1);
            return vec![
                d(
                    format!("the tag starts with `{lead}`; enter the tag or digest alone"),
                    range,
                )
                .with_fix(Fix::safe(
                    format!("Remove the `{lead}`"),
                    vec![Edit::delete(range)],
                )),
            ];
        }
    }
    if let Some(hex) = value
        .strip_prefix("sha256:")
        .or_else(|| value.strip_prefix("SHA256:"))
    {
        let lower = hex.to_ascii_lowercase();
        let hex_range = TextRange::new(7, value.len());
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return vec![d(
                format!(
                    "a `sha256:` digest has 64 hex digits; this one has {} characters after `sha256:`",
                    hex.chars().count()
                ),
                hex_range,
            )];
        }
        if lower != value[7..] || !value.starts_with("sha256:") {
            return vec![
                d("digests are written in lower case", whole).with_fix(Fix::safe(
                    "Lower-case the digest",
                    vec![Edit::replace(whole, format!("sha256:{lower}"))],
                )),
            ];
        }
        return Vec::new();
    }
    if let Some((algo, _)) = value.split_once(':')
        && matches!(algo, "sha512" | "sha384" | "sha1" | "md5")
    {
        return vec![d(
            format!("ECR digests are `sha256:`; `{algo}:` is not supported"),
            TextRange::new(0, algo.len() + 1),
        )];
    }
    if let Some(colon) = value.rfind([':', '@'])
        && tag_ok(&value[colon + 1..])
    {
        let range = TextRange::new(0, colon + 1);
        return vec![
            d(
                "the tag field holds an image reference; enter the tag alone",
                range,
            )
            .with_fix(Fix::safe("Keep only the tag", vec![Edit::delete(range)])),
        ];
    }
    if value.len() > 128 {
        return vec![d(
            format!(
                "the tag has {} characters; at most 128 are allowed",
                value.chars().count()
            ),
            whole,
        )];
    }
    if value.starts_with(['.', '-']) {
        return vec![d(
            "a tag cannot start with `.` or `-`",
            TextRange::new(0, 1),
        )];
    }
    if let Some((i, c)) = value
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return vec![d(
            "the tag has a character tags do not allow",
            TextRange::new(i, i + c.len_utf8()),
        )];
    }
    Vec::new()
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(tag) = f.form.tag.as_deref()
        && !tag.is_empty()
    {
        out.extend(validate_tag(tag));
    }
}

#[cfg(test)]
mod tests {
    use super::validate_tag;
    use crate::registry_form::rules::testing::fixed;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn invalid_tags_are_errors() {
        assert_eq!(fixed(&validate_tag(":v1")[0], ":v1"), "v1");
        assert_eq!(
            fixed(
                &validate_tag(&format!("@{DIGEST}"))[0],
                &format!("@{DIGEST}")
            ),
            DIGEST
        );
        assert_eq!(fixed(&validate_tag("team/app:v1")[0], "team/app:v1"), "v1");
        let upper = DIGEST.to_ascii_uppercase().replacen("SHA256", "sha256", 1);
        assert_eq!(fixed(&validate_tag(&upper)[0], &upper), DIGEST);
        for bad in [
            "-v1",
            ".v1",
            "v 1",
            "sha256:abc",
            "sha512:abc",
            &"a".repeat(129),
            "ü",
        ] {
            assert_eq!(validate_tag(bad).len(), 1, "{bad}");
        }
    }

    #[test]
    fn quiet_on_tags_and_digests() {
        for ok in [
            "v1",
            "latest",
            "1.2.3-rc.1",
            "_x",
            "A_b.C-d",
            DIGEST,
            &"a".repeat(128),
        ] {
            assert!(validate_tag(ok).is_empty(), "{ok}");
        }
    }
}
