//! The side panels: the SMTP transcript, the message as it grows, the timeline of every event, and the what-if
//! table. Each reads the trace; clicking a line or an event jumps there.

use crate::state::{Action, Model, Tab};
use mailpath_core::codes;
use mailpath_core::report::describe;
use mailpath_core::time::offset;
use mailpath_core::trace::{Ending, EventKind};
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
    ];
    html! {
        <section class="panels">
            <div class="tabs" role="tablist" aria-label="Panels">
                { for tabs.iter().map(|(t, name)| {
                    let d = m.clone();
                    let t = *t;
                    html! {
                        <button role="tab" aria-selected={(m.tab == t).to_string()} class={classes!((m.tab == t).then_some("on"))}
                            onclick={Callback::from(move |_| d.dispatch(Action::Tab(t)))}>{ *name }</button>
                    }
                }) }
            </div>
            <div class="panel" role="tabpanel">
                { match m.tab {
                    Tab::Transcript => html! { <Transcript model={m.clone()} /> },
                    Tab::Message => html! { <Message model={m.clone()} /> },
                    Tab::Timeline => html! { <Timeline model={m.clone()} /> },
                    Tab::WhatIf => html! { <WhatIf model={m.clone()} /> },
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
    let current =
        t.events[..=m.step.min(t.events.len().saturating_sub(1))].iter().rev().find_map(|e| e.hop).unwrap_or(0);
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
                { for lines.iter().filter(|(e, _)| *e <= m.step).map(|(e, line)| {
                    let title = line.strip_prefix("S: ").and_then(|l| l.get(..3)).and_then(|c| c.parse::<u16>().ok()).map(|code| {
                        let status = line.get(7..).and_then(|r| r.split(' ').next()).and_then(mailpath_core::reply::Status::parse);
                        match status {
                            Some(s) => format!("{} {}", codes::reply_code(code), codes::status(s)),
                            None => codes::reply_code(code).to_string(),
                        }
                    });
                    let who = if line.starts_with("C:") { "client" } else if line.starts_with("S:") { "server" } else { "note" };
                    html! {
                        <li class={classes!(who, (*e == m.step).then_some("current"))} title={title}
                            onclick={go(m, *e)} aria-current={(*e == m.step).then_some("step")}>{ line.clone() }</li>
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
    let copy = t
        .messages
        .iter()
        .rev()
        .find(|c| !c.is_report && c.event <= m.step)
        .or_else(|| t.messages.iter().find(|c| !c.is_report));
    let reports: Vec<usize> =
        (0..t.messages.len()).filter(|i| t.messages[*i].is_report && t.messages[*i].event <= m.step).collect();
    html! {
        <div class="message">
            { for copy.map(|c| html! {
                <>
                <p class="where">{ format!("As {} has it:", host(c.at, &m.scenario).name) }</p>
                <pre class="headers">{ for c.headers.iter().enumerate().map(|(i, (n, v))| html! {
                    <span class={classes!((i == 0 && (*n == "Received" || *n == "Return-Path")).then_some("new"))}>{ format!("{n}: {v}\n") }</span>
                }) }</pre>
                </>
            }) }
            { for reports.into_iter().map(|i| {
                let d = m.clone();
                let subject = t.messages[i].header("Subject").unwrap_or("report").to_string();
                html! { <button class="read" onclick={Callback::from(move |_| d.dispatch(Action::Read(Some(i))))}>{ format!("Open: {subject}") }</button> }
            }) }
        </div>
    }
}

/// Every event, filterable, each a link to its step.
#[component]
pub fn Timeline(props: &PanelProps) -> Html {
    let m = &props.model;
    let filter = use_state(|| 0usize);
    let kinds = ["Everything", "Decisions and replies", "DNS", "Queues, retries and bounces", "Deliveries"];
    let keep = |k: &EventKind| match *filter {
        1 => matches!(k, EventKind::Decision(_) | EventKind::Reply(_) | EventKind::ErrorDialog { .. }),
        2 => matches!(k, EventKind::DnsQuery { .. } | EventKind::DnsAnswer { .. }),
        3 => matches!(
            k,
            EventKind::Queued { .. }
                | EventKind::Deferred { .. }
                | EventKind::RetryFailed { .. }
                | EventKind::NextMx { .. }
                | EventKind::Bounced { .. }
                | EventKind::DelayWarning { .. }
                | EventKind::BounceDropped { .. }
        ),
        4 => matches!(k, EventKind::Delivered { .. } | EventKind::Fetched { .. }),
        _ => true,
    };
    let f = filter.clone();
    let onchange = Callback::from(move |e: Event| {
        f.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0));
    });
    let t = &m.trace;
    html! {
        <div class="timeline">
            <label>{ "Show " }
                <select {onchange}>{ for kinds.iter().enumerate().map(|(i, k)| html! { <option value={i.to_string()} selected={i == *filter}>{ *k }</option> }) }</select>
            </label>
            <ol>
                { for t.events.iter().enumerate().filter(|(_, e)| keep(&e.kind)).map(|(i, e)| {
                    let text = describe(&m.scenario, t, i);
                    let text = if text.is_empty() { "(connection closed)".to_string() } else { text };
                    html! {
                        <li class={classes!((i == m.step).then_some("current"), (i > m.step).then_some("later"))}>
                            <button onclick={go(m, i)} aria-current={(i == m.step).then_some("step")}>
                                <span class="t">{ offset(e.t) }</span>{ text }
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
    // Every cell sets all six axes, so the table depends only on the scenario with its axes set to one fixed
    // choice: changing authentication, network, port or recipient keeps the table, anything else recomputes it.
    let current = whatif::current(&m.scenario);
    let keep = current.as_ref().map_or([0u8; 2], |c| [c[4], c[5]]);
    let base = whatif::variant(&m.scenario, &[0, 0, 0, 0, keep[0], keep[1]]);
    let (auth, place, port, to) = (whatif::AXES[0].1, whatif::AXES[1].1, whatif::AXES[2].1, whatif::AXES[3].1);
    let table = use_memo(base, |s| {
        let mut rows = Vec::new();
        for a in 0..auth.len() as u8 {
            for p in 0..port.len() as u8 {
                let cells: Vec<(Vec<u8>, Ending)> = (0..place.len() as u8)
                    .flat_map(|pl| (0..to.len() as u8).map(move |r| (pl, r)))
                    .map(|(pl, r)| {
                        let choice = vec![a, pl, p, r, keep[0], keep[1]];
                        let ending = mailpath_core::run(&whatif::variant(s, &choice)).outcome.ending;
                        (choice, ending)
                    })
                    .collect();
                rows.push(cells);
            }
        }
        rows
    });
    let short = |e: Ending| match e {
        Ending::Delivered => ("ok", "✓ Delivered"),
        Ending::Refused => ("denied", "✗ Refused"),
        Ending::NoConnection => ("denied", "✗ No connection"),
        Ending::Bounced => ("denied", "↩ Bounced"),
        Ending::Partial => ("deferred", "◐ Partly"),
        Ending::Probed => ("deferred", "? Probe"),
    };
    html! {
        <div class="whatif">
            <p class="hint">{ "Each cell is a real run of the simulation with the provider's settings as they are now. Click one to load it." }</p>
            <table>
                <thead>
                    <tr><th scope="col">{ "Auth · port" }</th>
                    { for place.iter().flat_map(|pl| to.iter().map(move |r| html! {
                        <th scope="col">{ format!("{pl} → {}", r.split('@').nth(1).unwrap_or(r)) }</th>
                    })) }</tr>
                </thead>
                <tbody>
                    { for table.iter().enumerate().map(|(ri, cells)| {
                        let (a, p) = (ri / port.len(), ri % port.len());
                        html! {
                            <tr>
                                <th scope="row">{ format!("{} · {}", auth[a], port[p]) }</th>
                                { for cells.iter().map(|(choice, ending)| {
                                    let (class, text) = short(*ending);
                                    let here = current.as_deref() == Some(choice.as_slice());
                                    let d = m.clone();
                                    let choice = choice.clone();
                                    html! {
                                        <td class={classes!(class, here.then_some("current"))}>
                                            <button aria-current={here.then_some("true")} onclick={Callback::from(move |_| {
                                                let scenario = whatif::variant(&d.scenario, &choice);
                                                d.dispatch(Action::Load(Box::new(mailpath_core::permalink::Decoded {
                                                    scenario, preset: d.preset, step: None, ignored: Vec::new(),
                                                })))
                                            })}>{ text }</button>
                                        </td>
                                    }
                                }) }
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}
