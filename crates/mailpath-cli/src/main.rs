//! `mailpath`: list the presets and print what happens to a message, in a terminal.
//!
//! ```text
//! mailpath presets
//! mailpath run <preset-slug | scenario.json> [--format text|markdown|json]
//! mailpath show <preset-slug>
//! mailpath schema
//! mailpath settings
//! mailpath console [preset | scenario.json] [--from home|hotel|office|spammer|server:<role>] [--to provider:587]
//! mailpath read <bounce.eml | dialog.txt | -> [--format text|json]
//! mailpath challenges
//! mailpath challenge <slug> [--start | --check file.json [--bounce mine.eml]]
//! ```
//! `mailpath --help` (and `mailpath <command> --help`) is generated from the same definitions. Exit codes: 0
//! done, 1 a challenge checked and not passed, 2 bad arguments or input.
//! The JSON output is described in `docs/trace-json.md`; scenario files in `docs/scenario-format.md`.

mod challenges;
mod console;

use clap::{Parser, Subcommand, ValueEnum};
use mailpath_core::{explain, file, presets, report, run, Scenario};
use std::process::ExitCode;

/// Follow an email hop by hop, and see where and why relaying is denied, in the words real servers use.
#[derive(Parser)]
#[command(name = "mailpath", version, about, max_term_width = 110)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the named situations (slug and title).
    Presets,
    /// Print what happens to the message, hop by hop.
    Run {
        /// A preset's slug (see `mailpath presets`) or a scenario file (.json).
        target: String,
        /// How to print it.
        #[arg(short, long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print a preset as a scenario file, to start your own.
    Show {
        /// The preset's slug.
        slug: String,
    },
    /// Print the JSON Schema of scenario files.
    Schema,
    /// Print every setting as a Markdown table.
    Settings,
    /// Type an SMTP conversation with one of the world's servers (from a terminal, or `< session.txt`).
    Console {
        /// A preset's slug or a scenario file (default: the default scenario).
        target: Option<String>,
        /// Where you type from: home, hotel or office (your computer there), spammer, or server:<role>
        /// (default: where the scenario's sender is).
        #[arg(long)]
        from: Option<String>,
        /// The server to connect to, as role[:port] or host name[:port]: provider:587, mx (default: the
        /// server the scenario's mail program uses, on its port).
        #[arg(long)]
        to: Option<String>,
        /// Print what each decision checked, line by line of main.cf.
        #[arg(long)]
        explain: bool,
    },
    /// Read a bounce, an .eml file, a mail program's error text or a block of Received: lines: who refused,
    /// where, why, and the scenario that shows it.
    Read {
        /// The file, or - for standard input.
        input: String,
        /// How to print it.
        #[arg(short, long, value_enum, default_value_t = ReadFormat::Text)]
        format: ReadFormat,
    },
    /// List the challenges (slug, set, par, title).
    Challenges,
    /// Print a challenge's story, goal and allowed settings; with --check, grade an answer (exit code 0 only
    /// when it passes).
    Challenge {
        /// The challenge's slug (see `mailpath challenges`).
        slug: String,
        /// Print the starting scenario as a file to edit.
        #[arg(long, conflicts_with = "check")]
        start: bool,
        /// A scenario file (or, for "Read the bounce", {"server": …, "reason": …}) to check against the goal.
        #[arg(long)]
        check: Option<String>,
        /// Your own bounce, for the bounce-your-own challenge.
        #[arg(long, requires = "check")]
        bounce: Option<String>,
    },
}

/// Output formats of `read`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReadFormat {
    /// Labelled lines for people.
    Text,
    /// Every item with the byte range of the text it came from, the class, how sure, and the scenario it opens.
    Json,
}

/// Output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Plain text: one line per event, grouped by connection.
    Text,
    /// Markdown for an article.
    #[value(alias = "md")]
    Markdown,
    /// The stable machine-readable form (docs/trace-json.md).
    Json,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Cmd::Challenge { slug, check: Some(path), bounce, .. } = &cli.command {
        return match challenges::check(slug, path, bounce.as_deref()) {
            Ok((out, passed)) => {
                print!("{out}");
                ExitCode::from(if passed { 0 } else { 1 })
            }
            Err(e) => {
                eprintln!("mailpath: {e}");
                ExitCode::from(2)
            }
        };
    }
    match dispatch(cli.command) {
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

fn dispatch(cmd: Cmd) -> Result<String, String> {
    match cmd {
        Cmd::Presets => Ok(presets::ALL.iter().map(|p| format!("{:<28} {}\n", p.slug, p.title)).collect()),
        Cmd::Run { target, format } => {
            let s = load(&target)?;
            let trace = run(&s);
            Ok(match format {
                Format::Text => report::text(&s, &trace),
                Format::Markdown => report::markdown(&s, &trace),
                Format::Json => json(&s, &trace)?,
            })
        }
        Cmd::Show { slug } => {
            let p = presets::get(&slug).ok_or_else(|| format!("no preset {slug:?}; `mailpath presets` lists them"))?;
            Ok(file::to_json(&p.scenario()))
        }
        Cmd::Schema => Ok(mailpath_core::schema::json_schema()),
        Cmd::Console { target, from, to, explain } => {
            let s = match target {
                Some(t) => load(&t)?,
                None => Scenario::default(),
            };
            let mut setup = mailpath_core::console::Setup::start(&s);
            if let Some(f) = from {
                setup.from = console::origin(&f)?;
            }
            if let Some(t) = to {
                (setup.to, setup.port) = console::target(&s, &t, setup.port)?;
            }
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            console::run(&s, setup, explain, &mut input, &mut out)?;
            Ok(String::new())
        }
        Cmd::Settings => Ok(settings_table()),
        Cmd::Read { input, format } => read(&input, format),
        Cmd::Challenges => Ok(challenges::list()),
        Cmd::Challenge { slug, start: true, .. } => challenges::start(&slug),
        Cmd::Challenge { slug, .. } => challenges::show(&slug),
    }
}

/// `mailpath read`: the reading of a pasted bounce.
fn read(input: &str, format: ReadFormat) -> Result<String, String> {
    use mailpath_core::bounce;
    use std::io::Read;
    let mut bytes = Vec::new();
    let limit = bounce::MAX_BYTES as u64 + 1;
    let got = if input == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(input).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    got.map_err(|e| format!("{input}: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let reading = bounce::read(&text).map_err(|e| format!("{input}: {e}"))?;
    let opening = bounce::opening(&reading);
    let opened = opening.as_ref().map(|o| {
        let (s, kept) = o.scenario();
        let t = run(&s);
        (o.step(&t), kept)
    });
    Ok(match format {
        ReadFormat::Text => {
            let mut out: String =
                bounce::lines(&reading).into_iter().map(|l| format!("{:<17} {}\n", l.label, l.value)).collect();
            match (&opening, &opened) {
                (Some(o), Some((step, kept))) => {
                    out.push_str(&format!("{:<17} {} at step {}", "Shows it", o.preset, step + 1));
                    for (k, v) in &o.edits {
                        out.push_str(&format!(" {k}={v}"));
                    }
                    out.push('\n');
                    for k in kept {
                        out.push_str(&format!("{:<17} {k}\n", "Kept"));
                    }
                }
                _ => out
                    .push_str(&format!("{:<17} no scenario of Mailpath shows this kind of problem yet\n", "Shows it")),
            }
            out
        }
        ReadFormat::Json => {
            let scenario = opening.as_ref().zip(opened.as_ref()).map(|(o, (step, kept))| {
                let edits: serde_json::Map<String, serde_json::Value> =
                    o.edits.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone()))).collect();
                serde_json::json!({ "preset": o.preset, "edits": edits, "step": step, "kept": kept })
            });
            let doc = serde_json::json!({ "format": 1, "reading": reading, "advice": bounce::advice(&reading), "scenario": scenario });
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n"
        }
    })
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
            Kind::HostName { optional: false } => "host or domain name (A-labels for IDN)".into(),
            Kind::HostName { optional: true } => "host name or `\"\"`".into(),
            Kind::Ip => "IPv4 address".into(),
            Kind::Network => "IPv4 network (CIDR)".into(),
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
