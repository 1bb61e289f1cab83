//! The generic basic-auth kind against a real registry (Debian's docker-registry with htpasswd
//! auth, images pushed with skopeo): the same commands as for ECR, through the same seam.

use crate::support::registry::{DockerRegistry, oci_image, push};
use crate::support::{Output, pullpass, run};

const PASSWORD: &str = "genericCanaryPassw0rd";

struct Case {
    registry: DockerRegistry,
    dir: tempfile::TempDir,
    digest: String,
}

impl Case {
    fn start() -> Self {
        let registry = DockerRegistry::start(PASSWORD);
        let dir = tempfile::tempdir().unwrap();
        let layout = dir.path().join("layout");
        let digest = oci_image(&layout, "v1");
        let host = registry.host();
        push(dir.path(), &layout, &host, "team/app", "v1", PASSWORD);
        push(dir.path(), &layout, &host, "base", "v1", PASSWORD);
        // The same manifest under a second tag.
        oci_image(&layout, "v2");
        push(dir.path(), &layout, &host, "team/app", "v2", PASSWORD);
        let config = format!(
            r#"version = 1

[[registry]]
name = "lab"
host = "{host}"
kind = "generic"
auth = "static"
username = "AWS"
password = {{ env = "GENERIC_PASSWORD" }}

[[registry]]
name = "wrong"
host = "{host}"
kind = "generic"
auth = "static"
username = "AWS"
password = {{ env = "GENERIC_WRONG" }}
"#
        );
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        Self {
            registry,
            dir,
            digest,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = pullpass();
        cmd.env("GENERIC_PASSWORD", PASSWORD)
            .env("GENERIC_WRONG", "not-the-password")
            .env("PULLPASS_CACHE_DIR", self.dir.path().join("cache"))
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .args(args);
        let out = run(&mut cmd, None);
        assert!(!out.stderr.contains(PASSWORD), "{}", out.stderr);
        out
    }
}

#[test]
fn generic_registry_through_the_same_seam() {
    let case = Case::start();
    let host = case.registry.host();

    let out = case.run(&["registry", "test", "lab", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains(PASSWORD));
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let r = &doc["connection"];
    assert_eq!(r["kind"], "generic");
    assert_eq!(r["credentialSource"], "basic");
    assert_eq!(r["probe"]["status"], 200);
    assert!(
        r["probe"]["detail"].as_str().unwrap().contains("(basic)"),
        "{r}"
    );

    let out = case.run(&["repos", "lab", "--page-size", "1"]);
    assert_eq!(out.stdout.lines().count(), 1, "{out:?}");
    assert!(out.stderr.contains("--next-token"), "{}", out.stderr);
    let out = case.run(&[
        "repos",
        "lab",
        "--page-size",
        "1",
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
    assert_eq!(names, ["base", "team/app"]);

    let out = case.run(&["images", "lab", "team/app", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    let images = doc["images"].as_array().unwrap();
    assert_eq!(images.len(), 1, "{doc}");
    assert_eq!(images[0]["digest"], case.digest.as_str());
    assert_eq!(images[0]["tags"], serde_json::json!(["v1", "v2"]));

    let out = case.run(&["import", "lab", "team/app:v2"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.trim(), case.digest);
    let out = case.run(&["import", "lab", "team/app:v3"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not found"), "{}", out.stderr);

    let out = case.run(&["login", "lab", "--format", "docker-config"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let auth = doc["auths"][host.as_str()]["auth"].as_str().unwrap();
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        format!("AWS:{PASSWORD}")
    );

    let out = case.run(&["registry", "test", "wrong"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("401") && out.stdout.contains("wrong username or password"),
        "{}",
        out.stdout
    );
}
