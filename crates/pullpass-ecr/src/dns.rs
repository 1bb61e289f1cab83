//! Early DNS: a token fetch starts resolving the API host it is about to call (ECR, and STS
//! when a role is assumed) on a thread of its own, while the SDK configuration and the
//! credential chain load; the SDK's HTTP client is given [`EarlyResolver`], which hands that
//! answer over for that host and resolves every other host (or after a failed or empty early
//! answer) as the default client does: `getaddrinfo` on a blocking thread.
//!
//! Each early answer is used once (a retry or a second connection resolves afresh), and only
//! by the process that asked for it.

use std::net::{IpAddr, ToSocketAddrs as _};
use std::sync::Mutex;

use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use tokio::sync::oneshot;

type Answer = std::io::Result<Vec<IpAddr>>;

/// A look-up under way (or done) for one host.
struct Early {
    host: String,
    answer: oneshot::Receiver<Answer>,
}

/// The early look-ups of this process not yet handed over.
static EARLY: Mutex<Vec<Early>> = Mutex::new(Vec::new());

/// The host of an endpoint URL (`https://api.ecr.us-east-1.amazonaws.com/`), for [`start`].
pub(crate) fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if authority.starts_with('[') {
        // An IPv6 literal: nothing to resolve.
        return None;
    }
    let host = authority.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

/// Starts resolving `host` on a thread of its own, unless it is an IP address or a look-up
/// of it is already waiting to be handed over. Best effort: when no thread can be started the
/// connection resolves the host itself.
pub(crate) fn start(host: &str) {
    if host.is_empty() || host.parse::<IpAddr>().is_ok() {
        return;
    }
    let Ok(mut early) = EARLY.lock() else { return };
    if early.iter().any(|e| e.host.eq_ignore_ascii_case(host)) {
        return;
    }
    let (tx, rx) = oneshot::channel();
    let name = host.to_owned();
    let spawned = std::thread::Builder::new()
        .name("pullpass-dns".into())
        .spawn(move || {
            // The receiver may be gone (the fetch failed before connecting): nothing to do.
            let _ = tx.send(lookup(&name));
        });
    if spawned.is_ok() {
        early.push(Early {
            host: host.to_owned(),
            answer: rx,
        });
    }
}

/// The early look-up of `host`, taken out of the list (it is used once).
fn take(host: &str) -> Option<oneshot::Receiver<Answer>> {
    let mut early = EARLY.lock().ok()?;
    let at = early
        .iter()
        .position(|e| e.host.eq_ignore_ascii_case(host))?;
    Some(early.swap_remove(at).answer)
}

/// What the default client's resolver does: `getaddrinfo` through the standard library.
fn lookup(host: &str) -> Answer {
    Ok((host, 0).to_socket_addrs()?.map(|a| a.ip()).collect())
}

/// The SDK HTTP client's resolver: the early answer for a host [`start`] was called for,
/// else a look-up on tokio's blocking pool.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EarlyResolver;

impl ResolveDns for EarlyResolver {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> DnsFuture<'a> {
        let early = take(name);
        DnsFuture::new(async move {
            if let Some(answer) = early
                && let Ok(Ok(ips)) = answer.await
                && !ips.is_empty()
            {
                return Ok(ips);
            }
            let name = name.to_owned();
            tokio::task::spawn_blocking(move || lookup(&name))
                .await
                .map_err(ResolveDnsError::new)?
                .map_err(ResolveDnsError::new)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_endpoint_urls() {
        assert_eq!(
            url_host("https://api.ecr.us-east-1.amazonaws.com"),
            Some("api.ecr.us-east-1.amazonaws.com")
        );
        assert_eq!(url_host("http://127.0.0.1:5000/x"), Some("127.0.0.1"));
        assert_eq!(
            url_host("https://u:p@vpce.example:443?x"),
            Some("vpce.example")
        );
        assert_eq!(url_host("http://[::1]:5000"), None);
        assert_eq!(url_host("https:///path"), None);
    }

    #[tokio::test]
    async fn an_early_answer_is_handed_over_once_and_other_hosts_resolve_normally() {
        start("localhost");
        start("localhost");
        assert_eq!(
            EARLY
                .lock()
                .unwrap()
                .iter()
                .filter(|e| e.host == "localhost")
                .count(),
            1,
            "one look-up per host"
        );
        let ips = EarlyResolver.resolve_dns("localhost").await.unwrap();
        assert!(ips.iter().all(IpAddr::is_loopback), "{ips:?}");
        assert!(take("localhost").is_none(), "the early answer is used once");
        // Not started early: resolved on the spot, the same way.
        let again = EarlyResolver.resolve_dns("LOCALHOST").await.unwrap();
        assert!(again.iter().all(IpAddr::is_loopback), "{again:?}");
        // IP literals are never looked up early.
        start("127.0.0.1");
        assert!(take("127.0.0.1").is_none());
    }

    #[tokio::test]
    async fn a_failed_or_empty_early_answer_falls_back_to_a_fresh_look_up() {
        // An address literal resolves to itself without a name server, whatever the machine.
        let host = "127.0.0.2";
        let early = |answer: Answer| {
            let (tx, rx) = oneshot::channel();
            EARLY.lock().unwrap().push(Early {
                host: host.to_owned(),
                answer: rx,
            });
            tx.send(answer).unwrap();
        };
        let expected: Vec<IpAddr> = vec![host.parse().unwrap()];
        early(Err(std::io::Error::other("early failure")));
        assert_eq!(EarlyResolver.resolve_dns(host).await.unwrap(), expected);
        early(Ok(Vec::new()));
        assert_eq!(EarlyResolver.resolve_dns(host).await.unwrap(), expected);
        assert!(take(host).is_none());
    }
}
