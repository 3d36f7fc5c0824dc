//! The stage: the actors of the mail path drawn as SVG, the connections between them, the envelope travelling,
//! DNS questions, and the gate where a server decides. States carry a colour, an icon and a word.

use mailpath_core::named::Named;
use mailpath_core::scene::{cast, frame, Slot, State};
use mailpath_core::time::{human, offset};
use mailpath_core::{Scenario, Trace};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Stage`]: the scenario and trace are compared by identity (a new run is a new `Rc`).
#[derive(Properties)]
pub struct StageProps {
    /// The scenario.
    pub scenario: Rc<Scenario>,
    /// Its trace.
    pub trace: Rc<Trace>,
    /// The step shown; `None` for the end.
    #[prop_or_default]
    pub step: Option<usize>,
}

impl PartialEq for StageProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &other.scenario) && Rc::ptr_eq(&self.trace, &other.trace) && self.step == other.step
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "✓ yes"
    } else {
        "✗ no"
    }
}

/// Centre of a slot in the stage's 1000 × 460 coordinate space (kept in step with the CSS classes that move the
/// envelope).
pub fn position(slot: Slot) -> (i32, i32) {
    match slot {
        Slot::Client => (95, 250),
        Slot::Spammer => (95, 400),
        Slot::Submission => (290, 250),
        Slot::Dns => (480, 75),
        Slot::Relay => (500, 250),
        Slot::Mx => (710, 250),
        Slot::Mailbox => (905, 250),
        Slot::Recipient => (912, 405),
    }
}

fn box_size(slot: Slot) -> (i32, i32) {
    match slot {
        Slot::Dns => (150, 86),
        _ => (166, 96),
    }
}

/// The diagram of the mail path.
#[component]
pub fn Stage(props: &StageProps) -> Html {
    let cast = use_memo(Rc::as_ptr(&props.trace) as usize, |_| cast(&props.scenario, &props.trace));
    let step = props.step.unwrap_or(props.trace.events.len().saturating_sub(1));
    let f = frame(&cast, &props.trace, step);
    let state_of = |slot: Slot| f.states.iter().find(|(s, _)| *s == slot).map_or(State::Idle, |(_, s)| *s);
    let links = f.links.iter().map(|l| {
        let ((x1, y1), (x2, y2)) = (position(l.from), position(l.to));
        let class = classes!("link", l.state.name(), l.bounce.then_some("bounce"));
        html! { <line {class} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} /> }
    });
    let actors = cast.actors.iter().map(|a| {
        let (x, y) = position(a.slot);
        let (w, h) = box_size(a.slot);
        let st = state_of(a.slot);
        let label = format!("{}: {}. {}", a.title, a.detail, st.word());
        html! {
            <g class={classes!("actor", st.name())} data-actor={a.slot.name()} data-state={st.name()}
               transform={format!("translate({x} {y})")} role="img" aria-label={label}>
                <rect x={(-w / 2).to_string()} y={(-h / 2).to_string()} width={w.to_string()} height={h.to_string()} rx="10" />
                <text class="title" y={(-h / 2 + 20).to_string()}>{ a.title }</text>
                { for a.detail.split(" · ").take(2).enumerate().map(|(i, line)| html! {
                    <text class="detail" y={(-h / 2 + 39 + 16 * i as i32).to_string()}>{ line.to_string() }</text>
                }) }
                <text class="state" y={(h / 2 - 10).to_string()}>{ format!("{} {}", st.icon(), st.word()) }</text>
            </g>
        }
    });
    let dns = f.dns.map(|(slot, answered)| {
        let ((x1, y1), (x2, y2)) = (position(slot), position(Slot::Dns));
        let text = if answered { "answer" } else { "MX?" };
        html! {
            <g class="dns-question">
                <line x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={(y2 + 28).to_string()} />
                <text x={((x1 + x2) / 2).to_string()} y={((y1 + y2) / 2).to_string()}>{ text }</text>
            </g>
        }
    });
    let gate = f.gate.as_ref().map(|g| {
        let (x, y) = position(g.slot);
        let d = &g.decision;
        let verdict = d.verdict.badge();
        let verdict_class = d.verdict.tone().name();
        let gx = (x - 95).clamp(5, 775);
        html! {
            <g class={classes!("gate", verdict_class)} transform={format!("translate({gx} {})", y + 54)} role="group"
               aria-label={format!("Gate at this server for {}: {} by {}", d.rcpt, d.why.label(), d.rule)}>
                <rect width="212" height="118" rx="8" />
                <text x="10" y="18">{ format!("Authenticated? {}", yes_no(d.facts.authenticated)) }</text>
                <text x="10" y="35">{ format!("Trusted network? {}", yes_no(d.facts.trusted)) }</text>
                <text x="10" y="52">{ format!("Domain handled here? {}", yes_no(d.facts.domain_handled())) }</text>
                <text x="10" y="73" class="verdict">{ verdict }</text>
                <text x="10" y="90" class="why-label">{ d.why.label() }</text>
                <text x="10" y="108" class="rule" textLength={(d.rule.len() > 30).then_some("192")}
                    lengthAdjust="spacingAndGlyphs">{ d.rule.to_string() }</text>
            </g>
        }
    });
    let envelope = f.envelope.map(|slot| {
        html! {
            <g class={classes!("envelope", format!("at-{}", slot.name()), f.bounce.then_some("bounce"))} aria-hidden="true">
                <rect x="-18" y="-12" width="36" height="24" rx="3" />
                <path d="M-18 -12 L0 2 L18 -12" />
            </g>
        }
    });
    let jump = (f.jump >= 60)
        .then(|| html! { <text class="jump" x="990" y="50">{ format!("⏩ {} later", human(f.jump)) }</text> });
    html! {
        <figure class="stage">
            <svg viewBox="0 0 1000 460" role="group" aria-label="The path of the message: sender, servers, DNS, mailbox, recipient">
                <g class="network" aria-label={cast.network.clone()} role="img">
                    <rect x="4" y="160" width="182" height="190" rx="14" />
                    <text x="12" y="177">{ cast.network.clone() }</text>
                </g>
                { for links }
                { for dns }
                { for actors }
                { for gate }
                { for envelope }
                <text class="clock" x="990" y="26">{ format!("Clock {}", offset(f.clock)) }</text>
                { for jump }
            </svg>
        </figure>
    }
}
