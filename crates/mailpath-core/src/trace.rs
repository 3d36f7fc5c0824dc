//! The trace: everything that happened, in order, with simulated timestamps. The app, the command line and the
//! tests only read it.

use crate::actor::HostId;
use crate::named::Named;
use crate::named_enum;
use crate::reply::{Reply, Status};
use crate::time::Secs;

named_enum! {
    /// The reason behind an event, for explanations in plain words ([`crate::explain`]).
    pub enum Why {
        /// The recipient's domain is one this server delivers itself.
        FinalDestination = "final-destination" / "Recipient domain handled here",
        /// The recipient's domain is one this server relays to (backup MX, gateway).
        RelayDomain = "relay-domain" / "Recipient domain relayed by this server",
        /// The client's address is trusted (mynetworks).
        TrustedNetwork = "trusted-network" / "Client in trusted networks",
        /// The client logged in with SMTP AUTH.
        Authenticated = "authenticated" / "Client authenticated",
        /// The server's list says `permit`: it takes any recipient from anyone.
        PermitAll = "permit-all" / "Permitted for anyone",
        /// The client's address logged in to POP/IMAP recently.
        PopBeforeSmtp = "pop-before-smtp" / "Recent POP login from this address",
        /// Not authenticated, not trusted, recipient not handled here: a relay request, refused.
        RelayDenied = "relay-denied" / "Relaying denied",
        /// Like [`Why::RelayDenied`], but deferred (Postfix `defer_unauth_destination`).
        RelayDeferred = "relay-deferred" / "Relaying deferred",
        /// The address uses sender-specified routing (`%`, `!`, source route): never an authorised destination.
        SenderRouting = "sender-routing" / "Sender-specified routing",
        /// The submission service takes mail only from authenticated users.
        SubmissionNeedsAuth = "submission-needs-auth" / "Submission needs authentication",
        /// No such mailbox at the right server: not a relay problem.
        UserUnknown = "user-unknown" / "Unknown user",
        /// The first attempt from a new client is deferred on purpose.
        Greylisted = "greylisted" / "Greylisted",
        /// The client's address is on a blocklist.
        Blocklisted = "blocklisted" / "Blocklisted",
        /// The sender's domain does not allow this client to send for it.
        SpfFail = "spf-fail" / "SPF fail",
        /// The From: domain asks receivers to reject unaligned mail.
        DmarcReject = "dmarc-reject" / "DMARC reject",
        /// The recipient's domain publishes a null MX.
        NullMx = "null-mx" / "Null MX",
        /// The recipient's domain does not exist.
        NoSuchDomain = "no-such-domain" / "No such domain",
        /// DNS failed for now.
        DnsTempFail = "dns-temp-fail" / "DNS temporary failure",
        /// The message is bigger than the server takes.
        TooBig = "too-big" / "Message too big",
        /// The server wants TLS first.
        TlsRequired = "tls-required" / "TLS required",
        /// The login was refused.
        AuthFailed = "auth-failed" / "Wrong password",
        /// Authentication is not offered here (or not yet, before TLS).
        AuthUnavailable = "auth-unavailable" / "Authentication not offered",
        /// The server wants authentication before MAIL FROM.
        AuthRequired = "auth-required" / "Authentication required",
        /// The network dropped the connection attempt.
        PortBlocked = "port-blocked" / "Port blocked by the network",
        /// The network sent the connection to its own relay.
        Intercepted = "intercepted" / "Redirected by the network",
        /// Nothing listens (the server is down or the service is off).
        ConnectionRefused = "connection-refused" / "Connection refused",
        /// No answer in time (a TLS port spoken to in plain text).
        TimedOut = "timed-out" / "Timed out",
        /// The message would loop back to this server.
        MailLoop = "mail-loop" / "Mail loop",
        /// The queue lifetime ran out.
        Expired = "expired" / "Gave up after the queue lifetime",
        /// Every step went fine.
        Fine = "fine" / "Accepted",
        /// Protocol order error.
        BadSequence = "bad-sequence" / "Command out of order",
        /// The recipient's mailbox is over its quota (read from pasted bounces; the simulator has no quotas).
        MailboxFull = "mailbox-full" / "Mailbox full",
        /// Another temporary failure (read from pasted bounces).
        TempFail = "temporary" / "Temporary failure",
        /// An address whose domain is an address literal (`user@[192.0.2.1]`), which the server does not take
        /// (Exim's `allow_domain_literals`).
        AddressLiteral = "address-literal" / "Address literal not taken",
    }
}

named_enum! {
    /// What a connection is for.
    pub enum Purpose {
        /// The mail program hands the message to its outgoing server.
        Submission = "submission" / "Submission",
        /// One server passes the message to the next.
        Relay = "relay" / "Relay",
        /// A server returns a bounce (or a delay warning) towards the sender.
        Bounce = "bounce" / "Bounce",
        /// A mail program fetches mail over POP3 or IMAP.
        Retrieval = "retrieval" / "Retrieval",
        /// The mail program logs in to POP3 before sending (POP-before-SMTP).
        PopLogin = "pop-login" / "POP-before-SMTP login",
        /// A spammer's tool sending straight to a server.
        Spam = "spam" / "Spam run",
        /// An open-relay tester asking a server.
        Probe = "probe" / "Relay test",
    }
}

named_enum! {
    /// How a result reads at a glance; the front end gives each its colour, always together with a symbol and a
    /// word, never colour alone.
    pub enum Tone {
        /// It went through.
        Ok = "ok" / "Went through",
        /// Refused, or it failed.
        Denied = "denied" / "Failed",
        /// Not yet, or only in part.
        Deferred = "deferred" / "Not yet",
    }
}

named_enum! {
    /// How a decision came out.
    pub enum Verdict {
        /// Accepted.
        Accept = "accept" / "Accepted",
        /// Refused for good (5xx).
        Refuse = "refuse" / "Refused",
        /// Refused for now (4xx): try again later.
        Defer = "defer" / "Deferred",
    }
}

impl Verdict {
    /// Its symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Accept => "✓",
            Verdict::Refuse => "✗",
            Verdict::Defer => "⏸",
        }
    }

    /// How it reads at a glance.
    pub fn tone(self) -> Tone {
        match self {
            Verdict::Accept => Tone::Ok,
            Verdict::Refuse => Tone::Denied,
            Verdict::Defer => Tone::Deferred,
        }
    }

    /// Symbol and word: `✗ Refused`.
    pub fn badge(self) -> String {
        format!("{} {}", self.symbol(), self.label())
    }
}

/// What a server looked at when deciding about one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Facts {
    /// The client logged in with SMTP AUTH.
    pub authenticated: bool,
    /// The client's address is in the server's trusted networks.
    pub trusted: bool,
    /// A fresh POP-before-SMTP login from this address, if the server uses POP-before-SMTP at all.
    pub pop_fresh: Option<bool>,
    /// The recipient's domain is one the server delivers itself.
    pub final_domain: bool,
    /// The recipient's domain is one the server relays to.
    pub relay_domain: bool,
    /// The address carries sender-specified routing.
    pub routed: bool,
}

impl Facts {
    /// The article's test: "recipient handled by that server".
    pub fn domain_handled(&self) -> bool {
        (self.final_domain || self.relay_domain) && !self.routed
    }
}

named_enum! {
    /// What one restriction made of a recipient.
    pub enum CheckResult {
        /// It permitted: the list ends here.
        Permit = "permit" / "permits",
        /// It did not apply: the next one decides.
        NoMatch = "no-match" / "does not apply",
        /// It refused for good.
        Reject = "reject" / "rejects",
        /// It refused for now.
        Defer = "defer" / "defers",
    }
}

/// One restriction a server evaluated, in Postfix's terms: which list, which entry and what it made of the
/// recipient. The fact it looked at, in words (`203.0.113.77 is not in mynetworks (127.0.0.0/8)`), is
/// [`crate::explain::check_facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Check {
    /// The list (`smtpd_relay_restrictions`, `smtpd_recipient_restrictions`, or the unlisted-recipient check).
    pub list: &'static str,
    /// The entry, as `main.cf` writes it.
    pub restriction: Restriction,
    /// What it made of the recipient.
    pub result: CheckResult,
}

/// One entry of a Postfix restriction list (the lists themselves are in `postconf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(into = "&'static str"))]
pub enum Restriction {
    /// `permit_mynetworks`.
    PermitMynetworks,
    /// `permit_sasl_authenticated`.
    PermitSaslAuthenticated,
    /// `check_client_access` on the POP-before-SMTP table.
    PermitPopBeforeSmtp,
    /// `check_client_access` on the exempt clients (own backup MX).
    PermitExempt,
    /// `permit_auth_destination`: the recipient's domain is one this server delivers or relays.
    PermitAuthDestination,
    /// `reject_unauth_destination`.
    RejectUnauthDestination,
    /// `defer_unauth_destination`.
    DeferUnauthDestination,
    /// `reject_unknown_recipient_domain`.
    RejectUnknownRecipientDomain,
    /// `reject_unlisted_recipient`.
    RejectUnlistedRecipient,
    /// `reject_rbl_client zen.spamhaus.org`.
    RejectRblClient,
    /// `check_policy_service` with an SPF policy daemon.
    CheckSpf,
    /// `check_policy_service` with postgrey.
    CheckGreylist,
    /// `permit`.
    Permit,
    /// `reject`.
    Reject,
}

impl From<Restriction> for &'static str {
    fn from(r: Restriction) -> &'static str {
        r.postfix_name()
    }
}

impl Restriction {
    /// How it is written in `main.cf`.
    pub fn postfix_name(self) -> &'static str {
        match self {
            Restriction::PermitMynetworks => "permit_mynetworks",
            Restriction::PermitSaslAuthenticated => "permit_sasl_authenticated",
            Restriction::PermitPopBeforeSmtp => "check_client_access cidr:/etc/postfix/pop-before-smtp",
            Restriction::PermitExempt => "check_client_access cidr:/etc/postfix/exempt",
            Restriction::PermitAuthDestination => "permit_auth_destination",
            Restriction::RejectUnauthDestination => "reject_unauth_destination",
            Restriction::DeferUnauthDestination => "defer_unauth_destination",
            Restriction::RejectUnknownRecipientDomain => "reject_unknown_recipient_domain",
            Restriction::RejectUnlistedRecipient => "reject_unlisted_recipient",
            Restriction::RejectRblClient => "reject_rbl_client zen.spamhaus.org",
            Restriction::CheckSpf => "check_policy_service unix:private/policyd-spf",
            Restriction::CheckGreylist => "check_policy_service inet:127.0.0.1:10023",
            Restriction::Permit => "permit",
            Restriction::Reject => "reject",
        }
    }

    /// Whether Postfix counts it as refusing relay requests (it will not run a server with none).
    pub fn refuses(self) -> bool {
        matches!(self, Restriction::RejectUnauthDestination | Restriction::DeferUnauthDestination | Restriction::Reject)
    }
}

/// A server's decision about one recipient at `RCPT TO`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Decision {
    /// The recipient as sent.
    pub rcpt: String,
    /// What the server looked at.
    pub facts: Facts,
    /// How it came out.
    pub verdict: Verdict,
    /// The rule that fired, in the server software's own terms (`reject_unauth_destination`).
    pub rule: crate::reply::Text,
    /// Why, for explanations.
    pub why: Why,
    /// Each restriction evaluated, in order, with the fact it looked at.
    pub checks: Vec<Check>,
    /// The server is not Postfix: `checks` are the Postfix equivalent of its own rules.
    pub checks_translated: bool,
    /// The client's address, as the server saw it.
    pub client: std::net::Ipv4Addr,
}

/// How a connection attempt ended before any SMTP.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectFailure {
    /// The access network dropped it (outbound port 25 blocked).
    Blocked,
    /// Nothing listening: server down or service off.
    Refused,
    /// No reply in time.
    TimedOut,
}

/// One thing that happened.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", content = "data", rename_all = "snake_case"))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A connection starts: `from` → `to`, port, purpose.
    Connect {
        /// The connecting host.
        from: HostId,
        /// The host connected to.
        to: HostId,
        /// The port.
        port: u16,
        /// What for.
        purpose: Purpose,
    },
    /// The network sent the connection elsewhere.
    Redirected {
        /// Where it ended up.
        to: HostId,
    },
    /// The connection did not happen.
    ConnectFailed {
        /// How.
        failure: ConnectFailure,
        /// The error text a mail system logs (`connect to …: Connection refused`).
        text: String,
    },
    /// TLS was set up on the connection.
    Tls,
    /// The client sent an SMTP command.
    Command(crate::command::Command),
    /// The client sent a POP3 or IMAP line.
    ClientLine(String),
    /// The client sent the message text (headers and body).
    MessageText {
        /// How many lines.
        lines: usize,
        /// Size in bytes.
        bytes: usize,
    },
    /// The server replied.
    Reply(Reply),
    /// A relay (or recipient) decision at `RCPT TO`.
    Decision(Decision),
    /// A DNS question.
    DnsQuery {
        /// The name asked about.
        name: String,
        /// The record type (`MX`, `A`).
        rtype: &'static str,
    },
    /// A DNS answer, as text (`10 mx1.corp-b.example (192.0.2.10)`, `NXDOMAIN`).
    DnsAnswer {
        /// The name.
        name: String,
        /// The answer lines.
        answer: Vec<String>,
    },
    /// A server now owns the message and keeps it in its queue.
    Queued {
        /// Its queue id.
        queue_id: String,
    },
    /// Delivery to some recipients failed for now; the server will try again.
    Deferred {
        /// Recipients.
        rcpts: Vec<String>,
        /// The reason as the server logs it.
        reason: String,
        /// When it tries again.
        retry_at: Secs,
    },
    /// A retry that went exactly like the previous one (folded).
    RetryFailed {
        /// Which try (1 = first retry).
        attempt: u32,
        /// The reason.
        reason: String,
    },
    /// The server tries the next MX host.
    NextMx {
        /// Why the previous host was skipped.
        reason: String,
    },
    /// Delivered into a mailbox.
    Delivered {
        /// The mailbox's address.
        rcpt: String,
    },
    /// A server returns the message: it writes a bounce (delivery status notification).
    Bounced {
        /// The recipients it failed for.
        rcpts: Vec<String>,
        /// Index of the bounce in [`Trace::messages`].
        message: usize,
        /// The human summary (`host … said: …`).
        reason: String,
    },
    /// A server warns the sender that mail is delayed.
    DelayWarning {
        /// Index of the warning in [`Trace::messages`].
        message: usize,
    },
    /// A bounce that could not be delivered is dropped (never bounce a bounce).
    BounceDropped {
        /// Why.
        reason: String,
    },
    /// The mail program shows an error.
    ErrorDialog {
        /// Title bar.
        title: String,
        /// The text.
        text: String,
        /// Whether this wording is confirmed from real reports.
        confirmed: bool,
    },
    /// The relay tester's verdict.
    TesterVerdict(String),
    /// A mail program fetched mail (POP3/IMAP line exchange is in Command/Reply-like lines).
    Fetched {
        /// How many messages.
        count: usize,
    },
    /// A line the server sends in POP3/IMAP (not SMTP).
    ServerLine(String),
    /// The connection closed.
    Closed,
}

/// One event in time.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Simulated seconds since the start.
    pub t: Secs,
    /// The connection it belongs to (index into [`Trace::hops`]), if any.
    pub hop: Option<usize>,
    /// The actor it belongs to.
    pub actor: HostId,
    /// What happened.
    pub kind: EventKind,
    /// The reason, for explanations.
    pub why: Option<Why>,
}

/// How a connection ended.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopResult {
    /// Every recipient taken (or mail fetched).
    Accepted,
    /// Some taken, some refused.
    Partial,
    /// Refused for good.
    Refused,
    /// Refused for now.
    Deferred,
    /// No connection.
    Failed,
}

/// One connection between two hosts.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// Who connects.
    pub from: HostId,
    /// Who is connected to (after any redirect).
    pub to: HostId,
    /// The port.
    pub port: u16,
    /// What for.
    pub purpose: Purpose,
    /// First event of this hop.
    pub first_event: usize,
    /// Last event of this hop.
    pub last_event: usize,
    /// How it ended.
    pub result: HopResult,
    /// The message it carried (index into [`Trace::messages`]).
    pub message: Option<usize>,
}

named_enum! {
    /// The overall outcome of a run.
    pub enum Ending {
        /// Every recipient got the message.
        Delivered = "delivered" / "Delivered",
        /// Refused during the conversation with the sender's program: an error dialog, no bounce.
        Refused = "refused" / "Refused",
        /// The sender's program could not connect at all.
        NoConnection = "no-connection" / "Could not connect",
        /// A server returned the message: a bounce travels back.
        Bounced = "bounced" / "Bounced",
        /// Some recipients got it, others did not.
        Partial = "partial" / "Partly delivered",
        /// A spammer's or tester's probe (no mailbox involved on the sender's side).
        Probed = "probed" / "Probe finished",
    }
}

impl Ending {
    /// Its symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Ending::Delivered => "✓",
            Ending::Refused | Ending::NoConnection => "✗",
            Ending::Bounced => "↩",
            Ending::Partial | Ending::Probed => "◐",
        }
    }

    /// How it reads at a glance.
    pub fn tone(self) -> Tone {
        match self {
            Ending::Delivered => Tone::Ok,
            Ending::Refused | Ending::NoConnection | Ending::Bounced => Tone::Denied,
            Ending::Partial | Ending::Probed => Tone::Deferred,
        }
    }

    /// Symbol and word: `↩ Bounced`.
    pub fn badge(self) -> String {
        format!("{} {}", self.symbol(), self.label())
    }
}

/// What became of one recipient.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientFate {
    /// The recipient as typed.
    pub rcpt: String,
    /// How it ended for this recipient.
    pub ending: Ending,
    /// The event that decided it.
    pub event: usize,
    /// The host that decided (refused, bounced or delivered).
    pub by: HostId,
    /// The reply that decided, if one did.
    pub reply: Option<Reply>,
    /// When.
    pub t: Secs,
}

/// The outcome of a run.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Overall.
    pub ending: Ending,
    /// The decisive event (the refusal, the bounce, the last delivery).
    pub event: usize,
    /// The host that decided.
    pub by: HostId,
    /// The decisive reply, if any.
    pub reply: Option<Reply>,
    /// The reason.
    pub why: Why,
    /// One line for people.
    pub summary: String,
}

/// One header field: its name (the software's own, or as a person typed it) and its (shared) value.
pub type Header = (std::borrow::Cow<'static, str>, std::rc::Rc<str>);

/// A message as some host has it (headers grow hop by hop).
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageCopy {
    /// The host holding this copy.
    pub at: HostId,
    /// Envelope sender (`None` for `<>`).
    pub from: Option<String>,
    /// Envelope recipients.
    pub to: Vec<String>,
    /// Header fields, top first (values may be folded with `\n\t`); shared between copies, so a server adding
    /// its `Received:` line does not copy the others.
    pub headers: Vec<Header>,
    /// The body.
    pub body: String,
    /// Whether this is a bounce or delay warning.
    pub is_report: bool,
    /// Bytes of attachment not shown in `body` (counted in [`MessageCopy::size`]).
    pub attachment_bytes: usize,
    /// The event at which this copy came to exist.
    pub event: usize,
    /// How many header fields, from the top, this copy's host added to the copy it received.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub added: usize,
}

impl MessageCopy {
    /// The whole message as text (headers, blank line, body).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (name, value) in &self.headers {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.body);
        out
    }

    /// Size on the wire in bytes, attachments included (the length of [`MessageCopy::text`] plus attachments).
    pub fn size(&self) -> usize {
        let headers: usize = self.headers.iter().map(|(n, v)| n.len() + 2 + v.len() + 1).sum();
        headers + 1 + self.body.len() + self.attachment_bytes
    }

    /// Lines of text (headers, the blank line, body).
    pub fn line_count(&self) -> usize {
        let headers: usize = self.headers.iter().map(|(_, v)| 1 + v.matches('\n').count()).sum();
        headers + 1 + self.body.lines().count()
    }

    /// The value of the first header called `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| &**v)
    }
}

/// Everything that happened in one run.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// Events in order of time.
    pub events: Vec<Event>,
    /// Connections.
    pub hops: Vec<Hop>,
    /// Messages as they exist at each host, bounces included.
    pub messages: Vec<MessageCopy>,
    /// What became of each recipient.
    pub fates: Vec<RecipientFate>,
    /// The overall outcome.
    pub outcome: Outcome,
}

named_enum! {
    /// Kinds of events, for filtering a list of them.
    pub enum Category {
        /// Decisions, replies and error dialogs.
        Exchange = "exchange" / "Decisions and replies",
        /// DNS questions and answers.
        Dns = "dns" / "DNS",
        /// Queues, retries and bounces.
        Queue = "queue" / "Queues, retries and bounces",
        /// Deliveries into mailboxes and fetching them.
        Delivery = "delivery" / "Deliveries",
        /// Everything else: connections, commands, TLS.
        Other = "other" / "Connections and commands",
    }
}

impl EventKind {
    /// Which kind of event this is.
    pub fn category(&self) -> Category {
        match self {
            EventKind::Decision(_) | EventKind::Reply(_) | EventKind::ErrorDialog { .. } => Category::Exchange,
            EventKind::DnsQuery { .. } | EventKind::DnsAnswer { .. } => Category::Dns,
            EventKind::Queued { .. }
            | EventKind::Deferred { .. }
            | EventKind::RetryFailed { .. }
            | EventKind::NextMx { .. }
            | EventKind::Bounced { .. }
            | EventKind::DelayWarning { .. }
            | EventKind::BounceDropped { .. } => Category::Queue,
            EventKind::Delivered { .. } | EventKind::Fetched { .. } => Category::Delivery,
            _ => Category::Other,
        }
    }
}

/// Who wrote a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The client (`C:`).
    Client,
    /// The server (`S:`).
    Server,
    /// Not on the wire: a TLS handshake, a connection that failed.
    Note,
}

/// One line of a transcript, typed: who sent it and, for a reply line, its code and enhanced status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptLine {
    /// The event it belongs to.
    pub event: usize,
    /// Who wrote it.
    pub side: Side,
    /// The reply code, for a server's SMTP reply line.
    pub code: Option<u16>,
    /// The enhanced status code printed on the line, if any.
    pub status: Option<Status>,
    /// The line as sent (`554 5.7.1 <bob@corp-b.example>: Relay access denied`), or the note.
    pub text: String,
    /// The wording is best knowledge, not confirmed (shown as a note beside the line, never in it).
    pub unconfirmed: bool,
}

impl TranscriptLine {
    /// The line as a transcript prints it: `C: …`, `S: …`, or an indented note.
    pub fn render(&self) -> String {
        match self.side {
            Side::Client => format!("C: {}", self.text),
            Side::Server => format!("S: {}", self.text),
            Side::Note => format!("   ({})", self.text),
        }
    }
}

impl Trace {
    /// Hops that carry SMTP with a mail program or server.
    pub fn hop(&self, i: usize) -> &Hop {
        &self.hops[i]
    }

    /// The transcript of hop `i`, line by line.
    pub fn transcript(&self, hop: usize) -> Vec<TranscriptLine> {
        let mut out = Vec::new();
        let line = |event, side, text: String| TranscriptLine {
            event,
            side,
            code: None,
            status: None,
            text,
            unconfirmed: false,
        };
        for (i, e) in self.events.iter().enumerate().filter(|(_, e)| e.hop == Some(hop)) {
            match &e.kind {
                EventKind::Command(c) => out.push(line(i, Side::Client, c.to_string())),
                EventKind::ClientLine(c) => out.push(line(i, Side::Client, c.clone())),
                EventKind::MessageText { lines, bytes } => {
                    out.push(line(i, Side::Client, format!("({lines} lines, {bytes} bytes of message)")));
                    out.push(line(i, Side::Client, ".".into()));
                }
                EventKind::Reply(r) => out.extend(r.wire_lines().map(|text| TranscriptLine {
                    code: Some(r.code),
                    status: r.status,
                    unconfirmed: r.unconfirmed,
                    ..line(i, Side::Server, text)
                })),
                EventKind::ServerLine(l) => out.push(line(i, Side::Server, l.clone())),
                EventKind::Tls => out.push(line(i, Side::Note, "TLS handshake".into())),
                EventKind::ConnectFailed { text, .. } => out.push(line(i, Side::Note, text.clone())),
                _ => {}
            }
        }
        out
    }

    /// The first decision that refused or deferred, with its event index.
    pub fn first_refusal(&self) -> Option<(usize, &Decision)> {
        self.events.iter().enumerate().find_map(|(i, e)| match &e.kind {
            EventKind::Decision(d) if d.verdict != Verdict::Accept => Some((i, d)),
            _ => None,
        })
    }

    /// When the last event happened.
    pub fn end_time(&self) -> Secs {
        self.events.last().map_or(0, |e| e.t)
    }

    /// The last event's index.
    pub fn last(&self) -> usize {
        self.events.len().saturating_sub(1)
    }

    /// Where playing pauses: at the decisive event of a run that did not get through, else at the end.
    pub fn stop_at(&self) -> usize {
        match self.outcome.ending {
            Ending::Delivered | Ending::Probed => self.last(),
            _ => self.outcome.event.min(self.last()),
        }
    }

    /// Whether the outcome is on screen at `step`.
    pub fn reached(&self, step: usize) -> bool {
        step >= self.stop_at()
    }

    /// The latest decision up to `step`, with the event it is.
    pub fn decision_up_to(&self, step: usize) -> Option<(&Event, &Decision)> {
        let i = self.decision_event_up_to(step)?;
        match &self.events[i].kind {
            EventKind::Decision(d) => Some((&self.events[i], d)),
            _ => None,
        }
    }

    /// The index of the latest decision at or before `step`.
    pub fn decision_event_up_to(&self, step: usize) -> Option<usize> {
        (0..=step.min(self.last())).rev().find(|&i| matches!(self.events[i].kind, EventKind::Decision(_)))
    }

    /// The mail program's error dialog, once it has happened at `step` or the outcome is reached.
    pub fn dialog_at(&self, step: usize) -> Option<&Event> {
        let reached = self.reached(step);
        self.events
            .iter()
            .enumerate()
            .find(|(i, e)| matches!(e.kind, EventKind::ErrorDialog { .. }) && (*i <= step || reached))
            .map(|(_, e)| e)
    }

    /// The first bounce written up to `step`: its index in [`Trace::messages`].
    pub fn bounce_up_to(&self, step: usize) -> Option<usize> {
        self.events.iter().take(step.saturating_add(1)).find_map(|e| match &e.kind {
            EventKind::Bounced { message, .. } => Some(*message),
            _ => None,
        })
    }

    /// Reports (bounces, delay warnings) written up to `step`, each once: indices in [`Trace::messages`].
    pub fn reports_up_to(&self, step: usize) -> Vec<usize> {
        self.events
            .iter()
            .take(step.saturating_add(1))
            .filter_map(|e| match &e.kind {
                EventKind::Bounced { message, .. } | EventKind::DelayWarning { message } => Some(*message),
                _ => None,
            })
            .collect()
    }

    /// The connection the view is on at `step`: the latest hop up to it (the first one before any).
    pub fn current_hop(&self, step: usize) -> usize {
        self.events[..=step.min(self.last())].iter().rev().find_map(|e| e.hop).unwrap_or(0)
    }

    /// The copy of the message (not a report) the latest server holds at `step`, or the first one.
    pub fn copy_at(&self, step: usize) -> Option<&MessageCopy> {
        self.messages
            .iter()
            .rev()
            .find(|c| !c.is_report && c.event <= step)
            .or_else(|| self.messages.iter().find(|c| !c.is_report))
    }
}
