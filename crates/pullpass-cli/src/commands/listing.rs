//! Shared parts of `repos` and `images`: paging arguments, wire conversion, printing.

use pullpass_core::report::{FindingsReport, ImageReport, RepositoryReport};
use pullpass_ecr::{Image, Page, Repository, format_rfc3339};

use crate::render::json;

/// Paging: one page (optionally from a token) or every page.
#[derive(Debug, clap::Args)]
pub(crate) struct PageArgs {
    /// Continue from this token (printed by the previous page).
    #[arg(long, value_name = "TOKEN", conflicts_with = "all")]
    pub(crate) next_token: Option<String>,
    /// Follow every page.
    #[arg(long)]
    pub(crate) all: bool,
    /// Items per page (ECR allows 1–1000).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(crate) page_size: u32,
}

/// Fetches one page, or every page with `--all`, through `fetch`.
pub(crate) async fn collect<T, F, Fut>(
    args: &PageArgs,
    mut fetch: F,
) -> Result<Page<T>, pullpass_ecr::Error>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, pullpass_ecr::Error>>,
{
    let mut page = fetch(args.next_token.clone()).await?;
    if !args.all {
        return Ok(page);
    }
    let mut items = std::mem::take(&mut page.items);
    // A bounded walk: a misbehaving server that repeats a token must not loop forever.
    let mut seen = std::collections::HashSet::new();
    while let Some(token) = page.next.take() {
        if !seen.insert(token.clone()) {
            break;
        }
        page = fetch(Some(token)).await?;
        items.append(&mut page.items);
    }
    Ok(Page { items, next: None })
}

pub(crate) fn repository_report(r: &Repository) -> RepositoryReport {
    RepositoryReport {
        name: r.name.clone(),
        uri: r.uri.clone(),
        created_at: r.created_at.map(format_rfc3339),
    }
}

pub(crate) fn image_report(host: &str, i: &Image) -> ImageReport {
    ImageReport {
        repository: i.repository.clone(),
        digest: i.digest.clone(),
        tags: i.tags.clone(),
        reference: format!("{host}/{}@{}", i.repository, i.digest),
        pushed_at: i.pushed_at.map(format_rfc3339),
        size_bytes: i.size_bytes,
        media_type: i.media_type.clone(),
    }
}

/// The JSON document of a listing.
pub(crate) fn json_report(
    repositories: Option<Vec<RepositoryReport>>,
    images: Option<Vec<ImageReport>>,
    next: Option<String>,
) -> String {
    let mut report = FindingsReport::new(Vec::new());
    report.repositories = repositories;
    report.images = images;
    report.next_token = next;
    json::to_string(&report)
}

/// The hint after a partial listing.
pub(crate) fn more_hint(next: Option<&String>) {
    if let Some(token) = next {
        errln!("more results: pass --next-token {token} (or --all for every page)");
    }
}

/// Bytes for people: `1.5 MB`.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: &[&str] = &["B", "kB", "MB", "GB", "TB"];
    #[allow(clippy::cast_precision_loss)]
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
