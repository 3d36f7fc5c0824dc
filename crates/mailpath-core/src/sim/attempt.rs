//! A server's delivery attempt for one queued message: local delivery, or a DNS lookup and an MX walk
//! (RFC 5321 §5.1, Postfix's `smtp_connect.c` rules) with one SMTP session per host tried, and what that makes
//! of each recipient: passed on, returned, or kept for the next try.

use super::accept::{accept, StampClient, Taken};
use super::queue::{fate, Disposition, Effect, JobRcpt};
use super::settle::settle;
use super::state::Sim;
use crate::actor::HostId;
use crate::addr::Address;
use crate::command::Stage;
use crate::dns::{route, Route};
use crate::dsn::{Diagnostic, Failure};
use crate::flavour::{fill, Vars};
use crate::flavours::spec;
use crate::policy::{mailbox_exists, resolve};
use crate::reply::{Reply, Severity, Status};
use crate::server::MessageFacts;
use crate::session::{self, ClientKind, End, Env, Plan, Refusal, TlsMode};
use crate::time::Secs;
use crate::trace::{Ending, EventKind, MessageCopy, Purpose, Why};
use crate::world::{ServerConfig, PASSWORD};

/// A host to try: which, on which port, logging in as whom.
struct Target {
    host: HostId,
    port: u16,
    login: Option<(crate::addr::Name, &'static str)>,
}

/// What an MX walk needs of the job it walks (the job itself does not change during the walk).
struct Walk {
    rcpts: Vec<(String, Option<usize>)>,
    copy: usize,
    report: bool,
    from: Option<String>,
    header_from_domain: String,
    dkim: Option<crate::addr::Name>,
}

/// The destination key of recipients that go to the server's smarthost.
const RELAYHOST: &str = "[relayhost]";

/// Tries to deliver job `n` at time `t`.
pub(crate) fn attempt(sim: &mut Sim, n: usize, t: Secs) -> Vec<Effect> {
    let checkpoint = sim.rec.checkpoint();
    let at = sim.jobs[n].at;
    let server = sim.w.server(at).expect("queued on a server").clone();
    let pending: Vec<usize> = (0..sim.jobs[n].rcpts.len()).filter(|&i| sim.jobs[n].rcpts[i].pending).collect();
    let mut fx = Vec::new();
    let mut dispositions: Vec<(usize, Disposition)> = Vec::new();

    // Local recipients first, then one group per remote destination.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for &i in &pending {
        let addr = sim.jobs[n].rcpts[i].addr.clone();
        let Ok(parsed) = Address::parse(&addr) else {
            let f = local_failure(&addr, Status::new(5, 1, 3), "bad address syntax".into());
            dispositions.push((i, Disposition::Returned(f)));
            continue;
        };
        let r = resolve(&parsed, &server);
        if r.final_class.is_some() && !r.routed {
            dispositions.push((i, deliver_local(sim, n, i, &server, &r.local, &r.domain, t, &mut fx)));
        } else {
            let key = if server.relayhost.is_some() && !r.relay { String::from(RELAYHOST) } else { r.domain };
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(i),
                None => groups.push((key, vec![i])),
            }
        }
    }
    for (domain, members) in groups {
        dispositions.extend(deliver_remote(sim, n, &server, &domain, &members, t, &mut fx));
    }
    fx.extend(settle(sim, n, &server, dispositions, t, checkpoint));
    fx
}

/// Delivers recipient `i` of job `n` into its mailbox here, or returns it when no such mailbox exists.
#[allow(clippy::too_many_arguments)]
fn deliver_local(
    sim: &mut Sim,
    n: usize,
    i: usize,
    server: &ServerConfig,
    local: &str,
    domain: &str,
    t: Secs,
    fx: &mut Vec<Effect>,
) -> Disposition {
    let addr = sim.jobs[n].rcpts[i].addr.clone();
    if !mailbox_exists(server, local, domain) {
        let reply = spec(server.settings.flavour).unknown_user_later.reply(&Vars {
            rcpt: &addr,
            table: if server.final_domain(domain).is_some_and(|d| d.is_virtual) {
                "virtual mailbox table"
            } else {
                "local recipient table"
            },
            host: &server.hostname,
            ..Default::default()
        });
        return Disposition::Returned(local_failure(&addr, Status::new(5, 1, 1), reply.text_with_codes()));
    }
    let job = &sim.jobs[n];
    let mut copy = sim.rec.messages[job.copy].clone();
    let rp = job.from.as_deref().unwrap_or_default();
    // Postfix's local and virtual agents, in their order: Return-Path, X-Original-To (the recipient as the client
    // sent it), Delivered-To (as delivered).
    let mut headers = Vec::with_capacity(copy.headers.len() + 3);
    headers.push(("Return-Path".into(), format!("<{rp}>").into()));
    headers.push(("X-Original-To".into(), job.rcpts[i].received_as.as_str().into()));
    headers.push(("Delivered-To".into(), addr.as_str().into()));
    headers.append(&mut copy.headers);
    copy.headers = headers;
    copy.added = 3;
    copy.to = vec![addr.clone()];
    copy.at = server.host;
    let ev = sim.rec.push(t, None, server.host, EventKind::Delivered { rcpt: addr }, Some(Why::FinalDestination));
    copy.event = ev;
    let bytes = copy.size();
    let report = job.report;
    let orig = job.rcpts[i].orig;
    sim.rec.keep(copy);
    fx.extend(fate(orig, Ending::Delivered, ev, server.host, None, t));
    // A bounce lands in the sender's mailbox, which her mail program fetches; anything else is the recipient's.
    let reader = if report {
        (sim.s.sender == crate::scenario::Sender::Alice && domain.eq_ignore_ascii_case(&sim.w.home_domain))
            .then_some(HostId::Alice)
    } else {
        orig.map(|_| HostId::Reader)
    };
    if let Some(reader) = reader {
        fx.push(Effect::Inbox { server: server.host, user: local.to_string(), bytes, reader, t });
    }
    Disposition::Passed
}

/// Where a remote destination's mail goes: the smarthost, or the MX hosts DNS names; `Err` with every member's
/// disposition when DNS already decides.
fn targets(sim: &mut Sim, server: &ServerConfig, domain: &str, t: Secs) -> Result<Vec<Target>, Disposition> {
    if let (Some(rh), RELAYHOST) = (server.relayhost, domain) {
        return Ok(vec![Target {
            host: rh.host,
            port: rh.port,
            login: rh.login.then_some((sim.w.smarthost_login.clone(), PASSWORD)),
        }]);
    }
    sim.rec.push(t, None, server.host, EventKind::DnsQuery { name: domain.to_string(), rtype: "MX" }, None);
    let r = route(&sim.w.zone, domain, t, &mut sim.rng, &[&server.hostname]);
    let answer = match &r {
        Route::Hosts(h) => h.iter().map(|x| format!("{} {} ({})", x.preference, x.name, x.ip)).collect(),
        Route::NullMx => vec!["0 . (null MX: this domain accepts no mail)".to_string()],
        Route::NxDomain => vec!["NXDOMAIN (no such domain)".to_string()],
        Route::TempFail => vec!["SERVFAIL (try again later)".to_string()],
        Route::LoopsBack | Route::NoPrimary => vec![format!("{} (this server itself)", server.hostname)],
        Route::NoUsable => vec!["MX hosts without addresses".to_string()],
    };
    let why = match &r {
        Route::NullMx => Some(Why::NullMx),
        Route::NxDomain => Some(Why::NoSuchDomain),
        Route::TempFail => Some(Why::DnsTempFail),
        Route::LoopsBack => Some(Why::MailLoop),
        _ => None,
    };
    sim.rec.push(t, None, HostId::Dns, EventKind::DnsAnswer { name: domain.to_string(), answer }, why);
    let fail = |status: Status, text: String| local_failure("", status, text);
    let not_found = |rtype: &str| {
        format!("Host or domain name not found. Name service error for name={domain} type={rtype}: Host not found")
    };
    Err(match r {
        Route::Hosts(hosts) => {
            return Ok(hosts
                .iter()
                .filter_map(|h| sim.w.server_at(h.ip).map(|s| Target { host: s.host, port: 25, login: None }))
                .collect())
        }
        Route::NullMx => {
            Disposition::Returned(fail(Status::new(5, 1, 0), format!("Domain {domain} does not accept mail (nullMX)")))
        }
        Route::NxDomain => Disposition::Returned(fail(Status::new(5, 4, 4), not_found("MX"))),
        Route::TempFail => Disposition::Kept(fail(Status::new(4, 4, 3), format!("{}, try again", not_found("MX")))),
        Route::LoopsBack => {
            let text = fill(
                spec(server.settings.flavour).loops,
                &Vars { domain, host: &server.hostname, ..Default::default() },
            );
            Disposition::Returned(fail(Status::new(5, 4, 6), text))
        }
        Route::NoPrimary => {
            Disposition::Kept(fail(Status::new(4, 4, 4), format!("unable to find primary relay for {domain}")))
        }
        Route::NoUsable => Disposition::Returned(fail(Status::new(5, 4, 4), not_found("A"))),
    })
}

/// Looks up where `domain`'s mail goes and walks the hosts, returning each member's disposition.
fn deliver_remote(
    sim: &mut Sim,
    n: usize,
    server: &ServerConfig,
    domain: &str,
    members: &[usize],
    t: Secs,
    fx: &mut Vec<Effect>,
) -> Vec<(usize, Disposition)> {
    let targets = match targets(sim, server, domain, t) {
        Ok(targets) => targets,
        Err(d) => return members.iter().map(|&i| (i, d.clone())).collect(),
    };
    let job = {
        let j = &sim.jobs[n];
        Walk {
            rcpts: j.rcpts.iter().map(|r| (r.addr.clone(), r.orig)).collect(),
            copy: j.copy,
            report: j.report,
            from: j.from.clone(),
            header_from_domain: j.header_from_domain.clone(),
            dkim: j.dkim.clone(),
        }
    };
    let mut remaining: Vec<usize> = members.to_vec();
    let mut out: Vec<(usize, Disposition)> = Vec::new();
    let count = targets.len();
    for (k, target) in targets.into_iter().enumerate() {
        let last = k + 1 == count;
        let Some(next) = sim.w.server(target.host).cloned() else { continue };
        let rcpts: Vec<String> = remaining.iter().map(|&i| job.rcpts[i].0.clone()).collect();
        let copy = &sim.rec.messages[job.copy];
        let (text_len, lines, hops) = (copy.size(), copy.line_count(), hops_of(copy));
        let purpose = if job.report { Purpose::Bounce } else { Purpose::Relay };
        let hop = sim.rec.begin_hop(t, server.host, target.host, target.port, purpose, Some(job.copy));
        let id = sim.new_id(target.host, t);
        let pop_fresh = sim.pop_fresh(target.host, server.ip, t);
        let plan = Plan {
            kind: ClientKind::Mta,
            from: server.host,
            ip: server.ip,
            helo: &server.hostname,
            port: target.port,
            tls: TlsMode::Opportunistic,
            login: target.login.as_ref().map(|(u, p)| (&**u, *p)),
            mail_from: job.from.as_deref().unwrap_or(""),
            rcpts: &rcpts,
            message: MessageFacts {
                bytes: text_len,
                header_from_domain: &job.header_from_domain,
                dkim: job.dkim.as_deref(),
                hops,
            },
            lines,
            purpose,
            pipelines: spec(server.settings.flavour).client_pipelines,
        };
        let mut env = Env { zone: &sim.w.zone, rec: &mut sim.rec, greylist: &mut sim.greylist, t };
        let o = session::run(&plan, &next, hop, pop_fresh, id, &mut env);
        // The reason the refusing server gave, from the event of its reply (a 5.7.1 is a relay refusal, a
        // blocklist or a DMARC rejection).
        let why_at = |event: usize| sim.rec.events.get(event).and_then(|e| e.why);
        let smtp_failure = |rcpt: &str, reply: &Reply, command: Stage, why: Option<Why>| Failure {
            rcpt: rcpt.to_string(),
            why,
            status: reply.effective_status().unwrap_or(Status::new((reply.code / 100) as u8, 0, 0)),
            diagnostic: Diagnostic::Smtp {
                host: next.hostname.to_string(),
                ip: next.ip,
                reply: reply.clone(),
                command,
                then: o.data_reply.clone().map(Box::new),
            },
        };
        let mut carry = Vec::new();
        match &o.end {
            End::NoConnection(_, text) => {
                let f = local_failure("", Status::new(4, 4, 1), text.clone());
                if last {
                    out.extend(remaining.iter().map(|&i| (i, Disposition::Kept(f.clone()))));
                } else {
                    carry = remaining.clone();
                }
            }
            End::Refused | End::GaveUp => {
                let Refusal { reply, stage, event } = o.refusal.clone().expect("a refusal has a reply");
                let why = why_at(event);
                let permanent = reply.severity() == Severity::Permanent;
                for &i in &remaining {
                    let f = smtp_failure(&job.rcpts[i].0, &reply, stage, why);
                    // A 5xx greeting sends the client to the next MX (Postfix `smtp_skip_5xx_greeting`).
                    if permanent && stage != Stage::Greeting {
                        out.push((i, Disposition::Returned(f)));
                    } else if last {
                        out.push((i, if permanent { Disposition::Returned(f) } else { Disposition::Kept(f) }));
                    } else {
                        carry.push(i);
                    }
                }
            }
            End::Queued(_) | End::Done => {
                let mut accepted = Vec::new();
                for &i in &remaining {
                    let addr = &job.rcpts[i].0;
                    let Some(res) = o.rcpts.iter().find(|r| &r.rcpt == addr) else { continue };
                    match res.reply.severity() {
                        Severity::Ok => accepted.push(i),
                        Severity::Permanent => out.push((
                            i,
                            Disposition::Returned(smtp_failure(addr, &res.reply, Stage::RcptTo, why_at(res.event))),
                        )),
                        _ if last => out.push((
                            i,
                            Disposition::Kept(smtp_failure(addr, &res.reply, Stage::RcptTo, why_at(res.event))),
                        )),
                        _ => carry.push(i),
                    }
                }
                if let End::Queued(qid) = &o.end {
                    let moved: Vec<JobRcpt> = accepted
                        .iter()
                        .map(|&i| JobRcpt {
                            received_as: job.rcpts[i].0.clone(),
                            addr: job.rcpts[i].0.clone(),
                            orig: job.rcpts[i].1,
                            pending: true,
                            last: None,
                        })
                        .collect();
                    out.extend(accepted.iter().map(|&i| (i, Disposition::Passed)));
                    let client = StampClient {
                        helo: &server.hostname,
                        rdns: Some(&server.hostname),
                        ip: server.ip,
                        tls: o.tls,
                        auth: o.auth,
                    };
                    let taken = Taken {
                        copy: job.copy,
                        at: target.host,
                        queue_id: qid,
                        rcpts: moved,
                        client,
                        t,
                        report: job.report,
                        dkim: job.dkim.clone(),
                        header_from_domain: job.header_from_domain.clone(),
                    };
                    fx.extend(accept(sim, taken));
                }
            }
        }
        if carry.is_empty() {
            break;
        }
        let reason = out_reason(&o.end, o.refusal.as_ref());
        sim.rec.push(t, None, server.host, EventKind::NextMx { reason }, None);
        remaining = carry;
    }
    out
}

/// The `Received:` lines a message carries.
fn hops_of(m: &MessageCopy) -> usize {
    m.headers.iter().filter(|(n, _)| *n == "Received").count()
}

fn local_failure(rcpt: &str, status: Status, text: String) -> Failure {
    Failure { rcpt: rcpt.to_string(), status, diagnostic: Diagnostic::Local(text), why: None }
}

fn out_reason(end: &End, refusal: Option<&Refusal>) -> String {
    match (end, refusal) {
        (End::NoConnection(_, text), _) => text.clone(),
        (_, Some(r)) => format!("{} (in reply to {})", r.reply.text_with_codes(), r.stage),
        _ => "temporary failure at this MX; trying the next".into(),
    }
}
