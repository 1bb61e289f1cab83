//! What a registry spec points at: private ECR (account, region, partition, FIPS, dual-stack),
//! public ECR, or a generic registry.

use pullpass_core::registry::RegistryKind;

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

/// The host as the backend addresses and reports it: the core's one host normaliser
/// ([`pullpass_core::host::normalize`]: `name[:port]`, lower case, no scheme, user info or
/// path). A value it cannot read is shown trimmed and redacted (user info masked), never
/// guessed at; a blank one stays blank.
pub fn normalize_host(host: &str) -> String {
    pullpass_core::host::normalize(host).map_or_else(
        || pullpass_core::host::redacted(host.trim()),
        |n| n.authority(),
    )
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
                if !pullpass_core::registry::is_account_id(account) {
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

fn parse_ecr_host(host: &str) -> Option<ParsedHost> {
    use pullpass_core::host::{HostKind, parse_ecr};
    match parse_ecr(host)? {
        (HostKind::PublicEcr, _) => Some(ParsedHost::Public),
        (HostKind::PrivateEcr, Some(ecr)) => Some(ParsedHost::Private(EcrTarget {
            account: ecr.account,
            region: ecr.region,
            partition: ecr.partition.to_owned(),
            fips: ecr.fips,
            dual_stack: ecr.dual_stack,
            from_override: false,
        })),
        _ => None,
    }
}

/// The partition of a well-formed region (`None` for a malformed one).
fn partition_of_region(region: &str) -> Option<&'static str> {
    pullpass_core::host::partition_for_region(region).map(|p| p.id)
}

#[cfg(test)]
mod tests {
    use pullpass_core::registry::{HostOverride, RegistryKind};

    use super::{Target, resolve};
    use crate::{AuthSpec, Error, RegistrySpec};

    fn spec(host: &str) -> RegistrySpec {
        RegistrySpec {
            name: "team".into(),
            host: host.into(),
            kind: RegistryKind::Ecr,
            auth: AuthSpec::Ambient,
            assume_role: None,
            host_override: None,
        }
    }

    #[test]
    fn private_fips_and_dual_stack_hosts() {
        let Target::PrivateEcr(t) = resolve(&spec(
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
        ))
        .unwrap() else {
            panic!("not private ECR")
        };
        assert_eq!(
            (t.region.as_str(), t.partition.as_str(), t.fips),
            ("us-gov-west-1", "aws-us-gov", true)
        );
        let Target::PrivateEcr(t) =
            resolve(&spec("https://123456789012.dkr-ecr.us-west-2.on.aws/")).unwrap()
        else {
            panic!("not private ECR")
        };
        assert!(t.dual_stack && !t.fips);
        assert!(matches!(
            resolve(&spec("public.ecr.aws")).unwrap(),
            Target::PublicEcr
        ));
    }

    #[test]
    fn no_region_is_a_clear_error() {
        let err = resolve(&spec("registry.example.com")).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        let text = err.to_string();
        assert!(
            text.contains("no region") && text.contains("override"),
            "{text}"
        );
    }

    #[test]
    fn override_gives_region_and_partition() {
        let mut s = spec("127.0.0.1:5000");
        s.host_override = Some(HostOverride {
            account_id: "210987654321".into(),
            region: "cn-north-1".into(),
        });
        let Target::PrivateEcr(t) = resolve(&s).unwrap() else {
            panic!("not private ECR")
        };
        assert_eq!((t.partition.as_str(), t.from_override), ("aws-cn", true));
        s.host_override = Some(HostOverride {
            account_id: "210987654321".into(),
            region: "Moon_1".into(),
        });
        assert!(
            resolve(&s)
                .unwrap_err()
                .to_string()
                .contains("not a well-formed")
        );
    }

    #[test]
    fn credential_kind_must_fit_the_registry_kind() {
        let mut s = spec("123456789012.dkr.ecr.us-east-1.amazonaws.com");
        s.auth = AuthSpec::Basic {
            username: "AWS".into(),
            password: "x".into(),
        };
        assert!(resolve(&s).unwrap_err().to_string().contains("12 hours"));
        let mut g = spec("ghcr.io");
        g.kind = RegistryKind::Generic;
        assert!(
            resolve(&g)
                .unwrap_err()
                .to_string()
                .contains("generic registry")
        );
    }
}
