//! `run`: walks a scenario through the world — the sender's submission, every server's queue on a simulated
//! clock, MX walking, retries, bounces travelling back, delivery and retrieval — and returns the trace.
//! Delivery attempts themselves are in [`crate::relay`].

use crate::addr::Address;
use crate::ids::queue_id;
use crate::mailbox;
use crate::message::{compose, received, Stamp};
use crate::mua::{self, Account};
use crate::record::Recorder;
use crate::relay::{Job, JobRcpt};
use crate::rng::Rng;
use crate::scenario::{Auth, Place, Port, Port25, Scenario, Sender};
use crate::server::{Greylist, MessageFacts};
use crate::session::{self, ClientKind, End, Env, Plan, TlsMode};
use crate::time::{DateTime, Secs, EPOCH, MINUTE};
use crate::trace::*;
use crate::world::{addr, host, HostId, World, PASSWORD, WRONG_PASSWORD};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;

/// How long a POP-before-SMTP login opens relaying (the common 30 minutes).
pub const POP_WINDOW: Secs = 30 * MINUTE;
/// The most events one run records.
pub const MAX_EVENTS: usize = 200_000;

/// How long after delivery the reader's mail program fetches mail.
pub const FETCH_AFTER: Secs = 2 * MINUTE;

/// Something scheduled on the clock.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Action {
    /// A delivery attempt of job `n`.
    Attempt(usize),
    /// A reader fetches the mailbox (server, user, reader).
    Fetch(HostId, String, HostId),
}

/// The state of one run.
pub(crate) struct Sim<'a> {
    pub s: &'a Scenario,
    pub w: World,
    pub rng: Rng,
    pub rec: Recorder,
    pub greylist: Greylist,
    pub jobs: Vec<Job>,
    agenda: BinaryHeap<Reverse<(Secs, u32, Action)>>,
    seq: u32,
    pub fates: Vec<Option<RecipientFate>>,
    pub rcpts: Vec<String>,
    pub pop_logins: Vec<(HostId, Ipv4Addr, Secs)>,
    /// Mailboxes with mail waiting to be fetched: (server, user) → (count, bytes).
    pub inbox: Vec<(HostId, String, usize, usize)>,
}

/// Simulates `s` and returns everything that happened.
pub fn run(s: &Scenario) -> Trace {
    let mut sim = Sim {
        s,
        w: World::build(s),
        rng: Rng::new(s.seed),
        rec: Recorder::default(),
        greylist: Greylist::default(),
        jobs: Vec::new(),
        agenda: BinaryHeap::new(),
        seq: 0,
        fates: vec![None; s.message.to.len()],
        rcpts: s.message.to.iter().map(|r| r.trim().to_string()).collect(),
        pop_logins: Vec::new(),
        inbox: Vec::new(),
    };
    sim.submit();
    while let Some(Reverse((t, _, action))) = sim.agenda.pop() {
        // A safety net: real mail systems stop loops by hop counts, which the engine models; this only guards
        // against a modelling mistake turning into a hung page.
        if sim.rec.events.len() > MAX_EVENTS {
            break;
        }
        match action {
            Action::Attempt(job) => sim.attempt(job, t),
            Action::Fetch(server, user, reader) => sim.fetch(t, server, &user, reader),
        }
    }
    sim.finish()
}

impl Sim<'_> {
    pub(crate) fn schedule(&mut self, t: Secs, action: Action) {
        self.seq += 1;
        self.agenda.push(Reverse((t, self.seq, action)));
    }

    pub(crate) fn new_id(&mut self, at: HostId, t: Secs) -> String {
        let flavour = self.w.server(at).map_or(crate::scenario::Flavour::Postfix, |s| s.settings.flavour);
        queue_id(flavour, &mut self.rng, EPOCH + i64::from(t))
    }

    pub(crate) fn pop_fresh(&self, server: HostId, ip: Ipv4Addr, t: Secs) -> bool {
        self.pop_logins.iter().any(|&(h, i, t0)| h == server && i == ip && t.saturating_sub(t0) < POP_WINDOW)
    }

    pub(crate) fn set_fate(
        &mut self,
        orig: Option<usize>,
        ending: Ending,
        event: usize,
        by: HostId,
        reply: Option<crate::reply::Reply>,
        t: Secs,
    ) {
        if let Some(i) = orig {
            if self.fates[i].is_none() {
                self.fates[i] = Some(RecipientFate { rcpt: self.rcpts[i].clone(), ending, event, by, reply, t });
            }
        }
    }

    /// The sender's program or tool hands the message to its first server.
    fn submit(&mut self) {
        let s = self.s;
        let sender = self.w.sender;
        let mut t: Secs = 0;
        if s.sender == Sender::Alice && s.client.pop_before_smtp {
            mailbox::pop_login(&mut self.rec, 0, HostId::Alice, HostId::Provider, local_of(&s.message.from));
            if s.provider.pop_before_smtp {
                self.pop_logins.push((HostId::Provider, sender.ip, 0));
            }
            t = s.client.pop_age;
        }
        let mut target = self.w.outgoing;
        let port = s.client.port.number();
        let dest_ip = host(target, s).ip;
        let from_id = sender.id;
        let purpose = match s.sender {
            Sender::Alice => Purpose::Submission,
            Sender::Mallory => Purpose::Spam,
            Sender::Tester => Purpose::Probe,
        };
        let hop = self.rec.begin_hop(t, from_id, target, port, purpose, None);
        let local_net = match s.network.place {
            Place::Home => addr::PROVIDER_POOL,
            Place::Hotel => addr::HOTEL_NET,
            Place::Office => addr::CORP_LAN,
        };
        let leaves_network = port == 25 && s.sender == Sender::Alice && !local_net.contains(dest_ip);
        if leaves_network && s.network.port25 == Port25::Blocked {
            let text = format!("connect to {}[{dest_ip}]:25: Connection timed out", host(target, s).name);
            self.rec.push(
                t,
                Some(hop),
                from_id,
                EventKind::ConnectFailed { failure: ConnectFailure::Blocked, text },
                Some(Why::PortBlocked),
            );
            self.rec.end_hop(hop, HopResult::Failed);
            self.mua_dialog(t, hop, mua::Failure::NoConnection { timed_out: true });
            let ev = self.rec.events.len() - 1;
            for i in 0..self.rcpts.len() {
                self.set_fate(Some(i), Ending::NoConnection, ev, from_id, None, t);
            }
            return;
        }
        if leaves_network && s.network.port25 == Port25::Intercepted {
            target = match s.network.place {
                Place::Home => HostId::Provider,
                Place::Hotel => HostId::Hotel,
                Place::Office => HostId::Mx,
            };
            self.rec.push(t, Some(hop), from_id, EventKind::Redirected { to: target }, Some(Why::Intercepted));
            self.rec.hops[hop].to = target;
        }
        let server = self.w.server(target).expect("every outgoing target runs a server").clone();
        let draft_date = DateTime::at(t);
        let mid = format!("{:08x}.{:04x}", self.rng.next_u64() as u32, self.rng.below(0x10000));
        let draft = compose(s, draft_date, &mid);
        let original = MessageCopy {
            at: from_id,
            from: Some(s.message.from.trim().to_string()),
            to: self.rcpts.clone(),
            headers: draft.headers,
            body: draft.body,
            is_report: false,
            attachment_bytes: s.message.attachment_kb as usize * 1024,
            event: hop,
            added: 0,
        };
        let header_from = original.header("From").unwrap_or("").to_string();
        let hfd = domain_in(&header_from).to_string();
        let user = local_of(&s.message.from).to_string();
        let password = if s.client.auth == Auth::Wrong { WRONG_PASSWORD } else { PASSWORD };
        let (kind, tls, login) = match s.sender {
            Sender::Alice => {
                let tls = match (s.client.tls, s.client.port) {
                    (false, _) => TlsMode::Off,
                    (true, Port::P465) => TlsMode::Implicit,
                    (true, _) => TlsMode::Required,
                };
                let login = (s.client.auth != Auth::Off).then_some((user.as_str(), password));
                (ClientKind::Mua(s.client.program), tls, login)
            }
            Sender::Mallory => (ClientKind::Spammer, if port == 465 { TlsMode::Implicit } else { TlsMode::Off }, None),
            Sender::Tester => (ClientKind::Tester, if port == 465 { TlsMode::Implicit } else { TlsMode::Off }, None),
        };
        let id = self.new_id(target, t);
        let pop_fresh = self.pop_fresh(target, sender.ip, t);
        let rcpts = self.rcpts.clone();
        let plan = Plan {
            kind,
            from: from_id,
            ip: sender.ip,
            helo: self.w.helo,
            port,
            tls,
            login,
            mail_from: s.message.from.trim(),
            rcpts: &rcpts,
            message: MessageFacts { bytes: original.size(), header_from_domain: &hfd, dkim: None, hops: 0 },
            lines: original.line_count(),
            purpose,
        };
        let mut env = Env { zone: &self.w.zone, rec: &mut self.rec, greylist: &mut self.greylist, t };
        let out = session::run(&plan, &server, hop, pop_fresh, id, &mut env);
        let original_idx = self.rec.keep(original);
        self.rec.hops[hop].message = Some(original_idx);
        match &out.end {
            End::NoConnection(f, _) => {
                let ev = self.rec.events.len() - 1;
                if let ClientKind::Mua(_) = kind {
                    self.mua_dialog(t, hop, mua::Failure::NoConnection { timed_out: *f != ConnectFailure::Refused });
                }
                for i in 0..self.rcpts.len() {
                    self.set_fate(Some(i), Ending::NoConnection, ev, from_id, None, t);
                }
            }
            End::GaveUp | End::Refused | End::Done => {
                if out.tester.is_some() {
                    let ev = self.rec.events.len() - 1;
                    for i in 0..self.rcpts.len() {
                        self.set_fate(Some(i), Ending::Probed, ev, target, None, t);
                    }
                    return;
                }
                let (reply, ev) = match (&out.refusal, out.rcpts.iter().find(|r| r.reply.code / 100 != 2)) {
                    (Some((r, _, ev)), _) => (Some(r.clone()), *ev),
                    (None, Some(r)) => (Some(r.reply.clone()), r.event),
                    (None, None) => (None, self.rec.events.len() - 1),
                };
                if let ClientKind::Mua(_) = kind {
                    let failure = match &out.refusal {
                        Some((r, "RCPT TO", _)) => {
                            let rcpt = out.rcpts.last().map_or("", |x| x.rcpt.as_str());
                            mua::Failure::RecipientRejected { rcpt, reply: r }
                        }
                        Some((r, "AUTH", _)) => mua::Failure::LoginFailed(r),
                        Some((r, _, _)) => mua::Failure::Refused(r),
                        None => mua::Failure::NoTls,
                    };
                    self.mua_dialog(t, hop, failure);
                }
                for (i, rcpt) in rcpts.iter().enumerate() {
                    let own = out.rcpts.iter().find(|r| &r.rcpt == rcpt && r.reply.code / 100 != 2);
                    let (rr, ee) = own.map_or((reply.clone(), ev), |r| (Some(r.reply.clone()), r.event));
                    self.set_fate(Some(i), Ending::Refused, ee, target, rr, t);
                }
            }
            End::Queued(id) => {
                let id = id.clone();
                for (i, rcpt) in rcpts.iter().enumerate() {
                    if let Some(r) = out.rcpts.iter().find(|r| &r.rcpt == rcpt && r.reply.code / 100 != 2) {
                        self.set_fate(Some(i), Ending::Refused, r.event, target, Some(r.reply.clone()), t);
                    }
                }
                let accepted: Vec<JobRcpt> = rcpts
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| out.rcpts.iter().any(|x| &x.rcpt == *r && x.reply.code / 100 == 2))
                    .map(|(i, r)| JobRcpt { addr: r.clone(), orig: Some(i), pending: true, last: None })
                    .collect();
                let signed = target == HostId::Provider
                    && (out.auth || out.submission || crate::net::any_contains(&server.mynetworks, sender.ip));
                let dkim = (signed && hfd.eq_ignore_ascii_case("isp-a.example")).then_some("isp-a.example");
                let stamp_client = StampClient {
                    helo: self.w.helo,
                    rdns: None,
                    ip: sender.ip,
                    tls: out.tls,
                    auth: out.auth,
                    hide: out.submission,
                };
                self.accept(original_idx, target, &id, accepted, stamp_client, t, false, dkim, hfd.clone());
            }
        }
    }

    /// A server took the message: it keeps a copy with its `Received:` line and tries to pass it on.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn accept(
        &mut self,
        copy: usize,
        at: HostId,
        id: &str,
        rcpts: Vec<JobRcpt>,
        c: StampClient,
        t: Secs,
        report: bool,
        dkim: Option<&'static str>,
        hfd: String,
    ) {
        if rcpts.is_empty() {
            return;
        }
        let server = self.w.server(at).expect("accepting host runs a server").clone();
        let spec = crate::flavours::spec(server.settings.flavour);
        // The server keeps each recipient in its own canonical form (percent hack and bang paths undone).
        let rcpts: Vec<JobRcpt> = rcpts
            .into_iter()
            .map(|mut r| {
                if let Some(c) = parse(&r.addr).and_then(|a| crate::policy::canonical(&a, &server)) {
                    r.addr = c;
                }
                r
            })
            .collect();
        let MessageCopy { from: prev_from, headers: prev_headers, body, attachment_bytes, .. } =
            self.rec.messages[copy].clone();
        let ip = c.ip.to_string();
        let host_ip = server.ip.to_string();
        let single = (rcpts.len() == 1).then(|| rcpts[0].addr.clone());
        let from = prev_from.as_deref().unwrap_or_default();
        let stamp = Stamp {
            helo: c.helo,
            rdns: c.rdns,
            ip: &ip,
            host: server.hostname,
            host_ip: &host_ip,
            software: spec.software,
            tls: c.tls,
            auth: c.auth,
            hide_client: c.hide && server.settings.flavour == crate::scenario::Flavour::Postfix,
            id,
            rcpt: single.as_deref(),
            from,
            date: DateTime::at(t),
        };
        let mut headers = Vec::with_capacity(prev_headers.len() + 1);
        headers.push(("Received", received(spec.received, &stamp).into()));
        headers.extend(prev_headers);
        let ev = self.rec.push(t, None, at, EventKind::Queued { queue_id: id.to_string() }, None);
        let new_copy = self.rec.keep(MessageCopy {
            at,
            from: prev_from.clone(),
            to: rcpts.iter().map(|r| r.addr.clone()).collect(),
            headers,
            body,
            is_report: report,
            attachment_bytes,
            event: ev,
            added: 1,
        });
        self.jobs.push(Job {
            at,
            copy: new_copy,
            queue_id: id.to_string(),
            arrived: t,
            from: prev_from,
            rcpts,
            attempts: 0,
            warned: false,
            report,
            last: None,
            dkim,
            header_from_domain: hfd,
        });
        let n = self.jobs.len() - 1;
        self.schedule(t + 1, Action::Attempt(n));
    }

    fn mua_dialog(&mut self, t: Secs, hop: usize, failure: mua::Failure) {
        let s = self.s;
        if s.sender != Sender::Alice {
            return;
        }
        let server_name = host(self.w.outgoing, s).name;
        let acct = Account {
            subject: &s.message.subject,
            server: server_name,
            port: s.client.port.number(),
            secure: s.client.tls,
        };
        let d = mua::dialog(s.client.program, failure, &acct);
        self.rec.push(
            t,
            Some(hop),
            HostId::Alice,
            EventKind::ErrorDialog { title: d.title, text: d.text, confirmed: d.verified },
            None,
        );
    }

    fn fetch(&mut self, t: Secs, server: HostId, user: &str, reader: HostId) {
        let Some(pos) = self.inbox.iter().position(|(h, u, ..)| *h == server && u == user) else {
            return;
        };
        let (_, _, count, bytes) = self.inbox.remove(pos);
        let how = self.w.server(server).map_or(crate::scenario::Retrieval::Imap, |s| s.settings.retrieval);
        mailbox::fetch(&mut self.rec, t, reader, how, &mailbox::Waiting { server, user, count, bytes });
    }

    pub(crate) fn deliver_to_inbox(&mut self, server: HostId, user: &str, bytes: usize, reader: HostId, t: Secs) {
        if let Some(entry) = self.inbox.iter_mut().find(|(h, u, ..)| *h == server && u == user) {
            entry.2 += 1;
            entry.3 += bytes;
            return;
        }
        self.inbox.push((server, user.to_string(), 1, bytes));
        self.schedule(t + FETCH_AFTER, Action::Fetch(server, user.to_string(), reader));
    }

    fn finish(self) -> Trace {
        let Sim { rec, fates, rcpts, s, .. } = self;
        let fates: Vec<RecipientFate> = fates
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                f.unwrap_or(RecipientFate {
                    rcpt: rcpts[i].clone(),
                    ending: Ending::Refused,
                    event: rec.events.len().saturating_sub(1),
                    by: HostId::Alice,
                    reply: None,
                    t: 0,
                })
            })
            .collect();
        let outcome = crate::outcome::summarise(s, &rec, &fates);
        Trace { events: rec.events, hops: rec.hops, messages: rec.messages, fates, outcome }
    }
}

/// What a server notes about its client for the `Received:` line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StampClient<'a> {
    pub helo: &'a str,
    pub rdns: Option<&'a str>,
    pub ip: Ipv4Addr,
    pub tls: bool,
    pub auth: bool,
    pub hide: bool,
}

/// The local part of an address as typed (`alice` of `alice@isp-a.example`).
pub(crate) fn local_of(addr: &str) -> &str {
    addr.trim().rsplit_once('@').map_or(addr.trim(), |(l, _)| l)
}

/// The domain of an address in a header such as `Alice <alice@isp-a.example>`.
pub(crate) fn domain_in(header: &str) -> &str {
    let inner = header.rsplit_once('<').map_or(header, |(_, r)| r.trim_end_matches('>'));
    inner.rsplit_once('@').map_or("", |(_, d)| d.trim())
}

/// Whether a raw address parses (used when routing).
pub(crate) fn parse(addr: &str) -> Option<Address> {
    Address::parse(addr).ok()
}
