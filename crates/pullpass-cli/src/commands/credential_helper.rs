//! `pullpass credential-helper get|list|store|erase` (also run as `docker-credential-pullpass`):
//! the docker credential helper protocol, for docker, skopeo, crane, regctl and oras.
//!
//! `get` mints a token through the registry's backend (from the token cache while fresh);
//! `store` and `erase` succeed without doing anything, because pullpass mints tokens itself
//! and a failing `store` breaks `docker login` (amazon-ecr-credential-helper #102, #154, #574).
//! Errors go to stdout with exit code 1, as the protocol wants.

use std::collections::BTreeMap;

use pullpass_core::config::Auth;
use pullpass_core::registry::RegistryKind;
use pullpass_ecr::{AuthSpec, Credentials, RegistrySpec};
use secrecy::ExposeSecret as _;

use crate::config as cfg;
use crate::exit::Exit;
use crate::protocol::{self, docker};

/// Set to `0` to refuse unconfigured private ECR hosts instead of serving them with ambient
/// credentials.
pub(crate) const ENV_AMBIENT_FALLBACK: &str = "PULLPASS_AMBIENT_FALLBACK";

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// `get`, `list`, `store`, `erase` (payload on stdin) or `version`.
    action: String,
}

impl Args {
    /// The arguments clap gives for `credential-helper <action>` (the CLI's fast path).
    pub(crate) fn new(action: &str) -> Self {
        Self {
            action: action.to_owned(),
        }
    }
}

pub(crate) fn run(args: Args, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    match action(&args.action, backend) {
        Ok(out) => {
            out!("{out}");
            Ok(Exit::Ok)
        }
        Err(message) => {
            // The protocol reads errors from stdout.
            outln!("{message}");
            Ok(Exit::Findings)
        }
    }
}

/// Reads stdin (at most 1 MiB: every payload of the protocols is a line or a small object).
pub(crate) fn read_stdin() -> Result<String, String> {
    crate::input::read_stdin_text(crate::input::MAX_INPUT_BYTES, "the request")
        .map_err(|e| format!("{e:#}"))
}

fn action(action: &str, backend: &dyn pullpass_ecr::Backend) -> Result<String, String> {
    match action {
        "get" => {
            let stdin = read_stdin()?;
            let url = docker::parse_server_url(&stdin)?;
            let host = protocol::normalize_host(url).ok_or(docker::NOT_FOUND)?;
            let credentials = credentials_for(&host, backend)?.ok_or(docker::NOT_FOUND)?;
            Ok(docker::format_get(
                url,
                &credentials.username,
                credentials.password.expose_secret(),
            ))
        }
        "list" => {
            let loaded = cfg::load_or_empty().map_err(|e| format!("pullpass: {e:#}"))?;
            let mut entries = BTreeMap::new();
            for registry in &loaded.config.registries {
                let username = match (&registry.auth, registry.kind) {
                    (Auth::None, _) => continue,
                    (Auth::Basic { username, .. }, _) => username.clone(),
                    (_, RegistryKind::Ecr) => "AWS".to_owned(),
                    (_, RegistryKind::Generic) => continue,
                };
                if let Some(host) = protocol::normalize_host(&registry.host) {
                    entries.insert(host, username);
                }
            }
            Ok(docker::format_list(&entries))
        }
        "store" => {
            let stdin = read_stdin()?;
            let payload = docker::parse_store(&stdin)?;
            // The ServerURL may carry user info (`bot:PASS@host`): shown masked, never as sent.
            protocol::normalize_host(&payload.server_url).ok_or_else(|| {
                format!(
                    "the store payload's ServerURL {:?} is not a registry host",
                    pullpass_core::host::redacted(&payload.server_url)
                )
            })?;
            Ok(String::new())
        }
        "erase" => {
            let stdin = read_stdin()?;
            docker::parse_server_url(&stdin)?;
            Ok(String::new())
        }
        "version" => Ok(format!("pullpass {}\n", env!("CARGO_PKG_VERSION"))),
        other => Err(format!(
            "unknown credential helper action {other:?}; expected get, list, store, erase or version"
        )),
    }
}

/// The backend spec for a registry host: the configured registry with that host, else (for a
/// strictly parsed private ECR host, unless `PULLPASS_AMBIENT_FALLBACK=0`) ambient
/// credentials, as amazon-ecr-credential-helper does. `Ok(None)`: pullpass has nothing for
/// this host (unknown, or configured with `auth = "none"`).
pub(crate) fn spec_for_host(host: &str) -> Result<Option<RegistrySpec>, String> {
    let loaded = match cfg::load_or_empty() {
        Ok(loaded) => loaded,
        // A broken config must not break every pull (Docker Hub included): a host the file
        // does not mention is answered as if there were no config, with a warning; a host it
        // mentions gets the error, since its settings cannot be read.
        Err(e) => {
            let message = format!("pullpass: {e:#}");
            let mentioned = cfg::path()
                .ok()
                .and_then(|p| {
                    crate::input::read_text(&p, crate::input::MAX_INPUT_BYTES, "the config file")
                        .ok()
                })
                .is_none_or(|text| {
                    text.to_ascii_lowercase()
                        .contains(&host.to_ascii_lowercase())
                });
            if mentioned {
                return Err(message);
            }
            #[allow(clippy::print_stderr)]
            {
                eprintln!("warning: {message}; answering for {host} as if there were no config");
            }
            cfg::Loaded::empty()
        }
    };
    if let Some((index, registry)) = protocol::match_registry(&loaded.config, host) {
        if matches!(registry.auth, Auth::None) {
            return Ok(None);
        }
        return cfg::to_spec(&loaded, index)
            .map(Some)
            .map_err(|e| format!("pullpass: {e:#}"));
    }
    let fallback_off = std::env::var(ENV_AMBIENT_FALLBACK).is_ok_and(|v| v == "0");
    if fallback_off || !protocol::ambient_fallback_allowed(host) {
        return Ok(None);
    }
    Ok(Some(RegistrySpec {
        name: host.to_owned(),
        host: host.to_owned(),
        kind: RegistryKind::Ecr,
        auth: AuthSpec::Ambient,
        assume_role: None,
        host_override: None,
    }))
}

/// Login credentials for a registry host (see [`spec_for_host`]).
pub(crate) fn credentials_for(
    host: &str,
    backend: &dyn pullpass_ecr::Backend,
) -> Result<Option<Credentials>, String> {
    let Some(spec) = spec_for_host(host)? else {
        return Ok(None);
    };
    let options = pullpass_ecr::Options::from_env();
    let registry = backend
        .open(&spec, &options)
        .map_err(|e| describe(&spec, &e))?;
    pullpass_ecr::block_on(registry.credentials())
        .map(Some)
        .map_err(|e| describe(&spec, &e))
}

fn describe(spec: &RegistrySpec, error: &pullpass_ecr::Error) -> String {
    let mut message = if error.kind() == "config" {
        format!("pullpass: {error}")
    } else {
        format!("pullpass: registry {:?}: {error}", spec.name)
    };
    if let Some(cause) = error.cause() {
        message.push_str(" (");
        message.push_str(cause);
        message.push(')');
    }
    message
}
