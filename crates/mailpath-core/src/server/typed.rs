//! The same server reading lines a person types (the console): each line is read as the software reads it —
//! the verb, then the argument judged by that command — and answered in the order of Postfix smtpd's checks,
//! with the words of the server's own software. Answers to `AUTH` challenges and the lines of a message after
//! `DATA` are read as what they are, not as commands.

use super::{Effect, Greylist, MessageFacts, ServerSession};
use crate::addr::{header_domain, Address};
use crate::command::{path_arg, read, Command, PathError, Verb};
use crate::flavour::{Kw, Tpl, Vars};
use crate::policy::{decide, Grey, RcptContext};
use crate::reply::{Reply, Severity, Text};
use crate::trace::Why;
use crate::world::PASSWORD;

/// What the next typed line is.
#[derive(Debug, Clone, Default)]
pub(crate) enum Pending {
    /// A command.
    #[default]
    Command,
    /// The answer to `AUTH PLAIN`'s empty challenge.
    Plain,
    /// The user name for `AUTH LOGIN`.
    LoginUser,
    /// The password for `AUTH LOGIN`, for this user.
    LoginPassword(String),
    /// A line of the message (after `354`); the text so far.
    Data(String),
}

/// How a typed line counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// A command (or an answer to an `AUTH` challenge).
    Command,
    /// A line of the message after `DATA`: no reply until the final `.`.
    MessageLine,
    /// The final `.` of the message.
    EndOfData,
    /// Nothing was sent: the server had hung up.
    NotConnected,
}

/// What the server made of one typed line.
#[derive(Debug, Clone)]
pub struct Heard {
    /// How the line counted.
    pub sent: Sent,
    /// Its replies, in order (none for a message line; two when the server answers and then hangs up).
    pub replies: Vec<(Reply, Effect)>,
}

/// Decodes a SASL response as Cyrus SASL's `sasl_decode64` does: groups of four characters, `=` padding only at
/// the end; the error is Cyrus's own words (`sasl_errstring`): bad characters are a protocol error, a short last
/// group asks for more.
fn sasl_decode64(text: &str) -> Result<Vec<u8>, &'static str> {
    const BADPROT: &str = "bad protocol / cancel";
    const CONTINUE: &str = "another step is needed in authentication";
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut saw_equal = false;
    let mut chunks = bytes.chunks_exact(4);
    for c in chunks.by_ref() {
        if saw_equal {
            return Err(BADPROT);
        }
        let (a, b) = (value(c[0]).ok_or(BADPROT)?, value(c[1]).ok_or(BADPROT)?);
        if (c[2] != b'=' && value(c[2]).is_none()) || (c[3] != b'=' && value(c[3]).is_none()) {
            return Err(BADPROT);
        }
        if c[2] == b'=' && c[3] != b'=' {
            return Err(BADPROT);
        }
        saw_equal = c[2] == b'=' || c[3] == b'=';
        out.push(((a << 2) | (b >> 4)) as u8);
        if c[2] != b'=' {
            let cc = value(c[2]).unwrap_or(0);
            out.push((((b << 4) & 0xf0) | (cc >> 2)) as u8);
            if c[3] != b'=' {
                out.push((((cc << 6) & 0xc0) | value(c[3]).unwrap_or(0)) as u8);
            }
        }
    }
    match (chunks.remainder().is_empty(), saw_equal) {
        (true, _) => Ok(out),
        (false, true) => Err(BADPROT),
        (false, false) => Err(CONTINUE),
    }
}

/// Whether an unknown command is not SMTP at all, as Postfix 3.7 judges it: `CONNECT`, `GET`, `POST`, a word
/// that starts with anything but a letter (`smtpd_forbidden_commands`), or a header line (`Subject: hi`).
fn forbidden(word: &str) -> bool {
    let starts_with_letter = word.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    let header = word.split_once(':').is_some_and(|(name, _)| {
        let name = name.trim_end_matches([' ', '\t']);
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
    });
    ["CONNECT", "GET", "POST"].iter().any(|w| w.eq_ignore_ascii_case(word)) || !starts_with_letter || header
}

/// The longest prefix of `line` of at most `limit` bytes, cut at a character boundary.
fn cut(line: &str, limit: usize) -> &str {
    if line.len() <= limit {
        return line;
    }
    let mut end = limit;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    &line[..end]
}

impl ServerSession<'_> {
    fn typing(&self) -> &'static crate::flavour::Typing {
        crate::flavours::typing(self.server.settings.flavour)
    }

    /// Answers one typed line.
    pub fn typed(&mut self, line: &str, greylist: &mut Greylist) -> Heard {
        if self.closed {
            return Heard { sent: Sent::NotConnected, replies: Vec::new() };
        }
        self.last_why = None;
        let t = self.typing();
        match std::mem::take(&mut self.pending) {
            Pending::Data(mut text) => {
                if line == "." {
                    let reply = self.typed_end_of_data(text);
                    return self.after(Sent::EndOfData, reply);
                }
                // Dot-stuffing (RFC 5321 §4.5.2): a leading dot was doubled by the client.
                text.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(line));
                text.push('\n');
                self.pending = Pending::Data(text);
                return Heard { sent: Sent::MessageLine, replies: Vec::new() };
            }
            Pending::Plain => {
                let reply = self.sasl_answer(line, |me, bytes| me.plain_login(&bytes));
                return self.after(Sent::Command, reply);
            }
            Pending::LoginUser => {
                let reply = self.sasl_answer(line, |me, bytes| {
                    me.pending = Pending::LoginPassword(String::from_utf8_lossy(&bytes).into_owned());
                    (me.typing().login_prompts[1].reply(&me.vars()), Effect::None)
                });
                return self.after(Sent::Command, reply);
            }
            Pending::LoginPassword(user) => {
                let reply = self.sasl_answer(line, |me, bytes| me.login(&user, &String::from_utf8_lossy(&bytes)));
                return self.after(Sent::Command, reply);
            }
            Pending::Command => {}
        }
        let reply = self.command(cut(line, t.line_limit), greylist);
        let verb = read(line).verb;
        let quit = verb == Verb::Quit && reply.0.severity() == Severity::Ok;
        // Commands that do nothing count as errors once there were too many of them (smtpd_junk_command_limit).
        if matches!(verb, Verb::Helo | Verb::Ehlo | Verb::Rset | Verb::Noop | Verb::Vrfy | Verb::Etrn) {
            self.junk += 1;
            if self.junk > t.junk_limit + 1 {
                self.errors += 1;
            }
        }
        let heard = self.after(Sent::Command, reply);
        if quit {
            self.closed = true;
        }
        heard
    }

    /// Counts a refusal; at the error limit the server says goodbye straight away, before reading another line
    /// (smtpd's loop checks the count before each read). A message taken resets the count.
    fn after(&mut self, sent: Sent, reply: (Reply, Effect)) -> Heard {
        let t = self.typing();
        if reply.1 == Effect::Queued {
            self.errors = 0;
            self.junk = 0;
        } else if matches!(reply.0.severity(), Severity::Transient | Severity::Permanent) && !self.uncounted {
            self.errors += 1;
        }
        self.uncounted = false;
        let mut replies = vec![reply];
        if self.errors >= t.error_limit && !self.closed {
            self.closed = true;
            replies.push(self.say(&t.too_many_errors));
        }
        Heard { sent, replies }
    }

    fn say(&self, tpl: &Tpl) -> (Reply, Effect) {
        (tpl.reply(&self.vars()), Effect::None)
    }

    fn say_arg(&self, tpl: &Tpl, arg: &str) -> (Reply, Effect) {
        (tpl.reply(&Vars { arg, ..self.vars() }), Effect::None)
    }

    /// One command line.
    fn command(&mut self, line: &str, greylist: &mut Greylist) -> (Reply, Effect) {
        let spec = self.spec;
        let t = self.typing();
        let l = read(line);
        let known = match l.verb {
            Verb::Empty => return self.say(&t.empty),
            Verb::Unknown => false,
            Verb::Expn => t.expn.is_some(),
            Verb::Help => t.help.is_some(),
            Verb::Etrn => t.etrn_syntax.is_some(),
            _ => true,
        };
        if !known {
            if let Some(goodbye) = t.forbidden.filter(|_| forbidden(l.word)) {
                // Not SMTP at all (a web request, a header line, a stray character): the server hangs up.
                self.closed = true;
                return self.say(&goodbye);
            }
            return self.say_arg(&t.unknown, l.word);
        }
        // Before TLS, a server that requires it answers only these (smtpd's SMTPD_CMD_FLAG_PRE_TLS).
        let pre_tls = matches!(l.verb, Verb::Helo | Verb::Ehlo | Verb::StartTls | Verb::Noop | Verb::Quit);
        if !pre_tls && self.tls_required() && !spec.submission.tls_only_at_mail {
            self.last_why = Some(Why::TlsRequired);
            return self.say(&spec.tls_first);
        }
        let arg = l.arg.trim_end_matches([' ', '\t']);
        // Exim answers a DATA right after a refused RCPT differently (see `ServerSession::data`).
        let after_rcpt = std::mem::replace(&mut self.last_was_rcpt, l.verb == Verb::Rcpt);
        match l.verb {
            Verb::Helo | Verb::Ehlo if arg.is_empty() => {
                self.say(if l.verb == Verb::Helo { &t.helo_syntax } else { &t.ehlo_syntax })
            }
            Verb::Helo => {
                self.helo = Some(arg.to_string());
                self.mail_from = None;
                self.accepted.clear();
                self.rcpt_response = None;
                self.say(&t.helo_ok)
            }
            Verb::Ehlo => self.handle(&Command::Ehlo(arg.to_string()), greylist, &MessageFacts::default()),
            Verb::StartTls if !arg.is_empty() => self.say(&t.starttls_syntax),
            Verb::StartTls if self.tls => self.say(&t.tls_active),
            Verb::StartTls => {
                let r = self.handle(&Command::StartTls, greylist, &MessageFacts::default());
                if r.1 == Effect::Tls {
                    self.mail_from = None;
                    self.accepted.clear();
                }
                r
            }
            Verb::Auth => self.auth(arg),
            Verb::Mail => self.typed_mail(arg),
            Verb::Rcpt => {
                let r = self.typed_rcpt(arg, greylist);
                self.keep_rcpt_response(&r.0);
                r
            }
            Verb::Data if self.mail_from.is_none() || self.accepted.is_empty() => self.data(after_rcpt),
            Verb::Data if !arg.is_empty() => self.say(&t.data_syntax),
            Verb::Data => {
                let r = self.data(after_rcpt);
                if r.0.severity() == Severity::Continue {
                    self.pending = Pending::Data(String::new());
                }
                r
            }
            Verb::Rset if !arg.is_empty() => self.say(&t.rset_syntax),
            Verb::Rset => self.handle(&Command::Rset, greylist, &MessageFacts::default()),
            Verb::Noop => self.say(&t.noop),
            Verb::Quit => self.handle(&Command::Quit, greylist, &MessageFacts::default()),
            Verb::Vrfy => self.vrfy(arg),
            Verb::Expn => self.say(t.expn.as_ref().unwrap_or(&t.unknown)),
            Verb::Help => {
                let tpl = t.help.unwrap_or(t.unknown);
                let mut r = tpl.reply(&self.vars());
                let text = r.text();
                r.lines = text.split('\n').map(|l| Text::Owned(l.to_string())).collect();
                (r, Effect::None)
            }
            Verb::Etrn => self.etrn(arg),
            // The console does not send BDAT (binary chunks cannot be typed); a server that gets it refuses it
            // as a command it will not take here.
            Verb::Bdat | Verb::Unknown | Verb::Empty => self.say_arg(&t.unknown, l.word),
        }
    }

    fn typed_mail(&mut self, arg: &str) -> (Reply, Effect) {
        let spec = self.spec;
        let t = self.typing();
        if t.helo_required && self.helo.is_none() {
            return self.say(&spec.need_ehlo);
        }
        if self.mail_from.is_some() {
            return self.say(&t.nested_mail);
        }
        let p = match path_arg(arg, "FROM:") {
            Ok(p) => p,
            Err(PathError::Unclosed) => return self.say(&t.bad_sender),
            Err(_) => return self.say(&t.mail_syntax),
        };
        if !p.path.is_empty() && Address::parse_as_server(p.path).is_err() {
            return self.say(&t.bad_sender);
        }
        let mut size = None;
        for param in &p.params {
            let upper = param.to_ascii_uppercase();
            if let Some(n) = upper.strip_prefix("SIZE=") {
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return self.say(&t.bad_size);
                }
                match n.parse::<u64>() {
                    Ok(n) if n <= i64::MAX as u64 => size = Some(usize::try_from(n).unwrap_or(usize::MAX)),
                    _ => return self.say(&t.size_overflow),
                }
            } else if !matches!(upper.as_str(), "BODY=8BITMIME" | "BODY=7BIT" | "SMTPUTF8")
                && !upper.starts_with("RET=")
                && !upper.starts_with("ENVID=")
                && !upper.starts_with("AUTH=")
            {
                return self.say_arg(&t.unknown_option, param);
            }
        }
        self.mail(p.path, size)
    }

    fn typed_rcpt(&mut self, arg: &str, greylist: &mut Greylist) -> (Reply, Effect) {
        let spec = self.spec;
        let t = self.typing();
        if self.mail_from.is_none() {
            return self.say(&spec.need_mail);
        }
        let p = match path_arg(arg, "TO:") {
            Ok(p) => p,
            Err(PathError::Unclosed) => return self.say_arg(&spec.bad_rcpt_syntax, arg),
            Err(_) => return self.say(&t.rcpt_syntax),
        };
        if p.path.is_empty() {
            return self.say_arg(&spec.bad_rcpt_syntax, p.path);
        }
        for param in &p.params {
            let upper = param.to_ascii_uppercase();
            if !upper.starts_with("NOTIFY=") && !upper.starts_with("ORCPT=") {
                return self.say_arg(&t.unknown_option, param);
            }
        }
        if self.accepted.len() >= t.rcpt_limit {
            // Not counted as an error for the first overshoots (smtpd_recipient_overshoot_limit).
            self.overshoot += 1;
            self.uncounted = self.overshoot <= t.rcpt_limit;
            return self.say(&t.too_many_rcpts);
        }
        self.rcpt(p.path, greylist)
    }

    fn vrfy(&mut self, arg: &str) -> (Reply, Effect) {
        let spec = self.spec;
        let t = self.typing();
        if arg.is_empty() {
            return self.say(&t.vrfy_syntax);
        }
        let inner = arg.strip_prefix('<').and_then(|a| a.strip_suffix('>')).unwrap_or(arg);
        let Ok(rcpt) = Address::parse_as_server(inner) else {
            return self.say_arg(&spec.bad_rcpt_syntax, arg);
        };
        let ctx = RcptContext {
            server: self.server,
            spec,
            submission: self.submission(),
            client_ip: self.client_ip,
            client_ip_text: &self.ip_text,
            helo: self.helo.as_deref().unwrap_or(""),
            authenticated: self.auth_user.is_some(),
            pop_fresh: self.pop_fresh,
            sender: None,
            zone: self.zone,
            t: self.t,
            grey: Grey::Passed,
        };
        let (decision, reply) = decide(&ctx, &rcpt);
        if reply.severity() != Severity::Ok {
            self.last_why = Some(decision.why);
            return (reply, Effect::Decision(decision));
        }
        (t.vrfy_ok.reply(&Vars { arg, ..self.vars() }), Effect::Decision(decision))
    }

    fn etrn(&mut self, arg: &str) -> (Reply, Effect) {
        let spec = self.spec;
        let t = self.typing();
        if t.helo_required && self.helo.is_none() {
            return self.say(&spec.need_ehlo);
        }
        if self.mail_from.is_some() {
            return self.say(&t.auth_in_mail);
        }
        let (Some(syntax), Some(denied)) = (t.etrn_syntax, t.etrn_denied) else {
            return self.say(&t.unknown);
        };
        if arg.is_empty() || arg.contains([' ', '\t']) {
            return self.say(&syntax);
        }
        let domain = arg.trim_start_matches(['@', '#']);
        self.say_arg(&denied, domain)
    }

    /// `AUTH mechanism [initial-response]`, in smtpd_sasl_auth_cmd's order of checks.
    fn auth(&mut self, arg: &str) -> (Reply, Effect) {
        let spec = self.spec;
        let t = self.typing();
        if !self.offers_auth() {
            self.last_why = Some(Why::AuthUnavailable);
            return self.say(&spec.auth_not_enabled);
        }
        if self.mail_from.is_some() {
            return self.say(&t.auth_in_mail);
        }
        if self.auth_user.is_some() {
            return self.say(&spec.already_authenticated);
        }
        let words: Vec<&str> = arg.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
        if words.is_empty() || words.len() > 2 {
            return self.say(&t.auth_syntax);
        }
        let mechanism = words[0].to_ascii_uppercase();
        let offered = spec.keywords.iter().any(|k| match k {
            Kw::Auth(mechs) => mechs.split(' ').any(|m| m == mechanism),
            _ => false,
        });
        if !offered {
            self.last_why = Some(Why::AuthFailed);
            return self.say_arg(&t.auth_mechanism, words[0]);
        }
        let initial = words.get(1).copied();
        // `=` is an empty initial response (RFC 4954 §4).
        let decoded = match initial {
            None => None,
            Some("=") => Some(Vec::new()),
            Some(text) => match sasl_decode64(text) {
                Ok(bytes) => Some(bytes),
                Err(why) => {
                    self.last_why = Some(Why::AuthFailed);
                    return self.say_arg(&t.auth_bad_initial, why);
                }
            },
        };
        match (mechanism.as_str(), decoded) {
            ("PLAIN", Some(bytes)) => self.plain_login(&bytes),
            ("PLAIN", None) => {
                self.pending = Pending::Plain;
                self.say(&t.plain_prompt)
            }
            (_, Some(bytes)) => {
                self.pending = Pending::LoginPassword(String::from_utf8_lossy(&bytes).into_owned());
                self.say(&t.login_prompts[1])
            }
            (_, None) => {
                self.pending = Pending::LoginUser;
                self.say(&t.login_prompts[0])
            }
        }
    }

    /// A line answering a `334` challenge: `*` cancels, anything else must be base64.
    fn sasl_answer(&mut self, line: &str, then: impl FnOnce(&mut Self, Vec<u8>) -> (Reply, Effect)) -> (Reply, Effect) {
        let t = self.typing();
        if line == "*" {
            return self.say(&t.auth_aborted);
        }
        match sasl_decode64(line) {
            Ok(bytes) => then(self, bytes),
            Err(why) => {
                self.last_why = Some(Why::AuthFailed);
                self.say_arg(&t.auth_bad_response, why)
            }
        }
    }

    /// `AUTH PLAIN`'s `authzid \0 user \0 password`.
    fn plain_login(&mut self, bytes: &[u8]) -> (Reply, Effect) {
        let text = String::from_utf8_lossy(bytes);
        let parts: Vec<&str> = text.split('\0').collect();
        match parts.as_slice() {
            [authz, user, password] if authz.is_empty() || authz == user => self.login(user, password),
            _ => {
                self.last_why = Some(Why::AuthFailed);
                self.say(&self.spec.auth_failed)
            }
        }
    }

    fn login(&mut self, user: &str, password: &str) -> (Reply, Effect) {
        if password == PASSWORD && self.server.has_account(user) {
            self.auth_user = Some(user.to_string());
            self.say(&self.spec.auth_ok)
        } else {
            self.last_why = Some(Why::AuthFailed);
            self.say(&self.spec.auth_failed)
        }
    }

    /// The final `.` of a typed message: the server judges what it can see of it.
    fn typed_end_of_data(&mut self, text: String) -> (Reply, Effect) {
        let (head, _) = text.split_once("\n\n").unwrap_or((&text, ""));
        let field = |name: &str| {
            head.lines().find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
        };
        let from = field("From").unwrap_or_default();
        let hops = head.lines().filter(|l| l.len() > 9 && l[..9].eq_ignore_ascii_case("received:")).count();
        let facts = MessageFacts { bytes: text.len(), header_from_domain: header_domain(&from), dkim: None, hops };
        let r = self.end_of_data(&facts);
        if r.1 == Effect::Queued {
            let from = self.mail_from.clone().map(|a| a.map_or(String::new(), |a| a.raw().to_string()));
            let rcpts = self.accepted.iter().map(|a| a.raw().to_string()).collect();
            self.message = Some(TypedMessage { text, from: from.unwrap_or_default(), rcpts });
        }
        // The transaction is over, taken or not (smtpd's mail_reset after DATA).
        self.mail_from = None;
        self.accepted.clear();
        r
    }

    /// The message the server took at the last end of data; taken once.
    pub fn take_message(&mut self) -> Option<TypedMessage> {
        self.message.take()
    }

    /// The name the client gave in HELO or EHLO, if any.
    pub fn helo_name(&self) -> Option<&str> {
        self.helo.as_deref()
    }

    /// Gives the next message its own queue id (each transaction gets one).
    pub fn set_queue_id(&mut self, id: String) {
        self.queue_id = id;
    }

    /// What the next typed line is read as.
    pub fn expects(&self) -> Expect {
        match &self.pending {
            _ if self.closed => Expect::Nothing,
            Pending::Command => Expect::Command,
            Pending::Plain | Pending::LoginUser | Pending::LoginPassword(_) => Expect::AuthAnswer,
            Pending::Data(_) => Expect::MessageLine,
        }
    }

    /// Whether a mail transaction is open (after an accepted `MAIL`).
    pub fn in_transaction(&self) -> bool {
        self.mail_from.is_some()
    }

    /// Whether a client said `HELO` or `EHLO` (since the last `STARTTLS`).
    pub fn greeted(&self) -> bool {
        self.helo.is_some()
    }
}

/// A message a person typed and the server took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedMessage {
    /// Its text as typed (dot-stuffing undone), lines ending in `\n`.
    pub text: String,
    /// The envelope sender (`""` for `<>`).
    pub from: String,
    /// The recipients the server took, as typed.
    pub rcpts: Vec<String>,
}

/// What a server reads the next typed line as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expect {
    /// A command.
    #[default]
    Command,
    /// The answer to a `334` challenge.
    AuthAnswer,
    /// A line of the message (end with a line holding only `.`).
    MessageLine,
    /// Nothing: it has hung up.
    Nothing,
}
