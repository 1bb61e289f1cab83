//! `pullpass kubelet-credential-provider`: the kubelet's image credential provider exec
//! plugin (`credentialprovider.kubelet.k8s.io/v1`), so every node of a cluster pulls from ECR
//! without a server of its own.
//!
//! The kubelet caches the answer per registry for `cacheDuration`: half of the token's
//! remaining lifetime, so it never holds an expired token. A host pullpass has nothing for
//! gets an empty `auth` map (the kubelet then tries its other sources); a failure is a message
//! on stderr and exit code 1, which the kubelet logs.

use std::time::SystemTime;

use secrecy::ExposeSecret as _;

use crate::exit::Exit;
use crate::protocol::kubelet;

#[derive(Debug, Default, clap::Args)]
pub(crate) struct Args {
    /// Print an example kubelet `CredentialProviderConfig` for this plugin and exit.
    #[arg(long)]
    print_config: bool,
}

pub(crate) fn run(args: Args, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    if args.print_config {
        print!("{}", kubelet::example_config("pullpass"));
        return Ok(Exit::Ok);
    }
    match respond(backend) {
        Ok(out) => {
            print!("{out}");
            Ok(Exit::Ok)
        }
        Err(message) => {
            eprintln!("{message}");
            Ok(Exit::Findings)
        }
    }
}

fn respond(backend: &dyn pullpass_ecr::Backend) -> Result<String, String> {
    let stdin = super::credential_helper::read_stdin()?;
    let request = kubelet::parse_request(&stdin)?;
    // The response names the host as the image does (the kubelet matches its key against the
    // image); the look-up uses the normalised host, as the docker helper does.
    let host = kubelet::image_host(&request.image);
    let Some(credentials) =
        super::credential_helper::credentials_for(&kubelet::lookup_host(&request.image), backend)?
    else {
        return Ok(kubelet::format_response(&request.api_version, None, None));
    };
    let duration = credentials.expires_at.map(|at| {
        kubelet::cache_duration(at.duration_since(SystemTime::now()).unwrap_or_default())
    });
    Ok(kubelet::format_response(
        &request.api_version,
        duration,
        Some(&kubelet::ResponseAuth {
            registry: &host,
            username: &credentials.username,
            password: credentials.password.expose_secret(),
        }),
    ))
}
