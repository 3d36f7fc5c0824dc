//! Bounces and delay warnings (delivery status notifications, RFC 3464 in a multipart/report, RFC 6522), worded
//! as each flavour words them; Postfix's layout follows its bounce templates byte for byte.

use crate::flavour::DsnStyle;
use crate::message::wrap;
use crate::reply::{Reply, Status};
use crate::time::DateTime;
use crate::trace::MessageCopy;
use std::net::Ipv4Addr;

/// What went wrong for a recipient, as the reporting server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// A remote server said this, in reply to that command.
    Smtp {
        /// The remote host's name.
        host: String,
        /// Its address.
        ip: Ipv4Addr,
        /// What it said.
        reply: Reply,
        /// The command it answered (`RCPT TO`, `end of DATA`).
        command: crate::command::Stage,
        /// Its reply to the `DATA` the client pipelined behind the refused recipients, if it did (Sendmail
        /// quotes it in its transcript).
        then: Option<Box<Reply>>,
    },
    /// The reporting server found it out itself (DNS, connection, loop), as Postfix's `X-Postfix;` texts.
    Local(String),
}

/// One failed (or delayed) recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The recipient.
    pub rcpt: String,
    /// The status code.
    pub status: Status,
    /// What happened.
    pub diagnostic: Diagnostic,
    /// The reason, as the refusing server gave it (for explanations; not written into the bounce).
    pub why: Option<crate::trace::Why>,
}

impl Failure {
    /// The one-line reason, as Postfix logs it and puts it in the bounce:
    /// `host mx1.corp-b.example[192.0.2.10] said: 554 5.7.1 … (in reply to RCPT TO command)`.
    pub fn reason(&self) -> String {
        match &self.diagnostic {
            Diagnostic::Smtp { host, ip, reply, command, .. } => {
                format!("host {host}[{ip}] said: {} (in reply to {command} command)", reply.text_with_codes())
            }
            Diagnostic::Local(text) => text.clone(),
        }
    }

    fn diagnostic_code(&self) -> String {
        match &self.diagnostic {
            Diagnostic::Smtp { reply, .. } => format!("smtp; {}", reply.text_with_codes()),
            Diagnostic::Local(text) => format!("X-Postfix; {text}"),
        }
    }
}

impl Reply {
    /// All lines as one: `554 5.7.1 <bob@corp-b.example>: Relay access denied`.
    pub fn text_with_codes(&self) -> String {
        match self.status {
            Some(s) => format!("{} {s} {}", self.code, self.text()),
            None => format!("{} {}", self.code, self.text()),
        }
    }
}

/// Everything a server needs to write a report.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// The flavour's style.
    pub style: DsnStyle,
    /// The reporting server's name.
    pub host: &'a str,
    /// The domain its own mail is from (Postfix `myorigin`, `$myhostname` by default): `MAILER-DAEMON@` it.
    pub origin: &'a str,
    /// The queue id of the returned message.
    pub queue_id: &'a str,
    /// The queue id of the report itself.
    pub report_id: &'a str,
    /// The original envelope sender (the report's recipient).
    pub sender: &'a str,
    /// When the original arrived.
    pub arrival: DateTime,
    /// Now.
    pub now: DateTime,
    /// Unix time now (Postfix puts it in the MIME boundary).
    pub unix_now: i64,
    /// The returned message as this server holds it.
    pub original: &'a MessageCopy,
    /// The recipients it is about.
    pub failures: &'a [Failure],
    /// `Some((hours, days))` for a delay warning: delayed for `hours`, retried until `days` old.
    pub delayed: Option<(u32, u32)>,
    /// The report goes to a mailbox of this server (its sender's domain is one of the server's own), so it is
    /// delivered as written: Sendmail leaves its `MAILER-DAEMON` unqualified then.
    pub local_sender: bool,
}

/// Writes the report: its header fields and its body.
pub fn write(r: &Report) -> (Vec<crate::trace::Header>, String) {
    if r.style == DsnStyle::Qmail {
        return qmail(r);
    }
    if r.style == DsnStyle::Exim && r.delayed.is_none() {
        return exim(r);
    }
    if r.style == DsnStyle::OpenSmtpd {
        return opensmtpd(r);
    }
    if r.style == DsnStyle::Sendmail && r.delayed.is_none() {
        return sendmail(r);
    }
    let boundary = format!("{}.{}/{}", r.queue_id, r.unix_now, r.host);
    let (from, subject) = match (r.style, r.delayed.is_some()) {
        (DsnStyle::Postfix, false) => ("Mail Delivery System", "Undelivered Mail Returned to Sender".to_string()),
        (DsnStyle::Postfix, true) => ("Mail Delivery System", "Delayed Mail (still being retried)".to_string()),
        (DsnStyle::Sendmail, false) => ("Mail Delivery Subsystem", "Returned mail: see transcript for details".into()),
        (DsnStyle::Sendmail, true) => {
            ("Mail Delivery Subsystem", "Warning: could not send message for past 4 hours".into())
        }
        (DsnStyle::Exim, false) => ("Mail Delivery System", "Mail delivery failed: returning message to sender".into()),
        (DsnStyle::Exim, true) => ("Mail Delivery System", "Warning: message delayed".into()),
        (DsnStyle::Exchange, false) => {
            ("Microsoft Outlook", format!("Undeliverable: {}", r.original.header("Subject").unwrap_or("")))
        }
        (DsnStyle::Exchange, true) => {
            ("Microsoft Outlook", format!("Delivery delayed: {}", r.original.header("Subject").unwrap_or("")))
        }
        (_, false) => ("Mail Delivery Subsystem", "Delivery Status Notification (Failure)".into()),
        (_, true) => ("Mail Delivery Subsystem", "Delivery Status Notification (Delay)".into()),
    };
    let headers = vec![
        ("Received", format!("by {} ({})\n\tid {}; {}", r.host, software(r.style), r.report_id, r.now)),
        ("Date", r.now.to_string()),
        ("From", format!("{from} <MAILER-DAEMON@{}>", r.origin)),
        ("Subject", subject),
        ("To", r.sender.to_string()),
        ("Auto-Submitted", "auto-replied".into()),
        ("MIME-Version", "1.0".into()),
        ("Content-Type", format!("multipart/report; report-type=delivery-status;\n\tboundary=\"{boundary}\"")),
        ("Content-Transfer-Encoding", "8bit".into()),
        (
            "Message-Id",
            format!(
                "<{:04}{:02}{:02}{:02}{:02}{:02}.{}@{}>",
                r.now.year, r.now.month, r.now.day, r.now.hour, r.now.minute, r.now.second, r.report_id, r.host
            ),
        ),
    ];
    let mut b = String::from("This is a MIME-encapsulated message.\n\n");
    b.push_str(&format!(
        "--{boundary}\nContent-Description: Notification\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    ));
    b.push_str(&human(r));
    b.push_str(&format!(
        "\n--{boundary}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
    ));
    b.push_str(&format!("Reporting-MTA: dns; {}\n", r.host));
    if r.style == DsnStyle::Postfix {
        b.push_str(&format!("X-Postfix-Queue-ID: {}\nX-Postfix-Sender: rfc822; {}\n", r.queue_id, r.sender));
    }
    b.push_str(&format!("Arrival-Date: {}\n", r.arrival));
    for f in r.failures {
        b.push_str(&format!(
            "\nFinal-Recipient: rfc822; {0}\nOriginal-Recipient: rfc822;{0}\nAction: {1}\nStatus: {2}\n",
            f.rcpt,
            if r.delayed.is_some() { "delayed" } else { "failed" },
            f.status
        ));
        if let Diagnostic::Smtp { host, .. } = &f.diagnostic {
            b.push_str(&format!("Remote-MTA: dns; {host}\n"));
        }
        for line in wrap(&format!("Diagnostic-Code: {}", f.diagnostic_code()), 79, 4) {
            b.push_str(&line);
            b.push('\n');
        }
        if let Some((_, days)) = r.delayed {
            b.push_str(&format!("Will-Retry-Until: (up to {days} days after arrival)\n"));
        }
    }
    let (desc, ctype) = if r.delayed.is_some() {
        ("Undelivered Message Headers", "text/rfc822-headers")
    } else {
        ("Undelivered Message", "message/rfc822")
    };
    b.push_str(&format!(
        "\n--{boundary}\nContent-Description: {desc}\nContent-Type: {ctype}\nContent-Transfer-Encoding: 8bit\n\n"
    ));
    b.push_str(&format!("Return-Path: <{}>\n", r.sender));
    if r.delayed.is_some() {
        for (n, v) in &r.original.headers {
            b.push_str(&format!("{n}: {v}\n"));
        }
    } else {
        b.push_str(&r.original.text());
    }
    b.push_str(&format!("\n--{boundary}--\n"));
    (headers.into_iter().map(|(n, v)| (n.into(), v.into())).collect(), b)
}

fn software(style: DsnStyle) -> &'static str {
    match style {
        DsnStyle::Postfix => "Postfix",
        DsnStyle::Sendmail => "Sendmail",
        DsnStyle::Exim => "Exim",
        DsnStyle::Exchange => "Microsoft SMTP Server",
        DsnStyle::Qmail => "qmail",
        DsnStyle::Stalwart => "Stalwart SMTP",
        DsnStyle::OpenSmtpd => "OpenSMTPD",
    }
}

fn human(r: &Report) -> String {
    let mut t = String::new();
    let lines = |t: &mut String, f: &Failure| {
        for l in wrap(&format!("<{}>: {}", f.rcpt, f.reason()), 79, 4) {
            t.push_str(&l);
            t.push('\n');
        }
    };
    match (r.style, r.delayed) {
        (DsnStyle::Postfix, None) => {
            t.push_str(&format!("This is the mail system at host {}.\n\n", r.host));
            t.push_str("I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\n");
            t.push_str("For further assistance, please send mail to postmaster.\n\n");
            t.push_str("If you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n");
            t.push_str("                   The mail system\n\n");
            for f in r.failures {
                lines(&mut t, f);
            }
        }
        (DsnStyle::Postfix, Some((hours, days))) => {
            t.push_str(&format!("This is the mail system at host {}.\n\n", r.host));
            t.push_str("####################################################################\n");
            t.push_str("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n");
            t.push_str("####################################################################\n\n");
            t.push_str(&format!(
                "Your message could not be delivered for more than {hours} hour(s).\nIt will be retried until it is {days} day(s) old.\n\n"
            ));
            t.push_str("                   The mail system\n\n");
            for f in r.failures {
                lines(&mut t, f);
            }
        }
        // A delay warning (a failure is written by `sendmail`).
        (DsnStyle::Sendmail, _) => {
            t.push_str(&format!("The original message was received at {}\nfrom {}\n\n", r.arrival, r.sender));
            t.push_str("   **********************************************\n   **      THIS IS A WARNING MESSAGE ONLY      **\n   **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n   **********************************************\n\n");
            t.push_str("   ----- Transcript of session follows -----\n");
            for f in r.failures {
                t.push_str(&format!("<{}>... Deferred: {}\n", f.rcpt, f.reason()));
            }
            t.push_str(
                "Warning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old\n",
            );
        }
        (DsnStyle::Exim, _) => {
            t.push_str("This message was created automatically by mail delivery software.\n\n");
            t.push_str("A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n");
            for f in r.failures {
                t.push_str(&format!("  {}\n", f.rcpt));
                match &f.diagnostic {
                    Diagnostic::Smtp { host, ip, reply, command, .. } => t.push_str(&format!(
                        "    host {host} [{ip}]\n    SMTP error from remote mail server after {}:\n    {}\n",
                        exim_command(*command, &f.rcpt, r.sender),
                        reply.text_with_codes()
                    )),
                    Diagnostic::Local(text) => t.push_str(&format!("    {text}\n")),
                }
                t.push('\n');
            }
        }
        (DsnStyle::Exchange, _) => {
            t.push_str("Delivery has failed to these recipients or groups:\n\n");
            for f in r.failures {
                t.push_str(&format!("{}\nThe email couldn't be delivered.\n\n", f.rcpt));
            }
            t.push_str(&format!("Diagnostic information for administrators:\n\nGenerating server: {}\n\n", r.host));
            for f in r.failures {
                let said = match &f.diagnostic {
                    Diagnostic::Smtp { reply, .. } => reply.text_with_codes(),
                    Diagnostic::Local(text) => text.clone(),
                };
                t.push_str(&format!("{}\nRemote Server returned '{said}'\n", f.rcpt));
            }
        }
        _ => {
            t.push_str("Your message could not be delivered to the following recipients:\n\n");
            for f in r.failures {
                t.push_str(&format!("<{}>: {}\n", f.rcpt, f.reason()));
            }
        }
    }
    t
}

/// The command a remote server's reply answered, as Exim names it: `RCPT TO:<bob@corp-b.example>`.
fn exim_command(command: crate::command::Stage, rcpt: &str, sender: &str) -> String {
    use crate::command::Stage;
    match command {
        Stage::RcptTo => format!("RCPT TO:<{rcpt}>"),
        Stage::MailFrom => format!("MAIL FROM:<{sender}>"),
        Stage::EndOfData => "end of data".into(),
        other => other.to_string(),
    }
}

/// Exim 4.96's bounce (deliver.c, moan.c), as a real Exim 4.96 wrote it for a next hop's refusal in the
/// conformance suite: a multipart/report without a preamble, a plain-text part, the delivery status with
/// `Status: 5.0.0` whatever the remote said, and the returned message.
fn exim(r: &Report) -> (Vec<crate::trace::Header>, String) {
    let now = r.now.exim();
    // Exim's second number is random; this one is derived from the report's id, so that a run repeats exactly.
    let salt = r.report_id.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 1_000_000_000;
    let boundary = format!("{}-eximdsn-{salt}", r.unix_now);
    let rcpts: Vec<&str> = r.failures.iter().map(|f| f.rcpt.as_str()).collect();
    let mut headers = vec![
        (
            "Received",
            format!(
                "from Debian-exim by {} with local (Exim 4.96)\n\tid {}\n\tfor {};\n\t{now}",
                r.host, r.report_id, r.sender
            ),
        ),
        ("X-Failed-Recipients", rcpts.join(", ")),
        ("Auto-Submitted", "auto-replied".into()),
        ("From", format!("Mail Delivery System <Mailer-Daemon@{}>", r.origin)),
        ("To", r.sender.to_string()),
    ];
    if let Some(id) = r.original.header("Message-ID").or_else(|| r.original.header("Message-Id")) {
        headers.push(("References", id.to_string()));
    }
    headers.extend([
        ("Content-Type", format!("multipart/report; report-type=delivery-status; boundary={boundary}")),
        ("MIME-Version", "1.0".into()),
        ("Subject", "Mail delivery failed: returning message to sender".into()),
        ("Message-Id", format!("<E{}@{}>", r.report_id, r.host)),
        ("Date", now),
    ]);
    let mut b = format!("--{boundary}\nContent-type: text/plain; charset=us-ascii\n\n");
    b.push_str(&human(r));
    b.push_str(&format!("--{boundary}\nContent-type: message/delivery-status\n\nReporting-MTA: dns; {}\n", r.host));
    for f in r.failures {
        b.push_str(&format!("\nAction: failed\nFinal-Recipient: rfc822;{}\nStatus: 5.0.0\n", f.rcpt));
        if let Diagnostic::Smtp { host, reply, .. } = &f.diagnostic {
            b.push_str(&format!("Remote-MTA: dns; {host}\nDiagnostic-Code: smtp; {}\n", reply.text_with_codes()));
        }
    }
    b.push_str(&format!("\n--{boundary}\nContent-type: message/rfc822\n\n"));
    b.push_str(&format!("Return-path: <{}>\n", r.sender));
    b.push_str(&r.original.text());
    b.push_str(&format!("\n--{boundary}--\n"));
    (headers.into_iter().map(|(n, v)| (n.into(), v.into())).collect(), b)
}

/// OpenSMTPD 6.8's bounce (bounce.c), as a real OpenSMTPD 6.8.0p2 wrote it for a next hop's refusal: a
/// multipart/mixed message whose text is indented, one line per recipient with the remote reply, `Status: 5.0.0`,
/// and the whole original message in a text/rfc822-headers part. Delay warnings follow the same layout.
fn opensmtpd(r: &Report) -> (Vec<crate::trace::Header>, String) {
    let boundary = format!("{}/{}", r.unix_now, r.host);
    let failed = r.delayed.is_none();
    let headers = vec![
        (
            "Received",
            format!(
                "from {0} ({0} [local])\n\tby {0} (OpenSMTPD) with ESMTPA id {1}\n\tfor <{2}>;\n\t{3}",
                r.host, r.report_id, r.sender, r.now
            ),
        ),
        ("Subject", format!("Delivery status notification: {}", if failed { "failed" } else { "delayed" })),
        ("From", format!("Mailer Daemon <MAILER-DAEMON@{}>", r.host)),
        ("To", r.sender.to_string()),
        ("Date", r.now.to_string()),
        ("MIME-Version", "1.0".into()),
        ("Content-Type", format!("multipart/mixed;boundary=\"{boundary}\"")),
        ("Message-ID", format!("<{}@{}>", r.report_id, r.host)),
    ];
    let mut b = format!(
        "This is a MIME-encapsulated message.\n\n--{boundary}\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
    );
    b.push_str("    Hi!\n\n    This is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\n");
    match r.delayed {
        None => b.push_str(
            "    An error has occurred while attempting to deliver a message for\n    the following list of recipients:\n\n",
        ),
        Some((hours, _)) => b.push_str(&format!(
            "    Delivery of a message for the following list of recipients has been\n    delayed for {hours}h:\n\n"
        )),
    }
    for f in r.failures {
        let said = match &f.diagnostic {
            Diagnostic::Smtp { reply, .. } => reply.text_with_codes(),
            Diagnostic::Local(text) => text.clone(),
        };
        b.push_str(&format!("{}: {said}\n", f.rcpt));
    }
    b.push_str("\n    Below is a copy of the original message:\n\n");
    b.push_str(&format!(
        "--{boundary}\nContent-Description: Delivery Report\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; {}\n",
        r.host
    ));
    for f in r.failures {
        b.push_str(&format!(
            "\nFinal-Recipient: rfc822; {}\nAction: {}\nStatus: {}\n",
            f.rcpt,
            if failed { "failed" } else { "delayed" },
            if failed { "5.0.0" } else { "4.0.0" }
        ));
    }
    b.push_str(&format!("\n--{boundary}\nContent-Description: Message headers\nContent-Type: text/rfc822-headers\n\n"));
    b.push_str(&r.original.text());
    b.push_str(&format!("\n--{boundary}--\n"));
    (headers.into_iter().map(|(n, v)| (n.into(), v.into())).collect(), b)
}

/// The client a message came from, as the reporting server's own `Received:` line on it names it: `name [ip]`
/// or `[ip]` (the parenthesis of its first line).
fn received_client(original: &MessageCopy) -> Option<String> {
    let first = original.header("Received")?.lines().next()?;
    let (_, rest) = first.split_once(" (")?;
    rest.split_once(')').map(|(inner, _)| inner.to_string())
}

/// Sendmail 8.17's bounce (savemail.c, deliver.c), as a real Sendmail 8.17.1.9 wrote it for a next hop's
/// refusal in the conformance suite: a multipart/report whose first part has no header, the transcript of the
/// session with the client's own verdict (`User unknown` for 550, 551 and 553, `Service unavailable` with a
/// generic 5.0.0 for any other 5xx: usersmtp.c smtprcptstat), and the returned message.
fn sendmail(r: &Report) -> (Vec<crate::trace::Header>, String) {
    const SOFTWARE: &str = "8.17.1.9/8.17.1.9";
    let now = r.now.sendmail();
    let boundary = format!("{}.{}/{}", r.report_id, r.unix_now, r.host);
    let daemon = if r.local_sender { "MAILER-DAEMON".to_string() } else { format!("MAILER-DAEMON@{}", r.origin) };
    let headers = vec![
        ("Received", format!("from localhost (localhost)\n\tby {} ({SOFTWARE}) id {};\n\t{now}", r.host, r.report_id)),
        ("Date", now.clone()),
        ("From", format!("Mail Delivery Subsystem <{daemon}>")),
        (
            "Message-Id",
            format!(
                "<{:04}{:02}{:02}{:02}{:02}.{}@{}>",
                r.now.year, r.now.month, r.now.day, r.now.hour, r.now.minute, r.report_id, r.host
            ),
        ),
        ("To", format!("<{}>", r.sender)),
        ("MIME-Version", "1.0".into()),
        ("Content-Type", format!("multipart/report; report-type=delivery-status;\n\tboundary=\"{boundary}\"")),
        ("Subject", "Returned mail: see transcript for details".into()),
        ("Auto-Submitted", "auto-generated (failure)".into()),
    ];
    let client = received_client(r.original);
    // Sendmail's verdict on a refused recipient: its own line and the status it reports.
    let verdict = |f: &Failure| -> (String, Status) {
        let Diagnostic::Smtp { reply, .. } = &f.diagnostic else {
            return (String::new(), f.status);
        };
        let remote = reply.status;
        match reply.code {
            550 | 551 | 553 => {
                let default = match reply.code {
                    550 => Status::new(5, 1, 1),
                    551 => Status::new(5, 1, 6),
                    _ => Status::new(5, 1, 3),
                };
                let s = remote.unwrap_or(default);
                (format!("550 {s} <{}>... User unknown", f.rcpt), s)
            }
            _ => ("554 5.0.0 Service unavailable".to_string(), Status::new(5, 0, 0)),
        }
    };
    let mut b = format!("This is a MIME-encapsulated message\n\n--{boundary}\n\n");
    b.push_str(&format!("The original message was received at {}\n", r.arrival.sendmail()));
    if let Some(c) = &client {
        b.push_str(&format!("from {c}\n"));
    }
    b.push_str("\n   ----- The following addresses had permanent fatal errors -----\n");
    for f in r.failures {
        let reason = match &f.diagnostic {
            Diagnostic::Smtp { reply, .. } => reply.text_with_codes(),
            Diagnostic::Local(text) => text.clone(),
        };
        b.push_str(&format!("<{}>\n    (reason: {reason})\n", f.rcpt));
    }
    b.push_str("\n   ----- Transcript of session follows -----\n");
    for f in r.failures {
        match &f.diagnostic {
            Diagnostic::Smtp { host, reply, command, then, .. } => {
                b.push_str(&format!("... while talking to {host}:\n"));
                match then {
                    Some(_) => b.push_str(">>> DATA\n"),
                    None if *command == crate::command::Stage::RcptTo => {
                        b.push_str(&format!(">>> RCPT To:<{}>\n", f.rcpt))
                    }
                    None => b.push_str(&format!(">>> {command}\n")),
                }
                b.push_str(&format!("<<< {}\n{}\n", reply.text_with_codes(), verdict(f).0));
                if let Some(data) = then {
                    b.push_str(&format!("<<< {}\n", data.text_with_codes()));
                }
            }
            Diagnostic::Local(text) => b.push_str(&format!("{text}\n")),
        }
    }
    b.push_str(&format!("\n--{boundary}\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; {}\n", r.host));
    if let Some(c) = &client {
        let name = if c.starts_with('[') { c.as_str() } else { c.split(" [").next().unwrap_or(c) };
        b.push_str(&format!("Received-From-MTA: DNS; {name}\n"));
    }
    b.push_str(&format!("Arrival-Date: {}\n", r.arrival.sendmail()));
    for f in r.failures {
        b.push_str(&format!(
            "\nFinal-Recipient: RFC822; {0}\nX-Actual-Recipient: rfc822; {0}\nAction: failed\nStatus: {1}\n",
            f.rcpt,
            verdict(f).1
        ));
        if let Diagnostic::Smtp { host, reply, .. } = &f.diagnostic {
            b.push_str(&format!("Remote-MTA: DNS; {host}\nDiagnostic-Code: SMTP; {}\n", reply.text_with_codes()));
        }
        b.push_str(&format!("Last-Attempt-Date: {now}\n"));
    }
    b.push_str(&format!("\n--{boundary}\nContent-Type: message/rfc822\n\n"));
    b.push_str(&format!("Return-Path: <{}>\n", r.sender));
    b.push_str(&r.original.text());
    b.push_str(&format!("\n--{boundary}--\n"));
    (headers.into_iter().map(|(n, v)| (n.into(), v.into())).collect(), b)
}

/// qmail-send's report: plain text, not RFC 3464.
fn qmail(r: &Report) -> (Vec<crate::trace::Header>, String) {
    let headers = vec![
        ("Date", r.now.to_string()),
        ("From", format!("MAILER-DAEMON@{}", r.host)),
        ("To", r.sender.to_string()),
        ("Subject", "failure notice".into()),
    ];
    let mut b = format!(
        "Hi. This is the qmail-send program at {}.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n",
        r.host
    );
    for f in r.failures {
        b.push_str(&format!("<{}>:\n", f.rcpt));
        match &f.diagnostic {
            Diagnostic::Smtp { ip, reply, .. } => b.push_str(&format!(
                "{ip} does not like recipient.\nRemote host said: {}\nGiving up on {ip}.\n\n",
                reply.text_with_codes()
            )),
            Diagnostic::Local(text) => b.push_str(&format!("{text}\n\n")),
        }
    }
    b.push_str("--- Below this line is a copy of the message.\n\n");
    b.push_str(&format!("Return-Path: <{}>\n", r.sender));
    b.push_str(&r.original.text());
    (headers.into_iter().map(|(n, v)| (n.into(), v.into())).collect(), b)
}

#[cfg(test)]
mod tests;
