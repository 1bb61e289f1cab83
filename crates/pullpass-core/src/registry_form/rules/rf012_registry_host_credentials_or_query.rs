use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::host::HostCheck;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Checks that the host carries no user info (`user:password@`), query (`?…`) or
    /// fragment (`#…`).
    ///
    /// ## Why is this bad
    /// Credentials typed into the host end up in logs, image references and error messages,
    /// and no registry client reads them from there. A query or fragment is not part of a
    /// registry host either (and often carries a token). pullpass never echoes these parts
    /// back: messages name them, and the CLI masks them in the value it shows.
    ///
    /// ## Example
    /// ```text
    /// admin:s3cret@registry.example.com
    /// ```
    ///
    /// ## Fix
    /// Remove them; put credentials in the credential fields:
    /// `registry.example.com`.
    pub(crate) static RF012 = ("registry-host-credentials-or-query", "registry-form", Error, "Registry host contains user info, a query or a fragment");
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    if c.is_blank() {
        return;
    }
    if let Some(range) = c.syntax.user_info {
        out.push(
            Diagnostic::new(
                &RF012,
                "the registry host contains user info (a user name or password before `@`); it is not shown here",
            )
            .with_help("remove it from the host; credentials belong in the credential fields, never in the host")
            .with_pointer(HOST)
            .with_range(range)
            .with_fix(Fix::safe("Remove the user info", vec![Edit::delete(range)])),
        );
    }
    for (range, what) in [
        (c.syntax.query, "query (`?…`)"),
        (c.syntax.fragment, "fragment (`#…`)"),
    ] {
        if let Some(range) = range {
            out.push(
                Diagnostic::new(
                    &RF012,
                    format!("the registry host has a {what}; it is not shown here"),
                )
                .with_help("a registry host is a host name (and port) only")
                .with_pointer(HOST)
                .with_range(range)
                .with_fix(Fix::safe(
                    format!("Remove the {what}"),
                    vec![Edit::delete(range)],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::{fixed, host};

    #[test]
    fn user_info_is_an_error_and_never_echoed() {
        let raw = "https://admin:hunter2@123456789012.dkr.ecr.us-east-1.amazonaws.com";
        let analysis = crate::registry_form::analyze_host(raw, None, Ecr);
        let found: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.code() == "RF012")
            .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(
            &raw[found[0].range().unwrap().as_usize_range()],
            "admin:hunter2@"
        );
        assert_eq!(
            fixed(found[0], raw),
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        for d in &analysis.diagnostics {
            let text = format!("{} {:?} {:?}", d.message(), d.help(), d.fix());
            assert!(
                !text.contains("hunter2") && !text.contains("admin"),
                "{text}"
            );
        }
        assert!(!analysis.normalized.contains("hunter2"));
    }

    #[test]
    fn query_and_fragment_are_errors() {
        let raw = "ghcr.io?token=abc#x";
        let found = host("RF012", raw, Generic);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|d| !d.message().contains("abc")));
        assert_eq!(fixed(&found[0], raw), "ghcr.io#x");
    }

    #[test]
    fn quiet_on_plain_hosts_and_digests_in_paths() {
        assert!(host("RF012", "ghcr.io", Generic).is_empty());
        assert!(host("RF012", "ghcr.io/org/app@sha256:abc", Generic).is_empty());
    }
}
