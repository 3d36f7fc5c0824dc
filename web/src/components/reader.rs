//! The message reader: a modal dialog (the page behind is inert, Escape closes it, focus goes back to the button
//! that opened it), with the line that matters marked.

use crate::state::{Action, Model};
use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Properties of [`OpenMessage`].
#[derive(Properties, PartialEq)]
pub struct OpenProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
    /// Which message of the trace to show.
    pub message: usize,
}

/// A message of the trace in the reader, the refusing server's words marked (this loads with the reader, when a
/// message is first opened).
#[function_component]
pub fn OpenMessage(props: &OpenProps) -> Html {
    let m = &props.model;
    let Some(msg) = m.trace.messages.get(props.message) else { return html! {} };
    let text = msg.text();
    let mark = mailpath_core::explain::bounce_key(&m.trace, props.message, &text);
    let close = {
        let m = m.clone();
        Callback::from(move |_| m.dispatch(Action::Read(None)))
    };
    html! { <Reader text={AttrValue::from(text)} {mark} on_close={close} message={props.message} /> }
}

/// Properties of [`Reader`].
#[derive(Properties, PartialEq)]
pub struct ReaderProps {
    /// The whole message, as text.
    pub text: AttrValue,
    /// The byte range of the line that matters (the refusing server's words in a bounce), if any.
    #[prop_or_default]
    pub mark: Option<(usize, usize)>,
    /// Called once the dialog has closed.
    pub on_close: Callback<()>,
    /// Which message of the trace it shows (the buttons that open it carry it as `data-reads`).
    pub message: usize,
}

fn focus_opener(opener: Option<web_sys::HtmlElement>, message: usize) {
    // The page may have been redrawn before the dialog opened (then the active element was the body).
    let words = opener.as_ref().and_then(|o| o.text_content()).filter(|w| w.len() < 200);
    let target = opener.filter(|o| o.is_connected() && o.tag_name() == "BUTTON").or_else(|| {
        let all = gloo::utils::document().query_selector_all(&format!("button[data-reads=\"{message}\"]")).ok()?;
        let found: Vec<web_sys::HtmlElement> =
            (0..all.length()).filter_map(|i| all.item(i)).filter_map(|n| n.dyn_into().ok()).collect();
        found.iter().find(|b| b.text_content() == words).or(found.first()).cloned()
    });
    if let Some(el) = target {
        let _ = el.focus();
    }
}

/// The message reader.
#[function_component]
pub fn Reader(props: &ReaderProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        let on_close = props.on_close.clone();
        let message = props.message;
        use_effect_with((), move |_| {
            // The button that opened it gets focus back when it closes: the same element if it is still there,
            // else the button with the same words that opens this message (the panel may have been redrawn).
            let opener =
                gloo::utils::document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            let listener = node.cast::<web_sys::HtmlDialogElement>().map(|d| {
                let _ = d.show_modal();
                EventListener::new(&d, "close", move |_| {
                    on_close.emit(());
                    let opener = opener.clone();
                    gloo::timers::callback::Timeout::new(0, move || focus_opener(opener, message)).forget();
                })
            });
            move || drop(listener)
        });
    }
    let text = props.text.as_str();
    let body = match props
        .mark
        .filter(|&(a, b)| a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b))
    {
        Some((a, b)) => html! { <>{ &text[..a] }<mark data-testid="key-line">{ &text[a..b] }</mark>{ &text[b..] }</> },
        None => html! { { text } },
    };
    html! {
        <dialog ref={node} class="reader" aria-label="Message">
            <form method="dialog"><button class="close" aria-label="Close">{ "✕ Close" }</button></form>
            <pre>{ body }</pre>
        </dialog>
    }
}
