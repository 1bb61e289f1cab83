//! The registry host as doctor needs it: which account, region and partition it belongs to.

use crate::diagnostic::{Diagnostic, Severity};

use super::aws;
use super::trust::finding;

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

/// Reads a registry host (a scheme, a trailing `/` or an image path are tolerated: the
/// registry is the host).
pub(crate) fn read(text: &str) -> Result<Registry, Diagnostic> {
    let t = text.trim();
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t);
    let host = t.split('/').next().unwrap_or_default().to_ascii_lowercase();
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('@') {
        return Err(finding(
            "RF013",
            Severity::Error,
            format!("`{}` is not a registry host", aws::shorten(text.trim())),
        )
        .help("give the host alone, e.g. `123456789012.dkr.ecr.us-west-2.amazonaws.com`"));
    }
    if host == "public.ecr.aws" || host == "ecr-public.aws.com" {
        return Ok(Registry::Public { host });
    }
    let labels: Vec<&str> = host.split('.').collect();
    let (account, region) = match labels.as_slice() {
        [account, "dkr", "ecr" | "ecr-fips", region, _, ..]
        | [account, "dkr-ecr" | "dkr-ecr-fips", region, _, ..] => (*account, *region),
        _ => return Ok(Registry::Other { host }),
    };
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(finding(
            "RF027",
            Severity::Error,
            format!("the account `{account}` in the registry host is not 12 digits"),
        ));
    }
    let Some(partition) = aws::partition_for_region(region) else {
        return Err(finding(
            "RF024",
            Severity::Error,
            format!("`{region}` in the registry host is not a region"),
        ));
    };
    Ok(Registry::Private {
        host: host.clone(),
        account: account.to_owned(),
        region: region.to_owned(),
        partition,
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
                .code,
            "RF027"
        );
    }
}
