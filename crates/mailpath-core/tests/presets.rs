//! One test per preset, named like the behaviour it pins: the outcome, the hop and command where it is decided,
//! and the exact reply line (from the reference's scenario table and §10's real Postfix lines).

use mailpath_core::actor::HostId;
use mailpath_core::presets;
use mailpath_core::trace::{Ending, EventKind, Purpose, Trace};
use mailpath_core::{run, Scenario};

fn play(slug: &str) -> (Scenario, Trace) {
    let s = presets::get(slug).unwrap_or_else(|| panic!("no preset {slug}")).scenario();
    let t = run(&s);
    (s, t)
}

/// Where the outcome was decided: the hop's (from, to), the command answered, and the reply line.
fn decided_at(t: &Trace) -> (HostId, HostId, String, String) {
    let reply = t.outcome.reply.as_ref().expect("the outcome has a deciding reply");
    let line = reply.first_line();
    let i = t
        .events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Reply(r) if r == reply))
        .expect("the deciding reply is in the trace");
    let hop = t.events[i].hop.expect("the reply belongs to a connection");
    let command = t.events[..i]
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::Command(c) if e.hop == Some(hop) => {
                Some(c.stage().name().split(" ").next().unwrap_or("").to_string())
            }
            EventKind::MessageText { .. } if e.hop == Some(hop) => Some("end-of-data".to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "greeting".into());
    (t.hops[hop].from, t.hops[hop].to, command, line)
}

fn assert_decided(slug: &str, ending: Ending, from: HostId, to: HostId, command: &str, line: &str) -> Trace {
    let (_, t) = play(slug);
    assert_eq!(t.outcome.ending, ending, "{slug}: {}", t.outcome.summary);
    let (f, tt, c, l) = decided_at(&t);
    assert_eq!((f, tt, c.as_str(), l.as_str()), (from, to, command, line), "{slug}");
    t
}

fn bounce_text(t: &Trace) -> String {
    t.messages.iter().rev().find(|m| m.is_report).map(|m| m.text()).expect("a bounce was written")
}

fn delivered_to(t: &Trace, rcpt: &str) -> bool {
    t.events.iter().any(|e| matches!(&e.kind, EventKind::Delivered { rcpt: r } if r == rcpt))
}

#[test]
fn outlook_express_without_login_is_denied_relay_by_sendmail_at_rcpt() {
    let t = assert_decided(
        "outlook-express",
        Ending::Refused,
        HostId::Alice,
        HostId::Provider,
        "RCPT",
        "550 5.7.1 <bob@corp-b.example>... Relaying denied. Proper authentication required.",
    );
    let dialog = t.events.iter().find_map(|e| match &e.kind {
        EventKind::ErrorDialog { text, .. } => Some(text.clone()),
        _ => None,
    });
    assert!(dialog
        .unwrap()
        .starts_with("The message could not be sent because one of the recipients was rejected by the server."));
    assert!(!t.messages.iter().any(|m| m.is_report), "a refusal in the session makes no bounce");
}

#[test]
fn authenticated_submission_is_delivered_with_esmtpsa() {
    let (_, t) = play("happy-path");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(delivered_to(&t, "bob@corp-b.example"));
    let m = mailpath_core::report::final_copy(&t).unwrap();
    let received: Vec<&str> = m.headers.iter().filter(|(n, _)| *n == "Received").map(|(_, v)| &**v).collect();
    assert_eq!(received.len(), 2, "one Received line per accepting server");
    assert!(received[1].contains("by smtp.isp-a.example (Postfix) with ESMTPSA"), "{}", received[1]);
    assert!(received[0].contains("by mx1.corp-b.example (Postfix) with ESMTPS"), "{}", received[0]);
    assert_eq!(m.header("Return-Path"), Some("<alice@isp-a.example>"));
    assert!(t.hops.iter().any(|h| h.purpose == Purpose::Retrieval && h.to == HostId::Mx), "Bob fetches it");
}

#[test]
fn stranger_is_denied_relay_at_rcpt() {
    assert_decided(
        "stranger-denied",
        Ending::Refused,
        HostId::Mallory,
        HostId::Provider,
        "RCPT",
        "554 5.7.1 <victim@elsewhere.example>: Relay access denied",
    );
}

#[test]
fn open_relay_passes_spam_to_every_recipient() {
    let (_, t) = play("open-relay-abused");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(delivered_to(&t, "victim@elsewhere.example") && delivered_to(&t, "dave@elsewhere.example"));
}

#[test]
fn hotel_blocking_port_25_gives_no_smtp_reply() {
    let (_, t) = play("hotel-port25-blocked");
    assert_eq!(t.outcome.ending, Ending::NoConnection);
    assert!(!t.events.iter().any(|e| matches!(e.kind, EventKind::Reply(_))), "no server ever answered");
    assert!(t
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::ErrorDialog { text, .. } if text.contains("0x800CCC0E"))));
}

#[test]
fn hotel_address_outside_mynetworks_is_denied_relay() {
    assert_decided(
        "hotel-not-in-network",
        Ending::Refused,
        HostId::Alice,
        HostId::Provider,
        "RCPT",
        "554 5.7.1 <bob@corp-b.example>: Relay access denied",
    );
}

#[test]
fn traveller_on_587_with_password_is_delivered() {
    let (_, t) = play("hotel-fixed-587");
    assert_eq!(t.outcome.ending, Ending::Delivered);
}

#[test]
fn fresh_pop_login_opens_relaying() {
    let (_, t) = play("pop-before-smtp");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(t.hops[0].purpose == Purpose::PopLogin);
    assert!(t
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Decision(d) if d.rule == "check_client_access (pop-before-smtp)")));
}

#[test]
fn stale_pop_login_is_denied_relay() {
    assert_decided(
        "pop-before-smtp-stale",
        Ending::Refused,
        HostId::Alice,
        HostId::Provider,
        "RCPT",
        "554 5.7.1 <bob@corp-b.example>: Relay access denied",
    );
}

#[test]
fn misconfigured_recipient_denies_relay_and_the_provider_bounces() {
    let t = assert_decided(
        "recipient-misconfigured",
        Ending::Bounced,
        HostId::Provider,
        HostId::Mx,
        "RCPT",
        "554 5.7.1 <bob@corp-b.example>: Relay access denied",
    );
    assert_eq!(t.outcome.by, HostId::Provider);
    let b = bounce_text(&t);
    assert!(b.contains("Status: 5.7.1\nRemote-MTA: dns; mx1.corp-b.example\nDiagnostic-Code: smtp; 554 5.7.1 <bob@corp-b.example>: Relay access denied"), "{b}");
    assert!(b.contains("<bob@corp-b.example>: host mx1.corp-b.example[192.0.2.10] said: 554 5.7.1"), "{b}");
    assert!(
        t.hops.iter().any(|h| h.purpose == Purpose::Retrieval && h.from == HostId::Alice),
        "the bounce lands in Alice's inbox"
    );
}

#[test]
fn smarthost_that_trusts_the_provider_forwards() {
    let (_, t) = play("middle-man-forwards");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(t.hops.iter().any(|h| h.from == HostId::Provider && h.to == HostId::Middle));
    assert!(t.hops.iter().any(|h| h.from == HostId::Middle && h.to == HostId::Mx));
}

#[test]
fn smarthost_that_denies_makes_the_provider_bounce() {
    let t = assert_decided(
        "middle-man-denies",
        Ending::Bounced,
        HostId::Provider,
        HostId::Middle,
        "RCPT",
        "554 5.7.1 <bob@corp-b.example>: Relay access denied",
    );
    assert_eq!(t.outcome.by, HostId::Provider);
}

#[test]
fn backup_mx_queues_while_primary_is_down_and_delivers_later() {
    let (_, t) = play("backup-mx-primary-down");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    let delivered = t.fates[0].t;
    assert!((2 * 3600..3 * 3600).contains(&delivered), "delivered after mx1 is back: {delivered}");
    assert_eq!(t.fates[0].by, HostId::Mx);
    let m = mailpath_core::report::final_copy(&t).unwrap();
    assert_eq!(m.headers.iter().filter(|(n, _)| *n == "Received").count(), 3, "provider, backup, mx1");
}

#[test]
fn backup_mx_bounces_after_five_days_when_primary_never_returns() {
    let (_, t) = play("backup-mx-primary-down-6d");
    assert_eq!(t.outcome.ending, Ending::Bounced);
    assert_eq!(t.outcome.by, HostId::Middle);
    assert_eq!(t.fates[0].t, 5 * 86_400 + 1, "the backup gives up at its 5-day lifetime");
    let b = bounce_text(&t);
    assert!(b.contains("Status: 4.4.1\nDiagnostic-Code: X-Postfix; connect to mx1.corp-b.example[192.0.2.10]:25:\n    Connection refused"), "{b}");
    assert!(b.contains("Reporting-MTA: dns; backup.relay-c.example"));
}

#[test]
fn unknown_user_is_refused_by_the_right_server_not_as_relay() {
    let t = assert_decided(
        "unknown-user",
        Ending::Bounced,
        HostId::Provider,
        HostId::Mx,
        "RCPT",
        "550 5.1.1 <nobody@corp-b.example>: Recipient address rejected: User unknown in virtual mailbox table",
    );
    assert!(bounce_text(&t).contains("Status: 5.1.1"));
}

#[test]
fn greylisting_is_passed_on_the_retry() {
    let (_, t) = play("greylisting");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    let greylisted = t.events.iter().find_map(|e| match &e.kind {
        EventKind::Reply(r) if r.code == 450 => Some((e.t, r.first_line())),
        _ => None,
    });
    let (at, line) = greylisted.expect("the first try is greylisted");
    assert_eq!(line, "450 4.2.0 <bob@corp-b.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/corp-b.example.html");
    assert!(t.fates[0].t >= at + 300, "delivered on a retry at least 5 minutes later");
}

#[test]
fn trusted_home_address_relays_without_login() {
    let (_, t) = play("home-trusted-network");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    let m = mailpath_core::report::final_copy(&t).unwrap();
    assert!(m
        .headers
        .iter()
        .any(|(n, v)| *n == "Received" && v.contains("by smtp.isp-a.example (Postfix) with ESMTP id")));
}

#[test]
fn implicit_tls_on_465_is_delivered() {
    let (_, t) = play("implicit-tls-465");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert_eq!(t.hops[0].port, 465);
}

#[test]
fn wrong_password_fails_at_auth() {
    assert_decided(
        "wrong-password",
        Ending::Refused,
        HostId::Alice,
        HostId::Provider,
        "AUTH",
        "535 5.7.8 Error: authentication failed: authentication failure",
    );
}

#[test]
fn submission_without_login_is_access_denied_not_relay_denied() {
    assert_decided(
        "submission-no-auth",
        Ending::Refused,
        HostId::Alice,
        HostId::Provider,
        "RCPT",
        "554 5.7.1 <bob@corp-b.example>: Recipient address rejected: Access denied",
    );
}

#[test]
fn submission_without_tls_must_starttls_first() {
    assert_decided(
        "submission-no-tls",
        Ending::Refused,
        HostId::Alice,
        HostId::Provider,
        "AUTH",
        "530 5.7.0 Must issue a STARTTLS command first",
    );
}

#[test]
fn own_domain_works_from_the_hotel() {
    let (_, t) = play("hotel-own-domain");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(delivered_to(&t, "carol@isp-a.example"));
}

#[test]
fn hotel_interception_sends_mail_through_the_hotel_relay() {
    let (_, t) = play("hotel-intercepted");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(t.events.iter().any(|e| matches!(e.kind, EventKind::Redirected { to: HostId::Hotel })));
    let m = mailpath_core::report::final_copy(&t).unwrap();
    assert!(m.headers.iter().any(|(n, v)| *n == "Received" && v.contains("by relay.hotel.example")));
}

#[test]
fn inbound_mail_from_a_stranger_needs_no_relay_permission() {
    let (_, t) = play("stranger-to-own-domain");
    assert_eq!(t.outcome.ending, Ending::Delivered);
}

#[test]
fn deferring_misconfigured_primary_makes_the_backup_bounce_after_five_days() {
    let (_, t) = play("misconfigured-defer-backup");
    assert_eq!(t.outcome.ending, Ending::Bounced);
    assert_eq!(t.outcome.by, HostId::Middle);
    let b = bounce_text(&t);
    assert!(b.contains("Action: failed\nStatus: 4.7.1"), "{b}");
    assert!(b.contains("Diagnostic-Code: smtp; 454 4.7.1 <bob@corp-b.example>: Relay access denied"), "{b}");
}

#[test]
fn misconfigured_server_trusting_its_lan_loops_back_to_itself() {
    let (_, t) = play("colleague-loop");
    assert_eq!(t.outcome.ending, Ending::Bounced);
    assert_eq!(t.outcome.by, HostId::Mx);
    let b = bounce_text(&t);
    assert!(
        b.contains("Status: 5.4.6\nDiagnostic-Code: X-Postfix; mail for corp-b.example loops back to myself"),
        "{b}"
    );
}

#[test]
fn legitimate_user_on_the_wrong_server_is_denied_relay() {
    assert_decided(
        "wrong-outgoing-server",
        Ending::Refused,
        HostId::Alice,
        HostId::Mx,
        "RCPT",
        "554 5.7.1 <dave@elsewhere.example>: Relay access denied",
    );
}

#[test]
fn company_user_logged_in_on_submission_reaches_any_domain() {
    let (_, t) = play("corp-user-submission");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(delivered_to(&t, "dave@elsewhere.example"));
}

#[test]
fn backup_without_recipient_list_sends_backscatter_to_the_forged_sender() {
    let (_, t) = play("backscatter");
    assert_eq!(t.outcome.ending, Ending::Bounced);
    assert_eq!(t.outcome.by, HostId::Middle);
    assert!(delivered_to(&t, "ceo@elsewhere.example"), "the bounce lands on the innocent, forged sender");
}

#[test]
fn backup_with_recipient_list_refuses_unknown_users_at_once() {
    assert_decided(
        "backup-recipient-list",
        Ending::Refused,
        HostId::Mallory,
        HostId::Middle,
        "RCPT",
        "550 5.1.1 <nobody@corp-b.example>: Recipient address rejected: User unknown in relay recipient table",
    );
}

#[test]
fn denying_backup_is_final_and_the_provider_bounces_at_once() {
    let t = assert_decided(
        "backup-mx-denies",
        Ending::Bounced,
        HostId::Provider,
        HostId::Middle,
        "RCPT",
        "554 5.7.1 <bob@corp-b.example>: Relay access denied",
    );
    assert_eq!(t.outcome.by, HostId::Provider);
    assert!(t.fates[0].t < 60, "a 5xx is not retried");
    assert!(bounce_text(&t).contains("Remote-MTA: dns; backup.relay-c.example"));
}

#[test]
fn misconfigured_backup_is_never_asked_while_the_primary_is_up() {
    let (_, t) = play("backup-latent-misconfig");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(!t.hops.iter().any(|h| h.to == HostId::Middle));
}

#[test]
fn smarthost_login_relays_regardless_of_address() {
    let (_, t) = play("smarthost-login");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(t.hops.iter().any(|h| h.from == HostId::Provider && h.to == HostId::Middle && h.port == 587));
}

#[test]
fn blocklisted_ex_open_relay_is_refused_even_for_legitimate_mail() {
    assert_decided(
        "open-relay-blocklisted",
        Ending::Bounced,
        HostId::Provider,
        HostId::Mx,
        "RCPT",
        "554 5.7.1 Service unavailable; Client host [198.51.100.25] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.25",
    );
}

#[test]
fn relay_test_of_a_correct_server_fails_all_sixteen() {
    let (_, t) = play("relay-test-strict");
    assert_eq!(t.outcome.ending, Ending::Probed);
    assert_eq!(t.outcome.summary, "Server doesn't seem to be an open relay, all tests failed");
    let denied = t.events.iter().filter(|e| matches!(&e.kind, EventKind::Reply(r) if r.code == 554)).count();
    assert_eq!(denied, 16);
}

#[test]
fn relay_test_of_an_open_relay_passes_all_sixteen() {
    let (_, t) = play("relay-test-open");
    assert_eq!(t.outcome.summary, "Server is an open relay (16/16 tests)");
}

#[test]
fn relay_test_of_the_submission_port_needs_authentication() {
    let (_, t) = play("relay-test-submission");
    assert_eq!(t.outcome.summary, "Server isn't an open relay, authentication needed");
}

#[test]
fn forged_sender_fails_spf_at_rcpt() {
    assert_decided(
        "spf-fail",
        Ending::Refused,
        HostId::Mallory,
        HostId::Mx,
        "RCPT",
        "550 5.7.23 <bob@corp-b.example>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=alice@isp-a.example;ip=203.0.113.66;r=<UNKNOWN>",
    );
}

#[test]
fn dmarc_rejects_after_the_message_not_at_rcpt() {
    assert_decided(
        "dmarc-reject",
        Ending::Refused,
        HostId::Mallory,
        HostId::Mx,
        "end-of-data",
        "550 5.7.1 rejected by DMARC policy for isp-a.example",
    );
}

#[test]
fn null_mx_is_bounced_at_once_with_5_1_0() {
    let (_, t) = play("null-mx");
    assert_eq!(t.outcome.ending, Ending::Bounced);
    assert_eq!(t.outcome.by, HostId::Provider);
    assert!(bounce_text(&t)
        .contains("Status: 5.1.0\nDiagnostic-Code: X-Postfix; Domain nomail.example does not accept mail (nullMX)"));
}

#[test]
fn null_mx_is_refused_at_rcpt_with_reject_unknown_recipient_domain() {
    assert_decided(
        "null-mx-rejected",
        Ending::Refused,
        HostId::Alice,
        HostId::Provider,
        "RCPT",
        "556 5.1.10 <x@nomail.example>: Recipient address rejected: Domain nomail.example does not accept mail (nullMX)",
    );
}

#[test]
fn domain_without_mx_uses_its_address() {
    let (_, t) = play("implicit-mx");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(delivered_to(&t, "info@nomx.example"));
}

#[test]
fn nonexistent_domain_bounces_with_5_4_4() {
    let (_, t) = play("nonexistent-domain");
    assert_eq!(t.outcome.ending, Ending::Bounced);
    assert!(bounce_text(&t).contains("Status: 5.4.4"));
}

#[test]
fn dns_outage_delays_but_delivers() {
    let (_, t) = play("dns-outage");
    assert_eq!(t.outcome.ending, Ending::Delivered);
    assert!(t.fates[0].t >= 3 * 3600);
}

#[test]
fn exchange_words_relay_refusal_as_5_7_54() {
    assert_decided(
        "exchange-relay-denied",
        Ending::Refused,
        HostId::Mallory,
        HostId::Mx,
        "RCPT",
        "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
    );
}

#[test]
fn exim_qmail_stalwart_and_opensmtpd_word_relay_refusal_their_way() {
    for (slug, line) in [
        ("exim-relay-denied", "550 relay not permitted"),
        ("qmail-relay-denied", "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"),
        ("stalwart-relay-denied", "550 5.1.2 Relay not allowed."),
        ("opensmtpd-relay-denied", "550 Invalid recipient: <victim@elsewhere.example>"),
    ] {
        assert_decided(slug, Ending::Refused, HostId::Mallory, HostId::Provider, "RCPT", line);
    }
}

#[test]
fn recipients_are_decided_one_by_one() {
    let (_, t) = play("mixed-recipients");
    assert_eq!(t.outcome.ending, Ending::Partial);
    assert!(delivered_to(&t, "bob@corp-b.example"));
    assert_eq!(t.fates[1].ending, Ending::Bounced);
}

#[test]
fn oversized_message_is_refused_at_mail_from_by_size() {
    assert_decided(
        "message-too-big",
        Ending::Bounced,
        HostId::Provider,
        HostId::Mx,
        "MAIL",
        "552 5.3.4 Message size exceeds fixed limit",
    );
}

#[test]
fn every_preset_has_a_test_here() {
    let source = include_str!("presets.rs");
    for p in presets::ALL {
        assert!(source.contains(&format!("\"{}\"", p.slug)), "preset {} has no test", p.slug);
    }
}
