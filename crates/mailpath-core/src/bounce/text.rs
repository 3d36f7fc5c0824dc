//! Small pieces of text work for reading a paste: finding a value back in the pasted text (across folded lines),
//! case-insensitive searches, and SMTP reply lines.

use super::{Item, Span};
use crate::reply::Status;

/// How many words of a value [`locate`] compares (a longer value's span covers its first words): it bounds the
/// work per candidate, so that finding a value is linear in the paste's size.
const LOCATE_WORDS: usize = 32;

/// The byte range in `raw` where `value` occurs at or after `from` (else anywhere), ignoring ASCII case and
/// comparing runs of white space (folded lines, wrapped text) as equal. `None` if it is not there as such (a
/// decoded part, a joined value).
pub fn locate(raw: &str, value: &str, from: usize) -> Option<Span> {
    let words: Vec<&str> = value.split_ascii_whitespace().take(LOCATE_WORDS).collect();
    let first = *words.first()?;
    let try_from = |start: usize| -> Option<Span> {
        let mut at = start;
        while let Some(i) = find_ci(raw.get(at..)?, first) {
            let begin = at + i;
            if let Some(end) = follows(raw, begin + first.len(), &words[1..]) {
                return Some(Span { start: begin, end });
            }
            at = begin + first.len();
        }
        None
    };
    let from = if raw.is_char_boundary(from.min(raw.len())) { from.min(raw.len()) } else { 0 };
    try_from(from).or_else(|| if from > 0 { try_from(0) } else { None })
}

/// Where the words end if `words` follow `at` in `raw`, each after some white space.
fn follows(raw: &str, mut at: usize, words: &[&str]) -> Option<usize> {
    let b = raw.as_bytes();
    for w in words {
        let start = at;
        while at < b.len() && b[at].is_ascii_whitespace() {
            at += 1;
        }
        if at == start || !raw.get(at..at + w.len()).is_some_and(|r| r.eq_ignore_ascii_case(w)) {
            return None;
        }
        at += w.len();
    }
    Some(at)
}

/// An item: the value, and where it is in the paste.
pub fn item(raw: &str, value: &str, from: usize) -> Item {
    Item { value: value.to_string(), at: locate(raw, value, from) }
}

/// The byte offset of `needle` in `hay`, ignoring ASCII case.
pub fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() || n.len() > h.len() {
        return None;
    }
    let (lo, up) = (n[0].to_ascii_lowercase(), n[0].to_ascii_uppercase());
    let last = h.len() - n.len();
    let mut i = 0;
    while i <= last {
        // Skip to the next byte that can start the needle, then compare the rest.
        let k = h[i..=last].iter().position(|&c| c == lo || c == up)?;
        i += k;
        if h[i + 1..i + n.len()].eq_ignore_ascii_case(&n[1..]) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Whether `hay` holds `needle`, ignoring ASCII case.
pub fn has(hay: &str, needle: &str) -> bool {
    find_ci(hay, needle).is_some()
}

/// The text after the first `marker` (ignoring case), to the end of its line.
pub fn after<'a>(hay: &'a str, marker: &str) -> Option<&'a str> {
    let i = find_ci(hay, marker)? + marker.len();
    let rest = &hay[i..];
    Some(rest.split('\n').next().unwrap_or("").trim())
}

/// A reply as servers write it: `550 5.7.1 text`, `550-5.1.1 text` (continuations joined), or qmail's
/// `553 text (#5.7.1)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine {
    /// The reply code.
    pub code: u16,
    /// The enhanced status, where it is printed.
    pub status: Option<Status>,
    /// The whole reply as one line (continuations joined with a space).
    pub text: String,
    /// How many bytes of the text it was read from it covers (from its code on).
    pub len: usize,
}

/// The reply at the start of `s` (after white space): three digits 2xx–5xx, then a space, a dash or the end.
/// Continuation lines (`550-…` then `550 …`) are joined, their repeated code and status dropped.
pub fn reply_at(s: &str) -> Option<ReplyLine> {
    let s = s.trim_start_matches([' ', '\t']);
    let code = code_at(s)?;
    let mut len = 0;
    let mut words = Vec::new();
    let mut status = None;
    let mut consumed = 0;
    for (n, raw_line) in s.split_inclusive('\n').enumerate() {
        let line = raw_line.trim();
        let Some(c) = code_at(line) else { break };
        if c != code {
            break;
        }
        len = consumed + raw_line.trim_end().len();
        consumed += raw_line.len();
        let rest = line[3..].trim_start_matches(['-', ' ']);
        let (st, rest) = match rest.split_once(' ') {
            Some((a, b)) if Status::parse(a).is_some() => (Status::parse(a), b),
            None if Status::parse(rest).is_some() => (Status::parse(rest), ""),
            _ => (None, rest),
        };
        if n == 0 {
            status = st;
        }
        if !rest.trim().is_empty() {
            words.push(rest.trim().to_string());
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    let joined = words.join(" ");
    let status = status.or_else(|| qmail_status(&joined));
    let text = match status {
        Some(st) if !joined.contains(&format!("(#{st}")) => format!("{code} {st} {joined}"),
        _ => format!("{code} {joined}"),
    };
    Some(ReplyLine { code, status, text: text.trim_end().to_string(), len })
}

fn code_at(s: &str) -> Option<u16> {
    let b = s.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) || !(b'2'..=b'5').contains(&b[0]) {
        return None;
    }
    if b.len() > 3 && !matches!(b[3], b' ' | b'-' | b'\t' | b'\r' | b'\n') {
        return None;
    }
    s[..3].parse().ok()
}

/// qmail's status at the end of its text: `(#5.7.1)`, also `(#5.5.3 - chkuser)`.
pub fn qmail_status(s: &str) -> Option<Status> {
    let i = s.find("(#")?;
    let rest = &s[i + 2..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
    Status::parse(&rest[..end])
}

/// The first reply found anywhere in `s`: at the start of a line, after `said:`, `returned '`, `Response: '`,
/// `responded:` or a `#`.
pub fn first_reply(s: &str) -> Option<(usize, ReplyLine)> {
    let mut at = 0;
    for line in s.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t']);
        let lead = line.len() - trimmed.len();
        if trimmed.trim().is_empty() {
            at += line.len();
            continue;
        }
        if let Some(r) = reply_at(&s[at + lead..]) {
            return Some((at + lead, r));
        }
        for marker in
            ["said: ", "returned '", "Response: '", "responded: ", "#", "reason: ", "<<< ", "]: ", ">: ", ": "]
        {
            if let Some(i) = line.find(marker) {
                let from = at + i + marker.len();
                let rest = &s[from..];
                // A quoted reply ends at its closing quote on its line (`Server Response: '550 …', Port: 25`).
                let rest = match marker.ends_with('\'') {
                    true => {
                        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
                        &line[..line.find("', ").or_else(|| line.rfind('\'')).unwrap_or(line.len())]
                    }
                    false => rest,
                };
                // After a bare `: ` only a refusal counts (not `Date: 2026 …`).
                if let Some(r) = reply_at(rest).filter(|r| marker != ": " || r.code >= 400) {
                    return Some((from, r));
                }
            }
        }
        at += line.len();
    }
    None
}

/// Text joined from wrapped lines: white space runs become one space.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An address in angle brackets at or after `s`'s start: `<bob@corp-b.example>` → `bob@corp-b.example`.
pub fn bracketed(s: &str) -> Option<&str> {
    let start = s.find('<')? + 1;
    let end = start + s[start..].find('>')?;
    let a = s[start..end].trim();
    a.contains('@').then_some(a)
}

/// The first thing that looks like an e-mail address in `s`.
pub fn address_in(s: &str) -> Option<String> {
    if let Some(a) = bracketed(s) {
        return Some(a.to_ascii_lowercase());
    }
    s.split(|c: char| c.is_whitespace() || "<>()'\",;:[]".contains(c))
        .find(|w| {
            let mut parts = w.split('@');
            matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None) if !l.is_empty() && d.contains('.'))
        })
        .map(|w| w.trim_end_matches('.').to_ascii_lowercase())
}

/// A host name, as a bounce prints it: lower-case, without a trailing dot.
pub fn host(s: &str) -> Option<String> {
    let h = s.trim().trim_end_matches('.').trim_end_matches(':').trim_end_matches('.');
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        && h.contains(|c: char| c.is_ascii_alphabetic());
    ok.then(|| h.to_ascii_lowercase())
}

/// An IPv4 or IPv6 address in `s` (brackets, `IPv6:` prefix and a `:port` after IPv4 taken off).
pub fn ip(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches('[').trim_end_matches(']');
    let s = s.strip_prefix("IPv6:").or_else(|| s.strip_prefix("ipv6:")).unwrap_or(s);
    if s.parse::<std::net::Ipv4Addr>().is_ok() || s.parse::<std::net::Ipv6Addr>().is_ok() {
        return Some(s.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_across_folded_lines() {
        let raw = "Diagnostic-Code: smtp; 554 5.7.1 <bob@corp-b.example>: Relay\n    access denied\n";
        let s = locate(raw, "554 5.7.1 <bob@corp-b.example>: Relay access denied", 0).unwrap();
        assert_eq!(&raw[s.start..s.end], "554 5.7.1 <bob@corp-b.example>: Relay\n    access denied");
        assert_eq!(locate(raw, "nowhere", 0), None);
    }

    #[test]
    fn replies_of_every_shape() {
        let r = reply_at("550-5.1.1 The email account that you tried to reach does\n550-5.1.1 not exist.\n550 5.1.1 https://x y - gsmtp").unwrap();
        assert_eq!((r.code, r.status.map(|s| s.to_string())), (550, Some("5.1.1".into())));
        assert_eq!(r.text, "550 5.1.1 The email account that you tried to reach does not exist. https://x y - gsmtp");
        let q = reply_at("553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)").unwrap();
        assert_eq!(q.status.map(|s| s.to_string()), Some("5.7.1".into()));
        assert_eq!(q.text, "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)");
        assert_eq!(reply_at("2026 was a year"), None);
        assert_eq!(reply_at("600 no"), None);
        let (_, e) = first_reply("host mx[1.2.3.4] said: 554 5.7.1 no (in reply to RCPT TO command)").unwrap();
        assert_eq!(e.code, 554);
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn a_multi_line_reply_covers_all_its_lines_and_values_are_found_in_any_case() {
        let s = "550-5.1.1 The email account\n550 5.1.1 does not exist. - gsmtp\nnext";
        assert_eq!(&s[..reply_at(s).unwrap().len], "550-5.1.1 The email account\n550 5.1.1 does not exist. - gsmtp");
        let raw = "host MX.Corp-B.Example said";
        assert_eq!(locate(raw, "mx.corp-b.example", 0), Some(Span { start: 5, end: 22 }));
    }
}
