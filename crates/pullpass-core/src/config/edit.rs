//! Adding and removing registries in a config text, keeping its comments and layout.

use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::{Registry, RegistryEntry, SecretRefEntry};

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the config file is not valid TOML ({0}); fix it by hand first")]
    NotToml(String),
    #[error(
        "`registry` in the config file is not a list of `[[registry]]` tables; fix it by hand first"
    )]
    NotArrayOfTables,
    #[error("no registry named {0:?} in the config file")]
    NotFound(String),
}

/// `text` with `registry` appended as a new `[[registry]]` table.
///
/// # Errors
/// The text is not TOML, or its `registry` key is not an array of tables.
pub fn add(text: &str, registry: &Registry) -> Result<String, EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::NotToml(e.message().to_owned()))?;
    let mut table = entry_table(&registry.to_entry());
    match doc.get_mut("registry") {
        None => {
            // A file of comments only: they are the document's trailing text, which would
            // end up below the new table. Keep them on top.
            let trailing = doc.trailing().as_str().unwrap_or_default().to_owned();
            if !trailing.trim().is_empty() {
                let separator = if trailing.ends_with("\n\n") { "" } else { "\n" };
                table
                    .decor_mut()
                    .set_prefix(format!("{trailing}{separator}"));
                doc.set_trailing("");
            }
            let mut array = ArrayOfTables::new();
            array.push(table);
            doc.insert("registry", Item::ArrayOfTables(array));
        }
        Some(Item::ArrayOfTables(array)) => {
            table.decor_mut().set_prefix("\n");
            array.push(table);
        }
        Some(_) => return Err(EditError::NotArrayOfTables),
    }
    Ok(doc.to_string())
}

/// `text` without the registry named `name` (exact name, else the one case-insensitive
/// match), and the removed registry's name as written.
///
/// # Errors
/// The text is not TOML, or has no such registry.
pub fn remove(text: &str, name: &str) -> Result<(String, String), EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::NotToml(e.message().to_owned()))?;
    let Some(Item::ArrayOfTables(array)) = doc.get_mut("registry") else {
        return Err(EditError::NotFound(name.to_owned()));
    };
    let names: Vec<Option<String>> = array
        .iter()
        .map(|t| t.get("name").and_then(Item::as_str).map(str::to_owned))
        .collect();
    let index = names
        .iter()
        .position(|n| n.as_deref() == Some(name))
        .or_else(|| {
            let matches: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
                .map(|(i, _)| i)
                .collect();
            (matches.len() == 1).then(|| matches[0])
        })
        .ok_or_else(|| EditError::NotFound(name.to_owned()))?;
    array.remove(index);
    if array.is_empty() {
        doc.remove("registry");
    }
    let removed = names[index].clone().unwrap_or_else(|| name.to_owned());
    Ok((doc.to_string(), removed))
}

fn secret(entry: &SecretRefEntry) -> Value {
    let mut inline = InlineTable::new();
    match entry {
        SecretRefEntry::Env { env } => inline.insert("env", env.as_str().into()),
        SecretRefEntry::File { file } => inline.insert("file", file.as_str().into()),
    };
    Value::InlineTable(inline)
}

/// The TOML table of one entry, keys in the documented order.
fn entry_table(entry: &RegistryEntry) -> Table {
    let mut table = Table::new();
    let mut put = |key: &str, value: Value| {
        table.insert(key, Item::Value(value));
    };
    put("name", entry.name.as_str().into());
    put("host", entry.host.as_str().into());
    if let Some(kind) = entry.kind {
        put(
            "kind",
            match kind {
                crate::registry::RegistryKind::Ecr => "ecr",
                crate::registry::RegistryKind::Generic => "generic",
            }
            .into(),
        );
    }
    if let Some(auth) = entry.auth {
        put("auth", auth.as_str().into());
    }
    if let Some(v) = &entry.access_key_id {
        put("access_key_id", v.as_str().into());
    }
    if let Some(v) = &entry.secret_access_key {
        put("secret_access_key", secret(v));
    }
    if let Some(v) = &entry.session_token {
        put("session_token", secret(v));
    }
    if let Some(v) = &entry.profile {
        put("profile", v.as_str().into());
    }
    if let Some(v) = &entry.username {
        put("username", v.as_str().into());
    }
    if let Some(v) = &entry.password {
        put("password", secret(v));
    }
    if let Some(v) = &entry.role_arn {
        put("role_arn", v.as_str().into());
    }
    if let Some(v) = &entry.external_id {
        put("external_id", v.as_str().into());
    }
    if let Some(o) = &entry.host_override {
        let mut inline = InlineTable::new();
        inline.insert("account_id", o.account_id.as_str().into());
        inline.insert("region", o.region.as_str().into());
        put("override", Value::InlineTable(inline));
    }
    if let Some(v) = entry.import_images {
        put("import_images", v.into());
    }
    table
}
