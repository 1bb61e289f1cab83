//! `pullpass login NAME --format docker-config|docker-login|k8s-secret|env`: registry
//! credentials in the shape the consumer takes (protocols.md). These outputs exist to carry the
//! token, so it is printed on stdout; everything else goes to stderr.

use std::fmt::Write as _;
use std::time::SystemTime;

use base64::Engine as _;
use pullpass_ecr::{Credentials, format_rfc3339};
use secrecy::ExposeSecret as _;

use super::registry_ref::{RegistryArgs, report_error};
use crate::exit::Exit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LoginFormat {
    /// A docker `config.json` with an `auths` entry for the registry.
    DockerConfig,
    /// The password alone, for `docker login --username AWS --password-stdin HOST`.
    DockerLogin,
    /// A Kubernetes `kubernetes.io/dockerconfigjson` image pull secret (YAML).
    K8sSecret,
    /// Shell `export` lines: PULLPASS_REGISTRY, PULLPASS_USERNAME, PULLPASS_PASSWORD,
    /// PULLPASS_EXPIRES_AT.
    Env,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    registry: RegistryArgs,
    /// Output shape.
    #[arg(long, value_enum, default_value = "docker-config")]
    format: LoginFormat,
    /// k8s-secret: the Secret's name [default: <registry name>-pull-secret].
    #[arg(long, value_name = "NAME")]
    secret_name: Option<String>,
    /// k8s-secret: the Secret's namespace.
    #[arg(long, value_name = "NAMESPACE")]
    namespace: Option<String>,
}

pub(crate) fn run(args: Args, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    let (spec, registry) = args.registry.open(backend)?;
    let creds = match pullpass_ecr::block_on(registry.credentials()) {
        Ok(creds) => creds,
        Err(error) => return Ok(report_error(&error)),
    };
    let out = match args.format {
        LoginFormat::DockerConfig => docker_config(&creds),
        LoginFormat::DockerLogin => {
            errln!(
                "pipe this into: docker login --username {} --password-stdin {}",
                creds.username,
                creds.server
            );
            format!("{}\n", creds.password.expose_secret())
        }
        LoginFormat::K8sSecret => {
            let name = args
                .secret_name
                .unwrap_or_else(|| format!("{}-pull-secret", dns_label(&spec.name)));
            let secret = k8s_secret(&creds, &name, args.namespace.as_deref(), &spec.name);
            if let Some(at) = creds.expires_at {
                errln!(
                    "note: this secret goes stale at {} (ECR tokens last 12 hours); refresh it \
                     before then with `pullpass login {} --format k8s-secret | kubectl apply -f -` \
                     (e.g. a CronJob every 6 hours), or let the kubelet fetch tokens itself with \
                     `pullpass kubelet-credential-provider`",
                    format_rfc3339(at),
                    spec.name
                );
            }
            secret
        }
        LoginFormat::Env => env(&creds),
    };
    out!("{out}");
    Ok(Exit::Ok)
}

fn basic_auth(creds: &Credentials) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        creds.username,
        creds.password.expose_secret()
    ))
}

/// `{"auths": {"<host>": {"auth": base64("AWS:<password>")}}}`.
fn docker_config(creds: &Credentials) -> String {
    let doc = serde_json::json!({
        "auths": { creds.server.as_str(): { "auth": basic_auth(creds) } }
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// A `kubernetes.io/dockerconfigjson` Secret, with the expiry as an annotation and a comment.
fn k8s_secret(creds: &Credentials, name: &str, namespace: Option<&str>, registry: &str) -> String {
    let config = serde_json::json!({
        "auths": { creds.server.as_str(): {
            "username": creds.username,
            "password": creds.password.expose_secret(),
            "auth": basic_auth(creds),
        } }
    });
    let data = base64::engine::general_purpose::STANDARD.encode(config.to_string());
    let mut out = String::new();
    if let Some(at) = creds.expires_at {
        let _ = writeln!(
            out,
            "# Image pull secret for {host}, made by pullpass. The registry token in it expires at\n\
             # {expires} ({hours}); refresh before then:\n\
             #   pullpass login {registry} --format k8s-secret | kubectl apply -f -",
            host = creds.server,
            expires = format_rfc3339(at),
            hours = remaining(at),
        );
    }
    let _ = writeln!(
        out,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {}",
        yaml_str(name)
    );
    if let Some(ns) = namespace {
        let _ = writeln!(out, "  namespace: {}", yaml_str(ns));
    }
    let _ = writeln!(
        out,
        "  labels:\n    app.kubernetes.io/managed-by: pullpass\n  annotations:\n    \
         pullpass.dev/registry: {}",
        yaml_str(registry)
    );
    if let Some(at) = creds.expires_at {
        let _ = writeln!(
            out,
            "    pullpass.dev/expires-at: {}",
            yaml_str(&format_rfc3339(at))
        );
    }
    let _ = writeln!(
        out,
        "type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {data}"
    );
    out
}

fn remaining(at: SystemTime) -> String {
    match at.duration_since(SystemTime::now()) {
        Ok(left) => {
            let mins = left.as_secs() / 60;
            format!("in {}h{:02}m", mins / 60, mins % 60)
        }
        Err(_) => "already past".to_owned(),
    }
}

/// Shell `export` lines, single-quoted.
fn env(creds: &Credentials) -> String {
    let mut out = String::new();
    let mut line = |name: &str, value: &str| {
        let _ = writeln!(out, "export {name}={}", shell_quote(value));
    };
    line("PULLPASS_REGISTRY", &creds.server);
    line("PULLPASS_USERNAME", &creds.username);
    line("PULLPASS_PASSWORD", creds.password.expose_secret());
    if let Some(at) = creds.expires_at {
        line("PULLPASS_EXPIRES_AT", &format_rfc3339(at));
    }
    out
}

fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A JSON string is a valid YAML double-quoted scalar.
fn yaml_str(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A DNS-1123 label from a registry name (lower case, `-` for anything else, ≤ 50 chars).
fn dns_label(name: &str) -> String {
    let mut label: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    label.truncate(50);
    let label = label.trim_matches('-').to_owned();
    if label.is_empty() {
        "registry".to_owned()
    } else {
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_survives_quotes() {
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
    }

    #[test]
    fn dns_labels() {
        assert_eq!(dns_label("Prod ECR"), "prod-ecr");
        assert_eq!(dns_label("__"), "registry");
    }
}
