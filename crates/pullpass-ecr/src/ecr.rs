//! The private and public ECR plugins.
//!
//! Private ECR: `GetAuthorizationToken` *without* `registryIds`, in the registry's region (from
//! the host, or the override for vanity hosts), against the FIPS API endpoint for FIPS hosts and
//! the dual-stack endpoint for dual-stack hosts. The token (base64 of `AWS:<password>`) works
//! for every registry in that region the caller may reach, so the cache key has no account.
//! Public ECR: `ecr-public:GetAuthorizationToken` in us-east-1, the only region it works in.

use std::time::SystemTime;

use aws_sdk_ecr::config::endpoint::{Params, ResolveEndpoint as _};
use tokio::sync::OnceCell;

use crate::aws::{self, Session, map_sdk_error};
use crate::cache::{CacheKey, Token};
use crate::http::{self, Auth, HttpClient};
use crate::report::ReportExt as _;
use crate::target::{EcrTarget, normalize_host};
use crate::{
    AuthSpec, ConnectionReport, Credentials, Error, Image, Options, Page, Registry, RegistrySpec,
    Repository, TokenCache, format_rfc3339,
};

/// Shared parts of both ECR plugins.
#[derive(Debug)]
struct Common {
    spec: RegistrySpec,
    host: String,
    options: Options,
    cache: Option<TokenCache>,
    session: OnceCell<Session>,
    endpoint: aws::Endpoint,
    partition: String,
    service: &'static str,
}

impl Common {
    fn new(
        spec: &RegistrySpec,
        options: &Options,
        endpoint: aws::Endpoint,
        partition: String,
        service: &'static str,
    ) -> Self {
        Self {
            spec: spec.clone(),
            host: normalize_host(&spec.host),
            options: options.clone(),
            cache: options
                .cache
                .resolve()
                .map(|dir| TokenCache::new(dir, options.clock.clone())),
            session: OnceCell::new(),
            endpoint,
            partition,
            service,
        }
    }

    async fn session(&self) -> Result<&Session, Error> {
        self.session
            .get_or_try_init(|| aws::session(&self.spec, &self.endpoint, &self.options))
            .await
    }

    fn cache_key(&self) -> CacheKey {
        CacheKey {
            identity: aws::source_identity(&self.spec, &self.options),
            partition: self.partition.clone(),
            region: self.endpoint.region.clone(),
            service: self.service.to_owned(),
        }
    }

    /// The token from the cache while fresh, else from `fetch`; and whether it was cached.
    /// The token from the cache, else from the future `fetch` makes (boxed, as
    /// [`TokenCache::get_or_refresh`] says why).
    async fn token<F, Fut>(&self, fetch: F) -> Result<(Token, bool), Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Token, Error>>,
    {
        let (token, cached) = match &self.cache {
            Some(cache) => cache.get_or_refresh(&self.cache_key(), fetch).await?,
            None => (Box::pin(fetch()).await?, false),
        };
        // Never hand out a token that is already expired (a service clock ahead of ours, a
        // token that expired while we waited): `login`, `get` and the kubelet provider would
        // otherwise answer with exit 0 and the pull fails later with an opaque 401.
        if let Some(at) = token.expires_at
            && at <= self.options.clock.now()
        {
            return Err(Error::InvalidToken {
                service: self.service,
                message: format!(
                    "it expired at {} by this machine's clock, before it could be used; check \
                     the clock (`timedatectl`) and retry",
                    crate::format_rfc3339(at)
                ),
            });
        }
        Ok((token, cached))
    }

    fn credentials(&self, token: Token) -> Credentials {
        Credentials {
            server: self.host.clone(),
            username: token.username,
            password: token.password,
            expires_at: token.expires_at,
        }
    }

    fn config_error(&self, message: impl Into<String>) -> Error {
        Error::Config {
            registry: self.spec.name.clone(),
            message: message.into(),
        }
    }

    /// Fills the credential, identity, token and probe checks of a report.
    async fn test<F, Fut>(&self, report: &mut ConnectionReport, fetch: F)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Token, Error>>,
    {
        let session = match self.session().await {
            Ok(session) => session,
            Err(error) => {
                report.fail("credentials", &error);
                for name in ["identity", "token", "probe"] {
                    report.skip(name, "needs credentials");
                }
                return;
            }
        };
        report.credential_source = Some(session.source.clone());
        let mut detail = format!(
            "{} credentials from {}",
            self.spec.auth.mode(),
            session.source
        );
        if let Some(at) = session.credentials_expire_at {
            detail.push_str(&format!(", valid until {}", format_rfc3339(at)));
        }
        report.pass("credentials", detail);

        let sts = aws_sdk_sts::Client::new(&session.config);
        match sts.get_caller_identity().send().await {
            Ok(identity) => {
                let arn = identity.arn().unwrap_or_default().to_owned();
                report.pass("identity", format!("caller {arn}"));
                report.caller_arn = Some(arn);
            }
            Err(error) => {
                let error = map_sdk_error("sts", "GetCallerIdentity", None, error);
                report.fail("identity", &error);
            }
        }

        let token = match self.token(fetch).await {
            Ok((token, from_cache)) => {
                report.token_from_cache = Some(from_cache);
                let origin = if from_cache {
                    "from the cache"
                } else {
                    "fresh"
                };
                match token.expires_at {
                    Some(at) => {
                        report.token_expires_at = Some(format_rfc3339(at));
                        if at <= self.options.clock.now() {
                            report.warn(
                                "token",
                                format!(
                                    "token for user {} ({origin}) says it expired at {}: the \
                                     registry may refuse it; is this machine's clock right?",
                                    token.username,
                                    format_rfc3339(at)
                                ),
                            );
                        } else {
                            report.pass(
                                "token",
                                format!(
                                    "token for user {} ({origin}), expires {}",
                                    token.username,
                                    format_rfc3339(at)
                                ),
                            );
                        }
                    }
                    None => report.warn(
                        "token",
                        format!(
                            "token for user {} has no expiry: it is not cached",
                            token.username
                        ),
                    ),
                }
                token
            }
            Err(error) => {
                report.fail("token", &error);
                report.skip("probe", "needs a token");
                return;
            }
        };
        probe(report, &self.options, &self.host, &token, true).await;
    }
}

/// `GET /v2/` of the registry with the token, the way docker logs in.
async fn probe(
    report: &mut ConnectionReport,
    options: &Options,
    host: &str,
    token: &Token,
    ecr: bool,
) {
    let base = http::base_url(host);
    let url = format!("{base}/v2/");
    let client = match HttpClient::new(options) {
        Ok(client) => client,
        Err(error) => {
            report.fail("probe", &error);
            return;
        }
    };
    let basic = Auth::basic(&token.username, &token.password);
    let outcome = http::login(&client, &base, Some(&basic), None, ecr).await;
    let (status, ok, detail, cause) = match outcome {
        Ok(login) => (
            Some(login.status),
            true,
            format!("GET {url} → {} ({})", login.status, login.method),
            None,
        ),
        Err(Error::Registry {
            status,
            message,
            cause,
            ..
        }) => (
            Some(status),
            false,
            format!(
                "GET {url} → {status}{}",
                if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                }
            ),
            cause,
        ),
        Err(error) => (
            None,
            false,
            match &error {
                Error::Unreachable { message, .. } => format!("GET {url} failed: {message}"),
                other => format!("GET {url} failed: {other}"),
            },
            Some(if ecr {
                pullpass_core::explain::cause_for_unreachable_registry().to_owned()
            } else {
                "the registry host does not answer from here: DNS, a firewall or a proxy".to_owned()
            }),
        ),
    };
    report.probe = Some(crate::Probe {
        url,
        status,
        ok,
        detail: detail.clone(),
    });
    if ok {
        report.pass("probe", detail);
    } else {
        report.fail_with("probe", detail, cause);
    }
}

fn system_time(at: Option<&aws_smithy_types::DateTime>) -> Option<SystemTime> {
    at.and_then(|d| SystemTime::try_from(*d).ok())
}

fn invalid_token(service: &'static str, message: impl Into<String>) -> Error {
    Error::InvalidToken {
        service,
        message: message.into(),
    }
}

fn decode(
    service: &'static str,
    token: Option<&str>,
    expires: Option<&aws_smithy_types::DateTime>,
) -> Result<Token, Error> {
    let token =
        token.ok_or_else(|| invalid_token(service, "the response has no authorizationToken"))?;
    let (username, password) =
        crate::decode_authorization_token(token).map_err(|m| invalid_token(service, m))?;
    let expires_at = system_time(expires);
    if expires_at.is_none() {
        tracing::warn!("{service} returned a token without expiresAt: it will not be cached");
    }
    Ok(Token {
        username,
        password,
        expires_at,
    })
}

/// Turns "not found" refusals into [`Error::NotFound`].
fn not_found(error: Error, what: impl FnOnce(&str) -> Option<String>) -> Error {
    match error {
        Error::Service {
            ref code,
            ref cause,
            ..
        } => match what(code) {
            Some(what) => Error::NotFound {
                what,
                cause: cause.clone(),
            },
            None => error,
        },
        other => other,
    }
}

/// Private ECR (`<account>.dkr.ecr.<region>.<suffix>` and its FIPS / dual-stack forms).
#[derive(Debug)]
pub(crate) struct PrivateEcr {
    common: Common,
    target: EcrTarget,
}

impl PrivateEcr {
    pub(crate) fn new(
        spec: &RegistrySpec,
        target: EcrTarget,
        options: &Options,
    ) -> Result<Self, Error> {
        let endpoint = aws::Endpoint {
            region: target.region.clone(),
            fips: target.fips,
            dual_stack: target.dual_stack,
        };
        Ok(Self {
            common: Common::new(spec, options, endpoint, target.partition.clone(), "ecr"),
            target,
        })
    }

    async fn client(&self) -> Result<aws_sdk_ecr::Client, Error> {
        Ok(aws_sdk_ecr::Client::new(
            &self.common.session().await?.config,
        ))
    }

    /// The ECR API endpoint the SDK will call (an override from the environment wins).
    async fn api_endpoint(&self) -> Option<String> {
        if let Some(url) = aws::endpoint_override(&self.common.options) {
            return Some(url);
        }
        let params = Params::builder()
            .region(self.target.region.clone())
            .use_fips(self.target.fips)
            .use_dual_stack(self.target.dual_stack)
            .build()
            .ok()?;
        aws_sdk_ecr::config::endpoint::DefaultResolver::new()
            .resolve_endpoint(&params)
            .await
            .ok()
            .map(|e| e.url().to_owned())
    }

    async fn fetch_token(&self) -> Result<Token, Error> {
        let endpoint = self.api_endpoint().await;
        let client = self.client().await?;
        let response =
            client.get_authorization_token().send().await.map_err(|e| {
                map_sdk_error("ecr", "GetAuthorizationToken", endpoint.as_deref(), e)
            })?;
        let data = response
            .authorization_data()
            .first()
            .ok_or_else(|| invalid_token("ecr", "the response has no authorizationData"))?;
        decode("ecr", data.authorization_token(), data.expires_at())
    }

    fn page_size(&self) -> i32 {
        i32::try_from(self.common.options.page_size.clamp(1, 1000)).unwrap_or(100)
    }
}

#[async_trait::async_trait]
impl Registry for PrivateEcr {
    async fn credentials(&self) -> Result<Credentials, Error> {
        if matches!(self.common.spec.auth, AuthSpec::Anonymous) {
            return Err(self.common.config_error(
                "private ECR needs AWS credentials: give access keys, a profile, or use ambient \
                 credentials (IRSA, EKS Pod Identity, an instance role)",
            ));
        }
        let (token, _) = self.common.token(|| self.fetch_token()).await?;
        Ok(self.common.credentials(token))
    }

    async fn test_connection(&self) -> ConnectionReport {
        let t = &self.target;
        let mut report = ConnectionReport::new_for(&self.common.spec, "privateEcr");
        report.account = Some(t.account.clone());
        report.partition = Some(t.partition.clone());
        report.region = Some(t.region.clone());
        report.fips = t.fips;
        report.dual_stack = t.dual_stack;
        report.from_override = t.from_override;
        report.api_endpoint = self.api_endpoint().await;
        let mut detail = format!(
            "private ECR registry of account {} in {} (partition {})",
            t.account, t.region, t.partition
        );
        if t.fips {
            detail.push_str(", FIPS endpoint");
        }
        if t.dual_stack {
            detail.push_str(", dual-stack");
        }
        if t.from_override {
            detail.push_str(", account and region from the override");
        }
        report.pass("config", detail);
        if matches!(self.common.spec.auth, AuthSpec::Anonymous) {
            report.fail_with(
                "credentials",
                "no credentials configured".into(),
                Some("private ECR needs AWS credentials: give access keys or use ambient credentials".into()),
            );
            return report;
        }
        self.common.test(&mut report, || self.fetch_token()).await;
        report
    }

    async fn list_repositories(&self, next: Option<String>) -> Result<Page<Repository>, Error> {
        let client = self.client().await?;
        let response = client
            .describe_repositories()
            .registry_id(&self.target.account)
            .max_results(self.page_size())
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_sdk_error("ecr", "DescribeRepositories", None, e))?;
        let items = response
            .repositories()
            .iter()
            .map(|r| {
                let name = r.repository_name().unwrap_or_default().to_owned();
                Repository {
                    uri: format!("{}/{name}", self.common.host),
                    name,
                    created_at: system_time(r.created_at()),
                }
            })
            .collect();
        Ok(Page {
            items,
            next: response.next_token().map(str::to_owned),
        })
    }

    async fn list_images(
        &self,
        repository: &str,
        next: Option<String>,
    ) -> Result<Page<Image>, Error> {
        let client = self.client().await?;
        let response = client
            .describe_images()
            .registry_id(&self.target.account)
            .repository_name(repository)
            .max_results(self.page_size())
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| {
                not_found(map_sdk_error("ecr", "DescribeImages", None, e), |code| {
                    (code == "RepositoryNotFoundException")
                        .then(|| format!("repository `{repository}` in {}", self.common.host))
                })
            })?;
        let items = response
            .image_details()
            .iter()
            .map(|d| image_from(repository, d))
            .collect();
        Ok(Page {
            items,
            next: response.next_token().map(str::to_owned),
        })
    }

    async fn find_image(&self, repository: &str, tag_or_digest: &str) -> Result<Image, Error> {
        let client = self.client().await?;
        let id = aws_sdk_ecr::types::ImageIdentifier::builder();
        let id = if tag_or_digest.starts_with("sha256:") {
            id.image_digest(tag_or_digest)
        } else {
            id.image_tag(tag_or_digest)
        }
        .build();
        let response = client
            .describe_images()
            .registry_id(&self.target.account)
            .repository_name(repository)
            .image_ids(id)
            .send()
            .await
            .map_err(|e| {
                not_found(
                    map_sdk_error("ecr", "DescribeImages", None, e),
                    |code| match code {
                        "RepositoryNotFoundException" => {
                            Some(format!("repository `{repository}` in {}", self.common.host))
                        }
                        "ImageNotFoundException" => Some(format!(
                            "image `{repository}{}{tag_or_digest}` in {}",
                            if tag_or_digest.starts_with("sha256:") {
                                "@"
                            } else {
                                ":"
                            },
                            self.common.host
                        )),
                        _ => None,
                    },
                )
            })?;
        response
            .image_details()
            .first()
            .map(|d| image_from(repository, d))
            .ok_or_else(|| Error::NotFound {
                what: format!(
                    "image `{repository}:{tag_or_digest}` in {}",
                    self.common.host
                ),
                cause: pullpass_core::explain::cause_for_service_error(
                    "ImageNotFoundException",
                    "",
                    "DescribeImages",
                ),
            })
    }
}

fn image_from(repository: &str, d: &aws_sdk_ecr::types::ImageDetail) -> Image {
    Image {
        repository: repository.to_owned(),
        digest: d.image_digest().unwrap_or_default().to_owned(),
        tags: d.image_tags().to_vec(),
        pushed_at: system_time(d.image_pushed_at()),
        size_bytes: d.image_size_in_bytes().and_then(|s| u64::try_from(s).ok()),
        media_type: d.image_manifest_media_type().map(str::to_owned),
    }
}

/// Public ECR (`public.ecr.aws`, `ecr-public.aws.com`).
#[derive(Debug)]
pub(crate) struct PublicEcr {
    common: Common,
}

impl PublicEcr {
    pub(crate) fn new(spec: &RegistrySpec, options: &Options) -> Result<Self, Error> {
        let endpoint = aws::Endpoint {
            region: "us-east-1".into(),
            fips: false,
            dual_stack: false,
        };
        Ok(Self {
            common: Common::new(spec, options, endpoint, "aws".into(), "ecr-public"),
        })
    }

    async fn client(&self) -> Result<aws_sdk_ecrpublic::Client, Error> {
        Ok(aws_sdk_ecrpublic::Client::new(
            &self.common.session().await?.config,
        ))
    }

    async fn fetch_token(&self) -> Result<Token, Error> {
        let client = self.client().await?;
        let response = client
            .get_authorization_token()
            .send()
            .await
            .map_err(|e| map_sdk_error("ecr-public", "GetAuthorizationToken", None, e))?;
        let data = response
            .authorization_data()
            .ok_or_else(|| invalid_token("ecr-public", "the response has no authorizationData"))?;
        decode("ecr-public", data.authorization_token(), data.expires_at())
    }
}

#[async_trait::async_trait]
impl Registry for PublicEcr {
    async fn credentials(&self) -> Result<Credentials, Error> {
        if matches!(self.common.spec.auth, AuthSpec::Anonymous) {
            return Err(self.common.config_error(
                "public ECR needs no credentials to pull; this registry is anonymous, so there \
                 is no token to print (configure AWS credentials only to raise rate limits)",
            ));
        }
        let (token, _) = self.common.token(|| self.fetch_token()).await?;
        Ok(self.common.credentials(token))
    }

    async fn test_connection(&self) -> ConnectionReport {
        let mut report = ConnectionReport::new_for(&self.common.spec, "publicEcr");
        report.partition = Some("aws".into());
        report.region = Some("us-east-1".into());
        report.dual_stack = self.common.host == "ecr-public.aws.com";
        report.pass(
            "config",
            "public ECR: pulls need no credentials; authenticated pulls (higher rate limits) \
             get their token from ecr-public in us-east-1",
        );
        if matches!(self.common.spec.auth, AuthSpec::Anonymous) {
            report.credential_source = Some("none".into());
            report.skip("credentials", "anonymous");
            report.skip("identity", "anonymous");
            report.skip("token", "anonymous pulls need no token");
            anonymous_probe(&mut report, &self.common.options, &self.common.host).await;
            return report;
        }
        self.common.test(&mut report, || self.fetch_token()).await;
        report
    }

    async fn list_repositories(&self, next: Option<String>) -> Result<Page<Repository>, Error> {
        let client = self.client().await?;
        let response = client
            .describe_repositories()
            .max_results(i32::try_from(self.common.options.page_size.clamp(1, 1000)).unwrap_or(100))
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_sdk_error("ecr-public", "DescribeRepositories", None, e))?;
        let items = response
            .repositories()
            .iter()
            .map(|r| {
                let name = r.repository_name().unwrap_or_default().to_owned();
                Repository {
                    uri: r
                        .repository_uri()
                        .map_or_else(|| format!("{}/{name}", self.common.host), str::to_owned),
                    name,
                    created_at: system_time(r.created_at()),
                }
            })
            .collect();
        Ok(Page {
            items,
            next: response.next_token().map(str::to_owned),
        })
    }

    async fn list_images(
        &self,
        repository: &str,
        next: Option<String>,
    ) -> Result<Page<Image>, Error> {
        let client = self.client().await?;
        let response = client
            .describe_images()
            .repository_name(repository)
            .max_results(i32::try_from(self.common.options.page_size.clamp(1, 1000)).unwrap_or(100))
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| {
                not_found(
                    map_sdk_error("ecr-public", "DescribeImages", None, e),
                    |code| {
                        (code == "RepositoryNotFoundException")
                            .then(|| format!("repository `{repository}` in public ECR"))
                    },
                )
            })?;
        let items = response
            .image_details()
            .iter()
            .map(|d| Image {
                repository: repository.to_owned(),
                digest: d.image_digest().unwrap_or_default().to_owned(),
                tags: d.image_tags().to_vec(),
                pushed_at: system_time(d.image_pushed_at()),
                size_bytes: d.image_size_in_bytes().and_then(|s| u64::try_from(s).ok()),
                media_type: d.image_manifest_media_type().map(str::to_owned),
            })
            .collect();
        Ok(Page {
            items,
            next: response.next_token().map(str::to_owned),
        })
    }

    async fn find_image(&self, repository: &str, tag_or_digest: &str) -> Result<Image, Error> {
        let mut next = None;
        loop {
            let page = self.list_images(repository, next).await?;
            if let Some(image) = page
                .items
                .into_iter()
                .find(|i| i.digest == tag_or_digest || i.tags.iter().any(|t| t == tag_or_digest))
            {
                return Ok(image);
            }
            match page.next {
                Some(token) => next = Some(token),
                None => {
                    return Err(Error::NotFound {
                        what: format!("image `{repository}:{tag_or_digest}` in public ECR"),
                        cause: pullpass_core::explain::cause_for_service_error(
                            "ImageNotFoundException",
                            "",
                            "DescribeImages",
                        ),
                    });
                }
            }
        }
    }
}

/// The anonymous `/v2/` probe (token flow without credentials).
async fn anonymous_probe(report: &mut ConnectionReport, options: &Options, host: &str) {
    let base = http::base_url(host);
    let url = format!("{base}/v2/");
    let result = match HttpClient::new(options) {
        Ok(client) => http::login(&client, &base, None, None, false).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(login) => {
            let detail = format!("GET {url} → {} ({})", login.status, login.method);
            report.probe = Some(crate::Probe {
                url,
                status: Some(login.status),
                ok: true,
                detail: detail.clone(),
            });
            report.pass("probe", detail);
        }
        Err(error) => {
            let status = match &error {
                Error::Registry { status, .. } => Some(*status),
                _ => None,
            };
            report.probe = Some(crate::Probe {
                url,
                status,
                ok: false,
                detail: error.to_string(),
            });
            report.fail("probe", &error);
        }
    }
}

#[cfg(test)]
mod tests {
    use pullpass_core::registry::RegistryKind;

    use crate::{AuthSpec, CacheMode, Options, RegistrySpec};

    async fn endpoint_of(host: &str) -> Option<String> {
        let spec = RegistrySpec {
            name: "t".into(),
            host: host.into(),
            kind: RegistryKind::Ecr,
            auth: AuthSpec::Anonymous,
            assume_role: None,
            host_override: None,
        };
        let options = Options {
            cache: CacheMode::Disabled,
            ..Options::default()
        };
        // Anonymous private ECR stops after the config check: no network.
        let report = crate::test_connection(&spec, &options).await;
        assert!(!report.ok);
        report.api_endpoint
    }

    #[tokio::test]
    async fn a_silent_endpoint_is_unreachable_within_the_timeout() {
        // Accepts connections and never answers.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().take(8) {
                held.push(stream);
            }
        });
        let spec = RegistrySpec {
            name: "t".into(),
            host: "123456789012.dkr.ecr.eu-central-1.amazonaws.com".into(),
            kind: RegistryKind::Ecr,
            auth: AuthSpec::Static {
                access_key_id: "AKIAIOSFODNN7PULLPAS".into(),
                secret_access_key: "canary-timeout-secret".into(),
                session_token: None,
            },
            assume_role: None,
            host_override: None,
        };
        let options = Options {
            cache: CacheMode::Disabled,
            timeout: std::time::Duration::from_millis(500),
            max_attempts: 2,
            endpoint_url: Some(format!("http://127.0.0.1:{port}")),
            ..Options::default()
        };
        let started = std::time::Instant::now();
        let registry = crate::open(&spec, &options).unwrap();
        let error = registry.credentials().await.unwrap_err();
        assert!(
            matches!(error, crate::Error::Unreachable { .. }),
            "{error:?}"
        );
        assert!(!error.is_refusal());
        assert!(error.to_string().contains("timed out"), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(!format!("{error:?}").contains("canary-timeout-secret"));
    }

    #[tokio::test]
    async fn anonymous_public_ecr_needs_no_token() {
        let spec = RegistrySpec {
            name: "public".into(),
            host: "public.ecr.aws".into(),
            kind: RegistryKind::Ecr,
            auth: AuthSpec::Anonymous,
            assume_role: None,
            host_override: None,
        };
        let registry = crate::open(&spec, &Options::default()).unwrap();
        let error = registry.credentials().await.unwrap_err();
        assert!(
            error.to_string().contains("needs no credentials"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn fips_and_dual_stack_hosts_use_their_api_endpoints() {
        assert!(
            crate::aws::endpoint_override(&Options::default()).is_none(),
            "AWS_ENDPOINT_URL* is set in this environment and would win over the endpoint rules"
        );
        assert_eq!(
            endpoint_of("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")
                .await
                .as_deref(),
            Some("https://api.ecr-fips.us-gov-west-1.amazonaws.com")
        );
        assert_eq!(
            endpoint_of("123456789012.dkr.ecr.eu-central-1.amazonaws.com")
                .await
                .as_deref(),
            Some("https://api.ecr.eu-central-1.amazonaws.com")
        );
        assert_eq!(
            endpoint_of("210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn")
                .await
                .as_deref(),
            Some("https://api.ecr.cn-north-1.amazonaws.com.cn")
        );
        let dual = endpoint_of("123456789012.dkr-ecr.us-west-2.on.aws")
            .await
            .unwrap();
        assert!(dual.ends_with(".api.aws"), "{dual}");
    }
}
