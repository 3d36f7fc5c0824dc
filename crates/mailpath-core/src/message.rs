//! The message: what the mail program writes, and the trace headers each server adds (`Received:`,
//! RFC 5321 §4.4 with RFC 3848's `with` keywords; `Return-Path:` at final delivery).

use crate::flavour::ReceivedStyle;
use crate::scenario::{Program, Scenario, Sender};
use crate::time::DateTime;

/// Postfix's `line_wrap` (util/line_wrap.c): lines of at most `width` columns, breaking between words,
/// continuation lines indented by `indent` and counted in the width.
pub fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut limit = width;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !current.is_empty() && current.len() + 1 + word.len() > limit {
            lines.push(std::mem::take(&mut current));
            limit = width.saturating_sub(indent);
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    let pad = " ".repeat(indent);
    lines.iter().enumerate().map(|(i, l)| if i == 0 { l.clone() } else { format!("{pad}{l}") }).collect()
}

/// The message as the sender's program writes it.
pub struct Draft {
    /// Header fields in order.
    pub headers: Vec<crate::trace::Header>,
    /// Body text.
    pub body: String,
}

/// Writes the message a scenario's sender sends, dated `date`, with message id `<local@domain>`.
pub fn compose(s: &Scenario, date: DateTime, id: &str) -> Draft {
    let m = &s.message;
    let from = if m.header_from.trim().is_empty() { m.from.trim() } else { m.header_from.trim() };
    let display = match (s.sender, from) {
        (Sender::Alice, f) if f.starts_with("alice@") => format!("Alice <{f}>"),
        (_, f) => f.to_string(),
    };
    // The mail program names its message after the sender's domain (the provider's, for the null sender).
    let domain = from.rsplit_once('@').map_or(s.names.provider.domain.as_str(), |(_, d)| d);
    let mut headers: Vec<crate::trace::Header> = vec![
        ("From".into(), display.into()),
        ("To".into(), m.to.join(", ").into()),
        ("Subject".into(), m.subject.as_str().into()),
        ("Date".into(), date.to_string().into()),
        ("Message-ID".into(), format!("<{id}@{domain}>").into()),
        ("MIME-Version".into(), "1.0".into()),
        ("Content-Type".into(), "text/plain; charset=utf-8".into()),
    ];
    if s.sender == Sender::Alice {
        headers.push(match s.client.program {
            Program::OutlookExpress => ("X-Mailer".into(), "Microsoft Outlook Express 6.00.2900.5512".into()),
            Program::Thunderbird => ("User-Agent".into(), "Mozilla Thunderbird".into()),
        });
    }
    let mut body = m.body.clone();
    if m.attachment_kb > 0 {
        body.push_str(&format!("\n\n[attachment: {} KB]", m.attachment_kb));
    }
    if !body.ends_with('\n') {
        body.push('\n');
    }
    Draft { headers, body }
}

/// What a server knows when it writes its `Received:` line.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// The client's EHLO name.
    pub helo: &'a str,
    /// The client's reverse DNS name, or `None` (printed `unknown`).
    pub rdns: Option<&'a str>,
    /// The client's address.
    pub ip: &'a str,
    /// This server's name.
    pub host: &'a str,
    /// This server's address.
    pub host_ip: &'a str,
    /// The software as printed (`Postfix`, `Exim 4.96`).
    pub software: &'a str,
    /// TLS was used.
    pub tls: bool,
    /// The client authenticated.
    pub auth: bool,
    /// The queue id.
    pub id: &'a str,
    /// The single recipient, if there is exactly one.
    pub rcpt: Option<&'a str>,
    /// The envelope sender.
    pub from: &'a str,
    /// When.
    pub date: DateTime,
}

/// RFC 3848's `with` keyword: ESMTP, plus S for TLS and A for authentication.
pub fn with_keyword(tls: bool, auth: bool) -> &'static str {
    match (tls, auth) {
        (false, false) => "ESMTP",
        (true, false) => "ESMTPS",
        (false, true) => "ESMTPA",
        (true, true) => "ESMTPSA",
    }
}

/// The `Received:` value a server of this style writes.
pub fn received(style: ReceivedStyle, st: &Stamp) -> String {
    let with = with_keyword(st.tls, st.auth);
    let rdns = st.rdns.unwrap_or("unknown");
    let for_clause = |prefix: &str| st.rcpt.map_or(String::new(), |r| format!("{prefix}for <{r}>"));
    match style {
        ReceivedStyle::Postfix | ReceivedStyle::Sendmail | ReceivedStyle::Stalwart => {
            let by = match style {
                ReceivedStyle::Postfix => format!("{} (Postfix)", st.host),
                ReceivedStyle::Sendmail => format!("{} ({})", st.host, st.software),
                _ => format!("{} (Stalwart SMTP)", st.host),
            };
            // Postfix 3.7 names the client on every service, the submission ports too (the real server does:
            // `smtpd_hide_client_session` came later).
            // Sendmail leaves out a name reverse DNS did not give (a real Sendmail 8.17.1.9: `from helo ([ip])`).
            let client = match (style, st.rdns) {
                (ReceivedStyle::Sendmail, None) => format!("[{}]", st.ip),
                _ => format!("{rdns} [{}]", st.ip),
            };
            if style == ReceivedStyle::Sendmail {
                // A real Sendmail 8.17.1.9: `(authenticated bits=0)` after a login, the TLS session after the id.
                let auth = if st.auth { "\n\t(authenticated bits=0)" } else { "" };
                let tls =
                    if st.tls { "\n\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)" } else { "" };
                let head = format!("from {} ({client}){auth}\n\tby {by} with {with} id {}{tls}", st.helo, st.id);
                return format!("{head}{}; {}", for_clause("\n\t"), st.date.sendmail());
            }
            let head = format!("from {} ({client})\n\tby {by} with {with} id {}", st.helo, st.id);
            format!("{head}{}; {}", for_clause("\n\t"), st.date)
        }
        ReceivedStyle::Exim => {
            let from = if st.rdns.is_some() {
                format!("{rdns} ([{}] helo={})", st.ip, st.helo)
            } else {
                format!("[{}] (helo={})", st.ip, st.helo)
            };
            let rcpt = st.rcpt.map_or(String::new(), |r| format!("\n\tfor {r}"));
            // Exim's default received_header_text names the TLS version and cipher (a real Exim 4.96 built with
            // GnuTLS, for a TLS 1.3 session with AES-256-GCM, writes these) and its own date format.
            let tls = if st.tls { " (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n\t" } else { "" };
            format!(
                "from {from}\n\tby {} with {} {tls}({})\n\t(envelope-from <{}>)\n\tid {}{rcpt};\n\t{}",
                st.host,
                with.to_ascii_lowercase(),
                st.software,
                st.from,
                st.id,
                st.date.exim()
            )
        }
        ReceivedStyle::Exchange => {
            let tls = if st.tls { " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)" } else { "" };
            format!(
                "from {} ({}) by {} ({})\n\twith Microsoft SMTP Server{tls} id 15.2.1544.4;\n\t{}",
                st.helo, st.ip, st.host, st.host_ip, st.date
            )
        }
        ReceivedStyle::OpenSmtpd => {
            // The TLS clause (version:cipher:bits:verified) is OpenSMTPD's smtp_session.c received line.
            let tls = if st.tls { " (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)" } else { "" };
            let rdns = st.rdns.unwrap_or("<unknown>");
            format!(
                "from {} ({rdns} [{}])\n\tby {} (OpenSMTPD) with {with} id {}{tls}{};\n\t{}",
                st.helo,
                st.ip,
                st.host,
                st.id,
                for_clause("\n\t"),
                st.date
            )
        }
        ReceivedStyle::Qmail => {
            let proto = if st.auth { "ESMTPA" } else { "SMTP" };
            format!("from {} (HELO {}) ({})\n  by {} with {proto}; {}", rdns, st.helo, st.ip, st.host, st.date)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_postfix_bounce_text() {
        let text = "<bob@corp-b.example>: host 127.0.0.1[127.0.0.1] said: 554 5.7.1 <bob@corp-b.example>: Relay access denied (in reply to RCPT TO command)";
        assert_eq!(
            wrap(text, 79, 4),
            [
                "<bob@corp-b.example>: host 127.0.0.1[127.0.0.1] said: 554 5.7.1",
                "    <bob@corp-b.example>: Relay access denied (in reply to RCPT TO command)"
            ]
        );
        assert_eq!(
            wrap("Diagnostic-Code: X-Postfix; connect to 127.0.0.1[127.0.0.1]:2526: Connection refused", 79, 4),
            ["Diagnostic-Code: X-Postfix; connect to 127.0.0.1[127.0.0.1]:2526: Connection", "    refused"]
        );
        assert_eq!(wrap("short", 79, 4), ["short"]);
    }

    #[test]
    fn received_lines() {
        let st = Stamp {
            helo: "laptop.example",
            rdns: None,
            ip: "203.0.113.77",
            host: "smtp.isp-a.example",
            host_ip: "198.51.100.25",
            software: "Postfix",
            tls: true,
            auth: true,
            id: "1OOO",
            rcpt: Some("bob@corp-b.example"),
            from: "alice@isp-a.example",
            date: DateTime::at(0),
        };
        assert_eq!(
            received(ReceivedStyle::Postfix, &st),
            "from laptop.example (unknown [203.0.113.77])\n\tby smtp.isp-a.example (Postfix) with ESMTPSA id 1OOO\n\tfor <bob@corp-b.example>; Mon, 2 Mar 2026 09:00:00 +0000 (UTC)"
        );
        assert_eq!(
            received(ReceivedStyle::Exim, &Stamp { software: "Exim 4.96", ..st }),
            "from [203.0.113.77] (helo=laptop.example)\n\tby smtp.isp-a.example with esmtpsa  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <alice@isp-a.example>)\n\tid 1OOO\n\tfor bob@corp-b.example;\n\tMon, 02 Mar 2026 09:00:00 +0000"
        );
        // Sendmail, as a real Sendmail 8.17.1.9 wrote them: no name when reverse DNS gave none, `GMT` in UTC.
        let sendmail = Stamp { software: "8.17.1.9/8.17.1.9", tls: false, auth: false, ..st };
        assert_eq!(
            received(ReceivedStyle::Sendmail, &sendmail),
            "from laptop.example ([203.0.113.77])\n\tby smtp.isp-a.example (8.17.1.9/8.17.1.9) with ESMTP id 1OOO\n\tfor <bob@corp-b.example>; Mon, 2 Mar 2026 09:00:00 GMT"
        );
        assert!(received(ReceivedStyle::Sendmail, &Stamp { rdns: Some("dsl-23.isp-a.example"), ..sendmail })
            .starts_with("from laptop.example (dsl-23.isp-a.example [203.0.113.77])\n"));
        assert_eq!(with_keyword(false, false), "ESMTP");
    }
}
