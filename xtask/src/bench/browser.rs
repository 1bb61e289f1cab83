//! Section 3: the wasm package in Debian's Chromium (playwright-core, as the browser tests
//! drive it): `.wasm` size, latency of `validateRegistryForm` and `lintPolicy` over 1,000 calls,
//! against ajv validating the same input with a JSON Schema in the same page
//! (`web/bench/`, `web/test/bench.mjs`), and what each of them catches.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::corpus::{self, Kind, Rng, SEED};
use super::timing::{human, ratio, sig3};
use super::{Ctx, Row, Section, Verdict, one_line};
use crate::util::project_root;

/// Form cases: (label, form, the code pullpass must raise or `None` for a valid form).
fn form_cases() -> Vec<(&'static str, Value, Option<&'static str>)> {
    let good = json!({
        "name": "Production ECR",
        "host": "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
        "kind": "ecr",
        "accessKeyId": "AKIA2BENCHMARKKEY7QA",
        "secretAccessKey": "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",
    });
    let with = |changes: Value| {
        let mut form = good.clone();
        for (k, v) in changes.as_object().expect("object") {
            form[k] = v.clone();
        }
        form
    };
    vec![
        ("valid private ECR, static keys", good.clone(), None),
        (
            "valid private ECR, IRSA (keys blank)",
            with(json!({"accessKeyId": "", "secretAccessKey": ""})),
            None,
        ),
        ("blank name", with(json!({"name": "  "})), Some("RF001")),
        ("blank host", with(json!({"host": ""})), Some("RF010")),
        (
            "`https://` prefix",
            with(json!({"host": "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com"})),
            Some("RF011"),
        ),
        (
            "password in the host",
            with(json!({"host": "user:pw@123456789012.dkr.ecr.eu-central-1.amazonaws.com"})),
            Some("RF012"),
        ),
        (
            "image path in the host",
            with(json!({"host": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app"})),
            Some("RF014"),
        ),
        (
            "kind ECR, host ghcr.io",
            with(json!({"host": "ghcr.io"})),
            Some("RF021"),
        ),
        (
            "11-digit account",
            with(json!({"host": "12345678901.dkr.ecr.eu-central-1.amazonaws.com"})),
            Some("RF027"),
        ),
        (
            "only the key ID",
            with(json!({"secretAccessKey": ""})),
            Some("RF030"),
        ),
        (
            "temporary key without session token",
            with(json!({"accessKeyId": "ASIA2BENCHMARKKEY7QA"})),
            Some("RF032"),
        ),
        (
            "AWS documentation example key",
            with(
                json!({"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}),
            ),
            Some("RF034"),
        ),
        (
            "key and secret swapped",
            with(
                json!({"accessKeyId": "q8Vd0b+3kP2Lr7sT9wXz1Yc4Ne6Hm5Ga0Jf2Ku8B", "secretAccessKey": "AKIA2BENCHMARKKEY7QA"}),
            ),
            Some("RF036"),
        ),
        (
            "malformed role ARN",
            with(json!({"roleArn": "arn:aws:iam::21098765432:role/pull"})),
            Some("RF050"),
        ),
        (
            "external ID without a role",
            with(json!({"externalId": "coder-prod"})),
            Some("RF052"),
        ),
        (
            "host is a number",
            with(json!({"host": 42})),
            Some("(type)"),
        ),
    ]
}

/// One policy of every kind from the benchmark corpus.
fn policy_cases() -> Vec<Value> {
    let mut rng = Rng::new(SEED);
    Kind::ALL
        .iter()
        .map(|kind| {
            let p = corpus::generate(*kind, &mut rng);
            json!({"kind": kind.slug(), "expected": kind.expected_code(), "text": p.text})
        })
        .collect()
}

fn stat(v: &Value, what: &str) -> anyhow::Result<(Duration, Duration, Duration)> {
    let ms = |k: &str| {
        v[k].as_f64()
            .map(|x| Duration::from_secs_f64(x / 1e3))
            .with_context(|| format!("the page reported no {what} {k}"))
    };
    Ok((ms("medianMs")?, ms("p99Ms")?, ms("batchMeanMs")?))
}

#[allow(clippy::too_many_lines)]
pub(crate) fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    if ctx.install {
        crate::setup::wasm()?;
        crate::setup::browser()?;
    }
    crate::wasm::run(&crate::wasm::Args {
        check: true,
        ..Default::default()
    })
    .context("building the wasm package (`cargo xtask wasm --check`)")?;
    let dir = ctx.work.join("browser");
    std::fs::create_dir_all(&dir)?;
    let root = project_root();
    let read_json = |path: &std::path::Path| -> anyhow::Result<Value> {
        serde_json::from_str(
            &std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?,
        )
        .with_context(|| format!("{} is not JSON", path.display()))
    };
    let forms = form_cases();
    let calls = ctx.pick(1000, 200);
    let mut rng = Rng::new(SEED);
    let typical_policy = corpus::generate(Kind::ValidIrsa, &mut rng).text;
    let config = json!({
        "calls": calls,
        "form": forms[0].1,
        "policy": typical_policy,
        "formSchema": read_json(&root.join("schemas/registry-form.schema.json"))?,
        "policySchema": read_json(&root.join("web/bench/trust-policy.schema.json"))?,
        "policyCases": policy_cases(),
        "formCases": forms.iter().map(|(label, form, expected)| json!({"label": label, "form": form, "expected": expected})).collect::<Vec<_>>(),
    });
    let config_path = dir.join("config.json");
    std::fs::write(&config_path, serde_json::to_string(&config)?)?;
    let out = Command::new("node")
        .arg(root.join("web/test/bench.mjs"))
        .arg(&config_path)
        .current_dir(root.join("web"))
        .stdin(Stdio::null())
        .output()
        .context("could not start node")?;
    if !out.status.success() {
        bail!(
            "the browser benchmark failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let r: Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "the browser benchmark printed no JSON: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })?;

    let mut section = Section::default();
    section.versions.push((
        "Chromium".to_owned(),
        format!(
            "{} (Debian, headless, playwright-core)",
            r["chromium"].as_str().unwrap_or("?")
        ),
    ));
    section.versions.push((
        "ajv".to_owned(),
        format!(
            "{} (npm `ajv-dist`, draft 2020-12 bundle)",
            r["ajvVersion"].as_str().unwrap_or("?")
        ),
    ));
    #[allow(clippy::cast_precision_loss)]
    let kib = |b: u64| format!("{:.1} KiB ({} bytes)", b as f64 / 1024.0, b);
    // Both modules of the package, gzipped as `cargo xtask wasm` reports them.
    for module in crate::wasm::MODULES {
        let wasm = crate::wasm::pkg_dir().join(format!("{}_bg.wasm", module.out_name));
        let raw = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
        let gz = crate::wasm::gzip_size(&wasm).unwrap_or(0);
        let first = module.out_name == crate::wasm::MODULES[0].out_name;
        let row = Row::new(if first {
            "`.wasm` size, form + policy module, loads with the page (wasm-opt -Oz)"
        } else {
            "`.wasm` size, doctor module + rule docs, loads when the IRSA panel opens"
        })
        .pullpass(format!("{} raw, {} gzipped", kib(raw), kib(gz)));
        section.rows.push(if first {
            row.target(
                "≤ 150 KB gzipped",
                Verdict::from_bool(gz > 0 && gz <= module.gzip_target),
            )
        } else {
            row
        });
    }
    let mut body = String::new();
    let _ = writeln!(
        body,
        "`web/bench/index.html` served on loopback with cross-origin isolation, opened in \
         headless Chromium by `web/test/bench.mjs`. Each function is called {calls} times after \
         a warm-up, each call timed with `performance.now()` (resolution on this page: {} µs, \
         cross-origin isolated: {}); \"batch mean\" times the same calls back to back. The \
         wasm module loaded and initialised in {:.1} ms.\n",
        sig3(r["timerResolutionMs"].as_f64().unwrap_or(0.0) * 1e3),
        r["crossOriginIsolated"],
        r["wasmInitMs"].as_f64().unwrap_or(0.0)
    );
    let _ = writeln!(
        body,
        "The baseline is what a page can do without pullpass: ajv with a JSON Schema. For the \
         form that is the project's own `schemas/registry-form.schema.json`; the project has no \
         schema for IAM policies, so ajv gets `web/bench/trust-policy.schema.json`, a strict \
         schema of the IAM policy grammar written for this comparison (keys, shapes, known \
         condition operators, action names), after `JSON.parse` (the page has text, as \
         `lintPolicy` does).\n"
    );
    let resolution = Duration::from_secs_f64(r["timerResolutionMs"].as_f64().unwrap_or(0.0) / 1e3);
    // A single call faster than the timer's step reads as 0: say so instead of printing 0 µs.
    let show = |d: Duration| {
        if d < resolution {
            format!("< {}", human(resolution))
        } else {
            human(d)
        }
    };
    body.push_str("| Call | median | p99 | batch mean |\n|---|---|---|---|\n");
    for (key, label) in [
        ("form", "registry form"),
        ("policy", "typical IRSA trust policy"),
    ] {
        let (wm, wp, wb) = stat(&r[key]["wasm"], key)?;
        let (am, ap, ab) = stat(&r[key]["ajv"], key)?;
        let fn_name = if key == "form" {
            "validateRegistryForm"
        } else {
            "lintPolicy"
        };
        let _ = writeln!(
            body,
            "| pullpass `{fn_name}`, {label} | {} | {} | {} |",
            show(wm),
            show(wp),
            human(wb)
        );
        let _ = writeln!(
            body,
            "| ajv + JSON Schema, {label} | {} | {} | {} |",
            show(am),
            show(ap),
            human(ab)
        );
        section.rows.push(
            Row::new(format!("Chromium: {label}, {calls} calls"))
                .pullpass(format!("median {}, p99 {}", show(wm), show(wp)))
                .peer(format!(
                    "ajv + schema: median {}, p99 {}",
                    show(am),
                    show(ap)
                ))
                .ratio(format!(
                    "ajv {}× faster (batch means; checks far less)",
                    sig3(ratio(wb, ab))
                ))
                .target(
                    "median < 1 ms",
                    Verdict::from_bool(wm < Duration::from_millis(1)),
                ),
        );
    }
    body.push('\n');

    // What each catches.
    body.push_str("### What each catches in the page\n\nTrust policies (one of each corpus kind):\n\n| Kind | Expected | pullpass `lintPolicy` | ajv + schema |\n|---|---|---|---|\n");
    let (mut pp_hits, mut ajv_hits, mut invalid) = (0, 0, 0);
    let (mut pp_clean, mut ajv_clean, mut valid) = (0, 0, 0);
    for c in r["policyCases"].as_array().context("no policy cases")? {
        let expected = c["expected"].as_str();
        let codes: Vec<&str> = c["wasmCodes"]
            .as_array()
            .map_or_else(Vec::new, |a| a.iter().filter_map(Value::as_str).collect());
        let ajv_valid = c["ajvValid"].as_bool().unwrap_or(true);
        let pp = match expected {
            Some(code) => codes.contains(&code),
            None => c["wasmBlocking"].as_u64() == Some(0),
        };
        if expected.is_some() {
            invalid += 1;
            pp_hits += usize::from(pp);
            ajv_hits += usize::from(!ajv_valid);
        } else {
            valid += 1;
            pp_clean += usize::from(pp);
            ajv_clean += usize::from(ajv_valid);
        }
        let _ = writeln!(
            body,
            "| `{}` | {} | {} | {} |",
            c["kind"].as_str().unwrap_or("?"),
            expected.unwrap_or("no error/warning"),
            if pp {
                "yes".to_owned()
            } else {
                format!("no ({})", codes.join(", "))
            },
            match (expected, ajv_valid) {
                (Some(_), false) | (None, true) => "yes",
                _ => "no",
            }
        );
    }
    section.rows.push(
        Row::new(format!(
            "Chromium: trust-policy mistakes caught ({invalid} kinds)"
        ))
        .pullpass(format!(
            "{pp_hits}/{invalid}; valid ones clean: {pp_clean}/{valid}"
        ))
        .peer(format!(
            "ajv + schema: {ajv_hits}/{invalid}; valid ones accepted: {ajv_clean}/{valid}"
        )),
    );
    body.push_str("\nRegistry forms:\n\n| Form | Expected | pullpass `validateRegistryForm` | ajv + `registry-form.schema.json` |\n|---|---|---|---|\n");
    let (mut fp_hits, mut fa_hits, mut f_invalid) = (0, 0, 0);
    for c in r["formCases"].as_array().context("no form cases")? {
        let expected = c["expected"].as_str();
        let codes: Vec<&str> = c["wasmCodes"]
            .as_array()
            .map_or_else(Vec::new, |a| a.iter().filter_map(Value::as_str).collect());
        let failure = c["wasmFailure"].as_str();
        let ajv_valid = c["ajvValid"].as_bool().unwrap_or(true);
        let pp = match expected {
            Some("(type)") => failure.is_some() || !codes.is_empty(),
            Some(code) => codes.contains(&code),
            None => failure.is_none() && c["wasmErrors"].as_u64() == Some(0),
        };
        if expected.is_some() {
            f_invalid += 1;
            fp_hits += usize::from(pp);
            fa_hits += usize::from(!ajv_valid);
        }
        let shown = match failure {
            Some(f) => format!("refused: {}", one_line(f)),
            None if codes.is_empty() => "no findings".to_owned(),
            None => codes.join(", "),
        };
        let _ = writeln!(
            body,
            "| {} | {} | {} {} | {} |",
            c["label"].as_str().unwrap_or("?"),
            expected.unwrap_or("no error (warnings/infos allowed)"),
            if pp { "yes:" } else { "no:" },
            shown,
            if ajv_valid { "accepted" } else { "rejected" }
        );
    }
    section.rows.push(
        Row::new(format!(
            "Chromium: form mistakes caught ({f_invalid} cases)"
        ))
        .pullpass(format!("{fp_hits}/{f_invalid}"))
        .peer(format!("ajv + schema: {fa_hits}/{f_invalid}")),
    );
    if let Some(errors) = r["pageErrors"].as_array().filter(|e| !e.is_empty()) {
        let _ = writeln!(body, "\nPage errors: {}", one_line(&format!("{errors:?}")));
    }
    body.push('\n');
    section.body = body;
    Ok(section)
}
