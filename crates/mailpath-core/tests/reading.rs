//! Reading a trace the way the app does: where playing pauses, which dialog, decision, bounce and message copy
//! a step shows, typed transcript lines and event categories.

use mailpath_core::presets;
use mailpath_core::report::describe;
use mailpath_core::trace::{Category, EventKind, Side, Verdict};
use mailpath_core::{run, Ending};

#[test]
fn the_outlook_express_refusal_pauses_play_and_shows_the_dialog_only_then() {
    let s = presets::get("outlook-express").unwrap().scenario();
    let t = run(&s);
    let stop = t.stop_at();
    assert_eq!(stop, t.outcome.event);
    assert!(stop < t.last(), "the session goes on to QUIT after the refusal");
    assert!(!t.reached(stop - 1) && t.reached(stop));
    assert!(t.dialog_at(0).is_none(), "no dialog before the refusal");
    let dialog = t.dialog_at(stop).expect("the dialog shows with the outcome");
    assert!(matches!(&dialog.kind, EventKind::ErrorDialog { text, .. } if text.contains("Relaying denied")));
    let (_, d) = t.decision_up_to(stop).expect("a decision at RCPT");
    assert_eq!(d.verdict, Verdict::Refuse);
    assert!(t.decision_up_to(1).is_none());
    assert!(t.bounce_up_to(t.last()).is_none());
}

#[test]
fn a_delivered_run_plays_to_its_end() {
    let s = presets::get("happy-path").unwrap().scenario();
    let t = run(&s);
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert_eq!(t.stop_at(), t.last());
    let copy = t.copy_at(t.last()).expect("a copy");
    assert_eq!(copy.headers[0].0, "Return-Path");
    assert_eq!(copy.added, 3, "delivery adds Return-Path, X-Original-To and Delivered-To");
    assert_eq!(t.copy_at(0).map(|c| c.added), Some(0), "the mail program's own draft");
}

#[test]
fn each_report_is_listed_once() {
    let s = presets::get("recipient-misconfigured").unwrap().scenario();
    let t = run(&s);
    let bounce = t.bounce_up_to(t.last()).expect("a bounce");
    let reports = t.reports_up_to(t.last());
    assert_eq!(reports, vec![bounce], "the bounce, not also its delivered copy");
    assert!(t.messages[bounce].is_report);
    assert!(t.messages.iter().filter(|m| m.is_report).count() > 1, "the bounce was also delivered");
    assert!(t.reports_up_to(0).is_empty());
}

#[test]
fn transcript_lines_carry_their_code_and_status() {
    let s = presets::get("recipient-misconfigured").unwrap().scenario();
    let t = run(&s);
    let hop = t.hops.iter().position(|h| h.result == mailpath_core::trace::HopResult::Refused).unwrap();
    let lines = t.transcript(hop);
    let refusal = lines.iter().find(|l| l.code == Some(554)).expect("the refusal");
    assert_eq!(refusal.side, Side::Server);
    assert_eq!(refusal.status.map(|s| s.to_string()).as_deref(), Some("5.7.1"));
    assert_eq!(refusal.render(), "S: 554 5.7.1 <bob@corp-b.example>: Relay access denied");
    assert!(lines.iter().any(|l| l.side == Side::Client && l.render() == "C: QUIT"));
    assert!(lines.iter().filter(|l| l.side == Side::Client).all(|l| l.code.is_none()));
    let ehlo: Vec<_> = lines.iter().filter(|l| l.code == Some(250) && l.event == lines[3].event).collect();
    assert!(ehlo.len() > 3 && ehlo.last().unwrap().text.starts_with("250 "), "{ehlo:?}");
}

#[test]
fn every_event_of_every_preset_has_words_and_a_category() {
    for p in presets::ALL {
        let s = p.scenario();
        let t = run(&s);
        for (i, e) in t.events.iter().enumerate() {
            assert!(!describe(&s, &t, i).trim().is_empty(), "{} event {i}: {:?}", p.slug, e.kind);
            let c = e.kind.category();
            match &e.kind {
                EventKind::Decision(_) | EventKind::Reply(_) => assert_eq!(c, Category::Exchange),
                EventKind::DnsQuery { .. } => assert_eq!(c, Category::Dns),
                EventKind::Bounced { .. } | EventKind::Queued { .. } => assert_eq!(c, Category::Queue),
                EventKind::Delivered { .. } => assert_eq!(c, Category::Delivery),
                EventKind::Command(_) | EventKind::Connect { .. } => assert_eq!(c, Category::Other),
                _ => {}
            }
        }
    }
}
