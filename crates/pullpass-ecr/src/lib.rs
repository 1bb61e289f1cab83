//! `pullpass-ecr`: registry backends behind one narrow trait of ours.
//!
//! Owns everything that talks to a registry or to AWS: the credential modes (static keys,
//! the SDK's ambient chain with IRSA and EKS Pod Identity, named profiles, an optional role to
//! assume), `GetAuthorizationToken` for private and public ECR, the on-disk token cache, the
//! connection test with its `/v2/` probe, repository and image listing, and the generic
//! basic-auth kind (Docker Hub, GHCR, self-hosted) that proves the seam is real.
//!
//! **Architecture Invariant:** no `aws_*` type appears in a public signature of this crate.
//! Callers see [`RegistrySpec`], [`Credentials`], [`Error`], [`ConnectionReport`] and the
//! [`Registry`], [`Directory`] and [`Backend`] traits; the AWS SDK is an implementation detail
//! that could be swapped out (and is, in tests: the `fake` feature's in-memory backend).
//!
//! **Architecture Invariant:** no secret (secret access key, session token, password, registry
//! token) appears in an [`Error`], a `Debug` output or a log line. Secrets are
//! [`secrecy::SecretString`] from the moment they are read.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use pullpass_core::registry::{HostOverride, RegistryKind};
use secrecy::SecretString;

mod aws;
mod basic;
mod cache;
mod clock;
mod ecr;
mod error;
#[cfg(feature = "fake")]
pub mod fake;
pub mod fsio;
mod http;
mod iam;
mod report;
mod target;
mod time;
mod token;

pub use cache::{CacheKey, TokenCache};
pub use clock::{Clock, SystemClock};
pub use error::Error;
pub use iam::{AwsDirectory, Directory, Lookup, RoleFacts};
pub use report::{Check, CheckStatus, ConnectionReport, Probe, failed_to_open};
pub use target::normalize_host;
pub use time::format_rfc3339;
pub use token::decode_authorization_token;

/// One configured registry, as the config file describes it (secrets already resolved).
#[derive(Debug, Clone)]
pub struct RegistrySpec {
    /// The registry's name in the config file (used in messages).
    pub name: String,
    /// The registry host, e.g. `123456789012.dkr.ecr.eu-central-1.amazonaws.com`.
    pub host: String,
    pub kind: RegistryKind,
    pub auth: AuthSpec,
    /// A role to assume on top of the base credentials (cross-account).
    pub assume_role: Option<AssumeRole>,
    /// Account and region for a vanity host (a CNAME or proxy in front of ECR).
    pub host_override: Option<HostOverride>,
}

/// A role to assume with `sts:AssumeRole` before calling ECR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub external_id: Option<String>,
}

/// Where the base credentials come from.
#[derive(Debug, Clone)]
pub enum AuthSpec {
    /// The AWS SDK default chain: environment, IRSA web identity, EKS Pod Identity / ECS
    /// container credentials, shared profile, instance metadata.
    Ambient,
    /// A named profile from the shared AWS config/credentials files.
    Profile(String),
    /// Static access keys (an `ASIA…` key needs its session token).
    Static {
        access_key_id: String,
        secret_access_key: SecretString,
        session_token: Option<SecretString>,
    },
    /// Username and password or token, for the generic kind.
    Basic {
        username: String,
        password: SecretString,
    },
    /// No credentials (public ECR pulls, open registries).
    Anonymous,
}

impl AuthSpec {
    /// A short stable name: `ambient`, `profile`, `static`, `basic`, `anonymous`.
    #[must_use]
    pub fn mode(&self) -> &'static str {
        match self {
            Self::Ambient => "ambient",
            Self::Profile(_) => "profile",
            Self::Static { .. } => "static",
            Self::Basic { .. } => "basic",
            Self::Anonymous => "anonymous",
        }
    }
}

/// Registry login credentials: what `docker login` takes.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The host these credentials are for (no scheme).
    pub server: String,
    pub username: String,
    pub password: SecretString,
    /// When the password stops working; `None` when unknown (never cached then).
    pub expires_at: Option<SystemTime>,
}

/// Where the token cache lives, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CacheMode {
    /// No cache: every call asks the registry service.
    Disabled,
    /// This directory (created owner-only when missing).
    Dir(PathBuf),
    /// `PULLPASS_CACHE_DIR`, else `$XDG_CACHE_HOME/pullpass`, else `~/.cache/pullpass`.
    #[default]
    Default,
}

impl CacheMode {
    /// The cache directory this mode resolves to, from the environment for [`CacheMode::Default`].
    /// `None` when disabled or when no home directory is known.
    #[must_use]
    pub fn resolve(&self) -> Option<PathBuf> {
        match self {
            Self::Disabled => None,
            Self::Dir(dir) => Some(dir.clone()),
            Self::Default => cache::default_dir(),
        }
    }
}

/// How to talk to registries.
#[derive(Clone)]
pub struct Options {
    pub cache: CacheMode,
    /// Time limit for one attempt of one API call or HTTP request (connect included).
    pub timeout: Duration,
    /// Time limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Attempts per API call, the first included (AWS standard retry mode).
    pub max_attempts: u32,
    /// Items per page for listings (ECR allows 1–1000).
    pub page_size: u32,
    /// The AWS API endpoint for every service (a VPC endpoint, an emulator); `None` uses the
    /// SDK's resolution, where `AWS_ENDPOINT_URL` also applies.
    pub endpoint_url: Option<String>,
    /// The clock the cache judges expiry with (injected in tests).
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("cache", &self.cache)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("page_size", &self.page_size)
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cache: CacheMode::Default,
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            max_attempts: 3,
            page_size: 100,
            endpoint_url: None,
            clock: Arc::new(SystemClock),
        }
    }
}

impl Options {
    /// Defaults, with the cache disabled when `PULLPASS_NO_CACHE` is set to a non-empty value
    /// other than `0`.
    #[must_use]
    pub fn from_env() -> Self {
        let mut options = Self::default();
        if std::env::var("PULLPASS_NO_CACHE").is_ok_and(|v| !v.is_empty() && v != "0") {
            options.cache = CacheMode::Disabled;
        }
        options
    }
}

/// One page of a listing; `next` is the opaque token for the following page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// A repository in a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub name: String,
    /// `host/name`, what an image reference starts with.
    pub uri: String,
    pub created_at: Option<SystemTime>,
}

/// An image (one manifest) in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub repository: String,
    /// `sha256:…`.
    pub digest: String,
    pub tags: Vec<String>,
    pub pushed_at: Option<SystemTime>,
    pub size_bytes: Option<u64>,
    pub media_type: Option<String>,
}

/// A registry backend (private ECR, public ECR, generic basic-auth).
#[async_trait::async_trait]
pub trait Registry: Send + Sync + fmt::Debug {
    /// Login credentials for the registry, from the token cache while fresh (half-life).
    async fn credentials(&self) -> Result<Credentials, Error>;
    /// Every check in order, with what was found; never fails, failures are in the report.
    async fn test_connection(&self) -> ConnectionReport;
    /// One page of repositories.
    async fn list_repositories(&self, next: Option<String>) -> Result<Page<Repository>, Error>;
    /// One page of a repository's images.
    async fn list_images(
        &self,
        repository: &str,
        next: Option<String>,
    ) -> Result<Page<Image>, Error>;
    /// The image with this tag or `sha256:` digest; [`Error::NotFound`] when there is none.
    async fn find_image(&self, repository: &str, tag_or_digest: &str) -> Result<Image, Error>;
}

/// Picks the plugin (private ECR, public ECR, generic basic-auth) for a registry.
///
/// # Errors
/// [`Error::Config`] when the spec cannot work at all: an ECR registry whose host is not an
/// ECR host and has no override (so no region), basic credentials on an ECR registry, or AWS
/// credentials on a generic one.
pub fn open(spec: &RegistrySpec, options: &Options) -> Result<Box<dyn Registry>, Error> {
    let target = target::resolve(spec)?;
    match target {
        target::Target::PrivateEcr(ecr) => Ok(Box::new(ecr::PrivateEcr::new(spec, ecr, options)?)),
        target::Target::PublicEcr => Ok(Box::new(ecr::PublicEcr::new(spec, options)?)),
        target::Target::Generic => Ok(Box::new(basic::BasicRegistry::new(spec, options)?)),
    }
}

/// Opens the registry and tests it; a spec that cannot be opened gives a failed report.
pub async fn test_connection(spec: &RegistrySpec, options: &Options) -> ConnectionReport {
    Aws.test_connection(spec, options).await
}

/// Where a caller gets its registries and its IAM/EKS directory: the seam a program takes so
/// that tests can hand it in-memory ones (`fake::FakeBackend`, feature `fake`). [`Aws`] is the
/// real one.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + fmt::Debug {
    /// The registry a spec names (see [`open`]).
    ///
    /// # Errors
    /// [`Error::Config`] when the spec cannot work at all.
    fn open(&self, spec: &RegistrySpec, options: &Options) -> Result<Box<dyn Registry>, Error>;

    /// IAM and EKS look-ups on the caller's current credentials; `region` overrides the
    /// environment's.
    async fn directory(&self, region: Option<&str>, options: &Options) -> Box<dyn Directory>;

    /// Opens the registry and tests it; a spec that cannot be opened gives a failed report.
    async fn test_connection(&self, spec: &RegistrySpec, options: &Options) -> ConnectionReport {
        match self.open(spec, options) {
            Ok(registry) => registry.test_connection().await,
            Err(error) => failed_to_open(spec, &error),
        }
    }
}

/// The real backend: the AWS SDK and the registries' HTTP APIs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Aws;

#[async_trait::async_trait]
impl Backend for Aws {
    fn open(&self, spec: &RegistrySpec, options: &Options) -> Result<Box<dyn Registry>, Error> {
        open(spec, options)
    }

    async fn directory(&self, region: Option<&str>, options: &Options) -> Box<dyn Directory> {
        Box::new(AwsDirectory::from_env(region, options).await)
    }
}

/// Runs a future to completion on a fresh single-threaded runtime (for synchronous callers
/// such as the CLI).
///
/// # Panics
/// Only if the OS refuses to create the runtime's IO driver.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}
