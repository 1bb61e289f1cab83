//! The generic basic-auth plugin.

use crate::{
    ConnectionReport, Credentials, Error, Image, Options, Page, Registry, RegistrySpec, Repository,
};

#[derive(Debug)]
pub(crate) struct BasicRegistry {
    spec: RegistrySpec,
}

impl BasicRegistry {
    pub(crate) fn new(spec: &RegistrySpec, _options: &Options) -> Result<Self, Error> {
        Ok(Self { spec: spec.clone() })
    }
}

#[async_trait::async_trait]
impl Registry for BasicRegistry {
    async fn credentials(&self) -> Result<Credentials, Error> {
        Err(Error::Unsupported {
            operation: "credentials",
            kind: "ecr",
        })
    }
    async fn test_connection(&self) -> ConnectionReport {
        ConnectionReport::new(&self.spec, "generic")
    }
    async fn list_repositories(&self, _next: Option<String>) -> Result<Page<Repository>, Error> {
        Err(Error::Unsupported {
            operation: "list",
            kind: "ecr",
        })
    }
    async fn list_images(
        &self,
        _repository: &str,
        _next: Option<String>,
    ) -> Result<Page<Image>, Error> {
        Err(Error::Unsupported {
            operation: "list",
            kind: "ecr",
        })
    }
    async fn find_image(&self, _repository: &str, _tag_or_digest: &str) -> Result<Image, Error> {
        Err(Error::Unsupported {
            operation: "find",
            kind: "ecr",
        })
    }
}
