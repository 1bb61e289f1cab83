//! Section 5: the criterion benchmarks of the core (`crates/pullpass-core/benches/core.rs`),
//! run in release mode and read back from criterion's own `estimates.json` files. The in-memory
//! lint throughput of section 1 comes from here (one thread: per core).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};

use super::lint::{fit_time, thousands};
use super::timing::human;
use super::{Ctx, Row, Section, Verdict};
use crate::util::{cargo, sh};

/// One benchmark's result.
#[derive(Debug)]
struct Estimate {
    id: String,
    median: Duration,
    elements: Option<u64>,
    bytes: Option<u64>,
}

fn criterion_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::util::project_root().join("target"), PathBuf::from)
        .join("criterion")
}

/// Every `new/benchmark.json` under `dir` written after `since`.
fn read_estimates(dir: &Path, since: SystemTime) -> anyhow::Result<Vec<Estimate>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "benchmark.json")
                && path.parent().is_some_and(|p| p.ends_with("new"))
            {
                let fresh = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|m| m >= since);
                if !fresh {
                    continue;
                }
                let bench: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path)?)?;
                let estimates_path = path.with_file_name("estimates.json");
                let estimates: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(&estimates_path)
                        .with_context(|| format!("could not read {}", estimates_path.display()))?,
                )?;
                let ns = estimates["median"]["point_estimate"]
                    .as_f64()
                    .context("estimates.json has no median")?;
                found.push(Estimate {
                    id: bench["full_id"].as_str().unwrap_or("?").to_owned(),
                    median: Duration::from_secs_f64(ns / 1e9),
                    elements: bench["throughput"]["Elements"].as_u64(),
                    bytes: bench["throughput"]["Bytes"].as_u64(),
                });
            }
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

#[allow(clippy::cast_precision_loss)]
pub(crate) fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    // Criterion keeps file times at second resolution on some file systems: start one early.
    let since = SystemTime::now() - Duration::from_secs(2);
    let mut cmd = cargo();
    cmd.args([
        "bench",
        "--quiet",
        "-p",
        "pullpass-core",
        "--bench",
        "core",
        "--",
    ]);
    if ctx.quick {
        cmd.arg("--quick");
    } else {
        cmd.args(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    sh(&mut cmd)?;
    let estimates = read_estimates(&criterion_dir(), since)?;
    if estimates.is_empty() {
        bail!(
            "criterion wrote no estimates under {}",
            criterion_dir().display()
        );
    }
    let mut section = Section::default();
    let flags = if ctx.quick {
        "--quick"
    } else {
        "--warm-up-time 1 --measurement-time 3"
    };
    let mut body = format!(
        "`cargo bench -p pullpass-core --bench core -- {flags}` (criterion, release, one \
         thread). The same benchmarks run once each in `cargo xtask test` (criterion's test \
         mode under `cargo test --all-targets`) so they cannot rot; their times are never \
         asserted. `policy_cpu/*` is measured in CPU time of the benchmark thread (what \
         \"per core\" means; wall time on a shared machine also counts the time other \
         processes held the core), every other benchmark in wall-clock time.\n\n\
         | Benchmark | median per iteration | throughput |\n|---|---|---|\n",
    );
    for e in &estimates {
        let secs = e.median.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let throughput = match (e.elements, e.bytes) {
            (Some(n), _) => format!("{}/s", thousands(n as f64 / secs)),
            (_, Some(b)) => format!("{:.0} MB/s", b as f64 / secs / 1e6),
            _ => format!("{}/s", thousands(1.0 / secs)),
        };
        let _ = writeln!(body, "| `{}` | {} | {throughput} |", e.id, human(e.median));
    }
    body.push('\n');
    let rate = |id: &str| {
        estimates
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.elements.unwrap_or(1) as f64 / e.median.as_secs_f64())
    };
    match (
        rate("policy_cpu/lint_corpus_mix"),
        rate("policy/lint_corpus_mix"),
    ) {
        (Some(cpu), wall) => section.rows.push(
            Row::new("In-memory lint, typical trust policies (`policy::lint`, one thread)")
                .pullpass(format!(
                    "{} policies per CPU-second{}",
                    thousands(cpu),
                    wall.map_or_else(String::new, |w| format!(
                        " ({} per wall-clock second on this shared machine)",
                        thousands(w)
                    ))
                ))
                .target("≥ 400,000 /s/core", Verdict::from_bool(cpu >= 400_000.0)),
        ),
        (None, Some(wall)) => section.rows.push(
            Row::new("In-memory lint, typical trust policies (`policy::lint`, one thread)")
                .pullpass(format!("{} policies/s (wall clock)", thousands(wall)))
                .target("≥ 400,000 /s/core", Verdict::from_bool(wall >= 400_000.0)),
        ),
        (None, None) => {}
    }
    for (id, what) in [
        ("host/parse_ecr", "Host parse (`host::parse_ecr`)"),
        (
            "form/validate_typical",
            "Form validation (`registry_form::validate`)",
        ),
        (
            "policy/lint_irsa",
            "Lint one eksctl IRSA policy (`policy::lint`)",
        ),
    ] {
        if let Some(e) = estimates.iter().find(|e| e.id == id) {
            #[allow(clippy::cast_precision_loss)]
            let per = e.median.as_secs_f64() / e.elements.unwrap_or(1) as f64;
            section.rows.push(
                Row::new(what)
                    .pullpass(format!("{} per call", human(Duration::from_secs_f64(per)))),
            );
        }
    }
    let mut size_points: Vec<(f64, f64)> = estimates
        .iter()
        .filter(|e| e.id.starts_with("policy_size/"))
        .filter_map(|e| e.bytes.map(|b| (b as f64 / 1000.0, e.median.as_secs_f64())))
        .collect();
    size_points.sort_by(|a, b| a.0.total_cmp(&b.0));
    if size_points.len() >= 3 {
        let (a, b, r2) = super::lint::linear_fit(&size_points);
        let _ = writeln!(
            body,
            "In-process lint time against policy size (`policy_size/*`, one valid IRSA policy \
             grown with statements): fit `t = a + b·KB` gives a = {}, b = {} per KB, r² = {r2:.4}. \
             Without a process start to hide it, this is the linter's own curve.\n",
            fit_time(a),
            fit_time(b),
        );
        section.rows.push(
            Row::new(format!(
                "Scaling with policy size, in process ({} KB … {} KB)",
                thousands(size_points[0].0),
                thousands(size_points[size_points.len() - 1].0)
            ))
            .pullpass(format!("{} per KB", fit_time(b)))
            .ratio(format!("r² = {r2:.4}"))
            .target("linear (r² ≥ 0.99)", Verdict::from_bool(r2 >= 0.99)),
        );
    }
    body.push_str(LINT_PROFILE);
    section.body = body;
    Ok(section)
}

/// Where the in-memory lint's time went and what changed (issue 13), for the record: measured
/// by hand with callgrind, not re-measured by this run.
const LINT_PROFILE: &str = "
### Where the in-memory lint's time goes

`valgrind --tool=callgrind` on `policy_cpu/lint_corpus_mix` (the bench built with line tables, \
`--profile-time 3`; instructions divided by the calls of `policy::lint`). Before (commit \
b23d1ae): 30,564 instructions per policy, 378k policies per CPU-second on this machine. What \
dominated: the JSON parse 6.8k (1.2k of it allocation: a Vec per object, grown 0 → 4 → 8); \
building findings, 1.3k per `format!` and 5–10k per finding (60 % of the corpus has one to \
three); `Policy::build` 2.7k (a 544-byte statement in a Vec that grew past glibc's tcache, so \
every policy took the slow `_int_malloc`/`_int_free`); the whole-document placeholder screen \
1.4k; TP006's walk of the whole tree for duplicate keys 1.0k; wildcard and case-insensitive \
matching 1.7k. Changed (one commit each, every one checked byte for byte against the base on \
the repository's 442 JSON files and 17,958 mutations of them, in 4 kinds and 2 contexts): \
the statement list sized exactly and principal classes inline; the common findings' messages \
joined from pieces and pointers built in place; the parser screens each object's keys (a \
64-bit set of length and last byte) so TP006 walks only a document whose keys may repeat; \
per-string tests (wildcards, escapes, `/` and `.` of an issuer) eight bytes at a time; one \
cheap pass over byte pairs before the exact placeholder screen; each condition key read once \
per statement for TP021, TP022 and TP033; cheap principal tests before condition walks. \
After: 21,284 instructions per policy (−30 %), 535–550k policies per CPU-second. What is \
left: the parse 6.1k, malloc/free 2.5k (the JSON tree's Vecs are the parser's public \
model), `Policy::build` 1.9k, findings when they fire (TP011 0.84k, TP022 0.73k), the \
placeholder screen 0.9k. Tried and dropped: a shared scratch stack in the parser (one more \
allocation, not fewer), 16-byte string scans, a word-at-a-time `has_byte` (the vectorised \
fold wins on its longer keys).
";
