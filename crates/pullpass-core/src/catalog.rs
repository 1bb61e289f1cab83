//! The rule catalog: every rule of every family, in code order.

use crate::rule::RuleMeta;

pub mod style;

/// Every rule pullpass has, registry form first, then trust policy, then permissions policy,
/// then doctor's `DR…` links (with the `doctor` feature).
#[must_use]
pub fn all() -> Vec<&'static RuleMeta> {
    let mut rules: Vec<&'static RuleMeta> = Vec::new();
    rules.extend_from_slice(crate::registry_form::RULES);
    rules.extend_from_slice(crate::policy::RULES);
    #[cfg(feature = "doctor")]
    rules.extend_from_slice(crate::doctor::RULES);
    rules.sort_by_key(|r| r.code);
    rules
}

/// The rule with this code (case-insensitive), if there is one.
#[must_use]
pub fn get(code: &str) -> Option<&'static RuleMeta> {
    all()
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_unique_and_documented() {
        let rules = super::all();
        let mut codes: Vec<_> = rules.iter().map(|r| r.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), rules.len(), "duplicate rule code");
        for rule in rules {
            for heading in [
                "## What it does",
                "## Why is this bad",
                "## Example",
                "## Fix",
            ] {
                assert!(
                    rule.docs.contains(heading),
                    "{} lacks `{heading}`",
                    rule.code
                );
            }
        }
    }
}
