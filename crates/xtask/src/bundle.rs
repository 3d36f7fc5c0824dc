//! The release bundle: Trunk builds it; then its inline loader moves into a file so the page runs under a strict
//! Content-Security-Policy; and its first-load size is measured (gzip -9, as served).

use crate::root;
use crate::tools::{fnv, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first-load regression guard of the page, gzip -9 bytes summed. The target is 110 KB (see
/// `docs/performance.md`); this guard sits just above today's size so that any growth fails the tests.
pub const FIRST_LOAD_BUDGET: u64 = 230 * 1024;

/// Builds `dist/` in release mode — Trunk's page and the split app — and returns its path.
pub fn build() -> Result<PathBuf, String> {
    let dist = root().join("dist");
    build_page("index.html", &dist)?;
    let chunks = crate::split::build_app(&dist)?;
    println!("==> {} chunks load on demand: {}", chunks.len(), chunks.join(", "));
    compact_styles(&dist)?;
    Ok(dist)
}

/// The page's own stylesheets without comments and spare white space (`compact::css`), their `integrity`
/// attributes in `index.html` recomputed.
fn compact_styles(dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let mut html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let links: Vec<String> =
        html.match_indices("<link rel=\"stylesheet\"").map(|(at, _)| html[at..].to_string()).collect();
    for link in links {
        let tag = &link[..link.find('>').ok_or("index.html: an unterminated stylesheet link")? + 1];
        let attr =
            |name: &str| tag.split(&format!(" {name}=\"")).nth(1).and_then(|r| r.split('"').next()).map(str::to_string);
        let (Some(href), Some(old)) = (attr("href"), attr("integrity")) else { continue };
        let file = dist.join(href.trim_start_matches("./"));
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        std::fs::write(&file, crate::compact::css(&text)).map_err(|e| format!("{}: {e}", file.display()))?;
        html = html.replace(&old, &crate::split::integrity(&file)?);
    }
    std::fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))
}

/// Builds a Trunk page (an `index.html` relative to the root) in release mode into `dist`, with the loader moved
/// into a file.
pub fn build_page(index: &str, dist: &Path) -> Result<PathBuf, String> {
    let root = root();
    println!("==> Fetching crates (offline build afterwards)");
    run(Command::new("cargo").args(["fetch", "--quiet"]).current_dir(&root), "cargo fetch")?;
    println!("==> Building {index} with Trunk in release mode (wasm-opt -Oz)");
    let path = std::env::var("PATH").unwrap_or_default();
    let tools = root.join("web/node_modules/.bin");
    run(
        Command::new("trunk")
            .args(["build", "--release", "--offline=true", index, "--public-url", "./", "--dist"])
            .arg(dist)
            .env("PATH", format!("{}:{path}", tools.display()))
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("NO_COLOR", "true")
            .current_dir(&root),
        "trunk build",
    )?;
    externalise_loader(dist)?;
    Ok(dist.to_path_buf())
}

/// Moves Trunk's inline `<script type="module">` loader into `boot-<hash>.js`, so no inline script remains (pages
/// whose Rust Trunk builds itself, such as the bench's floor app).
pub fn externalise_loader(dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let open = "<script type=\"module\">";
    let Some(start) = html.find(open) else {
        return Ok(()); // already external
    };
    let body_start = start + open.len();
    let end = body_start + html[body_start..].find("</script>").ok_or("index.html: unterminated loader script")?;
    let script = html[body_start..end].trim().to_string() + "\n";
    let name = format!("boot-{:016x}.js", fnv(script.as_bytes()));
    std::fs::write(dist.join(&name), &script).map_err(|e| e.to_string())?;
    let tag = format!("<script type=\"module\" src=\"./{name}\"></script>");
    let out = format!("{}{tag}{}", &html[..start], &html[end + "</script>".len()..]);
    std::fs::write(&index, out).map_err(|e| e.to_string())
}

/// One file of the first load.
pub struct Sized {
    /// File name.
    pub name: String,
    /// Raw bytes.
    pub raw: u64,
    /// gzip -9 bytes.
    pub gzip: u64,
}

/// gzip -9 size of a file, as the system's gzip computes it (no name or time stamp: deterministic).
pub fn gzip_size(path: &Path) -> Result<u64, String> {
    let out = Command::new("gzip").args(["-9", "-n", "-c"]).arg(path).output().map_err(|e| format!("gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", path.display()));
    }
    Ok(out.stdout.len() as u64)
}

/// The files the page loads before it is interactive: the HTML, and the scripts, wasm and styles at the top level
/// of `dist/` (examples and other pages live in subfolders).
pub fn first_load(dist: &Path) -> Result<Vec<Sized>, String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let first = name == "index.html" || [".js", ".wasm", ".css"].iter().any(|ext| name.ends_with(ext));
        if path.is_file() && first {
            let raw = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
            files.push(Sized { gzip: gzip_size(&path)?, name, raw });
        }
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.gzip));
    Ok(files)
}

/// The chunks fetched the first time their feature is shown (`dist/lazy/`).
pub fn on_demand(dist: &Path) -> Result<Vec<Sized>, String> {
    let dir = dist.join(crate::split::LAZY_DIR);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let raw = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        files.push(Sized { gzip: gzip_size(&path)?, name, raw });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// Prints the first-load table and the on-demand chunks; fails if the first load is over `budget`.
pub fn check_first_load(dist: &Path, budget: u64) -> Result<u64, String> {
    let files = first_load(dist)?;
    if !files.iter().any(|f| f.name.ends_with(".wasm")) {
        return Err("dist/ has no .wasm file: build it first".into());
    }
    println!("{:<48} {:>10} {:>10}", "first-load file", "raw", "gzip -9");
    for f in &files {
        println!("{:<48} {:>10} {:>10}", f.name, f.raw, f.gzip);
    }
    let (raw, gzip): (u64, u64) = files.iter().fold((0, 0), |(r, g), f| (r + f.raw, g + f.gzip));
    println!("{:<48} {:>10} {:>10}   budget {} (≤ {:.1} KB)", "total", raw, gzip, budget, budget as f64 / 1024.0);
    for f in on_demand(dist)? {
        println!("{:<48} {:>10} {:>10}   on demand", format!("lazy/{}", f.name), f.raw, f.gzip);
    }
    if gzip > budget {
        return Err(format!("first load is {gzip} bytes gzip -9, over the budget of {budget} bytes"));
    }
    Ok(gzip)
}
