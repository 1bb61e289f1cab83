//! `cargo xtask demo`: build pullpass and show it working on the bundled examples.

use anyhow::bail;

use crate::util::{cargo, project_root, sh};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Build everything and lint the examples, but do not serve the demo page.
    #[arg(long)]
    no_serve: bool,
    /// Serve the page on a free port, fetch it and the wasm module once, check their content
    /// types, and exit (for CI).
    #[arg(long)]
    smoke: bool,
    /// Port for the demo page (default: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    sh(cargo().args(["build", "--quiet", "--package", "pullpass-cli"]))?;
    let _ = project_root();
    demo_web(args)
}

/// Builds the browser package and serves `web/` on loopback until Ctrl-C.
fn demo_web(args: &Args) -> anyhow::Result<()> {
    crate::wasm::run(&crate::wasm::Args::default())?;
    if args.no_serve {
        return Ok(());
    }
    let server = crate::serve::Server::bind(&project_root().join("web"), args.port)?;
    if args.smoke {
        let addr = server.spawn()?;
        for (path, want) in [
            ("/", "text/html"),
            ("/app.js", "text/javascript"),
            ("/pkg/pullpass.js", "text/javascript"),
            ("/pkg/pullpass_bg.wasm", "application/wasm"),
        ] {
            let (status, kind, body) = crate::serve::get(addr, path)?;
            if !status.contains("200") || !kind.starts_with(want) || body.is_empty() {
                bail!(
                    "GET {path}: {status}, {kind}, {} bytes (wanted 200 {want})",
                    body.len()
                );
            }
            eprintln!("GET {path}: {status}, {kind}, {} bytes", body.len());
        }
        return Ok(());
    }
    let addr = server.addr()?;
    println!("\npullpass demo: http://{addr}/  (Ctrl-C stops it)");
    println!("benchmark:     http://{addr}/bench.html\n");
    server.serve_forever()
}
