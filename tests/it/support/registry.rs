//! A real registry (Debian's `docker-registry`, CNCF distribution) with htpasswd auth on a
//! free loopback port, an OCI image built on disk, and a real OCI client (`skopeo`).
//!
//! `cargo xtask setup` unpacks the `docker-registry` package into `.tools/docker-registry`
//! without its maintainer scripts (no system user, no systemd service); the registry runs only
//! as a child process of the test that starts it, on loopback, and is killed when the test's
//! [`DockerRegistry`] is dropped. `skopeo` and `apache2-utils` (htpasswd) are ordinary Debian
//! packages.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

/// The registry binary `cargo xtask setup` unpacked: `<tools>/docker-registry/usr/bin/…`
/// (`PULLPASS_TOOLS_DIR`, else `<root>/.tools`).
fn registry_bin() -> PathBuf {
    std::env::var_os("PULLPASS_TOOLS_DIR")
        .map_or_else(|| super::root().join(".tools"), PathBuf::from)
        .join("docker-registry/usr/bin/docker-registry")
}

fn require(binary: &str, package: &str) {
    assert!(
        Path::new(binary).exists(),
        "{binary} is missing: run `cargo xtask setup` (installs the Debian package {package})"
    );
}

/// A running `docker-registry`; stopped on drop.
#[derive(Debug)]
pub(crate) struct DockerRegistry {
    child: Child,
    pub(crate) port: u16,
    /// Config, htpasswd and storage; removed on drop.
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl DockerRegistry {
    /// Starts a registry whose only user is `AWS` with `password`.
    pub(crate) fn start(password: &str) -> Self {
        let registry = registry_bin();
        require(&registry.to_string_lossy(), "docker-registry");
        require("/usr/bin/htpasswd", "apache2-utils");
        let dir = tempfile::tempdir().expect("registry dir");
        let htpasswd = Command::new("htpasswd")
            .args(["-Bbn", "AWS", password])
            .output()
            .expect("run htpasswd");
        assert!(htpasswd.status.success(), "htpasswd failed");
        std::fs::write(dir.path().join("htpasswd"), &htpasswd.stdout).expect("write htpasswd");
        std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
        // A port picked by binding 0 can be taken by someone else before the registry binds
        // it: retry a few times.
        let mut failures = Vec::new();
        for _ in 0..5 {
            let port = free_port();
            let config = format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: pullpass-test\nauth:\n  htpasswd:\n    realm: pullpass\n    path: {htpasswd}\n",
                data = dir.path().join("data").display(),
                htpasswd = dir.path().join("htpasswd").display(),
            );
            let config_path = dir.path().join("config.yml");
            std::fs::write(&config_path, config).expect("write registry config");
            let mut child = Command::new(&registry)
                .arg("serve")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start docker-registry");
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self {
                        child,
                        port,
                        _dir: dir,
                    };
                }
                std::thread::sleep(Duration::from_millis(30));
            }
            let _ = child.kill();
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut stderr);
            }
            let _ = child.wait();
            failures.push(format!("port {port}: {}", stderr.trim()));
        }
        panic!("docker-registry did not start: {failures:#?}");
    }

    /// `127.0.0.1:<port>`.
    pub(crate) fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for DockerRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn put_blob(layout: &Path, bytes: &[u8]) -> (String, usize) {
    let digest = sha256(bytes);
    let hex = digest.trim_start_matches("sha256:");
    std::fs::write(layout.join("blobs/sha256").join(hex), bytes).expect("write blob");
    (digest, bytes.len())
}

/// A one-layer OCI image layout at `layout` tagged `tag`; returns the manifest digest.
pub(crate) fn oci_image(layout: &Path, tag: &str) -> String {
    std::fs::create_dir_all(layout.join("blobs/sha256")).expect("layout dirs");
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .expect("oci-layout");
    let src = layout.parent().expect("parent").join("layer-src");
    std::fs::create_dir_all(&src).expect("layer src");
    std::fs::write(src.join("hello.txt"), "pulled through pullpass\n").expect("layer file");
    let tar = Command::new("tar")
        .args([
            "--mtime=@0",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "-cf",
            "-",
            "-C",
        ])
        .arg(&src)
        .arg("hello.txt")
        .output()
        .expect("run tar");
    assert!(tar.status.success(), "tar failed");
    let (layer, layer_size) = put_blob(layout, &tar.stdout);
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [layer]},
    });
    let (config_digest, config_size) = put_blob(layout, config.to_string().as_bytes());
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": layer_size}],
    });
    let manifest_bytes = manifest.to_string().into_bytes();
    let (manifest_digest, manifest_size) = put_blob(layout, &manifest_bytes);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest,
            "size": manifest_size,
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }],
    });
    std::fs::write(layout.join("index.json"), index.to_string()).expect("index.json");
    manifest_digest
}

/// A `skopeo` command isolated from the machine's auth files (HOME and XDG dirs in `home`).
pub(crate) fn skopeo(home: &Path) -> Command {
    require("/usr/bin/skopeo", "skopeo");
    let mut cmd = Command::new("/usr/bin/skopeo");
    cmd.env("HOME", home)
        .env("XDG_RUNTIME_DIR", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("DOCKER_CONFIG");
    cmd
}

/// Pushes the layout's `tag` to `docker://<host>/<repo>:<tag>` with explicit credentials.
pub(crate) fn push(home: &Path, layout: &Path, host: &str, repo: &str, tag: &str, password: &str) {
    let out = skopeo(home)
        .args([
            "--insecure-policy",
            "copy",
            "--preserve-digests",
            "--dest-tls-verify=false",
            "--dest-creds",
        ])
        .arg(format!("AWS:{password}"))
        .arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{host}/{repo}:{tag}"))
        .output()
        .expect("run skopeo copy");
    assert!(
        out.status.success(),
        "pushing with skopeo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A directory for PATH holding `docker-credential-pullpass` → the built `pullpass`.
pub(crate) fn helper_bin_dir(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let link = bin.join("docker-credential-pullpass");
    if !link.exists() {
        std::os::unix::fs::symlink(super::pullpass_path(), &link).expect("symlink helper");
    }
    bin
}

/// PATH with `first` in front.
pub(crate) fn path_with(first: &Path) -> std::ffi::OsString {
    let mut paths = vec![first.to_owned()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).expect("PATH")
}
