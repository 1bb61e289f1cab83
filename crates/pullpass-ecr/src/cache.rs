//! The on-disk registry token cache (protocols.md, "Token caching").
//!
//! - **Key**: the credential source's stable identity + partition + region + service (+ the
//!   endpoint override, if any). The identity is computed locally, without a network call: the
//!   access key ID for static and environment keys, the role ARN for IRSA web identity, the
//!   container credentials URI for EKS Pod Identity, the profile name for profiles, and the
//!   assumed role ARN + external ID on top of any of these. Asking STS for the caller ARN on
//!   every lookup would cost a round trip as slow as the token request itself, and would make a
//!   warm cache useless while STS is unreachable; the source identity is at least as specific as
//!   the ARN (two keys of one user get two entries, which is harmless), and, unlike the
//!   credential helper's key (a hash of the *current* access key ID), it stays the same while
//!   IRSA or assumed-role credentials rotate underneath. The identity is stored only as a hash.
//! - **Freshness**: an entry is served until half its lifetime has passed; an expired entry is
//!   never served. When the refresh fails because the service cannot be reached, an entry that
//!   is stale but still valid for at least a minute is served (with a warning); when the
//!   service refuses, the refusal is returned. A token without an expiry is never cached.
//! - **Every field is hostile**: times are checked arithmetic; an entry whose lifetime is not
//!   between 0 and 12 hours (the most ECR issues), fetched in the future, or otherwise out of
//!   range is a miss and gets replaced, never a panic. A token stored is clamped to 12 hours.
//! - **Files**: one JSON file per key, `0600`, in a `0700` directory. The directory, every
//!   entry and every lock must belong to the current user and not be group/world-writable
//!   (entries not readable by others either), else the cache refuses with a message saying
//!   how to fix it and writes nothing (a root process must not serve a token another user
//!   planted). Files are opened with `O_NOFOLLOW` (a planted `.lock` symlink is refused, never
//!   created through) and checked on the open descriptor; reads are bounded. Writes use the one write policy of
//!   every file pullpass writes (`fsio::replace_private`): a temporary file in the same
//!   directory, renamed into place (atomic replace), a temporary file a killed process left
//!   removed. A corrupt file is ignored and replaced.
//! - **One refresh for N callers**: check-then-fetch runs under an exclusive advisory lock on a
//!   `.lock` file next to the entry (`flock`), so concurrent processes with a stale entry wait
//!   for the first one's refresh and then read its result.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{
    DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::{Clock, Error};

const FORMAT_VERSION: u32 = 1;
/// A stale entry is served on an unreachable service only while it stays valid this long.
const STALE_GRACE: Duration = Duration::from_secs(60);
/// How long to wait for another process's refresh before going ahead without the lock.
const LOCK_WAIT: Duration = Duration::from_secs(120);
/// The longest-lived token ECR issues: a longer lifetime in an entry is not believed.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// How far in the future an entry's fetch time may lie (clock adjustments) and still count.
const CLOCK_SKEW: u64 = 300;
/// A cache entry is a few hundred bytes; anything larger is not one.
const MAX_ENTRY_BYTES: usize = 64 * 1024;

/// `O_NOFOLLOW` for `OpenOptionsExt::custom_flags`.
fn no_follow() -> i32 {
    rustix::fs::OFlags::NOFOLLOW.bits() as i32
}

/// The effective user this process runs as.
fn current_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// What a cached token is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The credential source's stable identity (see the module docs); hashed before storage.
    pub identity: String,
    pub partition: String,
    pub region: String,
    /// `ecr` or `ecr-public`.
    pub service: String,
}

impl CacheKey {
    fn identity_hash(&self) -> String {
        hex(&Sha256::digest(self.identity.as_bytes()))
    }

    fn file_stem(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [
            self.service.as_str(),
            self.partition.as_str(),
            self.region.as_str(),
            self.identity.as_str(),
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        format!("{}-{}", self.service, &hex(&hasher.finalize())[..32])
    }
}

/// A registry login token as fetched from the service.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) username: String,
    pub(crate) password: SecretString,
    pub(crate) expires_at: Option<SystemTime>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Entry {
    version: u32,
    service: String,
    partition: String,
    region: String,
    identity_sha256: String,
    username: String,
    password: String,
    /// Seconds since the epoch.
    fetched_at: u64,
    expires_at: u64,
}

/// The token cache in one directory.
#[derive(Debug, Clone)]
pub struct TokenCache {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
}

impl TokenCache {
    #[must_use]
    pub fn new(dir: PathBuf, clock: Arc<dyn Clock>) -> Self {
        Self { dir, clock }
    }

    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds the entry for `key`.
    #[must_use]
    pub fn path_for(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.file_stem()))
    }

    /// The token for `key` from the cache while fresh, else from the future `fetch` makes
    /// (stored when it has an expiry). Returns the token and whether it came from the cache.
    ///
    /// `fetch` is a closure, and its future is boxed when a miss starts it: the SDK call's
    /// future is about 10 KB, and held inline it would make every future that awaits this one
    /// as large, copied whole at each move, on the warm path too (a warm `get` copied 60 KB).
    pub(crate) async fn get_or_refresh<F, Fut>(
        &self,
        key: &CacheKey,
        fetch: F,
    ) -> Result<(Token, bool), Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Token, Error>>,
    {
        self.ensure_dir()?;
        let path = self.path_for(key);
        if let Some(token) = self.read(&path, key)?.and_then(|e| self.fresh(&e)) {
            tracing::debug!(path = %path.display(), "token cache hit");
            return Ok((token, true));
        }
        let _lock = self.lock(&path).await?;
        // Another process may have refreshed while this one waited for the lock.
        let entry = self.read(&path, key)?;
        if let Some(token) = entry.as_ref().and_then(|e| self.fresh(e)) {
            tracing::debug!(path = %path.display(), "token cache hit after waiting");
            return Ok((token, true));
        }
        tracing::debug!(path = %path.display(), "token cache miss: fetching");
        let fetched_at = self.clock.now();
        match Box::pin(fetch()).await {
            Ok(token) => {
                self.store(&path, key, &token, fetched_at)?;
                Ok((token, false))
            }
            Err(error @ Error::Unreachable { .. }) => {
                match entry.and_then(|e| self.still_valid(&e)) {
                    Some(token) => {
                        tracing::warn!(
                            "{error}; using the cached token, which is past half its lifetime but \
                             still valid"
                        );
                        Ok((token, true))
                    }
                    None => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    fn cache_error(&self, path: &Path, message: impl Into<String>) -> Error {
        Error::Cache {
            path: path.to_owned(),
            message: message.into(),
        }
    }

    /// Creates the directory owner-only, or checks an existing one.
    fn ensure_dir(&self) -> Result<(), Error> {
        match fs::symlink_metadata(&self.dir) {
            Ok(meta) => {
                if !meta.is_dir() {
                    return Err(self.cache_error(
                        &self.dir,
                        "is not a directory; point PULLPASS_CACHE_DIR at a directory, or disable \
                         the cache",
                    ));
                }
                if meta.uid() != current_uid() {
                    return Err(self.cache_error(
                        &self.dir,
                        format!(
                            "belongs to uid {}, not to the user pullpass runs as (uid {}); a token \
                             cached there could have been planted: choose your own directory \
                             (PULLPASS_CACHE_DIR) or disable the cache",
                            meta.uid(),
                            current_uid()
                        ),
                    ));
                }
                let mode = meta.mode() & 0o777;
                if mode & 0o022 != 0 {
                    return Err(self.cache_error(
                        &self.dir,
                        format!(
                            "is writable by other users (mode {mode:04o}), who could replace \
                             cached tokens; run `chmod 700 {}` or choose another directory",
                            self.dir.display()
                        ),
                    ));
                }
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&self.dir)
                    .map_err(|e| self.cache_error(&self.dir, format!("cannot be created: {e}")))?;
                // `recursive` applies the mode to the last component only after umask; make it exact.
                fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
                    self.cache_error(&self.dir, format!("cannot be made owner-only: {e}"))
                })
            }
            Err(e) => Err(self.cache_error(&self.dir, format!("cannot be read: {e}"))),
        }
    }

    /// The entry in `path`, if there is a readable, well-formed one for `key`. A file others
    /// may read is an error; a corrupt file is `None` (it gets replaced).
    fn read(&self, path: &Path, key: &CacheKey) -> Result<Option<Entry>, Error> {
        let file = match OpenOptions::new()
            .read(true)
            .custom_flags(no_follow() | rustix::fs::OFlags::NONBLOCK.bits() as i32)
            .open(path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
                return Err(self.cache_error(path, "is a symlink; remove it"));
            }
            Err(e) => return Err(self.cache_error(path, format!("cannot be read: {e}"))),
        };
        // Checked on the open descriptor: what is read is what was checked.
        let meta = file
            .metadata()
            .map_err(|e| self.cache_error(path, format!("cannot be read: {e}")))?;
        if !meta.is_file() {
            return Err(self.cache_error(
                path,
                "is not a regular file (a symlink or directory); remove it",
            ));
        }
        self.check_owner(path, &meta)?;
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(self.cache_error(
                path,
                format!(
                    "holds a registry token but other users may access it (mode {mode:04o}); \
                     pullpass refuses to use it: remove it (`rm {p}`) or make it owner-only \
                     (`chmod 600 {p}`)",
                    p = path.display()
                ),
            ));
        }
        let text = match crate::fsio::read_bounded(file, MAX_ENTRY_BYTES) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(crate::fsio::ReadError::TooLarge { .. }) => {
                tracing::warn!(path = %path.display(), "token cache file is too large to be an entry; replacing it");
                return Ok(None);
            }
            Err(crate::fsio::ReadError::Io(e)) => {
                return Err(self.cache_error(path, format!("cannot be read: {e}")));
            }
        };
        match serde_json::from_str::<Entry>(&text) {
            Ok(entry)
                if entry.version == FORMAT_VERSION
                    && entry.service == key.service
                    && entry.partition == key.partition
                    && entry.region == key.region
                    && entry.identity_sha256 == key.identity_hash() =>
            {
                Ok(Some(entry))
            }
            Ok(_) => {
                tracing::warn!(path = %path.display(), "token cache entry is for another key or version; replacing it");
                Ok(None)
            }
            Err(e) => {
                // serde_json's message names a position, never the content.
                tracing::warn!(path = %path.display(), "token cache file is corrupt ({e}); replacing it");
                Ok(None)
            }
        }
    }

    /// An entry that could have come from this cache: fetched no later than now (give or take
    /// the clock skew), a lifetime of at most 12 hours, times that fit a `SystemTime`.
    fn plausible(&self, entry: &Entry) -> bool {
        let now = secs(self.clock.now());
        let ok = entry.expires_at > entry.fetched_at
            && entry.expires_at - entry.fetched_at <= MAX_TOKEN_LIFETIME.as_secs()
            && entry.fetched_at <= now.saturating_add(CLOCK_SKEW)
            && UNIX_EPOCH
                .checked_add(Duration::from_secs(entry.expires_at))
                .is_some();
        if !ok {
            tracing::warn!(
                "token cache entry has times no ECR token has (fetched {}, expires {}); \
                 ignoring and replacing it",
                entry.fetched_at,
                entry.expires_at
            );
        }
        ok
    }

    fn fresh(&self, entry: &Entry) -> Option<Token> {
        if !self.plausible(entry) {
            return None;
        }
        let now = secs(self.clock.now());
        let lifetime = entry.expires_at.checked_sub(entry.fetched_at)?;
        let refresh_at = entry.fetched_at.checked_add(lifetime / 2)?;
        (now >= entry.fetched_at && now < refresh_at && now < entry.expires_at)
            .then(|| to_token(entry))
            .flatten()
    }

    fn still_valid(&self, entry: &Entry) -> Option<Token> {
        if !self.plausible(entry) {
            return None;
        }
        let now = secs(self.clock.now());
        (now.saturating_add(STALE_GRACE.as_secs()) < entry.expires_at)
            .then(|| to_token(entry))
            .flatten()
    }

    /// Refuses a file or lock that another user owns or may write.
    fn check_owner(&self, path: &Path, meta: &fs::Metadata) -> Result<(), Error> {
        if meta.uid() != current_uid() {
            return Err(self.cache_error(
                path,
                format!(
                    "belongs to uid {}, not to the user pullpass runs as (uid {}); pullpass \
                     refuses to use it: remove it (`rm {}`)",
                    meta.uid(),
                    current_uid(),
                    path.display()
                ),
            ));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(self.cache_error(
                path,
                format!(
                    "may be written by other users (mode {:04o}); remove it (`rm {}`)",
                    meta.mode() & 0o777,
                    path.display()
                ),
            ));
        }
        Ok(())
    }

    fn store(
        &self,
        path: &Path,
        key: &CacheKey,
        token: &Token,
        fetched_at: SystemTime,
    ) -> Result<(), Error> {
        let Some(expires_at) = token.expires_at else {
            tracing::debug!("token has no expiry: not cached");
            return Ok(());
        };
        let fetched_at = secs(fetched_at);
        // Never keep a token longer than ECR issues them for, whatever the service said.
        let expires_at =
            secs(expires_at).min(fetched_at.saturating_add(MAX_TOKEN_LIFETIME.as_secs()));
        if expires_at <= fetched_at {
            tracing::debug!("token is already expired by the local clock: not cached");
            return Ok(());
        }
        let entry = Entry {
            version: FORMAT_VERSION,
            service: key.service.clone(),
            partition: key.partition.clone(),
            region: key.region.clone(),
            identity_sha256: key.identity_hash(),
            username: token.username.clone(),
            password: token.password.expose_secret().to_owned(),
            fetched_at,
            expires_at,
        };
        let text = serde_json::to_vec(&entry)
            .map_err(|e| self.cache_error(path, format!("cannot be encoded: {e}")))?;
        // The one write policy (`fsio`): temporary file `O_NOFOLLOW | O_EXCL` in this
        // directory, `0600`, renamed over the entry; a symlink planted at the entry is refused.
        crate::fsio::replace_private(path, &text)
            .map_err(|e| self.cache_error(path, format!("cannot be written: {}", e.message)))
    }

    /// Takes the exclusive lock for `path`'s entry, waiting for another holder asynchronously.
    async fn lock(&self, path: &Path) -> Result<Option<File>, Error> {
        let lock_path = path.with_extension("lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(no_follow())
            .open(&lock_path)
            .map_err(|e| {
                if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                    self.cache_error(
                        &lock_path,
                        "is a symlink; pullpass refuses to open it: remove it",
                    )
                } else {
                    self.cache_error(&lock_path, format!("cannot be opened: {e}"))
                }
            })?;
        let meta = file
            .metadata()
            .map_err(|e| self.cache_error(&lock_path, format!("cannot be read: {e}")))?;
        if !meta.is_file() {
            return Err(self.cache_error(&lock_path, "is not a regular file; remove it"));
        }
        self.check_owner(&lock_path, &meta)?;
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(file)),
                Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(fs::TryLockError::WouldBlock) => {
                    tracing::warn!(
                        path = %lock_path.display(),
                        "another pullpass process has held the token cache lock for {}s; \
                         refreshing without it",
                        LOCK_WAIT.as_secs()
                    );
                    return Ok(None);
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(self.cache_error(&lock_path, format!("cannot be locked: {e}")));
                }
            }
        }
    }
}

fn to_token(entry: &Entry) -> Option<Token> {
    Some(Token {
        username: entry.username.clone(),
        password: SecretString::from(entry.password.as_str()),
        expires_at: Some(UNIX_EPOCH.checked_add(Duration::from_secs(entry.expires_at))?),
    })
}

fn secs(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `PULLPASS_CACHE_DIR`, else `$XDG_CACHE_HOME/pullpass`, else `$HOME/.cache/pullpass`.
pub(crate) fn default_dir() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("PULLPASS_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = non_empty("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("pullpass"));
    }
    non_empty("HOME").map(|home| PathBuf::from(home).join(".cache").join("pullpass"))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Debug)]
    struct FakeClock(Mutex<SystemTime>);

    impl FakeClock {
        fn at(secs: u64) -> Arc<Self> {
            Arc::new(Self(Mutex::new(UNIX_EPOCH + Duration::from_secs(secs))))
        }
        fn set(&self, secs: u64) {
            *self.0.lock().unwrap() = UNIX_EPOCH + Duration::from_secs(secs);
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    const T0: u64 = 1_800_000_000;
    const TWELVE_HOURS: u64 = 12 * 3600;

    fn key() -> CacheKey {
        CacheKey {
            identity: "static:AKIAEXAMPLEKEY".into(),
            partition: "aws".into(),
            region: "eu-central-1".into(),
            service: "ecr".into(),
        }
    }

    fn token(password: &str, expires: Option<u64>) -> Token {
        Token {
            username: "AWS".into(),
            password: SecretString::from(password),
            expires_at: expires.map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        }
    }

    fn setup() -> (tempfile::TempDir, Arc<FakeClock>, TokenCache) {
        let tmp = tempfile::tempdir().unwrap();
        let clock = FakeClock::at(T0);
        let cache = TokenCache::new(tmp.path().join("cache"), clock.clone());
        (tmp, clock, cache)
    }

    async fn get(
        cache: &TokenCache,
        calls: &AtomicUsize,
        result: Result<Token, Error>,
    ) -> Result<(String, bool), Error> {
        cache
            .get_or_refresh(&key(), || async {
                calls.fetch_add(1, Ordering::SeqCst);
                result
            })
            .await
            .map(|(t, hit)| (t.password.expose_secret().to_owned(), hit))
    }

    fn unreachable() -> Error {
        Error::Unreachable {
            service: "ecr",
            operation: "GetAuthorizationToken",
            endpoint: None,
            message: "connection refused".into(),
        }
    }

    /// Writes a raw entry for `key()` as the cache would, then returns its path.
    fn plant(cache: &TokenCache, fetched_at: u64, expires_at: &str) -> PathBuf {
        cache.ensure_dir().unwrap();
        let path = cache.path_for(&key());
        let text = format!(
            r#"{{"version":1,"service":"ecr","partition":"aws","region":"eu-central-1","identitySha256":"{}","username":"AWS","password":"planted","fetchedAt":{fetched_at},"expiresAt":{expires_at}}}"#,
            key().identity_hash()
        );
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        path
    }

    #[tokio::test]
    async fn hostile_times_are_a_miss_never_a_panic() {
        // Issue 15 #5: `"expiresAt": 18446744073709551615` panicked (overflow adding to an
        // instant); #8: a far-future entry was served for millions of hours.
        for (fetched, expires) in [
            (T0, u64::MAX.to_string()),
            (T0, (T0 + 1_000_000 * 3600).to_string()),
            (T0 + 86_400, (T0 + 86_400 + 3600).to_string()),
            (u64::MAX - 1, u64::MAX.to_string()),
            (0, "1".to_owned()),
        ] {
            let (_tmp, _clock, cache) = setup();
            plant(&cache, fetched, &expires);
            let calls = AtomicUsize::new(0);
            let got = get(&cache, &calls, Ok(token("fresh", Some(T0 + 3600)))).await;
            assert_eq!(got.unwrap(), ("fresh".into(), false), "{fetched} {expires}");
            let bridged = get(&cache, &calls, Err(unreachable())).await;
            assert_ne!(bridged.ok().map(|b| b.0).as_deref(), Some("planted"));
        }
    }

    #[tokio::test]
    async fn stored_tokens_are_clamped_to_twelve_hours() {
        let (_tmp, clock, cache) = setup();
        let calls = AtomicUsize::new(0);
        get(
            &cache,
            &calls,
            Ok(token("long", Some(T0 + 1_000_000 * 3600))),
        )
        .await
        .unwrap();
        clock.set(T0 + TWELVE_HOURS);
        let err = get(&cache, &calls, Err(unreachable())).await.unwrap_err();
        assert!(matches!(err, Error::Unreachable { .. }), "{err}");
    }

    #[tokio::test]
    async fn a_planted_lock_symlink_is_refused_and_its_target_never_created() {
        let (tmp, _clock, cache) = setup();
        cache.ensure_dir().unwrap();
        let lock = cache.path_for(&key()).with_extension("lock");
        let target = tmp.path().join("victim");
        std::os::unix::fs::symlink(&target, &lock).unwrap();
        let calls = AtomicUsize::new(0);
        let err = get(&cache, &calls, Ok(token("t", Some(T0 + 3600))))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        assert!(!target.exists());
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn another_users_directory_entry_or_lock_is_refused() {
        // Runs as root in CI and here; as another user, chown to someone else is refused by
        // the kernel, and the directory is then necessarily ours.
        let other = if current_uid() == 0 {
            65_534
        } else {
            return_ours()
        };
        let (_tmp, _clock, cache) = setup();
        let path = plant(&cache, T0, &(T0 + 3600).to_string());
        let calls = AtomicUsize::new(0);
        if other != current_uid() {
            std::os::unix::fs::chown(&path, Some(other), None).unwrap();
            let err = get(&cache, &calls, Ok(token("t", Some(T0 + 3600))))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("belongs to uid 65534"), "{err}");
            fs::remove_file(&path).unwrap();
            std::os::unix::fs::chown(cache.dir(), Some(other), None).unwrap();
            let err = get(&cache, &calls, Ok(token("t", Some(T0 + 3600))))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("belongs to uid 65534"), "{err}");
            assert!(!cache.path_for(&key()).exists(), "no token written");
            assert_eq!(calls.load(Ordering::SeqCst), 0);
        }
    }

    /// The current user (tests that need another owner then check only their own side).
    fn return_ours() -> u32 {
        current_uid()
    }

    #[tokio::test]
    async fn serves_until_half_life_then_refreshes() {
        let (_tmp, clock, cache) = setup();
        let calls = AtomicUsize::new(0);
        let first = get(&cache, &calls, Ok(token("one", Some(T0 + TWELVE_HOURS)))).await;
        assert_eq!(first.unwrap(), ("one".into(), false));
        clock.set(T0 + TWELVE_HOURS / 2 - 1);
        let hit = get(&cache, &calls, Ok(token("two", None))).await;
        assert_eq!(hit.unwrap(), ("one".into(), true));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        clock.set(T0 + TWELVE_HOURS / 2);
        let refreshed = get(
            &cache,
            &calls,
            Ok(token("three", Some(T0 + 2 * TWELVE_HOURS))),
        )
        .await;
        assert_eq!(refreshed.unwrap(), ("three".into(), false));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn never_serves_an_expired_token_even_when_refresh_fails() {
        let (_tmp, clock, cache) = setup();
        let calls = AtomicUsize::new(0);
        get(&cache, &calls, Ok(token("one", Some(T0 + TWELVE_HOURS))))
            .await
            .unwrap();
        clock.set(T0 + TWELVE_HOURS);
        let err = get(&cache, &calls, Err(unreachable())).await.unwrap_err();
        assert!(matches!(err, Error::Unreachable { .. }), "{err}");
    }

    #[tokio::test]
    async fn stale_but_valid_token_bridges_an_unreachable_service_only() {
        let (_tmp, clock, cache) = setup();
        let calls = AtomicUsize::new(0);
        get(&cache, &calls, Ok(token("one", Some(T0 + TWELVE_HOURS))))
            .await
            .unwrap();
        clock.set(T0 + TWELVE_HOURS - 3600);
        let bridged = get(&cache, &calls, Err(unreachable())).await.unwrap();
        assert_eq!(bridged, ("one".into(), true));
        let refused = Error::Service {
            service: "ecr",
            operation: "GetAuthorizationToken",
            code: "AccessDeniedException".into(),
            message: String::new(),
            status: Some(400),
            cause: None,
        };
        let err = get(&cache, &calls, Err(refused)).await.unwrap_err();
        assert_eq!(err.code(), Some("AccessDeniedException"));
        // Within the last minute of validity the stale token is no longer offered.
        clock.set(T0 + TWELVE_HOURS - 30);
        assert!(get(&cache, &calls, Err(unreachable())).await.is_err());
    }

    #[tokio::test]
    async fn token_without_expiry_is_not_cached() {
        let (_tmp, _clock, cache) = setup();
        let calls = AtomicUsize::new(0);
        get(&cache, &calls, Ok(token("one", None))).await.unwrap();
        assert!(!cache.path_for(&key()).exists());
        get(&cache, &calls, Ok(token("two", None))).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn already_expired_token_is_not_cached() {
        let (_tmp, _clock, cache) = setup();
        let calls = AtomicUsize::new(0);
        get(&cache, &calls, Ok(token("moto", Some(1_420_070_400))))
            .await
            .unwrap();
        assert!(!cache.path_for(&key()).exists());
    }

    #[tokio::test]
    async fn files_are_owner_only() {
        let (_tmp, _clock, cache) = setup();
        let calls = AtomicUsize::new(0);
        get(&cache, &calls, Ok(token("one", Some(T0 + TWELVE_HOURS))))
            .await
            .unwrap();
        let dir_mode = fs::metadata(cache.dir()).unwrap().mode() & 0o777;
        let file_mode = fs::metadata(cache.path_for(&key())).unwrap().mode() & 0o777;
        assert_eq!((dir_mode, file_mode), (0o700, 0o600));
        let leftovers: Vec<_> = fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[tokio::test]
    async fn entries_are_written_by_the_one_replace_helper() {
        // Issue 15: the cache had its own writer, which left a killed process's temporary
        // file behind for ever; `fsio::replace_private` removes it on the next write.
        let (_tmp, _clock, cache) = setup();
        cache.ensure_dir().unwrap();
        let entry = cache.path_for(&key());
        let name = entry.file_name().unwrap().to_str().unwrap().to_owned();
        // PID 0 never names a live process.
        let stale = cache.dir().join(format!(".{name}.pullpass-0-7.tmp"));
        fs::write(&stale, "half a token").unwrap();
        let calls = AtomicUsize::new(0);
        get(&cache, &calls, Ok(token("one", Some(T0 + TWELVE_HOURS))))
            .await
            .unwrap();
        assert!(!stale.exists(), "a killed writer's temp file is removed");
        assert_eq!(fs::metadata(&entry).unwrap().mode() & 0o777, 0o600);
    }

    #[tokio::test]
    async fn refuses_a_file_others_can_read() {
        let (_tmp, _clock, cache) = setup();
        let calls = AtomicUsize::new(0);
        get(
            &cache,
            &calls,
            Ok(token("canary-pw", Some(T0 + TWELVE_HOURS))),
        )
        .await
        .unwrap();
        let path = cache.path_for(&key());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = get(&cache, &calls, Ok(token("two", Some(T0 + TWELVE_HOURS))))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Cache { .. }), "{text}");
        assert!(
            text.contains("0644") && text.contains("chmod 600"),
            "{text}"
        );
        assert!(!text.contains("canary-pw"), "{text}");
    }

    #[tokio::test]
    async fn refuses_a_directory_others_can_write() {
        let (_tmp, _clock, cache) = setup();
        fs::create_dir_all(cache.dir()).unwrap();
        fs::set_permissions(cache.dir(), fs::Permissions::from_mode(0o777)).unwrap();
        let calls = AtomicUsize::new(0);
        let err = get(&cache, &calls, Ok(token("one", Some(T0 + TWELVE_HOURS))))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("chmod 700"), "{err}");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn corrupt_file_is_replaced() {
        let (_tmp, _clock, cache) = setup();
        cache.ensure_dir().unwrap();
        let path = cache.path_for(&key());
        fs::write(&path, "{not json").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let calls = AtomicUsize::new(0);
        let got = get(&cache, &calls, Ok(token("one", Some(T0 + TWELVE_HOURS)))).await;
        assert_eq!(got.unwrap(), ("one".into(), false));
        let stored: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(stored["expiresAt"], T0 + TWELVE_HOURS);
    }

    #[tokio::test]
    async fn entries_are_per_region_and_identity() {
        let (_tmp, _clock, cache) = setup();
        let other_region = CacheKey {
            region: "us-east-1".into(),
            ..key()
        };
        let other_identity = CacheKey {
            identity: "web-identity:arn:aws:iam::123456789012:role/x".into(),
            ..key()
        };
        assert_ne!(cache.path_for(&key()), cache.path_for(&other_region));
        assert_ne!(cache.path_for(&key()), cache.path_for(&other_identity));
        assert!(
            !cache
                .path_for(&key())
                .to_string_lossy()
                .contains("AKIAEXAMPLEKEY")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_callers_make_one_fetch() {
        let (_tmp, _clock, cache) = setup();
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let cache = cache.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_refresh(&key(), || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        Ok(token("one", Some(T0 + TWELVE_HOURS)))
                    })
                    .await
                    .map(|(t, _)| t.password.expose_secret().to_owned())
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), "one");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
