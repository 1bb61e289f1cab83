//! `pullpass host`: what a registry host is (private ECR, public ECR, other), whose, where,
//! and which endpoint; or the findings that say why it is not what it seems.

use std::fmt::Write as _;

use pullpass_core::Diagnostic;
use pullpass_core::host::{self, HostAnalysis, HostKind};
use pullpass_core::registry::{HostOverride, RegistryKind};
use pullpass_core::registry_form;
use pullpass_core::report::{FindingsReport, HostReport};

use crate::exit::Exit;
use crate::render::{self, Format, Item, Source};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The registry host, as you would type it in the Add-registry dialog.
    #[arg(value_name = "HOST", allow_hyphen_values = true)]
    host: String,
    /// Account of the ECR registry behind a vanity host (CNAME, pull-through proxy).
    #[arg(long, value_name = "ID")]
    override_account: Option<String>,
    /// Region of the ECR registry behind a vanity host.
    #[arg(long, value_name = "REGION")]
    override_region: Option<String>,
    /// The registry kind to check against. Without it: ECR for ECR hosts and near misses,
    /// generic for everything else.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// `--kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KindArg {
    /// Amazon ECR: temporary tokens from AWS credentials or IRSA / Pod Identity.
    Ecr,
    /// Any other registry with a static user name and password (or none).
    Generic,
}

impl From<KindArg> for RegistryKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Ecr => Self::Ecr,
            KindArg::Generic => Self::Generic,
        }
    }
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let host_override =
        (args.override_account.is_some() || args.override_region.is_some()).then(|| HostOverride {
            account_id: args.override_account.clone().unwrap_or_default(),
            region: args.override_region.clone().unwrap_or_default(),
        });
    let analysis = match args.kind {
        Some(kind) => registry_form::analyze_host(&args.host, host_override.as_ref(), kind.into()),
        None => registry_form::analyze_host_any_kind(&args.host, host_override.as_ref()),
    };
    let overrides = [
        (
            "/override/accountId",
            args.override_account.as_deref().unwrap_or_default(),
        ),
        (
            "/override/region",
            args.override_region.as_deref().unwrap_or_default(),
        ),
    ];
    let shown_host = host::redacted(&args.host);
    let items = items(&analysis.diagnostics, |pointer| match pointer {
        "/host" => Some(shown_host.as_str()),
        p => overrides.iter().find(|(q, _)| *q == p).map(|(_, v)| *v),
    });
    print(&items, &analysis, args.format, Some(&describe(&analysis)));
    Ok(exit_for(&analysis.diagnostics, args.deny_warnings))
}

/// Pairs each diagnostic with the field value it points into (`None` for secrets).
pub(crate) fn items<'a>(
    diagnostics: &'a [Diagnostic],
    value_of: impl Fn(&str) -> Option<&'a str>,
) -> Vec<Item<'a>> {
    diagnostics
        .iter()
        .map(|d| Item {
            diagnostic: d,
            source: d
                .range()
                .and_then(|_| value_of(d.pointer()))
                .map(|text| Source {
                    name: d.pointer(),
                    text,
                }),
        })
        .collect()
}

/// Prints findings as text (with `preamble` first) or as one JSON [`FindingsReport`] whose
/// `host` is the analysis.
pub(crate) fn print(
    items: &[Item<'_>],
    analysis: &HostAnalysis,
    format: Format,
    preamble: Option<&str>,
) {
    match format {
        Format::Text => {
            let mut out = String::new();
            if let Some(preamble) = preamble {
                out.push_str(preamble);
                out.push('\n');
            }
            out.push_str(&render::text::render(items, render::text::use_color()));
            print!("{out}");
        }
        Format::Json => {
            let mut report = FindingsReport::new(render::json::findings(items, None));
            report.host = Some(analysis.to_report());
            print!("{}", render::json::to_string(&report));
        }
    }
}

/// 0, or 1 for errors (and warnings with `--deny-warnings`).
pub(crate) fn exit_for(diagnostics: &[Diagnostic], deny_warnings: bool) -> Exit {
    let summary = pullpass_core::diagnostic::Summary::of(diagnostics);
    Exit::for_findings(summary.errors, summary.warnings, deny_warnings)
}

/// The facts about a host, one per line, for people.
pub(crate) fn describe(analysis: &HostAnalysis) -> String {
    let report: HostReport = analysis.to_report();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut out = String::new();
    let shown = if report.host.is_empty() {
        "(none)"
    } else {
        report.host.as_str()
    };
    let _ = writeln!(out, "host:       {shown}");
    let kind = match analysis.kind {
        HostKind::PrivateEcr if analysis.from_override => {
            "private ECR (vanity host, account and region from the override)"
        }
        HostKind::PrivateEcr => "private ECR",
        HostKind::PublicEcr => "public ECR (no credentials needed to pull)",
        HostKind::Other => "other (not an ECR host)",
    };
    let _ = writeln!(out, "kind:       {kind}");
    if let Some(ecr) = &analysis.ecr {
        let _ = writeln!(out, "account:    {}", ecr.account);
        let _ = writeln!(out, "region:     {}", ecr.region);
        let _ = writeln!(out, "partition:  {}", ecr.partition);
        let _ = writeln!(out, "fips:       {}", yes_no(ecr.fips));
        let _ = writeln!(out, "dual-stack: {}", yes_no(ecr.dual_stack));
    } else if analysis.kind == HostKind::PublicEcr {
        let _ = writeln!(out, "dual-stack: {}", yes_no(report.dual_stack));
    }
    out
}
