use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::host::{Fact, HostCheck};
use crate::text::TextRange;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Catches hosts that nearly are ECR registry hosts, and says what was meant: the ECR API
    /// endpoint (`ecr.<region>.amazonaws.com`, `api.ecr.<region>.amazonaws.com`) instead of
    /// the registry, an account that is not 12 digits (a spreadsheet drops leading zeros), no
    /// account at all, an endpoint label that does not go with the suffix (`dkr-ecr` is
    /// dual-stack and lives under `on.aws`), and misspelt suffixes (`amazonaws.co`,
    /// `amazonaw.com`) or public ECR names.
    ///
    /// ## Why is this bad
    /// None of these is a registry: pulls fail with a DNS error or "no basic auth
    /// credentials", far from the typo that caused it.
    ///
    /// ## Example
    /// ```text
    /// api.ecr.us-east-1.amazonaws.com
    /// 12345678901.dkr.ecr.us-east-1.amazonaws.com
    /// 123456789012.dkr.ecr.us-east-1.amazonaws.co
    /// ```
    ///
    /// ## Fix
    /// Use the registry host `<12-digit account>.dkr.ecr.<region>.amazonaws.com`; the finding
    /// offers the correction where it can be known.
    pub(crate) static RF027 = ("ecr-host-near-miss", "registry-form", Error, "Near miss of an ECR registry host");
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    let at = c.name_offset();
    let name_range = c.syntax.host;
    let name = c.name.as_deref().unwrap_or_default();
    let override_account = c.valid_override().map(|(account, _, _)| account);
    for fact in &c.class.facts {
        let d = match fact {
            Fact::ApiEndpoint { region, suffix } => {
                // The FIPS API endpoint (`ecr-fips.…`) pairs with the FIPS registry form.
                let fips = name.starts_with("ecr-fips.");
                let (label, registry_suffix) = match (suffix.as_str(), fips) {
                    ("api.aws", false) => ("dkr-ecr", "on.aws"),
                    ("api.aws", true) => ("dkr-ecr-fips", "on.aws"),
                    ("api.amazonwebservices.com.cn", _) => {
                        ("dkr-ecr", "on.amazonwebservices.com.cn")
                    }
                    (_, false) => ("dkr.ecr", suffix.as_str()),
                    (_, true) => ("dkr.ecr-fips", suffix.as_str()),
                };
                let d = Diagnostic::new(
                    &RF027,
                    format!("`{name}` is the ECR API endpoint, not a registry"),
                )
                .with_help(format!(
                    "the registry host is `<12-digit account>.{label}.{region}.{registry_suffix}`"
                ))
                .with_range(name_range);
                match override_account {
                    Some(account) => {
                        let host = format!("{account}.{label}.{region}.{registry_suffix}");
                        d.with_fix(Fix::unsafe_(
                            format!("Use `{host}`"),
                            vec![Edit::replace(name_range, host)],
                        ))
                    }
                    None => d,
                }
            }
            Fact::AccountLength { range, len } => {
                let account = &name[range.as_usize_range()];
                let d = Diagnostic::new(
                    &RF027,
                    format!("the account `{account}` has {len} digits; an AWS account ID has exactly 12"),
                )
                .with_range(range.shifted(at));
                if *len == 11 {
                    d.with_help("a spreadsheet or number field may have dropped a leading zero; copy the account ID as text")
                        .with_fix(Fix::unsafe_(format!("Use `0{account}`"), vec![Edit::insert(range.start as usize + at, "0")]))
                } else {
                    d.with_help("copy the account ID from the ECR console or `aws sts get-caller-identity`")
                }
            }
            Fact::AccountSeparators { range, fixed } => Diagnostic::new(
                &RF027,
                "the account ID in a registry host is 12 digits without separators",
            )
            .with_help(format!("did you mean `{fixed}`?"))
            .with_range(range.shifted(at))
            .with_fix(Fix::safe(
                format!("Use `{fixed}`"),
                vec![Edit::replace(range.shifted(at), fixed.clone())],
            )),
            Fact::AccountMalformed { range } => Diagnostic::new(
                &RF027,
                format!(
                    "`{}` is not an AWS account ID (12 digits)",
                    &name[range.as_usize_range()]
                ),
            )
            .with_help("an ECR host starts with the 12-digit account ID that owns the registry")
            .with_range(range.shifted(at)),
            Fact::MissingAccount { insert_at } => {
                let d = Diagnostic::new(&RF027, "the ECR host has no account ID in front")
                    .with_help("an ECR host starts with the 12-digit account ID: `123456789012.dkr.ecr.<region>.amazonaws.com`")
                    .with_range(TextRange::new(at + insert_at, at + insert_at));
                match override_account {
                    Some(account) => d.with_fix(Fix::safe(
                        format!("Insert `{account}.`"),
                        vec![Edit::insert(at + insert_at, format!("{account}."))],
                    )),
                    None => d,
                }
            }
            Fact::EndpointMismatch {
                range,
                found,
                suggestion,
            } => {
                let d = Diagnostic::new(
                    &RF027,
                    format!("`{found}` is not an ECR registry endpoint for this suffix"),
                )
                .with_range(range.shifted(at));
                match suggestion {
                    Some(s) => d
                        .with_help(format!("did you mean `{s}`? (`dkr.ecr` under `amazonaws.com`; dual-stack `dkr-ecr` under `on.aws`.)"))
                        .with_fix(Fix::unsafe_(format!("Use `{s}`"), vec![Edit::replace(range.shifted(at), *s)])),
                    None => d.with_help("registry hosts use `dkr.ecr` (or `dkr.ecr-fips`); dual-stack hosts use `dkr-ecr` under `on.aws`"),
                }
            }
            Fact::SuffixTypo { range, suggestion } => Diagnostic::new(
                &RF027,
                format!(
                    "`{}` is not an AWS DNS suffix; did you mean `{suggestion}`?",
                    &name[range.as_usize_range()]
                ),
            )
            .with_help(format!(
                "ECR registry hosts end in `.{suggestion}` (or another partition's suffix)"
            ))
            .with_range(range.shifted(at))
            .with_fix(Fix::unsafe_(
                format!("Use `{suggestion}`"),
                vec![Edit::replace(range.shifted(at), *suggestion)],
            )),
            Fact::PublicTypo { suggestion } => Diagnostic::new(
                &RF027,
                format!("`{name}` is not a registry; did you mean `{suggestion}`?"),
            )
            .with_help("public ECR is `public.ecr.aws` (dual-stack: `ecr-public.aws.com`)")
            .with_range(name_range)
            .with_fix(Fix::unsafe_(
                format!("Use `{suggestion}`"),
                vec![Edit::replace(name_range, *suggestion)],
            )),
            _ => continue,
        };
        out.push(d.with_pointer(HOST));
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::{fixed, host, host_with};

    #[test]
    fn api_endpoints_are_not_registries() {
        for raw in [
            "ecr.us-east-1.amazonaws.com",
            "api.ecr.us-east-1.amazonaws.com",
            "ecr-fips.us-gov-west-1.amazonaws.com",
            "ecr.us-east-1.api.aws",
            "api.ecr.cn-north-1.amazonaws.com.cn",
            "ecr.cn-north-1.api.amazonwebservices.com.cn",
        ] {
            let found = host("RF027", raw, Ecr);
            assert_eq!(found.len(), 1, "{raw}");
            assert!(found[0].message().contains("API endpoint"), "{raw}");
        }
        // A FIPS API endpoint points at the FIPS registry form.
        for (raw, form) in [
            (
                "ecr-fips.us-gov-west-1.amazonaws.com",
                ".dkr.ecr-fips.us-gov-west-1.amazonaws.com`",
            ),
            (
                "ecr-fips.us-east-1.api.aws",
                ".dkr-ecr-fips.us-east-1.on.aws`",
            ),
            ("ecr.us-east-1.api.aws", ".dkr-ecr.us-east-1.on.aws`"),
        ] {
            let help = host("RF027", raw, Ecr)[0].help().map(str::to_owned).unwrap_or_default();
            assert!(help.ends_with(form), "{raw}: {help}");
        }
        let raw = "api.ecr.eu-west-1.amazonaws.com";
        let found = host_with("RF027", raw, Some(("123456789012", "eu-west-1")), Ecr);
        assert_eq!(
            fixed(&found[0], raw),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn accounts_must_be_twelve_digits() {
        let raw = "12345678901.dkr.ecr.us-east-1.amazonaws.com";
        let found = host("RF027", raw, Ecr);
        assert_eq!(
            fixed(&found[0], raw),
            "012345678901.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(
            host(
                "RF027",
                "1234567890123.dkr.ecr.us-east-1.amazonaws.com",
                Ecr
            )
            .len(),
            1
        );
        let raw = "1234-5678-9012.dkr.ecr.us-east-1.amazonaws.com";
        assert_eq!(
            fixed(&host("RF027", raw, Ecr)[0], raw),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(
            host("RF027", "myaccount.dkr.ecr.us-east-1.amazonaws.com", Ecr).len(),
            1
        );
        assert_eq!(
            host("RF027", "dkr.ecr.us-east-1.amazonaws.com", Ecr).len(),
            1
        );
    }

    #[test]
    fn endpoint_labels_must_fit_the_suffix() {
        let raw = "123456789012.dkr-ecr.us-west-2.amazonaws.com";
        assert_eq!(
            fixed(&host("RF027", raw, Ecr)[0], raw),
            "123456789012.dkr.ecr.us-west-2.amazonaws.com"
        );
        let raw = "123456789012.dkr.ecr.us-west-2.on.aws";
        assert_eq!(
            fixed(&host("RF027", raw, Ecr)[0], raw),
            "123456789012.dkr-ecr.us-west-2.on.aws"
        );
        let raw = "123456789012.dkr.ecr-fips.us-west-2.on.aws";
        assert_eq!(
            fixed(&host("RF027", raw, Ecr)[0], raw),
            "123456789012.dkr-ecr-fips.us-west-2.on.aws"
        );
        let raw = "123456789012.ecr.us-west-2.amazonaws.com";
        assert_eq!(
            fixed(&host("RF027", raw, Ecr)[0], raw),
            "123456789012.dkr.ecr.us-west-2.amazonaws.com"
        );
        let raw = "123456789012.dkr.ecr-fips.cn-north-1.on.amazonwebservices.com.cn";
        assert!(!host("RF027", raw, Ecr).is_empty() || !host("RF026", raw, Ecr).is_empty());
        let raw = "123456789012.dkr.erc.us-west-2.amazonaws.com";
        assert_eq!(
            fixed(&host("RF027", raw, Ecr)[0], raw),
            "123456789012.dkr.ecr.us-west-2.amazonaws.com"
        );
    }

    #[test]
    fn misspelt_suffixes_and_public_names() {
        let raw = "123456789012.dkr.ecr.us-east-1.amazonaws.co";
        assert_eq!(
            fixed(&host("RF027", raw, Ecr)[0], raw),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        let raw = "123456789012.dkr.ecr.us-east-1.amazonaw.com";
        assert_eq!(
            fixed(&host("RF027", raw, Generic)[0], raw),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        let raw = "public.ecr.aws.com";
        assert_eq!(fixed(&host("RF027", raw, Ecr)[0], raw), "public.ecr.aws");
        // Three edits on a long suffix, once an ECR label and a region are there.
        let raw = "123456789012.dkr.ecr.us-east-1.amazon.com";
        assert_eq!(
            fixed(&host("RF027", raw, Generic)[0], raw),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        // Cut-off or overlong suffixes, too far in edits for a typo.
        for (raw, meant) in [
            (
                "123456789012.dkr.ecr.us-east-1.amazonaws",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            ),
            (
                "123456789012.dkr-ecr.us-east-1.on.aws.com",
                "123456789012.dkr-ecr.us-east-1.on.aws",
            ),
            (
                "123456789012.dkr-ecr.us-west-2.on.aw",
                "123456789012.dkr-ecr.us-west-2.on.aws",
            ),
            (
                "123456789012.dkr-ecr.cn-north-1.on.amazonwebservices",
                "123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn",
            ),
        ] {
            assert_eq!(fixed(&host("RF027", raw, Generic)[0], raw), meant, "{raw}");
        }
        // A proxy whose own name embeds the registry host is not a typo.
        let proxy = "123456789012.dkr.ecr.us-east-1.amazonaws.com.mirror.corp.example";
        assert!(host("RF027", proxy, Ecr).is_empty());
        // Public hosts one or two edits off.
        for (raw, meant) in [
            ("publc.ecr.aws", "public.ecr.aws"),
            ("pubilc.ecr.aws", "public.ecr.aws"),
            ("ecr-pubic.aws.com", "ecr-public.aws.com"),
        ] {
            assert_eq!(fixed(&host("RF027", raw, Ecr)[0], raw), meant, "{raw}");
        }
    }

    #[test]
    fn quiet_on_real_hosts_and_unrelated_aws_hosts() {
        for raw in [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "public.ecr.aws",
            "ecr-public.aws.com",
            "my-bucket.s3.us-east-1.amazonaws.com",
            "registry.amazon.com",
            "amazonas.co",
            "ecr.amazonas.co",
            "ecr.mycorp.amazonaw.com",
            "ecr.example.com",
            "quay.io",
        ] {
            assert!(host("RF027", raw, Generic).is_empty(), "{raw}");
        }
    }
}
