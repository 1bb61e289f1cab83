//! Every finding the fixtures show users, in every format, follows the one message style
//! (`pullpass_core::catalog::style`): clippy's way of holding its lint messages to rustc's
//! convention, a walk over every reviewed output. The snapshots are what the CLI prints for
//! every fixture (insta fails on a stale one), so this sees the texts the CLI and
//! `pullpass-sources` add (`(in aws_iam_role.ci)`, the cross-file note) as well as the core's.

use pullpass_core::catalog::style::{Kind, problem};
use serde_json::Value;

use crate::support::root;

/// The texts of one snapshot: (kind, code or format, text).
fn texts(body: &str) -> Vec<(Kind, String, String)> {
    let mut out = Vec::new();
    if let Ok(json) = serde_json::from_str::<Value>(body) {
        walk(&json, &mut out);
        return out;
    }
    for line in body.lines() {
        let trimmed = line.trim_start();
        if let Some((head, message)) = trimmed.split_once("]: ")
            && let Some((level, code)) = head.split_once('[')
            && matches!(level, "error" | "warning" | "info")
            && is_code(code)
        {
            out.push((Kind::Message, code.to_owned(), message.to_owned()));
        } else if let Some(help) = trimmed
            .strip_prefix("= help: ")
            .or_else(|| trimmed.strip_prefix("help: "))
        {
            out.push((Kind::Message, "help".to_owned(), help.to_owned()));
        } else if let Some(fix) = trimmed
            .strip_prefix("= note: fix: ")
            .or_else(|| trimmed.strip_prefix("note: fix: "))
        {
            out.push((Kind::Title, "fix".to_owned(), fix.to_owned()));
        } else if let Some(rest) = trimmed.strip_prefix("::")
            && let Some((head, text)) = rest.split_once("::")
            && let Some(code) = head.split("title=").nth(1)
            && is_code(code)
        {
            // GitHub annotations: `%0A` is the escaped line break before `help: `.
            let mut parts = text.split("%0Ahelp: ");
            out.push((
                Kind::Message,
                code.to_owned(),
                parts.next().unwrap_or_default().to_owned(),
            ));
            out.extend(parts.map(|h| (Kind::Message, "help".to_owned(), h.to_owned())));
        }
    }
    out
}

fn is_code(s: &str) -> bool {
    s.len() == 5
        && s[..2].bytes().all(|b| b.is_ascii_uppercase())
        && s[2..].bytes().all(|b| b.is_ascii_digit())
}

/// Findings (`code` + `message`, `help`, `fixes[].message`), SARIF results and rules.
fn walk(v: &Value, out: &mut Vec<(Kind, String, String)>) {
    match v {
        Value::Object(o) => {
            let code = o
                .get("code")
                .or_else(|| o.get("ruleId"))
                .and_then(Value::as_str);
            if let Some(code) = code.filter(|c| is_code(c)) {
                match o.get("message") {
                    Some(Value::String(m)) => out.push((Kind::Message, code.to_owned(), m.clone())),
                    // SARIF: `{"text": "message\nhelp: help"}`.
                    Some(Value::Object(m)) => {
                        if let Some(text) = m.get("text").and_then(Value::as_str) {
                            let mut parts = text.split("\nhelp: ");
                            out.push((
                                Kind::Message,
                                code.to_owned(),
                                parts.next().unwrap_or_default().to_owned(),
                            ));
                            out.extend(
                                parts.map(|h| (Kind::Message, "help".to_owned(), h.to_owned())),
                            );
                        }
                    }
                    _ => {}
                }
                if let Some(help) = o.get("help").and_then(Value::as_str) {
                    out.push((Kind::Message, code.to_owned(), help.to_owned()));
                }
                for fix in o
                    .get("fixes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    // Ours carry `message`; SARIF's `description.text`.
                    let title = fix
                        .get("message")
                        .or_else(|| fix.pointer("/description/text"))
                        .and_then(Value::as_str);
                    if let Some(title) = title {
                        out.push((Kind::Title, code.to_owned(), title.to_owned()));
                    }
                }
            }
            // SARIF's rule list: `{"id": "TP022", "shortDescription": {"text": …}}`.
            if let (Some(id), Some(text)) = (
                o.get("id").and_then(Value::as_str),
                o.get("shortDescription")
                    .and_then(|s| s.get("text"))
                    .and_then(Value::as_str),
            ) && is_code(id)
            {
                out.push((Kind::Title, id.to_owned(), text.to_owned()));
            }
            o.values().for_each(|v| walk(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
        _ => {}
    }
}

#[test]
fn every_snapshotted_finding_follows_the_message_style() {
    let dir = root().join("tests/it/snapshots");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("snapshots")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
        .collect();
    files.sort();
    let mut seen = 0;
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        // insta's header is `---\n…\n---\n`.
        let body = text.splitn(3, "---\n").nth(2).unwrap_or_default();
        for (kind, code, t) in texts(body) {
            seen += 1;
            if let Some(p) = problem(kind, &t) {
                let name = path.file_name().unwrap().to_string_lossy();
                problems.push(format!("{name}: {code} {p}: {t:?}"));
            }
        }
    }
    assert!(
        seen > 1000,
        "only {seen} texts in {} snapshots: the parser lost them",
        files.len()
    );
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} texts out of style:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_snapshot_reader_finds_every_format() {
    let text = "error[RF010]: The registry host is required.\n  = help: Enter it.\n  = note: fix: trim it\n";
    let found = texts(text);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found.iter().all(|(kind, _, t)| problem(*kind, t).is_some()),
        "{found:?}"
    );
    let json = r#"{"findings": [{"code": "TP022", "message": "bad.", "help": "Bad", "fixes": [{"message": "use it"}]}]}"#;
    assert_eq!(texts(json).len(), 3);
    let sarif = r#"{"runs": [{"tool": {"driver": {"rules": [{"id": "TP022", "shortDescription": {"text": "x"}}]}},
        "results": [{"ruleId": "TP022", "message": {"text": "a\nhelp: b"}}]}]}"#;
    assert_eq!(texts(sarif).len(), 3);
    let github = "::error file=a.json,line=1,title=TP022::bad key%0Ahelp: fix it\n";
    assert_eq!(texts(github).len(), 2);
}
