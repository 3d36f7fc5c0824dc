//! The reader's mail program fetches a mailbox over POP3 or IMAP.

use super::queue::Effect;
use super::state::Sim;
use crate::actor::HostId;
use crate::mailbox;
use crate::scenario::Retrieval;
use crate::time::Secs;

/// Fetches `user`'s mailbox at `server`, if mail is waiting; returns the effect of emptying it.
pub(crate) fn fetch(sim: &mut Sim, t: Secs, server: HostId, user: &str, reader: HostId) -> Vec<Effect> {
    let Some(w) = sim.waiting(server, user) else { return Vec::new() };
    let (count, bytes) = (w.count, w.bytes);
    let how = sim.w.server(server).map_or(Retrieval::Imap, |s| s.settings.retrieval);
    mailbox::fetch(&mut sim.rec, t, reader, how, &mailbox::Waiting { server, user, count, bytes });
    vec![Effect::Fetched { server, user: user.to_string() }]
}
