//! SMTP commands as clients send them (RFC 5321 §4.1, RFC 3207 STARTTLS, RFC 4954 AUTH).

use core::fmt;

/// One client command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `EHLO name`.
    Ehlo(String),
    /// `STARTTLS`.
    StartTls,
    /// `AUTH PLAIN <base64 of \0user\0password>`.
    AuthPlain {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// `MAIL FROM:<path>` (empty path for bounces), with `SIZE=` when the client declares it.
    Mail {
        /// The reverse path, without brackets; empty for `<>`.
        from: String,
        /// Declared size.
        size: Option<usize>,
    },
    /// `RCPT TO:<path>`.
    Rcpt(String),
    /// `DATA`.
    Data,
    /// The message text and the final `.`.
    EndOfData,
    /// `RSET`.
    Rset,
    /// `QUIT`.
    Quit,
    /// A line a person typed, exactly as typed (the console): servers read it with [`read`].
    Typed(String),
}

/// Where in a session a reply came: the greeting, or the command it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The server's greeting, before any command.
    Greeting,
    /// `EHLO` (or `HELO`).
    Ehlo,
    /// `STARTTLS`.
    StartTls,
    /// `AUTH`.
    Auth,
    /// `MAIL FROM`.
    MailFrom,
    /// `RCPT TO`.
    RcptTo,
    /// `DATA`.
    Data,
    /// The end of the message text (the final `.`).
    EndOfData,
    /// `RSET`.
    Rset,
    /// `QUIT`.
    Quit,
    /// Any other command (`NOOP`, `VRFY`, `HELP`, an unknown one) or a line answering an `AUTH` challenge.
    Other,
}

impl Stage {
    /// The name a bounce's "in reply to … command" uses (`RCPT TO`, `end of DATA`).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Greeting => "the greeting",
            Stage::Ehlo => "EHLO",
            Stage::StartTls => "STARTTLS",
            Stage::Auth => "AUTH",
            Stage::MailFrom => "MAIL FROM",
            Stage::RcptTo => "RCPT TO",
            Stage::Data => "DATA",
            Stage::EndOfData => "end of DATA",
            Stage::Rset => "RSET",
            Stage::Quit => "QUIT",
            Stage::Other => "the command",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Command {
    /// The stage of a session this command starts.
    pub fn stage(&self) -> Stage {
        match self {
            Command::Ehlo(_) => Stage::Ehlo,
            Command::StartTls => Stage::StartTls,
            Command::AuthPlain { .. } => Stage::Auth,
            Command::Mail { .. } => Stage::MailFrom,
            Command::Rcpt(_) => Stage::RcptTo,
            Command::Data => Stage::Data,
            Command::EndOfData => Stage::EndOfData,
            Command::Rset => Stage::Rset,
            Command::Quit => Stage::Quit,
            Command::Typed(line) => read(line).verb.stage(),
        }
    }
}

/// The verbs a server may know (RFC 5321 §4.1, RFC 3207, RFC 4954, RFC 1985, RFC 3030).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `HELO`.
    Helo,
    /// `EHLO`.
    Ehlo,
    /// `STARTTLS`.
    StartTls,
    /// `AUTH`.
    Auth,
    /// `MAIL`.
    Mail,
    /// `RCPT`.
    Rcpt,
    /// `DATA`.
    Data,
    /// `RSET`.
    Rset,
    /// `NOOP`.
    Noop,
    /// `QUIT`.
    Quit,
    /// `VRFY`.
    Vrfy,
    /// `EXPN`.
    Expn,
    /// `HELP`.
    Help,
    /// `ETRN`.
    Etrn,
    /// `BDAT`.
    Bdat,
    /// A word no server knows.
    Unknown,
    /// An empty line.
    Empty,
}

impl Verb {
    /// The stage of a session a command with this verb starts.
    pub fn stage(self) -> Stage {
        match self {
            Verb::Helo | Verb::Ehlo => Stage::Ehlo,
            Verb::StartTls => Stage::StartTls,
            Verb::Auth => Stage::Auth,
            Verb::Mail => Stage::MailFrom,
            Verb::Rcpt => Stage::RcptTo,
            Verb::Data | Verb::Bdat => Stage::Data,
            Verb::Rset => Stage::Rset,
            Verb::Quit => Stage::Quit,
            _ => Stage::Other,
        }
    }
}

/// A typed line as a server first reads it: the verb (case does not matter) and everything after the spaces that
/// follow it, exactly as typed; each server then judges the argument its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// The verb.
    pub verb: Verb,
    /// The verb as typed.
    pub word: &'a str,
    /// What follows it (leading spaces removed; trailing ones kept).
    pub arg: &'a str,
}

/// Reads a typed line's verb and argument.
pub fn read(line: &str) -> Line<'_> {
    let trimmed = line.trim_start_matches([' ', '\t']);
    let end = trimmed.find([' ', '\t']).unwrap_or(trimmed.len());
    let (word, rest) = trimmed.split_at(end);
    let arg = rest.trim_start_matches([' ', '\t']);
    let verb = match word.to_ascii_uppercase().as_str() {
        "" => Verb::Empty,
        "HELO" => Verb::Helo,
        "EHLO" => Verb::Ehlo,
        "STARTTLS" => Verb::StartTls,
        "AUTH" => Verb::Auth,
        "MAIL" => Verb::Mail,
        "RCPT" => Verb::Rcpt,
        "DATA" => Verb::Data,
        "RSET" => Verb::Rset,
        "NOOP" => Verb::Noop,
        "QUIT" => Verb::Quit,
        "VRFY" => Verb::Vrfy,
        "EXPN" => Verb::Expn,
        "HELP" => Verb::Help,
        "ETRN" => Verb::Etrn,
        "BDAT" => Verb::Bdat,
        _ => Verb::Unknown,
    };
    Line { verb, word, arg }
}

/// The path argument of `MAIL` or `RCPT` as typed: `FROM:<alice@isp-a.example> SIZE=100`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathArg<'a> {
    /// What is between the brackets (or the bare word when there are none).
    pub path: &'a str,
    /// It was written in angle brackets.
    pub bracketed: bool,
    /// Spaces came between the colon and the path.
    pub spaced: bool,
    /// The parameters after the path (`SIZE=100`, `BODY=8BITMIME`), as typed.
    pub params: Vec<&'a str>,
}

/// Why a path argument cannot be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// `FROM:` or `TO:` is missing.
    NoKeyword,
    /// Nothing follows the keyword.
    Empty,
    /// A `<` is never closed.
    Unclosed,
}

/// Reads `keyword` (`FROM:` or `TO:`, any case) and the path after it.
pub fn path_arg<'a>(arg: &'a str, keyword: &str) -> Result<PathArg<'a>, PathError> {
    let n = keyword.len();
    if arg.len() < n || !arg.is_char_boundary(n) || !arg[..n].eq_ignore_ascii_case(keyword) {
        return Err(PathError::NoKeyword);
    }
    let after = &arg[n..];
    let rest = after.trim_start_matches([' ', '\t']);
    let spaced = rest.len() != after.len();
    if rest.trim().is_empty() {
        return Err(PathError::Empty);
    }
    let (path, bracketed, tail) = if let Some(inner) = rest.strip_prefix('<') {
        // The path ends at the first `>` outside quotes.
        let mut quoted = false;
        let mut close = None;
        for (i, c) in inner.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    close = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let close = close.ok_or(PathError::Unclosed)?;
        (&inner[..close], true, &inner[close + 1..])
    } else {
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        (&rest[..end], false, &rest[end..])
    };
    let params = tail.split([' ', '\t']).filter(|p| !p.is_empty()).collect();
    Ok(PathArg { path, bracketed, spaced, params })
}

/// Standard base64 (RFC 4648), for `AUTH PLAIN`.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 with its padding (RFC 4648 §4), as SASL responses are written; `None` if it is not
/// base64.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    if !t.len().is_multiple_of(4) {
        return None;
    }
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
    let mut out = Vec::with_capacity(t.len() / 4 * 3);
    for (i, chunk) in t.chunks(4).enumerate() {
        let last = i == t.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

#[cfg(feature = "serde")]
impl serde::Serialize for Command {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Ehlo(name) => write!(f, "EHLO {name}"),
            Command::StartTls => f.write_str("STARTTLS"),
            Command::AuthPlain { user, password } => {
                write!(f, "AUTH PLAIN {}", base64(format!("\0{user}\0{password}").as_bytes()))
            }
            Command::Mail { from, size: Some(n) } => write!(f, "MAIL FROM:<{from}> SIZE={n}"),
            Command::Mail { from, size: None } => write!(f, "MAIL FROM:<{from}>"),
            Command::Rcpt(to) => write!(f, "RCPT TO:<{to}>"),
            Command::Data => f.write_str("DATA"),
            Command::EndOfData => f.write_str("."),
            Command::Rset => f.write_str("RSET"),
            Command::Quit => f.write_str("QUIT"),
            Command::Typed(line) => f.write_str(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_commands() {
        assert_eq!(Command::Rcpt("bob@corp-b.example".into()).to_string(), "RCPT TO:<bob@corp-b.example>");
        assert_eq!(Command::Mail { from: String::new(), size: None }.to_string(), "MAIL FROM:<>");
        assert_eq!(
            Command::AuthPlain { user: "alice".into(), password: "secret".into() }.to_string(),
            "AUTH PLAIN AGFsaWNlAHNlY3JldA=="
        );
    }

    #[test]
    fn reads_typed_lines_as_servers_do() {
        let l = read("  mail   FROM:<a@b> SIZE=9 ");
        assert_eq!((l.verb, l.word, l.arg), (Verb::Mail, "mail", "FROM:<a@b> SIZE=9 "));
        assert_eq!(read("").verb, Verb::Empty);
        assert_eq!(read("FOO bar").verb, Verb::Unknown);
        let p = path_arg("from: <\"a>b\"@c> BODY=8BITMIME", "FROM:").unwrap();
        assert_eq!((p.path, p.bracketed, p.spaced, p.params), ("\"a>b\"@c", true, true, vec!["BODY=8BITMIME"]));
        let p = path_arg("TO:bob@corp-b.example", "TO:").unwrap();
        assert_eq!((p.path, p.bracketed, p.spaced), ("bob@corp-b.example", false, false));
        assert_eq!(path_arg("<a@b>", "FROM:"), Err(PathError::NoKeyword));
        assert_eq!(path_arg("FROM:", "FROM:"), Err(PathError::Empty));
        assert_eq!(path_arg("FROM:<a@b", "FROM:"), Err(PathError::Unclosed));
        assert_eq!(path_arg("FRé", "FROM:"), Err(PathError::NoKeyword));
        assert_eq!(Command::Typed("rcpt to:<x@y>".into()).stage(), Stage::RcptTo);
    }

    #[test]
    fn unbase64_refuses_what_is_not_base64() {
        for bad in ["Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9v!", "****"] {
            assert_eq!(unbase64(bad), None, "{bad}");
        }
        assert_eq!(unbase64("AGFsaWNlAHNlY3JldA==").as_deref(), Some(&b"\0alice\0secret"[..]));
    }

    #[test]
    fn base64_vectors() {
        for (input, out) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(input.as_bytes()), out);
            assert_eq!(unbase64(out).as_deref(), Some(input.as_bytes()));
        }
    }
}
