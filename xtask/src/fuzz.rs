//! `cargo xtask fuzz`: a seeded mutation fuzzer over every core entry point (issue 15).
//!
//! cargo-fuzz needs `cargo install cargo-fuzz` and libFuzzer, which do not build offline here,
//! so this is a driver in the workspace: seeds from `tests/fixtures/**` (and a few hand-written
//! hostile ones), mutated by inserting, deleting, duplicating and splicing pieces with a
//! dictionary of the grammars' delimiters, run through host parse, form validation, policy
//! lint, fix application, the IRSA generator, doctor YAML/JSON, config TOML and explain. Each
//! input is checked for: no panic; every range inside its text on char boundaries; every fix
//! applies and a safe fix changes the text; the generator's output lints without errors; no
//! input slower than `--slow-ms` (the minimum of three runs, so a busy machine does not count).
//!
//! A failing input is written to `target/fuzz/failures/<entry>-<n>.txt`; copy it under
//! `tests/fixtures/fuzz/` and it is replayed by every later run (regression fixtures). The run is
//! deterministic for a `--seed`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pullpass_core::diagnostic::Applicability;
use pullpass_core::policy::{self, LintContext, PolicyKind};
use pullpass_core::registry::RegistryKind;
use pullpass_core::registry_form::{self, FormContext, RegistryForm};
use pullpass_core::{Diagnostic, config, doctor, explain};

use crate::util::project_root;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How long to fuzz, in seconds (split over the entry points).
    #[arg(long, default_value_t = 60)]
    pub(crate) seconds: u64,
    /// The generator's seed (a run is reproducible for a seed).
    #[arg(long, default_value_t = 0x5EED)]
    pub(crate) seed: u64,
    /// An input slower than this (best of three) is a failure.
    #[arg(long, default_value_t = 100)]
    pub(crate) slow_ms: u64,
}

/// The entry points, in the order they run.
const ENTRIES: &[&str] = &[
    "host", "form", "lint", "fix", "generate", "doctor", "yaml", "config", "explain",
];

/// What a run found.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub(crate) inputs: usize,
    pub(crate) elapsed: Duration,
    pub(crate) failures: Vec<String>,
    /// Per entry point: inputs, the slowest input's time, and the time spent.
    pub(crate) per_entry: BTreeMap<&'static str, (usize, Duration, Duration)>,
}

impl Summary {
    pub(crate) fn inputs_per_second(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let n = self.inputs as f64;
        n / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub(crate) fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "fuzz: {} inputs in {:.1} s ({:.0}/s), {} failure(s)",
            self.inputs,
            self.elapsed.as_secs_f64(),
            self.inputs_per_second(),
            self.failures.len()
        );
        for (entry, (n, slowest, spent)) in &self.per_entry {
            #[allow(clippy::cast_precision_loss)]
            let rate = *n as f64 / spent.as_secs_f64().max(1e-9);
            let _ = writeln!(
                out,
                "  {entry:<9} {n:>9} inputs, {rate:>8.0}/s, slowest {:.1} ms",
                slowest.as_secs_f64() * 1e3
            );
        }
        for f in self.failures.iter().take(20) {
            let _ = writeln!(out, "  FAIL {f}");
        }
        out
    }
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let summary = fuzz(args)?;
    println!("{}", summary.report());
    if !summary.failures.is_empty() {
        anyhow::bail!(
            "{} fuzz failure(s); inputs in target/fuzz/failures/",
            summary.failures.len()
        );
    }
    Ok(())
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::try_from(self.next() % n as u64).unwrap_or(0)
        }
    }
}

/// Pieces of every grammar: JSON, IAM, hosts, YAML, TOML, AWS error text.
const DICT: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "*",
    "?",
    "\\",
    "\\u0000",
    "\\ud800",
    "/",
    "//",
    "@",
    "#",
    ".",
    "..",
    "-",
    "_",
    " ",
    "\t",
    "\n",
    "\r\n",
    "é",
    "日本",
    "\u{1F600}",
    "\u{200B}",
    "null",
    "true",
    "1e999",
    "-0",
    "\"\"",
    "https://",
    "HTTPS://",
    "http://",
    ":443",
    ":0",
    "arn:aws:",
    "arn:aws-cn:",
    ":oidc-provider/",
    ":oidc-provide/",
    "StringEquals",
    "StringEqual",
    "StringLike",
    "ForAllValues:",
    "ForAnyValue:",
    "IfExists",
    "Condition",
    "Conditon",
    "Principal",
    "Federated",
    "Action",
    "Effect",
    "Allow",
    "Deny",
    "sts:*",
    ":sub",
    ":aud",
    "system:serviceaccount:",
    "${ACCT_ID}",
    "{{",
    "}}",
    "${",
    "<a>",
    "111122223333",
    "---",
    "- ",
    "&a ",
    "*a",
    "!!binary",
    "key: value",
    "[[registry]]",
    "name = ",
    "host = ",
    "secret_access_key = ",
    "AccessDenied",
    "ExpiredToken",
    "InvalidIdentityToken",
    "dkr.ecr.",
    ".amazonaws.com",
    "123456789012",
    "bot:pw@",
];

fn mutate(rng: &mut Rng, seed: &str, other: &str) -> String {
    let mut text = seed.to_owned();
    for _ in 0..=rng.below(4) {
        let at = boundary(&text, rng.below(text.len() + 1));
        match rng.below(6) {
            0 | 1 => text.insert_str(at, DICT[rng.below(DICT.len())]),
            2 => {
                let end = boundary(&text, (at + rng.below(16)).min(text.len()));
                text.replace_range(at..end, "");
            }
            3 => {
                let end = boundary(&text, (at + rng.below(64)).min(text.len()));
                let piece = text[at..end].to_owned();
                text.insert_str(at, &piece.repeat(1 + rng.below(8)));
            }
            4 if !other.is_empty() => {
                let from = boundary(other, rng.below(other.len()));
                let to = boundary(other, (from + rng.below(128)).min(other.len()));
                text.insert_str(at, &other[from..to]);
            }
            _ => {
                let end = boundary(&text, (at + 1).min(text.len()));
                text.replace_range(at..end, DICT[rng.below(DICT.len())]);
            }
        }
    }
    text
}

fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Seeds per entry point: fixtures, regression fixtures, and a few hostile inputs.
fn seeds(root: &Path) -> BTreeMap<&'static str, Vec<String>> {
    let fixtures = root.join("tests/fixtures");
    let mut files = Vec::new();
    walk(&fixtures, &mut files);
    let mut seeds: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.to_string_lossy();
        if let Some(entry) = name
            .split("/fuzz/")
            .nth(1)
            .and_then(|rest| ENTRIES.iter().find(|e| rest.starts_with(&format!("{e}-"))))
        {
            seeds.entry(entry).or_default().push(text);
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") if name.contains("/forms/") => seeds.entry("form").or_default().push(text),
            Some("json") => {
                for e in ["lint", "fix", "doctor"] {
                    seeds.entry(e).or_default().push(text.clone());
                }
            }
            Some("yaml" | "yml") => {
                for e in ["yaml", "doctor"] {
                    seeds.entry(e).or_default().push(text.clone());
                }
            }
            Some("toml") => seeds.entry("config").or_default().push(text),
            Some("txt") if name.ends_with("hosts.txt") => {
                let hosts = seeds.entry("host").or_default();
                hosts.extend(
                    text.lines()
                        .filter(|l| !l.starts_with('#') && !l.is_empty())
                        .map(str::to_owned),
                );
            }
            Some("txt") if name.contains("/doctor/") => {
                seeds.entry("doctor").or_default().push(text)
            }
            Some("txt") => seeds.entry("explain").or_default().push(text),
            _ => {}
        }
    }
    seeds.entry("host").or_default().extend(
        [
            "https://https://ghcr.io",
            "bot@PASS/WORD@ghcr.io",
            "a@",
            "[::1]:5000",
        ]
        .map(str::to_owned),
    );
    seeds.entry("explain").or_default().extend(
        [
            "An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: ecr:GetAuthorizationToken on resource: *",
            "WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/X",
        ]
        .map(str::to_owned),
    );
    seeds.entry("config").or_default().push(
        "[[registry]]\nname = \"prod\"\nhost = \"123456789012.dkr.ecr.us-east-1.amazonaws.com\"\nauth = \"ambient\"\n"
            .to_owned(),
    );
    seeds.entry("generate").or_default().extend(
        [
            "coder\ncoder\nhttps://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF\n123456789012",
        ]
        .map(str::to_owned),
    );
    seeds
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for e in entries {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Ranges inside `text` on char boundaries; every fix applies; safe fixes change the text.
fn check_diagnostics(text: &str, diagnostics: &[Diagnostic]) -> Result<(), String> {
    for d in diagnostics {
        if let Some(r) = d.range() {
            let (s, e) = (r.start as usize, r.end as usize);
            if s > e || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
                return Err(format!(
                    "{} range {s}..{e} not in the text (len {})",
                    d.code(),
                    text.len()
                ));
            }
        }
        if let Some(fix) = d.fix() {
            let Some(fixed) = fix.apply(text) else {
                return Err(format!("{} fix does not apply: {:?}", d.code(), fix.edits));
            };
            if fixed == text && fix.applicability != Applicability::Display {
                return Err(format!("{} fix changes nothing", d.code()));
            }
        }
    }
    Ok(())
}

/// Runs one input through `entry`; `Err` describes a broken invariant.
fn one(entry: &str, input: &str) -> Result<(), String> {
    match entry {
        "host" => {
            for kind in [RegistryKind::Ecr, RegistryKind::Generic] {
                let a = registry_form::analyze_host(input, None, kind);
                let host_findings: Vec<Diagnostic> = a
                    .diagnostics
                    .into_iter()
                    .filter(|d| d.pointer() == "/host")
                    .collect();
                check_diagnostics(input, &host_findings)?;
            }
            Ok(())
        }
        "form" => {
            let Ok(form) = serde_json::from_str::<RegistryForm>(input) else {
                return Ok(());
            };
            for d in registry_form::validate(&form, &FormContext::default()) {
                if let (Some(r), Some(field)) = (d.range(), form.field(d.pointer())) {
                    let (s, e) = (r.start as usize, r.end as usize);
                    if e > field.len() || !field.is_char_boundary(s) || !field.is_char_boundary(e) {
                        return Err(format!(
                            "{} range {s}..{e} not in {}",
                            d.code(),
                            d.pointer()
                        ));
                    }
                }
            }
            Ok(())
        }
        "lint" => {
            for kind in [None, Some(PolicyKind::Trust), Some(PolicyKind::Permissions)] {
                let out = policy::lint(input, kind, &LintContext::default());
                check_diagnostics(input, &out.diagnostics)?;
            }
            Ok(())
        }
        "fix" => {
            // Each safe fix applied alone, re-linted: no panic, no same finding at the same place.
            let ctx = LintContext::default();
            let out = policy::lint(input, None, &ctx);
            for d in &out.diagnostics {
                let Some(fix) = d.fix().filter(|f| f.applicability == Applicability::Safe) else {
                    continue;
                };
                let Some(fixed) = fix.apply(input) else {
                    continue;
                };
                let again = policy::lint(&fixed, None, &ctx);
                check_diagnostics(&fixed, &again.diagnostics)?;
                if again.diagnostics.iter().any(|a| {
                    a.code() == d.code()
                        && a.range() == d.range()
                        && a.message() == d.message()
                        && a.fix().is_some_and(|f| f.edits == fix.edits)
                }) {
                    return Err(format!("{} reported again after its fix", d.code()));
                }
            }
            Ok(())
        }
        "generate" => {
            let mut lines = input.lines();
            let opts = policy::generate::IrsaOptions {
                namespace: lines.next().unwrap_or_default().to_owned(),
                service_account: lines.next().unwrap_or_default().to_owned(),
                issuer: lines.next().map(str::to_owned),
                account: lines.next().map(str::to_owned),
                ..Default::default()
            };
            if let Ok(text) = policy::generate::irsa(&opts) {
                let out = policy::lint(&text, Some(PolicyKind::Trust), &LintContext::default());
                if let Some(d) = out.diagnostics.iter().find(|d| d.is_error()) {
                    return Err(format!(
                        "generated policy lints with {}: {}",
                        d.code(),
                        d.message()
                    ));
                }
            }
            Ok(())
        }
        "doctor" => {
            let inputs = doctor::DoctorInputs {
                trust_policy: Some(input.to_owned()),
                oidc_provider: Some(input.to_owned()),
                service_account: Some(input.to_owned()),
                cluster: Some(input.to_owned()),
                pod_env: Some(input.to_owned()),
                ..Default::default()
            };
            for check in doctor::check_irsa(&inputs).checks {
                if let (Some(d), Some(_)) = (&check.diagnostic, check.source) {
                    check_diagnostics(input, std::slice::from_ref(d))?;
                }
            }
            Ok(())
        }
        "yaml" => {
            match doctor::yaml::parse(input) {
                Ok(docs) => {
                    for n in docs {
                        let (s, e) = (n.range.start as usize, n.range.end as usize);
                        if e > input.len()
                            || !input.is_char_boundary(s)
                            || !input.is_char_boundary(e)
                        {
                            return Err(format!("node range {s}..{e}"));
                        }
                    }
                }
                Err(err) => {
                    let (s, e) = (err.range.start as usize, err.range.end as usize);
                    if e > input.len() || !input.is_char_boundary(s) || !input.is_char_boundary(e) {
                        return Err(format!("error range {s}..{e}"));
                    }
                }
            }
            Ok(())
        }
        "config" => {
            match config::parse(input) {
                Ok(cfg) => {
                    for f in config::validate(&cfg, Some(input)) {
                        if let Some(r) = f.diagnostic.range()
                            && (r.end as usize > input.len()
                                || !input.is_char_boundary(r.start as usize)
                                || !input.is_char_boundary(r.end as usize))
                        {
                            return Err(format!("{} range {r:?}", f.diagnostic.code()));
                        }
                    }
                }
                Err(errors) => {
                    for e in errors {
                        if let Some(r) = e.range
                            && (r.end as usize > input.len()
                                || !input.is_char_boundary(r.start as usize)
                                || !input.is_char_boundary(r.end as usize))
                        {
                            return Err(format!("config error range {r:?}"));
                        }
                    }
                }
            }
            Ok(())
        }
        "explain" => {
            let _ = explain::explain(input);
            Ok(())
        }
        other => Err(format!("unknown entry point {other}")),
    }
}

/// Runs `one` guarded: a panic is a failure; returns the time taken.
fn guarded(entry: &str, input: &str) -> (Duration, Result<(), String>) {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| one(entry, input))).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Err(format!("panic: {msg}"))
    });
    (start.elapsed(), result)
}

pub(crate) fn fuzz(args: &Args) -> anyhow::Result<Summary> {
    let root = project_root();
    let failures_dir = root.join("target/fuzz/failures");
    let seeds = seeds(&root);
    // Panics are expected to be caught here; keep their default message off the terminal.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(args.seed | 1);
    let mut summary = Summary::default();
    let started = Instant::now();
    let per_entry = Duration::from_secs(args.seconds) / u32::try_from(ENTRIES.len()).unwrap_or(1);
    let slow = Duration::from_millis(args.slow_ms);
    for entry in ENTRIES {
        let Some(pool) = seeds.get(entry).filter(|p| !p.is_empty()) else {
            continue;
        };
        let entry_started = Instant::now();
        let (mut n, mut slowest) = (0usize, Duration::ZERO);
        // Every seed once as it is (replays the regression fixtures), then mutations.
        let mut queue: Vec<String> = pool.clone();
        while entry_started.elapsed() < per_entry || !queue.is_empty() {
            let input = queue.pop().unwrap_or_else(|| {
                let seed = &pool[rng.below(pool.len())];
                let other = &pool[rng.below(pool.len())];
                mutate(&mut rng, seed, other)
            });
            let (mut took, mut result) = guarded(entry, &input);
            if result.is_ok() && took > slow {
                // Best of three: a busy machine is not a slow input.
                for _ in 0..2 {
                    let (t, r) = guarded(entry, &input);
                    took = took.min(t);
                    result = r;
                }
                if took > slow {
                    result = Err(format!("slow: {:.0} ms", took.as_secs_f64() * 1e3));
                }
            }
            slowest = slowest.max(took);
            n += 1;
            if let Err(problem) = result {
                let k = summary.failures.len();
                if k < 100 {
                    std::fs::create_dir_all(&failures_dir)?;
                    let file = failures_dir.join(format!("{entry}-{k}.txt"));
                    std::fs::write(&file, &input)?;
                    summary
                        .failures
                        .push(format!("{entry}: {problem} ({})", file.display()));
                }
            }
        }
        summary
            .per_entry
            .insert(entry, (n, slowest, entry_started.elapsed()));
        summary.inputs += n;
    }
    std::panic::set_hook(hook);
    summary.elapsed = started.elapsed();
    Ok(summary)
}
