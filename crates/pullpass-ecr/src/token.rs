//! The ECR authorization token: base64 of `AWS:<password>`.

use base64::Engine as _;
use secrecy::SecretString;

/// Decodes an ECR `authorizationToken` into username and password.
///
/// # Errors
/// A message (never containing the token) when the token is not base64 of `<user>:<password>`
/// with a non-empty user and password.
pub fn decode_authorization_token(token: &str) -> Result<(String, SecretString), String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .map_err(|_| "the token is not valid base64".to_owned())?;
    let text = String::from_utf8(bytes).map_err(|_| "the decoded token is not UTF-8".to_owned())?;
    let Some((user, password)) = text.split_once(':') else {
        return Err("the decoded token has no `user:password` separator".to_owned());
    };
    if user.is_empty() || password.is_empty() {
        return Err("the decoded token has an empty user or password".to_owned());
    }
    if user.chars().any(char::is_control) {
        return Err("the decoded token's user name contains control characters".to_owned());
    }
    Ok((user.to_owned(), SecretString::from(password)))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use secrecy::ExposeSecret as _;

    use super::decode_authorization_token;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn decodes_aws_password() {
        let (user, password) = decode_authorization_token(&b64("AWS:abc:def")).unwrap();
        assert_eq!(user, "AWS");
        assert_eq!(password.expose_secret(), "abc:def");
    }

    #[test]
    fn rejects_malformed_tokens_without_echoing_them() {
        for bad in [
            "%%%not-base64",
            &b64("no-separator-canary"),
            &b64("AWS:"),
            &b64(":pw"),
        ] {
            let err = decode_authorization_token(bad).unwrap_err();
            assert!(!err.contains("canary") && !err.contains(bad), "{err}");
        }
    }
}
