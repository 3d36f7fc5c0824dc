//! The app's Rust build, split: the release wasm is compiled with its relocations (`--emit-relocs`), split at its
//! `#[wasm_split]` points (the `lazy` feature of `web/`) into a main module and one chunk per feature, bound by
//! wasm-bindgen (keeping the function table the chunks share), optimised by wasm-opt one by one, named by content,
//! and wired into `dist/index.html` with a boot script, preloads and their integrity hashes. Trunk still builds the
//! page itself (styles, static files); its own Rust step is skipped (`data-trunk-skip`), since it can neither keep
//! the relocations nor the chunks.
//!
//! The first load is the HTML, the boot script, the main glue, its split loader and the main wasm; the chunks live
//! in `dist/lazy/` and are fetched the first time their feature is shown.

use crate::root;
use crate::tools::{fnv, run};
use base64::Engine;
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The app's crate and binary name.
const APP: &str = "mailpath-web";

/// Where the on-demand chunks go, relative to `dist/`.
pub const LAZY_DIR: &str = "lazy";

/// Builds the split app into `dist/` (already holding Trunk's page); returns the chunk file names.
/// How every module is optimised. `-Oz` for size; `--low-memory-unused` because Rust's wasm32 target puts the
/// stack first (the data starts at 1 MiB and the stack grows down from there), so the lowest kilobyte is never
/// read or written; `--one-caller-inline-max-function-size=20` keeps a function with one caller apart unless it
/// is tiny, which compresses better. Measured on the main module: 221,672 → 218,658 B gzip -9 (docs/performance.md).
/// `--converge` repeats the passes while they still shrink the module; the producers and target-features
/// sections only name the tools, browsers do not read them.
pub const WASM_OPT_FLAGS: [&str; 6] = [
    "-Oz",
    "--converge",
    "--low-memory-unused",
    "--one-caller-inline-max-function-size=20",
    "--strip-producers",
    "--strip-target-features",
];

pub fn build_app(dist: &Path) -> Result<Vec<String>, String> {
    let root = root();
    let work = root.join("target/split");
    let _ = std::fs::remove_dir_all(&work);
    let (out, bound) = (work.join("out"), work.join("bound"));
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;

    println!("==> Compiling {APP} for wasm with relocations (release, features: lazy)");
    run(
        Command::new("cargo")
            .args(["rustc", "--quiet", "-p", APP, "--bin", APP, "--release", "--target", "wasm32-unknown-unknown"])
            .args(["--features", "lazy", "--", "-Clink-args=--emit-relocs"])
            .current_dir(&root),
        "cargo rustc",
    )?;
    let raw = root.join(format!("target/wasm32-unknown-unknown/release/{APP}.wasm"));
    let input = std::fs::read(&raw).map_err(|e| format!("{}: {e}", raw.display()))?;

    println!("==> Splitting it at its split points");
    let main_wasm = out.join("main.wasm");
    let main_js = format!("./{APP}.js");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = &out;
    options.main_out_path = &main_wasm;
    options.main_module = &main_js;
    wasm_split_cli_support::transform(options).map_err(|e| format!("splitting the wasm: {e:#}"))?;

    println!("==> Binding the main module (wasm-bindgen, keeping the shared function table)");
    run(
        Command::new("wasm-bindgen")
            .arg(&main_wasm)
            .args(["--target", "web", "--keep-lld-exports", "--no-typescript", "--out-name", APP, "--out-dir"])
            .arg(&bound),
        "wasm-bindgen",
    )?;

    println!("==> Optimising the main module and each chunk (wasm-opt {})", WASM_OPT_FLAGS.join(" "));
    let wasm_opt = root.join("web/node_modules/.bin/wasm-opt");
    let optimise = |from: &Path, to: &Path| -> Result<(), String> {
        let out = Command::new(&wasm_opt).args(WASM_OPT_FLAGS).arg(from).arg("-o").arg(to).output();
        let out = out.map_err(|e| format!("wasm-opt: {e}"))?;
        // The splitter's name sections carry a subsection wasm-opt does not know; it says so for every chunk.
        let noise = |l: &&str| l.contains("unknown name subsection");
        for line in String::from_utf8_lossy(&out.stderr).lines().filter(|l| !noise(l)) {
            eprintln!("{line}");
        }
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("wasm-opt failed on {} ({})", from.display(), out.status))
        }
    };
    let main_opt = work.join("main.opt.wasm");
    optimise(&bound.join(format!("{APP}_bg.wasm")), &main_opt)?;
    let mut chunks: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&out).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        if let Some(stem) = name.strip_suffix(".wasm").filter(|_| name != "main.wasm") {
            let opt = work.join(format!("{stem}.opt.wasm"));
            optimise(&path, &opt)?;
            chunks.push((stem.to_string(), opt));
        }
    }
    chunks.sort();

    let glue = std::fs::read_to_string(bound.join(format!("{APP}.js"))).map_err(|e| e.to_string())?;
    let loader = std::fs::read_to_string(out.join("__wasm_split.js")).map_err(|e| e.to_string())?;
    let main_bytes = std::fs::read(&main_opt).map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    all.extend_from_slice(glue.as_bytes());
    all.extend_from_slice(loader.as_bytes());
    all.extend_from_slice(&main_bytes);
    let mut chunk_bytes = Vec::new();
    for (stem, path) in &chunks {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        all.extend_from_slice(&bytes);
        chunk_bytes.push((stem.clone(), bytes));
    }
    let id = format!("{:016x}", fnv(&all));
    let names = Names::new(&id);
    let chunk_name =
        |stem: &str| format!("{}-{id}.wasm", stem.strip_prefix("split_").unwrap_or(stem).replace('_', "-"));

    let lazy = dist.join(LAZY_DIR);
    std::fs::create_dir_all(&lazy).map_err(|e| e.to_string())?;
    let write =
        |path: PathBuf, bytes: &[u8]| std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()));
    let glue = link_glue(&glue, &names.loader);
    write(dist.join(&names.glue), crate::compact::js(&glue).unwrap_or(glue).as_bytes())?;
    let mut rewired = loader.replace(&format!("\"{main_js}\""), &format!("\"./{}\"", names.glue));
    let mut written = Vec::new();
    for (stem, bytes) in &chunk_bytes {
        let file = chunk_name(stem);
        rewired = rewired.replace(&format!("\"./{stem}.wasm\""), &format!("\"./{LAZY_DIR}/{file}\""));
        write(lazy.join(&file), bytes)?;
        written.push(file);
    }
    write(dist.join(&names.loader), crate::compact::js(&rewired).unwrap_or(rewired).as_bytes())?;
    write(dist.join(&names.wasm), &main_bytes)?;
    if bound.join("snippets").is_dir() {
        copy_dir(&bound.join("snippets"), &dist.join("snippets"))?;
    }
    let boot = format!(
        "import init, * as bindings from './{}';\nconst wasm = await init({{ module_or_path: './{}' }});\nwindow.wasmBindings = bindings;\ndispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {{ detail: {{ wasm }} }}));\n",
        names.glue, names.wasm
    );
    write(dist.join(&names.boot), boot.as_bytes())?;
    wire_index(dist, &names)?;
    Ok(written)
}

/// The file names of one build.
struct Names {
    glue: String,
    loader: String,
    wasm: String,
    boot: String,
}

impl Names {
    fn new(id: &str) -> Names {
        Names {
            glue: format!("{APP}-{id}.js"),
            loader: format!("{APP}-split-{id}.js"),
            wasm: format!("{APP}-{id}_bg.wasm"),
            boot: format!("boot-{id}.js"),
        }
    }
}

/// The main glue, importing its split loader under the loader's file name (the imports object keeps the module
/// name the wasm asks for).
fn link_glue(glue: &str, loader: &str) -> String {
    glue.replace("from \"./__wasm_split.js\"", &format!("from \"./{loader}\""))
}

/// `sha384-…` of a file, for an `integrity` attribute.
pub fn integrity(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(&bytes))))
}

/// Replaces Trunk's skipped Rust link in `index.html` with the boot script and preloads of the first load.
fn wire_index(dist: &Path, names: &Names) -> Result<(), String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let html = remove_rust_link(&html);
    let tags = format!(
        "<script type=\"module\" src=\"./{boot}\"></script>\n    \
         <link rel=\"modulepreload\" href=\"./{glue}\" crossorigin=\"anonymous\" integrity=\"{g}\">\n    \
         <link rel=\"modulepreload\" href=\"./{loader}\" crossorigin=\"anonymous\" integrity=\"{l}\">\n    \
         <link rel=\"preload\" href=\"./{wasm}\" crossorigin=\"anonymous\" integrity=\"{w}\" as=\"fetch\" type=\"application/wasm\">\n  ",
        boot = names.boot,
        glue = names.glue,
        loader = names.loader,
        wasm = names.wasm,
        g = integrity(&dist.join(&names.glue))?,
        l = integrity(&dist.join(&names.loader))?,
        w = integrity(&dist.join(&names.wasm))?,
    );
    let at = html.find("</head>").ok_or("index.html has no </head>")?;
    let out = format!("{}{tags}{}", &html[..at], &html[at..]);
    std::fs::write(&index, out).map_err(|e| e.to_string())
}

/// `html` without the `<link data-trunk rel="rust" …>` tag Trunk leaves when its Rust step is skipped.
fn remove_rust_link(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<link") {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        out.push_str(&rest[..start]);
        if !(tag.contains("rel=\"rust\"") && tag.contains("data-trunk")) {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skipped_rust_link_goes_and_every_other_tag_stays() {
        let html = "<head>\n<link data-trunk rel=\"rust\" href=\"web/Cargo.toml\" data-trunk-skip>\n<link rel=\"stylesheet\" href=\"./app.css\">\n<link rel=\"icon\" href=\"./favicon.svg\"></head>";
        let out = remove_rust_link(html);
        assert!(!out.contains("rel=\"rust\""), "{out}");
        assert!(out.contains("<link rel=\"stylesheet\" href=\"./app.css\">") && out.contains("favicon.svg"), "{out}");
        assert_eq!(remove_rust_link("<p>no links</p>"), "<p>no links</p>");
    }

    #[test]
    fn the_glue_imports_the_loader_by_its_hashed_name() {
        let glue = "import * as import1 from \"./__wasm_split.js\"\nconst x = { \"./__wasm_split.js\": import1 };";
        let out = link_glue(glue, "mailpath-web-split-00ff.js");
        assert!(out.starts_with("import * as import1 from \"./mailpath-web-split-00ff.js\"\n"), "{out}");
        assert!(out.ends_with("{ \"./__wasm_split.js\": import1 };"), "the wasm's import module name stays: {out}");
    }
}
