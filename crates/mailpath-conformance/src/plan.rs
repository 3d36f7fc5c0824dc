//! What to send and what to expect, read off the simulator's own trace of the first connection.

use crate::config::{self, Config};
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
    /// The server's configuration.
    pub config: Config,
    /// The client's source address (loopback).
    pub source: std::net::Ipv4Addr,
    /// The scenario port (25, 587, 465); the instance maps it to its own.
    pub port: u16,
    /// The steps.
    pub steps: Vec<Step>,
    /// Scenario ↔ loopback addresses.
    pub map: config::AddressMap,
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
    let map = config::AddressMap::new(s, server);
    let config = config::derive(server, &map, &world, s);
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
    Ok(Plan { name: name.to_string(), config, source, port: h.port, steps, map })
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
