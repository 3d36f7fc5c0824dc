//! Reading a trace the way the app does: where playing pauses, which dialog, decision, bounce and message copy
//! a step shows, typed transcript lines and event categories.

use mailpath_core::named::Named;
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

#[test]
fn every_bounce_marks_the_refusing_servers_words() {
    let mut marked = 0;
    for p in presets::ALL {
        let t = run(&p.scenario());
        for e in &t.events {
            let EventKind::Bounced { message, reason, .. } = &e.kind else { continue };
            let text = t.messages[*message].text();
            let (a, b) = mailpath_core::explain::bounce_key(&t, *message, &text)
                .unwrap_or_else(|| panic!("{}: the bounce's words are found ({reason})", p.slug));
            let key = &text[a..b];
            assert!(a == 0 || text.as_bytes()[a - 1] == b'\n', "{}: the mark starts a line", p.slug);
            match reason.split_once(" said: ") {
                // A remote server's reply: its code is marked.
                Some((_, said)) => {
                    let code = said.split_whitespace().next().unwrap();
                    assert!(key.contains(code), "{}: {key:?} holds {code:?}", p.slug);
                }
                // The reporting server's own reason: the mark ends where the reason ends.
                None => {
                    let last = key.split_whitespace().last().unwrap();
                    assert!(reason.ends_with(last), "{}: {key:?} ends {reason:?}", p.slug);
                }
            }
            marked += 1;
        }
        assert!(t
            .messages
            .iter()
            .enumerate()
            .all(|(i, m)| m.is_report || mailpath_core::explain::bounce_key(&t, i, &m.text()).is_none()));
    }
    assert!(marked >= 5, "{marked} bounces marked");
}

#[test]
fn the_rule_of_thumb_is_only_where_relaying_decides() {
    for (slug, shown) in [("outlook-express", true), ("greylisting", false), ("hotel-port25-blocked", false)] {
        let t = run(&presets::get(slug).unwrap().scenario());
        assert_eq!(mailpath_core::explain::rule_of_thumb(&t).is_some(), shown, "{slug}");
    }
}

#[test]
fn the_headline_does_not_say_its_word_twice() {
    for p in presets::ALL {
        let t = run(&p.scenario());
        let h = mailpath_core::explain::headline(&t);
        let label = t.outcome.ending.label();
        assert!(!h.contains(&format!("{label}: {label}")), "{}: {h}", p.slug);
        assert!(h.starts_with(t.outcome.ending.symbol()), "{}: {h}", p.slug);
        assert!(h.contains(&t.outcome.summary), "{}: {h}", p.slug);
    }
}

#[test]
fn a_blocked_port_is_explained_as_the_networks_doing() {
    let t = run(&presets::get("hotel-port25-blocked").unwrap().scenario());
    assert_eq!(t.outcome.why, mailpath_core::trace::Why::PortBlocked);
    assert!(mailpath_core::explain::why(t.outcome.why).contains("587"));
}
