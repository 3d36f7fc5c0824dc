//! One SMTP server's side of a conversation: a state machine that answers each command as the server's
//! software would (Postfix smtpd's order of checks; the words from [`crate::flavours`]).

use crate::addr::Address;
use crate::command::Command;
use crate::dns::Zone;
use crate::flavour::{Kw, Spec, Vars};
use crate::flavours::spec;
use crate::policy::{decide, resolve, Grey, RcptContext};
use crate::reply::Reply;
use crate::scenario::Flavour;
use crate::time::{DateTime, Secs};
use crate::trace::{Decision, Why};
use crate::world::{ServerConfig, PASSWORD};
use std::net::Ipv4Addr;

mod typed;
pub use typed::{Expect, Heard, Sent, TypedMessage};

/// Which SMTP service answers on a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Port 25: MTA-to-MTA SMTP.
    Smtp,
    /// Port 587: submission with STARTTLS.
    Submission,
    /// Port 465: submission over implicit TLS.
    Submissions,
}

/// The service a server runs on `port`, if any.
pub fn service(server: &ServerConfig, port: u16) -> Option<Service> {
    let sub = server.settings.submission && spec(server.settings.flavour).submission.exists;
    match port {
        25 => Some(Service::Smtp),
        587 if sub => Some(Service::Submission),
        465 if sub => Some(Service::Submissions),
        _ => None,
    }
}

/// Greylisting memory (postgrey's triplets) shared by every session of a run.
#[derive(Debug, Clone, Default)]
pub struct Greylist {
    seen: Vec<(Ipv4Addr, String, String, Secs)>,
}

/// postgrey's default `--delay`: a retry passes after 300 seconds.
pub const GREYLIST_DELAY: Secs = 300;

impl Greylist {
    fn check(&self, ip: Ipv4Addr, from: &str, rcpt: &str, t: Secs) -> Grey {
        match self.seen.iter().find(|(i, f, r, _)| *i == ip && f == from && r == rcpt) {
            Some((.., first)) if t >= first + GREYLIST_DELAY => Grey::Passed,
            _ => Grey::Wait,
        }
    }

    fn remember(&mut self, ip: Ipv4Addr, from: &str, rcpt: &str, t: Secs) {
        if !self.seen.iter().any(|(i, f, r, _)| *i == ip && f == from && r == rcpt) {
            self.seen.push((ip, from.to_string(), rcpt.to_string(), t));
        }
    }
}

/// What the server can see of the message at the end of DATA.
#[derive(Debug, Clone, Copy, Default)]
pub struct MessageFacts<'m> {
    /// Size in bytes.
    pub bytes: usize,
    /// The domain of the `From:` header.
    pub header_from_domain: &'m str,
    /// The domain that signed it with DKIM, if any.
    pub dkim: Option<&'m str>,
    /// How many `Received:` lines it already carries.
    pub hops: usize,
}

/// What a command did besides the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing more.
    None,
    /// TLS starts now.
    Tls,
    /// A decision about a recipient.
    Decision(Decision),
    /// The message was taken: its queue id.
    Queued,
}

/// The server side of one session.
pub struct ServerSession<'a> {
    /// The server.
    pub server: &'a ServerConfig,
    /// Its flavour's words.
    pub spec: &'static Spec,
    /// The service answering.
    pub service: Service,
    zone: &'a Zone,
    client_ip: Ipv4Addr,
    t: Secs,
    pop_fresh: bool,
    helo: Option<String>,
    /// TLS is up.
    pub tls: bool,
    /// The user who logged in, if any.
    pub auth_user: Option<String>,
    mail_from: Option<Option<Address>>,
    accepted: Vec<Address>,
    queue_id: String,
    /// Why the last refusal happened (for explanations).
    pub last_why: Option<Why>,
    ip_text: String,
    /// The client as reverse DNS names it: `name [ip]` or `[ip]`.
    client_text: String,
    date_text: String,
    limit_text: String,
    /// What the next typed line is (a command, an answer to an AUTH challenge, a line of the message).
    pending: typed::Pending,
    /// Refused commands so far (for the error limit).
    errors: u32,
    /// Commands that do nothing, so far (HELO, EHLO, RSET, NOOP, VRFY, ETRN).
    junk: u32,
    /// The last refusal does not count as an error.
    uncounted: bool,
    /// Recipients refused for being one too many.
    overshoot: usize,
    /// The server has hung up (after QUIT, or too many errors).
    pub closed: bool,
    /// The last message typed after DATA, once the server took it.
    message: Option<typed::TypedMessage>,
    /// Exim: syntax and protocol errors so far (`smtp_max_synprot_errors`).
    synprot: u32,
    /// Exim: the last command was a `RCPT`.
    last_was_rcpt: bool,
    /// Exim: the first `RCPT` reply of the transaction (its lines as Exim keeps them), and whether every later one
    /// said the same.
    rcpt_response: Option<(Vec<String>, bool)>,
}

/// Who a recipient is for duplicate suppression: the local part and domain after rewriting, any local domain
/// standing for the local user (`None` for the domain).
#[inline(never)]
fn recipient_key(a: &Address, server: &ServerConfig) -> (String, Option<String>) {
    let r = resolve(a, server);
    let domain = (r.final_class != Some(false)).then(|| r.domain.to_ascii_lowercase());
    (r.local.to_ascii_lowercase(), domain)
}

impl<'a> ServerSession<'a> {
    /// A new session from `client_ip` at time `t`; `pop_fresh` if that address logged in to POP recently.
    pub fn new(
        server: &'a ServerConfig,
        service: Service,
        zone: &'a Zone,
        client_ip: Ipv4Addr,
        t: Secs,
        pop_fresh: bool,
        queue_id: String,
    ) -> Self {
        ServerSession {
            server,
            spec: spec(server.settings.flavour),
            service,
            zone,
            client_ip,
            t,
            pop_fresh,
            helo: None,
            tls: service == Service::Submissions,
            auth_user: None,
            mail_from: None,
            accepted: Vec::new(),
            queue_id,
            last_why: None,
            ip_text: client_ip.to_string(),
            client_text: match zone.ptr(client_ip) {
                Some(name) => format!("{name} [{client_ip}]"),
                None => format!("[{client_ip}]"),
            },
            // Only some banners print the date; formatting it is not free.
            date_text: if server.settings.flavour == Flavour::Exim {
                DateTime::at(t).exim()
            } else if server.settings.flavour == Flavour::Sendmail {
                DateTime::at(t).sendmail()
            } else if spec(server.settings.flavour).greeting.text.contains("{date}") {
                DateTime::at(t).to_string()
            } else {
                String::new()
            },
            limit_text: (u64::from(server.settings.size_limit_kb) * 1024).to_string(),
            pending: typed::Pending::Command,
            errors: 0,
            junk: 0,
            uncounted: false,
            overshoot: 0,
            closed: false,
            message: None,
            synprot: 0,
            last_was_rcpt: false,
            rcpt_response: None,
        }
    }

    fn submission(&self) -> bool {
        self.service != Service::Smtp
    }

    fn vars(&self) -> Vars<'_> {
        Vars {
            host: &self.server.hostname,
            helo: self.helo.as_deref().unwrap_or(""),
            ip: &self.ip_text,
            client: &self.client_text,
            id: &self.queue_id,
            date: &self.date_text,
            limit: &self.limit_text,
            ..Vars::default()
        }
    }

    /// The 220 greeting.
    pub fn greeting(&self) -> Reply {
        self.spec.greeting.reply(&self.vars())
    }

    /// Whether STARTTLS is offered now.
    pub fn offers_tls(&self) -> bool {
        self.server.settings.tls && !self.tls && self.spec.keywords.contains(&Kw::StartTls)
    }

    /// Whether the server offers PIPELINING.
    pub fn offers_pipelining(&self) -> bool {
        self.spec.keywords.contains(&Kw::Always("PIPELINING"))
    }

    /// Whether AUTH is offered now.
    pub fn offers_auth(&self) -> bool {
        let sasl = self.server.settings.sasl || self.submission();
        let needs_tls = (self.submission() && !self.spec.submission.auth_without_tls) || self.spec.auth_after_tls;
        sasl && self.spec.keywords.iter().any(|k| matches!(k, Kw::Auth(_))) && (self.tls || !needs_tls)
    }

    fn tls_required(&self) -> bool {
        self.submission() && self.spec.submission.tls_required && !self.tls
    }

    fn ehlo(&self) -> Reply {
        let v = self.vars();
        let mut lines: Vec<crate::reply::Text> = Vec::with_capacity(self.spec.keywords.len() + 1);
        lines.push(crate::flavour::fill(self.spec.ehlo_line, &v).into());
        for kw in self.spec.keywords {
            match kw {
                Kw::Always(k) => lines.push((*k).into()),
                Kw::Size => lines.push(format!("SIZE {}", u64::from(self.server.settings.size_limit_kb) * 1024).into()),
                Kw::StartTls if self.offers_tls() => lines.push("STARTTLS".into()),
                Kw::Auth("PLAIN LOGIN") if self.offers_auth() => lines.push("AUTH PLAIN LOGIN".into()),
                Kw::Auth(mechs) if self.offers_auth() => lines.push(format!("AUTH {mechs}").into()),
                _ => {}
            }
        }
        Reply { code: 250, status: None, lines, unconfirmed: false }
    }

    /// Answers one command.
    pub fn handle(&mut self, cmd: &Command, greylist: &mut Greylist, msg: &MessageFacts) -> (Reply, Effect) {
        let after_rcpt = std::mem::replace(&mut self.last_was_rcpt, matches!(cmd, Command::Rcpt(_)));
        let (reply, effect) = self.answer(cmd, greylist, msg, after_rcpt);
        if matches!(cmd, Command::Rcpt(_)) {
            self.keep_rcpt_response(&reply);
        }
        (reply, effect)
    }

    /// Exim keeps the first `RCPT` reply of a transaction (an ACL's message as its text lines, a syntax error as
    /// the whole line with its code) and notes whether every later one said the same.
    fn keep_rcpt_response(&mut self, reply: &Reply) {
        if self.spec.smtp_in.is_none() {
            return;
        }
        let kept: Vec<String> = if reply.code == 501 {
            vec![format!("{} {}", reply.code, reply.lines.first().map_or("", |l| l.as_ref()))]
        } else {
            reply.lines.iter().map(|l| l.to_string()).collect()
        };
        match &mut self.rcpt_response {
            None => self.rcpt_response = Some((kept, true)),
            Some((first, same)) => *same &= *first == kept,
        }
    }

    /// Exim counts a syntax or protocol error; the one after `smtp_max_synprot_errors` says so on a last line and
    /// drops the connection.
    fn synprot_error(&mut self, mut reply: Reply) -> Reply {
        let Some(x) = self.spec.smtp_in else { return reply };
        self.synprot += 1;
        if self.synprot > x.max_errors {
            reply.lines.push(x.too_many.text.into());
            self.closed = true;
        }
        reply
    }

    fn answer(
        &mut self,
        cmd: &Command,
        greylist: &mut Greylist,
        msg: &MessageFacts,
        after_rcpt: bool,
    ) -> (Reply, Effect) {
        let spec = self.spec;
        let plain = |tpl: &crate::flavour::Tpl, s: &Self| tpl.reply(&s.vars());
        self.last_why = None;
        match cmd {
            // Typed lines are read by [`ServerSession::typed`], with the state a person's session has (an AUTH
            // challenge, a message being typed); the simulated clients never send one through here, and the
            // engine keeps the two apart so the console's reader loads only with the console.
            Command::Typed(_) => (plain(&spec.not_offered, self), Effect::None),
            Command::Ehlo(name) => {
                self.helo = Some(name.clone());
                self.mail_from = None;
                self.accepted.clear();
                self.rcpt_response = None;
                (self.ehlo(), Effect::None)
            }
            Command::Quit => (plain(&spec.quit, self), Effect::None),
            Command::StartTls if self.offers_tls() => {
                self.tls = true;
                self.helo = None;
                (plain(&spec.starttls, self), Effect::Tls)
            }
            Command::StartTls => (plain(&spec.not_offered, self), Effect::None),
            // Postfix with smtpd_tls_security_level=encrypt answers everything but EHLO, STARTTLS and QUIT so
            // (OpenSMTPD only MAIL FROM, in `mail`).
            _ if self.tls_required() && !spec.submission.tls_only_at_mail => {
                self.last_why = Some(Why::TlsRequired);
                (plain(&spec.tls_first, self), Effect::None)
            }
            Command::Rset => {
                self.mail_from = None;
                self.accepted.clear();
                self.rcpt_response = None;
                (plain(&spec.rset, self), Effect::None)
            }
            _ if self.helo.is_none() => (plain(&spec.need_ehlo, self), Effect::None),
            Command::AuthPlain { user, password } => {
                if !self.offers_auth() {
                    self.last_why = Some(Why::AuthUnavailable);
                    (plain(&spec.auth_not_enabled, self), Effect::None)
                } else if self.auth_user.is_some() {
                    (plain(&spec.already_authenticated, self), Effect::None)
                } else if password == PASSWORD && self.server.has_account(user) {
                    self.auth_user = Some(user.clone());
                    (plain(&spec.auth_ok, self), Effect::None)
                } else {
                    self.last_why = Some(Why::AuthFailed);
                    (plain(&spec.auth_failed, self), Effect::None)
                }
            }
            Command::Mail { from, size } => self.mail(from, *size),
            Command::Rcpt(to) => self.rcpt(to, greylist),
            Command::Data => self.data(after_rcpt),
            Command::EndOfData => self.end_of_data(msg),
        }
    }

    /// `DATA`: outside a transaction the server needs RCPT; inside one with no recipient taken, it has none valid
    /// (Postfix's data_cmd). Exim repeats the recipients' common refusal and, right after a refused `RCPT`, does
    /// not count the `DATA` as an error.
    fn data(&mut self, after_rcpt: bool) -> (Reply, Effect) {
        let spec = self.spec;
        if !self.accepted.is_empty() && self.mail_from.is_some() {
            return (spec.data_go.reply(&self.vars()), Effect::None);
        }
        let tpl = if self.mail_from.is_none() { &spec.need_rcpt } else { &spec.no_valid_recipients };
        let Some(x) = spec.smtp_in else { return (tpl.reply(&self.vars()), Effect::None) };
        let mut lines: Vec<crate::reply::Text> = Vec::new();
        if let Some((first, true)) = &self.rcpt_response {
            lines.push(x.all_refused.text.into());
            lines.extend(first.iter().map(|l| l.clone().into()));
        }
        let pipelined = after_rcpt && self.spec.keywords.contains(&Kw::Always("PIPELINING"));
        let last = if pipelined { x.no_rcpt_pipelined } else { *tpl };
        let mut reply = last.reply(&self.vars());
        lines.append(&mut reply.lines);
        reply.lines = lines;
        if !pipelined {
            reply = self.synprot_error(reply);
        }
        (reply, Effect::None)
    }

    fn mail(&mut self, from: &str, size: Option<usize>) -> (Reply, Effect) {
        let spec = self.spec;
        if self.tls_required() {
            self.last_why = Some(Why::TlsRequired);
            return (spec.tls_first.reply(&self.vars()), Effect::None);
        }
        if self.submission() && self.auth_user.is_none() {
            if let Some(tpl) = spec.submission.auth_required_at_mail {
                self.last_why = Some(Why::AuthRequired);
                return (tpl.reply(&self.vars()), Effect::None);
            }
        }
        let limit = self.server.settings.size_limit_kb as usize * 1024;
        if let Some(tpl) = spec.too_big_mail.filter(|_| size.is_some_and(|n| n > limit)) {
            self.last_why = Some(Why::TooBig);
            return (tpl.reply(&self.vars()), Effect::None);
        }
        let parsed = if from.is_empty() { None } else { Address::parse_as_server(from).ok() };
        if let Some(reply) = self.literal_refused(parsed.as_ref(), from) {
            self.last_why = Some(Why::AddressLiteral);
            return (reply, Effect::None);
        }
        self.mail_from = Some(parsed);
        self.accepted.clear();
        let v = Vars { from, ..self.vars() };
        (spec.mail_ok.reply(&v), Effect::None)
    }

    /// Exim refuses an address literal as a domain (`allow_domain_literals` is false by default), counting it as
    /// a syntax error.
    fn literal_refused(&mut self, addr: Option<&Address>, sent: &str) -> Option<Reply> {
        let x = self.spec.smtp_in?;
        if !addr?.domain().is_some_and(|d| d.starts_with('[')) {
            return None;
        }
        let reply = x.literal.reply(&Vars { arg: sent, ..self.vars() });
        Some(self.synprot_error(reply))
    }

    fn rcpt(&mut self, to: &str, greylist: &mut Greylist) -> (Reply, Effect) {
        let Some(sender) = self.mail_from.clone() else {
            return (self.spec.need_mail.reply(&self.vars()), Effect::None);
        };
        let unquotable = |a: &Address| self.spec.addressing == crate::flavour::Addressing::Unquoted && !a.is_dot_atom();
        let Some(mut rcpt) = Address::parse_as_server(to).ok().filter(|a| !unquotable(a)) else {
            return (self.spec.bad_rcpt_syntax.reply(&Vars { rcpt: to, ..self.vars() }), Effect::None);
        };
        if self.spec.addressing == crate::flavour::Addressing::Unquoted && rcpt.domain().is_none() {
            // OpenSMTPD completes a bare local part with its host name, and says so in its replies.
            if let Ok(full) = Address::parse_as_server(&format!("{}@{}", rcpt.local(), self.server.hostname)) {
                rcpt = full;
            }
        }
        if let Some(reply) = self.literal_refused(Some(&rcpt), to) {
            self.last_why = Some(Why::AddressLiteral);
            return (reply, Effect::None);
        }
        if let Some(tpl) = self.spec.route_in_local.filter(|_| !rcpt.is_quoted() && rcpt.local().contains('@')) {
            return (tpl.reply(&Vars { rcpt: rcpt.raw(), ..self.vars() }), Effect::None);
        }
        let from = sender.as_ref().map_or("", |a| a.raw());
        let grey = greylist.check(self.client_ip, from, rcpt.raw(), self.t);
        let ctx = RcptContext {
            server: self.server,
            spec: self.spec,
            submission: self.submission(),
            client_ip: self.client_ip,
            client_ip_text: &self.ip_text,
            helo: self.helo.as_deref().unwrap_or(""),
            authenticated: self.auth_user.is_some(),
            pop_fresh: self.pop_fresh,
            sender: sender.as_ref(),
            zone: self.zone,
            t: self.t,
            grey,
        };
        let (decision, mut reply) = decide(&ctx, &rcpt);
        if let Some(x) = self.spec.smtp_in {
            if reply.lines.len() == 1 && reply.lines[0].chars().count() > x.wrap {
                reply.lines = x.wrap_text(&reply.lines[0]).into_iter().map(Into::into).collect();
            }
        }
        if decision.why == Why::Greylisted {
            greylist.remember(self.client_ip, from, rcpt.raw(), self.t);
        }
        if reply.severity() == crate::reply::Severity::Ok {
            if self.spec.echo_as_sent {
                // Sendmail keeps one copy of a recipient given twice (a local user by any of its local domains)
                // and names it by its first form.
                let key = recipient_key(&rcpt, self.server);
                if let Some(first) = self.accepted.iter().find(|a| recipient_key(a, self.server) == key) {
                    let (now, then) = (format!("<{}>", rcpt.raw()), format!("<{}>", first.raw()));
                    for line in &mut reply.lines {
                        *line = line.replace(&now, &then).into();
                    }
                }
            }
            self.accepted.push(rcpt);
        } else {
            self.last_why = Some(decision.why);
        }
        (reply, Effect::Decision(decision))
    }

    fn end_of_data(&mut self, msg: &MessageFacts) -> (Reply, Effect) {
        let spec = self.spec;
        let (reply, why) = {
            let v = self.vars();
            if msg.hops >= spec.max_hops {
                (spec.too_many_hops.reply(&v), Some(Why::MailLoop))
            } else if msg.bytes > self.server.settings.size_limit_kb as usize * 1024 {
                (spec.too_big_data.reply(&v), Some(Why::TooBig))
            } else if self.dmarc_rejects(msg) {
                (spec.dmarc_reject.reply(&Vars { domain: msg.header_from_domain, ..v }), Some(Why::DmarcReject))
            } else {
                (spec.queued.reply(&v), None)
            }
        };
        self.last_why = why;
        let effect = if why.is_none() { Effect::Queued } else { Effect::None };
        (reply, effect)
    }

    /// DMARC (RFC 7489): the From: domain asks for rejection and neither DKIM nor SPF passes aligned with it.
    fn dmarc_rejects(&self, msg: &MessageFacts) -> bool {
        let st = &self.server.settings;
        let spared = crate::net::any_contains(&self.server.mynetworks, self.client_ip)
            || crate::net::any_contains(&self.server.exempt, self.client_ip)
            || self.auth_user.is_some();
        if !st.dmarc || spared || !self.zone.dmarc_rejects(msg.header_from_domain) {
            return false;
        }
        let dkim_aligned = msg.dkim.is_some_and(|d| d.eq_ignore_ascii_case(msg.header_from_domain));
        let mail_domain = self.mail_from.as_ref().and_then(|a| a.as_ref()).and_then(|a| a.domain()).unwrap_or("");
        let spf_aligned = mail_domain.eq_ignore_ascii_case(msg.header_from_domain)
            && self.zone.spf_allows(mail_domain, self.client_ip) == Some(true);
        !(dkim_aligned || spf_aligned)
    }

    /// Recipients accepted so far in this transaction.
    pub fn accepted(&self) -> &[Address] {
        &self.accepted
    }

    /// The queue id this session's message gets.
    pub fn queue_id(&self) -> &str {
        &self.queue_id
    }
}
