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

#[test]
fn a_blocked_port_gives_no_smtp_reply_and_nothing_typed_is_sent() {
    let mut s = presets::get("hotel-port25-blocked").unwrap().scenario();
    s.network.place = Place::Hotel;
    let setup = Setup { from: Origin::Laptop(Place::Hotel), to: mailpath_core::actor::HostId::Provider, port: 25 };
    let t = console::run(&s, &setup, &lines("EHLO laptop.example\nQUIT"));
    let failed = t.conversation.failed.as_deref().expect("no connection");
    assert!(failed.contains("Connection timed out"), "{failed}");
    assert!(replies(&t).is_empty(), "no SMTP reply at all");
    assert_eq!(t.conversation.entries.len(), 2);
    assert!(t.conversation.entries.iter().all(|e| e.sent == Sent::NotConnected));
    let hint = console::hint(&s, &setup, &t);
    assert!(hint.line.is_none() && hint.why.contains("another port"), "{hint:?}");
    // Port 587 from the same hotel works.
    let ok = console::run(&s, &Setup { port: 587, ..setup }, &lines("EHLO laptop.example"));
    assert!(ok.conversation.failed.is_none());
    assert!(replies(&ok)[1].starts_with("250-"), "{:?}", replies(&ok));
}

#[test]
fn a_session_fits_in_a_link_and_comes_back() {
    let setup = Setup { from: Origin::Laptop(Place::Hotel), to: mailpath_core::actor::HostId::Provider, port: 587 };
    let typed = lines("EHLO laptop.example\nMAIL FROM:<a@b.example>; x=1 & 100%\n\n.");
    let parts = console::link_parts(&setup, &typed).unwrap();
    assert!(parts.starts_with(";console=laptop@hotel%3Eprovider:587;typed="), "{parts}");
    let console_value = parts.split(';').nth(1).unwrap().strip_prefix("console=").unwrap();
    let typed_value = parts.split(';').nth(2).unwrap().strip_prefix("typed=").unwrap();
    let back = console::from_link(&mailpath_core::permalink::unescape(console_value).unwrap(), Some(typed_value));
    assert_eq!(back, Ok((setup, typed)));
    let long = vec!["x".repeat(console::MAX_LINK_TYPED + 1)];
    assert!(console::link_parts(&setup, &long).unwrap_err().contains("Export the transcript"));
    assert!(console::from_link("moon>provider:25", None).unwrap_err().contains("not a place"));
}

#[test]
fn exports_for_a_real_server_carry_the_warning_and_the_login() {
    let setup = Setup { from: Origin::Laptop(Place::Hotel), to: mailpath_core::actor::HostId::Provider, port: 587 };
    let token = console::plain_token("alice", "secret");
    let typed = lines(&format!(
        "EHLO laptop.example\nSTARTTLS\nEHLO laptop.example\nAUTH PLAIN {token}\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<bob@corp-b.example>\nDATA\nSubject: hi\n\nhello\n.\nQUIT"
    ));
    let swaks = console::swaks(&setup, &typed, "smtp.example.net");
    assert!(swaks.starts_with(&format!("# {}", console::REAL_SERVER_WARNING)), "{swaks}");
    assert!(swaks.contains("swaks --server smtp.example.net --port 587 --ehlo laptop.example --tls --auth PLAIN --auth-user alice --auth-password secret --from alice@isp-a.example --to bob@corp-b.example --data 'Subject: hi\n\nhello\n'"), "{swaks}");
    let openssl = console::openssl(&setup, &typed, "smtp.example.net");
    assert!(openssl.contains("openssl s_client -starttls smtp -connect smtp.example.net:587 -crlf -quiet\n# then type:\nEHLO laptop.example\nAUTH PLAIN"), "{openssl}");
}

#[test]
fn the_simulated_clients_own_conversation_replays_to_the_same_replies() {
    for p in presets::ALL {
        let s = p.scenario();
        let Some((setup, typed)) = console::simulated(&s) else { continue };
        let run = mailpath_core::run(&s);
        let hop = run.hops.iter().position(|h| h.to == setup.to && h.port == setup.port).unwrap();
        let want: Vec<String> = run.events[run.hops[hop].first_event..=run.hops[hop].last_event]
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Reply(r) => Some(r.to_string()),
                _ => None,
            })
            .collect();
        let typed_session = console::run(&s, &setup, &typed);
        let got = replies(&typed_session);
        // The typed run has its own queue ids; compare without them.
        let norm = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|l| {
                    l.split(" queued as ")
                        .next()
                        .unwrap_or(l)
                        .split(" Message accepted")
                        .next()
                        .unwrap_or(l)
                        .to_string()
                })
                .collect()
        };
        assert_eq!(norm(&got), norm(&want), "{}", p.slug);
    }
}

/// Exim's own ways, as a real Exim 4.96 answered them in the conformance suite: address literals refused as
/// syntax errors, the fourth such error drops the connection, and a DATA after refused recipients repeats their
/// common refusal.
#[test]
fn exim_refuses_literals_counts_errors_and_repeats_the_refusal_at_data() {
    let s = presets::get("exim-relay-denied").unwrap().scenario();
    let setup = Setup::start(&s);
    let literal = "MAIL FROM:<antispam@[192.0.2.1]>\n".repeat(4);
    let dropped = console::run(&s, &setup, &lines(&format!("EHLO mallory.example\n{literal}QUIT")));
    let r = replies(&dropped);
    assert_eq!(r[2], "501 <antispam@[192.0.2.1]>: domain literals not allowed", "{r:#?}");
    assert_eq!(
        r[5], "501-<antispam@[192.0.2.1]>: domain literals not allowed\n501 Too many syntax or protocol errors",
        "{r:#?}"
    );
    assert_eq!(r.len(), 6, "the server hung up: QUIT gets no answer; {r:#?}");

    let refused = console::run(
        &s,
        &setup,
        &lines("EHLO mallory.example\nMAIL FROM:<a@mallory.example>\nRCPT TO:<x@elsewhere.example>\nRCPT TO:<y@elsewhere.example>\nDATA\nQUIT"),
    );
    let r = replies(&refused);
    assert!(r[1].contains("250-PIPECONNECT\n") && r[1].contains("250-SMTPUTF8\n250 HELP"), "{r:#?}");
    assert_eq!(
        r[5],
        "503-All RCPT commands were rejected with this error:\n503-relay not permitted\n503 Valid RCPT command must precede DATA",
        "{r:#?}"
    );
}

/// OpenSMTPD's own ways, as a real OpenSMTPD 6.8.0p2 answered them in the conformance suite: on a `tls-require`
/// submission port only `MAIL FROM` waits for STARTTLS, a local part that is not a dot-atom is a syntax error,
/// and a declared `SIZE=` over the limit is not refused at `MAIL FROM`.
#[test]
fn opensmtpd_wants_tls_only_at_mail_a_dot_atom_and_checks_size_after_the_data() {
    let s = presets::get("opensmtpd-relay-denied").unwrap().scenario();
    let mut setup = Setup::start(&s);
    setup.port = 587;
    let r = replies(&console::run(&s, &setup, &lines("EHLO laptop.example\nRSET\nMAIL FROM:<alice@isp-a.example>")));
    assert_eq!(r[2], "250 2.0.0 Reset state", "{r:#?}");
    assert_eq!(r[3], "530 5.5.1 Invalid command: Must issue a STARTTLS command first", "{r:#?}");

    setup.port = 25;
    let r = replies(&console::run(
        &s,
        &setup,
        &lines("EHLO mallory.example\nMAIL FROM:<a@mallory.example> SIZE=999999999\nRCPT TO:<\"bob\"@corp-b.example>"),
    ));
    assert_eq!(r[2], "250 2.0.0 Ok", "SIZE= is not checked at MAIL FROM; {r:#?}");
    assert_eq!(r[3], "501 5.1.3 Recipient address syntax error", "{r:#?}");
}

/// Sendmail's own ways with recipients, as a real Sendmail 8.17.1.9 answered them in the conformance suite: it
/// greets the client by its reverse-DNS name, names a recipient as sent (source route kept), a recipient given
/// twice by its first form, refuses `user@host@host`, and offers AUTH on 587 before STARTTLS.
#[test]
fn sendmail_names_recipients_as_sent_and_refuses_a_route_in_the_local_part() {
    let s = outlook();
    let mut setup = Setup::start(&s);
    let r = replies(&console::run(
        &s,
        &setup,
        &lines(
            "EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<relaytest@nmap.scanme.org@[198.51.100.25]>\n\
             RCPT TO:<@elsewhere.example:alice@isp-a.example>\nRCPT TO:<alice@isp-a.example>\n\
             RCPT TO:<alice@[198.51.100.25]>",
        ),
    ));
    assert!(
        r[1].starts_with("250-smtp.isp-a.example Hello host-198-51-100-23.isp-a.example [198.51.100.23], pleased"),
        "{r:#?}"
    );
    assert_eq!(r[3], "553 5.1.3 <relaytest@nmap.scanme.org@[198.51.100.25]>... Invalid route address", "{r:#?}");
    assert_eq!(r[4], "250 2.1.5 <@elsewhere.example:alice@isp-a.example>... Recipient ok", "{r:#?}");
    assert_eq!(r[5], "250 2.1.5 <@elsewhere.example:alice@isp-a.example>... Recipient ok", "{r:#?}");
    // The same local user by another of the server's names (its own address literal).
    assert_eq!(r[6], "250 2.1.5 <@elsewhere.example:alice@isp-a.example>... Recipient ok", "{r:#?}");

    setup.port = 587;
    let r = replies(&console::run(&s, &setup, &lines("EHLO laptop.example")));
    assert!(r[1].contains("\n250-AUTH LOGIN PLAIN\n250-STARTTLS\n"), "{r:#?}");
}
