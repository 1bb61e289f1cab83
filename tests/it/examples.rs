//! `examples/`, what a newcomer tries first, behaves as the README says: the sound examples
//! are silent, the broken ones fail with the rules they show, a directory search skips JSON
//! that is not a policy (counted; `--verbose` says why), a file named explicitly is always
//! linted, the example config loads, the sound doctor example passes.

use crate::support::{pullpass, root, run};

fn pullpass_in_root(args: &[&str]) -> crate::support::Output {
    run(pullpass().current_dir(root()).args(args), None)
}

#[test]
fn sound_examples_are_silent_and_broken_ones_fail() {
    let sound = pullpass_in_root(&[
        "lint",
        "examples/policies/trust/irsa.json",
        "examples/policies/trust/pod-identity.json",
        "examples/policies/permissions/ecr-pull.json",
    ]);
    assert_eq!(sound.code, 0, "{}{}", sound.stdout, sound.stderr);
    assert!(sound.stdout.contains("no findings"), "{}", sound.stdout);

    for (file, codes) in [
        (
            "examples/policies/trust/irsa-broken.json",
            &["TP022", "TP025", "TP028"][..],
        ),
        (
            "examples/policies/trust/pod-identity-broken.json",
            &["TP050"],
        ),
        (
            "examples/policies/permissions/ecr-pull-broken.json",
            &["EP001"],
        ),
    ] {
        let out = pullpass_in_root(&["lint", file]);
        assert_eq!(out.code, 1, "{file}: {}{}", out.stdout, out.stderr);
        for code in codes {
            assert!(
                out.stdout.contains(&format!("[{code}]")),
                "{file}: no {code}:\n{}",
                out.stdout
            );
        }
    }
}

#[test]
fn a_directory_search_skips_json_that_is_not_a_policy() {
    let out = pullpass_in_root(&["lint", "examples/"]);
    assert_eq!(out.code, 1, "the broken examples fail: {}", out.stderr);
    assert!(
        out.stderr.is_empty(),
        "no error for skipped files: {}",
        out.stderr
    );
    // 6 forms + 2 cluster + 2 provider descriptions; the doctor's trust and permissions
    // policies are policies and are linted.
    assert!(
        out.stdout
            .contains("; skipped 10 file(s) that hold no policy (--verbose lists them);"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("examples/forms/"),
        "forms linted as policies:\n{}",
        out.stdout
    );

    let verbose = pullpass_in_root(&["lint", "--verbose", "examples/forms"]);
    assert_eq!(verbose.code, 0, "{}{}", verbose.stdout, verbose.stderr);
    assert!(
        verbose.stdout.contains(
            "examples/forms/01-ecr-irsa.json: skipped (a JSON object without `Version` or `Statement`)"
        ),
        "{}",
        verbose.stdout
    );

    // Named explicitly, a form is linted, and fails as the policy it is not.
    let named = pullpass_in_root(&["lint", "examples/forms/01-ecr-irsa.json"]);
    assert_eq!(named.code, 1, "{}{}", named.stdout, named.stderr);
    assert!(!named.stdout.contains("skipped"), "{}", named.stdout);
}

#[test]
fn the_example_config_loads_without_findings() {
    let out = pullpass_in_root(&[
        "--config",
        "examples/config/pullpass.toml",
        "registry",
        "list",
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for name in ["prod", "shared", "proxy", "ghcr"] {
        assert!(out.stdout.contains(name), "{}", out.stdout);
    }
    assert!(
        !out.stdout.contains("(!"),
        "a registry with errors:\n{}",
        out.stdout
    );
}

#[test]
fn the_doctor_examples_pass_and_fail_as_named() {
    let doctor = |dir: &str| {
        let file = |name: &str| format!("examples/doctor/{dir}/{name}");
        pullpass_in_root(&[
            "doctor",
            "irsa",
            "--service-account",
            &file("sa.yaml"),
            "--helm-values",
            &file("values.yaml"),
            "--trust-policy",
            &file("trust.json"),
            "--cluster",
            &file("cluster.json"),
            "--oidc-provider",
            &file("provider.json"),
            "--pod-env",
            &file("env.txt"),
            "--registry",
            "210987654321.dkr.ecr.us-west-2.amazonaws.com",
        ])
    };
    let sound = doctor("irsa-sound");
    assert_eq!(sound.code, 0, "{}{}", sound.stdout, sound.stderr);
    let broken = doctor("irsa-aud-typo");
    assert_eq!(broken.code, 1, "{}{}", broken.stdout, broken.stderr);
    assert!(
        broken.stdout.contains("broken: trust.audience (TP025)"),
        "{}",
        broken.stdout
    );
}
