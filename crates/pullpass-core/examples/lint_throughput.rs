//! In-memory `lint` throughput: `cargo run --release -p pullpass-core --example lint_throughput`
//! (`PERMS=1` for permissions policies). Reports policies per CPU-second of this thread (from
//! `/proc/thread-self/schedstat`, so a busy machine does not distort it) and per wall second.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use pullpass_core::policy::generate::{IrsaOptions, PodIdentityOptions, irsa, pod_identity};
use pullpass_core::policy::{LintContext, lint};

fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn corpus(permissions: bool) -> Vec<String> {
    (0..10_000u32)
        .map(|i| {
            if permissions {
                format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:DescribeRepositories","ecr:ListImages","ecr:DescribeImages","ecr:BatchGetImage"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/team{i}/*"}},{{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}}]}}"#
                )
            } else if i % 5 == 4 {
                pod_identity(&PodIdentityOptions {
                    namespace: format!("ns{i}"),
                    service_account: "coder".into(),
                    cluster_arn: None,
                })
                .unwrap()
            } else {
                irsa(&IrsaOptions {
                    issuer: Some(format!("https://oidc.eks.us-east-1.amazonaws.com/id/{i:032X}")),
                    account: Some("123456789012".into()),
                    namespace: format!("ns{}", i % 50),
                    service_account: "coder".into(),
                    ..IrsaOptions::default()
                })
                .unwrap()
            }
        })
        .collect()
}

fn main() {
    let docs = corpus(std::env::var_os("PERMS").is_some());
    let avg = docs.iter().map(String::len).sum::<usize>() / docs.len();
    let ctx = LintContext::default();
    let rounds = 5;
    let mut findings = 0usize;
    let (cpu0, wall0) = (cpu_seconds(), std::time::Instant::now());
    for _ in 0..rounds {
        for d in &docs {
            findings += lint(d, None, &ctx).diagnostics.len();
        }
    }
    let (cpu, wall) = (cpu_seconds() - cpu0, wall0.elapsed().as_secs_f64());
    let n = (docs.len() * rounds) as f64;
    println!(
        "{} policies of {avg} bytes on average, {findings} findings: {:.0} policies per CPU-second ({cpu:.3} s CPU), {:.0} per wall second",
        docs.len() * rounds,
        n / cpu,
        n / wall
    );
}
