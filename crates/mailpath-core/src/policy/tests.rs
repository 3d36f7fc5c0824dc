//! Decisions at RCPT for the cases of the reference's §10 (checked there against a real Postfix 3.7.11).

use super::*;
use crate::actor::HostId;
use crate::flavours::spec;
use crate::scenario::{Policy, Scenario, Trust};
use crate::world::World;

const STRANGER: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 66);
const HOME: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 23);

fn world(edit: impl FnOnce(&mut Scenario)) -> World {
    let mut s = Scenario::default();
    s.provider.policy = Policy::Reject;
    s.provider.trust = Trust::Network;
    edit(&mut s);
    World::build(&s)
}

fn ask(w: &World, ip: Ipv4Addr, authenticated: bool, submission: bool, rcpt: &str) -> (Decision, String) {
    let server = w.server(HostId::Provider).unwrap();
    let sender = Address::parse("alice@isp-a.example").unwrap();
    let ctx = RcptContext {
        server,
        spec: spec(server.settings.flavour),
        submission,
        client_ip: ip,
        client_ip_text: &ip.to_string(),
        helo: "client.example",
        authenticated,
        pop_fresh: false,
        sender: Some(&sender),
        zone: &w.zone,
        t: 0,
        grey: Grey::Passed,
    };
    let (d, r) = decide(&ctx, &Address::parse(rcpt).unwrap());
    (d, r.to_string())
}

#[test]
fn stranger_to_foreign_domain_is_relay_denied() {
    let w = world(|_| {});
    let (d, reply) = ask(&w, STRANGER, false, false, "victim@elsewhere.example");
    assert_eq!(reply, "554 5.7.1 <victim@elsewhere.example>: Relay access denied");
    assert_eq!(d.verdict, Verdict::Refuse);
    assert_eq!(d.rule, "reject_unauth_destination");
    assert_eq!(d.why, Why::RelayDenied);
    assert!(!d.facts.authenticated && !d.facts.trusted && !d.facts.domain_handled());
}

#[test]
fn defer_policy_says_454() {
    let w = world(|s| s.provider.policy = Policy::Defer);
    let (d, reply) = ask(&w, STRANGER, false, false, "victim@elsewhere.example");
    assert_eq!(reply, "454 4.7.1 <victim@elsewhere.example>: Relay access denied");
    assert_eq!((d.verdict, &*d.rule), (Verdict::Defer, "defer_unauth_destination"));
}

#[test]
fn stranger_to_own_domain_is_accepted() {
    let w = world(|_| {});
    let (d, reply) = ask(&w, STRANGER, false, false, "carol@isp-a.example");
    assert_eq!(reply, "250 2.1.5 Ok");
    assert_eq!(d.why, Why::FinalDestination);
}

#[test]
fn trusted_and_authenticated_clients_may_relay() {
    let w = world(|_| {});
    let (d, reply) = ask(&w, HOME, false, false, "bob@corp-b.example");
    assert_eq!((reply.as_str(), &*d.rule), ("250 2.1.5 Ok", "permit_mynetworks"));
    let (d, reply) = ask(&w, STRANGER, true, false, "bob@corp-b.example");
    assert_eq!((reply.as_str(), &*d.rule), ("250 2.1.5 Ok", "permit_sasl_authenticated"));
}

#[test]
fn unknown_local_user_is_not_a_relay_refusal() {
    let w = world(|_| {});
    let (d, reply) = ask(&w, STRANGER, false, false, "nobody@isp-a.example");
    assert_eq!(
        reply,
        "550 5.1.1 <nobody@isp-a.example>: Recipient address rejected: User unknown in local recipient table"
    );
    assert_eq!(d.why, Why::UserUnknown);
    // Trusted clients are checked too.
    assert_eq!(ask(&w, HOME, false, false, "nobody@isp-a.example").0.why, Why::UserUnknown);
}

#[test]
fn submission_without_auth_is_access_denied() {
    let w = world(|_| {});
    let (d, reply) = ask(&w, HOME, false, true, "bob@corp-b.example");
    assert_eq!(reply, "554 5.7.1 <bob@corp-b.example>: Recipient address rejected: Access denied");
    assert_eq!(d.rule, "reject");
    let (_, reply) = ask(&w, HOME, true, true, "bob@corp-b.example");
    assert_eq!(reply, "250 2.1.5 Ok");
}

#[test]
fn open_relay_accepts_anyone() {
    let w = world(|s| s.provider.trust = Trust::Everyone);
    let (d, reply) = ask(&w, STRANGER, false, false, "victim@elsewhere.example");
    assert_eq!((reply.as_str(), d.why), ("250 2.1.5 Ok", Why::TrustedNetwork));
}

#[test]
fn sender_routing_that_leads_elsewhere_is_never_an_authorised_destination() {
    let w = world(|_| {});
    for (rcpt, echo) in [
        ("bob%corp-b.example@isp-a.example", "bob%corp-b.example@isp-a.example"),
        ("corp-b.example!bob@isp-a.example", "corp-b.example!bob@isp-a.example"),
        ("bob@corp-b.example@isp-a.example", "bob@corp-b.example@isp-a.example"),
        // Postfix quotes the address back without its quotes.
        ("\"bob@corp-b.example\"@isp-a.example", "bob@corp-b.example@isp-a.example"),
        ("relaytest%nmap.scanme.org@[198.51.100.25]", "relaytest%nmap.scanme.org@[198.51.100.25]"),
        ("nmap.scanme.org!relaytest", "nmap.scanme.org!relaytest"),
        ("\"relaytest@nmap.scanme.org\"", "relaytest@nmap.scanme.org"),
    ] {
        let (d, reply) = ask(&w, STRANGER, false, false, rcpt);
        assert_eq!(reply, format!("554 5.7.1 <{echo}>: Relay access denied"), "{rcpt}");
        assert_eq!(d.verdict, Verdict::Refuse, "{rcpt}");
    }
}

#[test]
fn routing_that_comes_back_here_is_local() {
    // Checked against Postfix 3.7.11: stripping its own domain leaves a local address, which is not relaying.
    let w = world(|_| {});
    let (d, reply) = ask(&w, STRANGER, false, false, "\"carol@isp-a.example\"@isp-a.example");
    assert_eq!((reply.as_str(), d.why), ("250 2.1.5 Ok", Why::FinalDestination));
}

#[test]
fn a_source_route_is_ignored() {
    // Postfix 3.7.11 drops the route, in the decision and in the reply.
    let w = world(|_| {});
    let (_, reply) = ask(&w, STRANGER, false, false, "@[198.51.100.25]:relaytest@nmap.scanme.org");
    assert_eq!(reply, "554 5.7.1 <relaytest@nmap.scanme.org>: Relay access denied");
    let (_, reply) = ask(&w, STRANGER, false, false, "@elsewhere.example:carol@isp-a.example");
    assert_eq!(reply, "250 2.1.5 Ok");
}

#[test]
fn address_literal_of_the_server_is_local() {
    let w = world(|_| {});
    let (_, reply) = ask(&w, STRANGER, false, false, "alice@[198.51.100.25]");
    assert_eq!(reply, "250 2.1.5 Ok");
    let (d, _) = ask(&w, STRANGER, false, false, "relaytest@[198.51.100.25]");
    assert_eq!(d.why, Why::UserUnknown);
}

#[test]
fn flavours_word_the_same_decision_differently() {
    let w = world(|s| {
        s.provider.flavour = Flavour::Sendmail;
        s.provider.sasl = true;
    });
    // A client whose address has no reverse-DNS name hears that first (a real Sendmail 8.17.1.9, proto.m4's
    // check_relay); one with a name hears the article's words.
    let (d, reply) = ask(&w, STRANGER, false, false, "bob@corp-b.example");
    assert_eq!(reply, "550 5.7.1 <bob@corp-b.example>... Relaying denied. IP name lookup failed [203.0.113.66]");
    assert_eq!(d.rule, "Basic_check_rcpt: Relaying denied");
    let w = world(|s| {
        s.provider.flavour = Flavour::Sendmail;
        s.provider.sasl = true;
        s.provider.trust = Trust::Localhost;
        s.network.ptr = true;
    });
    let (d, reply) = ask(&w, HOME, false, false, "bob@corp-b.example");
    assert_eq!(reply, "550 5.7.1 <bob@corp-b.example>... Relaying denied. Proper authentication required.");
    assert_eq!(d.rule, "Basic_check_rcpt: Relaying denied");
    let w = world(|s| s.provider.flavour = Flavour::Qmail);
    let (d, reply) = ask(&w, STRANGER, false, false, "nobody@isp-a.example");
    assert_eq!((reply.as_str(), d.verdict), ("250 ok", Verdict::Accept), "qmail accepts unknown users");
}

#[test]
fn relay_recipient_list_on_a_backup() {
    let mut s = Scenario::default();
    s.middle.role = crate::scenario::Role::Backup;
    s.middle.recipient_list = true;
    s.middle.server.policy = Policy::Reject;
    let w = World::build(&s);
    let server = w.server(HostId::Middle).unwrap();
    let ctx = RcptContext {
        server,
        spec: spec(Flavour::Postfix),
        submission: false,
        client_ip: STRANGER,
        client_ip_text: "203.0.113.66",
        helo: "x",
        authenticated: false,
        pop_fresh: false,
        sender: None,
        zone: &w.zone,
        t: 0,
        grey: Grey::Passed,
    };
    let (_, reply) = decide(&ctx, &Address::parse("nobody@corp-b.example").unwrap());
    assert_eq!(
        reply.to_string(),
        "550 5.1.1 <nobody@corp-b.example>: Recipient address rejected: User unknown in relay recipient table"
    );
    let (d, reply) = decide(&ctx, &Address::parse("bob@corp-b.example").unwrap());
    assert_eq!((reply.to_string().as_str(), d.why), ("250 2.1.5 Ok", Why::RelayDomain));
}
