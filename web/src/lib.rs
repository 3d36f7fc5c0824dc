//! # Mailpath in the browser
//!
//! A Yew front end that only *reads* the simulation core's trace: the stage animates each hop, the panels show
//! the dialogue and explain the decisions. Every decision comes from `mailpath_core`.

pub mod app;
pub mod browser;
pub mod components;
pub mod stage;
pub mod state;
pub mod view;

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
