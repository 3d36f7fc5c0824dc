//! The app's state in one reducer. Every action is a thin adapter over the core: changing a setting re-runs the
//! simulation; stepping only moves along the trace.

use mailpath_core::console::Setup;
use mailpath_core::fields::{self, Value};
use mailpath_core::permalink;
use mailpath_core::presets;
use mailpath_core::trace::{EventKind, Trace};
use mailpath_core::{run, Scenario};
use std::rc::Rc;
use yew::prelude::*;

/// Playback speeds.
pub const SPEEDS: [(&str, u32); 5] = [("0.25×", 25), ("0.5×", 50), ("1×", 100), ("2×", 200), ("4×", 400)];

/// The panel shown beside the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The SMTP dialogue.
    Transcript,
    /// The message's headers.
    Message,
    /// Every event.
    Timeline,
    /// Outcomes of the main toggles.
    WhatIf,
    /// Type the SMTP conversation.
    Console,
    /// Read a pasted bounce.
    Bounce,
}

/// A console session: where it types from and to, and what was typed. While there is one, the trace shown is
/// the session's (the console panel runs it, with the code that loads with it, and hands the result over).
#[derive(Debug, Clone)]
pub struct ConsoleState {
    /// From where, to which server and port.
    pub setup: Setup,
    /// The lines typed so far.
    pub lines: Vec<String>,
    /// The session as last run, and the scenario it ran in (its address, to tell when to run it again).
    pub session: Option<(Rc<mailpath_core::console::Session>, usize)>,
}

impl ConsoleState {
    /// A session not run yet.
    pub fn new(setup: Setup, lines: Vec<String>) -> ConsoleState {
        ConsoleState { setup, lines, session: None }
    }
}

impl PartialEq for ConsoleState {
    fn eq(&self, o: &Self) -> bool {
        self.setup == o.setup
            && self.lines == o.lines
            && match (&self.session, &o.session) {
                (Some((a, x)), Some((b, y))) => Rc::ptr_eq(a, b) && x == y,
                (None, None) => true,
                _ => false,
            }
    }
}

/// Everything the app shows.
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario.
    pub scenario: Rc<Scenario>,
    /// Its trace.
    pub trace: Rc<Trace>,
    /// The preset it started from.
    pub preset: Option<&'static str>,
    /// The event shown (everything up to it has happened).
    pub step: usize,
    /// Playing.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// The side panel.
    pub tab: Tab,
    /// Notes for the person: ignored parts of a link, refused input.
    pub notes: Vec<String>,
    /// A message opened for reading (index into the trace's messages).
    pub reading: Option<usize>,
    /// Counts scenario changes (the link history follows it).
    pub revision: u32,
    /// Presentation mode.
    pub present: bool,
    /// The console session, if one is open.
    pub console: Option<Rc<ConsoleState>>,
    /// A console session from the link, not read yet (the console reads it when it loads): the `console=` value
    /// and the `typed=` value.
    pub console_link: Option<(String, Option<String>)>,
}

/// What can happen.
#[derive(Debug, Clone)]
pub enum Action {
    /// A control changed a setting.
    Set(String, Value),
    /// A preset was chosen.
    Preset(&'static str),
    /// A scenario came from a link or a file (with its preset, step and notes).
    Load(Box<permalink::Decoded>),
    /// Apply a verified fix: the scenario it makes (the fixes list works it out, with the code that loads with it).
    Fix(Box<Scenario>),
    /// Show event `n`.
    Go(usize),
    /// One step forward.
    Next,
    /// One step back.
    Prev,
    /// Back to the start.
    Restart,
    /// Play or pause.
    Toggle,
    /// Play (true) or pause (false).
    Play(bool),
    /// Presentation mode on or off.
    Present(bool),
    /// Timer tick while playing.
    Tick,
    /// Pick a speed.
    Speed(usize),
    /// Pick a panel.
    Tab(Tab),
    /// Open or close a message.
    Read(Option<usize>),
    /// Replace the notes.
    Notes(Vec<String>),
    /// Dismiss the notes.
    ClearNotes,
    /// Open the console (a new session from where the scenario's sender is, unless one is open).
    ConsoleOpen,
    /// The console ran a session (with its setup, lines and result): show its trace at `step`; `play` plays
    /// on (a message was taken and travels).
    ConsoleRan {
        /// The session.
        state: ConsoleState,
        /// Where to show it.
        step: usize,
        /// Play the trip that follows.
        play: bool,
    },
    /// Close the console: back to the simulated client.
    ConsoleClose,
    /// The console session in the link could not be read: why (a new session starts instead).
    ConsoleLinkFailed(String),
}

/// Cheap equality: a new run is a new `Rc`, so identity is enough for the scenario and the trace.
impl PartialEq for Model {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &o.scenario)
            && Rc::ptr_eq(&self.trace, &o.trace)
            && (self.preset, self.step, self.playing, self.speed, self.tab, self.reading, self.revision, self.present)
                == (o.preset, o.step, o.playing, o.speed, o.tab, o.reading, o.revision, o.present)
            && self.notes == o.notes
            && self.console == o.console
            && self.console_link == o.console_link
    }
}

impl Model {
    /// The model for a scenario.
    pub fn new(scenario: Scenario, preset: Option<&'static str>) -> Model {
        Model {
            trace: Self::simulate(&scenario),
            scenario: Rc::new(scenario),
            preset,
            step: 0,
            playing: false,
            speed: 2,
            tab: Tab::Transcript,
            notes: Vec::new(),
            reading: None,
            revision: 0,
            present: false,
            console: None,
            console_link: None,
        }
    }

    /// The model a link opens.
    pub fn from_link(fragment: &str) -> Model {
        let d = permalink::decode(fragment);
        let mut m = Model::new(d.scenario, d.preset);
        m.step = d.step.map_or(0, |s| s.min(m.last()));
        m.notes = d.ignored.into_iter().map(|n| format!("Ignored in the link: {n}")).collect();
        if d.console.is_some() {
            m.console_link = d.console;
            m.tab = Tab::Console;
        }
        m
    }

    /// The last event's index.
    pub fn last(&self) -> usize {
        self.trace.last()
    }

    /// The link fragment for what is shown (with the console session, when one is open and fits in a link).
    pub fn link(&self) -> String {
        let mut link = permalink::encode(&self.scenario, self.preset, Some(self.step));
        if let Some(c) = &self.console {
            if let Ok(parts) = mailpath_core::console::link_parts(&c.setup, &c.lines) {
                link.push_str(&parts);
            }
        } else if let Some((setup, typed)) = &self.console_link {
            link.push_str(&format!(";console={}", permalink::escape(setup)));
            if let Some(t) = typed {
                link.push_str(&format!(";typed={t}"));
            }
        }
        link
    }

    /// The link fragment without the step (to tell a new scenario from a new step).
    pub fn link_without_step(&self) -> String {
        permalink::encode(&self.scenario, self.preset, None)
    }

    /// Where playing should pause: at the decisive refusal, or at the end.
    pub fn stop_at(&self) -> usize {
        self.trace.stop_at()
    }

    /// How long the current step stays before the next, at the chosen speed (milliseconds).
    pub fn delay(&self) -> u32 {
        let base = match self.trace.events.get(self.step).map(|e| &e.kind) {
            Some(EventKind::Decision(_)) => 2200,
            Some(EventKind::Reply(r)) if !r.is_positive() => 1800,
            Some(EventKind::Reply(r)) if r.lines.len() > 3 => 500,
            Some(EventKind::Connect { .. } | EventKind::Bounced { .. } | EventKind::Delivered { .. }) => 1200,
            _ => 700,
        };
        base * 100 / SPEEDS[self.speed].1
    }

    /// The one place the app runs the simulation.
    fn simulate(scenario: &Scenario) -> Rc<Trace> {
        Rc::new(run(scenario))
    }

    fn close_console(&mut self) {
        self.console = None;
        self.console_link = None;
        if self.tab == Tab::Console {
            self.tab = Tab::Transcript;
        }
    }

    fn rerun(&mut self, scenario: Scenario) {
        self.trace = Self::simulate(&scenario);
        self.scenario = Rc::new(scenario);
        self.step = self.step.min(self.last());
        self.revision += 1;
        self.reading = None;
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut m = (*self).clone();
        match action {
            Action::Set(key, value) => {
                let mut s = (*m.scenario).clone();
                match fields::set(&mut s, &key, &value) {
                    Ok(()) => m.rerun(s),
                    // The last good value stays; the person is told why.
                    Err(e) => m.notes = vec![format!("Not changed: {e}")],
                }
            }
            Action::Preset(slug) => {
                if let Some(p) = presets::get(slug) {
                    m.close_console();
                    m.preset = Some(p.slug);
                    m.step = 0;
                    m.playing = false;
                    m.notes.clear();
                    m.rerun(p.scenario());
                }
            }
            Action::Load(d) => {
                m.close_console();
                m.preset = d.preset;
                m.notes = d.ignored.into_iter().map(|n| format!("Ignored: {n}")).collect();
                m.playing = false;
                m.rerun(d.scenario);
                m.step = d.step.unwrap_or(0).min(m.last());
            }
            Action::Fix(s) => {
                m.close_console();
                m.step = 0;
                m.rerun(*s);
                m.playing = true;
            }
            Action::Go(n) => {
                m.step = n.min(m.last());
                m.playing = false;
            }
            Action::Next => {
                m.step = (m.step + 1).min(m.last());
                m.playing = false;
            }
            Action::Prev => {
                m.step = m.step.saturating_sub(1);
                m.playing = false;
            }
            Action::Restart => {
                m.step = 0;
                m.playing = false;
            }
            Action::Toggle => {
                if !m.playing && m.step >= m.last() {
                    m.step = 0;
                }
                m.playing = !m.playing;
            }
            Action::Play(on) => {
                if on != m.playing {
                    return self.reduce(Action::Toggle);
                }
            }
            Action::Present(on) => m.present = on,
            Action::Tick => {
                if m.playing {
                    let stop = m.stop_at();
                    m.step = (m.step + 1).min(m.last());
                    if m.step == stop || m.step >= m.last() {
                        m.playing = false;
                    }
                }
            }
            Action::Speed(i) => m.speed = i.min(SPEEDS.len() - 1),
            Action::Tab(t) => m.tab = t,
            Action::Read(r) => m.reading = r,
            Action::Notes(n) => m.notes = n,
            Action::ClearNotes => m.notes.clear(),
            Action::ConsoleOpen => {
                m.tab = Tab::Console;
                if m.console.is_none() && m.console_link.is_none() {
                    m.console = Some(Rc::new(ConsoleState::new(Setup::start(&m.scenario), Vec::new())));
                }
            }
            Action::ConsoleLinkFailed(why) => {
                m.console_link = None;
                m.notes.push(format!("Ignored in the link: the console session ({why})"));
                m.console = Some(Rc::new(ConsoleState::new(Setup::start(&m.scenario), Vec::new())));
            }
            Action::ConsoleRan { state, step, play } => {
                m.console_link = None;
                if let Some((session, _)) = &state.session {
                    m.trace = Rc::new(session.trace.clone());
                }
                m.console = Some(Rc::new(state));
                m.step = step.min(m.last());
                m.playing = play && m.step < m.last();
                m.reading = None;
                m.revision += 1;
            }
            Action::ConsoleClose => {
                m.close_console();
                m.trace = Self::simulate(&m.scenario);
                m.step = 0;
                m.playing = false;
                m.tab = Tab::Transcript;
                m.revision += 1;
            }
        }
        Rc::new(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailpath_core::explain;
    use mailpath_core::trace::Ending;

    fn model(slug: &str) -> Rc<Model> {
        let p = presets::get(slug).unwrap();
        Rc::new(Model::new(p.scenario(), Some(p.slug)))
    }

    #[test]
    fn playing_stops_at_the_refusal() {
        let mut m = model("outlook-express").reduce(Action::Toggle);
        while m.playing {
            m = m.reduce(Action::Tick);
        }
        assert_eq!(m.step, m.trace.outcome.event);
        assert!(matches!(m.trace.events[m.step].kind, EventKind::Reply(ref r) if r.code == 550));
    }

    #[test]
    fn a_change_keeps_the_step_when_it_still_exists() {
        let m = model("happy-path").reduce(Action::Go(10));
        let m = m.reduce(Action::Set("recipient.greylisting".into(), Value::Bool(true)));
        assert_eq!(m.step, 10);
        assert_eq!(m.revision, 1);
        let m = m.reduce(Action::Go(10_000));
        assert_eq!(m.step, m.last());
    }

    #[test]
    fn a_bad_value_keeps_the_last_good_scenario_and_says_why() {
        let m = model("happy-path");
        let before = m.scenario.clone();
        let m = m.reduce(Action::Set("message.to".into(), Value::Text("bob@".into())));
        assert_eq!(m.scenario, before);
        assert!(m.notes[0].contains("nothing after the @"), "{:?}", m.notes);
    }

    #[test]
    fn a_fix_turns_the_refusal_into_a_delivery() {
        let before = model("outlook-express");
        let fix = explain::fixes(&before.scenario, &before.trace).remove(0);
        let fixed = explain::apply(&before.scenario, &fix);
        let m = before.reduce(Action::Fix(Box::new(fixed)));
        assert_eq!(m.trace.outcome.ending, Ending::Delivered);
        assert!(m.playing, "the fixed scenario replays");
    }

    #[test]
    fn links_round_trip_the_view() {
        let m = model("greylisting").reduce(Action::Go(12));
        let back = Model::from_link(&m.link());
        assert_eq!((back.scenario, back.step, back.preset), (m.scenario.clone(), 12, m.preset));
    }
}
