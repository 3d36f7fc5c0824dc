//! `mailpath console`: type an SMTP conversation with one of the world's servers, line by line, from a terminal
//! or standard input; the replies are the simulation's own, and a message the server takes travels on.

use mailpath_core::actor::HostId;
use mailpath_core::console::{self, Origin, Sent, Session, Setup};
use mailpath_core::named::Named;
use mailpath_core::report::describe_noted;
use mailpath_core::scenario::Place;
use mailpath_core::trace::EventKind;
use mailpath_core::world::host;
use mailpath_core::{explain, Scenario};
use std::io::{BufRead, IsTerminal, Write};

/// Reads `--from`: `home`, `hotel`, `office` (your computer there), `spammer`, or `server:<role>`.
pub fn origin(text: &str) -> Result<Origin, String> {
    if let Some(place) = Place::from_name(text) {
        return Ok(Origin::Laptop(place));
    }
    if let Some(role) = text.strip_prefix("server:") {
        return Origin::from_name(role)
            .filter(|o| matches!(o, Origin::Server(_)))
            .ok_or_else(|| format!("{role:?} is not a server role (provider, middle, mx, elsewhere, hotel, nomx)"));
    }
    Origin::from_name(text)
        .ok_or_else(|| format!("--from {text:?}: use home, hotel or office (your computer), spammer, or server:<role>"))
}

/// Reads `--to`: `provider:587`, `mx` (port 25), or a server's host name with a port.
pub fn target(s: &Scenario, text: &str, default_port: u16) -> Result<(HostId, u16), String> {
    let (name, port) = match text.rsplit_once(':') {
        Some((n, p)) => (n, p.parse::<u16>().map_err(|_| format!("--to {text:?}: {p:?} is not a port"))?),
        None => (text, default_port),
    };
    if !console::PORTS.contains(&port) {
        return Err(format!("--to {text:?}: port {port} is not one a mail server listens on here (25, 587, 465)"));
    }
    let targets = console::targets(s);
    let found = HostId::from_name(name)
        .filter(|h| targets.iter().any(|(t, _)| t == h))
        .or_else(|| targets.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)).map(|(h, _)| *h));
    let host = found.ok_or_else(|| {
        let list: Vec<String> = targets.iter().map(|(h, n)| format!("{} ({n})", h.name())).collect();
        format!("--to {text:?}: no such server; this world has {}", list.join(", "))
    })?;
    Ok((host, port))
}

const HELP: &str =
    "Type SMTP commands (EHLO, STARTTLS, AUTH, MAIL FROM:<…>, RCPT TO:<…>, DATA, RSET, NOOP, VRFY, QUIT).\n\
Console commands, not sent to the server: /hint (the next sensible line), /explain (the last decision, check by\n\
check), /login (the base64 for AUTH PLAIN and AUTH LOGIN), /trip (what happened after the session), /help.\n";

/// Runs the console over `input`, writing to `out`.
pub fn run(
    s: &Scenario,
    setup: Setup,
    explain_all: bool,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), String> {
    let echo = !std::io::stdin().is_terminal();
    let w = |out: &mut dyn Write, text: &str| out.write_all(text.as_bytes()).map_err(|e| e.to_string());
    w(
        out,
        &format!(
            "# {} → {} ({}) port {}. /help for help.\n",
            setup.from.label(s),
            host(setup.to, s).name,
            setup.to.name(),
            setup.port
        ),
    )?;
    let mut lines: Vec<String> = Vec::new();
    let mut session = console::run(s, &setup, &lines);
    print_start(s, &session, out)?;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = input.read_until(b'\n', &mut buf).map_err(|e| format!("reading input: {e}"))?;
        if n == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf).trim_end_matches(['\n', '\r']).to_string();
        if let Some(cmd) = line.strip_prefix('/') {
            w(out, &meta(s, &setup, &session, cmd.trim()))?;
            continue;
        }
        if lines.len() >= console::MAX_LINES {
            w(out, &format!("# the console replays at most {} lines; this one was not sent\n", console::MAX_LINES))?;
            continue;
        }
        lines.push(line.clone());
        session = console::run(s, &setup, &lines);
        let entry = session.conversation.entries.last().expect("the line just typed");
        if echo {
            w(out, &format!("{} {line}\n", if entry.sent == Sent::MessageLine { "C|" } else { "C:" }))?;
        }
        match entry.sent {
            Sent::NotConnected => w(out, "# not sent: the connection is closed\n")?,
            Sent::MessageLine => {}
            _ => {
                for &i in &entry.events {
                    let e = &session.trace.events[i];
                    match &e.kind {
                        EventKind::Command(_) | EventKind::MessageText { .. } => {}
                        EventKind::Decision(_) if explain_all => w(out, &checks(s, &session.trace, i))?,
                        EventKind::Decision(_) => {}
                        EventKind::Tls => w(out, "# TLS is on now\n")?,
                        EventKind::Closed => w(out, "# connection closed\n")?,
                        _ => w(out, &format!("{}\n", describe_noted(s, &session.trace, i).replace("\n  ", "\n")))?,
                    }
                }
            }
        }
        out.flush().map_err(|e| e.to_string())?;
    }
    w(out, &trip(s, &session))
}

fn print_start(s: &Scenario, session: &Session, out: &mut dyn Write) -> Result<(), String> {
    let t = &session.trace;
    let hop = &t.hops[session.conversation.hop];
    let mut text = String::new();
    for i in hop.first_event..=hop.last_event.min(t.events.len() - 1) {
        match &t.events[i].kind {
            EventKind::Connect { .. } => {}
            EventKind::Tls => text.push_str("# TLS from the first byte (port 465)\n"),
            _ => text.push_str(&format!("{}\n", describe_noted(s, t, i).replace("\n  ", "\n"))),
        }
    }
    if let Some(f) = &session.conversation.failed {
        text.push_str(&format!("# no SMTP conversation: {f}\n"));
    }
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

/// What the decision at event `i` checked, one restriction per line.
fn checks(s: &Scenario, t: &mailpath_core::Trace, i: usize) -> String {
    let EventKind::Decision(d) = &t.events[i].kind else { return String::new() };
    let mut out = format!("# {}\n", explain::checks_heading(d));
    for (c, fact) in d.checks.iter().zip(explain::check_facts(s, t, i)) {
        out.push_str(&format!("#   {} = … {}: {} — {fact}\n", c.list, c.restriction.postfix_name(), c.result.label()));
    }
    out
}

fn meta(s: &Scenario, setup: &Setup, session: &Session, cmd: &str) -> String {
    match cmd {
        "hint" => {
            let h = console::hint(s, setup, session);
            match h.line {
                Some(l) => format!("# next: {l}\n#   {}\n", h.why),
                None => format!("# {}\n", h.why),
            }
        }
        "explain" => {
            let t = &session.trace;
            let hop = &t.hops[session.conversation.hop];
            let last = (hop.first_event..=hop.last_event.min(t.events.len() - 1))
                .rev()
                .find(|&i| matches!(t.events[i].kind, EventKind::Decision(_)));
            match last.map(|i| (i, &t.events[i].kind)) {
                Some((i, EventKind::Decision(d))) => format!(
                    "# {}\n{}# {}\n",
                    explain::decision(d, &host(setup.to, s).name),
                    checks(s, t, i),
                    explain::why(d.why)
                ),
                _ => "# no decision yet: the server decides at RCPT TO (and VRFY)\n".into(),
            }
        }
        "login" => {
            let (user, password) = console::account(s);
            let [u, p] = console::login_tokens(&user, password);
            format!(
                "# AUTH PLAIN {}\n# AUTH LOGIN, then {u} (the user {user}), then {p} (the password)\n",
                console::plain_token(&user, password)
            )
        }
        "trip" => trip(s, session),
        "help" | "" => HELP.lines().map(|l| format!("# {l}\n")).collect(),
        other => format!("# /{other} is not a console command; /help lists them\n"),
    }
}

/// What happened after the typed connection: every later connection and event, and how it ended.
fn trip(s: &Scenario, session: &Session) -> String {
    let t = &session.trace;
    let c = &session.conversation;
    if c.queued.is_empty() {
        return "# the server took no message, so nothing travels on\n".into();
    }
    let after = t.hops[c.hop].last_event + 1;
    let mut out = format!("# after the session ({} message(s) taken):\n", c.queued.len());
    for i in after..t.events.len() {
        let e = &t.events[i];
        if matches!(e.kind, EventKind::Closed) {
            continue;
        }
        out.push_str(&format!("  {}\n", describe_noted(s, t, i)));
    }
    out.push_str(&format!("# {}\n", t.outcome.summary));
    out
}
