//! Private and public ECR plugins.

use crate::target::EcrTarget;
use crate::{
    ConnectionReport, Credentials, Error, Image, Options, Page, Registry, RegistrySpec, Repository,
};

#[derive(Debug)]
pub(crate) struct PrivateEcr {
    spec: RegistrySpec,
    target: EcrTarget,
}

impl PrivateEcr {
    pub(crate) fn new(
        spec: &RegistrySpec,
        target: EcrTarget,
        _options: &Options,
    ) -> Result<Self, Error> {
        Ok(Self {
            spec: spec.clone(),
            target,
        })
    }
}

#[async_trait::async_trait]
impl Registry for PrivateEcr {
    async fn credentials(&self) -> Result<Credentials, Error> {
        Err(Error::Unsupported {
            operation: "credentials",
            kind: "ecr",
        })
    }
    async fn test_connection(&self) -> ConnectionReport {
        let _ = &self.target;
        ConnectionReport::new(&self.spec, "privateEcr")
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

#[derive(Debug)]
pub(crate) struct PublicEcr {
    spec: RegistrySpec,
}

impl PublicEcr {
    pub(crate) fn new(spec: &RegistrySpec, _options: &Options) -> Result<Self, Error> {
        Ok(Self { spec: spec.clone() })
    }
}

#[async_trait::async_trait]
impl Registry for PublicEcr {
    async fn credentials(&self) -> Result<Credentials, Error> {
        Err(Error::Unsupported {
            operation: "credentials",
            kind: "ecr",
        })
    }
    async fn test_connection(&self) -> ConnectionReport {
        ConnectionReport::new(&self.spec, "publicEcr")
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
