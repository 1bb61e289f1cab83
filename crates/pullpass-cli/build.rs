//! Link options of the `pullpass` binary (release builds on Linux/GNU only).
//!
//! Every credential helper `get` and kubelet credential provider call is a fresh process
//! (BENCHMARKS.md section 2), so the binary's start-up is the warm `get`. Most of the start-up
//! work is the dynamic loader applying the binary's relative relocations: about 37,000 (mostly
//! the AWS SDK's tables), each a pointer written into `.data.rel.ro`, whose ~95 pages are then
//! copied on write in every process.
//!
//! - `-no-pie`: a position-dependent executable has no relative relocations at all: the
//!   loader applies none and `.data.rel.ro` stays shared with the page cache. Measured on a
//!   warm `get` (300 interleaved runs): 1.48 → 1.23 ms median, 1.16 M → 0.88 M instructions
//!   (callgrind), 277 → 191 page faults.
//!   The price is ASLR for the executable's own image (the heap, the stack and the shared
//!   libraries stay randomised), the same trade Debian ships in `docker-credential-ecr-login`
//!   (a Go binary, position-dependent like every default Go build). A distributor whose policy
//!   requires PIE sets `PULLPASS_PIE=1` at build time.
//! - `-z pack-relative-relocs` (DT_RELR, binutils ≥ 2.38, glibc ≥ 2.36), for the PIE build: the
//!   relocations as RELR entries are a few KB the loader reads instead of 900 KB of RELA.
//!
//! Each option only where `cc` links a trivial program with it (otherwise nothing is added).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PULLPASS_NO_RELR");
    println!("cargo:rerun-if-env-changed=PULLPASS_PIE");
    let target = std::env::var("TARGET").unwrap_or_default();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if !release || !target.ends_with("-linux-gnu") {
        return;
    }
    if std::env::var_os("PULLPASS_PIE").is_none() && links_with("-no-pie") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    } else if std::env::var_os("PULLPASS_NO_RELR").is_none()
        && links_with("-Wl,-z,pack-relative-relocs")
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether `cc` links a trivial program with `option` (an old linker fails: then nothing is
/// added).
fn links_with(option: &str) -> bool {
    let dir = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from);
    let Some(dir) = dir else { return false };
    let src = dir.join("probe.c");
    if std::fs::write(&src, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    std::process::Command::new("cc")
        .arg(&src)
        .arg("-o")
        .arg(dir.join("probe"))
        .arg(option)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
