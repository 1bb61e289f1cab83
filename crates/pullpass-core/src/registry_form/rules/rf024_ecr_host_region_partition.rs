use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::host::{Fact, HostCheck, region_suggestion as suggestion};
use crate::text::TextRange;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Checks the region inside an ECR host: it must be a region name (`us-east-1`: lower
    /// case, `<area>-<direction>-<number>`), belong to a partition, and that partition must
    /// own the host's DNS suffix (`cn-*` regions live under `.amazonaws.com.cn`,
    /// `us-isob-*` under `.sc2s.sgov.gov`, …).
    ///
    /// ## Why is this bad
    /// A host whose region and suffix belong to different partitions does not exist in DNS,
    /// and the token for it would be requested from the wrong partition. Partitions never
    /// trust each other.
    ///
    /// ## Example
    /// ```text
    /// 123456789012.dkr.ecr.cn-north-1.amazonaws.com
    /// 123456789012.dkr.ecr.us-east.amazonaws.com
    /// ```
    ///
    /// ## Fix
    /// Use the suffix of the region's partition (`123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn`),
    /// or correct the region.
    pub(crate) static RF024 = ("ecr-host-region-partition", "registry-form", Error, "Region in the ECR host is malformed or not of the host's partition");
}

fn with_suggestion(d: Diagnostic, region: &str, range: TextRange) -> Diagnostic {
    let d = d.with_range(range);
    match suggestion(region) {
        Some(meant) if region.strip_suffix(|c: char| c.is_ascii_lowercase()) == Some(meant) => d
            .with_help(format!(
                "`{region}` is an availability zone; the region is `{meant}`"
            ))
            .with_fix(Fix::safe(
                format!("Use `{meant}`"),
                vec![Edit::replace(range, meant)],
            )),
        Some(meant) => d.with_help(format!("did you mean `{meant}`?")).with_fix(Fix::unsafe_(
            format!("Use `{meant}`"),
            vec![Edit::replace(range, meant)],
        )),
        None => d,
    }
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    let at = c.name_offset();
    for fact in &c.class.facts {
        let d = match fact {
            Fact::RegionMalformed { range } => {
                let region = c.name.as_deref().map_or("", |n| &n[range.as_usize_range()]);
                let d = Diagnostic::new(
                    &RF024,
                    format!("`{region}` is not a region name (`<area>-<direction>-<number>`, e.g. `us-east-1`)"),
                )
                .with_help("copy the region from the ECR console or `aws configure get region`");
                with_suggestion(d, region, range.shifted(at))
            }
            Fact::MissingRegion { insert_at, label } => {
                let at_range = TextRange::new(at + insert_at, at + insert_at);
                let d = Diagnostic::new(&RF024, "the ECR host has no region")
                    .with_help(format!("an ECR host names its region after `{label}`: `123456789012.{label}.us-east-1.amazonaws.com`"))
                    .with_range(at_range);
                match c.valid_override() {
                    Some((_, region, _)) => d.with_fix(Fix::unsafe_(
                        format!("Insert `{region}.`"),
                        vec![Edit::insert(at + insert_at, format!("{region}."))],
                    )),
                    None => d,
                }
            }
            Fact::RegionNoPartition { range } => {
                let region = c.name.as_deref().map_or("", |n| &n[range.as_usize_range()]);
                let d = Diagnostic::new(&RF024, format!("no AWS partition has a region named `{region}`"))
                    .with_help("check the region for a typo; regions start with `us-`, `eu-`, `ap-`, `cn-`, `us-gov-`, …");
                with_suggestion(d, region, range.shifted(at))
            }
            Fact::RegionSuffixMismatch {
                region,
                partition,
                suffix_range,
                found_suffix,
                suggestion,
            } => {
                let d = Diagnostic::new(
                    &RF024,
                    format!("region `{region}` is in partition `{partition}`, which does not use `.{found_suffix}`"),
                )
                .with_range(suffix_range.shifted(at));
                match suggestion {
                    Some(s) => d
                        .with_help(format!("hosts of `{partition}` end in `.{s}`"))
                        .with_fix(Fix::unsafe_(
                            format!("Use `.{s}`"),
                            vec![Edit::replace(suffix_range.shifted(at), *s)],
                        )),
                    None => d.with_help("check the region and the suffix; one of them is wrong"),
                }
            }
            _ => continue,
        };
        out.push(d.with_pointer(HOST));
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::RegistryKind::Ecr;
    use crate::registry_form::rules::testing::{fixed, host};

    #[test]
    fn partition_must_own_the_suffix() {
        let raw = "123456789012.dkr.ecr.cn-north-1.amazonaws.com";
        let found = host("RF024", raw, Ecr);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            fixed(&found[0], raw),
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
        );
        let raw = "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn";
        assert_eq!(
            fixed(&host("RF024", raw, Ecr)[0], raw),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(
            host(
                "RF024",
                "123456789012.dkr.ecr.us-isob-east-1.c2s.ic.gov",
                Ecr
            )
            .len(),
            1
        );
    }

    #[test]
    fn malformed_regions_get_a_did_you_mean() {
        for (raw, meant) in [
            ("123456789012.dkr.ecr.useast-1.amazonaws.com", "us-east-1"),
            ("123456789012.dkr.ecr.us-east1.amazonaws.com", "us-east-1"),
            ("123456789012.dkr.ecr.eu-west-1a.amazonaws.com", "eu-west-1"),
            ("123456789012.dkr.ecr.ue-west-2.amazonaws.com", "us-west-2"),
            (
                "123456789012.dkr.ecr.cnnorth-1.amazonaws.com.cn",
                "cn-north-1",
            ),
        ] {
            let found = host("RF024", raw, Ecr);
            assert_eq!(found.len(), 1, "{raw}: {found:?}");
            let region = raw.split('.').nth(3).unwrap();
            assert_eq!(
                fixed(&found[0], raw),
                raw.replacen(region, meant, 1),
                "{raw}"
            );
        }
        let zone = host(
            "RF024",
            "123456789012.dkr.ecr.eu-west-1a.amazonaws.com",
            Ecr,
        );
        assert!(
            zone[0]
                .help()
                .unwrap_or_default()
                .contains("availability zone")
        );
        assert!(
            host("RF024", "123456789012.dkr.ecr.global.amazonaws.com", Ecr)[0]
                .fix()
                .is_none()
        );
    }

    #[test]
    fn malformed_and_partitionless_regions() {
        assert_eq!(
            host("RF024", "123456789012.dkr.ecr.us-east.amazonaws.com", Ecr).len(),
            1
        );
        assert_eq!(
            host(
                "RF024",
                "123456789012.dkr.ecr.us-east-1a.amazonaws.com",
                Ecr
            )
            .len(),
            1
        );
        // `_` is not DNS: RF013 reports it before the region is read.
        assert!(host("RF024", "123456789012.dkr.ecr.us_east_1.amazonaws.com", Ecr).is_empty());
        assert_eq!(
            host("RF024", "123456789012.dkr.ecr.useast1.amazonaws.com", Ecr).len(),
            1
        );
        assert_eq!(
            host("RF024", "123456789012.dkr.ecr.amazonaws.com", Ecr).len(),
            1
        );
        let raw = "123456789012.dkr-ecr.on.aws";
        let found = crate::registry_form::rules::testing::host_with(
            "RF024",
            raw,
            Some(("123456789012", "us-west-2")),
            Ecr,
        );
        assert_eq!(
            fixed(&found[0], raw),
            "123456789012.dkr-ecr.us-west-2.on.aws"
        );
        assert_eq!(
            host("RF024", "123456789012.dkr.ecr.xx-east-1.amazonaws.com", Ecr).len(),
            1
        );
    }

    #[test]
    fn quiet_on_every_partition() {
        for raw in [
            "123456789012.dkr.ecr.us-west-2.amazonaws.com",
            "210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn",
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
            "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu",
            "123456789012.dkr.ecr.us-isof-east-1.csp.hci.ic.gov",
            "123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov",
            "123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov",
            "123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk",
        ] {
            assert!(host("RF024", raw, Ecr).is_empty(), "{raw}");
        }
    }
}
