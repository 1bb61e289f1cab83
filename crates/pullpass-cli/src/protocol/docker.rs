//! The docker credential helper protocol: `docker-credential-<suffix> get|list|store|erase`,
//! payload on stdin, JSON on stdout, errors as a message on stdout with exit code 1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The conventional "no credentials for this server" message: docker and the other clients
/// treat it as "pull anonymously", not as a failure.
pub(crate) const NOT_FOUND: &str = "credentials not found in native keychain";

/// What `get` answers.
#[derive(Debug, Serialize)]
pub(crate) struct GetResponse<'a> {
    #[serde(rename = "ServerURL")]
    pub(crate) server_url: &'a str,
    #[serde(rename = "Username")]
    pub(crate) username: &'a str,
    #[serde(rename = "Secret")]
    pub(crate) secret: &'a str,
}

/// The `get` answer as one JSON line.
pub(crate) fn format_get(server_url: &str, username: &str, secret: &str) -> String {
    let response = GetResponse {
        server_url,
        username,
        secret,
    };
    let mut line = serde_json::to_string(&response).unwrap_or_default();
    line.push('\n');
    line
}

/// The `list` answer: `{"<server URL>": "<username>", …}`.
pub(crate) fn format_list(entries: &BTreeMap<String, String>) -> String {
    let mut line = serde_json::to_string(entries).unwrap_or_default();
    line.push('\n');
    line
}

/// The server URL of a `get` or `erase` payload: the whole of stdin, trimmed.
pub(crate) fn parse_server_url(stdin: &str) -> Result<&str, String> {
    let url = stdin.trim();
    if url.is_empty() {
        return Err("no server URL on stdin: docker sends the registry host (e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`)".to_owned());
    }
    if url.contains('\n') {
        return Err("expected one server URL on stdin, got several lines".to_owned());
    }
    Ok(url)
}

/// The `store` payload. Parsed only to check its shape; the secret is dropped unread.
#[derive(Debug, Deserialize)]
pub(crate) struct StorePayload {
    #[serde(rename = "ServerURL")]
    pub(crate) server_url: String,
}

/// Checks a `store` payload (`{"ServerURL","Username","Secret"}`); the message never quotes
/// the payload, which carries a secret.
pub(crate) fn parse_store(stdin: &str) -> Result<StorePayload, String> {
    serde_json::from_str::<StorePayload>(stdin.trim()).map_err(|e| {
        format!(
            "the store payload is not the JSON object {{\"ServerURL\",\"Username\",\"Secret\"}} (at line {}, column {})",
            e.line(),
            e.column()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_response_has_the_three_fields_docker_reads() {
        let line = format_get("https://h.example", "AWS", "s3cr\"et");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"ServerURL": "https://h.example", "Username": "AWS", "Secret": "s3cr\"et"})
        );
        assert!(line.ends_with('\n'));
    }

    #[test]
    fn list_is_an_object_of_server_to_username() {
        let mut entries = BTreeMap::new();
        entries.insert("b.example".to_owned(), "bot".to_owned());
        entries.insert("a.example".to_owned(), "AWS".to_owned());
        assert_eq!(
            format_list(&entries),
            "{\"a.example\":\"AWS\",\"b.example\":\"bot\"}\n"
        );
        assert_eq!(format_list(&BTreeMap::new()), "{}\n");
    }

    #[test]
    fn server_url_is_the_trimmed_stdin() {
        assert_eq!(parse_server_url(" h.example\n"), Ok("h.example"));
        assert!(parse_server_url("\n").is_err());
        assert!(parse_server_url("a\nb").is_err());
    }

    #[test]
    fn store_payload_is_checked_without_echoing_the_secret() {
        let ok =
            parse_store(r#"{"ServerURL":"h.example","Username":"AWS","Secret":"CANARY-SECRET"}"#)
                .unwrap();
        assert_eq!(ok.server_url, "h.example");
        assert!(!format!("{ok:?}").contains("CANARY"));
        let err = parse_store(r#"{"Username":"AWS","Secret":"CANARY-SECRET"}"#).unwrap_err();
        assert!(!err.contains("CANARY"), "{err}");
        let err = parse_store("CANARY-SECRET").unwrap_err();
        assert!(!err.contains("CANARY"), "{err}");
    }
}
