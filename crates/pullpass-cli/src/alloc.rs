//! The process's allocator, chosen per command before the first allocation.
//!
//! A repository walk (`pullpass lint DIR`) parses thousands of files on every core, and
//! glibc's `malloc`/`free` were 17 % of its instructions (callgrind, the bench's 10,000-file
//! repository); mimalloc (as ruff's binary uses) cut them by 14 %. But docker and the kubelet
//! start a process per pull for the credential protocols, and there mimalloc's set-up (its
//! 1 GiB arena reserved with `MADV_HUGEPAGE` on the first allocation) cost 0.3 ms of a 1.8 ms
//! process (`perf stat -r 500`, `credential-helper version`): most commands take glibc's.
//!
//! No crate chooses a global allocator at run time, hence this small `unsafe` module. The
//! choice is made once, before `main`: glibc calls the functions of `.init_array` with
//! `argc`/`argv` (as the standard library itself reads them), and [`choose`] picks mimalloc
//! when an argument is `lint`. The soundness argument: [`MODE`] leaves `UNDECIDED` exactly
//! once, by a compare-and-swap, and every allocation first settles it (to glibc if nothing
//! chose yet), so memory is always freed by the allocator that allocated it. Elsewhere than
//! Linux with glibc nothing chooses, and every command takes the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

use mimalloc::MiMalloc;

const UNDECIDED: u8 = 0;
const SYSTEM: u8 = 1;
const MIMALLOC: u8 = 2;

static MODE: AtomicU8 = AtomicU8::new(UNDECIDED);

/// The allocator of this process: settled on first use, never changed after.
fn mode() -> u8 {
    match MODE.load(Ordering::Acquire) {
        UNDECIDED => settle(SYSTEM),
        mode => mode,
    }
}

/// Settles [`MODE`] to `wanted` unless it is settled already; returns what it is.
fn settle(wanted: u8) -> u8 {
    match MODE.compare_exchange(UNDECIDED, wanted, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => wanted,
        Err(settled) => settled,
    }
}

/// The allocator [`MODE`] names.
fn chosen() -> &'static dyn GlobalAlloc {
    if mode() == MIMALLOC {
        &MiMalloc
    } else {
        &System
    }
}

/// glibc's or mimalloc's, as [`MODE`] says.
#[derive(Debug)]
pub(crate) struct ByCommand;

// SAFETY: every method hands the call, with the caller's contract unchanged, to the one
// allocator `chosen()` names for the whole life of the process (see the module's
// documentation), so a block is resized and freed by the allocator that gave it out; both
// allocators uphold `GlobalAlloc`'s contract.
unsafe impl GlobalAlloc for ByCommand {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the `impl`.
        unsafe { chosen().alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the `impl`.
        unsafe { chosen().alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: see the `impl`.
        unsafe { chosen().dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see the `impl`.
        unsafe { chosen().realloc(ptr, layout, new_size) }
    }
}

/// Whether a command line runs `lint` (the one command that walks many files).
fn walks(args: impl IntoIterator<Item = impl AsRef<[u8]>>) -> bool {
    args.into_iter().skip(1).any(|a| a.as_ref() == b"lint")
}

/// Called by glibc before `main` with the process's arguments (glibc passes `argc`, `argv`
/// and `envp` to `.init_array` functions); allocates nothing.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn choose(
    argc: std::ffi::c_int,
    argv: *const *const std::ffi::c_char,
    _envp: *const *const std::ffi::c_char,
) {
    if argv.is_null() {
        return;
    }
    let count = usize::try_from(argc).unwrap_or(0);
    // SAFETY: glibc hands over `argc` valid, NUL-terminated strings at `argv`, alive for the
    // whole process.
    let args = (0..count).map(|i| unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) }.to_bytes());
    if walks(args) {
        settle(MIMALLOC);
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[unsafe(link_section = ".init_array")]
static CHOOSE: extern "C" fn(
    std::ffi::c_int,
    *const *const std::ffi::c_char,
    *const *const std::ffi::c_char,
) = choose;

/// Which allocator this process runs on (for the tests).
pub(crate) fn name() -> &'static str {
    if mode() == MIMALLOC {
        "mimalloc"
    } else {
        "system"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_lint_walks() {
        assert!(super::walks(["pullpass", "lint", "."]));
        assert!(super::walks(["pullpass", "-v", "lint"]));
        assert!(!super::walks(["pullpass", "credential-helper", "get"]));
        assert!(
            !super::walks(["lint"]),
            "the program's own name is not a command"
        );
        assert!(!super::walks(["pullpass", "linting"]));
    }
}
