//! Strict ECR host classification over the tables of [`super::table`], and the near misses
//! that earn a "did you mean".
//!
//! Input is a syntactically clean host name: lower case, no scheme, port, path or trailing dot.
//! Every range in a [`Fact`] indexes that host name.

use super::table::{
    self, ENDPOINT_FORMS, EndpointForm, PARTITIONS, PUBLIC_ECR_HOSTS, Partition, SuffixSlot,
};
use super::{EcrRegistry, HostKind};
use crate::text::TextRange;

/// Something the classifier noticed, for the RF024–RF027 rules to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fact {
    /// `ecr.<region>.<suffix>` / `api.ecr.<region>.<suffix>`: the API, not a registry.
    ApiEndpoint { region: String, suffix: String },
    /// The account label is digits but not 12 of them.
    AccountLength { range: TextRange, len: usize },
    /// The account label is 12 digits with separators (`1234-5678-9012`).
    AccountSeparators { range: TextRange, fixed: String },
    /// The account label is not digits at all.
    AccountMalformed { range: TextRange },
    /// No account label before the endpoint label.
    MissingAccount { insert_at: usize },
    /// An endpoint label that does not exist for this suffix (or is misspelt).
    EndpointMismatch {
        range: TextRange,
        found: String,
        suggestion: Option<&'static str>,
    },
    /// A misspelt registry DNS suffix.
    SuffixTypo {
        range: TextRange,
        suggestion: &'static str,
    },
    /// A misspelt public ECR host.
    PublicTypo { suggestion: &'static str },
    /// `<account>.<label>.<suffix>`: no region at all.
    MissingRegion {
        insert_at: usize,
        label: &'static str,
    },
    /// Region not `<prefix>-<name>-<number>` in lower case.
    RegionMalformed { range: TextRange },
    /// Region well formed, but no partition has its prefix.
    RegionNoPartition { range: TextRange },
    /// The region's partition does not own the host's DNS suffix.
    RegionSuffixMismatch {
        region: String,
        partition: &'static str,
        suffix_range: TextRange,
        found_suffix: String,
        suggestion: Option<&'static str>,
    },
    /// Well-formed region of a known partition, but not a region this table lists.
    UnknownRegion {
        range: TextRange,
        partition: &'static str,
    },
    /// A FIPS endpoint in a partition that has none.
    FipsUnsupported {
        range: TextRange,
        partition: &'static str,
        suggestion: &'static str,
    },
    /// The unconfirmed China dual-stack form.
    UnconfirmedForm {
        range: TextRange,
        suggestion: &'static str,
    },
}

impl Fact {
    /// Facts that make the host not a usable ECR host (the rest are warnings).
    pub(crate) fn is_fatal(&self) -> bool {
        !matches!(
            self,
            Self::UnknownRegion { .. }
                | Self::FipsUnsupported { .. }
                | Self::UnconfirmedForm { .. }
        )
    }
}

/// What a host name is, as far as ECR goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Classification {
    pub(crate) kind: HostKind,
    pub(crate) ecr: Option<EcrRegistry>,
    pub(crate) facts: Vec<Fact>,
}

impl Classification {
    fn other(facts: Vec<Fact>) -> Self {
        Self {
            kind: HostKind::Other,
            ecr: None,
            facts,
        }
    }
}

/// Near-miss public ECR names and what was meant.
const PUBLIC_TYPOS: &[(&str, &str)] = &[
    ("ecr.aws", "public.ecr.aws"),
    ("public.ecr.aws.com", "public.ecr.aws"),
    ("public.ecr.amazonaws.com", "public.ecr.aws"),
    ("gallery.ecr.aws", "public.ecr.aws"),
    ("public-ecr.aws", "public.ecr.aws"),
    ("ecr-public.aws", "ecr-public.aws.com"),
    ("ecr-public.amazonaws.com", "ecr-public.aws.com"),
];

/// Classifies a clean host name.
pub(crate) fn classify(host: &str) -> Classification {
    if PUBLIC_ECR_HOSTS.iter().any(|(h, _)| *h == host) {
        return Classification {
            kind: HostKind::PublicEcr,
            ecr: None,
            facts: Vec::new(),
        };
    }
    if let Some(&(_, meant)) = PUBLIC_TYPOS.iter().find(|(typo, _)| *typo == host) {
        return Classification::other(vec![Fact::PublicTypo { suggestion: meant }]);
    }
    // A misspelt public host (`publc.ecr.aws`, `public.ecr.aw`): both names are long and
    // specific enough that one or two edits away is a typo, not another registry.
    if let Some(&(meant, _)) = PUBLIC_ECR_HOSTS
        .iter()
        .find(|(h, _)| (1..=2).contains(&distance(host, h)))
    {
        return Classification::other(vec![Fact::PublicTypo { suggestion: meant }]);
    }
    if let Some(fact) = dual_stack_api(host) {
        return Classification::other(vec![fact]);
    }
    let suffixes = table::all_suffixes();
    if let Some(suffix) = suffixes.iter().find(|s| {
        host.len() > s.len()
            && host.ends_with(*s)
            && host.as_bytes()[host.len() - s.len() - 1] == b'.'
    }) {
        return classify_with_suffix(host, suffix);
    }
    // A misspelt suffix, only where the rest plainly names ECR (so `registry.amazon.com` or a
    // company's `amazonas.co` registry stay generic hosts).
    if looks_like_ecr(host)
        && let Some((range, suggestion)) =
            suffix_typo(host, &suffixes).or_else(|| suffix_cut_or_extended(host))
    {
        let mut corrected = host.to_owned();
        corrected.replace_range(range.as_usize_range(), suggestion);
        let mut inner = classify_with_suffix(&corrected, suggestion);
        // Ranges of the corrected host's facts after the suffix shift; keep only those before it.
        inner.facts.retain(|f| fact_end(f) <= range.start as usize);
        let mut facts = vec![Fact::SuffixTypo { range, suggestion }];
        facts.extend(inner.facts);
        return Classification::other(facts);
    }
    Classification::other(Vec::new())
}

/// The dual-stack API endpoint `ecr.<region>.api.aws` (or `ecr-fips.…`).
fn dual_stack_api(host: &str) -> Option<Fact> {
    let (rest, suffix) = [".api.aws", ".api.amazonwebservices.com.cn"]
        .iter()
        .find_map(|s| host.strip_suffix(s).map(|rest| (rest, &s[1..])))?;
    let (label, region) = rest.split_once('.')?;
    (matches!(label, "ecr" | "ecr-fips") && !region.contains('.')).then(|| Fact::ApiEndpoint {
        region: region.to_owned(),
        suffix: suffix.to_owned(),
    })
}

fn fact_end(fact: &Fact) -> usize {
    let range = match fact {
        Fact::AccountLength { range, .. }
        | Fact::AccountSeparators { range, .. }
        | Fact::AccountMalformed { range }
        | Fact::EndpointMismatch { range, .. }
        | Fact::SuffixTypo { range, .. }
        | Fact::RegionMalformed { range }
        | Fact::RegionNoPartition { range }
        | Fact::UnknownRegion { range, .. }
        | Fact::FipsUnsupported { range, .. }
        | Fact::UnconfirmedForm { range, .. } => *range,
        Fact::RegionSuffixMismatch { suffix_range, .. } => *suffix_range,
        Fact::MissingAccount { insert_at } | Fact::MissingRegion { insert_at, .. } => {
            TextRange::new(*insert_at, *insert_at)
        }
        Fact::ApiEndpoint { .. } | Fact::PublicTypo { .. } => return usize::MAX,
    };
    range.end as usize
}

/// Whether a host that ends in no known suffix still plainly names an ECR registry: an ECR
/// label and a region of a known partition.
fn looks_like_ecr(host: &str) -> bool {
    host.split('.')
        .any(|label| matches!(label, "ecr" | "ecr-fips" | "dkr-ecr" | "dkr-ecr-fips"))
        && host
            .split('.')
            .any(|label| table::partition_for_region(label).is_some())
}

/// `<12 digits>.<endpoint label>.<known-partition region>.<tail>` whose tail is the start of
/// the suffix that form needs (`amazonaws`, `on.aw`) or that suffix and one short label
/// (`on.aws.com`): a cut-off or overlong suffix, too far in edits for [`suffix_typo`].
fn suffix_cut_or_extended(host: &str) -> Option<(TextRange, &'static str)> {
    ENDPOINT_FORMS.iter().find_map(|form| {
        let (account, rest) = host.split_once('.')?;
        let rest = rest.strip_prefix(form.label)?.strip_prefix('.')?;
        let (region, tail) = rest.split_once('.')?;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let p = table::partition_for_region(region)?;
        let suffix = p.suffix(form.slot)?;
        let cut = suffix.starts_with(tail) && suffix.as_bytes().get(tail.len()) == Some(&b'.');
        let cut = cut || (suffix.starts_with(tail) && tail.len() + 3 >= suffix.len());
        // One short label too many (`on.aws.com`); a longer tail (`….amazonaws.com.corp.example`)
        // may be a proxy's own name, which an override serves.
        let extended = tail
            .strip_prefix(suffix)
            .and_then(|t| t.strip_prefix('.'))
            .is_some_and(|t| (1..=3).contains(&t.len()) && !t.contains('.'));
        (form.pairs_with(p) && tail != suffix && (cut || extended))
            .then(|| (TextRange::new(host.len() - tail.len(), host.len()), suffix))
    })
}

/// The trailing labels of `host` that are a near miss (edit distance 1–2) of a known suffix.
fn suffix_typo(host: &str, suffixes: &[&'static str]) -> Option<(TextRange, &'static str)> {
    let dots: Vec<usize> = host.match_indices('.').map(|(i, _)| i).collect();
    let mut best: Option<(usize, TextRange, &'static str)> = None;
    for &dot in dots.iter().rev().take(4) {
        let tail = &host[dot + 1..];
        for &suffix in suffixes {
            let d = distance(tail, suffix);
            // Short suffixes (`on.aws`) are too close to too many names to guess at; the long
            // ones tolerate a third edit (`amazon.com` for `amazonaws.com`), since the caller
            // has already seen an ECR label and a region.
            let max = if suffix.len() >= 13 { 3 } else { 2 };
            if (1..=max).contains(&d) && suffix.len() >= 10 && best.is_none_or(|(bd, _, _)| d < bd)
            {
                best = Some((d, TextRange::new(dot + 1, host.len()), suffix));
            }
        }
    }
    best.map(|(_, range, suffix)| (range, suffix))
}

/// `<account>.<label>.<region>.<suffix>`, `suffix` known.
#[allow(clippy::too_many_lines)]
fn classify_with_suffix(host: &str, suffix: &'static str) -> Classification {
    let suffix_start = host.len() - suffix.len();
    let rest = &host[..suffix_start - 1];
    // `<account>.dkr.ecr.<suffix>`: the region is missing altogether.
    if let Some(label) = table::all_labels().into_iter().find(|l| {
        rest.strip_suffix(l)
            .is_some_and(|head| head.ends_with('.') && !head[..head.len() - 1].contains('.'))
    }) {
        return Classification::other(vec![Fact::MissingRegion {
            insert_at: suffix_start,
            label,
        }]);
    }
    let Some((before_region, region)) = rest.rsplit_once('.') else {
        return Classification::other(Vec::new());
    };
    let region_start = before_region.len() + 1;
    let region_range = TextRange::new(region_start, region_start + region.len());

    // The API endpoint: `ecr.<region>…`, `api.ecr.<region>…`, `ecr-fips.<region>…`.
    if matches!(
        before_region,
        "ecr" | "api.ecr" | "ecr-fips" | "api.ecr-fips"
    ) {
        return Classification::other(vec![Fact::ApiEndpoint {
            region: region.to_owned(),
            suffix: suffix.to_owned(),
        }]);
    }

    // Account label, then endpoint label.
    let (account, label, label_start) = match before_region.split_once('.') {
        Some((first, label)) if !is_label_like(first) => (Some(first), label, first.len() + 1),
        // `dkr.ecr.<region>…` or `dkr-ecr.<region>…`: no account label at all.
        _ if is_label_like(before_region) => (None, before_region, 0),
        _ => return Classification::other(Vec::new()),
    };
    let label_range = TextRange::new(label_start, label_start + label.len());
    let exact_form = ENDPOINT_FORMS.iter().any(|f| f.label == label);
    // `ecr`, `dkr`, `docker-ecr`…: a label that names ECR but is no endpoint label.
    let names_ecr = || {
        label
            .split(['.', '-'])
            .any(|part| matches!(part, "ecr" | "dkr"))
    };
    if !exact_form && !names_ecr() && nearest(label, &table::all_labels()).is_none() {
        // Some other AWS host (`foo.s3.us-east-1.amazonaws.com`): not ours to judge.
        return Classification::other(Vec::new());
    }

    let mut facts = Vec::new();
    match account {
        None => facts.push(Fact::MissingAccount { insert_at: 0 }),
        Some(a) if crate::registry::is_account_id(a) => {}
        Some(a) => {
            let range = TextRange::new(0, a.len());
            let digits: String = a.chars().filter(char::is_ascii_digit).collect();
            if a.bytes().all(|b| b.is_ascii_digit()) {
                facts.push(Fact::AccountLength {
                    range,
                    len: a.len(),
                });
            } else if crate::registry::is_account_id(&digits)
                && a.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            {
                facts.push(Fact::AccountSeparators {
                    range,
                    fixed: digits,
                });
            } else {
                facts.push(Fact::AccountMalformed { range });
            }
        }
    }

    // The region decides the partition; the partition must own the suffix.
    let region_partition = if table::split_region(region).is_none() {
        facts.push(Fact::RegionMalformed {
            range: region_range,
        });
        None
    } else if let Some(p) = table::partition_for_region(region) {
        Some(p)
    } else {
        facts.push(Fact::RegionNoPartition {
            range: region_range,
        });
        None
    };
    let suffix_range = TextRange::new(suffix_start, host.len());
    let slot_of_suffix = PARTITIONS.iter().find_map(|p| {
        if p.dns_suffix == suffix {
            Some(SuffixSlot::Standard)
        } else if p.dual_stack_suffix == Some(suffix) {
            Some(SuffixSlot::DualStack)
        } else {
            None
        }
    });
    let mut form: Option<&EndpointForm> = None;
    if let Some(p) = region_partition {
        if p.suffix(SuffixSlot::Standard) != Some(suffix)
            && p.suffix(SuffixSlot::DualStack) != Some(suffix)
        {
            facts.push(Fact::RegionSuffixMismatch {
                region: region.to_owned(),
                partition: p.id,
                suffix_range,
                found_suffix: suffix.to_owned(),
                suggestion: slot_of_suffix.and_then(|slot| p.suffix(slot)),
            });
        } else {
            form = endpoint_facts(p, suffix, label, label_range, &mut facts);
            if !p.is_known_region(region) {
                facts.push(Fact::UnknownRegion {
                    range: region_range,
                    partition: p.id,
                });
            }
        }
    } else {
        // No partition to pair with: still say whether the label fits the suffix at all.
        let fits_any = ENDPOINT_FORMS.iter().any(|f| {
            f.label == label
                && PARTITIONS
                    .iter()
                    .any(|p| f.pairs_with(p) && p.suffix(f.slot) == Some(suffix))
        });
        if !fits_any {
            let suggestion = best_label_for(
                suffix,
                label,
                PARTITIONS
                    .iter()
                    .find(|p| p.dns_suffix == suffix || p.dual_stack_suffix == Some(suffix)),
            );
            facts.push(Fact::EndpointMismatch {
                range: label_range,
                found: label.to_owned(),
                suggestion,
            });
        }
    }

    let fatal = facts.iter().any(Fact::is_fatal);
    match (fatal, form, region_partition, account) {
        (false, Some(form), Some(p), Some(account)) => Classification {
            kind: HostKind::PrivateEcr,
            ecr: Some(EcrRegistry {
                account: account.to_owned(),
                region: region.to_owned(),
                partition: p.id,
                fips: form.fips,
                dual_stack: form.dual_stack,
            }),
            facts,
        },
        _ => Classification::other(facts),
    }
}

/// Checks `label` against the endpoint forms of partition `p` with suffix `suffix`; pushes
/// facts and returns the matched form (also for FIPS-in-a-non-FIPS partition, a warning).
fn endpoint_facts(
    p: &'static Partition,
    suffix: &str,
    label: &str,
    label_range: TextRange,
    facts: &mut Vec<Fact>,
) -> Option<&'static EndpointForm> {
    let fits = |f: &&EndpointForm| f.label == label && p.suffix(f.slot) == Some(suffix);
    if let Some(form) = ENDPOINT_FORMS.iter().filter(fits).find(|f| f.pairs_with(p)) {
        if form.unconfirmed {
            // The confirmed form of the same slot in this partition.
            let suggestion = ENDPOINT_FORMS
                .iter()
                .find(|f| {
                    !f.unconfirmed && f.slot == form.slot && f.fips == form.fips && f.pairs_with(p)
                })
                .map_or(form.label, |f| f.label);
            facts.push(Fact::UnconfirmedForm {
                range: label_range,
                suggestion,
            });
        }
        return Some(form);
    }
    // A FIPS form whose suffix slot the partition has, but the partition has no FIPS.
    if let Some(form) = ENDPOINT_FORMS
        .iter()
        .filter(fits)
        .find(|f| f.fips && !p.fips && f.only_in.is_empty())
    {
        let suggestion = ENDPOINT_FORMS
            .iter()
            .find(|f| !f.fips && !f.unconfirmed && f.slot == form.slot && f.pairs_with(p))
            .map_or("dkr.ecr", |f| f.label);
        facts.push(Fact::FipsUnsupported {
            range: label_range,
            partition: p.id,
            suggestion,
        });
        return Some(form);
    }
    facts.push(Fact::EndpointMismatch {
        range: label_range,
        found: label.to_owned(),
        suggestion: best_label_for(suffix, label, Some(p)),
    });
    None
}

/// The label of a form that pairs with `suffix` in `p`, closest to what was typed.
fn best_label_for(suffix: &str, typed: &str, p: Option<&Partition>) -> Option<&'static str> {
    let p = p?;
    ENDPOINT_FORMS
        .iter()
        .filter(|f| !f.unconfirmed && f.pairs_with(p) && p.suffix(f.slot) == Some(suffix))
        .min_by_key(|f| {
            // Keep FIPS when FIPS was typed, else prefer the plain form.
            let fips_typed = typed.contains("fips");
            (usize::from(f.fips != fips_typed), distance(typed, f.label))
        })
        .map(|f| f.label)
}

/// Could `s` be (a misspelling of) an endpoint label, rather than an account?
fn is_label_like(s: &str) -> bool {
    s.starts_with("dkr") || s.starts_with("ecr") || nearest(s, &table::all_labels()).is_some()
}

/// The label within edit distance 2 of `s` (not equal), if any.
fn nearest(s: &str, labels: &[&'static str]) -> Option<&'static str> {
    // Bounded: every ECR host's account label is asked this (`is_label_like`), and a
    // 12-digit account is far from every label, which the banded distance sees in a few cells.
    labels
        .iter()
        .filter_map(|l| Some((crate::text::edit_distance_within(s, l, 2)?, *l)))
        .min()
        .map(|(_, l)| l)
}

/// The known region `region` was most likely meant to be: the region of an availability zone
/// (`eu-west-1a`), else one a typo or two away (`useast-1`, `us-east1`).
pub(crate) fn region_suggestion(region: &str) -> Option<&'static str> {
    let known = |r: &str| {
        PARTITIONS
            .iter()
            .flat_map(|p| p.regions)
            .copied()
            .find(|k| *k == r)
    };
    let zone = region
        .strip_suffix(|c: char| c.is_ascii_lowercase())
        .and_then(known);
    zone.or_else(|| {
        PARTITIONS
            .iter()
            .find_map(|p| nearest_known_region(region, p))
    })
}

/// The known region of `partition` one or two edits away from `region` (`us-eats-1`,
/// `us-east-01`), for a "did you mean" on a region the table does not list. A region that
/// differs from a known one only in its number (`us-east-7`) is more likely new than misspelt:
/// no suggestion for it.
pub(crate) fn nearest_known_region(region: &str, partition: &Partition) -> Option<&'static str> {
    let (stem, number) = region.rsplit_once('-')?;
    partition
        .regions
        .iter()
        .filter(|r| number.starts_with('0') || r.rsplit_once('-').is_none_or(|(s, _)| s != stem))
        .map(|r| (distance(region, r), *r))
        .filter(|(d, _)| (1..=2).contains(d))
        .min()
        .map(|(_, r)| r)
}

/// [`crate::text::edit_distance`] for short labels (callers bound the length);
/// `usize::MAX` when the lengths differ by more than 3.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    if a.len().abs_diff(b.len()) > 3 || a.len() > 300 || b.len() > 300 {
        return usize::MAX;
    }
    crate::text::edit_distance(a, b)
}
