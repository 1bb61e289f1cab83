use super::{Cx, at};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Warns on `Allow` with `ecr:*` or `*`, or with `NotAction`, in the identity policy.
    ///
    /// ## Why is this bad
    /// Pulling needs read actions only; `ecr:*` also lets the platform's credentials push,
    /// delete images and repositories, and change repository policies. The managed
    /// `AmazonEC2ContainerRegistryReadOnly` or `…PullOnly` policies suffice.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}
    /// ```
    ///
    /// ## Fix
    /// List the read actions, or attach `AmazonEC2ContainerRegistryReadOnly`.
    pub(crate) static EP004 = ("broad-ecr-access", "permissions-policy", Warning, "`ecr:*` or `*`: broader than pulling needs");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        if !stmt.is_allow() {
            continue;
        }
        for a in &stmt.actions {
            let Some(action) = a.text else { continue };
            if action == "*" || action.eq_ignore_ascii_case("ecr:*") {
                cx.push(
                    at(&EP004, format!("`{action}` also allows pushing and deleting images and changing repository policies; pulling needs read actions only"), a.pointer_in(stmt.ptr("Action")), a.range())
                        .with_help("list the read actions, or attach AmazonEC2ContainerRegistryReadOnly / AmazonEC2ContainerRegistryPullOnly"),
                );
            }
        }
        if let Some(n) = stmt.not_action {
            cx.push(at(&EP004, "`Allow` with `NotAction` allows every other action, ECR writes included", stmt.ptr(&n.key), n.key_range).with_help("list the read actions instead"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_broad_actions() {
        fires("EP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#);
        fires("EP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":"*"}]}"#);
    }

    #[test]
    fn silent_on_read_only() {
        silent("EP004", READ_ONLY);
        silent("EP004", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr:*","Resource":"*"},{"Effect":"Allow","Action":"ecr:Get*","Resource":"*"}]}"#);
    }
}
