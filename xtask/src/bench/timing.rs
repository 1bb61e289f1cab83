//! Wall-clock timing of whole commands: repeated runs, reported as the median (and spread).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The samples of one measurement.
#[derive(Debug, Clone)]
pub(crate) struct Samples(Vec<Duration>);

impl Samples {
    pub(crate) fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Self(samples)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The `q`-quantile (nearest rank), `q` in `0.0..=1.0`.
    pub(crate) fn quantile(&self, q: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let rank = ((q * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
        self.0[rank - 1]
    }

    pub(crate) fn median(&self) -> Duration {
        self.quantile(0.5)
    }

    pub(crate) fn min(&self) -> Duration {
        self.0.first().copied().unwrap_or_default()
    }

    pub(crate) fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }
}

/// Runs each command `warmup` times untimed, then `runs` times timed, interleaved (stdin and
/// stdout /dev/null, stderr kept for the error message; an exit code outside `ok_codes` fails
/// the measurement): run `i` of every command
/// happens before run `i + 1` of any, so a burst of other work on a shared machine lands on
/// all of them alike instead of on one point of a curve.
pub(crate) fn time_interleaved(
    makers: &[&dyn Fn() -> Command],
    warmup: usize,
    runs: usize,
    ok_codes: &[i32],
) -> anyhow::Result<Vec<Samples>> {
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); makers.len()];
    for i in 0..warmup + runs {
        for (make, out) in makers.iter().zip(samples.iter_mut()) {
            let mut cmd = make();
            cmd.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            let start = Instant::now();
            let output = cmd
                .output()
                .with_context(|| format!("could not start {:?}", cmd.get_program()))?;
            let elapsed = start.elapsed();
            check_status(&cmd, &output, ok_codes)?;
            if i >= warmup {
                out.push(elapsed);
            }
        }
    }
    Ok(samples.into_iter().map(Samples::new).collect())
}

/// Fails unless the command exited with one of `ok_codes`.
pub(crate) fn check_status(
    cmd: &Command,
    out: &std::process::Output,
    ok_codes: &[i32],
) -> anyhow::Result<()> {
    match out.status.code() {
        Some(code) if ok_codes.contains(&code) => Ok(()),
        _ => bail!(
            "`{} {}` exited with {}: {}",
            cmd.get_program().to_string_lossy(),
            cmd.get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(200)
                .collect::<String>(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .chars()
                .take(600)
                .collect::<String>()
        ),
    }
}

/// `1.23 ms`, `456 µs`, `2.90 s`: three significant figures in a readable unit.
pub(crate) fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{} s", sig3(s))
    } else if s >= 1e-3 {
        format!("{} ms", sig3(s * 1e3))
    } else {
        format!("{} µs", sig3(s * 1e6))
    }
}

/// `x` with three significant figures (`2.90`, `45.6`, `456`, `4560`).
pub(crate) fn sig3(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// How pullpass compares with a peer: `3.2× faster` or `2.6× slower`.
pub(crate) fn speedup(peer: Duration, pullpass: Duration) -> String {
    let r = ratio(peer, pullpass);
    if r >= 1.0 {
        format!("{}× faster", sig3(r))
    } else if r > 0.0 {
        format!("{}× slower", sig3(1.0 / r))
    } else {
        "n/a".to_owned()
    }
}

/// `a / b` as a ratio.
pub(crate) fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() {
        return f64::INFINITY;
    }
    a.as_secs_f64() / b.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_nearest_rank() {
        let s = Samples::new((1..=100).rev().map(Duration::from_millis).collect());
        assert_eq!(s.median(), Duration::from_millis(50));
        assert_eq!(s.quantile(0.99), Duration::from_millis(99));
        assert_eq!(s.min(), Duration::from_millis(1));
        assert_eq!(s.max(), Duration::from_millis(100));
        assert_eq!(Samples::new(vec![]).median(), Duration::ZERO);
    }

    #[test]
    fn speedup_says_faster_or_slower() {
        let ms = Duration::from_millis;
        assert_eq!(speedup(ms(300), ms(100)), "3.00× faster");
        assert_eq!(speedup(ms(48), ms(124)), "2.58× slower");
    }

    #[test]
    fn human_units() {
        assert_eq!(human(Duration::from_millis(2900)), "2.90 s");
        assert_eq!(human(Duration::from_micros(1500)), "1.50 ms");
        assert_eq!(human(Duration::from_micros(456)), "456 µs");
        assert_eq!(human(Duration::from_micros(45_600)), "45.6 ms");
    }
}
