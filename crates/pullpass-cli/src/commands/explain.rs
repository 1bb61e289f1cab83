//! `pullpass explain "<error text>"` (or the text on stdin): likely causes of an AWS error,
//! the rules that catch them, and next steps.

use std::fmt::Write as _;

use pullpass_core::{catalog, explain};

use crate::exit::Exit;
use crate::render::Format;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The error message; `-` or nothing reads it from stdin.
    text: Option<String>,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let text = match args.text.as_deref() {
        Some(t) if t != "-" => t.to_owned(),
        _ => crate::input::read_stdin_text(crate::input::MAX_INPUT_BYTES, "the error text")?,
    };
    if text.trim().is_empty() {
        anyhow::bail!("no error text: pass it as an argument or on stdin");
    }
    let found = explain::explain(&text);
    let out = match args.format {
        Format::Json => {
            let value: Vec<serde_json::Value> = found
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "id": e.id,
                        "title": e.title,
                        "causes": e.causes,
                        "rules": e.rules,
                        "nextSteps": e.next_steps.iter().map(explain::Step::text).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&value)?;
            out.push('\n');
            out
        }
        Format::Text => render_text(&found),
    };
    print!("{out}");
    Ok(if found.is_empty() {
        Exit::Findings
    } else {
        Exit::Ok
    })
}

/// The text view: each cause with its id, what usually causes it, the rules that catch it (when
/// any do) and the next steps in the order to take them (commands after `$`).
fn render_text(found: &[explain::Explanation]) -> String {
    let mut out = String::new();
    if found.is_empty() {
        out.push_str(
            "not an error pullpass knows: `pullpass explain` knows STS and IRSA/Pod Identity denials, \
             InvalidIdentityToken, registry 401/403 and expired tokens, ECR permission errors, \
             credential-helper and kubelet credential-provider failures, and network failures \
             reaching STS, ECR or S3\n",
        );
    }
    for (i, e) in found.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{} [{}]", e.title, e.id);
        out.push_str("  likely causes:\n");
        for c in e.causes {
            let _ = writeln!(out, "    - {c}");
        }
        if !e.rules.is_empty() {
            out.push_str("  rules that catch it:\n");
            for code in e.rules {
                let summary = catalog::get(code).map_or("", |r| r.summary);
                let _ = writeln!(out, "    {code}  {summary}");
            }
        }
        out.push_str("  next steps:\n");
        for (n, step) in e.next_steps.iter().enumerate() {
            match step {
                explain::Step::Run(command) => {
                    let _ = writeln!(out, "    {}. $ {command}", n + 1);
                }
                explain::Step::Check(what) => {
                    let _ = writeln!(out, "    {}. {what}", n + 1);
                }
            }
        }
    }
    out
}
