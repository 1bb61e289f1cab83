use super::{Cx, at, key_entries, replace_string};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks `sts:ExternalId` condition values: 2–1,224 characters of `A–Z a–z 0–9` and
    /// `_+=,.@:/-`.
    ///
    /// ## Why is this bad
    /// STS rejects any other external ID in `AssumeRole` (IAM accepts it in the policy, even
    /// with spaces), so a caller can never send the value and the role can never be assumed.
    ///
    /// ## Example
    /// ```json
    /// {"StringEquals": {"sts:ExternalId": "coder prod"}}
    /// ```
    ///
    /// ## Fix
    /// Choose an ID of allowed characters; surrounding whitespace has a safe fix (trim).
    pub(crate) static TP064 = ("external-id-value", "trust-policy", Error, "`sts:ExternalId` value STS can never send");
}

pub(crate) fn is_valid_external_id(s: &str) -> bool {
    (2..=1224).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-".contains(&b))
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for (_, entry) in key_entries(stmt, "sts:ExternalId") {
            for v in entry.values.iter().filter(|v| v.is_string()) {
                let value = v.as_str();
                if is_valid_external_id(value) || super::super::glob::has_wildcard(value) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-*?".contains(&b)) {
                    continue;
                }
                let why = if value.len() < 2 {
                    "shorter than 2 characters"
                } else if value.len() > 1224 {
                    "longer than 1,224 characters"
                } else if value.contains(char::is_whitespace) {
                    "it contains whitespace"
                } else {
                    "it has characters other than letters, digits and _+=,.@:/-"
                };
                let mut d = at(&TP064, format!("external ID `{value}` can never be sent: {why}, which STS rejects"), v.pointer_in(entry.pointer()), v.range())
                    .with_help("use 2–1224 characters of letters, digits and _+=,.@:/- here and in the assuming side's configuration");
                let trimmed = value.trim();
                if trimmed != value && is_valid_external_id(trimmed) {
                    d = d.with_fix(replace_string("Trim the whitespace", v.range(), trimmed));
                }
                cx.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    const CROSS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"coder-prod"}}}]}"#;

    #[test]
    fn fires_on_values_sts_rejects() {
        fires("TP064", &edit(CROSS, "coder-prod", "coder prod"));
        fires("TP064", &edit(CROSS, "coder-prod", "x"));
        let d = fires("TP064", &edit(CROSS, "coder-prod", "a#b"));
        assert!(d[0].help().is_some_and(|h| h.contains("2–1224")));
        let text = edit(CROSS, "coder-prod", "coder-prod ");
        let d = fires("TP064", &text);
        assert_eq!(fixed(&text, &d[0]), CROSS);
    }

    #[test]
    fn silent_on_valid_ids() {
        silent("TP064", CROSS);
    }
}
