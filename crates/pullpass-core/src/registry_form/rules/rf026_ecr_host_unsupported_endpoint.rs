use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::host::{Fact, HostCheck};

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Warns about two endpoint forms that parse but should not be relied on: a FIPS endpoint
    /// (`dkr.ecr-fips`, `dkr-ecr-fips`) in a partition without FIPS endpoints (AWS China),
    /// and the unconfirmed China dual-stack form `dkr.ecr.<region>.on.amazonwebservices.com.cn`
    /// (one public source uses it; the EKS node image uses `dkr-ecr`).
    ///
    /// ## Why is this bad
    /// The FIPS host does not exist in that partition, so it never resolves; the unconfirmed
    /// form may not resolve either, and the kubelet's image matching does not cover it.
    ///
    /// ## Example
    /// ```text
    /// 123456789012.dkr.ecr-fips.cn-north-1.amazonaws.com.cn
    /// 123456789012.dkr.ecr.cn-north-1.on.amazonwebservices.com.cn
    /// ```
    ///
    /// ## Fix
    /// Use `dkr.ecr` (no FIPS) in AWS China, and `dkr-ecr` for China dual-stack.
    pub(crate) static RF026 = ("ecr-host-unsupported-endpoint", "registry-form", Warning, "FIPS endpoint in a partition without FIPS, or unconfirmed China dual-stack form");
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    let at = c.name_offset();
    for fact in &c.class.facts {
        let d = match fact {
            Fact::FipsUnsupported { range, partition, suggestion } => Diagnostic::new(
                &RF026,
                format!("partition `{partition}` has no FIPS endpoints; this host does not resolve"),
            )
            .with_help(format!("use `{suggestion}`"))
            .with_range(range.shifted(at))
            .with_fix(Fix::safe(format!("Use `{suggestion}`"), vec![Edit::replace(range.shifted(at), *suggestion)])),
            Fact::UnconfirmedForm { range, suggestion } => Diagnostic::new(
                &RF026,
                "this China dual-stack form is unconfirmed; the EKS node image and AWS use `dkr-ecr` for China dual-stack",
            )
            .with_help(format!("prefer `{suggestion}`; keep this form only if it resolves for you"))
            .with_range(range.shifted(at))
            .with_fix(Fix::unsafe_(format!("Use `{suggestion}`"), vec![Edit::replace(range.shifted(at), *suggestion)])),
            _ => continue,
        };
        out.push(d.with_pointer(HOST));
    }
}

#[cfg(test)]
mod tests {
    use crate::registry_form::RegistryKind::Ecr;
    use crate::registry_form::rules::testing::{fixed, host};

    #[test]
    fn fips_in_china_and_the_unconfirmed_form_warn() {
        let raw = "123456789012.dkr.ecr-fips.cn-north-1.amazonaws.com.cn";
        let found = host("RF026", raw, Ecr);
        assert_eq!(found.len(), 1);
        assert_eq!(
            fixed(&found[0], raw),
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
        );
        let raw = "123456789012.dkr.ecr.cn-north-1.on.amazonwebservices.com.cn";
        let found = host("RF026", raw, Ecr);
        assert_eq!(found.len(), 1);
        assert_eq!(
            fixed(&found[0], raw),
            "123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn"
        );
        let ecr = crate::registry_form::analyze_host(raw, None, Ecr)
            .ecr
            .unwrap();
        assert!(ecr.dual_stack && ecr.partition == "aws-cn");
    }

    #[test]
    fn quiet_on_confirmed_forms() {
        for raw in [
            "123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn",
            "123456789012.dkr-ecr-fips.us-west-2.on.aws",
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
        ] {
            assert!(host("RF026", raw, Ecr).is_empty(), "{raw}");
        }
    }
}
