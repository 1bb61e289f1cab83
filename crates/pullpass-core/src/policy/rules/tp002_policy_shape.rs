use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::json::ValueKind;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks the top level: an object with a `Statement` that is an object or a non-empty
    /// array of objects, and a `Version` of `2012-10-17`. A missing `Version` or the old
    /// `2008-10-17` with policy variables is a warning; any other `Version` or a bad
    /// `Statement` is an error. `2008-10-17` without variables is not reported: the two
    /// languages differ only in policy variables ("IAM JSON policy elements: Version",
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>),
    /// and the ECR console writes repository policies with it.
    ///
    /// ## Why is this bad
    /// Without `Version: 2012-10-17` IAM falls back to the 2008 language, in which policy
    /// variables such as `${aws:username}` are plain text; any other value is rejected.
    ///
    /// ## Example
    /// ```json
    /// {"Statement": {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}}
    /// ```
    ///
    /// ## Fix
    /// Start the document with `"Version": "2012-10-17"` and put the statements in `Statement`.
    pub(crate) static TP002 = ("policy-shape", "trust-policy", Error, "Top level is not an object with `Statement`, or `Version` is missing or wrong");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let policy = cx.policy;
    let open = TextRange::new(policy.root.range.start as usize, policy.root.range.start as usize + 1);
    match policy.version {
        None => cx.push(
            Diagnostic::new(&TP002, "`Version` is missing, so IAM reads the policy in the 2008-10-17 language, where policy variables are plain text")
                .with_severity(Severity::Warning)
                .with_help(r#"add `"Version": "2012-10-17"`"#)
                .with_range(open),
        ),
        Some(v) => match v.value.as_str() {
            Some("2012-10-17") => {}
            // The old language differs only in policy variables: without any it is harmless
            // (the ECR console still writes repository policies with it).
            Some("2008-10-17") if !cx.text.contains("${") => {}
            Some("2008-10-17") => cx.push(
                at(&TP002, "`Version` 2008-10-17 is the old policy language: the policy variables in this policy are not expanded", "/Version".into(), v.value.range)
                    .with_severity(Severity::Warning)
                    .with_help(r#"use `"Version": "2012-10-17"`"#),
            ),
            _ => cx.push(
                at(&TP002, format!("`Version` must be \"2012-10-17\" (or the old \"2008-10-17\"), not {}", &cx.text[v.value.range.as_usize_range()]), "/Version".into(), v.value.range)
                    .with_help("the version is the policy language's date, not your policy's; write \"2012-10-17\""),
            ),
        },
    }
    let Some(statement) = policy.statement else {
        cx.push(
            Diagnostic::new(&TP002, "the policy has no `Statement`: it allows nothing and IAM rejects it")
                .with_help(r#"add `"Statement": [{"Effect": "Allow", …}]`"#)
                .with_range(open),
        );
        return;
    };
    match &statement.value.kind {
        ValueKind::Object(_) => {}
        ValueKind::Array(items) if items.is_empty() => cx.push(at(
            &TP002,
            "`Statement` is empty: the policy allows nothing and IAM rejects it",
            "/Statement".into(),
            statement.value.range,
        )),
        ValueKind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.as_object().is_none() {
                    cx.push(at(
                        &TP002,
                        format!("statement {i} is {}, but each statement must be an object", item.type_name()),
                        format!("/Statement/{i}"),
                        item.range,
                    ));
                }
            }
        }
        _ => cx.push(at(
            &TP002,
            format!("`Statement` is {}, but it must be an object or an array of objects", statement.value.type_name()),
            "/Statement".into(),
            statement.value.range,
        )
        .with_help("write `\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": …, \"Action\": …}]`")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::Severity;

    #[test]
    fn fires_on_bad_shapes() {
        assert_eq!(fires("TP002", "[]")[0].severity(), Severity::Error);
        fires("TP002", r#"{"Version": "2012-10-17"}"#);
        fires("TP002", r#"{"Version": "2012-10-17", "Statement": []}"#);
        fires("TP002", r#"{"Version": "2012-10-17", "Statement": "x"}"#);
        fires("TP002", r#"{"Version": "2012-10-17", "Statement": [1]}"#);
        let d = fires("TP002", &edit(IRSA, "2012-10-17", "2012-10-18"));
        assert_eq!(d[0].severity(), Severity::Error);
        // The 2008 language differs only in policy variables.
        silent("TP002", &edit(IRSA, "2012-10-17", "2008-10-17"));
        let vars = edit(&edit(READ_ONLY, "2012-10-17", "2008-10-17"), "\"Resource\": \"*\"", "\"Resource\": \"arn:aws:ecr:*:*:repository/${aws:username}/*\"");
        let d = fires("TP002", &vars);
        assert_eq!(d[0].severity(), Severity::Warning);
        let d = fires("TP002", &edit(IRSA, "\"Version\": \"2012-10-17\",", ""));
        assert_eq!(d[0].severity(), Severity::Warning);
    }

    #[test]
    fn silent_on_good_shapes() {
        silent("TP002", IRSA);
        silent("TP002", POD);
        silent("TP002", r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}}"#);
    }
}
