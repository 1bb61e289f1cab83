//! `pullpass import NAME REPOSITORY:TAG` (or `REPOSITORY@sha256:…`): the Import Image check.
//! Validates the reference with RF060/RF061 before any network call, checks that the image
//! exists, and prints its digest (the reference that pins it on stderr).

use pullpass_core::Diagnostic;
use pullpass_core::registry_form::{validate_repository, validate_tag};
use pullpass_core::report::FindingsReport;

use super::listing;
use super::registry_ref::{RegistryArgs, open, report_error};
use crate::exit::Exit;
use crate::render::{Format, Item, Source, json, text};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    registry: RegistryArgs,
    /// `REPOSITORY:TAG` or `REPOSITORY@sha256:<digest>` (a leading `<host>/` is accepted).
    image: String,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Splits `repo:tag` / `repo@digest`; the tag part is `None` when there is none.
fn split_reference(image: &str) -> (&str, Option<&str>) {
    if let Some((repo, digest)) = image.split_once('@') {
        return (repo, Some(digest));
    }
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag)),
        _ => (image, None),
    }
}

/// Prints RF060/RF061 findings for a repository (and tag) and returns the exit, or `None` when
/// they are valid.
pub(crate) fn refuse_invalid(repository: &str, tag: Option<&str>, format: Format) -> Option<Exit> {
    let repo_findings = validate_repository(repository);
    let tag_findings = tag.map(validate_tag).unwrap_or_default();
    let errors = repo_findings
        .iter()
        .chain(&tag_findings)
        .filter(|d| d.severity() == pullpass_core::Severity::Error)
        .count();
    if errors == 0 {
        return None;
    }
    let items: Vec<Item<'_>> = repo_findings
        .iter()
        .map(|d: &Diagnostic| Item {
            diagnostic: d,
            source: Some(Source {
                name: "/repository",
                text: repository,
            }),
        })
        .chain(tag_findings.iter().map(|d| Item {
            diagnostic: d,
            source: tag.map(|t| Source {
                name: "/tag",
                text: t,
            }),
        }))
        .collect();
    match format {
        Format::Json => {
            out!(
                "{}",
                json::to_string(&FindingsReport::new(json::findings(&items, None)))
            );
        }
        Format::Text => {
            crate::out::stderr(format_args!("{}", text::render(&items, text::use_color())))
        }
    }
    Some(Exit::for_findings(errors, 0, false))
}

pub(crate) fn run(args: Args, backend: &dyn pullpass_ecr::Backend) -> anyhow::Result<Exit> {
    let spec = args.registry.spec()?;
    let host = pullpass_ecr::normalize_host(&spec.host);
    let image = args
        .image
        .trim()
        .strip_prefix(&format!("{host}/"))
        .unwrap_or(args.image.trim());
    let (repository, tag) = split_reference(image);
    let Some(tag) = tag else {
        if let Some(exit) = refuse_invalid(repository, None, args.format) {
            return Ok(exit);
        }
        anyhow::bail!(
            "`{}` names no tag or digest: write `{repository}:<tag>` or \
             `{repository}@sha256:<digest>` (pullpass does not assume `latest`)",
            args.image
        );
    };
    if let Some(exit) = refuse_invalid(repository, Some(tag), args.format) {
        return Ok(exit);
    }
    let registry = open(backend, &spec, &args.registry.options())?;
    let found = match pullpass_ecr::block_on(registry.find_image(repository, tag)) {
        Ok(image) => image,
        Err(error) => return Ok(report_error(&error)),
    };
    let report = listing::image_report(&host, &found);
    match args.format {
        Format::Json => out!("{}", listing::json_report(None, Some(vec![report]), None)),
        Format::Text => {
            outln!("{}", report.digest);
            errln!(
                "found {host}/{repository}{}{tag}: pin it as {}",
                if tag.starts_with("sha256:") { "@" } else { ":" },
                report.reference
            );
        }
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::split_reference;

    #[test]
    fn splits_references() {
        assert_eq!(split_reference("team/app:v1"), ("team/app", Some("v1")));
        assert_eq!(
            split_reference("team/app@sha256:abc"),
            ("team/app", Some("sha256:abc"))
        );
        assert_eq!(split_reference("team/app"), ("team/app", None));
    }
}
