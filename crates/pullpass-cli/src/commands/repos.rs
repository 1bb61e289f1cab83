//! `pullpass repos NAME`: a registry's repositories, one page or `--all`.

use super::listing::{self, PageArgs};
use super::registry_ref::{RegistryArgs, open, report_error};
use crate::exit::Exit;
use crate::render::Format;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    page: PageArgs,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(args: Args, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    let spec = args.registry.spec()?;
    let mut options = args.registry.options();
    options.page_size = args.page.page_size;
    let registry = open(backend, &spec, &options)?;
    let page = match pullpass_ecr::block_on(listing::collect(&args.page, |next| {
        registry.list_repositories(next)
    })) {
        Ok(page) => page,
        Err(error) => return Ok(report_error(&error)),
    };
    let items: Vec<_> = page.items.iter().map(listing::repository_report).collect();
    match args.format {
        Format::Json => out!("{}", listing::json_report(Some(items), None, page.next)),
        Format::Text => {
            let width = items.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for r in &items {
                outln!(
                    "{:<width$}  {}{}",
                    r.name,
                    r.uri,
                    r.created_at
                        .as_deref()
                        .map(|c| format!("  created {c}"))
                        .unwrap_or_default()
                );
            }
            if items.is_empty() {
                errln!("no repositories");
            }
            listing::more_hint(page.next.as_ref());
        }
    }
    Ok(Exit::Ok)
}
