//! Where and why: the decision at the current step in the article's terms, the outcome once it is reached,
//! who tells the sender, the mail program's error dialog, and one-click fixes that were checked by running them.

use crate::state::{Action, Model};
use mailpath_core::explain;
use mailpath_core::named::Named;
use mailpath_core::report::describe;
use mailpath_core::trace::EventKind;
use mailpath_core::world::host;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Why`].
#[derive(Properties, PartialEq)]
pub struct WhyProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
    /// The scenario is locked (an embed with `lock`): no fixes are offered.
    #[prop_or_default]
    pub locked: bool,
}

/// The Why panel.
#[component]
pub fn Why(props: &WhyProps) -> Html {
    let m = &props.model;
    let (s, t) = (&m.scenario, &m.trace);
    let reached = t.reached(m.step);
    // Each fix is checked by running it: only worth doing once the outcome is on screen.
    let fixes = use_memo(
        (Rc::as_ptr(t) as usize, reached),
        |(_, reached)| {
            if *reached {
                explain::fixes(s, t)
            } else {
                Vec::new()
            }
        },
    );
    let now = match t.events.get(m.step).map(|e| &e.kind) {
        Some(EventKind::ErrorDialog { title, .. }) => format!("{title} shows an error (below)."),
        _ => describe(s, t, m.step),
    };
    let decision = t.decision_up_to(m.step).map(|(e, d)| (d, host(e.actor, s).name));
    let dialog = t.dialog_at(m.step).and_then(|e| match &e.kind {
        EventKind::ErrorDialog { title, text, confirmed } => Some((title.clone(), text.clone(), *confirmed)),
        _ => None,
    });
    let bounce = t.bounce_up_to(m.step);
    let o = &t.outcome;
    html! {
        <section class="why" aria-labelledby="why-title">
            <h2 id="why-title">{ "Where and why" }</h2>
            <p class="now"><strong>{ "Now: " }</strong>{ now }</p>
            { for decision.map(|(d, server)| html! { <>
                <p class="decision">{ explain::decision(d, &server) }</p>
                <details class="checks">
                    <summary>{ explain::checks_heading(d) }</summary>
                    <ol>
                        { for d.checks.iter().map(|c| html! {
                            <li class={classes!("check", c.result.name())}>
                                <code>{ c.list }{ " = … " }{ c.restriction }</code>
                                { " " }<strong>{ c.result.label() }</strong>{ ": " }{ c.fact.clone() }
                            </li>
                        }) }
                    </ol>
                </details>
            </> }) }
            { for explain::rule_of_thumb(t).map(|r| html! { <p class="rule-of-thumb">{ r }</p> }) }
            if reached {
                <div class={classes!("outcome", o.ending.tone().name())} data-testid="verdict" data-ending={o.ending.name()}>
                    <p class="headline">{ format!("{}: ", o.ending.badge()) }{ o.summary.clone() }</p>
                    <p>{ explain::why(o.why) }</p>
                    { for explain::how_to_tell(o.why).map(|h| html! { <p class="tell">{ "How to tell: " }{ h }</p> }) }
                    <p class="who">{ explain::who_tells(t, s) }</p>
                </div>
            } else {
                <p class="outcome pending" data-testid="verdict" data-ending="pending">{ "Play or step on to see how it ends." }</p>
            }
            { for dialog.map(|(title, text, confirmed)| html! {
                <div class="mua-dialog" role="alertdialog" aria-label={title.clone()}>
                    <div class="bar">{ title }</div>
                    <p>{ text }</p>
                    if !confirmed { <p class="unconfirmed">{ "Wording not confirmed from a real report." }</p> }
                </div>
            }) }
            { for bounce.map(|i| {
                let m = m.clone();
                html! { <button class="read" onclick={Callback::from(move |_| m.dispatch(Action::Read(Some(i))))}>{ "Read the bounce" }</button> }
            }) }
            if reached && !props.locked && !fixes.is_empty() {
                <div class="fixes">
                    <h3>{ "What would make this pass" }</h3>
                    { for fixes.iter().enumerate().map(|(i, f)| {
                        let m = m.clone();
                        html! { <button class="fix" onclick={Callback::from(move |_| m.dispatch(Action::Fix(i)))}>{ f.label.clone() }</button> }
                    }) }
                </div>
            }
        </section>
    }
}
