//! Criterion micro-benchmarks of the core: host parse, form validation, policy lint.
//!
//! `cargo bench -p pullpass-core --bench core` measures (`cargo xtask bench micro` runs it and
//! copies the numbers into BENCHMARKS.md); `cargo test` runs every benchmark once, so they keep
//! compiling and running in CI. Numbers are reported, never asserted.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pullpass_core::host;
use pullpass_core::registry_form::RegistryKind;

/// Hosts a registry form sees: every ECR form, other registries, and typical mistakes.
const HOSTS: &[&str] = &[
    "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
    "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
    "123456789012.dkr-ecr.us-west-2.on.aws",
    "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
    "public.ecr.aws",
    "ghcr.io",
    "registry-1.docker.io",
    "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app",
    "12345678901.dkr.ecr.us-east-1.amazonaws.com",
    "123456789012.dkr.ecr.us-east-1.amazonaws.co",
    "api.ecr.us-east-1.amazonaws.com",
    "123456789012.DKR.ECR.US-EAST-1.AMAZONAWS.COM",
];

fn host_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("host");
    group.throughput(Throughput::Elements(HOSTS.len() as u64));
    group.bench_function("parse_ecr", |b| {
        b.iter(|| {
            for h in HOSTS {
                black_box(host::parse_ecr(black_box(h)));
            }
        });
    });
    group.bench_function("analyze", |b| {
        b.iter(|| {
            for h in HOSTS {
                black_box(host::analyze(black_box(h), None, RegistryKind::Ecr));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, host_benches);
criterion_main!(benches);
