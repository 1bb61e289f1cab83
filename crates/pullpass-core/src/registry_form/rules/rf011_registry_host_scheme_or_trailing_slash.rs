use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::host::HostCheck;
use crate::registry_form::RegistryKind;
use crate::text::TextRange;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Checks that the host has no scheme (`https://`) and no trailing `/`.
    ///
    /// ## Why is this bad
    /// A registry host is a host name, not a URL: docker, the kubelet and the credential
    /// helpers match image references against the bare host, so `https://…` never matches.
    /// `https://` and a trailing `/` are harmless to strip (warning). Any other scheme is an
    /// error: ECR is served over HTTPS only, so `http://` cannot work, and `oci://` or
    /// `docker://` are not hosts at all.
    ///
    /// ## Example
    /// ```text
    /// https://123456789012.dkr.ecr.us-east-1.amazonaws.com/
    /// ```
    ///
    /// ## Fix
    /// Strip the scheme and the trailing slash:
    /// `123456789012.dkr.ecr.us-east-1.amazonaws.com`.
    pub(crate) static RF011 = ("registry-host-scheme-or-trailing-slash", "registry-form", Warning, "Registry host has a scheme or a trailing slash");
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    if c.is_blank() {
        return;
    }
    if let Some(range) = c.syntax.scheme {
        let scheme = c.raw[range.as_usize_range()]
            .trim_end_matches(['/', ':', '\\'])
            .to_ascii_lowercase();
        // `https://https://host`: strip every scheme at once, or the fix is reported again.
        let mut end = range.end as usize;
        while let Some(more) = super::super::super::host::scheme_prefix_len(&c.raw[end..]) {
            end += more;
        }
        let strip = Edit::delete(TextRange::new(range.start as usize, end));
        // What was typed, `https:/` included (never user info: that comes after the scheme).
        let typed = &c.raw[range.as_usize_range()];
        let d = match scheme.as_str() {
            "https" => Diagnostic::new(
                &RF011,
                "the registry host takes no scheme: `https://` is implied",
            )
            .with_help("enter the host name only; docker and the credential helpers match the bare host")
            .with_fix(Fix::safe(format!("Strip `{typed}`"), vec![strip])),
            "http" if c.kind == RegistryKind::Ecr => Diagnostic::new(
                &RF011,
                "ECR registries are served over HTTPS only; `http://` cannot work",
            )
            .with_severity(Severity::Error)
            .with_help("enter the host name only, without a scheme")
            .with_fix(Fix::unsafe_(format!("Strip `{typed}`"), vec![strip])),
            "http" => Diagnostic::new(
                &RF011,
                "the registry host takes no scheme; a plain-HTTP registry is configured as insecure in the container runtime, not here",
            )
            .with_help("enter the host name (and port) only")
            .with_fix(Fix::safe(format!("Strip `{typed}`"), vec![strip])),
            _ => Diagnostic::new(
                &RF011,
                format!("`{scheme}://` is not a registry scheme; the host field takes a host name only"),
            )
            .with_severity(Severity::Error)
            .with_help("enter the host name (and port) only, e.g. `registry.example.com:5443`")
            .with_fix(Fix::unsafe_(format!("Strip `{scheme}://`"), vec![strip])),
        };
        out.push(d.with_pointer(HOST).with_range(range));
    }
    if let Some(path) = c.syntax.path
        && c.raw[path.as_usize_range()].bytes().all(|b| b == b'/')
    {
        out.push(
            Diagnostic::new(&RF011, "the registry host has a trailing `/`")
                .with_help("enter the host name only")
                .with_pointer(HOST)
                .with_range(path)
                .with_fix(Fix::safe(
                    "Strip the trailing `/`",
                    vec![Edit::delete(path)],
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::{fixed, host};

    const ECR: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    #[test]
    fn https_and_trailing_slash_warn_with_a_fix() {
        let raw = format!("https://{ECR}/");
        let found = host("RF011", &raw, Ecr);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|d| d.severity() == Severity::Warning));
        assert_eq!(fixed(&found[0], &raw), format!("{ECR}/"));
        assert_eq!(fixed(&found[1], &raw), format!("https://{ECR}"));
        // The host still parses as ECR.
        let analysis = crate::registry_form::analyze_host(&raw, None, Ecr);
        assert_eq!(analysis.normalized, ECR);
        assert!(analysis.ecr.is_some());
    }

    #[test]
    fn http_is_an_error_for_ecr_only_and_other_schemes_always() {
        let http = host("RF011", &format!("http://{ECR}"), Ecr);
        assert_eq!(http[0].severity(), Severity::Error);
        let generic = host("RF011", "HTTP://localhost:5000", Generic);
        assert_eq!(generic[0].severity(), Severity::Warning);
        assert_eq!(
            fixed(&generic[0], "HTTP://localhost:5000"),
            "localhost:5000"
        );
        // A scheme with a slash or the colon lost is still a scheme, not a host `https`.
        for raw in [
            format!("https:/{ECR}"),
            format!("https//{ECR}"),
            format!("HTTPS:\\{ECR}"),
        ] {
            let found = host("RF011", &raw, Ecr);
            assert_eq!(found.len(), 1, "{raw}: {found:?}");
            assert_eq!(found[0].severity(), Severity::Warning, "{raw}");
            assert_eq!(fixed(&found[0], &raw), ECR, "{raw}");
            assert_eq!(
                crate::registry_form::analyze_host(&raw, None, Ecr).normalized,
                ECR
            );
        }
        let oci = host("RF011", "oci://ghcr.io", Generic);
        assert_eq!(oci[0].severity(), Severity::Error);
        assert!(oci[0].message().contains("oci://"));
    }

    #[test]
    fn quiet_on_bare_hosts() {
        for h in [
            ECR,
            "ghcr.io",
            "localhost:5000",
            "registry.example.com:5443",
            "public.ecr.aws",
            "httpbin.org",
            "https.example.com",
        ] {
            assert!(host("RF011", h, Generic).is_empty(), "{h}");
        }
    }
}
