//! Where and why: the decision at the current step in the article's terms, the outcome once it is reached,
//! who tells the sender, the mail program's error dialog, and one-click fixes that were checked by running them.

use crate::lazy;
use crate::state::{Action, Model};
use mailpath_core::explain;
use mailpath_core::named::Named;
use mailpath_core::report::{self, describe};
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
    /// How the reader moves on when the ending is not reached yet (an embed without controls has no Play button).
    #[prop_or(Pending::Controls)]
    pub pending: Pending,
}

/// What the Why panel says before the ending, by the way the reader moves on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pending {
    /// The playback buttons are there.
    Controls,
    /// No buttons; it plays by itself.
    Autoplay,
    /// No buttons; only the keyboard (or the host page) steps it.
    Keys,
}

impl Pending {
    fn text(self) -> &'static str {
        match self {
            Pending::Controls => "Play or step on to see how it ends.",
            Pending::Autoplay => "It plays on by itself; the ending shows here.",
            Pending::Keys => "Press → to step on; the ending shows here.",
        }
    }
}

/// Properties of [`Fixes`].
#[derive(Properties, PartialEq)]
pub struct FixesProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
}

/// What would make this pass: each fix was checked by running it (only worth doing once the outcome is on
/// screen, so this list and the search behind it load then).
#[component]
pub fn Fixes(props: &FixesProps) -> Html {
    let m = &props.model;
    let fixes = use_memo(Rc::as_ptr(&m.trace) as usize, |_| explain::fixes(&m.scenario, &m.trace));
    if fixes.is_empty() {
        return html! {};
    }
    html! {
        <div class="fixes">
            <h3>{ "What would make this pass" }</h3>
            { for fixes.iter().map(|f| {
                let m = m.clone();
                let fixed = explain::apply(&m.scenario, f);
                html! { <button class="fix" onclick={Callback::from(move |_| m.dispatch(Action::Fix(Box::new(fixed.clone()))))}>{ f.label.clone() }</button> }
            }) }
        </div>
    }
}

/// Properties of [`Checks`].
#[derive(Properties, PartialEq)]
pub struct ChecksProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
}

/// What the server checked for the decision on screen, one restriction per line, with the fact it looked at.
#[component]
pub fn Checks(props: &ChecksProps) -> Html {
    let m = &props.model;
    let Some(event) = m.trace.decision_event_up_to(m.step) else { return html! {} };
    let EventKind::Decision(d) = &m.trace.events[event].kind else { return html! {} };
    let facts = explain::check_facts(&m.scenario, &m.trace, event);
    html! {
        <ol>
            { for d.checks.iter().zip(facts).map(|(c, fact)| html! {
                <li class={classes!("check", c.result.name())}>
                    <code>{ c.list }{ " = … " }{ c.restriction.postfix_name() }</code>
                    { " " }<strong>{ c.result.label() }</strong>{ ": " }{ fact }
                </li>
            }) }
        </ol>
    }
}

/// Properties of [`Outcome`].
#[derive(Properties, PartialEq)]
pub struct OutcomeProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
}

/// Why it ended so, how to tell, and who tells the sender (shown once the outcome is reached, so its words load
/// then).
#[component]
pub fn Outcome(props: &OutcomeProps) -> Html {
    let m = &props.model;
    let (s, t) = (&m.scenario, &m.trace);
    let o = &t.outcome;
    html! {
        <>
            <p>{ explain::why(o.why) }</p>
            { for explain::how_to_tell(o.why).map(|h| html! { <p class="tell">{ "How to tell: " }{ h }</p> }) }
            <p class="who">{ explain::who_tells(t, s) }</p>
        </>
    }
}

/// The Why panel.
#[component]
pub fn Why(props: &WhyProps) -> Html {
    let m = &props.model;
    let (s, t) = (&m.scenario, &m.trace);
    let reached = t.reached(m.step);
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
    html! {
        <section class="why" aria-labelledby="why-title">
            <h2 id="why-title">{ "Where and why" }</h2>
            <p class="now"><strong>{ "Now: " }</strong>{ now }
                if report::unconfirmed(t, m.step) && !matches!(t.events.get(m.step).map(|e| &e.kind), Some(EventKind::ErrorDialog { .. })) {
                    <span class="unconfirmed-note">{ "wording not confirmed by a source" }</span>
                }
            </p>
            { for decision.map(|(d, server)| html! { <>
                <p class="decision">{ explain::decision(d, &server) }</p>
                <details class="checks">
                    <summary>{ explain::checks_heading(d) }</summary>
                    { lazy::show(lazy::CHECKS, ChecksProps { model: m.clone() }, "the checks") }
                </details>
            </> }) }
            { for explain::rule_of_thumb(t).map(|r| html! { <p class="rule-of-thumb">{ r }</p> }) }
            if reached {
                <div class={classes!("outcome", t.outcome.ending.tone().name())} data-testid="verdict" data-ending={t.outcome.ending.name()}>
                    <p class="headline">{ explain::headline(t) }</p>
                    { lazy::show(lazy::OUTCOME, OutcomeProps { model: m.clone() }, "the explanation") }
                </div>
            } else {
                <p class="outcome pending" data-testid="verdict" data-ending="pending">{ props.pending.text() }</p>
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
                html! { <button class="read" data-reads={i.to_string()} onclick={Callback::from(move |_| m.dispatch(Action::Read(Some(i))))}>{ "Read the bounce" }</button> }
            }) }
            if reached && !props.locked {
                { lazy::show(lazy::FIXES, FixesProps { model: m.clone() }, "the fixes") }
            }
        </section>
    }
}
