//! `pullpass lint`: IAM trust and permissions policies in CI.
//!
//! Reads files, directories (the repository walk of `lint/walk.rs`: JSON policies,
//! Terraform, CloudFormation, Kubernetes and Helm files, `.gitignore` honoured) and stdin,
//! lints each with `pullpass_core::policy::lint` (sources through `pullpass-sources`) on all
//! cores in a stable order, renders text, JSON, SARIF or GitHub annotations, and with
//! `--fix` applies the safe fixes in place (atomically), `--diff` shows them.

mod output;
mod settings;
mod walk;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pullpass_core::Diagnostic;
use pullpass_core::config::LintTable;
use pullpass_core::diagnostic::{FixLevel, Summary};
use pullpass_core::policy::{self, LintContext, PolicyKind};
use pullpass_core::report::{FileReport, Finding, FindingsReport};
use pullpass_sources::{Extracted, Format};
use rayon::prelude::*;

use crate::exit::Exit;
use crate::render::{self, Item, Source};

/// `--kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
enum KindArg {
    Trust,
    Permissions,
    /// An ECR repository policy (who may pull or push the repository).
    Repository,
    /// Decide from each document (a `Principal` or `sts:AssumeRole*` means trust).
    #[default]
    Auto,
}

/// `--format` of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
enum LintFormat {
    /// rustc-style, for people.
    #[default]
    Text,
    /// `schemas/findings.schema.json`.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions annotations (`::error file=…`).
    Github,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy files, source files (Terraform, CloudFormation, manifests), directories (walked,
    /// honouring `.gitignore`), or `-` for stdin.
    #[arg(required = true, value_name = "PATH|DIR|-")]
    paths: Vec<PathBuf>,
    /// What the documents are; `auto` decides per document and says which.
    #[arg(long, value_enum, default_value_t)]
    kind: KindArg,
    /// The service account that must be admitted, and nothing else (TP032).
    #[arg(long, value_name = "NS/NAME", value_parser = parse_service_account)]
    expect_service_account: Option<String>,
    /// The cluster's OIDC issuer URL the policy must trust (TP032, TP040).
    #[arg(long, value_name = "URL")]
    expect_issuer: Option<String>,
    /// The IAM OIDC provider ARN the policy must trust (TP032, TP040).
    #[arg(long, value_name = "ARN")]
    expect_provider_arn: Option<String>,
    /// The role the trust policy belongs to: its account and partition (TP040, TP041, TP062).
    #[arg(long, value_name = "ARN")]
    role_arn: Option<String>,
    /// The registry host the role pulls from (TP040; EP002 with --repository).
    #[arg(long, value_name = "HOST")]
    registry: Option<String>,
    /// The repository the role pulls (EP002 evaluates its ARN; needs --registry).
    #[arg(long, value_name = "NAME")]
    repository: Option<String>,
    /// The repository's ECR repository policy: EP002 evaluates it with the identity policy,
    /// as IAM does (same account: either may allow; another account: both must).
    #[arg(long, value_name = "FILE")]
    repository_policy: Option<PathBuf>,
    /// The registry is used to import images: also check the listing actions (EP003). Also
    /// on when the configured registry named by --registry has `import_images = true`.
    #[arg(long)]
    import_images: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: LintFormat,
    /// Apply the safe fixes in place (atomically), then report what is left.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Show the safe fixes as a unified diff without writing; exit 1 when there are any.
    #[arg(long)]
    diff: bool,
    /// With --fix or --diff, also apply the unsafe fixes: those that change what the policy
    /// admits (a `StringEquals` made `StringLike`). Read the diff first.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Do not report the findings recorded in this baseline file (default: the config's
    /// `[lint] baseline`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every finding in FILE as the baseline, then exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "fix", "diff"])]
    write_baseline: Option<PathBuf>,
    /// Skip named files that are neither policies nor sources, as a directory walk does
    /// (for pre-commit, which names every staged `.json`/`.yaml`/`.tf` file).
    #[arg(long)]
    skip_non_policies: bool,
}

impl Args {
    /// The global `-v/--verbose`: also list the JSON files a directory search skipped as not
    /// policies, and why (one flag for the whole CLI).
    #[allow(clippy::unused_self)]
    fn verbose(&self) -> bool {
        crate::log::verbosity() > 0
    }
}

fn parse_service_account(s: &str) -> Result<String, String> {
    match s.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok(s.to_owned())
        }
        _ => Err(format!(
            "`{s}` is not NAMESPACE/NAME (for example coder/coder)"
        )),
    }
}

/// One input: a file or stdin.
#[derive(Debug)]
enum Input {
    Stdin,
    /// Named on the command line: read as a policy unless it is a source.
    File(PathBuf),
    /// Found by a directory walk: skipped quietly unless it is a policy or a source.
    Walked(PathBuf),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Self::Stdin => "-".to_owned(),
            // `display` goes through the lossy UTF-8 formatter (5.5 M instructions on a
            // 10,000-file walk); a UTF-8 path is its own text.
            Self::File(p) | Self::Walked(p) => p
                .to_str()
                .map_or_else(|| p.display().to_string(), str::to_owned),
        }
    }
}

/// Expands directories through the repository walk (sorted; `.gitignore` honoured).
fn collect(paths: &[PathBuf], errors: &mut Vec<String>) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let found = walk::expand(path, errors);
                if found.is_empty() {
                    errors.push(format!(
                        "no policy, Terraform, CloudFormation or manifest files under {}",
                        path.display()
                    ));
                }
                inputs.extend(found.into_iter().map(Input::Walked));
            }
            Ok(_) => inputs.push(Input::File(path.clone())),
            Err(e) => errors.push(format!("cannot read {}: {e}", path.display())),
        }
    }
    inputs
}

/// `--fix` under a directory scan: why a walked file must not be written, when it is a symlink
/// whose target lies outside every scanned directory it was found under (issue 15 #12). A link
/// found by the walk is linted, and followed for writing while its target stays inside the
/// tree (ruff follows symlinks to files, astral-sh/ruff#280); a link out of the tree could
/// make `pullpass lint --fix .` in a checked-out repository rewrite any file the user can
/// write, so it is refused and nothing is written. A link named on the command line is the
/// user's choice and followed (`fsio::replace_file`).
fn link_out_of_tree(path: &Path, roots: &[PathBuf]) -> Option<String> {
    let is_link = std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false);
    if !is_link {
        // A link in a parent directory is a directory link, which the walk does not follow.
        return None;
    }
    let target = std::fs::canonicalize(path).ok();
    let inside = roots
        .iter()
        .filter(|root| path.starts_with(root))
        .filter_map(|root| std::fs::canonicalize(root).ok())
        .any(|root| target.as_ref().is_some_and(|t| t.starts_with(&root)));
    (!inside).then(|| {
        format!(
            "--fix: {} is a symlink to {}, outside the scanned directory; pullpass does not \
             write through it (name the file itself to fix it); nothing was written",
            path.display(),
            target.map_or_else(
                || "a file that cannot be resolved".to_owned(),
                |t| t.display().to_string()
            )
        )
    })
}

/// Why a symlink met in a directory walk is not linted: it points to a directory (not
/// followed), loops, or dangles. `None` for a link to a file (linted).
fn skipped_link(p: &Path) -> Option<&'static str> {
    match std::fs::metadata(p) {
        Ok(meta) if meta.is_dir() => Some("a symlink to a directory (not followed)"),
        Ok(_) => None,
        Err(e) if e.raw_os_error() == Some(40) => Some("a symlink loop"),
        Err(_) => Some("a symlink to nothing"),
    }
}

/// The linted state of one input.
#[derive(Debug)]
struct Linted {
    name: String,
    text: String,
    kind: Option<PolicyKind>,
    detected: bool,
    diagnostics: Vec<Diagnostic>,
    /// Safe fixes applied (with --fix) or applicable (with --diff).
    fixed: usize,
    /// The text with the safe fixes applied, when it differs.
    fixed_text: Option<String>,
    /// For a source file (Terraform, CloudFormation, …): what was found in it.
    note: Option<String>,
    /// Policies of a source file that were not linted, and why (`--verbose` says them).
    not_linted: Vec<String>,
}

/// What the parallel pass makes of one input.
#[derive(Debug)]
enum Outcome {
    Linted(Box<Linted>, Option<Extracted>),
    Skipped(String, &'static str),
    Error(String),
    /// `--fix` could not write the file: the item as read, and why.
    FixFailed(Box<Linted>, String),
}

fn unified_diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// Inputs linted per parallel batch: enough to keep every core busy, few enough that one
/// batch's texts and findings are all the run holds at a time (besides the source files of
/// the cross-file pass).
const BATCH: usize = 512;

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let kind = match args.kind {
        KindArg::Trust => Some(PolicyKind::Trust),
        KindArg::Permissions => Some(PolicyKind::Permissions),
        KindArg::Repository => Some(PolicyKind::Repository),
        KindArg::Auto => None,
    };
    if args.repository.is_some() && args.registry.is_none() {
        anyhow::bail!(
            "--repository needs --registry HOST (the repository's ARN comes from the host's account and region)"
        );
    }
    let ctx = LintContext {
        expected_service_account: args.expect_service_account.clone(),
        expected_issuer: args.expect_issuer.clone(),
        expected_provider_arn: args.expect_provider_arn.clone(),
        role_arn: args.role_arn.clone(),
        registry_host: args.registry.clone(),
        repository: args.repository.clone(),
        repository_policy: super::lint_inputs::repository_policy(
            args.repository_policy.as_deref(),
        )?,
        import_images: args.import_images
            || super::lint_inputs::config_imports(args.registry.as_deref()),
        // `--kind permissions` says the file is the pulling role's policy.
        pull_role: kind == Some(PolicyKind::Permissions),
    };
    let level = if args.unsafe_fixes {
        FixLevel::Unsafe
    } else {
        FixLevel::Safe
    };
    let mut errors = Vec::new();
    let started = std::time::Instant::now();
    let mut inputs = collect(&args.paths, &mut errors);
    // `-vv`: where the time of a run goes, phase by phase.
    tracing::debug!("lint: allocator {}", crate::alloc::name());
    tracing::debug!(
        "lint: walk {:.1} ms ({} inputs)",
        started.elapsed().as_secs_f64() * 1e3,
        inputs.len()
    );
    if args.skip_non_policies {
        for input in &mut inputs {
            if let Input::File(path) = input {
                *input = Input::Walked(std::mem::take(path));
            }
        }
    }
    if args.fix && inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        anyhow::bail!(
            "--fix rewrites files in place and cannot rewrite stdin; use --diff to see the fixes"
        );
    }
    let table = crate::config::path()
        .ok()
        .filter(|p| p.exists())
        .map(|p| crate::config::load_from(&p))
        .transpose()?
        .map(|loaded| loaded.config.lint)
        .unwrap_or_default();
    let baseline = match args
        .baseline
        .clone()
        .or_else(|| table.baseline.as_ref().map(PathBuf::from))
    {
        Some(path) if args.write_baseline.is_none() => Some(settings::Baseline::read(&path)?),
        _ => None,
    };
    let color = render::text::use_color();
    // A baseline accepts each finding once, in input order: then the files are settled (and
    // rendered) in order on this thread; otherwise on the workers, with their linting.
    let on_workers = baseline.is_none();
    let mut report = Report::new(&args, &table, baseline, color, errors);
    let step = |input: &Input| {
        let outcome = lint_input(input, kind, &ctx, level, &args);
        Step::of(outcome, on_workers.then_some((&table, &args, color)))
    };
    let linting = std::time::Instant::now();
    if inputs.len() <= 1 {
        // One file (an editor, a pre-commit hook with one file): no thread pool to start.
        for input in &inputs {
            report.add(step(input))?;
        }
        return report.finish(&ctx, linting);
    }
    // All cores, batch by batch; each batch is collected in input order, so the output does
    // not depend on the threads. A thread of its own hands the batches to the pool while this
    // one writes the previous batch's output: the cores lint while the output is written, and
    // at most three batches are held (the channel holds one), so the memory does not grow with
    // the number of files.
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (done, batches) = std::sync::mpsc::sync_channel::<Vec<Step>>(1);
        let inputs = &inputs;
        let step = &step;
        scope.spawn(move || {
            for batch in inputs.chunks(BATCH) {
                let steps: Vec<Step> = batch.par_iter().map(step).collect();
                // The writer stopped (an error): so does the linting.
                if done.send(steps).is_err() {
                    break;
                }
            }
        });
        for steps in batches {
            for step in steps {
                report.add(step)?;
            }
        }
        Ok(())
    })?;
    report.finish(&ctx, linting)
}

/// One linted file reduced to what the run needs once its output is written.
#[derive(Debug)]
struct Facts {
    name: String,
    kind: Option<PolicyKind>,
    detected: bool,
    /// A Terraform / CloudFormation / Kubernetes / Helm file.
    source: bool,
    summary: Summary,
    /// Fixed (`--fix`) or would be (`--diff`).
    changed: bool,
    /// Only for `--write-baseline`.
    diagnostics: Vec<Diagnostic>,
    /// Policies of a source file that were not linted, and why.
    not_linted: Vec<String>,
}

impl Facts {
    fn of(l: Linted, keep_diagnostics: bool) -> Self {
        Self {
            summary: Summary::of(&l.diagnostics),
            kind: l.kind,
            detected: l.detected,
            source: l.note.is_some(),
            changed: l.fixed_text.is_some(),
            not_linted: l.not_linted,
            diagnostics: if keep_diagnostics {
                l.diagnostics
            } else {
                Vec::new()
            },
            name: l.name,
        }
    }

    fn kind_text(&self) -> (&'static str, &'static str) {
        kind_text(self.kind, self.detected)
    }
}

/// What the parallel pass hands the ordered writer for one input.
#[derive(Debug)]
enum Step {
    /// Settled (the `[lint]` table applied) and rendered on a worker: the text is gone.
    Done {
        facts: Facts,
        chunk: Vec<u8>,
        /// `--fix` could not write the file.
        error: Option<String>,
        /// Unused inline suppressions.
        warnings: Vec<String>,
    },
    /// To settle on the writer's thread (a baseline is in use), or a source file held for the
    /// cross-file pass; `--fix`'s error, unused inline suppressions.
    Open(Box<Linted>, Option<Extracted>, Option<String>, Vec<String>),
    Skipped(String, &'static str),
    Error(String),
}

impl Step {
    /// `render`: settle and render here (on the worker) unless the file is held.
    fn of(outcome: Outcome, render: Option<(&LintTable, &Args, bool)>) -> Self {
        let (mut item, extracted, error) = match outcome {
            Outcome::Skipped(name, why) => return Self::Skipped(name, why),
            Outcome::Error(e) => return Self::Error(e),
            Outcome::Linted(item, extracted) => (item, extracted, None),
            Outcome::FixFailed(item, e) => (item, None, Some(e)),
        };
        // A source file that gives the cross-file pass nothing (no policy, no service
        // account, no document of another file, no role ⇄ policy link, no namespace a Helm
        // chart beside it may take)
        // is finished here, not held.
        let (extracted, warnings) = match extracted {
            Some(ex)
                if ex.policies.is_empty()
                    && ex.service_accounts.is_empty()
                    && ex.document_uses.is_empty()
                    && ex.attachments.is_empty()
                    && ex.namespaces.is_empty() =>
            {
                (None, suppress(&mut item))
            }
            other => (other, Vec::new()),
        };
        match render {
            Some((table, args, color))
                if extracted.is_none() && item.diagnostics.len() <= RENDER_ON_WORKER_UP_TO =>
            {
                settings::apply_table(table, &display_name(&item.name), &mut item.diagnostics);
                let mut chunk = Vec::new();
                if args.write_baseline.is_none() {
                    // Writing to a `Vec` does not fail.
                    let _ = render_file(&item, args, color, &mut chunk);
                }
                Self::Done {
                    facts: Facts::of(*item, args.write_baseline.is_some()),
                    chunk,
                    error,
                    warnings,
                }
            }
            _ => Self::Open(item, extracted, error, warnings),
        }
    }
}

/// The ordered writer: takes the parallel pass's steps in input order, writes each file's
/// output at once (or leaves a hole for a file of the cross-file pass), and keeps only
/// [`Facts`] for the frame (summary, JSON `files`, SARIF `artifacts`).
struct Report<'a> {
    args: &'a Args,
    table: &'a LintTable,
    baseline: Option<settings::Baseline>,
    color: bool,
    out: output::Ordered<std::io::BufWriter<std::io::StdoutLock<'static>>>,
    /// Every linted file in order; `None` while a held file waits for the cross-file pass.
    facts: Vec<Option<Facts>>,
    /// Source files held for the cross-file pass, with their slot in `facts`.
    held: Vec<Linted>,
    extracted: Vec<(usize, Extracted)>,
    held_slots: Vec<usize>,
    /// Files found in a directory that hold no policy: (name, why).
    skipped: Vec<(String, &'static str)>,
    errors: Vec<String>,
    /// Unused inline suppressions, by slot in `facts` (said in input order at the end).
    warnings: Vec<(usize, String)>,
    /// The JSON report's head is written (at the first linted file).
    opened: bool,
}

impl std::fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("files", &self.facts.len())
            .field("held", &self.held.len())
            .finish_non_exhaustive()
    }
}

/// The JSON report up to its findings (`render::json::to_string` of a report writes these
/// bytes first).
const JSON_HEAD: &str = "{\n  \"version\": 1,\n  \"findings\": [";

impl<'a> Report<'a> {
    fn new(
        args: &'a Args,
        table: &'a LintTable,
        baseline: Option<settings::Baseline>,
        color: bool,
        errors: Vec<String>,
    ) -> Self {
        let plain = args.diff || args.write_baseline.is_some();
        // Heads known only at the end: SARIF's artifacts, the text report's skipped list.
        let spool = !plain
            && (args.format == LintFormat::Sarif
                || (args.format == LintFormat::Text && args.verbose()));
        Self {
            args,
            table,
            baseline,
            color,
            out: output::Ordered::new(std::io::BufWriter::new(std::io::stdout().lock()), spool),
            facts: Vec::new(),
            held: Vec::new(),
            extracted: Vec::new(),
            held_slots: Vec::new(),
            skipped: Vec::new(),
            errors,
            warnings: Vec::new(),
            opened: false,
        }
    }

    fn json(&self) -> bool {
        self.args.format == LintFormat::Json
            && !self.args.diff
            && self.args.write_baseline.is_none()
    }

    /// Before the first linted file's output.
    fn open(&mut self) -> std::io::Result<()> {
        if !self.opened && self.json() {
            self.out.write(JSON_HEAD.as_bytes())?;
            // Every finding is written as `,` + finding: the first one's comma goes.
            self.out.skip_next(1);
        }
        self.opened = true;
        Ok(())
    }

    fn add(&mut self, step: Step) -> anyhow::Result<()> {
        match step {
            Step::Skipped(name, why) => self.skipped.push((name, why)),
            Step::Error(e) => self.errors.push(e),
            Step::Done {
                facts,
                chunk,
                error,
                warnings,
            } => {
                self.errors.extend(error);
                let slot = self.facts.len();
                self.warnings
                    .extend(warnings.into_iter().map(|w| (slot, w)));
                self.open()?;
                self.out.write(&chunk)?;
                self.facts.push(Some(facts));
            }
            Step::Open(mut item, extracted, error, warnings) => {
                self.errors.extend(error);
                let slot = self.facts.len();
                self.warnings
                    .extend(warnings.into_iter().map(|w| (slot, w)));
                self.open()?;
                if let Some(extracted) = extracted {
                    self.out.hole(self.held.len());
                    self.extracted.push((self.held.len(), extracted));
                    self.held_slots.push(self.facts.len());
                    self.held.push(*item);
                    self.facts.push(None);
                } else {
                    self.settle(&mut item);
                    if self.args.write_baseline.is_none() {
                        render_file(&item, self.args, self.color, &mut self.out)?;
                    }
                    self.facts
                        .push(Some(Facts::of(*item, self.args.write_baseline.is_some())));
                }
            }
        }
        Ok(())
    }

    /// The `[lint]` table and the baseline.
    fn settle(&mut self, l: &mut Linted) {
        let name = display_name(&l.name);
        settings::apply_table(self.table, &name, &mut l.diagnostics);
        if let Some(baseline) = &mut self.baseline {
            baseline.filter(&name, &mut l.diagnostics);
        }
    }

    /// [`Self::finish_inner`], timed for `-vv` (`linting`: when the parallel pass began).
    fn finish(self, ctx: &LintContext, linting: std::time::Instant) -> anyhow::Result<Exit> {
        tracing::debug!(
            "lint: lint and write {:.1} ms ({} files, {} held for the cross-file pass)",
            linting.elapsed().as_secs_f64() * 1e3,
            self.facts.len(),
            self.held.len()
        );
        let finishing = std::time::Instant::now();
        let result = self.finish_inner(ctx);
        tracing::debug!(
            "lint: cross-file pass and frame {:.1} ms",
            finishing.elapsed().as_secs_f64() * 1e3
        );
        result
    }

    /// The cross-file pass over the held files, then the frame: head, the output in order
    /// with the held files in their holes, tail.
    #[allow(clippy::too_many_lines)]
    fn finish_inner(mut self, ctx: &LintContext) -> anyhow::Result<Exit> {
        let mut held = std::mem::take(&mut self.held);
        let mut extracted = std::mem::take(&mut self.extracted);
        if !extracted.is_empty() {
            let notes = cross_check(&mut held, &mut extracted, ctx);
            if self.args.verbose() {
                for note in notes {
                    eprintln!("{note}");
                }
            }
        }
        drop(extracted);
        // Inline suppressions, after the cross-file pass (its findings are suppressed at the
        // end they are reported at); unused ones are said in input order.
        for (l, &slot) in held.iter_mut().zip(&self.held_slots) {
            let warnings = suppress(l);
            self.warnings
                .extend(warnings.into_iter().map(|w| (slot, w)));
        }
        self.warnings.sort_by_key(|(slot, _)| *slot);
        for (_, warning) in &self.warnings {
            eprintln!("{warning}");
        }
        for l in &mut held {
            self.settle(l);
        }
        let args = self.args;
        for (l, &slot) in held.iter().zip(&self.held_slots) {
            self.facts[slot] = Some(Facts {
                name: l.name.clone(),
                kind: l.kind,
                detected: l.detected,
                source: l.note.is_some(),
                summary: Summary::of(&l.diagnostics),
                changed: l.fixed_text.is_some(),
                not_linted: l.not_linted.clone(),
                diagnostics: if args.write_baseline.is_some() {
                    l.diagnostics.clone()
                } else {
                    Vec::new()
                },
            });
        }
        let facts: Vec<Facts> = std::mem::take(&mut self.facts)
            .into_iter()
            .flatten()
            .collect();
        if let Some(path) = &args.write_baseline {
            let names: Vec<String> = facts.iter().map(|f| display_name(&f.name)).collect();
            let refs: Vec<(&str, &[Diagnostic])> = names
                .iter()
                .zip(&facts)
                .map(|(n, f)| (n.as_str(), f.diagnostics.as_slice()))
                .collect();
            let n = settings::write(path, &refs)?;
            println!("wrote {n} finding(s) to the baseline {}", path.display());
            return Ok(if self.errors.is_empty() {
                Exit::Ok
            } else {
                Exit::Usage
            });
        }
        for e in &self.errors {
            eprintln!("error: {e}");
        }
        if !self.errors.is_empty() && facts.is_empty() {
            return Ok(Exit::Usage);
        }
        let color = self.color;
        // The held files' output, rendered on every core before the frame is written (one
        // after another in `fill` was a serial tail of 7.5 M instructions on 10,000 files);
        // a few on this thread, so a small lint starts no thread pool.
        let render = |l: &Linted| {
            let mut out = Vec::new();
            render_file(l, args, color, &mut out).map(|()| out)
        };
        let rendered: Vec<Vec<u8>> = if held.len() < 16 {
            held.iter().map(render).collect::<std::io::Result<_>>()?
        } else {
            held.par_iter()
                .map(render)
                .collect::<std::io::Result<_>>()?
        };
        let fill = |id: usize, w: &mut dyn std::io::Write| w.write_all(&rendered[id]);
        if args.diff {
            let changed = facts.iter().filter(|f| f.changed).count();
            let which = if args.unsafe_fixes {
                "safe and unsafe"
            } else {
                "safe"
            };
            self.out.finish(b"", 0, fill, |w| {
                writeln!(w, "{changed} file(s) would be changed by {which} fixes")
            })?;
            return Ok(if !self.errors.is_empty() {
                Exit::Usage
            } else if changed > 0 {
                Exit::Findings
            } else {
                Exit::Ok
            });
        }
        let mut summary = Summary::default();
        for f in &facts {
            summary.errors += f.summary.errors;
            summary.warnings += f.summary.warnings;
            summary.infos += f.summary.infos;
        }
        let any = summary.errors + summary.warnings + summary.infos > 0;
        let unlinted = || {
            facts.iter().flat_map(|f| {
                f.not_linted
                    .iter()
                    .map(move |n| format!("{}: {n}", display_name(&f.name)))
            })
        };
        if args.verbose() && args.format != LintFormat::Text {
            for (name, why) in &self.skipped {
                eprintln!("{name}: skipped ({why})");
            }
            for line in unlinted() {
                eprintln!("{line}");
            }
        }
        match args.format {
            LintFormat::Text => {
                let mut head = String::new();
                if args.verbose() {
                    for (name, why) in &self.skipped {
                        let _ = writeln!(head, "{name}: skipped ({why})");
                    }
                    for line in unlinted() {
                        let _ = writeln!(head, "{line}");
                    }
                }
                let tail = text_summary(&facts, summary, self.skipped.len(), args.verbose());
                self.out
                    .finish(head.as_bytes(), 0, fill, |w| w.write_all(tail.as_bytes()))?;
            }
            LintFormat::Json => {
                // The frame without its `files`: those are rendered on every core below (one
                // entry per file; serializing them here alone was a serial tail of the run).
                let report = FindingsReport {
                    summary,
                    ..FindingsReport::new(Vec::new())
                };
                let frame = render::json::to_string(&report);
                let empty = "\"findings\": []";
                let at = frame
                    .find(empty)
                    .ok_or_else(|| anyhow::anyhow!("the report frame has no findings array"))?;
                let rest = &frame[at + empty.len()..];
                let (members, close) = rest
                    .strip_suffix(render::json::CLOSE)
                    .map(|m| (m, render::json::CLOSE))
                    .ok_or_else(|| anyhow::anyhow!("the report frame does not end its object"))?;
                let files = render::json::file_entries(&facts, |f| {
                    let (kind, source) = f.kind_text();
                    FileReport {
                        path: display_name(&f.name),
                        kind: kind.to_owned(),
                        kind_source: source.to_owned(),
                        summary: f.summary,
                    }
                });
                // Opened: the head is out and the first comma's drop armed.
                let (head, skip) = if self.opened { ("", 0) } else { (JSON_HEAD, 1) };
                self.out.finish(head.as_bytes(), skip, fill, |w| {
                    if any {
                        w.write_all(b"\n  ")?;
                    }
                    w.write_all(b"]")?;
                    w.write_all(members.as_bytes())?;
                    render::json::write_files_member(&files, w)?;
                    w.write_all(close.as_bytes())
                })?;
            }
            LintFormat::Sarif => {
                let (mut head, tail) =
                    render::sarif::frame(policy::RULES, facts.iter().map(|f| f.name.as_str()));
                if any {
                    head.push_str(render::sarif::RESULTS_OPEN);
                }
                self.out.finish(head.as_bytes(), 2, fill, |w| {
                    w.write_all(
                        if any {
                            render::sarif::RESULTS_CLOSE
                        } else {
                            render::sarif::RESULTS_EMPTY
                        }
                        .as_bytes(),
                    )?;
                    w.write_all(tail.as_bytes())
                })?;
            }
            LintFormat::Github => {
                self.out.finish(b"", 0, fill, |_| Ok(()))?;
            }
        }
        if !self.errors.is_empty() {
            return Ok(Exit::Usage);
        }
        Ok(Exit::for_findings(
            summary.errors,
            summary.warnings,
            args.deny_warnings,
        ))
    }
}

/// What a walk does with a file over the read limit.
enum Oversized {
    /// Not one of ours (a `package-lock.json`, a bundle of CRDs): skipped, with the reason.
    Skip(&'static str),
    /// A JSON policy, or what starts like one: too large to be one (TP001).
    Policy,
    /// A source pullpass would read (Terraform, CloudFormation, a manifest with a role
    /// annotation): too large to read (TP001 in the source's words).
    Source(Format),
}

/// Most files larger than a policy met in a walk are not policies: lock files, data, bundles
/// of Kubernetes manifests (cert-manager's release manifest is 1.4 MB). Reporting each as a
/// TP001 error would fail CI on files pullpass has nothing to say about, so the file is read
/// once more with a larger bound (`WALK_SCAN_BYTES`) to classify it as a walk would. Only a
/// file that is a policy or a source pullpass reads, or too large even for that look, stays a
/// finding: a large file that claims a format is never skipped silently.
fn oversized_in_walk(path: &Path, name: &str) -> Oversized {
    /// The bound of that second look: far over any file a walk lints, small enough that the
    /// look is bounded in time and memory.
    const WALK_SCAN_BYTES: usize = 64 << 20;
    let Ok(bytes) = crate::input::read_in_dir(path, WALK_SCAN_BYTES, "the file") else {
        return match pullpass_sources::classify(name, "") {
            Ok(Format::Policy) | Err(_) => Oversized::Policy,
            Ok(format) => Oversized::Source(format),
        };
    };
    let text = String::from_utf8_lossy(&bytes);
    match pullpass_sources::classify(name, &text) {
        Err(why) => Oversized::Skip(why),
        Ok(Format::Policy) => match super::lint_skip::not_a_policy(&bytes) {
            Some(why) => Oversized::Skip(why),
            None => Oversized::Policy,
        },
        Ok(Format::Kubernetes | Format::HelmValues)
            if !text.contains(pullpass_sources::ROLE_ANNOTATION) =>
        {
            Oversized::Skip(
                "Kubernetes YAML over 1 MiB without an IRSA role annotation (such as a bundle of CRDs): nothing pullpass lints",
            )
        }
        Ok(format) => Oversized::Source(format),
    }
}

/// Lints one input (runs on a rayon worker).
fn lint_input(
    input: &Input,
    kind: Option<PolicyKind>,
    ctx: &LintContext,
    level: FixLevel,
    args: &Args,
) -> Outcome {
    let path = match input {
        Input::Stdin => Path::new("-"),
        Input::File(path) | Input::Walked(path) => path.as_path(),
    };
    let name = input.name();
    // One bounded read for files, FIFOs, devices and stdin: a huge input is a TP001
    // finding, never read whole.
    let read = match input {
        // Files of a walk come directory by directory.
        Input::Walked(_) => crate::input::read_in_dir,
        Input::Stdin | Input::File(_) => crate::input::read_bytes,
    };
    let bytes = match read(path, policy::json::MAX_INPUT_BYTES, "the policy") {
        Ok(bytes) => bytes,
        Err(crate::input::InputError::TooLarge { limit }) => {
            let size = std::fs::metadata(path)
                .ok()
                .filter(std::fs::Metadata::is_file)
                .and_then(|m| usize::try_from(m.len()).ok())
                .unwrap_or(limit + 1);
            let out = policy::lint_oversized(size, kind);
            if let Input::Walked(_) = input {
                match oversized_in_walk(path, &name) {
                    Oversized::Skip(why) => return Outcome::Skipped(name, why),
                    Oversized::Policy => {}
                    Oversized::Source(format) => {
                        return Outcome::Linted(
                            Box::new(Linted {
                                name,
                                text: String::new(),
                                kind: None,
                                detected: false,
                                diagnostics: vec![walk::too_large(size)],
                                fixed: 0,
                                fixed_text: None,
                                note: Some(format!("could not be read as {}", format.as_str())),
                                not_linted: Vec::new(),
                            }),
                            None,
                        );
                    }
                }
            }
            return Outcome::Linted(
                Box::new(Linted {
                    name,
                    text: String::new(),
                    kind: out.kind,
                    detected: false,
                    diagnostics: out.diagnostics,
                    fixed: 0,
                    fixed_text: None,
                    note: None,
                    not_linted: Vec::new(),
                }),
                None,
            );
        }
        Err(crate::input::InputError::Other(e)) => return Outcome::Error(format!("{e:#}")),
    };
    let format = match input {
        Input::Stdin => Format::Policy,
        Input::File(_) | Input::Walked(_) => {
            // One UTF-8 check for the common case (`from_utf8_lossy` walks its chunks).
            let head = match std::str::from_utf8(&bytes) {
                Ok(text) => std::borrow::Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(&bytes),
            };
            match (pullpass_sources::classify(&name, &head), input) {
                (Ok(format), _) => format,
                // Named explicitly: read as a policy, so a non-policy is an error finding.
                (Err(_), Input::File(_) | Input::Stdin) => Format::Policy,
                (Err(why), Input::Walked(_)) => return Outcome::Skipped(name, why),
            }
        }
    };
    if format != Format::Policy {
        return lint_source_input(input, name, bytes, format, ctx, level, args);
    }
    if let Input::Walked(_) = input
        && let Some(why) = super::lint_skip::not_a_policy(&bytes)
    {
        return Outcome::Skipped(name, why);
    }
    let out = policy::lint_bytes(&bytes, kind, ctx);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let mut item = Linted {
        name,
        kind: out.kind,
        detected: out.kind_detected,
        diagnostics: out.diagnostics,
        fixed: 0,
        fixed_text: None,
        note: None,
        not_linted: Vec::new(),
        text,
    };
    let has_fix = item.diagnostics.iter().any(|d| {
        d.fix()
            .as_ref()
            .is_some_and(|f| level.applies(f.applicability))
    });
    if (args.fix || args.diff) && has_fix {
        let (new_text, applied) = policy::fix_all(&item.text, kind, ctx, level);
        if new_text != item.text {
            item.fixed = applied;
            if args.fix {
                if let Input::Walked(path) = input
                    && let Some(why) = link_out_of_tree(path, &args.paths)
                {
                    return Outcome::FixFailed(Box::new(item), why);
                }
                if let Input::File(path) | Input::Walked(path) = input {
                    // The one file-writing policy (ARCHITECTURE.md, "Files"): symlinks
                    // followed deliberately, mode/owner kept, read-only and hard-linked
                    // files refused, compare-and-swap on the text read.
                    if let Err(e) = pullpass_ecr::fsio::replace_file(
                        path,
                        Some(item.text.as_bytes()),
                        new_text.as_bytes(),
                    ) {
                        return Outcome::FixFailed(Box::new(item), format!("--fix: {e}"));
                    }
                }
                let out = policy::lint(&new_text, kind, ctx);
                item.kind = out.kind;
                item.detected = out.kind_detected;
                item.diagnostics = out.diagnostics;
                item.text = new_text;
            } else {
                item.fixed_text = Some(new_text);
            }
        }
    }
    Outcome::Linted(Box::new(item), None)
}

/// A Terraform / CloudFormation / Kubernetes / Helm file: extracted, linted, suppressions
/// applied; `--fix` applies the safe fixes that map back to literal source text.
fn lint_source_input(
    input: &Input,
    name: String,
    bytes: Vec<u8>,
    format: Format,
    ctx: &LintContext,
    level: FixLevel,
    args: &Args,
) -> Outcome {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let out = policy::lint_bytes(e.as_bytes(), None, ctx);
            return Outcome::Linted(
                Box::new(Linted {
                    name,
                    text: String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned(),
                    kind: None,
                    detected: false,
                    diagnostics: out.diagnostics,
                    fixed: 0,
                    fixed_text: None,
                    note: Some(format!("could not be read as {}", format.as_str())),
                    not_linted: Vec::new(),
                }),
                None,
            );
        }
    };
    let mut found = walk::lint_source(&text, format, ctx);
    if let Input::Walked(_) = input
        && let Some(why) = pullpass_sources::skip_unreadable(format, &text, &found.extracted)
    {
        return Outcome::Skipped(name, why);
    }
    let mut item_text = text;
    let mut fixed = 0;
    let mut fixed_text = None;
    if (args.fix || args.diff)
        && let Some((new_text, applied)) = walk::fix_source(&item_text, &found.diagnostics, level)
        && new_text != item_text
    {
        fixed = applied;
        if args.fix {
            if let Input::Walked(path) = input
                && let Some(why) = link_out_of_tree(path, &args.paths)
            {
                return Outcome::Error(why);
            }
            if let Input::File(path) | Input::Walked(path) = input
                && let Err(e) = pullpass_ecr::fsio::replace_file(
                    path,
                    Some(item_text.as_bytes()),
                    new_text.as_bytes(),
                )
            {
                return Outcome::Error(format!("--fix: {e}"));
            }
            found = walk::lint_source(&new_text, format, ctx);
            item_text = new_text;
        } else {
            fixed_text = Some(new_text);
        }
    }
    Outcome::Linted(
        Box::new(Linted {
            name,
            text: item_text,
            kind: None,
            detected: false,
            diagnostics: found.diagnostics,
            fixed,
            fixed_text,
            note: Some(found.note),
            not_linted: found.not_linted,
        }),
        Some(found.extracted),
    )
}

/// The cross-file pass over the source files (service accounts ⇄ trust policies).
/// Returns what the pass could not decide, which `--verbose` prints.
fn cross_check(
    linted: &mut [Linted],
    extracted: &mut [(usize, Extracted)],
    ctx: &LintContext,
) -> Vec<String> {
    let mut by_index: Vec<Option<&mut Extracted>> =
        std::iter::repeat_with(|| None).take(linted.len()).collect();
    for (i, ex) in extracted.iter_mut() {
        by_index[*i] = Some(ex);
    }
    let mut files: Vec<walk::Walked<'_>> = linted
        .iter_mut()
        .zip(by_index)
        .filter_map(|(l, ex)| {
            ex.map(|ex| walk::Walked {
                path: &l.name,
                text: &l.text,
                extracted: ex,
                diagnostics: &mut l.diagnostics,
                note: &mut l.note,
            })
        })
        .collect();
    walk::cross_check(&mut files, ctx)
}

/// Applies a source file's inline suppressions; the unused ones, as warnings to print.
fn suppress(l: &mut Linted) -> Vec<String> {
    walk::apply_suppressions(&l.text, &mut l.diagnostics)
        .into_iter()
        .map(|(line, codes)| {
            format!(
                "warning: {}:{line}: unused suppression `pullpass: ignore[{codes}]` (no such finding on this line or the next)",
                l.name
            )
        })
        .collect()
}

fn display_name(name: &str) -> String {
    if name == "-" {
        "<stdin>".to_owned()
    } else {
        name.to_owned()
    }
}

fn kind_text(kind: Option<PolicyKind>, detected: bool) -> (&'static str, &'static str) {
    let text = kind.map_or("unknown", PolicyKind::as_str);
    let source = if detected || kind.is_none() {
        "detected"
    } else {
        "flag"
    };
    (text, source)
}

/// One file's output in the chosen format (its unified diff with `--diff`), written to `w`.
fn render_file(
    l: &Linted,
    args: &Args,
    color: bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    if args.diff {
        if let Some(new) = &l.fixed_text {
            w.write_all(unified_diff(&display_name(&l.name), &l.text, new).as_bytes())?;
        }
        return Ok(());
    }
    match args.format {
        LintFormat::Text => render_text(l, args.fix, color, w),
        LintFormat::Json => render_json(l, w),
        LintFormat::Sarif => {
            render::sarif::write_results(policy::RULES, &l.name, &l.text, &l.diagnostics, w)
        }
        LintFormat::Github => {
            let mut text = String::new();
            render::github::render(&display_name(&l.name), &l.text, &l.diagnostics, &mut text);
            w.write_all(text.as_bytes())
        }
    }
}

/// Findings from which a file is rendered straight into the output by the writer's thread
/// (its report is large: no copy of it is held), not into a chunk on a worker.
const RENDER_ON_WORKER_UP_TO: usize = 1000;

/// One file of the text report: what it was linted as, and its findings.
fn render_text(
    l: &Linted,
    fixing: bool,
    color: bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let (kind, source) = kind_text(l.kind, l.detected);
    let name = display_name(&l.name);
    let mut text = String::new();
    if fixing && l.fixed > 0 {
        let _ = writeln!(text, "{name}: applied {} safe fix(es)", l.fixed);
    }
    let what = if let Some(note) = &l.note {
        // A source file (Terraform, CloudFormation, …): said only when it has findings.
        if l.diagnostics.is_empty() {
            return w.write_all(text.as_bytes());
        }
        note.clone()
    } else {
        if l.diagnostics.is_empty() && kind != "unknown" {
            return w.write_all(text.as_bytes());
        }
        match kind {
            // Parsed cleanly, yet neither kind: most often an ECR repository policy.
            "unknown" if l.diagnostics.is_empty() => "neither a trust, a permissions nor a repository policy; pass --kind to lint it as one".to_owned(),
            "unknown" => "could not be read as a trust or permissions policy".to_owned(),
            k => format!(
                "linted as a {k} policy ({})",
                if source == "flag" {
                    "--kind"
                } else {
                    "detected"
                }
            ),
        }
    };
    let _ = writeln!(text, "{name}: {what}");
    let source = Source {
        name: &name,
        text: &l.text,
    };
    let items: Vec<Item<'_>> = l
        .diagnostics
        .iter()
        .map(|d| Item {
            diagnostic: d,
            source: d.range().map(|_| source),
        })
        .collect();
    w.write_all(text.as_bytes())?;
    render::text::write(&items, color, w)?;
    w.write_all(b"\n")
}

/// The text report's last line: what was checked, and the findings.
fn text_summary(facts: &[Facts], summary: Summary, skipped: usize, verbose: bool) -> String {
    let mut kinds = [0usize; 5];
    for f in facts {
        kinds[match f.kind {
            _ if f.source => 4,
            Some(PolicyKind::Trust) => 0,
            Some(PolicyKind::Permissions) => 1,
            None => 2,
            Some(PolicyKind::Repository) => 3,
        }] += 1;
    }
    let skipped = match skipped {
        0 => String::new(),
        n if verbose => format!("; skipped {n} file(s) that hold no policy"),
        n => format!("; skipped {n} file(s) that hold no policy (--verbose lists them)"),
    };
    let mut repository = if kinds[3] > 0 {
        format!(", {} repository", kinds[3])
    } else {
        String::new()
    };
    if kinds[4] > 0 {
        let _ = write!(
            repository,
            ", {} Terraform/CloudFormation/Kubernetes/Helm",
            kinds[4]
        );
    }
    format!(
        "checked {} file(s): {} trust, {} permissions{repository}, {} neither{skipped}; {}\n",
        facts.len(),
        kinds[0],
        kinds[1],
        kinds[2],
        render::text::summary_line(&summary)
    )
}

/// One file's findings of `--format json`, each as `,\n` and the finding indented to its place
/// in the report's `findings` array (the report is streamed: [`Report::finish`] writes the
/// frame, `render::json::to_string`'s bytes for the whole report).
fn render_json(l: &Linted, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if l.diagnostics.is_empty() {
        return Ok(());
    }
    let name = display_name(&l.name);
    // What `render::json::findings` makes of each (every finding here has the file as its
    // source), serialized in chunks: on every core for a file with thousands of findings.
    let index = pullpass_core::LineIndex::new(&l.text);
    render::write_chunks(&l.diagnostics, 256, w, |chunk, out| {
        for d in chunk {
            let finding = Finding::from_diagnostic(d, Some(&index), Some(&name));
            out.extend_from_slice(b",\n");
            render::write_nested(&finding, b"    ", out)?;
        }
        Ok(())
    })
}
