//! The parts of the harness that need no Postfix: address mapping, configuration and plans.

use mailpath_conformance::{config, plan, wire};
use mailpath_core::presets;

#[test]
fn plans_come_from_the_simulators_own_transcript() {
    let s = presets::get("stranger-denied").unwrap().scenario();
    let p = plan::derive("stranger", &s).unwrap();
    assert_eq!(p.port, 25);
    assert_eq!(p.source.octets()[0], 127, "the client speaks from loopback");
    let sent: Vec<String> = p
        .steps
        .iter()
        .filter_map(|st| match st {
            plan::Step::Send(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    assert!(sent.contains(&"RCPT TO:<victim@elsewhere.example>".to_string()));
    assert!(p.steps.contains(&plan::Step::Expect("554 5.7.1 <victim@elsewhere.example>: Relay access denied".into())));
    let main: std::collections::HashMap<_, _> = p.config.main.iter().cloned().collect();
    assert_eq!(
        main["smtpd_relay_restrictions"],
        "permit_mynetworks permit_sasl_authenticated reject_unauth_destination"
    );
    assert_eq!(main["mydestination"], "isp-a.example");
    assert!(main["mynetworks"].starts_with("127.0.0.1/32 127.0.0."), "{}", main["mynetworks"]);
}

#[test]
fn other_flavours_and_dns_features_are_left_out_with_a_reason() {
    for (slug, why) in
        [("outlook-express", "reverse-DNS name"), ("spf-fail", "SPF"), ("hotel-port25-blocked", "access network")]
    {
        let s = presets::get(slug).unwrap().scenario();
        let err = plan::derive(slug, &s).unwrap_err();
        assert!(err.contains(why), "{slug}: {err}");
    }
}

#[test]
fn addresses_map_to_loopback_and_back() {
    let s = presets::get("relay-test-strict").unwrap().scenario();
    let w = mailpath_core::world::World::build(&s);
    let server = w.server(mailpath_core::actor::HostId::Provider).unwrap();
    let m = config::AddressMap::new(&s, server);
    assert_eq!(m.outbound("RCPT TO:<x@[198.51.100.25]>"), "RCPT TO:<x@[127.0.0.1]>");
    assert_eq!(
        m.inbound("554 5.7.1 <x@[127.0.0.1]>: Relay access denied"),
        "554 5.7.1 <x@[198.51.100.25]>: Relay access denied"
    );
    assert_eq!(wire::normalise("250 2.0.0 Ok: queued as 5B961CC8FD"), "250 2.0.0 Ok: queued as <id>");
}
