//! The wire protocols pullpass speaks to the tools that pull images: the docker credential
//! helper protocol and the kubelet credential provider (`credentialprovider.kubelet.k8s.io/v1`).
//!
//! Pure functions only (parse a request, format a response, match a host to a registry); the
//! commands in `commands/credential_helper.rs` and `commands/kubelet.rs` do the IO.

pub(crate) mod docker;
pub(crate) mod kubelet;

use pullpass_core::config::{Config, Registry};

/// A registry host as the protocols carry it, reduced to `host[:port]`, lower case: no
/// scheme, user info, path, query or trailing dot; `:443` dropped (the default for https).
/// `None` when nothing usable is left or the value carries user info. The core's one host
/// normaliser ([`pullpass_core::host::normalize`]) does the reading.
pub(crate) fn normalize_host(input: &str) -> Option<String> {
    pullpass_core::host::normalize(input)?.protocol_key()
}

/// The configured registry for `host` (already normalized): the one whose configured host
/// normalizes to the same `host[:port]`. Vanity hosts match by their configured host; the
/// override only says where the tokens come from.
pub(crate) fn match_registry<'c>(config: &'c Config, host: &str) -> Option<(usize, &'c Registry)> {
    let host = docker_hub_alias(host);
    config
        .registries
        .iter()
        .enumerate()
        .find(|(_, r)| normalize_host(&r.host).as_deref().map(docker_hub_alias) == Some(host))
}

/// Docker Hub answers to several names (docker sends `https://index.docker.io/v1/`, images
/// say `docker.io`): all of them are `docker.io`.
fn docker_hub_alias(host: &str) -> &str {
    match host {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => "docker.io",
        other => other,
    }
}

/// Whether an unconfigured host may be served with ambient credentials: a strictly parsed
/// private ECR host (so its account and region are known from the name). Public ECR and other
/// hosts are not served: anonymous pulls work there, and guessing credentials would not.
pub(crate) fn ambient_fallback_allowed(host: &str) -> bool {
    matches!(
        pullpass_core::host::parse_ecr(host),
        Some((pullpass_core::host::HostKind::PrivateEcr, Some(_)))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_normalize_like_docker_sends_them() {
        let cases = [
            (
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                Some("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
            ),
            (
                "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
                Some("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
            ),
            (
                "https://123456789012.DKR.ecr.us-east-1.amazonaws.com/v2/team/app\n",
                Some("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
            ),
            ("  127.0.0.1:5000  ", Some("127.0.0.1:5000")),
            ("http://127.0.0.1:5000/", Some("127.0.0.1:5000")),
            ("registry.example.com:443", Some("registry.example.com")),
            ("registry.example.com.", Some("registry.example.com")),
            ("[::1]:5000", Some("[::1]:5000")),
            ("[::1]", Some("[::1]")),
            ("user:pass@registry.example.com", None),
            ("", None),
            ("https://", None),
            ("host:port", None),
            ("a b", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_host(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn registries_match_by_normalized_host() {
        let config = pullpass_core::config::parse(
            "[[registry]]\nname = \"a\"\nhost = \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/\"\n\n[[registry]]\nname = \"v\"\nhost = \"127.0.0.1:5000\"\noverride = { account_id = \"123456789012\", region = \"us-east-1\" }\n",
        )
        .unwrap();
        let found = |h: &str| match_registry(&config, h).map(|(_, r)| r.name.as_str());
        assert_eq!(
            found("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
            Some("a")
        );
        assert_eq!(found("127.0.0.1:5000"), Some("v"));
        assert_eq!(found("127.0.0.1:5001"), None);
        assert_eq!(found("123456789012.dkr.ecr.us-east-2.amazonaws.com"), None);
        let hub = pullpass_core::config::parse(
            "[[registry]]\nname = \"hub\"\nhost = \"docker.io\"\nkind = \"generic\"\nusername = \"u\"\npassword = { env = \"P\" }\n",
        )
        .unwrap();
        let index = normalize_host("https://index.docker.io/v1/").unwrap();
        assert_eq!(
            match_registry(&hub, &index).map(|(_, r)| r.name.as_str()),
            Some("hub")
        );
    }

    #[test]
    fn only_private_ecr_hosts_fall_back_to_ambient() {
        assert!(ambient_fallback_allowed(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        ));
        assert!(ambient_fallback_allowed(
            "123456789012.dkr-ecr.us-west-2.on.aws"
        ));
        assert!(!ambient_fallback_allowed("public.ecr.aws"));
        assert!(!ambient_fallback_allowed("ghcr.io"));
        assert!(!ambient_fallback_allowed("127.0.0.1:5000"));
        assert!(!ambient_fallback_allowed(
            "12345678901.dkr.ecr.us-east-1.amazonaws.com"
        ));
    }
}
