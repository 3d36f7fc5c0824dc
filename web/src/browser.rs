//! The browser's side of sharing, remembering, exporting and embedding. Every call here can fail in some page
//! (storage throws in a sandboxed iframe, the clipboard needs a secure context, there may be no parent window);
//! each failure is turned into `None` or `false`, never a panic.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn window() -> web_sys::Window {
    gloo::utils::window()
}

/// The link's fragment (with its `#`).
pub fn hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// The link's query (with its `?`).
pub fn query() -> String {
    window().location().search().unwrap_or_default()
}

/// The page's address without query and fragment (what a shared link starts with).
pub fn page() -> String {
    let href = window().location().href().unwrap_or_default();
    href.split(['?', '#']).next().unwrap_or_default().to_string()
}

fn storage() -> Option<web_sys::Storage> {
    // In a sandboxed iframe without allow-same-origin, even asking for localStorage throws.
    window().local_storage().ok().flatten()
}

/// A value from local storage, if storage is available and has it.
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Stores a value; false when storage is unavailable or full.
pub fn save(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// Removes a value (ignored when storage is unavailable).
pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Copies text to the clipboard; the callback learns whether it worked.
pub fn copy(text: String, done: yew::Callback<bool>) {
    let navigator = window().navigator();
    // Outside a secure context (a page served over plain http from another machine) there is no clipboard at all,
    // and calling into it would throw.
    if Reflect::get(&navigator, &"clipboard".into()).map_or(true, |c| c.is_undefined()) {
        done.emit(false);
        return;
    }
    let promise = navigator.clipboard().write_text(&text);
    yew::platform::spawn_local(async move {
        done.emit(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// Offers text as a file download; false if the browser refused.
pub fn download(name: &str, mime: &str, text: &str) -> bool {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &props) else { return false };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return false };
    let document = gloo::utils::document();
    let ok = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .map(|a| {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        })
        .is_some();
    let _ = web_sys::Url::revoke_object_url(&url);
    ok
}

/// The stage as a standalone SVG file: the drawing as shown, with the stage's style sheet and the current
/// colours written in.
pub fn stage_svg() -> Option<String> {
    let svg = gloo::utils::document().query_selector(".stage svg").ok()??;
    let drawing = web_sys::XmlSerializer::new().ok()?.serialize_to_string(&svg).ok()?;
    let sheet = include_str!("../styles/stage.css");
    let computed = window().get_computed_style(&gloo::utils::document_element()).ok()??;
    let mut vars = String::new();
    let mut rest = sheet;
    while let Some(i) = rest.find("var(--") {
        rest = &rest[i + 4..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if !vars.contains(&format!("{name}:")) {
            let value = computed.get_property_value(&name).unwrap_or_default();
            vars.push_str(&format!("{name}:{};", value.trim()));
        }
    }
    // XML serialisation (not outerHTML): entities such as &nbsp; would make the file invalid XML.
    let body = drawing.strip_prefix("<svg")?;
    let style = format!("<style><![CDATA[.stage{{{vars}font-family:system-ui,sans-serif}}\n{sheet}]]></style>");
    let body = body.replacen('>', &format!(">{style}"), 1);
    Some(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg class=\"stage\"{body}\n"))
}

/// True when the page runs inside a frame.
pub fn in_frame() -> bool {
    let w = window();
    w.parent().ok().flatten().is_some_and(|p| !Object::is(&p, &w))
}

/// Posts `{type, ...fields}` to the parent window, if there is one.
pub fn post(kind: &str, fields: &[(&str, JsValue)]) {
    if !in_frame() {
        return;
    }
    let Some(parent) = window().parent().ok().flatten() else { return };
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"type".into(), &kind.into());
    for (k, v) in fields {
        let _ = Reflect::set(&msg, &(*k).into(), v);
    }
    // The data is public (what is on screen); a sandboxed frame's origin is opaque, so "*" is the only target.
    let _ = parent.post_message(&msg, "*");
}

/// Reads a message event from the parent window into a [`crate::view::HostMessage`]; `None` for messages from
/// anywhere else or with data that is not an object.
pub fn host_message(e: &web_sys::MessageEvent) -> Option<crate::view::HostMessage> {
    let parent = window().parent().ok().flatten()?;
    let source = e.source()?;
    if !Object::is(&source, &parent) {
        return None;
    }
    let data = e.data();
    if !data.is_object() {
        return None;
    }
    let text = |k: &str| Reflect::get(&data, &k.into()).ok().and_then(|v| v.as_string());
    Some(crate::view::HostMessage {
        kind: text("type"),
        preset: text("preset"),
        link: text("link"),
        step: Reflect::get(&data, &"step".into()).ok().and_then(|v| v.as_f64()),
    })
}

/// The page's content height in CSS pixels.
pub fn content_height() -> i32 {
    gloo::utils::body().scroll_height()
}

/// Puts a class list on the root element (theme and presentation mode live there, so the page background
/// follows them).
pub fn set_root_class(class: &str) {
    let root = gloo::utils::document_element();
    if root.class_name() != class {
        root.set_class_name(class);
    }
}
