//! `docs/sources.md` and the code agree: every reply template of every server software, every bounce style,
//! every queue schedule and every mail program dialog has a row there; a row says `[unverified]` exactly when the
//! code flags the wording, and every other row names its source.
//!
//! After changing a template, `UPDATE_SOURCES=1 cargo test -p mailpath-core --test sources` rewrites the tables'
//! wording columns (keeping each row's source, and marking new rows `[unverified]` or `(source needed)`), then
//! the test fails until every source is written.

use mailpath_core::flavours::spec;
use mailpath_core::mua;
use mailpath_core::named::Named;
use mailpath_core::scenario::Flavour;
use std::collections::BTreeMap;
use std::path::PathBuf;

const UNVERIFIED: &str = "[unverified]";
const NEEDED: &str = "(source needed)";

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/sources.md")
}

/// One table row the code expects: its section, key, wording and whether that wording is confirmed.
struct Row {
    section: String,
    key: String,
    wording: String,
    verified: bool,
}

fn expected() -> Vec<Row> {
    let mut rows = Vec::new();
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for f in Flavour::ALL {
        let sp = spec(*f);
        let typing = mailpath_core::flavours::typing(*f).templates();
        for (key, t) in sp.templates().into_iter().chain(typing) {
            let wording = match t.status {
                Some(s) => format!("{} {s} {}", t.code, t.text),
                None => format!("{} {}", t.code, t.text),
            };
            rows.push(Row { section: sp.name.into(), key: key.into(), wording: cell(&wording), verified: t.verified });
        }
        let q = sp.queue;
        rows.push(Row {
            section: "Queues and retries".into(),
            key: sp.name.into(),
            wording: format!("lifetime {}s, warning {:?}, {:?}", q.lifetime, q.warn_after, q.schedule),
            verified: q.verified,
        });
        if !rows.iter().any(|r| r.section == "Bounces" && r.key == format!("{:?}", sp.dsn)) {
            rows.push(Row {
                section: "Bounces".into(),
                key: format!("{:?}", sp.dsn),
                wording: format!("{:?} style", sp.dsn),
                verified: sp.dsn.verified(),
            });
        }
    }
    for (program, failure, d) in mua::catalogue() {
        rows.push(Row {
            section: "Mail program dialogs".into(),
            key: format!("{} — {failure}", program.label()),
            wording: cell(&format!("{}: {}", d.title, d.text)),
            verified: d.verified,
        });
    }
    rows
}

/// The document's rows: (section, key) → (wording, source).
fn documented(text: &str) -> BTreeMap<(String, String), (String, String)> {
    let mut out = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_string();
        } else if let Some(row) = line.strip_prefix("| `") {
            let cells: Vec<&str> = split_cells(row);
            if cells.len() == 3 {
                let key = cells[0].trim().trim_end_matches('`').to_string();
                let wording = cells[1].trim().trim_matches('`').to_string();
                out.insert((section.clone(), key), (wording, cells[2].trim().to_string()));
            }
        }
    }
    out
}

/// Splits a table row at `|` not escaped as `\|`.
fn split_cells(row: &str) -> Vec<&str> {
    let mut cells = Vec::new();
    let mut start = 0;
    let bytes = row.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\') {
            cells.push(&row[start..i]);
            start = i + 1;
        }
    }
    cells
}

fn render(text: &str, rows: &[Row]) -> String {
    let doc = documented(text);
    let intro = text.split("\n## ").next().unwrap_or("").trim_end().to_string();
    let mut out = intro + "\n";
    let mut section = String::new();
    for r in rows {
        if r.section != section {
            section = r.section.clone();
            out.push_str(&format!("\n## {section}\n\n| key | wording | source |\n|---|---|---|\n"));
        }
        let old = doc.get(&(r.section.clone(), r.key.clone())).map(|(_, s)| s.clone());
        let source = match old {
            Some(s) if (s == UNVERIFIED) != r.verified => s,
            _ if !r.verified => UNVERIFIED.into(),
            _ => NEEDED.into(),
        };
        out.push_str(&format!("| `{}` | `{}` | {source} |\n", r.key, r.wording));
    }
    out
}

#[test]
fn every_wording_has_a_source_or_is_flagged_unverified() {
    let text = std::fs::read_to_string(path()).unwrap_or_default();
    let rows = expected();
    if std::env::var_os("UPDATE_SOURCES").is_some() {
        std::fs::write(path(), render(&text, &rows)).unwrap();
    }
    let text = std::fs::read_to_string(path()).expect("docs/sources.md exists");
    let doc = documented(&text);
    let mut problems = Vec::new();
    for r in &rows {
        match doc.get(&(r.section.clone(), r.key.clone())) {
            None => problems.push(format!("{} / {}: no row", r.section, r.key)),
            Some((wording, source)) => {
                if *wording != r.wording {
                    problems
                        .push(format!("{} / {}: the doc says `{wording}`, the code `{}`", r.section, r.key, r.wording));
                }
                let flagged = source.contains(UNVERIFIED);
                if flagged == r.verified {
                    problems.push(format!(
                        "{} / {}: the code says {}, the doc {}",
                        r.section,
                        r.key,
                        if r.verified { "confirmed" } else { "unverified" },
                        if flagged { "[unverified]" } else { "gives a source" }
                    ));
                }
                if r.verified && (source.is_empty() || source.contains(NEEDED) || source.contains("NO SOURCE FOUND")) {
                    problems.push(format!("{} / {}: confirmed wording needs its source", r.section, r.key));
                }
            }
        }
    }
    let known: Vec<(String, String)> = rows.iter().map(|r| (r.section.clone(), r.key.clone())).collect();
    for key in doc.keys().filter(|k| !known.contains(k)) {
        problems.push(format!("{} / {}: a row for something the code does not have", key.0, key.1));
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}
