//! The overall outcome of a run, from what became of each recipient.

use crate::actor::HostId;
use crate::named::Named;
use crate::record::Recorder;
use crate::scenario::{Scenario, Sender};
use crate::trace::{Ending, EventKind, Outcome, RecipientFate, Why};

/// Sums up the fates into one outcome: the decisive event, who decided, and a line for people.
pub fn summarise(s: &Scenario, rec: &Recorder, fates: &[RecipientFate]) -> Outcome {
    if s.sender == Sender::Tester {
        let (event, verdict) = rec
            .events
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, e)| match &e.kind {
                EventKind::TesterVerdict(v) => Some((i, v.clone())),
                _ => None,
            })
            .unwrap_or((rec.events.len().saturating_sub(1), "The tester could not connect".into()));
        let by = fates.first().map_or(HostId::Provider, |f| f.by);
        let (accepted, relayed) = relay_test_counts(rec);
        let why = if relayed > 0 { Why::TrustedNetwork } else { Why::RelayDenied };
        let summary = if accepted > relayed {
            format!(
                "{verdict} — but {} of the accepted forms stay on this server (Postfix reads them as its own \
                 MAILER-DAEMON), so {}",
                accepted - relayed,
                if relayed == 0 {
                    "it is a false alarm: nothing would be relayed".to_string()
                } else {
                    format!("only {relayed} would really be relayed")
                }
            )
        } else {
            verdict
        };
        return Outcome { ending: Ending::Probed, event, by, reply: None, why, summary };
    }
    let all = |e: Ending| !fates.is_empty() && fates.iter().all(|f| f.ending == e);
    let ending = if fates.is_empty() {
        Ending::Refused
    } else if all(Ending::Delivered) {
        Ending::Delivered
    } else if all(Ending::NoConnection) {
        Ending::NoConnection
    } else if all(Ending::Refused) {
        Ending::Refused
    } else if all(Ending::Bounced) {
        Ending::Bounced
    } else {
        Ending::Partial
    };
    let decisive = match ending {
        Ending::Delivered => fates.iter().max_by_key(|f| f.event),
        _ => fates.iter().filter(|f| f.ending != Ending::Delivered).min_by_key(|f| f.event),
    };
    let Some(f) = decisive else {
        return Outcome {
            ending,
            event: 0,
            by: HostId::Alice,
            reply: None,
            why: Why::Fine,
            summary: "Nothing was sent.".into(),
        };
    };
    let why = why_at(rec, f.event).unwrap_or(match ending {
        Ending::Delivered => Why::Fine,
        Ending::NoConnection => Why::ConnectionRefused,
        _ => Why::RelayDenied,
    });
    let name = |h: HostId| crate::world::host(h, s).name;
    let reply = f.reply.as_ref().map(|r| r.first_line().trim_end_matches('.').to_string());
    let summary = match ending {
        Ending::Delivered if fates.len() == 1 => format!("Delivered to {} at {}.", f.rcpt, name(f.by)),
        Ending::Delivered => format!("Delivered to all {} recipients.", fates.len()),
        Ending::NoConnection => "The mail program could not connect to its outgoing server.".into(),
        Ending::Refused => format!(
            "Refused by {} during the conversation{}.",
            name(f.by),
            reply.map_or(String::new(), |r| format!(": {r}"))
        ),
        Ending::Bounced => format!(
            "Accepted, then returned: {} wrote a bounce{}.",
            name(f.by),
            reply.map_or(String::new(), |r| format!(" ({r})"))
        ),
        Ending::Partial => {
            let ok = fates.iter().filter(|f| f.ending == Ending::Delivered).count();
            format!("{ok} of {} recipients got it; {} {}.", fates.len(), f.rcpt, f.ending.label().to_ascii_lowercase())
        }
        Ending::Probed => String::new(),
    };
    Outcome { ending, event: f.event, by: f.by, reply: f.reply.clone(), why, summary }
}

/// In a relay test: how many recipients were accepted, and how many of those would really leave the server.
pub fn relay_test_counts(rec: &Recorder) -> (usize, usize) {
    let accepted: Vec<_> = rec
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Decision(d) if d.verdict == crate::trace::Verdict::Accept => Some(d.facts),
            _ => None,
        })
        .collect();
    (accepted.len(), accepted.iter().filter(|f| !f.final_domain && !f.relay_domain).count())
}

fn why_at(rec: &Recorder, event: usize) -> Option<Why> {
    let e = rec.events.get(event)?;
    if let EventKind::Decision(d) = &e.kind {
        return Some(d.why);
    }
    e.why.or_else(|| {
        // A reply right after a decision carries the decision's reason; a mail program's error dialog right
        // after a failed connection carries the failure's (a port the network blocks is not a server that is
        // down).
        event.checked_sub(1).and_then(|p| match &rec.events[p].kind {
            EventKind::Decision(d) => Some(d.why),
            EventKind::ConnectFailed { .. } if matches!(e.kind, EventKind::ErrorDialog { .. }) => rec.events[p].why,
            _ => None,
        })
    })
}
