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
    matches_by(pattern, text, |a, b| a.eq_ignore_ascii_case(&b))
}

fn matches_by(pattern: &str, text: &str, eq: impl Fn(char, char) -> bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
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
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Whether `s` has an IAM wildcard.
#[must_use]
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
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
        let long = "a".repeat(5000);
        assert!(!matches(&"*a".repeat(50), &(long + "b")));
    }
}
