//! The registry host as doctor needs it: which account, region and partition it belongs to.

use crate::diagnostic::{Diagnostic, Severity};
use crate::host::HostKind;
use crate::registry::RegistryKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Registry {
    Private {
        host: String,
        account: String,
        region: String,
        partition: &'static str,
    },
    Public {
        host: String,
    },
    Other {
        host: String,
    },
}

impl Registry {
    pub(crate) fn partition(&self) -> Option<&'static str> {
        match self {
            Self::Private { partition, .. } => Some(partition),
            _ => None,
        }
    }
}

/// Reads a registry host with the host grammar (`host::analyze`): its first error (RF0xx,
/// with the range) is the finding; a host that is not ECR is simply "other".
pub(crate) fn read(text: &str) -> Result<Registry, Diagnostic> {
    let analysis = crate::registry_form::analyze_host(text.trim(), None, RegistryKind::Ecr);
    if let Some(error) = analysis
        .diagnostics
        .iter()
        .find(|d| d.severity() == Severity::Error && d.code() != "RF021")
    {
        let mut d = error.clone();
        if d.range().is_some() {
            // Ranges index the trimmed value; shift them back into the given text.
            let lead = text.len() - text.trim_start().len();
            d.map_range(|r| r.shifted(lead));
        }
        return Err(d);
    }
    let host = analysis.normalized.clone();
    Ok(match (analysis.kind, analysis.ecr) {
        (HostKind::PrivateEcr, Some(ecr)) => Registry::Private {
            host,
            account: ecr.account,
            region: ecr.region,
            partition: ecr.partition,
        },
        (HostKind::PublicEcr, _) => Registry::Public { host },
        _ => Registry::Other { host },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert!(matches!(
            read("https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/app").unwrap(),
            Registry::Private {
                partition: "aws-cn",
                ..
            }
        ));
        assert!(matches!(
            read("public.ecr.aws").unwrap(),
            Registry::Public { .. }
        ));
        assert!(matches!(read("ghcr.io").unwrap(), Registry::Other { .. }));
        assert_eq!(
            read("12345.dkr.ecr.us-west-2.amazonaws.com")
                .unwrap_err()
                .code(),
            "RF027"
        );
    }
}
