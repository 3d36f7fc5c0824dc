//! Reading a bounce someone pasted — a whole bounce message, its human-readable part, a mail program's error
//! dialog, a server's reply line, or the `Received:` fields of a message that arrived — the way a postmaster
//! would: who wrote it, which server refused, at which command, with which codes, what kind of problem it is and
//! how sure the reading is; then the scenario that shows it, with the bounce's names.
//!
//! MIME structure and transfer encodings are read by `mail-parser`; the RFC 3464 fields and each software's
//! plain-text format are read here. The class of problem is a [`Why`], the key the simulation explains with, so
//! a pasted and a simulated bounce explain alike. A paste is untrusted: [`read`] refuses more than
//! [`MAX_BYTES`], never panics, and takes time linear in the paste's size.

mod classify;
mod formats;
mod received;
mod text;

use crate::fields::{self, Value};
use crate::named::Named;
use crate::named_enum;
use crate::reply::Status;
use crate::scenario::{Flavour, Scenario};
use crate::trace::Why;

pub use text::locate;

/// The largest paste read (1 MB).
pub const MAX_BYTES: usize = 1 << 20;

/// A byte range in the pasted text.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// One thing read: its value, and where in the paste it came from (`None` when it was decoded from base64 or
/// quoted-printable, or joined from pieces, and is not in the paste as such).
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The value.
    pub value: String,
    /// Where it is.
    pub at: Option<Span>,
}

named_enum! {
    /// What was pasted.
    pub enum Kind {
        /// A delivery report with RFC 3464 fields.
        Report = "report" / "A delivery report (RFC 3464)",
        /// A bounce in plain text.
        Notice = "notice" / "A bounce in plain text",
        /// A mail program's error dialog.
        Dialog = "dialog" / "A mail program's error dialog",
        /// One server reply.
        Reply = "reply" / "A server's reply",
        /// The `Received:` fields of a message that arrived.
        Received = "received" / "The Received: lines of a message that arrived",
    }
}

named_enum! {
    /// Who wrote the bounce (or the dialog).
    pub enum Software {
        /// Postfix.
        Postfix = "postfix" / "Postfix",
        /// Sendmail.
        Sendmail = "sendmail" / "Sendmail",
        /// Exim.
        Exim = "exim" / "Exim",
        /// Microsoft Exchange or Microsoft 365.
        Exchange = "exchange" / "Exchange / Microsoft 365",
        /// Gmail.
        Gmail = "gmail" / "Gmail",
        /// qmail (QSBMF, not RFC 3464).
        Qmail = "qmail" / "qmail",
        /// OpenSMTPD.
        OpenSmtpd = "opensmtpd" / "OpenSMTPD",
        /// Stalwart.
        Stalwart = "stalwart" / "Stalwart",
        /// A standard report whose software does not say who it is.
        Rfc3464 = "rfc3464" / "A standard delivery report (RFC 3464)",
        /// Outlook Express's dialog.
        OutlookExpress = "outlook-express" / "Outlook Express",
        /// Thunderbird's dialog.
        Thunderbird = "thunderbird" / "Thunderbird",
    }
}

named_enum! {
    /// How sure a reading is.
    pub enum Certainty {
        /// The exact wording of known software, or words and status code that agree.
        Sure = "sure" / "Sure",
        /// Words known to mean this, or the status code alone.
        Likely = "likely" / "Likely",
        /// Only the reply code's first digit.
        Guess = "guess" / "A guess",
    }
}

named_enum! {
    /// Which of relaying's three cases a relay refusal is.
    pub enum RelayCase {
        /// Your own outgoing server refused your mail program: it wants you to log in.
        NeedsLogin = "needs-login" / "Your own server wants you to log in",
        /// A server refused a stranger mail for a domain it does not handle.
        NotHandled = "not-handled" / "Not a domain this server handles",
        /// A server passed the mail on and the next one refused: the receiving server (or a backup MX) does not
        /// know it handles the domain.
        Misconfigured = "misconfigured" / "The receiving server or a backup MX is misconfigured",
    }
}

/// One `Received:` field: who handed the message to whom.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The name the sending side gave (or its reverse name).
    pub from: Option<Item>,
    /// The sending side's address.
    pub from_ip: Option<Item>,
    /// The server that received.
    pub by: Option<Item>,
    /// Its software, where it says (`Postfix`).
    pub software: Option<String>,
    /// The protocol (`ESMTPSA`).
    pub with: Option<String>,
    /// Encrypted.
    pub tls: bool,
    /// The sending side had logged in.
    pub auth: bool,
    /// When.
    pub date: Option<Item>,
}

/// What a paste says.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// What was pasted.
    pub kind: Kind,
    /// Who wrote it.
    pub software: Option<Software>,
    /// The sentence that tells who wrote it.
    pub software_at: Option<Span>,
    /// The refusing server's software, known from its exact words.
    pub refusing_software: Option<Flavour>,
    /// The server that wrote the bounce.
    pub reporting: Option<Item>,
    /// The server that refused.
    pub remote: Option<Item>,
    /// Its address.
    pub remote_ip: Option<Item>,
    /// The command it refused (`RCPT TO`, `end of DATA`, `connect`).
    pub command: Option<Item>,
    /// The reply code.
    pub code: Option<Item>,
    /// The enhanced status code.
    pub status: Option<Item>,
    /// The refusing server's words (or the sending server's own, for a failed connection).
    pub diagnostic: Option<Item>,
    /// The recipient that failed.
    pub recipient: Option<Item>,
    /// The sender the bounce goes back to.
    pub sender: Option<Item>,
    /// When.
    pub date: Option<Item>,
    /// The class of problem; `None` when the reading cannot tell.
    pub class: Option<Why>,
    /// For a bounce after retries ran out ([`Why::Expired`]): the last failure's class.
    pub last_failure: Option<Why>,
    /// Only a warning: the sending server is still trying.
    pub warning: bool,
    /// For a relay refusal: which case.
    pub relay: Option<RelayCase>,
    /// How sure.
    pub certainty: Certainty,
    /// What the reading could not tell.
    pub unknown: Vec<&'static str>,
    /// For `Received:` fields: the hops, earliest first.
    pub hops: Vec<Hop>,
}

/// Why a paste could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Nothing pasted.
    Empty,
    /// Over [`MAX_BYTES`].
    TooBig(usize),
    /// Not text.
    Binary,
    /// Text, but nothing in it a bounce would say.
    NothingFound,
}

impl core::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Unreadable::Empty => f.write_str("Nothing to read: paste a bounce, an error message or Received: lines."),
            Unreadable::TooBig(n) => write!(
                f,
                "This is {} KB; bounces are far smaller, and only the first {} KB would be read. Paste the bounce's text without the returned attachment.",
                n / 1024,
                MAX_BYTES / 1024
            ),
            Unreadable::Binary => f.write_str("This is not text (it looks like a binary file). Paste the bounce as text, or open the .eml file."),
            Unreadable::NothingFound => f.write_str(
                "I could not read this: it has no server reply (such as \"550 5.7.1 …\"), no delivery report fields and no Received: lines.",
            ),
        }
    }
}

/// The parts of a paste: its header block (if it is a message), the human-readable texts and the delivery-status
/// texts, each with the offset in the paste where its part begins.
#[derive(Default)]
struct Parts {
    headers: Vec<(String, String, usize)>,
    human: Vec<(String, usize)>,
    dsn: Vec<(String, usize)>,
}

/// Whether the paste begins with header fields (after an mbox `From ` line).
fn is_message(raw: &str) -> bool {
    let mut lines = raw.lines().skip_while(|l| l.trim().is_empty()).skip_while(|l| l.starts_with("From "));
    let field = |l: &str| {
        l.split_once(':').is_some_and(|(n, _)| {
            !n.is_empty() && n.len() < 60 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    };
    matches!((lines.next(), lines.next()), (Some(a), Some(b)) if field(a) && (field(b) || b.starts_with([' ', '\t'])))
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn parts(raw: &str) -> Parts {
    use mail_parser::{MimeHeaders, PartType};
    let body = raw.trim_start_matches(|c: char| c.is_whitespace());
    let body = if body.starts_with("From ") { body.split_once('\n').map_or("", |(_, b)| b) } else { body };
    let shift = raw.len() - body.len();
    let mut p = Parts { headers: received::fields(body), ..Parts::default() };
    for h in &mut p.headers {
        h.2 += shift;
    }
    let Some(msg) = mail_parser::MessageParser::default().parse(body.as_bytes()) else { return p };
    let mut html = Vec::new();
    for part in msg.parts.iter() {
        let ct = part.content_type();
        let ty = ct.map(|c| c.ctype().to_ascii_lowercase()).unwrap_or_default();
        let sub = ct.and_then(|c| c.subtype()).map(str::to_ascii_lowercase).unwrap_or_default();
        let at = shift + part.offset_body as usize;
        match &part.body {
            PartType::Text(t) if ty == "message" || sub.ends_with("delivery-status") => p.dsn.push((t.to_string(), at)),
            PartType::Binary(b) | PartType::InlineBinary(b) if ty == "message" && sub.ends_with("delivery-status") => {
                p.dsn.push((String::from_utf8_lossy(b).into_owned(), at))
            }
            PartType::Text(t) if sub != "rfc822-headers" => p.human.push((t.to_string(), at)),
            PartType::Html(h) => html.push((strip_tags(h), at)),
            _ => {}
        }
    }
    if p.human.is_empty() {
        p.human = html;
    }
    p
}

fn header<'a>(p: &'a Parts, name: &str) -> Option<(&'a str, usize)> {
    p.headers.iter().find(|(n, ..)| n.eq_ignore_ascii_case(name)).map(|(_, v, at)| (v.as_str(), *at))
}

/// Reads a paste.
pub fn read(raw: &str) -> Result<Reading, Unreadable> {
    if raw.len() > MAX_BYTES {
        return Err(Unreadable::TooBig(raw.len()));
    }
    if raw.trim().is_empty() {
        return Err(Unreadable::Empty);
    }
    let controls = raw.bytes().filter(|b| *b == 0 || (*b < 32 && !b"\t\n\r\x0c".contains(b))).count();
    if controls * 20 > raw.len().max(1)
        || raw.contains('\u{fffd}') && raw.matches('\u{fffd}').count() * 10 > raw.chars().count()
    {
        return Err(Unreadable::Binary);
    }
    let p = if is_message(raw) { parts(raw) } else { Parts { human: vec![(raw.to_string(), 0)], ..Parts::default() } };
    let human: String = p.human.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>().join("\n\n");
    let human_at = p.human.first().map_or(0, |(_, at)| *at);
    let head_text: String = p.headers.iter().map(|(n, v, _)| format!("{n}: {v}\n")).collect();
    let mut dsn_text: String = p.dsn.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>().join("\n\n");
    let mut dsn_at = p.dsn.first().map_or(0, |(_, at)| *at);
    if dsn_text.is_empty() && formats::has_delivery_status(&human) {
        // A report part pasted as text (or a report without MIME structure).
        dsn_text = human.clone();
        dsn_at = human_at;
    }
    let item = |v: &str, from: usize| text::item(raw, v, from);

    // Who wrote it: its own sentences in the text or the report, else a header field only bounces carry.
    let notice_text = format!("{human}\n{dsn_text}");
    let mark = formats::software(&notice_text)
        .map(|(s, a, b)| (s, &notice_text[a..b]))
        .or_else(|| formats::software_by_header(&head_text).map(|(s, a, b)| (s, &head_text[a..b])));
    let mut software = mark.map(|(s, _)| s);
    let software_at = mark.and_then(|(_, words)| text::locate(raw, words, 0));

    let found = formats::notice(&notice_text, software);
    let groups = formats::delivery_status(&dsn_text);
    let per_message = groups.iter().find(|g| formats::field(g, "Reporting-MTA").is_some());
    let per_rcpt =
        groups.iter().find(|g| formats::field(g, "Final-Recipient").is_some() || formats::field(g, "Action").is_some());
    let dsn = |name: &str| -> Option<(String, usize)> {
        per_rcpt
            .and_then(|g| formats::field(g, name))
            .or_else(|| per_message.and_then(|g| formats::field(g, name)))
            .map(|(v, at)| (v.to_string(), dsn_at + at))
    };
    if software.is_none() && per_rcpt.is_some() {
        software = Some(Software::Rfc3464);
    }
    let reporting = dsn("Reporting-MTA")
        .and_then(|(v, at)| text::host(&v).map(|h| (h, at)))
        .or_else(|| found.reporting.clone().map(|h| (h, human_at)))
        .or_else(|| {
            // The bounce's own Received: line from its software (`by localhost (OpenSMTPD)`), else its From:
            // (`MAILER-DAEMON@host`); Gmail's names only Google's mail domain.
            if software == Some(Software::Gmail) {
                return None;
            }
            let own = software.and_then(|sw| {
                received::hops(raw)
                    .into_iter()
                    .rev()
                    .find(|h| h.software.as_deref().is_some_and(|s| text::has(s, sw.label())))
            });
            if let Some(by) = own.and_then(|h| h.by) {
                return Some((by.value, by.at.map_or(0, |a| a.start)));
            }
            let (from, at) = header(&p, "From")?;
            let i = text::find_ci(from, "mailer-daemon@").or_else(|| text::find_ci(from, "postmaster@"))?;
            let h = from[i..].split('@').nth(1)?.trim_end_matches(['>', ' ']);
            text::host(h).map(|h| (h, at))
        })
        .map(|(h, at)| item(&h, at));

    // The refusal: the report's Diagnostic-Code, else the text's reply, else a local reason.
    let diag = dsn("Diagnostic-Code");
    // The reply, and the words it was read from (continuation lines and all), to find it in the paste.
    let reply = diag
        .as_ref()
        .and_then(|(v, at)| text::reply_at(v).map(|r| (*at, v.trim_start_matches([' ', '\t'])[..r.len].to_string(), r)))
        .or_else(|| found.reply.clone().map(|(i, r)| (human_at + i, notice_text[i..i + r.len].to_string(), r)));
    let (diagnostic, code, mut status, words) = match &reply {
        Some((at, source, r)) => {
            let at = *at;
            (
                Some(Item { value: r.text.clone(), at: text::locate(raw, source, at) }),
                Some(item(&r.code.to_string(), at)),
                r.status.map(|s| item(&s.to_string(), at)),
                r.text.clone(),
            )
        }
        None => {
            let local =
                diag.clone().map(|(v, at)| (at, v)).or_else(|| found.local.clone().map(|(i, t)| (human_at + i, t)));
            let words = local.as_ref().map(|(_, t)| text::squash(t)).unwrap_or_default();
            (local.map(|(at, t)| Item { value: text::squash(&t), at: text::locate(raw, &t, at) }), None, None, words)
        }
    };
    if status.is_none() {
        // qmail's `(#5.1.1)` in a local text, else the report's Status (unless it is the vague x.0.0 and the text
        // has its own).
        // The reply's paragraph too: Postfix joins a multi-line reply's lines (`553-… 553 … (#5.7.1)`).
        let paragraph =
            reply.as_ref().and_then(|(at, ..)| raw.get(*at..)).map(|r| &r[..r.find("\n\n").unwrap_or(r.len())]);
        let from_words = text::qmail_status(&words)
            .or_else(|| found.local.as_ref().and_then(|(_, t)| text::qmail_status(t)))
            .or_else(|| paragraph.and_then(text::qmail_status));
        let dsn_status = dsn("Status").filter(|(v, _)| Status::parse(v).is_some());
        status = match (from_words, dsn_status) {
            (Some(w), Some((v, _))) if v.ends_with(".0.0") => Some(item(&w.to_string(), human_at)),
            (_, Some((v, at))) => Some(item(&v, at)),
            (Some(w), None) => Some(item(&w.to_string(), human_at)),
            (None, None) => None,
        };
    }
    let code_n = code.as_ref().and_then(|c| c.value.parse::<u16>().ok());
    let status_n = status.as_ref().and_then(|s| Status::parse(&s.value));

    let recipient = dsn("Final-Recipient")
        .or_else(|| dsn("Original-Recipient"))
        .and_then(|(v, at)| text::address_in(&v).map(|a| (a, at)))
        .or_else(|| found.recipient.clone().map(|a| (a, human_at)))
        .map(|(a, at)| item(&a, at));
    let mut remote = dsn("Remote-MTA")
        .and_then(|(v, at)| text::host(v.split([' ', '(', '[']).next().unwrap_or("")).map(|h| (h, at)))
        .or_else(|| found.remote.clone().map(|h| (h, human_at)))
        .map(|(h, at)| item(&h, at));
    // The address goes with the name: the text's address only for the server the text names.
    let dsn_ip =
        dsn("Remote-MTA").and_then(|(v, at)| v.split(['[', ']', '(', ')']).find_map(text::ip).map(|a| (a, at)));
    let same_server = remote.as_ref().map(|r| &r.value) == found.remote.as_ref() || remote.is_none();
    let mut remote_ip = dsn_ip
        .or_else(|| found.remote_ip.clone().filter(|_| same_server).map(|a| (a, human_at)))
        .map(|(a, at)| item(&a, at));
    let near = reply.as_ref().map_or(0, |(at, ..)| (*at).min(raw.len()));
    // With pipelining Sendmail's transcript shows `>>> DATA` before the refusal of a recipient; a reply that
    // names the recipient answers its RCPT TO.
    let pipelined = |c: &'static str| match (&reply, &recipient) {
        (Some((_, _, r)), Some(rcpt)) if c == "DATA" && text::has(&r.text, &format!("<{}>", rcpt.value)) => "RCPT TO",
        _ => c,
    };
    let command = found.command.map(|(c, words)| (pipelined(c), words)).map(|(c, words)| {
        // The mention nearest after the reply's start (several recipients, several `>>> RCPT To`).
        let from = if raw.is_char_boundary(near) { near.saturating_sub(400) } else { 0 };
        let from = (0..=from).rev().find(|&i| raw.is_char_boundary(i)).unwrap_or(0);
        let at = text::locate(raw, words, from);
        Item { value: c.to_string(), at }
    });
    let sender = dsn("X-Postfix-Sender")
        .and_then(|(v, at)| text::address_in(&v).map(|a| (a, at)))
        .or_else(|| header(&p, "To").and_then(|(v, at)| text::address_in(v).map(|a| (a, at))))
        .map(|(a, at)| item(&a, at));
    let date = dsn("Last-Attempt-Date")
        .or_else(|| dsn("Arrival-Date"))
        .or_else(|| header(&p, "Date").map(|(v, at)| (v.to_string(), at)))
        .map(|(d, at)| item(&d, at));

    let hops = received::hops(raw);

    let dialog = matches!(software, Some(Software::OutlookExpress | Software::Thunderbird));
    let kind = if dialog {
        Kind::Dialog
    } else if per_rcpt.is_some() {
        Kind::Report
    } else if software.is_some() || (diagnostic.is_some() && found.recipient.is_some()) {
        Kind::Notice
    } else if reply.is_some() {
        Kind::Reply
    } else if !hops.is_empty() {
        Kind::Received
    } else if diagnostic.is_some() {
        Kind::Notice
    } else {
        return Err(Unreadable::NothingFound);
    };

    // The class.
    let action = dsn("Action").map(|(v, _)| v.to_ascii_lowercase());
    let delayed = action.as_deref() == Some("delayed");
    // A warning's own words ("THIS IS A WARNING ONLY") win over "could not be delivered for …".
    let warned = action.is_none() && found.warning;
    let gave_up = !delayed
        && !warned
        && (found.gave_up
            || (action.as_deref() == Some("failed") && status_n.is_some_and(|s| s.class == 4))
            || status_n.is_some_and(|s| s.class == 5 && s.subject == 4 && s.detail == 7));
    let warning = delayed || (found.warning && !gave_up);
    let mut refusal = classify::refusal(&words, code_n, status_n);
    if dialog && code_n.is_none() {
        // The dialog after a failed connection: Windows' socket errors.
        let port25 = text::has(&human, "Port: 25,");
        refusal = if text::has(&human, "Socket Error: 10060") || text::has(&human, "timed out") {
            Some((if port25 { Why::PortBlocked } else { Why::TimedOut }, Certainty::Likely, None))
        } else if text::has(&human, "Socket Error: 10061") || text::has(&human, "refusing SMTP connections") {
            Some((Why::ConnectionRefused, Certainty::Likely, None))
        } else {
            refusal
        };
    }
    let (class, last_failure, certainty, refusing_software) = match (gave_up, refusal) {
        (true, Some((why, c, f))) => (Some(Why::Expired), Some(why).filter(|w| *w != Why::Expired), c, f),
        (true, None) => (Some(Why::Expired), None, Certainty::Likely, None),
        (false, Some((why, c, f))) => (Some(why), None, c, f),
        (false, None) if kind == Kind::Received => (None, None, Certainty::Sure, None),
        (false, None) => (None, None, Certainty::Guess, None),
    };
    // A domain the sending server could not find in DNS was refused by no server: a Remote-MTA field then names
    // the server it meant to reach (or its name server), and the text says no server answered.
    if class == Some(Why::NoSuchDomain) && diag.is_none() && found.remote.is_none() {
        remote = None;
        remote_ip = None;
    }
    let relay_class = class.or(last_failure).filter(|w| matches!(w, Why::RelayDenied | Why::RelayDeferred));
    let relay = relay_class.map(|_| {
        let asks_login =
            ["authentication required", "pop/imap", "not authenticated", "log in"].iter().any(|w| text::has(&words, w));
        match kind {
            Kind::Dialog => RelayCase::NeedsLogin,
            _ if asks_login => RelayCase::NeedsLogin,
            Kind::Report | Kind::Notice => RelayCase::Misconfigured,
            _ => RelayCase::NotHandled,
        }
    });

    let mut unknown = Vec::new();
    if kind != Kind::Received {
        for (missing, what) in [
            (software.is_none(), "which software wrote it"),
            (reporting.is_none() && !dialog && kind != Kind::Reply, "which server wrote the bounce"),
            (remote.is_none() && remote_ip.is_none(), "which server refused"),
            (command.is_none(), "at which command"),
            (code.is_none(), "the reply code"),
            (status.is_none(), "the enhanced status code"),
            (recipient.is_none(), "the recipient"),
            (date.is_none() && kind != Kind::Reply && !dialog, "when"),
            (class.is_none(), "what kind of problem it is"),
        ] {
            if missing {
                unknown.push(what);
            }
        }
    }
    Ok(Reading {
        kind,
        software,
        software_at,
        refusing_software,
        reporting,
        remote,
        remote_ip,
        command,
        code,
        status,
        diagnostic,
        recipient,
        sender,
        date,
        class,
        last_failure,
        warning,
        relay,
        certainty,
        unknown,
        hops: if kind == Kind::Received { hops } else { Vec::new() },
    })
}

/// What to do, in the article's plain words, by the reading's class.
pub fn advice(r: &Reading) -> &'static str {
    match (r.class, r.relay) {
        (Some(Why::RelayDenied | Why::RelayDeferred), Some(RelayCase::NeedsLogin)) => {
            "Turn on \"My server requires authentication\" in your mail program, and send on port 587 with your user name and password. From a hotel or another network, that is the only way your provider's server lets your mail out."
        }
        (Some(Why::RelayDenied | Why::RelayDeferred), Some(RelayCase::Misconfigured)) | (Some(Why::Expired), Some(_)) => {
            "Your own server did its job: the recipient's server (or a backup MX in front of it) refused mail for its own domain. Only the recipient's administrator can fix this — tell the recipient, by phone or another address, and quote this bounce."
        }
        (Some(Why::RelayDenied | Why::RelayDeferred), _) => {
            "This server does not handle the recipient's domain and does not know you. Send through your own provider's server, logged in, and let it find the recipient's server."
        }
        (Some(Why::UserUnknown), _) => "Check the spelling of the address; the domain is right but the mailbox does not exist.",
        (Some(Why::NoSuchDomain | Why::NullMx), _) => "Check the domain after the @: it does not exist, or it accepts no mail at all.",
        (Some(Why::MailboxFull), _) => "The recipient's mailbox is full. Tell them another way, or try again in a few days.",
        (Some(Why::TooBig), _) => "Send the attachment another way (a link to a shared file), or make it smaller.",
        (Some(Why::Greylisted | Why::TempFail | Why::DnsTempFail), _) => {
            "It is temporary: a mail server tries again on its own. Wait and retry in a few hours; if it goes on for days, tell the recipient's administrator."
        }
        (Some(Why::Blocklisted), _) => "Your server's address is on a blocklist. Your provider must get it removed; meanwhile send through another provider.",
        (Some(Why::SpfFail | Why::DmarcReject), _) => "Send through the server your address's domain names for its mail (your own provider, logged in), not another one.",
        (Some(Why::TlsRequired | Why::AuthRequired | Why::AuthFailed | Why::AuthUnavailable | Why::SubmissionNeedsAuth), _) => {
            "Check the outgoing server settings: encryption (STARTTLS or SSL/TLS), port 587 or 465, and your user name and password."
        }
        (Some(Why::PortBlocked | Why::ConnectionRefused | Why::TimedOut), _) => {
            "No server answered: use port 587 (or 465 with SSL/TLS) and check the outgoing server's name. Networks often block port 25."
        }
        (Some(Why::Expired), _) => "Your server kept trying for days and gave up. The recipient's server is down or refuses; tell the recipient another way.",
        (Some(Why::MailLoop), _) => "The recipient's domain points back at the sending server: its administrator must fix the domain's MX records.",
        _ => "Send the bounce to your provider's support; the reply code and the server's words are what they need.",
    }
}

/// The scenario a reading opens: a preset, with the bounce's own names and software written over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    /// The preset's slug.
    pub preset: &'static str,
    /// Settings from the bounce: `(field, value)`.
    pub edits: Vec<(&'static str, String)>,
    /// Stop at the refusal itself (a bounce is written later, by the sending server), not at the outcome.
    pub at_refusal: bool,
}

impl Opening {
    /// The step of `t` (the opened scenario's trace) where it went wrong: for a bounce the refusing server's
    /// decision (or the failed connection), for a dialog the moment the mail program shows it.
    pub fn step(&self, t: &crate::trace::Trace) -> usize {
        let refusal = self.at_refusal.then(|| {
            // The refusing reply (the decision before it stays on screen with it), or the failed connection.
            t.events.iter().position(|e| match &e.kind {
                crate::trace::EventKind::ConnectFailed { .. } => true,
                crate::trace::EventKind::Reply(r) => r.code >= 400,
                _ => false,
            })
        });
        refusal.flatten().unwrap_or_else(|| t.stop_at())
    }

    /// The scenario, and the edits that could not be applied, each with its reason.
    pub fn scenario(&self) -> (Scenario, Vec<String>) {
        let mut s = crate::presets::get(self.preset).map(|p| p.scenario()).unwrap_or_default();
        let mut refused = Vec::new();
        let domain = |a: &str| a.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
        for (k, v) in &self.edits {
            // An address goes in only where its domain is the one the scenario now has for it (a renamed domain
            // that clashed keeps the preset's addresses).
            let fits = match *k {
                "message.from" => domain(v).as_deref() == Some(s.names.provider.domain.as_str()),
                "message.to" => {
                    let now: Vec<String> = s.message.to.iter().filter_map(|a| domain(a)).collect();
                    domain(v).is_some_and(|d| d == s.names.recipient.domain || now.contains(&d))
                }
                _ => true,
            };
            if !fits {
                refused.push(format!("{k} = {v}: kept the preset's address, since its domain could not be renamed"));
                continue;
            }
            if let Err(e) = fields::set(&mut s, k, &Value::Text(v.clone())) {
                refused.push(format!("{k} = {v}: {e}"));
            }
        }
        (s, refused)
    }
}

/// The closest scenario for a reading, with its names; `None` for classes Mailpath has no scenario for (a full
/// mailbox, a temporary failure of another kind) and for `Received:` fields.
pub fn opening(r: &Reading) -> Option<Opening> {
    let class = r.class?;
    let preset = match (class, r.kind, r.last_failure) {
        // The article's dialog is Sendmail's words; a provider with other software is the hotel case.
        (Why::RelayDenied | Why::RelayDeferred, Kind::Dialog, _) => match r.refusing_software {
            None | Some(Flavour::Sendmail) => "outlook-express",
            Some(_) => "hotel-not-in-network",
        },
        (Why::NullMx, Kind::Dialog, _) => "null-mx-rejected",
        (Why::RelayDenied, Kind::Reply, _) => "stranger-denied",
        (Why::RelayDenied, _, _) => "recipient-misconfigured",
        (Why::RelayDeferred, _, _) | (Why::Expired, _, Some(Why::RelayDeferred | Why::RelayDenied)) => {
            "misconfigured-defer-backup"
        }
        (Why::Expired, _, _) => "backup-mx-primary-down-6d",
        (Why::SubmissionNeedsAuth | Why::AuthRequired, ..) => "submission-no-auth",
        (Why::AuthFailed, ..) => "wrong-password",
        (Why::TlsRequired, ..) => "submission-no-tls",
        (Why::UserUnknown, ..) => "unknown-user",
        (Why::NoSuchDomain, ..) => "nonexistent-domain",
        (Why::NullMx, ..) => "null-mx",
        (Why::Greylisted, ..) => "greylisting",
        (Why::Blocklisted, ..) => "open-relay-blocklisted",
        (Why::SpfFail, ..) => "spf-fail",
        (Why::DmarcReject, ..) => "dmarc-reject",
        (Why::TooBig, ..) => "message-too-big",
        (Why::MailLoop, ..) => "colleague-loop",
        (Why::PortBlocked | Why::TimedOut, ..) => "hotel-port25-blocked",
        _ => return None,
    };
    let mut edits: Vec<(&'static str, String)> = Vec::new();
    let domain_of = |a: &str| a.rsplit_once('@').map(|(_, d)| d.to_string());
    // Whose names the bounce gives: a dialog's refusing server is your own provider's.
    let refusing = if r.kind == Kind::Dialog { "provider" } else { "recipient" };
    if let Some(rcpt) = &r.recipient {
        if let Some(d) = domain_of(&rcpt.value) {
            edits.push(("names.recipient.domain", d));
        }
    }
    if r.kind != Kind::Dialog {
        if let Some(rep) = &r.reporting {
            edits.push(("names.provider.host", rep.value.clone()));
        }
        if let Some(s) = &r.sender {
            if let Some(d) = domain_of(&s.value) {
                edits.push(("names.provider.domain", d));
            }
            // The sender keeps the preset's mailbox name (its login) at the bounce's domain: another name would be
            // a login the provider does not know.
            let preset_from = crate::presets::get(preset).map(|p| p.scenario().message.from).unwrap_or_default();
            if let (Some((local, _)), Some(d)) = (preset_from.split_once('@'), domain_of(&s.value)) {
                edits.push(("message.from", format!("{local}@{d}")));
            }
        }
    }
    if let Some(h) = &r.remote {
        edits.push((
            if refusing == "provider" { "names.provider.host" } else { "names.recipient.host" },
            h.value.clone(),
        ));
    }
    if let (Some(ip), false) = (&r.remote_ip, refusing == "provider") {
        edits.push(("names.recipient.ip", ip.value.clone()));
    }
    if let Some(rcpt) = &r.recipient {
        edits.push(("message.to", rcpt.value.clone()));
    }
    if let Some(f) = r.refusing_software {
        edits.push((
            if refusing == "provider" { "provider.flavour" } else { "recipient.flavour" },
            f.name().to_string(),
        ));
    }
    match r.software {
        Some(Software::OutlookExpress) => edits.push(("client.program", "outlook-express".into())),
        Some(Software::Thunderbird) => edits.push(("client.program", "thunderbird".into())),
        _ => {}
    }
    Some(Opening { preset, edits, at_refusal: matches!(r.kind, Kind::Report | Kind::Notice) })
}

/// The same refusal in the words of each software the simulator knows (for "how it reads elsewhere").
pub fn relay_refusal_elsewhere() -> Vec<(&'static str, String)> {
    Flavour::ALL
        .iter()
        .map(|&f| {
            let t = crate::flavours::spec(f).relay_denied;
            let status = t.status.map(|s| format!("{s} ")).unwrap_or_default();
            (f.label(), format!("{} {status}{}", t.code, t.text.replace("{rcpt}", "bob@corp-b.example")))
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// One line of a reading for people: a label, the value in words, and where in the paste it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The label (`Refused by`).
    pub label: &'static str,
    /// The value in words.
    pub value: String,
    /// The text it came from.
    pub at: Option<Span>,
}

/// The reading as labelled lines for people (the command line prints them; the app shows the same lines, each
/// pointing at the text it came from).
pub fn lines(r: &Reading) -> Vec<Line> {
    let at = |i: &Option<Item>| i.as_ref().and_then(|i| i.at);
    let v = |i: &Option<Item>| i.as_ref().map(|i| i.value.clone());
    let mut out: Vec<Line> = vec![Line { label: "Pasted", value: r.kind.label().to_string(), at: None }];
    let mut add = |label: &'static str, value: Option<String>, at: Option<Span>| {
        if let Some(value) = value {
            out.push(Line { label, value, at });
        }
    };
    add("Written by", r.software.map(|s| s.label().to_string()), r.software_at);
    add("Reporting server", v(&r.reporting), at(&r.reporting));
    let refused_by = match (v(&r.remote), v(&r.remote_ip)) {
        (Some(h), Some(ip)) => Some(format!("{h} [{ip}]")),
        (h, ip) => h.or(ip),
    };
    add("Refused by", refused_by, at(&r.remote).or(at(&r.remote_ip)));
    add(
        "Its software",
        r.refusing_software.map(|f| format!("{} (from its exact words)", f.label())),
        at(&r.diagnostic),
    );
    add("At command", v(&r.command), at(&r.command));
    add(
        "Reply code",
        r.code.as_ref().and_then(|c| c.value.parse().ok()).map(crate::codes::reply_code).map(str::to_string),
        at(&r.code),
    );
    add("Status", r.status.as_ref().and_then(|s| Status::parse(&s.value)).map(crate::codes::status), at(&r.status));
    add("Server's words", v(&r.diagnostic), at(&r.diagnostic));
    add("Recipient", v(&r.recipient), at(&r.recipient));
    add("Sender", v(&r.sender), at(&r.sender));
    add("When", v(&r.date), at(&r.date));
    add(
        "Problem",
        r.class.map(|c| match r.last_failure {
            Some(l) => format!("{} — the last failure: {}", c.label(), l.label()),
            None => c.label().to_string(),
        }),
        None,
    );
    add(
        "Only a warning",
        r.warning.then(|| "the sending server is still trying; nothing is lost yet".to_string()),
        None,
    );
    add("Relaying", r.relay.map(|c| c.label().to_string()), None);
    add(
        "Why",
        r.class.map(|c| crate::explain::why(r.last_failure.filter(|_| c == Why::Expired).unwrap_or(c)).to_string()),
        None,
    );
    add("How to tell", r.class.and_then(crate::explain::how_to_tell).map(str::to_string), None);
    if r.kind != Kind::Received {
        add("How sure", Some(r.certainty.label().to_string()), None);
        add("Could not tell", (!r.unknown.is_empty()).then(|| r.unknown.join("; ")), None);
        add("What to do", Some(advice(r).to_string()), None);
    }
    for (i, h) in r.hops.iter().enumerate() {
        let from = h.from.as_ref().map_or("?", |i| i.value.as_str());
        let ip = h.from_ip.as_ref().map(|i| format!(" [{}]", i.value)).unwrap_or_default();
        let by = h.by.as_ref().map_or("?", |i| i.value.as_str());
        let how = [h.with.clone(), h.tls.then(|| "TLS".to_string()), h.auth.then(|| "logged in".to_string())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let when = h.date.as_ref().map(|d| format!(", {}", d.value)).unwrap_or_default();
        let label =
            ["Hop 1", "Hop 2", "Hop 3", "Hop 4", "Hop 5", "Hop 6", "Hop 7", "Hop 8"].get(i).copied().unwrap_or("Hop");
        out.push(Line {
            label,
            value: format!("{from}{ip} → {by} ({how}){when}"),
            at: h.by.as_ref().and_then(|b| b.at),
        });
    }
    out
}
