//! "What did you get?": paste a bounce, drop an `.eml` file or paste a mail program's error, and see it read the
//! way a postmaster would — each item pointing at the words it came from — then open the scenario that shows it,
//! with the bounce's names, stopped where it went wrong. The reading is the core's (`bounce::read`); this panel
//! only draws it. Nothing pasted leaves the page or is stored.

use crate::components::panels::PanelProps;
use crate::state::{Action, Tab};
use mailpath_core::bounce::{self, Kind, Span, MAX_BYTES};
use mailpath_core::named::Named;
use mailpath_core::trace::EventKind;
use mailpath_core::{presets, run, Why};
use std::rc::Rc;
use yew::prelude::*;

thread_local! {
    /// The paste, kept while the page is open: switching tabs (or "Show me", which opens the transcript) and
    /// coming back finds it as it was. It is never stored anywhere else.
    static PASTE: std::cell::RefCell<Rc<str>> = std::cell::RefCell::new(Rc::from(""));
}

/// How much of a paste the source view shows (the reading reads all of it).
const SHOWN: usize = 200 * 1024;

/// The article's example: the dialog Outlook Express shows in the preset that retells it.
fn example() -> String {
    let s = presets::get("outlook-express").map(|p| p.scenario()).unwrap_or_default();
    run(&s)
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ErrorDialog { text, .. } => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The paste with the chosen item's text marked (and every other item's lightly), as text nodes only.
fn source(text: &str, spans: &[Span], chosen: Option<Span>) -> Html {
    let shown = &text[..text.floor_char_boundary(SHOWN.min(text.len()))];
    let mut marks: Vec<Span> = spans.iter().copied().filter(|s| s.end <= shown.len() && s.start < s.end).collect();
    marks.sort_by_key(|s| (s.start, usize::MAX - s.end));
    // Non-overlapping: the chosen span wins, then the earlier and longer ones.
    let mut kept: Vec<Span> = chosen.filter(|s| s.end <= shown.len()).into_iter().collect();
    for m in marks {
        if kept.iter().all(|k| m.end <= k.start || m.start >= k.end) {
            kept.push(m);
        }
    }
    kept.sort_by_key(|s| s.start);
    let mut out = Vec::new();
    let mut at = 0;
    for k in kept {
        out.push(html! { { &shown[at..k.start] } });
        let on = Some(k) == chosen;
        out.push(html! { <mark class={classes!("item", on.then_some("on"))} data-chosen={on.then_some("yes")}>{ &shown[k.start..k.end] }</mark> });
        at = k.end;
    }
    out.push(html! { { &shown[at..] } });
    html! {
        <>
            <pre class="bounce-source" aria-label="What you pasted">{ for out }</pre>
            if chosen.is_some_and(|c| c.end > shown.len()) {
                <p class="note" role="status">{ "That item is further into the paste than is shown here." }</p>
            }
            if shown.len() < text.len() {
                <p class="note">{ format!("Only the first {} KB are shown here; all {} KB were read.", SHOWN / 1024, text.len() / 1024) }</p>
            }
        </>
    }
}

/// Adds the panel's stylesheet (`styles/bounce.css`, same origin) the first time the panel shows.
fn add_stylesheet() {
    let doc = gloo::utils::document();
    if doc.get_element_by_id("bounce-css").is_some() {
        return;
    }
    let (Ok(link), Some(head)) = (doc.create_element("link"), doc.head()) else { return };
    let _ = link.set_attribute("id", "bounce-css");
    let _ = link.set_attribute("rel", "stylesheet");
    let _ = link.set_attribute("href", "styles/bounce.css");
    let _ = head.append_child(&link);
}

/// The bounce reader panel.
#[component]
pub fn BounceReader(props: &PanelProps) -> Html {
    let m = &props.model;
    use_effect_with((), |_| add_stylesheet());
    let text = use_state(|| PASTE.with(|p| p.borrow().clone()));
    // Which load is the latest: a slow file read must not overwrite what was pasted after it.
    let loads = use_mut_ref(|| 0u32);
    let chosen = use_state(|| None::<Span>);
    let problem = use_state(|| None::<String>);
    // The reading and the scenario it opens (run once per paste, not on every redraw).
    let reading = use_memo((*text).clone(), |t| {
        if t.trim().is_empty() {
            return None;
        }
        Some(bounce::read(t).map(|r| {
            let opened = bounce::opening(&r).map(|o| {
                let (s, kept) = o.scenario();
                let step = o.step(&run(&s));
                (o.preset, s, step, kept)
            });
            (r, opened)
        }))
    });
    let set_text = {
        let (text, chosen, problem) = (text.clone(), chosen.clone(), problem.clone());
        Rc::new(move |t: String| {
            chosen.set(None);
            problem.set(None);
            let t: Rc<str> = Rc::from(t);
            PASTE.with(|p| p.replace(t.clone()));
            text.set(t);
        })
    };
    let oninput = {
        let (set_text, loads) = (set_text.clone(), loads.clone());
        Callback::from(move |e: InputEvent| {
            *loads.borrow_mut() += 1;
            set_text(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())
        })
    };
    let load_file = {
        let (set_text, problem, loads) = (set_text.clone(), problem.clone(), loads.clone());
        Rc::new(move |f: web_sys::File| {
            *loads.borrow_mut() += 1;
            let this = *loads.borrow();
            let name = f.name();
            if f.size() > MAX_BYTES as f64 {
                problem.set(Some(format!(
                    "{name} is {} KB; a bounce is far smaller and at most {} KB are read. Open the bounce itself, or paste its text without the returned attachment.",
                    f.size() as u64 / 1024,
                    MAX_BYTES / 1024
                )));
                return;
            }
            let (set_text, problem, loads) = (set_text.clone(), problem.clone(), loads.clone());
            let promise = f.text();
            yew::platform::spawn_local(async move {
                let read = wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|v| v.as_string());
                if *loads.borrow() != this {
                    return;
                }
                match read {
                    Some(t) => set_text(t),
                    None => problem.set(Some(format!("{name} could not be read as text."))),
                }
            });
        })
    };
    let onchange = {
        let load_file = load_file.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            if let Some(f) = input.files().and_then(|l| l.get(0)) {
                input.set_value("");
                load_file(f);
            }
        })
    };
    let ondrop = {
        let load_file = load_file.clone();
        Callback::from(move |e: DragEvent| {
            if let Some(f) = e.data_transfer().and_then(|d| d.files()).and_then(|l| l.get(0)) {
                e.prevent_default();
                load_file(f);
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let try_example = {
        let set_text = set_text.clone();
        Callback::from(move |_| set_text(example()))
    };
    let clear = {
        let set_text = set_text.clone();
        Callback::from(move |_| set_text(String::new()))
    };

    let body = match reading.as_ref() {
        None => html! {},
        Some(Err(e)) => html! { <p class="bounce-error" role="alert" data-testid="bounce-error">{ e.to_string() }</p> },
        Some(Ok((r, opened))) => {
            let lines = bounce::lines(r);
            let spans: Vec<Span> = lines.iter().filter_map(|l| l.at).collect();
            let show = opened.as_ref().map(|(slug, s, step, kept)| {
                let (s, step, kept) = (s.clone(), *step, kept.clone());
                let d = m.clone();
                let preset = presets::get(slug).map_or(*slug, |p| p.title);
                let onclick = Callback::from(move |_| {
                    d.dispatch(Action::Fix(Box::new(s.clone())));
                    d.dispatch(Action::Go(step));
                    d.dispatch(Action::Tab(Tab::Transcript));
                    if !kept.is_empty() {
                        d.dispatch(Action::Notes(kept.iter().map(|k| format!("From your bounce, not applied: {k}")).collect()));
                    }
                });
                html! {
                    <p class="bounce-show">
                        <button class="primary" data-testid="bounce-show" {onclick}>{ "Show me on the diagram" }</button>
                        { format!(" opens “{preset}” with the names from your bounce, at the step where it went wrong.") }
                    </p>
                }
            });
            let elsewhere =
                matches!(r.class.or(r.last_failure), Some(Why::RelayDenied | Why::RelayDeferred)).then(|| {
                    html! {
                        <details class="elsewhere">
                            <summary>{ "The same refusal in other server software" }</summary>
                            <ul>{ for bounce::relay_refusal_elsewhere().into_iter().map(|(who, words)| html! {
                                <li><strong>{ who }</strong>{ ": " }<code>{ words }</code></li>
                            }) }</ul>
                        </details>
                    }
                });
            let hops = (r.kind == Kind::Received && !r.hops.is_empty()).then(|| {
                html! {
                    <ol class="hop-path" aria-label="The path the message took, first hop first">
                        { for r.hops.iter().map(|h| {
                            let name = |i: &Option<bounce::Item>| i.as_ref().map_or("?".to_string(), |i| i.value.clone());
                            html! {
                                <li>
                                    <span class="from">{ name(&h.from) }{ h.from_ip.as_ref().map(|i| format!(" [{}]", i.value)).unwrap_or_default() }</span>
                                    <span class="arrow" aria-hidden="true">{ " → " }</span>
                                    <span class="by">{ name(&h.by) }</span>
                                    <span class="how">
                                        { h.with.clone().unwrap_or_default() }
                                        { if h.tls { " · encrypted" } else { " · not encrypted" } }
                                        { if h.auth { " · logged in" } else { "" } }
                                    </span>
                                    if let Some(d) = &h.date { <span class="when">{ d.value.clone() }</span> }
                                </li>
                            }
                        }) }
                    </ol>
                }
            });
            html! {
                <div class="reading" data-testid="bounce-reading" data-class={r.class.map(|c| c.name())} data-kind={r.kind.name()}>
                    <dl>
                        { for lines.iter().map(|l| {
                            let c = chosen.clone();
                            let at = l.at;
                            html! {
                                <>
                                    <dt>{ l.label }</dt>
                                    <dd data-label={l.label}>
                                        { &l.value }
                                        if let Some(span) = at {
                                            { " " }
                                            <button class="link" aria-label={format!("Show where it says this: {}", l.label)}
                                                onclick={Callback::from(move |_| c.set(Some(span)))}>{ "show in the text" }</button>
                                        }
                                    </dd>
                                </>
                            }
                        }) }
                    </dl>
                    { for hops }
                    { for elsewhere }
                    { match show {
                        Some(s) => s,
                        None => html! { <p class="note">{ "No scenario of Mailpath shows this kind of problem yet; the reading above is what the bounce says." }</p> },
                    } }
                    { source(&text, &spans, *chosen) }
                </div>
            }
        }
    };
    {
        // The chosen item scrolls into view in the source.
        let chosen = *chosen;
        use_effect_with(chosen, move |c| {
            if c.is_some() {
                if let Some(el) = gloo::utils::document().query_selector("mark[data-chosen]").ok().flatten() {
                    el.scroll_into_view_with_bool(false);
                }
            }
        });
    }
    html! {
        <section class="bounce-reader" aria-labelledby="bounce-title">
            <h2 id="bounce-title">{ "What did you get?" }</h2>
            <p>{ "Paste a bounce (“Undelivered Mail Returned to Sender”, an Exchange or Gmail notice), a mail program's error message, or the Received: lines of a message that arrived — or drop an .eml file here. Nothing you paste leaves this page or is stored." }</p>
            <textarea id="bounce-paste" data-testid="bounce-paste" rows="8" spellcheck="false" aria-label="Your bounce or error message"
                value={AttrValue::from((*text).clone())} {oninput} {ondrop} {ondragover} />
            <div class="bounce-actions">
                <label class="file">{ "Open an .eml file " }
                    <input type="file" accept=".eml,.txt,.msg,message/rfc822,text/plain" {onchange} />
                </label>
                <button onclick={try_example}>{ "Try the article's message" }</button>
                if !text.is_empty() { <button onclick={clear}>{ "Clear" }</button> }
            </div>
            if let Some(p) = &*problem { <p class="bounce-error" role="alert">{ p.clone() }</p> }
            { body }
        </section>
    }
}
