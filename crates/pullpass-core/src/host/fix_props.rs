//! Host fixes under mutation (issue 15 #7, #13): every fix applies inside the text on char
//! boundaries and changes it; a safe fix leaves a host name when there was one, brings no
//! new error, and is not reported again at the same place with the same edit.

use crate::diagnostic::{Applicability, new_errors};
use crate::registry::RegistryKind;
use crate::registry_form::analyze_host as analyze;

const SNIPPETS: &[&str] = &[
    "https://",
    "HTTPS://",
    "http://",
    "oci://",
    "@",
    "bot:pw@",
    "/",
    "//",
    ":",
    ":443",
    ":0",
    ".",
    "..",
    " ",
    "\t",
    "\n",
    "?",
    "#",
    "_",
    "-",
    "A",
    "é",
    "日",
    "[::1]",
    "dkr",
    "ecr",
    "amazonaws.com",
];

fn seeds() -> Vec<String> {
    let text = include_str!("../../../../tests/fixtures/hosts.txt");
    let mut seeds: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    seeds.extend(
        [
            "https://https://ghcr.io",
            "https://https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "bot@PASS/WORD@ghcr.io",
            "a@",
            "user:pw@",
            "user:pw@/path",
            "ghcr.io ",
            " ghcr.io\n",
            "ghcr.io:",
        ]
        .map(str::to_owned),
    );
    seeds
}

/// Problems with the fixes of `raw`'s findings.
fn check(raw: &str, kind: RegistryKind) -> Vec<String> {
    let mut problems = Vec::new();
    let before = analyze(raw, None, kind);
    for d in before.diagnostics.iter().filter(|d| d.pointer() == "/host") {
        let Some(fix) = d.fix() else { continue };
        let Some(fixed) = fix.apply(raw) else {
            problems.push(format!(
                "{raw:?}: {} fix does not apply: {:?}",
                d.code(),
                fix.edits
            ));
            continue;
        };
        if fixed == raw {
            problems.push(format!("{raw:?}: {} fix changes nothing", d.code()));
            continue;
        }
        if fix.applicability != Applicability::Safe {
            continue;
        }
        let after = analyze(&fixed, None, kind);
        if !before.normalized.is_empty() && after.normalized.is_empty() {
            problems.push(format!(
                "{raw:?}: {} fix ({}) leaves no host name: {fixed:?}",
                d.code(),
                fix.message
            ));
        }
        // A fix may reveal what the broken value hid (RF021: the kind and the now readable
        // host disagree); it must never blank the host (RF010) or bring back its own code.
        let new: Vec<_> = new_errors(&before.diagnostics, &after.diagnostics)
            .into_iter()
            .filter(|c| *c == "RF010" || *c == d.code())
            .collect();
        if !new.is_empty() {
            problems.push(format!(
                "{raw:?}: {} fix ({}) brings new errors {new:?}: {fixed:?}",
                d.code(),
                fix.message
            ));
        }
        if after.diagnostics.iter().any(|a| {
            a.code() == d.code()
                && a.range() == d.range()
                && a.message() == d.message()
                && a.fix().is_some_and(|f| f.edits == fix.edits)
        }) {
            problems.push(format!(
                "{raw:?}: {} is reported again after its fix: {fixed:?}",
                d.code()
            ));
        }
    }
    problems
}

#[test]
fn host_fixes_hold_their_invariants_under_mutation() {
    let mut problems = Vec::new();
    let mut inputs = 0usize;
    for seed in seeds() {
        let mut variants = vec![seed.clone()];
        for snippet in SNIPPETS {
            for at in [0, seed.len() / 2, seed.len()] {
                let mut at = at;
                while !seed.is_char_boundary(at) {
                    at -= 1;
                }
                let mut v = seed.clone();
                v.insert_str(at, snippet);
                variants.push(v);
            }
        }
        for v in variants {
            for kind in [RegistryKind::Ecr, RegistryKind::Generic] {
                inputs += 1;
                problems.extend(check(&v, kind));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(inputs > 1000);
    assert!(
        problems.is_empty(),
        "{} problems, first:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn a_doubled_scheme_keeps_its_host() {
    // Issue 15 #13: RF014's safe fix on `https://https://HOST` deleted the real host.
    let raw = "https://https://ghcr.io";
    for d in analyze(raw, None, RegistryKind::Generic).diagnostics {
        if let Some(fix) = d.fix().filter(|f| f.applicability == Applicability::Safe) {
            let fixed = fix.apply(raw).unwrap();
            assert!(fixed.contains("ghcr.io"), "{}: {fixed}", d.code());
        }
    }
}
