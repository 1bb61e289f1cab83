//! The AWS name shapes `doctor` compares: role ARNs, OIDC provider ARNs, issuers, regions.

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

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
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
            shorten(text)
        ));
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(format!(
            "`{}` has too few `:`-separated parts for an ARN",
            shorten(text)
        ));
    };
    if crate::host::partition(partition).is_none() {
        return Err(format!(
            "`{partition}` is not an AWS partition (`aws`, `aws-cn`, `aws-us-gov`, …)"
        ));
    }
    if *service != "iam" || !region.is_empty() {
        return Err(format!(
            "`{}` is not an IAM ARN: a role ARN reads `arn:{partition}:iam::<account>:role/<name>`",
            shorten(text)
        ));
    }
    if !is_account(account) {
        return Err(format!("the account `{account}` is not 12 digits"));
    }
    let Some(path_name) = resource.strip_prefix("role/") else {
        return Err(format!("`{resource}` is not a role (`role/<name>`)"));
    };
    let name = path_name.rsplit('/').next().unwrap_or_default();
    if !is_role_name(name) || text.len() > 2048 {
        return Err(format!(
            "`{name}` is not a role name (1–64 of letters, digits and `+=,.@_-`)"
        ));
    }
    Ok(Role {
        text: text.to_owned(),
        partition: Some((*partition).to_owned()),
        account: Some((*account).to_owned()),
        name: name.to_owned(),
    })
}

/// `arn:<partition>:iam::<account>:oidc-provider/<host/path>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProviderArn {
    pub(crate) partition: String,
    pub(crate) account: String,
    /// The issuer without a scheme: `oidc.eks.us-west-2.amazonaws.com/id/ABC…`.
    pub(crate) provider: String,
}

pub(crate) fn parse_provider_arn(text: &str) -> Option<ProviderArn> {
    let parts: Vec<&str> = text.trim().splitn(6, ':').collect();
    let ["arn", partition, "iam", "", account, resource] = parts.as_slice() else {
        return None;
    };
    let provider = resource.strip_prefix("oidc-provider/")?;
    Some(ProviderArn {
        partition: (*partition).to_owned(),
        account: (*account).to_owned(),
        provider: provider.to_owned(),
    })
}

/// An OIDC issuer, normalized the way IAM keys providers: no scheme, no trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issuer {
    pub(crate) path: String,
    /// The region of an EKS issuer (`oidc.eks.<region>.amazonaws.com…`).
    pub(crate) region: Option<String>,
}

pub(crate) fn normalize_issuer(text: &str) -> String {
    let t = text.trim();
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t);
    t.trim_end_matches('/').to_owned()
}

pub(crate) fn parse_issuer(text: &str) -> Result<Issuer, String> {
    let path = normalize_issuer(text);
    if path.is_empty() || path.contains(char::is_whitespace) || !path.contains('.') {
        return Err(format!(
            "`{}` is not an issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<ID>`)",
            shorten(text.trim())
        ));
    }
    let region = path
        .strip_prefix("oidc.eks.")
        .and_then(|rest| rest.split('.').next())
        .filter(|r| partition_for_region(r).is_some())
        .map(str::to_owned);
    Ok(Issuer { path, region })
}

/// The partition of a well-formed region name (the host grammar's table).
pub(crate) fn partition_for_region(region: &str) -> Option<&'static str> {
    crate::host::partition_for_region(region).map(|p| p.id)
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
    let parts: Vec<&str> = text.trim().splitn(6, ':').collect();
    let ["arn", partition, "eks", region, account, resource] = parts.as_slice() else {
        return None;
    };
    resource.strip_prefix("cluster/")?;
    Some((
        (*partition).to_owned(),
        (*region).to_owned(),
        (*account).to_owned(),
    ))
}

/// Long user values are cut in messages.
pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}…")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn regions_map_to_partitions() {
        assert_eq!(partition_for_region("us-west-2"), Some("aws"));
        assert_eq!(partition_for_region("cn-north-1"), Some("aws-cn"));
        assert_eq!(partition_for_region("us-gov-west-1"), Some("aws-us-gov"));
        assert_eq!(partition_for_region("us-isob-east-1"), Some("aws-iso-b"));
        assert_eq!(partition_for_region("US-west-2"), None);
        assert_eq!(partition_for_region("xx-west-2"), None);
    }

    #[test]
    fn issuers_normalize() {
        let issuer = parse_issuer("https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC/").unwrap();
        assert_eq!(issuer.path, "oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC");
        assert_eq!(issuer.region.as_deref(), Some("cn-north-1"));
        assert!(parse_issuer("  ").is_err());
    }
}
