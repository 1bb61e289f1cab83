//! Where the live-path commands print: the process's stdout and stderr; in this crate's unit
//! tests, a buffer of the test's own thread when the test asked for one ([`capture`]), so that
//! a command run in-process with the fake backend can be judged by what it printed.

use std::fmt;

/// `print!` through [`stdout`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::stdout(format_args!($($arg)*)) };
}

/// `println!` through [`stdout`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::out::stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` through [`stderr`].
macro_rules! errln {
    ($($arg:tt)*) => { $crate::out::stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

pub(crate) fn stdout(args: fmt::Arguments<'_>) {
    #[cfg(test)]
    if capture::write(false, args) {
        return;
    }
    print!("{args}");
}

pub(crate) fn stderr(args: fmt::Arguments<'_>) {
    #[cfg(test)]
    if capture::write(true, args) {
        return;
    }
    eprint!("{args}");
}

#[cfg(test)]
pub(crate) use capture::capture;

#[cfg(test)]
mod capture {
    use std::cell::RefCell;
    use std::fmt::{self, Write as _};

    thread_local! {
        static BUFFERS: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
    }

    /// Writes to this thread's buffers if it is capturing; false when it is not.
    pub(super) fn write(to_stderr: bool, args: fmt::Arguments<'_>) -> bool {
        BUFFERS.with(|b| match b.borrow_mut().as_mut() {
            Some((out, err)) => {
                let _ = if to_stderr { err } else { out }.write_fmt(args);
                true
            }
            None => false,
        })
    }

    /// Runs `f`, returning its result and what it printed on stdout and stderr.
    pub(crate) fn capture<R>(f: impl FnOnce() -> R) -> (R, String, String) {
        BUFFERS.with(|b| *b.borrow_mut() = Some((String::new(), String::new())));
        let result = f();
        let (out, err) = BUFFERS.with(|b| b.borrow_mut().take()).unwrap_or_default();
        (result, out, err)
    }
}
