//! A session a person types: they connect from a place of the world to one of its servers and type the SMTP
//! conversation; the server is the same [`ServerSession`] every run uses, and a message it takes continues its
//! trip through the same queues, DNS and next hops as any other. The whole run is replayed from the typed lines
//! each time, so a session is only its lines.

use super::accept::{accept, StampClient, Taken};
use super::queue::{fate, JobRcpt};
use super::state::{Sim, POP_WINDOW};
use crate::actor::HostId;
use crate::addr::header_domain;
use crate::command::{read, Command, Verb};
use crate::mailbox;
use crate::reply::Severity;
use crate::scenario::{Place, Port25, Scenario, Sender};
use crate::server::{service, Effect, Expect, Sent, ServerSession, Service, TypedMessage};
use crate::trace::{ConnectFailure, Ending, EventKind, HopResult, MessageCopy, Purpose, Trace, Why};
use crate::world::host;
use std::net::Ipv4Addr;

/// Where the person types from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The sender's own computer, at home, in the hotel or in the office.
    Laptop(Place),
    /// The spammer's machine.
    Spammer,
    /// One of the servers (as another server would connect).
    Server(HostId),
}

/// Where the person connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Setup {
    /// From where.
    pub from: Origin,
    /// To which server.
    pub to: HostId,
    /// On which port (25, 587 or 465).
    pub port: u16,
}

/// What became of one typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The line, as typed.
    pub line: String,
    /// How it counted.
    pub sent: Sent,
    /// The events it caused in the trace (its command, the decision, the replies, TLS starting).
    pub events: Vec<usize>,
}

/// A typed session and everything that followed from it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The whole run: the typed connection first, then the trip of every message the server took.
    pub trace: Trace,
    /// The typed connection itself.
    pub conversation: Conversation,
}

/// The typed connection: its lines and where it stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    /// The typed connection's hop in the trace.
    pub hop: usize,
    /// Each typed line, in order.
    pub entries: Vec<Entry>,
    /// What the server reads the next line as.
    pub expects: Expect,
    /// The connection failed before any SMTP (nothing listens, the port is blocked): why.
    pub failed: Option<String>,
    /// Messages the server took (their queue ids).
    pub queued: Vec<String>,
    /// TLS is on.
    pub tls: bool,
    /// The user who logged in, if any.
    pub login: Option<String>,
    /// A transaction is open (MAIL accepted).
    pub in_transaction: bool,
    /// The client said HELO or EHLO (since the last STARTTLS).
    pub greeted: bool,
    /// Recipients accepted in the open transaction.
    pub accepted: usize,
    /// Lines beyond [`MAX_LINES`] that were not replayed.
    pub cut: usize,
}

/// The most lines one session replays (a paste longer than this is cut, and the console says so).
pub const MAX_LINES: usize = 2000;

/// The scenario as the console runs it: the sender and their place as `setup` says, and no recipients of its
/// own (the recipients are the ones typed).
pub fn prepared(s: &Scenario, setup: &Setup) -> Scenario {
    let mut s = s.clone();
    match setup.from {
        Origin::Laptop(place) => {
            s.sender = Sender::Alice;
            s.network.place = place;
        }
        Origin::Spammer => s.sender = Sender::Mallory,
        Origin::Server(_) => s.sender = Sender::Alice,
    }
    s.message.to.clear();
    s
}

/// The address the person's connection comes from.
pub fn client_ip(s: &Scenario, setup: &Setup) -> Ipv4Addr {
    let s = prepared(s, setup);
    match setup.from {
        Origin::Server(h) => host(h, &s).ip,
        _ => crate::world::World::build(&s).sender.ip,
    }
}

/// Connects as `setup` says and replays `lines`; returns the session and the trip that followed.
pub fn run(s: &Scenario, setup: &Setup, lines: &[String]) -> Session {
    let s = &prepared(s, setup);
    let mut sim = Sim::new(s);
    let t = 0;
    let (from_id, ip, helo_name): (HostId, Ipv4Addr, String) = match setup.from {
        Origin::Server(h) => {
            let me = host(h, s);
            (h, me.ip, me.name.to_string())
        }
        _ => (sim.w.sender.id, sim.w.sender.ip, sim.w.helo.to_string()),
    };
    let purpose = match setup.from {
        Origin::Laptop(_) => Purpose::Submission,
        Origin::Spammer => Purpose::Spam,
        Origin::Server(_) => Purpose::Relay,
    };
    let mut session = Conversation { cut: lines.len().saturating_sub(MAX_LINES), ..Conversation::default() };
    // A POP login first, when the sender's program is set to do one (POP-before-SMTP).
    let mut logged_in = false;
    if matches!(setup.from, Origin::Laptop(_)) && s.client.pop_before_smtp {
        let user = crate::addr::typed_local_part(&s.message.from).to_string();
        mailbox::pop_login(&mut sim.rec, 0, HostId::Alice, HostId::Provider, &user);
        if s.provider.pop_before_smtp {
            logged_in = true;
        }
    }
    let mut target = setup.to;
    let dest_ip = host(target, s).ip;
    let hop = sim.rec.begin_hop(t, from_id, target, setup.port, purpose, None);
    session.hop = hop;
    let fail = |sim: &mut Sim, f: ConnectFailure, why: Why, text: String| {
        sim.rec.push(t, Some(hop), from_id, EventKind::ConnectFailed { failure: f, text: text.clone() }, Some(why));
        sim.rec.end_hop(hop, HopResult::Failed);
        text
    };
    let leaves = setup.port == 25 && matches!(setup.from, Origin::Laptop(_)) && !sim.w.local_network.contains(dest_ip);
    if leaves && s.network.port25 == Port25::Blocked {
        let text = format!("connect to {}[{dest_ip}]:25: Connection timed out", host(target, s).name);
        session.failed = Some(fail(&mut sim, ConnectFailure::Blocked, Why::PortBlocked, text));
        return finish(sim, session, lines);
    }
    if leaves && s.network.port25 == Port25::Intercepted {
        target = match s.network.place {
            Place::Home => HostId::Provider,
            Place::Hotel => HostId::Hotel,
            Place::Office => HostId::Mx,
        };
        sim.rec.push(t, Some(hop), from_id, EventKind::Redirected { to: target }, Some(Why::Intercepted));
        sim.rec.hops[hop].to = target;
    }
    let Some(server) = sim.w.server(target).cloned() else {
        let text = format!("connect to {}[{dest_ip}]:{}: Connection refused", host(target, s).name, setup.port);
        session.failed = Some(fail(&mut sim, ConnectFailure::Refused, Why::ConnectionRefused, text));
        return finish(sim, session, lines);
    };
    let svc = match service(&server, setup.port) {
        Some(svc) if !server.settings.down.contains(t) => svc,
        _ => {
            let text = format!("connect to {}[{}]:{}: Connection refused", server.hostname, server.ip, setup.port);
            session.failed = Some(fail(&mut sim, ConnectFailure::Refused, Why::ConnectionRefused, text));
            return finish(sim, session, lines);
        }
    };
    let pop_fresh =
        sim.pop_fresh(target, ip, t) || (logged_in && target == HostId::Provider && s.client.pop_age < POP_WINDOW);
    let first_id = sim.new_id(target, t);
    let zone = sim.w.zone.clone();
    let mut greylist = std::mem::take(&mut sim.greylist);
    let mut srv = ServerSession::new(&server, svc, &zone, ip, t, pop_fresh, first_id);
    if svc == Service::Submissions {
        // Port 465: TLS from the first byte, before the greeting.
        sim.rec.push(t, Some(hop), from_id, EventKind::Tls, None);
    }
    let greeting = srv.greeting();
    let greeted_ok = greeting.severity() == Severity::Ok;
    sim.rec.push(t, Some(hop), target, EventKind::Reply(greeting), None);
    if !greeted_ok {
        srv.closed = true;
    }
    let mut any_taken = false;
    let mut any_refused = false;
    let (mut message_lines, mut message_bytes) = (0usize, 0usize);
    for line in lines.iter().take(MAX_LINES) {
        let mut events = Vec::new();
        let heard = srv.typed(line, &mut greylist);
        match heard.sent {
            Sent::NotConnected => {
                session.entries.push(Entry { line: line.clone(), sent: Sent::NotConnected, events });
                continue;
            }
            Sent::MessageLine => {
                message_lines += 1;
                message_bytes += line.len() + 2;
                session.entries.push(Entry { line: line.clone(), sent: heard.sent, events });
                continue;
            }
            Sent::EndOfData => {
                let kind = EventKind::MessageText { lines: message_lines, bytes: message_bytes + 3 };
                events.push(sim.rec.push(t, Some(hop), from_id, kind, None));
                (message_lines, message_bytes) = (0, 0);
            }
            // What the person typed is shown as typed; an answer to an AUTH challenge is a line like any other.
            Sent::Command => {
                let kind = EventKind::Command(Command::Typed(line.clone()));
                events.push(sim.rec.push(t, Some(hop), from_id, kind, None));
            }
        }
        let is_rcpt = heard.sent == Sent::Command && read(line).verb == Verb::Rcpt;
        for (reply, effect) in heard.replies {
            let ok = reply.severity() == Severity::Ok;
            let mut rcpt = None;
            if let Effect::Decision(d) = &effect {
                rcpt = is_rcpt.then(|| d.rcpt.clone());
                events.push(sim.rec.push(t, Some(hop), target, EventKind::Decision(d.clone()), Some(d.why)));
            }
            let ev = sim.rec.push(t, Some(hop), target, EventKind::Reply(reply.clone()), srv.last_why);
            events.push(ev);
            match effect {
                Effect::Tls => events.push(sim.rec.push(t, Some(hop), from_id, EventKind::Tls, None)),
                Effect::Queued => {
                    if let Some(m) = srv.take_message() {
                        let id = srv.queue_id().to_string();
                        take(&mut sim, &srv, from_id, target, ip, &helo_name, &id, m, &server);
                        session.queued.push(id);
                        any_taken = true;
                        let next = sim.new_id(target, t);
                        srv.set_queue_id(next);
                    }
                }
                _ => {}
            }
            if let Some(rcpt) = rcpt {
                let i = sim.add_rcpt(&rcpt);
                // The latest try at a recipient is the one that counts.
                sim.reset_fate(i);
                if !ok {
                    any_refused = true;
                    if let Some(fx) = fate(Some(i), Ending::Refused, ev, target, Some(reply), t) {
                        sim.apply(vec![fx]);
                    }
                }
            } else if !ok && heard.sent == Sent::EndOfData {
                any_refused = true;
            }
        }
        if srv.closed {
            events.push(sim.rec.push(t, Some(hop), from_id, EventKind::Closed, None));
        }
        session.entries.push(Entry { line: line.clone(), sent: heard.sent, events });
    }
    session.expects = srv.expects();
    session.tls = srv.tls;
    session.login = srv.auth_user.clone();
    session.in_transaction = srv.in_transaction();
    session.greeted = srv.greeted();
    session.accepted = srv.accepted().len();
    let result = match (any_taken, any_refused) {
        (true, false) => HopResult::Accepted,
        (true, true) => HopResult::Partial,
        (false, true) => HopResult::Refused,
        (false, false) => HopResult::Accepted,
    };
    drop(srv);
    sim.greylist = greylist;
    sim.rec.end_hop(hop, result);
    // The rest of the trip, on the simulated clock.
    while let Some((t, action)) = sim.next() {
        if sim.rec.events.len() > super::MAX_EVENTS {
            break;
        }
        let effects = match action {
            super::queue::Action::Attempt(job) => super::attempt::attempt(&mut sim, job, t),
            super::queue::Action::Fetch { server, user, reader } => {
                super::retrieve::fetch(&mut sim, t, server, &user, reader)
            }
        };
        sim.apply(effects);
    }
    finish(sim, session, lines)
}

fn finish(sim: Sim, mut conversation: Conversation, lines: &[String]) -> Session {
    // Lines typed where no connection stands are kept, marked as not sent.
    for line in lines.iter().take(MAX_LINES).skip(conversation.entries.len()) {
        conversation.entries.push(Entry { line: line.clone(), sent: Sent::NotConnected, events: Vec::new() });
    }
    Session { trace: sim.finish(), conversation }
}

/// The server took a typed message: its copy, its `Received:` line, its queue.
#[allow(clippy::too_many_arguments)]
fn take(
    sim: &mut Sim,
    srv: &ServerSession,
    from_id: HostId,
    target: HostId,
    ip: Ipv4Addr,
    helo: &str,
    id: &str,
    m: TypedMessage,
    server: &crate::world::ServerConfig,
) {
    let (headers, body) = split_message(&m.text);
    let hfd =
        header_domain(headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("From")).map(|(_, v)| &**v).unwrap_or(""))
            .to_string();
    let ev = sim.rec.events.len().saturating_sub(1);
    let copy = sim.rec.keep(MessageCopy {
        at: from_id,
        from: Some(m.from.clone()).filter(|f| !f.is_empty()),
        to: m.rcpts.clone(),
        headers,
        body,
        is_report: false,
        attachment_bytes: 0,
        event: ev,
        added: 0,
    });
    let hop = sim.rec.hops.len() - 1;
    if sim.rec.hops[hop].message.is_none() {
        sim.rec.hops[hop].message = Some(copy);
    }
    let auth = srv.auth_user.is_some();
    let submission = srv.service != Service::Smtp;
    let signed = target == HostId::Provider && (auth || submission || crate::net::any_contains(&server.mynetworks, ip));
    let home = sim.w.home_domain.clone();
    let dkim = (signed && hfd.eq_ignore_ascii_case(&home)).then_some(home);
    let helo = srv.helo_name().unwrap_or(helo).to_string();
    let rdns = sim.w.zone.ptr(ip).map(str::to_string);
    let client = StampClient { helo: &helo, rdns: rdns.as_deref(), ip, tls: srv.tls, auth };
    let rcpts = m
        .rcpts
        .into_iter()
        .map(|r| {
            let i = sim.add_rcpt(&r);
            JobRcpt { received_as: r.clone(), addr: r, orig: Some(i), pending: true, last: None }
        })
        .collect();
    let taken =
        Taken { copy, at: target, queue_id: id, rcpts, client, t: 0, report: false, dkim, header_from_domain: hfd };
    let fx: Vec<_> = accept(sim, taken).into_iter().collect();
    sim.apply(fx);
}

/// A typed message's header fields (folded lines joined with `\n`) and body.
pub fn split_message(text: &str) -> (Vec<crate::trace::Header>, String) {
    let mut headers: Vec<crate::trace::Header> = Vec::new();
    let mut lines = text.split_inclusive('\n');
    let mut body = String::new();
    let mut in_head = true;
    for line in lines.by_ref() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if !in_head {
            body.push_str(line);
            continue;
        }
        if bare.is_empty() {
            in_head = false;
            continue;
        }
        if bare.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                *v = format!("{v}\n{bare}").into();
                continue;
            }
        }
        match bare.split_once(':') {
            Some((name, value)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':') => {
                headers.push((name.to_string().into(), value.trim_start().into()));
            }
            _ => {
                // Not a header field: the message has no header block, and this is already its body.
                in_head = false;
                body.push_str(line);
            }
        }
    }
    (headers, body)
}
