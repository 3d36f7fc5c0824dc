//! The SMTP console: typed sessions answered by the simulation's own servers, and the trip that follows.

use mailpath_core::console::{self, Origin, Sent, Setup};
use mailpath_core::scenario::Place;
use mailpath_core::trace::{EventKind, Verdict};
use mailpath_core::{presets, Ending, Scenario};

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn replies(s: &console::Session) -> Vec<String> {
    let hop = &s.trace.hops[s.conversation.hop];
    s.trace.events[hop.first_event..=hop.last_event]
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Reply(r) => Some(r.to_string()),
            _ => None,
        })
        .collect()
}

fn outlook() -> Scenario {
    presets::get("outlook-express").unwrap().scenario()
}

#[test]
fn the_articles_refusal_typed_by_hand_then_fixed_by_typing_auth() {
    let s = outlook();
    let setup = Setup::start(&s);
    assert_eq!(setup.name(), "laptop@home>provider:25");
    let refused = console::run(
        &s,
        &setup,
        &lines("EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<bob@corp-b.example>"),
    );
    let r = replies(&refused);
    assert!(r.last().unwrap().starts_with("550 5.7.1 <bob@corp-b.example>... Relaying denied"), "{r:#?}");
    let (_, d) = refused.trace.first_refusal().expect("a decision refused");
    assert_eq!(d.verdict, Verdict::Refuse);
    assert_eq!(refused.trace.outcome.ending, Ending::Refused);

    let (user, password) = console::account(&s);
    let fixed = format!(
        "EHLO laptop.example\nAUTH PLAIN {}\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<bob@corp-b.example>\nDATA\nFrom: Alice <alice@isp-a.example>\nTo: bob@corp-b.example\nSubject: Lunch\n\nAre you free on Friday?\n.\nQUIT",
        console::plain_token(&user, password)
    );
    let ok = console::run(&s, &setup, &lines(&fixed));
    let r = replies(&ok);
    assert!(r.iter().any(|l| l.starts_with("235 ")), "{r:#?}");
    assert!(r.iter().any(|l| l.ends_with("Message accepted for delivery")), "{r:#?}");
    assert_eq!(ok.conversation.queued.len(), 1);
    // The message travels on: delivered to Bob, with the provider's Received line on top of the typed header.
    assert_eq!(ok.trace.outcome.ending, Ending::Delivered, "{:?}", ok.trace.outcome);
    let delivered = ok.trace.messages.iter().find(|m| m.header("Delivered-To").is_some()).expect("a delivered copy");
    assert_eq!(delivered.header("Subject"), Some("Lunch"));
    assert!(delivered.body.contains("Are you free on Friday?"));
    assert!(ok.trace.hops.len() > 1, "the trip continues past the typed hop");
}

#[test]
fn postfix_answers_mistakes_in_its_own_words() {
    let s = presets::get("stranger-denied").unwrap().scenario();
    let setup = Setup { from: Origin::Laptop(Place::Hotel), to: mailpath_core::actor::HostId::Provider, port: 25 };
    let typed = "FOO\nRCPT TO:<bob@corp-b.example>\nehlo   laptop.example\nDATA\nMAIL FROM:<alice@isp-a.example>\nMAIL FROM:<alice@isp-a.example>\nDATA\nrcpt to:<bob@corp-b.example>\nRSET\nMAIL FROM alice\nNOOP\nQUIT\nNOOP";
    let t = console::run(&s, &setup, &lines(typed));
    let r = replies(&t);
    let expected = [
        "220 smtp.isp-a.example ESMTP Postfix",
        "500 5.5.2 Error: command not recognized",
        "503 5.5.1 Error: need MAIL command",
    ];
    assert_eq!(&r[..3], &expected, "{r:#?}");
    assert!(r.contains(&"503 5.5.1 Error: need RCPT command".to_string()), "{r:#?}");
    assert!(r.contains(&"503 5.5.1 Error: nested MAIL command".to_string()), "{r:#?}");
    assert!(r.contains(&"554 5.5.1 Error: no valid recipients".to_string()), "{r:#?}");
    assert!(r.contains(&"554 5.7.1 <bob@corp-b.example>: Relay access denied".to_string()), "{r:#?}");
    assert!(r.contains(&"501 5.5.4 Syntax: MAIL FROM:<address>".to_string()), "{r:#?}");
    assert_eq!(r.last().unwrap(), "221 2.0.0 Bye");
    let last = t.conversation.entries.last().unwrap();
    assert_eq!(last.sent, Sent::NotConnected, "nothing is sent after QUIT");
}
