//! `pullpass explain`: maps the AWS, registry, kubelet and credential-helper error texts people
//! paste into issues to their usual causes, the rules that would have caught them, and what to
//! do next. The one place that knows what AWS errors mean: the ECR backend asks here too
//! ([`cause_for_service_error`], [`cause_for_text`], [`cause_for_registry_status`]) with plain
//! strings, so AWS SDK types never reach the core.
//!
//! How a text is judged:
//! 1. Which services and tools it names ([`Scope`]): STS, the ECR API, a registry's `/v2/` API,
//!    S3 (layer downloads), EKS Pod Identity, a docker credential helper, the kubelet's
//!    credential provider, the instance metadata service. A cause about one service is only
//!    considered when the text names that service, so an STS `AccessDenied … status code: 403`
//!    never gets the registry's 403 explanation.
//! 2. Each cause of the table ([`table::CAUSES`]) whose matchers occur is a candidate, ranked by
//!    its tier (how specific the cause is) and then by the length of what matched.
//! 3. A candidate drops out when a better-ranked one names it in `supersedes` (the generic
//!    "registry refused" cause goes when "your authorization token has expired" matched).
//!
//! **Invariant:** every rule code a cause cites exists in the catalogue (a test checks it).

mod table;

/// One cause of an error and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Stable identifier of the cause (`sts-web-identity-denied`): tests and JSON use it.
    pub id: &'static str,
    /// Short name of the error (`AccessDenied on sts:AssumeRoleWithWebIdentity`).
    pub title: &'static str,
    /// The usual causes, most likely first.
    pub causes: &'static [&'static str],
    /// Rule codes that catch these causes before they fail (may be empty: not every failure
    /// is a policy or form mistake).
    pub rules: &'static [&'static str],
    /// What to run or check next, in the order to do it.
    pub next_steps: &'static [Step],
}

impl Explanation {
    /// The explanation in one line, for an error message: title, causes, rules, first step.
    #[must_use]
    pub fn one_line(&self) -> String {
        let mut out = format!("{}: {}", self.title, self.causes.join("; or "));
        if !self.rules.is_empty() {
            out.push_str(&format!(" (rules {})", self.rules.join(", ")));
        }
        if let Some(step) = self.next_steps.first() {
            match step {
                Step::Run(command) => out.push_str(&format!("; next: `{command}`")),
                Step::Check(what) => out.push_str(&format!("; next: {what}")),
            }
        }
        out
    }
}

/// One next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A command to run (placeholders in `<angle brackets>`).
    Run(&'static str),
    /// Something to check or change by hand.
    Check(&'static str),
}

impl Step {
    /// The step's text, whatever its kind.
    #[must_use]
    pub fn text(&self) -> &'static str {
        match self {
            Step::Run(s) | Step::Check(s) => s,
        }
    }
}

/// A service or tool an error text can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// AWS STS (AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity…).
    Sts,
    /// The ECR API (`api.ecr.…`: GetAuthorizationToken, DescribeImages…).
    EcrApi,
    /// A registry's `/v2/` API as docker, containerd or kubelet talk to it.
    Registry,
    /// S3, where ECR (and Docker Hub) serve image layers from.
    S3,
    /// EKS Pod Identity: associations, the agent, the EKS Auth API.
    PodIdentity,
    /// A docker credential helper (`docker-credential-…`, `credsStore`, `credHelpers`).
    Helper,
    /// The kubelet's image credential provider plugin.
    Kubelet,
    /// The EC2 instance metadata service.
    Imds,
}

/// What names a scope in a (lower-cased, whitespace-folded) text.
const SCOPE_WORDS: &[(Scope, &[&str])] = &[
    (
        Scope::Sts,
        &[
            "sts:",
            "://sts.",
            "sts.amazonaws.com",
            "operation error sts",
            "assumerole",
            "webidentity",
            "web identity",
            "awssecuritytokenservice",
            "getcalleridentity",
            "get-caller-identity",
            "getsessiontoken",
            "service: sts",
            "invalididentitytoken",
            "openidconnect provider",
        ],
    ),
    (
        Scope::EcrApi,
        &[
            "ecr:",
            "operation error ecr",
            "getauthorizationtoken",
            "api.ecr.",
            "://ecr.",
            "describeimages",
            "describerepositories",
            "listimages",
            "aws ecr ",
            "ecr get-login",
            "ecr authorization token",
            "repositorynotfoundexception",
            "imagenotfoundexception",
        ],
    ),
    (
        Scope::Registry,
        &[
            ".dkr.ecr.",
            "public.ecr.aws",
            "/v2/",
            "pull access denied",
            "no basic auth credentials",
            "failed to resolve reference",
            "failed to resolve ref",
            "error response from daemon",
            "failed to pull image",
            "docker pull",
            "docker push",
            "/manifests/",
            "/blobs/",
            "docker.io",
            "error pulling image",
            "errimagepull",
            "imagepullbackoff",
            "cannotpullcontainererror",
            "not continuing with pull",
            "login attempt to",
            " denied:",
            "unauthorized: authentication required",
            "insufficient_scope",
            "manifest unknown",
            "name unknown",
            "error parsing http 403 response body",
        ],
    ),
    (
        Scope::S3,
        &[
            "<error><code>accessdenied</code>",
            "starport-layer-bucket",
            "s3:getobject",
            ".s3.amazonaws.com",
            "s3.amazonaws.com",
            "gateway endpoint",
        ],
    ),
    (
        Scope::PodIdentity,
        &[
            "podidentityassociation",
            "pod identity",
            "pod-identity",
            "eks auth",
            "eks-auth",
            "assumeroleforpodidentity",
            "169.254.170.23",
            "fd00:ec2::23",
            "pods.eks.amazonaws.com",
            "eks does not have permissions to assume",
        ],
    ),
    (
        Scope::Helper,
        &[
            "error storing credentials",
            "error erasing credentials",
            "error saving credentials",
            "could not erase credentials",
            "error getting credentials",
            "docker-credential-",
            "credshelpers",
            "credsstore",
            "credential helper",
            "ecr-login",
            "keychain",
        ],
    ),
    (
        Scope::Kubelet,
        &[
            "credential provider",
            "credentialprovider",
            "credential-provider",
            "cri auth plugins",
        ],
    ),
    (
        Scope::Imds,
        &[
            "169.254.169.254",
            "ec2 imds",
            "ec2imds",
            "ec2metadata",
            "instance metadata",
            "imds role",
        ],
    ),
];

/// A text that says the network failed, not the service.
pub(crate) const NETWORK: &[&str] = &[
    "dial tcp",
    "i/o timeout",
    "connection reset",
    "no such host",
    "tls handshake timeout",
    "tls handshake",
    "context deadline exceeded",
    "connect timeout",
    "connection refused",
    "network is unreachable",
    "no route to host",
    "request send failed",
    "send request failed",
    "host is down",
    "timed out",
    "timeout exceeded",
    "could not connect to the endpoint",
    "temporary failure in name resolution",
    "name or service not known",
    "x509:",
    "certificate signed by unknown authority",
    "unexpected response code for connect",
];

/// How specific a cause is; the first ranking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tier {
    /// Words many errors share (`403`, `unauthorized`).
    Generic = 1,
    /// An operation's or service's own error.
    Operation = 2,
    /// A phrase only this cause produces.
    Exact = 3,
}

/// One entry of the table: when it applies, and what it says.
pub(crate) struct Cause {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) tier: Tier,
    /// The cause is only considered when the text names one of these (empty: any text).
    pub(crate) scopes: &'static [Scope],
    /// All of one inner list must occur (lower case); any inner list may.
    pub(crate) all_of: &'static [&'static [&'static str]],
    /// Also applies when the text has one of these (and names the scope): network failures.
    pub(crate) network: bool,
    /// A check the words cannot express (an image reference without a registry host).
    pub(crate) test: Option<fn(&str) -> bool>,
    /// AWS error codes (exact) that mean this cause for a structured query…
    pub(crate) codes: &'static [&'static str],
    /// …from one of these operations (empty: any).
    pub(crate) operations: &'static [&'static str],
    /// Causes this one makes irrelevant when both match.
    pub(crate) supersedes: &'static [&'static str],
    pub(crate) causes: &'static [&'static str],
    pub(crate) rules: &'static [&'static str],
    pub(crate) next_steps: &'static [Step],
}

/// A structured question: what the ECR backend knows about a failed call.
#[derive(Debug, Clone, Copy, Default)]
struct Query<'a> {
    text: &'a str,
    code: Option<&'a str>,
    operation: Option<&'a str>,
}

/// Operations and the scope they belong to.
const OPERATION_SCOPES: &[(&str, Scope)] = &[
    ("AssumeRole", Scope::Sts),
    ("AssumeRoleWithWebIdentity", Scope::Sts),
    ("GetCallerIdentity", Scope::Sts),
    ("GetAuthorizationToken", Scope::EcrApi),
    ("DescribeRepositories", Scope::EcrApi),
    ("DescribeImages", Scope::EcrApi),
    ("ListImages", Scope::EcrApi),
    ("BatchGetImage", Scope::EcrApi),
    ("GetDownloadUrlForLayer", Scope::EcrApi),
    ("BatchCheckLayerAvailability", Scope::EcrApi),
    ("AssumeRoleForPodIdentity", Scope::PodIdentity),
    ("CreatePodIdentityAssociation", Scope::PodIdentity),
];

/// The causes of `error_text`, most likely first; empty when the text is no error pullpass
/// knows.
#[must_use]
pub fn explain(error_text: &str) -> Vec<Explanation> {
    rank(Query {
        text: error_text,
        ..Query::default()
    })
}

/// The best cause of a failed AWS call, in one line: `code` is the service's error code (or
/// `HTTP <status>` when the body was not readable), `message` its message, `operation` the API
/// operation (`GetAuthorizationToken`).
#[must_use]
pub fn cause_for_service_error(code: &str, message: &str, operation: &str) -> Option<String> {
    let text = format!("{code}: {message}");
    rank(Query {
        text: &text,
        code: Some(code),
        operation: Some(operation),
    })
    .first()
    .map(Explanation::one_line)
}

/// The best cause of a free-text failure (a credential provider's message chain), in one line.
#[must_use]
pub fn cause_for_text(text: &str) -> Option<String> {
    explain(text).first().map(Explanation::one_line)
}

/// The likely cause of an HTTP status from a registry's `/v2/` API (`ecr`: the host is ECR).
#[must_use]
pub fn cause_for_registry_status(status: u16, ecr: bool) -> Option<&'static str> {
    Some(match status {
        401 | 403 if ecr => {
            "the registry refused the token: an expired token, a token for another registry (an \
             ECR token works only for the account and region it was issued for), or missing pull \
             permissions (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer; rules EP001, EP002)"
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
    })
}

/// The likely cause when a registry host cannot be reached at all.
#[must_use]
pub fn cause_for_unreachable_registry() -> &'static str {
    "the registry host cannot be reached: DNS, a proxy or firewall, or (in a private subnet) a \
     missing VPC endpoint for `com.amazonaws.<region>.ecr.dkr` and the S3 gateway endpoint that \
     serves layers"
}

/// Pasted errors wrap lines, indent and escape quotes: compare lower case with single spaces.
fn normalise(text: &str) -> String {
    text.replace("\\n", " ")
        .replace("\\t", " ")
        .replace("\\\"", "\"")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

fn scopes_named(text: &str, operation: Option<&str>) -> Vec<Scope> {
    let mut named: Vec<Scope> = SCOPE_WORDS
        .iter()
        .filter(|(_, words)| words.iter().any(|w| text.contains(w)))
        .map(|(scope, _)| *scope)
        .collect();
    if let Some(op) = operation {
        for (name, scope) in OPERATION_SCOPES {
            if op.eq_ignore_ascii_case(name) && !named.contains(scope) {
                named.push(*scope);
            }
        }
    }
    named
}

/// How well `cause` matches, if at all: the length of what matched.
fn score(cause: &Cause, text: &str, query: &Query<'_>, named: &[Scope]) -> Option<usize> {
    if !cause.scopes.is_empty() && !cause.scopes.iter().any(|s| named.contains(s)) {
        return None;
    }
    let mut best: Option<usize> = None;
    let mut consider = |n: usize| best = Some(best.map_or(n, |b| b.max(n)));
    for all in cause.all_of {
        if all.iter().all(|p| text.contains(p)) {
            consider(all.iter().map(|p| p.len()).sum());
        }
    }
    if cause.network
        && let Some(word) = NETWORK
            .iter()
            .filter(|w| text.contains(*w))
            .max_by_key(|w| w.len())
    {
        consider(word.len());
    }
    if cause.test.is_some_and(|test| test(text)) {
        consider(40);
    }
    if let Some(code) = query.code {
        let operation_fits = cause.operations.is_empty()
            || query
                .operation
                .is_some_and(|op| cause.operations.iter().any(|o| o.eq_ignore_ascii_case(op)));
        if operation_fits && cause.codes.contains(&code) {
            consider(code.len() + 20);
        }
    }
    best
}

fn rank(query: Query<'_>) -> Vec<Explanation> {
    let text = normalise(query.text);
    let named = scopes_named(&text, query.operation);
    let mut found: Vec<(u32, usize, &Cause)> = table::CAUSES
        .iter()
        .enumerate()
        .filter_map(|(i, cause)| {
            let matched = score(cause, &text, &query, &named)?;
            let key = (cause.tier as u32) * 10_000 + u32::try_from(matched.min(9_999)).unwrap_or(0);
            Some((key, i, cause))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let superseded: Vec<&str> = found
        .iter()
        .flat_map(|(_, _, c)| c.supersedes.iter().copied())
        .collect();
    found
        .into_iter()
        .filter(|(_, _, c)| !superseded.contains(&c.id))
        .map(|(_, _, c)| Explanation {
            id: c.id,
            title: c.title,
            causes: c.causes,
            rules: c.rules,
            next_steps: c.next_steps,
        })
        .collect()
}

/// Every cause the table knows: `(id, title, rules)`, in table order.
#[must_use]
pub fn known_causes() -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    table::CAUSES
        .iter()
        .map(|c| (c.id, c.title, c.rules))
        .collect()
}

#[cfg(test)]
mod tests;
