use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::host::{
    HostCheck, HostKind, is_account_id, partition_for_region, region_suggestion, split_region,
};
use crate::registry_form::RegistryKind;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks the vanity-host override (for a CNAME or pull-through proxy in front of ECR):
    /// its account must be 12 digits and its region a well-formed region of a known
    /// partition (errors). Warns when the override is ignored: the kind is not ECR, or the
    /// host already names a different account or region.
    ///
    /// ## Why is this bad
    /// A vanity host cannot be parsed, so the override is the only source of the account and
    /// region that ECR login needs. Tools that instead fall back to a default region pick the
    /// wrong one silently.
    ///
    /// ## Example
    /// ```json
    /// { "host": "registry.corp.example", "override": { "accountId": "12345678901", "region": "us-east" } }
    /// ```
    ///
    /// ## Fix
    /// Give the 12-digit account ID and the region of the registry behind the vanity host:
    /// `{ "accountId": "123456789012", "region": "us-east-1" }`.
    pub(crate) static RF028 = ("vanity-host-override-invalid", "registry-form", Error, "Vanity-host override has a bad account or region");
}

const ACCOUNT: &str = "/override/accountId";
const REGION: &str = "/override/region";

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    let Some(o) = c.host_override else {
        return;
    };
    let account = o.account_id.as_str();
    let trimmed = account.trim();
    if !is_account_id(account) {
        let d = Diagnostic::new(
            &RF028,
            "the override account must be a 12-digit AWS account ID",
        )
        .with_pointer(ACCOUNT);
        let d = if account.is_empty() {
            d
        } else {
            d.with_range(TextRange::of(account))
        };
        let d = if is_account_id(trimmed) {
            d.with_help("remove the whitespace around it").with_fix(Fix::safe(
                "Trim the account ID",
                vec![Edit::replace(TextRange::of(account), trimmed)],
            ))
        } else if trimmed.len() == 11 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            d.with_help("a spreadsheet or number field may have dropped a leading zero; copy the account ID as text")
                .with_fix(Fix::unsafe_(format!("Use `0{trimmed}`"), vec![Edit::replace(TextRange::of(account), format!("0{trimmed}"))]))
        } else {
            d.with_help(
                "copy the account ID of the registry behind the vanity host, e.g. `123456789012`",
            )
        };
        out.push(d);
    }
    let region = o.region.as_str();
    if partition_for_region(region).is_none() {
        let lower = region.trim().to_ascii_lowercase();
        let mended = partition_for_region(&lower).is_some();
        let reason = if region.is_empty() {
            "the override region is required with an override account".to_owned()
        } else if mended && region.trim() != region {
            format!(
                "the override region `{}` has whitespace around it",
                region.trim()
            )
        } else if mended {
            format!(
                "the override region `{region}` has upper-case letters; region names are lower case"
            )
        } else if split_region(region).is_none() {
            format!(
                "`{}` is not a region name (`<area>-<direction>-<number>`, e.g. `us-east-1`)",
                region.trim()
            )
        } else {
            format!("no AWS partition has a region named `{region}`")
        };
        let d = Diagnostic::new(&RF028, reason)
            .with_help("give the region of the ECR registry behind the vanity host")
            .with_pointer(REGION);
        let d = if region.is_empty() {
            d
        } else {
            d.with_range(TextRange::of(region))
        };
        let d = if mended {
            d.with_fix(Fix::safe(
                format!("Use `{lower}`"),
                vec![Edit::replace(TextRange::of(region), lower)],
            ))
        } else if let Some(meant) = region_suggestion(region.trim()) {
            d.with_help(format!("give the region of the ECR registry behind the vanity host: did you mean `{meant}`?"))
                .with_fix(Fix::unsafe_(
                    format!("Use `{meant}`"),
                    vec![Edit::replace(TextRange::of(region), meant)],
                ))
        } else {
            d
        };
        out.push(d);
    }
    if c.kind != RegistryKind::Ecr {
        out.push(
            Diagnostic::new(
                &RF028,
                "the override is ignored: it applies only to registries of kind ECR",
            )
            .with_severity(Severity::Warning)
            .with_help("choose the ECR kind for a vanity host in front of ECR, or clear the override")
            .with_pointer("/override"),
        );
        return;
    }
    match (&c.class.kind, &c.class.ecr) {
        (HostKind::PrivateEcr, Some(ecr)) if ecr.account != account || ecr.region != region => out
            .push(
            Diagnostic::new(
                &RF028,
                format!(
                    "the override is ignored: the host already names account `{}` in `{}`",
                    ecr.account, ecr.region
                ),
            )
            .with_severity(Severity::Warning)
            .with_help(
                "clear the override; it is only for hosts that cannot be parsed (CNAMEs, proxies)",
            )
            .with_pointer("/override"),
        ),
        (HostKind::PublicEcr, _) => out.push(
            Diagnostic::new(&RF028, "the override is ignored for public ECR")
                .with_severity(Severity::Warning)
                .with_help("clear the override")
                .with_pointer("/override"),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::{fixed, host_with};

    #[test]
    fn bad_accounts_and_regions_are_errors() {
        let found = host_with(
            "RF028",
            "ecr.corp.example",
            Some(("12345678901", "us-east")),
            Ecr,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|d| d.severity() == Severity::Error));
        assert_eq!(found[0].pointer(), "/override/accountId");
        assert_eq!(fixed(&found[0], "12345678901"), "012345678901");
        assert_eq!(found[1].pointer(), "/override/region");
        let found = host_with(
            "RF028",
            "ecr.corp.example",
            Some(("123456789012", "EU-WEST-1")),
            Ecr,
        );
        assert_eq!(fixed(&found[0], "EU-WEST-1"), "eu-west-1");
        assert!(found[0].message().contains("upper-case"));
        // Whitespace is named as such, not as "not a region name".
        let found = host_with(
            "RF028",
            "ecr.corp.example",
            Some(("123456789012", " eu-west-1")),
            Ecr,
        );
        assert!(found[0].message().contains("whitespace"), "{found:?}");
        assert_eq!(fixed(&found[0], " eu-west-1"), "eu-west-1");
        // An availability zone or a typo gets a did-you-mean.
        for (typed, meant) in [("eu-west-1a", "eu-west-1"), ("useast-1", "us-east-1")] {
            let found = host_with(
                "RF028",
                "ecr.corp.example",
                Some(("123456789012", typed)),
                Ecr,
            );
            assert_eq!(fixed(&found[0], typed), meant);
        }
        assert_eq!(
            host_with("RF028", "ecr.corp.example", Some(("123456789012", "")), Ecr).len(),
            1
        );
    }

    #[test]
    fn ignored_overrides_warn() {
        let found = host_with(
            "RF028",
            "ecr.corp.example",
            Some(("123456789012", "us-east-1")),
            Generic,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity(), Severity::Warning);
        let found = host_with(
            "RF028",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            Some(("210987654321", "us-east-1")),
            Ecr,
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message().contains("123456789012"));
    }

    #[test]
    fn valid_overrides_apply_quietly() {
        let o = crate::registry_form::HostOverride {
            account_id: "123456789012".into(),
            region: "eu-central-1".into(),
        };
        let a = crate::registry_form::analyze_host("registry.corp.example:8443", Some(&o), Ecr);
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        assert!(a.from_override);
        let ecr = a.ecr.unwrap();
        assert_eq!(
            (ecr.account.as_str(), ecr.region.as_str(), ecr.partition),
            ("123456789012", "eu-central-1", "aws")
        );
        // A blank override is no override.
        assert!(host_with("RF028", "ghcr.io", Some(("", " ")), Generic).is_empty());
    }
}
