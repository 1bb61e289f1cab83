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
    let mut out = String::new();
    match args.format {
        Format::Json => {
            let value: Vec<serde_json::Value> = found
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "title": e.title,
                        "causes": e.causes,
                        "rules": e.rules,
                        "nextSteps": e.next_steps,
                    })
                })
                .collect();
            out = serde_json::to_string_pretty(&value)?;
            out.push('\n');
        }
        Format::Text => {
            if found.is_empty() {
                out.push_str("not an AWS error pullpass knows; `pullpass explain` knows AssumeRoleWithWebIdentity denials, InvalidIdentityToken, no basic auth credentials / 403, UnrecognizedClientException and a few more\n");
            }
            for (i, e) in found.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                let _ = writeln!(out, "{}", e.title);
                out.push_str("  likely causes:\n");
                for c in &e.causes {
                    let _ = writeln!(out, "    - {c}");
                }
                out.push_str("  rules that catch it:\n");
                for code in &e.rules {
                    let summary = catalog::get(code).map_or("", |r| r.summary);
                    let _ = writeln!(out, "    {code}  {summary}");
                }
                out.push_str("  next steps:\n");
                for s in &e.next_steps {
                    let _ = writeln!(out, "    $ {s}");
                }
            }
        }
    }
    print!("{out}");
    Ok(if found.is_empty() {
        Exit::Findings
    } else {
        Exit::Ok
    })
}
