//! A server takes a message: it keeps its own copy, with its `Received:` line on top (RFC 5321 §4.4), and
//! queues it for delivery.

use super::queue::{Effect, Job, JobRcpt};
use super::state::Sim;
use crate::actor::HostId;
use crate::addr::Address;
use crate::message::{received, Stamp};
use crate::time::{DateTime, Secs};
use crate::trace::{EventKind, MessageCopy};
use std::net::Ipv4Addr;

/// What a server notes about its client for the `Received:` line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StampClient<'a> {
    /// The name the client gave in EHLO.
    pub helo: &'a str,
    /// The client's name in reverse DNS, if it has one.
    pub rdns: Option<&'a str>,
    /// The client's address.
    pub ip: Ipv4Addr,
    /// The session used TLS.
    pub tls: bool,
    /// The client logged in.
    pub auth: bool,
}

/// A message a server has just said `250` to, at the end of DATA.
pub(crate) struct Taken<'a> {
    /// The copy it received (an index into the trace's messages).
    pub copy: usize,
    /// The server.
    pub at: HostId,
    /// The queue id it gave.
    pub queue_id: &'a str,
    /// The recipients it took.
    pub rcpts: Vec<JobRcpt>,
    /// Its client, as the `Received:` line names it.
    pub client: StampClient<'a>,
    /// When.
    pub t: Secs,
    /// It is a bounce or a delay warning.
    pub report: bool,
    /// The domain that signed it with DKIM, if any.
    pub dkim: Option<crate::addr::Name>,
    /// The domain of its `From:` header.
    pub header_from_domain: String,
}

/// The server keeps its copy and queues it: the trace gets the `Queued` event and the copy; the effect queues
/// the job (nothing when no recipient was taken).
pub(crate) fn accept(sim: &mut Sim, taken: Taken) -> Option<Effect> {
    let Taken { copy, at, queue_id, rcpts, client: c, t, report, dkim, header_from_domain } = taken;
    if rcpts.is_empty() {
        return None;
    }
    let server = sim.w.server(at).expect("accepting host runs a server").clone();
    let spec = crate::flavours::spec(server.settings.flavour);
    // The server keeps each recipient in its own canonical form (percent hack and bang paths undone).
    let mut rcpts: Vec<JobRcpt> = rcpts
        .into_iter()
        .map(|mut r| {
            r.received_as = r.addr.clone();
            if let Some(c) = Address::parse(&r.addr).ok().and_then(|a| crate::policy::canonical(&a, &server)) {
                r.addr = c;
            }
            r
        })
        .collect();
    // `for <…>` names the recipient when the client gave exactly one (before duplicates are dropped).
    let single = (rcpts.len() == 1).then(|| rcpts[0].addr.clone());
    // A recipient given twice is kept once (Postfix's cleanup drops duplicate recipients).
    let mut seen: Vec<(String, String)> = Vec::new();
    rcpts.retain(|r| {
        let key = (r.received_as.to_ascii_lowercase(), r.addr.to_ascii_lowercase());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    let MessageCopy { from: prev_from, headers: prev_headers, body, attachment_bytes, .. } =
        sim.rec.messages[copy].clone();
    let ip = c.ip.to_string();
    let host_ip = server.ip.to_string();
    let from = prev_from.as_deref().unwrap_or_default();
    let stamp = Stamp {
        helo: c.helo,
        rdns: c.rdns,
        ip: &ip,
        host: &server.hostname,
        host_ip: &host_ip,
        software: spec.software,
        tls: c.tls,
        auth: c.auth,
        id: queue_id,
        rcpt: single.as_deref(),
        from,
        date: DateTime::at(t),
    };
    let mut headers = Vec::with_capacity(prev_headers.len() + 1);
    headers.push(("Received".into(), received(spec.received, &stamp).into()));
    headers.extend(prev_headers);
    let ev = sim.rec.push(t, None, at, EventKind::Queued { queue_id: queue_id.to_string() }, None);
    let new_copy = sim.rec.keep(MessageCopy {
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
    Some(Effect::Enqueue(Job {
        at,
        copy: new_copy,
        queue_id: queue_id.to_string(),
        arrived: t,
        from: prev_from,
        rcpts,
        attempts: 0,
        warned: false,
        report,
        last_reason: None,
        dkim,
        header_from_domain,
    }))
}
