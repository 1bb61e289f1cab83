use super::{Cx, at};
use crate::declare_rule;
use crate::policy::aws;

declare_rule! {
    /// ## What it does
    /// Notes an OIDC provider that is not an EKS cluster issuer. The EKS forms, in every
    /// partition: `oidc.eks.<region>.<partition suffix>/id/<32 upper-case hex>`
    /// (`amazonaws.com`, `amazonaws.com.cn`, the ISO suffixes), and since August 2024 the
    /// dual-stack `oidc-eks.<region>.api.aws/id/<…>` (`api.amazonwebservices.com.cn` in China),
    /// per the EKS user guide's networking requirements
    /// (<https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html>). An issuer that
    /// looks like EKS but matches none gets a did-you-mean (id upper-cased, `/id/` restored, the
    /// region's own suffix, a misspelt region corrected), with no `--expect-issuer` needed.
    ///
    /// ## Why is this bad
    /// Often it is fine: self-managed clusters, GitHub Actions and other issuers are
    /// legitimate. But a near-EKS issuer (lower-case id, a missing `/id/`, a region typo) is a
    /// provider that does not exist, and the EKS-specific checks (`sub` format, audience) are
    /// then less certain.
    ///
    /// ## Example
    /// ```json
    /// {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5c6d6a7e8f9a0b1c2d3e4f5a6b7c8d9e"}
    /// ```
    ///
    /// ## Fix
    /// For EKS, copy the issuer from `aws eks describe-cluster --query cluster.identity.oidc.issuer`.
    /// Otherwise nothing to do.
    pub(crate) static TP023 = ("non-eks-issuer", "trust-policy", Info, "Issuer is not an EKS issuer (self-managed issuers are legitimate)");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for p in cx.oidc(stmt) {
            if p.provider.is_empty() || cx.has_placeholder(p.provider) || p.eks.is_some() {
                continue;
            }
            let d = if let Some(good) = aws::suggest_eks_issuer(p.provider) {
                at(&TP023, format!("`{}` looks like an EKS issuer but matches no EKS issuer form: did you mean `{good}`?", p.provider), p.principal.pointer(stmt), p.principal.value.range())
                    .with_help("copy the issuer from `aws eks describe-cluster --query cluster.identity.oidc.issuer` (without https://)")
            } else if aws::looks_like_eks_issuer(p.provider) {
                at(&TP023, format!("`{}` looks like an EKS issuer but matches no EKS issuer form (`oidc.eks.<region>.amazonaws.com/id/<32 upper-case hex>`, or `oidc-eks.<region>.api.aws/id/…` dual-stack)", p.provider), p.principal.pointer(stmt), p.principal.value.range())
                    .with_help("copy the issuer from `aws eks describe-cluster --query cluster.identity.oidc.issuer` (without https://)")
            } else {
                at(&TP023, format!("`{}` is not an EKS cluster issuer; fine for a self-managed cluster, GitHub Actions or another OIDC issuer", p.provider), p.principal.pointer(stmt), p.principal.value.range())
            };
            cx.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_other_issuers() {
        fires("TP023", &IRSA.replace("5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E", "5c6d6a7e8f9a0b1c2d3e4f5a6b7c8d9e"));
        fires("TP023", &IRSA.replace("oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E", "token.actions.githubusercontent.com"));
        let d = fires("TP023", &IRSA.replace("5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E", "5c6d6a7e8f9a0b1c2d3e4f5a6b7c8d9e"));
        assert!(d[0].message().contains("did you mean `oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E`"), "{}", d[0].message());
    }

    #[test]
    fn silent_on_eks_issuers() {
        silent("TP023", IRSA);
        silent("TP023", &IRSA.replace("oidc.eks.us-east-1.amazonaws.com", "oidc-eks.us-east-1.api.aws"));
        silent("TP023", &IRSA.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1.amazonaws.com", "cn-north-1.amazonaws.com.cn"));
    }
}
