//! Play, pause, step and speed, with the step counter and the simulated clock.

use crate::state::{Action, Model, SPEEDS};
use mailpath_core::time::offset;
use yew::prelude::*;

/// Properties of [`Playback`].
#[derive(Properties, PartialEq)]
pub struct PlaybackProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
}

/// The playback bar.
#[component]
pub fn Playback(props: &PlaybackProps) -> Html {
    let m = &props.model;
    let send = |a: Action| {
        let m = m.clone();
        Callback::from(move |_: MouseEvent| m.dispatch(a.clone()))
    };
    let on_speed = {
        let m = m.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            m.dispatch(Action::Speed(v.parse().unwrap_or(2)));
        })
    };
    let t = m.trace.events.get(m.step).map_or(0, |e| e.t);
    html! {
        <div class="playback" role="toolbar" aria-label="Playback">
            <button onclick={send(Action::Restart)} title="Restart (Home)" aria-label="Restart">{ "|◀" }</button>
            <button onclick={send(Action::Prev)} title="Step back (←)" aria-label="Step back" disabled={m.step == 0}>{ "◀" }</button>
            <button class="play" onclick={send(Action::Toggle)} title="Play or pause (Space)" aria-pressed={m.playing.to_string()}
                data-testid="play">{ if m.playing { "⏸ Pause" } else { "▶ Play" } }</button>
            <button onclick={send(Action::Next)} title="Step forward (→)" aria-label="Step forward" disabled={m.step >= m.last()}>{ "▶" }</button>
            <button onclick={send(Action::Go(m.last()))} title="Go to the end (End)" aria-label="Go to the end">{ "▶|" }</button>
            <label class="speed">{ "Speed " }
                <select onchange={on_speed} aria-label="Speed">
                    { for SPEEDS.iter().enumerate().map(|(i, (name, _))| html! {
                        <option value={i.to_string()} selected={i == m.speed}>{ *name }</option>
                    }) }
                </select>
            </label>
            <span class="counter" data-testid="step">{ format!("Step {} of {}", m.step + 1, m.trace.events.len()) }</span>
            <span class="clock-text">{ format!("Clock {}", offset(t)) }</span>
        </div>
    }
}
