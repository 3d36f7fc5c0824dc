//! SMTP replies (RFC 5321 §4.2) with their enhanced status codes (RFC 3463), as servers send them.

use core::fmt;
use std::borrow::Cow;

/// Text that is usually a fixed string from the flavour table, sometimes filled in.
pub type Text = Cow<'static, str>;

/// An enhanced mail system status code, `class.subject.detail` (RFC 3463), e.g. `5.7.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status {
    /// 2 success, 4 persistent transient failure, 5 permanent failure.
    pub class: u8,
    /// The subject: 1 addressing, 2 mailbox, 3 mail system, 4 network and routing, 5 protocol, 6 content, 7 security.
    pub subject: u16,
    /// The detail within the subject.
    pub detail: u16,
}

impl Status {
    /// `class.subject.detail`.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Self {
        Status { class, subject, detail }
    }

    /// Parses `5.7.1`; `None` if the text is not a status code.
    pub fn parse(s: &str) -> Option<Status> {
        let mut it = s.split('.');
        let class: u8 = it.next()?.parse().ok()?;
        let subject: u16 = it.next()?.parse().ok()?;
        let detail: u16 = it.next()?.parse().ok()?;
        if it.next().is_some() || !matches!(class, 2 | 4 | 5) || subject > 999 || detail > 999 {
            return None;
        }
        Some(Status { class, subject, detail })
    }

    /// The same code with its class set to match a reply's first digit, as Postfix does (`smtpd_check_reject`).
    pub fn with_class_of(self, code: u16) -> Status {
        Status { class: (code / 100) as u8, ..self }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One SMTP reply: a three-digit code, an optional enhanced status code and one or more lines of text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Reply {
    /// The reply code, e.g. 554.
    pub code: u16,
    /// The enhanced status code printed after the reply code on every line, if the server uses them.
    pub status: Option<Status>,
    /// The text of each line (at least one), without code and status.
    pub lines: Vec<Text>,
    /// The wording is best knowledge, not confirmed in the software's source or real transcripts.
    pub unconfirmed: bool,
}

/// What the first digit of a reply code tells the client (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// 2yz: done.
    Ok,
    /// 3yz: go on (send the message text, the next AUTH step).
    Continue,
    /// 4yz: not now; an MTA keeps the message and tries again.
    Transient,
    /// 5yz: no; an MTA returns the message to its sender.
    Permanent,
}

impl Reply {
    /// A one-line reply.
    pub fn new(code: u16, status: Option<Status>, text: impl Into<Text>) -> Self {
        Reply { code, status, lines: vec![text.into()], unconfirmed: false }
    }

    /// What the client should make of this reply.
    pub fn severity(&self) -> Severity {
        match self.code / 100 {
            2 => Severity::Ok,
            3 => Severity::Continue,
            4 => Severity::Transient,
            _ => Severity::Permanent,
        }
    }

    /// Whether a client goes on after it (2xx, 3xx).
    pub fn is_positive(&self) -> bool {
        matches!(self.severity(), Severity::Ok | Severity::Continue)
    }

    /// The status code this reply carries, printed after the code or, as qmail does, as `(#5.7.1)` in the text.
    pub fn effective_status(&self) -> Option<Status> {
        self.status.or_else(|| {
            let text = self.lines.last()?;
            let start = text.rfind("(#")? + 2;
            let end = start + text[start..].find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
            Status::parse(&text[start..end])
        })
    }

    /// The text of all lines joined with spaces (for one-line displays and bounces).
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }

    /// The first line as sent: `554 5.7.1 <bob@corp-b.example>: Relay access denied`.
    pub fn first_line(&self) -> String {
        self.line(0, self.lines.len() == 1)
    }

    /// Line `i` as sent on the wire, with `-` after the code unless it is the last line.
    pub fn line(&self, i: usize, last: bool) -> String {
        let sep = if last { ' ' } else { '-' };
        match self.status {
            Some(s) => format!("{}{sep}{s} {}", self.code, self.lines[i]),
            None => format!("{}{sep}{}", self.code, self.lines[i]),
        }
    }

    /// Every line as sent on the wire.
    pub fn wire_lines(&self) -> impl Iterator<Item = String> + '_ {
        let n = self.lines.len();
        (0..n).map(move |i| self.line(i, i + 1 == n))
    }

    /// Parses the lines a server sent (`250-…`, `250 …`) back into a reply; `None` if they are not one reply.
    pub fn parse_wire(lines: &[&str]) -> Option<Reply> {
        let mut code = None;
        let mut status = None;
        let mut texts = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let c: u16 = l.get(..3)?.parse().ok()?;
            if *code.get_or_insert(c) != c || !(200..600).contains(&c) {
                return None;
            }
            let sep = l.as_bytes().get(3).copied().unwrap_or(b' ');
            if (sep == b' ') != (i + 1 == lines.len()) || !(sep == b' ' || sep == b'-') {
                return None;
            }
            let rest = l.get(4..).unwrap_or("");
            let (st, text) = match rest.split_once(' ') {
                Some((first, tail)) => match Status::parse(first) {
                    Some(s) if s.class as u16 == c / 100 => (Some(s), tail),
                    _ => (None, rest),
                },
                None => match Status::parse(rest) {
                    Some(s) if s.class as u16 == c / 100 => (Some(s), ""),
                    _ => (None, rest),
                },
            };
            if i == 0 {
                status = st;
            }
            texts.push(Text::Owned(text.to_string()));
        }
        Some(Reply { code: code?, status, lines: texts, unconfirmed: false })
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.wire_lines().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&line)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_postfix() {
        let r = Reply::new(554, Some(Status::new(5, 7, 1)), "<bob@corp-b.example>: Relay access denied");
        assert_eq!(r.to_string(), "554 5.7.1 <bob@corp-b.example>: Relay access denied");
        assert_eq!(r.severity(), Severity::Permanent);
        let ehlo = Reply {
            code: 250,
            status: None,
            lines: vec!["smtp.isp-a.example".into(), "PIPELINING".into()],
            unconfirmed: false,
        };
        assert_eq!(ehlo.to_string(), "250-smtp.isp-a.example\n250 PIPELINING");
    }

    #[test]
    fn wire_round_trip() {
        for text in [
            "554 5.7.1 <bob@corp-b.example>: Relay access denied",
            "220 smtp.isp-a.example ESMTP Postfix",
            "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
            "250 2.0.0 Ok: queued as 5B961CC8FD",
        ] {
            let r = Reply::parse_wire(&[text]).unwrap();
            assert_eq!(r.to_string(), text);
        }
        let multi = ["250-smtp.isp-a.example", "250-PIPELINING", "250 CHUNKING"];
        assert_eq!(Reply::parse_wire(&multi).unwrap().lines.len(), 3);
        assert!(Reply::parse_wire(&["250-a", "251 b"]).is_none());
        assert!(Reply::parse_wire(&["25"]).is_none());
        assert!(Reply::parse_wire(&["250-a"]).is_none());
    }

    #[test]
    fn qmail_status_is_found_in_text() {
        let r = Reply::parse_wire(&["553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"]).unwrap();
        assert_eq!(r.status, None);
        assert_eq!(r.effective_status(), Some(Status::new(5, 7, 1)));
        assert_eq!(Status::new(5, 7, 1).with_class_of(454).to_string(), "4.7.1");
        assert_eq!(Status::parse("5.7.x"), None);
    }
}
