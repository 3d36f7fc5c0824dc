//! `cargo xtask fuzz [seconds]`: every cargo-fuzz target of the core for a bounded time, from the committed seed
//! corpora (a scratch corpus under target/ collects what the fuzzer finds, so the seeds stay as committed). A crash
//! fails with the input's path; turn it into a regression test.

use crate::root;
use crate::tools;
use std::process::Command;

/// The targets, in `crates/mailpath-core/fuzz/fuzz_targets`.
pub const TARGETS: [&str; 3] = ["permalink", "scenario_file", "address"];
/// Default seconds per target in `cargo xtask test`.
pub const DEFAULT_SECONDS: u64 = 60;
const CARGO_FUZZ: &str = "0.13.1";

/// Installs cargo-fuzz if needed and checks that the nightly toolchain is there.
pub fn ensure() -> Result<(), String> {
    if tools::output_line("cargo", &["+nightly", "--version"]).is_none() {
        return Err("fuzzing needs the nightly toolchain (`rustup toolchain list` shows none); \
                    install it with `rustup toolchain install nightly`"
            .into());
    }
    tools::ensure_cargo_tool(
        "cargo-fuzz",
        &format!("cargo-fuzz {CARGO_FUZZ}"),
        "cargo-fuzz",
        CARGO_FUZZ,
        true,
        "under a minute",
    )
}

/// Runs every target for `seconds`; returns "target: N runs" for each.
pub fn run_all(seconds: u64) -> Result<String, String> {
    ensure()?;
    let core = root().join("crates/mailpath-core");
    let mut report = Vec::new();
    for target in TARGETS {
        let corpus = root().join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        println!("fuzzing {target} for {seconds} s …");
        let out = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", target])
            .arg(&corpus)
            .arg(format!("fuzz/seeds/{target}"))
            .args(["--", &format!("-max_total_time={seconds}"), "-rss_limit_mb=2048", "-print_final_stats=0"])
            .current_dir(&core)
            .output()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        let text = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            let crash = text
                .lines()
                .filter(|l| l.contains("Test unit written to") || l.contains("panicked"))
                .collect::<Vec<_>>();
            eprintln!("{text}");
            return Err(format!("fuzz target {target} failed: {}", crash.join("; ")));
        }
        let runs = text
            .lines()
            .find_map(|l| l.strip_prefix("Done ").and_then(|r| r.split_whitespace().next()).map(str::to_string))
            .ok_or_else(|| format!("fuzz target {target}: no \"Done N runs\" line in its output"))?;
        println!("  {target}: {runs} runs, no crash");
        report.push(format!("{target} {runs}"));
    }
    Ok(format!("{} runs in {seconds} s each, no crash", report.join(", ")))
}
