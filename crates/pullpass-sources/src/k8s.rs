//! Kubernetes `ServiceAccount` manifests and Helm values: the IRSA role annotation
//! (`eks.amazonaws.com/role-arn`, <https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html>).

use pullpass_core::doctor::yaml::{self, Node, Value};

use crate::classify::ROLE_ANNOTATION;
use crate::{Extracted, ServiceAccountBinding, SourceError};

fn read(text: &str, what: &str) -> Result<Vec<Node>, Box<Extracted>> {
    yaml::parse(text).map_err(|e| {
        Box::new(Extracted {
            error: Some(SourceError {
                message: format!("not readable {what}: {}", e.message),
                range: e.range,
            }),
            ..Extracted::default()
        })
    })
}

/// Every annotated `ServiceAccount` of a (multi-document) manifest, `List` items included.
#[must_use]
pub fn extract_manifests(text: &str) -> Extracted {
    let docs = match read(text, "Kubernetes YAML") {
        Ok(docs) => docs,
        Err(e) => return *e,
    };
    let mut out = Extracted::default();
    let mut todo: Vec<&Node> = docs.iter().collect();
    let mut i = 0;
    while i < todo.len() {
        let doc = todo[i];
        i += 1;
        if let Some(items) = doc.get("items").and_then(Node::as_seq) {
            todo.extend(items.iter());
        }
        let kind = doc.get("kind").and_then(Node::as_str);
        // The namespace this document names: a `Namespace` object's name, any object's
        // `metadata.namespace`, a kustomization's `namespace` (it sets every resource's,
        // https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/).
        let named = match kind {
            Some("Namespace") => doc.path(&["metadata", "name"]),
            Some("Kustomization") => doc.get("namespace"),
            _ => doc.path(&["metadata", "namespace"]),
        };
        if let Some(ns) = named.and_then(Node::as_str).map(str::trim)
            && !ns.is_empty()
            && !ns.contains("{{")
            && !out.namespaces.iter().any(|n| n == ns)
        {
            out.namespaces.push(ns.to_owned());
        }
        if kind != Some("ServiceAccount") {
            continue;
        }
        let Some(arn) = doc.path(&["metadata", "annotations", ROLE_ANNOTATION]) else {
            continue;
        };
        let Some(role_arn) = arn.as_str() else {
            continue;
        };
        out.service_accounts.push(ServiceAccountBinding {
            namespace: Some(
                doc.path(&["metadata", "namespace"])
                    .and_then(Node::as_str)
                    .unwrap_or("default")
                    .to_owned(),
            ),
            name: doc
                .path(&["metadata", "name"])
                .and_then(Node::as_str)
                .map(str::to_owned),
            role_arn: role_arn.trim().to_owned(),
            range: arn.range,
        });
    }
    out
}

/// Every role annotation in a values file, with the service account name beside it
/// (`serviceAccount.name`) when there is one. The namespace is the release's, unknown unless
/// the values name it (`serviceAccount.namespace`, a top-level `namespace`).
#[must_use]
pub fn extract_values(text: &str) -> Extracted {
    let docs = match read(text, "Helm values YAML") {
        Ok(docs) => docs,
        Err(e) => return *e,
    };
    let mut out = Extracted::default();
    // The namespace when the values give it: a top-level `namespace` (or
    // `namespaceOverride`, the bitnami charts' key), as many charts template it into
    // `metadata.namespace`; `serviceAccount.namespace` beside the annotation wins.
    let top_namespace = docs.first().and_then(|d| {
        ["namespace", "namespaceOverride"]
            .iter()
            .find_map(|k| d.get(k).and_then(Node::as_str))
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    });
    // Iterative walk: (node, the mapping holding its `annotations`).
    let mut stack: Vec<(&Node, Option<&Node>)> = docs.iter().map(|d| (d, None)).collect();
    while let Some((node, parent)) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    if k.as_str() == Some(ROLE_ANNOTATION)
                        && let Some(arn) = v.as_str()
                    {
                        out.service_accounts.push(ServiceAccountBinding {
                            namespace: parent
                                .and_then(|p| p.get("namespace"))
                                .and_then(Node::as_str)
                                .filter(|n| !n.is_empty())
                                .map(str::to_owned)
                                .or_else(|| top_namespace.clone()),
                            name: parent
                                .and_then(|p| p.get("name"))
                                .and_then(Node::as_str)
                                .filter(|n| !n.is_empty())
                                .map(str::to_owned),
                            role_arn: arn.trim().to_owned(),
                            range: v.range,
                        });
                    } else {
                        stack.push((v, Some(node)));
                    }
                }
            }
            Value::Seq(items) => stack.extend(items.iter().map(|i| (i, None))),
            Value::Null | Value::Scalar(_) => {}
        }
    }
    out.service_accounts.sort_by_key(|s| s.range.start);
    out
}
