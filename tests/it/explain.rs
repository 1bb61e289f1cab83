//! `pullpass explain` on real error messages (`tests/realworld/errors/`): each file holds one
//! message rewritten from a public thread, with the thread (`source:`), the cause the thread
//! reached (`resolved:`) and the cause id pullpass must put first (`expect:`); `also:` lists
//! further causes that may be attached because they are related, not merely tolerated.

use std::path::Path;

use crate::support::{pullpass, root, run};

struct Case {
    name: String,
    expect: String,
    also: Vec<String>,
    message: String,
}

fn load(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let (head, message) = text
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{}: no `---` line", path.display()));
    let field = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name).map(str::trim))
            .map(str::to_owned)
    };
    for required in ["source:", "resolved:", "expect:"] {
        assert!(
            field(required).is_some_and(|v| !v.is_empty()),
            "{}: no `{required}`",
            path.display()
        );
    }
    Case {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        expect: field("expect:").unwrap(),
        also: field("also:")
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
            .unwrap_or_default(),
        message: message.to_owned(),
    }
}

fn corpus() -> Vec<Case> {
    let dir = root().join("tests/realworld/errors");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

/// Every message's first cause is the one its thread reached, and nothing unrelated is attached.
#[test]
fn real_errors_get_their_cause_first() {
    let cases = corpus();
    assert!(
        cases.len() >= 40,
        "only {} real error messages",
        cases.len()
    );
    let known: Vec<&str> = pullpass_core::explain::known_causes()
        .iter()
        .map(|(id, _, _)| *id)
        .collect();
    let mut wrong = Vec::new();
    for case in &cases {
        assert!(
            known.contains(&case.expect.as_str()),
            "{}: unknown cause `{}`",
            case.name,
            case.expect
        );
        let found: Vec<&str> = pullpass_core::explain::explain(&case.message)
            .iter()
            .map(|e| e.id)
            .collect();
        let first_ok = found.first() == Some(&case.expect.as_str());
        let extra: Vec<&&str> = found
            .iter()
            .skip(1)
            .filter(|id| !case.also.iter().any(|a| a == *id))
            .collect();
        if !first_ok || !extra.is_empty() {
            wrong.push(format!(
                "{}: expected `{}` first, got {:?}",
                case.name, case.expect, found
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

/// The whole `pullpass explain` output for each message, as a person reads it.
#[test]
fn real_errors_snapshots() {
    let _snapshots = crate::support::glob_lock();
    insta::glob!("../realworld/errors", "*.txt", |path| {
        let case = load(path);
        let out = run(pullpass().arg("explain"), Some(&case.message));
        assert_eq!(out.code, 0, "{}", case.name);
        insta::assert_snapshot!(out.stdout);
    });
}
