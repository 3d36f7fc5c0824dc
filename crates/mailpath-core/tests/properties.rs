//! Properties of every run, over generated scenarios: each scenario is the default with random settings changed
//! through the same field table the app and files use.

use mailpath_core::fields::{self, Kind, Value};
use mailpath_core::flavours::spec;
use mailpath_core::trace::{Ending, EventKind, Verdict, Why};
use mailpath_core::{run, Scenario};
use proptest::prelude::*;

const ADDRESSES: &[&str] = &[
    "bob@corp-b.example",
    "nobody@corp-b.example",
    "carol@isp-a.example",
    "nobody@isp-a.example",
    "alice@isp-a.example",
    "dave@elsewhere.example",
    "x@nomail.example",
    "info@nomx.example",
    "bob@typo.example",
    "bob%corp-b.example@isp-a.example",
    "postmaster@[198.51.100.25]",
    "ceo@elsewhere.example",
];
const DURATIONS: &[&str] = &["0", "1m", "20m", "45m", "2h", "1d", "6d"];

fn value_for(kind: Kind, pick: usize) -> Value {
    match kind {
        Kind::Bool => Value::Bool(pick.is_multiple_of(2)),
        Kind::Choice(names) => Value::Text(names[pick % names.len()].to_string()),
        Kind::Number { min, max } => {
            let candidates = [min, max, min.saturating_add(1), (min + max) / 2, 20, 10_000];
            Value::Num(candidates[pick % candidates.len()].clamp(min, max))
        }
        Kind::Duration => Value::Text(DURATIONS[pick % DURATIONS.len()].into()),
        Kind::Address => Value::Text(ADDRESSES[pick % ADDRESSES.len()].into()),
        Kind::OptionalAddress => {
            Value::Text(if pick.is_multiple_of(3) { String::new() } else { ADDRESSES[pick % ADDRESSES.len()].into() })
        }
        Kind::Addresses { .. } => {
            let n = 1 + pick % 3;
            Value::List((0..n).map(|i| ADDRESSES[(pick / 3 + i * 5) % ADDRESSES.len()].to_string()).collect())
        }
        Kind::Names { .. } => Value::List(if pick.is_multiple_of(2) { vec![] } else { vec!["erin".into()] }),
        Kind::Text { .. } => Value::Text(format!("text {pick}")),
        // Renamed worlds: other names, some that collide (refused) and some not names at all (refused).
        Kind::HostName { optional } => Value::Text(
            ["mail.example.net", "example.net", "smtp.isp-a.example", "mx.example.org", "bücher.example", "x", ""]
                [pick % if optional { 7 } else { 6 }]
            .into(),
        ),
        Kind::Ip => {
            Value::Text(["10.1.2.3", "198.51.100.77", "203.0.113.5", "192.0.2.10", "300.1.1.1"][pick % 5].into())
        }
        Kind::Network => {
            Value::Text(["10.0.0.0/8", "198.51.100.0/24", "203.0.113.0/24", "10.0.0.1/8"][pick % 4].into())
        }
    }
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let n = fields::all().len();
    (prop::collection::vec((0..n, 0usize..1000), 0..14), any::<u32>()).prop_map(|(edits, seed)| {
        let all = fields::all();
        let mut s = Scenario::default();
        for (i, pick) in edits {
            let (key, _, kind) = &all[i];
            let _ = fields::set(&mut s, key, &value_for(*kind, pick));
        }
        s.seed = u64::from(seed);
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn same_scenario_and_seed_give_the_same_trace(s in scenario()) {
        prop_assert_eq!(run(&s), run(&s));
    }

    #[test]
    fn every_decision_names_a_rule_of_the_deciding_servers_software(s in scenario()) {
        let t = run(&s);
        let world = mailpath_core::world::World::build(&s);
        for e in &t.events {
            if let EventKind::Decision(d) = &e.kind {
                let server = world.server(e.actor).expect("a decision is made by a server");
                let names = mailpath_core::flavours::spec(server.settings.flavour).rules;
                let own = [names.mynetworks, names.sasl, names.pop, names.destination, names.deny];
                // Postfix names every restriction of its lists; other software only the relay rules.
                let postfix = d.rule.starts_with("reject_") || d.rule.starts_with("defer_")
                    || d.rule.starts_with("check_policy_service") || d.rule.starts_with("permit_") || d.rule == "reject";
                prop_assert!(own.contains(&&*d.rule) || postfix, "{} names {:?}, not one of its rules", server.hostname, d.rule);
            }
        }
    }

    #[test]
    fn each_recipient_has_exactly_one_fate(s in scenario()) {
        let t = run(&s);
        prop_assert_eq!(t.fates.len(), s.message.to.len());
        for f in &t.fates {
            let delivered = t.events.iter().any(|e| matches!(&e.kind, EventKind::Delivered { rcpt } if *rcpt == f.rcpt));
            if f.ending != Ending::Delivered && f.ending != Ending::Probed && s.message.to.iter().filter(|r| r.trim() == f.rcpt).count() == 1 {
                prop_assert!(!delivered || s.message.to.len() > 1 && t.fates.iter().any(|g| g.rcpt == f.rcpt && g.ending == Ending::Delivered),
                    "{} is {:?} but was delivered", f.rcpt, f.ending);
            }
        }
    }

    #[test]
    fn every_recipient_ends_delivered_bounced_or_refused_by_an_event(s in scenario()) {
        let t = run(&s);
        for f in &t.fates {
            let e = &t.events[f.event];
            let fits = match f.ending {
                Ending::Delivered => matches!(e.kind, EventKind::Delivered { .. }),
                Ending::Bounced => matches!(e.kind, EventKind::Bounced { .. } | EventKind::BounceDropped { .. }),
                Ending::Refused => matches!(e.kind, EventKind::Reply(_) | EventKind::Decision(_) | EventKind::ErrorDialog { .. } | EventKind::Closed | EventKind::Command(_)),
                Ending::NoConnection => matches!(e.kind, EventKind::ConnectFailed { .. } | EventKind::ErrorDialog { .. }),
                Ending::Probed => matches!(e.kind, EventKind::TesterVerdict(_)),
                Ending::Partial => false,
            };
            prop_assert!(fits, "{} ended {:?} at {:?}", f.rcpt, f.ending, e.kind);
        }
    }

    #[test]
    fn trusted_or_authenticated_clients_are_never_denied_relay(s in scenario()) {
        let t = run(&s);
        for e in &t.events {
            if let EventKind::Decision(d) = &e.kind {
                if matches!(d.why, Why::RelayDenied | Why::RelayDeferred) {
                    prop_assert!(!d.facts.authenticated && !d.facts.trusted, "{:?}", d);
                }
            }
        }
    }

    #[test]
    fn no_server_denies_relay_for_its_own_final_domain(s in scenario()) {
        let t = run(&s);
        for e in &t.events {
            if let EventKind::Decision(d) = &e.kind {
                if matches!(d.why, Why::RelayDenied | Why::RelayDeferred) {
                    prop_assert!(!d.facts.domain_handled(), "{:?}", d);
                }
            }
        }
    }

    #[test]
    fn time_never_goes_backwards(s in scenario()) {
        let t = run(&s);
        for w in t.events.windows(2) {
            prop_assert!(w[0].t <= w[1].t, "{:?} then {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn a_5xx_is_never_retried(s in scenario()) {
        let t = run(&s);
        for e in &t.events {
            match &e.kind {
                EventKind::Deferred { reason, .. } | EventKind::RetryFailed { reason, .. } => {
                    prop_assert!(!reason.contains("said: 5"), "a permanent failure was retried: {}", reason);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn a_4xx_is_never_bounced_before_the_queue_lifetime(s in scenario()) {
        let t = run(&s);
        for (i, e) in t.events.iter().enumerate() {
            if let EventKind::Bounced { message, .. } = &e.kind {
                let text = &t.messages[*message].body;
                if text.contains("\nStatus: 4.") {
                    let queued = t.events[..i].iter().rev().find(|q| q.actor == e.actor && matches!(q.kind, EventKind::Queued { .. }));
                    let since = queued.map_or(0, |q| q.t);
                    let server = mailpath_core::world::World::build(&s);
                    let lifetime = server.server(e.actor).map(|x| spec(x.settings.flavour).queue.lifetime).unwrap_or(0);
                    prop_assert!(e.t - since >= lifetime.saturating_sub(1), "4xx bounced after {} s", e.t - since);
                }
            }
        }
    }

    #[test]
    fn bounces_come_from_the_last_server_that_accepted_and_never_bounce_a_bounce(s in scenario()) {
        let t = run(&s);
        for e in &t.events {
            if let EventKind::Bounced { message, .. } = &e.kind {
                let m = &t.messages[*message];
                prop_assert!(m.is_report && m.from.is_none(), "a bounce is sent with MAIL FROM:<>");
                prop_assert!(t.events.iter().any(|q| q.actor == e.actor && matches!(q.kind, EventKind::Queued { .. })),
                    "the bouncing server had accepted the message");
            }
        }
        // Exactly one report per Bounced event, written at that event.
        for (i, e) in t.events.iter().enumerate() {
            if let EventKind::Bounced { message, .. } = &e.kind {
                prop_assert_eq!(t.messages[*message].event, i);
                let written_here = t.messages.iter().filter(|m| m.is_report && m.event == i).count();
                prop_assert_eq!(written_here, 1);
            }
        }
    }

    #[test]
    fn accepted_means_2xx(s in scenario()) {
        let t = run(&s);
        for (i, e) in t.events.iter().enumerate() {
            if let EventKind::Decision(d) = &e.kind {
                if let Some(EventKind::Reply(r)) = t.events.get(i + 1).map(|x| &x.kind) {
                    prop_assert_eq!(d.verdict == Verdict::Accept, r.code / 100 == 2);
                }
            }
        }
    }
}
