//! `pullpass`: the command-line tool for operators and CI.
//!
//! Owns argument parsing, the config file, renderers, exit codes and the docker credential
//! helper / kubelet credential provider protocols. Rules live in `pullpass-core`; AWS lives in
//! `pullpass-ecr`. This crate never names an AWS SDK type.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[macro_use]
mod out;

mod alloc;
mod commands;
mod config;
mod exit;
mod input;
mod log;
mod protocol;
mod render;

use std::process::ExitCode;

use clap::Parser;

/// glibc's allocator, or mimalloc for `lint` (see [`alloc`]).
#[global_allocator]
static GLOBAL: alloc::ByCommand = alloc::ByCommand;

fn main() -> ExitCode {
    let args = argv();
    // docker and the kubelet start a process per pull: their exact invocations skip clap.
    let cli = commands::Cli::protocol_invocation(&args)
        .unwrap_or_else(|| commands::Cli::parse_from(args));
    // The real backend: the AWS SDK and the registries' HTTP APIs (tests hand in fakes).
    commands::finish(commands::run(cli, &pullpass_ecr::Aws)).into()
}

/// The arguments, with `credential-helper` inserted when the binary runs as
/// `docker-credential-<suffix>` (a symlink or copy on `PATH`, as docker looks helpers up).
fn argv() -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let helper = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .is_some_and(|name| name.to_string_lossy().starts_with("docker-credential-"));
    if helper {
        args.insert(1, "credential-helper".into());
    }
    args
}
