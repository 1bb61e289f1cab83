//! Criterion micro-benchmarks of the core: host parse, form validation, policy lint.
//!
//! `cargo bench -p pullpass-core --bench core` measures (`cargo xtask bench micro` runs it and
//! copies the numbers into BENCHMARKS.md); `cargo test` runs every benchmark once, so they keep
//! compiling and running in CI. Numbers are reported, never asserted.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pullpass_core::host;
use pullpass_core::policy::{self, LintContext, PolicyKind};
use pullpass_core::registry::RegistryKind;
use pullpass_core::registry_form::{self, FormContext, RegistryForm};

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
                black_box(registry_form::analyze_host(
                    black_box(h),
                    None,
                    RegistryKind::Ecr,
                ));
            }
        });
    });
    group.finish();
}

/// A filled-in Add-registry form: private ECR, static keys, cross-account role.
fn typical_form() -> RegistryForm {
    RegistryForm {
        name: "Production ECR".to_owned(),
        host: "123456789012.dkr.ecr.eu-central-1.amazonaws.com".to_owned(),
        kind: RegistryKind::Ecr,
        access_key_id: "AKIA2BENCHMARKKEY7QA".to_owned(),
        secret_access_key: "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".into(),
        role_arn: "arn:aws:iam::210987654321:role/platform-pull".to_owned(),
        external_id: "coder-prod".to_owned(),
        ..RegistryForm::default()
    }
}

/// The same form with the mistakes people make: scheme and path in the host, swapped keys.
fn broken_form() -> RegistryForm {
    RegistryForm {
        name: " production ecr ".to_owned(),
        host: "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app".to_owned(),
        access_key_id: "q8Vd0b+3kP2Lr7sT9wXz1Yc4Ne6Hm5Ga0Jf2Ku8B".to_owned(),
        secret_access_key: "AKIA2BENCHMARKKEY7QA".into(),
        ..typical_form()
    }
}

fn form_benches(c: &mut Criterion) {
    let ctx = FormContext {
        existing_names: vec![
            "staging".to_owned(),
            "ghcr".to_owned(),
            "docker-hub".to_owned(),
        ],
    };
    let typical = typical_form();
    let broken = broken_form();
    let mut group = c.benchmark_group("form");
    group.throughput(Throughput::Elements(1));
    group.bench_function("validate_typical", |b| {
        b.iter(|| black_box(registry_form::validate(black_box(&typical), &ctx)));
    });
    group.bench_function("validate_with_mistakes", |b| {
        b.iter(|| black_box(registry_form::validate(black_box(&broken), &ctx)));
    });
    group.finish();
}

/// The trust policy eksctl writes for one service account.
fn irsa(account: &str, region: &str, id: &str, namespace: &str, sa: &str) -> String {
    let issuer = format!("oidc.eks.{region}.amazonaws.com/id/{id}");
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Principal": {{
        "Federated": "arn:aws:iam::{account}:oidc-provider/{issuer}"
      }},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {{
        "StringEquals": {{
          "{issuer}:sub": "system:serviceaccount:{namespace}:{sa}",
          "{issuer}:aud": "sts.amazonaws.com"
        }}
      }}
    }}
  ]
}}
"#
    )
}

const POD_IDENTITY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowEksAuthToAssumeRoleForPodIdentity",
      "Effect": "Allow",
      "Principal": {
        "Service": "pods.eks.amazonaws.com"
      },
      "Action": ["sts:AssumeRole", "sts:TagSession"],
      "Condition": {
        "StringEquals": {
          "aws:RequestTag/kubernetes-namespace": "coder",
          "aws:RequestTag/kubernetes-service-account": "coder"
        }
      }
    }
  ]
}
"#;

/// 40 typical trust policies: valid IRSA and Pod Identity ones and the common mistakes
/// (`https://` in the key, a wildcard under `StringEquals`, a typo'd operator, `aud` missing),
/// in the proportions of `cargo xtask bench`'s generated corpus (40 % valid).
fn typical_policies() -> Vec<String> {
    let regions = ["us-east-1", "eu-central-1", "us-west-2", "ap-southeast-2"];
    (0..40)
        .map(|i| {
            let id = format!(
                "{:032X}",
                0x5EED_u128 * (i as u128 + 1) * 0x9E37_79B9_7F4A_7C15
            );
            let account = format!("{:012}", 100_000_000_000_u64 + i as u64 * 7_919_123);
            let region = regions[i % regions.len()];
            let valid = irsa(&account, region, &id, "coder", &format!("workspace-{i}"));
            match i % 10 {
                0..=2 => valid,
                3 => POD_IDENTITY.to_owned(),
                4 => valid.replace("\"oidc.eks", "\"https://oidc.eks"),
                5 => valid.replace(&format!("workspace-{i}\""), "*\""),
                6 => valid.replace("StringEquals", "StringEqual"),
                7 => {
                    let aud_line = valid
                        .lines()
                        .find(|l| l.contains(":aud\""))
                        .unwrap_or_default()
                        .to_owned();
                    valid
                        .replace(&format!("{aud_line}\n"), "")
                        .replace(&format!("workspace-{i}\","), &format!("workspace-{i}\""))
                }
                8 => valid.replace("sts.amazonaws.com", "sts.amazon.com"),
                _ => valid.replace("sts:AssumeRoleWithWebIdentity", "sts:AssumeRole"),
            }
        })
        .collect()
}

fn policy_benches(c: &mut Criterion) {
    let ctx = LintContext::default();
    let policies = typical_policies();
    let single = irsa(
        "123456789012",
        "us-east-1",
        "0123456789ABCDEF0123456789ABCDEF",
        "coder",
        "coder",
    );
    let mut group = c.benchmark_group("policy");
    group.throughput(Throughput::Elements(1));
    group.bench_function("lint_irsa", |b| {
        b.iter(|| {
            black_box(policy::lint(
                black_box(&single),
                Some(PolicyKind::Trust),
                &ctx,
            ))
        });
    });
    group.throughput(Throughput::Elements(policies.len() as u64));
    group.bench_function("lint_corpus_mix", |b| {
        b.iter(|| {
            for p in &policies {
                black_box(policy::lint(black_box(p), None, &ctx));
            }
        });
    });
    group.finish();
}

/// One valid IRSA policy with statements for more and more service accounts, at least `bytes`
/// long (and under the linter's 1 MiB input limit).
fn policy_of_size(bytes: usize) -> String {
    let issuer = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    let mut statements = Vec::new();
    let mut len = 64;
    let mut i = 0;
    while len < bytes {
        let s = format!(
            r#"    {{
      "Effect": "Allow",
      "Principal": {{ "Federated": "arn:aws:iam::123456789012:oidc-provider/{issuer}" }},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {{
        "StringEquals": {{
          "{issuer}:sub": "system:serviceaccount:coder:workspace-{i}",
          "{issuer}:aud": "sts.amazonaws.com"
        }}
      }}
    }}"#
        );
        len += s.len() + 2;
        statements.push(s);
        i += 1;
    }
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}\n",
        statements.join(",\n")
    )
}

/// In-process lint time against policy size: the curve `cargo xtask bench` checks for
/// linearity without process start-up noise.
fn policy_size_benches(c: &mut Criterion) {
    let ctx = LintContext::default();
    let mut group = c.benchmark_group("policy_size");
    for bytes in [1_000, 10_000, 100_000, 1_000_000] {
        let text = policy_of_size(bytes - 500);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("{bytes}"), |b| {
            b.iter(|| {
                black_box(policy::lint(
                    black_box(&text),
                    Some(PolicyKind::Trust),
                    &ctx,
                ))
            });
        });
    }
    group.finish();
}

/// The CPU time of the benchmark thread (`CLOCK_THREAD_CPUTIME_ID`): on a shared machine wall
/// time also counts the time other processes held the core; "policies per second per core" is
/// CPU time.
#[derive(Debug)]
struct ThreadCpu;

static WALL: WallTime = WallTime;

impl Measurement for ThreadCpu {
    type Intermediate = cpu_time::ThreadTime;
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }

    fn end(&self, start: Self::Intermediate) -> Self::Value {
        start.elapsed()
    }

    fn add(&self, a: &Self::Value, b: &Self::Value) -> Self::Value {
        *a + *b
    }

    fn zero(&self) -> Self::Value {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Self::Value) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, like wall time.
        WALL.formatter()
    }
}

fn policy_cpu_benches(c: &mut Criterion<ThreadCpu>) {
    let ctx = LintContext::default();
    let policies = typical_policies();
    let mut group = c.benchmark_group("policy_cpu");
    group.throughput(Throughput::Elements(policies.len() as u64));
    group.bench_function("lint_corpus_mix", |b| {
        b.iter(|| {
            for p in &policies {
                black_box(policy::lint(black_box(p), None, &ctx));
            }
        });
    });
    group.finish();
}

/// Issue 15's two linear-time rows: a 1 MB policy of ~58 k condition keys, and the lint of
/// a one-line policy with ~15 k findings (the CLI renders it; `cargo xtask bench hardening`
/// times every format end to end).
fn adversarial_benches(c: &mut Criterion) {
    let ctx = LintContext::default();
    let keys = policy::stress::many_condition_keys(1_000_000);
    let findings = policy::stress::one_line_findings(4_000);
    let mut group = c.benchmark_group("adversarial");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(keys.len() as u64));
    group.bench_function("lint_58k_condition_keys", |b| {
        b.iter(|| black_box(policy::lint(black_box(&keys), None, &ctx)));
    });
    group.throughput(Throughput::Bytes(findings.len() as u64));
    group.bench_function("lint_15k_findings_one_line", |b| {
        b.iter(|| black_box(policy::lint(black_box(&findings), None, &ctx)));
    });
    group.finish();
}

criterion_group!(
    benches,
    host_benches,
    form_benches,
    policy_benches,
    policy_size_benches,
    adversarial_benches
);
criterion_group! {
    name = cpu_benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = policy_cpu_benches
}
criterion_main!(benches, cpu_benches);
