//! The `DR…` rules: links of an IRSA / Pod Identity set-up that no `TP`/`RF` rule covers.
//! Each file holds its rule's metadata, the check of the link it judges (the tables in
//! `doctor::chain` name them) and its tests.

/// What the checks share.
mod prelude {
    pub(crate) use crate::diagnostic::{Diagnostic, Severity};
    pub(crate) use crate::policy::aws::{self, ProviderArn};
    pub(crate) use crate::policy::model::{PrincipalValue, Statement, Str};
    pub(crate) use crate::policy::rules::eval::entry_admits;
    pub(crate) use crate::policy::rules::tp032_expected_binding::TP032;
    pub(crate) use crate::policy::rules::{
        POD_IDENTITY_SERVICE, claim_entries, is_pod_identity_statement,
    };
    pub(crate) use crate::registry_form::rules::rf050_role_arn_invalid::RF050;

    pub(crate) use crate::doctor::artifacts::{
        AUDIENCE_ANNOTATION, Located, PodEnv, Provider, ROLE_ANNOTATION, STS_REGIONAL_ANNOTATION,
        TrustInput,
    };
    pub(crate) use crate::doctor::chain::{Chosen, Cx, Facts, Outcome, Run, Slot, at};
    pub(crate) use crate::doctor::registry::Registry;
    pub(crate) use crate::doctor::{Input, Mode, lint_finding};
}

crate::rule_family! {
    rules: [
        dr001_input_unreadable::DR001,
        dr002_role_annotation_missing::DR002,
        dr003_role_annotation_mismatch::DR003,
        dr004_helm_values_not_applied::DR004,
        dr005_oidc_provider_missing::DR005,
        dr006_oidc_provider_url_mismatch::DR006,
        dr007_oidc_client_id_missing::DR007,
        dr008_token_audience_mismatch::DR008,
        dr009_web_identity_env_missing::DR009,
        dr010_pod_env_role_mismatch::DR010,
        dr011_sts_global_endpoint_opt_in_region::DR011,
        dr012_static_keys_override_ambient::DR012,
        dr013_role_missing::DR013,
        dr014_no_web_identity_statement::DR014,
        dr015_no_pod_identity_statement::DR015,
        dr020_association_service_account_mismatch::DR020,
        dr021_association_role_mismatch::DR021,
        dr022_pod_identity_env_missing::DR022,
        dr023_session_tags_disabled::DR023,
        dr024_irsa_overrides_pod_identity::DR024,
        dr025_association_cluster_mismatch::DR025,
        dr026_pod_identity_role_other_account::DR026,
        dr030_registry_token_failed::DR030,
    ]
}
