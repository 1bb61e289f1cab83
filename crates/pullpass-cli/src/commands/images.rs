//! `pullpass images NAME REPOSITORY`: a repository's images (digest, tags, push time, size),
//! one page or `--all`.

use super::listing::{self, PageArgs};
use super::registry_ref::{RegistryArgs, open, report_error};
use crate::exit::Exit;
use crate::render::Format;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    registry: RegistryArgs,
    /// The repository, e.g. `team/app`.
    repository: String,
    #[command(flatten)]
    page: PageArgs,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(args: Args, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    if let Some(exit) = super::import::refuse_invalid(&args.repository, None, args.format) {
        return Ok(exit);
    }
    let spec = args.registry.spec()?;
    let mut options = args.registry.options();
    options.page_size = args.page.page_size;
    let registry = open(backend, &spec, &options)?;
    let repository = args.repository.clone();
    let page = match pullpass_ecr::block_on(listing::collect(&args.page, |next| {
        registry.list_images(&repository, next)
    })) {
        Ok(page) => page,
        Err(error) => return Ok(report_error(&error)),
    };
    let host = pullpass_ecr::normalize_host(&spec.host);
    let items: Vec<_> = page
        .items
        .iter()
        .map(|i| listing::image_report(&host, i))
        .collect();
    match args.format {
        Format::Json => out!("{}", listing::json_report(None, Some(items), page.next)),
        Format::Text => {
            for i in &items {
                let tags = if i.tags.is_empty() {
                    "<untagged>".to_owned()
                } else {
                    i.tags.join(",")
                };
                let mut line = format!("{}  {tags}", i.digest);
                if let Some(at) = &i.pushed_at {
                    line.push_str(&format!("  pushed {at}"));
                }
                if let Some(size) = i.size_bytes {
                    line.push_str(&format!("  {}", listing::human_size(size)));
                }
                outln!("{line}");
            }
            if items.is_empty() {
                errln!("no images in {}", args.repository);
            }
            listing::more_hint(page.next.as_ref());
        }
    }
    Ok(Exit::Ok)
}
