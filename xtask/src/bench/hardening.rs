//! Section 6 (issue 15): the two linear-time rows, end to end through the release binary, and
//! a long seeded fuzz run (`cargo xtask fuzz` for longer), reported as inputs per second.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::timing::{human, time_interleaved};
use super::{Ctx, Part, Row, Section, Verdict};

/// Exit codes that mean "ran": clean or findings.
const RAN: &[i32] = &[0, 1];
/// Both rows' target: under half a second on this machine.
const TARGET_SECS: f64 = 0.5;

pub(crate) fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let mut section = Section::default();
    let keys = ctx.work.join("hardening-58k-keys.json");
    let keys_text = pullpass_core::policy::stress::many_condition_keys(1_000_000);
    let n_keys = keys_text.matches(":s\"").count();
    std::fs::write(&keys, &keys_text)?;
    let findings = ctx.work.join("hardening-15k-findings.json");
    std::fs::write(
        &findings,
        pullpass_core::policy::stress::one_line_findings(4_000),
    )?;
    let runs = ctx.pick(5, 2);
    if ctx.wants(Part::HardeningKeys) {
        keys_rows(ctx, &keys, n_keys, runs, &mut section)?;
    }
    if ctx.wants(Part::HardeningFindings) {
        findings_rows(ctx, &findings, runs, &mut section)?;
    }
    if ctx.wants(Part::HardeningRss) {
        peak_rss_rows(ctx, &mut section)?;
    }
    if ctx.wants(Part::HardeningFuzz) {
        let fuzz = crate::fuzz::fuzz(&crate::fuzz::Args {
            seconds: ctx.pick(300, 20),
            seed: 0x5EED,
            slow_ms: 100,
        })?;
        section.rows.push(
            Row::new("Mutation fuzzing of every core entry point (debug build of xtask)")
                .pullpass(format!(
                    "{} inputs, {:.0}/s, {} failure(s)",
                    fuzz.inputs,
                    fuzz.inputs_per_second(),
                    fuzz.failures.len()
                ))
                .target("0 failures", Verdict::from_bool(fuzz.failures.is_empty())),
        );
        let _ = writeln!(section.body, "```text\n{}```", fuzz.report());
    }
    Ok(section)
}

/// The 1 MB policy of condition keys in every format: one row, the slowest format.
fn keys_rows(
    ctx: &Ctx,
    keys: &Path,
    n_keys: usize,
    runs: usize,
    section: &mut Section,
) -> anyhow::Result<()> {
    // Every format: rendering 60 k findings is most of the time of the text and SARIF reports.
    let mut slowest = std::time::Duration::ZERO;
    let mut keys_per_format = String::new();
    for format in ["text", "json", "sarif", "github"] {
        let lint = || {
            let mut c = Command::new(&ctx.pullpass);
            c.args(["lint", "--format", format]).arg(keys);
            c
        };
        let samples = time_interleaved(&[&lint], 1, runs, RAN)?;
        let t = samples[0].median();
        slowest = slowest.max(t);
        let _ = write!(keys_per_format, "{format} {} · ", human(t));
    }
    section.rows.push(
        Row::new(format!(
            "Lint a 1 MB policy of {n_keys} condition keys, slowest format (median of {runs})"
        ))
        .pullpass(human(slowest))
        .target(
            "< 0.5 s",
            Verdict::from_bool(slowest.as_secs_f64() < TARGET_SECS),
        ),
    );

    let _ = writeln!(
        section.body,
        "The 1 MB policy per format (median of {runs}): {}\n",
        keys_per_format.trim_end_matches(" · ")
    );
    Ok(())
}

/// A one-line file with thousands of findings in every format: one row, the slowest format.
fn findings_rows(
    ctx: &Ctx,
    findings: &Path,
    runs: usize,
    section: &mut Section,
) -> anyhow::Result<()> {
    let count = Command::new(&ctx.pullpass)
        .args(["lint", "--format", "json"])
        .arg(findings)
        .output()?;
    let report: pullpass_core::report::FindingsReport = serde_json::from_slice(&count.stdout)?;
    let n_findings = report.findings.len();
    let mut worst = std::time::Duration::ZERO;
    let mut per_format = String::new();
    for format in ["text", "json", "sarif", "github"] {
        let make = || {
            let mut c = Command::new(&ctx.pullpass);
            c.args(["lint", "--format", format]).arg(findings);
            c
        };
        let s = time_interleaved(&[&make], 1, runs, RAN)?;
        let t = s[0].median();
        worst = worst.max(t);
        let _ = write!(per_format, "{format} {} · ", human(t));
    }
    section.rows.push(
        Row::new(format!(
            "Lint and render a one-line file with {n_findings} findings, slowest format"
        ))
        .pullpass(human(worst))
        .target(
            "< 0.5 s",
            Verdict::from_bool(worst.as_secs_f64() < TARGET_SECS),
        ),
    );

    let _ = writeln!(
        section.body,
        "Rendering per format (median of {runs}): {}\n",
        per_format.trim_end_matches(" · ")
    );
    Ok(())
}

/// A trust policy with findings in every format (TP022's upper-case scheme, TP028's `*`).
const MANY_FILES_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"HTTPS://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub":"system:serviceaccount:*","oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud":"sts.amazonaws.com"}}}]}"#;

/// "Lint 100,000 files: peak RSS per format" (issue 15 #9: SARIF held 1.24 GB, text 141 MB).
/// The peak resident set of the child, as `/usr/bin/time -v` reports it (`ru_maxrss` of
/// `wait4`); one run per format, the numbers are sizes, not timings.
fn peak_rss_rows(ctx: &Ctx, section: &mut Section) -> anyhow::Result<()> {
    let time = std::path::Path::new("/usr/bin/time");
    let files = ctx.pick(100_000, 2_000);
    if !time.exists() {
        section.rows.push(Row::not_measured(
            format!("Lint {files} files: peak RSS per format"),
            "/usr/bin/time is missing",
        ));
        return Ok(());
    }
    let tree = ctx.work.join(format!("hardening-{files}-files"));
    if !tree.join("done").exists() {
        let _ = std::fs::remove_dir_all(&tree);
        for i in 0..files {
            let dir = tree.join(format!("d{:03}", i / 1000));
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join(format!("p{i}.json")), MANY_FILES_POLICY)?;
        }
        std::fs::write(tree.join("done"), "")?;
    }
    let mut cells = Vec::new();
    let mut largest = 0u64;
    for format in ["text", "json", "sarif", "github"] {
        let report = ctx.work.join("hardening-rss.txt");
        let status = Command::new(time)
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&report)
            .arg(&ctx.pullpass)
            .args(["lint", "--format", format])
            .arg(&tree)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        anyhow::ensure!(
            status.code().is_some_and(|c| RAN.contains(&c)),
            "pullpass lint --format {format} over {files} files exited with {status}"
        );
        let kib: u64 = std::fs::read_to_string(&report)?
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .parse()?;
        largest = largest.max(kib);
        cells.push(format!("{format} {} MB", kib / 1024));
    }
    section.rows.push(
        Row::new(format!("Lint {files} files: peak RSS per format"))
            .pullpass(cells.join(" · "))
            // Bounded: the driver streams each file's output and holds only the files of the
            // cross-file pass (issue 13/15).
            .target(
                "< 300 MB in every format",
                Verdict::from_bool(largest < 300 * 1024),
            ),
    );
    Ok(())
}
