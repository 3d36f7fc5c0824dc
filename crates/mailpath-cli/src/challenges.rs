//! `mailpath challenges` and `mailpath challenge SLUG [--check file.json]`.

use mailpath_core::challenge::{self, Challenge, Evidence, Task};
use mailpath_core::named::Named;
use mailpath_core::trace::Why;
use mailpath_core::{bounce, file, world};

/// The list: slug, set, title, par.
pub fn list() -> String {
    let mut out = format!("{:<28} {:<16} {:<4} {}\n", "slug", "set", "par", "title");
    for c in challenge::ALL {
        out.push_str(&format!("{:<28} {:<16} {:<4} {}\n", c.slug, c.set.label(), c.par, c.title));
    }
    out
}

fn find(slug: &str) -> Result<&'static Challenge, String> {
    challenge::get(slug).ok_or_else(|| format!("no challenge {slug:?}; `mailpath challenges` lists them"))
}

/// The story, the goal and the allowed settings (and, for a diagnosis, the evidence and the choices).
pub fn show(slug: &str) -> Result<String, String> {
    let c = find(slug)?;
    let mut out = format!("{} ({}, par {})\n\n{}\n\n", c.title, c.set.label(), c.par, c.story);
    match c.task {
        Task::Fix { goal, .. } => {
            out.push_str("Goal:\n");
            for a in goal {
                out.push_str(&format!("  - {}\n", a.describe()));
            }
            out.push_str("\nYou may change:\n");
            let start = c.start();
            for k in c.allowed {
                let now = mailpath_core::fields::get(&start, k).map(|v| v.render()).unwrap_or_default();
                out.push_str(&format!("  {k} (now {now})\n"));
            }
            out.push_str(&format!(
                "\nStart from `mailpath challenge {slug} --start > mine.json`, edit it, and check it with \
                 `mailpath challenge {slug} --check mine.json`.\n"
            ));
        }
        Task::Diagnose(e) => {
            let s = c.start();
            out.push_str("Say which server refused (or gave up) and why, in a file like\n");
            out.push_str("  {\"server\": \"mx1.corp-b.example\", \"reason\": \"relay-denied\"}\n");
            if e != Evidence::Pasted {
                let names: Vec<String> = challenge::suspects(c.preset)
                    .iter()
                    .map(|h| format!("{} ({})", world::host(*h, &s).name, h.label()))
                    .collect();
                out.push_str(&format!("Servers: {}\n", names.join(", ")));
            }
            let reasons: Vec<&str> = challenge::REASONS.iter().map(|w| w.name()).collect();
            out.push_str(&format!("Reasons: {}\n", reasons.join(", ")));
            match challenge::evidence(e) {
                Some(text) => out.push_str(&format!("\n--- the evidence ---\n{text}\n")),
                None => out.push_str("\nCheck it with --check answer.json --bounce your-bounce.eml.\n"),
            }
        }
    }
    Ok(out)
}

/// The starting scenario as a file.
pub fn start(slug: &str) -> Result<String, String> {
    let c = find(slug)?;
    match c.task {
        Task::Fix { .. } => Ok(file::to_json(&c.start())),
        Task::Diagnose(_) => {
            Err(format!("{slug} asks for a diagnosis, not a scenario; see `mailpath challenge {slug}`"))
        }
    }
}

/// Checks an answer: a scenario file for a fix, a diagnosis file for "Read the bounce". Returns the words and
/// whether it passed.
pub fn check(slug: &str, path: &str, bounce_file: Option<&str>) -> Result<(String, bool), String> {
    let c = find(slug)?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    match c.task {
        Task::Fix { .. } => {
            let s = file::from_json(&text).map_err(|problems| {
                let lines: Vec<String> = problems.iter().map(|p| format!("\n  {p}")).collect();
                format!("{path}: {} problem(s):{}", problems.len(), lines.concat())
            })?;
            let g = challenge::check(&c.spec(), &s);
            let mut out = String::new();
            for r in &g.results {
                let mark = if r.holds() { "✓" } else { "✗" };
                out.push_str(&format!("{mark} {} — {}\n", r.aim.describe(), r.summary));
            }
            let n = g.changes.len();
            if g.passed() {
                out.push_str(&format!("passed with {n} change(s) (par {}): {}\n", c.par, g.changes.join(", ")));
            } else {
                out.push_str(&format!("failed: {} ({n} change(s))\n", g.reason()));
            }
            Ok((out, g.passed()))
        }
        Task::Diagnose(e) => {
            let (server, reason) = answer(&text).map_err(|m| format!("{path}: {m}"))?;
            let reason = Why::from_name(&reason).ok_or_else(|| {
                let names: Vec<&str> = challenge::REASONS.iter().map(|w| w.name()).collect();
                format!("{path}: \"{reason}\" is not a reason; one of {}", names.join(", "))
            })?;
            let v = if e == Evidence::Pasted {
                let b = bounce_file.ok_or("this challenge needs your bounce: --bounce your-bounce.eml")?;
                let raw = std::fs::read(b).map_err(|e| format!("{b}: {e}"))?;
                let reading = bounce::read(&String::from_utf8_lossy(&raw)).map_err(|e| format!("{b}: {e}"))?;
                challenge::diagnose_pasted(&reading, &server, reason)
                    .ok_or("the bounce reader cannot tell who refused or why in this bounce, so it cannot grade")?
            } else {
                let s = c.start();
                let suspects = challenge::suspects(c.preset);
                let host = suspects
                    .iter()
                    .copied()
                    .find(|h| h.name() == server || world::host(*h, &s).name.eq_ignore_ascii_case(&server))
                    .ok_or_else(|| {
                        let names: Vec<String> =
                            suspects.iter().map(|h| world::host(*h, &s).name.to_string()).collect();
                        format!("{path}: \"{server}\" is not one of this story's servers: {}", names.join(", "))
                    })?;
                challenge::diagnose(c.preset, host, reason).ok_or("the challenge's situation is missing")?
            };
            let mark = |b: bool| if b { "✓" } else { "✗" };
            let out = format!(
                "{} server\n{} reason\n{}: {}\n",
                mark(v.server),
                mark(v.reason),
                if v.right() { "passed" } else { "failed" },
                v.explanation
            );
            Ok((out, v.right()))
        }
    }
}

/// Reads `{"server": …, "reason": …}`.
fn answer(text: &str) -> Result<(String, String), String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let field = |k: &str| {
        v.get(k).and_then(|x| x.as_str()).map(str::to_string).ok_or_else(|| format!("needs \"{k}\" as a string"))
    };
    Ok((field("server")?, field("reason")?))
}
