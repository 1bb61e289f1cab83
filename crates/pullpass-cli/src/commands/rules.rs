//! `pullpass rules [CODE]`: the rule catalog, or one rule's documentation.

use std::fmt::Write as _;

use pullpass_core::catalog;

use crate::exit::Exit;
use crate::render::Format;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A rule code (`TP021`); without it, list every rule.
    code: Option<String>,
    /// Output format: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn rule_json(r: &pullpass_core::RuleMeta) -> serde_json::Value {
    serde_json::json!({
        "code": r.code,
        "name": r.name,
        "family": r.family,
        "severity": r.severity.as_str(),
        "summary": r.summary,
        "docs": r.docs,
    })
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let mut out = String::new();
    if let Some(code) = &args.code {
        let Some(rule) = catalog::get(code.trim()) else {
            let codes: Vec<&str> = catalog::all().iter().map(|r| r.code).collect();
            let close: Vec<&str> = codes
                .iter()
                .copied()
                .filter(|c| {
                    c.get(..2)
                        .is_some_and(|p| code.to_ascii_uppercase().starts_with(p))
                })
                .take(5)
                .collect();
            eprintln!("error: no rule `{code}`; codes look like TP021, EP001, RF011");
            if !close.is_empty() {
                eprintln!("  rules of that family: {} …", close.join(", "));
            }
            eprintln!("  run `pullpass rules` for the list");
            return Ok(Exit::Usage);
        };
        match args.format {
            Format::Json => {
                out = serde_json::to_string_pretty(&rule_json(rule))?;
                out.push('\n');
            }
            Format::Text => {
                let _ = writeln!(
                    out,
                    "{} {} ({}, {})",
                    rule.code, rule.name, rule.severity, rule.family
                );
                let _ = writeln!(out, "{}\n", rule.summary);
                for line in rule.docs.lines() {
                    out.push_str(line.strip_prefix(' ').unwrap_or(line));
                    out.push('\n');
                }
            }
        }
    } else {
        let rules = catalog::all();
        match args.format {
            Format::Json => {
                out = serde_json::to_string_pretty(
                    &rules.iter().map(|r| rule_json(r)).collect::<Vec<_>>(),
                )?;
                out.push('\n');
            }
            Format::Text => {
                for r in &rules {
                    let _ = writeln!(
                        out,
                        "{}  {:<7}  {:<18}  {}",
                        r.code,
                        r.severity.as_str(),
                        r.family,
                        r.summary
                    );
                }
                let _ = writeln!(
                    out,
                    "\n{} rules; `pullpass rules <CODE>` shows one rule's documentation",
                    rules.len()
                );
            }
        }
    }
    print!("{out}");
    Ok(Exit::Ok)
}
