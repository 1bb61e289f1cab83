use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry_form::FormCheck;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks the repository for Import Image against ECR's repository-name grammar: 2–256
    /// characters, lower case, slash-separated components of letters and digits joined by
    /// single `.`, `_` or `-`. Names the usual pastes: a registry host in front, a `:tag` or
    /// `@digest` behind, upper case, whitespace.
    ///
    /// ## Why is this bad
    /// ECR refuses any other name, and a pasted image reference in the repository field makes
    /// the import look up a repository that cannot exist.
    ///
    /// ## Example
    /// ```text
    /// 123456789012.dkr.ecr.us-east-1.amazonaws.com/Team/App:v1
    /// ```
    ///
    /// ## Fix
    /// Keep the repository only, in lower case: `team/app` (and `v1` in the tag field).
    pub(crate) static RF060 = ("repository-name-invalid", "registry-form", Error, "Not an ECR repository name");
}

fn push(
    out: &mut Vec<Diagnostic>,
    message: impl Into<String>,
    help: &str,
    range: TextRange,
    fix: Option<Fix>,
) {
    let mut d = Diagnostic::new(&RF060, message)
        .with_help(help)
        .with_pointer("/repository")
        .with_range(range);
    if let Some(fix) = fix {
        d = d.with_fix(fix);
    }
    out.push(d);
}

/// ECR: `[a-z0-9]+(?:[._-][a-z0-9]+)*`. Other registries (the distribution spec) also allow
/// `__` and runs of `-` between alphanumerics.
fn component_ok(c: &str, ecr: bool) -> bool {
    if !ecr {
        return docker_component_ok(c);
    }
    let b = c.as_bytes();
    let sep = |x: u8| matches!(x, b'.' | b'_' | b'-');
    let ok = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    !b.is_empty()
        && ok(b[0])
        && ok(b[b.len() - 1])
        && b.iter().all(|&x| ok(x) || sep(x))
        && !b.windows(2).any(|w| sep(w[0]) && sep(w[1]))
}

fn docker_component_ok(c: &str) -> bool {
    let b = c.as_bytes();
    let ok = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !ok(b[0]) || !ok(b[b.len() - 1]) {
        return false;
    }
    // Separators between alphanumeric runs: `.`, `_`, `__`, or one or more `-`.
    let mut i = 0;
    while i < b.len() {
        if ok(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !ok(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-')) {
            return false;
        }
    }
    true
}

/// RF060 for one ECR repository value; ranges index `value`.
#[must_use]
pub fn validate_repository(value: &str) -> Vec<Diagnostic> {
    validate_repository_for(value, true)
}

/// RF060 with ECR's grammar (`ecr`) or the looser one of other registries.
pub(crate) fn validate_repository_for(value: &str, ecr: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let help = "an ECR repository name is lower case, like `team/app`";
    if value.trim().is_empty() {
        push(
            &mut out,
            "the repository is required",
            help,
            TextRange::of(value),
            None,
        );
        return out;
    }
    let start = value.len() - value.trim_start().len();
    let end = value.trim_end().len();
    if start > 0 || end < value.len() {
        push(
            &mut out,
            "the repository has whitespace around it",
            help,
            TextRange::of(value),
            Some(Fix::safe(
                "Trim the repository",
                vec![Edit::replace(TextRange::of(value), value.trim())],
            )),
        );
        return out;
    }
    // A registry host in front: its first component has a `.` or `:` or is `localhost`.
    if let Some((first, _)) = value.split_once('/')
        && (first.contains('.') || first.contains(':') || first == "localhost")
    {
        let range = TextRange::new(0, first.len() + 1);
        push(
            &mut out,
            format!(
                "the repository starts with the registry host `{first}`; the host has its own field"
            ),
            help,
            range,
            Some(Fix::safe(
                "Remove the registry host",
                vec![Edit::delete(range)],
            )),
        );
        return out;
    }
    let last_segment = value.rfind('/').map_or(0, |i| i + 1);
    if let Some(at) = value
        .find('@')
        .or_else(|| value[last_segment..].find(':').map(|i| last_segment + i))
    {
        let range = TextRange::new(at, value.len());
        let what = if value.as_bytes()[at] == b'@' {
            "digest"
        } else {
            "tag"
        };
        push(
            &mut out,
            format!(
                "the repository ends with a {what} (`{}`); it belongs in the tag field",
                &value[at..]
            ),
            help,
            range,
            Some(Fix::safe(
                format!("Move the {what} to the tag field"),
                vec![Edit::delete(range)],
            )),
        );
        return out;
    }
    if value.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = value.to_ascii_lowercase();
        push(
            &mut out,
            "ECR repository names are lower case",
            help,
            TextRange::of(value),
            (lower.split('/').all(|c| component_ok(c, ecr))).then(|| {
                Fix::safe(
                    "Lower-case the repository",
                    vec![Edit::replace(TextRange::of(value), lower.clone())],
                )
            }),
        );
        return out;
    }
    let len = value.chars().count();
    if !(2..=256).contains(&len) {
        push(
            &mut out,
            format!("the repository name has {len} characters; ECR allows 2 to 256"),
            help,
            TextRange::of(value),
            None,
        );
        return out;
    }
    let mut offset = 0;
    for component in value.split('/') {
        if !component_ok(component, ecr) {
            let range = TextRange::new(offset, offset + component.len());
            let why = if component.is_empty() {
                "an empty path component (`//`, or a `/` at either end)"
            } else {
                "a component that is not lower-case letters and digits joined by single `.`, `_` or `-`"
            };
            push(
                &mut out,
                format!("the repository name has {why}"),
                help,
                range,
                None,
            );
            return out;
        }
        offset += component.len() + 1;
    }
    out
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(repository) = f.form.repository.as_deref()
        && !repository.is_empty()
    {
        out.extend(validate_repository_for(
            repository,
            f.form.kind == crate::registry_form::RegistryKind::Ecr,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::validate_repository;
    use crate::registry_form::rules::testing::fixed;

    #[test]
    fn invalid_names_are_errors_with_fixes_where_mechanical() {
        let raw = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app";
        assert_eq!(fixed(&validate_repository(raw)[0], raw), "team/app");
        assert_eq!(
            fixed(&validate_repository("team/app:v1")[0], "team/app:v1"),
            "team/app"
        );
        assert_eq!(
            fixed(&validate_repository("Team/App")[0], "Team/App"),
            "team/app"
        );
        assert_eq!(fixed(&validate_repository(" app ")[0], " app "), "app");
        for bad in [
            "a",
            "team//app",
            "/app",
            "app/",
            "te..am",
            "-app",
            "app_",
            "ap p",
            "ünï",
            &"a".repeat(257),
        ] {
            assert_eq!(validate_repository(bad).len(), 1, "{bad}");
        }
        assert_eq!(validate_repository("localhost:5000/x").len(), 1);
    }

    #[test]
    fn other_registries_allow_double_underscore_and_dash_runs() {
        use super::validate_repository_for;
        for ok in ["my__repo", "a--b/c", "library/ubuntu"] {
            assert!(validate_repository_for(ok, false).is_empty(), "{ok}");
        }
        assert_eq!(validate_repository("my__repo").len(), 1);
        for bad in ["a___b", "a._b", "Team/app"] {
            assert_eq!(validate_repository_for(bad, false).len(), 1, "{bad}");
        }
    }

    #[test]
    fn quiet_on_valid_names() {
        for ok in [
            "app",
            "team/app",
            "a1/b-c/d.e_f",
            "ab",
            "ecr-public/nginx/nginx",
            &"a".repeat(256),
        ] {
            assert!(validate_repository(ok).is_empty(), "{ok}");
        }
    }
}
