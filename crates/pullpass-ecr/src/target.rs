//! What a registry spec points at: private ECR (account, region, partition, FIPS, dual-stack),
//! public ECR, or a generic registry.

use pullpass_core::registry_form::RegistryKind;

use crate::{AuthSpec, Error, RegistrySpec};

/// A private ECR registry, as parsed from its host or given by an override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EcrTarget {
    pub(crate) account: String,
    pub(crate) region: String,
    pub(crate) partition: String,
    pub(crate) fips: bool,
    pub(crate) dual_stack: bool,
    pub(crate) from_override: bool,
}

#[derive(Debug)]
pub(crate) enum Target {
    PrivateEcr(EcrTarget),
    PublicEcr,
    Generic,
}

/// The host without scheme, trailing `/` and surrounding whitespace, lower-cased.
pub(crate) fn normalize_host(host: &str) -> String {
    let host = host.trim();
    let host = host
        .strip_prefix("https://")
        .or_else(|| host.strip_prefix("http://"))
        .unwrap_or(host);
    host.trim_end_matches('/').to_ascii_lowercase()
}

pub(crate) fn resolve(spec: &RegistrySpec) -> Result<Target, Error> {
    let host = normalize_host(&spec.host);
    let config = |message: String| Error::Config {
        registry: spec.name.clone(),
        message,
    };
    if host.is_empty() {
        return Err(config(
            "the registry has no host; set `host` in its configuration".into(),
        ));
    }
    match spec.kind {
        RegistryKind::Generic => {
            if !matches!(spec.auth, AuthSpec::Basic { .. } | AuthSpec::Anonymous) {
                return Err(config(format!(
                    "a generic registry takes a username and password (or none), not AWS \
                     credentials ({} mode); set the kind to `ecr` to use AWS credentials",
                    spec.auth.mode()
                )));
            }
            Ok(Target::Generic)
        }
        RegistryKind::Ecr => {
            if matches!(spec.auth, AuthSpec::Basic { .. }) {
                return Err(config(
                    "an ECR registry authenticates with AWS credentials, not a username and \
                     password (an ECR password expires after 12 hours); give access keys, a \
                     profile, or leave them blank for IRSA / Pod Identity"
                        .into(),
                ));
            }
            if let Some(ov) = &spec.host_override {
                let region = ov.region.trim();
                if region.is_empty() {
                    return Err(no_region(spec, &host));
                }
                let Some(partition) = partition_of_region(region) else {
                    return Err(config(format!(
                        "the override's region `{region}` is not a well-formed AWS region \
                         (e.g. `eu-central-1`)"
                    )));
                };
                let account = ov.account_id.trim();
                if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(config(format!(
                        "the override's account `{account}` is not a 12-digit AWS account ID"
                    )));
                }
                return Ok(Target::PrivateEcr(EcrTarget {
                    account: account.to_owned(),
                    region: region.to_owned(),
                    partition: partition.to_owned(),
                    fips: false,
                    dual_stack: false,
                    from_override: true,
                }));
            }
            match parse_ecr_host(&host) {
                Some(ParsedHost::Private(t)) => Ok(Target::PrivateEcr(t)),
                Some(ParsedHost::Public) => Ok(Target::PublicEcr),
                None => Err(no_region(spec, &host)),
            }
        }
    }
}

fn no_region(spec: &RegistrySpec, host: &str) -> Error {
    Error::Config {
        registry: spec.name.clone(),
        message: format!(
            "no region: `{host}` is not an ECR registry host \
             (`<account>.dkr.ecr.<region>.amazonaws.com`), so the region to request a token in \
             is unknown; for a vanity host or proxy set the override's account and region, or \
             set the kind to `generic`"
        ),
    }
}

enum ParsedHost {
    Private(EcrTarget),
    Public,
}

// Interim: `pullpass_core::host` (the form engineer's grammar) replaces this once it lands.
fn parse_ecr_host(host: &str) -> Option<ParsedHost> {
    if host == "public.ecr.aws" || host == "ecr-public.aws.com" {
        return Some(ParsedHost::Public);
    }
    let (account, rest) = host.split_once('.')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    const FORMS: &[(&str, bool, bool)] = &[
        ("dkr.ecr.", false, false),
        ("dkr.ecr-fips.", true, false),
        ("dkr-ecr.", false, true),
        ("dkr-ecr-fips.", true, true),
    ];
    const SUFFIXES: &[&str] = &[
        ".amazonaws.com.cn",
        ".on.amazonwebservices.com.cn",
        ".amazonaws.com",
        ".on.aws",
        ".c2s.ic.gov",
        ".sc2s.sgov.gov",
        ".cloud.adc-e.uk",
        ".csp.hci.ic.gov",
        ".amazonaws.eu",
    ];
    let (rest, fips, dual_stack) = FORMS
        .iter()
        .find_map(|(p, f, d)| rest.strip_prefix(p).map(|r| (r, *f, *d)))?;
    let region = SUFFIXES.iter().find_map(|s| rest.strip_suffix(s))?;
    let partition = partition_of_region(region)?;
    Some(ParsedHost::Private(EcrTarget {
        account: account.to_owned(),
        region: region.to_owned(),
        partition: partition.to_owned(),
        fips,
        dual_stack,
        from_override: false,
    }))
}

fn partition_of_region(region: &str) -> Option<&'static str> {
    let well_formed = region.split('-').count() >= 3
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && region
            .rsplit('-')
            .next()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty());
    if !well_formed {
        return None;
    }
    const PREFIXES: &[(&str, &str)] = &[
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("eusc-", "aws-eusc"),
    ];
    Some(
        PREFIXES
            .iter()
            .find(|(p, _)| region.starts_with(p))
            .map_or("aws", |(_, id)| id),
    )
}
