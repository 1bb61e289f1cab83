//! The inputs `pullpass lint` reads besides the policies: the repository policy of
//! `--repository-policy`, and whether the registry is used to import images (`--import-images`,
//! or `import_images = true` on the configured registry that `--registry` names).

use std::path::Path;

use anyhow::{Context as _, bail};
use pullpass_core::Severity;
use pullpass_core::policy::{self, LintContext, PolicyKind};

/// Reads the repository policy file and makes sure it can be evaluated: JSON, an object with
/// statements. Its own findings come from linting it (`pullpass lint --kind repository FILE`).
pub(crate) fn repository_policy(path: Option<&Path>) -> anyhow::Result<Option<String>> {
    let Some(path) = path else { return Ok(None) };
    let len = std::fs::metadata(path)
        .with_context(|| format!("cannot read the repository policy {}", path.display()))?
        .len();
    if usize::try_from(len).map_or(true, |l| l > policy::json::MAX_INPUT_BYTES) {
        bail!(
            "the repository policy {} is too large ({len} bytes) to be an ECR repository policy",
            path.display()
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the repository policy {}", path.display()))?;
    let out = policy::lint(&text, Some(PolicyKind::Repository), &LintContext::default());
    if let Some(bad) = out
        .diagnostics
        .iter()
        .find(|d| d.severity() == Severity::Error && (d.code() == "TP001" || d.code() == "TP002"))
    {
        bail!(
            "--repository-policy {}: {} (lint it with `pullpass lint --kind repository {}`)",
            path.display(),
            bad.message(),
            path.display()
        );
    }
    Ok(Some(text))
}

/// Whether `--registry HOST|NAME` names a configured registry with `import_images = true`.
/// A config file that cannot be read changes nothing here (`pullpass registry list` reports it).
pub(crate) fn config_imports(registry: Option<&str>) -> bool {
    let Some(wanted) = registry.map(str::trim).filter(|r| !r.is_empty()) else {
        return false;
    };
    let Ok(loaded) = crate::config::load_or_empty() else {
        return false;
    };
    let by_name = loaded.config.find(wanted);
    let by_host = crate::protocol::normalize_host(wanted)
        .and_then(|h| crate::protocol::match_registry(&loaded.config, &h).map(|(_, r)| r));
    by_name.or(by_host).is_some_and(|r| r.import_images)
}
