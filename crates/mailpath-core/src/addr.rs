//! Mail addresses as they appear in `MAIL FROM:<…>` and `RCPT TO:<…>` (RFC 5321 §4.1.2), including the old
//! sender-routing forms (`%`, `!`, source routes) that open-relay testers still send.
//!
//! Parsing is independent of any server; [`crate::policy`] resolves an address against one server's domains the
//! way Postfix's trivial-rewrite does.

use core::fmt;
use std::net::Ipv4Addr;

/// RFC 5321 §4.5.3.1.1: at most 64 octets of local part.
pub const MAX_LOCAL: usize = 64;
/// RFC 5321 §4.5.3.1.2: at most 255 octets of domain.
pub const MAX_DOMAIN: usize = 255;
/// RFC 5321 §4.5.3.1.3: at most 256 octets of path, brackets included.
pub const MAX_PATH: usize = 254;

/// Why a string is not a usable address; each says what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrError {
    /// Nothing was given.
    Empty,
    /// Longer than an SMTP path may be.
    TooLong(usize),
    /// Local part longer than 64 octets.
    LocalTooLong(usize),
    /// A control character, space or angle bracket outside quotes.
    BadChar(char),
    /// A quote was opened and never closed.
    UnclosedQuote,
    /// `@` with nothing before it.
    EmptyLocal,
    /// `@` with nothing after it.
    EmptyDomain,
    /// The domain is not a host name or an address literal.
    BadDomain(String),
    /// A source route (`@a,@b:`) that does not end in an address.
    BadRoute,
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrError::Empty => f.write_str("the address is empty"),
            AddrError::TooLong(n) => write!(f, "the address is {n} characters long; SMTP allows at most {MAX_PATH}"),
            AddrError::LocalTooLong(n) => {
                write!(f, "the part before @ is {n} characters long; SMTP allows at most {MAX_LOCAL}")
            }
            AddrError::BadChar(c) if c.is_ascii_whitespace() => {
                f.write_str("the address contains a space; quote it (\"a b\"@example.com) or remove it")
            }
            AddrError::BadChar(c) => write!(f, "the address contains '{c}', which needs quotes or is not allowed"),
            AddrError::UnclosedQuote => f.write_str("a quote (\") is opened but never closed"),
            AddrError::EmptyLocal => f.write_str("there is nothing before the @"),
            AddrError::EmptyDomain => f.write_str("there is nothing after the @"),
            AddrError::BadDomain(why) => write!(f, "the domain {why}"),
            AddrError::BadRoute => f.write_str("the source route (@host:) is not followed by an address"),
        }
    }
}

impl std::error::Error for AddrError {}

/// A parsed RFC 5321 path (without its angle brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    raw: String,
    route: Vec<String>,
    local: String,
    quoted: bool,
    domain: Option<String>,
    echo: String,
}

impl Address {
    /// Parses what a client would put between `<` and `>`; surrounding brackets and spaces are allowed.
    pub fn parse(input: &str) -> Result<Address, AddrError> {
        Address::parse_with(input, true)
    }

    /// Parses an address as a server reads it off the wire: like [`Address::parse`], without RFC 5321's length
    /// limits, which servers do not enforce (Postfix takes a 70-character local part).
    pub fn parse_as_server(input: &str) -> Result<Address, AddrError> {
        Address::parse_with(input, false)
    }

    fn parse_with(input: &str, limits: bool) -> Result<Address, AddrError> {
        let mut s = input.trim();
        if let Some(inner) = s.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
            s = inner.trim();
        }
        if s.is_empty() {
            return Err(AddrError::Empty);
        }
        if limits && s.len() > MAX_PATH {
            return Err(AddrError::TooLong(s.len()));
        }
        let (route, rest) = split_route(s)?;
        let (local, quoted, domain) = split_mailbox(rest)?;
        if limits && local.len() > MAX_LOCAL {
            return Err(AddrError::LocalTooLong(local.len()));
        }
        let domain = match domain {
            Some(d) => Some(check_domain(d)?),
            None => None,
        };
        let echo = echo_form(rest, &local, quoted);
        Ok(Address { raw: s.to_string(), route, local, quoted, domain, echo })
    }

    /// The address as Postfix quotes it back in replies (checked against Postfix 3.7): quotes removed and any
    /// source route dropped, as RFC 5321 §3.3 tells servers to ignore it.
    pub fn echo(&self) -> &str {
        &self.echo
    }

    /// The address exactly as the client sends it (and as servers echo it in replies).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The local part with quotes removed.
    pub fn local(&self) -> &str {
        &self.local
    }

    /// The domain, lower-cased; `None` for a bare local part such as `"user@host"` or `host!user`.
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    /// Source-route hosts (`@a,@b:user@c` gives `a`, `b`), lower-cased.
    pub fn route(&self) -> &[String] {
        &self.route
    }

    /// The local part as sent is a dot-atom (RFC 5321 §4.1.2): atoms of letters, digits and
    /// ``!#$%&'*+-/=?^_`{|}~``, joined by single dots; no quotes. OpenSMTPD accepts no other (`valid_localpart`).
    pub fn is_dot_atom(&self) -> bool {
        let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
        !self.quoted && self.local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atext))
    }

    /// Whether the local part was written in quotes.
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// The IPv4 address of an address literal domain (`user@[192.0.2.1]`).
    pub fn literal_ip(&self) -> Option<Ipv4Addr> {
        self.domain.as_deref().and_then(literal_ipv4)
    }

    /// Whether the address needs SMTPUTF8 (RFC 6531): any non-ASCII character.
    pub fn is_utf8(&self) -> bool {
        !self.raw.is_ascii()
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// The IPv4 address of a literal such as `[192.0.2.1]`.
pub fn literal_ipv4(domain: &str) -> Option<Ipv4Addr> {
    domain.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

fn split_route(s: &str) -> Result<(Vec<String>, &str), AddrError> {
    if !s.starts_with('@') {
        return Ok((Vec::new(), s));
    }
    let colon = s.find(':').ok_or(AddrError::BadRoute)?;
    let mut hosts = Vec::new();
    for hop in s[..colon].split(',') {
        let host = hop.trim().strip_prefix('@').ok_or(AddrError::BadRoute)?;
        hosts.push(check_domain(host)?);
    }
    let rest = &s[colon + 1..];
    if rest.is_empty() {
        return Err(AddrError::BadRoute);
    }
    Ok((hosts, rest))
}

/// The reply form of a parsed path (see [`Address::echo`]); `s` is the path after any source route.
fn echo_form(s: &str, local: &str, quoted: bool) -> String {
    if !quoted {
        return s.to_string();
    }
    // The domain as written: after the last '@' outside quotes.
    let mut in_quote = false;
    let mut at = None;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            '@' if !in_quote => at = Some(i),
            _ => {}
        }
    }
    match at {
        Some(i) => format!("{local}{}", &s[i..]),
        None => local.to_string(),
    }
}

/// Splits `local@domain` at the last `@` outside quotes; a quoted local part keeps its `@`s.
fn split_mailbox(s: &str) -> Result<(String, bool, Option<&str>), AddrError> {
    // First pass: find the last '@' outside quotes.
    let mut in_quote = false;
    let mut escaped = false;
    let mut split_at = None;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            '@' if !in_quote => split_at = Some(i),
            _ => {}
        }
    }
    if in_quote {
        return Err(AddrError::UnclosedQuote);
    }
    let (local_src, domain) = match split_at {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    // Second pass: the local part without its quotes, refusing what needs quoting.
    let mut local = String::new();
    let mut quoted = false;
    let mut in_quote = false;
    let mut escaped = false;
    for c in local_src.chars() {
        if is_control(c) {
            return Err(AddrError::BadChar(c));
        }
        match c {
            _ if escaped => {
                local.push(c);
                escaped = false;
            }
            '\\' if in_quote => escaped = true,
            '"' => {
                in_quote = !in_quote;
                quoted = true;
            }
            ' ' | '<' | '>' | '(' | ')' | ',' | ';' | ':' | '[' | ']' | '\\' if !in_quote => {
                return Err(AddrError::BadChar(c))
            }
            _ => local.push(c),
        }
    }
    if local.is_empty() && !quoted {
        return Err(AddrError::EmptyLocal);
    }
    if domain == Some("") {
        return Err(AddrError::EmptyDomain);
    }
    Ok((local, quoted, domain))
}

/// A control character (Unicode category Cc: C0, DEL and C1).
pub fn is_control(c: char) -> bool {
    matches!(c as u32, 0..=0x1f | 0x7f..=0x9f)
}

/// Checks a host name or address literal; returns it lower-cased without a trailing dot.
pub fn check_domain(d: &str) -> Result<String, AddrError> {
    let d = d.strip_suffix('.').unwrap_or(d);
    if d.is_empty() {
        return Err(AddrError::EmptyDomain);
    }
    if d.len() > MAX_DOMAIN {
        return Err(AddrError::BadDomain(format!("is {} characters long; at most {MAX_DOMAIN} are allowed", d.len())));
    }
    if d.starts_with('[') {
        if literal_ipv4(d).is_some() || (d.starts_with("[IPv6:") && d.ends_with(']')) {
            return Ok(d.to_string());
        }
        return Err(AddrError::BadDomain(format!("{d} is not an address literal like [192.0.2.1]")));
    }
    for label in d.split('.') {
        if label.is_empty() {
            return Err(AddrError::BadDomain("has an empty label (two dots in a row)".into()));
        }
        if label.len() > 63 {
            return Err(AddrError::BadDomain(format!(
                "has a label of {} characters; at most 63 are allowed",
                label.len()
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(AddrError::BadDomain(format!("label \"{label}\" starts or ends with a hyphen")));
        }
        // Letters of any script are allowed (IDN); ASCII must be letters, digits or hyphens.
        if let Some(c) = label.chars().find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || *c == '-')) {
            return Err(AddrError::BadDomain(format!(
                "contains '{c}'; only letters, digits, hyphens and dots are allowed"
            )));
        }
    }
    // A name of digits and dots only is an address written without brackets, not a host name (Postfix's
    // valid_hostname refuses it).
    if d.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(AddrError::BadDomain(format!("{d} is all digits; write an address as a literal like [{d}]")));
    }
    // ASCII letters are folded; other scripts are kept as written (no Unicode case tables in the bundle).
    Ok(d.to_ascii_lowercase())
}

/// Checks a host or domain name as mail software needs it on the wire: ASCII letters, digits and hyphens
/// (RFC 1035 §2.3.1, RFC 5321 §4.1.2), labels of 1–63 characters that neither start nor end with a hyphen, at
/// least two labels, at most 253 characters; `xn--` labels must be valid Punycode. Returns it in lower case.
pub fn dns_name(input: &str) -> Result<String, String> {
    let name = input.trim().trim_end_matches('.');
    if name.is_empty() {
        return Err("is empty; write a name such as mail.example.com".into());
    }
    if !name.is_ascii() {
        return Err(format!(
            "\"{name}\" has letters outside ASCII: type it in the Names settings, which send it as its A-label \
             (xn--…), or write the A-label"
        ));
    }
    if name.len() > 253 {
        return Err(format!("is {} characters long; a name has at most 253 (RFC 1035)", name.len()));
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err(format!("\"{name}\" has no dot; mail servers need a full name such as {name}.example"));
    }
    for l in &labels {
        if l.is_empty() {
            return Err(format!("\"{name}\" has an empty label (two dots in a row)"));
        }
        if l.len() > 63 {
            return Err(format!("the label \"{l}\" is {} characters long; a label has at most 63", l.len()));
        }
        if let Some(c) = l.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
            return Err(format!("\"{name}\" contains '{c}': a name has only letters, digits, hyphens and dots"));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err(format!("the label \"{l}\" starts or ends with a hyphen"));
        }
        if let Some(code) = l.get(..4).filter(|p| p.eq_ignore_ascii_case("xn--")).map(|_| &l[4..]) {
            if idna::punycode::decode_to_string(code).is_none_or(|u| u.is_empty()) {
                return Err(format!("the label \"{l}\" is not valid Punycode"));
            }
        }
    }
    Ok(name.to_ascii_lowercase())
}

/// A name a person typed, Unicode or not, as mail software sends it: each label mapped and converted to its
/// A-label by UTS #46 (the `idna` crate), then checked like [`dns_name`].
pub fn to_a_labels(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_ascii() {
        return dns_name(trimmed);
    }
    let ascii =
        idna::domain_to_ascii(trimmed).map_err(|_| format!("\"{trimmed}\" is not a valid internationalised name"))?;
    dns_name(&ascii)
}

/// A name as people read it: `xn--` labels shown in Unicode (RFC 3492), others as they are.
pub fn display_name(name: &str) -> String {
    name.split('.')
        .map(|l| match l.get(..4).filter(|p| p.eq_ignore_ascii_case("xn--")) {
            Some(_) => idna::punycode::decode_to_string(&l[4..]).unwrap_or_else(|| l.to_string()),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// A host or domain name, shared (the world's names are settings, handed around without copying).
pub type Name = std::rc::Rc<str>;

/// The local part of an address as typed, before any parsing (`alice` of `alice@isp-a.example`): the login
/// name a mail program derives from its account's address.
pub fn typed_local_part(addr: &str) -> &str {
    addr.trim().rsplit_once('@').map_or(addr.trim(), |(l, _)| l)
}

/// The domain of the address in a header field such as `Alice <alice@isp-a.example>` (empty if none).
pub fn header_domain(header: &str) -> &str {
    let inner = header.rsplit_once('<').map_or(header, |(_, r)| r.trim_end_matches('>'));
    inner.rsplit_once('@').map_or("", |(_, d)| d.trim())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_checked_as_mail_software_needs_them() {
        assert_eq!(dns_name("Mail.Example.COM."), Ok("mail.example.com".into()));
        assert_eq!(dns_name("xn--bcher-kva.example"), Ok("xn--bcher-kva.example".into()));
        for (bad, says) in [
            ("", "empty"),
            ("localhost", "no dot"),
            ("a..example", "empty label"),
            ("-x.example", "hyphen"),
            ("x_y.example", "'_'"),
            ("bücher.example", "A-label"),
            ("xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.example", "Punycode"),
        ] {
            let e = dns_name(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
        assert!(dns_name(&format!("{}.example", "a".repeat(64))).unwrap_err().contains("at most 63"));
        assert!(dns_name(&format!("{}.example", "abc.".repeat(70))).unwrap_err().contains("at most 253"));
        assert_eq!(to_a_labels("Bücher.example"), Ok("xn--bcher-kva.example".into()));
        // Unicode in, A-labels on the wire, the same Unicode shown back.
        let ru = to_a_labels("Почта.Пример.рф").unwrap();
        assert!(ru.is_ascii() && ru.split('.').all(|l| l.starts_with("xn--")), "{ru}");
        assert_eq!(display_name(&ru), "почта.пример.рф");
        assert_eq!(display_name("xn--bcher-kva.example"), "bücher.example");
        assert_eq!(display_name("smtp.isp-a.example"), "smtp.isp-a.example");
    }

    use super::*;

    #[test]
    fn plain_addresses() {
        let a = Address::parse("Bob@Corp-B.Example").unwrap();
        assert_eq!((a.local(), a.domain()), ("Bob", Some("corp-b.example")));
        assert_eq!(a.raw(), "Bob@Corp-B.Example");
        assert_eq!(Address::parse(" <alice@isp-a.example> ").unwrap().raw(), "alice@isp-a.example");
    }

    #[test]
    fn nmap_relay_forms_parse() {
        let ip = "[192.0.2.25]";
        for (input, local, domain, route) in [
            ("relaytest@nmap.scanme.org".to_string(), "relaytest", Some("nmap.scanme.org"), 0),
            (format!("relaytest%nmap.scanme.org@{ip}"), "relaytest%nmap.scanme.org", Some(ip), 0),
            ("\"relaytest@nmap.scanme.org\"".into(), "relaytest@nmap.scanme.org", None, 0),
            ("\"relaytest%nmap.scanme.org\"".into(), "relaytest%nmap.scanme.org", None, 0),
            (format!("relaytest@nmap.scanme.org@{ip}"), "relaytest@nmap.scanme.org", Some(ip), 0),
            (format!("\"relaytest@nmap.scanme.org\"@{ip}"), "relaytest@nmap.scanme.org", Some(ip), 0),
            (format!("@{ip}:relaytest@nmap.scanme.org"), "relaytest", Some("nmap.scanme.org"), 1),
            ("nmap.scanme.org!relaytest".into(), "nmap.scanme.org!relaytest", None, 0),
            (format!("nmap.scanme.org!relaytest@{ip}"), "nmap.scanme.org!relaytest", Some(ip), 0),
        ] {
            let a = Address::parse(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(a.local(), local, "{input}");
            assert_eq!(a.domain(), domain, "{input}");
            assert_eq!(a.route().len(), route, "{input}");
            assert_eq!(a.raw(), input);
        }
    }

    #[test]
    fn bad_addresses_say_why() {
        for (input, err) in [
            ("", AddrError::Empty),
            ("<>", AddrError::Empty),
            ("bob@", AddrError::EmptyDomain),
            ("@corp-b.example", AddrError::BadRoute),
            ("\"bob@corp-b.example", AddrError::UnclosedQuote),
            ("bob smith@corp-b.example", AddrError::BadChar(' ')),
        ] {
            assert_eq!(Address::parse(input), Err(err), "{input:?}");
        }
        assert!(matches!(Address::parse("bob@exa..mple"), Err(AddrError::BadDomain(_))));
        assert!(matches!(Address::parse("bob@-x.example"), Err(AddrError::BadDomain(_))));
        assert!(matches!(Address::parse(&format!("{}@x.example", "a".repeat(65))), Err(AddrError::LocalTooLong(65))));
        assert!(matches!(Address::parse(&format!("a@{}.example", "b".repeat(300))), Err(AddrError::TooLong(_))));
        // The messages name what is wrong, in the person's terms.
        assert!(AddrError::BadChar('<').to_string().contains("'<'"), "{}", AddrError::BadChar('<'));
        assert!(AddrError::TooLong(300).to_string().contains("300"), "{}", AddrError::TooLong(300));
    }

    #[test]
    fn literals_and_utf8() {
        let a = Address::parse("postmaster@[198.51.100.25]").unwrap();
        assert_eq!(a.literal_ip(), Some(Ipv4Addr::new(198, 51, 100, 25)));
        let u = Address::parse("jörg@bücher.example").unwrap();
        assert!(u.is_utf8());
        assert_eq!(u.domain(), Some("bücher.example"));
    }
}
