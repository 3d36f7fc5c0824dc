//! An author rebuilds the article's world with their own names and a server configuration copied from a real
//! `main.cf`; the names appear wherever real systems would show them, and the decisions follow the lines.

use mailpath_core::fields::{self, Value};
use mailpath_core::named::Named;
use mailpath_core::report::describe;
use mailpath_core::trace::{EventKind, Verdict};
use mailpath_core::{explain, presets, run, Ending, Scenario};

fn world(edits: &[(&str, &str)]) -> Scenario {
    let mut s = presets::get("outlook-express").unwrap().scenario();
    let own: &[(&str, &str)] = &[
        ("names.provider.host", "smtp.myisp.net"),
        ("names.provider.domain", "myisp.net"),
        ("names.provider.ip", "198.51.100.25"),
        ("names.recipient.host", "mail.example.com"),
        ("names.recipient.domain", "example.com"),
        ("message.from", "alice@myisp.net"),
        ("message.to", "bob@example.com"),
    ];
    for (k, v) in own.iter().chain(edits) {
        fields::set(&mut s, k, &Value::Text((*v).to_string())).unwrap_or_else(|e| panic!("{k}: {e}"));
    }
    s
}

#[test]
fn the_article_case_with_the_authors_names_says_them_everywhere() {
    let s = world(&[]);
    let t = run(&s);
    assert_eq!(t.outcome.ending, Ending::Refused);
    let text: Vec<String> = (0..t.events.len()).map(|i| describe(&s, &t, i)).collect();
    assert!(text.iter().any(|l| l.contains("220 smtp.myisp.net ESMTP Sendmail")), "banner: {text:#?}");
    assert!(text.iter().any(|l| l.contains("<bob@example.com>... Relaying denied. Proper authentication required.")));
    let dialog = t.events.iter().find_map(|e| match &e.kind {
        EventKind::ErrorDialog { text, .. } => Some(text.clone()),
        _ => None,
    });
    assert!(dialog.unwrap().contains("Account: 'myisp', Server: 'smtp.myisp.net'"));
    assert!(!text.iter().any(|l| l.contains("isp-a") || l.contains("corp-b")), "the old names are gone: {text:#?}");
    let fixes = explain::fixes(&s, &t);
    assert!(!fixes.is_empty());
    let fixed = run(&explain::apply(&s, &fixes[0]));
    assert_eq!(fixed.outcome.ending, Ending::Delivered);
    let delivered = fixed.messages.iter().rev().find(|m| !m.is_report && m.header("Return-Path").is_some()).unwrap();
    let received: Vec<&str> = delivered.headers.iter().filter(|(n, _)| *n == "Received").map(|(_, v)| &**v).collect();
    assert!(received[0].contains("by mail.example.com (Postfix)"), "{received:?}");
    assert!(received[1].contains("by smtp.myisp.net"), "{received:?}");
}

#[test]
fn a_copied_main_cf_decides_in_its_own_terms() {
    let main_cf = "# copied from mail.example.com\n\
        myhostname = mail.example.com\n\
        mydestination = $myhostname, localhost\n\
        virtual_mailbox_domains = example.com\n\
        virtual_mailbox_maps = inline:{ jane@example.com=OK, bob@example.com=OK }\n\
        relay_domains = partner.example\n\
        mynetworks = 127.0.0.0/8 10.0.0.0/8\n\
        smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n\
        smtpd_helo_required = yes\n";
    let base = [
        ("sender", "mallory"),
        ("client.server", "recipient"),
        ("client.port", "25"),
        ("client.tls", "off"),
        ("client.auth", "off"),
        ("message.from", "offers@mallory.example"),
    ];
    let decide = |to: &str, stranger: &str| {
        let mut edits = base.to_vec();
        edits.push(("message.to", to));
        edits.push(("names.computer.stranger", stranger));
        edits.push(("recipient.main_cf", main_cf));
        let t = run(&world(&edits));
        t.events.iter().find_map(|e| match &e.kind {
            EventKind::Decision(d) => Some((d.verdict, d.rule.to_string())),
            _ => None,
        })
    };
    let (v, _) = decide("jane@example.com", "203.0.113.66").unwrap();
    assert_eq!(v, Verdict::Accept, "a mailbox of its virtual domain, from anyone");
    let (v, rule) = decide("nobody@example.com", "203.0.113.66").unwrap();
    assert_eq!((v, rule.as_str()), (Verdict::Refuse, "reject_unlisted_recipient"), "not in virtual_mailbox_maps");
    let (v, _) = decide("anyone@partner.example", "203.0.113.66").unwrap();
    assert_eq!(v, Verdict::Accept, "relay_domains, no relay_recipient_maps");
    let (v, rule) = decide("victim@other.example", "203.0.113.66").unwrap();
    assert_eq!((v, rule.as_str()), (Verdict::Refuse, "reject_unauth_destination"));
    let (v, rule) = decide("victim@other.example", "10.20.30.40").unwrap();
    assert_eq!((v, rule.as_str()), (Verdict::Accept, "permit_mynetworks"), "10.0.0.0/8 is trusted");
    // What is not simulated is noted beside the setting, and what cannot be read is refused with the reason.
    let s = world(&[("recipient.main_cf", main_cf)]);
    assert!(fields::main_cf_notes(&s, "recipient").iter().any(|n| n.starts_with("smtpd_helo_required")));
    let mut t = s.clone();
    let e = fields::set(
        &mut t,
        "recipient.main_cf",
        &Value::Text("virtual_mailbox_maps = hash:/etc/postfix/vmailbox".into()),
    );
    assert!(e.unwrap_err().to_string().contains("write the entries inline"));
    assert_eq!(t, s, "nothing applied");
}

#[test]
fn names_that_would_break_the_world_are_refused_with_the_reason() {
    let s = world(&[]);
    for (key, value, says) in [
        ("names.recipient.domain", "myisp.net", "would both be called myisp.net"),
        ("names.recipient.host", "smtp.myisp.net", "would both be called smtp.myisp.net"),
        ("names.recipient.ip", "198.51.100.25", "would both be at 198.51.100.25"),
        ("names.computer.home", "10.0.0.1", "must be inside the provider's network"),
        ("names.provider.domain", "elsewhere.example", "rest of the simulated Internet"),
        ("names.provider.host", "localhost", "no dot"),
        ("names.provider.network", "198.51.100.1/24", "host bits set"),
        ("names.provider.ip", "127.0.0.1", "cannot be a host's address"),
    ] {
        let mut t = s.clone();
        let e = fields::set(&mut t, key, &Value::Text(value.into())).unwrap_err().to_string();
        assert!(e.contains(says), "{key}={value}: {e}");
        assert_eq!(t, s, "{key}: nothing changed");
    }
}

#[test]
fn the_null_sender_is_sent_and_never_gets_a_bounce() {
    let edits = [
        ("message.to", "nobody@example.com"),
        ("client.auth", "right"),
        ("client.port", "587"),
        ("client.tls", "on"),
        ("client.login", "alice"),
    ];
    let mut s = world(&edits);
    fields::set(&mut s, "message.from", &Value::Text(String::new())).unwrap();
    let t = run(&s);
    let text: Vec<String> = (0..t.events.len()).map(|i| describe(&s, &t, i)).collect();
    assert!(text.iter().any(|l| l == "C: MAIL FROM:<>"), "{text:#?}");
    assert!(!t.events.iter().any(|e| matches!(e.kind, EventKind::Bounced { .. })), "never bounce a bounce");
}

#[test]
fn the_decision_says_what_it_checked_in_postfix_terms() {
    let s = presets::get("hotel-not-in-network").unwrap().scenario();
    let t = run(&s);
    let (_, d) = t.first_refusal().expect("a refusal");
    let event = t.events.iter().position(|e| matches!(&e.kind, EventKind::Decision(x) if x == d)).unwrap();
    let facts = explain::check_facts(&s, &t, event);
    let said: Vec<String> = d
        .checks
        .iter()
        .zip(&facts)
        .map(|(c, fact)| format!("{} {} {fact}", c.restriction.postfix_name(), c.result.label()))
        .collect();
    assert_eq!(d.checks.len(), 3, "{said:#?}");
    assert!(
        said[0].starts_with(
            "permit_mynetworks does not apply 203.0.113.77 is not in mynetworks (127.0.0.0/8, 198.51.100.0/24)"
        ),
        "{said:#?}"
    );
    assert!(said[1].starts_with("permit_sasl_authenticated does not apply the client has not logged in"), "{said:#?}");
    assert!(said[2].contains("corp-b.example is in none of mydestination (isp-a.example)"), "{said:#?}");
    assert!(
        said[2].starts_with("reject_unauth_destination rejects")
            || said[2].starts_with("defer_unauth_destination defers"),
        "{said:#?}"
    );
}
