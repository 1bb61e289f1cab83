//! The policy model over the span-keeping JSON tree: statements, principals, actions,
//! resources and conditions, each still pointing at its source range.
//!
//! IAM accepts a single value or an array for `Statement`, `Action`, `Resource`, principal
//! values and condition values; the model flattens both forms into lists of [`Str`]s that know
//! their JSON pointer and range. Element names (`Statement`, `Effect`, …) are matched exactly;
//! a wrong-case element is still read (so later rules see it) and TP003 reports it.

use std::fmt::Write as _;

use super::aws::Arn;
use super::json::{Member, Value, ValueKind};
use crate::text::{TextRange, bytes_equal, find_flagged};

/// Top-level policy elements.
pub const TOP_KEYS: &[&str; 3] = &["Version", "Id", "Statement"];
/// Statement elements.
pub const STATEMENT_KEYS: &[&str; 9] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Escapes one JSON-pointer segment (`~` → `~0`, `/` → `~1`).
pub(crate) fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    // Whole runs between the characters to escape (a char at a time was a pointer's cost).
    let mut rest = segment;
    while let Some(i) = find_flagged(rest.as_bytes(), |w| {
        bytes_equal(w, b'~') | bytes_equal(w, b'/')
    }) {
        pointer.push_str(&rest[..i]);
        pointer.push_str(if rest.as_bytes()[i] == b'~' {
            "~0"
        } else {
            "~1"
        });
        rest = &rest[i + 1..];
    }
    pointer.push_str(rest);
}

/// Appends a decimal index (a pointer's array step) without the formatting machinery.
fn push_index(pointer: &mut String, i: usize) {
    if i < 10 {
        pointer.push(char::from(b'0' + i as u8));
    } else {
        let _ = write!(pointer, "{i}");
    }
}

/// One step of a JSON pointer, kept unescaped until a finding needs the pointer.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'v> {
    Key(&'v str),
    Index(usize),
}

/// The JSON pointer of a path of segments.
#[must_use]
pub fn pointer_of(path: &[Seg<'_>]) -> String {
    let mut p = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => push_segment(&mut p, k),
            Seg::Index(i) => {
                p.push('/');
                push_index(&mut p, *i);
            }
        }
    }
    p
}

/// A string element (or a scalar that stands where a string should be), with where it is.
#[derive(Debug, Clone, Copy)]
pub struct Str<'v> {
    /// The decoded string; for numbers and booleans their source text; `None` for others.
    pub text: Option<&'v str>,
    pub node: &'v Value<'v>,
    /// Index in its array, `None` when the value was given as a single scalar.
    pub index: Option<usize>,
}

impl<'v> Str<'v> {
    #[must_use]
    pub fn range(&self) -> TextRange {
        self.node.range
    }

    #[must_use]
    pub fn is_string(&self) -> bool {
        matches!(self.node.kind, ValueKind::String(_))
    }

    /// The text, or `""` for a non-scalar.
    #[must_use]
    pub fn as_str(&self) -> &'v str {
        self.text.unwrap_or("")
    }

    /// `base` plus this element's index, if it has one.
    #[must_use]
    pub fn pointer(&self, base: &str) -> String {
        self.pointer_in(base.to_owned())
    }

    /// [`Str::pointer`] appended to `base` in place: a finding's pointer is built once, not
    /// formatted into a second string.
    pub(crate) fn pointer_in(&self, mut base: String) -> String {
        if let Some(i) = self.index {
            base.push('/');
            push_index(&mut base, i);
        }
        base
    }
}

/// A list of the model (actions, values, principals) that keeps a single element inline:
/// most are one (one action, one value, one principal), and a list of one then allocates
/// nothing (the model's lists were a fifth of a policy's allocations, issue 13's profile).
/// It reads as a slice.
#[derive(Debug, Clone)]
pub enum List<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut iter = iter.into_iter();
        let Some(first) = iter.next() else {
            return Self::default();
        };
        let Some(second) = iter.next() else {
            return Self::One(first);
        };
        let mut many = Vec::with_capacity(iter.size_hint().0 + 2);
        many.push(first);
        many.push(second);
        many.extend(iter);
        Self::Many(many)
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::iter::Chain<std::option::IntoIter<T>, std::vec::IntoIter<T>>;

    fn into_iter(self) -> Self::IntoIter {
        match self {
            Self::One(one) => Some(one).into_iter().chain(Vec::new()),
            Self::Many(many) => None.into_iter().chain(many),
        }
    }
}

/// A list of [`Str`]s.
pub type Strs<'v> = List<Str<'v>>;

/// One scalar (or another value, with no text) of a list.
fn scalar<'v>(node: &'v Value<'v>, index: Option<usize>) -> Str<'v> {
    let text = match &node.kind {
        ValueKind::String(s) => Some(&**s),
        ValueKind::Number(n) => Some(*n),
        ValueKind::Bool(true) => Some("true"),
        ValueKind::Bool(false) => Some("false"),
        _ => None,
    };
    Str { text, node, index }
}

/// Flattens a value that IAM accepts as a scalar or an array of scalars.
pub(crate) fn str_list<'v>(value: &'v Value<'v>) -> Strs<'v> {
    match &value.kind {
        ValueKind::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| scalar(v, Some(i)))
            .collect(),
        _ => List::One(scalar(value, None)),
    }
}

/// `Allow` or `Deny` (exact spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One principal value: its type (`AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for
/// `"Principal": "*"`) and the value.
#[derive(Debug, Clone, Copy)]
pub struct PrincipalValue<'v> {
    pub ptype: &'v str,
    /// The member holding this type, `None` for `"Principal": "*"`.
    pub member: Option<&'v Member<'v>>,
    pub value: Str<'v>,
    /// The value read as an ARN, once here: most rules about principals ask (issue 13's
    /// profile: six rules parsed each principal again).
    pub arn: Option<Arn<'v>>,
}

impl PrincipalValue<'_> {
    /// `/Statement/0/Principal/Federated` (+ `/i` for an array item).
    #[must_use]
    pub fn pointer(&self, stmt: &Statement<'_>) -> String {
        let mut base = stmt.ptr("Principal");
        if let Some(m) = self.member {
            push_segment(&mut base, &m.key);
        }
        self.value.pointer_in(base)
    }
}

/// `ForAllValues:` / `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// A condition operator name taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator<'v> {
    pub qualifier: Option<SetQualifier>,
    /// Without qualifier and `IfExists`: `StringEquals`.
    pub base: &'v str,
    pub if_exists: bool,
    /// `base` is one of [`OPERATORS`]: decided once here, since every rule that reads a
    /// condition asks (issue 13's profile).
    known: bool,
    /// A known operator that is a negation (`StringNotEquals`, `NotIpAddress`, …).
    negated: bool,
}

/// Every base condition operator IAM knows.
pub const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

impl<'v> Operator<'v> {
    #[must_use]
    pub fn parse(raw: &'v str) -> Self {
        let (qualifier, rest) = if let Some(rest) = raw.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = raw.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, raw)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) if !base.is_empty() => (base, true),
            _ => (rest, false),
        };
        let known = OPERATORS.contains(&base);
        Self {
            qualifier,
            base,
            if_exists,
            known,
            // A byte window, not `contains`: a substring search sets up a searcher for a
            // dozen bytes (a third of building a statement's conditions).
            negated: known && base.as_bytes().windows(3).any(|w| w == b"Not"),
        }
    }

    /// Whether IAM knows this operator (exact spelling).
    #[must_use]
    pub fn is_known(&self) -> bool {
        self.known
    }

    /// A known operator that negates (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, …).
    #[must_use]
    pub fn is_negation(&self) -> bool {
        self.negated
    }

    /// `StringEquals`, `StringNotEquals` and their `IgnoreCase` forms: no wildcards.
    #[must_use]
    pub fn is_string_equals_family(&self) -> bool {
        matches!(
            self.base,
            "StringEquals"
                | "StringNotEquals"
                | "StringEqualsIgnoreCase"
                | "StringNotEqualsIgnoreCase"
        )
    }

    #[must_use]
    pub fn is_string_like(&self) -> bool {
        self.base == "StringLike"
    }

    /// An operator that restricts to matching values (not a negation, not `Null`).
    #[must_use]
    pub fn is_positive_string_match(&self) -> bool {
        matches!(
            self.base,
            "StringEquals" | "StringEqualsIgnoreCase" | "StringLike"
        )
    }
}

/// One `"key": value(s)` under a condition operator.
#[derive(Debug, Clone)]
pub struct ConditionEntry<'v> {
    pub member: &'v Member<'v>,
    pub key: &'v str,
    /// The key split as an identity-provider claim `<provider>:<claim>`, `None` for global
    /// keys (`aws:…`): split once here, since most rules ask.
    pub claim: Option<(&'v str, &'v str)>,
    pub values: Strs<'v>,
    /// Where it sits, for [`ConditionEntry::pointer`] (built only when a finding needs it).
    pub place: Place<'v>,
}

/// The statement index and element names above a condition block or entry.
#[derive(Debug, Clone, Copy)]
pub struct Place<'v> {
    pub statement: Option<usize>,
    /// The `Condition` member's key as written.
    pub condition: &'v str,
    pub block: &'v str,
}

/// `/Statement/0`, or `/Statement` for a single statement object.
#[must_use]
pub fn statement_pointer(index: Option<usize>) -> String {
    // Room for the usual pointer below a statement (`/Condition/StringEquals/<key>`): it is
    // built by appending, and every finding has one.
    let mut p = String::with_capacity(128);
    p.push_str("/Statement");
    if let Some(i) = index {
        p.push('/');
        push_index(&mut p, i);
    }
    p
}

impl ConditionEntry<'_> {
    /// `/Statement/0/Condition/StringEquals/<key>`.
    #[must_use]
    pub fn pointer(&self) -> String {
        let mut p = statement_pointer(self.place.statement);
        push_segment(&mut p, self.place.condition);
        push_segment(&mut p, self.place.block);
        push_segment(&mut p, self.key);
        p
    }
}

impl ConditionBlock<'_> {
    /// `/Statement/0/Condition/StringEquals`.
    #[must_use]
    pub fn pointer(&self) -> String {
        let mut p = statement_pointer(self.place.statement);
        push_segment(&mut p, self.place.condition);
        push_segment(&mut p, self.place.block);
        p
    }
}

/// One operator block of a `Condition`.
#[derive(Debug, Clone)]
pub struct ConditionBlock<'v> {
    pub member: &'v Member<'v>,
    pub op: Operator<'v>,
    pub entries: Vec<ConditionEntry<'v>>,
    /// The operator's value is an object (else TP003 reports it and `entries` is empty).
    pub is_object: bool,
    pub place: Place<'v>,
}

/// [`Statement::condition_entries`]: a plain walk of the blocks and their entries. A `flat_map`
/// with a mapping closure cost about 90 instructions for a statement's usual two entries, and
/// most rules walk them (issue profile).
#[derive(Debug)]
struct ConditionEntries<'s, 'v> {
    blocks: std::slice::Iter<'s, ConditionBlock<'v>>,
    /// The block `entries` belong to (`None` before the first).
    block: Option<&'s ConditionBlock<'v>>,
    entries: std::slice::Iter<'s, ConditionEntry<'v>>,
}

impl<'s, 'v> Iterator for ConditionEntries<'s, 'v> {
    type Item = (&'s ConditionBlock<'v>, &'s ConditionEntry<'v>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(block) = self.block
                && let Some(entry) = self.entries.next()
            {
                return Some((block, entry));
            }
            let block = self.blocks.next()?;
            self.block = Some(block);
            self.entries = block.entries.iter();
        }
    }
}

/// One statement.
#[derive(Debug, Clone)]
pub struct Statement<'v> {
    pub node: &'v Value<'v>,
    pub members: &'v [Member<'v>],
    /// Index in the `Statement` array, `None` when `Statement` is a single object.
    pub index: Option<usize>,
    /// Position in [`Policy::statements`].
    pub ordinal: usize,
    pub sid: Option<&'v Member<'v>>,
    pub effect_member: Option<&'v Member<'v>>,
    pub effect: Option<Effect>,
    pub principal: Option<&'v Member<'v>>,
    pub not_principal: Option<&'v Member<'v>>,
    pub action: Option<&'v Member<'v>>,
    pub not_action: Option<&'v Member<'v>>,
    pub resource: Option<&'v Member<'v>>,
    pub not_resource: Option<&'v Member<'v>>,
    pub condition: Option<&'v Member<'v>>,
    pub principals: List<PrincipalValue<'v>>,
    pub actions: Strs<'v>,
    pub not_actions: Strs<'v>,
    pub resources: Strs<'v>,
    pub not_resources: Strs<'v>,
    pub conditions: List<ConditionBlock<'v>>,
}

impl<'v> Statement<'v> {
    /// `/Statement/0`, or `/Statement` when `Statement` is a single object.
    #[must_use]
    pub fn pointer(&self) -> String {
        statement_pointer(self.index)
    }

    /// `self.pointer()` + `/seg`.
    #[must_use]
    pub fn ptr(&self, segment: &str) -> String {
        let mut p = self.pointer();
        push_segment(&mut p, segment);
        p
    }

    #[must_use]
    pub fn is_allow(&self) -> bool {
        self.effect == Some(Effect::Allow)
    }

    /// Principal values of type `ptype` (exact).
    pub fn principals_of(&self, ptype: &'static str) -> impl Iterator<Item = &PrincipalValue<'v>> {
        self.principals.iter().filter(move |p| p.ptype == ptype)
    }

    /// Every condition entry with the block it sits in.
    pub fn condition_entries(
        &self,
    ) -> impl Iterator<Item = (&ConditionBlock<'v>, &ConditionEntry<'v>)> {
        ConditionEntries {
            blocks: self.conditions.iter(),
            block: None,
            entries: [].iter(),
        }
    }

    /// Whether any action (or a wildcard) in `Action` matches `action` (case-insensitive glob).
    #[must_use]
    pub fn action_matches(&self, action: &str) -> bool {
        self.actions
            .iter()
            .any(|a| super::glob::matches_ignore_case(a.as_str(), action))
    }
}

/// A parsed policy: the top-level members and its statements.
#[derive(Debug, Clone)]
pub struct Policy<'v> {
    pub root: &'v Value<'v>,
    pub members: &'v [Member<'v>],
    pub version: Option<&'v Member<'v>>,
    pub statement: Option<&'v Member<'v>>,
    pub statements: Vec<Statement<'v>>,
}

/// For each of `names`, the first member named exactly so, else the first that matches ignoring
/// case (wrong case is TP003's): one pass over the members, and a second only when some member
/// is not named exactly (element names differ from each other ignoring case, so a member named
/// exactly is nobody else's case-insensitive match). Asking for each name in turn walked the
/// members twice per name (issue 13's profile).
fn find_all<'v, const N: usize>(
    members: &'v [Member<'v>],
    names: &[&str; N],
) -> [Option<&'v Member<'v>>; N] {
    let mut found = [None; N];
    let mut inexact = false;
    for m in members {
        match names.iter().position(|n| *n == m.key) {
            Some(i) => {
                if found[i].is_none() {
                    found[i] = Some(m);
                }
            }
            None => inexact = true,
        }
    }
    if inexact {
        for m in members {
            for (slot, name) in found.iter_mut().zip(names) {
                if slot.is_none() && m.key.eq_ignore_ascii_case(name) {
                    *slot = Some(m);
                }
            }
        }
    }
    found
}

impl<'v> Policy<'v> {
    /// The model of `root`; `None` when the top level is not an object.
    #[must_use]
    pub fn build(root: &'v Value<'v>) -> Option<Self> {
        let members = root.as_object()?;
        let [version, statement] = find_all(members, &["Version", "Statement"]);
        // Exactly as many slots as there may be statements: a statement is over 500 bytes, and
        // the four slots a growing `Vec` starts with are a block too large for the allocator's
        // per-thread cache, so each policy paid a slow allocation and free.
        let mut statements = Vec::new();
        if let Some(member) = statement {
            match &member.value.kind {
                ValueKind::Object(_) => {
                    statements.reserve_exact(1);
                    statements.extend(Statement::build(&member.value, None));
                }
                ValueKind::Array(items) => {
                    statements.reserve_exact(items.len());
                    for (i, item) in items.iter().enumerate() {
                        statements.extend(Statement::build(item, Some(i)));
                    }
                }
                _ => {}
            }
        }
        for (ordinal, stmt) in statements.iter_mut().enumerate() {
            stmt.ordinal = ordinal;
        }
        Some(Self {
            root,
            members,
            version,
            statement,
            statements,
        })
    }
}

impl<'v> Statement<'v> {
    fn build(node: &'v Value<'v>, index: Option<usize>) -> Option<Self> {
        let members = node.as_object()?;
        let [
            sid,
            effect_member,
            principal,
            not_principal,
            action,
            not_action,
            resource,
            not_resource,
            condition,
        ] = find_all(members, STATEMENT_KEYS);
        let effect = effect_member.and_then(|m| match m.value.as_str() {
            Some("Allow") => Some(Effect::Allow),
            Some("Deny") => Some(Effect::Deny),
            _ => None,
        });
        let list = |m: Option<&'v Member<'v>>| m.map(|m| str_list(&m.value)).unwrap_or_default();
        let mut stmt = Self {
            node,
            members,
            sid,
            effect_member,
            effect,
            principal,
            not_principal,
            action,
            not_action,
            resource,
            not_resource,
            condition,
            principals: principal.map(read_principals).unwrap_or_default(),
            actions: list(action),
            not_actions: list(not_action),
            resources: list(resource),
            not_resources: list(not_resource),
            conditions: List::default(),
            index,
            ordinal: 0,
        };
        if let Some(c) = condition
            && let Some(blocks) = c.value.as_object()
        {
            stmt.conditions = blocks
                .iter()
                .map(|block| {
                    let place = Place {
                        statement: index,
                        condition: &c.key,
                        block: &block.key,
                    };
                    let entries = block
                        .value
                        .as_object()
                        .unwrap_or_default()
                        .iter()
                        .map(|entry| ConditionEntry {
                            member: entry,
                            key: &entry.key,
                            claim: super::rules::claim_key(&entry.key),
                            values: str_list(&entry.value),
                            place,
                        })
                        .collect();
                    ConditionBlock {
                        member: block,
                        op: Operator::parse(&block.key),
                        entries,
                        is_object: block.value.as_object().is_some(),
                        place,
                    }
                })
                .collect();
        }
        Some(stmt)
    }
}

fn read_principals<'v>(p: &'v Member<'v>) -> List<PrincipalValue<'v>> {
    // One principal value of type `ptype` (the member `member` holds), its ARN read once.
    let principal =
        |ptype: &'v str, member: Option<&'v Member<'v>>, value: Str<'v>| PrincipalValue {
            ptype,
            member,
            value,
            arn: value.text.and_then(Arn::parse),
        };
    match &p.value.kind {
        ValueKind::Object(types) => match &types[..] {
            // Most principals are one type with one value: read in place, not through a
            // `flat_map` of each type's list (which cost as much as reading the ARN).
            [t] if !matches!(t.value.kind, ValueKind::Array(_)) => {
                List::One(principal(&t.key, Some(t), scalar(&t.value, None)))
            }
            _ => types
                .iter()
                .flat_map(|t| {
                    str_list(&t.value)
                        .into_iter()
                        .map(move |value| principal(&t.key, Some(t), value))
                })
                .collect(),
        },
        _ => str_list(&p.value)
            .into_iter()
            .map(|value| principal("*", None, value))
            .collect(),
    }
}

/// Writes a JSON string literal for `s` (what a fix puts in place of a string token).
#[must_use]
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    // Whole runs between the characters to escape (all ASCII, so `i` is a char boundary).
    let mut rest = s;
    while let Some(i) = find_flagged(rest.as_bytes(), super::json::must_escape) {
        out.push_str(&rest[..i]);
        match rest.as_bytes()[i] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c => {
                let _ = write!(out, "\\u{:04x}", c);
            }
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('"');
    out
}
