//! `run`: walks a scenario through the world — the sender's submission, every server's queue on a simulated
//! clock, MX walking, retries, bounces travelling back, delivery and retrieval — and returns the trace.
//!
//! Each step (the submission, a delivery attempt, a fetch) reads the run's state, writes what happens into the
//! trace, and returns the changes it makes to the state as [`queue::Effect`]s; this loop applies them in order
//! and takes the next action off the clock's agenda. The parts depend one way:
//! `queue` (vocabulary) ← `state` (the run's state, effects applied) ← `accept`, `settle` ← `submit`, `attempt`,
//! `retrieve` ← this loop.

mod accept;
mod attempt;
mod queue;
mod retrieve;
mod settle;
mod state;
mod submit;
pub mod typed;

use crate::scenario::Scenario;
use crate::trace::Trace;
use queue::Action;
use state::Sim;

pub use state::POP_WINDOW;

/// The most events one run records.
pub const MAX_EVENTS: usize = 200_000;

/// Simulates `s` and returns everything that happened.
pub fn run(s: &Scenario) -> Trace {
    let mut sim = Sim::new(s);
    let effects = submit::submit(&mut sim);
    sim.apply(effects);
    while let Some((t, action)) = sim.next() {
        // A safety net: real mail systems stop loops by hop counts, which the engine models; this only guards
        // against a modelling mistake turning into a hung page.
        if sim.rec.events.len() > MAX_EVENTS {
            break;
        }
        let effects = match action {
            Action::Attempt(job) => attempt::attempt(&mut sim, job, t),
            Action::Fetch { server, user, reader } => retrieve::fetch(&mut sim, t, server, &user, reader),
        };
        sim.apply(effects);
    }
    sim.finish()
}
