//! "Hello" in Yew, marking `interactive` the way Mailpath does, so both load times are measured alike.

use yew::prelude::*;

#[component]
fn App() -> Html {
    use_effect_with((), |_| {
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let _ = p.mark("interactive");
        }
    });
    html! { <p>{ "Hello" }</p> }
}

fn main() {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark("started");
    }
    yew::Renderer::<App>::new().render();
}
