//! The trace as text and Markdown, for the command line, exports and article authors.

use crate::named::Named;
use crate::scenario::Scenario;
use crate::time::offset;
use crate::trace::{EventKind, Trace};
use crate::world::host;

/// One line per event, grouped by connection, with the clock.
pub fn text(s: &Scenario, trace: &Trace) -> String {
    let mut out = format!("{}\n{}\n\n", s.title, "=".repeat(s.title.chars().count()));
    let name = |h| host(h, s).name;
    let mut current_hop = None;
    for (i, e) in trace.events.iter().enumerate() {
        if e.hop != current_hop {
            current_hop = e.hop;
            if let Some(h) = e.hop {
                let hop = &trace.hops[h];
                out.push_str(&format!(
                    "\n[{}] {} → {} port {} ({})\n",
                    offset(e.t),
                    name(hop.from),
                    name(hop.to),
                    hop.port,
                    hop.purpose.label()
                ));
            }
        }
        // A connection is the hop's heading above; its end needs no line.
        let line = if matches!(e.kind, EventKind::Connect { .. } | EventKind::Closed) {
            String::new()
        } else {
            describe_noted(s, trace, i)
        };
        if !line.is_empty() {
            let stamp = if e.hop.is_none() { format!("[{}] ", offset(e.t)) } else { String::from("  ") };
            out.push_str(&format!("{stamp}{line}\n"));
        }
    }
    if let Some(m) = final_copy(trace) {
        out.push_str(&format!("\nMessage headers at {}:\n", host(m.at, s).name));
        for (n, v) in &m.headers {
            out.push_str(&format!("  {n}: {}\n", v.replace("\n\t", "\n      ")));
        }
    }
    out.push_str(&format!("\nOutcome: {} — {}\n", trace.outcome.ending.label(), trace.outcome.summary));
    out.push_str(&format!("Why: {}\n", crate::explain::why(trace.outcome.why)));
    for fix in crate::explain::fixes(s, trace) {
        out.push_str(&format!("Fix: {} (then: {})\n", fix.label, fix.ending.label().to_ascii_lowercase()));
    }
    out
}

/// The copy of the message a reader would look at: the last one delivered into a mailbox, or the last one made.
pub fn final_copy(trace: &Trace) -> Option<&crate::trace::MessageCopy> {
    trace
        .messages
        .iter()
        .rev()
        .find(|m| !m.is_report && m.header("Return-Path").is_some())
        .or_else(|| trace.messages.iter().rev().find(|m| !m.is_report))
}

/// Markdown for an article: a heading per connection, transcripts in code blocks, decisions as quotes.
pub fn markdown(s: &Scenario, trace: &Trace) -> String {
    let name = |h| host(h, s).name;
    let mut out = format!("# {}\n\n", s.title);
    out.push_str(&format!("**Outcome:** {} — {}\n\n", trace.outcome.ending.label(), trace.outcome.summary));
    for (h, hop) in trace.hops.iter().enumerate() {
        out.push_str(&format!(
            "## {}. {} → {} (port {}, {})\n\n",
            h + 1,
            name(hop.from),
            name(hop.to),
            hop.port,
            hop.purpose.label().to_ascii_lowercase()
        ));
        out.push_str(&format!("At {} (simulated clock).\n\n```\n", offset(trace.events[hop.first_event].t)));
        for line in trace.transcript(h) {
            out.push_str(&line.render());
            out.push('\n');
        }
        out.push_str("```\n\n");
        for e in trace.events[hop.first_event..=hop.last_event].iter() {
            match &e.kind {
                EventKind::Decision(d) => {
                    out.push_str(&format!("> {}\n\n", crate::explain::decision(d, &name(e.actor))))
                }
                EventKind::ErrorDialog { title, text, .. } => out.push_str(&format!("> **{title}:** {text}\n\n")),
                _ => {}
            }
        }
    }
    let notes: Vec<String> = trace
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.hop.is_none())
        .map(|(i, e)| format!("- `{}` {}", offset(e.t), describe_noted(s, trace, i)))
        .collect();
    if !notes.is_empty() {
        out.push_str("## Between connections\n\n");
        out.push_str(&notes.join("\n"));
        out.push_str("\n\n");
    }
    out.push_str(&format!("## Why\n\n{}\n", crate::explain::story(s, trace)));
    out
}

/// Whether event `i` shows words (a server's reply, a mail program's dialog) whose exact wording has no source
/// yet: the app shows a note beside them, never inside them.
pub fn unconfirmed(trace: &Trace, i: usize) -> bool {
    match trace.events.get(i).map(|e| &e.kind) {
        Some(EventKind::Reply(r)) => r.unconfirmed,
        Some(EventKind::ErrorDialog { confirmed, .. }) => !confirmed,
        _ => false,
    }
}

/// [`describe`] with the note for unconfirmed wording after it, for plain-text outputs (the exported report, the
/// terminal), where the note cannot sit beside the line.
pub fn describe_noted(s: &Scenario, trace: &Trace, i: usize) -> String {
    let text = describe(s, trace, i);
    match trace.events.get(i).map(|e| &e.kind) {
        Some(EventKind::Reply(_)) if unconfirmed(trace, i) => format!("{text}   (wording unconfirmed)"),
        Some(EventKind::ErrorDialog { .. }) if unconfirmed(trace, i) => format!("{text} (wording unconfirmed)"),
        _ => text,
    }
}

/// One event in words: only the words themselves (see [`unconfirmed`] for their provenance).
pub fn describe(s: &Scenario, trace: &Trace, i: usize) -> String {
    let e = &trace.events[i];
    let name = |h| host(h, s).name;
    match &e.kind {
        EventKind::Connect { from, to, port, .. } => format!("{} connects to {} port {port}", name(*from), name(*to)),
        EventKind::Redirected { to } => format!("(the network redirects the connection to {})", name(*to)),
        EventKind::ConnectFailed { text, .. } => format!("(no connection: {text})"),
        EventKind::Tls => "(TLS handshake)".into(),
        EventKind::Command(c) => format!("C: {c}"),
        EventKind::ClientLine(c) => format!("C: {c}"),
        EventKind::MessageText { lines, bytes } => format!("C: ({lines} lines, {bytes} bytes of message)\n  C: ."),
        EventKind::Reply(r) => r.wire_lines().map(|l| format!("S: {l}")).collect::<Vec<_>>().join("\n  "),
        EventKind::ServerLine(l) => format!("S: {l}"),
        EventKind::Decision(d) => format!(
            "   ⟶ {} {}: {} (authenticated: {}, trusted network: {}, domain handled here: {})",
            d.verdict.label(),
            d.rcpt,
            d.rule,
            yes(d.facts.authenticated),
            yes(d.facts.trusted),
            yes(d.facts.domain_handled())
        ),
        EventKind::DnsQuery { name: n, rtype } => format!("{} asks DNS: {rtype} {n}?", name(e.actor)),
        EventKind::DnsAnswer { name: n, answer } => format!("DNS answers for {n}: {}", answer.join(", ")),
        EventKind::Queued { queue_id } => format!("{} queues the message as {queue_id}", name(e.actor)),
        EventKind::Deferred { reason, .. } => format!("{} keeps the message: {reason}", name(e.actor)),
        EventKind::RetryFailed { attempt, reason } => {
            format!("{} retry #{attempt} failed the same way: {reason}", name(e.actor))
        }
        EventKind::NextMx { reason } => format!("{} tries the next MX ({reason})", name(e.actor)),
        EventKind::Delivered { rcpt } => format!("{} delivers into the mailbox of {rcpt}", name(e.actor)),
        EventKind::Bounced { reason, .. } => format!("{} returns the message to its sender: {reason}", name(e.actor)),
        EventKind::DelayWarning { .. } => format!("{} warns the sender that the message is delayed", name(e.actor)),
        EventKind::BounceDropped { reason } => format!("{} drops the bounce: {reason}", name(e.actor)),
        EventKind::ErrorDialog { title, text, .. } => format!("[{title}] {text}"),
        EventKind::TesterVerdict(v) => format!("Relay tester: {v}"),
        EventKind::Fetched { count } => format!(
            "{} fetches {}",
            name(e.actor),
            match count {
                0 => "no new messages".to_string(),
                1 => "1 message".to_string(),
                n => format!("{n} messages"),
            }
        ),
        EventKind::Closed => "(connection closed)".into(),
    }
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
