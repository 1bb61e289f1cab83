//! `pullpass trust-policy irsa|pod-identity`: the trust policy eksctl and the EKS docs write.

use clap::Subcommand;
use pullpass_core::policy::generate::{self, IrsaOptions, PodIdentityOptions};

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    kind: Kind,
}

#[derive(Debug, Subcommand)]
enum Kind {
    /// IAM roles for service accounts: an OIDC provider principal with `sub` and `aud`.
    Irsa {
        /// The cluster's issuer URL (`aws eks describe-cluster --query cluster.identity.oidc.issuer`).
        #[arg(
            long,
            value_name = "URL",
            required_unless_present = "provider_arn",
            conflicts_with = "provider_arn"
        )]
        issuer: Option<String>,
        /// The IAM OIDC provider ARN (gives account and partition).
        #[arg(long, value_name = "ARN")]
        provider_arn: Option<String>,
        /// The Kubernetes namespace of the service account the role is for (`coder`).
        #[arg(long, value_name = "NS")]
        namespace: String,
        /// The name of that service account (`coder`); the policy admits it and nothing else.
        #[arg(long, value_name = "SA")]
        service_account: String,
        /// The account that holds the IAM OIDC provider (required with --issuer).
        #[arg(long, value_name = "ID")]
        account: Option<String>,
        /// The AWS partition: `aws`, `aws-cn`, `aws-us-gov`, …; derived from the issuer's region
        /// when omitted.
        #[arg(long, value_name = "P")]
        partition: Option<String>,
    },
    /// EKS Pod Identity: `pods.eks.amazonaws.com` with session-tag conditions.
    PodIdentity {
        /// The Kubernetes namespace of the service account the association names (`coder`).
        #[arg(long, value_name = "NS")]
        namespace: String,
        /// The name of that service account (`coder`); the policy admits it and nothing else.
        #[arg(long, value_name = "SA")]
        service_account: String,
        /// Only pods of this EKS cluster may assume the role.
        #[arg(long, value_name = "ARN")]
        cluster_arn: Option<String>,
    },
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let policy = match args.kind {
        Kind::Irsa {
            issuer,
            provider_arn,
            namespace,
            service_account,
            account,
            partition,
        } => generate::irsa(&IrsaOptions {
            issuer,
            provider_arn,
            namespace,
            service_account,
            account,
            partition,
        }),
        Kind::PodIdentity {
            namespace,
            service_account,
            cluster_arn,
        } => generate::pod_identity(&PodIdentityOptions {
            namespace,
            service_account,
            cluster_arn,
        }),
    }?;
    print!("{policy}");
    Ok(Exit::Ok)
}
