//! Reading `pullpass doctor --format json` in tests: shared by the moto tests
//! (`tests/it/doctor_live.rs`) and the CLI's fake-backend tests
//! (`crates/pullpass-cli/src/commands/live_tests.rs`, which include this file with `#[path]`).

/// The status and finding code of check `id`; panics when there is no such check.
pub(crate) fn status<'r>(report: &'r serde_json::Value, id: &str) -> (&'r str, &'r str) {
    let check = report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"));
    (
        check["status"].as_str().unwrap_or_default(),
        check["finding"]["code"].as_str().unwrap_or_default(),
    )
}

/// `<check id> <code>` of every failed or warning check, in order.
pub(crate) fn broken(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter(|c| c["status"] == "failed" || c["status"] == "warning")
                .map(|c| {
                    format!(
                        "{} {}",
                        c["id"].as_str().unwrap_or(""),
                        c["finding"]["code"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The IRSA links whose inputs `doctor irsa --live --cluster-name … --registry …` fetches: a
/// sound set-up passes every one.
pub(crate) const IRSA_LIVE_LINKS: &[&str] = &[
    "trust.principal",
    "trust.issuer",
    "trust.subject",
    "trust.audience",
    "oidc.provider",
    "oidc.url",
    "oidc.client-id",
    "aws.account",
    "role.permissions",
    "live.token",
];

/// Every check of `ids` passed (not only "did not fail": a check that was not run fails this).
pub(crate) fn assert_passed(report: &serde_json::Value, ids: &[&str]) {
    for id in ids {
        assert_eq!(status(report, id).0, "passed", "{id}: {report:#}");
    }
}
