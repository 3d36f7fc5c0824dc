//! The stage: the actors of the mail path drawn as SVG, each with its state in colour, icon and word.

use crate::stage::{cast, states, Slot, State};
use mailpath_core::{Scenario, Trace};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Stage`].
#[derive(Properties, PartialEq)]
pub struct StageProps {
    /// The scenario.
    pub scenario: Rc<Scenario>,
    /// Its trace.
    pub trace: Rc<Trace>,
    /// The step shown (index of the last event played); defaults to the end.
    #[prop_or_default]
    pub step: Option<usize>,
}

fn icon(state: State) -> &'static str {
    match state {
        State::Idle => "",
        State::Active => "●",
        State::Ok => "✓",
        State::Denied => "✗",
        State::Deferred => "⏸",
    }
}

/// The diagram of the mail path.
#[component]
pub fn Stage(props: &StageProps) -> Html {
    let cast = cast(&props.scenario, &props.trace);
    let step = props.step.unwrap_or(props.trace.events.len().saturating_sub(1));
    let st = states(&cast, &props.trace, step);
    let state_of = |slot: Slot| st.iter().find(|(s, _)| *s == slot).map_or(State::Idle, |(_, s)| *s);
    html! {
        <figure class="stage" aria-label="The path of the message">
            <svg viewBox="0 0 1000 420" role="img" aria-labelledby="stage-title">
                <title id="stage-title">{ "Mail path: sender, servers, DNS, mailbox, recipient" }</title>
                { for cast.actors.iter().map(|a| {
                    let (x, y) = a.slot.position();
                    let state = state_of(a.slot);
                    let label = format!("{}: {} — {}", a.title, a.detail, if state.word().is_empty() { "idle" } else { state.word() });
                    html! {
                        <g class={classes!("actor", state.name())} data-actor={a.slot.name()} data-state={state.name()}
                           transform={format!("translate({x} {y})")} role="group" aria-label={label}>
                            <rect x="-62" y="-38" width="124" height="76" rx="10" />
                            <text class="title" y="-12">{ a.title }</text>
                            <text class="detail" y="8">{ a.detail.clone() }</text>
                            <text class="state" y="28">{ format!("{} {}", icon(state), state.word()) }</text>
                        </g>
                    }
                }) }
            </svg>
        </figure>
    }
}
