//! `pullpass`: the command-line tool for operators and CI.
//!
//! Owns argument parsing, the config file, renderers, exit codes and the docker credential
//! helper / kubelet credential provider protocols. Rules live in `pullpass-core`; AWS lives in
//! `pullpass-ecr`. This crate never names an AWS SDK type.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod commands;
mod config;
mod exit;
mod render;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code.into(),
        Err(error) => {
            eprintln!("error: {error:#}");
            exit::Exit::Usage.into()
        }
    }
}
