//! The `TP…` and `EP…` rules, one file each, and what they share: the rule context, helpers
//! over OIDC principals and claim keys, and the permission evaluator of the EP rules.

use super::aws::{self, Arn};
use super::json::{Member, Value};
use super::model::{ConditionBlock, ConditionEntry, List, Policy, PrincipalValue, Statement};
use super::{LintContext, PolicyKind};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::RuleMeta;
use crate::text::TextRange;

pub(crate) mod eval;

/// Which documents a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every policy, whatever its kind (structure, JSON, placeholders).
    Any,
    Trust,
    Permissions,
    /// ECR repository policies.
    Repository,
}

type Check = fn(&mut Cx<'_>);

crate::rule_family! {
    checks: (Check, Scope),
    rules: [
        tp001_invalid_json::TP001,
        tp002_policy_shape::TP002 => (tp002_policy_shape::check, Scope::Any),
        tp003_unknown_element::TP003 => (tp003_unknown_element::check, Scope::Any),
        tp004_wildcard_principal::TP004 => (tp004_wildcard_principal::check, Scope::Trust),
        tp005_sid::TP005 => (tp005_sid::check, Scope::Any),
        tp006_duplicate_key::TP006 => (tp006_duplicate_key::check, Scope::Any),
        tp007_effect_action_missing::TP007 => (tp007_effect_action_missing::check, Scope::Any),
        tp010_federated_principal::TP010 => (tp010_federated_principal::check, Scope::Trust),
        tp011_action_principal_mismatch::TP011 => (tp011_action_principal_mismatch::check, Scope::Trust),
        tp012_action_wildcard::TP012 => (tp012_action_wildcard::check, Scope::Trust),
        tp013_allow_not_action::TP013 => (tp013_allow_not_action::check, Scope::Trust),
        tp014_unknown_operator::TP014 => (tp014_unknown_operator::check, Scope::Any),
        tp020_oidc_without_condition::TP020 => (tp020_oidc_without_condition::check, Scope::Trust),
        tp021_provider_mismatch::TP021 => (tp021_provider_mismatch::check, Scope::Trust),
        tp022_condition_key_scheme::TP022 => (tp022_condition_key_scheme::check, Scope::Trust),
        tp023_non_eks_issuer::TP023 => (tp023_non_eks_issuer::check, Scope::Trust),
        tp024_audience::TP024 => (tp024_audience::check, Scope::Trust),
        tp025_audience_typo::TP025 => (tp025_audience_typo::check, Scope::Trust),
        tp026_missing_sub::TP026 => (tp026_missing_sub::check, Scope::Trust),
        tp027_sub_format::TP027 => (tp027_sub_format::check, Scope::Trust),
        tp028_wildcard_without_like::TP028 => (tp028_wildcard_without_like::check, Scope::Any),
        tp029_broad_sub::TP029 => (tp029_broad_sub::check, Scope::Trust),
        tp030_set_operator_on_single_claim::TP030 => (tp030_set_operator_on_single_claim::check, Scope::Trust),
        tp031_equals_and_like::TP031 => (tp031_equals_and_like::check, Scope::Trust),
        tp032_expected_binding::TP032 => (tp032_expected_binding::check, Scope::Trust),
        tp033_never_matches::TP033 => (tp033_never_matches::check, Scope::Trust),
        tp034_unknown_action::TP034 => (tp034_unknown_action::check, Scope::Any),
        tp040_partition_mismatch::TP040 => (tp040_partition_mismatch::check, Scope::Trust),
        tp041_principal_account::TP041 => (tp041_principal_account::check, Scope::Trust),
        tp050_pod_identity_actions::TP050 => (tp050_pod_identity_actions::check, Scope::Trust),
        tp051_pod_identity_conditions::TP051 => (tp051_pod_identity_conditions::check, Scope::Trust),
        tp052_irsa_and_pod_identity::TP052 => (tp052_irsa_and_pod_identity::check, Scope::Trust),
        tp060_trust_policy_size::TP060 => (tp060_trust_policy_size::check, Scope::Trust),
        tp061_placeholder::TP061 => (tp061_placeholder::check, Scope::Any),
        tp062_cross_account_without_guard::TP062 => (tp062_cross_account_without_guard::check, Scope::Trust),
        tp063_operator_misuse::TP063 => (tp063_operator_misuse::check, Scope::Any),
        tp064_external_id_value::TP064 => (tp064_external_id_value::check, Scope::Trust),
        ep001_authorization_token::EP001 => (ep001_authorization_token::check, Scope::Permissions),
        ep002_pull_actions::EP002 => (ep002_pull_actions::check, Scope::Permissions),
        ep003_import_actions::EP003 => (ep003_import_actions::check, Scope::Permissions),
        ep004_broad_ecr_access::EP004 => (ep004_broad_ecr_access::check, Scope::Permissions),
        ep010_repository_principal::EP010 => (ep010_repository_principal::check, Scope::Repository),
        ep011_repository_pull_actions::EP011 => (ep011_repository_pull_actions::check, Scope::Repository),
        ep012_repository_resource::EP012 => (ep012_repository_resource::check, Scope::Repository),
    ],
}

/// Runs every rule that applies to `kind`. `keys_may_repeat`: as [`Cx::keys_may_repeat`].
pub(crate) fn run<'v>(
    text: &'v str,
    kind: Option<PolicyKind>,
    policy: &'v Policy<'v>,
    ctx: &'v LintContext,
    keys_may_repeat: bool,
) -> Vec<Diagnostic> {
    let placeholders = document_may_hold_placeholder(text.as_bytes());
    let facts: Vec<Facts<'v>> = policy
        .statements
        .iter()
        .map(|stmt| Facts::of(stmt, placeholders))
        .collect();
    let mut cx = Cx {
        text,
        kind,
        policy,
        ctx,
        facts: &facts,
        placeholders,
        keys_may_repeat,
        out: Vec::new(),
    };
    for (check, scope) in CHECKS {
        let applies = match scope {
            Scope::Any => true,
            Scope::Trust => kind == Some(PolicyKind::Trust),
            Scope::Permissions => kind == Some(PolicyKind::Permissions),
            Scope::Repository => kind == Some(PolicyKind::Repository),
        };
        if applies {
            check(&mut cx);
        }
    }
    cx.out
}

/// TP002 for a document whose top level is not an object.
pub(crate) fn not_an_object(root: &Value<'_>, out: &mut Vec<Diagnostic>) {
    out.push(
        Diagnostic::new(
            &tp002_policy_shape::TP002,
            format!(
                "the policy is {}, but an IAM policy is a JSON object with a `Statement`",
                root.type_name()
            ),
        )
        .with_help(r#"write `{"Version": "2012-10-17", "Statement": [ … ]}`"#)
        .with_range(root.range),
    );
}

/// What every rule sees.
#[derive(Debug)]
pub(crate) struct Cx<'v> {
    pub(crate) text: &'v str,
    pub(crate) kind: Option<PolicyKind>,
    pub(crate) policy: &'v Policy<'v>,
    pub(crate) ctx: &'v LintContext,
    /// What every statement is, computed once.
    pub(crate) facts: &'v [Facts<'v>],
    /// The document may hold a template placeholder somewhere; when false no string of it
    /// does ([`Cx::has_placeholder`]).
    pub(crate) placeholders: bool,
    /// Some object of the document may have a key twice (the parser's screen); when false
    /// none has (TP006).
    pub(crate) keys_may_repeat: bool,
    pub(crate) out: Vec<Diagnostic>,
}

/// Per-statement facts several rules need.
#[derive(Debug)]
pub(crate) struct Facts<'v> {
    pub(crate) oidc: List<OidcPrincipal<'v>>,
    pub(crate) kubernetes: bool,
    /// A condition that needs its key present names a key the request never carries (or a
    /// value the key never has): the statement can never match, nobody can use it (TP021,
    /// TP022, TP033 say why). Rules about what a statement admits stay silent on it.
    pub(crate) fails_closed: bool,
    /// What each key of [`Statement::condition_entries`] is, in order: read once here, since
    /// the statement's facts, TP021, TP022 and TP033 all ask.
    pub(crate) keys: Vec<KeyFacts<'v>>,
}

/// What a condition key is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyFacts<'v> {
    /// [`bare_issuer`] of the key.
    pub(crate) bare_issuer: Option<&'v str>,
    /// [`scheme_prefix`] of the claim's provider part; `None` for a key without a claim.
    pub(crate) scheme: Option<&'static str>,
    /// The claim's provider part, normalized ([`aws::normalize_provider`]); `None` for a key
    /// without a claim.
    pub(crate) provider: Option<&'v str>,
    /// [`absent_key`] in an `Allow` statement; `None` in others.
    pub(crate) absent: Option<AbsentKey>,
}

impl<'v> KeyFacts<'v> {
    fn of(entry: &ConditionEntry<'v>) -> Self {
        Self {
            bare_issuer: bare_issuer(entry.key),
            scheme: entry
                .claim
                .and_then(|(provider, _)| scheme_prefix(provider)),
            provider: entry
                .claim
                .map(|(provider, _)| aws::normalize_provider(provider)),
            absent: None,
        }
    }
}

impl<'v> Facts<'v> {
    /// `placeholders`: as [`Cx::placeholders`].
    fn of(stmt: &'v Statement<'v>, placeholders: bool) -> Self {
        let oidc = oidc_principals(stmt, placeholders);
        let kubernetes = oidc.iter().any(|p| p.eks.is_some())
            || claim_entries(stmt, "sub").any(|(_, e)| {
                e.values
                    .iter()
                    .any(|v| v.as_str().starts_with("system:serviceaccount"))
            });
        let allow = stmt.is_allow();
        let keys: Vec<KeyFacts<'v>> = stmt
            .condition_entries()
            .map(|(_, e)| {
                let mut facts = KeyFacts::of(e);
                if allow {
                    facts.absent = absent_key(stmt, &oidc, e, &facts, placeholders);
                }
                facts
            })
            .collect();
        let fails_closed = allow
            && stmt.condition_entries().zip(&keys).any(|((b, e), facts)| {
                needs_key(&b.op) && (facts.absent.is_some() || swapped_audience(e).is_some())
            });
        Self {
            oidc,
            kubernetes,
            fails_closed,
            keys,
        }
    }
}

/// Whether a condition operator is false when its key is absent from the request: a known,
/// positive operator without `IfExists` (negations, `Null` and `ForAllValues:` are true then).
pub(crate) fn needs_key(op: &super::model::Operator<'_>) -> bool {
    op.is_known()
        && !op.if_exists
        && op.base != "Null"
        && !op.is_negation()
        && op.qualifier != Some(super::model::SetQualifier::ForAllValues)
}

/// Why a condition key is never in the request this statement answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AbsentKey {
    /// The issuer alone, with no `:sub`/`:aud` claim (TP033).
    BareIssuer,
    /// A URL scheme or an ARN prefix in the key (TP022).
    Scheme,
    /// Another provider's claim (TP021).
    OtherProvider,
    /// A global key the IAM reference says a service principal's request does not carry
    /// (TP033, on the Pod Identity statement).
    NotForServicePrincipal,
}

/// Global condition keys that are absent when the caller is an AWS service principal, per the
/// "Availability" of each key in "AWS global condition context keys"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>):
/// `aws:PrincipalOrgID`/`aws:PrincipalOrgPaths` only when the principal is a member of an
/// organization, `aws:PrincipalTag/…` only for a user or role with tags. A service principal is
/// neither. (`aws:PrincipalArn`/`aws:PrincipalAccount`, documented as present in every signed
/// request, are not judged; `aws:SourceAccount`/`aws:SourceArn` are what a service sends.)
pub(crate) const NOT_FOR_SERVICE_PRINCIPALS: &[&str] = &[
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalTag/",
];

/// The issuer a bare-issuer key names (`oidc.eks.…/id/X`, `https://…`), when `key` is one: a
/// dotted host with no `:claim` after it. Every real condition key has a `prefix:`.
pub(crate) fn bare_issuer(key: &str) -> Option<&str> {
    // A key that starts and ends with a printable ASCII byte has no white space to trim.
    let printable = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    let key = if printable(key.as_bytes().first()) && printable(key.as_bytes().last()) {
        key
    } else {
        key.trim()
    };
    // A key with a `:` keeps it unless a scheme or ARN prefix is stripped below (trailing `/`s
    // are all the rest strips): most keys are `<provider>:<claim>` and answer here. Searched
    // from the end, where such a key's `:` is a few bytes in.
    if key.bytes().rev().any(|c| c == b':')
        && !(key.starts_with("https://") || key.starts_with("http://") || key.starts_with("arn:"))
    {
        return None;
    }
    let k = aws::normalize_provider(key);
    (!has_byte(k, b':') && k.contains('.') && !k.contains(char::is_whitespace)).then_some(k)
}

/// Why `key` is never present in the requests `stmt` answers; `None` when it may be. `facts`:
/// the entry's [`KeyFacts`] so far; `placeholders`: as [`Cx::placeholders`].
pub(crate) fn absent_key(
    stmt: &Statement<'_>,
    oidc: &[OidcPrincipal<'_>],
    entry: &ConditionEntry<'_>,
    facts: &KeyFacts<'_>,
    placeholders: bool,
) -> Option<AbsentKey> {
    let key = entry.key;
    if stmt.principals.len() == 1
        && is_pod_identity_statement(stmt)
        && NOT_FOR_SERVICE_PRINCIPALS.iter().any(|k| {
            if k.ends_with('/') {
                key.get(..k.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(k))
            } else {
                key.eq_ignore_ascii_case(k)
            }
        })
    {
        return Some(AbsentKey::NotForServicePrincipal);
    }
    if oidc.is_empty() || oidc.iter().any(|p| p.placeholder) || placeholders && has_placeholder(key)
    {
        return None;
    }
    if facts.bare_issuer.is_some() {
        return Some(AbsentKey::BareIssuer);
    }
    let provider = facts.provider?;
    if facts.scheme.is_some() {
        return Some(AbsentKey::Scheme);
    }
    if WEB_IDPS
        .iter()
        .any(|idp| idp.eq_ignore_ascii_case(provider))
        || oidc.iter().any(|p| same_provider(p.provider, provider))
    {
        return None;
    }
    Some(AbsentKey::OtherProvider)
}

/// Whether providers `a` and `b` are one ignoring case. An exact comparison first: a condition
/// key mostly spells its principal's provider the same way, and comparing 70-odd bytes
/// ignoring case cost twice a `memcmp`.
pub(crate) fn same_provider(a: &str, b: &str) -> bool {
    a == b || a.eq_ignore_ascii_case(b)
}

/// What a claim key's provider part wrongly starts with (TP022): `a URL scheme` (`https://`,
/// `http://`) or `an ARN prefix` (`arn:…`, `…:oidc-provider/`), ignoring case; `None` for a
/// bare issuer.
pub(crate) fn scheme_prefix(provider_part: &str) -> Option<&'static str> {
    const OIDC_PROVIDER: &[u8] = b":oidc-provider/";
    let starts = |prefix: &str| {
        provider_part
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if starts("https://") || starts("http://") {
        return Some("a URL scheme");
    }
    // A case-insensitive search without a lower-cased copy, compared only where a `:` is
    // (most provider parts have none): every condition key of every policy is asked.
    let b = provider_part.as_bytes();
    let oidc_provider = has_byte(provider_part, b':')
        && b.iter().enumerate().any(|(i, &c)| {
            c == b':'
                && b.get(i..i + OIDC_PROVIDER.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(OIDC_PROVIDER))
        });
    (starts("arn:") || oidc_provider).then_some("an ARN prefix")
}

/// Global keys that pin who the caller is (its ARN, account, organization) or tie the call to
/// a shared secret: a wildcard principal with one of these under a positive operator is
/// scoped, not open ("AWS global condition context keys",
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>;
/// `sts:ExternalId`, <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html>).
pub(crate) const CALLER_PINS: &[&str] = &[
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:userid",
    "aws:username",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "sts:ExternalId",
];

/// The caller-pinning condition entry of `stmt`: one of [`CALLER_PINS`] under an operator that
/// needs the key, with a value that is not a bare `*`.
pub(crate) fn caller_pin<'s, 'v>(stmt: &'s Statement<'v>) -> Option<&'s ConditionEntry<'v>> {
    stmt.condition_entries()
        .find(|(b, e)| {
            needs_key(&b.op)
                && CALLER_PINS.iter().any(|k| k.eq_ignore_ascii_case(e.key))
                && !e.values.is_empty()
                && e.values.iter().all(|v| v.as_str() != "*")
        })
        .map(|(_, e)| e)
}

/// What a condition on a key that is never present does, said truthfully: under an operator
/// that needs the key it never matches (nobody can use the statement); under a negation or
/// `…IfExists` it is always true (it restricts nothing).
pub(crate) fn direction(block: &ConditionBlock<'_>) -> &'static str {
    if needs_key(&block.op) {
        "the condition never matches and nobody can assume the role through this statement"
    } else {
        "the condition is always true and restricts nothing"
    }
}

/// A `system:serviceaccount:…` value under an `:aud` key: the subject written as the audience
/// (the token's `aud` is the audience, `sts.amazonaws.com`), which never matches.
pub(crate) fn swapped_audience<'e, 'v>(
    entry: &'e ConditionEntry<'v>,
) -> Option<&'e super::model::Str<'v>> {
    if !entry
        .claim
        .is_some_and(|(_, c)| c.eq_ignore_ascii_case("aud"))
    {
        return None;
    }
    entry
        .values
        .iter()
        .find(|v| v.as_str().starts_with("system:serviceaccount:"))
}

impl<'v> Cx<'v> {
    pub(crate) fn push(&mut self, mut d: Diagnostic) {
        // Only a text longer than the limit can hold a quote over it: most need no copy.
        d.map_text(|text| has_long_quote(text).then(|| elide_long_quotes(text)));
        self.out.push(d);
    }

    pub(crate) fn statements(&self) -> &'v [Statement<'v>] {
        &self.policy.statements
    }

    /// The OIDC provider principals of `stmt`.
    pub(crate) fn oidc(&self, stmt: &Statement<'_>) -> &'v [OidcPrincipal<'v>] {
        &self.facts[stmt.ordinal].oidc
    }

    /// An `Allow` statement for an OIDC provider.
    pub(crate) fn is_oidc_statement(&self, stmt: &Statement<'_>) -> bool {
        stmt.is_allow() && !self.oidc(stmt).is_empty()
    }

    /// A statement for Kubernetes service accounts: an EKS issuer, or `sub` values of the
    /// `system:serviceaccount:` form.
    pub(crate) fn kubernetes(&self, stmt: &Statement<'_>) -> bool {
        self.facts[stmt.ordinal].kubernetes
    }

    /// The statement can never match (see [`Facts::fails_closed`]).
    pub(crate) fn fails_closed(&self, stmt: &Statement<'_>) -> bool {
        self.facts[stmt.ordinal].fails_closed
    }

    /// Whether `s`, a string of the document or a slice of one, still holds a template
    /// placeholder ([`has_placeholder`], answered at once for a document without any).
    pub(crate) fn has_placeholder(&self, s: &str) -> bool {
        self.placeholders && has_placeholder(s)
    }

    /// The role ARN of the context, when it parses.
    pub(crate) fn role(&self) -> Option<Arn<'v>> {
        self.ctx.role_arn.as_deref().and_then(aws::role_arn)
    }
}

/// Quoted spans longer than this many characters are elided ([`elide_long_quotes`]).
const ELIDE_OVER: usize = 120;

/// Whether [`elide_long_quotes`] may change `message`: a `` ` ``-separated span over
/// [`ELIDE_OVER`] bytes (a char is at least a byte, so a span within it is within as many
/// chars). Most messages have none, and then need no copy.
fn has_long_quote(message: &str) -> bool {
    if message.len() <= ELIDE_OVER {
        return false;
    }
    // Backticks found eight bytes at a time (SWAR, as the JSON parser finds quotes: the
    // lowest flagged byte of a word is exact); a finding's message has a few, and every
    // finding is asked.
    let b = message.as_bytes();
    // Where the open quote's text starts, when inside one.
    let mut open: Option<usize> = None;
    let mut tick = |at: usize| match open.take() {
        Some(from) => at - from > ELIDE_OVER,
        None => {
            open = Some(at + 1);
            false
        }
    };
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let flagged = crate::text::bytes_equal(u64::from_le_bytes(word), b'`');
        if flagged == 0 {
            i += 8;
            continue;
        }
        // Only the lowest flagged byte is sure to be a backtick: take it, and look again
        // from the byte after it.
        let at = i + (flagged.trailing_zeros() / 8) as usize;
        if tick(at) {
            return true;
        }
        i = at + 1;
    }
    for (at, &c) in b.iter().enumerate().skip(i) {
        if c == b'`' && tick(at) {
            return true;
        }
    }
    open.is_some_and(|from| b.len() - from > ELIDE_OVER)
}

/// Shortens every `` `quoted` `` span over 120 characters to its start and end, so a finding
/// about a huge value stays readable (the range still covers the whole value).
pub(crate) fn elide_long_quotes(message: &str) -> String {
    const MAX: usize = ELIDE_OVER;
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find('`') else { break };
        let quoted = &rest[..close];
        if quoted.chars().count() > MAX {
            let head: String = quoted.chars().take(50).collect();
            let tail: String = {
                let mut t: Vec<char> = quoted.chars().rev().take(30).collect();
                t.reverse();
                t.into_iter().collect()
            };
            let _ = std::fmt::Write::write_fmt(
                &mut out,
                format_args!("{head}…{tail} ({} characters)", quoted.chars().count()),
            );
        } else {
            out.push_str(quoted);
        }
        out.push('`');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A diagnostic at a range with a pointer.
///
/// The findings typical policies get join their messages from pieces (`[…].concat()`: the
/// length summed, one allocation) rather than `format!`, which guesses a capacity from the
/// literal text, grows it as the arguments arrive and pads each one (about 1,300 instructions
/// more a message, measured with callgrind; a typical policy lints in about 21,000).
pub(crate) fn at(
    rule: &'static RuleMeta,
    message: impl Into<String>,
    pointer: String,
    range: TextRange,
) -> Diagnostic {
    Diagnostic::new(rule, message)
        .with_pointer(pointer)
        .with_range(range)
}

/// A fix that replaces a string token with another string.
pub(crate) fn replace_string(message: impl Into<String>, range: TextRange, new: &str) -> Fix {
    Fix::safe(
        message,
        vec![Edit::replace(range, super::model::json_string(new))],
    )
}

/// An OIDC provider principal of a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OidcPrincipal<'v> {
    pub(crate) principal: &'v PrincipalValue<'v>,
    pub(crate) arn: Arn<'v>,
    /// Without scheme or trailing `/`.
    pub(crate) provider: &'v str,
    /// The provider still holds a template placeholder ([`has_placeholder`]), asked once here.
    pub(crate) placeholder: bool,
    /// The provider read as an EKS issuer ([`aws::eks_issuer`]), asked once here.
    pub(crate) eks: Option<aws::EksIssuer<'v>>,
}

/// `Federated` principals that are `…:oidc-provider/…` ARNs. `placeholders`: as
/// [`Cx::placeholders`].
pub(crate) fn oidc_principals<'v>(
    stmt: &'v Statement<'v>,
    placeholders: bool,
) -> List<OidcPrincipal<'v>> {
    stmt.principals_of("Federated")
        .filter_map(|p| {
            let arn = p.arn?;
            let raw_provider = arn.oidc_provider()?;
            let provider = aws::normalize_provider(raw_provider);
            Some(OidcPrincipal {
                principal: p,
                arn,
                provider,
                placeholder: placeholders && has_placeholder(provider),
                eks: aws::eks_issuer(provider),
            })
        })
        .collect()
}

/// Whether `s` holds the byte `b`: one pass without early exit, which the compiler vectorises
/// (quicker than `contains` for the short keys every rule asks about, mostly without it).
pub(crate) fn has_byte(s: &str, b: u8) -> bool {
    s.bytes().fold(false, |hit, c| hit | (c == b))
}

/// Whether `s` still holds a template placeholder (TP061 reports it; other rules skip it).
pub(crate) fn has_placeholder(s: &str) -> bool {
    may_hold_placeholder(s.as_bytes()) && !tp061_placeholder::placeholders(s).is_empty()
}

/// False when `b` cannot hold a placeholder of TP061: no `$`, `<` or `{`, and neither the
/// documentation's example account (`1111…`) nor its example ID (`EXAMPLE…`). One pass without
/// early exit, so the compiler vectorises it: the linter asks this of every key and string
/// (TP061 walks them all), and almost every answer is false.
pub(crate) fn may_hold_placeholder(b: &[u8]) -> bool {
    let mut hit = false;
    for &c in b {
        hit |= c == b'$' || c == b'<' || c == b'{';
    }
    if hit {
        return true;
    }
    let n = b.len();
    if n < 3 {
        return false;
    }
    // Three shifted views, compared with `&`/`|` (no short circuit) so the loop vectorises.
    for ((x, y), z) in b[..n - 2].iter().zip(&b[1..n - 1]).zip(&b[2..]) {
        hit |= ((*x == b'1') & (*y == b'1') & (*z == b'1'))
            | ((*x == b'E') & (*y == b'X') & (*z == b'A'));
    }
    hit
}

/// False when no key or value of the JSON document `b` can hold a placeholder of TP061, so
/// that the per-string scans (TP061's and every rule that skips placeholders) answer at once
/// for the usual document. Every string is a slice of the text unless it has an escape, and
/// `{` alone is JSON's own: without a backslash, `$`, `<`, `{{`, `111` and `EXA` in the
/// whole text, no string has one. Passes without early exit, like [`may_hold_placeholder`].
fn document_may_hold_placeholder(b: &[u8]) -> bool {
    let n = b.len();
    // First one pass over pairs that every document with a placeholder passes: each byte of
    // `$<\`, an `X` (the middle of `EXA`), `{{`, `11` (the head of `111`). Policies rarely
    // have any (hexadecimal IDs have no `X`), and this pass is two thirds of the exact one.
    if n >= 3 {
        let mut maybe = matches!(b[n - 1], b'$' | b'<' | b'\\');
        for (x, y) in b[..n - 1].iter().zip(&b[1..]) {
            maybe |= (*x == b'$')
                | (*x == b'<')
                | (*x == b'\\')
                | (*x == b'X')
                | ((*x == b'{') & (*y == b'{'))
                | ((*x == b'1') & (*y == b'1'));
        }
        if !maybe {
            return false;
        }
    }
    let mut hit = false;
    for &c in b {
        hit |= (c == b'$') | (c == b'<') | (c == b'\\');
    }
    let n = b.len();
    if hit || n < 3 {
        return hit;
    }
    // A `{{` inside a string is followed by at least its closing quote, so the last pair
    // need not be looked at.
    for ((x, y), z) in b[..n - 2].iter().zip(&b[1..n - 1]).zip(&b[2..]) {
        hit |= ((*x == b'{') & (*y == b'{'))
            | ((*x == b'1') & (*y == b'1') & (*z == b'1'))
            | ((*x == b'E') & (*y == b'X') & (*z == b'A'));
    }
    hit
}

/// The EKS Pod Identity service principal.
pub(crate) const POD_IDENTITY_SERVICE: &str = "pods.eks.amazonaws.com";

/// An `Allow` statement for the EKS Pod Identity service.
pub(crate) fn is_pod_identity_statement(stmt: &Statement<'_>) -> bool {
    stmt.is_allow()
        && stmt
            .principals_of("Service")
            .any(|p| p.value.text == Some(POD_IDENTITY_SERVICE))
}

/// Splits an identity-provider condition key `<provider>:<claim>`; `None` for global keys
/// (`aws:…`, `sts:…`) and others without a provider part.
pub(crate) fn claim_key(key: &str) -> Option<(&str, &str)> {
    // Byte loops that stop early: the claim is a short tail, and an issuer's first dot comes
    // within a few bytes (every condition key of every policy is split here).
    let colon = key.as_bytes().iter().rposition(|&c| c == b':')?;
    let (provider, claim) = (&key[..colon], &key[colon + 1..]);
    // A `.` before the provider's first `:` (if any): a host.
    if provider.bytes().find(|&c| c == b'.' || c == b':') == Some(b'.') {
        return Some((provider, claim));
    }
    let head = provider.split_once(':').map_or(provider, |(h, _)| h);
    let is_provider = provider.starts_with("arn:")
        || head.eq_ignore_ascii_case("https")
        || head.eq_ignore_ascii_case("http")
        || has_byte(provider, b'$') && provider.contains("${")
        || has_placeholder(provider);
    is_provider.then_some((provider, claim))
}

/// Condition entries of `stmt` on the `<provider>:<claim>` key (claim case-insensitive).
pub(crate) fn claim_entries<'s, 'v>(
    stmt: &'s Statement<'v>,
    claim: &'static str,
) -> impl Iterator<Item = (&'s ConditionBlock<'v>, &'s ConditionEntry<'v>)> {
    stmt.condition_entries()
        .filter(move |(_, e)| e.claim.is_some_and(|(_, c)| c.eq_ignore_ascii_case(claim)))
}

/// Condition entries of `stmt` on the key `key` (case-insensitive).
pub(crate) fn key_entries<'s, 'v>(
    stmt: &'s Statement<'v>,
    key: &'static str,
) -> impl Iterator<Item = (&'s ConditionBlock<'v>, &'s ConditionEntry<'v>)> {
    stmt.condition_entries()
        .filter(move |(_, e)| e.key.eq_ignore_ascii_case(key))
}

/// Closest candidate by edit distance (case-insensitive), if close enough to be a typo.
pub(crate) fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let limit = (word.len() / 4).clamp(1, 4);
    // Chars counted by byte length when ASCII (every catalogue of names is): counting chars
    // of each of dozens of candidates was a third of a call.
    let count = |s: &str| {
        if s.is_ascii() {
            s.len()
        } else {
            s.chars().count()
        }
    };
    let chars = count(word);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // Only a candidate closer than the best so far can take its place (the first of
        // equally close ones stays), so the distance is bounded by that.
        let bound = match best {
            None => limit,
            Some((0, _)) => break,
            Some((d, _)) => d - 1,
        };
        // The distance is at least the difference in length: a candidate further off than
        // `bound` that way can never be the answer (this skips most of them cheaply).
        if count(c).abs_diff(chars) > bound {
            continue;
        }
        // The distance folds ASCII case itself: no lower-cased copy of `word`.
        if let Some(d) = crate::text::edit_distance_ignore_ascii_case_within(word, c, bound) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edits that delete `members[index]` from its object, with the comma that separates it.
pub(crate) fn delete_member(text: &str, members: &[Member<'_>], index: usize) -> Edit {
    let m = &members[index];
    let range = if index + 1 < members.len() {
        TextRange::new(
            m.key_range.start as usize,
            members[index + 1].key_range.start as usize,
        )
    } else if index > 0 {
        TextRange::new(
            members[index - 1].value.range.end as usize,
            m.value.range.end as usize,
        )
    } else {
        m.range()
    };
    let _ = text;
    Edit::delete(range)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::super::{LintContext, PolicyKind, lint};
    use crate::Diagnostic;

    /// An eksctl-style IRSA trust policy.
    pub(crate) const IRSA: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub": "system:serviceaccount:coder:coder",
          "oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:aud": "sts.amazonaws.com"
        }
      }
    }
  ]
}"#;

    /// An EKS Pod Identity trust policy scoped to one service account.
    pub(crate) const POD: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowEksAuthToAssumeRoleForPodIdentity",
      "Effect": "Allow",
      "Principal": {"Service": "pods.eks.amazonaws.com"},
      "Action": ["sts:AssumeRole", "sts:TagSession"],
      "Condition": {
        "StringEquals": {
          "aws:RequestTag/kubernetes-namespace": "coder",
          "aws:RequestTag/kubernetes-service-account": "coder"
        }
      }
    }
  ]
}"#;

    /// `AmazonEC2ContainerRegistryReadOnly`.
    pub(crate) const READ_ONLY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:GetRepositoryPolicy",
        "ecr:DescribeRepositories",
        "ecr:ListImages",
        "ecr:DescribeImages",
        "ecr:BatchGetImage",
        "ecr:GetLifecyclePolicy",
        "ecr:GetLifecyclePolicyPreview",
        "ecr:ListTagsForResource",
        "ecr:DescribeImageScanFindings"
      ],
      "Resource": "*"
    }
  ]
}"#;

    /// Every finding on `text`, each held to the message style (`catalog::style`).
    #[track_caller]
    pub(crate) fn lint_with(text: &str, ctx: &LintContext) -> Vec<Diagnostic> {
        let found = lint(text, None, ctx).diagnostics;
        crate::catalog::style::assert_styled(&found);
        found
    }

    pub(crate) fn findings(code: &str, text: &str) -> Vec<Diagnostic> {
        findings_with(code, text, &LintContext::default())
    }

    pub(crate) fn findings_with(code: &str, text: &str, ctx: &LintContext) -> Vec<Diagnostic> {
        lint_with(text, ctx)
            .into_iter()
            .filter(|d| d.code() == code)
            .collect()
    }

    /// Asserts `code` fires on `text` and returns its findings.
    #[track_caller]
    pub(crate) fn fires(code: &str, text: &str) -> Vec<Diagnostic> {
        let found = findings(code, text);
        assert!(
            !found.is_empty(),
            "{code} did not fire on:\n{text}\nall: {:#?}",
            lint_with(text, &LintContext::default())
        );
        found
    }

    #[track_caller]
    pub(crate) fn silent(code: &str, text: &str) {
        let found = findings(code, text);
        assert!(found.is_empty(), "{code} fired on:\n{text}\n{found:#?}");
    }

    /// Applies the one fix of `d` to `text`.
    #[track_caller]
    pub(crate) fn fixed(text: &str, d: &Diagnostic) -> String {
        d.fix().expect("a fix").apply(text).expect("fix applies")
    }

    /// Replaces the first `from` with `to`, asserting it was there.
    #[track_caller]
    pub(crate) fn edit(text: &str, from: &str, to: &str) -> String {
        assert!(text.contains(from), "{from:?} not in the text");
        text.replacen(from, to, 1)
    }

    /// No errors and no warnings as `kind`.
    #[track_caller]
    pub(crate) fn clean(text: &str, kind: PolicyKind) {
        let out = lint(text, Some(kind), &LintContext::default());
        crate::catalog::style::assert_styled(&out.diagnostics);
        let bad: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.severity() != crate::Severity::Info)
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
    }
}

/// Built-in web identity providers a `Federated` principal may name without an ARN.
pub(crate) const WEB_IDPS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "www.amazon.com",
    "graph.facebook.com",
    "accounts.google.com",
];

/// The kinds of principal whose assume action is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalClass {
    /// An OIDC provider ARN or a built-in web identity provider.
    WebIdentity,
    Saml,
    PodIdentity,
}

impl PrincipalClass {
    /// The assume action this principal uses.
    pub(crate) fn main_action(self) -> &'static str {
        match self {
            Self::WebIdentity => "sts:AssumeRoleWithWebIdentity",
            Self::Saml => "sts:AssumeRoleWithSAML",
            Self::PodIdentity => "sts:AssumeRole",
        }
    }

    /// Every action that fits this principal.
    pub(crate) fn actions(self) -> &'static [&'static str] {
        match self {
            // An OIDC token may carry a source identity claim, like a SAML assertion.
            Self::WebIdentity => &[
                "sts:AssumeRoleWithWebIdentity",
                "sts:TagSession",
                "sts:SetSourceIdentity",
            ],
            Self::Saml => &[
                "sts:AssumeRoleWithSAML",
                "sts:TagSession",
                "sts:SetSourceIdentity",
            ],
            Self::PodIdentity => &["sts:AssumeRole", "sts:TagSession"],
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::WebIdentity => "an OIDC (web identity) principal",
            Self::Saml => "a SAML provider principal",
            Self::PodIdentity => "the EKS Pod Identity service (`pods.eks.amazonaws.com`)",
        }
    }
}

/// Distinct principal classes in first-seen order, kept inline: there are only three kinds,
/// and every trust statement with an action asks (a `Vec` was an allocation per statement).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Classes {
    items: [PrincipalClass; 3],
    len: usize,
}

impl Classes {
    fn contains(&self, class: &PrincipalClass) -> bool {
        self[..].contains(class)
    }

    fn push(&mut self, class: PrincipalClass) {
        self.items[self.len] = class;
        self.len += 1;
    }
}

impl std::ops::Deref for Classes {
    type Target = [PrincipalClass];

    fn deref(&self) -> &[PrincipalClass] {
        &self.items[..self.len]
    }
}

/// The classes of the statement's principals (each once).
pub(crate) fn principal_classes(stmt: &Statement<'_>) -> Classes {
    let mut out = Classes {
        items: [PrincipalClass::WebIdentity; 3],
        len: 0,
    };
    for p in &stmt.principals {
        let Some(v) = p.value.text else { continue };
        let class = match p.ptype {
            "Federated" if WEB_IDPS.contains(&v) => Some(PrincipalClass::WebIdentity),
            "Federated" => p.arn.and_then(|arn| {
                if arn.oidc_provider().is_some() {
                    Some(PrincipalClass::WebIdentity)
                } else if arn.saml_provider().is_some() {
                    Some(PrincipalClass::Saml)
                } else {
                    None
                }
            }),
            "Service" if v == POD_IDENTITY_SERVICE => Some(PrincipalClass::PodIdentity),
            _ => None,
        };
        if let Some(c) = class
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}

/// A fix that moves `entry` of `block` under the operator `target` of the same `Condition`:
/// renames the block when the entry is alone in it and `target` does not exist, else moves the
/// entry into the existing `target` block or a new one.
pub(crate) fn move_entry_fix(
    text: &str,
    stmt: &Statement<'_>,
    block: &ConditionBlock<'_>,
    entry: &ConditionEntry<'_>,
    target: &str,
    message: String,
) -> Option<Fix> {
    let condition = stmt.condition?;
    let cond_members = condition.value.as_object()?;
    let block_members = block.member.value.as_object()?;
    let block_index = cond_members
        .iter()
        .position(|m| std::ptr::eq(m, block.member))?;
    let entry_index = block_members
        .iter()
        .position(|m| std::ptr::eq(m, entry.member))?;
    let sibling = cond_members.iter().find(|m| m.key == target);
    if block_members.len() == 1 && sibling.is_none() {
        return Some(Fix::safe(
            message,
            vec![Edit::replace(
                block.member.key_range,
                super::model::json_string(target),
            )],
        ));
    }
    let entry_text = &text[entry.member.range().as_usize_range()];
    let delete = if block_members.len() == 1 {
        delete_member(text, cond_members, block_index)
    } else {
        delete_member(text, block_members, entry_index)
    };
    // The whitespace before an object's first member: reused so that a pretty-printed policy
    // stays pretty (one member per line) after the move.
    let lead = |open: usize, first: Option<usize>| -> &str {
        first
            .and_then(|f| text.get(open + 1..f))
            .filter(|ws| ws.contains('\n') && ws.trim().is_empty())
            .unwrap_or("")
    };
    let insert = match sibling {
        Some(s) => {
            let obj = s.value.as_object()?;
            let at = s.value.range.start as usize + 1;
            let ws = lead(
                s.value.range.start as usize,
                obj.first().map(|m| m.key_range.start as usize),
            );
            let sep = if obj.is_empty() {
                ""
            } else if ws.is_empty() {
                ", "
            } else {
                ","
            };
            Edit::insert(at, [ws, entry_text, sep].concat())
        }
        None => {
            let at = condition.value.range.start as usize;
            let ws = lead(at, cond_members.first().map(|m| m.key_range.start as usize));
            let sep = if ws.is_empty() { ", " } else { "," };
            let target = super::model::json_string(target);
            Edit::insert(at + 1, [ws, &target, ": {", entry_text, "}", sep].concat())
        }
    };
    Some(Fix::safe(message, vec![delete, insert]))
}

/// A fix that renames the operator block `block` to `target`; when the `Condition` already has
/// a `target` block, its entries move into that block instead (a rename would make a duplicate
/// key, and JSON readers keep only one of the two, dropping a condition). `None` when the two
/// blocks share a condition key (merging them would be a duplicate key too) or the shape is
/// not an object.
pub(crate) fn rename_block_fix(
    text: &str,
    stmt: &Statement<'_>,
    block: &ConditionBlock<'_>,
    target: &str,
    message: String,
) -> Option<Fix> {
    let condition = stmt.condition?;
    let cond_members = condition.value.as_object()?;
    let block_index = cond_members
        .iter()
        .position(|m| std::ptr::eq(m, block.member))?;
    let siblings: Vec<&Member<'_>> = cond_members
        .iter()
        .enumerate()
        .filter(|(i, m)| *i != block_index && m.key == target)
        .map(|(_, m)| m)
        .collect();
    let sibling = match siblings.as_slice() {
        [] => {
            return Some(Fix::safe(
                message,
                vec![Edit::replace(
                    block.member.key_range,
                    super::model::json_string(target),
                )],
            ));
        }
        [one] => *one,
        _ => return None,
    };
    let moving = block.member.value.as_object()?;
    let into = sibling.value.as_object()?;
    if moving
        .iter()
        .any(|m| into.iter().any(|n| n.key.eq_ignore_ascii_case(&m.key)))
    {
        return None;
    }
    let delete = delete_member(text, cond_members, block_index);
    let (Some(first), Some(last)) = (moving.first(), moving.last()) else {
        // An empty block: dropping it loses nothing.
        return Some(Fix::safe(message, vec![delete]));
    };
    let moved = text.get(first.key_range.start as usize..last.range().end as usize)?;
    let open = sibling.value.range.start as usize;
    let ws = into
        .first()
        .and_then(|f| text.get(open + 1..f.key_range.start as usize))
        .filter(|ws| ws.contains('\n') && ws.trim().is_empty())
        .unwrap_or("");
    let sep = if into.is_empty() {
        ""
    } else if ws.is_empty() {
        ", "
    } else {
        ","
    };
    Some(Fix::safe(
        message,
        vec![delete, Edit::insert(open + 1, [ws, moved, sep].concat())],
    ))
}

/// The audience STS expects in IRSA tokens.
pub(crate) const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// Whether `value` is a misspelt STS audience (TP025), for Kubernetes statements or not.
pub(crate) fn is_audience_typo(value: &str, kubernetes: bool) -> bool {
    if value == STS_AUDIENCE {
        return false;
    }
    let v = value.trim().to_ascii_lowercase();
    let v = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or(&v)
        .trim_end_matches('/');
    if v == STS_AUDIENCE || v == "sts.amazon.com" {
        return true;
    }
    if v == "sts.amazonaws.com.cn" {
        return kubernetes;
    }
    if let Some(region) = v.strip_prefix("sts.").and_then(|r| {
        r.strip_suffix(".amazonaws.com")
            .or_else(|| r.strip_suffix(".amazonaws.com.cn"))
    }) && aws::region_partition(region).is_some()
    {
        return true;
    }
    v.starts_with("sts.") && crate::text::edit_distance(v, STS_AUDIENCE) <= 2
}

#[cfg(test)]
mod tests {
    use super::super::{LintContext, PolicyKind, lint};
    use super::test_support::*;

    #[test]
    fn long_quotes_are_elided() {
        let long = "x".repeat(500);
        let m = super::elide_long_quotes(&format!("value `{long}` is bad, `short` too"));
        assert!(m.len() < 200, "{m}");
        assert!(
            m.contains("(500 characters)") && m.ends_with("`short` too"),
            "{m}"
        );
        assert_eq!(super::elide_long_quotes("a `b"), "a `b");
    }

    proptest::proptest! {
        /// The early-stopping split of a condition key answers as splitting at the last and
        /// first colons and searching the head does.
        #[test]
        fn claim_key_agrees_with_splitting(key in "[a.:$/{}1Eh-]{0,14}|(https?|arn|aws)[.:/a-z]{0,10}") {
            fn split(key: &str) -> Option<(&str, &str)> {
                let (provider, claim) = key.rsplit_once(':')?;
                let head = provider.split_once(':').map_or(provider, |(h, _)| h);
                let is_provider = head.contains('.')
                    || provider.starts_with("arn:")
                    || head.eq_ignore_ascii_case("https")
                    || head.eq_ignore_ascii_case("http")
                    || super::has_byte(provider, b'$') && provider.contains("${")
                    || super::has_placeholder(provider);
                is_provider.then_some((provider, claim))
            }
            proptest::prop_assert_eq!(super::claim_key(&key), split(&key));
        }
    }

    proptest::proptest! {
        /// The quick test says yes exactly when a quoted span (the text after an odd backtick)
        /// is over the limit, as splitting at every backtick does.
        #[test]
        fn long_quote_test_agrees_with_splitting(parts in proptest::collection::vec(0usize..200, 0..6), tail in 0usize..3) {
            let mut message = String::new();
            for (i, n) in parts.iter().enumerate() {
                if i > 0 {
                    message.push('`');
                }
                message.push_str(&"é".repeat(n / 2));
                message.push_str(&"x".repeat(n % 2 + tail));
            }
            let split = message.len() > super::ELIDE_OVER
                && message.as_bytes().split(|&b| b == b'`').skip(1).step_by(2).any(|q| q.len() > super::ELIDE_OVER);
            proptest::prop_assert_eq!(super::has_long_quote(&message), split);
        }
    }

    proptest::proptest! {
        /// The document-wide pre-check never hides a placeholder of a key or value.
        #[test]
        fn document_check_sees_every_placeholder(s in "[$<>{}1EXAMPLa_ \"\\\\]{0,16}") {
            let doc = format!("{{{}: [{}]}}", super::super::model::json_string(&s), super::super::model::json_string(&s));
            if super::has_placeholder(&s) {
                proptest::prop_assert!(super::document_may_hold_placeholder(doc.as_bytes()), "{doc}");
            }
        }
    }

    #[test]
    fn valid_policies_are_clean() {
        clean(IRSA, PolicyKind::Trust);
        clean(POD, PolicyKind::Trust);
        clean(READ_ONLY, PolicyKind::Permissions);
        let out = lint(IRSA, None, &LintContext::default());
        assert_eq!(out.kind, Some(PolicyKind::Trust));
        assert!(out.kind_detected);
        assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
        let out = lint(READ_ONLY, None, &LintContext::default());
        assert_eq!(out.kind, Some(PolicyKind::Permissions));
        assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    }
}
