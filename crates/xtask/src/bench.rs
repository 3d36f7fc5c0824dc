//! `cargo xtask bench`: builds the release bundle and the Yew floor app, and prints every performance figure
//! beside its budget: first-load bytes, load to interactive, toggle to frame, playback smoothness, memory, and the
//! core's criterion figures. Timings are reported, not asserted (only the byte budget is a test).

use crate::bundle::{self, FIRST_LOAD_BUDGET};
use crate::root;
use crate::serve::{self, Site};
use crate::tools;
use std::process::Command;

/// The first-load aim, gzip -9 bytes: the floor, the engine and the first screen (the guard is the test).
const FIRST_LOAD_AIM: u64 = 160 * 1024;

fn kb(b: u64) -> String {
    format!("{:.1} KB", b as f64 / 1024.0)
}

/// A figure with a budget, marked met or over.
fn row(what: &str, figure: &str, budget: &str, ok: bool) {
    println!("{:<44} {:>26}   {:<22} {}", what, figure, budget, if ok { "✓" } else { "✗ over" });
}

/// A figure with a must (✓ or ✗) and an aim (reached or not).
fn aimed(what: &str, figure: &str, must: (&str, bool), aim: (&str, bool)) {
    println!(
        "{:<44} {:>26}   must {:<14} {}   aim {:<12} {}",
        what,
        figure,
        must.0,
        if must.1 { "✓" } else { "✗" },
        aim.0,
        if aim.1 { "reached" } else { "not reached" }
    );
}

/// A figure that is reported, with no budget to meet.
fn info(what: &str, figure: &str, note: &str) {
    println!("{:<44} {:>26}   {}", what, figure, note);
}

/// The `figure <name> <number>` lines the browser script prints.
fn figures(stdout: &str) -> std::collections::HashMap<String, f64> {
    stdout
        .lines()
        .filter_map(|l| {
            let mut parts = l.strip_prefix("figure ")?.split_whitespace();
            Some((parts.next()?.to_string(), parts.next()?.parse().ok()?))
        })
        .collect()
}

/// Every figure.
pub fn run() -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_test_tools()?;
    let dist = bundle::build()?;
    let floor_dist = bundle::build_page("crates/yew-floor/index.html", &root().join("target/bench/floor-dist"))?;
    let total = |d: &std::path::Path| -> Result<(u64, u64), String> {
        Ok(bundle::first_load(d)?.iter().fold((0, 0), |(r, g), f| (r + f.raw, g + f.gzip)))
    };
    let (ours_raw, ours) = total(&dist)?;
    let (floor_raw, floor) = total(&floor_dist)?;

    // A static copy of the rendered page (the browser script writes it here) is served beside the bundle, so its
    // first paint shows what the page's own HTML and CSS cost without any WebAssembly.
    let static_copy = root().join("target/bench/static-copy");
    std::fs::create_dir_all(&static_copy).map_err(|e| format!("{}: {e}", static_copy.display()))?;
    let site =
        Site { mounts: vec![("/static-copy/".into(), static_copy.clone()), ("/".into(), dist.clone())], csp: true };
    let url = serve::spawn(site)?;
    let floor_url = serve::spawn(Site::new(floor_dist.clone()))?;
    println!("==> Measuring in headless Chromium (about 2 minutes)");
    let out = Command::new("node")
        .arg("tests/bench/bench.mjs")
        .env("MAILPATH_URL", &url)
        .env("FLOOR_URL", &floor_url)
        .env("STATIC_COPY_DIR", &static_copy)
        .current_dir(root())
        .output()
        .map_err(|e| format!("node: {e}"))?;
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err("the browser measurements failed (see above)".into());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let figures = figures(&stdout);
    let get =
        |name: &str| figures.get(name).copied().ok_or_else(|| format!("no {name} in the measurements:\n{stdout}"));

    println!("==> Core (criterion, one pass)");
    let core = Command::new("cargo")
        .args([
            "bench",
            "-p",
            "mailpath-core",
            "--bench",
            "core",
            "--",
            "--noplot",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "3",
        ])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cargo bench: {e}"))?;
    let core_text = String::from_utf8_lossy(&core.stdout).to_string();
    if !core.status.success() {
        return Err(format!("cargo bench failed:\n{}", String::from_utf8_lossy(&core.stderr)));
    }

    println!("\n{:<44} {:>26}   {:<22}", "measure", "figure", "budget");
    aimed(
        "first load, ours (raw / gzip -9)",
        &format!("{} / {}", kb(ours_raw), kb(ours)),
        (&format!("≤ {}", kb(FIRST_LOAD_BUDGET)), ours <= FIRST_LOAD_BUDGET),
        (&format!("≤ {}", kb(FIRST_LOAD_AIM)), ours <= FIRST_LOAD_AIM),
    );
    for f in bundle::on_demand(&dist)? {
        info(&format!("  on demand: {}", f.name), &format!("{} / {}", kb(f.raw), kb(f.gzip)), "when first opened");
    }
    info("first load, Yew floor app (raw / gzip -9)", &format!("{} / {}", kb(floor_raw), kb(floor)), "");
    info("ours / floor", &format!("{:.2}×", ours as f64 / floor as f64), "reported");
    let (lo, lf) = (get("load.ours.median")?, get("load.floor.median")?);
    info("load to interactive, ours (median / p95)", &format!("{lo:.0} / {:.0} ms", get("load.ours.p95")?), "");
    info("load to interactive, floor (median / p95)", &format!("{lf:.0} / {:.0} ms", get("load.floor.p95")?), "");
    let (so, sf) = (get("load.ours.started")?, get("load.floor.started")?);
    info("  of which fetch + compile, ours / floor", &format!("{so:.0} / {sf:.0} ms"), "(median, to `started`)");
    info(
        "  of which first render, ours / floor",
        &format!("{:.0} / {:.0} ms", lo - so, lf - sf),
        "(median difference)",
    );
    let paint_static = get("paint.static")?;
    info(
        "first paint, ours / static copy of the page",
        &format!("{:.0} / {paint_static:.0} ms", get("paint.ours")?),
        "(median; the copy has no wasm)",
    );
    let vs_static = lo / paint_static;
    aimed(
        "load to interactive / static copy's paint",
        &format!("{vs_static:.2}×"),
        ("≤ 1.2×", vs_static <= 1.2),
        ("≤ 1.0×", vs_static <= 1.0),
    );
    let (t50, t95) = (get("toggle.busy.p50")?, get("toggle.busy.p95")?);
    aimed(
        "toggle authentication to frame, busy (p50 / p95)",
        &format!("{t50:.1} / {t95:.1} ms"),
        ("p95 ≤ 16 ms", t95 <= 16.0),
        ("p95 ≤ 8 ms", t95 <= 8.0),
    );
    info(
        "  … with the wait for the 60 Hz frame",
        &format!("{:.1} / {:.1} ms", get("toggle.raw.p50")?, get("toggle.raw.p95")?),
        "reported",
    );
    let (r50, r95) = (get("toggle.table.busy.p50")?, get("toggle.table.busy.p95")?);
    aimed(
        "toggle server software (grid recomputed)",
        &format!("{r50:.1} / {r95:.1} ms"),
        ("p95 ≤ 16 ms", r95 <= 16.0),
        ("p95 ≤ 8 ms", r95 <= 8.0),
    );
    let (long, slow, frames) = (get("playback.long")?, get("playback.slow")?, get("playback.frames")?);
    row("long tasks playing 3 presets at 4×", &format!("{long:.0}"), "0", long == 0.0);
    info("frames over 20 ms (of all frames)", &format!("{slow:.0} of {frames:.0}"), "reported");
    let (w0, w1) = (get("memory.wasm.before")?, get("memory.wasm.after")?);
    let (h0, h1) = (get("memory.heap.before")?, get("memory.heap.after")?);
    row(
        "wasm memory, before → after 1,000 loads",
        &format!("{} → {}", kb(w0 as u64), kb(w1 as u64)),
        "growth ≤ 1 MB",
        w1 - w0 <= 1048576.0,
    );
    row(
        "JS heap, before → after 1,000 loads",
        &format!("{} → {}", kb(h0 as u64), kb(h1 as u64)),
        "growth ≤ 1 MB",
        h1 - h0 <= 1048576.0,
    );
    // Criterion writes "name  time: [low median high]", or the name alone on the line before when it is long.
    let mut previous = "";
    let mut core_rows = 0;
    for line in core_text.lines() {
        if let Some((name, rest)) = line.split_once("time:") {
            let name = if name.trim().is_empty() { previous.trim() } else { name.trim() };
            let figure: Vec<&str> = rest.trim().trim_matches(['[', ']']).split_whitespace().collect();
            let median = if figure.len() >= 4 { format!("{} {}", figure[2], figure[3]) } else { "?".into() };
            info(&format!("core: {name}"), &median, "reported");
            core_rows += 1;
        }
        if !line.trim().is_empty() {
            previous = line;
        }
    }
    if core_rows == 0 {
        return Err(format!("no criterion figures in the output of cargo bench:\n{core_text}"));
    }
    Ok(())
}
