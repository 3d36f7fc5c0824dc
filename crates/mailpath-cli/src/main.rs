//! `mailpath`: list the presets and print what happens to a message, in a terminal.
//!
//! ```text
//! mailpath presets
//! mailpath run <preset-slug | scenario.json> [--format text|markdown|json]
//! mailpath schema
//! ```
//! The JSON output is described in `docs/trace-json.md`; scenario files in `docs/scenario-format.md`.

use mailpath_core::{explain, file, presets, report, run, Scenario};
use std::process::ExitCode;

const USAGE: &str = "usage:
  mailpath presets                       list the named situations (slug and title)
  mailpath run <preset-slug | file.json> [--format text|markdown|json]
                                         print what happens, hop by hop
  mailpath show <preset-slug>            print a preset as a scenario file, to start your own
  mailpath schema                        print the JSON Schema of scenario files
  mailpath settings                      print every setting as a Markdown table";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mailpath: {e}");
            ExitCode::from(2)
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Markdown,
    Json,
}

fn dispatch(args: &[String]) -> Result<String, String> {
    match args.first().map(String::as_str) {
        Some("presets") => Ok(presets::ALL.iter().map(|p| format!("{:<28} {}\n", p.slug, p.title)).collect()),
        Some("run") => {
            let mut target = None;
            let mut format = Format::Text;
            let mut it = args[1..].iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--format" | "-f" => {
                        format = match it.next().map(String::as_str) {
                            Some("text") => Format::Text,
                            Some("markdown" | "md") => Format::Markdown,
                            Some("json") => Format::Json,
                            Some(other) => return Err(format!("unknown format {other:?}; use text, markdown or json")),
                            None => return Err("--format needs text, markdown or json".into()),
                        }
                    }
                    flag if flag.starts_with('-') => return Err(format!("unknown option {flag:?}\n{USAGE}")),
                    t if target.is_none() => target = Some(t.to_string()),
                    extra => return Err(format!("unexpected argument {extra:?}\n{USAGE}")),
                }
            }
            let target = target.ok_or(format!("run needs a preset slug or a scenario file\n{USAGE}"))?;
            let s = load(&target)?;
            let trace = run(&s);
            Ok(match format {
                Format::Text => report::text(&s, &trace),
                Format::Markdown => report::markdown(&s, &trace),
                Format::Json => json(&s, &trace)?,
            })
        }
        Some("show") => {
            let slug = args.get(1).ok_or("show needs a preset slug")?;
            let p = presets::get(slug).ok_or_else(|| format!("no preset {slug:?}; `mailpath presets` lists them"))?;
            Ok(file::to_json(&p.scenario()))
        }
        Some("schema") => Ok(mailpath_core::schema::json_schema()),
        Some("settings") => Ok(settings_table()),
        Some("-h" | "--help" | "help") => Ok(format!("{USAGE}\n")),
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
        None => Err(USAGE.to_string()),
    }
}

/// Every setting: key, accepted values, default, hint.
fn settings_table() -> String {
    use mailpath_core::fields::{self, Kind};
    let base = Scenario::default();
    let mut out = String::from("| setting | values | default | what it does |\n|---|---|---|---|\n");
    for (key, help, kind) in fields::all() {
        let values = match kind {
            Kind::Bool => "`true`, `false`".to_string(),
            Kind::Number { min, max } => format!("{min}–{max}"),
            Kind::Text { max } => format!("text, ≤ {max} characters"),
            Kind::Choice(names) => names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
            Kind::Duration => "duration: `30m`, `2h`, `6d`, seconds".into(),
            Kind::Address => "mail address".into(),
            Kind::OptionalAddress => "mail address or `\"\"`".into(),
            Kind::Addresses { max } => format!("1–{max} mail addresses"),
            Kind::Names { max } => format!("≤ {max} mailbox names"),
        };
        let default = fields::get(&base, &key).map(|v| v.render()).unwrap_or_default();
        let default = if default.is_empty() { "(empty)".into() } else { format!("`{}`", default.replace('\n', " ")) };
        out.push_str(&format!("| `{key}` | {values} | {default} | {help} |\n"));
    }
    out
}

/// A preset by slug, or a scenario file by path (anything with a `/` or ending in `.json`).
fn load(target: &str) -> Result<Scenario, String> {
    if let Some(p) = presets::get(target) {
        return Ok(p.scenario());
    }
    let looks_like_file = target.ends_with(".json") || target.contains('/') || std::path::Path::new(target).exists();
    if !looks_like_file {
        return Err(format!("no preset {target:?} and no such file; `mailpath presets` lists the presets"));
    }
    let text = std::fs::read_to_string(target).map_err(|e| format!("{target}: {e}"))?;
    file::from_json(&text).map_err(|problems| {
        let mut msg = format!("{target}: {} problem(s):", problems.len());
        for p in problems {
            msg.push_str(&format!("\n  {p}"));
        }
        msg
    })
}

/// The stable machine-readable form (docs/trace-json.md).
fn json(s: &Scenario, trace: &mailpath_core::Trace) -> Result<String, String> {
    let fixes: Vec<serde_json::Value> = explain::fixes(s, trace)
        .into_iter()
        .map(|f| {
            let edits: serde_json::Map<String, serde_json::Value> =
                f.edits.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.render()))).collect();
            serde_json::json!({ "label": f.label, "edits": edits, "ending": f.ending })
        })
        .collect();
    let scenario: serde_json::Value = serde_json::from_str(&file::to_json(s)).map_err(|e| e.to_string())?;
    let doc = serde_json::json!({
        "format": 1,
        "scenario": scenario,
        "story": explain::story(s, trace),
        "fixes": fixes,
        "trace": trace,
    });
    serde_json::to_string_pretty(&doc).map(|t| t + "\n").map_err(|e| e.to_string())
}
