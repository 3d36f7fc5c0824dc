//! The application: header with presets, the stage with playback and the Why panel, the side panels and the
//! controls; keyboard, timer, link and live-region wiring.

use crate::components::controls::Controls;
use crate::components::panels::Panels;
use crate::components::playback::Playback;
use crate::components::stage::Stage;
use crate::components::why::Why;
use crate::state::{Action, Model};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use mailpath_core::permalink;
use mailpath_core::presets::{self, Source};
use mailpath_core::report::describe;
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn location_hash() -> String {
    gloo::utils::window().location().hash().unwrap_or_default()
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let model = use_reducer(|| Model::from_link(&location_hash()));

    // Playback: one timeout per step while playing.
    {
        let m = model.clone();
        use_effect_with((model.playing, model.step, model.speed, model.revision), move |(playing, ..)| {
            let t = playing.then(|| {
                let d = m.clone();
                Timeout::new(m.delay(), move || d.dispatch(Action::Tick))
            });
            move || drop(t)
        });
    }

    // Keyboard: Space play/pause, ← → step, Home restart, End to the end (not while typing in a field).
    {
        let m = model.clone();
        use_effect_with((), move |_| {
            let options = gloo::events::EventListenerOptions::enable_prevent_default();
            let listener = EventListener::new_with_options(&gloo::utils::document(), "keydown", options, move |e| {
                let e = e.dyn_ref::<web_sys::KeyboardEvent>().expect("keydown is a KeyboardEvent");
                let typing = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "SUMMARY")
                });
                if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let action = match e.key().as_str() {
                    " " => Action::Toggle,
                    "ArrowRight" | "PageDown" => Action::Next,
                    "ArrowLeft" | "PageUp" => Action::Prev,
                    "Home" => Action::Restart,
                    "End" => Action::Go(usize::MAX),
                    _ => return,
                };
                e.prevent_default();
                m.dispatch(action);
            });
            move || drop(listener)
        });
    }

    // The link follows the view: a new entry per scenario change, the step replaced in place.
    {
        let m = model.clone();
        use_effect_with((model.revision, model.step), move |(revision, _)| {
            let link = format!("#{}", m.link());
            if location_hash() != link {
                if let Ok(history) = gloo::utils::window().history() {
                    let push = *revision > 0 && !location_hash().starts_with(&format!("#{}", m.link_without_step()));
                    let _ = if push {
                        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&link))
                    } else {
                        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&link))
                    };
                }
            }
            || ()
        });
    }
    {
        let m = model.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::window(), "popstate", move |_| {
                m.dispatch(Action::Load(Box::new(permalink::decode(&location_hash()))));
            });
            move || drop(listener)
        });
    }

    let on_preset = {
        let m = model.clone();
        Callback::from(move |e: Event| {
            let slug = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Some(p) = presets::get(&slug) {
                m.dispatch(Action::Preset(p.slug));
            }
        })
    };
    let announce = describe(&model.scenario, &model.trace, model.step);
    let reading = model.reading.and_then(|i| model.trace.messages.get(i)).map(|msg| {
        let close = {
            let m = model.clone();
            Callback::from(move |_| m.dispatch(Action::Read(None)))
        };
        html! {
            <div class="reader" role="dialog" aria-modal="true" aria-label="Message">
                <div class="reader-box">
                    <button class="close" onclick={close} aria-label="Close">{ "✕ Close" }</button>
                    <pre>{ msg.text() }</pre>
                </div>
            </div>
        }
    });
    let group = |source: fn(&Source) -> bool, label: &'static str| {
        html! {
            <optgroup label={label}>
                { for presets::ALL.iter().filter(|p| source(&p.source)).map(|p| html! {
                    <option value={p.slug} selected={model.preset == Some(p.slug)} title={p.summary}>{ p.title }</option>
                }) }
            </optgroup>
        }
    };
    html! {
        <div class="app">
            <header class="top">
                <h1>{ "Mailpath" }</h1>
                <p class="tagline">{ "Follow an email hop by hop, and see where and why relaying is denied." }</p>
                <label class="presets">{ "Situation " }
                    <select onchange={on_preset} aria-label="Situation">
                        <option value="" selected={model.preset.is_none()}>{ "(your own settings)" }</option>
                        { group(|s| *s == Source::Article, "From the article") }
                        { group(|s| matches!(s, Source::Table(_)), "More situations") }
                    </select>
                </label>
            </header>
            if !model.notes.is_empty() {
                <div class="notes" role="status">
                    <ul>{ for model.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
                    <button onclick={{ let m = model.clone(); Callback::from(move |_| m.dispatch(Action::ClearNotes)) }}>{ "Dismiss" }</button>
                </div>
            }
            <main class="layout">
                <div class="play">
                    <h2 class="scenario-title">{ model.scenario.title.clone() }</h2>
                    <Stage scenario={model.scenario.clone()} trace={model.trace.clone()} step={Some(model.step)} />
                    <Playback model={model.clone()} />
                    <Why model={model.clone()} />
                </div>
                <div class="side"><Panels model={model.clone()} /></div>
                <div class="settings"><Controls model={model.clone()} /></div>
            </main>
            <p class="sr-only" aria-live="polite">{ announce }</p>
            { for reading }
        </div>
    }
}
