//! Likely causes of AWS and registry failures, in the words of `pullpass explain`
//! (rules.md, "Errors explained"): what usually went wrong, the rule that would have caught
//! it, and what to do.

/// The cause for an AWS error code (or `HTTP <status>` when the body was not parseable).
pub(crate) fn for_code(code: &str, message: &str, operation: &str) -> Option<String> {
    let text = match code {
        "AccessDeniedException" | "AccessDenied" | "HTTP 403" => {
            if operation == "GetAuthorizationToken" {
                "the identity may not call ecr:GetAuthorizationToken, which must be allowed on \
                 Resource \"*\" in its identity policy (repository policies cannot grant it; \
                 rule EP001): attach AmazonEC2ContainerRegistryReadOnly or an equivalent policy; \
                 check with `pullpass lint --kind permissions`"
            } else if operation == "AssumeRole" || operation == "AssumeRoleWithWebIdentity" {
                "the role's trust policy does not admit this caller (wrong principal, condition \
                 keys with https://, a wildcard under StringEquals, the wrong partition or \
                 account, or a missing/incorrect external ID; rules TP021, TP022, TP027, TP028, \
                 TP040, TP041); lint it with `pullpass lint --kind trust`"
            } else {
                "the identity lacks the ECR read permissions for this repository \
                 (ecr:DescribeRepositories, ecr:DescribeImages, ecr:ListImages, \
                 ecr:BatchGetImage; rules EP002, EP003), or a repository policy denies it"
            }
        }
        "UnrecognizedClientException" | "InvalidClientTokenId" => {
            "AWS does not know this access key: a mistyped, deleted or deactivated key, keys \
             from another partition (aws-cn, aws-us-gov), or a session token from the global \
             STS endpoint used in an opt-in region (set AWS_STS_REGIONAL_ENDPOINTS=regional)"
        }
        "SignatureDoesNotMatch" | "InvalidSignatureException" => {
            "the secret access key does not belong to the access key ID: a copy/paste error \
             (trailing whitespace, a truncated value) or the two fields swapped (rules RF035, \
             RF036, RF037)"
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            "the session credentials have expired: temporary (ASIA…) keys and their session \
             token must be refreshed, or the system clock is far off"
        }
        "InvalidIdentityToken" => {
            if message.contains("No OpenIDConnect provider found") {
                "the IAM OIDC provider for the cluster's issuer is missing in the role's account: \
                 create it (`eksctl utils associate-iam-oidc-provider`)"
            } else if message.contains("audience") {
                "the IAM OIDC provider's client IDs do not include the token's audience \
                 (normally sts.amazonaws.com; rules TP024, TP025)"
            } else {
                "the web identity token was rejected: check the OIDC provider's issuer URL and \
                 thumbprint, and that the projected token has not expired"
            }
        }
        "IDPCommunicationError" => {
            "STS could not reach the cluster's OIDC issuer to validate the token: a private \
             issuer or a network problem on AWS's side; retry, or check the issuer URL"
        }
        "RepositoryNotFoundException" => {
            "the repository does not exist in this registry's account and region, or its name \
             is misspelt (names are lower case; rule RF060)"
        }
        "ImageNotFoundException" => {
            "no image with this tag or digest exists in the repository (tags are case-sensitive; \
             rule RF061)"
        }
        "RegistryPolicyNotFoundException" | "InvalidParameterException" => return None,
        "ThrottlingException" | "Throttling" | "TooManyRequestsException" => {
            "AWS throttled the request: too many calls from this identity; the token cache \
             (half-life refresh) avoids this, so check that it is enabled"
        }
        "UnsupportedCommandException" | "UnknownOperationException" => {
            "the endpoint does not offer this operation: is the region right, and does it have \
             ECR (public ECR only works in us-east-1)?"
        }
        _ => return None,
    };
    Some(text.to_owned())
}

/// The cause for a free-text error (a credential provider's message chain).
pub(crate) fn for_text(text: &str) -> Option<String> {
    const CODES: &[&str] = &[
        "InvalidIdentityToken",
        "IDPCommunicationError",
        "ExpiredTokenException",
        "ExpiredToken",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "AccessDenied",
    ];
    if let Some(code) = CODES.iter().find(|c| text.contains(*c)) {
        let operation = if text.contains("AssumeRoleWithWebIdentity")
            || text.contains("web identity")
            || text.contains("WebIdentity")
        {
            "AssumeRoleWithWebIdentity"
        } else if *code == "AccessDenied" {
            "AssumeRole"
        } else {
            ""
        };
        return for_code(code, text, operation);
    }
    if text.contains("could not read") && text.contains("token") {
        return Some(
            "the web identity token file cannot be read: is the projected service account token \
             mounted at AWS_WEB_IDENTITY_TOKEN_FILE (the EKS Pod Identity Webhook adds it when \
             the service account is annotated)?"
                .to_owned(),
        );
    }
    None
}

/// The cause for an HTTP status from a registry's `/v2/` API.
pub(crate) fn for_registry_status(status: u16, ecr: bool) -> Option<String> {
    let text = match status {
        401 | 403 if ecr => {
            "the registry refused the token: an expired token, a token for another region (an \
             ECR token only works in the region it was issued in), or missing pull permissions \
             (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer; rules EP001, EP002)"
        }
        401 | 403 => {
            "the registry refused the credentials: a wrong username or password/token, or a \
             token without pull scope"
        }
        404 => {
            "the registry has no `/v2/` API at this host: is the host a registry (not a web UI)?"
        }
        429 => "the registry rate-limited the request; retry later",
        500..=599 => "the registry had an internal error; retry later",
        _ => return None,
    };
    Some(text.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn explains_the_errors_rules_md_lists() {
        let web = super::for_text(
            "failed to load credentials: InvalidIdentityToken: No OpenIDConnect provider found \
             in your account for https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
        )
        .unwrap();
        assert!(web.contains("OIDC provider"), "{web}");
        let keys = super::for_code("UnrecognizedClientException", "", "GetAuthorizationToken");
        assert!(keys.unwrap().contains("opt-in region"));
        let denied = super::for_code("HTTP 403", "", "GetAuthorizationToken").unwrap();
        assert!(denied.contains("EP001"), "{denied}");
        assert!(super::for_code("SomethingElse", "", "x").is_none());
    }
}
