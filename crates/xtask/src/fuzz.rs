//! Fuzzing the core: `replay_all` runs every committed input of every target once (the seeds, and every crash
//! ever found, kept as a seed); `run_all` then fuzzes each target for a bounded time from those seeds (a scratch
//! corpus under target/ collects what the fuzzer finds, so the seeds stay as committed). `cargo xtask test` does
//! both with a short time; `cargo xtask fuzz [seconds]` is the long run. A crash fails with the input's path;
//! turn it into a seed and a regression test.

use crate::root;
use crate::tools;
use std::process::Command;

/// The targets, in `crates/mailpath-core/fuzz/fuzz_targets`.
pub const TARGETS: [&str; 5] = ["permalink", "scenario_file", "address", "console", "bounce"];
/// Extra `cargo fuzz` options of a target: the bounce reader runs mail-parser, whose
/// `debug_assert!(false, "Invalid part ID …")` fires on broken MIME that it then reads fine; the app's release
/// build has no debug assertions, so that target is built the same way (`-O`).
fn release_only(target: &str) -> &'static [&'static str] {
    if target == "bounce" {
        &["-O"]
    } else {
        &[]
    }
}

/// Seconds per target in `cargo xtask test`.
pub const TEST_SECONDS: u64 = 30;
/// Default seconds per target for `cargo xtask fuzz`.
pub const DEFAULT_SECONDS: u64 = 300;
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

/// Runs every committed input of every target once; returns how many per target.
pub fn replay_all() -> Result<String, String> {
    ensure()?;
    let core = root().join("crates/mailpath-core");
    let mut report = Vec::new();
    for target in TARGETS {
        let seeds = core.join("fuzz/seeds").join(target);
        let count = std::fs::read_dir(&seeds).map_err(|e| format!("{}: {e}", seeds.display()))?.count();
        println!("replaying the {count} committed inputs of {target} …");
        let out = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", target])
            .args(release_only(target))
            .arg(format!("fuzz/seeds/{target}"))
            .args(["--", "-runs=0", "-rss_limit_mb=2048", "-print_final_stats=0"])
            .current_dir(&core)
            .output()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        if !out.status.success() {
            let text = String::from_utf8_lossy(&out.stderr);
            eprintln!("{text}");
            return Err(format!("fuzz target {target}: a committed input fails"));
        }
        report.push(format!("{target} {count}"));
    }
    Ok(format!("committed inputs replayed: {}", report.join(", ")))
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
            .args(release_only(target))
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
