//! The last hop: a mail program fetching from its mailbox over POP3 (RFC 1939) or IMAP (RFC 9051), in the words
//! of Dovecot, the usual server. No relaying is involved here.

use crate::actor::HostId;
use crate::record::Recorder;
use crate::scenario::Retrieval;
use crate::time::Secs;
use crate::trace::{EventKind, HopResult, Purpose};

/// A mailbox with mail waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting<'a> {
    /// The server holding it.
    pub server: HostId,
    /// The mailbox's user name.
    pub user: &'a str,
    /// Messages waiting.
    pub count: usize,
    /// Their size in bytes.
    pub bytes: usize,
}

/// Records `reader` fetching the waiting mail over `how`.
pub fn fetch(rec: &mut Recorder, t: Secs, reader: HostId, how: Retrieval, mbox: &Waiting) -> usize {
    let Waiting { server, user, count, bytes } = *mbox;
    let (port, purpose) = match how {
        Retrieval::Pop3 => (995, Purpose::Retrieval),
        Retrieval::Imap => (993, Purpose::Retrieval),
    };
    let hop = rec.begin_hop(t, reader, server, port, purpose, None);
    rec.push(t, Some(hop), reader, EventKind::Tls, None);
    let c = |rec: &mut Recorder, line: String| rec.push(t, Some(hop), reader, EventKind::ClientLine(line), None);
    let s = |rec: &mut Recorder, line: String| rec.push(t, Some(hop), server, EventKind::ServerLine(line), None);
    match how {
        Retrieval::Pop3 => {
            s(rec, "+OK Dovecot ready.".into());
            c(rec, format!("USER {user}"));
            s(rec, "+OK".into());
            c(rec, "PASS ********".into());
            s(rec, "+OK Logged in.".into());
            c(rec, "STAT".into());
            s(rec, format!("+OK {count} {bytes}"));
            for i in 1..=count {
                c(rec, format!("RETR {i}"));
                s(rec, "+OK (message follows)".into());
                c(rec, format!("DELE {i}"));
                s(rec, "+OK Marked to be deleted.".into());
            }
            c(rec, "QUIT".into());
            s(rec, "+OK Logging out, messages deleted.".into());
        }
        Retrieval::Imap => {
            s(
                rec,
                "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot ready."
                    .into(),
            );
            c(rec, format!("a1 LOGIN {user} ********"));
            s(rec, "a1 OK Logged in".into());
            c(rec, "a2 SELECT INBOX".into());
            s(rec, format!("* {count} EXISTS"));
            s(rec, "a2 OK [READ-WRITE] Select completed.".into());
            c(rec, format!("a3 FETCH 1:{count} (FLAGS BODY.PEEK[])"));
            s(rec, format!("* {count} FETCH (FLAGS (\\Recent) BODY[] {{{bytes}}})"));
            s(rec, "a3 OK Fetch completed.".into());
            c(rec, "a4 LOGOUT".into());
            s(rec, "* BYE Logging out".into());
            s(rec, "a4 OK Logout completed.".into());
        }
    }
    rec.push(t, Some(hop), reader, EventKind::Fetched { count }, None);
    rec.end_hop(hop, HopResult::Accepted);
    hop
}

/// Records the POP3 login a mail program makes before sending (POP-before-SMTP), from `ip`.
pub fn pop_login(rec: &mut Recorder, t: Secs, client: HostId, server: HostId, user: &str) -> usize {
    let hop = rec.begin_hop(t, client, server, 110, Purpose::PopLogin, None);
    rec.push(t, Some(hop), server, EventKind::ServerLine("+OK Dovecot ready.".into()), None);
    rec.push(t, Some(hop), client, EventKind::ClientLine(format!("USER {user}")), None);
    rec.push(t, Some(hop), server, EventKind::ServerLine("+OK".into()), None);
    rec.push(t, Some(hop), client, EventKind::ClientLine("PASS ********".into()), None);
    rec.push(t, Some(hop), server, EventKind::ServerLine("+OK Logged in.".into()), None);
    rec.push(t, Some(hop), client, EventKind::ClientLine("QUIT".into()), None);
    rec.push(t, Some(hop), server, EventKind::ServerLine("+OK Logging out.".into()), None);
    rec.end_hop(hop, HopResult::Accepted);
    hop
}
