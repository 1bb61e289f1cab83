use super::Cx;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::policy::json::{Value, ValueKind};
use crate::policy::model::{Seg, pointer_of};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports template placeholders left in the policy: `${ACCT_ID}`, `${OIDC_PROVIDER}` (a
    /// `${…}` that is not an IAM policy variable such as `${aws:username}`), the shell variables
    /// of the EKS user guide (`$account_id`, `$oidc_provider`), `<account-id>`,
    /// `{{ .Values.x }}`, and the documentation's example values `111122223333` and
    /// `EXAMPLED539D4633E53DE1B71EXAMPLE`.
    ///
    /// ## Why is this bad
    /// IAM accepts most of them as literal text, so the policy is stored and silently matches
    /// nothing. The product doc's template uses `${ACCT_ID}` and `${OIDC_PROVIDER}`.
    ///
    /// ## Example
    /// ```json
    /// {"Federated": "arn:aws:iam::${ACCT_ID}:oidc-provider/${OIDC_PROVIDER}"}
    /// ```
    ///
    /// ## Fix
    /// Substitute the real values (`envsubst`), or generate the policy with
    /// `pullpass trust-policy irsa`.
    pub(crate) static TP061 = ("placeholder-left-in", "trust-policy", Error, "Template placeholders or documentation example values left in");
}

/// Byte ranges (within `s`) of the placeholders in `s`, found in one pass over its bytes.
pub(crate) fn placeholders(s: &str) -> Vec<(usize, usize)> {
    const EXAMPLES: [&[u8]; 2] = [b"111122223333", b"EXAMPLED539D4633E53DE1B71EXAMPLE"];
    let b = s.as_bytes();
    let mut out = Vec::new();
    if b.len() < 2 || !super::may_hold_placeholder(b) {
        return out;
    }
    // Where the next `}` / `}}` at or after a position is: each search resumes where the
    // last ended, so a value of `{{` × 500,000 with no closer is one pass, not quadratic.
    let mut brace = Closer::new(b"}");
    let mut braces = Closer::new(b"}}");
    let mut i = 0;
    while i < b.len() {
        let start = i;
        i += 1;
        match b[start] {
            b'$' if b.get(start + 1) == Some(&b'{') => {
                if let Some(len) = brace.next(b, start) {
                    let inner = &s[start + 2..start + len];
                    // `${aws:username}` is an IAM policy variable; `${AWS::AccountId}` is
                    // CloudFormation's and never resolved by IAM.
                    if (!inner.contains(':') || inner.contains("::")) && !matches!(inner, "*" | "?" | "$") {
                        out.push((start, start + len + 1));
                    }
                    i = start + len + 1;
                }
            }
            // `$account_id`, `$oidc_provider`: the EKS user guide's shell variables. No IAM
            // value (account, issuer, subject, external ID, ARN) may contain a `$`.
            b'$' if b.get(start + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') => {
                let len = b[start + 1..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                    .unwrap_or(b.len() - start - 1);
                if len >= 2 {
                    out.push((start, start + 1 + len));
                }
                i = start + 1 + len;
            }
            b'<' => {
                if let Some(len) = b[start..].iter().take(66).position(|&c| c == b'>') {
                    let inner = &b[start + 1..start + len];
                    if !inner.is_empty()
                        && inner.iter().any(u8::is_ascii_alphabetic)
                        && inner.iter().all(|c| c.is_ascii_alphanumeric() || b"_-. ".contains(c))
                    {
                        out.push((start, start + len + 1));
                        i = start + len + 1;
                    }
                }
            }
            b'{' if b.get(start + 1) == Some(&b'{') => {
                if let Some(len) = braces.next(b, start) {
                    out.push((start, start + len + 2));
                    i = start + len + 2;
                }
            }
            b'1' if b[start..].starts_with(EXAMPLES[0]) => {
                out.push((start, start + EXAMPLES[0].len()));
                i = start + EXAMPLES[0].len();
            }
            b'E' if b[start..].starts_with(EXAMPLES[1]) => {
                out.push((start, start + EXAMPLES[1].len()));
                i = start + EXAMPLES[1].len();
            }
            _ => {}
        }
    }
    out
}

/// The next occurrence of a closing token, searched forward only.
struct Closer {
    token: &'static [u8],
    /// The last answer: the token's offset, or `None` when there is none at or after `from`.
    found: Option<usize>,
    from: usize,
    searched: bool,
}

impl Closer {
    fn new(token: &'static [u8]) -> Self {
        Self { token, found: None, from: 0, searched: false }
    }

    /// The distance from `start` to the next token at or after `start`.
    fn next(&mut self, b: &[u8], start: usize) -> Option<usize> {
        let stale = !self.searched || self.found.is_some_and(|f| f < start);
        if stale {
            let from = start.max(self.from);
            self.found = b[from..].windows(self.token.len()).position(|w| w == self.token).map(|p| p + from);
            self.from = self.found.unwrap_or(b.len());
            self.searched = true;
        }
        self.found.map(|f| f - start)
    }
}

/// At most this many TP061 findings per policy; one more finding counts the rest.
const MAX_FINDINGS: usize = 50;

/// Findings so far and the ones past the cap.
#[derive(Default)]
struct Tally {
    reported: usize,
    more: usize,
    first_more: Option<(TextRange, String)>,
}

fn report(cx: &mut Cx<'_>, tally: &mut Tally, s: &str, token: TextRange, path: &[Seg<'_>]) {
    for (start, end) in placeholders(s) {
        if tally.reported >= MAX_FINDINGS {
            tally.more += 1;
            if tally.first_more.is_none() {
                tally.first_more = Some((token, pointer_of(path)));
            }
            continue;
        }
        tally.reported += 1;
        // Point inside the string when the source has no escapes (offsets are then 1:1).
        let raw = &cx.text[token.as_usize_range()];
        let range = if raw.len() == s.len() + 2 {
            TextRange::new(token.start as usize + 1 + start, token.start as usize + 1 + end)
        } else {
            token
        };
        let found = &s[start..end];
        let what = if found.chars().all(|c| c.is_ascii_digit()) || found.contains("EXAMPLE") {
            "the AWS documentation's example value"
        } else {
            "a template placeholder"
        };
        cx.push(
            Diagnostic::new(&TP061, format!("`{found}` is {what}, left in: IAM stores it as literal text and it matches nothing"))
                .with_help("substitute the real value, or generate the policy with `pullpass trust-policy`")
                .with_pointer(pointer_of(path))
                .with_range(range),
        );
    }
}

/// Walks the tree; nesting is capped by the parser, so the recursion is bounded.
fn walk<'v>(cx: &mut Cx<'_>, tally: &mut Tally, value: &'v Value<'v>, path: &mut Vec<Seg<'v>>) {
    match &value.kind {
        ValueKind::String(s) => report(cx, tally, s, value.range, path),
        ValueKind::Object(members) => {
            for m in members {
                path.push(Seg::Key(&m.key));
                report(cx, tally, &m.key, m.key_range, path);
                walk(cx, tally, &m.value, path);
                path.pop();
            }
        }
        ValueKind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(cx, tally, item, path);
                path.pop();
            }
        }
        _ => {}
    }
}

pub(crate) fn check(cx: &mut Cx<'_>) {
    if !cx.placeholders {
        return;
    }
    let root = cx.policy.root;
    let mut tally = Tally::default();
    walk(cx, &mut tally, root, &mut Vec::new());
    if let Some((range, pointer)) = tally.first_more {
        cx.push(
            Diagnostic::new(&TP061, format!("{} more placeholders or example values are left in (the first {MAX_FINDINGS} are listed)", tally.more))
                .with_help("substitute the real values, or generate the policy with `pullpass trust-policy`")
                .with_pointer(pointer)
                .with_range(range),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    /// The product doc's template.
    const DOC: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::${ACCT_ID}:oidc-provider/${OIDC_PROVIDER}"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "${OIDC_PROVIDER}:sub": "system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}"
        }
      }
    }
  ]
}"#;

    #[test]
    fn fires_on_the_product_doc_template() {
        let d = fires("TP061", DOC);
        assert_eq!(d.len(), 5);
        assert_eq!(&DOC[d[0].range().unwrap().as_usize_range()], "${ACCT_ID}");
        fires("TP061", &edit(IRSA, "123456789012", "111122223333"));
        fires("TP061", &edit(IRSA, "123456789012", "<account-id>"));
        let cfn = edit(IRSA, "arn:aws:iam::123456789012:", "arn:${AWS::Partition}:iam::${AWS::AccountId}:");
        assert_eq!(fires("TP061", &cfn).len(), 2);
        silent("TP010", &cfn);
    }

    /// The EKS user guide's `cat >trust.json` example, before `$account_id` is expanded.
    #[test]
    fn fires_on_shell_variables() {
        let text = edit(&edit(IRSA, "123456789012", "$account_id"), "\"system:serviceaccount:coder:coder\"", "\"system:serviceaccount:$namespace:$service_account\"");
        let d = fires("TP061", &text);
        assert_eq!(d.len(), 3);
        assert_eq!(&text[d[0].range().unwrap().as_usize_range()], "$account_id");
        assert_eq!(&text[d[2].range().unwrap().as_usize_range()], "$service_account");
        assert!(d[0].message().contains("template placeholder"));
    }

    #[test]
    fn linear_and_capped_on_hostile_input() {
        // Issue 15 #9: a Sid of `{{` × 520,000 took 190 s; 7,281 findings on a 31 KB input.
        let sid = "{{".repeat(400_000);
        let text = edit(IRSA, "\"Version\"", &format!("\"Sid\": \"{sid}\", \"Version\""));
        // CPU time of this thread: a guard against the quadratic path, not a speed test.
        let started = cpu_time::ThreadTime::now();
        let _ = findings("TP061", &text);
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        let dollars = "${".repeat(400_000);
        let started = cpu_time::ThreadTime::now();
        assert!(super::placeholders(&dollars).is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        let many = edit(IRSA, "\"Version\"", &format!("\"Sid\": \"{}\", \"Version\"", "<a>".repeat(7_000)));
        let d = findings("TP061", &many);
        assert_eq!(d.len(), super::MAX_FINDINGS + 1);
        assert!(d.iter().any(|d| d.message().starts_with("6950 more")), "{:?}", d.iter().map(|d| d.message()).collect::<Vec<_>>());
    }

    #[test]
    fn silent_on_policy_variables() {
        silent("TP061", IRSA);
        silent("TP061", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"arn:aws:ecr:*:123456789012:repository/${aws:username}/*"}]}"#);
    }
}
