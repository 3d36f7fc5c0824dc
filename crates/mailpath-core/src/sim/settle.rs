//! After a delivery attempt: recipients returned to their sender (a bounce that travels back, or a bounce
//! dropped when the message was itself one), recipients kept for the next try on the software's schedule (with a
//! delay warning, or a bounce once the queue lifetime runs out), and identical retries folded into one event.

use super::queue::{fate, Disposition, Effect, Job, JobRcpt};
use super::state::Sim;
use crate::actor::HostId;
use crate::dsn::{self, Diagnostic, Failure, Report};
use crate::flavours::spec;
use crate::record::Checkpoint;
use crate::time::{human, DateTime, Secs, DAY, EPOCH, HOUR};
use crate::trace::{Ending, Event, EventKind, MessageCopy, Why};
use crate::world::ServerConfig;

/// Applies an attempt's dispositions to job `n`; returns the effects (bounces and warnings queued, fates, the
/// next try).
pub(crate) fn settle(
    sim: &mut Sim,
    n: usize,
    server: &ServerConfig,
    dispositions: Vec<(usize, Disposition)>,
    t: Secs,
    checkpoint: Checkpoint,
) -> Vec<Effect> {
    let mut fx = Vec::new();
    let sp = spec(server.settings.flavour);
    let mut returned = Vec::new();
    let mut kept = Vec::new();
    let mut passed = false;
    for (i, d) in dispositions {
        let r = &mut sim.jobs[n].rcpts[i];
        match d {
            Disposition::Passed => {
                r.pending = false;
                passed = true;
            }
            Disposition::Returned(mut f) => {
                r.pending = false;
                f.rcpt = r.addr.clone();
                returned.push((i, f));
            }
            Disposition::Kept(mut f) => {
                f.rcpt = r.addr.clone();
                r.last = Some(f.clone());
                kept.push((i, f));
            }
        }
    }
    let job = &mut sim.jobs[n];
    job.attempts += 1;
    let reason = kept.first().map(|(_, f)| f.reason()).unwrap_or_default();
    // A retry that failed exactly as the last one did, for every recipient still pending, is folded into one
    // event (never one that also delivered or passed on: what it recorded stays).
    if job.attempts > 1
        && !passed
        && returned.is_empty()
        && !kept.is_empty()
        && kept.len() == job.rcpts.iter().filter(|r| r.pending).count()
        && job.last_reason.as_deref() == Some(reason.as_str())
    {
        sim.rec.rollback(checkpoint);
        sim.rec.push(
            t,
            None,
            server.host,
            EventKind::RetryFailed { attempt: job.attempts - 1, reason: reason.clone() },
            None,
        );
    }
    job.last_reason = (!kept.is_empty()).then(|| reason.clone());
    if !returned.is_empty() {
        let failures: Vec<Failure> = returned.iter().map(|(_, f)| f.clone()).collect();
        let origs: Vec<Option<usize>> = returned.iter().map(|(i, _)| sim.jobs[n].rcpts[*i].orig).collect();
        fx.extend(bounce(sim, n, server, &failures, &origs, t, false));
    }
    if kept.is_empty() {
        return fx;
    }
    let job = &sim.jobs[n];
    let age = t - job.arrived;
    if age >= sp.queue.lifetime {
        let failures: Vec<Failure> = kept.iter().map(|(_, f)| f.clone()).collect();
        let origs: Vec<Option<usize>> = kept.iter().map(|(i, _)| sim.jobs[n].rcpts[*i].orig).collect();
        for (i, _) in &kept {
            sim.jobs[n].rcpts[*i].pending = false;
        }
        fx.extend(bounce(sim, n, server, &failures, &origs, t, true));
        return fx;
    }
    if let Some(warn_after) = sp.queue.warn_after {
        if age >= warn_after && !job.warned && !job.report && job.from.is_some() {
            sim.jobs[n].warned = true;
            let failures: Vec<Failure> = kept.iter().map(|(_, f)| f.clone()).collect();
            fx.extend(warn(sim, n, server, &failures, t, warn_after, sp.queue.lifetime));
        }
    }
    let job = &sim.jobs[n];
    let wait = sp.queue.schedule.wait(job.attempts, age).max(1);
    let retry_at = (t + wait).min(job.arrived + sp.queue.lifetime).max(t + 1);
    let folded = matches!(sim.rec.events.last(), Some(Event { kind: EventKind::RetryFailed { .. }, .. }));
    if !folded {
        let rcpts = kept.iter().map(|(_, f)| f.rcpt.clone()).collect();
        let why = kept.first().and_then(|(_, f)| why_of(f));
        sim.rec.push(
            t,
            None,
            server.host,
            EventKind::Deferred {
                rcpts, reason: format!("{reason} — next try in {}", human(retry_at - t)), retry_at
            },
            why,
        );
    }
    fx.push(Effect::Schedule(retry_at, super::queue::Action::Attempt(n)));
    fx
}

/// Returns the message to its sender (or drops the bounce when the message was itself one).
fn bounce(
    sim: &mut Sim,
    n: usize,
    server: &ServerConfig,
    failures: &[Failure],
    origs: &[Option<usize>],
    t: Secs,
    expired: bool,
) -> Vec<Effect> {
    let job = sim.jobs[n].clone();
    let reason = failures.first().map(|f| f.reason()).unwrap_or_default();
    let why = if expired { Some(Why::Expired) } else { failures.first().and_then(why_of) };
    let Some(sender) = job.from.clone().filter(|_| !job.report) else {
        let text = format!(
            "{reason} — the message was itself a bounce (sender <>), so it is not returned again (RFC 5321 §6.1)"
        );
        let ev = sim.rec.push(t, None, server.host, EventKind::BounceDropped { reason: text }, why);
        return origs.iter().filter_map(|o| fate(*o, Ending::Bounced, ev, server.host, None, t)).collect();
    };
    let report_id = sim.new_id(server.host, t);
    let (headers, body) = write_report(sim, &job, server, &report_id, &sender, failures, t, None);
    let reason = if expired { format!("gave up after {}: {reason}", human(t - job.arrived)) } else { reason };
    let msg = keep_report(sim, server.host, &sender, headers, body);
    let rcpts = failures.iter().map(|f| f.rcpt.clone()).collect();
    let ev = sim.rec.push(t, None, server.host, EventKind::Bounced { rcpts, message: msg, reason }, why);
    sim.rec.messages[msg].event = ev;
    let mut fx: Vec<Effect> = origs
        .iter()
        .zip(failures)
        .filter_map(|(o, f)| {
            let reply = match &f.diagnostic {
                Diagnostic::Smtp { reply, .. } => Some(reply.clone()),
                Diagnostic::Local(_) => None,
            };
            fate(*o, Ending::Bounced, ev, server.host, reply, t)
        })
        .collect();
    fx.push(report_job(msg, server.host, report_id, sender, t));
    fx
}

/// Sends the sender a delay warning.
fn warn(
    sim: &mut Sim,
    n: usize,
    server: &ServerConfig,
    failures: &[Failure],
    t: Secs,
    after: Secs,
    lifetime: Secs,
) -> Vec<Effect> {
    let job = sim.jobs[n].clone();
    let Some(sender) = job.from.clone() else { return Vec::new() };
    let report_id = sim.new_id(server.host, t);
    let delayed = Some((after / HOUR, lifetime / DAY));
    let (headers, body) = write_report(sim, &job, server, &report_id, &sender, failures, t, delayed);
    let msg = keep_report(sim, server.host, &sender, headers, body);
    let ev = sim.rec.push(t, None, server.host, EventKind::DelayWarning { message: msg }, None);
    sim.rec.messages[msg].event = ev;
    vec![report_job(msg, server.host, report_id, sender, t)]
}

/// The report's header fields and body in the server software's style.
#[allow(clippy::too_many_arguments)]
fn write_report(
    sim: &Sim,
    job: &Job,
    server: &ServerConfig,
    report_id: &str,
    sender: &str,
    failures: &[Failure],
    t: Secs,
    delayed: Option<(Secs, Secs)>,
) -> (Vec<crate::trace::Header>, String) {
    dsn::write(&Report {
        style: spec(server.settings.flavour).dsn,
        host: &server.hostname,
        // Postfix's default `myorigin` is `$myhostname` (a real Postfix 3.7 writes MAILER-DAEMON@ its name).
        origin: &server.hostname,
        queue_id: &job.queue_id,
        report_id,
        sender,
        arrival: DateTime::at(job.arrived),
        now: DateTime::at(t),
        unix_now: EPOCH + i64::from(t),
        original: &sim.rec.messages[job.copy],
        failures,
        delayed,
        local_sender: sender
            .rsplit_once('@')
            .is_some_and(|(_, domain)| server.final_domain(&domain.to_ascii_lowercase()).is_some()),
    })
}

fn keep_report(sim: &mut Sim, at: HostId, sender: &str, headers: Vec<crate::trace::Header>, body: String) -> usize {
    sim.rec.keep(MessageCopy {
        at,
        from: None,
        to: vec![sender.to_string()],
        headers,
        body,
        is_report: true,
        attachment_bytes: 0,
        event: 0,
        added: 0,
    })
}

/// The report queued at the server that wrote it, to travel to the sender with `MAIL FROM:<>`.
fn report_job(msg: usize, at: HostId, queue_id: String, sender: String, t: Secs) -> Effect {
    Effect::Enqueue(Job {
        at,
        copy: msg,
        queue_id,
        arrived: t,
        from: None,
        rcpts: vec![JobRcpt { received_as: sender.clone(), addr: sender, orig: None, pending: true, last: None }],
        attempts: 0,
        warned: true,
        report: true,
        last_reason: None,
        dkim: None,
        header_from_domain: String::new(),
    })
}

/// The explanation key for a failure, from its status code.
pub(crate) fn why_of(f: &Failure) -> Option<Why> {
    if let Some(w) = f.why.filter(|w| !matches!(w, Why::Fine)) {
        return Some(w);
    }
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
