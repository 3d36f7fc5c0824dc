//! What to send and what to expect, read off the simulator's own trace of the first connection.

use crate::config::{self, Config};
use mailpath_core::command::{read, Verb};
use mailpath_core::console;
use mailpath_core::trace::{ConnectFailure, EventKind, Purpose, Trace};
use mailpath_core::world::World;
use mailpath_core::{run, Scenario};

/// One step of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The connection is refused (nothing listens).
    Refused,
    /// The connection opens but the server says nothing (it waits for TLS first).
    Silent,
    /// Start TLS on the socket now (implicit TLS, or after `220` to STARTTLS).
    Tls,
    /// Send these lines (a command, or the message text ending with `.`).
    Send(String),
    /// Read one reply; it should equal this (normalised, all lines joined with `\n`).
    Expect(String),
}

/// A situation ready to replay.
#[derive(Debug, Clone)]
pub struct Plan {
    /// A name for the table.
    pub name: String,
    /// The server's configuration, as Postfix's `main.cf` and `master.cf`.
    pub config: Config,
    /// The same server as an Exim configuration, when it runs Exim (the plan is then replayed against Exim).
    pub exim: Option<String>,
    /// The same server as an OpenSMTPD `smtpd.conf` and its mailboxes, when it runs OpenSMTPD.
    pub opensmtpd: Option<(String, Vec<String>)>,
    /// The same server as a Sendmail configuration, when it runs Sendmail.
    pub sendmail: Option<crate::sendmail::Config>,
    /// The client's source address (loopback).
    pub source: std::net::Ipv4Addr,
    /// The scenario port (25, 587, 465); the instance maps it to its own.
    pub port: u16,
    /// The steps.
    pub steps: Vec<Step>,
    /// Scenario ↔ loopback addresses.
    pub map: config::AddressMap,
    /// Messages the server delivers into its own mailboxes, with the header fields the simulator's copy has.
    pub deliveries: Vec<Delivery>,
}

/// A delivery to compare: the mailbox file (relative to the instance's mail folder) and the trace header fields
/// (`Return-Path`, `X-Original-To`, `Delivered-To`, every `Received`) the simulator's delivered copy has.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The recipient.
    pub rcpt: String,
    /// The mailbox file.
    pub mailbox: String,
    /// The header fields, in order (values unfolded).
    pub headers: Vec<(String, String)>,
    /// The message's `Message-ID`, to find it in a mailbox others deliver into too.
    pub message_id: String,
}

/// The header fields servers add on the way and at delivery.
pub const TRACE_FIELDS: [&str; 4] = ["Return-Path", "X-Original-To", "Delivered-To", "Received"];

/// The fields read from a delivered message: the trace fields, and its `Message-ID`.
pub const READ_FIELDS: [&str; 5] = ["Return-Path", "X-Original-To", "Delivered-To", "Received", "Message-ID"];

/// A field's value on one line: folds joined with a space.
pub fn unfold(v: &str) -> String {
    v.split('\n').map(str::trim).collect::<Vec<_>>().join(" ")
}

/// The deliveries into `server`'s own mailboxes right after it took the message on hop `hop`.
fn deliveries(trace: &Trace, hop: usize, server: &mailpath_core::world::ServerConfig) -> Vec<Delivery> {
    let start = trace.events[trace.hops[hop].last_event].t;
    let mut out = Vec::new();
    for e in &trace.events[trace.hops[hop].last_event..] {
        let EventKind::Delivered { rcpt } = &e.kind else { continue };
        if e.actor != server.host || e.t > start + 1 {
            continue;
        }
        let Some(copy) = trace
            .messages
            .iter()
            .find(|m| m.at == server.host && m.to == [rcpt.clone()] && m.header("Return-Path").is_some())
        else {
            continue;
        };
        let Some((user, domain)) = rcpt.rsplit_once('@') else { continue };
        let mailbox = match server.final_domain(domain) {
            Some(d) if d.is_virtual => config::virtual_mailbox(user, domain),
            _ => config::local_mailbox(user),
        };
        let headers = copy
            .headers
            .iter()
            .filter(|(n, _)| TRACE_FIELDS.contains(&&**n))
            .map(|(n, v)| (n.to_string(), unfold(v)))
            .collect();
        let message_id = copy.header("Message-ID").unwrap_or("").to_string();
        out.push(Delivery { rcpt: rcpt.clone(), mailbox, headers, message_id });
    }
    out
}

/// A command for the table: the verb, or `DATA (message)`.
pub fn short(line: &str) -> String {
    if line.contains("\r\n") {
        return "(message) .".into();
    }
    let l = line.trim_end();
    if l.len() > 60 {
        format!("{}…", &l[..l.char_indices().nth(57).map_or(l.len(), |(i, _)| i)])
    } else {
        l.to_string()
    }
}

/// Why a scenario cannot be compared against Postfix on loopback.
pub fn not_comparable(s: &Scenario) -> Option<String> {
    let world = World::build(s);
    let trace = run(s);
    let hop =
        trace.hops.iter().position(|h| matches!(h.purpose, Purpose::Submission | Purpose::Spam | Purpose::Probe))?;
    let server = world.server(trace.hops[hop].to)?;
    config::unsupported(server).map(|why| format!("{}: {why}", server.hostname))
}

/// Derives the plan for a scenario, if its first hop goes to a Postfix server that can run on loopback.
pub fn derive(name: &str, s: &Scenario) -> Result<Plan, String> {
    let world = World::build(s);
    let trace: Trace = run(s);
    let hop = trace
        .hops
        .iter()
        .position(|h| matches!(h.purpose, Purpose::Submission | Purpose::Spam | Purpose::Probe))
        .ok_or("no submission hop")?;
    let h = &trace.hops[hop];
    let server = world.server(h.to).ok_or("the first hop has no server")?;
    if let Some(why) = config::unsupported(server) {
        return Err(why);
    }
    if s.network.ptr && s.sender == mailpath_core::scenario::Sender::Alice {
        return Err("the computer's address has a reverse-DNS name, which loopback addresses here do not".into());
    }
    let map = config::AddressMap::new(s, server);
    let config = config::derive(server, &map, &world, s);
    let exim = exim_config(server, &map, &world, s);
    let opensmtpd = opensmtpd_config(server, &map);
    let sendmail = sendmail_config(server, &map);
    let source = map.to_loopback(world.sender.ip);
    let message = h
        .message
        .map(|m| {
            let copy = &trace.messages[m];
            let mut text = copy.text();
            // The attachment the simulator only counts is sent for real, so size limits meet real bytes.
            for _ in 0..copy.attachment_bytes / 77 {
                text.push_str("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n");
            }
            text
        })
        .unwrap_or_default();
    let mut steps = Vec::new();
    let mut replied = false;
    for e in trace.events.iter().filter(|e| e.hop == Some(hop)) {
        match &e.kind {
            EventKind::ConnectFailed { failure: ConnectFailure::Refused, .. } => steps.push(Step::Refused),
            EventKind::ConnectFailed { failure: ConnectFailure::TimedOut, .. } => steps.push(Step::Silent),
            EventKind::ConnectFailed { failure: ConnectFailure::Blocked, .. } => {
                return Err("the access network drops the connection before any server is reached".into())
            }
            EventKind::Tls => steps.push(Step::Tls),
            EventKind::Command(c) => steps.push(Step::Send(map.outbound(&c.to_string()))),
            EventKind::MessageText { .. } => steps.push(Step::Send(data(&message))),
            EventKind::Reply(r) => {
                replied = true;
                steps.push(Step::Expect(r.to_string()));
            }
            _ => {}
        }
    }
    if !replied && !steps.contains(&Step::Refused) && !steps.contains(&Step::Silent) {
        return Err("the simulated session has no reply to compare".into());
    }
    if opensmtpd.is_some() {
        if let Some(why) = crate::opensmtpd::unsupported_plan(&steps) {
            return Err(why);
        }
    }
    // Exim, OpenSMTPD and Sendmail keep or deliver what they take out of sight: only their replies are compared.
    let deliveries = if exim.is_some() || opensmtpd.is_some() || sendmail.is_some() {
        Vec::new()
    } else {
        deliveries(&trace, hop, server)
    };
    Ok(Plan { name: name.to_string(), config, exim, opensmtpd, sendmail, source, port: h.port, steps, map, deliveries })
}

/// One typed line's part of a plan: what is sent, what comes back, whether the server then hangs up.
struct Group {
    verb: Option<Verb>,
    sends: Vec<Step>,
    expects: Vec<Step>,
    closes: bool,
}

/// Derives the plan for a typed console session: the lines as typed (the message after DATA in one send, as a
/// client writes it), every reply the simulator's server gave; with `pipelined`, runs of commands RFC 2920 lets
/// a client send without waiting (after EHLO: MAIL, RCPT, RSET, NOOP, VRFY, ending with DATA) go out together.
pub fn derive_typed(
    name: &str,
    s: &Scenario,
    setup: &console::Setup,
    lines: &[String],
    pipelined: bool,
) -> Result<Plan, String> {
    let session = console::run(s, setup, lines);
    let prepared = console::prepared(s, setup);
    let world = World::build(&prepared);
    let trace = &session.trace;
    let c = &session.conversation;
    let h = &trace.hops[c.hop];
    if let Some(f) = &c.failed {
        if h.result == mailpath_core::trace::HopResult::Failed
            && trace.events[h.first_event..=h.last_event]
                .iter()
                .any(|e| matches!(e.kind, EventKind::ConnectFailed { failure: ConnectFailure::Blocked, .. }))
        {
            return Err(format!("the access network drops the connection: {f}"));
        }
    }
    let server = world.server(h.to).ok_or("the typed connection reaches no server")?;
    if let Some(why) = config::unsupported(server) {
        return Err(why);
    }
    let map = config::AddressMap::new(&prepared, server);
    let config = config::derive(server, &map, &world, &prepared);
    let exim = exim_config(server, &map, &world, &prepared);
    let opensmtpd = opensmtpd_config(server, &map);
    let sendmail = sendmail_config(server, &map);
    let source = map.to_loopback(console::client_ip(s, setup));
    let mut steps = Vec::new();
    // Before the first typed line: connection failures, TLS from the first byte, the greeting.
    let first_typed = c.entries.iter().find_map(|e| e.events.first().copied()).unwrap_or(h.last_event + 1);
    for e in &trace.events[h.first_event..first_typed.min(trace.events.len())] {
        match &e.kind {
            EventKind::ConnectFailed { failure: ConnectFailure::Refused, .. } => steps.push(Step::Refused),
            EventKind::ConnectFailed { .. } => steps.push(Step::Silent),
            EventKind::Tls => steps.push(Step::Tls),
            EventKind::Reply(r) => steps.push(Step::Expect(r.to_string())),
            _ => {}
        }
    }
    // Each typed line's sends and expectations; a message goes out as one send with its final dot.
    let mut groups: Vec<Group> = Vec::new();
    let mut message = String::new();
    for entry in &c.entries {
        match entry.sent {
            console::Sent::NotConnected => break,
            console::Sent::MessageLine => {
                message.push_str(&map.outbound(&entry.line));
                message.push_str("\r\n");
                continue;
            }
            _ => {}
        }
        let (verb, send) = if entry.sent == console::Sent::EndOfData {
            (None, std::mem::take(&mut message) + ".")
        } else {
            (Some(read(&entry.line).verb), map.outbound(&entry.line))
        };
        let mut expects = Vec::new();
        let mut closes = false;
        for &i in &entry.events {
            match &trace.events[i].kind {
                EventKind::Reply(r) => expects.push(Step::Expect(r.to_string())),
                EventKind::Tls => expects.push(Step::Tls),
                EventKind::Closed => closes = true,
                _ => {}
            }
        }
        groups.push(Group { verb, sends: vec![Step::Send(send)], expects, closes });
    }
    let mut greeted = false;
    let mut i = 0;
    while i < groups.len() {
        let groupable = |g: &Group| {
            !g.closes && matches!(g.verb, Some(Verb::Mail | Verb::Rcpt | Verb::Rset | Verb::Noop | Verb::Vrfy))
        };
        if pipelined && greeted && groupable(&groups[i]) {
            // A run of groupable commands, and a DATA after them, go out before any reply is read.
            let mut j = i;
            while j < groups.len() && groupable(&groups[j]) {
                j += 1;
            }
            if j < groups.len() && groups[j].verb == Some(Verb::Data) && !groups[j].closes {
                j += 1;
            }
            for g in &groups[i..j] {
                steps.extend(g.sends.iter().cloned());
            }
            for g in &groups[i..j] {
                steps.extend(g.expects.iter().cloned());
            }
            i = j;
            continue;
        }
        let g = &groups[i];
        greeted |= g.verb == Some(Verb::Ehlo);
        if g.expects.contains(&Step::Tls) {
            greeted = false;
        }
        steps.extend(g.sends.iter().cloned());
        steps.extend(g.expects.iter().cloned());
        i += 1;
    }
    if opensmtpd.is_some() {
        if let Some(why) = crate::opensmtpd::unsupported_plan(&steps) {
            return Err(why);
        }
    }
    Ok(Plan {
        name: name.to_string(),
        config,
        exim,
        opensmtpd,
        sendmail,
        source,
        port: setup.port,
        steps,
        map,
        deliveries: Vec::new(),
    })
}

fn exim_config(
    server: &mailpath_core::world::ServerConfig,
    map: &config::AddressMap,
    world: &World,
    s: &Scenario,
) -> Option<String> {
    (server.settings.flavour == mailpath_core::scenario::Flavour::Exim)
        .then(|| crate::exim::derive(server, map, world, s, &crate::exim::Instance::folder()))
}

fn opensmtpd_config(
    server: &mailpath_core::world::ServerConfig,
    map: &config::AddressMap,
) -> Option<(String, Vec<String>)> {
    (server.settings.flavour == mailpath_core::scenario::Flavour::OpenSmtpd).then(|| {
        let conf = crate::opensmtpd::derive(server, map, &crate::opensmtpd::Instance::folder());
        (conf, crate::opensmtpd::mailboxes(server))
    })
}

fn sendmail_config(
    server: &mailpath_core::world::ServerConfig,
    map: &config::AddressMap,
) -> Option<crate::sendmail::Config> {
    (server.settings.flavour == mailpath_core::scenario::Flavour::Sendmail)
        .then(|| crate::sendmail::derive(server, map, &crate::sendmail::Instance::folder()))
}

impl Plan {
    /// The server software it is replayed against.
    pub fn software(&self) -> &'static str {
        if self.exim.is_some() {
            "Exim"
        } else if self.opensmtpd.is_some() {
            "OpenSMTPD"
        } else if self.sendmail.is_some() {
            "Sendmail"
        } else {
            "Postfix"
        }
    }

    /// The loopback port its real server listens on for the scenario's port.
    pub fn local_port(&self) -> u16 {
        if self.exim.is_some() {
            crate::exim::local_port(self.port)
        } else if self.opensmtpd.is_some() {
            crate::opensmtpd::local_port(self.port)
        } else if self.sendmail.is_some() {
            crate::sendmail::local_port(self.port)
        } else {
            config::local_port(self.port)
        }
    }
}

/// The message as sent after DATA: CRLF line ends, dot-stuffed, ending with `.`.
fn data(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push('.');
    out
}
