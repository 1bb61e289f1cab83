use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::host::{Fact, HostCheck, nearest_known_region, partition, partition_for_region};
use crate::text::TextRange;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Notes a well-formed region of a known partition that pullpass's region table does not
    /// list (in the host, or in the vanity-host override).
    ///
    /// ## Why is this bad
    /// It may be a typo (`us-east-3`), or a region newer than this build. AWS adds regions
    /// every year, so this is a warning and never blocks.
    ///
    /// ## Example
    /// ```text
    /// 123456789012.dkr.ecr.us-east-7.amazonaws.com
    /// ```
    ///
    /// ## Fix
    /// Check the region against the ECR console; if it is real, ignore the warning.
    pub(crate) static RF025 = ("ecr-host-unknown-region", "registry-form", Warning, "Region is well formed but not a known region");
}

fn message(region: &str, partition: &str) -> String {
    format!(
        "`{region}` is not a region pullpass knows in partition `{partition}`; it may be a typo or a new region"
    )
}

const HELP: &str =
    "check the region in the ECR console; a new region works, and this warning does not block";

/// The warning, with a "did you mean" and its fix when a known region is one or two edits away.
fn diagnostic(region: &str, partition_id: &'static str, range: TextRange) -> Diagnostic {
    let d = Diagnostic::new(&RF025, message(region, partition_id)).with_range(range);
    match partition(partition_id).and_then(|p| nearest_known_region(region, p)) {
        Some(near) => d
            .with_help(format!("if `{region}` is a new region, it works and this warning does not block; otherwise, did you mean `{near}`?"))
            .with_fix(Fix::unsafe_(format!("Use `{near}`"), vec![Edit::replace(range, near)])),
        None => d.with_help(HELP),
    }
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    for fact in &c.class.facts {
        if let Fact::UnknownRegion { range, partition } = fact {
            let region = c.name.as_deref().map_or("", |n| &n[range.as_usize_range()]);
            out.push(diagnostic(region, partition, range.shifted(c.name_offset())).with_pointer(HOST));
        }
    }
    if let Some(o) = c.host_override
        && let Some(p) = partition_for_region(&o.region)
        && !p.is_known_region(&o.region)
    {
        out.push(diagnostic(&o.region, p.id, TextRange::of(&o.region)).with_pointer("/override/region"));
    }
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::registry_form::RegistryKind::Ecr;
    use crate::registry_form::rules::testing::{host, host_with};

    #[test]
    fn unknown_regions_warn_but_still_parse() {
        let raw = "123456789012.dkr.ecr.us-east-7.amazonaws.com";
        let found = host("RF025", raw, Ecr);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity(), Severity::Warning);
        assert_eq!(
            crate::registry_form::analyze_host(raw, None, Ecr)
                .ecr
                .unwrap()
                .region,
            "us-east-7"
        );
        let o = host_with(
            "RF025",
            "ecr.example.com",
            Some(("123456789012", "eu-central-9")),
            Ecr,
        );
        assert_eq!(o[0].pointer(), "/override/region");
        // A new number is a new region: no guess.
        assert!(found[0].fix().is_none());
    }

    #[test]
    fn misspelt_regions_get_a_did_you_mean() {
        for (raw, meant) in [
            ("123456789012.dkr.ecr.us-eats-1.amazonaws.com", "us-east-1"),
            (
                "123456789012.dkr.ecr.eu-centrl-1.amazonaws.com",
                "eu-central-1",
            ),
            ("123456789012.dkr.ecr.us-east-01.amazonaws.com", "us-east-1"),
            (
                "123456789012.dkr.ecr.cn-nort-1.amazonaws.com.cn",
                "cn-north-1",
            ),
        ] {
            let found = host("RF025", raw, Ecr);
            assert_eq!(found.len(), 1, "{raw}");
            assert_eq!(found[0].severity(), Severity::Warning, "{raw}");
            let fixed = crate::registry_form::rules::testing::fixed(&found[0], raw);
            assert_eq!(
                fixed,
                raw.replacen(&raw[21..raw.find(".amazonaws").unwrap()], meant, 1)
            );
        }
        let o = host_with(
            "RF025",
            "ecr.example.com",
            Some(("123456789012", "eu-wset-1")),
            Ecr,
        );
        assert!(
            o[0].help()
                .unwrap_or_default()
                .contains("`eu-west-1`")
        );
    }

    #[test]
    fn quiet_on_known_regions() {
        assert!(
            host(
                "RF025",
                "123456789012.dkr.ecr.ap-southeast-7.amazonaws.com",
                Ecr
            )
            .is_empty()
        );
        assert!(
            host(
                "RF025",
                "123456789012.dkr.ecr.mx-central-1.amazonaws.com",
                Ecr
            )
            .is_empty()
        );
        assert!(
            host_with(
                "RF025",
                "ecr.example.com",
                Some(("123456789012", "eu-central-1")),
                Ecr
            )
            .is_empty()
        );
    }
}
