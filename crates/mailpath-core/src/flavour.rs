//! The shape of a server flavour's data: what Postfix, Sendmail, Exim, Exchange, qmail and Stalwart say and how long they keep
//! trying. The table itself is in [`crate::flavours`]; the engine never branches on the software, it asks the table. Sources are in
//! `docs/sources.md`; a template whose wording was not confirmed in a source is marked `verified: false` and the
//! app says so.

use crate::reply::{Reply, Status};
use crate::time::{Secs, HOUR, MINUTE};

/// A reply with placeholders: `{host}` server name, `{rcpt}` recipient as sent, `{from}` sender, `{ip}` client
/// address, `{helo}` client's EHLO name, `{id}` queue id, `{domain}` a domain, `{table}` a lookup table name,
/// `{date}` the current date, `{limit}` the message size limit in bytes, `{arg}` what a person typed (a verb, an
/// option, an address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tpl {
    /// Reply code.
    pub code: u16,
    /// Enhanced status code, if the software prints one.
    pub status: Option<Status>,
    /// Text with placeholders.
    pub text: &'static str,
    /// Whether this wording was confirmed in the software's source, documentation or real transcripts.
    pub verified: bool,
}

/// A reply whose wording was confirmed (by the real server in the conformance suite, its source, or its
/// documentation); `docs/sources.md` says where from.
pub(crate) const fn sourced(code: u16, status: Option<Status>, text: &'static str) -> Tpl {
    Tpl { code, status, text, verified: true }
}

/// A reply that is best knowledge, not confirmed: flagged `[unverified]` in `docs/sources.md` and shown with a
/// note beside the line.
pub(crate) const fn unverified(code: u16, status: Option<Status>, text: &'static str) -> Tpl {
    Tpl { code, status, text, verified: false }
}

/// An enhanced status code `class.subject.detail` (RFC 3463).
pub(crate) const fn esc(class: u8, subject: u16, detail: u16) -> Option<Status> {
    Some(Status::new(class, subject, detail))
}

/// Values for a template's placeholders.
#[derive(Debug, Clone, Copy, Default)]
pub struct Vars<'a> {
    /// `{host}`.
    pub host: &'a str,
    /// `{rcpt}`.
    pub rcpt: &'a str,
    /// `{from}`.
    pub from: &'a str,
    /// `{ip}`.
    pub ip: &'a str,
    /// `{helo}`.
    pub helo: &'a str,
    /// `{id}`.
    pub id: &'a str,
    /// `{domain}`.
    pub domain: &'a str,
    /// `{table}`.
    pub table: &'a str,
    /// `{date}`.
    pub date: &'a str,
    /// `{limit}`: the server's message size limit in bytes.
    pub limit: &'a str,
    /// `{arg}`: what was typed (a verb, an option, an argument).
    pub arg: &'a str,
    /// `{client}`: the client as the server found it in reverse DNS, `name [ip]`, or `[ip]` when its address has
    /// no name (Sendmail's greeting of a client).
    pub client: &'a str,
}

/// Replaces the placeholders in `text`.
pub fn fill(text: &str, v: &Vars) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let value = match &after[..close] {
            "host" => v.host,
            "rcpt" => v.rcpt,
            "from" => v.from,
            "ip" => v.ip,
            "helo" => v.helo,
            "id" => v.id,
            "domain" => v.domain,
            "table" => v.table,
            "date" => v.date,
            "limit" => v.limit,
            "arg" => v.arg,
            "client" => v.client,
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
                rest = &after[close + 1..];
                continue;
            }
        };
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

impl Tpl {
    /// The reply this template gives with these values.
    pub fn reply(&self, v: &Vars) -> Reply {
        let mut r = if self.text.contains('{') {
            Reply::new(self.code, self.status, fill(self.text, v))
        } else {
            Reply::new(self.code, self.status, self.text)
        };
        r.unconfirmed = !self.verified;
        r
    }

    /// The reply with its code (and the status class with it) changed, as Postfix's `defer_unauth_destination`
    /// and `soft_bounce` do.
    pub fn reply_with_code(&self, code: u16, v: &Vars) -> Reply {
        let mut r = Reply::new(code, self.status.map(|s| s.with_class_of(code)), fill(self.text, v));
        r.unconfirmed = !self.verified;
        r
    }
}

/// How Exim's SMTP receiver (`smtp_in.c`, `acl.c`) answers where other servers simply refuse: address literals
/// are refused (`allow_domain_literals` is false by default), syntax and protocol errors are counted and the
/// connection dropped after `smtp_max_synprot_errors`, a `DATA` after refused recipients repeats their refusal,
/// and long ACL messages are wrapped; local parts are taken as they are (no percent hack, no bang paths).
/// Confirmed on a real Exim 4.96 by the conformance suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmtpIn {
    /// `501 <address>: domain literals not allowed` (`{arg}` the address as sent).
    pub literal: Tpl,
    /// `smtp_max_synprot_errors`: the error after this many drops the connection.
    pub max_errors: u32,
    /// The last line of the reply that drops the connection (with the code of the error it ends).
    pub too_many: Tpl,
    /// `DATA` right after a refused `RCPT` (pipelining advertised): not counted as an error.
    pub no_rcpt_pipelined: Tpl,
    /// The line before the recipients' common refusal, when every `RCPT` was refused the same way.
    pub all_refused: Tpl,
    /// ACL messages longer than this are wrapped at spaces into several lines.
    pub wrap: usize,
}

impl SmtpIn {
    /// `text` wrapped as Exim wraps an ACL message: greedily at spaces, lines of at most `wrap` characters, a word
    /// longer than that on a line of its own.
    pub fn wrap_text(&self, text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > self.wrap {
                lines.push(std::mem::take(&mut line));
            } else if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
        lines
    }
}

/// An EHLO keyword and when the server lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kw {
    /// Always.
    Always(&'static str),
    /// `SIZE <limit in bytes>`.
    Size,
    /// `STARTTLS`, only when TLS is on and not yet in use.
    StartTls,
    /// `AUTH PLAIN LOGIN` (or the flavour's mechanisms), only when authentication is offered here and now.
    Auth(&'static str),
}

/// How a server reads a recipient's local part and domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    /// Percent hack, bang paths and an address inside a quoted local part route elsewhere; an address literal of
    /// the server's own address is one of its domains (Postfix's defaults).
    Routed,
    /// The local part is taken as it is (Exim: no percent hack, bang paths or quoted routing by default).
    AsIs,
    /// A local part that is not a dot-atom (quoted, or with an `@` in it) is a syntax error (OpenSMTPD's
    /// `valid_localpart`); the local part is
    /// taken as it is, and an address literal is a domain like any other, matched by no rule of the server's
    /// own (OpenSMTPD's `for domain` match rules).
    Unquoted,
}

/// How a flavour's submission service (587/465) treats clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Submission {
    /// Whether the service exists at all.
    pub exists: bool,
    /// TLS required before anything else (Postfix `smtpd_tls_security_level=encrypt`).
    pub tls_required: bool,
    /// With `tls_required`, only `MAIL FROM` is refused before TLS; every other command answers as it would
    /// (OpenSMTPD's `tls-require`).
    pub tls_only_at_mail: bool,
    /// An unauthenticated client is refused at `MAIL FROM` with this reply; `None`: refused per recipient.
    pub auth_required_at_mail: Option<Tpl>,
    /// AUTH is offered on the submission ports before STARTTLS too (Sendmail's default `AuthOptions`, without
    /// `p`); otherwise only after it (Postfix's `smtpd_tls_auth_only` there).
    pub auth_without_tls: bool,
}

/// How a flavour retries deferred mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Postfix: wait `min`, doubling each time up to `max`.
    Backoff {
        /// First wait (`minimal_backoff_time`).
        min: Secs,
        /// Longest wait (`maximal_backoff_time`).
        max: Secs,
    },
    /// A fixed interval (Sendmail's queue runs).
    Every(Secs),
    /// Exim's default rule `F,2h,15m; G,16h,1h,1.5; F,4d,6h`.
    Exim,
    /// Exchange: six tries 5 minutes apart, then every 15 minutes.
    Exchange,
    /// qmail: the n-th try (20·n)² seconds after arrival.
    Qmail,
    /// Stalwart: 2, 5, 10, 15, 30 minutes, 1 hour, then every 2 hours.
    Stalwart,
}

impl Schedule {
    /// The wait before try number `attempt` (1 = the first retry), given the time since arrival.
    pub fn wait(self, attempt: u32, since_arrival: Secs) -> Secs {
        let n = attempt.max(1);
        match self {
            Schedule::Backoff { min, max } => min.saturating_mul(1u32 << (n - 1).min(16)).min(max),
            Schedule::Every(every) => every,
            Schedule::Exim => {
                if since_arrival < 2 * HOUR {
                    15 * MINUTE
                } else if since_arrival < 16 * HOUR {
                    let k = n.saturating_sub(8).min(12);
                    ((f64::from(HOUR) * 1.5f64.powi(k as i32)) as Secs).min(6 * HOUR)
                } else {
                    6 * HOUR
                }
            }
            Schedule::Exchange => {
                if n <= 6 {
                    5 * MINUTE
                } else {
                    15 * MINUTE
                }
            }
            Schedule::Qmail => {
                let next = (20 * n) * (20 * n);
                next.saturating_sub(since_arrival).max(1)
            }
            Schedule::Stalwart => match n {
                1 => 2 * MINUTE,
                2 => 5 * MINUTE,
                3 => 10 * MINUTE,
                4 => 15 * MINUTE,
                5 => 30 * MINUTE,
                6 => HOUR,
                _ => 2 * HOUR,
            },
        }
    }
}

/// Queue behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queue {
    /// How long a message is retried before it is returned (Postfix `maximal_queue_lifetime`).
    pub lifetime: Secs,
    /// When the sender is warned that mail is delayed, if ever.
    pub warn_after: Option<Secs>,
    /// The retry schedule.
    pub schedule: Schedule,
    /// Whether the lifetime and schedule come from a source (vs best knowledge).
    pub verified: bool,
}

/// The names of the relay rules, in the flavour's own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleNames {
    /// Trusted client address.
    pub mynetworks: &'static str,
    /// Authenticated client.
    pub sasl: &'static str,
    /// Recent POP/IMAP login from the same address.
    pub pop: &'static str,
    /// Recipient domain handled here.
    pub destination: &'static str,
    /// Everything else refused.
    pub deny: &'static str,
}

/// How a flavour writes its `Received:` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceivedStyle {
    /// `from helo (rdns [ip]) by host (Postfix) with ESMTPSA id … for <rcpt>; date`.
    Postfix,
    /// Sendmail: like Postfix with the version in place of the software name.
    Sendmail,
    /// `from [ip] (port=… helo=…) by host with esmtpsa (Exim 4.96) (envelope-from <…>) id … for rcpt; date`.
    Exim,
    /// `from helo (ip) by host (ip) with Microsoft SMTP Server (version=TLS1_2, …) id 15.2…; date`.
    Exchange,
    /// `from helo (HELO helo) (ip) by host with SMTP; date`.
    Qmail,
    /// Stalwart.
    Stalwart,
    /// `from helo (rdns [ip]) by host (OpenSMTPD) with ESMTPSA id … (TLS…) for <rcpt>; date`.
    OpenSmtpd,
}

/// How a flavour words its bounce (non-delivery report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsnStyle {
    /// RFC 3464 multipart/report with Postfix's text (`Undelivered Mail Returned to Sender`).
    Postfix,
    /// Sendmail's `Returned mail: see transcript for details`.
    Sendmail,
    /// Exim's `Mail delivery failed: returning message to sender`.
    Exim,
    /// Exchange's `Undeliverable:` report.
    Exchange,
    /// qmail-send's plain-text `Hi. This is the qmail-send program` (not RFC 3464).
    Qmail,
    /// Stalwart's `Delivery Status Notification (Failure)`.
    Stalwart,
    /// OpenSMTPD's `Delivery status notification: failed` ("Hi! This is the MAILER-DAEMON").
    OpenSmtpd,
}

impl DsnStyle {
    /// Whether the bounce's wording and layout were confirmed (by the real server or a published sample), not
    /// only best knowledge; `docs/sources.md` says which.
    pub fn verified(self) -> bool {
        matches!(self, DsnStyle::Postfix | DsnStyle::Qmail | DsnStyle::Exim | DsnStyle::OpenSmtpd | DsnStyle::Sendmail)
    }
}

/// Everything that differs between flavours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Display name.
    pub name: &'static str,
    /// The software as named in `Received:` and banners (`Postfix`, `Exim 4.96`).
    pub software: &'static str,
    /// The 220 greeting.
    pub greeting: Tpl,
    /// First line of the EHLO reply.
    pub ehlo_line: &'static str,
    /// EHLO keywords in the order the server lists them.
    pub keywords: &'static [Kw],
    /// Whether AUTH is only offered once TLS is up, on port 25 too.
    pub auth_after_tls: bool,
    /// STARTTLS accepted.
    pub starttls: Tpl,
    /// STARTTLS or AUTH when not offered.
    pub not_offered: Tpl,
    /// AUTH succeeded.
    pub auth_ok: Tpl,
    /// AUTH failed.
    pub auth_failed: Tpl,
    /// AUTH when authentication is not offered.
    pub auth_not_enabled: Tpl,
    /// AUTH again after a successful login.
    pub already_authenticated: Tpl,
    /// A command that needs TLS first.
    pub tls_first: Tpl,
    /// The submission service.
    pub submission: Submission,
    /// MAIL FROM accepted.
    pub mail_ok: Tpl,
    /// RCPT TO accepted.
    pub rcpt_ok: Tpl,
    /// RCPT TO with an address that does not parse.
    pub bad_rcpt_syntax: Tpl,
    /// DATA accepted: send the message.
    pub data_go: Tpl,
    /// End of data: the server now owns the message.
    pub queued: Tpl,
    /// QUIT.
    pub quit: Tpl,
    /// RSET.
    pub rset: Tpl,
    /// Command before EHLO.
    pub need_ehlo: Tpl,
    /// RCPT before MAIL.
    pub need_mail: Tpl,
    /// DATA before any RCPT.
    pub need_rcpt: Tpl,
    /// DATA when every RCPT was refused.
    pub no_valid_recipients: Tpl,
    /// Relay refused (Postfix `reject_unauth_destination`; code 454 for `defer_unauth_destination`).
    pub relay_denied: Tpl,
    /// Relay refused by a server that offers authentication (Sendmail's "Proper authentication required.").
    pub relay_denied_auth: Option<Tpl>,
    /// Relay refused by a server that runs POP-before-SMTP (cPanel's wording).
    pub relay_denied_pop: Option<Tpl>,
    /// Relay refused to a client whose address has no reverse-DNS name (Sendmail's `check_relay` tells it
    /// before anything else: "IP name lookup failed").
    pub relay_denied_no_ptr: Option<Tpl>,
    /// Submission service refusing an unauthenticated client at RCPT (Postfix `reject`).
    pub access_denied: Tpl,
    /// Unknown mailbox at RCPT.
    pub unknown_user: Tpl,
    /// Whether the server checks mailboxes at RCPT (qmail does not: it accepts and bounces later).
    pub checks_users: bool,
    /// It checks them on every port whatever `smtpd_reject_unlisted_recipient` says (Sendmail: its local
    /// mailer looks the user up for every recipient).
    pub checks_users_everywhere: bool,
    /// How it reads the local part of an address and its own address literal.
    pub addressing: Addressing,
    /// Sendmail's way with recipients: its replies name a recipient as the client sent it (quotes and source
    /// route kept), a
    /// recipient given twice by its first form, and refuse an unquoted `@` in the local part
    /// (`user@host@host`) with [`Spec::route_in_local`]; otherwise as Postfix does.
    pub echo_as_sent: bool,
    /// The refusal of an unquoted `@` in a recipient's local part, with `echo_as_sent`.
    pub route_in_local: Option<Tpl>,
    /// As a client, it pipelines `DATA` behind its recipients (Sendmail), so a next hop that refused them all
    /// also answers a `DATA`.
    pub client_pipelines: bool,
    /// The bounce line for an unknown mailbox found after accepting.
    pub unknown_user_later: Tpl,
    /// Greylisted.
    pub greylisted: Tpl,
    /// Client on a blocklist.
    pub blocklisted: Tpl,
    /// SPF fail.
    pub spf_fail: Tpl,
    /// DMARC reject at end of data.
    pub dmarc_reject: Tpl,
    /// `MAIL FROM … SIZE=` over the limit; `None`: the size a client declares is not checked (OpenSMTPD, which
    /// refuses only at the end of the data).
    pub too_big_mail: Option<Tpl>,
    /// Message over the limit at end of data.
    pub too_big_data: Tpl,
    /// Recipient domain with null MX (`reject_unknown_recipient_domain`).
    pub null_mx: Tpl,
    /// Recipient domain not found (`reject_unknown_recipient_domain`).
    pub domain_not_found: Tpl,
    /// MX loop text (5.4.6).
    pub loops: &'static str,
    /// Refusal at the end of the message when it carries more `Received:` lines than `max_hops`: a mail loop.
    pub too_many_hops: Tpl,
    /// The most `Received:` lines a message may carry (Postfix `hopcount_limit`).
    pub max_hops: usize,
    /// Exim's own ways of answering (its `smtp_in.c`); `None` for the others.
    pub smtp_in: Option<SmtpIn>,
    /// Relay rule names.
    pub rules: RuleNames,
    /// Queue behaviour.
    pub queue: Queue,
    /// `Received:` style.
    pub received: ReceivedStyle,
    /// Bounce style.
    pub dsn: DsnStyle,
    /// Which software it is, for the tables kept apart from this one (what it answers to typing:
    /// [`crate::flavours::typing`]).
    pub flavour: crate::scenario::Flavour,
}

/// How a server reads typed lines and what it answers to the commands a simulated client never sends wrong: the
/// console's replies. The order of its checks is the engine's ([`crate::server`]), taken from Postfix's smtpd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Typing {
    /// An empty line.
    pub empty: Tpl,
    /// A verb it does not know (`{arg}`: the verb).
    pub unknown: Tpl,
    /// What it says as it hangs up on a line that is not SMTP at all (`GET /`, `Subject: hi`, `*`: Postfix's
    /// `smtpd_forbidden_commands` and header check); `None`: such a line is an unknown command like any other.
    pub forbidden: Option<Tpl>,
    /// `HELO` without a name.
    pub helo_syntax: Tpl,
    /// `EHLO` without a name.
    pub ehlo_syntax: Tpl,
    /// The reply to `HELO` (one line).
    pub helo_ok: Tpl,
    /// `MAIL` before `HELO`/`EHLO` is refused with [`Spec::need_ehlo`] (Postfix: only with
    /// `smtpd_helo_required = yes`, which is not the default).
    pub helo_required: bool,
    /// `MAIL` without `FROM:` (or nothing after it).
    pub mail_syntax: Tpl,
    /// `MAIL` inside a transaction.
    pub nested_mail: Tpl,
    /// A sender address that does not parse.
    pub bad_sender: Tpl,
    /// A `MAIL` or `RCPT` parameter it does not support (`{arg}`: the parameter).
    pub unknown_option: Tpl,
    /// `SIZE=` that is not a number.
    pub bad_size: Tpl,
    /// `SIZE=` too large to be a file size.
    pub size_overflow: Tpl,
    /// `RCPT` without `TO:` (or nothing after it).
    pub rcpt_syntax: Tpl,
    /// One recipient more than it takes in one transaction.
    pub too_many_rcpts: Tpl,
    /// The most recipients in one transaction (Postfix `smtpd_recipient_limit`).
    pub rcpt_limit: usize,
    /// `DATA` with something after it.
    pub data_syntax: Tpl,
    /// `RSET` with something after it.
    pub rset_syntax: Tpl,
    /// `NOOP`.
    pub noop: Tpl,
    /// `VRFY` without an address.
    pub vrfy_syntax: Tpl,
    /// `VRFY` of an address it would take (`{arg}`: the address as typed).
    pub vrfy_ok: Tpl,
    /// `EXPN`; `None`: not a command it knows.
    pub expn: Option<Tpl>,
    /// `HELP`; `None`: not a command it knows. The lines are separated by `\n`.
    pub help: Option<Tpl>,
    /// `ETRN` without a domain; `None`: not a command it knows.
    pub etrn_syntax: Option<Tpl>,
    /// `ETRN` for a domain it does not hold mail for (`{arg}`: the domain).
    pub etrn_denied: Option<Tpl>,
    /// `STARTTLS` with something after it.
    pub starttls_syntax: Tpl,
    /// `STARTTLS` when TLS is already on.
    pub tls_active: Tpl,
    /// `AUTH` without a mechanism, or with too much after it.
    pub auth_syntax: Tpl,
    /// `AUTH` inside a transaction.
    pub auth_in_mail: Tpl,
    /// `AUTH` with a mechanism it does not offer (`{arg}`: the mechanism).
    pub auth_mechanism: Tpl,
    /// `*` in answer to a `334` challenge.
    pub auth_aborted: Tpl,
    /// An initial response that is not base64 (`{arg}`: Cyrus SASL's words for what is wrong with it).
    pub auth_bad_initial: Tpl,
    /// A response to a challenge that is not base64 (`{arg}` as above).
    pub auth_bad_response: Tpl,
    /// The challenge to `AUTH PLAIN` without an initial response.
    pub plain_prompt: Tpl,
    /// `AUTH LOGIN`'s two challenges (base64 of `Username:` and `Password:`).
    pub login_prompts: [Tpl; 2],
    /// A typed line longer than this is cut here (Postfix `line_length_limit`), the rest thrown away.
    pub line_limit: usize,
    /// After this many refused commands the server hangs up (Postfix `smtpd_hard_error_limit`).
    pub error_limit: u32,
    /// Commands that do nothing (HELO, EHLO, RSET, NOOP, VRFY, ETRN) beyond this many count as errors (Postfix
    /// `smtpd_junk_command_limit`).
    pub junk_limit: u32,
    /// What it says when it hangs up for too many errors.
    pub too_many_errors: Tpl,
}

impl Spec {
    /// Every reply template with its field name, in declaration order (for `docs/sources.md` and its test).
    pub fn templates(&self) -> Vec<(&'static str, Tpl)> {
        let mut out = vec![
            ("greeting", self.greeting),
            ("starttls", self.starttls),
            ("not_offered", self.not_offered),
            ("auth_ok", self.auth_ok),
            ("auth_failed", self.auth_failed),
            ("auth_not_enabled", self.auth_not_enabled),
            ("already_authenticated", self.already_authenticated),
            ("tls_first", self.tls_first),
        ];
        out.extend(self.submission.auth_required_at_mail.map(|t| ("submission.auth_required_at_mail", t)));
        out.extend([
            ("mail_ok", self.mail_ok),
            ("rcpt_ok", self.rcpt_ok),
            ("bad_rcpt_syntax", self.bad_rcpt_syntax),
            ("data_go", self.data_go),
            ("queued", self.queued),
            ("quit", self.quit),
            ("rset", self.rset),
            ("need_ehlo", self.need_ehlo),
            ("need_mail", self.need_mail),
            ("need_rcpt", self.need_rcpt),
            ("no_valid_recipients", self.no_valid_recipients),
            ("relay_denied", self.relay_denied),
        ]);
        out.extend(self.relay_denied_auth.map(|t| ("relay_denied_auth", t)));
        out.extend(self.relay_denied_pop.map(|t| ("relay_denied_pop", t)));
        out.extend(self.relay_denied_no_ptr.map(|t| ("relay_denied_no_ptr", t)));
        out.extend(self.route_in_local.map(|t| ("route_in_local", t)));
        if let Some(x) = self.smtp_in {
            out.extend([
                ("smtp_in.literal", x.literal),
                ("smtp_in.too_many", x.too_many),
                ("smtp_in.no_rcpt_pipelined", x.no_rcpt_pipelined),
                ("smtp_in.all_refused", x.all_refused),
            ]);
        }
        out.extend([
            ("access_denied", self.access_denied),
            ("unknown_user", self.unknown_user),
            ("unknown_user_later", self.unknown_user_later),
            ("greylisted", self.greylisted),
            ("blocklisted", self.blocklisted),
            ("spf_fail", self.spf_fail),
            ("dmarc_reject", self.dmarc_reject),
        ]);
        out.extend(self.too_big_mail.map(|t| ("too_big_mail", t)));
        out.extend([
            ("too_big_data", self.too_big_data),
            ("null_mx", self.null_mx),
            ("domain_not_found", self.domain_not_found),
            ("too_many_hops", self.too_many_hops),
        ]);
        out
    }
}

impl Typing {
    /// Every console wording, keyed as in `docs/sources.md`.
    pub fn templates(&self) -> Vec<(&'static str, Tpl)> {
        let t = self;
        let mut out = Vec::new();
        out.extend([
            ("typing.empty", t.empty),
            ("typing.unknown", t.unknown),
            ("typing.helo_syntax", t.helo_syntax),
            ("typing.ehlo_syntax", t.ehlo_syntax),
            ("typing.helo_ok", t.helo_ok),
            ("typing.mail_syntax", t.mail_syntax),
            ("typing.nested_mail", t.nested_mail),
            ("typing.bad_sender", t.bad_sender),
            ("typing.unknown_option", t.unknown_option),
            ("typing.bad_size", t.bad_size),
            ("typing.size_overflow", t.size_overflow),
            ("typing.rcpt_syntax", t.rcpt_syntax),
            ("typing.too_many_rcpts", t.too_many_rcpts),
            ("typing.data_syntax", t.data_syntax),
            ("typing.rset_syntax", t.rset_syntax),
            ("typing.noop", t.noop),
            ("typing.vrfy_syntax", t.vrfy_syntax),
            ("typing.vrfy_ok", t.vrfy_ok),
        ]);
        out.extend(t.forbidden.map(|x| ("typing.forbidden", x)));
        out.extend(t.expn.map(|x| ("typing.expn", x)));
        out.extend(t.help.map(|x| ("typing.help", x)));
        out.extend(t.etrn_syntax.map(|x| ("typing.etrn_syntax", x)));
        out.extend(t.etrn_denied.map(|x| ("typing.etrn_denied", x)));
        out.extend([
            ("typing.starttls_syntax", t.starttls_syntax),
            ("typing.tls_active", t.tls_active),
            ("typing.auth_syntax", t.auth_syntax),
            ("typing.auth_in_mail", t.auth_in_mail),
            ("typing.auth_mechanism", t.auth_mechanism),
            ("typing.auth_aborted", t.auth_aborted),
            ("typing.auth_bad_initial", t.auth_bad_initial),
            ("typing.auth_bad_response", t.auth_bad_response),
            ("typing.plain_prompt", t.plain_prompt),
            ("typing.login_prompts[0]", t.login_prompts[0]),
            ("typing.login_prompts[1]", t.login_prompts[1]),
            ("typing.too_many_errors", t.too_many_errors),
        ]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders() {
        let v = Vars { rcpt: "bob@corp-b.example", host: "mx", ..Vars::default() };
        assert_eq!(
            fill("<{rcpt}>: Relay access denied {unknown}", &v),
            "<bob@corp-b.example>: Relay access denied {unknown}"
        );
        assert_eq!(fill("open { brace", &v), "open { brace");
    }
}
