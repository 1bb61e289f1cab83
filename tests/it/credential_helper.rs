//! End to end with real parts: moto (the AWS API), Debian's docker-registry with htpasswd user
//! `AWS`, and skopeo reading a docker `config.json` whose `credHelpers` point at
//! `docker-credential-pullpass` (a symlink to the built binary). The loopback registry reaches
//! ECR through the vanity-host override. Also the kubelet credential provider's JSON, and the
//! protocol's store/erase/list behaviour.

use std::path::PathBuf;
use std::process::Command;

use crate::support::moto::{ACCOUNT, Moto};
use crate::support::registry::{self, DockerRegistry};
use crate::support::{Output, pullpass, run};

/// The registry password moto's GetAuthorizationToken hands out (environment.md).
pub(crate) fn token_password() -> String {
    format!("{ACCOUNT}-auth-token")
}

/// A secret access key that must never appear in any output.
pub(crate) const CANARY_SECRET: &str = "pPCanary0SecretKey0Zq9Xw8Vu7Ts6Rr5Qp4On3M";
pub(crate) const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7PULLPAS";
pub(crate) const SECRET_ENV: &str = "PULLPASS_TEST_SECRET_ACCESS_KEY";

pub(crate) struct Setup {
    pub(crate) moto: Moto,
    pub(crate) registry: DockerRegistry,
    pub(crate) work: tempfile::TempDir,
    digest: String,
}

impl Setup {
    /// moto, a registry whose `AWS` password is `registry_password`, an image `team/app:v1`
    /// pushed to it, a pullpass config and a docker config.json.
    pub(crate) fn new(registry_password: &str) -> Self {
        let moto = Moto::start();
        let registry = DockerRegistry::start(registry_password);
        let work = tempfile::tempdir().expect("work dir");
        let layout = work.path().join("image");
        let digest = registry::oci_image(&layout, "v1");
        registry::push(
            work.path(),
            &layout,
            &registry.host(),
            "team/app",
            "v1",
            registry_password,
        );
        let setup = Self {
            moto,
            registry,
            work,
            digest,
        };
        std::fs::write(setup.config(), setup.config_text()).expect("write pullpass config");
        std::fs::write(
            setup.docker_config(),
            serde_json::json!({"credHelpers": {setup.registry.host(): "pullpass"}}).to_string(),
        )
        .expect("write docker config");
        setup
    }

    fn config(&self) -> PathBuf {
        self.work.path().join("pullpass.toml")
    }

    fn config_text(&self) -> String {
        format!(
            "[[registry]]\nname = \"local\"\nhost = \"{host}\"\nkind = \"ecr\"\nauth = \"static\"\naccess_key_id = \"{ACCESS_KEY_ID}\"\nsecret_access_key = {{ env = \"{SECRET_ENV}\" }}\noverride = {{ account_id = \"{ACCOUNT}\", region = \"us-east-1\" }}\n",
            host = self.registry.host()
        )
    }

    pub(crate) fn docker_config(&self) -> PathBuf {
        self.work.path().join("config.json")
    }

    pub(crate) fn image(&self) -> String {
        format!("{}/team/app:v1", self.registry.host())
    }

    /// What the helper needs, on any command that (directly or through skopeo) runs it.
    pub(crate) fn env(&self, cmd: &mut Command) {
        self.moto.aws_env(cmd, "us-east-1");
        cmd.env("PULLPASS_CONFIG", self.config())
            .env("PULLPASS_CACHE_DIR", self.work.path().join("cache"))
            .env(SECRET_ENV, CANARY_SECRET)
            .env(
                "PATH",
                registry::path_with(&registry::helper_bin_dir(self.work.path())),
            );
    }

    fn skopeo(&self, args: &[&str]) -> Output {
        let mut cmd = registry::skopeo(self.work.path());
        self.env(&mut cmd);
        cmd.arg("--insecure-policy").args(args);
        run(&mut cmd, None)
    }

    pub(crate) fn helper(&self, action: &str, stdin: &str) -> Output {
        let mut cmd = Command::new(
            registry::helper_bin_dir(self.work.path()).join("docker-credential-pullpass"),
        );
        self.env(&mut cmd);
        cmd.arg(action);
        run(&mut cmd, Some(stdin))
    }

    fn pullpass(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = pullpass();
        self.env(&mut cmd);
        cmd.args(args);
        run(&mut cmd, stdin)
    }
}

fn assert_no_canary(out: &Output) {
    assert!(
        !out.stdout.contains(CANARY_SECRET) && !out.stderr.contains(CANARY_SECRET),
        "the secret access key leaked: {out:?}"
    );
}

#[test]
fn skopeo_pulls_through_the_credential_helper() {
    let setup = Setup::new(&token_password());
    let authfile = setup.docker_config();
    let authfile = authfile.to_str().expect("utf-8 path");
    let image = format!("docker://{}", setup.image());

    let inspect = setup.skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--authfile",
        authfile,
        &image,
    ]);
    assert_eq!(inspect.code, 0, "skopeo inspect failed: {inspect:?}");
    let info: serde_json::Value = serde_json::from_str(&inspect.stdout).expect("inspect JSON");
    assert_eq!(info["Digest"], setup.digest.as_str());

    let out_dir = setup.work.path().join("pulled");
    let copy = setup.skopeo(&[
        "copy",
        "--src-tls-verify=false",
        "--authfile",
        authfile,
        &image,
        &format!("oci:{}:v1", out_dir.display()),
    ]);
    assert_eq!(copy.code, 0, "skopeo copy failed: {copy:?}");
    assert!(out_dir.join("index.json").exists());

    let tags = setup.skopeo(&[
        "list-tags",
        "--tls-verify=false",
        "--authfile",
        authfile,
        &format!("docker://{}/team/app", setup.registry.host()),
    ]);
    assert_eq!(tags.code, 0, "skopeo list-tags failed: {tags:?}");
    assert!(tags.stdout.contains("\"v1\""), "{}", tags.stdout);

    // Three pulls, every helper call after the first served from the token cache.
    assert_eq!(
        setup.moto.token_calls(),
        1,
        "one GetAuthorizationToken for every pull"
    );
    for out in [&inspect, &copy, &tags] {
        assert_no_canary(out);
        assert!(
            !out.stderr.contains(&token_password()),
            "token in skopeo's stderr: {out:?}"
        );
    }
}

#[test]
fn a_registry_that_does_not_take_the_token_is_unauthorized() {
    let setup = Setup::new("not-the-ecr-token");
    let out = setup.skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--authfile",
        setup.docker_config().to_str().expect("utf-8"),
        &format!("docker://{}", setup.image()),
    ]);
    assert_ne!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.to_lowercase().contains("unauthorized"),
        "expected unauthorized: {out:?}"
    );
    assert_no_canary(&out);
}

#[test]
fn kubelet_provider_answers_with_a_token_that_logs_in() {
    let setup = Setup::new(&token_password());
    let request = serde_json::json!({
        "apiVersion": "credentialprovider.kubelet.k8s.io/v1",
        "kind": "CredentialProviderRequest",
        "image": setup.image(),
    })
    .to_string();
    let out = setup.pullpass(&["kubelet-credential-provider"], Some(&request));
    assert_eq!(out.code, 0, "{out:?}");
    assert_no_canary(&out);
    let response: serde_json::Value = serde_json::from_str(&out.stdout).expect("response JSON");
    assert_eq!(
        response["apiVersion"],
        "credentialprovider.kubelet.k8s.io/v1"
    );
    assert_eq!(response["kind"], "CredentialProviderResponse");
    assert_eq!(response["cacheKeyType"], "Registry");
    // moto's token lives 12 h: the kubelet may keep it for half of that, never longer.
    let duration = response["cacheDuration"].as_str().expect("cacheDuration");
    assert!(
        duration == "6h0m0s" || duration.starts_with("5h59m"),
        "cacheDuration {duration}"
    );
    let auth = response["auth"].as_object().expect("auth map");
    assert_eq!(auth.len(), 1, "{auth:?}");
    let entry = &auth[&setup.registry.host()];
    assert_eq!(entry["username"], "AWS");
    let password = entry["password"].as_str().expect("password");
    assert_eq!(password, token_password());

    // The password really logs in.
    let inspect = setup.skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--creds",
        &format!("AWS:{password}"),
        &format!("docker://{}", setup.image()),
    ]);
    assert_eq!(inspect.code, 0, "{inspect:?}");

    // An image pullpass knows nothing about: an empty auth map, so the kubelet moves on.
    let other = serde_json::json!({
        "apiVersion": "credentialprovider.kubelet.k8s.io/v1",
        "kind": "CredentialProviderRequest",
        "image": "ghcr.io/team/app:v1",
    })
    .to_string();
    let out = setup.pullpass(&["kubelet-credential-provider"], Some(&other));
    assert_eq!(out.code, 0, "{out:?}");
    let response: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(response["auth"], serde_json::json!({}));
}

#[test]
fn helper_get_list_store_erase_follow_the_protocol() {
    let setup = Setup::new(&token_password());
    let host = setup.registry.host();

    for input in [
        host.clone(),
        format!("https://{host}"),
        format!("https://{host}/v2/\n"),
    ] {
        let get = setup.helper("get", &input);
        assert_eq!(get.code, 0, "{input}: {get:?}");
        let value: serde_json::Value = serde_json::from_str(&get.stdout).expect("get JSON");
        assert_eq!(value["ServerURL"], input.trim());
        assert_eq!(value["Username"], "AWS");
        assert_eq!(value["Secret"], token_password().as_str());
        assert_no_canary(&get);
    }

    let unknown = setup.helper("get", "ghcr.io");
    assert_eq!(unknown.code, 1, "{unknown:?}");
    assert_eq!(
        unknown.stdout.trim(),
        "credentials not found in native keychain"
    );

    let list = setup.helper("list", "");
    assert_eq!(list.code, 0, "{list:?}");
    let value: serde_json::Value = serde_json::from_str(&list.stdout).expect("list JSON");
    assert_eq!(value, serde_json::json!({ host.clone(): "AWS" }));

    let store = setup.helper(
        "store",
        &serde_json::json!({"ServerURL": host, "Username": "AWS", "Secret": CANARY_SECRET})
            .to_string(),
    );
    assert_eq!((store.code, store.stdout.as_str()), (0, ""), "{store:?}");
    assert_no_canary(&store);
    let bad_store = setup.helper("store", &format!("not json {CANARY_SECRET}"));
    assert_eq!(bad_store.code, 1, "{bad_store:?}");
    assert_no_canary(&bad_store);

    let erase = setup.helper("erase", &host);
    assert_eq!((erase.code, erase.stdout.as_str()), (0, ""), "{erase:?}");
    // Erase is a no-op: the helper still answers.
    assert_eq!(setup.helper("get", &host).code, 0);

    let unknown_action = setup.helper("frobnicate", "");
    assert_eq!(unknown_action.code, 1);
    assert!(
        unknown_action
            .stdout
            .contains("unknown credential helper action")
    );

    // The same through `pullpass credential-helper`.
    let get = setup.pullpass(&["credential-helper", "get"], Some(&host));
    assert_eq!(get.code, 0, "{get:?}");
    assert!(get.stdout.contains("\"Username\":\"AWS\""));
}

#[test]
fn missing_secret_variable_is_a_clear_error_on_stdout() {
    let setup = Setup::new(&token_password());
    let mut cmd = Command::new(
        registry::helper_bin_dir(setup.work.path()).join("docker-credential-pullpass"),
    );
    setup.env(&mut cmd);
    cmd.env_remove(SECRET_ENV).arg("get");
    let out = run(&mut cmd, Some(&setup.registry.host()));
    assert_eq!(out.code, 1, "{out:?}");
    for expected in ["registry \"local\"", SECRET_ENV, "not set", "export"] {
        assert!(out.stdout.contains(expected), "{expected}: {}", out.stdout);
    }
    assert_eq!(setup.moto.token_calls(), 0);
}

#[test]
fn documented_kubelet_config_is_what_the_plugin_prints() {
    let out = run(
        pullpass().args(["kubelet-credential-provider", "--print-config"]),
        None,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let path = crate::support::root().join("docs/credential-provider-config.yaml");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == out.stdout,
        "docs/credential-provider-config.yaml is stale; run `pullpass kubelet-credential-provider --print-config > docs/credential-provider-config.yaml`\n{}",
        out.stdout
    );
    for line in [
        "apiVersion: kubelet.config.k8s.io/v1",
        "kind: CredentialProviderConfig",
        "  - name: pullpass",
        "    apiVersion: credentialprovider.kubelet.k8s.io/v1",
        "      - \"*.dkr.ecr.*.amazonaws.com.cn\"",
    ] {
        assert!(out.stdout.lines().any(|l| l == line), "missing {line:?}");
    }
}

#[test]
fn irsa_ambient_credentials_pull_and_unconfigured_ecr_hosts_fall_back() {
    let setup = Setup::new(&token_password());
    // The same loopback registry, configured for ambient credentials: IRSA's web identity.
    let config = setup.work.path().join("ambient.toml");
    std::fs::write(
        &config,
        format!(
            "[[registry]]\nname = \"irsa\"\nhost = \"{}\"\noverride = {{ account_id = \"{ACCOUNT}\", region = \"us-east-1\" }}\n",
            setup.registry.host()
        ),
    )
    .expect("config");
    let token_file = setup.work.path().join("web-identity-token");
    std::fs::write(&token_file, "eyJhbGciOiJSUzI1NiJ9.irsa.test").expect("token file");
    let irsa = |cmd: &mut Command| {
        setup.env(cmd);
        cmd.env("PULLPASS_CONFIG", &config)
            .env("PULLPASS_CACHE_DIR", setup.work.path().join("cache-irsa"))
            .env(
                "AWS_ROLE_ARN",
                format!("arn:aws:iam::{ACCOUNT}:role/pullpass-irsa"),
            )
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file)
            .env("AWS_ROLE_SESSION_NAME", "pullpass-test");
    };
    let mut cmd = registry::skopeo(setup.work.path());
    irsa(&mut cmd);
    cmd.args([
        "--insecure-policy",
        "inspect",
        "--tls-verify=false",
        "--authfile",
        setup.docker_config().to_str().expect("utf-8"),
    ])
    .arg(format!("docker://{}", setup.image()));
    let out = run(&mut cmd, None);
    assert_eq!(out.code, 0, "skopeo through IRSA credentials: {out:?}");

    // The credentials did come from the web identity (IRSA), not from anything else.
    let mut cmd = pullpass();
    irsa(&mut cmd);
    cmd.args(["registry", "test", "irsa", "--format", "json"]);
    let out = run(&mut cmd, None);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("report JSON");
    let source = report["connection"]["credentialSource"]
        .as_str()
        .unwrap_or_default();
    assert!(
        source.contains("web-identity"),
        "credential source {source}: {out:?}"
    );

    // An unconfigured private ECR host: served with ambient credentials...
    let ecr_host = format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com");
    let mut cmd = Command::new(
        registry::helper_bin_dir(setup.work.path()).join("docker-credential-pullpass"),
    );
    irsa(&mut cmd);
    cmd.arg("get");
    let out = run(&mut cmd, Some(&format!("https://{ecr_host}")));
    assert_eq!(out.code, 0, "{out:?}");
    let value: serde_json::Value = serde_json::from_str(&out.stdout).expect("get JSON");
    assert_eq!(value["Secret"], token_password().as_str());
    // ...unless the fallback is off.
    let mut cmd = Command::new(
        registry::helper_bin_dir(setup.work.path()).join("docker-credential-pullpass"),
    );
    irsa(&mut cmd);
    cmd.env("PULLPASS_AMBIENT_FALLBACK", "0").arg("get");
    let out = run(&mut cmd, Some(&ecr_host));
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stdout.trim(),
        "credentials not found in native keychain"
    );
    // With no config location at all (a kubelet's bare environment), ambient still works.
    let mut cmd = Command::new(
        registry::helper_bin_dir(setup.work.path()).join("docker-credential-pullpass"),
    );
    irsa(&mut cmd);
    cmd.env_remove("PULLPASS_CONFIG")
        .env_remove("HOME")
        .env_remove("XDG_CONFIG_HOME")
        .arg("get");
    let out = run(&mut cmd, Some(&ecr_host));
    assert_eq!(out.code, 0, "{out:?}");
    // Public ECR is never guessed.
    let mut cmd = Command::new(
        registry::helper_bin_dir(setup.work.path()).join("docker-credential-pullpass"),
    );
    irsa(&mut cmd);
    cmd.arg("get");
    let out = run(&mut cmd, Some("public.ecr.aws"));
    assert_eq!(
        out.stdout.trim(),
        "credentials not found in native keychain"
    );
}

/// docker's and the kubelet's exact invocations skip clap (`Cli::protocol_invocation`); the
/// same request through clap (a `--log-level warn` that changes nothing, or `--` before the
/// verb) answers byte for byte alike, every verb, successes and errors, without the token cache
/// (each `get` a cold one, the SDK's warnings included) and with it. Anything else is clap's:
/// its help, and its error for an unknown flag.
#[test]
fn protocol_fast_path_answers_as_clap_does() {
    let moto = Moto::start();
    let work = tempfile::tempdir().expect("work dir");
    let ecr_host = format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com");
    let config = work.path().join("pullpass.toml");
    std::fs::write(
        &config,
        format!("[[registry]]\nname = \"ecr\"\nhost = \"{ecr_host}\"\nkind = \"ecr\"\nauth = \"ambient\"\n"),
    )
    .expect("write config");
    let bin = registry::helper_bin_dir(work.path());
    let no_cache = std::cell::Cell::new(true);
    let env = |cmd: &mut Command| {
        moto.aws_env(cmd, "us-east-1");
        if no_cache.get() {
            cmd.env("PULLPASS_NO_CACHE", "1");
        }
        // Ambient credentials: keys in the environment, the chain's first provider.
        cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("PULLPASS_CONFIG", &config)
            .env("PULLPASS_CACHE_DIR", work.path().join("cache"));
    };
    let helper = |args: &[&str], stdin: &str| {
        let mut cmd = Command::new(bin.join("docker-credential-pullpass"));
        env(&mut cmd);
        cmd.args(args);
        run(&mut cmd, Some(stdin))
    };
    let cli = |args: &[&str], stdin: &str| {
        let mut cmd = pullpass();
        env(&mut cmd);
        cmd.args(args);
        run(&mut cmd, Some(stdin))
    };
    let same = |what: &str, fast: &Output, clap: &Output| {
        assert_eq!(
            (fast.code, &fast.stdout, &fast.stderr),
            (clap.code, &clap.stdout, &clap.stderr),
            "{what}: the fast path and clap disagree"
        );
    };
    let store =
        serde_json::json!({"ServerURL": ecr_host, "Username": "AWS", "Secret": "x"}).to_string();
    let cases = [
        ("get", ecr_host.as_str()),
        ("get", "registry.example.com"),
        ("get", "not a host\u{7f}"),
        ("store", store.as_str()),
        ("store", "not json"),
        ("erase", ecr_host.as_str()),
        ("list", ""),
        ("version", ""),
    ];
    // Cold first (no cache: every `get` asks moto), then warm (one `get` fills the cache).
    for warm in [false, true] {
        no_cache.set(!warm);
        if warm {
            helper(&["get"], &ecr_host);
        }
        for (verb, stdin) in cases {
            let fast = helper(&[verb], stdin);
            let what = format!("{verb} {stdin:?} (warm: {warm})");
            same(&what, &fast, &helper(&["--log-level", "warn", verb], stdin));
            same(&what, &fast, &helper(&["--", verb], stdin));
            same(&what, &fast, &cli(&["credential-helper", verb], stdin));
            same(
                &what,
                &fast,
                &cli(&["--log-level", "warn", "credential-helper", verb], stdin),
            );
        }
    }
    let calls = moto.token_calls();
    let get = helper(&["get"], &ecr_host);
    assert!(get.stdout.contains(&token_password()), "{get:?}");

    let request = |image: &str| {
        serde_json::json!({
            "apiVersion": "credentialprovider.kubelet.k8s.io/v1",
            "kind": "CredentialProviderRequest",
            "image": image,
        })
        .to_string()
    };
    for stdin in [
        request(&format!("{ecr_host}/team/app:v1")),
        request("docker.io/library/alpine:3"),
        "{}".to_owned(),
    ] {
        let fast = cli(&["kubelet-credential-provider"], &stdin);
        let clap = cli(
            &["--log-level", "warn", "kubelet-credential-provider"],
            &stdin,
        );
        same(&format!("kubelet {stdin}"), &fast, &clap);
    }

    // Not a protocol invocation: clap's help and errors, under either name.
    let help = helper(&["--help"], "");
    assert_eq!(help.code, 0, "{help:?}");
    assert!(
        help.stdout
            .contains("Usage: docker-credential-pullpass credential-helper"),
        "{help:?}"
    );
    let unnamed = |text: &str| text.replace("docker-credential-pullpass", "pullpass");
    assert_eq!(
        unnamed(&help.stdout),
        unnamed(&cli(&["credential-helper", "--help"], "").stdout)
    );
    for args in [&["get", "--bogus"][..], &["--bogus", "get"]] {
        let out = helper(args, &ecr_host);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr.contains("unexpected argument '--bogus'"),
            "{out:?}"
        );
        assert_eq!(out.stdout, "", "{out:?}");
    }
    let extra = cli(&["kubelet-credential-provider", "extra"], "");
    assert_eq!(extra.code, 2, "{extra:?}");
    assert!(
        extra.stderr.contains("unexpected argument 'extra'"),
        "{extra:?}"
    );
    assert_eq!(
        moto.token_calls(),
        calls,
        "warm: every later get from the cache"
    );
}
