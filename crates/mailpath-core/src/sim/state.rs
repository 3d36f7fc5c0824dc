//! The state of one run — the world, the clock's agenda, every server's queue, the recipients' fates, mailboxes
//! waiting to be fetched — and the one place effects are applied to it.

use super::queue::{Action, Effect, Job};
use crate::actor::HostId;
use crate::ids::queue_id;
use crate::record::Recorder;
use crate::rng::Rng;
use crate::scenario::{Flavour, Scenario};
use crate::server::Greylist;
use crate::time::{Secs, EPOCH, MINUTE};
use crate::trace::{Ending, RecipientFate, Trace};
use crate::world::World;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;

/// How long a POP-before-SMTP login opens relaying (the common 30 minutes).
pub const POP_WINDOW: Secs = 30 * MINUTE;

/// How long after delivery the reader's mail program fetches mail.
pub const FETCH_AFTER: Secs = 2 * MINUTE;

/// A POP login that may open relaying for its address.
#[derive(Debug, Clone, Copy)]
struct PopLogin {
    server: HostId,
    ip: Ipv4Addr,
    at: Secs,
}

/// A mailbox with mail waiting to be fetched.
#[derive(Debug, Clone)]
pub(crate) struct Waiting {
    /// The server holding it.
    pub server: HostId,
    /// Its user.
    pub user: String,
    /// Messages waiting.
    pub count: usize,
    /// Their size.
    pub bytes: usize,
}

/// The state of one run.
pub(crate) struct Sim<'a> {
    /// The scenario.
    pub s: &'a Scenario,
    /// Its world.
    pub w: World,
    /// The seeded generator (shuffles, ids).
    pub rng: Rng,
    /// The trace being written.
    pub rec: Recorder,
    /// Greylisting memory, shared by every session.
    pub greylist: Greylist,
    /// Every message ever queued, by any server.
    pub jobs: Vec<Job>,
    /// The scenario's recipients, as typed.
    pub rcpts: Vec<String>,
    agenda: BinaryHeap<Reverse<(Secs, u32, Action)>>,
    seq: u32,
    fates: Vec<Option<RecipientFate>>,
    pop_logins: Vec<PopLogin>,
    inbox: Vec<Waiting>,
}

impl<'a> Sim<'a> {
    /// A run of `s` that has not started.
    pub fn new(s: &'a Scenario) -> Sim<'a> {
        Sim {
            s,
            w: World::build(s),
            rng: Rng::new(s.seed),
            rec: Recorder::default(),
            greylist: Greylist::default(),
            jobs: Vec::new(),
            rcpts: s.message.to.iter().map(|r| r.trim().to_string()).collect(),
            agenda: BinaryHeap::new(),
            seq: 0,
            fates: vec![None; s.message.to.len()],
            pop_logins: Vec::new(),
            inbox: Vec::new(),
        }
    }

    /// The next action on the clock, earliest first (in the order scheduled at equal times).
    pub fn next(&mut self) -> Option<(Secs, Action)> {
        self.agenda.pop().map(|Reverse((t, _, action))| (t, action))
    }

    /// Applies a step's effects in order.
    pub fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.apply_one(e);
        }
    }

    fn apply_one(&mut self, effect: Effect) {
        match effect {
            Effect::Schedule(t, action) => self.schedule(t, action),
            Effect::Enqueue(job) => {
                let at = job.arrived + 1;
                self.jobs.push(job);
                self.schedule(at, Action::Attempt(self.jobs.len() - 1));
            }
            Effect::Fate { orig, ending, event, by, reply, t } => {
                if let Some(slot @ None) = self.fates.get_mut(orig) {
                    *slot = Some(RecipientFate { rcpt: self.rcpts[orig].clone(), ending, event, by, reply, t });
                }
            }
            Effect::Inbox { server, user, bytes, reader, t } => {
                if let Some(w) = self.inbox.iter_mut().find(|w| w.server == server && w.user == user) {
                    w.count += 1;
                    w.bytes += bytes;
                    return;
                }
                self.inbox.push(Waiting { server, user: user.clone(), count: 1, bytes });
                self.schedule(t + FETCH_AFTER, Action::Fetch { server, user, reader });
            }
            Effect::PopLogin { server, ip, t } => self.pop_logins.push(PopLogin { server, ip, at: t }),
            Effect::Fetched { server, user } => self.inbox.retain(|w| !(w.server == server && w.user == user)),
        }
    }

    fn schedule(&mut self, t: Secs, action: Action) {
        self.seq += 1;
        self.agenda.push(Reverse((t, self.seq, action)));
    }

    /// A new queue id for a message arriving at `at` at time `t`, in that server's software's shape.
    pub fn new_id(&mut self, at: HostId, t: Secs) -> String {
        let flavour = self.w.server(at).map_or(Flavour::Postfix, |s| s.settings.flavour);
        queue_id(flavour, &mut self.rng, EPOCH + i64::from(t))
    }

    /// Whether `ip` logged in to POP at `server` within the window before `t`.
    pub fn pop_fresh(&self, server: HostId, ip: Ipv4Addr, t: Secs) -> bool {
        self.pop_logins.iter().any(|l| l.server == server && l.ip == ip && t.saturating_sub(l.at) < POP_WINDOW)
    }

    /// The mailbox waiting at `server` for `user`, if any.
    pub fn waiting(&self, server: HostId, user: &str) -> Option<&Waiting> {
        self.inbox.iter().find(|w| w.server == server && w.user == user)
    }

    /// The index of recipient `addr` among the run's recipients, adding it if it is new (a typed session's
    /// recipients are the ones typed).
    pub fn add_rcpt(&mut self, addr: &str) -> usize {
        if let Some(i) = self.rcpts.iter().position(|r| r == addr) {
            return i;
        }
        self.rcpts.push(addr.to_string());
        self.fates.push(None);
        self.rcpts.len() - 1
    }

    /// Forgets what became of recipient `i` (a typed session tries a refused recipient again, and this try
    /// is the one that counts).
    pub fn reset_fate(&mut self, i: usize) {
        if let Some(f) = self.fates.get_mut(i) {
            *f = None;
        }
    }

    /// The trace, with what became of each recipient and the overall outcome.
    pub fn finish(self) -> Trace {
        let Sim { rec, fates, rcpts, s, .. } = self;
        let fates: Vec<RecipientFate> = fates
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                f.unwrap_or(RecipientFate {
                    rcpt: rcpts[i].clone(),
                    ending: Ending::Refused,
                    event: rec.events.len().saturating_sub(1),
                    by: HostId::Alice,
                    reply: None,
                    t: 0,
                })
            })
            .collect();
        let outcome = crate::outcome::summarise(s, &rec, &fates);
        Trace { events: rec.events, hops: rec.hops, messages: rec.messages, fates, outcome }
    }
}
