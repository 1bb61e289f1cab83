//! The data of the host grammar (hosts.md): partitions and ECR registry endpoint forms.
//!
//! A new partition, region or endpoint form is a change to the two tables below and nothing
//! else: the parser in [`super::ecr`] only ever iterates them.

/// An AWS partition: a set of regions that share DNS suffixes and ARNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// The ARN partition: `aws`, `aws-cn`, `aws-us-gov`, …
    pub id: &'static str,
    /// What people call it.
    pub name: &'static str,
    /// A region of this partition is `<prefix>-<name>-<number>` with one of these prefixes
    /// (the SDK's `regionRegex`, lower case only).
    pub region_prefixes: &'static [&'static str],
    /// The regions known when this table was written. A well-formed region of this partition
    /// that is not listed draws a warning (RF025), never an error: new regions appear.
    pub regions: &'static [&'static str],
    /// DNS suffix of the registry and API endpoints: `amazonaws.com`.
    pub dns_suffix: &'static str,
    /// DNS suffix of the dual-stack (IPv6) endpoints, where the partition has them.
    pub dual_stack_suffix: Option<&'static str>,
    /// Whether the partition has FIPS endpoints.
    pub fips: bool,
}

impl Partition {
    /// Whether `region` is well formed and has one of this partition's prefixes.
    #[must_use]
    pub fn owns_region(&self, region: &str) -> bool {
        split_region(region).is_some_and(|(prefix, _, _)| self.region_prefixes.contains(&prefix))
    }

    /// Whether `region` is one of the regions this table lists.
    #[must_use]
    pub fn is_known_region(&self, region: &str) -> bool {
        self.regions.contains(&region)
    }

    /// The registry DNS suffix for an endpoint `slot`, if the partition has that slot.
    #[must_use]
    pub fn suffix(&self, slot: SuffixSlot) -> Option<&'static str> {
        match slot {
            SuffixSlot::Standard => Some(self.dns_suffix),
            SuffixSlot::DualStack => self.dual_stack_suffix,
        }
    }

    /// The ECR API endpoint host of `region` (`api.ecr.<region>.<suffix>`, or
    /// `ecr-fips.<region>.<suffix>` for FIPS), for SDK clients that need it spelled out.
    #[must_use]
    pub fn ecr_api_host(&self, region: &str, fips: bool) -> String {
        if fips && self.fips {
            format!("ecr-fips.{region}.{}", self.dns_suffix)
        } else {
            format!("api.ecr.{region}.{}", self.dns_suffix)
        }
    }

    /// The registry host of `account` in `region` in the standard (IPv4, non-FIPS) form.
    #[must_use]
    pub fn registry_host(&self, account: &str, region: &str) -> String {
        format!("{account}.dkr.ecr.{region}.{}", self.dns_suffix)
    }
}

/// Which of a partition's DNS suffixes an endpoint form uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuffixSlot {
    /// [`Partition::dns_suffix`].
    Standard,
    /// [`Partition::dual_stack_suffix`].
    DualStack,
}

/// One ECR registry endpoint form: `<account>.<label>.<region>.<suffix>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointForm {
    /// The endpoint label between account and region: `dkr.ecr`, `dkr-ecr-fips`, …
    pub label: &'static str,
    pub slot: SuffixSlot,
    /// A FIPS endpoint: pairs only with partitions that have FIPS.
    pub fips: bool,
    pub dual_stack: bool,
    /// Only in these partitions (empty: every partition that has the slot).
    pub only_in: &'static [&'static str],
    /// Seen in one source but not confirmed by AWS documentation: accepted, with RF026.
    pub unconfirmed: bool,
}

/// Every partition, in the order of hosts.md.
pub static PARTITIONS: &[Partition] = &[
    Partition {
        id: "aws",
        name: "AWS Standard",
        region_prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        regions: &[
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ],
        dns_suffix: "amazonaws.com",
        dual_stack_suffix: Some("on.aws"),
        fips: true,
    },
    Partition {
        id: "aws-cn",
        name: "AWS China",
        region_prefixes: &["cn"],
        regions: &["cn-north-1", "cn-northwest-1"],
        dns_suffix: "amazonaws.com.cn",
        dual_stack_suffix: Some("on.amazonwebservices.com.cn"),
        fips: false,
    },
    Partition {
        id: "aws-us-gov",
        name: "AWS GovCloud (US)",
        region_prefixes: &["us-gov"],
        regions: &["us-gov-east-1", "us-gov-west-1"],
        dns_suffix: "amazonaws.com",
        dual_stack_suffix: Some("on.aws"),
        fips: true,
    },
    Partition {
        id: "aws-iso",
        name: "AWS ISO (US)",
        region_prefixes: &["us-iso"],
        regions: &["us-iso-east-1", "us-iso-west-1"],
        dns_suffix: "c2s.ic.gov",
        dual_stack_suffix: None,
        fips: true,
    },
    Partition {
        id: "aws-iso-b",
        name: "AWS ISOB (US)",
        region_prefixes: &["us-isob"],
        regions: &["us-isob-east-1", "us-isob-west-1"],
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_suffix: None,
        fips: true,
    },
    Partition {
        id: "aws-iso-e",
        name: "AWS ISOE (Europe)",
        region_prefixes: &["eu-isoe"],
        regions: &["eu-isoe-west-1"],
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_suffix: None,
        fips: true,
    },
    Partition {
        id: "aws-iso-f",
        name: "AWS ISOF",
        region_prefixes: &["us-isof"],
        regions: &["us-isof-east-1", "us-isof-south-1"],
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_suffix: None,
        fips: true,
    },
    Partition {
        id: "aws-eusc",
        name: "AWS European Sovereign Cloud",
        region_prefixes: &["eusc-de"],
        regions: &["eusc-de-east-1"],
        dns_suffix: "amazonaws.eu",
        dual_stack_suffix: None,
        fips: true,
    },
];

/// Every private ECR registry endpoint form (hosts.md, "Private ECR registry host forms").
pub static ENDPOINT_FORMS: &[EndpointForm] = &[
    EndpointForm {
        label: "dkr.ecr",
        slot: SuffixSlot::Standard,
        fips: false,
        dual_stack: false,
        only_in: &[],
        unconfirmed: false,
    },
    EndpointForm {
        label: "dkr.ecr-fips",
        slot: SuffixSlot::Standard,
        fips: true,
        dual_stack: false,
        only_in: &[],
        unconfirmed: false,
    },
    EndpointForm {
        label: "dkr-ecr",
        slot: SuffixSlot::DualStack,
        fips: false,
        dual_stack: true,
        only_in: &[],
        unconfirmed: false,
    },
    EndpointForm {
        label: "dkr-ecr-fips",
        slot: SuffixSlot::DualStack,
        fips: true,
        dual_stack: true,
        only_in: &[],
        unconfirmed: false,
    },
    // The credential helper's test vector for China dual-stack; the EKS node image uses
    // `dkr-ecr` instead. Accepted, with a warning (RF026).
    EndpointForm {
        label: "dkr.ecr",
        slot: SuffixSlot::DualStack,
        fips: false,
        dual_stack: true,
        only_in: &["aws-cn"],
        unconfirmed: true,
    },
];

/// Public ECR hosts: the registry and its dual-stack name.
pub static PUBLIC_ECR_HOSTS: &[(&str, bool)] =
    &[("public.ecr.aws", false), ("ecr-public.aws.com", true)];

/// Where public ECR authentication works (`ecr-public:GetAuthorizationToken`).
pub const PUBLIC_ECR_AUTH_REGION: &str = "us-east-1";

impl EndpointForm {
    /// Whether this form exists in `partition`.
    #[must_use]
    pub fn pairs_with(&self, partition: &Partition) -> bool {
        (self.only_in.is_empty() || self.only_in.contains(&partition.id))
            && (!self.fips || partition.fips)
            && partition.suffix(self.slot).is_some()
    }
}

/// Splits a strictly formed region `<prefix>-<name>-<number>` (lower-case ASCII letters in the
/// prefix parts and the name, ASCII digits in the number) into its parts; `None` otherwise.
///
/// Hand-written rather than a regex: the grammar is three dash-separated pieces, the core stays
/// free of a regex engine (smaller wasm), and the error paths can say which piece is wrong.
#[must_use]
pub fn split_region(region: &str) -> Option<(&str, &str, &str)> {
    // One backwards pass with indices over a dozen bytes (every OIDC principal's issuer region
    // is asked, twice): the number's digits, the name's letters, each up to its dash, then
    // the prefix's dash-separated letters; iterator chains cost 270 instructions a region.
    let b = region.as_bytes();
    let mut i = b.len();
    while i > 0 && b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    let last = i.checked_sub(1).filter(|&d| b[d] == b'-')?;
    if !(1..=3).contains(&(b.len() - i)) {
        return None;
    }
    i = last;
    while i > 0 && b[i - 1].is_ascii_lowercase() {
        i -= 1;
    }
    let mid = i.checked_sub(1).filter(|&d| b[d] == b'-' && d + 1 < last)?;
    // No empty piece: no dash first, last or after another.
    let mut after_dash = true;
    for &c in &b[..mid] {
        match c {
            b'-' if !after_dash => after_dash = true,
            b'a'..=b'z' => after_dash = false,
            _ => return None,
        }
    }
    if after_dash {
        return None;
    }
    Some((&region[..mid], &region[mid + 1..last], &region[last + 1..]))
}

/// The partition whose region prefixes admit `region`; `None` when the region is malformed or
/// no partition has its prefix.
#[must_use]
pub fn partition_for_region(region: &str) -> Option<&'static Partition> {
    let (prefix, _, _) = split_region(region)?;
    PARTITIONS
        .iter()
        .find(|p| p.region_prefixes.contains(&prefix))
}

/// The partition with this ARN partition id (`aws`, `aws-cn`, …).
#[must_use]
pub fn partition(id: &str) -> Option<&'static Partition> {
    PARTITIONS.iter().find(|p| p.id == id)
}

/// Every distinct registry DNS suffix, longest first, so a suffix is always tried before any
/// shorter suffix it ends with.
pub(crate) fn all_suffixes() -> Vec<&'static str> {
    let mut suffixes: Vec<&'static str> = PARTITIONS
        .iter()
        .flat_map(|p| [Some(p.dns_suffix), p.dual_stack_suffix])
        .flatten()
        .collect();
    suffixes.sort_by_key(|s| (std::cmp::Reverse(s.len()), *s));
    suffixes.dedup();
    suffixes
}

/// Every distinct endpoint label.
pub(crate) fn all_labels() -> Vec<&'static str> {
    let mut labels: Vec<&'static str> = ENDPOINT_FORMS.iter().map(|f| f.label).collect();
    labels.sort_unstable();
    labels.dedup();
    labels
}
