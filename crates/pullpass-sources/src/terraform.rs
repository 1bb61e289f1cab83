//! Terraform: `.tf` configuration (through `hcl-edit`, which keeps a byte span on every
//! expression and limits nesting to 64 levels) and `terraform show -json` output.
//!
//! Policies: `aws_iam_role.assume_role_policy` (and `inline_policy.policy`),
//! `aws_iam_policy.policy`, `aws_iam_role_policy.policy`, `aws_iam_user_policy.policy`,
//! `aws_iam_group_policy.policy`, `aws_ecr_repository_policy.policy`, written as
//! `jsonencode({...})`, heredoc or quoted JSON, or `data.aws_iam_policy_document.<name>.json`.
//! Data sources are translated as the AWS provider does
//! (<https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document>):
//! `effect` defaults to `Allow`, one-element lists become strings, `principals` with type `*`
//! and identifiers `["*"]` become `"Principal": "*"`, `condition` blocks with one `test` merge.
//! Interpolations (`${var.x}`, references, function calls) become `${…}` placeholders.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::{Element, Template};
use pullpass_core::doctor::yaml::{self, Node, Value};
use pullpass_core::text::TextRange;

use crate::json_out::{JsonOut, Piece, dedented_lines};
use crate::{DocumentUse, Extracted, ExtractedPolicy, NotLinted, PolicyKind, SourceError};

fn range(r: Option<Range<usize>>) -> TextRange {
    r.map_or(TextRange::new(0, 0), |r| TextRange::new(r.start, r.end))
}

/// Resource type → (policy attribute, kind).
const RESOURCES: &[(&str, &str, PolicyKind)] = &[
    ("aws_iam_role", "assume_role_policy", PolicyKind::Trust),
    ("aws_iam_policy", "policy", PolicyKind::Permissions),
    ("aws_iam_role_policy", "policy", PolicyKind::Permissions),
    ("aws_iam_user_policy", "policy", PolicyKind::Permissions),
    ("aws_iam_group_policy", "policy", PolicyKind::Permissions),
    (
        "aws_ecr_repository_policy",
        "policy",
        PolicyKind::Repository,
    ),
];

/// Reads a `.tf` file.
#[must_use]
pub fn extract(text: &str) -> Extracted {
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(body) => body,
        Err(e) => {
            let at = e.location().offset().min(text.len());
            let at = (0..=at)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            return Extracted {
                error: Some(SourceError {
                    message: format!(
                        "not readable Terraform (HCL): {} (line {}, column {})",
                        e.message(),
                        e.location().line(),
                        e.location().column()
                    ),
                    range: TextRange::new(at, end),
                }),
                ..Extracted::default()
            };
        }
    };
    let cx = Tf { text };
    let mut documents: HashMap<&str, &Block> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for block in body.blocks() {
        if block.ident.as_str() == "data"
            && let [kind, name] = block.labels.as_slice()
            && kind.as_str() == "aws_iam_policy_document"
        {
            documents.insert(name.as_str(), block);
            order.push(name.as_str());
        }
    }
    // Who references each data document: (kind, owner, role name).
    let mut users: HashMap<&str, (PolicyKind, String, Option<String>)> = HashMap::new();
    let mut out = Extracted::default();
    for block in body.blocks() {
        if block.ident.as_str() != "resource" {
            continue;
        }
        let [rtype, rname] = block.labels.as_slice() else {
            continue;
        };
        let Some(&(_, attr, kind)) = RESOURCES.iter().find(|(t, _, _)| *t == rtype.as_str()) else {
            continue;
        };
        let owner = format!("{}.{}", rtype.as_str(), rname.as_str());
        let role_name = (rtype.as_str() == "aws_iam_role")
            .then(|| literal_attr(&block.body, "name"))
            .flatten();
        let mut targets: Vec<(&Expression, PolicyKind, String)> = Vec::new();
        if let Some(a) = block.body.get_attribute(attr) {
            targets.push((&a.value, kind, owner.clone()));
        }
        if rtype.as_str() == "aws_iam_role" {
            for inline in block.body.get_blocks("inline_policy") {
                if let Some(a) = inline.body.get_attribute("policy") {
                    let name = literal_attr(&inline.body, "name").unwrap_or_default();
                    targets.push((
                        &a.value,
                        PolicyKind::Permissions,
                        format!("{owner} inline_policy {name}")
                            .trim_end()
                            .to_owned(),
                    ));
                }
            }
        }
        for (expr, kind, owner) in targets {
            if let Some(doc) = data_reference(expr) {
                let role = (kind == PolicyKind::Trust)
                    .then(|| role_name.clone())
                    .flatten();
                if documents.contains_key(doc) {
                    users.entry(doc).or_insert((kind, owner, role));
                } else {
                    // Terraform reads every `.tf` file of a directory as one module: the
                    // block may be in a sibling file (`link_module` joins them).
                    out.document_uses.push(DocumentUse {
                        document: doc.to_owned(),
                        kind,
                        owner,
                        role_name: role,
                    });
                }
                continue;
            }
            let mut json = JsonOut::new();
            if cx.policy_expr(&mut json, expr) {
                out.policies.push(ExtractedPolicy {
                    json: json.text,
                    kind: Some(kind),
                    owner,
                    role_name: (kind == PolicyKind::Trust)
                        .then(|| role_name.clone())
                        .flatten(),
                    placeholders: json.placeholders,
                    map: json.map,
                    range: range(expr.span()),
                });
            }
        }
    }
    for name in order {
        let block = documents[name];
        if computed_document(block) {
            out.not_linted.push(NotLinted {
                owner: format!("data.aws_iam_policy_document.{name}"),
                range: range(block.span()),
                why: "its statements are computed by Terraform (`dynamic` blocks or merged documents); lint the plan (`terraform show -json`) to check them",
            });
            continue;
        }
        let mut json = JsonOut::new();
        cx.policy_document(&mut json, block);
        let (kind, owner, role_name) = match users.remove(name) {
            Some((kind, owner, role)) => (
                Some(kind),
                format!("data.aws_iam_policy_document.{name} (used by {owner})"),
                role,
            ),
            None => (None, format!("data.aws_iam_policy_document.{name}"), None),
        };
        out.policies.push(ExtractedPolicy {
            json: json.text,
            kind,
            owner,
            role_name,
            placeholders: json.placeholders,
            map: json.map,
            range: range(block.span()),
        });
    }
    out.policies.sort_by_key(|p| p.range.start);
    out
}

/// Joins the `.tf` files of one module directory (Terraform loads them as one module): a
/// resource's reference to a `data "aws_iam_policy_document"` block of a sibling file gives
/// that document its kind, its role's name and its user, as a reference within one file does.
/// `files` are (file name, extraction); returns the indices of the files whose policies
/// changed (their findings need linting again).
pub fn link_module(files: &mut [(&str, &mut Extracted)]) -> Vec<usize> {
    let mut changed = Vec::new();
    for i in 0..files.len() {
        let uses = files[i].1.document_uses.clone();
        let user_file = files[i]
            .0
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(files[i].0)
            .to_owned();
        for u in uses {
            let unused = format!("data.aws_iam_policy_document.{}", u.document);
            let target = files.iter_mut().enumerate().find_map(|(j, (_, ex))| {
                (j != i)
                    .then(|| {
                        ex.policies
                            .iter_mut()
                            .find(|p| p.kind.is_none() && p.owner == unused)
                    })
                    .flatten()
                    .map(|p| (j, p))
            });
            if let Some((j, p)) = target {
                p.kind = Some(u.kind);
                p.role_name = u.role_name;
                p.owner = format!("{unused} (used by {} in {user_file})", u.owner);
                if !changed.contains(&j) {
                    changed.push(j);
                }
            }
        }
    }
    changed.sort_unstable();
    changed
}

/// A document whose statements Terraform computes: `dynamic "statement"` (or a `dynamic`
/// block inside a statement: computed principals or conditions), or documents merged in
/// (`source_policy_documents`, `override_policy_documents`, the older `source_json` /
/// `override_json`). The public IRSA modules (terraform-aws-modules/iam
/// `iam-assumable-role-with-oidc`, `iam-role-for-service-accounts-eks`) are written this way.
/// Its static text is not the policy, so it is not linted (an empty `Statement` or a missing
/// `sub` there would judge what the plan fills in); `terraform show -json` has the result.
fn computed_document(block: &Block) -> bool {
    const MERGED: &[&str] = &[
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ];
    block.body.get_blocks("dynamic").next().is_some()
        || MERGED.iter().any(|a| block.body.get_attribute(a).is_some())
        || block
            .body
            .get_blocks("statement")
            .any(|st| st.body.get_blocks("dynamic").next().is_some())
}

/// `data.aws_iam_policy_document.NAME.json` (or `.minified_json`) → `NAME`.
fn data_reference(expr: &Expression) -> Option<&str> {
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    if root.as_str() != "data" {
        return None;
    }
    let attrs: Vec<&str> = t
        .operators
        .iter()
        .map(|op| match op.value() {
            TraversalOperator::GetAttr(id) => Some(id.as_str()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    match attrs.as_slice() {
        ["aws_iam_policy_document", name, "json" | "minified_json"] => Some(name),
        _ => None,
    }
}

fn literal_attr(body: &Body, key: &str) -> Option<String> {
    match &body.get_attribute(key)?.value {
        Expression::String(s) => Some(s.value().clone()),
        _ => None,
    }
}

struct Tf<'a> {
    text: &'a str,
}

impl Tf<'_> {
    fn source(&self, r: TextRange) -> &str {
        self.text.get(r.as_usize_range()).unwrap_or("")
    }

    /// A policy attribute's value: `jsonencode(...)` or JSON text. False when neither.
    fn policy_expr(&self, out: &mut JsonOut, expr: &Expression) -> bool {
        match expr {
            Expression::FuncCall(call)
                if call.name.namespace.is_empty() && call.name.name.as_str() == "jsonencode" =>
            {
                match call.args.iter().next() {
                    Some(arg) => {
                        self.value(out, arg);
                        true
                    }
                    None => false,
                }
            }
            Expression::String(_)
            | Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_) => match self.template_pieces(expr) {
                Some(pieces) => {
                    out.json_text(&pieces, false);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// A string-valued expression as pieces; `None` when it is not a string.
    fn template_pieces(&self, expr: &Expression) -> Option<Vec<Piece>> {
        match expr {
            Expression::String(s) => {
                let r = range(s.span());
                let src = self.source(r);
                let exact = src.len() == s.value().len() + 2
                    && &src[1..src.len() - 1] == s.value().as_str();
                Some(vec![Piece::Literal {
                    text: s.value().clone(),
                    source: if exact {
                        TextRange::new(r.start as usize + 1, r.end as usize - 1)
                    } else {
                        r
                    },
                    exact,
                }])
            }
            Expression::StringTemplate(t) => Some(self.elements(t, range(t.span()), 0)),
            Expression::HeredocTemplate(h) => {
                Some(self.elements(&h.template, range(h.span()), h.indent().unwrap_or(0)))
            }
            _ => None,
        }
    }

    /// A template's pieces; `indent`: the spaces a `<<-` heredoc strips from each line (its
    /// literals are then mapped line by line, see [`dedented_lines`]).
    fn elements(&self, t: &Template, whole: TextRange, indent: usize) -> Vec<Piece> {
        let mut pieces = Vec::new();
        for el in t.iter() {
            match el {
                Element::Literal(lit) => {
                    let r = lit.span().map_or(whole, |r| TextRange::new(r.start, r.end));
                    let exact = self.source(r) == lit.value().as_str();
                    let at = r.start as usize;
                    let lines = (!exact && indent > 0 && lit.span().is_some())
                        .then(|| {
                            let line_start =
                                at > 0 && self.text.as_bytes().get(at - 1) == Some(&b'\n');
                            dedented_lines(lit.value(), self.text, at, indent, line_start)
                        })
                        .flatten();
                    match lines {
                        Some(lines) => pieces.extend(lines),
                        None => pieces.push(Piece::Literal {
                            text: lit.value().clone(),
                            source: r,
                            exact,
                        }),
                    }
                }
                Element::Interpolation(i) => {
                    let r = range(i.expr.span());
                    pieces.push(Piece::Placeholder {
                        name: self.source(r).to_owned(),
                        source: r,
                    });
                }
                Element::Directive(_) => pieces.push(Piece::Placeholder {
                    name: "directive".to_owned(),
                    source: whole,
                }),
            }
        }
        pieces
    }

    /// An HCL value as JSON (what `jsonencode` makes of it).
    fn value(&self, out: &mut JsonOut, expr: &Expression) {
        let r = range(expr.span());
        match expr {
            Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) => {
                let from = out.mark();
                out.raw(self.source(r).trim());
                out.span(from, r);
            }
            Expression::String(_)
            | Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_) => {
                let pieces = self.template_pieces(expr).unwrap_or_default();
                out.pieces(&pieces, r);
            }
            Expression::Parenthesis(p) => self.value(out, p.inner()),
            Expression::Array(items) => {
                let from = out.mark();
                out.raw("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.raw(",");
                    }
                    self.value(out, item);
                }
                out.raw("]");
                out.span(from, r);
            }
            Expression::Object(obj) => {
                let from = out.mark();
                out.raw("{");
                for (i, (k, v)) in obj.iter().enumerate() {
                    if i > 0 {
                        out.raw(",");
                    }
                    let member = out.mark();
                    match k {
                        ObjectKey::Ident(id) => {
                            let kr = range(id.span());
                            out.string(id.as_str(), kr, Some(kr.start as usize));
                        }
                        ObjectKey::Expression(e) => self.value(out, e),
                    }
                    out.raw(":");
                    self.value(out, v.expr());
                    let kr = match k {
                        ObjectKey::Ident(id) => range(id.span()),
                        ObjectKey::Expression(e) => range(e.span()),
                    };
                    let vr = range(v.expr().span());
                    out.span(member, TextRange::new(kr.start as usize, vr.end as usize));
                }
                out.raw("}");
                out.span(from, r);
            }
            _ => out.placeholder(self.source(r), r),
        }
    }

    /// Writes a list attribute (one element: the element alone, as the provider does).
    fn list(&self, out: &mut JsonOut, expr: &Expression) {
        if let Expression::Array(items) = expr
            && items.len() == 1
            && let Some(item) = items.iter().next()
        {
            self.value(out, item);
        } else {
            self.value(out, expr);
        }
    }

    /// A `data "aws_iam_policy_document"` block as the policy JSON the provider renders.
    fn policy_document(&self, out: &mut JsonOut, block: &Block) {
        let whole = range(block.span());
        let from = out.mark();
        out.raw("{");
        match block.body.get_attribute("version") {
            Some(v) => {
                out.raw("\"Version\":");
                self.value(out, &v.value);
            }
            None => out.raw("\"Version\":\"2012-10-17\""),
        }
        if let Some(id) = block.body.get_attribute("policy_id") {
            out.raw(",\"Id\":");
            self.value(out, &id.value);
        }
        out.raw(",\"Statement\":[");
        for (i, st) in block.body.get_blocks("statement").enumerate() {
            if i > 0 {
                out.raw(",");
            }
            self.statement(out, st);
        }
        out.raw("]}");
        out.span(from, whole);
    }

    fn statement(&self, out: &mut JsonOut, st: &Block) {
        let whole = range(st.span());
        let from = out.mark();
        out.raw("{");
        let mut first = true;
        let mut member = |out: &mut JsonOut, key: &str, write: &dyn Fn(&mut JsonOut)| {
            if !first {
                out.raw(",");
            }
            first = false;
            out.raw("\"");
            out.raw(key);
            out.raw("\":");
            write(out);
        };
        if let Some(a) = st.body.get_attribute("sid") {
            member(out, "Sid", &|o| self.value(o, &a.value));
        }
        match st.body.get_attribute("effect") {
            Some(a) => member(out, "Effect", &|o| self.value(o, &a.value)),
            None => member(out, "Effect", &|o| o.raw("\"Allow\"")),
        }
        for (attr, key) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(a) = st.body.get_attribute(attr) {
                let a_span = range(a.span());
                member(out, key, &|o| {
                    let m = o.mark();
                    self.list(o, &a.value);
                    o.span(m, a_span);
                });
            }
        }
        for (ident, key) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let blocks: Vec<&Block> = st.body.get_blocks(ident).collect();
            if blocks.is_empty() {
                continue;
            }
            member(out, key, &|o| self.principals(o, &blocks));
        }
        let conditions: Vec<&Block> = st.body.get_blocks("condition").collect();
        if !conditions.is_empty() {
            member(out, "Condition", &|o| self.conditions(o, &conditions));
        }
        out.raw("}");
        out.span(from, whole);
    }

    fn principals(&self, out: &mut JsonOut, blocks: &[&Block]) {
        // `type = "*"`, `identifiers = ["*"]` is `"Principal": "*"`.
        if let [only] = blocks
            && matches!(&only.body.get_attribute("type").map(|a| &a.value), Some(Expression::String(s)) if s.value() == "*")
        {
            let from = out.mark();
            out.raw("\"*\"");
            out.span(from, range(only.span()));
            return;
        }
        let from = out.mark();
        out.raw("{");
        for (i, b) in blocks.iter().enumerate() {
            if i > 0 {
                out.raw(",");
            }
            let m = out.mark();
            match b.body.get_attribute("type") {
                Some(t) => self.value(out, &t.value),
                None => out.raw("\"\""),
            }
            out.raw(":");
            match b.body.get_attribute("identifiers") {
                Some(ids) => self.list(out, &ids.value),
                None => out.raw("[]"),
            }
            out.span(m, range(b.span()));
        }
        out.raw("}");
        out.span(from, range(blocks[0].span()));
    }

    fn conditions(&self, out: &mut JsonOut, blocks: &[&Block]) {
        // Group by `test`, keeping first-seen order (the provider merges them the same way).
        let mut tests: Vec<(String, Vec<&Block>)> = Vec::new();
        for b in blocks {
            let test = b.body.get_attribute("test").map_or(String::new(), |a| {
                self.source(range(a.value.span())).to_owned()
            });
            match tests.iter_mut().find(|(t, _)| *t == test) {
                Some((_, list)) => list.push(b),
                None => tests.push((test, vec![b])),
            }
        }
        let from = out.mark();
        out.raw("{");
        for (i, (_, group)) in tests.iter().enumerate() {
            if i > 0 {
                out.raw(",");
            }
            let m = out.mark();
            match group[0].body.get_attribute("test") {
                Some(t) => self.value(out, &t.value),
                None => out.raw("\"\""),
            }
            out.raw(":{");
            for (j, b) in group.iter().enumerate() {
                if j > 0 {
                    out.raw(",");
                }
                let e = out.mark();
                match b.body.get_attribute("variable") {
                    Some(v) => self.value(out, &v.value),
                    None => out.raw("\"\""),
                }
                out.raw(":");
                match b.body.get_attribute("values") {
                    Some(v) => self.list(out, &v.value),
                    None => out.raw("[]"),
                }
                out.span(e, range(b.span()));
            }
            out.raw("}");
            out.span(m, range(group[0].span()));
        }
        out.raw("}");
        out.span(from, range(blocks[0].span()));
    }
}

/// Reads `terraform show -json` output (a plan's `planned_values` or a state's `values`):
/// the policies are JSON strings there, with every value resolved.
#[must_use]
pub fn extract_plan(text: &str) -> Extracted {
    let root = match yaml::parse_one(text) {
        Ok(root) => root,
        Err(e) => {
            return Extracted {
                error: Some(SourceError {
                    message: format!(
                        "not a readable `terraform show -json` document: {}",
                        e.message
                    ),
                    range: e.range,
                }),
                ..Extracted::default()
            };
        }
    };
    let mut out = Extracted::default();
    let mut modules: Vec<&Node> = ["planned_values", "values"]
        .iter()
        .filter_map(|k| root.path(&[k, "root_module"]))
        .collect();
    while let Some(module) = modules.pop() {
        if let Some(children) = module.get("child_modules").and_then(Node::as_seq) {
            modules.extend(children.iter());
        }
        for resource in module
            .get("resources")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if resource.get("mode").and_then(Node::as_str) == Some("data") {
                continue;
            }
            let Some(rtype) = resource.get("type").and_then(Node::as_str) else {
                continue;
            };
            let Some(&(_, attr, kind)) = RESOURCES.iter().find(|(t, _, _)| *t == rtype) else {
                continue;
            };
            let Some(values) = resource.get("values") else {
                continue;
            };
            let address = resource
                .get("address")
                .and_then(Node::as_str)
                .unwrap_or(rtype)
                .to_owned();
            let role_name = (rtype == "aws_iam_role")
                .then(|| values.get("name").and_then(Node::as_str).map(str::to_owned))
                .flatten();
            let mut push = |node: &Node, kind: PolicyKind, owner: String, role: Option<String>| {
                let Value::Scalar(policy) = &node.value else {
                    return;
                };
                let mut json = JsonOut::new();
                json.json_text(
                    &[Piece::Literal {
                        text: policy.clone(),
                        source: node.range,
                        exact: false,
                    }],
                    false,
                );
                out.policies.push(ExtractedPolicy {
                    json: json.text,
                    kind: Some(kind),
                    owner,
                    role_name: role,
                    placeholders: json.placeholders,
                    map: json.map,
                    range: node.range,
                });
            };
            if let Some(node) = values.get(attr) {
                push(node, kind, address.clone(), role_name.clone());
            }
            for inline in values
                .get("inline_policy")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                if let Some(node) = inline.get("policy") {
                    push(
                        node,
                        PolicyKind::Permissions,
                        format!("{address} inline_policy"),
                        None,
                    );
                }
            }
        }
    }
    out.policies.sort_by_key(|p| p.range.start);
    out
}
