//! A deterministic generator of IAM trust policies for the benchmarks: valid IRSA and Pod
//! Identity policies and one family per kind of mistake the `TP…` rules catch.
//!
//! The same seed gives byte-identical files on every machine, so two runs of `cargo xtask bench`
//! lint the same corpus. Each file is named `<index>-<kind>.json`; the kind says which rule code
//! the policy is built to trigger (`valid-…` ones must raise no error or warning).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

/// The seed of every corpus `cargo xtask bench` writes.
pub(crate) const SEED: u64 = 0x7075_6c6c_7061_7373; // "pullpass"

/// SplitMix64: tiny, fast, and good enough to vary names and numbers.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n as u64).expect("below n fits usize")
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        // Never a leading zero, so no account looks like a truncated one.
        s.push(char::from(
            b'1' + u8::try_from(self.below(9)).expect("digit"),
        ));
        for _ in 1..n {
            s.push(char::from(
                b'0' + u8::try_from(self.below(10)).expect("digit"),
            ));
        }
        s
    }

    fn upper_hex(&mut self, n: usize) -> String {
        const HEX: &[u8] = b"0123456789ABCDEF";
        (0..n).map(|_| char::from(HEX[self.below(16)])).collect()
    }

    fn label(&mut self) -> String {
        const WORDS: &[&str] = &[
            "coder",
            "workspaces",
            "build",
            "ci",
            "platform",
            "team-a",
            "payments",
            "ml",
            "infra",
            "dev",
            "staging",
            "prod",
            "registry",
            "puller",
            "agents",
            "web",
        ];
        let first = self.pick(WORDS);
        if self.below(3) == 0 {
            format!("{first}-{}", self.pick(WORDS))
        } else {
            first.to_owned()
        }
    }
}

/// Every kind of policy the corpus holds. `Valid*` kinds must lint clean; each other kind is
/// built to raise the rule code in its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    ValidIrsa,
    ValidIrsaWildcardLike,
    ValidPodIdentity,
    Tp001Malformed,
    Tp002NoVersion,
    Tp003ResourceInTrust,
    Tp004WildcardPrincipal,
    Tp005BadSid,
    Tp006DuplicateKey,
    Tp007NoEffect,
    Tp010SchemeInProvider,
    Tp011WrongAction,
    Tp012StarAction,
    Tp013NotAction,
    Tp014UnknownOperator,
    Tp020NoCondition,
    Tp021ProviderMismatch,
    Tp022HttpsInKey,
    Tp023SelfManagedIssuer,
    Tp024NoAud,
    Tp025AudTypo,
    Tp026NoSub,
    Tp027UpperCaseSub,
    Tp028WildcardUnderEquals,
    Tp029BroadSub,
    Tp030ForAllValues,
    Tp040PartitionMismatch,
    Tp041ShortAccount,
    Tp050PodIdentityNoTagSession,
    Tp051PodIdentityNoTags,
    Tp060Oversized,
    Tp061Placeholder,
    Tp062CrossAccountNoExternalId,
    Tp063NullIfExists,
    Tp064BadExternalId,
}

impl Kind {
    pub(crate) const ALL: &'static [Kind] = &[
        Kind::ValidIrsa,
        Kind::ValidIrsaWildcardLike,
        Kind::ValidPodIdentity,
        Kind::Tp001Malformed,
        Kind::Tp002NoVersion,
        Kind::Tp003ResourceInTrust,
        Kind::Tp004WildcardPrincipal,
        Kind::Tp005BadSid,
        Kind::Tp006DuplicateKey,
        Kind::Tp007NoEffect,
        Kind::Tp010SchemeInProvider,
        Kind::Tp011WrongAction,
        Kind::Tp012StarAction,
        Kind::Tp013NotAction,
        Kind::Tp014UnknownOperator,
        Kind::Tp020NoCondition,
        Kind::Tp021ProviderMismatch,
        Kind::Tp022HttpsInKey,
        Kind::Tp023SelfManagedIssuer,
        Kind::Tp024NoAud,
        Kind::Tp025AudTypo,
        Kind::Tp026NoSub,
        Kind::Tp027UpperCaseSub,
        Kind::Tp028WildcardUnderEquals,
        Kind::Tp029BroadSub,
        Kind::Tp030ForAllValues,
        Kind::Tp040PartitionMismatch,
        Kind::Tp041ShortAccount,
        Kind::Tp050PodIdentityNoTagSession,
        Kind::Tp051PodIdentityNoTags,
        Kind::Tp060Oversized,
        Kind::Tp061Placeholder,
        Kind::Tp062CrossAccountNoExternalId,
        Kind::Tp063NullIfExists,
        Kind::Tp064BadExternalId,
    ];

    /// The file-name slug: `valid-irsa`, `tp021-provider-mismatch`, ….
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Kind::ValidIrsa => "valid-irsa",
            Kind::ValidIrsaWildcardLike => "valid-irsa-like",
            Kind::ValidPodIdentity => "valid-pod-identity",
            Kind::Tp001Malformed => "tp001-malformed",
            Kind::Tp002NoVersion => "tp002-no-version",
            Kind::Tp003ResourceInTrust => "tp003-resource",
            Kind::Tp004WildcardPrincipal => "tp004-wildcard-principal",
            Kind::Tp005BadSid => "tp005-bad-sid",
            Kind::Tp006DuplicateKey => "tp006-duplicate-key",
            Kind::Tp007NoEffect => "tp007-no-effect",
            Kind::Tp010SchemeInProvider => "tp010-scheme-in-provider",
            Kind::Tp011WrongAction => "tp011-wrong-action",
            Kind::Tp012StarAction => "tp012-star-action",
            Kind::Tp013NotAction => "tp013-not-action",
            Kind::Tp014UnknownOperator => "tp014-unknown-operator",
            Kind::Tp020NoCondition => "tp020-no-condition",
            Kind::Tp021ProviderMismatch => "tp021-provider-mismatch",
            Kind::Tp022HttpsInKey => "tp022-https-in-key",
            Kind::Tp023SelfManagedIssuer => "tp023-self-managed-issuer",
            Kind::Tp024NoAud => "tp024-no-aud",
            Kind::Tp025AudTypo => "tp025-aud-typo",
            Kind::Tp026NoSub => "tp026-no-sub",
            Kind::Tp027UpperCaseSub => "tp027-upper-case-sub",
            Kind::Tp028WildcardUnderEquals => "tp028-wildcard-under-equals",
            Kind::Tp029BroadSub => "tp029-broad-sub",
            Kind::Tp030ForAllValues => "tp030-for-all-values",
            Kind::Tp040PartitionMismatch => "tp040-partition-mismatch",
            Kind::Tp041ShortAccount => "tp041-short-account",
            Kind::Tp050PodIdentityNoTagSession => "tp050-no-tag-session",
            Kind::Tp051PodIdentityNoTags => "tp051-no-tags",
            Kind::Tp060Oversized => "tp060-oversized",
            Kind::Tp061Placeholder => "tp061-placeholder",
            Kind::Tp062CrossAccountNoExternalId => "tp062-cross-account",
            Kind::Tp063NullIfExists => "tp063-null-if-exists",
            Kind::Tp064BadExternalId => "tp064-bad-external-id",
        }
    }

    /// The rule code the policy is built to raise (`None` for the valid kinds).
    pub(crate) fn expected_code(self) -> Option<String> {
        let slug = self.slug();
        slug.starts_with("tp")
            .then(|| slug[..5].to_ascii_uppercase())
    }

    pub(crate) fn is_valid(self) -> bool {
        self.expected_code().is_none()
    }

    /// The kind a file name was written with.
    pub(crate) fn from_file_name(name: &str) -> Option<Kind> {
        let stem = name.strip_suffix(".json")?;
        let (_, slug) = stem.split_once('-')?;
        Kind::ALL.iter().copied().find(|k| k.slug() == slug)
    }
}

/// One generated policy.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) kind: Kind,
    pub(crate) text: String,
}

/// The identity of one generated IRSA binding.
struct Irsa {
    partition: &'static str,
    account: String,
    issuer: String,
    namespace: String,
    service_account: String,
}

impl Irsa {
    fn random(rng: &mut Rng) -> Self {
        let (partition, region, suffix) = match rng.below(20) {
            0 => (
                "aws-cn",
                rng.pick(&["cn-north-1", "cn-northwest-1"]),
                "amazonaws.com.cn",
            ),
            1 => (
                "aws-us-gov",
                rng.pick(&["us-gov-west-1", "us-gov-east-1"]),
                "amazonaws.com",
            ),
            _ => (
                "aws",
                rng.pick(&[
                    "us-east-1",
                    "us-east-2",
                    "us-west-2",
                    "eu-west-1",
                    "eu-central-1",
                    "ap-southeast-2",
                    "ap-northeast-1",
                    "sa-east-1",
                ]),
                "amazonaws.com",
            ),
        };
        Self {
            partition,
            account: rng.digits(12),
            issuer: format!("oidc.eks.{region}.{suffix}/id/{}", rng.upper_hex(32)),
            namespace: rng.label(),
            service_account: rng.label(),
        }
    }

    fn provider_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:oidc-provider/{}",
            self.partition, self.account, self.issuer
        )
    }

    fn sub(&self) -> String {
        format!(
            "system:serviceaccount:{}:{}",
            self.namespace, self.service_account
        )
    }
}

/// JSON string literal (the generated values never need more than quotes escaped).
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Renders one IRSA statement in eksctl's layout.
#[allow(clippy::too_many_arguments)]
fn irsa_statement(
    principal: &str,
    action: &str,
    operator: &str,
    conditions: &[(String, String)],
    extra: &str,
) -> String {
    let mut s = String::new();
    s.push_str("    {\n      \"Effect\": \"Allow\",\n");
    let _ = writeln!(
        s,
        "      \"Principal\": {{\n        \"Federated\": {}\n      }},",
        q(principal)
    );
    let _ = writeln!(s, "      \"Action\": {},", action);
    s.push_str(extra);
    if conditions.is_empty() {
        // Drop the trailing comma of the Action line.
        let trimmed = s.trim_end().trim_end_matches(',').to_owned();
        s = trimmed;
        s.push('\n');
    } else {
        let _ = writeln!(s, "      \"Condition\": {{\n        {}: {{", q(operator));
        let body: Vec<String> = conditions
            .iter()
            .map(|(k, v)| format!("          {}: {}", q(k), v))
            .collect();
        s.push_str(&body.join(",\n"));
        s.push_str("\n        }\n      }\n");
    }
    s.push_str("    }");
    s
}

fn document(statements: &[String]) -> String {
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}\n",
        statements.join(",\n")
    )
}

fn standard_irsa(b: &Irsa, operator: &str, sub: &str, aud: &str) -> String {
    irsa_statement(
        &b.provider_arn(),
        &q("sts:AssumeRoleWithWebIdentity"),
        operator,
        &[
            (format!("{}:sub", b.issuer), q(sub)),
            (format!("{}:aud", b.issuer), q(aud)),
        ],
        "",
    )
}

fn pod_identity(tag_session: bool, tags: bool, rng: &mut Rng) -> String {
    let actions = if tag_session {
        "[\n        \"sts:AssumeRole\",\n        \"sts:TagSession\"\n      ]"
    } else {
        "\"sts:AssumeRole\""
    };
    let mut s = format!(
        "    {{\n      \"Sid\": \"AllowEksAuthToAssumeRoleForPodIdentity\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {{\n        \"Service\": \"pods.eks.amazonaws.com\"\n      }},\n      \"Action\": {actions}"
    );
    if tags {
        let _ = write!(
            s,
            ",\n      \"Condition\": {{\n        \"StringEquals\": {{\n          \"aws:RequestTag/kubernetes-namespace\": {},\n          \"aws:RequestTag/kubernetes-service-account\": {}\n        }}\n      }}",
            q(&rng.label()),
            q(&rng.label())
        );
    }
    s.push_str("\n    }");
    s
}

/// Generates one policy of `kind`.
#[allow(clippy::too_many_lines)]
pub(crate) fn generate(kind: Kind, rng: &mut Rng) -> Policy {
    let b = Irsa::random(rng);
    let sub = b.sub();
    let aud = "sts.amazonaws.com";
    let eq = "StringEquals";
    let text = match kind {
        Kind::ValidIrsa => document(&[standard_irsa(&b, eq, &sub, aud)]),
        Kind::ValidIrsaWildcardLike => {
            // A namespace-scoped service-account pattern is legitimate under StringLike with
            // `aud` kept exact in its own StringEquals block.
            let stmt = format!(
                "    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {{\n        \"Federated\": {}\n      }},\n      \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n      \"Condition\": {{\n        \"StringEquals\": {{\n          {}: {}\n        }},\n        \"StringLike\": {{\n          {}: {}\n        }}\n      }}\n    }}",
                q(&b.provider_arn()),
                q(&format!("{}:aud", b.issuer)),
                q(aud),
                q(&format!("{}:sub", b.issuer)),
                q(&format!("system:serviceaccount:{}:{}-?", b.namespace, b.service_account)),
            );
            document(&[stmt])
        }
        Kind::ValidPodIdentity => document(&[pod_identity(true, true, rng)]),
        Kind::Tp001Malformed => {
            let full = document(&[standard_irsa(&b, eq, &sub, aud)]);
            // Cut the document somewhere in its second half: an unterminated value.
            let cut = full.len() / 2 + rng.below(full.len() / 3);
            let mut cut_at = cut;
            while !full.is_char_boundary(cut_at) {
                cut_at -= 1;
            }
            full[..cut_at].to_owned()
        }
        Kind::Tp002NoVersion => {
            document(&[standard_irsa(&b, eq, &sub, aud)]).replace("  \"Version\": \"2012-10-17\",\n", "")
        }
        Kind::Tp003ResourceInTrust => document(&[irsa_statement(
            &b.provider_arn(),
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[
                (format!("{}:sub", b.issuer), q(&sub)),
                (format!("{}:aud", b.issuer), q(aud)),
            ],
            "      \"Resource\": \"*\",\n",
        )]),
        Kind::Tp004WildcardPrincipal => document(&[format!(
            "    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {},\n      \"Action\": \"sts:AssumeRole\"\n    }}",
            if rng.below(2) == 0 { "\"*\"" } else { "{\n        \"AWS\": \"*\"\n      }" }
        )]),
        Kind::Tp005BadSid => document(&[standard_irsa(&b, eq, &sub, aud)]).replacen(
            "      \"Effect\"",
            "      \"Sid\": \"allow irsa-binding\",\n      \"Effect\"",
            1,
        ),
        Kind::Tp006DuplicateKey => document(&[standard_irsa(&b, eq, &sub, aud)]).replacen(
            "      \"Effect\": \"Allow\",\n",
            "      \"Effect\": \"Deny\",\n      \"Effect\": \"Allow\",\n",
            1,
        ),
        Kind::Tp007NoEffect => document(&[standard_irsa(&b, eq, &sub, aud)])
            .replacen("      \"Effect\": \"Allow\",\n", "", 1),
        Kind::Tp010SchemeInProvider => document(&[irsa_statement(
            &format!(
                "arn:{}:iam::{}:oidc-provider/https://{}",
                b.partition, b.account, b.issuer
            ),
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[
                (format!("{}:sub", b.issuer), q(&sub)),
                (format!("{}:aud", b.issuer), q(aud)),
            ],
            "",
        )]),
        Kind::Tp011WrongAction => document(&[irsa_statement(
            &b.provider_arn(),
            &q("sts:AssumeRole"),
            eq,
            &[
                (format!("{}:sub", b.issuer), q(&sub)),
                (format!("{}:aud", b.issuer), q(aud)),
            ],
            "",
        )]),
        Kind::Tp012StarAction => document(&[irsa_statement(
            &b.provider_arn(),
            &q(if rng.below(2) == 0 { "*" } else { "sts:*" }),
            eq,
            &[
                (format!("{}:sub", b.issuer), q(&sub)),
                (format!("{}:aud", b.issuer), q(aud)),
            ],
            "",
        )]),
        Kind::Tp013NotAction => document(&[standard_irsa(&b, eq, &sub, aud)]).replacen(
            "\"Action\": \"sts:AssumeRoleWithWebIdentity\"",
            "\"NotAction\": \"iam:*\"",
            1,
        ),
        Kind::Tp014UnknownOperator => document(&[standard_irsa(
            &b,
            rng.pick(&["StringEqual", "StringEqualsIgnorecase", "StringsEquals", "stringEquals"]),
            &sub,
            aud,
        )]),
        Kind::Tp020NoCondition => document(&[irsa_statement(
            &b.provider_arn(),
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[],
            "",
        )]),
        Kind::Tp021ProviderMismatch => {
            let other = Irsa::random(rng);
            document(&[irsa_statement(
                &b.provider_arn(),
                &q("sts:AssumeRoleWithWebIdentity"),
                eq,
                &[
                    (format!("{}:sub", other.issuer), q(&sub)),
                    (format!("{}:aud", other.issuer), q(aud)),
                ],
                "",
            )])
        }
        Kind::Tp022HttpsInKey => document(&[irsa_statement(
            &b.provider_arn(),
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[
                (format!("https://{}:sub", b.issuer), q(&sub)),
                (format!("https://{}:aud", b.issuer), q(aud)),
            ],
            "",
        )]),
        Kind::Tp023SelfManagedIssuer => {
            let host = format!("oidc.{}.example.org", rng.label());
            document(&[irsa_statement(
                &format!("arn:aws:iam::{}:oidc-provider/{host}", b.account),
                &q("sts:AssumeRoleWithWebIdentity"),
                eq,
                &[
                    (format!("{host}:sub"), q(&sub)),
                    (format!("{host}:aud"), q(aud)),
                ],
                "",
            )])
        }
        Kind::Tp024NoAud => document(&[irsa_statement(
            &b.provider_arn(),
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[(format!("{}:sub", b.issuer), q(&sub))],
            "",
        )]),
        Kind::Tp025AudTypo => document(&[standard_irsa(
            &b,
            eq,
            &sub,
            rng.pick(&[
                "sts.amazon.com",
                "https://sts.amazonaws.com",
                "sts.us-east-1.amazonaws.com",
            ]),
        )]),
        Kind::Tp026NoSub => document(&[irsa_statement(
            &b.provider_arn(),
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[(format!("{}:aud", b.issuer), q(aud))],
            "",
        )]),
        Kind::Tp027UpperCaseSub => document(&[standard_irsa(
            &b,
            eq,
            &format!(
                "system:serviceaccount:{}:{}",
                b.namespace.to_ascii_uppercase(),
                b.service_account
            ),
            aud,
        )]),
        Kind::Tp028WildcardUnderEquals => document(&[standard_irsa(
            &b,
            eq,
            &format!("system:serviceaccount:{}:*", b.namespace),
            aud,
        )]),
        Kind::Tp029BroadSub => document(&[irsa_statement(
            &b.provider_arn(),
            &q("sts:AssumeRoleWithWebIdentity"),
            "StringLike",
            &[(format!("{}:sub", b.issuer), q("system:serviceaccount:*"))],
            "",
        )]),
        Kind::Tp030ForAllValues => document(&[standard_irsa(
            &b,
            "ForAllValues:StringEquals",
            &sub,
            aud,
        )]),
        Kind::Tp040PartitionMismatch => {
            let wrong = if b.partition == "aws" { "aws-cn" } else { "aws" };
            document(&[irsa_statement(
                &format!("arn:{wrong}:iam::{}:oidc-provider/{}", b.account, b.issuer),
                &q("sts:AssumeRoleWithWebIdentity"),
                eq,
                &[
                    (format!("{}:sub", b.issuer), q(&sub)),
                    (format!("{}:aud", b.issuer), q(aud)),
                ],
                "",
            )])
        }
        Kind::Tp041ShortAccount => document(&[irsa_statement(
            &format!(
                "arn:{}:iam::{}:oidc-provider/{}",
                b.partition,
                &b.account[..11],
                b.issuer
            ),
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[
                (format!("{}:sub", b.issuer), q(&sub)),
                (format!("{}:aud", b.issuer), q(aud)),
            ],
            "",
        )]),
        Kind::Tp050PodIdentityNoTagSession => document(&[pod_identity(false, true, rng)]),
        Kind::Tp051PodIdentityNoTags => document(&[pod_identity(true, false, rng)]),
        Kind::Tp060Oversized => {
            // One binding per service account of a busy cluster: well over 4096 characters.
            let statements: Vec<String> = (0..12)
                .map(|i| {
                    standard_irsa(
                        &b,
                        eq,
                        &format!("system:serviceaccount:{}:{}-{i}", b.namespace, b.service_account),
                        aud,
                    )
                })
                .collect();
            document(&statements)
        }
        Kind::Tp061Placeholder => document(&[irsa_statement(
            "arn:aws:iam::${ACCT_ID}:oidc-provider/${OIDC_PROVIDER}",
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[
                ("${OIDC_PROVIDER}:sub".to_owned(), q(&sub)),
                ("${OIDC_PROVIDER}:aud".to_owned(), q(aud)),
            ],
            "",
        )]),
        Kind::Tp062CrossAccountNoExternalId => document(&[format!(
            "    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {{\n        \"AWS\": \"arn:aws:iam::{}:root\"\n      }},\n      \"Action\": \"sts:AssumeRole\"\n    }}",
            rng.digits(12)
        )]),
        Kind::Tp063NullIfExists => document(&[irsa_statement(
            &b.provider_arn(),
            &q("sts:AssumeRoleWithWebIdentity"),
            eq,
            &[
                (format!("{}:sub", b.issuer), q(&sub)),
                (format!("{}:aud", b.issuer), q(aud)),
            ],
            "",
        )
        .replacen(
            "      \"Condition\": {\n",
            &format!(
                "      \"Condition\": {{\n        \"NullIfExists\": {{\n          {}: \"false\"\n        }},\n",
                q(&format!("{}:sub", b.issuer))
            ),
            1,
        )]),
        Kind::Tp064BadExternalId => document(&[format!(
            "    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {{\n        \"AWS\": \"arn:aws:iam::{}:root\"\n      }},\n      \"Action\": \"sts:AssumeRole\",\n      \"Condition\": {{\n        \"StringEquals\": {{\n          \"sts:ExternalId\": \"{} shared secret\"\n        }}\n      }}\n    }}",
            rng.digits(12),
            rng.label()
        )]),
    };
    Policy { kind, text }
}

/// `n` policies: `valid_percent`% valid ones (IRSA, namespace-scoped IRSA, Pod Identity), the
/// rest spread evenly over every invalid kind, in a seeded shuffled order.
pub(crate) fn corpus(n: usize, seed: u64) -> Vec<Policy> {
    let mut rng = Rng::new(seed);
    let valid: Vec<Kind> = Kind::ALL.iter().copied().filter(|k| k.is_valid()).collect();
    let invalid: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| !k.is_valid())
        .collect();
    (0..n)
        .map(|i| {
            // 40 % valid: the common case in a repository of policies is a correct one.
            let kind = if i % 5 < 2 {
                valid[rng.below(valid.len())]
            } else {
                invalid[(i / 5 * 3 + i % 5 - 2) % invalid.len()]
            };
            generate(kind, &mut rng)
        })
        .collect()
}

/// Writes `policies` into `dir` (emptied first) as `<index>-<kind>.json`.
pub(crate) fn write_dir(dir: &Path, policies: &[Policy]) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("could not empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    for (i, p) in policies.iter().enumerate() {
        let path = dir.join(format!("{i:05}-{}.json", p.kind.slug()));
        std::fs::write(&path, &p.text)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    Ok(())
}

/// One valid IRSA policy padded with extra statements (distinct service accounts) until it is at
/// least `bytes` long: the single-large-policy scaling input.
pub(crate) fn large_policy(bytes: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let b = Irsa::random(&mut rng);
    let mut statements = Vec::new();
    let mut len = 64;
    let mut i = 0;
    while len < bytes {
        let s = standard_irsa(
            &b,
            "StringEquals",
            &format!(
                "system:serviceaccount:{}:{}-{i}",
                b.namespace, b.service_account
            ),
            "sts.amazonaws.com",
        );
        len += s.len() + 2;
        statements.push(s);
        i += 1;
    }
    document(&statements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus() {
        let a = corpus(200, SEED);
        let b = corpus(200, SEED);
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.text == y.text && x.kind == y.kind)
        );
        let c = corpus(200, SEED + 1);
        assert!(a.iter().zip(&c).any(|(x, y)| x.text != y.text));
    }

    #[test]
    fn every_kind_appears_and_valid_ones_parse() {
        let policies = corpus(1000, SEED);
        for kind in Kind::ALL {
            assert!(policies.iter().any(|p| p.kind == *kind), "{kind:?} missing");
        }
        for p in &policies {
            let parsed = serde_json::from_str::<serde_json::Value>(&p.text);
            match p.kind {
                Kind::Tp001Malformed => assert!(parsed.is_err(), "{}", p.text),
                _ => assert!(
                    parsed.is_ok(),
                    "{:?}: {}\n{}",
                    p.kind,
                    parsed.unwrap_err(),
                    p.text
                ),
            }
        }
        let valid = policies.iter().filter(|p| p.kind.is_valid()).count();
        assert_eq!(valid, 400);
    }

    #[test]
    fn file_names_round_trip() {
        for kind in Kind::ALL {
            let name = format!("00042-{}.json", kind.slug());
            assert_eq!(Kind::from_file_name(&name), Some(*kind));
        }
        assert_eq!(
            Kind::Tp021ProviderMismatch.expected_code().as_deref(),
            Some("TP021")
        );
        assert_eq!(Kind::ValidIrsa.expected_code(), None);
    }

    #[test]
    fn large_policy_reaches_its_size() {
        for size in [1024, 100 * 1024] {
            let text = large_policy(size, SEED);
            assert!(
                text.len() >= size && text.len() < size + 1024,
                "{}",
                text.len()
            );
            assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
        }
    }
}
