//! IAM trust and permissions policies: a span-keeping parser, the policy model and the
//! `TP…`/`EP…` rules.

use crate::rule::RuleMeta;

/// Every `TP…` and `EP…` rule.
pub static RULES: &[&RuleMeta] = &[];
