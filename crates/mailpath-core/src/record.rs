//! Writing the trace as the simulation runs: events, hops, message copies, with checkpoints so a retry that
//! went exactly like the one before can be folded into a single event.

use crate::actor::HostId;
use crate::time::Secs;
use crate::trace::{Event, EventKind, Hop, HopResult, MessageCopy, Purpose, Why};

/// The growing trace.
#[derive(Debug)]
pub struct Recorder {
    /// Events so far.
    pub events: Vec<Event>,
    /// Hops so far.
    pub hops: Vec<Hop>,
    /// Message copies so far.
    pub messages: Vec<MessageCopy>,
}

/// A point to roll back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    events: usize,
    hops: usize,
    messages: usize,
}

impl Default for Recorder {
    /// Room for a typical run without reallocating.
    fn default() -> Self {
        Recorder { events: Vec::with_capacity(128), hops: Vec::with_capacity(8), messages: Vec::with_capacity(8) }
    }
}

impl Recorder {
    /// Adds an event; returns its index.
    pub fn push(&mut self, t: Secs, hop: Option<usize>, actor: HostId, kind: EventKind, why: Option<Why>) -> usize {
        self.events.push(Event { t, hop, actor, kind, why });
        self.events.len() - 1
    }

    /// Starts a connection: records the hop and its `Connect` event.
    pub fn begin_hop(
        &mut self,
        t: Secs,
        from: HostId,
        to: HostId,
        port: u16,
        purpose: Purpose,
        message: Option<usize>,
    ) -> usize {
        let hop = self.hops.len();
        let first_event = self.events.len();
        self.hops.push(Hop {
            from,
            to,
            port,
            purpose,
            first_event,
            last_event: first_event,
            result: HopResult::Failed,
            message,
        });
        self.push(t, Some(hop), from, EventKind::Connect { from, to, port, purpose }, None);
        hop
    }

    /// Ends a connection with its result.
    pub fn end_hop(&mut self, hop: usize, result: HopResult) {
        let last = self.events.len().saturating_sub(1);
        let h = &mut self.hops[hop];
        h.last_event = last.max(h.first_event);
        h.result = result;
    }

    /// Keeps a message copy; returns its index.
    pub fn keep(&mut self, copy: MessageCopy) -> usize {
        self.messages.push(copy);
        self.messages.len() - 1
    }

    /// Where the trace is now.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint { events: self.events.len(), hops: self.hops.len(), messages: self.messages.len() }
    }

    /// Forgets everything after `c`.
    pub fn rollback(&mut self, c: Checkpoint) {
        self.events.truncate(c.events);
        self.hops.truncate(c.hops);
        self.messages.truncate(c.messages);
    }
}
