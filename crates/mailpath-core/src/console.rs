//! The SMTP console: a person connects from a place of the world to one of its servers and types the
//! conversation. The server that answers is the simulation's own ([`crate::server::ServerSession`]); this module
//! adds what a console needs around it — where one can connect from and to, a hint of the next sensible command,
//! the base64 a login needs, the simulated client's own conversation to replay, the session as a link, and the
//! same conversation as a `swaks` or `openssl s_client` command for a real server.

use crate::actor::HostId;
use crate::command::{base64, read, unbase64, Verb};
use crate::named::Named;
use crate::permalink::{escape, unescape};
use crate::scenario::{Place, Scenario, Sender};
use crate::server::service;
use crate::trace::{EventKind, Purpose};
use crate::world::{host, World, PASSWORD};

pub use crate::server::{Expect, Sent};
pub use crate::sim::typed::{
    client_ip, prepared, run, split_message, Conversation, Entry, Origin, Session, Setup, MAX_LINES,
};

impl Origin {
    /// Every place one can type from, for this world's servers.
    pub fn all(world: &World) -> Vec<Origin> {
        let mut out: Vec<Origin> = Place::ALL.iter().map(|&p| Origin::Laptop(p)).collect();
        out.push(Origin::Spammer);
        out.extend(world.servers.iter().map(|s| Origin::Server(s.host)));
        out
    }

    /// The stable name links use: `laptop@hotel`, `spammer`, `provider`.
    pub fn name(self) -> String {
        match self {
            Origin::Laptop(p) => format!("laptop@{}", p.name()),
            Origin::Spammer => "spammer".into(),
            Origin::Server(h) => h.name().into(),
        }
    }

    /// Reads [`Origin::name`].
    pub fn from_name(text: &str) -> Option<Origin> {
        if let Some(place) = text.strip_prefix("laptop@") {
            return Place::from_name(place).map(Origin::Laptop);
        }
        if text == "spammer" {
            return Some(Origin::Spammer);
        }
        HostId::from_name(text).filter(|h| is_server_role(*h)).map(Origin::Server)
    }

    /// For people: `Your laptop, in the hotel`, `The spammer's machine`, `smtp.isp-a.example`.
    pub fn label(self, s: &Scenario) -> String {
        match self {
            Origin::Laptop(Place::Home) => "Your computer, at home".into(),
            Origin::Laptop(Place::Hotel) => "Your computer, on the hotel's Wi-Fi".into(),
            Origin::Laptop(Place::Office) => "Your computer, in corp-b's office".into(),
            Origin::Spammer => "The spammer's machine".into(),
            Origin::Server(h) => format!("The server {}", host(h, s).name),
        }
    }
}

fn is_server_role(h: HostId) -> bool {
    matches!(h, HostId::Provider | HostId::Middle | HostId::Mx | HostId::Elsewhere | HostId::Hotel | HostId::NoMx)
}

/// The servers one can connect to, with their host names.
pub fn targets(s: &Scenario) -> Vec<(HostId, String)> {
    let w = World::build(s);
    w.servers.iter().map(|srv| (srv.host, srv.hostname.to_string())).collect()
}

/// The ports one can connect to.
pub const PORTS: [u16; 3] = [25, 587, 465];

impl Setup {
    /// Where a person starts: their own computer where the scenario puts it, to the server their mail program
    /// uses, on its port.
    pub fn start(s: &Scenario) -> Setup {
        let w = World::build(s);
        let from = match s.sender {
            Sender::Alice => Origin::Laptop(s.network.place),
            _ => Origin::Spammer,
        };
        Setup { from, to: w.outgoing, port: s.client.port.number() }
    }

    /// The link form: `laptop@hotel>provider:587`.
    pub fn name(&self) -> String {
        format!("{}>{}:{}", self.from.name(), self.to.name(), self.port)
    }

    /// Reads [`Setup::name`], saying what is wrong.
    pub fn from_name(text: &str) -> Result<Setup, String> {
        let (from, rest) = text.split_once('>').ok_or_else(|| format!("\"{text}\" is not where-from>server:port"))?;
        let (to, port) = rest.split_once(':').ok_or_else(|| format!("\"{rest}\" has no :port"))?;
        let from = Origin::from_name(from).ok_or_else(|| {
            format!("\"{from}\" is not a place to type from (laptop@home, laptop@hotel, laptop@office, spammer, or a server)")
        })?;
        let to = HostId::from_name(to)
            .filter(|h| is_server_role(*h))
            .ok_or_else(|| format!("\"{to}\" is not a server (provider, middle, mx, elsewhere, hotel, nomx)"))?;
        let port: u16 = port.parse().map_err(|_| format!("\"{port}\" is not a port number"))?;
        if !PORTS.contains(&port) {
            return Err(format!("port {port} is not one a mail server listens on here (25, 587 or 465)"));
        }
        Ok(Setup { from, to, port })
    }
}

/// The longest typed part a link may carry (the link itself may be at most [`crate::permalink::MAX_LEN`]).
pub const MAX_LINK_TYPED: usize = 6000;

/// The link parts for a session: `;console=laptop@hotel>provider:587;typed=EHLO%20x%0AQUIT`, or why it cannot
/// be a link (too long).
pub fn link_parts(setup: &Setup, lines: &[String]) -> Result<String, String> {
    let typed = escape(&lines.join("\n"));
    if typed.len() > MAX_LINK_TYPED {
        return Err(format!(
            "The typed lines take {} characters in a link; a link holds at most {MAX_LINK_TYPED}. Export the \
             transcript instead, or remove the message text.",
            typed.len()
        ));
    }
    let mut out = format!(";console={}", escape(&setup.name()));
    if !lines.is_empty() {
        out.push_str(";typed=");
        out.push_str(&typed);
    }
    Ok(out)
}

/// Reads a link's `console=` and `typed=` values (already unescaped by the link reader for `console`).
pub fn from_link(console: &str, typed: Option<&str>) -> Result<(Setup, Vec<String>), String> {
    let setup = Setup::from_name(console)?;
    let lines = match typed {
        None => Vec::new(),
        Some(t) => {
            let text = unescape(t).ok_or("the typed lines in the link are not properly encoded")?;
            text.split('\n').map(|l| l.trim_end_matches('\r').to_string()).collect()
        }
    };
    Ok((setup, lines))
}

/// The base64 `AUTH PLAIN` takes: `\0user\0password`.
pub fn plain_token(user: &str, password: &str) -> String {
    base64(format!("\0{user}\0{password}").as_bytes())
}

/// The two base64 answers `AUTH LOGIN` takes: the user, then the password.
pub fn login_tokens(user: &str, password: &str) -> [String; 2] {
    [base64(user.as_bytes()), base64(password.as_bytes())]
}

/// What a base64 text decodes to, for people (`\0` shown as `\0`), or `None` if it is not base64.
pub fn decode_token(text: &str) -> Option<String> {
    let bytes = unbase64(text.trim())?;
    Some(String::from_utf8_lossy(&bytes).replace('\0', "\\0"))
}

/// The account the scenario's sender has at its provider, and the password that works.
pub fn account(s: &Scenario) -> (String, &'static str) {
    let login = if s.client.login.trim().is_empty() {
        crate::addr::typed_local_part(&s.message.from).to_string()
    } else {
        s.client.login.trim().to_string()
    };
    (login, PASSWORD)
}

/// A hint of the next sensible line, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The line to type (`None` when there is nothing to type).
    pub line: Option<String>,
    /// Why, in a sentence.
    pub why: String,
}

/// The next sensible line for where the session stands.
pub fn hint(s: &Scenario, setup: &Setup, session: &Session) -> Hint {
    let c = &session.conversation;
    let w = World::build(s);
    let hint = |line: Option<String>, why: &str| Hint { line, why: why.to_string() };
    if let Some(f) = &c.failed {
        return hint(None, &format!("No SMTP conversation: {f}. Pick another port or another place to type from."));
    }
    let from_addr = s.message.from.trim();
    let rcpt = s.message.to.first().map_or("bob@corp-b.example", |r| r.trim());
    match c.expects {
        Expect::Nothing => return hint(None, "The server has closed the connection. Connect again to start over."),
        Expect::MessageLine => {
            return hint(
                Some(".".into()),
                "You are typing the message: header lines (From:, To:, Subject:), an empty line, the text, then a \
                 line with only a dot to end it.",
            )
        }
        Expect::AuthAnswer => {
            let (user, password) = account(s);
            return hint(
                None,
                &format!(
                    "The server waits for your login in base64 — for AUTH PLAIN {}; for AUTH LOGIN first {} (the \
                     user), then {} (the password); * cancels.",
                    plain_token(&user, password),
                    login_tokens(&user, password)[0],
                    login_tokens(&user, password)[1]
                ),
            );
        }
        Expect::Command => {}
    }
    if !c.greeted {
        return hint(
            Some(format!("EHLO {}", w.helo)),
            "Say who you are first; EHLO also lists what the server offers.",
        );
    }
    let server = w.server(session.trace.hops[c.hop].to);
    let svc = server.and_then(|srv| service(srv, setup.port));
    let offers_tls = server.is_some_and(|srv| srv.settings.tls);
    let submission = setup.port != 25;
    if !c.tls && offers_tls && (submission || matches!(setup.from, Origin::Laptop(_))) && svc.is_some() {
        return hint(Some("STARTTLS".into()), "Turn on encryption before logging in (then say EHLO again).");
    }
    let relaying = !matches!(setup.from, Origin::Server(_));
    if c.login.is_none() && relaying && matches!(setup.from, Origin::Laptop(_)) && setup.to == HostId::Provider {
        let (user, password) = account(s);
        return hint(
            Some(format!("AUTH PLAIN {}", plain_token(&user, password))),
            "Log in, so the server knows it is you and relays your mail (the base64 is \\0user\\0password).",
        );
    }
    if !c.in_transaction && !c.queued.is_empty() {
        return hint(
            Some("QUIT".into()),
            "The server took your message; say goodbye (or send another with MAIL FROM).",
        );
    }
    if !c.in_transaction {
        return hint(
            Some(format!("MAIL FROM:<{from_addr}>")),
            "Start a message: who it is from (the envelope sender).",
        );
    }
    if c.accepted == 0 {
        return hint(
            Some(format!("RCPT TO:<{rcpt}>")),
            "Say who it is for; the server decides here whether it relays.",
        );
    }
    hint(Some("DATA".into()), "Send the message itself.")
}

/// The simulated client's own conversation in the scenario (its first connection), as lines to type, with where
/// it connected from and to.
pub fn simulated(s: &Scenario) -> Option<(Setup, Vec<String>)> {
    let trace = crate::run(s);
    let hop = trace.hops.iter().position(|h| matches!(h.purpose, Purpose::Submission | Purpose::Spam))?;
    let h = &trace.hops[hop];
    let setup = Setup { from: Setup::start(s).from, to: h.to, port: h.port };
    let mut lines = Vec::new();
    for e in trace.events.iter().filter(|e| e.hop == Some(hop)) {
        match &e.kind {
            EventKind::Command(c) => lines.push(c.to_string()),
            EventKind::MessageText { .. } => {
                let text = h.message.map(|m| trace.messages[m].text()).unwrap_or_default();
                for line in text.lines() {
                    lines.push(if line.starts_with('.') { format!(".{line}") } else { line.to_string() });
                }
                lines.push(".".into());
            }
            _ => {}
        }
    }
    Some((setup, lines))
}

/// The plain warning every real-server export carries.
pub const REAL_SERVER_WARNING: &str = "Only test relaying on servers you run or are allowed to test: probing other \
    people's servers for open relays can get your address blocklisted.";

/// What the typed session says, read for an export: EHLO name, TLS, login, envelope, message lines.
struct Plan {
    ehlo: Option<String>,
    starttls: bool,
    auth: Option<(String, String, String)>,
    from: Option<String>,
    to: Vec<String>,
    message: Vec<String>,
}

fn plan(lines: &[String]) -> Plan {
    let mut p = Plan { ehlo: None, starttls: false, auth: None, from: None, to: Vec::new(), message: Vec::new() };
    let mut in_data = false;
    let mut login: Option<Vec<String>> = None;
    for line in lines {
        if in_data {
            if line == "." {
                in_data = false;
            } else {
                p.message.push(line.clone());
            }
            continue;
        }
        if let Some(answers) = login.as_mut() {
            answers.push(line.clone());
            if answers.len() == 2 {
                let d = |t: &str| unbase64(t).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                p.auth = Some(("LOGIN".into(), d(&answers[0]), d(&answers[1])));
                login = None;
            }
            continue;
        }
        let l = read(line);
        let arg = l.arg.trim();
        match l.verb {
            Verb::Ehlo | Verb::Helo if p.ehlo.is_none() && !arg.is_empty() => p.ehlo = Some(arg.to_string()),
            Verb::StartTls => p.starttls = true,
            Verb::Auth => {
                let mut words = arg.split_whitespace();
                let mech = words.next().unwrap_or("").to_ascii_uppercase();
                match (mech.as_str(), words.next()) {
                    ("PLAIN", Some(token)) => {
                        if let Some(bytes) = unbase64(token) {
                            let text = String::from_utf8_lossy(&bytes).into_owned();
                            let parts: Vec<&str> = text.split('\0').collect();
                            if let [_, user, password] = parts.as_slice() {
                                p.auth = Some(("PLAIN".into(), user.to_string(), password.to_string()));
                            }
                        }
                    }
                    ("LOGIN", first) => login = Some(first.map(|f| vec![f.to_string()]).unwrap_or_default()),
                    _ => {}
                }
            }
            Verb::Mail => {
                if let Ok(pa) = crate::command::path_arg(arg, "FROM:") {
                    p.from = Some(pa.path.to_string());
                }
            }
            Verb::Rcpt => {
                if let Ok(pa) = crate::command::path_arg(arg, "TO:") {
                    p.to.push(pa.path.to_string());
                }
            }
            Verb::Data => in_data = true,
            _ => {}
        }
    }
    p
}

/// Single-quotes a word for a POSIX shell.
fn sh(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "@.-_:/=+,".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The same conversation as a `swaks` command line for a real server (`host` is its name).
pub fn swaks(setup: &Setup, lines: &[String], host: &str) -> String {
    let p = plan(lines);
    let mut out = format!("# {REAL_SERVER_WARNING}\nswaks --server {} --port {}", sh(host), setup.port);
    if let Some(e) = &p.ehlo {
        out.push_str(&format!(" --ehlo {}", sh(e)));
    }
    if setup.port == 465 {
        out.push_str(" --tls-on-connect");
    } else if p.starttls {
        out.push_str(" --tls");
    }
    if let Some((mech, user, password)) = &p.auth {
        out.push_str(&format!(" --auth {mech} --auth-user {} --auth-password {}", sh(user), sh(password)));
    }
    out.push_str(&format!(" --from {}", sh(p.from.as_deref().unwrap_or(""))));
    if !p.to.is_empty() {
        out.push_str(&format!(" --to {}", sh(&p.to.join(","))));
    }
    if !p.message.is_empty() {
        let data: Vec<String> = p
            .message
            .iter()
            .map(|l| l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(l).to_string())
            .collect();
        out.push_str(&format!(" --data {}", sh(&(data.join("\n") + "\n"))));
    }
    out.push('\n');
    out
}

/// The same conversation for `openssl s_client` (or `nc` without TLS): the command, then the lines to type
/// (`openssl -starttls smtp` says EHLO and STARTTLS itself, so the lines start after them).
pub fn openssl(setup: &Setup, lines: &[String], host: &str) -> String {
    let p = plan(lines);
    let mut out = format!("# {REAL_SERVER_WARNING}\n");
    let after_tls: Vec<&String> = if setup.port == 465 {
        out.push_str(&format!("openssl s_client -connect {}:465 -crlf -quiet\n", sh(host)));
        lines.iter().collect()
    } else if p.starttls {
        out.push_str(&format!("openssl s_client -starttls smtp -connect {}:{} -crlf -quiet\n", sh(host), setup.port));
        let start = lines.iter().position(|l| read(l).verb == Verb::StartTls).map_or(0, |i| i + 1);
        lines[start..].iter().collect()
    } else {
        out.push_str(&format!("nc -C {} {}\n", sh(host), setup.port));
        lines.iter().collect()
    };
    out.push_str("# then type:\n");
    for l in after_tls {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// The console's transcript as text: every line typed (`C:`) and every reply (`S:`), with the decisions.
pub fn transcript(s: &Scenario, setup: &Setup, session: &Session) -> String {
    let t = &session.trace;
    let c = &session.conversation;
    let mut out =
        format!("Mailpath console: {} → {} port {}\n\n", setup.from.label(s), host(setup.to, s).name, setup.port);
    let hop = &t.hops[c.hop];
    let first_typed = c.entries.iter().find_map(|e| e.events.first().copied()).unwrap_or(hop.last_event + 1);
    for e in &t.events[hop.first_event..first_typed.min(t.events.len())] {
        out.push_str(&line_of(&e.kind));
    }
    for entry in &c.entries {
        match entry.sent {
            Sent::MessageLine => out.push_str(&format!("C| {}\n", entry.line)),
            Sent::NotConnected => out.push_str(&format!("(not sent: the connection is closed) {}\n", entry.line)),
            _ => {
                for &i in &entry.events {
                    out.push_str(&line_of(&t.events[i].kind));
                }
            }
        }
    }
    out
}

fn line_of(kind: &EventKind) -> String {
    match kind {
        EventKind::Command(c) => format!("C: {c}\n"),
        EventKind::MessageText { lines, .. } => format!("C: . ({lines} lines of message)\n"),
        EventKind::Reply(r) => r.wire_lines().map(|l| format!("S: {l}\n")).collect(),
        EventKind::Decision(d) => format!("   (decision on {}: {} — {})\n", d.rcpt, d.verdict.label(), d.rule),
        EventKind::Tls => "   (TLS is on now)\n".into(),
        EventKind::ConnectFailed { text, .. } => format!("   ({text})\n"),
        EventKind::Redirected { to } => format!("   (the network sends the connection to {to})\n"),
        EventKind::Closed => "   (connection closed)\n".into(),
        _ => String::new(),
    }
}
