//! Link options of the `pullpass` binary.
//!
//! `-z pack-relative-relocs` (DT_RELR, binutils ≥ 2.38, glibc ≥ 2.36): the binary holds about
//! 37,000 relative relocations (mostly the AWS SDK's tables); as RELA entries they are 900 KB
//! the dynamic loader reads and applies on every start, as RELR a few KB. Every credential
//! helper `get` is a fresh process (BENCHMARKS.md section 2), so start-up is the warm `get`.
//! Only where the linker is GNU ld or lld on Linux/GNU and the option is known to work.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PULLPASS_NO_RELR");
    let target = std::env::var("TARGET").unwrap_or_default();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if release
        && target.ends_with("-linux-gnu")
        && std::env::var_os("PULLPASS_NO_RELR").is_none()
        && linker_knows_relr()
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether `cc` links a trivial program with the option (an old linker fails: then nothing is
/// added).
fn linker_knows_relr() -> bool {
    let dir = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from);
    let Some(dir) = dir else { return false };
    let src = dir.join("relr.c");
    if std::fs::write(&src, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    std::process::Command::new("cc")
        .arg(&src)
        .arg("-o")
        .arg(dir.join("relr"))
        .arg("-Wl,-z,pack-relative-relocs")
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
