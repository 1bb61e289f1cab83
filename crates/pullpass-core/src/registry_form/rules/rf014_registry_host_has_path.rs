use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::host::HostCheck;

use super::HOST;

declare_rule! {
    /// ## What it does
    /// Checks that the host has no path after it (`…amazonaws.com/team/app`).
    ///
    /// ## Why is this bad
    /// The registry is the host; the path belongs to the image. Credential helpers and the
    /// kubelet match on the host alone, so a host with a path matches no image at all.
    ///
    /// ## Example
    /// ```text
    /// 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1
    /// ```
    ///
    /// ## Fix
    /// Split it: host `123456789012.dkr.ecr.us-east-1.amazonaws.com`, repository `team/app`,
    /// tag `v1`.
    pub(crate) static RF014 = ("registry-host-has-path", "registry-form", Warning, "Registry host has a path that belongs to the image");
}

/// `team/app:v1` → (`team/app`, `v1`); `team/app@sha256:…` → (`team/app`, `sha256:…`).
pub(crate) fn split_image_path(path: &str) -> (&str, Option<&str>) {
    let path = path.trim_matches('/');
    if let Some((repo, digest)) = path.split_once('@') {
        return (repo, Some(digest));
    }
    let last_segment = path.rfind('/').map_or(0, |i| i + 1);
    match path[last_segment..].rfind(':') {
        Some(colon) => (
            &path[..last_segment + colon],
            Some(&path[last_segment + colon + 1..]),
        ),
        None => (path, None),
    }
}

pub(crate) fn check(c: &HostCheck<'_>, out: &mut Vec<Diagnostic>) {
    let Some(range) = c.syntax.path else {
        return;
    };
    let path = &c.raw[range.as_usize_range()];
    if path.bytes().all(|b| b == b'/') {
        return; // RF011: a trailing slash.
    }
    let (repository, tag) = split_image_path(path);
    let help = match tag {
        Some(tag) => format!(
            "keep the host only; put `{repository}` in the repository field and `{tag}` in the tag field"
        ),
        None => format!("keep the host only; put `{repository}` in the repository field"),
    };
    let d = Diagnostic::new(
        &RF014,
        format!("the host has a path (`{path}`): the registry is the host; the path belongs to the image"),
    )
    .with_help(help)
    .with_pointer(HOST)
    .with_range(range);
    // `https://https://ghcr.io`: the "path" `//ghcr.io` holds the real host (issue 15 #13);
    // cutting it would keep `https:`. RF011's fix strips both schemes instead.
    let holds_a_host = path.starts_with("//");
    out.push(if holds_a_host {
        d
    } else {
        d.with_fix(Fix::safe(
            "Split the path off the host",
            vec![Edit::delete(range)],
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::split_image_path;
    use crate::registry_form::RegistryKind::{Ecr, Generic};
    use crate::registry_form::rules::testing::{fixed, host};

    #[test]
    fn a_path_warns_and_splits() {
        let raw = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1";
        let found = host("RF014", raw, Ecr);
        assert_eq!(found.len(), 1);
        assert_eq!(
            fixed(&found[0], raw),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert!(found[0].help().unwrap().contains("`team/app`"));
        assert!(found[0].help().unwrap().contains("`v1`"));
        // The host part still parses.
        assert!(
            crate::registry_form::analyze_host(raw, None, Ecr)
                .ecr
                .is_some()
        );
    }

    #[test]
    fn image_paths_split_into_repository_and_tag() {
        assert_eq!(split_image_path("/team/app:v1"), ("team/app", Some("v1")));
        assert_eq!(split_image_path("/app"), ("app", None));
        assert_eq!(
            split_image_path("/a/b@sha256:00"),
            ("a/b", Some("sha256:00"))
        );
        assert_eq!(split_image_path("/a/b/"), ("a/b", None));
    }

    #[test]
    fn quiet_without_a_path() {
        assert!(host("RF014", "ghcr.io", Generic).is_empty());
        assert!(host("RF014", "ghcr.io/", Generic).is_empty());
        assert!(host("RF014", "localhost:5000", Generic).is_empty());
    }
}
