//! The stage as data: which actors are on it, where, and in what state at a given step of the trace. Pure Rust,
//! so it is tested natively; the `Stage` component only draws it.

use mailpath_core::named::Named;
use mailpath_core::scenario::{Role as MiddleRole, Scenario, Sender};
use mailpath_core::trace::{EventKind, Trace, Verdict};
use mailpath_core::world::{host, HostId, World};

/// A place on the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The sender's computer.
    Client,
    /// A spammer's or tester's machine.
    Spammer,
    /// The server the sender talks to first.
    Submission,
    /// DNS.
    Dns,
    /// The middle-man.
    Relay,
    /// The recipient domain's mail server.
    Mx,
    /// The recipient's mailbox.
    Mailbox,
    /// The recipient's computer.
    Recipient,
}

impl Slot {
    /// The `data-actor` name.
    pub fn name(self) -> &'static str {
        match self {
            Slot::Client => "client",
            Slot::Spammer => "spammer",
            Slot::Submission => "submission",
            Slot::Dns => "dns",
            Slot::Relay => "relay",
            Slot::Mx => "mx",
            Slot::Mailbox => "mailbox",
            Slot::Recipient => "recipient",
        }
    }

    /// Centre of the slot in the stage's 1000 × 400 coordinate space.
    pub fn position(self) -> (f32, f32) {
        match self {
            Slot::Client => (80.0, 250.0),
            Slot::Spammer => (80.0, 360.0),
            Slot::Submission => (260.0, 250.0),
            Slot::Dns => (420.0, 80.0),
            Slot::Relay => (500.0, 250.0),
            Slot::Mx => (700.0, 250.0),
            Slot::Mailbox => (840.0, 250.0),
            Slot::Recipient => (940.0, 360.0),
        }
    }
}

/// How an actor stands at this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not involved yet.
    Idle,
    /// Acting now.
    Active,
    /// Accepted or done its part.
    Ok,
    /// Refused.
    Denied,
    /// Deferred, down or waiting.
    Deferred,
}

impl State {
    /// The `data-state` name.
    pub fn name(self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Active => "active",
            State::Ok => "ok",
            State::Denied => "denied",
            State::Deferred => "deferred",
        }
    }

    /// A word for people, shown with the colour (never colour alone).
    pub fn word(self) -> &'static str {
        match self {
            State::Idle => "",
            State::Active => "Working",
            State::Ok => "Accepted",
            State::Denied => "Refused",
            State::Deferred => "Waiting",
        }
    }
}

/// One actor on the stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Where.
    pub slot: Slot,
    /// Which host (for servers) it is.
    pub host: HostId,
    /// Title (`Your provider's server`).
    pub title: &'static str,
    /// Host name or detail (`smtp.isp-a.example`).
    pub detail: String,
}

/// The actors a scenario puts on the stage, and which slot each host fills.
#[derive(Debug, Clone, PartialEq)]
pub struct Cast {
    /// Actors in drawing order.
    pub actors: Vec<Actor>,
    /// Host → slot.
    pub slots: Vec<(HostId, Slot)>,
}

impl Cast {
    /// The slot a host fills, if it is on stage.
    pub fn slot_of(&self, h: HostId) -> Option<Slot> {
        self.slots.iter().find(|(x, _)| *x == h).map(|(_, s)| *s)
    }
}

/// Works out who is on stage for this scenario and trace.
pub fn cast(s: &Scenario, trace: &Trace) -> Cast {
    let world = World::build(s);
    let name = |h: HostId| host(h, s).name.to_string();
    let mut actors = Vec::new();
    let mut slots = Vec::new();
    let mut add = |slot: Slot, h: HostId, title: &'static str, detail: String, actors: &mut Vec<Actor>| {
        if !slots.iter().any(|(x, _)| *x == h) || matches!(slot, Slot::Mailbox) {
            slots.push((h, slot));
        }
        actors.push(Actor { slot, host: h, title, detail });
    };
    let program = s.client.program.label();
    add(Slot::Client, HostId::Alice, "Your computer", format!("{program} · {}", s.network.place.label()), &mut actors);
    match s.sender {
        Sender::Alice => {}
        Sender::Mallory => add(Slot::Spammer, HostId::Mallory, "Spammer's machine", name(HostId::Mallory), &mut actors),
        Sender::Tester => add(Slot::Spammer, HostId::Tester, "Relay tester", name(HostId::Tester), &mut actors),
    }
    // The recipient's server: the final destination of the first recipient's domain.
    let domain = s.message.to.first().and_then(|r| r.rsplit_once('@')).map(|(_, d)| d.trim().to_ascii_lowercase());
    let mx = domain
        .as_deref()
        .and_then(|d| {
            world.servers.iter().find(|sv| {
                sv.final_domains.iter().any(|f| f.name == d) || (sv.host == HostId::Mx && d == "corp-b.example")
            })
        })
        .map_or(HostId::Mx, |sv| sv.host);
    let first = trace.hops.iter().find(|h| h.from == world.sender.id).map_or(world.outgoing, |h| h.to);
    if first != mx && first != HostId::Middle {
        add(Slot::Submission, first, "Outgoing server", name(first), &mut actors);
    }
    add(Slot::Dns, HostId::Dns, "DNS", "MX lookups".into(), &mut actors);
    if s.middle.role != MiddleRole::None || first == HostId::Middle {
        add(Slot::Relay, HostId::Middle, "Middle-man relay", name(HostId::Middle), &mut actors);
    }
    add(Slot::Mx, mx, "Recipient's server", name(mx), &mut actors);
    add(Slot::Mailbox, mx, "Mailbox", s.message.to.first().cloned().unwrap_or_default(), &mut actors);
    add(
        Slot::Recipient,
        HostId::Reader,
        "Recipient's computer",
        s.recipient.retrieval.label().to_string(),
        &mut actors,
    );
    // The provider is always somewhere: if it is not the first server, it still relays bounces.
    if !slots.iter().any(|(h, _)| *h == HostId::Provider) && first != HostId::Provider {
        slots.push((HostId::Provider, Slot::Submission));
    }
    Cast { actors, slots }
}

/// Each slot's state after the events `0..=step`.
pub fn states(cast: &Cast, trace: &Trace, step: usize) -> Vec<(Slot, State)> {
    let mut out: Vec<(Slot, State)> = cast.actors.iter().map(|a| (a.slot, State::Idle)).collect();
    let mut set = |slot: Option<Slot>, st: State| {
        if let Some(slot) = slot {
            for (s, state) in out.iter_mut() {
                if *s == slot {
                    *state = st;
                }
            }
        }
    };
    let last = step.min(trace.events.len().saturating_sub(1));
    for e in trace.events.iter().take(last + 1) {
        let slot = cast.slot_of(e.actor);
        match &e.kind {
            EventKind::Decision(d) => set(
                slot,
                match d.verdict {
                    Verdict::Accept => State::Ok,
                    Verdict::Refuse => State::Denied,
                    Verdict::Defer => State::Deferred,
                },
            ),
            EventKind::Reply(r) if r.code >= 500 => set(slot, State::Denied),
            EventKind::Reply(r) if r.code >= 400 => set(slot, State::Deferred),
            EventKind::Queued { .. } => set(slot, State::Ok),
            EventKind::Delivered { .. } => {
                set(slot, State::Ok);
                set(Some(Slot::Mailbox), State::Ok);
            }
            EventKind::ConnectFailed { .. } => {
                let to = e.hop.map(|h| trace.hops[h].to);
                set(to.and_then(|h| cast.slot_of(h)), State::Deferred);
            }
            EventKind::Fetched { .. } => set(slot, State::Ok),
            _ => {}
        }
    }
    if let Some(e) = trace.events.get(last) {
        let slot = cast.slot_of(e.actor);
        if let Some(slot) = slot {
            for (s, state) in out.iter_mut() {
                if *s == slot && *state == State::Idle {
                    *state = State::Active;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailpath_core::{presets, run};

    #[test]
    fn happy_path_puts_every_actor_on_stage() {
        let s = presets::get("happy-path").unwrap().scenario();
        let t = run(&s);
        let c = cast(&s, &t);
        let names: Vec<_> = c.actors.iter().map(|a| a.slot.name()).collect();
        assert_eq!(names, ["client", "submission", "dns", "mx", "mailbox", "recipient"]);
        let end = states(&c, &t, t.events.len() - 1);
        assert!(
            end.iter().all(|(slot, st)| *st == State::Ok || *slot == Slot::Dns || *slot == Slot::Client),
            "{end:?}"
        );
    }

    #[test]
    fn the_refusing_server_is_denied() {
        let s = presets::get("outlook-express").unwrap().scenario();
        let t = run(&s);
        let c = cast(&s, &t);
        let end = states(&c, &t, t.events.len() - 1);
        assert!(end.contains(&(Slot::Submission, State::Denied)), "{end:?}");
        assert!(end.contains(&(Slot::Mx, State::Idle)), "{end:?}");
    }
}
