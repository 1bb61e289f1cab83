//! The on-disk token cache (see the module docs once implemented).

use std::path::PathBuf;
use std::sync::Arc;

use crate::Clock;

/// What a cached token is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The credential source's stable identity.
    pub identity: String,
    pub partition: String,
    pub region: String,
    /// `ecr` or `ecr-public`.
    pub service: String,
}

/// The token cache in one directory.
#[derive(Debug, Clone)]
pub struct TokenCache {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
}

impl TokenCache {
    #[must_use]
    pub fn new(dir: PathBuf, clock: Arc<dyn Clock>) -> Self {
        Self { dir, clock }
    }

    #[must_use]
    pub fn dir(&self) -> &std::path::Path {
        let _ = &self.clock;
        &self.dir
    }
}

pub(crate) fn default_dir() -> Option<PathBuf> {
    None
}
