//! Section 2: token minting with the docker credential helper protocol, pullpass against
//! Debian's `amazon-ecr-credential-helper` (`docker-credential-ecr-login`), both against one
//! moto peer (`tests/peers/moto_server.py`, the tests' launcher: tokens that live 12 hours, a
//! call counter, and a TLS listener).
//!
//! `docker-credential-ecr-login` ignores `AWS_ENDPOINT_URL`, so it can only reach moto under
//! the real ECR host name on port 443 over TLS. The section therefore re-runs this xtask inside
//! a private mount and network namespace (`unshare --mount --net`): there a copy of the hosts
//! file that maps the ECR and STS names to 127.0.0.1 is bind-mounted over `/etc/hosts`, moto
//! listens on 127.0.0.1:443 with a certificate from a throw-away CA (`AWS_CA_BUNDLE`), and
//! nothing of it is visible outside. The real `/etc/hosts` is never written.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::timing::{Samples, human, speedup};
use super::{Ctx, Row, Section, Verdict, one_line, peers};
use crate::util::{have, project_root};

/// The registry every `get` asks for: moto's default account, us-east-1.
const SERVER: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
/// The password moto's token decodes to (not a secret: moto's fixed test value).
const EXPECTED_SECRET: &str = "123456789012-auth-token";
/// Host names the TLS listener answers for (and the private hosts file maps to 127.0.0.1).
const AWS_HOSTS: &[&str] = &[
    "api.ecr.us-east-1.amazonaws.com",
    "sts.amazonaws.com",
    "sts.us-east-1.amazonaws.com",
];
const CONCURRENT: usize = 50;

/// The cold `get` before issue 13, for the record (measured by hand on commit 3c1b5e3 in the
/// same namespace set-up; not re-measured by this run).
const COLD_BEFORE: &str = "
Before issue 13 (commit 3c1b5e3, the same set-up, by hand): cold `get` medians of 6 \
interleaved runs pullpass 47.7 ms against ecr-login 22.4 ms at load ≈ 1 (the full bench of \
that commit: 124 ms against 25.0 ms at load ≈ 9). A traced cold `get` then: process start to \
config 3.1 ms, config and credential chain 1.1 ms, TCP connect to the first TLS byte sent \
**23.2 ms** of CPU with no system call, handshake 0.6 ms, request and moto's answer 14.9 ms, \
output 1.5 ms. `perf record` put that 23 ms in aws-lc's CPU-jitter entropy collector \
(`jent_read_entropy`, `jent_time_entropy_init`: aws-lc-sys 0.47 seeds its random generator \
that way in every process), reached through the SDK's default HTTPS client (rustls on \
aws-lc-rs). The fix: no `default-https-client` feature; the SDK configuration gets the SDK's \
own connector on rustls with ring (`aws-smithy-http-client`, `rustls-ring`), and the registry \
client uses ring too, so aws-lc is no longer built. The other candidates were measured and \
left: the root store here is the one CA file (`SSL_CERT_FILE`), opened, read and closed \
within 0.1 ms of trace time; config, SDK loader and credential chain (keys in the \
environment: the chain stops at its first provider) take about 1 ms together; ALPN costs no \
round trip (it rides in the ClientHello); one ECR client is built per `get` already. Without \
`SSL_CERT_FILE`, rustls-native-certs reads the bundle and every file of `/etc/ssl/certs` (a few \
ms); that path is not in this benchmark and is left as it is.
";

/// Where a warm `get`'s time went and what changed, for the record (measured by hand; not
/// re-measured by this run).
const WARM_PROFILE: &str = "
### Where a warm `get`'s time goes

Measured by hand on one warm `get` (the cache holds a fresh token; a small environment, keys \
in it): `valgrind --tool=callgrind` for the instructions of the whole process, `/usr/bin/time` \
for its page faults, and 300 interleaved runs of each binary from one Python loop for the \
medians (a slower spawner than this bench's, so only the differences carry over). Before \
(commit b23d1ae): 1.16 M instructions, 277 page faults, 1.48–1.55 ms; a Rust hello-world \
reading stdin took 0.85 ms in the same loop and `true` 0.65 ms. Where the instructions went: \
the dynamic loader applying the binary's ~37,000 relative relocations (the AWS SDK's tables) \
0.48 M, which also copies the ~95 pages of `.data.rel.ro` on write; mimalloc's constructor \
0.17 M (it reads each of its options from the environment, even in a process that never \
uses it); the standard library's main-thread stack guard 0.11 M (glibc's \
`pthread_getattr_np` parses `/proc/self/maps`); an error value built, backtrace and all \
(`RUST_BACKTRACE=1` in that environment), only to learn that there is no config file \
0.05 M; the did-you-mean distance of the host's account label to every endpoint label \
0.03 M; 60 KB of `memcpy` moving the never-started 10 KB future of the SDK call along with \
the cache lookup that did not need it. Changed: the binary is position-dependent on \
Linux/GNU (`-no-pie`, see `crates/pullpass-cli/build.rs` for the ASLR trade-off and the \
`PULLPASS_PIE=1` opt-out), a missing config file is a `None` rather than an error, the \
label distance is banded at 2, and the SDK call's future is made and boxed only on a miss. \
After: 0.73 M instructions, 169 page faults, 1.19 ms against 1.55 ms before in the same \
loop. With a CI runner's environment (150 more variables) mimalloc's constructor took \
0.51 M of 1.16 M instructions, comparing every variable with every option name; built with \
`MI_USE_ENVIRON=0` (`.cargo/config.toml`) it asks `getenv`: 0.16 M of 0.80 M, 1.58 → 1.54 ms. \
Left: the rest of that constructor and the stack guard (both outside this code), the \
loader's ~150 symbol bindings (`-z now`, kept for full RELRO).
";

/// The hidden `cargo xtask bench-token-inner` (run by this section inside the namespace).
#[derive(Debug, clap::Args)]
pub(crate) struct InnerArgs {
    #[arg(long)]
    work: PathBuf,
    #[arg(long)]
    pullpass: PathBuf,
    #[arg(long)]
    quick: bool,
    /// Running in a private mount + network namespace: set up TLS on :443 and the hosts file.
    #[arg(long)]
    isolated: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct InnerResult {
    isolated: bool,
    tools: Vec<ToolResult>,
    notes: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ToolResult {
    name: String,
    transport: String,
    warm_ns: Vec<u64>,
    cold_ns: Vec<u64>,
    concurrent: Option<Concurrent>,
    /// One cold `get` taken apart (see [`phases`]): (phase, nanoseconds).
    #[serde(default)]
    phases: Vec<(String, u64)>,
    error: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Concurrent {
    processes: usize,
    ecr_calls: u64,
    failures: usize,
    wall_ns: u64,
    first_failure: Option<String>,
}

fn samples(ns: &[u64]) -> Samples {
    Samples::new(ns.iter().map(|n| Duration::from_nanos(*n)).collect())
}

/// Section 2 (outside the namespace): installs the peers, runs the inner measurement, reports.
#[allow(clippy::too_many_lines)]
pub(crate) fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let mut section = Section::default();
    let moto = peers::moto_python(ctx.install)?;
    section
        .versions
        .push(("moto".to_owned(), peers::moto_version(&moto)));
    let ecr_login = peers::ecr_login(ctx.install);
    if ecr_login.is_ok() {
        section.versions.push((
            "amazon-ecr-credential-helper".to_owned(),
            format!(
                "{} (Debian)",
                peers::deb_version("amazon-ecr-credential-helper")
            ),
        ));
    }
    let exe = std::env::current_exe().context("could not find the running xtask binary")?;
    let inner_args = |cmd: &mut Command| {
        cmd.arg("bench-token-inner")
            .arg("--work")
            .arg(&ctx.work)
            .arg("--pullpass")
            .arg(&ctx.pullpass);
        if ctx.quick {
            cmd.arg("--quick");
        }
    };
    if ctx.install && crate::setup::is_root() {
        // `unshare` and `mount` (util-linux) and `ip` (iproute2) for the private namespace.
        crate::setup::apt(&[
            ("/usr/bin/unshare", "util-linux"),
            ("/usr/sbin/ip", "iproute2"),
        ])?;
    }
    let can_isolate = have("unshare") && have("ip") && have("mount") && crate::setup::is_root();
    let mut attempts = Vec::new();
    if can_isolate && ecr_login.is_ok() {
        let mut cmd = Command::new("unshare");
        cmd.args(["--mount", "--net", "--"]).arg(&exe);
        inner_args(&mut cmd);
        cmd.arg("--isolated");
        attempts.push(cmd);
    }
    let mut plain = Command::new(&exe);
    inner_args(&mut plain);
    attempts.push(plain);

    let mut result = None;
    let mut why_not_isolated = if !can_isolate {
        Some("no private namespace here (needs root, `unshare`, `ip`, `mount`)".to_owned())
    } else {
        ecr_login.as_ref().err().map(|e| format!("{e:#}"))
    };
    for mut cmd in attempts {
        let out = cmd
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .context("could not start the token measurement")?;
        let parsed = serde_json::from_slice::<InnerResult>(&out.stdout);
        match (out.status.success(), parsed) {
            (true, Ok(r)) => {
                result = Some(r);
                break;
            }
            (_, _) => {
                why_not_isolated = Some(format!(
                    "the isolated run failed ({}); see its stderr above",
                    out.status
                ));
            }
        }
    }
    let result = result.context("the token measurement produced no result")?;

    let mut body = String::new();
    let _ = writeln!(
        body,
        "Each `get` is one process: `echo {SERVER} | <helper> get`, timed from spawn to exit, \
         output checked (username `AWS` and moto's password). Static keys in the environment \
         (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`), region us-east-1, empty AWS config \
         files, each helper with its own empty cache directory. The peer is moto 5.2.5 started \
         by `tests/peers/moto_server.py` with tokens that live 12 hours (moto's own answer is \
         always expired) and a counter of GetAuthorizationToken calls.\n"
    );
    if result.isolated {
        body.push_str(
            "Both helpers ran inside a private mount + network namespace (`unshare --mount \
             --net`): moto served one backend over TLS on 127.0.0.1:443 for the real ECR/STS host \
             names (a bind-mounted hosts file; a throw-away CA in `AWS_CA_BUNDLE` for the peer, \
             `SSL_CERT_FILE` for pullpass), which is the only way `docker-credential-ecr-login` \
             can be pointed at a peer. The transport column says what each one used.\n\n",
        );
    } else if let Some(why) = &why_not_isolated {
        let _ = writeln!(
            body,
            "`docker-credential-ecr-login` not measured: {}\n",
            one_line(why)
        );
    }
    for note in &result.notes {
        let _ = writeln!(body, "- {note}");
    }
    body.push_str(
        "\n| Helper | transport | warm `get` median | warm p99 | cold `get` median | cold p99 | \
         50 concurrent `get`s, stale entry: ECR calls | wall time | failures |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let mut by_name: BTreeMap<&str, &ToolResult> = BTreeMap::new();
    for tool in &result.tools {
        by_name.insert(tool.name.as_str(), tool);
        if let Some(err) = &tool.error {
            let _ = writeln!(
                body,
                "| {} | {} | not measured: {} | | | | | | |",
                tool.name,
                tool.transport,
                one_line(err)
            );
            continue;
        }
        let warm = samples(&tool.warm_ns);
        let cold = samples(&tool.cold_ns);
        let (calls, wall, failures) = tool.concurrent.as_ref().map_or_else(
            || ("".to_owned(), "".to_owned(), "".to_owned()),
            |c| {
                (
                    c.ecr_calls.to_string(),
                    human(Duration::from_nanos(c.wall_ns)),
                    match &c.first_failure {
                        Some(f) => format!("{} (first: {})", c.failures, one_line(f)),
                        None => c.failures.to_string(),
                    },
                )
            },
        );
        let _ = writeln!(
            body,
            "| {} | {} | {} | {} | {} | {} | {calls} | {wall} | {failures} |",
            tool.name,
            tool.transport,
            human(warm.median()),
            human(warm.quantile(0.99)),
            human(cold.median()),
            human(cold.quantile(0.99)),
        );
    }
    body.push_str(
        "\nCold: the helper's cache directory is emptied before each timed `get` (20 rounds, \
         the helpers interleaved: one `get` of each per round). \
         Warm: one `get` of each helper fills its cache, then 100 rounds of one timed `get` of \
         each helper (interleaved as the cold ones, so load hits them alike); moto's counter is \
         read after every `get` and must show no call (the run fails otherwise). pullpass runs \
         as a copy of the release binary named `docker-credential-pullpass` in the bench's \
         `bin` directory (as installed, not out of `target/`); ecr-login is Debian's \
         `/usr/bin/docker-credential-ecr-login`. Stale entry: moto hands out a token that \
         lives 4 s, one `get` caches it, and 2.5 s later (past half its life, still valid) 50 \
         processes ask at the same moment; the column counts moto's GetAuthorizationToken calls \
         during those 50. `pullpass (HTTP endpoint)` is the same binary against moto's plain \
         HTTP listener (`AWS_ENDPOINT_URL`, as the tests run it): the difference to the HTTPS \
         row is the cost of the client's TLS set-up in a fresh process.\n\n",
    );

    let traced: Vec<&ToolResult> = result
        .tools
        .iter()
        .filter(|t| !t.phases.is_empty())
        .collect();
    if !traced.is_empty() {
        body.push_str(
            "### Where a cold `get`'s time goes

One cold `get` of each helper under `strace -f \
             -tt` (`phases` in `xtask/src/bench/token.rs`), after the timed runs. strace slows \
             every system call, so a traced `get` is slower than the medians above: the phases \
             say where the time goes, not how much it is untraced. \"Root certificates\" starts \
             when the helper opens the CA file (`SSL_CERT_FILE` / `AWS_CA_BUNDLE`).\n\n| Phase |",
        );
        for t in &traced {
            let _ = write!(body, " {} |", t.name);
        }
        body.push_str("\n|---|");
        for _ in &traced {
            body.push_str("---|");
        }
        body.push('\n');
        let mut names: Vec<&str> = Vec::new();
        for t in &traced {
            for (n, _) in &t.phases {
                if !names.contains(&n.as_str()) {
                    names.push(n);
                }
            }
        }
        for name in names {
            let _ = write!(body, "| {name} |");
            for t in &traced {
                let cell = t
                    .phases
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or_else(String::new, |(_, ns)| human(Duration::from_nanos(*ns)));
                let _ = write!(body, " {cell} |");
            }
            body.push('\n');
        }
        body.push_str(COLD_BEFORE);
        body.push_str(WARM_PROFILE);
    }

    let pp = by_name.get("pullpass").copied();
    let peer = by_name.get("docker-credential-ecr-login").copied();
    match (ok(pp), ok(peer)) {
        (Some(p), Some(e)) => {
            let (pw, ew) = (samples(&p.warm_ns).median(), samples(&e.warm_ns).median());
            section.rows.push(
                Row::new("Credential helper `get`, warm cache")
                    .pullpass(human(pw))
                    .peer(format!("ecr-login: {}", human(ew)))
                    .ratio(speedup(ew, pw))
                    .target(
                        "faster than the peer; ≤ 2 ms",
                        Verdict::from_bool(pw < ew && pw <= Duration::from_millis(2)),
                    ),
            );
            let (pc, ec) = (samples(&p.cold_ns).median(), samples(&e.cold_ns).median());
            section.rows.push(
                Row::new("Credential helper `get`, cold cache (moto over TLS, interleaved runs)")
                    .pullpass(human(pc))
                    .peer(format!("ecr-login: {}", human(ec)))
                    .ratio(speedup(ec, pc))
                    .target("no slower than ecr-login", Verdict::from_bool(pc <= ec)),
            );
        }
        (Some(p), _) => {
            let pw = samples(&p.warm_ns).median();
            section.rows.push(
                Row::new("Credential helper `get`, warm cache")
                    .pullpass(human(pw))
                    .peer(format!(
                        "ecr-login not measured: {}",
                        one_line(
                            peer.and_then(|e| e.error.clone())
                                .or(why_not_isolated.clone())
                                .as_deref()
                                .unwrap_or("unavailable")
                        )
                    ))
                    .target("≤ 2 ms", Verdict::from_bool(pw <= Duration::from_millis(2))),
            );
            section.rows.push(
                Row::new("Credential helper `get`, cold cache (moto)")
                    .pullpass(human(samples(&p.cold_ns).median())),
            );
        }
        (None, _) => section.rows.push(Row::not_measured(
            "Credential helper `get`",
            pp.and_then(|p| p.error.as_deref()).unwrap_or("no result"),
        )),
    }
    if let Some(c) = ok(pp).and_then(|p| p.concurrent.as_ref()) {
        let peer_calls = ok(peer)
            .and_then(|e| e.concurrent.as_ref())
            .map_or_else(String::new, |c| format!("ecr-login: {} calls", c.ecr_calls));
        section.rows.push(
            Row::new(format!(
                "{CONCURRENT} concurrent `get`s, stale cache entry: ECR calls"
            ))
            .pullpass(format!("{} call(s), {} failed", c.ecr_calls, c.failures))
            .peer(peer_calls)
            .target(
                "1 call",
                Verdict::from_bool(c.ecr_calls == 1 && c.failures == 0),
            ),
        );
    }
    section.body = body;
    Ok(section)
}

fn ok(t: Option<&ToolResult>) -> Option<&ToolResult> {
    t.filter(|t| t.error.is_none())
}

use crate::moto_launch::{Launch, MotoProcess as Moto, Tls};

/// moto from the one launcher, with the TLS listener on :443 for the real host names when
/// `tls` (inside the private namespace); stops when dropped (its stdin closes).
fn start_moto(work: &Path, tls: bool) -> anyhow::Result<Moto> {
    let python = peers::moto_python(false)?;
    let launch = Launch {
        python,
        log: Some(work.join("moto.log")),
        tls: tls.then(|| Tls {
            port: 443,
            hosts: AWS_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            cert_dir: work.join("certs"),
        }),
        ..Launch::new(&project_root(), &crate::util::tools_dir())
    };
    Moto::start(&launch).map_err(|e| anyhow::anyhow!(e))
}

/// A moto control call, as an xtask error.
fn control(result: Result<impl Sized, String>) -> anyhow::Result<()> {
    result.map(drop).map_err(|e| anyhow::anyhow!(e))
}

fn ecr_calls(moto: &Moto) -> anyhow::Result<u64> {
    moto.token_calls().map_err(|e| anyhow::anyhow!(e))
}

/// How to run one helper.
struct Helper {
    name: &'static str,
    transport: String,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    cache_dir: PathBuf,
}

impl Helper {
    fn command(&self, base_env: &[(String, String)]) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args).env_clear();
        for (k, v) in base_env.iter().chain(&self.env) {
            cmd.env(k, v);
        }
        cmd
    }

    fn spawn_get(&self, base_env: &[(String, String)]) -> anyhow::Result<Child> {
        let mut child = self
            .command(base_env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("could not start {}", self.program.display()))?;
        let written = child
            .stdin
            .take()
            .context("no stdin")?
            .write_all(format!("{SERVER}\n").as_bytes());
        match written {
            // A helper that fails before reading its stdin: its exit status says why.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(child),
        }
    }

    /// One timed `get`, output checked.
    fn get(&self, base_env: &[(String, String)]) -> anyhow::Result<Duration> {
        let start = Instant::now();
        let child = self.spawn_get(base_env)?;
        let out = child.wait_with_output()?;
        let elapsed = start.elapsed();
        check_get(&out)?;
        Ok(elapsed)
    }

    fn clear_cache(&self) -> anyhow::Result<()> {
        if self.cache_dir.exists() {
            std::fs::remove_dir_all(&self.cache_dir)?;
        }
        std::fs::create_dir_all(&self.cache_dir)?;
        set_owner_only(&self.cache_dir);
        Ok(())
    }
}

#[cfg(unix)]
fn set_owner_only(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
}

#[cfg(not(unix))]
fn set_owner_only(_dir: &Path) {}

/// A `get` answered `{"ServerURL", "Username": "AWS", "Secret": <moto's password>}`. The
/// message of a failure never contains the secret.
fn check_get(out: &std::process::Output) -> anyhow::Result<()> {
    if !out.status.success() {
        bail!(
            "`get` exited with {}: {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout).replace(EXPECTED_SECRET, "<redacted>"),
            String::from_utf8_lossy(&out.stderr).replace(EXPECTED_SECRET, "<redacted>")
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "`get` printed no JSON object but {:?}",
            String::from_utf8_lossy(&out.stdout)
                .replace(EXPECTED_SECRET, "<redacted>")
                .chars()
                .take(200)
                .collect::<String>()
        )
    })?;
    if v["Username"] != "AWS" || v["Secret"] != EXPECTED_SECRET {
        bail!(
            "`get` answered username {:?} and a secret that is not moto's token",
            v["Username"]
        );
    }
    Ok(())
}

/// Inside the namespace (or plainly, without the peer): measures every helper it can.
pub(crate) fn inner(args: &InnerArgs) -> anyhow::Result<()> {
    let work = args.work.join("token");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let mut result = InnerResult {
        isolated: args.isolated,
        ..InnerResult::default()
    };
    if args.isolated {
        crate::util::sh(Command::new("ip").args(["link", "set", "lo", "up"]))?;
        let mut hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
        let _ = writeln!(hosts, "\n127.0.0.1 {}", AWS_HOSTS.join(" "));
        let hosts_file = work.join("hosts");
        std::fs::write(&hosts_file, hosts)?;
        // A private mount namespace: this bind mount is invisible outside it.
        crate::util::sh(
            Command::new("mount")
                .arg("--bind")
                .arg(&hosts_file)
                .arg("/etc/hosts"),
        )?;
    }
    let moto = start_moto(&work, args.isolated)?;
    let empty = work.join("empty-aws-config");
    std::fs::write(&empty, "")?;
    let home = work.join("home");
    std::fs::create_dir_all(&home)?;
    let base_env: Vec<(String, String)> = [
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("HOME", home.display().to_string()),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7BENCHMK".to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "benchmarkbenchmarkbenchmarkbenchmarkbenc".to_owned(),
        ),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_CONFIG_FILE", empty.display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", empty.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();

    let mut helpers = Vec::new();
    // In the namespace pullpass takes the same road as the peer (real host names, TLS, the
    // test CA through `SSL_CERT_FILE`); when that does not work, moto's plain HTTP endpoint.
    let tls_ca = if args.isolated { moto.ca.clone() } else { None };
    let mut pullpass = pullpass_helper(args, &work, &moto, tls_ca.as_deref());
    if let (Ok(h), Some(_)) = (&pullpass, &tls_ca) {
        h.clear_cache()?;
        if let Err(e) = h.get(&base_env) {
            result.notes.push(format!(
                "pullpass could not reach moto over TLS under the real host names ({}); it was measured against moto's HTTP endpoint (`AWS_ENDPOINT_URL`) instead.",
                super::one_line(&format!("{e:#}"))
            ));
            pullpass = pullpass_helper(args, &work, &moto, None);
        }
    }
    // Over TLS, also the plain HTTP endpoint the tests use: the difference is the client's
    // TLS set-up, which a cold `get` pays once per process.
    let tls_worked = matches!(&pullpass, Ok(h) if h.transport.starts_with("HTTPS"));
    match pullpass {
        Ok(h) => helpers.push(h),
        Err(e) => result.tools.push(ToolResult {
            name: "pullpass".to_owned(),
            error: Some(format!("{e:#}")),
            ..ToolResult::default()
        }),
    }
    if tls_worked && let Ok(mut h) = pullpass_helper(args, &work, &moto, None) {
        h.name = "pullpass (HTTP endpoint)";
        h.cache_dir = work.join("cache-pullpass-http");
        for (k, v) in &mut h.env {
            if k == "PULLPASS_CACHE_DIR" {
                *v = h.cache_dir.display().to_string();
            }
        }
        helpers.push(h);
    }
    if args.isolated {
        let ca = moto.ca.clone().context("moto wrote no CA")?;
        helpers.push(Helper {
            name: "docker-credential-ecr-login",
            transport: "HTTPS :443 (hosts file + test CA)".to_owned(),
            program: peers::ecr_login(false)?,
            args: vec!["get".to_owned()],
            env: vec![
                ("AWS_CA_BUNDLE".to_owned(), ca.display().to_string()),
                (
                    "AWS_ECR_CACHE_DIR".to_owned(),
                    work.join("cache-ecr-login").display().to_string(),
                ),
            ],
            cache_dir: work.join("cache-ecr-login"),
        });
    }

    let warm_runs = if args.quick { 10 } else { 100 };
    let cold_runs = if args.quick { 3 } else { 20 };
    let mut tools: Vec<ToolResult> = helpers
        .iter()
        .map(|h| ToolResult {
            name: h.name.to_owned(),
            transport: h.transport.clone(),
            ..ToolResult::default()
        })
        .collect();
    // Cold, interleaved: one `get` of each helper per round, so that a burst of other work on
    // the machine hits them alike.
    control(moto.set_token_lifetime(43_200))?;
    eprintln!("   token: cold, {cold_runs} interleaved rounds");
    for _ in 0..cold_runs {
        for (helper, tool) in helpers.iter().zip(&mut tools) {
            if tool.error.is_some() {
                continue;
            }
            let run = helper.clear_cache().and_then(|()| helper.get(&base_env));
            match run {
                Ok(d) => tool.cold_ns.push(nanos(d)),
                Err(e) => tool.error = Some(format!("{e:#}")),
            }
        }
    }
    // Warm, interleaved too: every helper's cache filled, then one `get` of each per round.
    eprintln!("   token: warm, {warm_runs} interleaved rounds");
    if let Err(e) = warm(&helpers, &mut tools, &base_env, &moto, warm_runs) {
        for tool in &mut tools {
            tool.error.get_or_insert_with(|| format!("{e:#}"));
        }
    }
    for (helper, tool) in helpers.iter().zip(&mut tools) {
        if tool.error.is_some() {
            continue;
        }
        eprintln!("   token: {}", helper.name);
        if let Err(e) = stale(helper, &base_env, &moto, tool) {
            tool.error = Some(format!("{e:#}"));
            continue;
        }
        // Where one cold `get`'s time goes (strace timestamps; not counted in the medians).
        match phases(helper, &base_env, &work) {
            Ok(p) => tool.phases = p,
            Err(e) => result.notes.push(format!(
                "{}: no phase trace ({})",
                helper.name,
                super::one_line(&format!("{e:#}"))
            )),
        }
    }
    result.tools.extend(tools);
    drop(moto);
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &result)?;
    writeln!(stdout)?;
    Ok(())
}

#[allow(clippy::cast_possible_truncation)]
fn nanos(d: Duration) -> u64 {
    d.as_nanos() as u64
}

/// Warm `get`s, interleaved: each helper's cache is filled by one `get`, then every round
/// runs one timed `get` of each helper, and moto's counter is read after each one: a helper
/// whose `get` reached moto fails (its cache was not used).
fn warm(
    helpers: &[Helper],
    tools: &mut [ToolResult],
    base_env: &[(String, String)],
    moto: &Moto,
    warm_runs: usize,
) -> anyhow::Result<()> {
    control(moto.set_token_lifetime(43_200))?;
    for (helper, tool) in helpers.iter().zip(tools.iter_mut()) {
        if tool.error.is_some() {
            continue;
        }
        if let Err(e) = helper.clear_cache().and_then(|()| helper.get(base_env)) {
            tool.error = Some(format!("{e:#}"));
        }
    }
    control(moto.reset_calls())?;
    let mut calls = vec![0u64; helpers.len()];
    let mut seen = 0;
    for _ in 0..warm_runs {
        for ((helper, tool), calls) in helpers.iter().zip(tools.iter_mut()).zip(&mut calls) {
            if tool.error.is_some() {
                continue;
            }
            match helper.get(base_env) {
                Ok(d) => tool.warm_ns.push(nanos(d)),
                Err(e) => {
                    tool.error = Some(format!("{e:#}"));
                    continue;
                }
            }
            let now = ecr_calls(moto)?;
            *calls += now.saturating_sub(seen);
            seen = now;
        }
    }
    for (tool, calls) in tools.iter_mut().zip(calls) {
        if tool.error.is_none() && calls != 0 {
            tool.error = Some(format!(
                "{calls} ECR calls during {warm_runs} warm `get`s: the cache was not used"
            ));
        }
    }
    Ok(())
}

/// 50 concurrent `get`s on a cache entry past its half-life: how many reach moto.
fn stale(
    helper: &Helper,
    base_env: &[(String, String)],
    moto: &Moto,
    tool: &mut ToolResult,
) -> anyhow::Result<()> {
    // Stale: a token that lives 4 s is past its half-life after 2.5 s (refresh due, still
    // valid); then 50 processes ask at once.
    control(moto.set_token_lifetime(4))?;
    helper.clear_cache()?;
    helper.get(base_env)?;
    control(moto.set_token_lifetime(43_200))?;
    std::thread::sleep(Duration::from_millis(2500));
    control(moto.reset_calls())?;
    let start = Instant::now();
    let children: Vec<anyhow::Result<Child>> = (0..CONCURRENT)
        .map(|_| helper.spawn_get(base_env))
        .collect();
    let mut failures = 0;
    let mut first_failure = None;
    for child in children {
        let outcome = child
            .and_then(|c| Ok(c.wait_with_output()?))
            .and_then(|out| check_get(&out));
        if let Err(e) = outcome {
            failures += 1;
            first_failure.get_or_insert_with(|| format!("{e:#}"));
        }
    }
    let wall = start.elapsed();
    tool.concurrent = Some(Concurrent {
        processes: CONCURRENT,
        ecr_calls: ecr_calls(moto)?,
        failures,
        wall_ns: nanos(wall),
        first_failure,
    });
    Ok(())
}

/// `docker-credential-pullpass`: a copy of the release binary under that name in the bench's
/// own `bin` directory (installed as a user installs it, as Debian installs the peer, rather
/// than run out of `target/`), a config with one ambient-credentials registry, its own cache
/// directory, moto's endpoint.
fn pullpass_helper(
    args: &InnerArgs,
    work: &Path,
    moto: &Moto,
    tls_ca: Option<&Path>,
) -> anyhow::Result<Helper> {
    if !args.pullpass.exists() {
        bail!("{} is missing", args.pullpass.display());
    }
    let bin = work.join("bin");
    std::fs::create_dir_all(&bin)?;
    let helper = bin.join("docker-credential-pullpass");
    if helper.exists() {
        std::fs::remove_file(&helper)?;
    }
    std::fs::copy(&args.pullpass, &helper).with_context(|| {
        format!(
            "could not copy {} to {}",
            args.pullpass.display(),
            helper.display()
        )
    })?;
    let config = work.join("pullpass.toml");
    std::fs::write(
        &config,
        format!(
            "version = 1\n\n[[registry]]\nname = \"bench\"\nhost = \"{SERVER}\"\nkind = \"ecr\"\nauth = \"ambient\"\n"
        ),
    )?;
    let cache = work.join("cache-pullpass");
    let mut env = vec![
        ("PULLPASS_CONFIG".to_owned(), config.display().to_string()),
        ("PULLPASS_CACHE_DIR".to_owned(), cache.display().to_string()),
    ];
    let transport = if let Some(ca) = tls_ca {
        env.push(("SSL_CERT_FILE".to_owned(), ca.display().to_string()));
        "HTTPS :443 (hosts file + test CA)".to_owned()
    } else {
        env.push((
            "AWS_ENDPOINT_URL".to_owned(),
            format!("http://127.0.0.1:{}", moto.port),
        ));
        format!("HTTP 127.0.0.1:{} (`AWS_ENDPOINT_URL`)", moto.port)
    };
    Ok(Helper {
        name: "pullpass",
        transport,
        program: helper,
        args: vec!["get".to_owned()],
        env,
        cache_dir: cache,
    })
}

/// The phases of one cold `get`, from an `strace -f -tt` of it: process start to the first
/// file the TLS set-up reads (the root certificates: `SSL_CERT_FILE`/`AWS_CA_BUNDLE`), to the
/// TCP connect to :443 (or moto's HTTP port), to the server's first byte (TLS handshake
/// flight or the HTTP answer), to its last byte (handshake, request, the peer's own time), to the
/// credentials on stdout, to exit. strace slows every system call, so the phases add up to
/// more than an untraced `get`; they say where the time goes, the medians say how much.
fn phases(
    helper: &Helper,
    base_env: &[(String, String)],
    work: &Path,
) -> anyhow::Result<Vec<(String, u64)>> {
    if !crate::util::have("strace") {
        bail!("strace is not installed");
    }
    helper.clear_cache()?;
    let log = work.join(format!(
        "strace-{}.txt",
        helper.name.replace([' ', '(', ')'], "_")
    ));
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-tt", "-o"]).arg(&log).arg(&helper.program);
    cmd.args(&helper.args).env_clear();
    for (k, v) in base_env.iter().chain(&helper.env) {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("could not start strace")?;
    child
        .stdin
        .take()
        .context("no stdin")?
        .write_all(format!("{SERVER}\n").as_bytes())?;
    check_get(&child.wait_with_output()?)?;
    let text = std::fs::read_to_string(&log)?;
    let roots: Vec<String> = helper
        .env
        .iter()
        .filter(|(k, _)| k == "SSL_CERT_FILE" || k == "AWS_CA_BUNDLE")
        .map(|(_, v)| v.clone())
        .collect();
    trace_phases(&text, &roots).context("the trace lacks a phase marker")
}

/// Seconds since midnight of an `strace -tt` time stamp (`08:15:32.015654`).
fn stamp(field: &str) -> Option<f64> {
    let mut parts = field.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// The phases of [`phases`] from the text of an `strace -f -tt` log.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn trace_phases(text: &str, roots: &[String]) -> Option<Vec<(String, u64)>> {
    // Each line: `<pid> <time> <call>(…`; strace pads the pid column with spaces
    // (`6820  18:24:28.996097 execve(…`), so the fields are split on runs of spaces.
    let lines: Vec<(&str, f64, &str)> = text
        .lines()
        .filter_map(|l| {
            let (pid, rest) = l.trim_start().split_once(' ')?;
            let (time, call) = rest.trim_start().split_once(' ')?;
            Some((pid, stamp(time)?, call))
        })
        .collect();
    let start = lines.first()?.1;
    let exit = lines.last()?.1;
    let roots_at = lines
        .iter()
        .find(|(_, _, call)| {
            call.starts_with("openat(") && roots.iter().any(|r| call.contains(r.as_str()))
        })
        .map(|l| l.1);
    let (connect_at, fd) = lines.iter().find_map(|(pid, t, call)| {
        let rest = call.strip_prefix("connect(")?;
        if !call.contains("AF_INET") || call.contains("htons(53)") {
            return None;
        }
        let fd = rest.split(',').next()?.to_owned();
        Some((*t, format!("{pid}:{fd}")))
    })?;
    let (_, conn_fd) = fd.split_once(':')?;
    // Reads on the connection that returned data. With `-f`, a call another thread interrupts
    // is split into `read(8, <unfinished ...>` and `<... read resumed>…= n` lines of one pid.
    let mut pending: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    let mut reads = Vec::new();
    for (pid, t, call) in &lines {
        let is_read = ["read(", "recvfrom(", "recvmsg("].iter().any(|p| {
            call.strip_prefix(p)
                .is_some_and(|r| r.split(',').next() == Some(conn_fd))
        });
        let got_data = |c: &str| {
            c.rsplit_once(" = ").is_some_and(|(_, n)| {
                n.split_whitespace()
                    .next()
                    .is_some_and(|n| n.parse::<i64>().is_ok_and(|n| n > 0))
            })
        };
        if is_read && call.contains("<unfinished") {
            pending.insert(pid, true);
        } else if call.starts_with("<... ") && call.contains(" resumed>") {
            if pending.remove(pid).is_some() && *t >= connect_at && got_data(call) {
                reads.push(*t);
            }
        } else if is_read && *t >= connect_at && got_data(call) {
            reads.push(*t);
        }
    }
    let first_byte = *reads.first()?;
    let last_byte = *reads.last()?;
    let stdout_at = lines
        .iter()
        .rev()
        .find(|(_, _, call)| call.starts_with("write(1,"))
        .map_or(exit, |l| l.1);
    let mut out = Vec::new();
    let mut push = |name: &str, from: f64, to: f64| {
        out.push((name.to_owned(), ((to - from).max(0.0) * 1e9) as u64));
    };
    match roots_at {
        Some(r) if r <= connect_at => {
            push("process start, config, credentials", start, r);
            push("root certificates, TLS set-up, DNS", r, connect_at);
        }
        _ => push("process start, config, credentials, DNS", start, connect_at),
    }
    push("connect → server's first byte", connect_at, first_byte);
    push(
        "→ server's last byte (TLS, request, peer)",
        first_byte,
        last_byte,
    );
    push("→ credentials on stdout", last_byte, stdout_at);
    push("→ exit", stdout_at, exit);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::trace_phases;

    /// A shortened `strace -f -tt` log of a cold `get` over TLS, with strace's padded pid
    /// column (two spaces before the time stamp).
    const TRACE: &str = "\
6820  18:24:28.996097 execve(\"/bin/docker-credential-pullpass\", [\"x\", \"get\"], 0x7 /* 11 vars */) = 0
6820  18:24:29.000630 openat(AT_FDCWD, \"/certs/ca.pem\", O_RDONLY|O_CLOEXEC) = 7
6820  18:24:29.002330 connect(7, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS
6820  18:24:29.003520 recvfrom(7, \"\\26\\3\\3\", 4096, 0, NULL, NULL) = 122
6821  18:24:29.004000 recvfrom(7,  <unfinished ...>
6821  18:24:29.017570 <... recvfrom resumed>\"\\27\\3\\3\", 4096, 0, NULL, NULL) = 533
6820  18:24:29.018500 write(1, \"{\\\"ServerURL\\\"\"..., 113) = 113
6820  18:24:29.019505 +++ exited with 0 +++
";

    #[test]
    fn phases_of_a_padded_strace_log() {
        let phases = trace_phases(TRACE, &["/certs/ca.pem".to_owned()]).expect("phases");
        let ms: Vec<(&str, u64)> = phases
            .iter()
            .map(|(name, ns)| (name.as_str(), (ns + 500_000) / 1_000_000))
            .collect();
        assert_eq!(
            ms,
            [
                ("process start, config, credentials", 5),
                ("root certificates, TLS set-up, DNS", 2),
                ("connect → server's first byte", 1),
                ("→ server's last byte (TLS, request, peer)", 14),
                ("→ credentials on stdout", 1),
                ("→ exit", 1),
            ]
        );
    }
}
