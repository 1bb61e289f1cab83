//! AWS credentials for a registry: loading the SDK configuration for a credential mode,
//! resolving (and naming the source of) the credentials, assuming a role on top, the stable
//! source identity the token cache is keyed by, and mapping SDK errors to [`Error`].

use std::time::SystemTime;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials as AwsCredentials;
use aws_credential_types::credential_feature::AwsCredentialFeature;
use aws_credential_types::provider::{ProvideCredentials as _, SharedCredentialsProvider};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use secrecy::ExposeSecret as _;
use sha2::{Digest as _, Sha256};

use crate::{AuthSpec, Error, Options, RegistrySpec};

type SdkError<E> = aws_sdk_ecr::error::SdkError<E, aws_sdk_ecr::config::http::HttpResponse>;

/// Environment variables that redirect every AWS endpoint (used by tests against moto and by
/// VPC-endpoint set-ups).
const ENDPOINT_ENV: &[&str] = &[
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_ECR",
    "AWS_ENDPOINT_URL_ECR_PUBLIC",
    "AWS_ENDPOINT_URL_STS",
];

/// A resolved AWS session for one registry: the SDK configuration with fixed credentials, and
/// where they came from. `Debug` shows only the source, never the configuration.
pub(crate) struct Session {
    pub(crate) config: SdkConfig,
    /// `env`, `web-identity`, `container`, `profile`, `static`, `instance-metadata`, `sso`,
    /// `process`, `none`, with ` + assumed-role` when a role was assumed on top.
    pub(crate) source: String,
    pub(crate) credentials_expire_at: Option<SystemTime>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("source", &self.source)
            .field("credentials_expire_at", &self.credentials_expire_at)
            .finish_non_exhaustive()
    }
}

/// Where the region, FIPS and dual-stack settings come from.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) region: String,
    pub(crate) fips: bool,
    pub(crate) dual_stack: bool,
}

/// The endpoint override from the options or the environment, if any.
pub(crate) fn endpoint_override(options: &Options) -> Option<String> {
    options.endpoint_url.clone().or_else(|| {
        ENDPOINT_ENV
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    })
}

/// The one HTTPS client of every SDK configuration in this process: the SDK's own hyper
/// connector on rustls with the ring provider and the platform's root certificates (as the
/// SDK's default client, which uses aws-lc-rs; see the root `Cargo.toml` for why not that).
/// Built once; its roots are read when the first connection is made.
pub(crate) fn sdk_http_client() -> aws_sdk_ecr::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    static CLIENT: std::sync::OnceLock<aws_sdk_ecr::config::SharedHttpClient> =
        std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
                .build_https()
        })
        .clone()
}

/// Loads the SDK configuration for `spec` and resolves its credentials once.
pub(crate) async fn session(
    spec: &RegistrySpec,
    endpoint: &Endpoint,
    options: &Options,
) -> Result<Session, Error> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(sdk_http_client())
        .region(Region::new(endpoint.region.clone()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(options.connect_timeout)
                .operation_attempt_timeout(options.timeout)
                .operation_timeout(options.timeout * options.max_attempts.max(1))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)));
    let custom_endpoint = endpoint_override(options);
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if endpoint.fips {
        if custom_endpoint.is_some() {
            // The SDK refuses FIPS together with a custom endpoint; the override wins.
            tracing::warn!("AWS_ENDPOINT_URL is set: the FIPS endpoint is not used");
        } else {
            loader = loader.use_fips(true);
        }
    }
    if endpoint.dual_stack && custom_endpoint.is_none() {
        loader = loader.use_dual_stack(true);
    }
    let source_name = match &spec.auth {
        AuthSpec::Static {
            access_key_id,
            secret_access_key,
            session_token,
        } => {
            loader = loader.credentials_provider(AwsCredentials::new(
                access_key_id.trim(),
                secret_access_key.expose_secret().trim(),
                session_token
                    .as_ref()
                    .map(|t| t.expose_secret().trim().to_owned()),
                None,
                "pullpass-static",
            ));
            "static"
        }
        AuthSpec::Profile(name) => {
            loader = loader.profile_name(name);
            "profile"
        }
        AuthSpec::Ambient => "chain",
        AuthSpec::Anonymous => {
            loader = loader.no_credentials();
            "none"
        }
        AuthSpec::Basic { .. } => {
            return Err(Error::Config {
                registry: spec.name.clone(),
                message: "basic credentials cannot call AWS".into(),
            });
        }
    };
    let base = loader.load().await;
    let Some(provider) = base.credentials_provider() else {
        return Ok(Session {
            config: base,
            source: "none".into(),
            credentials_expire_at: None,
        });
    };
    let creds = provider
        .provide_credentials()
        .await
        .map_err(|e| credentials_error(spec, source_name, &error_chain(&e)))?;
    let mut source = match &spec.auth {
        AuthSpec::Static { .. } => "static".to_owned(),
        _ => describe_source(&creds),
    };
    let mut creds = creds;
    if let Some(role) = &spec.assume_role {
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role.role_arn.trim())
            .session_name("pullpass")
            .region(Region::new(endpoint.region.clone()))
            .configure(&base);
        if let Some(external_id) = role.external_id.as_deref().filter(|s| !s.is_empty()) {
            builder = builder.external_id(external_id);
        }
        let assumed = builder.build_from_provider(creds.clone()).await;
        creds = assumed
            .provide_credentials()
            .await
            .map_err(|e| credentials_error(spec, "assumed-role", &error_chain(&e)))?;
        source.push_str(" + assumed-role");
    }
    let credentials_expire_at = creds.expiry();
    let config = base
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(creds))
        .build();
    Ok(Session {
        config,
        source,
        credentials_expire_at,
    })
}

fn credentials_error(spec: &RegistrySpec, source_name: &str, message: &str) -> Error {
    // A named profile is the most specific fact we have: say that first, whatever the SDK's
    // text resembles (its "no providers in chain" also matches the generic ambient causes).
    // Everything else is the core explainer's: the one place that knows AWS errors.
    let cause = match &spec.auth {
        AuthSpec::Profile(name) => Some(format!(
            "the profile `{name}` could not supply credentials: check that it exists in \
             AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (~/.aws/config, ~/.aws/credentials) \
             and that its source works"
        )),
        _ => pullpass_core::explain::cause_for_text(message),
    };
    Error::Credentials {
        source_name: source_name.to_owned(),
        message: message.to_owned(),
        cause,
    }
}

/// Names the provider that produced `creds`, from the features the SDK records on them.
fn describe_source(creds: &AwsCredentials) -> String {
    let features = creds
        .get_property::<Vec<AwsCredentialFeature>>()
        .cloned()
        .unwrap_or_default();
    let has = |f: AwsCredentialFeature| features.contains(&f);
    let name = if has(AwsCredentialFeature::CredentialsProfileStsWebIdToken)
        || has(AwsCredentialFeature::CredentialsEnvVarsStsWebIdToken)
        || has(AwsCredentialFeature::CredentialsStsAssumeRoleWebId)
    {
        "web-identity"
    } else if has(AwsCredentialFeature::CredentialsHttp) {
        "container"
    } else if has(AwsCredentialFeature::CredentialsImds) {
        "instance-metadata"
    } else if has(AwsCredentialFeature::CredentialsEnvVars) {
        "env"
    } else if has(AwsCredentialFeature::CredentialsSso)
        || has(AwsCredentialFeature::CredentialsProfileSso)
    {
        "sso"
    } else if has(AwsCredentialFeature::CredentialsProcess)
        || has(AwsCredentialFeature::CredentialsProfileProcess)
    {
        "process"
    } else if has(AwsCredentialFeature::CredentialsStsAssumeRole) {
        "profile + assumed-role"
    } else if has(AwsCredentialFeature::CredentialsProfile) {
        "profile"
    } else {
        "unknown"
    };
    name.to_owned()
}

/// The stable identity of the credential source, computed without any network call: what the
/// token cache is keyed by (see `cache.rs`). Secrets never enter it; key IDs are hashed.
pub(crate) fn source_identity(spec: &RegistrySpec, options: &Options) -> String {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let hash = short_hash;
    let mut identity = match &spec.auth {
        AuthSpec::Static { access_key_id, .. } => format!("static:{}", hash(access_key_id.trim())),
        AuthSpec::Profile(name) => format!(
            "profile:{name}:{}:{}",
            env("AWS_CONFIG_FILE").unwrap_or_default(),
            env("AWS_SHARED_CREDENTIALS_FILE").unwrap_or_default()
        ),
        AuthSpec::Ambient => ambient_identity(&env, &machine_id()),
        AuthSpec::Anonymous => "anonymous".to_owned(),
        AuthSpec::Basic { username, .. } => format!("basic:{username}"),
    };
    if let Some(role) = &spec.assume_role {
        identity.push_str(&format!(
            "|assume:{}:{}",
            role.role_arn.trim(),
            role.external_id.as_deref().map(hash).unwrap_or_default()
        ));
    }
    if let Some(endpoint) = endpoint_override(options) {
        identity.push_str(&format!("|endpoint:{endpoint}"));
    }
    identity
}

/// The cache identity of the SDK's default chain, from `env` alone (no network call).
///
/// Every ambient input that can change which role the chain ends up with is part of it, so
/// two configurations that may get different credentials never share an entry (issue 15 #8):
/// the environment key ID (hashed); the profile name and the config/credentials file paths
/// (the chain reads profiles before web identity); the web identity role ARN **and** token
/// file (IRSA: one file per service account); the container credentials URI **and** the
/// Pod Identity token file, or the inline token hashed (the agent URI is the same for every
/// pod of a node, the token names the service account); and for the instance role the IMDS
/// endpoint and `machine`. The instance role's *name* is not keyed: IMDS tells it only over
/// the network (a token PUT and a GET, and off EC2 a timeout of a second or more per
/// lookup), which would cost a warm cache more than the hit saves; an instance has one
/// instance profile, so the machine names its role, except after `replace-iam-instance-
/// profile-association`, when the old role's token is served until its half-life (≤ 6 h).
/// Over-specific keys only cost an extra fetch.
pub(crate) fn ambient_identity(env: &dyn Fn(&str) -> Option<String>, machine: &str) -> String {
    let var = |name: &str| env(name).filter(|v| !v.is_empty()).unwrap_or_default();
    let hashed = |name: &str| {
        env(name)
            .filter(|v| !v.is_empty())
            .map(|v| short_hash(&v))
            .unwrap_or_default()
    };
    // NUL separates the fields: no environment value can hold one, so no two different
    // configurations spell the same key (a role ARN is full of `:`).
    [
        hashed("AWS_ACCESS_KEY_ID"),
        env("AWS_PROFILE")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "default".into()),
        var("AWS_CONFIG_FILE"),
        var("AWS_SHARED_CREDENTIALS_FILE"),
        var("AWS_ROLE_ARN"),
        var("AWS_WEB_IDENTITY_TOKEN_FILE"),
        var("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
        hashed("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        var("AWS_EC2_METADATA_SERVICE_ENDPOINT"),
        machine.to_owned(),
    ]
    .into_iter()
    .fold("ambient".to_owned(), |mut key, part| {
        key.push('\0');
        key.push_str(&part);
        key
    })
}

/// The first 12 bytes of SHA-256, in hex: identifies a secret without holding it.
fn short_hash(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    digest[..12].iter().fold(String::new(), |mut out, b| {
        use std::fmt::Write as _;
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// This machine's identity for the cache key: `/etc/machine-id` (systemd), else the host name;
/// empty when neither is readable.
fn machine_id() -> String {
    [
        "/etc/machine-id",
        "/proc/sys/kernel/hostname",
        "/etc/hostname",
    ]
    .iter()
    .find_map(|p| {
        let text = crate::fsio::read_file(std::path::Path::new(p), 4096).ok()?;
        let id = String::from_utf8(text).ok()?.trim().to_owned();
        (!id.is_empty()).then_some(id)
    })
    .unwrap_or_default()
}

/// A refusal of `service`'s `operation` with AWS's code and message, and the core's likely cause
/// (what every service error becomes, from the SDK or from a fake).
pub(crate) fn service_error(
    service: &'static str,
    operation: &'static str,
    code: String,
    message: String,
    status: Option<u16>,
) -> Error {
    let cause = pullpass_core::explain::cause_for_service_error(&code, &message, operation);
    Error::Service {
        service,
        operation,
        code,
        message,
        status,
        cause,
    }
}

/// Maps an SDK error of `service`'s `operation` to our error.
pub(crate) fn map_sdk_error<E>(
    service: &'static str,
    operation: &'static str,
    endpoint: Option<&str>,
    error: SdkError<E>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error.raw_response().map(|r| r.status().as_u16());
    match &error {
        SdkError::ServiceError(ctx) => {
            let err = ctx.err();
            // Some front ends (proxies, emulators) answer a JSON-protocol service with an XML
            // error body the SDK cannot parse: read its `<Code>` and `<Message>` ourselves.
            let xml = ctx.raw().body().bytes().and_then(xml_error);
            let code = err
                .code()
                .map(str::to_owned)
                .or_else(|| xml.as_ref().map(|(c, _)| c.clone()))
                .unwrap_or_else(|| format!("HTTP {}", status.unwrap_or(0)));
            let message = err
                .message()
                .map(str::to_owned)
                .or_else(|| xml.map(|(_, m)| m))
                .unwrap_or_default();
            service_error(service, operation, code, message, status)
        }
        SdkError::ResponseError(_) => {
            let code = format!("HTTP {}", status.unwrap_or(0));
            // The cause is judged on the code alone: the message below is ours, not AWS's.
            let cause = pullpass_core::explain::cause_for_service_error(&code, "", operation);
            Error::Service {
                service,
                operation,
                code,
                message: "the response could not be read".into(),
                status,
                cause,
            }
        }
        SdkError::TimeoutError(_) => Error::Unreachable {
            service,
            operation,
            endpoint: endpoint.map(str::to_owned),
            message: "timed out".into(),
        },
        _ => {
            let message = error_chain(&error);
            Error::Unreachable {
                service,
                operation,
                endpoint: endpoint.map(str::to_owned),
                message,
            }
        }
    }
}

/// The `Display` text of `error` and its sources, joined with `: `, each distinct part once.
///
/// Not the SDK's `DisplayErrorContext`: that appends a `Debug` dump of the whole error (HTTP
/// headers and bodies included), which is noise in a message for people and could carry more
/// than we mean to show.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// `(<Code>, <Message>)` of an XML error body, if it has a code.
fn xml_error(body: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(body).ok()?;
    let element = |name: &str| {
        let start = text.find(&format!("<{name}>"))? + name.len() + 2;
        let end = start + text[start..].find(&format!("</{name}>"))?;
        Some(text[start..end].trim().to_owned())
    };
    let code = element("Code").filter(|c| {
        !c.is_empty()
            && c.len() <= 100
            && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.')
    })?;
    let message: String = element("Message")
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    Some((code, message))
}

#[cfg(test)]
mod tests {
    /// The ambient key of an environment given as pairs (no process environment touched).
    fn key(vars: &[(&str, &str)]) -> String {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        super::ambient_identity(
            &|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            "machine-a",
        )
    }

    const ROLE_A: &str = "arn:aws:iam::123456789012:role/a";
    const ROLE_B: &str = "arn:aws:iam::123456789012:role/b";
    const POD_URI: &str = "http://169.254.170.23/v1/credentials";

    #[test]
    fn web_identity_keys_differ_by_token_file_and_role() {
        let a = key(&[
            ("AWS_ROLE_ARN", ROLE_A),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/sa-1/token"),
        ]);
        let other_file = key(&[
            ("AWS_ROLE_ARN", ROLE_A),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/sa-2/token"),
        ]);
        let other_role = key(&[
            ("AWS_ROLE_ARN", ROLE_B),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/sa-1/token"),
        ]);
        assert_ne!(a, other_file);
        assert_ne!(a, other_role);
        assert_ne!(other_file, other_role);
        // A `:` moved between role and file must not spell the same key.
        let shifted = key(&[
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/a:/var/run/sa-1/token"),
        ]);
        assert_ne!(a, shifted);
    }

    #[test]
    fn pod_identity_keys_differ_by_token_file_and_inline_token() {
        // Issue 15 #8: two pods of one node share the agent URI; the token file names the
        // service account.
        let one = key(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", POD_URI),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token-1",
            ),
        ]);
        let two = key(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", POD_URI),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token-2",
            ),
        ]);
        assert_ne!(one, two);
        let inline_a = key(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", POD_URI),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "canary-token-a"),
        ]);
        let inline_b = key(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", POD_URI),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "canary-token-b"),
        ]);
        assert_ne!(inline_a, inline_b);
        assert!(!inline_a.contains("canary"), "the inline token is hashed");
    }

    #[test]
    fn profiles_and_machines_are_keyed_and_same_everything_is_one_key() {
        let vars = [
            ("AWS_ROLE_ARN", ROLE_A),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
            ("AWS_PROFILE", "dev"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", POD_URI),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/p"),
        ];
        assert_eq!(key(&vars), key(&vars));
        assert_ne!(
            key(&[("AWS_PROFILE", "dev")]),
            key(&[("AWS_PROFILE", "prod")])
        );
        // Unset, empty and `default` profile are the same profile.
        assert_eq!(key(&[]), key(&[("AWS_PROFILE", "")]));
        assert_eq!(key(&[]), key(&[("AWS_PROFILE", "default")]));
        let other_machine = super::ambient_identity(&|_| None, "machine-b");
        assert_ne!(
            key(&[]),
            other_machine,
            "instance roles are keyed by the machine"
        );
        let env_key = key(&[("AWS_ACCESS_KEY_ID", "AKIACANARY")]);
        assert!(!env_key.contains("AKIACANARY"), "key IDs are hashed");
    }

    #[test]
    fn reads_xml_error_bodies() {
        let body = b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/x is not authorized</Message></Error></ErrorResponse>";
        let (code, message) = super::xml_error(body).unwrap();
        assert_eq!(code, "AccessDenied");
        assert!(message.starts_with("User: arn:aws:iam"));
        assert!(super::xml_error(b"{\"__type\":\"x\"}").is_none());
    }
}
