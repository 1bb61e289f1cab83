//! Starting and stopping `tests/peers/moto_server.py`, the one moto launcher, for Rust
//! callers: the integration tests (`tests/it/support/moto.rs`) and the benchmarks
//! (`xtask/src/bench/token.rs`, `xtask/src/bench_helper.rs`) include this file with `#[path]`,
//! so there is one way to start moto, read its ready line, use its controls and stop it.
//!
//! Only `std` and `serde_json` (every includer has both). Errors are plain strings: the tests
//! panic with them, xtask wraps them in its own error type.

// Each includer uses a part (the tests no TLS listener, the bench no call log file).
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to start moto.
#[derive(Debug, Clone, Default)]
pub(crate) struct Launch {
    /// `<tools>/venv-moto/bin/python`.
    pub(crate) python: PathBuf,
    /// `<root>/tests/peers/moto_server.py`.
    pub(crate) script: PathBuf,
    /// Keep moto's own tokens, which expired in 2015.
    pub(crate) expired_tokens: bool,
    /// Token lifetime in seconds (the launcher's default: 12 hours, as ECR).
    pub(crate) token_lifetime: Option<u64>,
    /// Append one line per GetAuthorizationToken call to this file.
    pub(crate) call_log: Option<PathBuf>,
    /// Also serve TLS on this port for these host names, the CA and certificate in `cert_dir`.
    pub(crate) tls: Option<Tls>,
    /// moto's stderr goes here (else nowhere); its tail is quoted when moto does not start.
    pub(crate) log: Option<PathBuf>,
}

/// The TLS listener of the token benchmark.
#[derive(Debug, Clone)]
pub(crate) struct Tls {
    pub(crate) port: u16,
    pub(crate) hosts: Vec<String>,
    pub(crate) cert_dir: PathBuf,
}

impl Launch {
    /// The launcher in `root` with the Python of `tools/venv-moto`.
    pub(crate) fn new(root: &Path, tools: &Path) -> Self {
        Self {
            python: tools.join("venv-moto/bin/python"),
            script: root.join("tests/peers/moto_server.py"),
            ..Self::default()
        }
    }
}

/// A running moto; stopped when dropped (its stdin closes, then a kill after 5 s).
#[derive(Debug)]
pub(crate) struct MotoProcess {
    child: Child,
    /// The plain HTTP port on 127.0.0.1.
    pub(crate) port: u16,
    /// The TLS port, when asked for.
    pub(crate) tls_port: Option<u16>,
    /// The CA that signed the TLS certificate.
    pub(crate) ca: Option<PathBuf>,
}

impl MotoProcess {
    /// Starts moto and waits until it accepts connections.
    pub(crate) fn start(launch: &Launch) -> Result<Self, String> {
        if !launch.python.exists() {
            return Err(format!(
                "moto is not installed at {}: run `cargo xtask setup` first",
                launch.python.display()
            ));
        }
        let mut cmd = Command::new(&launch.python);
        cmd.arg(&launch.script)
            .args(["--host", "127.0.0.1", "--port", "0"])
            // moto must never see the developer's AWS profile or files.
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        if launch.expired_tokens {
            cmd.arg("--expired");
        }
        if let Some(secs) = launch.token_lifetime {
            cmd.arg("--token-lifetime").arg(secs.to_string());
        }
        if let Some(log) = &launch.call_log {
            cmd.arg("--call-log").arg(log);
        }
        if let Some(tls) = &launch.tls {
            cmd.arg("--tls-port")
                .arg(tls.port.to_string())
                .arg("--tls-hosts")
                .arg(tls.hosts.join(","))
                .arg("--cert-dir")
                .arg(&tls.cert_dir);
        }
        match &launch.log {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .map_err(|e| format!("could not create {}: {e}", path.display()))?;
                cmd.stderr(file);
            }
            None => {
                cmd.stderr(Stdio::null());
            }
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", launch.script.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let ready: serde_json::Value = match serde_json::from_str(line.trim()) {
            Ok(ready) => ready,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = launch
                    .log
                    .as_ref()
                    .and_then(|p| std::fs::read_to_string(p).ok())
                    .unwrap_or_default();
                return Err(format!(
                    "moto did not start (it printed {line:?}, not its ready line){}",
                    if log.is_empty() {
                        String::new()
                    } else {
                        format!(":\n{log}")
                    }
                ));
            }
        };
        let port = |key: &str| ready[key].as_u64().and_then(|p| u16::try_from(p).ok());
        let moto = Self {
            port: port("port").ok_or_else(|| format!("moto's ready line has no port: {line}"))?,
            tls_port: port("tls_port"),
            ca: ready["ca"].as_str().map(PathBuf::from),
            child,
        };
        moto.wait_ready()?;
        Ok(moto)
    }

    fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "moto did not accept connections on port {}",
            self.port
        ))
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One HTTP/1.0 request to the plain listener; the body of a 200 answer.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Result<String, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))
            .map_err(|e| format!("could not reach moto on 127.0.0.1:{}: {e}", self.port))?;
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Type: {content_type}\r\n\
             Content-Length: {}\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .map_err(|e| format!("moto {path}: {e}"))?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .map_err(|e| format!("moto {path}: {e}"))?;
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
            return Err(format!(
                "moto {path} answered {}",
                head.lines().next().unwrap_or("")
            ));
        }
        Ok(body.to_owned())
    }

    /// How many GetAuthorizationToken calls moto has answered (since the last reset).
    pub(crate) fn token_calls(&self) -> Result<u64, String> {
        let body = self.request("GET", "/__pullpass/calls", "text/plain", "")?;
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["GetAuthorizationToken"].as_u64())
            .ok_or_else(|| format!("moto's call counter answered {body:?}"))
    }

    /// Zeroes the call counter.
    pub(crate) fn reset_calls(&self) -> Result<(), String> {
        self.request("POST", "/__pullpass/reset", "text/plain", "")
            .map(drop)
    }

    /// The lifetime of the tokens handed out from now on.
    pub(crate) fn set_token_lifetime(&self, seconds: u64) -> Result<(), String> {
        self.request(
            "POST",
            &format!("/__pullpass/expiry?seconds={seconds}"),
            "text/plain",
            "",
        )
        .map(drop)
    }

    /// Turns IAM enforcement on (moto's `reset-auth` with 0 initial free requests).
    pub(crate) fn enforce_iam(&self) -> Result<(), String> {
        self.request("POST", "/moto-api/reset-auth", "text/plain", "0")
            .map(drop)
    }
}

impl Drop for MotoProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
