//! In-memory [`Registry`], [`Directory`] and [`Backend`] for fast tests of callers' live paths
//! (feature `fake`; only dev-dependencies turn it on, so no shipped binary contains it).
//!
//! The fakes answer from what a test put in them, but every answer goes through this crate's
//! own shapes: errors are built by the same constructor the SDK path uses (so the likely cause
//! comes from the core's explainer, as it would for AWS's answer), IAM/EKS answers are the same
//! AWS-CLI-shaped JSON the real [`crate::AwsDirectory`] returns, and [`FakeBackend::open`] runs
//! the real spec checks (`target::resolve`) before it hands out the fake registry. What the
//! fakes do not do: talk to AWS, sign requests, cache tokens, or probe `/v2/`. The AWS peer
//! tests (moto) cover those.
//!
//! Secrets stay secrets here too: a fake token is a [`SecretString`] and no `Debug` prints it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use secrecy::SecretString;

use crate::iam::no_association;
use crate::report::ReportExt as _;
use crate::{
    Backend, ConnectionReport, Credentials, Directory, Error, Image, Lookup, Options, Page,
    Registry, RegistrySpec, Repository, RoleFacts,
};

/// A failure a fake answers with; made into an [`Error`] on each call (errors are not `Clone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The service answered and said no, with AWS's code and message.
    Refused {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
        status: Option<u16>,
    },
    /// Nobody answered (connection refused, DNS, timeout).
    Unreachable {
        service: &'static str,
        operation: &'static str,
        message: String,
    },
}

impl Fault {
    /// `AccessDeniedException` (HTTP 400), as ECR words a missing permission.
    #[must_use]
    pub fn access_denied(service: &'static str, operation: &'static str, action: &str) -> Self {
        Self::Refused {
            service,
            operation,
            code: "AccessDeniedException".into(),
            message: format!(
                "User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to \
                 perform: {action} on resource: * because no identity-based policy allows the \
                 {action} action"
            ),
            status: Some(400),
        }
    }

    /// `ExpiredTokenException`: the caller's session credentials have expired.
    #[must_use]
    pub fn expired_token(service: &'static str, operation: &'static str) -> Self {
        Self::Refused {
            service,
            operation,
            code: "ExpiredTokenException".into(),
            message: "The security token included in the request is expired".into(),
            status: Some(400),
        }
    }

    /// `ThrottlingException`: too many requests (after the SDK's retries).
    #[must_use]
    pub fn throttled(service: &'static str, operation: &'static str) -> Self {
        Self::Refused {
            service,
            operation,
            code: "ThrottlingException".into(),
            message: "Rate exceeded".into(),
            status: Some(400),
        }
    }

    /// The endpoint did not answer.
    #[must_use]
    pub fn unreachable(service: &'static str, operation: &'static str) -> Self {
        Self::Unreachable {
            service,
            operation,
            message: "dispatch failure: io error: Connection refused (os error 111)".into(),
        }
    }

    /// The error a real backend would return for this answer.
    #[must_use]
    pub fn error(&self) -> Error {
        match self {
            Self::Refused {
                service,
                operation,
                code,
                message,
                status,
            } => crate::aws::service_error(
                service,
                operation,
                code.clone(),
                message.clone(),
                *status,
            ),
            Self::Unreachable {
                service,
                operation,
                message,
            } => Error::Unreachable {
                service,
                operation,
                endpoint: None,
                message: message.clone(),
            },
        }
    }

    fn lookup<T>(&self) -> Lookup<T> {
        Lookup::Failed(self.error())
    }
}

/// A registry that answers from memory: a token (or a fault), repositories and images.
#[derive(Debug, Clone)]
pub struct FakeRegistry {
    password: SecretString,
    expires_in: Option<Duration>,
    fault: Option<Fault>,
    repositories: Vec<String>,
    images: Vec<Image>,
    page_size: usize,
    caller: String,
    token_calls: Arc<AtomicUsize>,
}

impl Default for FakeRegistry {
    fn default() -> Self {
        Self {
            password: SecretString::from("fake-registry-token"),
            expires_in: Some(Duration::from_secs(12 * 3600)),
            fault: None,
            repositories: Vec::new(),
            images: Vec::new(),
            page_size: 100,
            caller: "arn:aws:sts::123456789012:assumed-role/dev/me".into(),
            token_calls: Arc::default(),
        }
    }
}

impl FakeRegistry {
    /// A registry that hands out a 12-hour token and lists nothing.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The token's password and how long it lives (`None`: no expiry given).
    #[must_use]
    pub fn token(mut self, password: &str, expires_in: Option<Duration>) -> Self {
        self.password = SecretString::from(password.to_owned());
        self.expires_in = expires_in;
        self
    }

    /// Every call (token, listing, connection test) fails with `fault`.
    #[must_use]
    pub fn failing(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// A repository (no images unless added with [`Self::image`]).
    #[must_use]
    pub fn repository(mut self, name: &str) -> Self {
        self.repositories.push(name.to_owned());
        self
    }

    /// An image in `repository` (which is added when missing).
    #[must_use]
    pub fn image(mut self, repository: &str, digest: &str, tags: &[&str], size: u64) -> Self {
        if !self.repositories.iter().any(|r| r == repository) {
            self.repositories.push(repository.to_owned());
        }
        self.images.push(Image {
            repository: repository.to_owned(),
            digest: digest.to_owned(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            pushed_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            size_bytes: Some(size),
            media_type: Some("application/vnd.oci.image.manifest.v1+json".into()),
        });
        self
    }

    /// Items per listing page (the next token is the offset, opaque to callers).
    #[must_use]
    pub fn page_size(mut self, items: usize) -> Self {
        self.page_size = items.max(1);
        self
    }

    /// How many times a token was asked for (shared by every clone).
    #[must_use]
    pub fn token_calls(&self) -> usize {
        self.token_calls.load(Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), Error> {
        self.fault.as_ref().map_or(Ok(()), |f| Err(f.error()))
    }

    fn page<T: Clone>(&self, items: &[T], next: Option<String>) -> Result<Page<T>, Error> {
        let start = match next {
            None => 0,
            Some(token) => token.parse::<usize>().map_err(|_| {
                crate::aws::service_error(
                    "ecr",
                    "DescribeRepositories",
                    "InvalidParameterException".into(),
                    "Invalid parameter at 'nextToken'".into(),
                    Some(400),
                )
            })?,
        };
        let end = (start + self.page_size).min(items.len());
        Ok(Page {
            items: items.get(start..end).unwrap_or_default().to_vec(),
            next: (end < items.len()).then(|| end.to_string()),
        })
    }

    fn repository_not_found(repository: &str, host: &str) -> Error {
        not_found(
            format!("repository `{repository}` in {host}"),
            "RepositoryNotFoundException",
        )
    }
}

fn not_found(what: String, code: &str) -> Error {
    Error::NotFound {
        what,
        cause: pullpass_core::explain::cause_for_service_error(code, "", "DescribeImages"),
    }
}

/// A [`FakeRegistry`] opened for one spec.
#[derive(Debug)]
struct Opened {
    spec: RegistrySpec,
    host: String,
    fake: FakeRegistry,
}

#[async_trait::async_trait]
impl Registry for Opened {
    async fn credentials(&self) -> Result<Credentials, Error> {
        self.fake.token_calls.fetch_add(1, Ordering::SeqCst);
        self.fake.check()?;
        Ok(Credentials {
            server: self.host.clone(),
            username: "AWS".into(),
            password: self.fake.password.clone(),
            expires_at: self.fake.expires_in.map(|d| SystemTime::now() + d),
        })
    }

    async fn test_connection(&self) -> ConnectionReport {
        let mut report = ConnectionReport::new_for(&self.spec, "privateEcr");
        report.pass("config", format!("fake registry {}", self.host));
        report.credential_source = Some("fake".into());
        report.pass("credentials", "fake credentials");
        report.pass("identity", format!("caller {}", self.fake.caller));
        report.caller_arn = Some(self.fake.caller.clone());
        match self.credentials().await {
            Ok(credentials) => {
                report.token_expires_at = credentials.expires_at.map(crate::format_rfc3339);
                report.token_from_cache = Some(false);
                report.pass("token", format!("token for user {}", credentials.username));
                report.skip("probe", "the fake registry has no /v2/ endpoint");
            }
            Err(error) => {
                report.fail("token", &error);
                report.skip("probe", "needs a token");
            }
        }
        report
    }

    async fn list_repositories(&self, next: Option<String>) -> Result<Page<Repository>, Error> {
        self.fake.check()?;
        let all: Vec<Repository> = self
            .fake
            .repositories
            .iter()
            .map(|name| Repository {
                name: name.clone(),
                uri: format!("{}/{name}", self.host),
                created_at: None,
            })
            .collect();
        self.fake.page(&all, next)
    }

    async fn list_images(
        &self,
        repository: &str,
        next: Option<String>,
    ) -> Result<Page<Image>, Error> {
        self.fake.check()?;
        if !self.fake.repositories.iter().any(|r| r == repository) {
            return Err(FakeRegistry::repository_not_found(repository, &self.host));
        }
        let all: Vec<Image> = self
            .fake
            .images
            .iter()
            .filter(|i| i.repository == repository)
            .cloned()
            .collect();
        self.fake.page(&all, next)
    }

    async fn find_image(&self, repository: &str, tag_or_digest: &str) -> Result<Image, Error> {
        self.fake.check()?;
        if !self.fake.repositories.iter().any(|r| r == repository) {
            return Err(FakeRegistry::repository_not_found(repository, &self.host));
        }
        self.fake
            .images
            .iter()
            .find(|i| {
                i.repository == repository
                    && (i.digest == tag_or_digest || i.tags.iter().any(|t| t == tag_or_digest))
            })
            .cloned()
            .ok_or_else(|| {
                let sep = if tag_or_digest.starts_with("sha256:") {
                    "@"
                } else {
                    ":"
                };
                not_found(
                    format!("image `{repository}{sep}{tag_or_digest}` in {}", self.host),
                    "ImageNotFoundException",
                )
            })
    }
}

/// One role: its ARN, trust policy and merged permissions.
#[derive(Debug, Clone)]
struct FakeRole {
    arn: String,
    trust_policy: String,
    permissions: Option<String>,
}

/// IAM and EKS answered from memory, in the AWS CLI's shapes (see [`crate::AwsDirectory`]).
#[derive(Debug, Clone, Default)]
pub struct FakeDirectory {
    region: Option<String>,
    roles: BTreeMap<String, FakeRole>,
    oidc_providers: BTreeMap<String, String>,
    clusters: BTreeMap<String, String>,
    associations: Vec<(String, String, String, String)>,
    fault: Option<Fault>,
}

impl FakeDirectory {
    /// An empty directory in `region` (EKS look-ups need one).
    #[must_use]
    pub fn new(region: Option<&str>) -> Self {
        Self {
            region: region.map(str::to_owned),
            ..Self::default()
        }
    }

    /// A role (ARN `arn:aws:iam::<account>:role/<name>`) with this trust policy JSON.
    #[must_use]
    pub fn role(mut self, arn: &str, trust_policy: &str) -> Self {
        let name = arn.rsplit('/').next().unwrap_or(arn).to_owned();
        self.roles.insert(
            name,
            FakeRole {
                arn: arn.to_owned(),
                trust_policy: trust_policy.to_owned(),
                permissions: None,
            },
        );
        self
    }

    /// The role's permissions as one policy document (the role must have been added).
    #[must_use]
    pub fn permissions(mut self, role_name: &str, policy: &str) -> Self {
        if let Some(role) = self.roles.get_mut(role_name) {
            role.permissions = Some(policy.to_owned());
        }
        self
    }

    /// An OIDC provider for `url` (no scheme) with these audiences.
    #[must_use]
    pub fn oidc_provider(mut self, arn: &str, url: &str, audiences: &[&str]) -> Self {
        let audiences: Vec<String> = audiences.iter().map(|a| (*a).to_owned()).collect();
        self.oidc_providers.insert(
            arn.to_owned(),
            crate::iam::oidc_provider_text(
                url,
                &audiences,
                &["9e99a48a9960b14926bb7f3b02e22da2b0ab7280".to_owned()],
            ),
        );
        self
    }

    /// An EKS cluster with this OIDC issuer (`https://…`).
    #[must_use]
    pub fn cluster(mut self, name: &str, arn: &str, issuer: &str) -> Self {
        self.clusters.insert(
            name.to_owned(),
            crate::iam::cluster_text(Some(name), Some(arn), Some(issuer)),
        );
        self
    }

    /// A Pod Identity association of `namespace/service_account` in `cluster` to `role_arn`.
    #[must_use]
    pub fn association(
        mut self,
        cluster: &str,
        namespace: &str,
        service_account: &str,
        role_arn: &str,
    ) -> Self {
        self.associations.push((
            cluster.to_owned(),
            namespace.to_owned(),
            service_account.to_owned(),
            role_arn.to_owned(),
        ));
        self
    }

    /// Every look-up fails with `fault`.
    #[must_use]
    pub fn failing(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    fn role_entry(&self, name_or_arn: &str) -> Option<&FakeRole> {
        self.roles.get(crate::iam::role_name(name_or_arn))
    }

    /// EKS's answer for a cluster that does not exist.
    fn no_cluster(name: &str) -> Lookup<String> {
        Lookup::not_found(
            "ResourceNotFoundException",
            &format!("No cluster found for name: {name}."),
        )
    }

    /// IAM's answer for a role that does not exist.
    fn no_role<T>(name_or_arn: &str) -> Lookup<T> {
        Lookup::not_found(
            "NoSuchEntity",
            &format!(
                "The role with name {} cannot be found.",
                crate::iam::role_name(name_or_arn)
            ),
        )
    }
}

#[async_trait::async_trait]
impl Directory for FakeDirectory {
    fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    async fn role(&self, name_or_arn: &str) -> Lookup<RoleFacts> {
        if let Some(fault) = &self.fault {
            return fault.lookup();
        }
        match self.role_entry(name_or_arn) {
            Some(role) => Lookup::Found(RoleFacts {
                arn: role.arn.clone(),
                trust_policy: role.trust_policy.clone(),
            }),
            None => Self::no_role(name_or_arn),
        }
    }

    async fn role_permissions(&self, name_or_arn: &str) -> Lookup<String> {
        if let Some(fault) = &self.fault {
            return fault.lookup();
        }
        match self.role_entry(name_or_arn) {
            Some(role) => Lookup::Found(
                role.permissions
                    .clone()
                    .unwrap_or_else(|| crate::iam::merged_policy(Vec::new())),
            ),
            None => Self::no_role(name_or_arn),
        }
    }

    async fn oidc_provider(&self, arn: &str) -> Lookup<String> {
        if let Some(fault) = &self.fault {
            return fault.lookup();
        }
        match self.oidc_providers.get(arn) {
            Some(text) => Lookup::Found(text.clone()),
            None => Lookup::not_found(
                "NoSuchEntity",
                &format!("OpenIDConnect Provider not found for arn {arn}"),
            ),
        }
    }

    async fn cluster(&self, name: &str) -> Lookup<String> {
        if let Some(fault) = &self.fault {
            return fault.lookup();
        }
        match self.clusters.get(name) {
            Some(text) => Lookup::Found(text.clone()),
            None => Self::no_cluster(name),
        }
    }

    async fn pod_identity_association(
        &self,
        cluster: &str,
        namespace: &str,
        service_account: &str,
    ) -> Lookup<String> {
        if let Some(fault) = &self.fault {
            return fault.lookup();
        }
        if !self.clusters.contains_key(cluster) {
            return Self::no_cluster(cluster);
        }
        let found = self
            .associations
            .iter()
            .enumerate()
            .find(|(_, (c, ns, sa, _))| c == cluster && ns == namespace && sa == service_account);
        match found {
            Some((index, (c, ns, sa, role))) => {
                Lookup::Found(crate::iam::association_text(&crate::iam::Association {
                    cluster_name: Some(c),
                    namespace: Some(ns),
                    service_account: Some(sa),
                    role_arn: Some(role),
                    association_id: Some(&format!("a-{index:017}")),
                    disable_session_tags: Some(false),
                    target_role_arn: None,
                }))
            }
            None => Lookup::NotFound(no_association(cluster, namespace, service_account)),
        }
    }
}

/// A [`Backend`] whose registries are one [`FakeRegistry`] and whose directory is one
/// [`FakeDirectory`]. The spec checks are the real ones: a spec [`crate::open`] refuses is
/// refused here with the same [`Error::Config`].
#[derive(Debug, Clone, Default)]
pub struct FakeBackend {
    pub registry: FakeRegistry,
    pub directory: FakeDirectory,
    opened: Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakeBackend {
    #[must_use]
    pub fn new(registry: FakeRegistry, directory: FakeDirectory) -> Self {
        Self {
            registry,
            directory,
            opened: Arc::default(),
        }
    }

    /// The hosts of every spec opened so far, in order.
    #[must_use]
    pub fn opened(&self) -> Vec<String> {
        self.opened.lock().map(|o| o.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl Backend for FakeBackend {
    fn open(&self, spec: &RegistrySpec, _options: &Options) -> Result<Box<dyn Registry>, Error> {
        crate::target::resolve(spec)?;
        let host = crate::target::normalize_host(&spec.host);
        if let Ok(mut opened) = self.opened.lock() {
            opened.push(host.clone());
        }
        Ok(Box::new(Opened {
            spec: spec.clone(),
            host,
            fake: self.registry.clone(),
        }))
    }

    async fn directory(&self, region: Option<&str>, _options: &Options) -> Box<dyn Directory> {
        let mut directory = self.directory.clone();
        if let Some(region) = region {
            directory.region = Some(region.to_owned());
        }
        Box::new(directory)
    }
}
