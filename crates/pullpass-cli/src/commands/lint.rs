//! `pullpass lint`: IAM trust and permissions policies in CI.
//!
//! Reads files, directories (the repository walk of `lint/walk.rs`: JSON policies,
//! Terraform, CloudFormation, Kubernetes and Helm files, `.gitignore` honoured) and stdin,
//! lints each with `pullpass_core::policy::lint` (sources through `pullpass-sources`) on all
//! cores in a stable order, renders text, JSON, SARIF or GitHub annotations, and with
//! `--fix` applies the safe fixes in place (atomically), `--diff` shows them.

mod settings;
mod walk;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use pullpass_core::Diagnostic;
use pullpass_core::diagnostic::{FixLevel, Summary};
use pullpass_core::policy::{self, LintContext, PolicyKind};
use pullpass_core::report::{FileReport, FindingsReport};
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
    /// Policy files, directories (searched recursively for `*.json`), or `-` for stdin.
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
            Self::File(p) | Self::Walked(p) => p.display().to_string(),
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
    };
    let level = if args.unsafe_fixes {
        FixLevel::Unsafe
    } else {
        FixLevel::Safe
    };
    let mut errors = Vec::new();
    let mut inputs = collect(&args.paths, &mut errors);
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
    // All cores; `collect` keeps the input order, so the output does not depend on them.
    let outcomes: Vec<Outcome> = inputs
        .par_iter()
        .map(|input| lint_input(input, kind, &ctx, level, &args))
        .collect();
    let mut linted = Vec::with_capacity(outcomes.len());
    // Files found in a directory that hold no policy: (name, why).
    let mut skipped: Vec<(String, &'static str)> = Vec::new();
    let mut extracted: Vec<(usize, Extracted)> = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Linted(item, ex) => {
                if let Some(ex) = ex {
                    extracted.push((linted.len(), ex));
                }
                linted.push(*item);
            }
            Outcome::Skipped(name, why) => skipped.push((name, why)),
            Outcome::Error(e) => errors.push(e),
            Outcome::FixFailed(item, e) => {
                errors.push(e);
                linted.push(*item);
            }
        }
    }
    if !extracted.is_empty() {
        let notes = cross_check(&mut linted, &mut extracted, &ctx);
        if args.verbose() {
            for note in notes {
                eprintln!("{note}");
            }
        }
    }
    // Inline suppressions, after the cross-file pass (its findings are suppressed at the end
    // they are reported at); unused ones are said in input order.
    for (i, _) in &extracted {
        let l = &mut linted[*i];
        for (line, codes) in walk::apply_suppressions(&l.text, &mut l.diagnostics) {
            eprintln!(
                "warning: {}:{line}: unused suppression `pullpass: ignore[{codes}]` (no such finding on this line or the next)",
                l.name
            );
        }
    }
    let table = crate::config::path()
        .ok()
        .filter(|p| p.exists())
        .map(|p| crate::config::load_from(&p))
        .transpose()?
        .map(|loaded| loaded.config.lint)
        .unwrap_or_default();
    for l in &mut linted {
        settings::apply_table(&table, &display_name(&l.name), &mut l.diagnostics);
    }
    if let Some(path) = &args.write_baseline {
        let files: Vec<(String, &[Diagnostic])> = linted
            .iter()
            .map(|l| (display_name(&l.name), l.diagnostics.as_slice()))
            .collect();
        let refs: Vec<(&str, &[Diagnostic])> =
            files.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        let n = settings::write(path, &refs)?;
        println!("wrote {n} finding(s) to the baseline {}", path.display());
        return Ok(if errors.is_empty() {
            Exit::Ok
        } else {
            Exit::Usage
        });
    }
    if let Some(path) = args
        .baseline
        .clone()
        .or_else(|| table.baseline.as_ref().map(PathBuf::from))
    {
        let mut baseline = settings::Baseline::read(&path)?;
        for l in &mut linted {
            baseline.filter(&display_name(&l.name), &mut l.diagnostics);
        }
    }
    for e in &errors {
        eprintln!("error: {e}");
    }
    if !errors.is_empty() && linted.is_empty() {
        return Ok(Exit::Usage);
    }
    let mut out = String::new();
    if args.diff {
        let mut changed = 0;
        for l in &linted {
            if let Some(new) = &l.fixed_text {
                changed += 1;
                out.push_str(&unified_diff(&display_name(&l.name), &l.text, new));
            }
        }
        let which = if args.unsafe_fixes {
            "safe and unsafe"
        } else {
            "safe"
        };
        let _ = writeln!(out, "{changed} file(s) would be changed by {which} fixes");
        print!("{out}");
        return Ok(if !errors.is_empty() {
            Exit::Usage
        } else if changed > 0 {
            Exit::Findings
        } else {
            Exit::Ok
        });
    }
    let summary = Summary::of(linted.iter().flat_map(|l| &l.diagnostics));
    if args.verbose() && args.format != LintFormat::Text {
        for (name, why) in &skipped {
            eprintln!("{name}: skipped, not a policy ({why})");
        }
    }
    match args.format {
        LintFormat::Text => render_text(&linted, &skipped, &args, &mut out),
        LintFormat::Json => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            write_json(&linted, &mut stdout)?;
            stdout.flush()?;
        }
        LintFormat::Sarif => {
            let rules = policy::RULES;
            let artifacts: Vec<render::sarif::Artifact<'_>> = linted
                .iter()
                .map(|l| render::sarif::Artifact {
                    path: &l.name,
                    text: &l.text,
                    diagnostics: &l.diagnostics,
                })
                .collect();
            // Streamed to stdout: the log is never held whole (issue 15 #9).
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            render::sarif::write(rules, &artifacts, &mut stdout)?;
            stdout.flush()?;
        }
        LintFormat::Github => {
            for l in &linted {
                render::github::render(&display_name(&l.name), &l.text, &l.diagnostics, &mut out);
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    if !errors.is_empty() {
        return Ok(Exit::Usage);
    }
    Ok(Exit::for_findings(
        summary.errors,
        summary.warnings,
        args.deny_warnings,
    ))
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
    // One bounded read for files, FIFOs, devices and stdin: a huge input is a TP001
    // finding, never read whole.
    let bytes = match crate::input::read_bytes(path, policy::json::MAX_INPUT_BYTES, "the policy") {
        Ok(bytes) => bytes,
        Err(crate::input::InputError::TooLarge { limit }) => {
            let size = std::fs::metadata(path)
                .ok()
                .filter(std::fs::Metadata::is_file)
                .and_then(|m| usize::try_from(m.len()).ok())
                .unwrap_or(limit + 1);
            let out = policy::lint_oversized(size, kind);
            return Outcome::Linted(
                Box::new(Linted {
                    name: input.name(),
                    text: String::new(),
                    kind: out.kind,
                    detected: false,
                    diagnostics: out.diagnostics,
                    fixed: 0,
                    fixed_text: None,
                    note: None,
                }),
                None,
            );
        }
        Err(crate::input::InputError::Other(e)) => return Outcome::Error(format!("{e:#}")),
    };
    let format = match input {
        Input::Stdin => Format::Policy,
        Input::File(_) | Input::Walked(_) => {
            let head = String::from_utf8_lossy(&bytes);
            match (pullpass_sources::classify(&input.name(), &head), input) {
                (Ok(format), _) => format,
                // Named explicitly: read as a policy, so a non-policy is an error finding.
                (Err(_), Input::File(_) | Input::Stdin) => Format::Policy,
                (Err(why), Input::Walked(_)) => return Outcome::Skipped(input.name(), why),
            }
        }
    };
    if format != Format::Policy {
        return lint_source_input(input, bytes, format, ctx, level, args);
    }
    if let Input::Walked(_) = input
        && let Some(why) = super::lint_skip::not_a_policy(&bytes)
    {
        return Outcome::Skipped(input.name(), why);
    }
    let out = policy::lint_bytes(&bytes, kind, ctx);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let mut item = Linted {
        name: input.name(),
        kind: out.kind,
        detected: out.kind_detected,
        diagnostics: out.diagnostics,
        fixed: 0,
        fixed_text: None,
        note: None,
        text,
    };
    let has_fix = item
        .diagnostics
        .iter()
        .any(|d| d.fix().is_some_and(|f| level.applies(f.applicability)));
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
                    name: input.name(),
                    text: String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned(),
                    kind: None,
                    detected: false,
                    diagnostics: out.diagnostics,
                    fixed: 0,
                    fixed_text: None,
                    note: Some(format!("could not be read as {}", format.as_str())),
                }),
                None,
            );
        }
    };
    let mut found = walk::lint_source(&text, format, ctx);
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
            name: input.name(),
            text: item_text,
            kind: None,
            detected: false,
            diagnostics: found.diagnostics,
            fixed,
            fixed_text,
            note: Some(found.note),
        }),
        Some(found.extracted),
    )
}

/// The cross-file pass over the source files (service accounts ⇄ trust policies).
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

fn display_name(name: &str) -> String {
    if name == "-" {
        "<stdin>".to_owned()
    } else {
        name.to_owned()
    }
}

fn kind_text(l: &Linted) -> (&'static str, &'static str) {
    let kind = l.kind.map_or("unknown", PolicyKind::as_str);
    let source = if l.detected || l.kind.is_none() {
        "detected"
    } else {
        "flag"
    };
    (kind, source)
}

fn render_text(
    linted: &[Linted],
    skipped: &[(String, &'static str)],
    args: &Args,
    out: &mut String,
) {
    let fixing = args.fix;
    let color = render::text::use_color();
    if args.verbose() {
        for (name, why) in skipped {
            let _ = writeln!(out, "{name}: skipped, not a policy ({why})");
        }
    }
    let mut kinds = [0usize; 5];
    for l in linted {
        let (kind, source) = kind_text(l);
        kinds[match l.kind {
            _ if l.note.is_some() => 4,
            Some(PolicyKind::Trust) => 0,
            Some(PolicyKind::Permissions) => 1,
            None => 2,
            Some(PolicyKind::Repository) => 3,
        }] += 1;
        let name = display_name(&l.name);
        if fixing && l.fixed > 0 {
            let _ = writeln!(out, "{name}: applied {} safe fix(es)", l.fixed);
        }
        let what = if let Some(note) = &l.note {
            // A source file (Terraform, CloudFormation, …): said only when it has findings.
            if l.diagnostics.is_empty() {
                continue;
            }
            note.clone()
        } else {
            if l.diagnostics.is_empty() && kind != "unknown" {
                continue;
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
        let _ = writeln!(out, "{name}: {what}");
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
        out.push_str(&render::text::render(&items, color));
        out.push('\n');
    }
    let summary = Summary::of(linted.iter().flat_map(|l| &l.diagnostics));
    let skipped = match skipped.len() {
        0 => String::new(),
        n if args.verbose() => format!("; skipped {n} JSON file(s) that are not policies"),
        n => format!("; skipped {n} JSON file(s) that are not policies (--verbose lists them)"),
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
    let _ = writeln!(
        out,
        "checked {} file(s): {} trust, {} permissions{repository}, {} neither{skipped}; {}",
        linted.len(),
        kinds[0],
        kinds[1],
        kinds[2],
        render::text::summary_line(&summary)
    );
}

/// `--format json`, streamed to `w`: each file's findings are built, written and dropped, so
/// the report for 100 k files is never held whole (issue 15 #9). The bytes are those of
/// `render::json::to_string` on the whole report: the frame (version, summary, files) is
/// serialized with an empty `findings` array, which the findings are written into.
fn write_json(linted: &[Linted], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    const EMPTY: &str = "\"findings\": []";
    let frame = |report: &FindingsReport| -> std::io::Result<(String, String)> {
        let text = render::json::to_string(report);
        let at = text
            .find(EMPTY)
            .ok_or_else(|| std::io::Error::other("the report frame has no findings array"))?;
        Ok((text[..at].to_owned(), text[at + EMPTY.len()..].to_owned()))
    };
    let mut report = FindingsReport::new(Vec::new());
    let (head, _) = frame(&report)?;
    w.write_all(head.as_bytes())?;
    w.write_all(b"\"findings\": [")?;
    let mut first = true;
    for l in linted {
        let name = display_name(&l.name);
        let source = Source {
            name: &name,
            text: &l.text,
        };
        let items: Vec<Item<'_>> = l
            .diagnostics
            .iter()
            .map(|d| Item {
                diagnostic: d,
                source: Some(source),
            })
            .collect();
        for finding in render::json::findings(&items, Some(&name)) {
            match finding.severity {
                pullpass_core::Severity::Error => report.summary.errors += 1,
                pullpass_core::Severity::Warning => report.summary.warnings += 1,
                pullpass_core::Severity::Info => report.summary.infos += 1,
            }
            let item = serde_json::to_string_pretty(&finding).map_err(std::io::Error::other)?;
            let mut indented = String::with_capacity(item.len() + item.len() / 3);
            indented.push_str(if first { "\n" } else { ",\n" });
            first = false;
            for (i, line) in item.lines().enumerate() {
                if i > 0 {
                    indented.push('\n');
                }
                indented.push_str("    ");
                indented.push_str(line);
            }
            w.write_all(indented.as_bytes())?;
        }
        let (kind, source) = kind_text(l);
        report.files.push(FileReport {
            path: name,
            kind: kind.to_owned(),
            kind_source: source.to_owned(),
            summary: Summary::of(&l.diagnostics),
        });
    }
    if !first {
        w.write_all(b"\n  ")?;
    }
    w.write_all(b"]")?;
    let (_, tail) = frame(&report)?;
    w.write_all(tail.as_bytes())
}
