//! The AWS API peer: moto, started by the tests on a free loopback port (environment.md).
//!
//! `cargo xtask setup` installs it into `.tools/venv-moto`; `tests/peers/moto_server.py` (the
//! one launcher, shared with the benchmarks through `tests/peers/moto_launch.rs`) starts it
//! in-process with ECR tokens that expire 12 hours ahead (moto's own handler answers
//! 2015-01-01), counts GetAuthorizationToken calls, prints its port, and exits when its stdin
//! closes: dropping a [`Moto`] (or the test process dying) stops it.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::root;

#[path = "../../peers/moto_launch.rs"]
mod launch;

use launch::{Launch, MotoProcess};

fn tools() -> PathBuf {
    std::env::var_os("PULLPASS_TOOLS_DIR").map_or_else(|| root().join(".tools"), PathBuf::from)
}

/// Where the moto virtualenv lives (`PULLPASS_TOOLS_DIR` or `<root>/.tools`).
pub(crate) fn venv_python() -> PathBuf {
    let python = Launch::new(root(), &tools()).python;
    assert!(
        python.exists(),
        "moto is not installed at {}: run `cargo xtask setup` (or `cargo xtask test`) first",
        python.display()
    );
    python
}

/// Launch options.
#[derive(Debug, Clone, Default)]
pub(crate) struct MotoOptions {
    /// Keep moto's original tokens that expired in 2015.
    pub(crate) expired_tokens: bool,
    /// Token lifetime in seconds (default: 12 hours, as ECR).
    pub(crate) token_lifetime: Option<u64>,
}

/// A running moto server; stopped on drop.
#[derive(Debug)]
pub(crate) struct Moto {
    process: MotoProcess,
    dir: tempfile::TempDir,
}

/// A fixed account (moto's default) and the keys moto accepts while IAM enforcement is off.
pub(crate) const ACCOUNT: &str = "123456789012";

impl Moto {
    pub(crate) fn start() -> Self {
        Self::start_with(&MotoOptions::default())
    }

    pub(crate) fn start_with(options: &MotoOptions) -> Self {
        let dir = tempfile::tempdir().expect("temp dir for moto");
        venv_python();
        let launch = Launch {
            expired_tokens: options.expired_tokens,
            token_lifetime: options.token_lifetime,
            ..Launch::new(root(), &tools())
        };
        let process = MotoProcess::start(&launch).unwrap_or_else(|e| panic!("{e}"));
        Self { process, dir }
    }

    pub(crate) fn endpoint(&self) -> String {
        self.process.endpoint()
    }

    /// How many GetAuthorizationToken calls the server has answered.
    pub(crate) fn token_calls(&self) -> usize {
        let calls = self.process.token_calls().unwrap_or_else(|e| panic!("{e}"));
        usize::try_from(calls).expect("a call count")
    }

    /// Environment for an AWS client that talks to this server only, in `region`, with nothing
    /// from the developer's machine (profiles, instance metadata, ambient keys).
    pub(crate) fn aws_env(&self, cmd: &mut Command, region: &str) {
        for name in [
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL_ECR",
            "AWS_ENDPOINT_URL_STS",
            "PULLPASS_CACHE_DIR",
            "PULLPASS_NO_CACHE",
        ] {
            cmd.env_remove(name);
        }
        cmd.env("AWS_ENDPOINT_URL", self.endpoint())
            .env("AWS_REGION", region)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", self.dir.path().join("empty-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.path().join("empty-credentials"),
            );
    }

    /// Runs a Python snippet with boto3 against this server (`ecr`, `iam`, `sts` clients in
    /// `region` are predefined); returns its stdout. Panics with stderr on failure.
    pub(crate) fn boto(&self, region: &str, script: &str) -> String {
        let prelude = format!(
            "import boto3, json, hashlib\n\
             _kw = dict(endpoint_url='{endpoint}', region_name='{region}', \
             aws_access_key_id='testing', aws_secret_access_key='testing')\n\
             ecr = boto3.client('ecr', **_kw)\n\
             iam = boto3.client('iam', **_kw)\n\
             sts = boto3.client('sts', **_kw)\n\
             def put_image(repo, tag, layer='layer'):\n\
             \x20   digest = 'sha256:' + hashlib.sha256(layer.encode()).hexdigest()\n\
             \x20   manifest = json.dumps({{'schemaVersion': 2, \
             'mediaType': 'application/vnd.docker.distribution.manifest.v2+json', \
             'config': {{'mediaType': 'application/vnd.docker.container.image.v1+json', \
             'size': 7023, 'digest': digest}}, 'layers': [{{'mediaType': \
             'application/vnd.docker.image.rootfs.diff.tar.gzip', 'size': 32654, \
             'digest': digest}}]}})\n\
             \x20   r = ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag=tag)\n\
             \x20   return r['image']['imageId']['imageDigest']\n",
            endpoint = self.endpoint()
        );
        let mut child = Command::new(venv_python())
            .arg("-")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start python");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{prelude}{script}").as_bytes())
            .expect("write script");
        let out = child.wait_with_output().expect("python");
        assert!(
            out.status.success(),
            "boto3 script failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Turns IAM enforcement on (moto's `reset-auth` with 0 initial free requests).
    pub(crate) fn enforce_iam(&self) {
        self.process
            .enforce_iam()
            .unwrap_or_else(|e| panic!("reset-auth: {e}"));
    }
}
