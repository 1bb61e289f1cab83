use super::{Cx, at, did_you_mean};
use crate::declare_rule;
use crate::diagnostic::{Edit, Fix};
use crate::policy::glob;
use crate::policy::model::json_string;

declare_rule! {
    /// ## What it does
    /// Reports an action name in the `sts:`, `ecr:` or `ecr-public:` service that the service
    /// does not define (`ecr:BatchGetDownloadUrlForLayer`), with the nearest real name, from a
    /// catalogue bundled with pullpass (`policy/data/actions.txt`: the AWS Service Authorization
    /// Reference's action tables, with the date they were taken). Wildcards (`ecr:Get*`) and
    /// other services are not judged.
    ///
    /// ## Why is this bad
    /// IAM accepts a policy that names an action no service has (the policy validator only
    /// warns), and that action never matches a request: the permission the author meant is
    /// simply not granted, and the pull or the assume call is denied with nothing pointing
    /// at the typo. Action names are matched case-insensitively, so only the spelling counts.
    /// See "IAM JSON policy elements: Action"
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>)
    /// and the Service Authorization Reference
    /// (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html>).
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:BatchGetDownloadUrlForLayer"], "Resource": "*"}
    /// ```
    ///
    /// ## Fix
    /// Use the action's real name (`ecr:GetDownloadUrlForLayer`); the finding offers it (not
    /// applied by `--fix`: a did-you-mean can guess wrong). A new AWS action missing from the
    /// catalogue is a pullpass bug: report it.
    pub(crate) static TP034 = ("unknown-action", "trust-policy", Error, "Unknown action in `sts:`, `ecr:` or `ecr-public:`, with did-you-mean");
}

/// The bundled catalogue: comment lines start with `#`.
const CATALOGUE: &str = include_str!("../data/actions.txt");

/// The services the catalogue covers, lower case.
const SERVICES: &[&str] = &["ecr", "ecr-public", "sts"];

fn catalogue() -> impl Iterator<Item = &'static str> {
    CATALOGUE.lines().filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The catalogue's names by length (`[n]` holds the names of `n` bytes), split once per
/// process: every action of every linted policy is looked up here, and a scan of the text per
/// lookup was a fifth of the in-memory lint's time (`cargo xtask bench micro`, issue 13).
fn names_by_length() -> &'static [Vec<&'static str>] {
    static NAMES: std::sync::OnceLock<Vec<Vec<&'static str>>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut by_length = vec![Vec::new(); LONGEST_NAME + 1];
        for name in catalogue() {
            by_length[name.len()].push(name);
        }
        by_length
    })
}

/// No catalogue name is longer (checked by a test).
const LONGEST_NAME: usize = 64;

/// Whether the catalogue holds `action` (case-insensitive): compared with the few names of
/// its length, with no lower-cased copy (a copy and a binary search were 600 instructions a
/// lookup; most actions differ from the names of their length within the first bytes).
fn in_catalogue(action: &str) -> bool {
    names_by_length().get(action.len()).is_some_and(|names| names.iter().any(|n| n.eq_ignore_ascii_case(action)))
}

/// The catalogue's names of one service (`ecr:…`), for did-you-mean.
fn names_of(service: &str) -> Vec<&'static str> {
    catalogue()
        .filter(|a| a.split_once(':').is_some_and(|(s, _)| s.eq_ignore_ascii_case(service)))
        .collect()
}

/// Whether `action` (`service:Name`, no wildcard) names no action of the catalogue; for a
/// service the catalogue covers.
pub(crate) fn names_no_action(action: &str) -> bool {
    !glob::has_wildcard(action) && !in_catalogue(action)
}

/// Whether `action` is in a covered service but not in the catalogue. Wildcards and
/// placeholders are not judged.
pub(crate) fn is_unknown(cx: &Cx<'_>, action: &str) -> bool {
    // A byte search for the `:` (a char search costs more than the short service it skips).
    let Some(colon) = action.bytes().position(|c| c == b':') else { return false };
    let (service, name) = (&action[..colon], &action[colon + 1..]);
    !name.is_empty()
        && SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service))
        && !glob::has_wildcard(action)
        && !cx.has_placeholder(action)
        && !in_catalogue(action)
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    for stmt in cx.statements() {
        for (key, list) in [("Action", &stmt.actions), ("NotAction", &stmt.not_actions)] {
            for a in list {
                let Some(action) = a.text else { continue };
                if !is_unknown(cx, action) {
                    continue;
                }
                let service = action.split_once(':').map_or("", |(s, _)| s).to_ascii_lowercase();
                let names = names_of(&service);
                let guess = did_you_mean(action, &names).or_else(|| {
                    // A name with a word too many or too few (`BatchGetDownloadUrlForLayer`):
                    // the one real name it contains or that contains it.
                    let lower = action.to_ascii_lowercase();
                    let hits: Vec<&str> = names
                        .iter()
                        .copied()
                        .filter(|n| {
                            let n = n.to_ascii_lowercase();
                            let (ns, nn) = n.split_once(':').unwrap_or(("", &n));
                            let (_, an) = lower.split_once(':').unwrap_or(("", &lower));
                            ns == service && nn.len() >= 8 && (an.contains(nn) || nn.contains(an))
                        })
                        .collect();
                    match hits[..] {
                        [one] => Some(one),
                        _ => None,
                    }
                });
                let mut d = at(
                    &TP034,
                    format!("`{action}` is not an action of the `{service}` service: IAM accepts the name, but it never matches a request, so this statement does not grant what it seems to"),
                    a.pointer_in(stmt.ptr(key)),
                    a.range(),
                );
                if let Some(good) = guess {
                    d = d.with_help(format!("did you mean `{good}`?")).with_fix(Fix::unsafe_(format!("Use `{good}`"), vec![Edit::replace(a.range(), json_string(good))]));
                } else {
                    d = d.with_help(format!("see the `{service}` actions in the AWS Service Authorization Reference"));
                }
                cx.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn the_catalogue_is_sorted_and_unique() {
        let names: Vec<&str> = super::catalogue().collect();
        assert!(names.len() > 90, "{}", names.len());
        assert!(names.iter().all(|n| n.len() <= super::LONGEST_NAME));
        for pair in names.windows(2) {
            assert!(pair[0].to_ascii_lowercase() < pair[1].to_ascii_lowercase(), "{pair:?} out of order or repeated");
        }
        for n in &names {
            let (service, action) = n.split_once(':').expect("service:Action");
            assert!(super::SERVICES.contains(&service), "{n}");
            assert!(action.chars().all(|c| c.is_ascii_alphanumeric()) && action.starts_with(|c: char| c.is_ascii_uppercase()), "{n}");
        }
        assert!(super::CATALOGUE.contains("# Source:") && super::CATALOGUE.contains("# Taken:"));
    }

    #[test]
    fn fires_on_unknown_names_with_did_you_mean() {
        let text = edit(READ_ONLY, "\"ecr:GetDownloadUrlForLayer\"", "\"ecr:BatchGetDownloadUrlForLayer\"");
        let d = fires("TP034", &text);
        assert_eq!(d[0].help(), Some("did you mean `ecr:GetDownloadUrlForLayer`?"));
        assert!(fixed(&text, &d[0]).contains("\"ecr:GetDownloadUrlForLayer\""));
        let d = fires("TP034", &edit(IRSA, "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithWebIdentiy"));
        assert_eq!(d[0].help(), Some("did you mean `sts:AssumeRoleWithWebIdentity`?"));
        fires("TP034", &edit(READ_ONLY, "\"ecr:ListImages\"", "\"ecr-public:ListImages\""));
    }

    #[test]
    fn silent_on_real_names_wildcards_and_other_services() {
        silent("TP034", READ_ONLY);
        silent("TP034", IRSA);
        silent("TP034", POD);
        silent("TP034", &edit(READ_ONLY, "\"ecr:ListImages\"", "\"ECR:listimages\""));
        silent("TP034", &edit(READ_ONLY, "\"ecr:ListImages\"", "\"ecr:List*\""));
        silent("TP034", &edit(READ_ONLY, "\"ecr:ListImages\"", "\"s3:GetObjectz\""));
    }
}
