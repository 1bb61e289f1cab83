//! `cargo xtask bench`: pullpass measured against what a user would pick instead, in the same
//! run on the same machine, written to `BENCHMARKS.md`.
//!
//! Sections: `lint` (throughput against Parliament and `cat`, single-file latency, what each
//! catches), `token` (the docker credential helper against Debian's
//! `amazon-ecr-credential-helper`, both against one moto peer), `browser` (wasm size and latency
//! in Chromium against ajv with the project's JSON Schema), `scaling` (files and policy size),
//! `micro` (the criterion benchmarks of the core). A section whose peer cannot run reports
//! "not measured: <reason>" and the run goes on. Numbers are reported, never asserted.

mod browser;
mod corpus;
mod cpu;
mod hardening;
mod lint;
mod machine;
mod micro;
mod peers;
mod sources;
mod timing;
mod token;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::util::{cargo, project_root, sh};

pub(crate) use token::InnerArgs as TokenInnerArgs;

/// The hidden `bench-token-inner` step (see [`token`]).
pub(crate) fn token_inner(args: &TokenInnerArgs) -> anyhow::Result<()> {
    token::inner(args)
}

/// The sections, in the order they run and appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SectionId {
    Lint,
    Token,
    Browser,
    Scaling,
    Micro,
    /// Issue 15: linear-time rows and a long fuzz run.
    Hardening,
    /// Issue 12: a repository of mixed files against checkov and `cat`.
    Sources,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Run only these sections (default: all). A partial run writes
    /// `target/bench/BENCHMARKS.md` unless `--output` says otherwise.
    #[arg(value_enum)]
    sections: Vec<SectionId>,
    /// Fewer repetitions and smaller inputs: checks the harness, not the numbers.
    #[arg(long)]
    quick: bool,
    /// Where to write the report (default: `BENCHMARKS.md` at the root for a full run).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Skip `cargo xtask setup`-style installation of the peers (use what is there).
    #[arg(long)]
    no_install: bool,
    /// Run only these parts of their sections (repeatable; the sections they belong to are
    /// selected): a narrow, quick measurement of one row while working on it. A run with
    /// `--only` never writes `BENCHMARKS.md` at the root.
    #[arg(long, value_enum)]
    only: Vec<Part>,
}

/// The parts `--only` selects, each the rows of one measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Part {
    /// Section 1: `pullpass lint` of the corpus against `cat` (no Parliament).
    LintCat,
    /// Section 1: single-file latency and what pullpass catches (no Parliament; the
    /// `lint-cat` rows run first).
    LintLatency,
    /// Section 7: `pullpass lint` of the generated repository against `cat` (no checkov).
    SourcesCat,
    /// Section 6: the 1 MB policy of condition keys in every format.
    HardeningKeys,
    /// Section 6: the one-line file with thousands of findings in every format.
    HardeningFindings,
    /// Section 6: peak RSS of 100,000 files in every format.
    HardeningRss,
    /// Section 6: the seeded fuzz run.
    HardeningFuzz,
}

impl Part {
    fn section(self) -> SectionId {
        match self {
            Part::LintCat | Part::LintLatency => SectionId::Lint,
            Part::SourcesCat => SectionId::Sources,
            Part::HardeningKeys
            | Part::HardeningFindings
            | Part::HardeningRss
            | Part::HardeningFuzz => SectionId::Hardening,
        }
    }
}

/// What every section gets.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// Scratch space: `target/bench`.
    pub(crate) work: PathBuf,
    /// The release `pullpass` binary.
    pub(crate) pullpass: PathBuf,
    pub(crate) quick: bool,
    pub(crate) install: bool,
    /// `--only`: empty for every part.
    pub(crate) only: Vec<Part>,
}

impl Ctx {
    /// Whether `part` runs: every part without `--only`.
    pub(crate) fn wants(&self, part: Part) -> bool {
        self.only.is_empty() || self.only.contains(&part)
    }

    /// Whether peers run (Parliament, checkov): not under `--only`, which measures pullpass
    /// against `cat` or on its own.
    pub(crate) fn peers(&self) -> bool {
        self.only.is_empty()
    }

    /// `quick` when the run is quick, else `full`.
    pub(crate) fn pick<T>(&self, full: T, quick: T) -> T {
        if self.quick { quick } else { full }
    }
}

/// Was a target met?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Met,
    Missed,
    /// Reported for information: there is no target.
    Info,
    NotMeasured,
}

impl Verdict {
    pub(crate) fn from_bool(met: bool) -> Self {
        if met { Self::Met } else { Self::Missed }
    }

    fn cell(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "**missed**",
            Verdict::Info => "",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One line of the summary table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) measure: String,
    pub(crate) pullpass: String,
    pub(crate) peer: String,
    pub(crate) ratio: String,
    pub(crate) target: String,
    pub(crate) verdict: Verdict,
}

impl Row {
    pub(crate) fn new(measure: impl Into<String>) -> Self {
        Self {
            measure: measure.into(),
            pullpass: String::new(),
            peer: String::new(),
            ratio: String::new(),
            target: String::new(),
            verdict: Verdict::Info,
        }
    }

    pub(crate) fn pullpass(mut self, v: impl Into<String>) -> Self {
        self.pullpass = v.into();
        self
    }

    pub(crate) fn peer(mut self, v: impl Into<String>) -> Self {
        self.peer = v.into();
        self
    }

    pub(crate) fn ratio(mut self, v: impl Into<String>) -> Self {
        self.ratio = v.into();
        self
    }

    pub(crate) fn target(mut self, v: impl Into<String>, verdict: Verdict) -> Self {
        self.target = v.into();
        self.verdict = verdict;
        self
    }

    /// A row for something that could not be measured, with the reason in place of a number.
    pub(crate) fn not_measured(measure: impl Into<String>, reason: &str) -> Self {
        Self::new(measure)
            .pullpass(format!("not measured: {}", one_line(reason)))
            .target("", Verdict::NotMeasured)
    }
}

/// What one section produced: summary rows, its own markdown, versions of the peers it used.
#[derive(Debug, Default)]
pub(crate) struct Section {
    pub(crate) rows: Vec<Row>,
    pub(crate) body: String,
    pub(crate) versions: Vec<(String, String)>,
}

impl Section {
    fn failed(title: &str, err: &anyhow::Error) -> Self {
        let reason = format!("{err:#}");
        Self {
            rows: vec![Row::not_measured(title, &reason)],
            body: format!("Not measured: {}\n", one_line(&reason)),
            versions: Vec::new(),
        }
    }
}

/// The first 300 characters of the first non-empty lines of an error, on one line (for tables).
pub(crate) fn one_line(text: &str) -> String {
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|");
    if joined.chars().count() > 300 {
        joined.chars().take(300).collect::<String>() + "…"
    } else {
        joined
    }
}

fn title(id: SectionId) -> &'static str {
    match id {
        SectionId::Lint => "1. Lint throughput and latency",
        SectionId::Token => "2. Token minting (docker credential helper)",
        SectionId::Browser => "3. Browser (WebAssembly in Chromium)",
        SectionId::Scaling => "4. Scaling",
        SectionId::Micro => "5. Core micro-benchmarks (criterion)",
        SectionId::Hardening => "6. Hostile input (linear time, fuzzing)",
        SectionId::Sources => {
            "7. Repositories (Terraform, CloudFormation, Kubernetes) against checkov"
        }
    }
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let all = [
        SectionId::Lint,
        SectionId::Token,
        SectionId::Browser,
        SectionId::Scaling,
        SectionId::Micro,
        SectionId::Hardening,
        SectionId::Sources,
    ];
    let selected: Vec<SectionId> = if args.sections.is_empty() && !args.only.is_empty() {
        all.iter()
            .copied()
            .filter(|s| args.only.iter().any(|p| p.section() == *s))
            .collect()
    } else if args.sections.is_empty() {
        all.to_vec()
    } else {
        all.iter()
            .copied()
            .filter(|s| args.sections.contains(s))
            .collect()
    };
    let full_run = selected.len() == all.len() && !args.quick && args.only.is_empty();
    let root = project_root();
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let work = target_dir.join("bench");
    std::fs::create_dir_all(&work)
        .with_context(|| format!("could not create {}", work.display()))?;

    sh(cargo().args(["build", "--release", "--quiet", "--package", "pullpass-cli"]))?;
    let ctx = Ctx {
        work,
        pullpass: target_dir.join("release").join("pullpass"),
        quick: args.quick,
        install: !args.no_install,
        only: args.only.clone(),
    };

    let load_at_start = machine::load_average();
    let mut sections = Vec::new();
    for id in &selected {
        eprintln!("== bench: {}", title(*id));
        let section_started = Instant::now();
        let result = match id {
            SectionId::Lint => lint::throughput(&ctx),
            SectionId::Token => token::run(&ctx),
            SectionId::Browser => browser::run(&ctx),
            SectionId::Scaling => lint::scaling(&ctx),
            SectionId::Micro => micro::run(&ctx),
            SectionId::Hardening => hardening::run(&ctx),
            SectionId::Sources => sources::run(&ctx),
        };
        let section = result.unwrap_or_else(|err| {
            eprintln!("bench: {} not measured: {err:#}", title(*id));
            Section::failed(title(*id), &err)
        });
        eprintln!("   ({:.0} s)", section_started.elapsed().as_secs_f64());
        sections.push((*id, section));
    }

    let mut versions = vec![(
        "Load average (1/5/15 min), start → end".to_owned(),
        format!(
            "{load_at_start} → {} (a shared machine: other work moves the numbers)",
            machine::load_average()
        ),
    )];
    versions.push((
        "pullpass".to_owned(),
        machine::first_line(std::process::Command::new(&ctx.pullpass).arg("--version")),
    ));
    for (_, s) in &sections {
        versions.extend(s.versions.iter().cloned());
    }
    let command = if full_run {
        "cargo xtask bench".to_owned()
    } else {
        let mut c = "cargo xtask bench".to_owned();
        for id in &selected {
            let _ = write!(c, " {}", format!("{id:?}").to_ascii_lowercase());
        }
        for part in &args.only {
            let _ = write!(
                c,
                " --only {}",
                clap::ValueEnum::to_possible_value(part)
                    .map(|v| v.get_name().to_owned())
                    .unwrap_or_default()
            );
        }
        if args.quick {
            c.push_str(" --quick");
        }
        c
    };
    let text = render(&command, &machine::describe(&versions), &sections, started);
    let output = args.output.clone().unwrap_or_else(|| {
        if full_run {
            root.join("BENCHMARKS.md")
        } else {
            ctx.work.join("BENCHMARKS.md")
        }
    });
    std::fs::write(&output, &text)
        .with_context(|| format!("could not write {}", output.display()))?;
    println!("{text}");
    eprintln!(
        "bench: wrote {} in {:.0} s",
        output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn render(
    command: &str,
    machine: &[(String, String)],
    sections: &[(SectionId, Section)],
    started: Instant,
) -> String {
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str(
        "pullpass against what a user would pick instead, measured in the same run on the same \
         machine; ratios compare numbers from this run only. Generated by `xtask/src/bench.rs`: \
         do not edit by hand, run the command again.\n\n",
    );
    let _ = writeln!(md, "```sh\n{command}\n```\n");
    let _ = writeln!(
        md,
        "Total run time: {:.0} s. Times are medians of repeated runs unless a row says otherwise; \
         release builds; page cache warm (one untimed run first).\n",
        started.elapsed().as_secs_f64()
    );
    md.push_str("## Machine\n\n| | |\n|---|---|\n");
    for (k, v) in machine {
        let _ = writeln!(md, "| {k} | {} |", one_line(v));
    }
    md.push_str("\n## Summary\n\n");
    md.push_str("| Measure | pullpass | Peer | Ratio | Target | |\n|---|---|---|---|---|---|\n");
    for (_, s) in sections {
        for r in &s.rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                r.measure,
                r.pullpass,
                r.peer,
                r.ratio,
                r.target,
                r.verdict.cell()
            );
        }
    }
    for (id, s) in sections {
        let _ = write!(md, "\n## {}\n\n{}", title(*id), s.body);
    }
    md
}
