//! The registry host grammar: one data table of partitions and endpoint forms (hosts.md).
//!
//! - [`table`]: the data. A new partition, region or endpoint form is an edit there only.
//! - `syntax`: splits the typed value into scheme, user info, host name, port, path, query
//!   and fragment, with byte ranges into the raw value, and checks the host name's labels.
//! - `ecr`: classifies a clean host name as private ECR, public ECR or other, and records the
//!   near misses that earn a "did you mean".
//! - [`analyze`]: runs the host rules (RF010–RF028, one file each under
//!   `registry_form/rules/`) over those facts.
//!
//! No regex crate: every grammar here is a few fixed delimiters and character classes, the
//! hand-written parser can say *which* piece is wrong (and where), and the wasm build stays
//! small.

mod ecr;
mod syntax;
pub mod table;

pub use syntax::redacted;
pub use table::{
    ENDPOINT_FORMS, EndpointForm, PARTITIONS, Partition, SuffixSlot, is_account_id, partition,
    partition_for_region, split_region,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry_form::rules;
use crate::registry_form::{HostOverride, RegistryKind};
use crate::report::HostReport;

pub(crate) use ecr::{Classification, Fact, nearest_known_region, region_suggestion};
pub(crate) use syntax::{HostSyntax, NameProblem, scheme_len as scheme_prefix_len};

/// What kind of registry a host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostKind {
    /// `<account>.dkr.ecr.<region>.<suffix>` and its FIPS / dual-stack forms (or a vanity host
    /// with an override).
    PrivateEcr,
    /// `public.ecr.aws`, `ecr-public.aws.com`.
    PublicEcr,
    Other,
}

impl HostKind {
    /// The wire name: `privateEcr`, `publicEcr`, `other`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PrivateEcr => "privateEcr",
            Self::PublicEcr => "publicEcr",
            Self::Other => "other",
        }
    }
}

/// A private ECR registry: whose, where, and which endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrRegistry {
    /// 12 ASCII digits, kept as text (leading zeros matter).
    pub account: String,
    pub region: String,
    /// The partition id (`aws`, `aws-cn`, …), as in ARNs.
    pub partition: &'static str,
    /// A FIPS endpoint: the API client must use the FIPS API endpoint too.
    pub fips: bool,
    /// A dual-stack (IPv6) endpoint.
    pub dual_stack: bool,
}

/// What [`analyze`] decided about a host field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAnalysis {
    /// The host as it should be stored: lower case, no scheme, user info, path or surrounding
    /// whitespace; the port kept. Empty when no host name could be found.
    pub normalized: String,
    pub kind: HostKind,
    pub ecr: Option<EcrRegistry>,
    /// Account and region come from the vanity-host override, not from the host name.
    pub from_override: bool,
    /// RF010–RF028 findings; pointers `/host`, `/override/accountId`, `/override/region`.
    pub diagnostics: Vec<Diagnostic>,
}

impl HostAnalysis {
    /// The wire form for `FindingsReport::host`.
    #[must_use]
    pub fn to_report(&self) -> HostReport {
        HostReport {
            host: self.normalized.clone(),
            kind: self.kind.as_str().to_owned(),
            account: self.ecr.as_ref().map(|e| e.account.clone()),
            region: self.ecr.as_ref().map(|e| e.region.clone()),
            partition: self.ecr.as_ref().map(|e| e.partition.to_owned()),
            fips: self.ecr.as_ref().is_some_and(|e| e.fips),
            dual_stack: self.ecr.as_ref().is_some_and(|e| e.dual_stack)
                || (self.kind == HostKind::PublicEcr
                    && table::PUBLIC_ECR_HOSTS
                        .iter()
                        .any(|(h, ds)| *ds && *h == self.normalized)),
            from_override: self.from_override,
        }
    }

    /// Whether any finding is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Everything the host rules look at: the raw value, its syntax, its name problems, its
/// classification, the form's kind and the override.
#[derive(Debug)]
pub(crate) struct HostCheck<'a> {
    pub(crate) raw: &'a str,
    pub(crate) kind: RegistryKind,
    pub(crate) syntax: HostSyntax,
    pub(crate) name_problems: Vec<NameProblem>,
    /// The host name to classify (lower case, no trailing dot), when it is well formed.
    pub(crate) name: Option<String>,
    pub(crate) class: Classification,
    /// The override, when at least one of its fields is filled in.
    pub(crate) host_override: Option<&'a HostOverride>,
    /// When `_` is all that keeps the name from being an ECR host (`us_east_1`): that host.
    pub(crate) underscore_ecr: Option<String>,
}

impl<'a> HostCheck<'a> {
    fn new(raw: &'a str, host_override: Option<&'a HostOverride>, kind: RegistryKind) -> Self {
        let syntax = HostSyntax::parse(raw);
        let (name_problems, name) = syntax::check_name(raw, &syntax);
        let class = match &name {
            Some(n) if !n.starts_with('[') => ecr::classify(n),
            _ => Classification {
                kind: HostKind::Other,
                ecr: None,
                facts: Vec::new(),
            },
        };
        let host_override = host_override
            .filter(|o| !o.account_id.trim().is_empty() || !o.region.trim().is_empty());
        let only_underscores = name.is_none()
            && name_problems
                .iter()
                .filter(|p| p.is_fatal())
                .all(|p| matches!(p, NameProblem::BadChar { ch: '_', .. }));
        let underscore_ecr = only_underscores
            .then(|| {
                let candidate = raw[syntax.host.as_usize_range()]
                    .to_ascii_lowercase()
                    .replace('_', "-");
                let candidate = candidate.strip_suffix('.').unwrap_or(&candidate).to_owned();
                parse_ecr(&candidate).map(|_| candidate)
            })
            .flatten();
        Self {
            raw,
            kind,
            syntax,
            name_problems,
            name,
            class,
            host_override,
            underscore_ecr,
        }
    }

    /// The field is blank (RF010 reports it; every other rule stays quiet).
    pub(crate) fn is_blank(&self) -> bool {
        self.syntax.trimmed.is_empty()
    }

    /// Byte offset of the host name in the raw value (ranges in facts are relative to it).
    pub(crate) fn name_offset(&self) -> usize {
        self.syntax.host.start as usize
    }

    /// The override's account and region when both are well formed and the region has a
    /// partition.
    pub(crate) fn valid_override(&self) -> Option<(&'a str, &'a str, &'static Partition)> {
        let o = self.host_override?;
        let (account, region) = (o.account_id.as_str(), o.region.as_str());
        let partition = partition_for_region(region)?;
        is_account_id(account).then_some((account, region, partition))
    }

    fn normalized(&self) -> String {
        let Some(name) = &self.name else {
            return String::new();
        };
        let port = self
            .syntax
            .port
            .map(|p| &self.raw[p.as_usize_range()])
            .filter(|_| {
                !self
                    .name_problems
                    .iter()
                    .any(|p| matches!(p, NameProblem::BadPort { .. }))
            })
            .unwrap_or_default();
        format!("{name}{port}")
    }
}

/// [`analyze`] when the kind is not known (`pullpass host` without `--kind`, the browser's
/// `parseRegistryHost` without a kind): an ECR host or a near miss of one is judged as ECR;
/// anything else as a generic registry, so `ghcr.io` is "other" without an RF021 error.
#[must_use]
pub fn analyze_any_kind(host: &str, host_override: Option<&HostOverride>) -> HostAnalysis {
    let as_ecr = analyze(host, host_override, RegistryKind::Ecr);
    if as_ecr.kind == HostKind::Other && as_ecr.diagnostics.iter().any(|d| d.code == "RF021") {
        analyze(host, host_override, RegistryKind::Generic)
    } else {
        as_ecr
    }
}

/// RF010–RF028 for one host value (+ the optional vanity-host override, + the form's kind).
///
/// Never panics, whatever the input; every range indexes `host` (or the override field its
/// pointer names) and lies on char boundaries.
#[must_use]
pub fn analyze(
    host: &str,
    host_override: Option<&HostOverride>,
    kind: RegistryKind,
) -> HostAnalysis {
    let check = HostCheck::new(host, host_override, kind);
    let mut diagnostics = Vec::new();
    for rule in rules::HOST_CHECKS {
        rule(&check, &mut diagnostics);
    }
    drop_fixes_that_leave_no_host(host, &mut diagnostics);
    crate::registry_form::sort(&mut diagnostics);
    let mut kind = check.class.kind;
    let mut ecr = check.class.ecr.clone();
    let mut from_override = false;
    if kind == HostKind::Other
        && check.kind == RegistryKind::Ecr
        && let Some((account, region, partition)) = check.valid_override()
    {
        kind = HostKind::PrivateEcr;
        ecr = Some(EcrRegistry {
            account: account.to_owned(),
            region: region.to_owned(),
            partition: partition.id,
            fips: false,
            dual_stack: false,
        });
        from_override = true;
    }
    HostAnalysis {
        normalized: check.normalized(),
        kind,
        ecr,
        from_override,
        diagnostics,
    }
}

/// A fix of the host field that would leave no host name (`a@` without its user info, a path
/// cut off `user:pw@/x`) or changes nothing is not offered: applying it cannot help (issue 15
/// #7: RF012's "remove the user info" left a blank host).
fn drop_fixes_that_leave_no_host(raw: &str, diagnostics: &mut [crate::Diagnostic]) {
    for d in diagnostics.iter_mut().filter(|d| d.pointer == "/host") {
        let useless = d.fix.as_ref().is_some_and(|fix| match fix.apply(raw) {
            Some(fixed) => {
                fixed == raw || {
                    let s = syntax::HostSyntax::parse(&fixed);
                    s.host.is_empty() || fixed.trim().is_empty()
                }
            }
            None => true,
        });
        if useless {
            d.fix = None;
        }
    }
}

/// Strict parse of a private or public ECR host name (lower case, no scheme, port or path), no
/// findings; `None` when it is not exactly one of the forms of hosts.md. Forms that draw only a
/// warning in [`analyze`] (a region this table does not list yet, the unconfirmed China
/// dual-stack form) parse; a FIPS endpoint in a partition without FIPS does not.
#[must_use]
pub fn parse_ecr(host: &str) -> Option<(HostKind, Option<EcrRegistry>)> {
    let syntax = HostSyntax::parse(host);
    let whole = syntax.host.start == 0 && syntax.host.end as usize == host.len();
    let (problems, _) = syntax::check_name(host, &syntax);
    if !whole || !problems.is_empty() {
        return None;
    }
    let class = ecr::classify(host);
    if class
        .facts
        .iter()
        .any(|f| matches!(f, Fact::FipsUnsupported { .. }))
    {
        return None;
    }
    match class.kind {
        HostKind::Other => None,
        kind => Some((kind, class.ecr)),
    }
}

#[cfg(test)]
mod fix_props;
#[cfg(test)]
mod tests;
