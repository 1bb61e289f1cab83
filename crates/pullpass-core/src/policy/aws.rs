//! AWS identifiers the policy rules read: ARNs, OIDC provider ARNs, EKS issuers, partitions.
//!
//! Partitions, regions and registry hosts come from the one host grammar table
//! ([`crate::host`]); nothing here repeats it.

use crate::host::{self, HostKind};

/// An ARN split at its first five colons: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'s> {
    pub partition: &'s str,
    pub service: &'s str,
    pub region: &'s str,
    pub account: &'s str,
    pub resource: &'s str,
}

impl<'s> Arn<'s> {
    /// `None` unless `s` starts with `arn:` and has all six parts.
    #[must_use]
    pub fn parse(s: &'s str) -> Option<Self> {
        let mut rest = s.strip_prefix("arn:")?;
        // The next `:`-separated field (a byte search: rules parse every principal ARN).
        let mut field = || {
            let i = rest.bytes().position(|b| b == b':')?;
            let head = &rest[..i];
            rest = &rest[i + 1..];
            Some(head)
        };
        Some(Self {
            partition: field()?,
            service: field()?,
            region: field()?,
            account: field()?,
            resource: rest,
        })
    }

    /// The provider (`oidc.eks.…/id/…`) of an `oidc-provider/` ARN.
    #[must_use]
    pub fn oidc_provider(&self) -> Option<&'s str> {
        if self.service == "iam" {
            self.resource.strip_prefix("oidc-provider/")
        } else {
            None
        }
    }

    #[must_use]
    pub fn saml_provider(&self) -> Option<&'s str> {
        if self.service == "iam" {
            self.resource.strip_prefix("saml-provider/")
        } else {
            None
        }
    }
}

/// Whether `partition` is a partition id pullpass knows.
#[must_use]
pub fn known_partition(partition: &str) -> bool {
    host::partition(partition).is_some()
}

/// The partition that owns `region` (strict lower-case region grammar).
#[must_use]
pub fn region_partition(region: &str) -> Option<&'static str> {
    host::partition_for_region(region).map(|p| p.id)
}

/// A 12-digit account ID: the host grammar's one check.
pub use crate::registry::is_account_id;

/// An EKS cluster's OIDC issuer: `oidc.eks.<region>.<dns suffix>/id/<32 upper-case hex>`, or
/// the dual-stack form `oidc-eks.<region>.<dual-stack API suffix>/id/<…>`.
///
/// Forms (EKS user guide, "View Amazon EKS networking requirements", note on IRSA OIDC issuer
/// URLs: <https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html>): the IPv4 issuer
/// `oidc.eks.<region>.amazonaws.com` (`.amazonaws.com.cn` in China), and since August 2024 the
/// dual-stack issuer `oidc-eks.<region>.api.aws`. The dual-stack suffix of the other partitions
/// is the SDK partition table's `dualStackDnsSuffix` (`api.amazonwebservices.com.cn` for China,
/// `api.amazonwebservices.eu` for the European Sovereign Cloud); the ISO partitions have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EksIssuer<'s> {
    pub region: &'s str,
    pub partition: &'static str,
    pub id: &'s str,
    /// The `oidc-eks.<region>.api.aws` (dual-stack) form.
    pub dual_stack: bool,
}

/// The dual-stack API DNS suffix of a partition (where EKS serves `oidc-eks.` issuers).
#[must_use]
pub fn eks_dual_stack_suffix(partition: &str) -> Option<&'static str> {
    match partition {
        "aws" | "aws-us-gov" => Some("api.aws"),
        "aws-cn" => Some("api.amazonwebservices.com.cn"),
        "aws-eusc" => Some("api.amazonwebservices.eu"),
        _ => None,
    }
}

fn is_eks_issuer_id(id: &str) -> bool {
    // Without early exit, so the loop is vectorised (every OIDC principal is asked).
    id.len() == 32
        && id.bytes().fold(true, |ok, b| {
            ok & (b.is_ascii_digit() | (b'A'..=b'F').contains(&b))
        })
}

/// Reads an EKS issuer from a provider (without scheme); `None` for any other issuer.
#[must_use]
pub fn eks_issuer(provider: &str) -> Option<EksIssuer<'_>> {
    let (rest, dual_stack) = match provider.strip_prefix("oidc.eks.") {
        Some(rest) => (rest, false),
        None => (provider.strip_prefix("oidc-eks.")?, true),
    };
    // Word-at-a-time searches, not `split_once` (a memchr set up for a few bytes) or a byte
    // loop over the 25-byte host: every OIDC principal's issuer is read here.
    let find = |s: &str, b: u8| {
        crate::text::find_flagged(s.as_bytes(), |w| crate::text::bytes_equal(w, b))
    };
    let slash = find(rest, b'/')?;
    let (host, path) = (&rest[..slash], &rest[slash + 1..]);
    let id = path.strip_prefix("id/")?;
    let dot = find(host, b'.')?;
    let (region, suffix) = (&host[..dot], &host[dot + 1..]);
    let partition = host::partition_for_region(region)?;
    let expected = if dual_stack {
        eks_dual_stack_suffix(partition.id)?
    } else {
        partition.dns_suffix
    };
    if expected != suffix || !is_eks_issuer_id(id) {
        return None;
    }
    Some(EksIssuer {
        region,
        partition: partition.id,
        id,
        dual_stack,
    })
}

/// Whether a provider looks like it was meant to be an EKS issuer (`oidc.eks.…`, `oidc-eks.…`,
/// or an `…eks…amazonaws…/id/…` host).
#[must_use]
pub fn looks_like_eks_issuer(provider: &str) -> bool {
    let lower = provider.to_ascii_lowercase();
    lower.starts_with("oidc.eks.")
        || lower.starts_with("oidc-eks.")
        || lower.starts_with("oidc.eks-")
        || (lower.contains("eks")
            && (lower.contains("amazonaws") || lower.contains(".api.aws"))
            && lower.contains("/id/"))
}

/// For an EKS-looking issuer that is not a valid one, the valid issuer it most likely means:
/// the id upper-cased, a missing `/id/` put back, the region's partition suffix, a misspelt
/// region replaced by the nearest known one. `None` when nothing sensible can be proposed.
#[must_use]
pub fn suggest_eks_issuer(provider: &str) -> Option<String> {
    if eks_issuer(provider).is_some() || !looks_like_eks_issuer(provider) {
        return None;
    }
    let mut lower = provider.to_ascii_lowercase();
    // `oidc.<region>.eks.amazonaws.com/…`: the region and `eks` swapped.
    if let Some(rest) = lower.strip_prefix("oidc.")
        && let Some((region, tail)) = rest.split_once(".eks.")
        && host::partition_for_region(region).is_some()
    {
        lower = format!("oidc.eks.{region}.{tail}");
    }
    let dual_stack = lower.starts_with("oidc-eks.");
    let rest = lower
        .strip_prefix("oidc.eks.")
        .or_else(|| lower.strip_prefix("oidc-eks."))
        .or_else(|| lower.strip_prefix("oidc.eks-"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let region_raw = host.split('.').next()?;
    // The one region look-up of the host grammar (`us-east1` ⇒ `us-east-1`).
    let region = if host::partition_for_region(region_raw).is_some() {
        region_raw.to_owned()
    } else {
        host::region_suggestion(region_raw)?.to_owned()
    };
    let partition = host::partition_for_region(&region)?;
    let suffix = if dual_stack {
        eks_dual_stack_suffix(partition.id)?
    } else {
        partition.dns_suffix
    };
    // The id: the last path segment, upper-cased, when it is 32 hex digits.
    let id = path
        .rsplit('/')
        .find(|s| !s.is_empty())?
        .to_ascii_uppercase();
    if !is_eks_issuer_id(&id) {
        return None;
    }
    let prefix = if dual_stack { "oidc-eks" } else { "oidc.eks" };
    let suggestion = format!("{prefix}.{region}.{suffix}/id/{id}");
    (suggestion != provider).then_some(suggestion)
}

/// The region and partition an issuer-like host names, even when the rest is malformed
/// (`oidc.eks.cn-north-1.amazonaws.com.cn/...` ⇒ `cn-north-1`, `aws-cn`).
#[must_use]
pub fn issuer_region_partition(provider: &str) -> Option<(&str, &'static str)> {
    let rest = provider
        .strip_prefix("oidc.eks.")
        .or_else(|| provider.strip_prefix("oidc-eks."))?;
    // Up to the first `.` or `/` (a byte search: every OIDC principal's issuer is asked).
    let region = &rest[..rest
        .bytes()
        .position(|c| c == b'.' || c == b'/')
        .unwrap_or(rest.len())];
    let partition = region_partition(region)?;
    Some((region, partition))
}

/// A provider as written in a condition key or principal, without `https://`, an
/// `arn:…:oidc-provider/` prefix or a trailing `/`.
#[must_use]
pub fn normalize_provider(s: &str) -> &str {
    fn strip_scheme(s: &str) -> &str {
        s.strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .unwrap_or(s)
    }
    let mut s = strip_scheme(s);
    if s.starts_with("arn:")
        && let Some(i) = s.find(":oidc-provider/")
    {
        s = strip_scheme(&s[i + ":oidc-provider/".len()..]);
    }
    s.trim_end_matches('/')
}

/// A role ARN's partition and account, when it parses as one.
#[must_use]
pub fn role_arn(s: &str) -> Option<Arn<'_>> {
    let arn = Arn::parse(s.trim())?;
    (arn.service == "iam" && arn.resource.starts_with("role/")).then_some(arn)
}

/// Account, region and partition of a private ECR registry host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrHost {
    pub account: String,
    pub region: String,
    pub partition: &'static str,
}

/// Reads a private ECR registry host (`<account>.dkr.ecr.<region>.<suffix>` and its FIPS and
/// dual-stack forms), with or without `https://` and a path.
#[must_use]
pub fn parse_private_ecr_host(raw: &str) -> Option<EcrHost> {
    let raw = raw.trim();
    let name = raw
        .strip_prefix("https://")
        .unwrap_or(raw)
        .split('/')
        .next()?
        .to_ascii_lowercase();
    match host::parse_ecr(&name)? {
        (HostKind::PrivateEcr, Some(reg)) => Some(EcrHost {
            account: reg.account,
            region: reg.region,
            partition: reg.partition,
        }),
        _ => None,
    }
}

// What `pullpass doctor` compares across its inputs (owned, since its inputs are many texts):
// role ARNs or names, OIDC provider ARNs, issuers, cluster ARNs, opt-in regions.
// Built only with the `doctor` feature (the wasm form package has no doctor).
#[cfg(feature = "doctor")]
pub(crate) use doctor_ids::*;

#[cfg(feature = "doctor")]
mod doctor_ids {
    use super::*;

    /// A role ARN, or a bare role name (`--role-arn` takes either; `--live` needs only the name).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(crate) struct Role {
        pub(crate) text: String,
        pub(crate) partition: Option<String>,
        pub(crate) account: Option<String>,
        pub(crate) name: String,
    }

    impl Role {
        /// Same role: equal ARNs, or equal names when one side is a bare name.
        pub(crate) fn same_as(&self, other: &Role) -> bool {
            if self.account.is_some() && other.account.is_some() {
                self.partition == other.partition
                    && self.account == other.account
                    && self.name == other.name
            } else {
                self.name == other.name
            }
        }
    }

    fn is_role_name(s: &str) -> bool {
        (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
    }

    /// Parses `arn:<partition>:iam::<account>:role/<path/><name>`, or a bare name when
    /// `allow_name`. The error says what is wrong with it.
    pub(crate) fn parse_role(text: &str, allow_name: bool) -> Result<Role, String> {
        let text = text.trim();
        if !text.starts_with("arn:") {
            if allow_name && is_role_name(text) {
                return Ok(Role {
                    text: text.to_owned(),
                    partition: None,
                    account: None,
                    name: text.to_owned(),
                });
            }
            return Err(format!(
                "`{}` is not a role ARN (`arn:aws:iam::<12-digit account>:role/<name>`)",
                crate::text::shorten(text)
            ));
        }
        let Some(arn) = Arn::parse(text) else {
            return Err(format!(
                "`{}` has too few `:`-separated parts for an ARN",
                crate::text::shorten(text)
            ));
        };
        let partition = arn.partition;
        if !known_partition(partition) {
            return Err(format!(
                "`{partition}` is not an AWS partition (`aws`, `aws-cn`, `aws-us-gov`, …)"
            ));
        }
        if arn.service != "iam" || !arn.region.is_empty() {
            return Err(format!(
                "`{}` is not an IAM ARN: a role ARN reads `arn:{partition}:iam::<account>:role/<name>`",
                crate::text::shorten(text)
            ));
        }
        if !is_account_id(arn.account) {
            return Err(format!("the account `{}` is not 12 digits", arn.account));
        }
        let Some(path_name) = arn.resource.strip_prefix("role/") else {
            return Err(format!("`{}` is not a role (`role/<name>`)", arn.resource));
        };
        let name = path_name.rsplit('/').next().unwrap_or_default();
        if !is_role_name(name) || text.len() > 2048 {
            return Err(format!(
                "`{name}` is not a role name (1–64 of letters, digits and `+=,.@_-`)"
            ));
        }
        Ok(Role {
            text: text.to_owned(),
            partition: Some(partition.to_owned()),
            account: Some(arn.account.to_owned()),
            name: name.to_owned(),
        })
    }

    /// `arn:<partition>:iam::<account>:oidc-provider/<host/path>`, owned.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(crate) struct ProviderArn {
        pub(crate) partition: String,
        pub(crate) account: String,
        /// The issuer without a scheme or trailing `/`: `oidc.eks.us-west-2.amazonaws.com/id/ABC…`.
        pub(crate) provider: String,
    }

    impl ProviderArn {
        /// The ARN, written back.
        pub(crate) fn arn(&self) -> String {
            format!(
                "arn:{}:iam::{}:oidc-provider/{}",
                self.partition, self.account, self.provider
            )
        }
    }

    /// An OIDC provider ARN (IAM, no region); `None` for anything else.
    pub(crate) fn parse_provider_arn(text: &str) -> Option<ProviderArn> {
        let arn = Arn::parse(text.trim())?;
        if !arn.region.is_empty() {
            return None;
        }
        Some(ProviderArn {
            partition: arn.partition.to_owned(),
            account: arn.account.to_owned(),
            provider: normalize_provider(arn.oidc_provider()?).to_owned(),
        })
    }

    /// An OIDC issuer, normalized the way IAM keys providers: no scheme, no trailing `/`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(crate) struct Issuer {
        pub(crate) path: String,
        /// The region of an EKS issuer (`oidc.eks.<region>.amazonaws.com…`).
        pub(crate) region: Option<String>,
    }

    /// Reads an issuer URL (or host/path); the error says what it should look like.
    pub(crate) fn parse_issuer(text: &str) -> Result<Issuer, String> {
        let path = normalize_provider(text.trim()).to_owned();
        if path.is_empty() || path.contains(char::is_whitespace) || !path.contains('.') {
            return Err(format!(
                "`{}` is not an issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<ID>`)",
                crate::text::shorten(text.trim())
            ));
        }
        let region = issuer_region_partition(&path).map(|(r, _)| r.to_owned());
        Ok(Issuer { path, region })
    }

    /// Regions that are off until an account opts in: a session token from the global STS
    /// endpoint (`legacy`) is not valid in them.
    pub(crate) fn is_opt_in_region(region: &str) -> bool {
        [
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-south-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-west-1",
            "eu-central-2",
            "eu-south-1",
            "eu-south-2",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
        ]
        .contains(&region)
    }

    /// `arn:<partition>:eks:<region>:<account>:cluster/<name>` → (partition, region, account).
    pub(crate) fn parse_cluster_arn(text: &str) -> Option<(String, String, String)> {
        let arn = Arn::parse(text.trim())?;
        if arn.service != "eks" {
            return None;
        }
        arn.resource.strip_prefix("cluster/")?;
        Some((
            arn.partition.to_owned(),
            arn.region.to_owned(),
            arn.account.to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_issuers() {
        let arn = Arn::parse(
            "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/0123456789ABCDEF0123456789ABCDEF",
        )
        .unwrap();
        assert_eq!(arn.partition, "aws-cn");
        assert_eq!(arn.account, "123456789012");
        let provider = arn.oidc_provider().unwrap();
        let issuer = eks_issuer(provider).unwrap();
        assert_eq!(issuer.partition, "aws-cn");
        assert_eq!(issuer.region, "cn-north-1");
        assert!(
            eks_issuer("oidc.eks.cn-north-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF")
                .is_none()
        );
        assert!(
            eks_issuer("oidc.eks.us-east-1.amazonaws.com/id/0123456789abcdef0123456789abcdef")
                .is_none()
        );
        assert!(eks_issuer("token.actions.githubusercontent.com").is_none());
        assert_eq!(
            normalize_provider("https://oidc.eks.us-east-1.amazonaws.com/id/X/"),
            "oidc.eks.us-east-1.amazonaws.com/id/X"
        );
        assert_eq!(
            normalize_provider("arn:aws:iam::1:oidc-provider/oidc.example.com"),
            "oidc.example.com"
        );
        assert_eq!(
            issuer_region_partition("oidc.eks.us-gov-west-1.amazonaws.com/id/X"),
            Some(("us-gov-west-1", "aws-us-gov"))
        );
    }

    #[test]
    fn role_arns_and_names() {
        let role = parse_role("arn:aws-cn:iam::123456789012:role/team/pull", false).unwrap();
        assert_eq!(role.partition.as_deref(), Some("aws-cn"));
        assert_eq!(role.name, "pull");
        assert!(parse_role("my-role-arn", false).is_err());
        assert!(parse_role("my-role", true).is_ok());
        assert!(
            parse_role("arn:aws:iam::12345678901:role/x", false)
                .unwrap_err()
                .contains("12 digits")
        );
        assert!(parse_role("arn:aws:iam::123456789012:user/x", false).is_err());
        assert!(parse_role("arn:aws:s3:::bucket", false).is_err());
    }

    #[test]
    fn issuers_normalize() {
        let issuer = parse_issuer("https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC/").unwrap();
        assert_eq!(issuer.path, "oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC");
        assert_eq!(issuer.region.as_deref(), Some("cn-north-1"));
        assert!(parse_issuer("  ").is_err());
        assert_eq!(
            parse_cluster_arn("arn:aws:eks:us-west-2:123456789012:cluster/c"),
            Some(("aws".into(), "us-west-2".into(), "123456789012".into()))
        );
        assert_eq!(
            parse_provider_arn("arn:aws:iam::1:oidc-provider/https://oidc.example.com/")
                .map(|p| p.provider),
            Some("oidc.example.com".to_owned())
        );
    }

    #[test]
    fn every_partition_and_the_dual_stack_form() {
        const ID: &str = "0123456789ABCDEF0123456789ABCDEF";
        for (provider, partition, dual) in [
            ("oidc.eks.us-gov-west-1.amazonaws.com", "aws-us-gov", false),
            ("oidc.eks.cn-northwest-1.amazonaws.com.cn", "aws-cn", false),
            ("oidc-eks.eu-west-1.api.aws", "aws", true),
            ("oidc-eks.us-gov-east-1.api.aws", "aws-us-gov", true),
            (
                "oidc-eks.cn-north-1.api.amazonwebservices.com.cn",
                "aws-cn",
                true,
            ),
            ("oidc.eks.us-iso-east-1.c2s.ic.gov", "aws-iso", false),
        ] {
            let full = format!("{provider}/id/{ID}");
            let issuer = eks_issuer(&full).unwrap_or_else(|| panic!("{provider}"));
            assert_eq!(
                (issuer.partition, issuer.dual_stack),
                (partition, dual),
                "{provider}"
            );
        }
        assert!(eks_issuer(&format!("oidc-eks.cn-north-1.api.aws/id/{ID}")).is_none());
        assert!(eks_issuer(&format!("oidc-eks.us-iso-east-1.api.aws/id/{ID}")).is_none());
    }

    #[test]
    fn near_misses_get_the_issuer_they_mean() {
        const ID: &str = "0123456789ABCDEF0123456789ABCDEF";
        let good = format!("oidc.eks.us-east-1.amazonaws.com/id/{ID}");
        for bad in [
            format!(
                "oidc.eks.us-east-1.amazonaws.com/id/{}",
                ID.to_ascii_lowercase()
            ),
            format!("oidc.eks.us-east-1.amazonaws.com/{ID}"),
            format!("oidc.eks.us-east1.amazonaws.com/id/{ID}"),
            format!("oidc.eks.us-east-1.amazonaws.com.cn/id/{ID}"),
            format!("oidc.us-east-1.eks.amazonaws.com/id/{ID}"),
        ] {
            assert_eq!(
                suggest_eks_issuer(&bad).as_deref(),
                Some(good.as_str()),
                "{bad}"
            );
        }
        assert_eq!(
            suggest_eks_issuer(&format!("oidc.eks.cn-north-1.amazonaws.com/id/{ID}")).as_deref(),
            Some(format!("oidc.eks.cn-north-1.amazonaws.com.cn/id/{ID}").as_str())
        );
        assert_eq!(suggest_eks_issuer(&good), None);
        assert_eq!(
            suggest_eks_issuer("token.actions.githubusercontent.com"),
            None
        );
        assert_eq!(
            suggest_eks_issuer("oidc.eks.us-east-1.amazonaws.com/id/short"),
            None
        );
    }
}
