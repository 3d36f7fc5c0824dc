//! What a mail program shows when sending fails: the error dialogs of Outlook Express and Thunderbird.
//! Outlook Express's recipient-rejected dialog (0x800CCC79) and Thunderbird's "The mail server responded" are
//! seen in real reports; the other texts follow the programs' usual wording and are flagged as unconfirmed.

use crate::reply::Reply;
use crate::scenario::Program;

/// Why the program gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// A recipient was refused at RCPT TO.
    RecipientRejected {
        /// The recipient.
        rcpt: &'a str,
        /// The server's reply.
        reply: &'a Reply,
    },
    /// The login was refused.
    LoginFailed(&'a Reply),
    /// Any other refusal (greeting, TLS, MAIL, DATA, end of data).
    Refused(&'a Reply),
    /// The program wants TLS and the server does not offer it.
    NoTls,
    /// No connection: timed out or refused.
    NoConnection {
        /// Timed out (rather than refused).
        timed_out: bool,
    },
}

/// The settings a dialog quotes.
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    /// The message subject.
    pub subject: &'a str,
    /// The account's name in the program (Outlook Express names it after the provider).
    pub name: &'a str,
    /// The outgoing server's name as configured.
    pub server: &'a str,
    /// The port.
    pub port: u16,
    /// TLS on.
    pub secure: bool,
}

/// A dialog: title, text, and whether its wording is confirmed from real reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    /// Title bar.
    pub title: String,
    /// Text.
    pub text: String,
    /// Confirmed wording.
    pub verified: bool,
}

/// The dialog `program` shows for `failure`.
pub fn dialog(program: Program, failure: Failure, acct: &Account) -> Dialog {
    let yes_no = if acct.secure { "Yes" } else { "No" };
    match program {
        Program::OutlookExpress => {
            let tail = |resp: &Reply, err: &str| {
                format!(
                    "Subject '{}', Account: '{}', Server: '{}', Protocol: SMTP, Server Response: '{}', Port: {}, Secure(SSL): {yes_no}, Server Error: {}, Error Number: {err}",
                    acct.subject,
                    acct.name,
                    acct.server,
                    resp.text_with_codes(),
                    acct.port,
                    resp.code
                )
            };
            let (text, verified) = match failure {
                Failure::RecipientRejected { rcpt, reply } => (
                    format!(
                        "The message could not be sent because one of the recipients was rejected by the server. The rejected e-mail address was '{rcpt}'. {}",
                        tail(reply, "0x800CCC79")
                    ),
                    true,
                ),
                Failure::LoginFailed(reply) => (
                    format!("The server rejected your login. Check the user name and password for your outgoing mail server. {}", tail(reply, "0x800CCC90")),
                    false,
                ),
                Failure::Refused(reply) => (format!("An unknown error has occurred. {}", tail(reply, "0x800CCC60")), false),
                Failure::NoTls => (
                    format!("The server does not support secure connections. Account: '{}', Server: '{}', Protocol: SMTP, Port: {}, Secure(SSL): Yes, Error Number: 0x800CCC7B", acct.name, acct.server, acct.port),
                    false,
                ),
                Failure::NoConnection { timed_out } => (
                    format!(
                        "The connection to the server has failed. Account: '{}', Server: '{}', Protocol: SMTP, Port: {}, Secure(SSL): {yes_no}, Socket Error: {}, Error Number: 0x800CCC0E",
                        acct.name,
                        acct.server,
                        acct.port,
                        if timed_out { 10060 } else { 10061 }
                    ),
                    true,
                ),
            };
            Dialog { title: "Outlook Express".into(), text, verified }
        }
        Program::Thunderbird => {
            let (text, verified) = match failure {
                Failure::RecipientRejected { rcpt, reply } => (
                    format!(
                        "An error occurred while sending mail. The mail server responded: {}. Please check the message recipient {rcpt} and try again.",
                        reply_tail(reply)
                    ),
                    true,
                ),
                Failure::LoginFailed(reply) => (
                    format!("Authentication failed while connecting to server {}. The mail server responded: {}.", acct.server, reply_tail(reply)),
                    false,
                ),
                Failure::Refused(reply) => (
                    format!("An error occurred while sending mail. The mail server responded: {}.", reply_tail(reply)),
                    false,
                ),
                Failure::NoTls => (
                    format!("Sending of the message failed. The outgoing server (SMTP) {} does not support STARTTLS.", acct.server),
                    false,
                ),
                Failure::NoConnection { timed_out: true } => (
                    format!("Sending of the message failed. The message could not be sent because the connection to Outgoing server (SMTP) {} timed out. Try again.", acct.server),
                    false,
                ),
                Failure::NoConnection { timed_out: false } => (
                    format!("Sending of the message failed. The message could not be sent because connecting to Outgoing server (SMTP) {} failed. The server may be unavailable or is refusing SMTP connections.", acct.server),
                    false,
                ),
            };
            Dialog { title: "Send Message Error".into(), text, verified }
        }
    }
}

/// Every dialog each program can show, with a sample reply and account (for `docs/sources.md` and its test):
/// (program, the failure's name, the dialog).
pub fn catalogue() -> Vec<(Program, &'static str, Dialog)> {
    use crate::named::Named;
    let reply = Reply::new(554, Some(crate::reply::Status::new(5, 7, 1)), "<bob@corp-b.example>: Relay access denied");
    let acct = Account { subject: "Lunch", name: "isp-a", server: "smtp.isp-a.example", port: 25, secure: false };
    let failures: [(&str, Failure); 6] = [
        ("recipient rejected", Failure::RecipientRejected { rcpt: "bob@corp-b.example", reply: &reply }),
        ("login failed", Failure::LoginFailed(&reply)),
        ("other refusal", Failure::Refused(&reply)),
        ("no TLS offered", Failure::NoTls),
        ("connection timed out", Failure::NoConnection { timed_out: true }),
        ("connection refused", Failure::NoConnection { timed_out: false }),
    ];
    Program::ALL.iter().flat_map(|&p| failures.iter().map(move |(name, f)| (p, *name, dialog(p, *f, &acct)))).collect()
}

/// Thunderbird quotes the reply from the status code on: `5.7.1 <x>: Relay access denied`.
fn reply_tail(r: &Reply) -> String {
    match r.status {
        Some(s) => format!("{s} {}", r.text()),
        None => r.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Status;

    #[test]
    fn thunderbird_relay_refusal_matches_real_reports() {
        let reply = Reply::new(554, Some(Status::new(5, 7, 1)), "<x@elsewhere.example>: Relay access denied");
        let d = dialog(
            Program::Thunderbird,
            Failure::RecipientRejected { rcpt: "x@elsewhere.example", reply: &reply },
            &Account { subject: "Hi", name: "isp-a", server: "smtp.isp-a.example", port: 25, secure: false },
        );
        assert_eq!(
            d.text,
            "An error occurred while sending mail. The mail server responded: 5.7.1 <x@elsewhere.example>: Relay access denied. Please check the message recipient x@elsewhere.example and try again."
        );
    }

    #[test]
    fn outlook_express_names_the_article_error() {
        let reply = Reply::new(
            550,
            Some(Status::new(5, 7, 1)),
            "<bob@corp-b.example>... Relaying denied. Proper authentication required.",
        );
        let d = dialog(
            Program::OutlookExpress,
            Failure::RecipientRejected { rcpt: "bob@corp-b.example", reply: &reply },
            &Account { subject: "Hi", name: "isp-a", server: "smtp.isp-a.example", port: 25, secure: false },
        );
        assert!(d
            .text
            .starts_with("The message could not be sent because one of the recipients was rejected by the server."));
        assert!(d.text.contains("Relaying denied. Proper authentication required."));
        assert!(d.text.contains("0x800CCC79"));
    }
}
