//! Every file pullpass reads from the user or writes for the user goes through here: one
//! bounded read and one file-replacement policy (ARCHITECTURE.md, "Files").
//!
//! **Reads** ([`read_bounded`], [`read_file`], [`read_stdin`]) take at most `limit + 1` bytes
//! from anything (a file, a FIFO, `/dev/zero`, a 1 GiB pipe), so "too large" is known without
//! holding more than the limit; the caller turns [`ReadError::TooLarge`] into a finding or a
//! clear message and exit 2.
//!
//! **Writes** ([`replace_file`]) follow what careful editors do:
//!
//! - a symlink is **followed deliberately**: the file it points to is replaced and the link is
//!   kept (a dotfile managed by `stow` stays a link). The same for `--fix` and `registry add`;
//! - the file keeps its mode and owner; a file pullpass could not chown back is refused;
//! - a read-only file (no owner write bit) is refused, never replaced;
//! - a file with more than one hard link is refused (a rename would split the links);
//! - the content is compared with what was read before the change (compare-and-swap): a file
//!   another editor changed in between is refused, nothing is lost;
//! - the new content goes to `.NAME.pullpass-PID.tmp` in the same directory, is synced,
//!   renamed over the file, and the directory is synced; a temp file left by a killed process
//!   (its PID gone) is removed by the next write.
//!
//! [`replace_private`] is the same write for the token cache's owner-only entries: a symlink
//! is refused instead of followed, the file is always `0600` and the current user's, no
//! compare-and-swap (pullpass alone writes them), no `fsync`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write as _};
use std::os::unix::fs::{
    DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _,
};
use std::path::{Path, PathBuf};

/// Why a bounded read gave nothing.
#[derive(Debug)]
pub enum ReadError {
    /// More than `limit` bytes; only `limit + 1` were read.
    TooLarge {
        limit: usize,
    },
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge { limit } => write!(f, "is larger than {}", human_size(*limit)),
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// `1 MiB`, `64 KiB`, `12 bytes`.
#[must_use]
pub fn human_size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// At most `limit` bytes of `reader`; [`ReadError::TooLarge`] after reading `limit + 1`.
pub fn read_bounded(reader: impl Read, limit: usize) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::with_capacity(limit.min(64 * 1024));
    reader
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(buf)
}

/// The bytes of `path` (a file, FIFO or device), at most `limit`.
pub fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    read_opened(File::open(path).map_err(ReadError::Io)?, limit)
}

/// A directory opened to read the files in it by name ([`read_file_at`]): the kernel resolves
/// the directory's path once, not once per file (`pullpass lint` of a directory given as an
/// absolute path resolved every component of it for each of 10 k files).
pub fn open_dir(path: &Path) -> io::Result<std::os::fd::OwnedFd> {
    use rustix::fs::OFlags;
    rustix::fs::open(
        path,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(io::Error::from)
}

/// [`read_file`] of the entry `name` of the directory `dir` ([`open_dir`]); symlinks are
/// followed as `open` follows them.
pub fn read_file_at(
    dir: std::os::fd::BorrowedFd<'_>,
    name: &std::ffi::OsStr,
    limit: usize,
) -> Result<Vec<u8>, ReadError> {
    use rustix::fs::OFlags;
    let fd = rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(|e| ReadError::Io(e.into()))?;
    read_opened(File::from(fd), limit)
}

/// The bytes of an opened file, at most `limit`.
fn read_opened(mut file: File, limit: usize) -> Result<Vec<u8>, ReadError> {
    if let Ok(meta) = file.metadata()
        && meta.is_file()
    {
        let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
        if len > limit {
            return Err(ReadError::TooLarge { limit });
        }
        if len == 0 {
            // Empty, or sized 0 but not (`/proc` files): read to the end.
            return read_bounded(file, limit);
        }
        // A regular file: one buffer of its size and (usually) one `read`, not a 64 KiB
        // buffer and a second `read` to see the end (`pullpass lint` reads 10 k files; the
        // size is the one `fstat` saw: a file that grows meanwhile is read as it was then).
        let mut buf = vec![0u8; len];
        let mut filled = 0;
        while filled < len {
            match file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
        buf.truncate(filled);
        return Ok(buf);
    }
    read_bounded(file, limit)
}

/// Stdin, at most `limit` bytes.
pub fn read_stdin(limit: usize) -> Result<Vec<u8>, ReadError> {
    read_bounded(io::stdin().lock(), limit)
}

/// `read_file` as UTF-8 text (invalid UTF-8 is an `InvalidData` error).
pub fn read_text(path: &Path, limit: usize) -> Result<String, ReadError> {
    String::from_utf8(read_file(path, limit)?)
        .map_err(|e| ReadError::Io(io::Error::new(io::ErrorKind::InvalidData, e.utf8_error())))
}

/// Why a file was not replaced. The message says what to do; nothing was written.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for WriteError {}

fn refuse(path: &Path, message: impl Into<String>) -> WriteError {
    WriteError {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Replaces the file at `path` (following a symlink to its target) with `new`, provided it
/// still holds exactly `expected` (compare-and-swap; `None`: the file must not exist, and is
/// created owner-only `0600`, its directory `0700`). Returns the path written.
pub fn replace_file(
    path: &Path,
    expected: Option<&[u8]>,
    new: &[u8],
) -> Result<PathBuf, WriteError> {
    // Follow a symlink deliberately: the target is replaced, the link kept.
    let target = match fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if e.kind() == io::ErrorKind::NotFound && expected.is_none() => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(refuse(
                    path,
                    "is a symlink to a file that does not exist; create the target or remove the link",
                ));
            }
            path.to_owned()
        }
        Err(e) => return Err(refuse(path, format!("cannot be resolved: {e}"))),
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let existing = match fs::symlink_metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(refuse(path, format!("cannot be read: {e}"))),
    };
    match (&existing, expected) {
        (Some(_), None) => {
            return Err(refuse(
                path,
                "was created by someone else meanwhile; nothing was written, run again",
            ));
        }
        (None, Some(_)) => {
            return Err(refuse(path, "was removed meanwhile; nothing was written"));
        }
        (None, None) => {
            if !dir.exists() {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&dir)
                    .map_err(|e| refuse(&dir, format!("cannot be created: {e}")))?;
            }
        }
        (Some(meta), Some(_)) => {
            if !meta.is_file() {
                return Err(refuse(path, "is not a regular file"));
            }
            if meta.mode() & 0o200 == 0 {
                return Err(refuse(
                    path,
                    format!(
                        "is read-only (mode {:04o}); nothing was written: make it writable first",
                        meta.mode() & 0o7777
                    ),
                ));
            }
            if meta.nlink() > 1 {
                return Err(refuse(
                    path,
                    format!(
                        "has {} hard links, and replacing it would split them; nothing was written",
                        meta.nlink()
                    ),
                ));
            }
        }
    }
    let owner = existing.as_ref().map(|m| (m.uid(), m.gid()));
    let mode = existing.as_ref().map_or(0o600, |m| m.mode() & 0o7777);
    write_and_rename(
        path,
        &target,
        &dir,
        new,
        &Replacement {
            mode,
            owner,
            expected,
            durable: true,
        },
    )?;
    Ok(target)
}

/// Replaces `path` with a private file (`0600`, owned by the user pullpass runs as) holding
/// `new`, whatever the old file held: the token cache's entries, which pullpass alone writes
/// and can always mint again. The same steps as [`replace_file`] (a temporary file opened
/// `O_NOFOLLOW | O_CREAT | O_EXCL` in the same directory, renamed over `path`), except that a
/// symlink at `path` is **refused**, never followed (a private file is never a link someone
/// else may have planted), and nothing is synced (`durable: false`: a crash costs one miss,
/// and the `fsync` alone was 16 ms of a cold `get`, BENCHMARKS.md section 2;
/// amazon-ecr-credential-helper does not sync its cache either). The caller checks the
/// directory's owner and mode first.
pub fn replace_private(path: &Path, new: &[u8]) -> Result<(), WriteError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(refuse(
                path,
                "is a symlink; pullpass never writes through one here: remove it",
            ));
        }
        Ok(meta) if !meta.is_file() => return Err(refuse(path, "is not a regular file")),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(refuse(path, format!("cannot be read: {e}"))),
    }
    write_and_rename(
        path,
        path,
        &dir,
        new,
        &Replacement {
            mode: 0o600,
            owner: None,
            expected: None,
            durable: false,
        },
    )
}

/// How [`write_and_rename`] writes.
struct Replacement<'a> {
    /// The replacement's mode.
    mode: u32,
    /// The owner to keep (`chown` back), if not the current user's.
    owner: Option<(u32, u32)>,
    /// Compare-and-swap: `target` must still hold these bytes just before the rename.
    expected: Option<&'a [u8]>,
    /// `fsync` the file and the directory.
    durable: bool,
}

/// A number per replacement of this process, so two threads never share a temporary file.
static NEXT_TEMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The one write policy: `.NAME.pullpass-PID-N.tmp` next to `target`, created
/// `O_NOFOLLOW | O_EXCL` owner-only, given its owner and mode, written (and synced when
/// durable), compared, renamed over `target` within the directory; removed on any failure.
fn write_and_rename(
    path: &Path,
    target: &Path,
    dir: &Path,
    new: &[u8],
    how: &Replacement<'_>,
) -> Result<(), WriteError> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| refuse(path, "has no file name"))?;
    remove_stale_temps(dir, &name);
    let n = NEXT_TEMP.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.pullpass-{}-{n}.tmp", std::process::id()));
    let write = || -> Result<(), WriteError> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
            .open(&tmp)
            .map_err(|e| refuse(dir, format!("cannot hold a temporary file: {e}")))?;
        if let Some((uid, gid)) = how.owner {
            let created = file
                .metadata()
                .map_err(|e| refuse(&tmp, format!("cannot be read: {e}")))?;
            if (created.uid(), created.gid()) != (uid, gid) {
                rustix::fs::fchown(
                    &file,
                    Some(rustix::fs::Uid::from_raw(uid)),
                    Some(rustix::fs::Gid::from_raw(gid)),
                )
                .map_err(|e| {
                    refuse(
                        path,
                        format!(
                            "belongs to uid {uid}/gid {gid}, and a replacement cannot keep that \
                             owner ({e}); nothing was written"
                        ),
                    )
                })?;
            }
        }
        // Exact, whatever the umask.
        let mode = how.mode;
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| refuse(&tmp, format!("cannot take the mode {mode:04o}: {e}")))?;
        file.write_all(new)
            .and_then(|()| if how.durable { file.sync_all() } else { Ok(()) })
            .map_err(|e| refuse(&tmp, format!("cannot be written: {e}")))?;
        drop(file);
        // Compare-and-swap: the file still holds what was read.
        if let Some(expected) = how.expected {
            let now = File::open(target)
                .map_err(ReadError::Io)
                .and_then(|f| read_bounded(f, expected.len()));
            if now.map_or(true, |now| now != expected) {
                return Err(refuse(
                    path,
                    "was changed by another program since pullpass read it; nothing was written, run again",
                ));
            }
        }
        fs::rename(&tmp, target).map_err(|e| refuse(path, format!("cannot be replaced: {e}")))?;
        if how.durable
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Removes `.NAME.pullpass-PID[-N].tmp` files of `dir` whose process is gone (a killed write).
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}.pullpass-");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.strip_suffix(".tmp"))
            .and_then(|n| n.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn bounded_reads_stop_at_the_limit_plus_one() {
        let zero = File::open("/dev/zero").unwrap();
        assert!(matches!(
            read_bounded(zero, 1 << 20),
            Err(ReadError::TooLarge { limit }) if limit == 1 << 20
        ));
        assert!(matches!(
            read_file(Path::new("/dev/zero"), 4096),
            Err(ReadError::TooLarge { .. })
        ));
        assert_eq!(read_bounded(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(read_bounded(&b"abcd"[..], 3).is_err());
    }

    #[test]
    fn replaces_the_target_of_a_symlink_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.json");
        symlink(&real, &link).unwrap();
        replace_file(&link, Some(b"old"), b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(fs::metadata(&real).unwrap().mode() & 0o777, 0o640);
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn refuses_read_only_hard_linked_and_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let ro = dir.path().join("ro.json");
        fs::write(&ro, "old").unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o444)).unwrap();
        let e = replace_file(&ro, Some(b"old"), b"new").unwrap_err();
        assert!(e.message.contains("read-only"), "{e}");
        assert_eq!(fs::read_to_string(&ro).unwrap(), "old");

        let a = dir.path().join("a.json");
        fs::write(&a, "old").unwrap();
        fs::hard_link(&a, dir.path().join("b.json")).unwrap();
        let e = replace_file(&a, Some(b"old"), b"new").unwrap_err();
        assert!(e.message.contains("hard links"), "{e}");

        let c = dir.path().join("c.json");
        fs::write(&c, "changed by an editor").unwrap();
        let e = replace_file(&c, Some(b"old"), b"new").unwrap_err();
        assert!(e.message.contains("changed by another program"), "{e}");
        assert_eq!(fs::read_to_string(&c).unwrap(), "changed by an editor");
        // Nothing left behind.
        assert!(
            fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp"))
        );
    }

    #[test]
    fn a_killed_writers_temp_file_is_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.json");
        fs::write(&f, "old").unwrap();
        // PID 0 never names a live process in /proc.
        let stale = dir.path().join(".p.json.pullpass-0.tmp");
        fs::write(&stale, "half").unwrap();
        replace_file(&f, Some(b"old"), b"new").unwrap();
        assert!(!stale.exists());
        assert_eq!(fs::read_to_string(&f).unwrap(), "new");
    }

    #[test]
    fn private_files_refuse_symlinks_and_replace_anything_else() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        let link = dir.path().join("entry.json");
        symlink(&victim, &link).unwrap();
        let e = replace_private(&link, b"token").unwrap_err();
        assert!(e.message.contains("symlink"), "{e}");
        assert!(!victim.exists(), "nothing created through the link");
        fs::remove_file(&link).unwrap();
        fs::write(&link, "corrupt").unwrap();
        fs::set_permissions(&link, fs::Permissions::from_mode(0o644)).unwrap();
        replace_private(&link, b"token").unwrap();
        assert_eq!(fs::read_to_string(&link).unwrap(), "token");
        assert_eq!(fs::metadata(&link).unwrap().mode() & 0o777, 0o600);
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn creates_owner_only_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("sub/config.toml");
        replace_file(&f, None, b"x").unwrap();
        assert_eq!(fs::metadata(&f).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            fs::metadata(dir.path().join("sub")).unwrap().mode() & 0o777,
            0o700
        );
        assert!(replace_file(&f, None, b"y").is_err());
    }
}
