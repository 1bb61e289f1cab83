//! Reading what the user gives: files, FIFOs, devices and stdin, every one bounded.
//!
//! The one read path of every command (`pullpass_ecr::fsio` does the bounded read): at most
//! `limit + 1` bytes are read, so `/dev/zero`, a 1 GiB pipe or a huge file answers "larger
//! than …" at once (exit 2) instead of running out of memory.

use std::path::Path;

use anyhow::anyhow;
use pullpass_ecr::fsio::{self, ReadError};

/// The largest input any command reads: policies, doctor artifacts, forms, configs (1 MiB).
pub(crate) const MAX_INPUT_BYTES: usize = 1 << 20;

/// Why an input could not be read: too large (the caller may turn it into a finding), or
/// another error with a clear message.
#[derive(Debug)]
pub(crate) enum InputError {
    TooLarge { limit: usize },
    Other(anyhow::Error),
}

impl From<InputError> for anyhow::Error {
    fn from(e: InputError) -> Self {
        match e {
            InputError::TooLarge { limit } => anyhow!(
                "the input is larger than {}; pullpass reads at most that",
                fsio::human_size(limit)
            ),
            InputError::Other(e) => e,
        }
    }
}

/// The bytes of `path` (`-` is stdin), at most `limit`; `what` names it in messages
/// ("the form", "--trust-policy").
pub(crate) fn read_bytes(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>, InputError> {
    let stdin = path.as_os_str() == "-";
    let result = if stdin {
        fsio::read_stdin(limit)
    } else {
        fsio::read_file(path, limit)
    };
    named(result, path, what)
}

/// A read's error in words naming the input (made only when there is one).
fn named(
    result: Result<Vec<u8>, ReadError>,
    path: &Path,
    what: &str,
) -> Result<Vec<u8>, InputError> {
    result.map_err(|e| match e {
        ReadError::TooLarge { limit } => InputError::TooLarge { limit },
        ReadError::Io(e) => {
            let name = if path.as_os_str() == "-" {
                "stdin".to_owned()
            } else {
                format!("`{}`", path.display())
            };
            InputError::Other(anyhow!("cannot read {what} from {name}: {e}"))
        }
    })
}

std::thread_local! {
    /// The directory of the last file this thread read with [`read_in_dir`], opened.
    static DIR: std::cell::RefCell<Option<(std::path::PathBuf, std::os::fd::OwnedFd)>> =
        const { std::cell::RefCell::new(None) };
}

/// [`read_bytes`] of a file among many of the same directories (a directory walk): each
/// thread keeps the last directory it read from open and opens the file relative to it, so
/// the kernel does not resolve the directory's path again for every file. Any failure of that
/// path is retried as [`read_bytes`], which says what went wrong in its words.
pub(crate) fn read_in_dir(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>, InputError> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return read_bytes(path, limit, what);
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let read = DIR.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.as_ref().is_none_or(|(open, _)| open != dir) {
            *cached = fsio::open_dir(dir).ok().map(|fd| (dir.to_path_buf(), fd));
        }
        let (_, fd) = cached.as_ref()?;
        Some(fsio::read_file_at(
            std::os::fd::AsFd::as_fd(fd),
            name,
            limit,
        ))
    });
    match read {
        Some(Ok(bytes)) => Ok(bytes),
        Some(Err(ReadError::TooLarge { limit })) => Err(InputError::TooLarge { limit }),
        _ => read_bytes(path, limit, what),
    }
}

/// [`read_bytes`] as UTF-8 text; too large or not UTF-8 is an error naming the input.
pub(crate) fn read_text(path: &Path, limit: usize, what: &str) -> anyhow::Result<String> {
    text_of(read_bytes(path, limit, what), path, what)
}

/// The bytes [`read_bytes`] gave as text, or its error in words.
fn text_of(bytes: Result<Vec<u8>, InputError>, path: &Path, what: &str) -> anyhow::Result<String> {
    let name = || {
        if path.as_os_str() == "-" {
            "stdin".to_owned()
        } else {
            format!("`{}`", path.display())
        }
    };
    let bytes = bytes.map_err(|e| match e {
        InputError::TooLarge { limit } => anyhow!(
            "{what} from {} is larger than {}; pullpass reads at most that",
            name(),
            fsio::human_size(limit)
        ),
        InputError::Other(e) => e,
    })?;
    String::from_utf8(bytes).map_err(|_| {
        anyhow!(
            "{what} from {} is not UTF-8 text; give the file as the tool printed it",
            name()
        )
    })
}

/// [`read_text`] of a file that need not exist: `None` when nothing is at `path` (a dangling
/// symlink is something, and its error is reported). The absent case builds no error: the
/// config file is read this way by every credential helper `get`, and most machines have none.
pub(crate) fn read_text_if_exists(
    path: &Path,
    limit: usize,
    what: &str,
) -> anyhow::Result<Option<String>> {
    match fsio::read_file(path, limit) {
        Err(ReadError::Io(_)) if std::fs::symlink_metadata(path).is_err() => Ok(None),
        result => text_of(named(result, path, what), path, what).map(Some),
    }
}

/// Stdin as text, at most `limit` bytes.
pub(crate) fn read_stdin_text(limit: usize, what: &str) -> anyhow::Result<String> {
    read_text(Path::new("-"), limit, what)
}
