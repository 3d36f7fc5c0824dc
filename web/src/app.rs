//! The application shell.

use crate::components::stage::Stage;
use mailpath_core::{run, Scenario};
use std::rc::Rc;
use yew::prelude::*;

/// The whole page.
#[component]
pub fn App() -> Html {
    let scenario = use_memo((), |_| Scenario::default());
    let trace = use_memo((), |_| Rc::new(run(&scenario)));
    html! {
        <main class="app">
            <header class="top"><h1>{ "Mailpath" }</h1><p>{ "The path an email takes, and where and why relaying is denied." }</p></header>
            <Stage trace={(*trace).clone()} scenario={Rc::new((*scenario).clone())} />
            <p data-testid="verdict" class="verdict">{ trace.outcome.summary.clone() }</p>
        </main>
    }
}
