//! The engine's vocabulary: messages in servers' queues, what the clock has on its agenda, and the effects a step
//! returns for the loop to apply.

use crate::actor::HostId;
use crate::dsn::Failure;
use crate::reply::Reply;
use crate::time::Secs;
use crate::trace::Ending;
use std::net::Ipv4Addr;

/// One recipient of a queued message.
#[derive(Debug, Clone)]
pub(crate) struct JobRcpt {
    /// The address, in the form the server keeps it.
    pub addr: String,
    /// The address as the server's client sent it in `RCPT TO` (its `X-Original-To:` at delivery).
    pub received_as: String,
    /// Which of the scenario's recipients it is (`None` for a bounce's recipient).
    pub orig: Option<usize>,
    /// Still to be delivered.
    pub pending: bool,
    /// The last temporary failure.
    pub last: Option<Failure>,
}

/// A message in one server's queue.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    /// The server whose queue holds it.
    pub at: HostId,
    /// That server's copy of the message (an index into the trace's messages).
    pub copy: usize,
    /// Its queue id there.
    pub queue_id: String,
    /// When it arrived.
    pub arrived: Secs,
    /// The envelope sender (`None` for `<>`).
    pub from: Option<String>,
    /// Its recipients.
    pub rcpts: Vec<JobRcpt>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// A delay warning was sent (or none is ever sent for it).
    pub warned: bool,
    /// It is itself a bounce or a delay warning: never returned again (RFC 5321 §6.1).
    pub report: bool,
    /// Why the last attempt failed for every pending recipient, so an identical retry is folded into one event.
    pub last_reason: Option<String>,
    /// The domain that signed it with DKIM, if any.
    pub dkim: Option<crate::addr::Name>,
    /// The domain of its `From:` header.
    pub header_from_domain: String,
}

/// Something on the clock's agenda.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Action {
    /// A delivery attempt of job `n`.
    Attempt(usize),
    /// A reader's mail program fetches a mailbox.
    Fetch {
        /// The server holding the mailbox.
        server: HostId,
        /// The mailbox's user.
        user: String,
        /// The mail program's computer.
        reader: HostId,
    },
}

/// What became of one recipient in a delivery attempt.
#[derive(Debug, Clone)]
pub(crate) enum Disposition {
    /// Delivered here, or passed on to the next server.
    Passed,
    /// Failed for good: returned to the sender.
    Returned(Failure),
    /// Failed for now: kept for the next try.
    Kept(Failure),
}

/// A change a step makes to the run's state, applied by the loop in the order the step returned them.
#[derive(Debug, Clone)]
pub(crate) enum Effect {
    /// Put an action on the agenda.
    Schedule(Secs, Action),
    /// A server keeps a new message in its queue; its first attempt follows a second later.
    Enqueue(Job),
    /// What became of one of the scenario's recipients (the first fate set stays).
    Fate {
        /// Which recipient.
        orig: usize,
        /// How it ended.
        ending: Ending,
        /// The deciding event.
        event: usize,
        /// The deciding host.
        by: HostId,
        /// The deciding reply, if one did.
        reply: Option<Reply>,
        /// When.
        t: Secs,
    },
    /// A message lands in a mailbox; a mail program fetches it later.
    Inbox {
        /// The server holding the mailbox.
        server: HostId,
        /// The mailbox's user.
        user: String,
        /// The message's size.
        bytes: usize,
        /// The mail program that fetches it.
        reader: HostId,
        /// When.
        t: Secs,
    },
    /// Someone logged in to POP from an address (POP-before-SMTP opens relaying for it).
    PopLogin {
        /// The server logged in to.
        server: HostId,
        /// From where.
        ip: Ipv4Addr,
        /// When.
        t: Secs,
    },
    /// A mailbox was emptied by fetching it.
    Fetched {
        /// The server holding it.
        server: HostId,
        /// Its user.
        user: String,
    },
}

/// The fate of recipient `orig`, if it is one of the scenario's recipients.
pub(crate) fn fate(
    orig: Option<usize>,
    ending: Ending,
    event: usize,
    by: HostId,
    reply: Option<Reply>,
    t: Secs,
) -> Option<Effect> {
    orig.map(|orig| Effect::Fate { orig, ending, event, by, reply, t })
}
