//! The CPU time (user + system) a child process used, from `getrusage(RUSAGE_CHILDREN)` around
//! its `wait`: on a shared machine, wall time also counts the time other processes held the
//! cores, which no change of pullpass can remove; CPU time is what the process itself cost.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Context;

/// User + system time of every waited-for child of this process so far.
#[allow(unsafe_code)]
fn children_cpu() -> Duration {
    // SAFETY: `getrusage` writes one `rusage` into the zeroed struct we own; `RUSAGE_CHILDREN`
    // is a valid `who`.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &raw mut usage);
        usage
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `cmd` to completion (output discarded) and returns the CPU time it used.
pub(crate) fn cpu_of(mut cmd: Command) -> anyhow::Result<Duration> {
    let before = children_cpu();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("could not run the command")?;
    let _ = status;
    Ok(children_cpu().saturating_sub(before))
}
