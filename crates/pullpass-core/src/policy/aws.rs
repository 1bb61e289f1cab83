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
        let rest = s.strip_prefix("arn:")?;
        let mut parts = rest.splitn(5, ':');
        Some(Self {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
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

/// A 12-digit account ID.
#[must_use]
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

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
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

/// Reads an EKS issuer from a provider (without scheme); `None` for any other issuer.
#[must_use]
pub fn eks_issuer(provider: &str) -> Option<EksIssuer<'_>> {
    let (rest, dual_stack) = match provider.strip_prefix("oidc.eks.") {
        Some(rest) => (rest, false),
        None => (provider.strip_prefix("oidc-eks.")?, true),
    };
    let (host, path) = rest.split_once('/')?;
    let id = path.strip_prefix("id/")?;
    let (region, suffix) = host.split_once('.')?;
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
    let region = rest.split(['.', '/']).next()?;
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
