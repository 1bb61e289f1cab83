//! The one error type of the backends. It separates "the service said no" ([`Error::Service`],
//! [`Error::Registry`], [`Error::NotFound`]) from "we could not reach it" ([`Error::Unreachable`])
//! and from "this can never work as configured" ([`Error::Config`]). No variant carries a
//! secret: messages are built from codes, hosts, ARNs and the service's own error text, which
//! never echoes a credential.

use std::path::PathBuf;

/// Why a backend operation could not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The registry's configuration cannot work (no region, wrong credential kind, bad host).
    #[error("registry `{registry}`: {message}")]
    Config { registry: String, message: String },

    /// The credential source could not produce credentials (no ambient credentials, an
    /// unreadable web identity token file, a profile that does not exist, a refused STS call).
    #[error("could not load AWS credentials ({source_name}): {message}")]
    Credentials {
        /// `env`, `web-identity`, `container`, `profile`, `static`, `assumed-role`, or `chain`.
        source_name: String,
        message: String,
        cause: Option<String>,
    },

    /// An AWS service answered and refused the request.
    #[error("{service} {operation} refused: {code}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Service {
        service: &'static str,
        operation: &'static str,
        /// The AWS error code (`AccessDeniedException`, `ExpiredTokenException`, …) or
        /// `HTTP <status>` when the body could not be parsed.
        code: String,
        message: String,
        status: Option<u16>,
        /// The likely cause and what to do, as `pullpass explain` would say.
        cause: Option<String>,
    },

    /// The service could not be reached: DNS, connection, TLS, timeout.
    #[error("could not reach {service} for {operation}{}: {message}", endpoint.as_deref().map(|e| format!(" at {e}")).unwrap_or_default())]
    Unreachable {
        service: &'static str,
        operation: &'static str,
        endpoint: Option<String>,
        message: String,
    },

    /// The service answered with something that is not a usable token.
    #[error("{service} returned an unusable authorization token: {message}")]
    InvalidToken {
        service: &'static str,
        message: String,
    },

    /// The repository or image does not exist (or the caller may not see it).
    #[error("{what} not found{}", cause.as_deref().map(|c| format!(": {c}")).unwrap_or_default())]
    NotFound { what: String, cause: Option<String> },

    /// The token cache refused to work (file readable by others, unwritable directory).
    #[error("token cache {}: {message}", path.display())]
    Cache { path: PathBuf, message: String },

    /// The registry's kind cannot do this.
    #[error("{operation} is not supported for {kind} registries")]
    Unsupported {
        operation: &'static str,
        kind: &'static str,
    },

    /// A registry's HTTP API (`/v2/`, a token endpoint) answered with an error status.
    #[error("{url} answered HTTP {status}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Registry {
        url: String,
        status: u16,
        message: String,
        cause: Option<String>,
    },
}

impl Error {
    /// The likely cause and what to do next, when one is known.
    #[must_use]
    pub fn cause(&self) -> Option<&str> {
        match self {
            Self::Credentials { cause, .. }
            | Self::Service { cause, .. }
            | Self::NotFound { cause, .. }
            | Self::Registry { cause, .. } => cause.as_deref(),
            Self::Unreachable { .. } => Some(
                "the endpoint did not answer: check the network path (proxy, VPC endpoint, DNS), \
                 AWS_ENDPOINT_URL if set, and that the region exists in this partition",
            ),
            Self::Config { .. }
            | Self::InvalidToken { .. }
            | Self::Cache { .. }
            | Self::Unsupported { .. } => None,
        }
    }

    /// The service's error code, for refusals.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// True when a service answered and said no (as opposed to not answering).
    #[must_use]
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Service { .. } | Self::Registry { .. } | Self::NotFound { .. }
        )
    }

    /// A stable short name of the variant, for JSON output: `config`, `credentials`,
    /// `service`, `unreachable`, `invalidToken`, `notFound`, `cache`, `unsupported`, `registry`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Config { .. } => "config",
            Self::Credentials { .. } => "credentials",
            Self::Service { .. } => "service",
            Self::Unreachable { .. } => "unreachable",
            Self::InvalidToken { .. } => "invalidToken",
            Self::NotFound { .. } => "notFound",
            Self::Cache { .. } => "cache",
            Self::Unsupported { .. } => "unsupported",
            Self::Registry { .. } => "registry",
        }
    }
}
