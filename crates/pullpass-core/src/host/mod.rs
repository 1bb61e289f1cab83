//! The registry host grammar: one data table of partitions and endpoint forms (hosts.md).
//!
//! - [`table`]: the data. A new partition, region or endpoint form is an edit there only.
//! - `syntax`: splits the typed value into scheme, user info, host name, port, path, query
//!   and fragment, with byte ranges into the raw value, and checks the host name's labels.
//! - `ecr`: classifies a clean host name as private ECR, public ECR or other, and records the
//!   near misses that earn a "did you mean".
//! - `analyze`: gathers those facts for one host value ([`HostCheck`]); the host rules
//!   (RF010–RF028, one file each under `registry_form/rules/`) judge them from
//!   [`crate::registry_form::analyze_host`], which returns the [`HostAnalysis`].
//! - [`normalize`]: the one host normaliser (`name[:port]`, lower case) every caller uses:
//!   the analysis, the credential-helper protocols, the ECR backend.
//!
//! The registry model this module reads against (`RegistryKind`, `HostOverride`) lives in
//! [`crate::registry`]; nothing here depends on the form.
//!
//! No regex crate: every grammar here is a few fixed delimiters and character classes, the
//! hand-written parser can say *which* piece is wrong (and where), and the wasm build stays
//! small.

mod ecr;
mod syntax;
pub mod table;

pub use syntax::redacted;
pub use table::{
    ENDPOINT_FORMS, EndpointForm, PARTITIONS, Partition, SuffixSlot, partition,
    partition_for_region, split_region,
};

/// Re-exported so the host rules' files keep their imports.
pub use crate::registry::is_account_id;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::{HostOverride, RegistryKind};
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

/// What the host rules decided about a host field ([`crate::registry_form::analyze_host`]).
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
            .any(|d| d.severity() == Severity::Error)
    }
}

/// The facts about one host value, everything the host rules look at: the raw value, its
/// syntax, its name problems, its classification, the form's kind and the override.
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
        let host_override = host_override.filter(|o| o.is_set());
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

    /// The host as it should be stored ([`HostAnalysis::normalized`]): the one normaliser's
    /// `name[:port]`, or empty when no host name could be found.
    fn normalized(&self) -> String {
        self.normal().map(|n| n.authority()).unwrap_or_default()
    }

    fn normal(&self) -> Option<NormalHost> {
        normal_host(
            self.raw,
            &self.syntax,
            &self.name_problems,
            self.name.clone(),
        )
    }

    /// The result for this host: the facts' verdict (kind, registry, normalised host) with the
    /// host rules' `diagnostics`, already sorted by the caller.
    pub(crate) fn into_analysis(self, diagnostics: Vec<Diagnostic>) -> HostAnalysis {
        let mut kind = self.class.kind;
        let mut ecr = self.class.ecr.clone();
        let mut from_override = false;
        if kind == HostKind::Other
            && self.kind == RegistryKind::Ecr
            && let Some((account, region, partition)) = self.valid_override()
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
            normalized: self.normalized(),
            kind,
            ecr,
            from_override,
            diagnostics,
        }
    }
}

/// A host value reduced to what names the registry ([`normalize`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalHost {
    /// The host name, lower case, without a trailing dot (an IPv6 literal keeps its brackets).
    pub name: String,
    /// The port's digits as typed, when a valid port (1–65535) was given.
    pub port: Option<String>,
    /// A port was given that is not a number from 1 to 65535.
    pub bad_port: bool,
    /// The value carried user info (`user:password@`): never part of the result, but the
    /// credential-helper protocols refuse such a value.
    pub user_info: bool,
}

impl NormalHost {
    /// `name[:port]`, the port as typed.
    #[must_use]
    pub fn authority(&self) -> String {
        match &self.port {
            Some(port) => format!("{}:{port}", self.name),
            None => self.name.clone(),
        }
    }

    /// The form the docker and kubelet protocols compare hosts by: [`Self::authority`] with
    /// `:443` (the https default) dropped; `None` for a value with user info or a bad port.
    #[must_use]
    pub fn protocol_key(&self) -> Option<String> {
        if self.user_info || self.bad_port {
            return None;
        }
        Some(match self.port.as_deref() {
            None | Some("443") => self.name.clone(),
            Some(port) => format!("{}:{port}", self.name),
        })
    }
}

/// The one host normaliser: `raw` without surrounding whitespace, scheme, user info, path,
/// query, fragment or trailing dot, lower case, the port kept apart. `None` when no usable host
/// name is left (blank, inner whitespace, characters DNS does not allow, a bad IP literal …).
#[must_use]
pub fn normalize(raw: &str) -> Option<NormalHost> {
    let syntax = HostSyntax::parse(raw);
    let (name_problems, name) = syntax::check_name(raw, &syntax);
    normal_host(raw, &syntax, &name_problems, name)
}

fn normal_host(
    raw: &str,
    syntax: &HostSyntax,
    name_problems: &[NameProblem],
    name: Option<String>,
) -> Option<NormalHost> {
    let bad_port = name_problems
        .iter()
        .any(|p| matches!(p, NameProblem::BadPort { .. }));
    let port = syntax
        .port
        .map(|p| raw[p.start as usize + 1..p.end as usize].to_owned());
    Some(NormalHost {
        name: name?,
        bad_port: port.is_some() && bad_port,
        port: port.filter(|_| !bad_port),
        user_info: syntax.user_info.is_some(),
    })
}

/// The facts about one host value (+ the optional vanity-host override, + the form's kind),
/// for the host rules to judge ([`crate::registry_form::analyze_host`]).
///
/// Never panics, whatever the input; every range indexes `host` (or the override field its
/// pointer names) and lies on char boundaries.
pub(crate) fn analyze<'a>(
    host: &'a str,
    host_override: Option<&'a HostOverride>,
    kind: RegistryKind,
) -> HostCheck<'a> {
    HostCheck::new(host, host_override, kind)
}

/// Strict parse of a private or public ECR host name (lower case, no scheme, port or path), no
/// findings; `None` when it is not exactly one of the forms of hosts.md. Forms that draw only a
/// warning from the host rules (a region this table does not list yet, the unconfirmed China
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
