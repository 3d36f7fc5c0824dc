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
        }
    }
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
    fn base64_vectors() {
        for (input, out) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(input.as_bytes()), out);
        }
    }
}
