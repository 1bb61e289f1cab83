//! Rule metadata and the `declare_rule!` macro every rule file uses.

use crate::diagnostic::Severity;

/// What the catalog knows of a rule: its stable code, its name, its default severity and its
/// documentation (the rule file's doc comment, kept as text for `pullpass rules CODE`, SARIF and
/// the browser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable, never renumbered or reused: `RF011`.
    pub code: &'static str,
    /// kebab-case: `host-scheme-or-trailing-slash`.
    pub name: &'static str,
    /// The rule family: `registry-form`, `trust-policy`, `permissions-policy`.
    pub family: &'static str,
    /// The most common severity. Rules marked W/E in the catalog pick per finding.
    pub severity: Severity,
    /// One line, for listings and SARIF `shortDescription`.
    pub summary: &'static str,
    /// Markdown with the fixed headings: What it does / Why is this bad / Example / Fix. Empty
    /// when the core is built without its `docs` feature.
    pub docs: &'static str,
}

/// Declares a rule's metadata as a `pub(crate) static` from its doc comment.
///
/// ```text
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub(crate) static RF001 = ("registry-name-invalid", "registry-form", Error, "Registry name is blank, too long or has control characters");
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $code:ident = ($name:literal, $family:literal, $severity:ident, $summary:literal);
    ) => {
        $(#[doc = $doc])*
        $vis static $code: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
            code: stringify!($code),
            name: $name,
            family: $family,
            severity: $crate::diagnostic::Severity::$severity,
            summary: $summary,
            // Without the `docs` feature (the browser's form module) the text is not compiled
            // in: `rules()` with the docs lives in the doctor module.
            docs: if cfg!(feature = "docs") { concat!($($doc, "\n"),*) } else { "" },
        };
    };
}

/// Registers a rule family, the one way every family (RF, TP, EP, DR) does it: declares each
/// rule file as a module (`<code>_<snake name>.rs`, holding its `declare_rule!`, its check and
/// its tests), yields the family's `RULES` in code order (the catalogue is built from these)
/// and, when the family names a check type, its `CHECKS`: the entries given after `=>`, in
/// order.
///
/// ```text
/// rule_family! {
///     checks: (Check, Scope),
///     rules: [
///         tp001_invalid_json::TP001,
///         tp002_policy_shape::TP002 => (tp002_policy_shape::check, Scope::Any),
///     ],
/// }
/// ```
#[macro_export]
macro_rules! rule_family {
    (
        checks: $check_ty:ty,
        rules: [$($module:ident :: $code:ident $(=> $check:expr)?),* $(,)?] $(,)?
    ) => {
        $crate::rule_family! { rules: [$($module::$code),*] }
        /// The family's checks, in code order.
        pub(crate) static CHECKS: &[$check_ty] = &[$($($check,)?)*];
    };
    (
        rules: [$($module:ident :: $code:ident),* $(,)?] $(,)?
    ) => {
        $(pub(crate) mod $module;)*
        /// Every rule of the family, in code order.
        pub(crate) static RULES: &[&$crate::rule::RuleMeta] = &[$(&$module::$code,)*];
    };
}
