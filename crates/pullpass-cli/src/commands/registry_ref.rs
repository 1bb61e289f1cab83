//! Which configured registry a backend command acts on, and how to reach it: the shared
//! arguments of `login`, `repos`, `images`, `import`, the config file lookup (the config
//! module's), and how backend errors are shown.

use pullpass_ecr::{Backend, CacheMode, Options, Registry, RegistrySpec};

use crate::config;
use crate::exit::Exit;

/// The registry to act on.
#[derive(Debug, clap::Args)]
pub(crate) struct RegistryArgs {
    /// The registry's name in the config file (`--config`).
    pub(crate) name: String,
    /// Neither read nor write the token cache (also `PULLPASS_NO_CACHE=1`; relocate it with
    /// `PULLPASS_CACHE_DIR`).
    #[arg(long)]
    pub(crate) no_cache: bool,
    #[command(flatten)]
    pub(crate) config: config::ConfigArg,
}

impl RegistryArgs {
    /// The registry's spec from the config file, secrets resolved, `RF…` errors refused.
    pub(crate) fn spec(&self) -> anyhow::Result<RegistrySpec> {
        self.config.apply();
        let loaded = config::load()?;
        let (index, _) = loaded.registry(&self.name)?;
        config::to_spec(&loaded, index)
    }

    /// Backend options: the cache as the environment and `--no-cache` say.
    pub(crate) fn options(&self) -> Options {
        let mut options = Options::from_env();
        if self.no_cache {
            options.cache = CacheMode::Disabled;
        }
        options
    }

    /// The spec and its opened backend.
    pub(crate) fn open(
        &self,
        backend: &dyn Backend,
    ) -> anyhow::Result<(RegistrySpec, Box<dyn Registry>)> {
        let spec = self.spec()?;
        let registry = open(backend, &spec, &self.options())?;
        Ok((spec, registry))
    }
}

/// The spec's registry through `backend`; a spec it refuses is an error with its cause.
pub(crate) fn open(
    backend: &dyn Backend,
    spec: &RegistrySpec,
    options: &Options,
) -> anyhow::Result<Box<dyn Registry>> {
    backend
        .open(spec, options)
        .map_err(|e| anyhow::anyhow!("{}", with_cause(&e)))
}

/// A backend error with its likely cause, for people.
pub(crate) fn with_cause(error: &pullpass_ecr::Error) -> String {
    match error.cause() {
        Some(cause) => format!("{error}\n  likely cause: {cause}"),
        None => error.to_string(),
    }
}

/// Prints a backend error to stderr and gives the exit code for it.
pub(crate) fn report_error(error: &pullpass_ecr::Error) -> Exit {
    errln!("error: {}", with_cause(error));
    Exit::Findings
}
