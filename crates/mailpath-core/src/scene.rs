//! The stage as data: which actors are on it, in which slot, and how everything stands at a given step of the
//! trace (states with their words and symbols, connections, the envelope, the gate). The front end only lays
//! these out; every reading of the trace is here, tested natively.

use crate::actor::HostId;
use crate::named::Named;
use crate::reply::Severity;
use crate::scenario::{Role as MiddleRole, Scenario, Sender};
use crate::time::Secs;
use crate::trace::{Decision, EventKind, HopResult, Purpose, Trace, Verdict};
use crate::world::{host, World};

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
    /// The `data-actor` name (also the CSS class that places the envelope).
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
}

/// How an actor or a connection stands at this step.
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
    /// The `data-state` name (also the CSS class).
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
            State::Idle => "Waiting",
            State::Active => "Working",
            State::Ok => "Accepted",
            State::Denied => "Refused",
            State::Deferred => "Delayed",
        }
    }

    /// An icon that says the same.
    pub fn icon(self) -> &'static str {
        match self {
            State::Idle => "○",
            State::Active => "●",
            State::Ok => "✓",
            State::Denied => "✗",
            State::Deferred => "⏸",
        }
    }
}

/// One actor on the stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Where.
    pub slot: Slot,
    /// Which host it is.
    pub host: HostId,
    /// Title (`Outgoing server`).
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
    /// The access network's label.
    pub network: String,
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
    let name = |h: HostId| crate::addr::display_name(&host(h, s).name);
    let mut actors = Vec::new();
    let mut slots: Vec<(HostId, Slot)> = Vec::new();
    let mut add = |slot: Slot, h: HostId, title: &'static str, detail: String| {
        // The mailbox shares its server's host but never claims it.
        if slot != Slot::Mailbox && !slots.iter().any(|(x, _)| *x == h) {
            slots.push((h, slot));
        }
        actors.push(Actor { slot, host: h, title, detail });
    };
    let alice = host(HostId::Alice, s);
    add(Slot::Client, HostId::Alice, "Your computer", format!("{} · {}", s.client.program.label(), alice.ip));
    match s.sender {
        Sender::Alice => {}
        Sender::Mallory => {
            add(Slot::Spammer, HostId::Mallory, "Spammer's machine", host(HostId::Mallory, s).ip.to_string())
        }
        Sender::Tester => add(Slot::Spammer, HostId::Tester, "Relay tester", host(HostId::Tester, s).ip.to_string()),
    }
    // The recipient's server: the final destination of the first recipient.
    let mx = s.message.to.first().and_then(|r| crate::policy::final_server(&world, r)).map_or(HostId::Mx, |sv| sv.host);
    let first = trace
        .hops
        .iter()
        .find(|h| h.from == world.sender.id && h.purpose != Purpose::PopLogin)
        .map_or(world.outgoing, |h| h.to);
    if first != mx && first != HostId::Middle {
        add(Slot::Submission, first, "Outgoing server", name(first));
    }
    add(Slot::Dns, HostId::Dns, "DNS", "MX lookups".into());
    if s.middle.role != MiddleRole::None || first == HostId::Middle {
        add(Slot::Relay, HostId::Middle, "Middle-man", name(HostId::Middle));
    }
    add(Slot::Mx, mx, "Recipient's server", name(mx));
    let mailbox = s.message.to.first().cloned().unwrap_or_default();
    add(Slot::Mailbox, mx, "Mailbox", mailbox);
    add(Slot::Recipient, HostId::Reader, "Recipient's computer", s.recipient.retrieval.label().to_string());
    // Hosts that only appear in passing (a bounce's way back, a hotel relay) borrow the nearest slot.
    for (h, slot) in
        [(HostId::Provider, Slot::Submission), (HostId::Hotel, Slot::Submission), (HostId::Middle, Slot::Relay)]
    {
        if !slots.iter().any(|(x, _)| *x == h) {
            slots.push((h, slot));
        }
    }
    if !slots.iter().any(|(_, sl)| *sl == Slot::Submission) {
        slots.push((first, Slot::Submission));
    }
    let network = s.network.place.label().to_string();
    Cast { actors, slots, network }
}

/// A connection drawn on the stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// From.
    pub from: Slot,
    /// To.
    pub to: Slot,
    /// How it went (so far).
    pub state: State,
    /// It carries a bounce back.
    pub bounce: bool,
}

/// The gate at a server: the relay checklist of its latest decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// Where.
    pub slot: Slot,
    /// The decision.
    pub decision: Decision,
}

/// Everything drawn at one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// State of each actor.
    pub states: Vec<(Slot, State)>,
    /// Connections so far.
    pub links: Vec<Link>,
    /// Where the envelope is, if one is travelling.
    pub envelope: Option<Slot>,
    /// The envelope is a bounce.
    pub bounce: bool,
    /// The gate to show.
    pub gate: Option<Gate>,
    /// A DNS question being asked (the asking slot), or answered.
    pub dns: Option<(Slot, bool)>,
    /// The simulated clock.
    pub clock: Secs,
    /// How far the clock jumped into this step.
    pub jump: Secs,
}

fn verdict_state(v: Verdict) -> State {
    match v {
        Verdict::Accept => State::Ok,
        Verdict::Refuse => State::Denied,
        Verdict::Defer => State::Deferred,
    }
}

fn hop_state(r: HopResult) -> State {
    match r {
        HopResult::Accepted | HopResult::Partial => State::Ok,
        HopResult::Refused => State::Denied,
        HopResult::Deferred | HopResult::Failed => State::Deferred,
    }
}

/// How everything stands after the events `0..=step`.
pub fn frame(cast: &Cast, trace: &Trace, step: usize) -> Frame {
    let last = step.min(trace.events.len().saturating_sub(1));
    let mut states: Vec<(Slot, State)> = cast.actors.iter().map(|a| (a.slot, State::Idle)).collect();
    let set = |states: &mut Vec<(Slot, State)>, slot: Option<Slot>, st: State| {
        for (s, state) in states.iter_mut() {
            if Some(*s) == slot {
                *state = st;
            }
        }
    };
    let mut gate = None;
    for (i, e) in trace.events.iter().enumerate().take(last + 1) {
        let slot = cast.slot_of(e.actor);
        match &e.kind {
            EventKind::Decision(d) => {
                set(&mut states, slot, verdict_state(d.verdict));
                if let Some(slot) = slot {
                    gate = Some(Gate { slot, decision: d.clone() });
                }
            }
            EventKind::Reply(r) if r.severity() == Severity::Permanent => set(&mut states, slot, State::Denied),
            EventKind::Reply(r) if r.severity() == Severity::Transient => set(&mut states, slot, State::Deferred),
            EventKind::Queued { .. } | EventKind::Fetched { .. } | EventKind::DnsAnswer { .. } => {
                set(&mut states, slot, State::Ok)
            }
            EventKind::Delivered { .. } => {
                set(&mut states, slot, State::Ok);
                if slot == Some(Slot::Mx) {
                    set(&mut states, Some(Slot::Mailbox), State::Ok);
                }
            }
            EventKind::ConnectFailed { .. } => {
                // The host that did not answer is down or unreachable; the one that tried keeps its state.
                let to = e.hop.map(|h| trace.hops[h].to);
                set(&mut states, to.and_then(|h| cast.slot_of(h)), State::Deferred);
            }
            EventKind::ErrorDialog { .. } => set(&mut states, slot, State::Denied),
            _ => {}
        }
        // A connection that went through leaves both ends done.
        if let Some(h) = e.hop.map(|h| &trace.hops[h]).filter(|h| h.last_event == i && h.result == HopResult::Accepted)
        {
            set(&mut states, cast.slot_of(h.from), State::Ok);
            set(&mut states, cast.slot_of(h.to), State::Ok);
        }
    }
    let current = trace.events.get(last);
    if let Some(slot) = current.and_then(|e| cast.slot_of(e.actor)) {
        for (s, state) in states.iter_mut() {
            if *s == slot && *state == State::Idle {
                *state = State::Active;
            }
        }
    }
    let links = trace
        .hops
        .iter()
        .filter(|h| h.first_event <= last)
        .filter_map(|h| {
            let (from, to) = (cast.slot_of(h.from)?, cast.slot_of(h.to)?);
            let state = if h.last_event <= last { hop_state(h.result) } else { State::Active };
            Some(Link { from, to, state, bounce: h.purpose == Purpose::Bounce })
        })
        .collect();
    let (mut envelope, mut bounce, mut dns) = (None, false, None);
    if let Some(e) = current {
        let hop = e.hop.map(|h| &trace.hops[h]);
        bounce = hop.is_some_and(|h| h.purpose == Purpose::Bounce);
        envelope = match &e.kind {
            EventKind::Delivered { .. } if cast.slot_of(e.actor) == Some(Slot::Mx) => Some(Slot::Mailbox),
            EventKind::DnsQuery { .. } => {
                dns = cast.slot_of(e.actor).map(|s| (s, false));
                cast.slot_of(e.actor)
            }
            EventKind::DnsAnswer { .. } => {
                let asker = last.checked_sub(1).and_then(|p| cast.slot_of(trace.events[p].actor));
                dns = asker.map(|s| (s, true));
                asker
            }
            _ => cast.slot_of(e.actor),
        };
    }
    let clock = current.map_or(0, |e| e.t);
    let before = last.checked_sub(1).map_or(0, |p| trace.events[p].t);
    Frame { states, links, envelope, bounce, gate, dns, clock, jump: clock.saturating_sub(before) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{presets, run};

    #[test]
    fn happy_path_puts_every_actor_on_stage() {
        let s = presets::get("happy-path").unwrap().scenario();
        let t = run(&s);
        let c = cast(&s, &t);
        let names: Vec<_> = c.actors.iter().map(|a| a.slot.name()).collect();
        assert_eq!(names, ["client", "submission", "dns", "mx", "mailbox", "recipient"]);
        let end = frame(&c, &t, t.events.len() - 1);
        for slot in [Slot::Submission, Slot::Mx, Slot::Mailbox, Slot::Recipient] {
            assert!(end.states.contains(&(slot, State::Ok)), "{slot:?}: {:?}", end.states);
        }
        assert!(end.links.iter().all(|l| l.state == State::Ok), "{:?}", end.links);
    }

    #[test]
    fn the_refusing_server_is_denied_and_its_gate_says_why() {
        let s = presets::get("outlook-express").unwrap().scenario();
        let t = run(&s);
        let c = cast(&s, &t);
        let f = frame(&c, &t, t.outcome.event);
        assert!(f.states.contains(&(Slot::Submission, State::Denied)), "{:?}", f.states);
        assert!(f.states.contains(&(Slot::Mx, State::Idle)), "{:?}", f.states);
        let g = f.gate.expect("a gate");
        assert_eq!(g.slot, Slot::Submission);
        assert!(!g.decision.facts.authenticated && !g.decision.facts.domain_handled());
    }

    #[test]
    fn time_jumps_are_measured() {
        let s = presets::get("greylisting").unwrap().scenario();
        let t = run(&s);
        let c = cast(&s, &t);
        let biggest = (0..t.events.len()).map(|i| frame(&c, &t, i).jump).max().unwrap();
        assert!(biggest >= 290, "the retry is minutes later: {biggest}");
    }

    #[test]
    fn a_bounce_travels_back() {
        let s = presets::get("recipient-misconfigured").unwrap().scenario();
        let t = run(&s);
        let c = cast(&s, &t);
        let end = frame(&c, &t, t.events.len() - 1);
        assert!(end.links.iter().any(|l| l.from == Slot::Submission && l.to == Slot::Mx && l.state == State::Denied));
        assert!(
            end.links.iter().any(|l| l.from == Slot::Client && l.to == Slot::Submission),
            "Alice fetches the bounce"
        );
    }
}
