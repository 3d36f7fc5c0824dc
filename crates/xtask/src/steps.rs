//! `cargo xtask test`: every check, in order, with a summary of counts and durations at the end.

use crate::bundle::{self, FIRST_LOAD_BUDGET};
use crate::fuzz;
use crate::root;
use crate::serve::{self, Site};
use crate::tools;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

/// One step's result for the summary.
struct Done {
    name: &'static str,
    secs: f64,
    detail: String,
}

/// Runs a command, echoing its output, and returns (passed, failed) counts found in cargo or node test output.
fn run_counting(cmd: &mut Command, what: &str) -> Result<(u64, u64), String> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("{what}: could not start: {e}"))?;
    let stderr = child.stderr.take().expect("stderr");
    let err_thread = std::thread::spawn(move || {
        let mut counts = (0u64, 0u64);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            add_counts(&line, &mut counts);
        }
        counts
    });
    let mut counts = (0u64, 0u64);
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines().map_while(Result::ok) {
        println!("{line}");
        add_counts(&line, &mut counts);
    }
    let e = err_thread.join().unwrap_or_default();
    let status = child.wait().map_err(|e| e.to_string())?;
    let total = (counts.0 + e.0, counts.1 + e.1);
    if !status.success() {
        return Err(format!("{what} failed ({status}); {} passed, {} failed", total.0, total.1));
    }
    Ok(total)
}

fn add_counts(line: &str, counts: &mut (u64, u64)) {
    let num = |after: &str| -> u64 { after.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0) };
    if let Some(rest) = line.trim().strip_prefix("test result: ") {
        for part in rest.split(';') {
            let part = part.trim().trim_start_matches("ok.").trim_start_matches("FAILED.").trim();
            if let Some(n) = part.strip_suffix(" passed") {
                counts.0 += num(n);
            } else if let Some(n) = part.strip_suffix(" failed") {
                counts.1 += num(n);
            }
        }
    }
    for prefix in ["ℹ pass ", "# pass "] {
        if let Some(n) = line.trim().strip_prefix(prefix) {
            counts.0 += num(n);
        }
    }
    for prefix in ["ℹ fail ", "# fail "] {
        if let Some(n) = line.trim().strip_prefix(prefix) {
            counts.1 += num(n);
        }
    }
}

fn step<F: FnOnce() -> Result<String, String>>(done: &mut Vec<Done>, name: &'static str, f: F) -> Result<(), String> {
    println!("\n━━━ {name} ━━━");
    let start = Instant::now();
    let detail = f().map_err(|e| format!("{name}: {e}"))?;
    done.push(Done { name, secs: start.elapsed().as_secs_f64(), detail });
    Ok(())
}

fn cargo(args: &[&str]) -> Command {
    let mut c = Command::new("cargo");
    c.args(args).current_dir(root());
    c
}

/// Writes the webdriver.json the wasm-bindgen test runner passes to Chromium.
fn webdriver_json() -> Result<std::path::PathBuf, String> {
    let path = root().join("target/webdriver.json");
    std::fs::create_dir_all(root().join("target")).map_err(|e| e.to_string())?;
    let json = r#"{"goog:chromeOptions":{"binary":"/usr/bin/chromium","args":["--headless=new","--no-sandbox","--disable-gpu","--disable-dev-shm-usage","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run","--disable-quic"]}}"#;
    std::fs::write(&path, json).map_err(|e| e.to_string())?;
    Ok(path)
}

fn counted(c: (u64, u64)) -> String {
    format!("{} passed, {} failed", c.0, c.1)
}

/// Runs the conformance tool, echoing it, and returns its last line (the counts).
fn run_conformance(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("conformance: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    let last = text.lines().last().unwrap_or("").to_string();
    if !out.status.success() {
        return Err(format!("the simulator and a real server disagree or the suite could not run: {last}"));
    }
    Ok(last)
}

/// `cargo xtask conformance [options]`: installs Postfix and unpacks Exim, OpenSMTPD and Sendmail if needed and
/// prints one comparison table per server software.
pub fn conformance_table(args: &[String]) -> Result<(), String> {
    tools::ensure_postfix()?;
    tools::ensure_exim()?;
    tools::ensure_opensmtpd()?;
    tools::ensure_sendmail()?;
    let mut c = cargo(&["run", "--quiet", "--release", "-p", "mailpath-conformance", "--"]);
    c.args(args);
    tools::run(&mut c, "conformance")
}

/// The everyday tier: format, lints and native tests (no browser, no bundle, no real servers).
pub fn test_quick() -> Result<(), String> {
    let start = Instant::now();
    // The web crate's lints are checked for the wasm target.
    tools::ensure_target()?;
    let mut done = Vec::new();
    static_checks(&mut done)?;
    summary(&done, start);
    println!("  (the quick tier; `cargo xtask test` runs everything: browser, bundle, fuzzing, real servers)");
    Ok(())
}

fn summary(done: &[Done], start: Instant) {
    println!("\n━━━ summary ━━━");
    for d in done {
        println!("  ✓ {:<42} {:>7.1} s  {}", d.name, d.secs, d.detail);
    }
    println!("  all checks passed in {:.1} min", start.elapsed().as_secs_f64() / 60.0);
}

/// Format, clippy (native and wasm) and the native tests.
fn static_checks(done: &mut Vec<Done>) -> Result<(), String> {
    step(done, "cargo fmt --check", || {
        tools::run(&mut cargo(&["fmt", "--all", "--", "--check"]), "cargo fmt --check").map(|_| "clean".into())
    })?;
    step(done, "cargo clippy", || {
        tools::run(&mut cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]), "cargo clippy")?;
        tools::run(
            &mut cargo(&[
                "clippy",
                "-p",
                "mailpath-web",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
            "cargo clippy (wasm)",
        )?;
        // The release bundle's build, with its split points.
        tools::run(
            &mut cargo(&[
                "clippy",
                "-p",
                "mailpath-web",
                "--target",
                "wasm32-unknown-unknown",
                "--features",
                "lazy",
                "--",
                "-D",
                "warnings",
            ]),
            "cargo clippy (wasm, split)",
        )
        .map(|_| "no warnings (native, wasm, wasm split)".into())
    })?;
    step(done, "native tests", || run_counting(&mut cargo(&["test", "--workspace"]), "cargo test").map(counted))?;
    Ok(())
}

/// Every check the project has.
pub fn test_all() -> Result<(), String> {
    let start = Instant::now();
    let mut done = Vec::new();
    step(&mut done, "tools", || {
        tools::ensure_build_tools()?;
        tools::ensure_test_tools()?;
        Ok("pinned tools present".into())
    })?;
    static_checks(&mut done)?;
    step(&mut done, "component tests (headless Chromium)", || {
        let wd = webdriver_json()?;
        let mut c = cargo(&["test", "-p", "mailpath-web", "--target", "wasm32-unknown-unknown"]);
        c.env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", wd)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60");
        run_counting(&mut c, "wasm component tests").map(counted)
    })?;
    let mut dist = root().join("dist");
    step(&mut done, "release bundle", || {
        dist = bundle::build()?;
        Ok(dist.display().to_string())
    })?;
    step(&mut done, "first-load size budget", || {
        let gzip = bundle::check_first_load(&dist, FIRST_LOAD_BUDGET)?;
        Ok(format!("{gzip} B gzip -9 ({:.1} KB) ≤ {:.0} KB", gzip as f64 / 1024.0, FIRST_LOAD_BUDGET as f64 / 1024.0))
    })?;
    step(&mut done, "fuzzing: committed inputs replayed", fuzz::replay_all)?;
    step(&mut done, "fuzzing (cargo fuzz, bounded)", || {
        let seconds =
            std::env::var("MAILPATH_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(fuzz::TEST_SECONDS);
        fuzz::run_all(seconds)
    })?;
    step(&mut done, "conformance with a real Postfix, Exim, OpenSMTPD and Sendmail", || {
        let mut c = cargo(&["run", "--quiet", "-p", "mailpath-conformance", "--", "--check"]);
        run_conformance(&mut c)
    })?;
    step(&mut done, "end-to-end tests (Playwright, Chromium)", || run_e2e(&dist, &[]))?;
    summary(&done, start);
    Ok(())
}

/// Runs the end-to-end tests (every `tests/e2e/*.test.mjs`, or the files whose names contain one of `only`)
/// against the bundle in `dist`, served on loopback with and without the CSP header.
fn run_e2e(dist: &std::path::Path, only: &[String]) -> Result<String, String> {
    let url = serve::spawn(Site::new(dist.to_path_buf()))?;
    // The same bundle without the CSP header, for the tests that check markup stays text by itself.
    let nocsp = serve::spawn(Site { csp: false, ..Site::new(dist.to_path_buf()) })?;
    let out = root().join("target/test-output");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/e2e"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .map(|p| p.display().to_string())
        .filter(|p| only.is_empty() || only.iter().any(|o| p.contains(o.as_str())))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no end-to-end test file matches {only:?}"));
    }
    let mut c = Command::new("node");
    c.arg("--test")
        .arg("--test-reporter=spec")
        .args(&files)
        .env("MAILPATH_URL", &url)
        .env("MAILPATH_URL_NOCSP", &nocsp)
        .env("MAILPATH_OUT", &out)
        .current_dir(root());
    run_counting(&mut c, "end-to-end tests").map(counted)
}

/// `cargo xtask e2e [name…]`: the end-to-end tests alone, against the bundle in `dist/` (built first when there
/// is none), for working on the page.
pub fn e2e_only(only: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let mut done = Vec::new();
    tools::ensure_test_tools()?;
    let dist = root().join("dist");
    if !dist.join("index.html").exists() {
        step(&mut done, "release bundle", || bundle::build().map(|d| d.display().to_string()))?;
    }
    step(&mut done, "end-to-end tests (Playwright, Chromium)", || run_e2e(&dist, only))?;
    summary(&done, start);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(lines: &[&str]) -> (u64, u64) {
        let mut c = (0, 0);
        for l in lines {
            add_counts(l, &mut c);
        }
        c
    }

    #[test]
    fn counts_come_from_cargo_and_node_summaries_only() {
        assert_eq!(
            counts(&[
                "running 3 tests",
                "test a ... ok",
                "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s",
                "test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.2s",
                "   Doc-tests mailpath_core",
                "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.3s",
            ]),
            (9, 2)
        );
        assert_eq!(counts(&["ℹ tests 17", "ℹ pass 16", "ℹ fail 1", "ℹ cancelled 0"]), (16, 1));
        assert_eq!(counts(&["# pass 4", "# fail 0"]), (4, 0));
        // Lines that only mention the words count nothing.
        assert_eq!(counts(&["test passed_is_not_a_summary ... ok", "the pass 3 was fine", "test result: ok."]), (0, 0));
    }
}
