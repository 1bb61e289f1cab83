use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::host::{HostCheck, NameProblem};
use crate::text::TextRange;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Checks the host name and port themselves: upper case and a trailing dot (warnings, with
    /// a fix), and as errors inner whitespace, a name over 253 characters, a bad DNS label
    /// (empty, over 63 characters, a character other than letters, digits and `-`, or `-` at
    /// either end), and a port that is not 1–65535. Surrounding whitespace is a warning with a
    /// trim fix.
    ///
    /// ## Why is this bad
    /// DNS ignores case, but image references, docker's `credHelpers` keys and the kubelet's
    /// `matchImages` compare host strings exactly, so `Registry.Example.com` and
    /// `registry.example.com` are different registries to them. A name that is not valid DNS
    /// never resolves.
    ///
    /// ## Example
    /// ```text
    /// 123456789012.DKR.ECR.us-east-1.amazonaws.com
    /// registry_1.example.com
    /// ```
    ///
    /// ## Fix
    /// Lower-case the host; use only letters, digits, `-` and `.`; give a numeric port.
    pub(crate) static RF013 = ("registry-host-malformed", "registry-form", Error, "Registry host is not a valid host name and port");
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    if c.is_blank() {
        return;
    }
    let trimmed = c.syntax.trimmed;
    if trimmed.start > 0 || (trimmed.end as usize) < c.raw.len() {
        let mut edits = Vec::new();
        if trimmed.start > 0 {
            edits.push(Edit::delete(TextRange::new(0, trimmed.start as usize)));
        }
        if (trimmed.end as usize) < c.raw.len() {
            edits.push(Edit::delete(TextRange::new(
                trimmed.end as usize,
                c.raw.len(),
            )));
        }
        out.push(
            Diagnostic::new(&RF013, "the registry host has whitespace around it")
                .with_severity(Severity::Warning)
                .with_help("pasted values often carry a space or a line break; remove it")
                .with_pointer(HOST)
                .with_range(TextRange::of(c.raw))
                .with_fix(Fix::safe("Trim the whitespace", edits)),
        );
    }
    for problem in &c.name_problems {
        out.push(diagnostic(c, problem).with_pointer(HOST));
    }
}

fn diagnostic(c: &HostCheck<'_>, problem: &NameProblem) -> Diagnostic {
    let error = |msg: String| Diagnostic::new(&RF013, msg).with_severity(Severity::Error);
    match problem {
        NameProblem::InnerWhitespace { range } => {
            let trimmed = &c.raw[c.syntax.trimmed.as_usize_range()];
            let squeezed: String = trimmed.chars().filter(|ch| !ch.is_whitespace()).collect();
            error("the registry host contains whitespace".to_owned())
                .with_help("a host name has no spaces; remove them")
                .with_range(*range)
                .with_fix(Fix::unsafe_(
                    "Remove the whitespace",
                    vec![Edit::replace(c.syntax.trimmed, squeezed)],
                ))
        }
        NameProblem::Empty => error("the registry host has no host name".to_owned())
            .with_help("enter a host name, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com` or `ghcr.io`")
            .with_range(c.syntax.trimmed),
        NameProblem::TooLong { len } => {
            error(format!("the host name is {len} characters long; DNS allows at most 253"))
                .with_help("check that only the host was pasted")
                .with_range(c.syntax.host)
        }
        NameProblem::UpperCase { range, lower } => Diagnostic::new(
            &RF013,
            "the registry host has upper-case letters; image references and credential helpers compare hosts exactly",
        )
        .with_severity(Severity::Warning)
        .with_help("registry hosts are written in lower case")
        .with_range(*range)
        .with_fix(Fix::safe("Lower-case the host", vec![Edit::replace(*range, lower.clone())])),
        NameProblem::BadChar { range, ch } => {
            let shown = if ch.is_ascii_graphic() {
                format!("`{ch}`")
            } else {
                format!("U+{:04X}", u32::from(*ch))
            };
            let help = if ch.is_ascii() {
                "a host name has only letters, digits, `-` and `.`".to_owned()
            } else {
                "enter an internationalized name in its ASCII (`xn--…`) form".to_owned()
            };
            let d = error(format!("the host name contains {shown}, which DNS does not allow"));
            match (&c.underscore_ecr, *ch) {
                (Some(host), '_') => d
                    .with_help(format!("region names use `-`: did you mean `{host}`?"))
                    .with_range(*range)
                    .with_fix(Fix::safe(format!("Use `{host}`"), vec![Edit::replace(c.syntax.host, host.clone())])),
                _ => d.with_help(help).with_range(*range),
            }
        }
        NameProblem::EmptyLabel { range } => error("the host name has an empty label (`..` or a leading `.`)".to_owned())
            .with_help("remove the extra dot")
            .with_range(*range)
            .with_fix(Fix::unsafe_("Remove the extra dot", vec![Edit::delete(*range)])),
        // A fully qualified name is valid DNS and is mended like upper case: a warning.
        NameProblem::TrailingDot { range } => Diagnostic::new(&RF013, "the host name ends with a dot; image references and credential helpers do not match a fully qualified name")
            .with_severity(Severity::Warning)
            .with_help("remove the trailing dot; the host is used without it")
            .with_range(*range)
            .with_fix(Fix::safe("Remove the trailing dot", vec![Edit::delete(*range)])),
        NameProblem::LongLabel { range } => error(format!(
            "a label of the host name is {} characters long; DNS allows at most 63",
            range.len()
        ))
        .with_help("check the host for a pasted value that is not a host name")
        .with_range(*range),
        NameProblem::HyphenEdge { range } => error("a label of the host name starts or ends with `-`, which DNS does not allow".to_owned())
            .with_help("check the host for a typo")
            .with_range(*range),
        NameProblem::BadPort { range } => {
            let port = &c.raw[range.as_usize_range()];
            let d = error("the port is not a number from 1 to 65535".to_owned())
                .with_help("give a numeric port after the colon, e.g. `registry.example.com:5443`, or none for 443")
                .with_range(*range);
            if port == ":" {
                d.with_fix(Fix::safe("Remove the empty port", vec![Edit::delete(*range)]))
            } else {
                d
            }
        }
        NameProblem::BadIpLiteral { range } => error("the host is not a valid host name or bracketed IPv6 address".to_owned())
            .with_help("write an IPv6 address in brackets with an optional port: `[::1]:5000`")
            .with_range(*range),
        NameProblem::BadIpv4 { range } => error("the host is not a valid IPv4 address: each of the four numbers is 0–255".to_owned())
            .with_help("check the address for a typo, e.g. `10.0.0.5:5000`")
            .with_range(*range),
    }
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::{fixed, host};

    #[test]
    fn upper_case_warns_and_still_parses() {
        let raw = "123456789012.DKR.ECR.US-EAST-1.AMAZONAWS.COM";
        let found = host("RF013", raw, Ecr);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity(), Severity::Warning);
        assert_eq!(fixed(&found[0], raw), raw.to_ascii_lowercase());
        let a = crate::registry_form::analyze_host(raw, None, Ecr);
        assert_eq!(a.ecr.unwrap().region, "us-east-1");
    }

    #[test]
    fn surrounding_whitespace_warns_with_a_trim() {
        let raw = " ghcr.io\n";
        let found = host("RF013", raw, Generic);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity(), Severity::Warning);
        assert_eq!(fixed(&found[0], raw), "ghcr.io");
    }

    #[test]
    fn malformed_names_and_ports_are_errors() {
        for raw in [
            "my registry.example.com",
            "registry_1.example.com",
            "a..b",
            "-bad.example.com",
            "example.com:99999",
            "example.com:http",
            "rég.example.com",
            "[zz]:5000",
            "fe80::1",
        ] {
            let found = host("RF013", raw, Generic);
            assert!(
                found.iter().any(|d| d.severity() == Severity::Error),
                "{raw}: {found:?}"
            );
        }
        let long = format!("{}.com", "a".repeat(64));
        assert!(
            host("RF013", &long, Generic)
                .iter()
                .any(|d| d.message().contains("63"))
        );
        let huge = vec!["abcdefghij"; 30].join(".");
        assert!(
            host("RF013", &huge, Generic)
                .iter()
                .any(|d| d.message().contains("253"))
        );
        // `_` where a region wants `-`: one error per label, with the whole corrected host.
        let raw = "123456789012.dkr.ecr.us_west_2.amazonaws.com";
        let found = host("RF013", raw, Ecr);
        assert_eq!(found.len(), 1);
        assert_eq!(
            fixed(&found[0], raw),
            "123456789012.dkr.ecr.us-west-2.amazonaws.com"
        );
        assert!(
            host("RF013", "my_registry.example.com", Generic)[0]
                .fix()
                .is_none()
        );
        let dot = host("RF013", "ghcr.io.", Generic);
        assert_eq!(fixed(&dot[0], "ghcr.io."), "ghcr.io");
        // A trailing dot is valid DNS and mended: a warning, not a blocking error.
        assert_eq!(dot[0].severity(), Severity::Warning);
        let fqdn = host(
            "RF013",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.",
            Ecr,
        );
        assert_eq!(fqdn.len(), 1);
        assert_eq!(fqdn[0].severity(), Severity::Warning);
    }

    #[test]
    fn ipv6_literals_must_be_addresses() {
        for raw in [
            "[:::]",
            "[1:2:3:4:5:6:7:8:9]",
            "[12345::1]",
            "[::1::2]",
            "[zz::1]:5000",
            "[]",
        ] {
            let found = host("RF013", raw, Generic);
            assert_eq!(found.len(), 1, "{raw}: {found:?}");
            assert_eq!(found[0].severity(), Severity::Error, "{raw}");
        }
        for raw in ["256.1.1.1", "10.0.0.1000:5000"] {
            let found = host("RF013", raw, Generic);
            assert_eq!(found.len(), 1, "{raw}: {found:?}");
            assert!(found[0].message().contains("IPv4"), "{raw}");
        }
        for raw in [
            "[::1]",
            "[::]:5000",
            "[2001:db8::1]:5000",
            "[fe80::1]",
            "[::ffff:10.0.0.1]:443",
            "10.0.0.5",
            "255.255.255.255:5000",
            "1.2.3",
            "1.2.3.4.5",
        ] {
            assert!(host("RF013", raw, Generic).is_empty(), "{raw}");
        }
    }

    #[test]
    fn quiet_on_valid_hosts() {
        for raw in [
            "ghcr.io",
            "registry-1.docker.io",
            "localhost:5000",
            "registry.example.com:5443",
            "127.0.0.1:5000",
            "[::1]:5000",
            "xn--rg-9ia.example.com",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        ] {
            assert!(host("RF013", raw, Generic).is_empty(), "{raw}");
        }
    }
}
