//! Who wrote a bounce, from its own fixed sentences, and what each software's plain-text format says: the
//! remote server, the command, the reply. RFC 3464's `message/delivery-status` fields are read here too.

use super::text::{address_in, after, find_ci, first_reply, has, host, ip, ReplyLine};
use super::Software;

/// What a notice's text says, as far as it says it.
#[derive(Debug, Default, Clone)]
pub struct Found {
    /// The reporting server (`This is the mail system at host …`).
    pub reporting: Option<String>,
    /// The remote server's name.
    pub remote: Option<String>,
    /// Its address.
    pub remote_ip: Option<String>,
    /// The command, in the simulator's spelling (`RCPT TO`, `end of DATA`, `connect`), and the words that say it.
    pub command: Option<(&'static str, &'static str)>,
    /// The refusing reply.
    pub reply: Option<(usize, ReplyLine)>,
    /// The failed recipient.
    pub recipient: Option<String>,
    /// A local reason without a reply (`Connection refused`, `Host not found`).
    pub local: Option<(usize, String)>,
    /// The sending server gave up after retrying.
    pub gave_up: bool,
    /// Only a warning: the sending server is still trying.
    pub warning: bool,
}

/// The fixed sentences each software writes, in the order they are tried.
const MARKS: &[(Software, &[&str])] = &[
    (Software::OutlookExpress, &["Error Number: 0x800CCC", "Secure(SSL):"]),
    (Software::Thunderbird, &["The mail server responded:", "Sending of the message failed."]),
    (
        Software::Postfix,
        &[
            "This is the mail system at host",
            "X-Postfix-Queue-ID",
            "X-Postfix;",
            "X-Postfix-Sender",
            // Postfix's smtp client words every remote refusal so, whatever the bounce's preamble says.
            "(in reply to RCPT TO command)",
            "(in reply to MAIL FROM command)",
            "(in reply to end of DATA command)",
        ],
    ),
    (Software::Qmail, &["This is the qmail-send program", "I'm afraid I wasn't able to deliver your message"]),
    (
        Software::OpenSmtpd,
        &[
            "This is the MAILER-DAEMON, please DO NOT REPLY",
            "while attempting to deliver a message for the following list of recipients",
        ],
    ),
    (
        Software::Gmail,
        &[
            "mailer-daemon@googlemail.com",
            "Google tried to deliver your message",
            "** Address not found **",
            "** Message not delivered **",
            "Delivery to the following recipient failed permanently",
            "Delivery to the following recipient has been delayed",
            "Technical details of permanent failure",
        ],
    ),
    // Not "This message was created automatically by mail delivery software": other software writes it too.
    (
        Software::Exim,
        &[
            "SMTP error from remote mail",
            "X-Failed-Recipients:",
            "address(es) failed:",
            "------ This is a copy of the message, including all the headers. ------",
        ],
    ),
    (
        Software::Sendmail,
        &[
            "----- Transcript of session follows -----",
            "The original message was received at",
            "----- The following addresses had permanent fatal errors -----",
        ],
    ),
    (
        Software::Exchange,
        &[
            "Delivery has failed to these recipients or groups",
            "Delivery is delayed to these recipients or groups",
            "Diagnostic information for administrators",
            "Generating server:",
            "Your message couldn't be delivered",
            "Remote Server returned",
        ],
    ),
    (Software::Gmail, &["The response from the remote server was:"]),
    (Software::Stalwart, &["Stalwart", "Your message could not be delivered to the following recipients:"]),
];

/// Header fields only one software's bounces carry.
const HEADER_MARKS: &[(Software, &str)] = &[
    (Software::Exim, "X-Failed-Recipients:"),
    (Software::Exchange, "X-MS-Exchange-Message-Is-Ndr"),
    // Exchange's NDRs come from the "MicrosoftExchange…@" system mailbox.
    (Software::Exchange, "<MicrosoftExchange"),
    (Software::Gmail, "mailer-daemon@googlemail.com"),
];

/// The software whose bounces carry a header field of `head` (the header block as `Name: value` lines).
pub fn software_by_header(head: &str) -> Option<(Software, usize, usize)> {
    HEADER_MARKS.iter().find_map(|(s, m)| find_ci(head, m).map(|i| (*s, i, i + m.len())))
}

/// The software that wrote `t`, by its fixed sentences, and where the first one is.
pub fn software(t: &str) -> Option<(Software, usize, usize)> {
    MARKS.iter().find_map(|(s, marks)| marks.iter().find_map(|m| find_ci(t, m).map(|i| (*s, i, i + m.len()))))
}

/// The command named in `t`, in the simulator's spelling, and the words in `t` that say it.
pub fn command_in(t: &str) -> Option<(&'static str, &'static str)> {
    // Wrapped lines (`(in reply to end` / `of DATA command)`) read as one.
    let squashed = super::text::squash(t);
    let t = squashed.as_str();
    const NAMES: &[(&str, &str)] = &[
        ("in reply to RCPT TO", "RCPT TO"),
        ("in reply to MAIL FROM", "MAIL FROM"),
        ("in reply to end of DATA", "end of DATA"),
        ("in reply to DATA", "DATA"),
        ("in reply to EHLO", "EHLO"),
        ("in reply to HELO", "EHLO"),
        ("in reply to AUTH", "AUTH"),
        ("in reply to STARTTLS", "STARTTLS"),
        ("in reply to the initial", "connect"),
        ("after RCPT TO", "RCPT TO"),
        ("after pipelined RCPT TO", "RCPT TO"),
        ("after MAIL FROM", "MAIL FROM"),
        ("after pipelined MAIL FROM", "MAIL FROM"),
        ("after end of data", "end of DATA"),
        ("after DATA", "DATA"),
        ("after initial connection", "connect"),
        ("after EHLO", "EHLO"),
        ("after HELO", "EHLO"),
        (">>> RCPT To", "RCPT TO"),
        (">>> MAIL From", "MAIL FROM"),
        (">>> DATA", "DATA"),
        (">>> .", "end of DATA"),
        ("does not like recipient", "RCPT TO"),
        ("does not like sender", "MAIL FROM"),
        ("failed after I sent the message", "end of DATA"),
        ("rejected command 'RCPT TO", "RCPT TO"),
        ("rejected command 'MAIL FROM", "MAIL FROM"),
        ("rejected command 'DATA", "DATA"),
        ("recipients was rejected by the server", "RCPT TO"),
        ("Please check the message recipient", "RCPT TO"),
        ("for TEXT command", "end of DATA"),
        ("did not accept our requests to connect", "connect"),
        ("socket error", "connect"),
        ("connect to ", "connect"),
        ("Connection refused", "connect"),
        ("connection to the server has failed", "connect"),
    ];
    // Sendmail's transcript: the last `>>>` before the `<<< 5xx`.
    if let Some(i) = find_ci(t, "<<< 5").or_else(|| find_ci(t, "<<< 4")) {
        if let Some(j) = t[..i].rfind(">>> ") {
            let cmd = &t[j..i];
            if let Some((m, c)) = NAMES.iter().find(|(m, _)| m.starts_with(">>>") && has(cmd, m)) {
                return Some((c, m));
            }
        }
    }
    NAMES.iter().find(|(m, _)| has(t, m)).map(|(m, c)| (*c, *m))
}

/// A host and its address as a bounce prints them: `mx.example[192.0.2.1]`, `mx.example [192.0.2.1]`,
/// `mx.example (192.0.2.1)`.
fn host_and_ip(s: &str) -> (Option<String>, Option<String>) {
    let s = s.trim();
    let s = s.split(['\'', ',', ';']).next().unwrap_or(s);
    let (name, rest) = match s.find(['[', '(', ' ']) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let addr = rest.trim_start().trim_start_matches(['[', '(']);
    let addr = addr.split([']', ')', ' ']).next().unwrap_or("");
    let addr = addr
        .rsplit_once(':')
        .filter(|(a, p)| a.contains('.') && p.bytes().all(|b| b.is_ascii_digit()))
        .map_or(addr, |(a, _)| a);
    (host(name), ip(addr).or_else(|| ip(name)))
}

/// Reads a notice's plain text.
pub fn notice(t: &str, who: Option<Software>) -> Found {
    let mut f = Found { command: command_in(t), reply: first_reply(t), ..Found::default() };
    f.reporting = after(t, "This is the mail system at host ")
        .or_else(|| after(t, "This is the qmail-send program at "))
        .or_else(|| after(t, "Generating server: "))
        .and_then(|h| host(h.trim_end_matches('.')));
    // The remote server, in each software's words.
    // `host X said:` (Postfix), `host X [ip]` before or after `SMTP error from remote mail server` (Exim).
    let host_near = |marker: &str| -> Option<&str> {
        let i = find_ci(t, marker)?;
        let mut from = i.saturating_sub(300);
        while !t.is_char_boundary(from) {
            from += 1;
        }
        let before = &t[from..i];
        match before.rfind("host ") {
            Some(j) => Some(before[j + 5..].split('\n').next().unwrap_or("").trim()),
            None => after(&t[i..], "host "),
        }
    };
    let remote = host_near(" said:")
        .or_else(|| host_near("SMTP error from remote"))
        .or_else(|| after(t, "while talking to "))
        .or_else(|| after(t, "Remote Server at "))
        .or_else(|| after(t, "Remote server: "))
        .or_else(|| after(t, "connect to "))
        .or_else(|| after(t, "rejected by host "))
        .or_else(|| after(t, "for the recipient domain ").and_then(|r| r.split_once(" by ")).map(|(_, h)| h))
        .or_else(|| after(t, "[(0) "))
        .or_else(|| after(t, ", host: "))
        .or_else(|| after(t, " of server "))
        .or_else(|| after(t, "(host '"))
        .or_else(|| after(t, "Server: '"));
    if let Some(r) = remote {
        let r = r.split(" said:").next().unwrap_or(r).trim_end_matches(['\'', ',', ':']);
        let (h, a) = host_and_ip(r.trim_matches('\''));
        f.remote = h;
        f.remote_ip = a;
    }
    if f.remote_ip.is_none() {
        // qmail: `192.0.2.10 does not like recipient.`
        for marker in [" does not like recipient", " does not like sender", " failed after I sent the message"] {
            if let Some(i) = find_ci(t, marker) {
                let line = t[..i].rsplit('\n').next().unwrap_or("");
                if let Some(a) = ip(line.trim()) {
                    f.remote_ip = Some(a);
                    break;
                }
            }
        }
    }
    f.recipient = recipient(t, who);
    if f.recipient.is_none() {
        // An address in the local reason (`User mailbox exceeds allowed size: a@b.c`).
        f.recipient = ["mailbox exceeds allowed size:"].iter().find_map(|m| after(t, m)).and_then(address_in);
    }
    let local = [
        "Connection refused",
        "Connection timed out",
        "Host or domain name not found",
        "Host not found",
        "Name or service not known",
        "did not accept our requests to connect",
        "No route to host",
        "Sorry, I couldn't find any host",
        "DNS Error:",
        "mailbox exceeds allowed size",
        "Domain does not exist",
        "Sorry, no mailbox here by that name",
        "all relevant MX records point to non-existent hosts",
        "Unrouteable address",
        "Mail for ",
        "loops back to myself",
        "The connection to the server has failed",
        "failed to connect",
    ];
    f.local = local
        .iter()
        .find_map(|m| find_ci(t, m).map(|i| (i, t[i..].split('\n').next().unwrap_or("").trim().to_string())));
    f.gave_up = [
        "delivery time expired",
        "retry timeout exceeded",
        "been in the queue too long",
        "Cannot send message for",
        "could not be delivered for",
        "message expired",
        "has been in the queue",
        "gave up",
        "it has expired",
    ]
    .iter()
    .any(|m| has(t, m));
    f.warning =
        ["THIS IS A WARNING", "Delivery attempts will continue", "Will keep trying until", "still undelivered after"]
            .iter()
            .any(|m| has(t, m));
    f
}

/// The failed recipient, in each software's words.
fn recipient(t: &str, who: Option<Software>) -> Option<String> {
    let first_after = |marker: &str| -> Option<String> {
        let i = find_ci(t, marker)? + marker.len();
        t[i..].lines().map(str::trim).filter(|l| !l.is_empty()).take(2).find_map(address_in)
    };
    match who {
        Some(Software::OutlookExpress) => after(t, "The rejected e-mail address was '").and_then(address_in),
        Some(Software::Thunderbird) => after(t, "check the message recipient ").and_then(address_in),
        Some(Software::Exim) => {
            // Exim lists an address without a domain as it was given (`kijitora`): find it whole in the text.
            let i = find_ci(t, "address(es) failed:");
            let first = i
                .and_then(|i| t[i..].lines().skip(1).map(str::trim).find(|l| !l.is_empty()))
                .filter(|l| !l.contains([' ', '@', '<']));
            match first {
                Some(local) => find_ci(t, &format!("{local}@"))
                    .and_then(|j| t[j..].split(|c: char| c.is_whitespace() || ";>,".contains(c)).next())
                    .and_then(address_in),
                None => first_after("address(es) failed:"),
            }
        }
        Some(Software::Exchange) => {
            first_after("to these recipients or groups:").or_else(|| first_after("Delivery has failed to"))
        }
        Some(Software::Sendmail) => first_after("had permanent fatal errors -----")
            .or_else(|| first_after("Transcript of session follows -----")),
        Some(Software::Qmail) => first_after("This is a permanent error; I've given up. Sorry it didn't work out."),
        Some(Software::OpenSmtpd) => first_after("following list of recipients:"),
        Some(Software::Gmail) => first_after("Delivery to the following recipient failed permanently:")
            .or_else(|| first_after("Delivery to the following recipient has been delayed:"))
            .or_else(|| first_after("wasn't delivered to"))
            .or_else(|| first_after("couldn't be delivered to")),
        _ => None,
    }
    .or_else(|| {
        // Postfix and others: a line starting `<addr>:`.
        t.lines().map(str::trim).find(|l| l.starts_with('<') && l.contains(">:")).and_then(address_in)
    })
}

/// One group of RFC 3464 fields: `(name, unfolded value, offset of the field in the text)`.
pub type Group = Vec<(String, String, usize)>;

/// The groups of a `message/delivery-status` text (per-message fields first, then one per recipient).
pub fn delivery_status(t: &str) -> Vec<Group> {
    let mut groups: Vec<Group> = vec![Vec::new()];
    let mut at = 0;
    for line in t.split_inclusive('\n') {
        let l = line.trim_end_matches(['\r', '\n']);
        if l.trim().is_empty() {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
        } else if l.starts_with([' ', '\t']) {
            if let Some((_, v, _)) = groups.last_mut().and_then(|g| g.last_mut()) {
                v.push(' ');
                v.push_str(l.trim());
            }
        } else if let Some((n, v)) = l.split_once(':') {
            if n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && !n.is_empty() {
                groups.last_mut().expect("a group").push((n.to_string(), v.trim().to_string(), at));
            }
        }
        at += line.len();
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// A field's value in a group, without its type (`dns; mx.example` → `mx.example`).
pub fn field<'a>(g: &'a Group, name: &str) -> Option<(&'a str, usize)> {
    g.iter().find(|(n, ..)| n.eq_ignore_ascii_case(name)).map(|(_, v, at)| {
        let v = v.as_str();
        let bare = match v.split_once(';') {
            Some((ty, rest)) if !ty.contains(' ') && ty.len() <= 12 => rest.trim(),
            _ => v,
        };
        (bare, *at)
    })
}

/// Whether `t` holds RFC 3464 fields (a pasted report part, or a whole report).
pub fn has_delivery_status(t: &str) -> bool {
    t.lines().any(|l| {
        let l = l.trim_start();
        ["Final-Recipient:", "Reporting-MTA:", "Diagnostic-Code:"]
            .iter()
            .any(|m| l.get(..m.len()).is_some_and(|h| h.eq_ignore_ascii_case(m)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_in_every_shape() {
        assert_eq!(
            host_and_ip("mx1.corp-b.example[192.0.2.10]:25"),
            (Some("mx1.corp-b.example".into()), Some("192.0.2.10".into()))
        );
        assert_eq!(
            host_and_ip("mx1.corp-b.example [192.0.2.10]"),
            (Some("mx1.corp-b.example".into()), Some("192.0.2.10".into()))
        );
        assert_eq!(host_and_ip("mx.example.com."), (Some("mx.example.com".into()), None));
    }

    #[test]
    fn a_postfix_notice() {
        let t = "This is the mail system at host smtp.isp-a.example.\n\n<bob@corp-b.example>: host mx1.corp-b.example[192.0.2.10] said: 554 5.7.1\n    <bob@corp-b.example>: Relay access denied (in reply to RCPT TO command)\n";
        let f = notice(t, Some(Software::Postfix));
        assert_eq!(f.reporting.as_deref(), Some("smtp.isp-a.example"));
        assert_eq!(f.remote.as_deref(), Some("mx1.corp-b.example"));
        assert_eq!(f.remote_ip.as_deref(), Some("192.0.2.10"));
        assert_eq!(f.command.map(|c| c.0), Some("RCPT TO"));
        assert_eq!(f.recipient.as_deref(), Some("bob@corp-b.example"));
        assert_eq!(f.reply.unwrap().1.code, 554);
    }
}
