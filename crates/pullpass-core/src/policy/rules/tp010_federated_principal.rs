use super::{Cx, WEB_IDPS, at, did_you_mean, replace_string};
use crate::declare_rule;
use crate::policy::aws;

declare_rule! {
    /// ## What it does
    /// Checks each `Federated` principal: an IAM OIDC provider ARN
    /// (`arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>`), a SAML provider
    /// ARN, or a built-in identity provider (`cognito-identity.amazonaws.com`, `www.amazon.com`,
    /// `graph.facebook.com`, `accounts.google.com`). The issuer part has no `https://` and no
    /// trailing `/`, and the partition must exist.
    ///
    /// ## Why is this bad
    /// IAM rejects an invalid federated principal, and an issuer URL pasted in place of the
    /// provider ARN never matches a token: `AccessDenied` on `sts:AssumeRoleWithWebIdentity`.
    ///
    /// ## Example
    /// ```json
    /// {"Federated": "https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"}
    /// ```
    ///
    /// ## Fix
    /// Use the provider ARN as `aws iam list-open-id-connect-providers` prints it. A scheme or a
    /// trailing `/` inside an ARN has a safe fix.
    pub(crate) static TP010 = ("federated-principal-invalid", "trust-policy", Error, "Federated principal is not an OIDC/SAML provider ARN in a known partition nor a built-in IdP");
}

const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for p in stmt.principals_of("Federated") {
            let Some(value) = p.value.text.filter(|_| p.value.is_string()) else { continue };
            let range = p.value.range();
            // TP061 reports a placeholder (`arn:${AWS::Partition}:…`); its pieces are no ARN.
            if WEB_IDPS.contains(&value) || cx.has_placeholder(value) {
                continue;
            }
            let Some(arn) = p.arn else {
                let host = aws::normalize_provider(value);
                let mut d = at(&TP010, format!("`{value}` is not a provider ARN: a federated principal is `arn:aws:iam::<account>:oidc-provider/<issuer>` (or saml-provider/…)"), p.pointer(stmt), range);
                if let Some(role) = cx.role() {
                    let arn = format!("arn:{}:iam::{}:oidc-provider/{host}", role.partition, role.account);
                    d = d.with_help(format!("with the role's account this is `{arn}`")).with_fix(crate::diagnostic::Fix::unsafe_(
                        "Use the OIDC provider ARN in the role's account",
                        vec![crate::diagnostic::Edit::replace(range, crate::policy::model::json_string(&arn))],
                    ));
                } else {
                    d = d.with_help(format!("write `arn:aws:iam::<account>:oidc-provider/{host}`"));
                }
                cx.push(d);
                continue;
            };
            if !aws::known_partition(arn.partition) {
                let mut d = at(&TP010, format!("`{}` is not an AWS partition", arn.partition), p.pointer(stmt), range);
                if let Some(right) = did_you_mean(arn.partition, PARTITIONS) {
                    d = d.with_help(format!("did you mean `{right}`?"));
                }
                cx.push(d);
                continue;
            }
            if arn.service != "iam" || !arn.region.is_empty() {
                cx.push(at(&TP010, format!("`{value}` is not an IAM provider ARN: it must be `arn:{}:iam::<account>:…` (service `iam`, empty region)", arn.partition), p.pointer(stmt), range));
                continue;
            }
            if let Some(provider) = arn.oidc_provider() {
                let clean = aws::normalize_provider(provider);
                if clean.is_empty() {
                    cx.push(at(&TP010, "the OIDC provider ARN names no issuer after `oidc-provider/`", p.pointer(stmt), range));
                } else if clean != provider {
                    let fixed = format!("arn:{}:iam::{}:oidc-provider/{clean}", arn.partition, arn.account);
                    cx.push(
                        at(&TP010, format!("the OIDC provider ARN must name the issuer without a scheme or trailing `/`: `{clean}`"), p.pointer(stmt), range)
                            .with_fix(replace_string("Strip the scheme / trailing `/` from the provider", range, &fixed)),
                    );
                }
            } else if arn.saml_provider().is_none_or(str::is_empty) {
                cx.push(at(&TP010, format!("`{}` is neither `oidc-provider/…` nor `saml-provider/…`", arn.resource), p.pointer(stmt), range).with_help("a federated principal is an identity provider, not a role or user"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    const ARN: &str = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E";

    #[test]
    fn fires_on_bad_federated_principals() {
        fires("TP010", &edit(IRSA, ARN, "https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"));
        let text = edit(IRSA, ":oidc-provider/oidc.eks", ":oidc-provider/https://oidc.eks");
        let d = fires("TP010", &text);
        assert_eq!(fixed(&text, &d[0]), IRSA);
        fires("TP010", &edit(IRSA, "arn:aws:iam", "arn:amazon:iam"));
        fires("TP010", &edit(IRSA, ":oidc-provider/", ":role/"));
        fires("TP010", &edit(IRSA, "8D9E\"\n", "8D9E/\"\n"));
    }

    #[test]
    fn silent_on_valid_providers() {
        silent("TP010", IRSA);
        silent("TP010", &edit(IRSA, ARN, "accounts.google.com"));
        silent("TP010", &edit(IRSA, ARN, "arn:aws:iam::123456789012:saml-provider/Okta"));
    }
}
