//! The ECR backend and its CLI commands against a real AWS API peer (moto, started here):
//! static keys, the full IRSA path, an assumed role, a profile, listing with pagination,
//! import, every `login` format, `registry test` with a real `/v2/` probe, refusals under IAM
//! enforcement, the token cache across processes, and a canary that no secret leaks.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine as _;

use crate::support::moto::{ACCOUNT, Moto, MotoOptions};
use crate::support::{Output, pullpass, run};

/// The password moto's tokens carry.
const PASSWORD: &str = "123456789012-auth-token";
/// Keys that pass the RF rules (shape) and that moto accepts while IAM enforcement is off.
const KEY_ID: &str = "AKIAIOSFODNN7PULLPAS";
const SECRET: &str = "canarySecretKeyDoNotLeak0123456789abcdEF";

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn unb64(s: &str) -> String {
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .expect("base64"),
    )
    .expect("utf-8")
}

/// A scratch home for one test: config file, cache dir, and the env to run `pullpass` in.
struct Case<'m> {
    moto: &'m Moto,
    dir: tempfile::TempDir,
    region: String,
}

impl<'m> Case<'m> {
    fn new(moto: &'m Moto, region: &str, config: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.toml"), config).expect("write config");
        Self {
            moto,
            dir,
            region: region.to_owned(),
        }
    }

    fn cache_dir(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    fn cmd(&self) -> Command {
        let mut cmd = pullpass();
        self.moto.aws_env(&mut cmd, &self.region);
        cmd.env("PULLPASS_CACHE_DIR", self.cache_dir())
            .env("PULLPASS_TEST_SECRET", SECRET)
            .arg("--config")
            .arg(self.dir.path().join("config.toml"));
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = run(self.cmd().args(args), None);
        assert_no_secret(&out);
        out
    }
}

/// The canary: neither the secret key nor a session token ever appears; the registry
/// password only on stdout of the commands that exist to print it.
fn assert_no_secret(out: &Output) {
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(SECRET), "secret leaked:\n{text}");
        assert!(
            !text.contains("canarySessionToken"),
            "session token leaked:\n{text}"
        );
    }
    assert!(
        !out.stderr.contains(PASSWORD),
        "registry password on stderr:\n{}",
        out.stderr
    );
}

fn static_config(name: &str, region: &str) -> String {
    format!(
        r#"version = 1

[[registry]]
name = "{name}"
host = "{ACCOUNT}.dkr.ecr.{region}.amazonaws.com"
auth = "static"
access_key_id = "{KEY_ID}"
secret_access_key = {{ env = "PULLPASS_TEST_SECRET" }}
"#
    )
}

fn env_value<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("export {name}=")))
        .unwrap_or_else(|| panic!("{name} missing in:\n{stdout}"))
        .trim_matches('\'')
}

/// Seconds from now until an RFC 3339 instant (`YYYY-MM-DDTHH:MM:SSZ`), by way of `date`.
fn seconds_until(rfc3339: &str) -> i64 {
    let out = Command::new("date")
        .args(["-u", "-d", rfc3339, "+%s"])
        .output()
        .expect("date");
    let then: i64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("epoch");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    then - i64::try_from(now).unwrap()
}

#[test]
fn static_keys_login_env_carries_a_twelve_hour_token() {
    let case = Case::new(
        moto(),
        "eu-central-1",
        &static_config("prod", "eu-central-1"),
    );
    let out = case.run(&["login", "prod", "--format", "env"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        env_value(&out.stdout, "PULLPASS_REGISTRY"),
        "123456789012.dkr.ecr.eu-central-1.amazonaws.com"
    );
    assert_eq!(env_value(&out.stdout, "PULLPASS_USERNAME"), "AWS");
    assert_eq!(env_value(&out.stdout, "PULLPASS_PASSWORD"), PASSWORD);
    let left = seconds_until(env_value(&out.stdout, "PULLPASS_EXPIRES_AT"));
    assert!((11 * 3600..=12 * 3600 + 60).contains(&left), "{left}");
}

#[test]
fn every_login_format() {
    let case = Case::new(moto(), "eu-west-1", &static_config("team", "eu-west-1"));
    let host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    let out = case.run(&["login", "team", "--format", "docker-config"]);
    assert_eq!(out.code, 0, "{out:?}");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("docker config JSON");
    let auth = doc["auths"][host]["auth"].as_str().expect("auth");
    assert_eq!(unb64(auth), format!("AWS:{PASSWORD}"));

    let out = case.run(&["login", "team", "--format", "docker-login"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, format!("{PASSWORD}\n"));
    assert!(
        out.stderr.contains(&format!(
            "docker login --username AWS --password-stdin {host}"
        )),
        "{}",
        out.stderr
    );

    let out = case.run(&[
        "login",
        "team",
        "--format",
        "k8s-secret",
        "--namespace",
        "coder",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let yaml = &out.stdout;
    for line in [
        "apiVersion: v1",
        "kind: Secret",
        "  name: \"team-pull-secret\"",
        "  namespace: \"coder\"",
        "type: kubernetes.io/dockerconfigjson",
        "    pullpass.dev/expires-at: ",
        "#   pullpass login team --format k8s-secret | kubectl apply -f -",
    ] {
        assert!(yaml.contains(line), "missing {line:?} in:\n{yaml}");
    }
    let data = yaml
        .lines()
        .find_map(|l| l.strip_prefix("  .dockerconfigjson: "))
        .expect("data");
    let config: serde_json::Value = serde_json::from_str(&unb64(data)).expect("dockerconfigjson");
    let entry = &config["auths"][host];
    assert_eq!(entry["username"], "AWS");
    assert_eq!(entry["password"], PASSWORD);
    assert_eq!(
        unb64(entry["auth"].as_str().unwrap()),
        format!("AWS:{PASSWORD}")
    );
    assert!(
        out.stderr.contains("goes stale at") && out.stderr.contains("kubelet-credential-provider"),
        "{}",
        out.stderr
    );

    let out = case.run(&["login", "team", "--format", "env"]);
    assert_eq!(env_value(&out.stdout, "PULLPASS_PASSWORD"), PASSWORD);
}

#[test]
fn irsa_web_identity_path_end_to_end() {
    let config = format!(
        r#"version = 1

[[registry]]
name = "irsa"
host = "{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
auth = "ambient"
"#
    );
    let case = Case::new(moto(), "us-east-1", &config);
    let token_file = case.dir.path().join("token");
    std::fs::write(
        &token_file,
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2ln",
    )
    .unwrap();
    let with_irsa = |cmd: &mut Command| {
        cmd.env(
            "AWS_ROLE_ARN",
            "arn:aws:iam::123456789012:role/coder-ecr-pull",
        )
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file)
        .env("AWS_ROLE_SESSION_NAME", "coder");
    };
    let mut cmd = case.cmd();
    with_irsa(&mut cmd);
    let out = run(
        cmd.args(["registry", "test", "irsa", "--format", "json"]),
        None,
    );
    assert_no_secret(&out);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    let report = &doc["connection"];
    assert_eq!(report["authMode"], "ambient");
    assert_eq!(report["credentialSource"], "web-identity");
    let caller = report["callerArn"].as_str().unwrap();
    assert!(caller.contains(":assumed-role/coder-ecr-pull/"), "{caller}");
    let token = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "token")
        .unwrap();
    assert_eq!(token["status"], "ok", "{report}");

    let mut cmd = case.cmd();
    with_irsa(&mut cmd);
    let out = run(cmd.args(["login", "irsa", "--format", "env"]), None);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(env_value(&out.stdout, "PULLPASS_PASSWORD"), PASSWORD);

    // Without IRSA (or anything else) the chain finds nothing and says where it looked.
    let out = case.run(&["login", "irsa", "--no-cache", "--format", "env"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("could not load AWS credentials")
            && out.stderr.contains("AWS_WEB_IDENTITY_TOKEN_FILE"),
        "{}",
        out.stderr
    );
}

#[test]
fn assumed_role_with_external_id_and_profile() {
    let config = format!(
        r#"version = 1

[[registry]]
name = "cross"
host = "{ACCOUNT}.dkr.ecr.ap-southeast-2.amazonaws.com"
auth = "static"
access_key_id = "{KEY_ID}"
secret_access_key = {{ env = "PULLPASS_TEST_SECRET" }}
role_arn = "arn:aws:iam::123456789012:role/pull"
external_id = "coder-prod"

[[registry]]
name = "dev"
host = "{ACCOUNT}.dkr.ecr.ap-southeast-2.amazonaws.com"
auth = "profile"
profile = "dev"
"#
    );
    let case = Case::new(moto(), "ap-southeast-2", &config);
    let out = case.run(&["registry", "test", "cross", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    let report = &doc["connection"];
    assert_eq!(report["credentialSource"], "static + assumed-role");
    assert_eq!(report["assumedRole"], "arn:aws:iam::123456789012:role/pull");
    assert!(
        report["callerArn"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/pull/pullpass"),
        "{report}"
    );

    let credentials = case.dir.path().join("aws-credentials");
    std::fs::write(
        &credentials,
        format!("[dev]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    let mut cmd = case.cmd();
    cmd.env("AWS_SHARED_CREDENTIALS_FILE", &credentials);
    let out = run(
        cmd.args(["registry", "test", "dev", "--format", "json"]),
        None,
    );
    assert_no_secret(&out);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    assert_eq!(doc["connection"]["credentialSource"], "profile");
    assert_eq!(doc["connection"]["authMode"], "profile");

    // A profile that does not exist: a credentials error that names the profile.
    let out = case.run(&["login", "dev", "--no-cache"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("profile `dev`"), "{}", out.stderr);
}

#[test]
fn repositories_and_images_paginate() {
    let region = "sa-east-1";
    let moto = moto();
    let seeded = moto.boto(
        region,
        "for i in range(5):\n\
         \x20   ecr.create_repository(repositoryName=f'page/repo{i}')\n\
         digests = [put_image('page/repo0', f'v{i}', layer=f'layer{i}') for i in range(3)]\n\
         ecr.put_image(repositoryName='page/repo0', imageTag='latest', imageManifest=\
         ecr.batch_get_image(repositoryName='page/repo0', imageIds=[{'imageTag': 'v2'}])\
         ['images'][0]['imageManifest'])\n\
         print(json.dumps(digests))\n",
    );
    let digests: Vec<String> = serde_json::from_str(seeded.trim()).unwrap();
    let case = Case::new(moto, region, &static_config("sa", region));

    let out = case.run(&["repos", "sa", "--page-size", "2"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    let token = out
        .stderr
        .split("--next-token ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("a next token")
        .to_owned();
    let out = case.run(&["repos", "sa", "--page-size", "2", "--next-token", &token]);
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    assert!(out.stdout.starts_with("page/repo2"), "{}", out.stdout);

    let out = case.run(&[
        "repos",
        "sa",
        "--page-size",
        "2",
        "--all",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    let names: Vec<&str> = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "page/repo0",
            "page/repo1",
            "page/repo2",
            "page/repo3",
            "page/repo4"
        ]
    );
    assert!(doc.get("nextToken").is_none());

    let out = case.run(&[
        "images",
        "sa",
        "page/repo0",
        "--page-size",
        "2",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    assert_eq!(doc["images"].as_array().unwrap().len(), 2);
    assert!(doc["nextToken"].is_string(), "{doc}");

    let out = case.run(&[
        "images",
        "sa",
        "page/repo0",
        "--page-size",
        "2",
        "--all",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    let images = doc["images"].as_array().unwrap();
    let got: Vec<&str> = images
        .iter()
        .map(|i| i["digest"].as_str().unwrap())
        .collect();
    assert_eq!(got, digests.iter().map(String::as_str).collect::<Vec<_>>());
    let v2 = images
        .iter()
        .find(|i| i["digest"] == digests[2].as_str())
        .unwrap();
    assert_eq!(v2["tags"], serde_json::json!(["v2", "latest"]));
    assert_eq!(
        v2["reference"],
        format!(
            "123456789012.dkr.ecr.sa-east-1.amazonaws.com/page/repo0@{}",
            digests[2]
        )
    );

    let out = case.run(&["images", "sa", "page/missing"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("repository `page/missing`"),
        "{}",
        out.stderr
    );
}

#[test]
fn import_checks_the_reference_and_prints_the_digest() {
    let region = "eu-north-1";
    let moto = moto();
    let digest = moto
        .boto(
            region,
            "ecr.create_repository(repositoryName='team/app')\nprint(put_image('team/app', 'v1'))\n",
        )
        .trim()
        .to_owned();
    let case = Case::new(moto, region, &static_config("north", region));

    let out = case.run(&["import", "north", "team/app:v1"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.trim(), digest);
    assert!(
        out.stderr.contains(&format!("team/app@{digest}")),
        "{}",
        out.stderr
    );

    // A full reference with the host, and a digest instead of a tag.
    let full = format!("{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/team/app@{digest}");
    let out = case.run(&["import", "north", &full, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    assert_eq!(doc["images"][0]["digest"], digest.as_str());
    assert_eq!(doc["images"][0]["tags"], serde_json::json!(["v1"]));

    let out = case.run(&["import", "north", "team/app:v9"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("image `team/app:v9`") && out.stderr.contains("not found"),
        "{}",
        out.stderr
    );

    // RF060 / RF061 before any network call: moto sees no request for these.
    let out = case.run(&["import", "north", "Team/App:v1"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("RF060"), "{}", out.stderr);
    let out = case.run(&["import", "north", "team/app:bad tag", "--format", "json"]);
    assert_eq!(out.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["findings"][0]["code"], "RF061");
    let out = case.run(&["import", "north", "team/app"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("names no tag or digest"),
        "{}",
        out.stderr
    );
}

/// A registry `/v2/` endpoint on loopback that accepts exactly `AWS:<moto password>`.
fn fake_registry() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let expected = format!("basic {}", b64(&format!("AWS:{PASSWORD}")));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut authorized = false;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                if line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("authorization")
                {
                    authorized = value.trim().eq_ignore_ascii_case(&expected);
                }
                line.clear();
            }
            let response = if authorized {
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            } else {
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ecr\"\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            };
            let _ = stream.write_all(response.as_bytes());
            let mut rest = Vec::new();
            let _ = stream.set_nonblocking(true);
            let _ = stream.read_to_end(&mut rest);
        }
    });
    port
}

#[test]
fn registry_test_reports_identity_token_and_a_real_probe() {
    let port = fake_registry();
    let config = format!(
        r#"version = 1

[[registry]]
name = "vanity"
host = "127.0.0.1:{port}"
auth = "static"
access_key_id = "{KEY_ID}"
secret_access_key = {{ env = "PULLPASS_TEST_SECRET" }}
override = {{ account_id = "{ACCOUNT}", region = "ca-central-1" }}
"#
    );
    let case = Case::new(moto(), "ca-central-1", &config);
    let out = case.run(&["registry", "test", "vanity", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains(PASSWORD), "{}", out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let r = &doc["connection"];
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["kind"], "privateEcr");
    assert_eq!(r["credentialSource"], "static");
    assert_eq!(r["callerArn"], "arn:aws:sts::123456789012:user/moto");
    assert_eq!(r["account"], ACCOUNT);
    assert_eq!(r["partition"], "aws");
    assert_eq!(r["region"], "ca-central-1");
    assert_eq!(r["fromOverride"], true);
    assert_eq!(r["fips"], false);
    assert!(r["tokenExpiresAt"].is_string());
    assert_eq!(r["probe"]["status"], 200);
    assert_eq!(r["probe"]["url"], format!("http://127.0.0.1:{port}/v2/"));
    let names: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["config", "credentials", "identity", "token", "probe"]
    );

    let out = case.run(&["registry", "test", "vanity"]);
    assert_eq!(out.code, 0, "{out:?}");
    for line in [
        "registry vanity (127.0.0.1:",
        "credentials from  static",
        "caller            arn:aws:sts::123456789012:user/moto",
        "region            ca-central-1",
        "(account/region from override)",
        "[ok  ] probe",
    ] {
        assert!(
            out.stdout.contains(line),
            "missing {line:?}:\n{}",
            out.stdout
        );
    }

    // A real ECR host cannot be reached from this machine: the probe fails with a cause.
    let case = Case::new(
        moto(),
        "ca-central-1",
        &static_config("real", "ca-central-1"),
    );
    let out = case.run(&["registry", "test", "real", "--format", "json"]);
    assert_eq!(out.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["connection"]["ok"], false);
    assert!(
        doc["connection"]["cause"]
            .as_str()
            .unwrap()
            .contains("VPC endpoint")
    );
}

#[test]
fn refusals_under_iam_enforcement() {
    // Its own server: enforcement is global state.
    let moto = Moto::start();
    let region = "us-west-2";
    let keys = moto.boto(
        region,
        "iam.create_user(UserName='nopull')\n\
         k = iam.create_access_key(UserName='nopull')['AccessKey']\n\
         print(k['AccessKeyId'], k['SecretAccessKey'])\n",
    );
    let mut parts = keys.split_whitespace();
    let (key_id, secret) = (
        parts.next().unwrap().to_owned(),
        parts.next().unwrap().to_owned(),
    );
    moto.enforce_iam();
    let config = format!(
        r#"version = 1

[[registry]]
name = "nopull"
host = "{ACCOUNT}.dkr.ecr.{region}.amazonaws.com"
auth = "static"
access_key_id = "{key_id}"
secret_access_key = {{ env = "NOPULL_SECRET" }}

[[registry]]
name = "unknown"
host = "{ACCOUNT}.dkr.ecr.{region}.amazonaws.com"
auth = "static"
access_key_id = "{KEY_ID}"
secret_access_key = {{ env = "PULLPASS_TEST_SECRET" }}
"#
    );
    let case = Case::new(&moto, region, &config);

    let mut cmd = case.cmd();
    cmd.env("NOPULL_SECRET", &secret);
    let out = run(cmd.args(["login", "nopull", "--format", "env"]), None);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(!out.stderr.contains(&secret));
    assert!(
        out.stderr
            .contains("ecr GetAuthorizationToken refused: AccessDenied")
            && out
                .stderr
                .contains("is not authorized to perform: ecr:GetAuthorizationToken")
            && out.stderr.contains("EP001"),
        "{}",
        out.stderr
    );

    let out = case.run(&["login", "unknown", "--format", "env"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("InvalidClientTokenId")
            || out.stderr.contains("UnrecognizedClientException"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("likely cause: The security token included in the request is invalid"),
        "{}",
        out.stderr
    );

    // The library's error for the same refusal: no secret in its Display or Debug.
    let spec = pullpass_ecr::RegistrySpec {
        name: "lib".into(),
        host: format!("{ACCOUNT}.dkr.ecr.{region}.amazonaws.com"),
        kind: pullpass_core::registry::RegistryKind::Ecr,
        auth: pullpass_ecr::AuthSpec::Static {
            access_key_id: KEY_ID.into(),
            secret_access_key: secrecy::SecretString::from(SECRET),
            session_token: Some(secrecy::SecretString::from("canarySessionToken")),
        },
        assume_role: None,
        host_override: None,
    };
    let options = pullpass_ecr::Options {
        cache: pullpass_ecr::CacheMode::Disabled,
        endpoint_url: Some(moto.endpoint()),
        ..pullpass_ecr::Options::default()
    };
    let registry = pullpass_ecr::open(&spec, &options).unwrap();
    let error = pullpass_ecr::block_on(registry.credentials()).unwrap_err();
    assert!(error.is_refusal(), "{error:?}");
    for shown in [
        format!("{error}"),
        format!("{error:?}"),
        format!("{registry:?}"),
    ] {
        assert!(
            !shown.contains(SECRET) && !shown.contains("canarySessionToken"),
            "{shown}"
        );
    }

    let out = case.run(&["registry", "test", "unknown", "--format", "json"]);
    assert_eq!(out.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let statuses: Vec<(&str, &str)> = doc["connection"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("config", "ok"),
            ("credentials", "ok"),
            ("identity", "failed"),
            ("token", "failed"),
            ("probe", "skipped")
        ]
    );
}

fn cache_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn cache_serves_warm_tokens_and_can_be_disabled() {
    let moto = Moto::start();
    let case = Case::new(&moto, "eu-south-1", &static_config("c", "eu-south-1"));
    for _ in 0..3 {
        assert_eq!(case.run(&["login", "c", "--format", "env"]).code, 0);
    }
    assert_eq!(moto.token_calls(), 1);
    let files = cache_files(&case.cache_dir());
    assert_eq!(files.len(), 1);
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
    let dir_mode = std::fs::metadata(case.cache_dir())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!((mode, dir_mode), (0o600, 0o700));

    assert_eq!(case.run(&["login", "c", "--no-cache"]).code, 0);
    let mut cmd = case.cmd();
    cmd.env("PULLPASS_NO_CACHE", "1");
    assert_eq!(run(cmd.args(["login", "c"]), None).code, 0);
    assert_eq!(moto.token_calls(), 3);

    // moto's own, already-expired tokens are never cached, and never handed out with exit 0
    // (issue 15 #8): `login` says it expired and fails.
    let expired = Moto::start_with(&MotoOptions {
        expired_tokens: true,
        ..MotoOptions::default()
    });
    let case = Case::new(&expired, "eu-south-1", &static_config("c", "eu-south-1"));
    for _ in 0..2 {
        let out = case.run(&["login", "c", "--format", "env"]);
        assert_ne!(out.code, 0, "{}", out.stdout);
        assert!(!out.stdout.contains("PULLPASS_PASSWORD"), "{}", out.stdout);
        assert!(out.stderr.contains("expired"), "{}", out.stderr);
    }
    assert_eq!(expired.token_calls(), 2);
    assert!(cache_files(&case.cache_dir()).is_empty());
}

#[test]
fn cache_refuses_readable_files_and_replaces_corrupt_ones() {
    let moto = Moto::start();
    let case = Case::new(&moto, "eu-west-3", &static_config("c", "eu-west-3"));
    assert_eq!(case.run(&["login", "c"]).code, 0);
    let file = cache_files(&case.cache_dir()).remove(0);

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = case.run(&["login", "c", "--format", "env"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("other users may access it (mode 0644)")
            && out.stderr.contains("chmod 600"),
        "{}",
        out.stderr
    );

    std::fs::write(&file, "{\"version\": 1, \"garbage").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = case.run(&["login", "c", "--format", "env"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(env_value(&out.stdout, "PULLPASS_PASSWORD"), PASSWORD);
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).expect("replaced");
    assert_eq!(stored["version"], 1);
    assert_eq!(moto.token_calls(), 2);
}

/// Starts `n` `pullpass login` processes at once and waits for all of them.
fn login_concurrently(case: &Case<'_>, n: usize) {
    let children: Vec<_> = (0..n)
        .map(|_| {
            case.cmd()
                .args(["login", "c", "--format", "env"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains(PASSWORD));
    }
}

#[test]
fn concurrent_processes_make_one_token_call() {
    // Tokens that live 8 s: fresh for 4 s, then stale.
    let moto = Moto::start_with(&MotoOptions {
        token_lifetime: Some(8),
        ..MotoOptions::default()
    });
    let case = Case::new(&moto, "us-east-2", &static_config("c", "us-east-2"));
    // Cold cache: eight processes, one call.
    login_concurrently(&case, 8);
    assert_eq!(moto.token_calls(), 1);
    // Past half-life: the entry is stale; eight processes, one more call.
    std::thread::sleep(std::time::Duration::from_millis(4500));
    login_concurrently(&case, 8);
    assert_eq!(moto.token_calls(), 2);
}

/// The library path: a fake clock moves the cached entry through half-life and expiry.
#[test]
fn library_cache_with_an_injected_clock() {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, SystemTime};

    use pullpass_ecr::{AuthSpec, CacheMode, Clock, Options, RegistrySpec};
    use secrecy::{ExposeSecret as _, SecretString};

    #[derive(Debug)]
    struct Fake(Mutex<SystemTime>);
    impl Clock for Fake {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let start = SystemTime::now();
    let clock = Arc::new(Fake(Mutex::new(start)));
    let spec = RegistrySpec {
        name: "lib".into(),
        host: "127.0.0.1:1".into(),
        kind: pullpass_core::registry::RegistryKind::Ecr,
        auth: AuthSpec::Static {
            access_key_id: KEY_ID.into(),
            secret_access_key: SecretString::from(SECRET),
            session_token: Some(SecretString::from("canarySessionToken")),
        },
        assume_role: None,
        host_override: Some(pullpass_core::registry::HostOverride {
            account_id: ACCOUNT.into(),
            region: "eu-west-2".into(),
        }),
    };
    // Debug output of every public type carrying a secret stays clean.
    let shown = format!("{spec:?}");
    assert!(
        !shown.contains(SECRET) && !shown.contains("canarySessionToken"),
        "{shown}"
    );

    let options = Options {
        cache: CacheMode::Dir(dir.path().join("cache")),
        clock: clock.clone(),
        endpoint_url: Some(moto.endpoint()),
        ..Options::default()
    };
    let fetch = |at: SystemTime| {
        *clock.0.lock().unwrap() = at;
        let registry = pullpass_ecr::open(&spec, &options).unwrap();
        pullpass_ecr::block_on(registry.credentials())
    };
    let first = fetch(start).unwrap();
    assert_eq!(first.password.expose_secret(), PASSWORD);
    let shown = format!("{first:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert_eq!(moto.token_calls(), 1);
    let expires = first.expires_at.unwrap();
    let lifetime = expires.duration_since(start).unwrap();
    fetch(start + lifetime / 2 - Duration::from_secs(60)).unwrap();
    assert_eq!(moto.token_calls(), 1, "fresh before half-life");
    fetch(start + lifetime / 2 + Duration::from_secs(1)).unwrap();
    assert_eq!(moto.token_calls(), 2, "refreshed after half-life");
    // Far in the future every cached token is expired: a new one is fetched, never the old.
    // (moto's new token expires 12 h after the real now, so by the injected clock it is
    // expired too, and is refused rather than handed out: issue 15 #8.)
    match fetch(start + Duration::from_secs(30 * 3600)) {
        Ok(later) => assert!(later.expires_at.unwrap() > expires),
        Err(e) => assert!(e.to_string().contains("expired"), "{e}"),
    }
    assert_eq!(moto.token_calls(), 3);
}

/// An EKS Pod Identity agent stand-in: answers the container credentials endpoint with keys
/// when the request carries the token from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
fn pod_identity_agent(token: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut authorized = false;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("authorization")
                {
                    authorized = value.trim() == token;
                }
                line.clear();
            }
            let body = format!(
                r#"{{"AccessKeyId":"ASIAIOSFODNN7PODIDNT","SecretAccessKey":"{SECRET}","Token":"canarySessionToken","AccountId":"123456789012","Expiration":"2099-01-01T00:00:00Z"}}"#
            );
            let response = if authorized {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned()
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    port
}

#[test]
fn ambient_sources_are_named_pod_identity_and_environment() {
    let config = format!(
        r#"version = 1

[[registry]]
name = "ambient"
host = "{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com"
auth = "ambient"
"#
    );
    let case = Case::new(moto(), "eu-west-1", &config);
    let port = pod_identity_agent("pod-identity-token");
    let token_file = case.dir.path().join("eks-pod-identity-token");
    std::fs::write(&token_file, "pod-identity-token").unwrap();

    let mut cmd = case.cmd();
    cmd.env(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("http://127.0.0.1:{port}/v1/credentials"),
    )
    .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token_file);
    let out = run(
        cmd.args(["registry", "test", "ambient", "--format", "json"]),
        None,
    );
    assert_no_secret(&out);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    let r = &doc["connection"];
    assert_eq!(r["credentialSource"], "container", "{r}");
    assert!(
        r["checks"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("valid until 2099-01-01T00:00:00Z"),
        "{r}"
    );
    assert_eq!(r["checks"][3]["status"], "ok", "{r}");

    let mut cmd = case.cmd();
    cmd.env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET);
    let out = run(
        cmd.args(["registry", "test", "ambient", "--format", "json"]),
        None,
    );
    assert_no_secret(&out);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    assert_eq!(doc["connection"]["credentialSource"], "env");
}
