//! Exit codes, the same for every command.

use std::process::ExitCode;

/// 0 no errors, 1 errors found (or warnings with `--deny-warnings`), 2 usage or input error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Ok = 0,
    Findings = 1,
    Usage = 2,
}

impl Exit {
    /// The exit for a run with these counts.
    pub(crate) fn for_findings(errors: usize, warnings: usize, deny_warnings: bool) -> Self {
        if errors > 0 || (deny_warnings && warnings > 0) {
            Self::Findings
        } else {
            Self::Ok
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}
