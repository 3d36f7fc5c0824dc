//! `cargo xtask`: the project's tasks. Each installs the pinned tools it needs first (idempotent, quick when
//! everything is present) and explains what it is doing.
//!
//! ```text
//! cargo xtask serve [--port N]   build the release bundle and serve it on http://127.0.0.1:8080
//! cargo xtask test               every check: fmt, clippy, native, browser, end-to-end, size, conformance, fuzz
//! cargo xtask test --quick       the everyday tier: fmt, clippy, native tests
//! cargo xtask dist               build the release bundle into dist/
//! cargo xtask bench              measure sizes and speeds against their budgets
//! cargo xtask conformance        compare the simulator with a real Postfix, Exim, OpenSMTPD and Sendmail, a table each
//! cargo xtask e2e [name…]        the end-to-end tests alone, against the bundle in dist/
//! cargo xtask fuzz [seconds]     replay every committed fuzz input, then fuzz each target (default 300 s each)
//! cargo xtask setup              only install the tools
//! ```

mod bench;
mod bundle;
mod compact;
mod fuzz;
mod serve;
mod split;
mod steps;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

const USAGE: &str =
    "usage: cargo xtask <serve [--port N] | test [--quick] | dist | e2e [name…] | bench | conformance | fuzz [seconds] | setup>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve_command(&args[1..]),
        Some("dist") => tools::ensure_build_tools().and_then(|_| bundle::build()).map(|_| ()),
        Some("setup") => tools::ensure_build_tools().and_then(|_| tools::ensure_test_tools()),
        Some("test") => match args.get(1).map(String::as_str) {
            None => steps::test_all(),
            Some("--quick") => steps::test_quick(),
            Some(other) => Err(format!("unknown option {other:?} for test; try --quick\n{USAGE}")),
        },
        Some("bench") => bench::run(),
        Some("e2e") => steps::e2e_only(&args[1..]),
        Some("conformance") => steps::conformance_table(&args[1..]),
        Some("fuzz") => match args.get(1).map(|s| s.parse::<u64>()) {
            None => fuzz::replay_all().and_then(|_| fuzz::run_all(fuzz::DEFAULT_SECONDS)).map(|r| println!("{r}")),
            Some(Ok(n)) if n > 0 => fuzz::replay_all().and_then(|_| fuzz::run_all(n)).map(|r| println!("{r}")),
            Some(_) => Err(format!("fuzz takes a number of seconds per target, e.g. cargo xtask fuzz 600\n{USAGE}")),
        },
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task {other:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve_command(args: &[String]) -> Result<(), String> {
    let mut port: u16 = 8080;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" | "-p" => {
                let v = it.next().ok_or("--port needs a number, e.g. --port 8081")?;
                port = v.parse().map_err(|_| format!("--port {v:?} is not a port number (1–65535)"))?;
            }
            other => return Err(format!("unknown option {other:?} for serve; try --port 8081")),
        }
    }
    // Bind first, so a busy port is reported before a long build.
    let listener = serve::bind(port)?;
    tools::ensure_build_tools()?;
    bundle::build()?;
    let url = format!("http://127.0.0.1:{}/", listener.local_addr().map_err(|e| e.to_string())?.port());
    println!("\nMailpath is running at {url}  (Ctrl-C to stop)");
    serve::serve_forever(listener, serve::Site::new(root().join("dist")))
}
