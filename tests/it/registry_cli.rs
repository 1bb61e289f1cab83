//! `pullpass registry add|list|show|remove` on a config file in a temporary directory: what
//! people see (snapshots), what the file holds (schema-valid, owner-only, comments kept).

use std::path::Path;
use std::process::Command;

use crate::support::{Output, pullpass, run};

fn cmd(dir: &Path) -> Command {
    let mut cmd = pullpass();
    cmd.env("PULLPASS_CONFIG", dir.join("config.toml"))
        .env_remove("XDG_CONFIG_HOME");
    cmd
}

fn pp(dir: &Path, args: &[&str]) -> Output {
    run(cmd(dir).args(args), None)
}

/// Output with the temporary directory replaced, for snapshots.
fn shown(dir: &Path, out: &Output) -> String {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.code, out.stdout, out.stderr
    );
    text.replace(dir.to_str().expect("utf-8 temp dir"), "[TMP]")
}

fn config_schema() -> jsonschema::Validator {
    let text = pullpass_core::schema::all()
        .into_iter()
        .find(|(name, _)| *name == "config.schema.json")
        .expect("config schema")
        .1;
    jsonschema::draft202012::new(&serde_json::from_str(&text).expect("JSON")).expect("schema")
}

#[test]
fn add_list_show_remove() {
    let _snapshots = crate::support::snapshot_lock();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    std::fs::write(dir.join("config.toml"), "# team registries, keep sorted\n").expect("seed");
    let adds: [&[&str]; 4] = [
        &[
            "registry",
            "add",
            "prod",
            "--host",
            "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
            "--access-key-id",
            "AKIAIOSFODNN7PULLPAS",
            "--secret-access-key-env",
            "PULLPASS_PROD_SECRET",
            "--role-arn",
            "arn:aws:iam::210987654321:role/pull",
            "--external-id",
            "coder-prod",
        ],
        &[
            "registry",
            "add",
            "irsa",
            "--host",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        ],
        &[
            "registry",
            "add",
            "proxy",
            "--host",
            "ecr.example.internal",
            "--auth",
            "profile",
            "--profile",
            "dev",
            "--override-account",
            "123456789012",
            "--override-region",
            "us-west-2",
        ],
        &[
            "registry",
            "add",
            "ghcr",
            "--host",
            "ghcr.io",
            "--kind",
            "generic",
            "--username",
            "bot",
            "--password-file",
            "ghcr-token",
        ],
    ];
    for args in adds {
        let out = pp(dir, args);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        assert!(out.stderr.contains("added registry"), "{out:?}");
    }
    let text = std::fs::read_to_string(dir.join("config.toml")).expect("config");
    assert!(
        text.starts_with("# team registries, keep sorted\n"),
        "{text}"
    );
    insta::assert_snapshot!("registry_config_after_add", text);
    let json: serde_json::Value = toml::from_str(&text).expect("TOML");
    let errors: Vec<String> = config_schema()
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("config.toml"))
            .expect("meta")
            .permissions()
            .mode();
        // The file existed (the test wrote it, 0644): its mode is kept, as editors keep it
        // (ARCHITECTURE.md, "Files"); a config pullpass creates is 0600.
        assert_eq!(mode & 0o777, 0o644);
    }

    insta::assert_snapshot!("registry_list", shown(dir, &pp(dir, &["registry", "list"])));
    let json = pp(dir, &["registry", "list", "--format", "json"]);
    assert_eq!(json.code, 0);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("list JSON");
    let names: Vec<&str> = value["registries"]
        .as_array()
        .expect("registries")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["prod", "irsa", "proxy", "ghcr"]);
    assert_eq!(
        value["registries"][0]["secret_access_key"]["env"],
        "PULLPASS_PROD_SECRET"
    );
    assert_eq!(value["registries"][1]["findings"][0]["code"], "RF040");

    insta::assert_snapshot!(
        "registry_show_prod",
        shown(dir, &pp(dir, &["registry", "show", "PROD"]))
    );

    let dup = pp(
        dir,
        &[
            "registry",
            "add",
            "Prod",
            "--host",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        ],
    );
    assert_eq!(dup.code, 1, "{dup:?}");
    assert!(dup.stderr.contains("RF002"), "{dup:?}");

    let removed = pp(dir, &["registry", "remove", "proxy"]);
    assert_eq!(removed.code, 0, "{removed:?}");
    let after = pp(dir, &["registry", "list", "--format", "json"]);
    assert!(!after.stdout.contains("\"proxy\""), "{after:?}");
    let missing = pp(dir, &["registry", "remove", "proxy"]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("no registry named \"proxy\""),
        "{missing:?}"
    );
}

#[test]
fn add_refuses_rule_errors_and_flags_that_do_not_fit() {
    let _snapshots = crate::support::snapshot_lock();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let bad_host = pp(
        dir,
        &[
            "registry",
            "add",
            "x",
            "--host",
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.co/team",
        ],
    );
    insta::assert_snapshot!("registry_add_bad_host", shown(dir, &bad_host));
    let flags = pp(
        dir,
        &[
            "registry",
            "add",
            "x",
            "--host",
            "h.example",
            "--username",
            "u",
            "--access-key-id",
            "AKIAIOSFODNN7PULLPAS",
        ],
    );
    insta::assert_snapshot!("registry_add_bad_flags", shown(dir, &flags));
    // The secret is readable now: its value is checked too (and never shown).
    let swapped = run(
        cmd(dir)
            .env("PULLPASS_TEST_SWAPPED", "AKIAIOSFODNN7PULLPAS")
            .args([
                "registry",
                "add",
                "x",
                "--host",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            ])
            .args([
                "--access-key-id",
                "AKIAIOSFODNN7PULLPAT",
                "--secret-access-key-env",
                "PULLPASS_TEST_SWAPPED",
            ]),
        None,
    );
    assert_eq!(swapped.code, 1, "{swapped:?}");
    assert!(swapped.stderr.contains("RF036"), "{swapped:?}");
    assert!(!dir.join("config.toml").exists(), "nothing written");
}

#[test]
fn config_errors_name_registry_field_and_position() {
    let _snapshots = crate::support::snapshot_lock();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    std::fs::write(
        dir.join("config.toml"),
        "[[registry]]\nname = \"prod\"\nhost = \"123456789012.dkr.ecr.us-east-1.amazonaws.com\"\naccess_key_id = \"AKIAIOSFODNN7PULLPAS\"\nsecret_access_key = \"pPInlineSecret000000000000000000000000zz\"\n\n[[registry]]\nname = \"dev\"\nhost = \"h.example\"\nregion = \"us-east-1\"\n",
    )
    .expect("config");
    let out = pp(dir, &["registry", "list"]);
    assert_eq!(out.code, 2);
    assert!(!out.stderr.contains("pPInlineSecret"), "{out:?}");
    insta::assert_snapshot!("registry_config_errors", shown(dir, &out));
}

#[test]
fn findings_point_into_the_config_file() {
    let _snapshots = crate::support::snapshot_lock();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    std::fs::write(
        dir.join("config.toml"),
        "[[registry]]\nname = \"shop\"\nhost = \"ecr.us-east-1.amazonaws.com\"\n",
    )
    .expect("config");
    let out = pp(dir, &["registry", "show", "shop"]);
    assert_eq!(out.code, 1, "errors found: {out:?}");
    insta::assert_snapshot!("registry_show_findings", shown(dir, &out));
    // A registry with errors is refused where it would be used.
    let test = pp(dir, &["registry", "test", "shop"]);
    assert_eq!(test.code, 2, "{test:?}");
    assert!(test.stderr.contains("error to fix first"), "{test:?}");
}

#[test]
fn config_path_comes_from_flag_env_then_xdg() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let host = ["--host", "123456789012.dkr.ecr.us-east-1.amazonaws.com"];
    // XDG_CONFIG_HOME.
    let mut c = pullpass();
    c.env("XDG_CONFIG_HOME", dir.join("xdg"))
        .args(["registry", "add", "a"])
        .args(host);
    assert_eq!(run(&mut c, None).code, 0);
    assert!(dir.join("xdg/pullpass/config.toml").exists());
    // HOME when XDG_CONFIG_HOME is unset.
    let mut c = pullpass();
    c.env_remove("XDG_CONFIG_HOME")
        .env("HOME", dir.join("home"))
        .args(["registry", "add", "b"])
        .args(host);
    assert_eq!(run(&mut c, None).code, 0);
    assert!(dir.join("home/.config/pullpass/config.toml").exists());
    // PULLPASS_CONFIG beats XDG; --config beats both.
    let mut c = pullpass();
    c.env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env("PULLPASS_CONFIG", dir.join("env.toml"))
        .args(["registry", "add", "c"])
        .args(host);
    assert_eq!(run(&mut c, None).code, 0);
    assert!(dir.join("env.toml").exists());
    let mut c = pullpass();
    c.env("PULLPASS_CONFIG", dir.join("env.toml"))
        .arg("--config")
        .arg(dir.join("flag.toml"))
        .args(["registry", "add", "d"])
        .args(host);
    assert_eq!(run(&mut c, None).code, 0);
    let flag = std::fs::read_to_string(dir.join("flag.toml")).expect("flag config");
    assert!(
        flag.contains("name = \"d\"") && !flag.contains("name = \"c\""),
        "{flag}"
    );
    // A missing file lists nothing.
    let out = run(cmd(&dir.join("nowhere")).args(["registry", "list"]), None);
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("no registries"), "{out:?}");
}

#[test]
fn secret_references_that_do_not_resolve_say_what_to_do() {
    let _snapshots = crate::support::snapshot_lock();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    std::fs::write(
        dir.join("config.toml"),
        "[[registry]]\nname = \"prod\"\nhost = \"123456789012.dkr.ecr.us-east-1.amazonaws.com\"\naccess_key_id = \"AKIAIOSFODNN7PULLPAS\"\nsecret_access_key = { file = \"missing-secret\" }\n\n[[registry]]\nname = \"ghcr\"\nhost = \"ghcr.io\"\nkind = \"generic\"\nusername = \"bot\"\npassword = { env = \"PULLPASS_TEST_UNSET_VARIABLE\" }\n",
    )
    .expect("config");
    let out = run(
        cmd(dir)
            .env_remove("PULLPASS_TEST_UNSET_VARIABLE")
            .args(["credential-helper", "get"]),
        Some("ghcr.io"),
    );
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("helper_unset_variable", shown(dir, &out));
    let out = run(cmd(dir).args(["registry", "test", "prod"]), None);
    assert_eq!(out.code, 2);
    insta::assert_snapshot!("registry_test_missing_file", shown(dir, &out));
}

#[test]
fn add_keeps_other_registries_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let original = "# hand-written\n[[registry]]   # the odd one\nname = 'odd'\nhost = \"https://user:pw@123456789012.dkr.ecr.us-east-1.amazonaws.com\"\n";
    std::fs::write(dir.join("config.toml"), original).expect("config");
    let out = pp(
        dir,
        &[
            "registry",
            "add",
            "new",
            "--host",
            "123456789012.dkr.ecr.us-west-2.amazonaws.com",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let text = std::fs::read_to_string(dir.join("config.toml")).expect("config");
    assert!(text.starts_with(original), "{text}");
    assert!(text.contains("name = \"new\""), "{text}");
}

#[test]
fn concurrent_adds_lose_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let children: Vec<_> = (0..8)
        .map(|i| {
            cmd(dir)
                .args(["registry", "add", &format!("r{i}"), "--host"])
                .arg(format!("12345678901{i}.dkr.ecr.us-east-1.amazonaws.com"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("spawn pullpass")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("wait").success());
    }
    let text = std::fs::read_to_string(dir.join("config.toml")).expect("config");
    let config = pullpass_core::config::parse(&text).expect("still valid TOML");
    assert_eq!(config.registries.len(), 8, "{text}");
}
