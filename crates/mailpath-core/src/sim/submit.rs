//! The sender's program or tool hands the message to its first server: the POP login before sending, the access
//! network (port 25 blocked or redirected), the SMTP session, and what the client makes of the outcome — an
//! error dialog, or a server that now owns the message.

use super::accept::{accept, StampClient, Taken};
use super::queue::{fate, Effect, JobRcpt};
use super::state::{Sim, POP_WINDOW};
use crate::actor::HostId;
use crate::addr::{header_domain, typed_local_part};
use crate::command::Stage;
use crate::mailbox;
use crate::message::compose;
use crate::mua::{self, Account};
use crate::reply::Severity;
use crate::scenario::{Auth, Persistence, Place, Port, Port25, Scenario, Sender};
use crate::server::MessageFacts;
use crate::session::{self, ClientKind, End, Env, Plan, Refusal, TlsMode};
use crate::time::{DateTime, Secs};
use crate::trace::{ConnectFailure, Ending, EventKind, HopResult, MessageCopy, Purpose, Why};
use crate::world::{host, PASSWORD, WRONG_PASSWORD};

/// Runs the submission; returns its effects.
pub(crate) fn submit(sim: &mut Sim) -> Vec<Effect> {
    let s = sim.s;
    let sender = sim.w.sender.clone();
    let mut fx = Vec::new();
    let mut t: Secs = 0;
    // A POP login just before sending opens relaying at the provider for this address (POP-before-SMTP).
    let mut logged_in = false;
    if s.sender == Sender::Alice && s.client.pop_before_smtp {
        mailbox::pop_login(&mut sim.rec, 0, HostId::Alice, HostId::Provider, &login_name(s));
        if s.provider.pop_before_smtp {
            logged_in = true;
            fx.push(Effect::PopLogin { server: HostId::Provider, ip: sender.ip, t: 0 });
        }
        t = s.client.pop_age;
    }
    let mut target = sim.w.outgoing;
    let port = s.client.port.number();
    let dest_ip = host(target, s).ip;
    let from_id = sender.id;
    let all_rcpts = |fx: &mut Vec<Effect>, ending: Ending, ev: usize, by: HostId, t: Secs, n: usize| {
        fx.extend((0..n).filter_map(|i| fate(Some(i), ending, ev, by, None, t)));
    };
    let purpose = match s.sender {
        Sender::Alice => Purpose::Submission,
        Sender::Mallory => Purpose::Spam,
        Sender::Tester => Purpose::Probe,
    };
    let hop = sim.rec.begin_hop(t, from_id, target, port, purpose, None);
    let leaves_network = port == 25 && s.sender == Sender::Alice && !sim.w.local_network.contains(dest_ip);
    if leaves_network && s.network.port25 == Port25::Blocked {
        let text = format!("connect to {}[{dest_ip}]:25: Connection timed out", host(target, s).name);
        let failed = EventKind::ConnectFailed { failure: ConnectFailure::Blocked, text };
        sim.rec.push(t, Some(hop), from_id, failed, Some(Why::PortBlocked));
        sim.rec.end_hop(hop, HopResult::Failed);
        mua_dialog(sim, t, hop, mua::Failure::NoConnection { timed_out: true });
        let ev = sim.rec.events.len() - 1;
        all_rcpts(&mut fx, Ending::NoConnection, ev, from_id, t, sim.rcpts.len());
        return fx;
    }
    if leaves_network && s.network.port25 == Port25::Intercepted {
        target = match s.network.place {
            Place::Home => HostId::Provider,
            Place::Hotel => HostId::Hotel,
            Place::Office => HostId::Mx,
        };
        sim.rec.push(t, Some(hop), from_id, EventKind::Redirected { to: target }, Some(Why::Intercepted));
        sim.rec.hops[hop].to = target;
    }
    let server = sim.w.server(target).expect("every outgoing target runs a server").clone();
    let mid = format!("{:08x}.{:04x}", sim.rng.next_u64() as u32, sim.rng.below(0x10000));
    let draft = compose(s, DateTime::at(t), &mid);
    let original = MessageCopy {
        at: from_id,
        // The null sender `<>` (bounces, probes) has no reverse path: nothing is ever returned to it.
        from: Some(s.message.from.trim().to_string()).filter(|f| !f.is_empty()),
        to: sim.rcpts.clone(),
        headers: draft.headers,
        body: draft.body,
        is_report: false,
        attachment_bytes: s.message.attachment_kb as usize * 1024,
        event: hop,
        added: 0,
    };
    let hfd = header_domain(original.header("From").unwrap_or("")).to_string();
    let user = login_name(s);
    let password = if s.client.auth == Auth::Wrong { WRONG_PASSWORD } else { PASSWORD };
    let (kind, tls, login) = match s.sender {
        Sender::Alice => {
            let tls = match (s.client.tls, s.client.port) {
                (false, _) => TlsMode::Off,
                (true, Port::P465) => TlsMode::Implicit,
                (true, _) => TlsMode::Required,
            };
            let login = (s.client.auth != Auth::Off).then_some((user.as_str(), password));
            let kind = match s.client.persistence {
                Persistence::GivesUp => ClientKind::Mua(s.client.program),
                Persistence::CarriesOn => ClientKind::Script,
            };
            (kind, tls, login)
        }
        Sender::Mallory => (ClientKind::Spammer, if port == 465 { TlsMode::Implicit } else { TlsMode::Off }, None),
        Sender::Tester => (ClientKind::Tester, if port == 465 { TlsMode::Implicit } else { TlsMode::Off }, None),
    };
    let id = sim.new_id(target, t);
    let pop_fresh = sim.pop_fresh(target, sender.ip, t) || (logged_in && target == HostId::Provider && t < POP_WINDOW);
    let rcpts = sim.rcpts.clone();
    let plan = Plan {
        kind,
        from: from_id,
        ip: sender.ip,
        helo: &sim.w.helo,
        port,
        tls,
        login,
        mail_from: s.message.from.trim(),
        rcpts: &rcpts,
        message: MessageFacts { bytes: original.size(), header_from_domain: &hfd, dkim: None, hops: 0 },
        lines: original.line_count(),
        purpose,
        pipelines: false,
    };
    let mut env = Env { zone: &sim.w.zone, rec: &mut sim.rec, greylist: &mut sim.greylist, t };
    let out = session::run(&plan, &server, hop, pop_fresh, id, &mut env);
    let original_idx = sim.rec.keep(original);
    sim.rec.hops[hop].message = Some(original_idx);
    let refused = |r: &session::RcptResult| r.reply.severity() != Severity::Ok;
    match &out.end {
        End::NoConnection(f, _) => {
            let ev = sim.rec.events.len() - 1;
            if let ClientKind::Mua(_) = kind {
                mua_dialog(sim, t, hop, mua::Failure::NoConnection { timed_out: *f != ConnectFailure::Refused });
            }
            all_rcpts(&mut fx, Ending::NoConnection, ev, from_id, t, rcpts.len());
        }
        End::GaveUp | End::Refused | End::Done => {
            if out.tester.is_some() {
                let ev = sim.rec.events.len() - 1;
                all_rcpts(&mut fx, Ending::Probed, ev, target, t, rcpts.len());
                return fx;
            }
            let (reply, ev) = match (&out.refusal, out.rcpts.iter().find(|r| refused(r))) {
                (Some(r), _) => (Some(r.reply.clone()), r.event),
                (None, Some(r)) => (Some(r.reply.clone()), r.event),
                (None, None) => (None, sim.rec.events.len() - 1),
            };
            if let ClientKind::Mua(_) = kind {
                let failure = match &out.refusal {
                    Some(Refusal { reply, stage: Stage::RcptTo, .. }) => {
                        let rcpt = out.rcpts.last().map_or("", |x| x.rcpt.as_str());
                        mua::Failure::RecipientRejected { rcpt, reply }
                    }
                    Some(Refusal { reply, stage: Stage::Auth, .. }) => mua::Failure::LoginFailed(reply),
                    Some(Refusal { reply, .. }) => mua::Failure::Refused(reply),
                    None => mua::Failure::NoTls,
                };
                mua_dialog(sim, t, hop, failure);
            }
            for (i, rcpt) in rcpts.iter().enumerate() {
                let own = out.rcpts.iter().find(|r| &r.rcpt == rcpt && refused(r));
                let (rr, ee) = own.map_or((reply.clone(), ev), |r| (Some(r.reply.clone()), r.event));
                fx.extend(fate(Some(i), Ending::Refused, ee, target, rr, t));
            }
        }
        End::Queued(id) => {
            for (i, rcpt) in rcpts.iter().enumerate() {
                if let Some(r) = out.rcpts.iter().find(|r| &r.rcpt == rcpt && refused(r)) {
                    fx.extend(fate(Some(i), Ending::Refused, r.event, target, Some(r.reply.clone()), t));
                }
            }
            let accepted: Vec<JobRcpt> = rcpts
                .iter()
                .enumerate()
                .filter(|(_, r)| out.rcpts.iter().any(|x| &x.rcpt == *r && !refused(x)))
                .map(|(i, r)| JobRcpt {
                    received_as: r.clone(),
                    addr: r.clone(),
                    orig: Some(i),
                    pending: true,
                    last: None,
                })
                .collect();
            // The provider signs what its own users send (or what comes from its trusted networks).
            let signed = target == HostId::Provider
                && (out.auth || out.submission || crate::net::any_contains(&server.mynetworks, sender.ip));
            let home = sim.w.home_domain.clone();
            let dkim = (signed && hfd.eq_ignore_ascii_case(&home)).then_some(home);
            let helo = sim.w.helo.clone();
            let rdns = sim.w.zone.ptr(sender.ip).map(str::to_string);
            let client =
                StampClient { helo: &helo, rdns: rdns.as_deref(), ip: sender.ip, tls: out.tls, auth: out.auth };
            let taken = Taken {
                copy: original_idx,
                at: target,
                queue_id: id,
                rcpts: accepted,
                client,
                t,
                report: false,
                dkim,
                header_from_domain: hfd.clone(),
            };
            fx.extend(accept(sim, taken));
        }
    }
    fx
}

/// The name the client logs in with: its own setting, or the local part of the sender's address.
fn login_name(s: &Scenario) -> String {
    if s.client.login.trim().is_empty() {
        typed_local_part(&s.message.from).to_string()
    } else {
        s.client.login.trim().to_string()
    }
}

/// The mail program's error dialog (only Alice's mail program shows one).
fn mua_dialog(sim: &mut Sim, t: Secs, hop: usize, failure: mua::Failure) {
    let s = sim.s;
    if s.sender != Sender::Alice {
        return;
    }
    let acct = Account {
        subject: &s.message.subject,
        name: crate::world::account_of(&s.names.provider.domain),
        server: &host(sim.w.outgoing, s).name,
        port: s.client.port.number(),
        secure: s.client.tls,
    };
    let d = mua::dialog(s.client.program, failure, &acct);
    let kind = EventKind::ErrorDialog { title: d.title, text: d.text, confirmed: d.verified };
    sim.rec.push(t, Some(hop), HostId::Alice, kind, None);
}
