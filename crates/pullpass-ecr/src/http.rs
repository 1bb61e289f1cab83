//! A small HTTP client for registry APIs: the `/v2/` probe, the token flow of
//! `WWW-Authenticate: Bearer`, and the generic registry's catalog and tags.
//!
//! Choice: hyper 1 + hyper-util's client + hyper-rustls over rustls with the ring provider and
//! the platform's root certificates. The AWS SDK's HTTPS client (`aws::sdk_http_client`) is
//! built from exactly these crates, so this adds no second TLS stack and almost no compile time
//! (reqwest would have brought its own copies and features).

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine as _;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use secrecy::{ExposeSecret as _, SecretString};

use crate::{Error, Options};

/// At most this much of a response body is read.
const BODY_LIMIT: usize = 4 * 1024 * 1024;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// An HTTP(S) client with explicit timeouts.
#[derive(Clone)]
pub(crate) struct HttpClient {
    client: Client<Https, Empty<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A response with its body read.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A short, printable excerpt of the body for messages (registries answer JSON errors).
    pub(crate) fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        text.trim().to_owned()
    }
}

/// An `Authorization` header value; `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct Auth(SecretString);

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth(redacted)")
    }
}

impl Auth {
    pub(crate) fn basic(username: &str, password: &SecretString) -> Self {
        let raw = format!("{username}:{}", password.expose_secret());
        Self(SecretString::from(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )))
    }

    pub(crate) fn bearer(token: &str) -> Self {
        Self(SecretString::from(format!("Bearer {token}")))
    }
}

impl HttpClient {
    pub(crate) fn new(options: &Options) -> Result<Self, Error> {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(options.connect_timeout));
        http.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| Error::Config {
                registry: String::new(),
                message: format!(
                    "no trusted root certificates could be loaded for HTTPS ({e}); install the \
                     ca-certificates package or set SSL_CERT_FILE"
                ),
            })?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout: options.timeout,
        })
    }

    /// Sends a `GET` (or `HEAD`) with optional authorization and accept headers.
    pub(crate) async fn send(
        &self,
        method: http::Method,
        url: &str,
        auth: Option<&Auth>,
        accept: &[&str],
    ) -> Result<Response, Error> {
        let unreachable = |message: String| Error::Unreachable {
            service: "registry",
            operation: "HTTP request",
            endpoint: Some(redact_url(url)),
            message,
        };
        let mut request = http::Request::builder().method(method).uri(url).header(
            http::header::USER_AGENT,
            concat!("pullpass/", env!("CARGO_PKG_VERSION")),
        );
        if let Some(auth) = auth {
            let mut value = http::HeaderValue::from_str(auth.0.expose_secret()).map_err(|_| {
                unreachable("the credentials contain characters HTTP headers cannot carry".into())
            })?;
            value.set_sensitive(true);
            request = request.header(http::header::AUTHORIZATION, value);
        }
        for media_type in accept {
            request = request.header(http::header::ACCEPT, *media_type);
        }
        let request = request
            .body(Empty::new())
            .map_err(|e| unreachable(format!("not a valid request URL: {e}")))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| {
                let mut message = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    message.push_str(": ");
                    message.push_str(&s.to_string());
                    source = s.source();
                }
                unreachable(message)
            })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, BODY_LIMIT)
                .collect()
                .await
                .map_err(|e| unreachable(format!("reading the response failed: {e}")))?
                .to_bytes();
            Ok(Response {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body: body.to_vec(),
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| unreachable(format!("timed out after {} s", self.timeout.as_secs())))?
    }
}

/// How a registry let us in.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    /// Status of the final `GET /v2/`.
    pub(crate) status: u16,
    /// `anonymous`, `basic` or `bearer token`.
    pub(crate) method: &'static str,
    /// What to send with further requests in the same scope.
    pub(crate) auth: Option<Auth>,
}

/// Logs in to a registry's `/v2/` API the way docker does: `GET /v2/` (with basic credentials
/// if there are any); on `401` with a `Bearer` challenge, a token from the realm for `scope`
/// (with the basic credentials), then `GET /v2/` again with the token.
pub(crate) async fn login(
    client: &HttpClient,
    base: &str,
    basic: Option<&Auth>,
    scope: Option<&str>,
    ecr: bool,
) -> Result<Login, Error> {
    let v2 = format!("{base}/v2/");
    let first = client.send(http::Method::GET, &v2, basic, &[]).await?;
    if first.status == 200 {
        return Ok(Login {
            status: 200,
            method: if basic.is_some() {
                "basic"
            } else {
                "anonymous"
            },
            auth: basic.cloned(),
        });
    }
    let refused = |r: &Response| Error::Registry {
        url: v2.clone(),
        status: r.status,
        message: r.excerpt(),
        cause: pullpass_core::explain::cause_for_registry_status(r.status, ecr).map(str::to_owned),
    };
    if first.status != 401 {
        return Err(refused(&first));
    }
    let challenge = first
        .header("www-authenticate")
        .and_then(parse_challenge)
        .filter(|c| c.scheme.eq_ignore_ascii_case("bearer"));
    let Some(challenge) = challenge else {
        return Err(refused(&first));
    };
    let Some(realm) = challenge.param("realm") else {
        return Err(Error::Registry {
            url: v2.clone(),
            status: 401,
            message: "the Bearer challenge has no realm".into(),
            cause: None,
        });
    };
    let mut url = realm.to_owned();
    let mut sep = if url.contains('?') { '&' } else { '?' };
    if let Some(service) = challenge.param("service") {
        url.push_str(&format!("{sep}service={}", encode_query(service)));
        sep = '&';
    }
    if let Some(scope) = scope.or_else(|| challenge.param("scope")) {
        url.push_str(&format!("{sep}scope={}", encode_query(scope)));
    }
    let response = client.send(http::Method::GET, &url, basic, &[]).await?;
    if response.status != 200 {
        return Err(Error::Registry {
            url: redact_url(&url),
            status: response.status,
            message: response.excerpt(),
            cause: pullpass_core::explain::cause_for_registry_status(response.status, ecr)
                .map(str::to_owned),
        });
    }
    #[derive(serde::Deserialize)]
    struct TokenResponse {
        token: Option<String>,
        access_token: Option<String>,
    }
    let token = serde_json::from_slice::<TokenResponse>(&response.body)
        .ok()
        .and_then(|t| t.token.or(t.access_token))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::Registry {
            url: redact_url(&url),
            status: response.status,
            message: "the token endpoint answered without a token".into(),
            cause: None,
        })?;
    let bearer = Auth::bearer(&token);
    let second = client
        .send(http::Method::GET, &v2, Some(&bearer), &[])
        .await?;
    if second.status == 200 {
        Ok(Login {
            status: 200,
            method: "bearer token",
            auth: Some(bearer),
        })
    } else {
        Err(refused(&second))
    }
}

/// The URL without its query (token endpoints may carry account names there).
fn redact_url(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_owned()
}

/// `http://` for loopback hosts (and hosts written with `http://`), `https://` otherwise.
pub(crate) fn base_url(host: &str) -> String {
    let trimmed = host.trim();
    if let Some(rest) = trimmed.strip_prefix("http://") {
        return format!("http://{}", rest.trim_end_matches('/'));
    }
    let host = crate::target::normalize_host(trimmed);
    let scheme = if is_loopback(&host) { "http" } else { "https" };
    format!("{scheme}://{host}")
}

fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// One `WWW-Authenticate` challenge: scheme and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) scheme: String,
    pub(crate) params: Vec<(String, String)>,
}

impl Challenge {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`).
pub(crate) fn parse_challenge(value: &str) -> Option<Challenge> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_owned();
        if key.is_empty() {
            break;
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            val.push(n);
                        }
                    }
                    '"' => break,
                    c => val.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek() {
                if *c == ',' {
                    break;
                }
                val.push(*c);
                chars.next();
            }
            val = val.trim().to_owned();
        }
        params.push((key, val));
    }
    Some(Challenge {
        scheme: scheme.to_owned(),
        params,
    })
}

/// Percent-encodes a query parameter value.
pub(crate) fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_use_http() {
        assert_eq!(base_url("127.0.0.1:5000"), "http://127.0.0.1:5000");
        assert_eq!(base_url("localhost"), "http://localhost");
        assert_eq!(base_url("[::1]:5000"), "http://[::1]:5000");
        assert_eq!(
            base_url("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(base_url("https://ghcr.io/"), "https://ghcr.io");
        assert_eq!(
            base_url("http://registry.lan:5000"),
            "http://registry.lan:5000"
        );
    }

    #[test]
    fn parses_bearer_challenges() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c.param("service"), Some("registry.docker.io"));
        assert_eq!(
            c.param("scope"),
            Some("repository:library/alpine:pull,push")
        );
        let basic = parse_challenge(r#"Basic realm="Registry Realm""#).unwrap();
        assert_eq!(basic.scheme, "Basic");
        assert_eq!(basic.param("realm"), Some("Registry Realm"));
    }

    #[test]
    fn auth_debug_is_redacted() {
        let auth = Auth::basic("AWS", &SecretString::from("canary-password"));
        assert_eq!(format!("{auth:?}"), "Auth(redacted)");
    }
}
