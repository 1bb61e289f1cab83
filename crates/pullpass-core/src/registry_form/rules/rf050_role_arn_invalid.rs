use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::host::table::PUBLIC_ECR_AUTH_REGION;
use crate::host::{HostKind, is_account_id, partition, partition_for_region};
use crate::registry_form::FormCheck;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Checks the role ARN: `arn:<partition>:iam::<12-digit account>:role/<path><name>`, with
    /// a name of 1–64 characters of `[A-Za-z0-9_+=,.@-]`, at most 2048 characters in all; and
    /// that its partition is the registry host's partition. Names the common look-alikes: a
    /// user, instance-profile or policy ARN, and an STS assumed-role session ARN.
    ///
    /// ## Why is this bad
    /// AssumeRole fails on anything but a role ARN, and cross-partition trust is impossible: a
    /// role in `aws` can never be assumed to pull from a registry in `aws-cn`.
    ///
    /// ## Example
    /// ```text
    /// arn:aws:sts::123456789012:assumed-role/ecr-pull/session
    /// arn:aws:iam::123456789012:role/ecr-pull   (host in cn-north-1)
    /// ```
    ///
    /// ## Fix
    /// Use the role's ARN from the IAM console (`arn:aws:iam::123456789012:role/ecr-pull`),
    /// in the partition of the registry (`arn:aws-cn:…` for China).
    pub(crate) static RF050 = ("role-arn-invalid", "registry-form", Error, "Role ARN is malformed or in another partition than the host");
}

const ROLE_ARN: &str = "/roleArn";
const SHAPE: &str = "a role ARN looks like `arn:aws:iam::123456789012:role/ecr-pull`";

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// Findings for a role ARN value; `host_partition` is the registry's partition, if known.
pub(crate) fn check_value(raw: &str, host_partition: Option<&str>, out: &mut Vec<Diagnostic>) {
    let mut push = |d: Diagnostic| out.push(d.with_pointer(ROLE_ARN));
    let start = raw.len() - raw.trim_start().len();
    let value = raw.trim();
    if value.is_empty() {
        return;
    }
    if value.len() != raw.len() {
        push(
            Diagnostic::new(&RF050, "the role ARN has whitespace around it")
                .with_help("remove it; IAM compares ARNs exactly")
                .with_range(TextRange::of(raw))
                .with_fix(Fix::safe(
                    "Trim the role ARN",
                    vec![Edit::replace(TextRange::of(raw), value)],
                )),
        );
    }
    let at = |offset: usize, len: usize| TextRange::new(start + offset, start + offset + len);
    if value.len() > 2048 {
        push(
            Diagnostic::new(
                &RF050,
                format!(
                    "the role ARN is {} characters long; at most 2048 are allowed",
                    value.len()
                ),
            )
            .with_help(SHAPE)
            .with_range(at(0, value.len())),
        );
        return;
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        let help = if value.contains(':') {
            SHAPE.to_owned()
        } else {
            format!("{SHAPE}; a role name alone is not enough")
        };
        push(
            Diagnostic::new(&RF050, "the role ARN is not an ARN")
                .with_help(help)
                .with_range(at(0, value.len())),
        );
        return;
    }
    let offsets: Vec<usize> = {
        let mut o = Vec::with_capacity(6);
        let mut pos = 0;
        for p in &parts {
            o.push(pos);
            pos += p.len() + 1;
        }
        o
    };
    let (arn_partition, service, region, account, resource) =
        (parts[1], parts[2], parts[3], parts[4], parts[5]);
    let part_range = |i: usize| at(offsets[i], parts[i].len());
    let known = partition(arn_partition);
    if known.is_none() {
        let lower = arn_partition.to_ascii_lowercase();
        let d = Diagnostic::new(&RF050, format!("`{arn_partition}` is not an AWS partition"))
            .with_help("partitions are `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f`, `aws-eusc`")
            .with_range(part_range(1));
        push(if partition(&lower).is_some() {
            d.with_fix(Fix::safe(
                format!("Use `{lower}`"),
                vec![Edit::replace(part_range(1), lower)],
            ))
        } else {
            d
        });
    }
    if service == "sts" && resource.starts_with("assumed-role/") {
        let role = resource["assumed-role/".len()..]
            .split('/')
            .next()
            .unwrap_or_default();
        let fixed = format!("arn:{arn_partition}:iam::{account}:role/{role}");
        push(
            Diagnostic::new(
                &RF050,
                "this is an STS assumed-role session ARN, not the role's ARN",
            )
            .with_help(format!(
                "use the role ARN: `{fixed}` (add the role's path if it has one)"
            ))
            .with_range(at(0, value.len()))
            .with_fix(Fix::unsafe_(
                format!("Use `{fixed}`"),
                vec![Edit::replace(at(0, value.len()), fixed)],
            )),
        );
        return;
    }
    if service != "iam" {
        push(
            Diagnostic::new(
                &RF050,
                format!("a role ARN names the `iam` service, not `{service}`"),
            )
            .with_help(SHAPE)
            .with_range(part_range(2)),
        );
    }
    if !region.is_empty() {
        push(
            Diagnostic::new(&RF050, "IAM is global: a role ARN has no region")
                .with_help(SHAPE)
                .with_range(part_range(3))
                .with_fix(Fix::safe(
                    "Remove the region",
                    vec![Edit::delete(part_range(3))],
                )),
        );
    }
    if !is_account_id(account) {
        push(
            Diagnostic::new(
                &RF050,
                "the account in the role ARN is not a 12-digit AWS account ID",
            )
            .with_help(SHAPE)
            .with_range(part_range(4)),
        );
    }
    let resource_range = part_range(5);
    if let Some(path_and_name) = resource.strip_prefix("role/") {
        let (path, name) = path_and_name
            .rsplit_once('/')
            .map_or(("", path_and_name), |(p, n)| (p, n));
        let name_start = resource_range.start as usize + resource.len() - name.len();
        if let Some(bad) = path.chars().find(|c| !('\x21'..='\x7e').contains(c)) {
            push(
                Diagnostic::new(
                    &RF050,
                    format!(
                        "the role path contains {}, which IAM does not allow",
                        shown(bad)
                    ),
                )
                .with_help(SHAPE)
                .with_range(resource_range),
            );
        } else if path.len() + 2 > 512 {
            push(
                Diagnostic::new(&RF050, "the role path is longer than 512 characters")
                    .with_help(SHAPE)
                    .with_range(resource_range),
            );
        }
        if name.is_empty() {
            push(
                Diagnostic::new(&RF050, "the role ARN has no role name after `role/`")
                    .with_help(SHAPE)
                    .with_range(resource_range),
            );
        } else if let Some((i, bad)) = name.char_indices().find(|(_, c)| !is_name_char(*c)) {
            push(
                Diagnostic::new(
                    &RF050,
                    format!(
                        "the role name contains {}; role names use letters, digits and `_+=,.@-`",
                        shown(bad)
                    ),
                )
                .with_help(SHAPE)
                .with_range(TextRange::new(
                    name_start + i,
                    name_start + i + bad.len_utf8(),
                )),
            );
        } else if name.len() > 64 {
            push(
                Diagnostic::new(
                    &RF050,
                    format!(
                        "the role name has {} characters; at most 64 are allowed",
                        name.len()
                    ),
                )
                .with_help(SHAPE)
                .with_range(TextRange::new(name_start, name_start + name.len())),
            );
        }
    } else {
        let kind = resource.split(['/', ':']).next().unwrap_or_default();
        let what = match kind {
            "user" => "an IAM user ARN",
            "instance-profile" => "an instance-profile ARN (the role inside it has its own ARN)",
            "group" => "an IAM group ARN",
            "policy" => "a policy ARN",
            "oidc-provider" => "an OIDC provider ARN",
            _ => "not a role ARN",
        };
        push(
            Diagnostic::new(&RF050, format!("this is {what}; a role ARN is needed"))
                .with_help(SHAPE)
                .with_range(resource_range),
        );
    }
    if let (Some(p), Some(host)) = (known, host_partition)
        && p.id != host
    {
        push(
            Diagnostic::new(
                &RF050,
                format!("the role is in partition `{}` but the registry is in `{host}`; cross-partition trust is impossible", p.id),
            )
            .with_help(format!("use a role in `{host}` (`arn:{host}:iam::…`)"))
            .with_range(part_range(1))
            .with_fix(Fix::unsafe_(format!("Use `{host}`"), vec![Edit::replace(part_range(1), host)])),
        );
    }
}

fn shown(c: char) -> String {
    if c.is_ascii_graphic() {
        format!("`{c}`")
    } else {
        format!("U+{:04X}", u32::from(c))
    }
}

pub(crate) fn check(f: &FormCheck<'_>, out: &mut Vec<Diagnostic>) {
    // Public ECR lives in `aws` (its authentication works only in us-east-1).
    let host_partition = match (&f.host.ecr, &f.host.kind) {
        (Some(e), _) => Some(e.partition),
        (None, HostKind::PublicEcr) => partition_for_region(PUBLIC_ECR_AUTH_REGION).map(|p| p.id),
        (None, _) => None,
    };
    check_value(&f.form.role_arn, host_partition, out);
}

#[cfg(test)]
mod tests {
    use super::check_value;
    use crate::registry_form::rules::testing::fixed;

    fn found(arn: &str, host: Option<&str>) -> Vec<crate::Diagnostic> {
        let mut out = Vec::new();
        check_value(arn, host, &mut out);
        out
    }

    #[test]
    fn malformed_arns_are_errors() {
        for arn in [
            "ecr-pull",
            "arn:aws:iam::12345678901:role/ecr-pull",
            "arn:aws:iam::123456789012:user/ci",
            "arn:aws:iam::123456789012:instance-profile/node",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/bad name",
            "arn:aws:s3::123456789012:role/x",
            "arn:awz:iam::123456789012:role/x",
        ] {
            assert!(!found(arn, None).is_empty(), "{arn}");
        }
        let long = format!("arn:aws:iam::123456789012:role/{}", "a".repeat(65));
        assert!(found(&long, None)[0].message().contains("64"));
        let arn = "arn:aws:sts::123456789012:assumed-role/ecr-pull/i-0abc";
        assert_eq!(
            fixed(&found(arn, None)[0], arn),
            "arn:aws:iam::123456789012:role/ecr-pull"
        );
        let arn = "arn:aws:iam:us-east-1:123456789012:role/x";
        assert_eq!(
            fixed(&found(arn, None)[0], arn),
            "arn:aws:iam::123456789012:role/x"
        );
        let arn = "arn:AWS:iam::123456789012:role/x";
        assert_eq!(
            fixed(&found(arn, None)[0], arn),
            "arn:aws:iam::123456789012:role/x"
        );
    }

    #[test]
    fn partition_must_match_the_host() {
        let arn = "arn:aws:iam::123456789012:role/ecr-pull";
        let d = found(arn, Some("aws-cn"));
        assert_eq!(d.len(), 1);
        assert_eq!(
            fixed(&d[0], arn),
            "arn:aws-cn:iam::123456789012:role/ecr-pull"
        );
    }

    #[test]
    fn public_ecr_is_in_the_aws_partition() {
        use crate::registry_form::rules::testing::form_findings;
        use crate::registry_form::{FormContext, RegistryForm};
        let form = |host: &str, arn: &str| RegistryForm {
            name: "public".into(),
            host: host.into(),
            role_arn: arn.into(),
            ..RegistryForm::default()
        };
        let ctx = FormContext::default();
        for host in ["public.ecr.aws", "ecr-public.aws.com"] {
            let cn = form(host, "arn:aws-cn:iam::123456789012:role/x");
            assert_eq!(form_findings("RF050", &cn, &ctx).len(), 1, "{host}");
            let aws = form(host, "arn:aws:iam::123456789012:role/x");
            assert!(form_findings("RF050", &aws, &ctx).is_empty(), "{host}");
        }
    }

    #[test]
    fn quiet_on_valid_role_arns() {
        for arn in [
            "arn:aws:iam::123456789012:role/ecr-pull",
            "arn:aws:iam::123456789012:role/service-role/team/ecr+pull=1,x.y@z-_",
            "arn:aws-cn:iam::012345678901:role/x",
            "arn:aws-us-gov:iam::123456789012:role/x",
            "",
        ] {
            assert!(found(arn, None).is_empty(), "{arn}");
        }
        assert!(found("arn:aws-cn:iam::012345678901:role/x", Some("aws-cn")).is_empty());
    }
}
