use super::{Cx, at, replace_string};
use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a statement `Sid` used twice, or with characters other than `A–Z`, `a–z`, `0–9`.
    ///
    /// ## Why is this bad
    /// IAM rejects trust and identity policies whose Sids repeat or contain other characters
    /// (`MalformedPolicyDocument: Statement IDs (SID) must be alpha-numeric` / `must be unique`;
    /// "IAM JSON policy elements: Sid", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html>).
    /// Resource policies of other services accept other characters (an ECR repository policy,
    /// a KMS key policy: AWS's default key policy has `"Sid": "Enable IAM User Permissions"`;
    /// awsdocs/amazon-ecr-user-guide#33): there, and in a policy of no known kind, only a
    /// repeated Sid is reported. A role's trust policy is IAM's: a Sid with `_` was refused
    /// there (ministryofjustice/analytical-platform#8486), though an EKS user guide example
    /// shows one with spaces.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Sid": "allow-irsa", "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
    /// ```
    ///
    /// ## Fix
    /// Use unique alphanumeric Sids (`AllowIrsa`). Removing the other characters is a safe fix:
    /// a Sid is only a label.
    pub(crate) static TP005 = ("sid-invalid-or-duplicate", "trust-policy", Error, "Sid not unique, or not `[A-Za-z0-9]*`");
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    let mut seen: Vec<&str> = Vec::new();
    for stmt in cx.statements() {
        let Some(sid) = stmt.sid else { continue };
        let Some(value) = sid.value.as_str() else { continue };
        // Built only for a finding (most Sids are fine).
        let pointer = || stmt.ptr(&sid.key);
        // Resource policies of other services take any Sid: an ECR repository policy with
        // `"Sid": "prod account pull access"` is accepted, and so are the KMS key policies and S3
        // bucket policies a walk meets (AWS's default key policy says `"Enable IAM User
        // Permissions"`). The alphanumeric rule is IAM's: trust and identity policies only.
        let iam = matches!(cx.kind, Some(crate::policy::PolicyKind::Trust | crate::policy::PolicyKind::Permissions));
        if iam && !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            let cleaned: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
            let mut d = at(&TP005, format!("the Sid `{value}` may contain only letters and digits"), pointer(), sid.value.range);
            if !cleaned.is_empty() && !cx.statements().iter().any(|s| s.sid.and_then(|m| m.value.as_str()) == Some(cleaned.as_str())) {
                let mut fix = replace_string(format!("Rename to `{cleaned}`"), sid.value.range, &cleaned);
                // Dropping punctuation keeps the label readable; dropping letters of other
                // scripts does not, so that rename is only offered.
                if !value.is_ascii() {
                    fix.applicability = crate::diagnostic::Applicability::Unsafe;
                }
                d = d.with_fix(fix);
            }
            cx.push(d);
        }
        // Several empty Sids are fine (Terraform writes `"Sid": ""`).
        if !value.is_empty() && seen.contains(&value) {
            cx.push(at(&TP005, format!("the Sid `{value}` is used by an earlier statement; Sids must be unique"), pointer(), sid.value.range).with_help("rename one of the statements"));
        } else {
            seen.push(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn fires_on_bad_and_duplicate_sids() {
        let text = edit(POD, "AllowEksAuthToAssumeRoleForPodIdentity", "allow-eks_auth");
        let d = fires("TP005", &text);
        assert!(fixed(&text, &d[0]).contains("\"alloweksauth\""));
        let dup = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"A","Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"},
            {"Sid":"A","Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}"#;
        assert_eq!(fires("TP005", dup).len(), 1);
        silent("TP005", &dup.replace("\"Sid\":\"A\"", "\"Sid\":\"\""));
    }

    /// AWS's default KMS key policy, in the shape the EKS user guide's storage-class page
    /// shows it (awsdocs/amazon-eks-user-guide, `automode/create-storage-class.adoc`): KMS
    /// takes any Sid, and pullpass gives the policy no kind.
    #[test]
    fn other_services_policies_take_any_sid_but_not_a_repeated_one() {
        let kms = r#"{"Version":"2012-10-17","Id":"key-default-1","Statement":[
            {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},
            {"Sid":"Allow use by EBS","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:CreateGrant"],"Resource":"*",
             "Condition":{"StringEquals":{"kms:CallerAccount":"123456789012","kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}]}"#;
        let out = crate::policy::lint(kms, None, &crate::policy::LintContext::default());
        assert_eq!(out.kind, None);
        silent("TP005", kms);
        let repeated = kms.replace("Allow use by EBS", "Enable IAM User Permissions");
        assert_eq!(fires("TP005", &repeated).len(), 1);
    }

    #[test]
    fn silent_on_good_sids() {
        silent("TP005", POD);
        silent("TP005", IRSA);
    }
}
