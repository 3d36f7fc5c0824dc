//! The application: header with presets, the stage with playback and the Why panel, the side panels and the
//! controls; keyboard, timer, link, storage, host-page and live-region wiring. An embed (`?embed`) shows only the
//! stage, the play controls and the Why panel; presentation mode only the stage, the Why panel and a QR code.

use crate::browser;
use crate::components::controls::ControlsProps;
use crate::components::panels::Panels;
use crate::components::playback::Playback;
use crate::components::reader::OpenProps;
use crate::components::select::Select;
use crate::components::share::OpenFile;
use crate::components::stage::Stage;
use crate::components::why::{Pending, Why};
use crate::lazy;
use crate::state::{Action, Model};
use crate::view::{host_command, HostCommand, ViewOptions};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use mailpath_core::named::Named;
use mailpath_core::permalink;
use mailpath_core::presets::{self, Source};
use mailpath_core::report::describe;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Where the last scenario a person built is kept.
const REMEMBER: &str = "mailpath.last";

/// The model the page opens with: the link's scenario, else the remembered one, else the default.
fn initial(options: &ViewOptions) -> Model {
    let hash = browser::hash();
    if options.reset {
        browser::forget(REMEMBER);
    }
    let mut m = match browser::load(REMEMBER) {
        Some(stored) if hash.trim_start_matches('#').is_empty() && !options.embed => {
            let d = permalink::decode(&stored);
            if d.ignored.is_empty() {
                let mut m = Model::new(d.scenario, d.preset);
                m.notes.push("Your last scenario is back.".into());
                m
            } else {
                // Damaged or from an unknown future: set aside, never half-applied.
                browser::forget(REMEMBER);
                let mut m = Model::from_link("");
                m.notes.push(format!(
                    "Your remembered scenario could not be read and was set aside ({}).",
                    d.ignored.join("; ")
                ));
                m
            }
        }
        _ => Model::from_link(&hash),
    };
    m.notes.extend(options.ignored.iter().map(|n| format!("Ignored in the link: {n}")));
    m.present = options.present;
    m
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let options = use_memo((), |_| ViewOptions::parse(&browser::query()));
    let model = {
        let options = options.clone();
        use_reducer(move || initial(&options))
    };
    let embed = options.embed;
    let pending = match (!embed || options.controls, options.autoplay) {
        (true, _) => Pending::Controls,
        (false, true) => Pending::Autoplay,
        (false, false) => Pending::Keys,
    };

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

    // Autoplay (embed option), once.
    {
        let (m, autoplay) = (model.clone(), options.autoplay);
        use_effect_with((), move |_| {
            if autoplay {
                m.dispatch(Action::Play(true));
            }
        });
    }

    // Keyboard: Space play/pause, ← → (PageUp/PageDown for clickers) step, Home restart, End to the end, Esc leaves
    // presentation (not while typing in a field).
    {
        let m = model.clone();
        use_effect_with((), move |_| {
            let options = gloo::events::EventListenerOptions::enable_prevent_default();
            let listener = EventListener::new_with_options(&gloo::utils::document(), "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                let typing = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "SUMMARY")
                });
                // A modal dialog (the message reader) has the keys: Escape closes it, not presentation mode.
                let modal = gloo::utils::document().query_selector("dialog[open]").ok().flatten().is_some();
                if typing || modal || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let action = match e.key().as_str() {
                    " " => Action::Toggle,
                    "ArrowRight" | "PageDown" => Action::Next,
                    "ArrowLeft" | "PageUp" => Action::Prev,
                    "Home" => Action::Restart,
                    "End" => Action::Go(usize::MAX),
                    "Escape" => Action::Present(false),
                    _ => return,
                };
                e.prevent_default();
                m.dispatch(action);
            });
            move || drop(listener)
        });
    }

    // The link follows the view: a new history entry per scenario change at once; the step replaced in place a
    // moment after stepping stops (holding an arrow key would otherwise hit the browser's history rate limit). An
    // embed never adds entries (they would land in the host page's history).
    {
        let m = model.clone();
        // Presentation mode turned on or off (P, Escape) is part of the link too.
        let query = ViewOptions { present: model.present, ..(*options).clone() }.query();
        let pending = use_mut_ref(|| None::<Timeout>);
        use_effect_with((model.revision, model.step, model.present), move |(revision, _, _)| {
            pending.borrow_mut().take();
            let link = format!("#{}", m.link());
            if browser::hash() != link || browser::query() != query {
                // Options the page was opened with stay; one-off ones (`reset`) and foreign ones go.
                let url = format!("{}{query}{link}", browser::page());
                let push =
                    !embed && *revision > 0 && !browser::hash().starts_with(&format!("#{}", m.link_without_step()));
                let write = move |push: bool| {
                    if let Ok(history) = gloo::utils::window().history() {
                        let _ = if push {
                            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
                        } else {
                            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
                        };
                    }
                };
                if push {
                    write(true);
                } else {
                    *pending.borrow_mut() = Some(Timeout::new(150, move || write(false)));
                }
            }
            || ()
        });
    }
    {
        let m = model.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::window(), "popstate", move |_| {
                m.dispatch(Action::Load(Box::new(permalink::decode(&browser::hash()))));
            });
            move || drop(listener)
        });
    }

    // Remember the last scenario built here (not in an embed: that is the author's, not the reader's).
    {
        let m = model.clone();
        use_effect_with(model.revision, move |revision| {
            if !embed && *revision > 0 {
                browser::save(REMEMBER, &m.link_without_step());
            }
        });
    }

    // Theme and presentation mode are classes on the root element.
    {
        let class =
            [options.theme.class(), if model.present { "present" } else { "" }, if embed { "embed" } else { "" }]
                .iter()
                .filter(|c| !c.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
        use_effect_with(class, |class| browser::set_root_class(class));
    }

    // The host page API: commands in, events and height out, only inside a frame (where a host page may listen).
    let framed = *use_memo((), |_| browser::in_frame());
    {
        let m = model.clone();
        use_effect_with((), move |_| {
            let listener = framed.then(|| {
                EventListener::new(&gloo::utils::window(), "message", move |e| {
                    let Some(msg) = e.dyn_ref::<web_sys::MessageEvent>().and_then(browser::host_message) else {
                        return;
                    };
                    match host_command(&msg) {
                        Ok(Some(c)) => m.dispatch(match c {
                            HostCommand::Preset(slug) => Action::Preset(slug),
                            HostCommand::Link(link) => Action::Load(Box::new(permalink::decode(&link))),
                            HostCommand::Step(n) => Action::Go(n),
                            HostCommand::Next => Action::Next,
                            HostCommand::Prev => Action::Prev,
                            HostCommand::Play => Action::Play(true),
                            HostCommand::Pause => Action::Play(false),
                            HostCommand::Restart => Action::Restart,
                        }),
                        Ok(None) => {}
                        Err(why) => browser::post("mailpath:error", &[("message", why.into())]),
                    }
                })
            });
            browser::post("mailpath:ready", &[("version", 1.into())]);
            move || drop(listener)
        });
    }
    {
        let m = model.clone();
        let told = use_mut_ref(|| None::<u32>);
        use_effect_with((model.revision, model.step, model.preset), move |_| {
            if !framed {
                return;
            }
            let text = describe(&m.scenario, &m.trace, m.step);
            let (step, total) = (m.step as u32, m.trace.events.len() as u32);
            browser::post(
                "mailpath:step",
                &[("step", step.into()), ("total", total.into()), ("text", text.into()), ("link", m.link().into())],
            );
            if m.step >= m.stop_at() && *told.borrow() != Some(m.revision) {
                *told.borrow_mut() = Some(m.revision);
                let o = &m.trace.outcome;
                browser::post(
                    "mailpath:outcome",
                    &[
                        ("ending", o.ending.name().into()),
                        ("summary", o.summary.as_str().into()),
                        ("step", step.into()),
                    ],
                );
            }
        });
    }
    {
        let height = use_mut_ref(|| 0);
        use_effect(move || {
            // Reading the height forces a layout: only where a host page listens.
            if !framed {
                return;
            }
            let h = browser::content_height();
            if *height.borrow() != h {
                *height.borrow_mut() = h;
                browser::post("mailpath:height", &[("height", h.into())]);
            }
        });
    }

    // Last of the mount effects: the stage is drawn and every listener is attached (`cargo xtask bench` measures
    // navigation start to this mark).
    use_effect_with((), |_| {
        if let Some(p) = gloo::utils::window().performance() {
            let _ = p.mark("interactive");
        }
    });

    let on_preset = {
        let m = model.clone();
        Callback::from(move |slug: String| {
            if let Some(p) = presets::get(&slug) {
                m.dispatch(Action::Preset(p.slug));
            }
        })
    };
    let sharing = use_state(|| false);
    let announce = describe(&model.scenario, &model.trace, model.step);
    let reading = model.reading.filter(|i| *i < model.trace.messages.len()).map(|i| {
        html! { { lazy::show(lazy::READER, OpenProps { model: model.clone(), message: i }, "the message") } }
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
    let notes = (!model.notes.is_empty()).then(|| {
        let m = model.clone();
        html! {
            <div class="notes" role="status">
                <ul>{ for model.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
                <button onclick={Callback::from(move |_| m.dispatch(Action::ClearNotes))}>{ "Dismiss" }</button>
            </div>
        }
    });
    let toggle_share = {
        let sharing = sharing.clone();
        Callback::from(move |_: MouseEvent| sharing.set(!*sharing))
    };
    let close_share = {
        let sharing = sharing.clone();
        Callback::from(move |_| sharing.set(false))
    };
    let present = {
        let m = model.clone();
        Callback::from(move |_: MouseEvent| m.dispatch(Action::Present(true)))
    };
    // One tree for the three views: the full page, an embed (stage, play controls, Why) and presentation mode
    // (stage, play controls, Why and the QR bar).
    let full = !embed && !model.present;
    let class = if embed {
        "app embedded"
    } else if model.present {
        "app presenting"
    } else {
        "app"
    };
    html! {
        <div {class}>
            if full {
                <header class="top">
                    <h1>{ "Mailpath" }</h1>
                    <p class="tagline">{ "Follow an email hop by hop, and see where and why relaying is denied." }</p>
                    <label class="presets">{ "Situation " }
                        <Select onchange={on_preset} aria_label="Situation" value={model.preset.unwrap_or("")}>
                            <option value="" selected={model.preset.is_none()}>{ "(your own settings)" }</option>
                            { group(|s| *s == Source::Article, "From the article") }
                            { group(|s| matches!(s, Source::Table(_)), "More situations") }
                        </Select>
                    </label>
                    <div class="actions">
                        <OpenFile model={model.clone()} />
                        <button onclick={toggle_share} aria-expanded={sharing.to_string()}>{ "Share & export" }</button>
                        <button onclick={present} title="Large type for a projector; Esc leaves">{ "Present" }</button>
                    </div>
                </header>
            }
            { for notes }
            if full && *sharing {
                { lazy::show(lazy::SHARE, crate::components::share::ShareProps { model: model.clone(), on_close: close_share }, "the share panel") }
            }
            <main class="layout">
                <div class="play">
                    <h2 class="scenario-title">{ model.scenario.title.clone() }</h2>
                    <Stage scenario={model.scenario.clone()} trace={model.trace.clone()} step={Some(model.step)} />
                    if !embed || options.controls { <Playback model={model.clone()} /> }
                    <Why model={model.clone()} locked={embed && options.lock} pending={pending} />
                </div>
                if full {
                    <div class="side"><Panels model={model.clone()} /></div>
                    <div class="settings">
                        <lazy::WhenShown label="Settings">
                            { lazy::show(lazy::CONTROLS, ControlsProps { model: model.clone() }, "the settings") }
                        </lazy::WhenShown>
                    </div>
                }
            </main>
            if model.present && !embed {
                { lazy::show(lazy::PRESENT, crate::components::present::PresentProps { model: model.clone() }, "the presentation bar") }
            }
            <p class="sr-only" aria-live="polite">{ announce }</p>
            { for reading }
        </div>
    }
}
