//! The plan of `doctor --live`: which IAM/EKS look-ups a run needs, decided from what the
//! operator gave. The caller (the CLI) only does the IO and puts each answer into the inputs;
//! no ARN splitting or artifact parsing happens at the edge.

use crate::policy::aws;

use super::{DoctorInputs, artifacts, read_expected_sa};

/// The role to read with IAM GetRole: `role` (a name or ARN, as given), else the
/// `eks.amazonaws.com/role-arn` annotation of the service account YAML.
#[must_use]
pub fn live_role(role: Option<&str>, service_account: Option<&str>) -> Option<String> {
    role.map(str::to_owned)
        .or_else(|| service_account.and_then(super::role_annotation))
}

impl DoctorInputs {
    /// The cluster's issuer without scheme: `--issuer`, else the cluster description's.
    fn issuer_path(&self) -> Option<String> {
        self.issuer
            .as_deref()
            .and_then(|i| aws::parse_issuer(i).ok())
            .map(|i| i.path)
            .or_else(|| self.cluster.as_deref().and_then(super::cluster_issuer))
    }

    /// The OIDC provider `--live` fetches: the one the trust policy names for the cluster's
    /// issuer (else the first it names), else the provider for the issuer in the role's account.
    #[must_use]
    pub fn live_oidc_provider(&self) -> Option<String> {
        let issuer = self.issuer_path();
        let trusted = self
            .trust_policy
            .as_deref()
            .map(super::trusted_oidc_providers)
            .unwrap_or_default();
        let for_issuer = trusted.iter().find(|arn| {
            issuer
                .as_deref()
                .is_some_and(|i| aws::parse_provider_arn(arn).is_some_and(|p| p.provider == i))
        });
        if let Some(arn) = for_issuer.or_else(|| trusted.first()) {
            return Some(arn.clone());
        }
        let role = aws::parse_role(self.role_arn.as_deref()?, false).ok()?;
        Some(
            aws::ProviderArn {
                partition: role.partition?,
                account: role.account?,
                provider: issuer?,
            }
            .arn(),
        )
    }
}

/// The Pod Identity association `--live` looks up: in `cluster`, for this service account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationLookup {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
}

impl DoctorInputs {
    /// `namespace/name` of the service account: its YAML, else `--expect-service-account`.
    #[must_use]
    pub fn service_account_identity(&self) -> Option<(String, String)> {
        self.service_account
            .as_deref()
            .and_then(super::service_account_identity)
            .or_else(|| {
                self.expected_service_account
                    .as_deref()
                    .and_then(|t| read_expected_sa(t).ok())
            })
    }

    /// The association to look up, when none is given and the cluster and service account
    /// are known.
    #[must_use]
    pub fn live_association(&self, cluster: Option<&str>) -> Option<AssociationLookup> {
        if self.association.is_some() {
            return None;
        }
        let (namespace, service_account) = self.service_account_identity()?;
        Some(AssociationLookup {
            cluster: cluster?.to_owned(),
            namespace,
            service_account,
        })
    }

    /// The role `--live` reads: `role` as given, else the association's.
    #[must_use]
    pub fn live_role(&self, role: Option<&str>) -> Option<String> {
        role.map(str::to_owned).or_else(|| {
            artifacts::association(self.association.as_deref()?)
                .ok()?
                .role_arn
                .map(|r| r.value)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDER: &str = "oidc.eks.us-west-2.amazonaws.com/id/5C1A3B7F0E9D2C4B6A8F1E3D5C7B9A02";

    #[test]
    fn the_provider_to_fetch_comes_from_the_trust_policy_else_the_role() {
        let mut inputs = DoctorInputs {
            issuer: Some(format!("https://{PROVIDER}/")),
            role_arn: Some("arn:aws:iam::210987654321:role/pull".to_owned()),
            ..DoctorInputs::default()
        };
        assert_eq!(
            inputs.live_oidc_provider().as_deref(),
            Some(format!("arn:aws:iam::210987654321:oidc-provider/{PROVIDER}").as_str())
        );
        inputs.trust_policy = Some(format!(
            r#"{{"Statement": [
              {{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::1:oidc-provider/other.example"}}, "Action": "sts:AssumeRoleWithWebIdentity"}},
              {{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::2:oidc-provider/{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity"}}]}}"#
        ));
        assert_eq!(
            inputs.live_oidc_provider().as_deref(),
            Some(format!("arn:aws:iam::2:oidc-provider/{PROVIDER}").as_str())
        );
        inputs.issuer = None;
        assert_eq!(
            inputs.live_oidc_provider().as_deref(),
            Some("arn:aws:iam::1:oidc-provider/other.example")
        );
    }

    #[test]
    fn the_association_and_its_role() {
        let mut inputs = DoctorInputs {
            expected_service_account: Some("coder/coder".to_owned()),
            ..DoctorInputs::default()
        };
        assert_eq!(inputs.live_association(None), None);
        assert_eq!(
            inputs.live_association(Some("c")),
            Some(AssociationLookup {
                cluster: "c".into(),
                namespace: "coder".into(),
                service_account: "coder".into()
            })
        );
        inputs.association = Some(
            r#"{"association": {"clusterName": "c", "namespace": "coder", "serviceAccount": "coder", "roleArn": "arn:aws:iam::210987654321:role/pull"}}"#
                .to_owned(),
        );
        assert_eq!(inputs.live_association(Some("c")), None);
        assert_eq!(
            inputs.live_role(None).as_deref(),
            Some("arn:aws:iam::210987654321:role/pull")
        );
        assert_eq!(inputs.live_role(Some("mine")).as_deref(), Some("mine"));
        assert_eq!(live_role(None, None), None);
    }
}
