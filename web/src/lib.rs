//! # Mailpath in the browser
//!
//! A Yew front end that only *reads* the simulation core's trace: the stage animates each hop, the panels show
//! the dialogue and explain the decisions. Every decision comes from `mailpath_core`.

pub mod app;
pub mod browser;
pub mod components;
pub mod lazy;
pub mod qr;
pub mod state;
pub mod view;

/// Mounts the app on the page's body, with a panic hook that leaves a way out instead of a dead page.
pub fn start() {
    // `cargo xtask bench` splits load time here: fetching and compiling before this mark, the first render after.
    if let Some(p) = gloo::utils::window().performance() {
        let _ = p.mark("started");
    }
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        panic_banner(&info.to_string());
    }));
    yew::Renderer::<app::App>::new().render();
}

/// Shows the error banner: what happened, a link that resets to the default scenario (a real navigation, as the
/// app itself can no longer run: `?reset` also forgets the remembered scenario), and the panic text for a bug report. Built with DOM calls and text nodes only,
/// so the text can never become markup.
pub fn panic_banner(text: &str) {
    let document = gloo::utils::document();
    let Ok(banner) = document.create_element("div") else { return };
    banner.set_class_name("panic-banner");
    let _ = banner.set_attribute("role", "alert");
    let add = |parent: &web_sys::Element, tag: &str, text: &str| {
        let el = document.create_element(tag).ok()?;
        el.set_text_content(Some(text));
        parent.append_child(&el).ok()?;
        Some(el)
    };
    add(&banner, "strong", "Mailpath stopped because of a bug. ");
    let query = browser::query();
    let embed = view::ViewOptions::parse(&query).embed;
    if let Some(link) = add(&banner, "a", "Reset to the default scenario") {
        let _ = link.set_attribute("href", if embed { "?embed&reset" } else { "?reset" });
    }
    if let Some(details) = add(&banner, "details", "") {
        add(&details, "summary", "Details for a bug report");
        add(&details, "pre", text);
    }
    if let Some(body) = document.body() {
        let _ = body.insert_before(&banner, body.first_child().as_ref());
    }
}
