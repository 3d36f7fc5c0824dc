//! `mailpath`: list the presets and print what happens to a message, in a terminal.
//!
//! ```text
//! mailpath presets
//! mailpath run <preset-slug | scenario.json> [--format text|markdown|json]
//! ```

use mailpath_core::{presets, report, run};
use std::process::ExitCode;

const USAGE: &str = "usage:
  mailpath presets                                   list the named situations
  mailpath run <preset-slug | file.json> [--format text|markdown|json]
                                                     print what happens, hop by hop";

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

fn dispatch(args: &[String]) -> Result<String, String> {
    match args.first().map(String::as_str) {
        Some("presets") => Ok(presets::ALL.iter().map(|p| format!("{:<28} {}\n", p.slug, p.title)).collect()),
        Some("run") => {
            let target = args.get(1).ok_or(format!("run needs a preset slug or a scenario file\n{USAGE}"))?;
            let preset =
                presets::get(target).ok_or_else(|| format!("no preset {target:?}; `mailpath presets` lists them"))?;
            let s = preset.scenario();
            Ok(report::text(&s, &run(&s)))
        }
        Some("-h" | "--help" | "help") => Ok(format!("{USAGE}\n")),
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
        None => Err(USAGE.to_string()),
    }
}
