use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::host::{HostCheck, HostKind};
use crate::registry_form::RegistryKind;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Checks that a registry of kind ECR has an ECR host: a private registry
    /// (`<account>.dkr.ecr.<region>.<suffix>` and its FIPS and dual-stack forms), public ECR
    /// (`public.ecr.aws`), or a vanity host with an explicit account and region override.
    ///
    /// ## Why is this bad
    /// ECR login needs the registry's account and region, which come from the host. For a
    /// host that names neither, pullpass would have to guess the region, and a wrong guess
    /// gets a token that the registry refuses ("no basic auth credentials").
    ///
    /// ## Example
    /// ```json
    /// { "kind": "ecr", "host": "registry.example.com" }
    /// ```
    ///
    /// ## Fix
    /// Enter the ECR host; for a CNAME or pull-through proxy in front of ECR, fill in the
    /// override account and region; for any other registry choose the generic kind.
    pub(crate) static RF021 = ("ecr-kind-without-ecr-host", "registry-form", Error, "Kind is ECR but the host is not an ECR host");
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    if c.kind != RegistryKind::Ecr || c.class.kind != HostKind::Other || c.host_override.is_some() {
        return;
    }
    // A malformed name or an ECR near miss already has its own, sharper error.
    let Some(name) = &c.name else {
        return;
    };
    if c.class.facts.iter().any(crate::host::Fact::is_fatal) {
        return;
    }
    out.push(
        Diagnostic::new(
            &RF021,
            format!("the kind is ECR, but `{name}` is not an ECR registry host"),
        )
        .with_severity(Severity::Error)
        .with_help(
            "an ECR host looks like `123456789012.dkr.ecr.us-east-1.amazonaws.com`; for a CNAME or pull-through proxy in front of ECR, fill in the override account and region; for another registry, choose the generic kind",
        )
        .with_pointer(HOST)
        .with_range(c.syntax.host),
    );
}

#[cfg(test)]
mod tests {
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::{host, host_with};

    #[test]
    fn fires_on_a_generic_host_with_kind_ecr() {
        let found = host("RF021", "registry.example.com", Ecr);
        assert_eq!(found.len(), 1);
        assert!(found[0].message().contains("registry.example.com"));
        assert_eq!(host("RF021", "ghcr.io", Ecr).len(), 1);
    }

    #[test]
    fn quiet_on_ecr_hosts_overrides_generic_kind_and_near_misses() {
        assert!(host("RF021", "123456789012.dkr.ecr.us-east-1.amazonaws.com", Ecr).is_empty());
        assert!(host("RF021", "public.ecr.aws", Ecr).is_empty());
        assert!(host("RF021", "ghcr.io", Generic).is_empty());
        assert!(
            host_with(
                "RF021",
                "ecr.mirror.example.com",
                Some(("123456789012", "eu-west-1")),
                Ecr
            )
            .is_empty()
        );
        // RF027 owns these.
        assert!(host("RF021", "ecr.us-east-1.amazonaws.com", Ecr).is_empty());
        assert!(host("RF021", "12345678901.dkr.ecr.us-east-1.amazonaws.com", Ecr).is_empty());
    }
}
