//! The generic basic-auth plugin: Docker Hub, GHCR, self-hosted registries. Username and
//! password (or token) as configured; the registry's own `/v2/` API for the probe (basic auth
//! or the `WWW-Authenticate: Bearer` token flow), the catalog, tags and manifests.

use pullpass_core::text::percent_decode;
use std::collections::BTreeMap;

use crate::http::{self, Auth, HttpClient};
use crate::report::ReportExt as _;
use crate::target::normalize_host;
use crate::{
    AuthSpec, ConnectionReport, Credentials, Error, Image, Options, Page, Registry, RegistrySpec,
    Repository,
};

const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

#[derive(Debug)]
pub(crate) struct BasicRegistry {
    spec: RegistrySpec,
    host: String,
    base: String,
    client: HttpClient,
    options: Options,
}

impl BasicRegistry {
    pub(crate) fn new(spec: &RegistrySpec, options: &Options) -> Result<Self, Error> {
        let client = HttpClient::new(options).map_err(|e| match e {
            Error::Config { message, .. } => Error::Config {
                registry: spec.name.clone(),
                message,
            },
            other => other,
        })?;
        Ok(Self {
            spec: spec.clone(),
            host: normalize_host(&spec.host),
            base: http::base_url(&spec.host),
            client,
            options: options.clone(),
        })
    }

    fn basic(&self) -> Option<Auth> {
        match &self.spec.auth {
            AuthSpec::Basic { username, password } => Some(Auth::basic(username, password)),
            _ => None,
        }
    }

    async fn auth_for(&self, scope: &str) -> Result<Option<Auth>, Error> {
        let basic = self.basic();
        let login =
            http::login(&self.client, &self.base, basic.as_ref(), Some(scope), false).await?;
        Ok(login.auth)
    }

    /// `GET` a JSON document of the registry API.
    async fn get(
        &self,
        url: &str,
        auth: Option<&Auth>,
        not_found: impl FnOnce() -> String,
    ) -> Result<http::Response, Error> {
        let response = self
            .client
            .send(::http::Method::GET, url, auth, &[])
            .await?;
        match response.status {
            200 => Ok(response),
            404 => Err(Error::NotFound {
                what: not_found(),
                cause: None,
            }),
            status => Err(Error::Registry {
                url: url.to_owned(),
                status,
                message: response.excerpt(),
                cause: pullpass_core::explain::cause_for_registry_status(status, false)
                    .map(str::to_owned),
            }),
        }
    }

    async fn head_manifest(
        &self,
        repository: &str,
        reference: &str,
        auth: Option<&Auth>,
    ) -> Result<Image, Error> {
        let url = format!("{}/v2/{repository}/manifests/{reference}", self.base);
        let response = self
            .client
            .send(::http::Method::HEAD, &url, auth, MANIFEST_TYPES)
            .await?;
        match response.status {
            200 => {
                let digest = response
                    .header("docker-content-digest")
                    .map(str::to_owned)
                    .or_else(|| {
                        reference
                            .starts_with("sha256:")
                            .then(|| reference.to_owned())
                    })
                    .ok_or_else(|| Error::Registry {
                        url: url.clone(),
                        status: 200,
                        message: "the registry did not say the manifest's digest".into(),
                        cause: None,
                    })?;
                Ok(Image {
                    repository: repository.to_owned(),
                    digest,
                    tags: if reference.starts_with("sha256:") {
                        Vec::new()
                    } else {
                        vec![reference.to_owned()]
                    },
                    pushed_at: None,
                    size_bytes: response
                        .header("content-length")
                        .and_then(|v| v.parse().ok()),
                    media_type: response.header("content-type").map(str::to_owned),
                })
            }
            404 => Err(Error::NotFound {
                what: format!(
                    "image `{repository}{}{reference}` in {}",
                    if reference.starts_with("sha256:") {
                        "@"
                    } else {
                        ":"
                    },
                    self.host
                ),
                cause: pullpass_core::explain::cause_for_service_error(
                    "ImageNotFoundException",
                    "",
                    "DescribeImages",
                ),
            }),
            status => Err(Error::Registry {
                url,
                status,
                message: String::new(),
                cause: pullpass_core::explain::cause_for_registry_status(status, false)
                    .map(str::to_owned),
            }),
        }
    }

    fn check_repository(&self, repository: &str) -> Result<(), Error> {
        let ok = !repository.is_empty()
            && repository.split('/').all(|part| {
                !part.is_empty()
                    && part.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)
                    })
            });
        if ok {
            Ok(())
        } else {
            Err(Error::Config {
                registry: self.spec.name.clone(),
                message: format!(
                    "`{repository}` is not a repository name (lower-case letters, digits, `._-`, \
                     components separated by `/`)"
                ),
            })
        }
    }
}

/// The `last` parameter of a `Link: <…?last=x&n=100>; rel="next"` header.
fn next_from_link(link: Option<&str>) -> Option<String> {
    let link = link?;
    if !link.contains("rel=\"next\"") {
        return None;
    }
    let target = link.split('>').next()?.trim_start_matches('<');
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("last="))
        .map(percent_decode)
}

#[async_trait::async_trait]
impl Registry for BasicRegistry {
    async fn credentials(&self) -> Result<Credentials, Error> {
        match &self.spec.auth {
            AuthSpec::Basic { username, password } => Ok(Credentials {
                server: self.host.clone(),
                username: username.clone(),
                password: password.clone(),
                expires_at: None,
            }),
            _ => Err(Error::Config {
                registry: self.spec.name.clone(),
                message: "this registry is anonymous: it has no credentials to print".into(),
            }),
        }
    }

    async fn test_connection(&self) -> ConnectionReport {
        let mut report = ConnectionReport::new_for(&self.spec, "generic");
        report.pass("config", format!("generic registry at {}", self.base));
        match &self.spec.auth {
            AuthSpec::Basic { username, .. } => {
                report.credential_source = Some("basic".into());
                report.pass(
                    "credentials",
                    format!("user {username} with the configured password"),
                );
            }
            _ => {
                report.credential_source = Some("none".into());
                report.skip("credentials", "anonymous");
            }
        }
        let url = format!("{}/v2/", self.base);
        let basic = self.basic();
        match http::login(&self.client, &self.base, basic.as_ref(), None, false).await {
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
        report
    }

    async fn list_repositories(&self, next: Option<String>) -> Result<Page<Repository>, Error> {
        let auth = self.auth_for("registry:catalog:*").await?;
        let mut url = format!(
            "{}/v2/_catalog?n={}",
            self.base,
            self.options.page_size.max(1)
        );
        if let Some(last) = &next {
            url.push_str(&format!("&last={}", http::encode_query(last)));
        }
        let response = self
            .get(&url, auth.as_ref(), || {
                format!("the catalog of {}", self.host)
            })
            .await?;
        #[derive(serde::Deserialize)]
        struct Catalog {
            #[serde(default)]
            repositories: Vec<String>,
        }
        let catalog: Catalog =
            serde_json::from_slice(&response.body).map_err(|e| Error::Registry {
                url: url.clone(),
                status: 200,
                message: format!("the catalog is not the expected JSON: {e}"),
                cause: None,
            })?;
        Ok(Page {
            next: next_from_link(response.header("link")),
            items: catalog
                .repositories
                .into_iter()
                .map(|name| Repository {
                    uri: format!("{}/{name}", self.host),
                    name,
                    created_at: None,
                })
                .collect(),
        })
    }

    async fn list_images(
        &self,
        repository: &str,
        next: Option<String>,
    ) -> Result<Page<Image>, Error> {
        self.check_repository(repository)?;
        let auth = self
            .auth_for(&format!("repository:{repository}:pull"))
            .await?;
        let mut url = format!(
            "{}/v2/{repository}/tags/list?n={}",
            self.base,
            self.options.page_size.max(1)
        );
        if let Some(last) = &next {
            url.push_str(&format!("&last={}", http::encode_query(last)));
        }
        let response = self
            .get(&url, auth.as_ref(), || {
                format!("repository `{repository}` in {}", self.host)
            })
            .await?;
        #[derive(serde::Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let tags: Tags = serde_json::from_slice(&response.body).map_err(|e| Error::Registry {
            url: url.clone(),
            status: 200,
            message: format!("the tag list is not the expected JSON: {e}"),
            cause: None,
        })?;
        // One image per digest, its tags in the order the registry listed them.
        let mut by_digest: BTreeMap<String, Image> = BTreeMap::new();
        let mut order = Vec::new();
        for tag in tags.tags.unwrap_or_default() {
            let image = self.head_manifest(repository, &tag, auth.as_ref()).await?;
            match by_digest.get_mut(&image.digest) {
                Some(existing) => existing.tags.push(tag),
                None => {
                    order.push(image.digest.clone());
                    by_digest.insert(image.digest.clone(), image);
                }
            }
        }
        Ok(Page {
            next: next_from_link(response.header("link")),
            items: order
                .into_iter()
                .filter_map(|d| by_digest.remove(&d))
                .collect(),
        })
    }

    async fn find_image(&self, repository: &str, tag_or_digest: &str) -> Result<Image, Error> {
        self.check_repository(repository)?;
        let auth = self
            .auth_for(&format!("repository:{repository}:pull"))
            .await?;
        self.head_manifest(repository, tag_or_digest, auth.as_ref())
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use pullpass_core::registry::RegistryKind;
    use secrecy::SecretString;

    use crate::{AuthSpec, CacheMode, Options, RegistrySpec};

    /// A registry that speaks the `WWW-Authenticate: Bearer` token flow (as Docker Hub and GHCR
    /// do): `/v2/` wants a bearer token, `/token` hands one out for basic credentials.
    fn bearer_registry(requests: Arc<Mutex<Vec<String>>>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let basic = "Basic Ym90OnMzY3JldA=="; // bot:s3cret
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                let mut auth = String::new();
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    if let Some(v) = line
                        .strip_prefix("authorization: ")
                        .or_else(|| line.strip_prefix("Authorization: "))
                    {
                        auth = v.trim().to_owned();
                    }
                    line.clear();
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .to_owned();
                requests
                    .lock()
                    .unwrap()
                    .push(format!("{path} [{}]", auth.split(' ').next().unwrap_or("")));
                let (status, headers, body) = if path.starts_with("/token") {
                    if auth == basic && path.contains("service=fake") {
                        (
                            "200 OK",
                            String::new(),
                            r#"{"token":"bearer-canary"}"#.to_owned(),
                        )
                    } else {
                        ("401 Unauthorized", String::new(), String::new())
                    }
                } else if auth == "Bearer bearer-canary" {
                    ("200 OK", String::new(), "{}".to_owned())
                } else {
                    (
                        "401 Unauthorized",
                        format!(
                            "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"fake\"\r\n"
                        ),
                        String::new(),
                    )
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        port
    }

    #[tokio::test]
    async fn bearer_token_flow() {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let port = bearer_registry(requests.clone());
        let spec = |password: &str| RegistrySpec {
            name: "hub".into(),
            host: format!("127.0.0.1:{port}"),
            kind: RegistryKind::Generic,
            auth: AuthSpec::Basic {
                username: "bot".into(),
                password: SecretString::from(password),
            },
            assume_role: None,
            host_override: None,
        };
        let options = Options {
            cache: CacheMode::Disabled,
            ..Options::default()
        };
        let report = crate::test_connection(&spec("s3cret"), &options).await;
        assert!(report.ok, "{report:?}");
        let probe = report.probe.unwrap();
        assert!(probe.detail.contains("(bearer token)"), "{}", probe.detail);
        assert_eq!(
            *requests.lock().unwrap(),
            [
                "/v2/ [Basic]",
                "/token?service=fake [Basic]",
                "/v2/ [Bearer]"
            ]
        );

        let report = crate::test_connection(&spec("wrong"), &options).await;
        assert!(!report.ok);
        let shown = format!("{report:?}");
        assert!(!shown.contains("bearer-canary"), "{shown}");
        assert!(report.cause.unwrap().contains("wrong username or password"));
    }
    #[test]
    fn reads_the_next_page_from_link_headers() {
        assert_eq!(
            super::next_from_link(Some(r#"</v2/_catalog?last=team%2Fapp&n=100>; rel="next""#)),
            Some("team/app".into())
        );
        assert_eq!(super::next_from_link(None), None);
        // Never a panic on a broken escape next to a multi-byte character.
        assert_eq!(
            super::next_from_link(Some(r#"</v2/_catalog?last=%é%&n=1>; rel="next""#)),
            Some("%é%".into())
        );
        assert_eq!(
            super::next_from_link(Some(r#"</v2/_catalog?last=a>; rel="prev""#)),
            None
        );
    }
}
