//! IAM wildcard matching: `*` is any run of characters, `?` any one character.
//!
//! Iterative (two pointers and one backtrack point), so any pattern runs in O(n·m) at worst and
//! never recurses.

/// Whether `text` matches `pattern` exactly (case-sensitive: resources, condition values).
#[must_use]
pub fn matches(pattern: &str, text: &str) -> bool {
    matches_by(pattern, text, |a, b| a == b)
}

/// Whether `text` matches `pattern` ignoring ASCII case (actions, condition keys).
#[must_use]
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    // Most patterns (an action name) have no wildcard: a plain comparison, which answers at
    // once when the lengths differ. Same answer: a non-ASCII char equals only itself.
    if !has_wildcard(pattern) {
        return pattern.eq_ignore_ascii_case(text);
    }
    matches_by(pattern, text, |a, b| a.eq_ignore_ascii_case(&b))
}

fn matches_by(pattern: &str, text: &str, eq: impl Fn(char, char) -> bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        // Bytes are chars here: no allocation.
        return run(pattern.as_bytes(), text.as_bytes(), |a, b| {
            eq(char::from(a), char::from(b))
        });
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    run(&p, &t, eq)
}

trait Wild: Copy + PartialEq {
    fn is_star(self) -> bool;
    fn is_any(self) -> bool;
}

impl Wild for u8 {
    fn is_star(self) -> bool {
        self == b'*'
    }
    fn is_any(self) -> bool {
        self == b'?'
    }
}

impl Wild for char {
    fn is_star(self) -> bool {
        self == '*'
    }
    fn is_any(self) -> bool {
        self == '?'
    }
}

fn run<C: Wild>(p: &[C], t: &[C], eq: impl Fn(C, C) -> bool) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi].is_any() || (!p[pi].is_star() && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi].is_star() {
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
    while pi < p.len() && p[pi].is_star() {
        pi += 1;
    }
    pi == p.len()
}

/// Whether `s` has an IAM wildcard.
#[must_use]
pub fn has_wildcard(s: &str) -> bool {
    // By bytes (both are ASCII): a char pattern decodes every char, and rules ask this of
    // every action and condition value (see `has_any_byte`).
    crate::text::has_any_byte(s.as_bytes(), [b'*', b'?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches("*", ""));
        assert!(matches("ecr:*", "ecr:BatchGetImage"));
        assert!(matches_ignore_case("ECR:get*", "ecr:GetAuthorizationToken"));
        assert!(!matches("ecr:Get*", "ecr:BatchGetImage"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches(
            "*:repository/*",
            "arn:aws:ecr:us-east-1:1:repository/x/y"
        ));
        assert!(matches("a*b*c", "aXbYbZc"));
        assert!(!matches("a*b*c", "aXbYbZ"));
        assert!(matches("é?", "éx"));
        assert!(matches_ignore_case("ÉCR:*", "Écr:x"));
        assert!(!matches("é", "e"));
        let long = "a".repeat(5000);
        assert!(!matches(&"*a".repeat(50), &(long + "b")));
    }
}
