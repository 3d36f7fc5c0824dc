//! Component tests in headless Chromium: render real components into the page, act on them, check the DOM.
#![cfg(target_arch = "wasm32")]

use mailpath_core::{presets, run};
use mailpath_web::components::controls::Controls;
use mailpath_web::components::panels::Transcript;
use mailpath_web::components::stage::{Stage, StageProps};
use mailpath_web::state::Model;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlSelectElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container appended to the body (the runner's own #output is hidden).
fn container() -> Element {
    let doc = gloo_utils::document();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

async fn settle() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).text_content().unwrap_or_default()
}

fn stage(slug: &str, step: Option<usize>) -> Element {
    let s = presets::get(slug).unwrap().scenario();
    let trace = Rc::new(run(&s));
    let step = step.map(|f| f.min(trace.events.len() - 1));
    let root = container();
    yew::Renderer::<Stage>::with_root_and_props(root.clone(), StageProps { scenario: Rc::new(s), trace, step })
        .render();
    root
}

#[wasm_bindgen_test]
async fn stage_draws_the_actors_of_the_happy_path() {
    let root = stage("happy-path", None);
    settle().await;
    let actors = root.query_selector_all("[data-actor]").unwrap();
    let names: Vec<String> = (0..actors.length())
        .map(|i| actors.item(i).unwrap().dyn_into::<Element>().unwrap().get_attribute("data-actor").unwrap())
        .collect();
    assert_eq!(names, ["client", "submission", "dns", "mx", "mailbox", "recipient"]);
    let mx = root.query_selector("[data-actor=mx]").unwrap().unwrap();
    assert_eq!(mx.get_attribute("data-state").as_deref(), Some("ok"));
    assert!(mx.text_content().unwrap().contains("mx1.corp-b.example"));
}

#[wasm_bindgen_test]
async fn the_gate_shows_the_checklist_and_the_rule_at_the_refusal() {
    let s = presets::get("outlook-express").unwrap().scenario();
    let decided = run(&s).outcome.event;
    let root = stage("outlook-express", Some(decided));
    settle().await;
    let sub = root.query_selector("[data-actor=submission]").unwrap().unwrap();
    assert_eq!(sub.get_attribute("data-state").as_deref(), Some("denied"));
    assert!(sub.text_content().unwrap().contains("Refused"), "a word, not only a colour");
    let gate = text(&root, ".gate");
    for part in [
        "Authenticated? ✗ no",
        "Trusted network? ✗ no",
        "Domain handled here? ✗ no",
        "✗ Refused",
        "Relaying denied",
        "Basic_check_rcpt",
    ] {
        assert!(gate.contains(part), "{part} in {gate}");
    }
    let before = stage("outlook-express", Some(2));
    settle().await;
    assert!(before.query_selector(".gate").unwrap().is_none(), "no gate before the decision");
}

#[derive(Properties, PartialEq)]
struct HostProps {
    slug: &'static str,
    step: usize,
    controls: bool,
}

/// Owns a model like the app does, and shows the outcome for the test to read.
#[component]
fn Host(props: &HostProps) -> Html {
    let p = presets::get(props.slug).unwrap();
    let step = props.step;
    let model = use_reducer(move || {
        let mut m = Model::new(p.scenario(), Some(p.slug));
        m.step = step.min(m.last());
        m
    });
    html! {
        <div>
            <p id="ending">{ model.trace.outcome.ending.to_string() }</p>
            <p id="step">{ model.step }</p>
            if props.controls { <Controls model={model.clone()} /> } else { <Transcript model={model.clone()} /> }
        </div>
    }
}

#[wasm_bindgen_test]
async fn the_transcript_grows_with_the_step_and_jumps_on_click() {
    let root = container();
    yew::Renderer::<Host>::with_root_and_props(
        root.clone(),
        HostProps { slug: "outlook-express", step: 3, controls: false },
    )
    .render();
    settle().await;
    let lines = root.query_selector_all(".lines li").unwrap();
    assert!(lines.length() >= 3, "lines up to the step");
    let current = text(&root, ".lines li.current");
    assert!(current.starts_with("S: 250"), "the current line is highlighted: {current}");
    let all = text(&root, ".lines");
    assert!(!all.contains("Relaying denied"), "nothing from the future");
    let first: HtmlElement = root.query_selector(".lines li").unwrap().unwrap().dyn_into().unwrap();
    let code_title = first.get_attribute("title").unwrap_or_default();
    assert!(code_title.starts_with("220:"), "reply codes explain themselves: {code_title}");
    first.click();
    settle().await;
    assert_eq!(text(&root, "#step"), "1", "clicking the greeting jumps to its event");
}

#[wasm_bindgen_test]
async fn turning_on_authentication_in_the_controls_delivers_the_mail() {
    let root = container();
    yew::Renderer::<Host>::with_root_and_props(
        root.clone(),
        HostProps { slug: "outlook-express", step: 0, controls: true },
    )
    .render();
    settle().await;
    assert_eq!(text(&root, "#ending"), "refused");
    let select: HtmlSelectElement = root.query_selector("#f-client-auth").unwrap().unwrap().dyn_into().unwrap();
    select.set_value("right");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
    settle().await;
    assert_eq!(text(&root, "#ending"), "delivered");
    // A closed section's controls are not built; opening it (however it is opened) builds them.
    let closed = root.query_selector_all("details:not([open]) .control").unwrap().length();
    assert_eq!(closed, 0, "closed sections hold no controls");
    let shown = root.query_selector_all(".control").unwrap().length();
    for _ in 0..3 {
        let sections = root.query_selector_all("details:not([open])").unwrap();
        for i in 0..sections.length() {
            sections.item(i).unwrap().dyn_into::<web_sys::HtmlDetailsElement>().unwrap().set_open(true);
        }
        settle().await;
    }
    assert_eq!(root.query_selector_all("details:not([open])").unwrap().length(), 0);
    let all = root.query_selector_all(".control").unwrap().length();
    assert_eq!(
        all as usize,
        mailpath_core::fields::all().len(),
        "every setting has its control once all sections are open"
    );
    assert!(shown < all, "fewer controls before the sections open ({shown} of {all})");
    let hints = root.query_selector_all(".control .hint").unwrap().length();
    assert_eq!(hints, all, "every control has a hint");
}

#[wasm_bindgen_test]
fn the_panic_banner_offers_a_reset_and_shows_the_text_as_text() {
    let hostile = "panicked at web/src/x.rs:1:1: <img src=x onerror=\"window.__xss=1\">";
    mailpath_web::panic_banner(hostile);
    let doc = gloo_utils::document();
    let banner = doc.query_selector(".panic-banner").unwrap().expect("banner");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    let link = banner.query_selector("a").unwrap().expect("reset link");
    assert_eq!(link.get_attribute("href").as_deref(), Some("?reset"));
    assert_eq!(text(&banner, "pre"), hostile);
    assert!(banner.query_selector("img").unwrap().is_none(), "the text never becomes markup");
    banner.remove();
}
