//! `pullpass helm-values --role-arn ARN`: the product doc's helm values that annotate coderd's
//! service account with the role, and the `kubectl` checks that verify it.

use pullpass_core::policy::generate;

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The IAM role for the service account (`arn:aws:iam::<account>:role/<name>`).
    #[arg(long, value_name = "ARN")]
    role_arn: String,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    print!("{}", generate::helm_values(&args.role_arn)?);
    Ok(Exit::Ok)
}
