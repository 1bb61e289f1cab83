//! DR008 `token-audience-mismatch`.

crate::declare_rule! {
    /// ## What it does
    /// Compares the `:aud` condition of the trust policy with the audience the pod's token carries
    /// (`eks.amazonaws.com/audience`, default `sts.amazonaws.com`).
    ///
    /// ## Why is this bad
    /// The condition never matches, so STS denies `sts:AssumeRoleWithWebIdentity`.
    ///
    /// ## Example
    /// Trust policy `"…:aud": "my-app"`, service account without an audience annotation.
    ///
    /// ## Fix
    /// Make the two equal: `sts.amazonaws.com` in both is the usual choice.
    pub(crate) static DR008 = ("token-audience-mismatch", "doctor", Error, "The trust policy's `aud` is not the token's audience");
}

use super::prelude::*;

/// `trust.audience`: the trust policy checks the audience the pod's token really carries.
pub(crate) fn check(cx: &mut Cx<'_>, _: &Run) -> Outcome {
    let Some(chosen) = cx.chosen.as_ref() else {
        return Outcome::needs(&[Input::TrustPolicy, Input::Live]);
    };
    let audience = cx.f.audience();
    let lint = &chosen.doc.lint;
    let scope = chosen.statement.pointer();
    // Misspelt (TP025).
    if let Some(d) = lint_finding(lint, &["TP025"], &scope, Severity::Error) {
        return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
    }
    let auds: Vec<_> = claim_entries(chosen.statement, "aud").collect();
    // Missing (TP024). Its other finding, a value that is not `sts.amazonaws.com`, is judged
    // here against the audience the pod's token really carries (DR008).
    if !auds
        .iter()
        .any(|(block, _)| block.op.is_positive_string_match())
        && let Some(d) = lint_finding(lint, &["TP024"], &scope, Severity::Warning)
    {
        return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
    }
    if let Some((block, entry)) = auds.iter().find(|(block, entry)| {
        block.op.is_positive_string_match() && !entry_admits(&block.op, &entry.values, &audience)
    }) {
        let written: Vec<&str> = entry.values.iter().map(Str::as_str).collect();
        let from = if cx.f.annotation(AUDIENCE_ANNOTATION).is_some() {
            format!("the service account's `{AUDIENCE_ANNOTATION}`")
        } else {
            "the default, no `eks.amazonaws.com/audience` annotation".to_owned()
        };
        let d = at(
            Diagnostic::new(&DR008, format!(
                "the trust policy requires the audience `{}`, but the pod's token carries `{audience}` ({from})",
                written.join("`, `")
            )),
            entry.values.first().and_then(|v| chosen.doc.range(v.range())),
        )
        .with_pointer(block.pointer())
        .with_help(format!("write `\"{}\": \"{audience}\"`, or annotate the service account with the audience you mean", entry.key));
        return Outcome::Finding(d, Some(Input::TrustPolicy));
    }
    // A pattern on the audience (TP063).
    if let Some(d) = auds
        .iter()
        .find_map(|(_, entry)| lint_finding(lint, &["TP063"], &entry.pointer(), Severity::Warning))
    {
        return Outcome::Finding(d.clone(), Some(Input::TrustPolicy));
    }
    Outcome::pass(format!(
        "requires the audience `{audience}`, which the pod's token carries"
    ))
}

#[cfg(test)]
mod tests {
    use crate::doctor::tests::*;

    #[test]
    fn dr008_trust_aud_is_not_the_tokens() {
        let mut inputs = sound();
        inputs.trust_policy = Some(trust(
            &format!("\"{PROVIDER}:sub\": \"system:serviceaccount:coder:coder\", "),
            &format!("\"{PROVIDER}:aud\": \"my-app\""),
        ));
        assert_only(&check_irsa(&inputs), "trust.audience", "DR008");
    }
}
