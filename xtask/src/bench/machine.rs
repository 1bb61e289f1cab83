//! What machine and which versions a benchmark ran on (the header of `BENCHMARKS.md`).

use std::process::Command;

/// One `key: value` line per fact; a fact that cannot be read says so instead of failing.
pub(crate) fn describe(versions: &[(String, String)]) -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')))
        .map_or_else(|| "unknown".to_owned(), |(_, v)| v.trim().to_owned());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or_else(
            || "unknown".to_owned(),
            |kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0),
        );
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let kernel = first_line(Command::new("uname").arg("-r"));
    let hypervisor = if cpuinfo.contains(" hypervisor") {
        " (virtual machine)"
    } else {
        ""
    };
    let mut facts = vec![
        ("CPU".to_owned(), format!("{cpu}{hypervisor}")),
        ("Cores".to_owned(), cores.to_string()),
        ("Memory".to_owned(), mem),
        ("OS".to_owned(), format!("{os}, Linux {kernel}")),
        (
            "Rust".to_owned(),
            first_line(
                Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
                    .arg("--version"),
            ),
        ),
    ];
    facts.extend(versions.iter().cloned());
    facts
}

/// `/proc/loadavg`'s first three fields: other work on the machine shows up here (the numbers
/// of a shared machine move with it).
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" / "),
    )
}

/// The first line of a command's stdout (or of its stderr), or `unavailable`.
pub(crate) fn first_line(cmd: &mut Command) -> String {
    match cmd.output() {
        Ok(out) => {
            let text = if out.stdout.is_empty() {
                out.stderr
            } else {
                out.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        }
        Err(_) => "unavailable".to_owned(),
    }
}
