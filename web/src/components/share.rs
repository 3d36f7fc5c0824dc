//! Share and export: the link to this exact view, the `<iframe>` code for an article, and the transcript, report
//! and stage as files.

use crate::browser;
use crate::state::{Action, Model};
use crate::view::embed_code;
use mailpath_core::{file, permalink, report};
use yew::prelude::*;

/// Largest scenario file read (real ones are a few hundred bytes).
const MAX_FILE: f64 = 256.0 * 1024.0;

/// Properties of [`Share`].
#[derive(Properties, PartialEq)]
pub struct ShareProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
    /// Close the panel.
    pub on_close: Callback<()>,
}

/// A text the person can copy, with a button that copies it and says whether that worked.
#[derive(Properties, PartialEq)]
pub(crate) struct CopyProps {
    pub label: &'static str,
    pub button: &'static str,
    pub text: String,
    pub testid: &'static str,
    #[prop_or_default]
    pub multiline: bool,
}

#[component]
pub(crate) fn CopyField(p: &CopyProps) -> Html {
    let status = use_state(|| None::<bool>);
    // A new text resets the status.
    {
        let status = status.clone();
        use_effect_with(p.text.clone(), move |_| status.set(None));
    }
    let onclick = {
        let (text, status) = (p.text.clone(), status.clone());
        Callback::from(move |_| {
            let status = status.clone();
            browser::copy(text.clone(), Callback::from(move |ok| status.set(Some(ok))));
        })
    };
    let select = Callback::from(|e: FocusEvent| {
        if let Some(el) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            el.select();
        } else if let Some(el) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
            el.select();
        }
    });
    let said = match *status {
        Some(true) => "Copied.",
        Some(false) => "The browser did not allow copying: select the text and press Ctrl+C (⌘C).",
        None => "",
    };
    html! {
        <div class="copy">
            <label>{ p.label }
                if p.multiline {
                    <textarea readonly=true rows="3" value={p.text.clone()} onfocus={select} data-testid={p.testid} />
                } else {
                    <input type="text" readonly=true value={p.text.clone()} onfocus={select} data-testid={p.testid} />
                }
            </label>
            <button {onclick}>{ p.button }</button>
            <span class="said" role="status">{ said }</span>
        </div>
    }
}

/// The share and export panel.
#[component]
pub fn Share(props: &ShareProps) -> Html {
    let m = &props.model;
    let page = browser::page();
    let fragment = m.link();
    let link = format!("{page}#{fragment}");
    let embed = embed_code(&page, &fragment, &m.scenario.title);
    let name = m.preset.unwrap_or("my-scenario");
    let saved = use_state(|| "");
    // One export: the file's extension and type, and how to make its text from the model.
    let export = |ext: &'static str, mime: &'static str, make: fn(&Model) -> Option<String>| {
        let (m, saved) = (m.clone(), saved.clone());
        Callback::from(move |_: MouseEvent| {
            let ok = make(&m).is_some_and(|text| browser::download(&format!("mailpath-{name}.{ext}"), mime, &text));
            saved.set(if ok { "Download started." } else { "The browser refused the download." });
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <section class="share" aria-labelledby="share-title">
            <button class="close" onclick={close} aria-label="Close sharing">{ "✕" }</button>
            <h2 id="share-title">{ "Share and export" }</h2>
            <CopyField label="Link to this exact view" button="Copy link" text={link} testid="share-link" />
            <CopyField label="Embed in an article" button="Copy embed code" text={embed} testid="embed-code" multiline=true />
            <p class="hint">{ "The embed shows the stage, the play controls and the Why panel. Add to its link: " }
                <code>{ "&controls=0" }</code>{ " hide controls, " }<code>{ "&autoplay" }</code>{ ", " }
                <code>{ "&lock" }</code>{ " no changes, " }<code>{ "&theme=dark" }</code>{ " or " }<code>{ "light" }</code>{ "." }</p>
            <div class="exports" role="group" aria-label="Export">
                <button onclick={export("txt", "text/plain", |m| Some(report::text(&m.scenario, &m.trace)))}>
                    { "Transcript and trace (.txt)" }</button>
                <button onclick={export("md", "text/markdown", |m| Some(report::markdown(&m.scenario, &m.trace)))}>
                    { "Report (.md)" }</button>
                <button onclick={export("svg", "image/svg+xml", |_| browser::stage_svg())}>{ "Stage picture (.svg)" }</button>
                <button onclick={export("json", "application/json", |m| Some(file::to_json(&m.scenario)))}>
                    { "Scenario file (.json)" }</button>
                <span class="said" role="status">{ *saved }</span>
            </div>
        </section>
    }
}

/// Properties of [`OpenFile`].
#[derive(Properties, PartialEq)]
pub struct OpenFileProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
}

/// Opens a scenario file (the format of `docs/scenario-format.md`). A file with problems changes nothing and
/// lists every problem with its line and column.
#[component]
pub fn OpenFile(props: &OpenFileProps) -> Html {
    let onchange = {
        let m = props.model.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            let Some(f) = input.files().and_then(|l| l.get(0)) else { return };
            // The same file can be chosen again after fixing it.
            input.set_value("");
            let name = f.name();
            if f.size() > MAX_FILE {
                m.dispatch(Action::Notes(vec![format!(
                    "{name}: {} KB is too big for a scenario file (at most 256 KB).",
                    f.size() as u64 / 1024
                )]));
                return;
            }
            let m = m.clone();
            let promise = f.text();
            yew::platform::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|v| v.as_string());
                let Some(text) = text else {
                    m.dispatch(Action::Notes(vec![format!("{name}: the file could not be read as text.")]));
                    return;
                };
                let reader = match crate::lazy::scenario_file_reader().await {
                    Ok(reader) => reader,
                    Err(e) => {
                        m.dispatch(Action::Notes(vec![format!(
                            "{name} was not opened: the file reader could not be loaded ({}). Try again.",
                            e.0
                        )]));
                        return;
                    }
                };
                match reader(&text) {
                    Ok(scenario) => {
                        m.dispatch(Action::Load(Box::new(permalink::Decoded {
                            scenario,
                            preset: None,
                            step: None,
                            ignored: Vec::new(),
                            console: None,
                            challenge: None,
                        })));
                        m.dispatch(Action::Notes(vec![format!("Opened {name}.")]));
                    }
                    Err(problems) => m.dispatch(Action::Notes(
                        std::iter::once(format!("{name} was not opened; nothing changed:"))
                            .chain(problems.iter().map(|p| format!("{name}: {p}")))
                            .collect(),
                    )),
                }
            });
        })
    };
    html! {
        <label class="open-file" title="Open a scenario file (.json)">{ "Open file…" }
            <input type="file" accept=".json,application/json" {onchange} data-testid="open-file" />
        </label>
    }
}
