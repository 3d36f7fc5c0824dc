//! Component tests in headless Chromium: render real components into the page and check the DOM.
#![cfg(target_arch = "wasm32")]

use mailpath_core::{presets, run};
use mailpath_web::components::stage::{Stage, StageProps};
use std::rc::Rc;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container appended to the body (the runner's own #output is hidden).
fn container() -> Element {
    let doc = gloo_utils::document();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

async fn settle() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

#[wasm_bindgen_test]
async fn stage_draws_the_actors_of_the_happy_path() {
    let s = presets::get("happy-path").unwrap().scenario();
    let trace = Rc::new(run(&s));
    let root = container();
    yew::Renderer::<Stage>::with_root_and_props(root.clone(), StageProps { scenario: Rc::new(s), trace, step: None })
        .render();
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
async fn stage_marks_the_refusing_server_denied_with_a_word() {
    let s = presets::get("outlook-express").unwrap().scenario();
    let trace = Rc::new(run(&s));
    let root = container();
    yew::Renderer::<Stage>::with_root_and_props(root.clone(), StageProps { scenario: Rc::new(s), trace, step: None })
        .render();
    settle().await;
    let sub = root.query_selector("[data-actor=submission]").unwrap().unwrap();
    assert_eq!(sub.get_attribute("data-state").as_deref(), Some("denied"));
    assert!(sub.text_content().unwrap().contains("Refused"), "state has a word, not only a colour");
}

use wasm_bindgen::JsCast;
