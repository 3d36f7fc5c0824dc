//! The core's layers, checked: every `crate::` path in a module's own code (tests aside) points to its own layer
//! or one above; the modules of one layer form no cycle; and the layer list in `lib.rs`'s docs, the `mod` lines
//! grouped under it and the README's architecture section name the same layers and every module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layer list of a doc text: lines `1. **name** — ...` with module names in backticks, continued on the
/// following indented lines.
fn layer_list(text: &str, prefix: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out: Vec<(String, BTreeSet<String>)> = Vec::new();
    for raw in text.lines() {
        let Some(line) = raw.strip_prefix(prefix) else { continue };
        let line = if prefix.is_empty() { line } else { line.strip_prefix(' ').unwrap_or(line) };
        let head = line.split_once(". **").filter(|(n, _)| n.parse::<u8>().is_ok());
        if let Some((_, rest)) = head {
            out.push((rest.split("**").next().unwrap_or("").to_string(), BTreeSet::new()));
        } else if out.is_empty() || !line.starts_with("   ") {
            if out.is_empty() {
                continue;
            }
            break;
        }
        let current = &mut out.last_mut().expect("a layer").1;
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 1 && !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                current.insert(part.to_string());
            }
        }
    }
    out
}

/// Every module file's top-level module name and its own code (without `#[cfg(test)]` parts and comments).
fn modules() -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut stack = vec![src()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(src()).unwrap().to_string_lossy().to_string();
            if rel == "lib.rs" || rel.ends_with("/tests.rs") || !rel.ends_with(".rs") {
                continue;
            }
            let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let own = text.split("#[cfg(test)]").next().unwrap();
            let code: String =
                own.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| format!("{l}\n")).collect();
            out.entry(top).or_default().push_str(&code);
        }
    }
    out
}

/// The modules a module's code refers to with `crate::` paths (`crate::run` is the engine's `sim`, the
/// `named_enum!` macro is `named`'s).
fn deps(code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if rest.starts_with('{') {
            let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
            for item in group.split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                out.insert(name);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            out.insert(name);
        }
    }
    out.into_iter()
        .map(|d| match d.as_str() {
            "run" | "POP_WINDOW" => "sim".to_string(),
            "named_enum" => "named".to_string(),
            _ => d,
        })
        .filter(|d| known.contains(d))
        .collect()
}

#[test]
fn every_import_points_to_its_own_layer_or_one_above_and_no_layer_has_a_cycle() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let layers = layer_list(&lib, "//!");
    assert_eq!(layers.len(), 4, "lib.rs lists four layers: {layers:?}");
    let layer_of: BTreeMap<String, usize> =
        layers.iter().enumerate().flat_map(|(i, (_, ms))| ms.iter().map(move |m| (m.clone(), i))).collect();
    let mods = modules();
    let known: BTreeSet<String> = mods.keys().cloned().collect();
    let listed: BTreeSet<String> = layer_of.keys().cloned().collect();
    assert_eq!(listed, known, "lib.rs's layer list must name every module exactly");

    let mut problems = Vec::new();
    let graph: BTreeMap<&String, BTreeSet<String>> = mods.iter().map(|(m, code)| (m, deps(code, &known))).collect();
    for (m, ds) in &graph {
        for d in ds.iter().filter(|d| *d != *m) {
            if layer_of[d] > layer_of[*m] {
                problems.push(format!("{m} (layer {}) uses {d} (layer {})", layer_of[*m] + 1, layer_of[d] + 1));
            }
        }
    }
    // No cycle among the modules of one layer: repeatedly remove modules that use no remaining one.
    for (i, (name, members)) in layers.iter().enumerate() {
        let mut left: BTreeSet<&String> = members.iter().collect();
        loop {
            let free: Vec<&String> = left
                .iter()
                .copied()
                .filter(|m| graph[*m].iter().all(|d| d == *m || layer_of[d] != i || !left.contains(d)))
                .collect();
            if free.is_empty() {
                break;
            }
            for f in free {
                left.remove(f);
            }
        }
        if !left.is_empty() {
            problems.push(format!("a cycle in layer {} ({name}) among {left:?}", i + 1));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_layer_list_the_mod_lines_and_the_readme_agree() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let layers = layer_list(&lib, "//!");
    // The `mod` lines, grouped under `// N. name` comments.
    let mut grouped: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in lib.lines() {
        if let Some(title) = line.strip_prefix("// ").and_then(|l| l.split_once(". ")).map(|(_, t)| t) {
            grouped.push((title.to_string(), BTreeSet::new()));
        } else if let Some(m) = line.trim_start_matches("pub ").strip_prefix("mod ").and_then(|l| l.strip_suffix(';')) {
            grouped.last_mut().expect("a `// N. layer` comment before the mod lines").1.insert(m.to_string());
        }
    }
    assert_eq!(grouped, layers, "the mod lines of lib.rs are grouped as its layer list says");
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    assert_eq!(layer_list(&readme, ""), layers, "the README's architecture section lists the same layers");
}
