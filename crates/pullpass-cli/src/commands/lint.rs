//! `pullpass lint`: IAM trust and permissions policies in CI.
//!
//! Reads files, directories (recursively, `*.json`) and stdin, lints each with
//! `pullpass_core::policy::lint`, renders text, JSON, SARIF or GitHub annotations, and with
//! `--fix` applies the safe fixes in place (atomically), `--diff` shows them.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use pullpass_core::Diagnostic;
use pullpass_core::diagnostic::{FixLevel, Summary};
use pullpass_core::policy::{self, LintContext, PolicyKind};
use pullpass_core::report::{FileReport, Finding, FindingsReport};

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
}

impl Args {
    /// The global `-v/--verbose`: also list the JSON files a directory search skipped as not
    /// policies, and why (one flag for the whole CLI; a second `--verbose` here made clap
    /// panic on every command).
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
    File(PathBuf),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Self::Stdin => "-".to_owned(),
            Self::File(p) => p.display().to_string(),
        }
    }
}

/// Expands directories (recursively, `*.json`, sorted; symlinked directories are not followed).
fn collect(paths: &[PathBuf], errors: &mut Vec<String>) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut found = Vec::new();
                let mut stack = vec![path.clone()];
                while let Some(dir) = stack.pop() {
                    let entries = match std::fs::read_dir(&dir) {
                        Ok(entries) => entries,
                        Err(e) => {
                            errors.push(format!("cannot read directory {}: {e}", dir.display()));
                            continue;
                        }
                    };
                    for entry in entries.flatten() {
                        let p = entry.path();
                        let Ok(file_type) = entry.file_type() else {
                            continue;
                        };
                        if file_type.is_dir() {
                            stack.push(p);
                        } else if file_type.is_symlink()
                            && let Some(why) = skipped_link(&p)
                        {
                            // Symlinked directories are not followed (a loop would never end);
                            // say so instead of skipping without a word.
                            #[allow(clippy::print_stderr)]
                            {
                                eprintln!("warning: {} skipped: {why}", p.display());
                            }
                        } else if p
                            .extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                            && (file_type.is_file() || p.is_file())
                        {
                            found.push(p);
                        }
                    }
                }
                if found.is_empty() {
                    errors.push(format!("no *.json files under {}", path.display()));
                }
                found.sort();
                inputs.extend(found.into_iter().map(Input::File));
            }
            Ok(_) => inputs.push(Input::File(path.clone())),
            Err(e) => errors.push(format!("cannot read {}: {e}", path.display())),
        }
    }
    inputs
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
    let inputs = collect(&args.paths, &mut errors);
    if args.fix && inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        anyhow::bail!(
            "--fix rewrites files in place and cannot rewrite stdin; use --diff to see the fixes"
        );
    }
    let mut linted = Vec::with_capacity(inputs.len());
    // Files found in a directory that are JSON but not policies: (name, why).
    let mut skipped: Vec<(String, &'static str)> = Vec::new();
    for input in &inputs {
        let path = match input {
            Input::Stdin => Path::new("-"),
            Input::File(path) => path.as_path(),
        };
        // One bounded read for files, FIFOs, devices and stdin: a huge input is a TP001
        // finding, never read whole.
        let bytes =
            match crate::input::read_bytes(path, policy::json::MAX_INPUT_BYTES, "the policy") {
                Ok(bytes) => bytes,
                Err(crate::input::InputError::TooLarge { limit }) => {
                    let size = std::fs::metadata(path)
                        .ok()
                        .filter(std::fs::Metadata::is_file)
                        .and_then(|m| usize::try_from(m.len()).ok())
                        .unwrap_or(limit + 1);
                    let out = policy::lint_oversized(size, kind);
                    linted.push(Linted {
                        name: input.name(),
                        text: String::new(),
                        kind: out.kind,
                        detected: false,
                        diagnostics: out.diagnostics,
                        fixed: 0,
                        fixed_text: None,
                    });
                    continue;
                }
                Err(crate::input::InputError::Other(e)) => {
                    errors.push(format!("{e:#}"));
                    continue;
                }
            };
        if let Input::File(path) = input
            && !args.paths.contains(path)
            && let Some(why) = super::lint_skip::not_a_policy(&bytes)
        {
            skipped.push((input.name(), why));
            continue;
        }
        let out = policy::lint_bytes(&bytes, kind, &ctx);
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
            text,
        };
        let has_fix = item.diagnostics.iter().any(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| level.applies(f.applicability))
        });
        if (args.fix || args.diff) && has_fix {
            let (new_text, applied) = policy::fix_all(&item.text, kind, &ctx, level);
            if new_text != item.text {
                item.fixed = applied;
                if args.fix {
                    if let Input::File(path) = input {
                        // The one file-writing policy (ARCHITECTURE.md, "Files"): symlinks
                        // followed deliberately, mode/owner kept, read-only and hard-linked
                        // files refused, compare-and-swap on the text read.
                        if let Err(e) = pullpass_ecr::fsio::replace_file(
                            path,
                            Some(item.text.as_bytes()),
                            new_text.as_bytes(),
                        ) {
                            errors.push(format!("--fix: {e}"));
                            linted.push(item);
                            continue;
                        }
                    }
                    let out = policy::lint(&new_text, kind, &ctx);
                    item.kind = out.kind;
                    item.detected = out.kind_detected;
                    item.diagnostics = out.diagnostics;
                    item.text = new_text;
                } else {
                    item.fixed_text = Some(new_text);
                }
            }
        }
        linted.push(item);
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
        LintFormat::Json => out.push_str(&render_json(&linted)),
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
            out.push_str(&render::sarif::render(rules, &artifacts));
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
    let mut kinds = [0usize; 4];
    for l in linted {
        let (kind, source) = kind_text(l);
        kinds[match l.kind {
            Some(PolicyKind::Trust) => 0,
            Some(PolicyKind::Permissions) => 1,
            None => 2,
            Some(PolicyKind::Repository) => 3,
        }] += 1;
        let name = display_name(&l.name);
        if fixing && l.fixed > 0 {
            let _ = writeln!(out, "{name}: applied {} safe fix(es)", l.fixed);
        }
        if l.diagnostics.is_empty() && kind != "unknown" {
            continue;
        }
        let what = match kind {
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
                source: d.range.map(|_| source),
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
    let repository = if kinds[3] > 0 {
        format!(", {} repository", kinds[3])
    } else {
        String::new()
    };
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

fn render_json(linted: &[Linted]) -> String {
    let mut findings: Vec<Finding> = Vec::new();
    let mut files = Vec::new();
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
        findings.extend(render::json::findings(&items, Some(&name)));
        let (kind, source) = kind_text(l);
        files.push(FileReport {
            path: name,
            kind: kind.to_owned(),
            kind_source: source.to_owned(),
            summary: Summary::of(&l.diagnostics),
        });
    }
    let mut report = FindingsReport::new(findings);
    report.files = files;
    render::json::to_string(&report)
}
