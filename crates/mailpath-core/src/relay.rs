//! A server's delivery attempt for one queued message: local delivery, or DNS lookup and MX walking
//! (RFC 5321 §5.1, Postfix's `smtp_connect.c` rules), then what to do with each recipient: passed on, returned
//! to the sender (a bounce that travels back), or kept for the next try on the flavour's schedule.

use crate::dns::{route, Route};
use crate::dsn::{self, Diagnostic, Failure, Report};
use crate::flavours::spec;
use crate::policy::{mailbox_exists, resolve};
use crate::reply::Status;
use crate::server::MessageFacts;
use crate::session::{self, ClientKind, End, Env, Plan, TlsMode};
use crate::sim::{parse, Action, Sim, StampClient};
use crate::time::{human, DateTime, Secs, DAY, EPOCH, HOUR};
use crate::trace::*;
use crate::world::{HostId, ServerConfig, PASSWORD};

/// One recipient of a queued message.
#[derive(Debug, Clone)]
pub(crate) struct JobRcpt {
    /// The address.
    pub addr: String,
    /// Which of the scenario's recipients it is (`None` for a bounce's recipient).
    pub orig: Option<usize>,
    /// Still to be delivered.
    pub pending: bool,
    /// The last temporary failure.
    pub last: Option<Failure>,
}

/// A message in one server's queue.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub at: HostId,
    pub copy: usize,
    pub queue_id: String,
    pub arrived: Secs,
    pub from: Option<String>,
    pub rcpts: Vec<JobRcpt>,
    pub attempts: u32,
    pub warned: bool,
    pub report: bool,
    pub last: Option<String>,
    pub dkim: Option<&'static str>,
    pub header_from_domain: String,
}

/// A host to try: which, on which port, logging in as whom.
type Target<'a> = (HostId, u16, Option<(&'a str, &'a str)>);

/// What an MX walk needs to know about the job it walks.
struct Walk {
    rcpts: Vec<(String, Option<usize>)>,
    copy: usize,
    report: bool,
    from: Option<String>,
    header_from_domain: String,
    dkim: Option<&'static str>,
}

enum Fate {
    Done,
    Bounce(Failure),
    Defer(Failure),
}

impl Sim<'_> {
    /// Tries to deliver job `n` at time `t`.
    pub(crate) fn attempt(&mut self, n: usize, t: Secs) {
        let checkpoint = self.rec.checkpoint();
        let at = self.jobs[n].at;
        let server = self.w.server(at).expect("queued on a server").clone();
        let pending: Vec<usize> = (0..self.jobs[n].rcpts.len()).filter(|&i| self.jobs[n].rcpts[i].pending).collect();
        let mut fates: Vec<(usize, Fate)> = Vec::new();

        // Local recipients first, then one group per remote destination.
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for &i in &pending {
            let addr = self.jobs[n].rcpts[i].addr.clone();
            let Some(parsed) = parse(&addr) else {
                let f = local_failure(&addr, Status::new(5, 1, 3), "bad address syntax".into());
                fates.push((i, Fate::Bounce(f)));
                continue;
            };
            let r = resolve(&parsed, &server);
            if r.final_class.is_some() && !r.routed {
                fates.push((i, self.deliver_local(n, i, &server, &r.local, &r.domain, t)));
            } else {
                let key = if server.relayhost.is_some() && !r.relay { String::from("[relayhost]") } else { r.domain };
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.push(i),
                    None => groups.push((key, vec![i])),
                }
            }
        }
        for (domain, members) in groups {
            let results = self.deliver_remote(n, &server, &domain, &members, t);
            fates.extend(results);
        }
        self.settle(n, &server, fates, t, checkpoint);
    }

    fn deliver_local(&mut self, n: usize, i: usize, server: &ServerConfig, local: &str, domain: &str, t: Secs) -> Fate {
        let addr = self.jobs[n].rcpts[i].addr.clone();
        if mailbox_exists(server, local, domain) {
            let job = &self.jobs[n];
            let mut copy = self.rec.messages[job.copy].clone();
            let rp = job.from.as_deref().unwrap_or_default();
            let mut headers = Vec::with_capacity(copy.headers.len() + 2);
            headers.push(("Return-Path", format!("<{rp}>").into()));
            headers.push(("Delivered-To", addr.as_str().into()));
            headers.append(&mut copy.headers);
            copy.headers = headers;
            copy.added = 2;
            copy.to = vec![addr.clone()];
            copy.at = server.host;
            let ev = self.rec.push(
                t,
                None,
                server.host,
                EventKind::Delivered { rcpt: addr.clone() },
                Some(Why::FinalDestination),
            );
            copy.event = ev;
            let bytes = copy.size();
            let report = job.report;
            let orig = job.rcpts[i].orig;
            self.rec.keep(copy);
            self.set_fate(orig, Ending::Delivered, ev, server.host, None, t);
            let reader = if report {
                (self.s.sender == crate::scenario::Sender::Alice && domain == "isp-a.example").then_some(HostId::Alice)
            } else {
                orig.map(|_| HostId::Reader)
            };
            if let Some(reader) = reader {
                self.deliver_to_inbox(server.host, local, bytes, reader, t);
            }
            Fate::Done
        } else {
            let sp = spec(server.settings.flavour);
            let reply = sp.unknown_user_later.reply(&crate::flavour::Vars {
                rcpt: &addr,
                table: if server.final_domain(domain).is_some_and(|d| d.is_virtual) {
                    "virtual mailbox table"
                } else {
                    "local recipient table"
                },
                host: server.hostname,
                ..Default::default()
            });
            Fate::Bounce(local_failure(&addr, Status::new(5, 1, 1), reply.text_with_codes()))
        }
    }

    /// Looks up where `domain`'s mail goes and walks the hosts, returning each member's fate.
    fn deliver_remote(
        &mut self,
        n: usize,
        server: &ServerConfig,
        domain: &str,
        members: &[usize],
        t: Secs,
    ) -> Vec<(usize, Fate)> {
        let all = |f: Fate| members.iter().map(|&i| (i, clone_fate(&f))).collect::<Vec<_>>();
        let targets: Vec<Target> = if let (Some(rh), "[relayhost]") = (server.relayhost, domain) {
            vec![(rh.host, rh.port, rh.login.then_some(("isp-a", PASSWORD)))]
        } else {
            self.rec.push(t, None, server.host, EventKind::DnsQuery { name: domain.to_string(), rtype: "MX" }, None);
            let r = route(&self.w.zone, domain, t, &mut self.rng, &[server.hostname]);
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
            self.rec.push(t, None, HostId::Dns, EventKind::DnsAnswer { name: domain.to_string(), answer }, why);
            let sp = spec(server.settings.flavour);
            let fail = |status: Status, text: String| local_failure("", status, text);
            match r {
                Route::Hosts(hosts) => hosts
                    .iter()
                    .filter_map(|h| self.w.server_at(h.ip).map(|s| (s.host, 25u16, None)))
                    .collect(),
                Route::NullMx => return all(Fate::Bounce(fail(Status::new(5, 1, 0), format!("Domain {domain} does not accept mail (nullMX)")))),
                Route::NxDomain => {
                    return all(Fate::Bounce(fail(
                        Status::new(5, 4, 4),
                        format!("Host or domain name not found. Name service error for name={domain} type=MX: Host not found"),
                    )))
                }
                Route::TempFail => {
                    return all(Fate::Defer(fail(
                        Status::new(4, 4, 3),
                        format!("Host or domain name not found. Name service error for name={domain} type=MX: Host not found, try again"),
                    )))
                }
                Route::LoopsBack => {
                    let text = crate::flavour::fill(sp.loops, &crate::flavour::Vars { domain, host: server.hostname, ..Default::default() });
                    return all(Fate::Bounce(fail(Status::new(5, 4, 6), text)));
                }
                Route::NoPrimary => return all(Fate::Defer(fail(Status::new(4, 4, 4), format!("unable to find primary relay for {domain}")))),
                Route::NoUsable => {
                    return all(Fate::Bounce(fail(
                        Status::new(5, 4, 4),
                        format!("Host or domain name not found. Name service error for name={domain} type=A: Host not found"),
                    )))
                }
            }
        };
        let mut remaining: Vec<usize> = members.to_vec();
        let mut out: Vec<(usize, Fate)> = Vec::new();
        let count = targets.len();
        // The job's fields this walk needs (new jobs may be pushed while it runs; job `n` itself does not change).
        let job = {
            let j = &self.jobs[n];
            Walk {
                rcpts: j.rcpts.iter().map(|r| (r.addr.clone(), r.orig)).collect(),
                copy: j.copy,
                report: j.report,
                from: j.from.clone(),
                header_from_domain: j.header_from_domain.clone(),
                dkim: j.dkim,
            }
        };
        for (k, (target, port, login)) in targets.into_iter().enumerate() {
            let last = k + 1 == count;
            let Some(next) = self.w.server(target).cloned() else { continue };
            let rcpts: Vec<String> = remaining.iter().map(|&i| job.rcpts[i].0.clone()).collect();
            let copy = &self.rec.messages[job.copy];
            let text_len = copy.size();
            let lines = copy.line_count();
            let purpose = if job.report { Purpose::Bounce } else { Purpose::Relay };
            let hop = self.rec.begin_hop(t, server.host, target, port, purpose, Some(job.copy));
            let id = self.new_id(target, t);
            let pop_fresh = self.pop_fresh(target, server.ip, t);
            let plan = Plan {
                kind: ClientKind::Mta,
                from: server.host,
                ip: server.ip,
                helo: server.hostname,
                port,
                tls: TlsMode::Opportunistic,
                login,
                mail_from: job.from.as_deref().unwrap_or(""),
                rcpts: &rcpts,
                message: MessageFacts {
                    bytes: text_len,
                    header_from_domain: &job.header_from_domain,
                    dkim: job.dkim,
                    hops: hops_of(&self.rec.messages[job.copy]),
                },
                lines,
                purpose,
            };
            let mut env = Env { zone: &self.w.zone, rec: &mut self.rec, greylist: &mut self.greylist, t };
            let o = session::run(&plan, &next, hop, pop_fresh, id, &mut env);
            let smtp_failure = |rcpt: &str, reply: &crate::reply::Reply, command: &'static str| Failure {
                rcpt: rcpt.to_string(),
                status: reply.effective_status().unwrap_or(Status::new((reply.code / 100) as u8, 0, 0)),
                diagnostic: Diagnostic::Smtp {
                    host: next.hostname.to_string(),
                    ip: next.ip,
                    reply: reply.clone(),
                    command,
                },
            };
            let mut carry = Vec::new();
            match &o.end {
                End::NoConnection(_, text) => {
                    let f = local_failure("", Status::new(4, 4, 1), text.clone());
                    if last {
                        out.extend(remaining.iter().map(|&i| (i, Fate::Defer(f.clone()))));
                    } else {
                        carry = remaining.clone();
                    }
                }
                End::Refused | End::GaveUp => {
                    let (reply, command, _) = o.refusal.clone().expect("a refusal has a reply");
                    let greeting = command == "the greeting";
                    for &i in &remaining {
                        let f = smtp_failure(&job.rcpts[i].0, &reply, command);
                        if reply.code / 100 == 5 && !greeting {
                            out.push((i, Fate::Bounce(f)));
                        } else if last {
                            out.push((i, if reply.code / 100 == 5 { Fate::Bounce(f) } else { Fate::Defer(f) }));
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
                        match res.reply.code / 100 {
                            2 => accepted.push(i),
                            5 => out.push((i, Fate::Bounce(smtp_failure(addr, &res.reply, "RCPT TO")))),
                            _ if last => out.push((i, Fate::Defer(smtp_failure(addr, &res.reply, "RCPT TO")))),
                            _ => carry.push(i),
                        }
                    }
                    if let End::Queued(qid) = &o.end {
                        let moved: Vec<JobRcpt> = accepted
                            .iter()
                            .map(|&i| JobRcpt {
                                addr: job.rcpts[i].0.clone(),
                                orig: job.rcpts[i].1,
                                pending: true,
                                last: None,
                            })
                            .collect();
                        out.extend(accepted.iter().map(|&i| (i, Fate::Done)));
                        let c = StampClient {
                            helo: server.hostname,
                            rdns: Some(server.hostname),
                            ip: server.ip,
                            tls: o.tls,
                            auth: o.auth,
                            hide: false,
                        };
                        self.accept(
                            job.copy,
                            target,
                            qid,
                            moved,
                            c,
                            t,
                            job.report,
                            job.dkim,
                            job.header_from_domain.clone(),
                        );
                    }
                }
            }
            if carry.is_empty() {
                break;
            }
            let reason = out_reason(&o.end, &o.refusal);
            self.rec.push(t, None, server.host, EventKind::NextMx { reason }, None);
            remaining = carry;
        }
        out
    }

    /// Applies the attempt's fates: bounces, deferrals (with retry or expiry), folding repeated failures.
    fn settle(
        &mut self,
        n: usize,
        server: &ServerConfig,
        fates: Vec<(usize, Fate)>,
        t: Secs,
        checkpoint: crate::record::Checkpoint,
    ) {
        let sp = spec(server.settings.flavour);
        let mut bounces = Vec::new();
        let mut deferred = Vec::new();
        for (i, fate) in fates {
            match fate {
                Fate::Done => self.jobs[n].rcpts[i].pending = false,
                Fate::Bounce(mut f) => {
                    self.jobs[n].rcpts[i].pending = false;
                    f.rcpt = self.jobs[n].rcpts[i].addr.clone();
                    bounces.push((i, f));
                }
                Fate::Defer(mut f) => {
                    f.rcpt = self.jobs[n].rcpts[i].addr.clone();
                    self.jobs[n].rcpts[i].last = Some(f.clone());
                    deferred.push((i, f));
                }
            }
        }
        let job = &mut self.jobs[n];
        job.attempts += 1;
        let reason = deferred.first().map(|(_, f)| f.reason()).unwrap_or_default();
        // A retry that failed exactly as the last one did is folded into one event.
        if job.attempts > 1
            && bounces.is_empty()
            && !deferred.is_empty()
            && deferred.len() == job.rcpts.iter().filter(|r| r.pending).count()
            && job.last.as_deref() == Some(reason.as_str())
        {
            self.rec.rollback(checkpoint);
            self.rec.push(
                t,
                None,
                server.host,
                EventKind::RetryFailed { attempt: job.attempts - 1, reason: reason.clone() },
                None,
            );
        }
        job.last = (!deferred.is_empty()).then(|| reason.clone());
        if !bounces.is_empty() {
            let failures: Vec<Failure> = bounces.iter().map(|(_, f)| f.clone()).collect();
            let origs: Vec<Option<usize>> = bounces.iter().map(|(i, _)| self.jobs[n].rcpts[*i].orig).collect();
            self.bounce(n, server, &failures, &origs, t, false);
        }
        if deferred.is_empty() {
            return;
        }
        let job = &self.jobs[n];
        let age = t - job.arrived;
        if age >= sp.queue.lifetime {
            let failures: Vec<Failure> = deferred.iter().map(|(_, f)| f.clone()).collect();
            let origs: Vec<Option<usize>> = deferred.iter().map(|(i, _)| self.jobs[n].rcpts[*i].orig).collect();
            for (i, _) in &deferred {
                self.jobs[n].rcpts[*i].pending = false;
            }
            self.bounce(n, server, &failures, &origs, t, true);
            return;
        }
        if let Some(warn) = sp.queue.warn_after {
            if age >= warn && !job.warned && !job.report && job.from.is_some() {
                self.jobs[n].warned = true;
                let failures: Vec<Failure> = deferred.iter().map(|(_, f)| f.clone()).collect();
                self.warn(n, server, &failures, t, warn, sp.queue.lifetime);
            }
        }
        let job = &self.jobs[n];
        let wait = sp.queue.schedule.wait(job.attempts, age).max(1);
        let retry_at = (t + wait).min(job.arrived + sp.queue.lifetime).max(t + 1);
        let folded = matches!(self.rec.events.last(), Some(Event { kind: EventKind::RetryFailed { .. }, .. }));
        if !folded {
            let rcpts = deferred.iter().map(|(_, f)| f.rcpt.clone()).collect();
            let why = deferred.first().and_then(|(_, f)| why_of(f));
            self.rec.push(
                t,
                None,
                server.host,
                EventKind::Deferred {
                    rcpts,
                    reason: format!("{reason} — next try in {}", human(retry_at - t)),
                    retry_at,
                },
                why,
            );
        }
        self.schedule(retry_at, Action::Attempt(n));
    }

    /// Returns the message to its sender (or drops it when it is itself a bounce).
    fn bounce(
        &mut self,
        n: usize,
        server: &ServerConfig,
        failures: &[Failure],
        origs: &[Option<usize>],
        t: Secs,
        expired: bool,
    ) {
        let job = self.jobs[n].clone();
        let reason = failures.first().map(|f| f.reason()).unwrap_or_default();
        let why = if expired { Some(Why::Expired) } else { failures.first().and_then(why_of) };
        let Some(sender) = job.from.clone().filter(|_| !job.report) else {
            let text = format!(
                "{reason} — the message was itself a bounce (sender <>), so it is not returned again (RFC 5321 §6.1)"
            );
            let ev = self.rec.push(t, None, server.host, EventKind::BounceDropped { reason: text }, why);
            for o in origs {
                self.set_fate(*o, Ending::Bounced, ev, server.host, None, t);
            }
            return;
        };
        let sp = spec(server.settings.flavour);
        let report_id = self.new_id(server.host, t);
        let original = self.rec.messages[job.copy].clone();
        let (headers, body) = dsn::write(&Report {
            style: sp.dsn,
            host: server.hostname,
            queue_id: &job.queue_id,
            report_id: &report_id,
            sender: &sender,
            arrival: DateTime::at(job.arrived),
            now: DateTime::at(t),
            unix_now: EPOCH + i64::from(t),
            original: &original,
            failures,
            delayed: None,
        });
        let reason = if expired { format!("gave up after {}: {reason}", human(t - job.arrived)) } else { reason };
        let msg = self.rec.keep(MessageCopy {
            at: server.host,
            from: None,
            to: vec![sender.clone()],
            headers,
            body,
            is_report: true,
            attachment_bytes: 0,
            event: 0,
            added: 0,
        });
        let ev = self.rec.push(
            t,
            None,
            server.host,
            EventKind::Bounced { rcpts: failures.iter().map(|f| f.rcpt.clone()).collect(), message: msg, reason },
            why,
        );
        self.rec.messages[msg].event = ev;
        for (o, f) in origs.iter().zip(failures) {
            let reply = match &f.diagnostic {
                Diagnostic::Smtp { reply, .. } => Some(reply.clone()),
                Diagnostic::Local(_) => None,
            };
            self.set_fate(*o, Ending::Bounced, ev, server.host, reply, t);
        }
        let r = vec![JobRcpt { addr: sender, orig: None, pending: true, last: None }];
        self.queue_report(msg, server.host, report_id, r, t);
    }

    /// Sends the sender a delay warning.
    fn warn(&mut self, n: usize, server: &ServerConfig, failures: &[Failure], t: Secs, after: Secs, lifetime: Secs) {
        let job = self.jobs[n].clone();
        let Some(sender) = job.from.clone() else { return };
        let sp = spec(server.settings.flavour);
        let report_id = self.new_id(server.host, t);
        let original = self.rec.messages[job.copy].clone();
        let (headers, body) = dsn::write(&Report {
            style: sp.dsn,
            host: server.hostname,
            queue_id: &job.queue_id,
            report_id: &report_id,
            sender: &sender,
            arrival: DateTime::at(job.arrived),
            now: DateTime::at(t),
            unix_now: EPOCH + i64::from(t),
            original: &original,
            failures,
            delayed: Some((after / HOUR, lifetime / DAY)),
        });
        let msg = self.rec.keep(MessageCopy {
            at: server.host,
            from: None,
            to: vec![sender.clone()],
            headers,
            body,
            is_report: true,
            attachment_bytes: 0,
            event: 0,
            added: 0,
        });
        let ev = self.rec.push(t, None, server.host, EventKind::DelayWarning { message: msg }, None);
        self.rec.messages[msg].event = ev;
        let r = vec![JobRcpt { addr: sender, orig: None, pending: true, last: None }];
        self.queue_report(msg, server.host, report_id, r, t);
    }

    fn queue_report(&mut self, msg: usize, at: HostId, id: String, rcpts: Vec<JobRcpt>, t: Secs) {
        self.jobs.push(Job {
            at,
            copy: msg,
            queue_id: id,
            arrived: t,
            from: None,
            rcpts,
            attempts: 0,
            warned: true,
            report: true,
            last: None,
            dkim: None,
            header_from_domain: String::new(),
        });
        let n = self.jobs.len() - 1;
        self.schedule(t + 1, Action::Attempt(n));
    }
}

/// The `Received:` lines a message carries.
fn hops_of(m: &MessageCopy) -> usize {
    m.headers.iter().filter(|(n, _)| *n == "Received").count()
}

fn local_failure(rcpt: &str, status: Status, text: String) -> Failure {
    Failure { rcpt: rcpt.to_string(), status, diagnostic: Diagnostic::Local(text) }
}

fn clone_fate(f: &Fate) -> Fate {
    match f {
        Fate::Done => Fate::Done,
        Fate::Bounce(x) => Fate::Bounce(x.clone()),
        Fate::Defer(x) => Fate::Defer(x.clone()),
    }
}

fn out_reason(end: &End, refusal: &Option<(crate::reply::Reply, &'static str, usize)>) -> String {
    match (end, refusal) {
        (End::NoConnection(_, text), _) => text.clone(),
        (_, Some((r, cmd, _))) => format!("{} (in reply to {cmd})", r.text_with_codes()),
        _ => "temporary failure at this MX; trying the next".into(),
    }
}

/// The explanation key for a failure, from its status code.
fn why_of(f: &Failure) -> Option<Why> {
    let s = f.status;
    Some(match (s.subject, s.detail) {
        (7, 1) => Why::RelayDenied,
        (1, 1) => Why::UserUnknown,
        (1, 0) | (1, 10) => Why::NullMx,
        (4, 4) if s.class == 5 => Why::NoSuchDomain,
        (4, 3) => Why::DnsTempFail,
        (4, 6) => Why::MailLoop,
        (4, 1) => Why::ConnectionRefused,
        (2, 0) if s.class == 4 => Why::Greylisted,
        (7, 23) => Why::SpfFail,
        (3, 4) => Why::TooBig,
        _ => return None,
    })
}
