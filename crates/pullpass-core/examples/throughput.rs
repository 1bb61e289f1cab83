#![allow(clippy::print_stdout)]
use pullpass_core::policy::generate::{IrsaOptions, PodIdentityOptions, irsa, pod_identity};
use pullpass_core::policy::{LintContext, lint};

fn main() {
    let mut docs = Vec::new();
    for i in 0..10_000u32 {
        let text = if i % 5 == 4 {
            pod_identity(&PodIdentityOptions {
                namespace: format!("ns{i}"),
                service_account: "coder".into(),
                cluster_arn: None,
            })
            .unwrap()
        } else {
            irsa(&IrsaOptions {
                issuer: Some(format!(
                    "https://oidc.eks.us-east-1.amazonaws.com/id/{:032X}",
                    i
                )),
                account: Some("123456789012".into()),
                namespace: format!("ns{}", i % 50),
                service_account: "coder".into(),
                ..IrsaOptions::default()
            })
            .unwrap()
        };
        docs.push(text);
    }
    let bytes: usize = docs.iter().map(String::len).sum();
    let ctx = LintContext::default();
    let mut n = 0usize;
    let cpu = || -> f64 {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| {
                s.split_whitespace()
                    .next()
                    .and_then(|n| n.parse::<f64>().ok())
            })
            .map_or(0.0, |ns| ns / 1e9)
    };
    let cpu0 = cpu();
    let start = std::time::Instant::now();
    for _ in 0..5 {
        for d in &docs {
            n += lint(d, None, &ctx).diagnostics.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu_secs = cpu() - cpu0;
    println!(
        "CPU time {cpu_secs:.3}s: {:.0} policies per CPU-second",
        (docs.len() * 5) as f64 / cpu_secs
    );
    let start2 = std::time::Instant::now();
    let mut m = 0usize;
    for d in &docs {
        let v = pullpass_core::policy::json::parse(d).unwrap();
        let p = pullpass_core::policy::Policy::build(&v).unwrap();
        m += p.statements.len();
    }
    println!(
        "parse+model only: {:.0}/s ({m})",
        docs.len() as f64 / start2.elapsed().as_secs_f64()
    );
    println!(
        "{} policies ({} bytes avg) in {secs:.3}s: {:.0} policies/s, findings {n}",
        docs.len() * 5,
        bytes / docs.len(),
        (docs.len() * 5) as f64 / secs
    );
}
