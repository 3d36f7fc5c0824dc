//! The side panels: the SMTP transcript, the message as it grows, the timeline of every event, and the what-if
//! table. Each reads the trace; clicking a line or an event jumps there.

use crate::components::console::ConsoleProps;
use crate::lazy;
use crate::state::{Action, Model, Tab};
use mailpath_core::codes;
use mailpath_core::named::Named;
use mailpath_core::report::{self, describe};
use mailpath_core::time::offset;
use mailpath_core::trace::{Category, Side};
use mailpath_core::whatif;
use mailpath_core::world::host;
use yew::prelude::*;

/// Properties of the panels.
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
}

fn go(m: &UseReducerHandle<Model>, i: usize) -> Callback<MouseEvent> {
    let m = m.clone();
    Callback::from(move |_| m.dispatch(Action::Go(i)))
}

/// The tabs and the open panel.
#[component]
pub fn Panels(props: &PanelProps) -> Html {
    let m = &props.model;
    let tabs = [
        (Tab::Transcript, "Transcript"),
        (Tab::Message, "Message"),
        (Tab::Timeline, "Timeline"),
        (Tab::WhatIf, "What if"),
        (Tab::Console, "Console"),
        (Tab::Bounce, "Your bounce"),
    ];
    html! {
        <section class="panels">
            <div class="tabs" role="tablist" aria-label="Panels">
                { for tabs.iter().map(|(t, name)| {
                    let d = m.clone();
                    let t = *t;
                    html! {
                        <button role="tab" data-tab={name.to_ascii_lowercase().replace(' ', "-")} aria-selected={(m.tab == t).to_string()} class={classes!((m.tab == t).then_some("on"))}
                            onclick={Callback::from(move |_| d.dispatch(if t == Tab::Console { Action::ConsoleOpen } else { Action::Tab(t) }))}>{ *name }</button>
                    }
                }) }
            </div>
            <div class="panel" role="tabpanel">
                { match m.tab {
                    Tab::Transcript => html! { <Transcript model={m.clone()} /> },
                    Tab::Message => html! { { lazy::show(lazy::MESSAGE, PanelProps { model: m.clone() }, "the message panel") } },
                    Tab::Timeline => html! { { lazy::show(lazy::TIMELINE, PanelProps { model: m.clone() }, "the timeline") } },
                    Tab::WhatIf => html! { { lazy::show(lazy::WHATIF, PanelProps { model: m.clone() }, "the what-if grid") } },
                    Tab::Console => html! { { lazy::show(lazy::CONSOLE, ConsoleProps { model: m.clone(), locked: false }, "the console") } },
                    Tab::Bounce => html! { { lazy::show(lazy::BOUNCE, PanelProps { model: m.clone() }, "the bounce reader") } },
                } }
            </div>
        </section>
    }
}

/// The SMTP dialogue of one connection, up to the current step, current line highlighted.
#[component]
pub fn Transcript(props: &PanelProps) -> Html {
    let m = &props.model;
    let t = &m.trace;
    let chosen = use_state(|| None::<usize>);
    let current = t.current_hop(m.step);
    let hop = chosen.filter(|h| *h < t.hops.len()).unwrap_or(current);
    let name = |h| host(h, &m.scenario).name;
    let lines = t.transcript(hop);
    html! {
        <div class="transcript">
            <div class="hops" role="group" aria-label="Connections">
                { for t.hops.iter().enumerate().filter(|(_, h)| h.first_event <= m.step).map(|(i, h)| {
                    let c = chosen.clone();
                    html! {
                        <button class={classes!((i == hop).then_some("on"))} aria-pressed={(i == hop).to_string()}
                            onclick={Callback::from(move |_| c.set(Some(i)))}>
                            { format!("{}. {} → {} :{}", i + 1, name(h.from), name(h.to), h.port) }
                        </button>
                    }
                }) }
            </div>
            <ol class="lines" aria-label="Transcript">
                { for lines.iter().filter(|l| l.event <= m.step).map(|l| {
                    let title = l.code.map(|code| match l.status {
                        Some(s) => format!("{} {}", codes::reply_code(code), codes::status(s)),
                        None => codes::reply_code(code).to_string(),
                    });
                    let who = match l.side { Side::Client => "client", Side::Server => "server", Side::Note => "note" };
                    let e = l.event;
                    html! {
                        <li class={classes!(who, (e == m.step).then_some("current"))} title={title}
                            onclick={go(m, e)} aria-current={(e == m.step).then_some("step")}>{ l.render() }</li>
                    }
                }) }
            </ol>
        </div>
    }
}

/// The message as the latest server holds it, and any bounce in full.
#[component]
pub fn Message(props: &PanelProps) -> Html {
    let m = &props.model;
    let t = &m.trace;
    let copy = t.copy_at(m.step);
    let reports = t.reports_up_to(m.step);
    html! {
        <div class="message">
            { for copy.map(|c| html! {
                <>
                <p class="where">{ format!("As {} has it:", host(c.at, &m.scenario).name) }</p>
                <pre class="headers">{ for c.headers.iter().enumerate().map(|(i, (n, v))| html! {
                    <span class={classes!((i < c.added).then_some("new"))}>{ format!("{n}: {v}\n") }</span>
                }) }</pre>
                </>
            }) }
            { for reports.into_iter().map(|i| {
                let d = m.clone();
                let subject = t.messages[i].header("Subject").unwrap_or("report").to_string();
                html! { <button class="read" data-reads={i.to_string()} onclick={Callback::from(move |_| d.dispatch(Action::Read(Some(i))))}>{ format!("Open: {subject}") }</button> }
            }) }
        </div>
    }
}

/// Every event, filterable, each a link to its step.
#[component]
pub fn Timeline(props: &PanelProps) -> Html {
    let m = &props.model;
    let filter = use_state(|| 0usize);
    let keep = |c: Category| *filter == 0 || Category::ALL.get(*filter - 1) == Some(&c);
    let f = filter.clone();
    let onchange = Callback::from(move |e: Event| {
        f.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0));
    });
    let t = &m.trace;
    html! {
        <div class="timeline">
            <label>{ "Show " }
                <select {onchange}>
                    <option value="0" selected={*filter == 0}>{ "Everything" }</option>
                    { for Category::ALL.iter().enumerate().map(|(i, c)| html! { <option value={(i + 1).to_string()} selected={i + 1 == *filter}>{ c.label() }</option> }) }
                </select>
            </label>
            <ol>
                { for t.events.iter().enumerate().filter(|(_, e)| keep(e.kind.category())).map(|(i, e)| {
                    let text = describe(&m.scenario, t, i);
                    html! {
                        <li class={classes!((i == m.step).then_some("current"), (i > m.step).then_some("later"))}>
                            <button onclick={go(m, i)} aria-current={(i == m.step).then_some("step")}>
                                <span class="t">{ offset(e.t) }</span><span class="words">{ text }</span>
                                if report::unconfirmed(t, i) { <span class="unconfirmed-note">{ "wording not confirmed by a source" }</span> }
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}

/// The outcome for every combination of authentication, port, network and recipient, for the current provider
/// settings; computed only while this panel is open.
#[component]
pub fn WhatIf(props: &PanelProps) -> Html {
    let m = &props.model;
    let grid = use_memo(whatif::key(&m.scenario), whatif::grid);
    let current = grid.current(&m.scenario);
    html! {
        <div class="whatif">
            <p class="hint">{ "Each cell is a real run of the simulation with the provider's settings as they are now. Click one to load it." }</p>
            <table>
                <thead>
                    <tr><th scope="col">{ "Auth · port" }</th>
                    { for grid.columns.iter().map(|c| html! { <th scope="col">{ c.clone() }</th> }) }</tr>
                </thead>
                <tbody>
                    { for grid.rows.iter().enumerate().map(|(ri, row)| html! {
                        <tr>
                            <th scope="row">{ row.label.clone() }</th>
                            { for row.cells.iter().enumerate().map(|(ci, cell)| {
                                let here = current == Some((ri, ci));
                                let d = m.clone();
                                let choice = cell.choice.clone();
                                html! {
                                    <td class={classes!(cell.ending.tone().name(), here.then_some("current"))}>
                                        <button aria-current={here.then_some("true")} title={cell.reply.as_ref().map(|r| r.first_line())}
                                            onclick={Callback::from(move |_| {
                                            let scenario = whatif::variant(&d.scenario, &choice);
                                            d.dispatch(Action::Load(Box::new(mailpath_core::permalink::Decoded {
                                                scenario, preset: d.preset, step: None, ignored: Vec::new(), console: None, challenge: None,
                                            })))
                                        })}>{ cell.ending.badge() }</button>
                                    </td>
                                }
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
