use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::host::HostCheck;
use crate::text::TextRange;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Checks that the registry host is filled in.
    ///
    /// ## Why is this bad
    /// Without a host there is nothing to log in to: every pull fails.
    ///
    /// ## Example
    /// ```json
    /// { "name": "prod", "host": "   " }
    /// ```
    ///
    /// ## Fix
    /// Enter the registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`,
    /// `public.ecr.aws` or `ghcr.io`.
    pub(crate) static RF010 = ("registry-host-required", "registry-form", Error, "Registry host is blank");
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    if !c.is_blank() {
        return;
    }
    let mut d = Diagnostic::new(&RF010, "the registry host is required")
        .with_help("enter the registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`, `public.ecr.aws` or `ghcr.io`")
        .with_pointer(HOST);
    if !c.raw.is_empty() {
        d = d.with_range(TextRange::of(c.raw));
    }
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::host;

    #[test]
    fn fires_on_blank_hosts() {
        assert_eq!(host("RF010", "", Ecr).len(), 1);
        assert_eq!(host("RF010", " \t ", Generic).len(), 1);
        // A blank host raises nothing else.
        assert_eq!(
            crate::registry_form::analyze_host("  ", None, Ecr)
                .diagnostics
                .len(),
            1
        );
    }

    #[test]
    fn quiet_on_any_host() {
        assert!(host("RF010", "ghcr.io", Generic).is_empty());
        assert!(host("RF010", "123456789012.dkr.ecr.us-east-1.amazonaws.com", Ecr).is_empty());
    }
}
