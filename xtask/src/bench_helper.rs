//! `cargo xtask bench-helper`: wall time of `docker-credential-pullpass get` against moto
//! (release build), with a warm token cache, with a cold one, and N concurrent `get`s on a
//! stale cache entry (how many GetAuthorizationToken calls they cost).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::moto_launch;
use crate::util::{cargo, project_root, sh, tools_dir};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Warm-cache runs.
    #[arg(long, default_value_t = 200)]
    warm: usize,
    /// Cold-cache runs (each with an empty cache directory).
    #[arg(long, default_value_t = 30)]
    cold: usize,
    /// Concurrent `get`s on a stale entry.
    #[arg(long, default_value_t = 50)]
    concurrent: usize,
}

const SECRET_ENV: &str = "PULLPASS_BENCH_SECRET_ACCESS_KEY";
const HOST: &str = "127.0.0.1:5000";

/// moto from the one launcher (`tests/peers/moto_server.py`) with tokens that live
/// `lifetime_secs`; stops when dropped.
struct Moto(moto_launch::MotoProcess);

impl Moto {
    fn start(lifetime_secs: u64) -> anyhow::Result<Self> {
        let launch = moto_launch::Launch {
            token_lifetime: Some(lifetime_secs),
            ..moto_launch::Launch::new(&project_root(), &tools_dir())
        };
        moto_launch::MotoProcess::start(&launch)
            .map(Self)
            .map_err(|e| anyhow::anyhow!(e))
    }

    fn port(&self) -> u16 {
        self.0.port
    }

    fn token_calls(&self) -> anyhow::Result<u64> {
        self.0.token_calls().map_err(|e| anyhow::anyhow!(e))
    }
}

struct Bench {
    helper: PathBuf,
    config: PathBuf,
    dir: PathBuf,
}

impl Bench {
    fn get(&self, moto: &Moto, cache: &Path) -> Command {
        let mut cmd = Command::new(&self.helper);
        for name in [
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "PULLPASS_NO_CACHE",
        ] {
            cmd.env_remove(name);
        }
        cmd.arg("get")
            .env(
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", moto.port()),
            )
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", self.dir.join("empty"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.dir.join("empty"))
            .env("PULLPASS_CONFIG", &self.config)
            .env("PULLPASS_CACHE_DIR", cache)
            .env(SECRET_ENV, "pPBenchSecretKey0000000000000000000000zz")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn spawn_get(&self, moto: &Moto, cache: &Path) -> anyhow::Result<Child> {
        let mut child = self.get(moto, cache).spawn().context("run the helper")?;
        child
            .stdin
            .take()
            .context("helper stdin")?
            .write_all(HOST.as_bytes())?;
        Ok(child)
    }

    /// One `get`, timed; fails unless it answered with credentials.
    fn timed_get(&self, moto: &Moto, cache: &Path) -> anyhow::Result<Duration> {
        let start = Instant::now();
        let out = self.spawn_get(moto, cache)?.wait_with_output()?;
        let elapsed = start.elapsed();
        check(&out)?;
        Ok(elapsed)
    }
}

fn check(out: &std::process::Output) -> anyhow::Result<()> {
    if !out.status.success()
        || !String::from_utf8_lossy(&out.stdout).contains("\"Username\":\"AWS\"")
    {
        bail!(
            "the helper failed: {}",
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    Ok(())
}

fn summary(name: &str, mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let n = times.len();
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / n as f64;
    format!(
        "{name}: n={n} min {:.2} ms, median {:.2} ms, mean {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(times[0]),
        ms(times[n / 2]),
        mean,
        ms(times[(n * 95 / 100).min(n - 1)]),
        ms(times[n - 1]),
    )
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    crate::setup::all()?;
    sh(cargo().args(["build", "--release", "--quiet", "-p", "pullpass-cli"]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| project_root().join("target"), PathBuf::from);
    let binary = target.join("release/pullpass");
    let dir = std::env::temp_dir().join(format!("pullpass-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bin"))?;
    let helper = dir.join("bin/docker-credential-pullpass");
    std::os::unix::fs::symlink(&binary, &helper)?;
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[registry]]\nname = \"bench\"\nhost = \"{HOST}\"\nauth = \"static\"\naccess_key_id = \"AKIAIOSFODNN7PULLPAS\"\nsecret_access_key = {{ env = \"{SECRET_ENV}\" }}\noverride = {{ account_id = \"123456789012\", region = \"us-east-1\" }}\n"
        ),
    )?;
    let bench = Bench {
        helper,
        config,
        dir: dir.clone(),
    };
    let result = measure(&bench, args);
    let _ = std::fs::remove_dir_all(&dir);
    let lines = result?;
    println!("docker-credential-pullpass get against moto (release build, {HOST} via override):");
    for line in lines {
        println!("  {line}");
    }
    Ok(())
}

fn measure(bench: &Bench, args: &Args) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    {
        let moto = Moto::start(12 * 3600)?;
        let cache = bench.dir.join("cache-warm");
        bench.timed_get(&moto, &cache)?;
        let before = moto.token_calls()?;
        let warm = (0..args.warm)
            .map(|_| bench.timed_get(&moto, &cache))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let warm_calls = moto.token_calls()? - before;
        lines.push(format!(
            "{} ({warm_calls} GetAuthorizationToken calls)",
            summary("warm cache", warm)
        ));
        let before = moto.token_calls()?;
        let cold = (0..args.cold)
            .map(|i| bench.timed_get(&moto, &bench.dir.join(format!("cache-cold-{i}"))))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let cold_calls = moto.token_calls()? - before;
        lines.push(format!(
            "{} ({cold_calls} GetAuthorizationToken calls)",
            summary("cold cache", cold)
        ));
    }
    {
        // Tokens that live 6 s: fresh for 3 s (half-life), then stale but not expired.
        let moto = Moto::start(6)?;
        let cache = bench.dir.join("cache-stale");
        bench.timed_get(&moto, &cache)?;
        std::thread::sleep(Duration::from_millis(3500));
        let before = moto.token_calls()?;
        let start = Instant::now();
        let children = (0..args.concurrent)
            .map(|_| bench.spawn_get(&moto, &cache))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut failed = 0;
        for child in children {
            if check(&child.wait_with_output()?).is_err() {
                failed += 1;
            }
        }
        let elapsed = start.elapsed();
        let calls = moto.token_calls()? - before;
        lines.push(format!(
            "{} concurrent gets on a stale entry: {calls} GetAuthorizationToken call(s), {failed} failed, all done in {:.1} ms",
            args.concurrent,
            elapsed.as_secs_f64() * 1000.0
        ));
    }
    Ok(lines)
}
