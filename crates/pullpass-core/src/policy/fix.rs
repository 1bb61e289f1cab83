//! The fixed-point fix loop: the one place that decides which fixes `--fix` (CLI) and the wasm
//! package apply, and that a fix never leaves a new error behind.

use super::{LintContext, PolicyKind, lint};
use crate::diagnostic::{Diagnostic, Edit, Fix, FixLevel, apply_edits};

/// The fixed-point fix loop (`lint --fix`, the wasm package): applies the fixes of `text` that
/// `level` allows until none is left (at most 32 rounds);
/// returns the new text and how many fixes were applied. A round whose fixes together bring a
/// new error is retried one fix at a time, and a fix that brings a new error on its own is
/// never applied (it stays in the report for a person to judge).
#[must_use]
pub fn fix_all(
    text: &str,
    kind: Option<PolicyKind>,
    ctx: &LintContext,
    level: FixLevel,
) -> (String, usize) {
    let mut current = text.to_owned();
    let mut applied = 0;
    let mut refused: Vec<(String, Vec<Edit>)> = Vec::new();
    for _ in 0..32 {
        let out = lint(&current, kind, ctx);
        let fixes: Vec<&Fix> = out
            .diagnostics
            .iter()
            .filter_map(|d| d.fix())
            .filter(|f| level.applies(f.applicability))
            .filter(|f| {
                !refused
                    .iter()
                    .any(|(m, e)| *m == f.message && *e == f.edits)
            })
            .collect();
        let chosen = non_overlapping(&fixes);
        if chosen.is_empty() {
            break;
        }
        let batch = apply_edits(&current, chosen.iter().flat_map(|f| f.edits.iter()));
        if let Some(next) = batch.filter(|next| *next != current)
            && keeps_errors(&out.diagnostics, &next, kind, ctx, level)
        {
            current = next;
            applied += chosen.len();
            continue;
        }
        // One at a time: keep the first fix that changes the text and breaks nothing.
        for fix in chosen {
            match fix.apply(&current) {
                Some(next)
                    if next != current
                        && keeps_errors(&out.diagnostics, &next, kind, ctx, level) =>
                {
                    current = next;
                    applied += 1;
                    break;
                }
                _ => refused.push((fix.message.clone(), fix.edits.clone())),
            }
        }
    }
    (current, applied)
}

/// Whether `next` has no error code more often than the text the `before` findings are of,
/// unless every error of such a code has a fix this run applies too (with `--unsafe-fixes`,
/// TP014's rename may reveal a TP028 that its unsafe fix then mends).
fn keeps_errors(
    before: &[Diagnostic],
    next: &str,
    kind: Option<PolicyKind>,
    ctx: &LintContext,
    level: FixLevel,
) -> bool {
    let after = lint(next, kind, ctx).diagnostics;
    crate::diagnostic::new_errors(before, &after)
        .iter()
        .all(|code| {
            after
                .iter()
                .filter(|d| d.code() == *code && d.is_error())
                .all(|d| d.fix().is_some_and(|f| level.applies(f.applicability)))
        })
}

/// The fixes of `fixes`, in order, whose edits touch no edit of a fix taken before.
fn non_overlapping<'f>(fixes: &[&'f Fix]) -> Vec<&'f Fix> {
    let mut chosen: Vec<&Fix> = Vec::new();
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|e| {
            chosen.iter().flat_map(|f| &f.edits).any(|c| {
                (e.range.start < c.range.end && c.range.start < e.range.end)
                    || e.range.start == c.range.start
                    || (e.range.is_empty()
                        && c.range.start < e.range.start
                        && e.range.start < c.range.end)
                    || (c.range.is_empty()
                        && e.range.start < c.range.start
                        && c.range.start < e.range.end)
            })
        });
        if !overlaps {
            chosen.push(fix);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Applicability;
    use crate::policy;

    #[test]
    fn safe_fixes_apply_until_stable() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEqual":{"https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub":"system:serviceaccount:coder:*","oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud":"https://sts.amazonaws.com"}}}]}"#;
        let ctx = LintContext::default();
        let (fixed, applied) = policy::fix_all(text, None, &ctx, FixLevel::Safe);
        // `allow`, the key's `https://`, the audience's `https://`; not `StringEqual` →
        // `StringEquals`: that would compare `coder:*` literally (a new TP028 error) and TP028's
        // fix (StringLike) is unsafe, so the rename waits for a person or --unsafe-fixes.
        assert_eq!(applied, 3, "{fixed}");
        assert!(fixed.contains("\"StringEqual\""), "{fixed}");
        let left = policy::lint(&fixed, None, &ctx);
        for d in &left.diagnostics {
            if let Some(fix) = d.fix().filter(|f| f.applicability == Applicability::Safe) {
                let next = fix.apply(&fixed).unwrap();
                assert!(
                    !keeps_errors(&left.diagnostics, &next, None, &ctx, FixLevel::Safe),
                    "{} was left although it breaks nothing",
                    d.code()
                );
            }
        }
        let (fixed, applied) = policy::fix_all(text, None, &ctx, FixLevel::Unsafe);
        assert!(applied >= 5, "{applied}: {fixed}");
        assert!(fixed.contains("\"StringLike\""), "{fixed}");
        let left = policy::lint(&fixed, None, &LintContext::default());
        assert!(
            left.diagnostics.iter().all(|d| d.code() != "TP001"),
            "{fixed}"
        );
    }
}
