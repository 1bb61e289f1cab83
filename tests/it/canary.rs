//! Canary secrets: a secret access key, a session token and a registry password that must
//! never be printed, and the ECR token that only the outputs made to carry tokens may print.
//! Many commands run against moto and a real registry; then every snapshot file is searched.

use std::process::Command;

use crate::credential_helper::{CANARY_SECRET, SECRET_ENV, Setup, token_password};
use crate::support::moto::ACCOUNT;
use crate::support::{Output, pullpass, root, run};

const CANARY_SESSION_TOKEN: &str = "pPCanarySessionToken0FwoGZXIvYXdzEJr0000000000zzzz";
const CANARY_PASSWORD: &str = "pPCanaryGenericPassword0000";
const TOKEN_ENV: &str = "PULLPASS_TEST_SESSION_TOKEN";
const TEMP_KEY_ID: &str = "ASIAIOSFODNN7PULLPAS";

fn config(host: &str, dir: &std::path::Path) -> String {
    let password_file = dir.join("ghcr-password");
    std::fs::write(&password_file, format!("{CANARY_PASSWORD}\n")).expect("password file");
    format!(
        "[[registry]]\nname = \"local\"\nhost = \"{host}\"\nauth = \"static\"\naccess_key_id = \"{TEMP_KEY_ID}\"\nsecret_access_key = {{ env = \"{SECRET_ENV}\" }}\nsession_token = {{ env = \"{TOKEN_ENV}\" }}\noverride = {{ account_id = \"{ACCOUNT}\", region = \"us-east-1\" }}\n\n[[registry]]\nname = \"ghcr\"\nhost = \"ghcr.example.invalid\"\nkind = \"generic\"\nusername = \"bot\"\npassword = {{ file = \"{}\" }}\n",
        password_file.display()
    )
}

fn never_shown(out: &Output, what: &str) {
    for canary in [CANARY_SECRET, CANARY_SESSION_TOKEN, CANARY_PASSWORD] {
        // A generic registry's password *is* its login: `get` exists to print it.
        let meant = what == "credential-helper get ghcr" && canary == CANARY_PASSWORD;
        assert!(
            (meant || !out.stdout.contains(canary)) && !out.stderr.contains(canary),
            "{what}: a secret leaked: {out:?}"
        );
    }
}

#[test]
fn no_secret_in_any_output_and_tokens_only_where_they_belong() {
    let setup = Setup::new(&token_password());
    let host = setup.registry.host();
    let config_path = setup.work.path().join("canary.toml");
    std::fs::write(&config_path, config(&host, setup.work.path())).expect("config");
    let env = |cmd: &mut Command| {
        setup.env(cmd);
        cmd.env("PULLPASS_CONFIG", &config_path)
            .env(TOKEN_ENV, CANARY_SESSION_TOKEN)
            .env("RUST_LOG", "trace")
            .env("RUST_BACKTRACE", "1");
    };
    let kubelet_request = serde_json::json!({
        "apiVersion": "credentialprovider.kubelet.k8s.io/v1",
        "kind": "CredentialProviderRequest",
        "image": setup.image(),
    })
    .to_string();
    let store = serde_json::json!({"ServerURL": host, "Username": "AWS", "Secret": CANARY_SECRET})
        .to_string();
    // (arguments, stdin, may this output carry the ECR token?)
    let cases: Vec<(Vec<String>, Option<String>, bool)> = vec![
        (vec!["registry".into(), "list".into()], None, false),
        (
            vec![
                "registry".into(),
                "list".into(),
                "--format".into(),
                "json".into(),
            ],
            None,
            false,
        ),
        (
            vec!["registry".into(), "show".into(), "local".into()],
            None,
            false,
        ),
        (
            vec![
                "registry".into(),
                "show".into(),
                "ghcr".into(),
                "--format".into(),
                "json".into(),
            ],
            None,
            false,
        ),
        (
            vec!["registry".into(), "test".into(), "local".into()],
            None,
            false,
        ),
        (
            vec![
                "registry".into(),
                "test".into(),
                "local".into(),
                "--format".into(),
                "json".into(),
            ],
            None,
            false,
        ),
        (
            vec!["registry".into(), "test".into(), "ghcr".into()],
            None,
            false,
        ),
        (
            vec!["credential-helper".into(), "get".into()],
            Some(host.clone()),
            true,
        ),
        (
            vec!["credential-helper".into(), "get".into()],
            Some("ghcr.example.invalid".into()),
            false,
        ),
        (vec!["credential-helper".into(), "list".into()], None, false),
        (
            vec!["credential-helper".into(), "store".into()],
            Some(store.clone()),
            false,
        ),
        (
            vec!["credential-helper".into(), "store".into()],
            Some(format!("{{{CANARY_SECRET}")),
            false,
        ),
        (
            vec!["credential-helper".into(), "erase".into()],
            Some(host.clone()),
            false,
        ),
        (
            vec!["kubelet-credential-provider".into()],
            Some(kubelet_request.clone()),
            true,
        ),
        (
            vec!["kubelet-credential-provider".into()],
            Some(format!("{{\"image\":\"{CANARY_SECRET}\"}}")),
            false,
        ),
        (
            vec![
                "login".into(),
                "local".into(),
                "--format".into(),
                "docker-config".into(),
            ],
            None,
            true,
        ),
        (vec!["repos".into(), "local".into()], None, false),
        (
            vec!["images".into(), "local".into(), "team/app".into()],
            None,
            false,
        ),
        (
            vec!["import".into(), "local".into(), "team/app:v1".into()],
            None,
            false,
        ),
        (
            vec![
                "registry".into(),
                "add".into(),
                "leaky".into(),
                "--host".into(),
                format!("https://AWS:{CANARY_SECRET}@{host}"),
            ],
            None,
            false,
        ),
        (
            vec![
                "registry".into(),
                "add".into(),
                "swapped".into(),
                "--host".into(),
                "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
                "--access-key-id".into(),
                CANARY_SECRET.into(),
                "--secret-access-key-env".into(),
                SECRET_ENV.into(),
            ],
            None,
            false,
        ),
    ];
    let mut token_seen = false;
    for (args, stdin, may_carry_token) in &cases {
        let mut cmd = pullpass();
        env(&mut cmd);
        cmd.args(args);
        let out = run(&mut cmd, stdin.as_deref());
        let mut what = args.join(" ");
        if stdin.as_deref() == Some("ghcr.example.invalid") {
            what.push_str(" ghcr");
            assert!(out.stdout.contains(CANARY_PASSWORD), "generic get: {out:?}");
        }
        // `registry add --access-key-id <canary>` echoes the key ID (not a secret) only in
        // the case built to check the secret-looking key ID is refused.
        if !what.contains("swapped") {
            never_shown(&out, &what);
        }
        assert!(
            !out.stderr.contains(&token_password()),
            "{what}: the token reached stderr: {out:?}"
        );
        if *may_carry_token {
            token_seen |= out.stdout.contains(&token_password());
        } else {
            assert!(
                !out.stdout.contains(&token_password()),
                "{what}: the token reached an output that is not for tokens: {out:?}"
            );
        }
    }
    assert!(token_seen, "the token outputs never carried the token");

    // A config with a secret written inline: refused, and the value never echoed.
    let inline = setup.work.path().join("inline.toml");
    std::fs::write(
        &inline,
        format!("[[registry]]\nname = \"x\"\nhost = \"{host}\"\naccess_key_id = \"{TEMP_KEY_ID}\"\nsecret_access_key = \"{CANARY_SECRET}\"\n"),
    )
    .expect("inline config");
    for args in [&["registry", "list"][..], &["credential-helper", "get"][..]] {
        let mut cmd = pullpass();
        env(&mut cmd);
        cmd.arg("--config").arg(&inline).args(args);
        let out = run(&mut cmd, Some(&host));
        assert_ne!(out.code, 0, "{out:?}");
        assert!(
            format!("{}{}", out.stdout, out.stderr).contains("inline"),
            "{out:?}"
        );
        never_shown(&out, "inline secret");
    }

    // A host with the secret as user info: every view masks it.
    let userinfo = setup.work.path().join("userinfo.toml");
    std::fs::write(
        &userinfo,
        format!("[[registry]]\nname = \"x\"\nhost = \"https://AWS:{CANARY_SECRET}@{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com\"\n"),
    )
    .expect("userinfo config");
    for args in [
        &["registry", "list"][..],
        &["registry", "list", "--format", "json"][..],
        &["registry", "show", "x"][..],
        &["registry", "show", "x", "--format", "json"][..],
        &["credential-helper", "list"][..],
    ] {
        let mut cmd = pullpass();
        env(&mut cmd);
        cmd.arg("--config").arg(&userinfo).args(args);
        let out = run(&mut cmd, None);
        never_shown(&out, &args.join(" "));
        if args[0] == "registry" {
            assert!(
                out.stdout.contains("amazonaws.com"),
                "the host is shown, masked: {out:?}"
            );
        } else {
            assert_eq!(
                out.stdout.trim(),
                "{}",
                "a host with user info is never listed"
            );
        }
    }

    // The token cache holds tokens (that is its job), never the keys that minted them.
    let cache = setup.work.path().join("cache");
    for entry in std::fs::read_dir(&cache).expect("cache dir").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for canary in [CANARY_SECRET, CANARY_SESSION_TOKEN] {
            assert!(
                !text.contains(canary),
                "{} holds a secret",
                entry.path().display()
            );
        }
    }
}

#[test]
fn no_canary_or_token_in_any_snapshot_file() {
    let dir = root().join("tests");
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "snap" || e == "new") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for canary in [
                    CANARY_SECRET,
                    CANARY_SESSION_TOKEN,
                    CANARY_PASSWORD,
                    &token_password(),
                ] {
                    assert!(
                        !text.contains(canary),
                        "{} holds a secret or token",
                        path.display()
                    );
                }
            }
        }
    }
}
