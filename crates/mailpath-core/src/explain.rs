//! Explanations in plain words, and one-click fixes that are checked by running the simulation — never claimed.

use crate::fields::{self, Value};
use crate::named::Named;
use crate::scenario::{Auth, Outgoing, Place, Port, Port25, Role, Scenario, Sender};
use crate::trace::{Decision, Ending, Trace, Why};

/// What a reason means, in a sentence or two.
pub fn why(w: Why) -> &'static str {
    match w {
        Why::FinalDestination => "The recipient's domain is one this server delivers itself, so it takes the message from anyone: that is not relaying.",
        Why::RelayDomain => "The recipient's domain is one this server has agreed to pass on (a backup MX or gateway), so it takes the message from anyone.",
        Why::TrustedNetwork => "The client's address is in the server's trusted networks, so it may send to any domain.",
        Why::Authenticated => "The client logged in with its user name and password (SMTP AUTH), so it may send to any domain.",
        Why::PermitAll => "The server's restriction list ends in `permit`: it takes mail for any domain from anyone. That is an open relay.",
        Why::PopBeforeSmtp => "The same address logged in to the mailbox (POP) a short while ago, which this server accepts instead of an SMTP login.",
        Why::RelayDenied => "The sender has not authenticated, is not in the server's trusted networks, and the recipient is not handled by this server: that makes it a request to relay, and the server refuses.",
        Why::RelayDeferred => "A relay request, refused for now (4xx): a mail program shows an error; a server would keep the message and try again until it gives up.",
        Why::SenderRouting => "The address hides another destination in its local part (user%domain, domain!user, a source route): servers never treat that as their own mail, to stop relay tricks.",
        Why::SubmissionNeedsAuth => "The submission service (port 587/465) takes mail only from users who have logged in. Without a login every recipient is refused — \"Access denied\", not \"Relay access denied\".",
        Why::UserUnknown => "The right server for the domain, but no mailbox of that name. This is not a relay problem: check the spelling of the address.",
        Why::Greylisted => "The server defers the first attempt from an unknown sender on purpose. Real mail servers try again a few minutes later and get through; many spam tools never do.",
        Why::Blocklisted => "The client's address is on a public blocklist (DNSBL), usually after spam was sent from it — for example through an open relay. Even mail for the server's own users is refused.",
        Why::SpfFail => "The sender's domain publishes which servers may send its mail (SPF), and this client is not one of them: the sender is probably forged.",
        Why::DmarcReject => "The From: line's domain asks receivers to reject mail that neither its SPF nor a DKIM signature vouches for. The refusal comes after the message text, not at RCPT.",
        Why::NullMx => "The recipient's domain publishes a null MX (MX 0 .): it accepts no mail at all (RFC 7505).",
        Why::NoSuchDomain => "The recipient's domain does not exist in DNS: probably a typo in the address.",
        Why::DnsTempFail => "DNS could not answer for now. A server keeps the message and tries again.",
        Why::TooBig => "The message is bigger than the server accepts. Send the attachment another way.",
        Why::TlsRequired => "The server wants an encrypted connection (STARTTLS) before anything else. Turn on TLS/SSL in the mail program.",
        Why::AuthFailed => "The user name or password was not accepted. The session stays unauthenticated.",
        Why::AuthUnavailable => "The server does not offer authentication here — on this port, or not before TLS.",
        Why::AuthRequired => "The server wants a login before MAIL FROM.",
        Why::PortBlocked => "The network you are on drops connections to port 25 outside it, to stop infected computers sending spam. No server ever answered; use port 587 or 465 with a password.",
        Why::Intercepted => "The network silently redirected port 25 to its own relay: the mail program thinks it talks to its provider.",
        Why::ConnectionRefused => "Nothing answered on that port: the server is down or does not run that service.",
        Why::TimedOut => "No answer in time: for example port 465 expects TLS from the first byte and the mail program spoke plain text.",
        Why::MailLoop => "The server found itself as the best mail server for the domain it was asked to pass mail to: the mail would loop back to it.",
        Why::Expired => "The server kept trying for as long as its queue lifetime allows, then gave up and returned the message.",
        Why::Fine => "Every server along the way accepted the message.",
        Why::BadSequence => "A command came out of order.",
        Why::MailboxFull => "The recipient's mailbox is over its size limit (quota). This is not a relay problem: the right server refused, for now or for good.",
        Why::TempFail => "A temporary refusal (4xx): the server cannot take the message now. A sending server keeps it and tries again.",
        Why::AddressLiteral => "The address names a server by its IP address in brackets (user@[192.0.2.1]) instead of a domain. Exim refuses that form unless its allow_domain_literals option is on: write the domain name.",
    }
}

/// How to tell a rejection from "relaying denied" (for the ones people confuse with it).
pub fn how_to_tell(w: Why) -> Option<&'static str> {
    Some(match w {
        Why::UserUnknown => "The domain is accepted; only the mailbox name is wrong (status 5.1.1, \"User unknown\").",
        Why::Greylisted => "A 4xx code and the word \"Greylisted\": it is temporary and goes away on retry.",
        Why::Blocklisted => "The text names a blocklist; it happens even for mail to the server's own domain.",
        Why::SpfFail => "It depends on the sender's domain and the client's address, not on the recipient (5.7.23).",
        Why::DmarcReject => "It comes after the message text (end of DATA), not at RCPT TO.",
        Why::NullMx | Why::NoSuchDomain => "It is about the recipient's domain itself, whoever sends.",
        Why::TooBig => "It is about size (5.3.4), at MAIL FROM or after the text.",
        Why::TlsRequired | Why::AuthFailed | Why::AuthRequired | Why::AuthUnavailable => "It happens before or instead of RCPT TO.",
        Why::SubmissionNeedsAuth => "\"Access denied\" on the submission port means \"log in first\"; the cure is the same as for relaying denied.",
        Why::PortBlocked | Why::ConnectionRefused | Why::TimedOut => "There is no SMTP reply at all: it is a network problem.",
        Why::MailboxFull => "It is about the mailbox's size (5.2.2 or 4.2.2, \"quota\"), at the right server.",
        Why::TempFail => "A 4xx code: it is temporary, and a sending server retries on its own.",
        Why::AddressLiteral => "A 501 syntax reply naming the address, at MAIL FROM or RCPT TO: the form of the address is refused, whoever sends.",
        _ => return None,
    })
}

/// The decision at RCPT in words, with the article's checklist.
pub fn decision(d: &Decision, server: &str) -> String {
    let f = &d.facts;
    let yn = |b: bool| if b { "yes" } else { "no" };
    let mut s = format!(
        "{server} checked {}: authenticated? {} · trusted network? {} · recipient domain handled here? {}",
        d.rcpt,
        yn(f.authenticated),
        yn(f.trusted),
        yn(f.domain_handled())
    );
    if let Some(p) = f.pop_fresh {
        s.push_str(&format!(" · recent POP login? {}", yn(p)));
    }
    s.push_str(&format!(" → {} by {}.", d.verdict.label().to_ascii_lowercase(), d.rule));
    s
}

/// The article's rule of thumb: when a server relays, and when a request is one to relay.
pub const RULE_OF_THUMB: &str = "A server relays only when the sender has authenticated (or is in its trusted \
     networks) or the recipient is handled by that server. Neither? It is a relay request, and it is refused.";

/// The heading over a decision's list of checks: in the server's own terms, or Postfix's equivalent of them.
pub fn checks_heading(d: &Decision) -> &'static str {
    if d.checks_translated {
        "What it checked, in Postfix's terms (this server's own rules do the same)"
    } else {
        "What it checked, line by line of main.cf"
    }
}

/// The fact each check of the decision at event `event` looked at, in the server's own terms, one per check
/// (`203.0.113.77 is not in mynetworks (127.0.0.0/8)`); empty when that event is not a decision.
pub fn check_facts(s: &Scenario, t: &Trace, event: usize) -> Vec<String> {
    let Some(e) = t.events.get(event) else { return Vec::new() };
    let crate::trace::EventKind::Decision(d) = &e.kind else { return Vec::new() };
    let w = crate::world::World::build(s);
    let Some(server) = w.server(e.actor) else { return Vec::new() };
    let Ok(rcpt) = crate::addr::Address::parse_as_server(&d.rcpt) else { return Vec::new() };
    let r = crate::policy::resolve(&rcpt, server);
    d.checks
        .iter()
        .map(|c| crate::policy::fact(server, &w.zone, c.restriction, c.result, &d.facts, &r, d.client))
        .collect()
}

/// The rule of thumb, for a run it helps to understand: where relaying is what decided it (or would have). A port
/// block, greylisting, an unknown user or a missing domain is not about relaying, and the rule would mislead.
pub fn rule_of_thumb(t: &Trace) -> Option<&'static str> {
    let about_something_else = |w: Why| {
        matches!(
            w,
            Why::UserUnknown
                | Why::Greylisted
                | Why::Blocklisted
                | Why::SpfFail
                | Why::DmarcReject
                | Why::NullMx
                | Why::NoSuchDomain
                | Why::DnsTempFail
                | Why::TooBig
                | Why::PortBlocked
                | Why::ConnectionRefused
                | Why::TimedOut
                | Why::MailLoop
                | Why::BadSequence
        )
    };
    let elsewhere = about_something_else(t.outcome.why)
        || t.events.iter().any(|e| match &e.kind {
            crate::trace::EventKind::Decision(d) => about_something_else(d.why),
            _ => e.why.is_some_and(about_something_else),
        });
    (!elsewhere).then_some(RULE_OF_THUMB)
}

/// The outcome's headline: the badge, then the summary, without saying the badge's word twice (`✗ Refused by
/// mx1…`, not `✗ Refused: Refused by mx1…`).
pub fn headline(t: &Trace) -> String {
    let o = &t.outcome;
    let label = o.ending.label();
    match o.summary.strip_prefix(label) {
        Some(rest) if rest.starts_with([' ', ':', ',']) => format!("{} {}", o.ending.symbol(), o.summary),
        _ => format!("{}: {}", o.ending.badge(), o.summary),
    }
}

/// Where, in the text of the report `message` (as [`crate::trace::MessageCopy::text`] writes it), the refusing
/// server's own words are: a byte range from the start of the line they begin on to their last word, line breaks
/// and indentation inside allowed, for a reader to mark. `None` for a message that is not a bounce, or words that
/// are not in it.
pub fn bounce_key(t: &Trace, message: usize, text: &str) -> Option<(usize, usize)> {
    let reason = t.events.iter().find_map(|e| match &e.kind {
        crate::trace::EventKind::Bounced { message: m, reason, .. } if *m == message => Some(reason.as_str()),
        _ => None,
    })?;
    // `host … said: <reply> (in reply to … command)`: the reply is the server's words; a local reason is the
    // reporting server's own.
    let words = match reason.split_once(" said: ") {
        Some((_, said)) => said.rsplit_once(" (in reply to ").map_or(said, |(w, _)| w),
        None => reason,
    };
    // A local reason may be written with less in front (`gave up after 5 d: connect to …`): the longest tail
    // after a `: ` that is in the text.
    let mut tail = words;
    let (start, end) = loop {
        if let Some(found) = find_words(text, tail) {
            break found;
        }
        tail = tail.split_once(": ")?.1;
    };
    let line = text[..start].rfind('\n').map_or(0, |i| i + 1);
    Some((line, end))
}

/// The first place `words` occur in `text`, whitespace between them matching any run of whitespace.
fn find_words(text: &str, words: &str) -> Option<(usize, usize)> {
    let want: Vec<&str> = words.split_whitespace().collect();
    let first = *want.first()?;
    let mut from = 0;
    while let Some(i) = text[from..].find(first) {
        let start = from + i;
        let mut at = start;
        let mut ok = true;
        for (k, w) in want.iter().enumerate() {
            if k > 0 {
                let rest = &text[at..];
                let trimmed = rest.trim_start();
                if trimmed.len() == rest.len() {
                    ok = false;
                    break;
                }
                at += rest.len() - trimmed.len();
            }
            if text[at..].starts_with(w) {
                at += w.len();
            } else {
                ok = false;
                break;
            }
        }
        if ok {
            return Some((start, at));
        }
        from = start + first.len();
    }
    None
}

/// Who tells the sender, and how.
pub fn who_tells(t: &Trace, s: &Scenario) -> &'static str {
    match t.outcome.ending {
        Ending::Refused if s.sender == Sender::Alice => "The refusal came during the conversation with your mail program: it shows an error straight away, and no bounce is sent.",
        Ending::Refused => "The refusal came during the conversation: the spammer's tool just sees the reply. No bounce is sent.",
        Ending::NoConnection => "No server was reached, so nobody sends anything: the mail program reports that it could not connect.",
        Ending::Bounced | Ending::Partial => "A server had already said 250 to the message, so that server owns it: it writes a bounce (a delivery status notification) that travels back to the sender.",
        Ending::Delivered => "Nobody needs to tell the sender anything: the message arrived.",
        Ending::Probed => "The tester only asks at RCPT TO and never sends a message.",
    }
}

/// A change that turns this scenario's outcome around, checked by simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What to do, for a button.
    pub label: String,
    /// The settings it changes.
    pub edits: Vec<(String, Value)>,
    /// The outcome after the change.
    pub ending: Ending,
}

/// Applies `fix` to `s`.
pub fn apply(s: &Scenario, fix: &Fix) -> Scenario {
    let mut t = s.clone();
    for (k, v) in &fix.edits {
        let _ = fields::set(&mut t, k, v);
    }
    t
}

fn candidates(s: &Scenario, t: &Trace) -> Vec<(String, Vec<(&'static str, Value)>)> {
    let rd = s.names.recipient.domain.as_str();
    let on = Value::Bool(true);
    let off = Value::Bool(false);
    let text = |x: &str| Value::Text(x.to_string());
    let mut c: Vec<(String, Vec<(&'static str, Value)>)> = Vec::new();
    if s.sender != Sender::Alice {
        // For a spammer the happy ending is a refusal: the fixes are the administrator's.
        c.push((
            "Close the open relay: trust only the server's own network".into(),
            vec![("provider.trust", text("network"))],
        ));
        c.push(("Check the recipient list on the backup MX".into(), vec![("middle.recipient_list", on.clone())]));
        return c;
    }
    let why = t.outcome.why;
    if s.client.auth != Auth::Right {
        c.push(("Turn on authentication with the right password".into(), vec![("client.auth", text("right"))]));
    }
    if s.client.port == Port::P25 || s.network.port25 == Port25::Blocked {
        c.push((
            "Use port 587 with TLS and your password".into(),
            vec![
                ("client.port", text("587")),
                ("client.tls", on.clone()),
                ("client.auth", text("right")),
                ("client.server", text("provider")),
            ],
        ));
    }
    if !s.client.tls {
        c.push(("Turn on TLS (STARTTLS)".into(), vec![("client.tls", on.clone())]));
    }
    if s.network.place != Place::Home {
        c.push(("Send from home (the provider's network)".into(), vec![("network.place", text("home"))]));
    }
    if s.client.server != Outgoing::Provider {
        c.push(("Use your provider's outgoing server".into(), vec![("client.server", text("provider"))]));
    }
    if s.provider.pop_before_smtp && !s.client.pop_before_smtp {
        c.push(("Log on to the incoming server before sending".into(), vec![("client.pop_before_smtp", on.clone())]));
    }
    if s.client.pop_before_smtp {
        c.push(("Check mail again just before sending".into(), vec![("client.pop_age", text("1m"))]));
    }
    if !s.recipient.handles_domain {
        c.push((
            format!("Fix the recipient's server: list {rd} as its own domain"),
            vec![("recipient.handles_domain", on.clone())],
        ));
    }
    if s.middle.role != Role::None && !s.middle.server.handles_domain {
        let label = match s.middle.role {
            Role::Backup => format!("Add {rd} to the backup's relay domains"),
            _ => "Let the smarthost trust the provider's address".into(),
        };
        c.push((label, vec![("middle.handles_domain", on.clone())]));
    }
    if s.provider.blocklisted {
        c.push(("Get the provider's address off the blocklist".into(), vec![("provider.blocklisted", off.clone())]));
    }
    if s.message.attachment_kb > 0 {
        c.push(("Send it without the big attachment".into(), vec![("message.attachment_kb", Value::Num(0))]));
    }
    if matches!(why, Why::UserUnknown | Why::NullMx | Why::NoSuchDomain)
        || s.message.to.iter().any(|r| !r.to_ascii_lowercase().ends_with(&format!("@{}", rd.to_ascii_lowercase())))
    {
        let bob = format!("bob@{rd}");
        c.push((format!("Send to an address that exists: {bob}"), vec![("message.to", text(&bob))]));
    }
    if s.recipient.down.length > 0 || s.dns.outage.length > 0 {
        c.push((
            "Try again when the servers are back".into(),
            vec![("recipient.down.for", text("0")), ("dns.outage.for", text("0"))],
        ));
    }
    c
}

/// Up to three verified fixes for a scenario whose outcome is not what its sender wanted.
pub fn fixes(s: &Scenario, t: &Trace) -> Vec<Fix> {
    let goal = |e: Ending| match s.sender {
        Sender::Alice => e == Ending::Delivered,
        _ => e == Ending::Refused || e == Ending::Probed,
    };
    let wanted_now = match s.sender {
        Sender::Alice => goal(t.outcome.ending),
        Sender::Mallory => t.outcome.ending == Ending::Refused,
        Sender::Tester => t.outcome.why != Why::TrustedNetwork,
    };
    if wanted_now {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (label, edits) in candidates(s, t) {
        let fix =
            Fix { label, edits: edits.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), ending: Ending::Refused };
        let changed = apply(s, &fix);
        if changed == *s {
            continue;
        }
        let after = crate::run(&changed);
        let works = match s.sender {
            Sender::Tester => after.outcome.why != Why::TrustedNetwork,
            _ => goal(after.outcome.ending),
        };
        if works {
            out.push(Fix { ending: after.outcome.ending, ..fix });
            if out.len() == 3 {
                break;
            }
        }
    }
    out
}

/// A one-paragraph account of the outcome for people.
pub fn story(s: &Scenario, t: &Trace) -> String {
    let mut out = format!("{} {}", t.outcome.summary, why(t.outcome.why));
    if let Some(tell) = how_to_tell(t.outcome.why) {
        out.push(' ');
        out.push_str(tell);
    }
    if t.outcome.ending != Ending::Delivered {
        out.push(' ');
        out.push_str(who_tells(t, s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    #[test]
    fn fixes_are_verified_by_running_them() {
        let s = presets::get("outlook-express").unwrap().scenario();
        let t = crate::run(&s);
        let f = fixes(&s, &t);
        assert!(!f.is_empty());
        assert_eq!(f[0].label, "Turn on authentication with the right password");
        for fix in &f {
            assert_eq!(crate::run(&apply(&s, fix)).outcome.ending, Ending::Delivered, "{}", fix.label);
        }
    }

    #[test]
    fn the_misconfigured_recipient_is_fixed_on_its_server() {
        let s = presets::get("recipient-misconfigured").unwrap().scenario();
        let f = fixes(&s, &crate::run(&s));
        assert!(f.iter().any(|x| x.label.starts_with("Fix the recipient's server")), "{f:?}");
        assert!(!f.iter().any(|x| x.label.contains("authentication")), "a login would not help: {f:?}");
    }

    #[test]
    fn an_open_relay_is_fixed_by_closing_it() {
        let s = presets::get("open-relay-abused").unwrap().scenario();
        let f = fixes(&s, &crate::run(&s));
        assert_eq!(f[0].label, "Close the open relay: trust only the server's own network");
        assert_eq!(f[0].ending, Ending::Refused);
    }

    #[test]
    fn happy_paths_need_no_fix() {
        for slug in ["happy-path", "hotel-fixed-587", "pop-before-smtp"] {
            let s = presets::get(slug).unwrap().scenario();
            let t = crate::run(&s);
            assert_eq!(t.outcome.ending, Ending::Delivered, "{slug}");
            assert!(fixes(&s, &t).is_empty(), "{slug}");
        }
    }
}
