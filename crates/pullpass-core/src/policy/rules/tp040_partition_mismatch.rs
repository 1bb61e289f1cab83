use super::{Cx, at};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::policy::aws::{self, Arn};
use crate::policy::model::json_string;

declare_rule! {
    /// ## What it does
    /// Compares partitions: each principal ARN's, the issuer region's (`oidc.eks.cn-north-1.amazonaws.com.cn`
    /// ⇒ `aws-cn`), the role ARN's (`--role-arn`), the registry host's (`--registry`) and the
    /// expected provider ARN's.
    ///
    /// ## Why is this bad
    /// IAM never trusts across partitions: a role in `aws-cn` cannot trust a provider ARN in
    /// `aws`, and a role cannot pull from a registry of another partition. The product doc
    /// hard-codes `arn:aws:`, which breaks every China and GovCloud cluster.
    ///
    /// ## Example
    /// ```json
    /// {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"}
    /// ```
    ///
    /// ## Fix
    /// Use the partition of the cluster's region (`arn:aws-cn:` in China, `arn:aws-us-gov:` in
    /// GovCloud). The finding offers the replacement (not applied by `--fix`).
    pub(crate) static TP040 = ("partition-mismatch", "trust-policy", Error, "Partitions of principal ARN, role ARN, issuer region and registry disagree");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let role = cx.role().filter(|r| aws::known_partition(r.partition));
    let registry = cx.ctx.registry_host.as_deref().and_then(aws::parse_private_ecr_host);
    let expected = cx.ctx.expected_provider_arn.as_deref().and_then(Arn::parse).filter(|a| aws::known_partition(a.partition));
    if let (Some(role), Some(reg)) = (role, &registry)
        && role.partition != reg.partition
    {
        cx.push(
            Diagnostic::new(&TP040, format!("the role is in partition `{}` but the registry `{}` is in `{}`: a role cannot reach another partition", role.partition, cx.ctx.registry_host.as_deref().unwrap_or_default().trim(), reg.partition))
                .with_help(format!("create the role in the registry's partition (`arn:{}:iam::<account>:role/<name>`), with keys from that partition", reg.partition)),
        );
    }
    for stmt in cx.statements() {
        for p in &stmt.principals {
            if p.ptype != "Federated" && p.ptype != "AWS" {
                continue;
            }
            let Some(arn) = p.arn else { continue };
            if !aws::known_partition(arn.partition) {
                continue;
            }
            let mut conflicts = Vec::new();
            let mut issuer_partition = None;
            // A `Federated` provider read as an EKS issuer once already (`Facts`) has its region
            // and partition: the ones `issuer_region_partition` would find.
            let eks = cx.oidc(stmt).iter().find(|o| std::ptr::eq(o.principal, p)).and_then(|o| o.eks);
            if let Some(provider) = arn.oidc_provider()
                && let Some((region, part)) = eks.map(|e| (e.region, e.partition)).or_else(|| aws::issuer_region_partition(aws::normalize_provider(provider)))
                && part != arn.partition
            {
                conflicts.push(format!("the issuer's region `{region}` is in `{part}`"));
                issuer_partition = Some(part);
            }
            if let Some(role) = role
                && role.partition != arn.partition
            {
                conflicts.push(format!("the role is in `{}`", role.partition));
            }
            if let Some(reg) = &registry
                && reg.partition != arn.partition
            {
                conflicts.push(format!("the registry is in `{}`", reg.partition));
            }
            if let Some(e) = expected
                && e.partition != arn.partition
            {
                conflicts.push(format!("the expected provider is in `{}`", e.partition));
            }
            if conflicts.is_empty() {
                continue;
            }
            let value = p.value.as_str();
            let mut d = at(&TP040, format!("this ARN is in partition `{}`, but {}: IAM never trusts across partitions", arn.partition, conflicts.join(", ")), p.pointer(stmt), p.value.range());
            if let Some(part) = issuer_partition.or(role.map(|r| r.partition)) {
                let fixed = format!("arn:{part}:{}", &value["arn:".len() + arn.partition.len() + 1..]);
                d = d.with_fix(Fix::unsafe_(format!("Use partition `{part}`"), vec![Edit::replace(p.value.range(), json_string(&fixed))]));
            } else {
                d = d.with_help("use one partition throughout: the cluster's region decides it (`cn-*` ⇒ `aws-cn`, `us-gov-*` ⇒ `aws-us-gov`, else `aws`)");
            }
            cx.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::policy::LintContext;

    #[test]
    fn fires_on_disagreeing_partitions() {
        let cn = IRSA.replace("us-east-1.amazonaws.com", "cn-north-1.amazonaws.com.cn");
        let d = fires("TP040", &cn);
        assert_eq!(fixed(&cn, &d[0]), cn.replace("arn:aws:", "arn:aws-cn:"));
        let ctx = LintContext { role_arn: Some("arn:aws-us-gov:iam::123456789012:role/coder".into()), ..LintContext::default() };
        assert!(!findings_with("TP040", IRSA, &ctx).is_empty());
        let ctx = LintContext { registry_host: Some("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn".into()), ..LintContext::default() };
        let d = findings_with("TP040", IRSA, &ctx);
        assert!(!d.is_empty());
        // Without a fix, the finding still says what to write.
        assert!(d.iter().all(|d| d.fix().is_some() || d.help().is_some()), "{d:#?}");
    }

    #[test]
    fn silent_when_partitions_agree() {
        silent("TP040", IRSA);
        let cn = IRSA.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1.amazonaws.com", "cn-north-1.amazonaws.com.cn");
        silent("TP040", &cn);
        let ctx = LintContext {
            role_arn: Some("arn:aws:iam::123456789012:role/coder".into()),
            registry_host: Some("123456789012.dkr.ecr.eu-west-1.amazonaws.com".into()),
            ..LintContext::default()
        };
        assert!(findings_with("TP040", IRSA, &ctx).is_empty());
    }
}
