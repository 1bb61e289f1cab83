//! The kubelet credential provider exec plugin (`credentialprovider.kubelet.k8s.io/v1`):
//! a `CredentialProviderRequest` on stdin, a `CredentialProviderResponse` on stdout.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The API versions this plugin answers (the response echoes the request's).
pub(crate) const API_VERSIONS: &[&str] = &[
    "credentialprovider.kubelet.k8s.io/v1",
    "credentialprovider.kubelet.k8s.io/v1beta1",
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    api_version: Option<String>,
    kind: Option<String>,
    image: Option<String>,
}

/// A checked request: which API version to answer with, and the image.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ParsedRequest {
    pub(crate) api_version: String,
    pub(crate) image: String,
}

/// Parses and checks a `CredentialProviderRequest`.
pub(crate) fn parse_request(stdin: &str) -> Result<ParsedRequest, String> {
    let request: Request = serde_json::from_str(stdin.trim()).map_err(|e| {
        format!(
            "the request on stdin is not a CredentialProviderRequest JSON object ({e}); the kubelet sends {{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderRequest\",\"image\":\"…\"}}"
        )
    })?;
    let api_version = request.api_version.unwrap_or_default();
    if !API_VERSIONS.contains(&api_version.as_str()) {
        return Err(format!(
            "unsupported apiVersion {api_version:?}; this plugin speaks {}; set `apiVersion: credentialprovider.kubelet.k8s.io/v1` in the kubelet's CredentialProviderConfig",
            API_VERSIONS.join(", ")
        ));
    }
    if request.kind.as_deref() != Some("CredentialProviderRequest") {
        return Err(format!(
            "expected kind CredentialProviderRequest, got {:?}",
            request.kind.unwrap_or_default()
        ));
    }
    let image = request.image.unwrap_or_default();
    if image.trim().is_empty() {
        return Err("the request has no `image`".to_owned());
    }
    Ok(ParsedRequest { api_version, image })
}

/// The registry host of an image reference, as the kubelet and docker read it: the first
/// path component when it has a `.` or a `:` or is `localhost`, else Docker Hub.
pub(crate) fn image_host(image: &str) -> String {
    let image = image.trim();
    let first = image.split('/').next().unwrap_or_default();
    if image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost") {
        first.to_ascii_lowercase()
    } else {
        "docker.io".to_owned()
    }
}

/// The host to look credentials up for: [`image_host`] normalised as the docker helper
/// normalises a server URL (`:443` dropped, trailing dot, lower case).
pub(crate) fn lookup_host(image: &str) -> String {
    let host = image_host(image);
    super::normalize_host(&host).unwrap_or(host)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Response<'a> {
    api_version: &'a str,
    kind: &'static str,
    cache_key_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache_duration: Option<String>,
    auth: BTreeMap<&'a str, AuthConfig<'a>>,
}

#[derive(Debug, Serialize)]
struct AuthConfig<'a> {
    username: &'a str,
    password: &'a str,
}

/// Credentials for one registry in a response.
#[derive(Debug)]
pub(crate) struct ResponseAuth<'a> {
    pub(crate) registry: &'a str,
    pub(crate) username: &'a str,
    pub(crate) password: &'a str,
}

/// A `CredentialProviderResponse`, cached per registry. `cache_duration` `None` leaves the
/// kubelet's `defaultCacheDuration` in force. `auth` `None` is an empty map: "nothing from me,
/// try the next source".
pub(crate) fn format_response(
    api_version: &str,
    cache_duration: Option<Duration>,
    auth: Option<&ResponseAuth<'_>>,
) -> String {
    let mut map = BTreeMap::new();
    if let Some(a) = auth {
        map.insert(
            a.registry,
            AuthConfig {
                username: a.username,
                password: a.password,
            },
        );
    }
    let response = Response {
        api_version,
        kind: "CredentialProviderResponse",
        cache_key_type: "Registry",
        cache_duration: cache_duration.map(go_duration),
        auth: map,
    };
    let mut text = serde_json::to_string(&response).unwrap_or_default();
    text.push('\n');
    text
}

/// How long the kubelet may cache a token that expires in `remaining`: half of it, so the
/// kubelet never holds a token past its expiry (and the helper's own cache refreshes at the
/// same half-life). Whole seconds; zero when (nearly) expired.
/// At most 6 hours: half the 12 hours ECR tokens live, whatever an entry claims.
pub(crate) fn cache_duration(remaining: Duration) -> Duration {
    Duration::from_secs((remaining.as_secs() / 2).min(6 * 3600))
}

/// A duration as Go's `time.Duration.String()` writes whole seconds: `6h0m0s`, `5m30s`, `45s`.
pub(crate) fn go_duration(d: Duration) -> String {
    let total = d.as_secs();
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    let mut out = String::new();
    if h > 0 {
        let _ = write!(out, "{h}h{m}m{s}s");
    } else if m > 0 {
        let _ = write!(out, "{m}m{s}s");
    } else {
        let _ = write!(out, "{s}s");
    }
    out
}

/// The `matchImages` globs that cover every private ECR endpoint form in every partition,
/// generated from the host grammar's table (each `*` is one DNS label, as the kubelet
/// matches).
pub(crate) fn ecr_match_images() -> Vec<String> {
    use pullpass_core::host::{ENDPOINT_FORMS, PARTITIONS};
    let mut globs = Vec::new();
    for partition in PARTITIONS {
        for form in ENDPOINT_FORMS {
            if let (true, Some(suffix)) = (form.pairs_with(partition), partition.suffix(form.slot))
            {
                let glob = format!("*.{}.*.{suffix}", form.label);
                if !globs.contains(&glob) {
                    globs.push(glob);
                }
            }
        }
    }
    globs
}

/// An example `CredentialProviderConfig` (`kubelet.config.k8s.io/v1`) for this plugin.
pub(crate) fn example_config(binary_name: &str) -> String {
    let mut out = String::from(
        "# /etc/kubernetes/credential-provider-config.yaml, passed to the kubelet with\n\
         #   --image-credential-provider-config=/etc/kubernetes/credential-provider-config.yaml\n\
         #   --image-credential-provider-bin-dir=<dir holding the plugin binary>\n\
         # Generated by `pullpass kubelet-credential-provider --print-config`.\n\
         apiVersion: kubelet.config.k8s.io/v1\n\
         kind: CredentialProviderConfig\n\
         providers:\n",
    );
    let _ = writeln!(out, "  - name: {binary_name}");
    out.push_str("    matchImages:\n");
    for glob in ecr_match_images() {
        let _ = writeln!(out, "      - \"{glob}\"");
    }
    out.push_str(
        "      # Vanity hosts and generic registries from the config file: add their hosts here.\n\
         \x20   defaultCacheDuration: \"6h\"\n\
         \x20   apiVersion: credentialprovider.kubelet.k8s.io/v1\n\
         \x20   args:\n\
         \x20     - kubelet-credential-provider\n\
         \x20   env:\n\
         \x20     - name: PULLPASS_CONFIG\n\
         \x20       value: /etc/pullpass/config.toml\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_parsed_and_checked() {
        let ok = parse_request(
            r#"{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1","serviceAccountToken":"x"}"#,
        )
        .unwrap();
        assert_eq!(ok.api_version, "credentialprovider.kubelet.k8s.io/v1");
        assert_eq!(
            ok.image,
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1"
        );
        let beta = parse_request(
            r#"{"apiVersion":"credentialprovider.kubelet.k8s.io/v1beta1","kind":"CredentialProviderRequest","image":"a.example/b"}"#,
        )
        .unwrap();
        assert_eq!(
            beta.api_version,
            "credentialprovider.kubelet.k8s.io/v1beta1"
        );
        for (bad, expected) in [
            ("nope", "not a CredentialProviderRequest"),
            (
                r#"{"apiVersion":"credentialprovider.kubelet.k8s.io/v2","kind":"CredentialProviderRequest","image":"a/b"}"#,
                "unsupported apiVersion",
            ),
            (
                r#"{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"Pod","image":"a/b"}"#,
                "expected kind",
            ),
            (
                r#"{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest"}"#,
                "no `image`",
            ),
        ] {
            let err = parse_request(bad).unwrap_err();
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn image_host_follows_the_docker_reference_grammar() {
        assert_eq!(
            image_host("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1"),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(
            image_host("127.0.0.1:5000/team/app@sha256:abc"),
            "127.0.0.1:5000"
        );
        assert_eq!(image_host("localhost/app"), "localhost");
        assert_eq!(image_host("library/nginx:1"), "docker.io");
        assert_eq!(image_host("nginx"), "docker.io");
        assert_eq!(image_host("Registry.Example.com/a"), "registry.example.com");
    }

    #[test]
    fn response_has_the_v1_shape() {
        let text = format_response(
            "credentialprovider.kubelet.k8s.io/v1",
            Some(Duration::from_secs(6 * 3600)),
            Some(&ResponseAuth {
                registry: "h.example",
                username: "AWS",
                password: "pw",
            }),
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "apiVersion": "credentialprovider.kubelet.k8s.io/v1",
                "kind": "CredentialProviderResponse",
                "cacheKeyType": "Registry",
                "cacheDuration": "6h0m0s",
                "auth": {"h.example": {"username": "AWS", "password": "pw"}}
            })
        );
        let empty: serde_json::Value = serde_json::from_str(&format_response(
            "credentialprovider.kubelet.k8s.io/v1",
            None,
            None,
        ))
        .unwrap();
        assert_eq!(empty["auth"], serde_json::json!({}));
        assert!(empty.get("cacheDuration").is_none());
    }

    #[test]
    fn cache_duration_is_clamped_to_six_hours() {
        // Issue 15 #8: a far-future expiry gave cacheDuration values of millions of hours.
        assert_eq!(
            cache_duration(Duration::from_secs(1_000_000 * 3600)),
            Duration::from_secs(6 * 3600)
        );
    }

    #[test]
    fn image_hosts_normalise_like_the_docker_helper() {
        // Issue 15 #13: `:443`, a trailing dot and upper case looked up a different host.
        for image in [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com:443/app",
            "123456789012.DKR.ECR.us-east-1.amazonaws.com./app",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
        ] {
            assert_eq!(
                lookup_host(image),
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                "{image}"
            );
        }
        assert_eq!(lookup_host("localhost:5000/app"), "localhost:5000");
        assert_eq!(lookup_host("nginx"), "docker.io");
    }

    #[test]
    fn cache_duration_is_half_the_remaining_lifetime() {
        assert_eq!(
            cache_duration(Duration::from_secs(12 * 3600)),
            Duration::from_secs(6 * 3600)
        );
        assert_eq!(cache_duration(Duration::from_secs(1)), Duration::ZERO);
        assert_eq!(
            cache_duration(Duration::from_millis(3999)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn go_durations_match_time_duration_string() {
        assert_eq!(go_duration(Duration::from_secs(6 * 3600)), "6h0m0s");
        assert_eq!(go_duration(Duration::from_secs(3600 + 61)), "1h1m1s");
        assert_eq!(go_duration(Duration::from_secs(330)), "5m30s");
        assert_eq!(go_duration(Duration::from_secs(45)), "45s");
        assert_eq!(go_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn match_images_cover_every_partition_and_form() {
        let globs = ecr_match_images();
        for expected in [
            "*.dkr.ecr.*.amazonaws.com",
            "*.dkr.ecr-fips.*.amazonaws.com",
            "*.dkr-ecr.*.on.aws",
            "*.dkr-ecr-fips.*.on.aws",
            "*.dkr.ecr.*.amazonaws.com.cn",
            "*.dkr-ecr.*.on.amazonwebservices.com.cn",
            "*.dkr.ecr.*.c2s.ic.gov",
            "*.dkr.ecr.*.sc2s.sgov.gov",
            "*.dkr.ecr.*.cloud.adc-e.uk",
            "*.dkr.ecr.*.csp.hci.ic.gov",
            "*.dkr.ecr.*.amazonaws.eu",
        ] {
            assert!(
                globs.iter().any(|g| g == expected),
                "{expected} missing from {globs:?}"
            );
        }
        assert!(
            !globs
                .iter()
                .any(|g| g.contains("ecr-fips") && g.ends_with(".cn")),
            "{globs:?}"
        );
        let mut deduped = globs.clone();
        deduped.dedup();
        assert_eq!(deduped.len(), globs.len());
    }
}
