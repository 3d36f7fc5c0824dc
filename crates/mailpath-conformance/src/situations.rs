//! The situations compared: every preset whose first hop reaches a Postfix server, hand-written cases for the
//! coverage the suite promises, and seeded random ones.

use mailpath_core::fields::{self, Value};
use mailpath_core::presets;
use mailpath_core::rng::Rng;
use mailpath_core::Scenario;

fn with(edits: &[(&str, &str)]) -> Scenario {
    let mut s = Scenario::default();
    for (k, v) in edits {
        fields::set(&mut s, k, &Value::Text((*v).to_string())).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    s
}

const MALLORY: [(&str, &str); 6] = [
    ("sender", "mallory"),
    ("client.port", "25"),
    ("client.tls", "off"),
    ("client.auth", "off"),
    ("message.from", "offers@mallory.example"),
    ("provider.policy", "reject"),
];

fn mallory(extra: &[(&str, &str)]) -> Scenario {
    let mut edits: Vec<(&str, &str)> = MALLORY.to_vec();
    edits.extend_from_slice(extra);
    with(&edits)
}

/// Hand-written situations, named.
pub fn hand_written() -> Vec<(String, Scenario)> {
    let mut out: Vec<(String, Scenario)> =
        presets::ALL.iter().map(|p| (format!("preset {}", p.slug), p.scenario())).collect();
    let cases: Vec<(&str, Scenario)> = vec![
        (
            "stranger, foreign domain, defer",
            mallory(&[("provider.policy", "defer"), ("message.to", "victim@elsewhere.example")]),
        ),
        (
            "stranger, relay domain of a backup MX",
            mallory(&[("client.server", "middle"), ("middle.role", "backup"), ("message.to", "bob@corp-b.example")]),
        ),
        ("stranger, unknown local user", mallory(&[("message.to", "nobody@isp-a.example")])),
        (
            "stranger, several recipients mixing accepted and refused",
            mallory(&[(
                "message.to",
                "carol@isp-a.example,victim@elsewhere.example,nobody@isp-a.example,alice@isp-a.example",
            )]),
        ),
        (
            "trusted network, several recipients",
            with(&[
                ("client.port", "25"),
                ("client.tls", "off"),
                ("client.auth", "off"),
                ("message.to", "bob@corp-b.example"),
            ]),
        ),
        ("port 25, STARTTLS and AUTH from the hotel", with(&[("client.port", "25"), ("network.place", "hotel")])),
        (
            "port 25, AUTH without TLS from the hotel",
            with(&[("client.port", "25"), ("client.tls", "off"), ("network.place", "hotel")]),
        ),
        (
            "port 25, wrong password",
            with(&[("client.port", "25"), ("client.tls", "off"), ("client.auth", "wrong"), ("network.place", "hotel")]),
        ),
        (
            "port 25, AUTH when the server has no SASL",
            with(&[("client.port", "25"), ("client.tls", "off"), ("network.place", "hotel"), ("provider.sasl", "off")]),
        ),
        (
            "port 25, server without STARTTLS",
            with(&[("client.port", "25"), ("provider.tls", "off"), ("provider.submission", "off")]),
        ),
        ("port 587 when the server runs no submission service", with(&[("provider.submission", "off")])),
        ("port 465 without TLS in the mail program", with(&[("client.port", "465"), ("client.tls", "off")])),
        (
            "the recipient's server, own domain, from outside",
            mallory(&[("client.server", "recipient"), ("message.to", "bob@corp-b.example")]),
        ),
        (
            "the recipient's server from its own LAN, foreign domain",
            with(&[
                ("client.server", "recipient"),
                ("client.port", "25"),
                ("client.tls", "off"),
                ("client.auth", "off"),
                ("network.place", "office"),
                ("message.to", "dave@elsewhere.example"),
            ]),
        ),
        (
            "address literal of the server",
            mallory(&[("message.to", "alice@[198.51.100.25],relaytest@[198.51.100.25]")]),
        ),
        ("percent hack through an own domain", mallory(&[("message.to", "bob%corp-b.example@isp-a.example")])),
        (
            "oversized message declared by the client",
            mallory(&[("message.to", "carol@isp-a.example"), ("message.attachment_kb", "20000")]),
        ),
    ];
    out.extend(cases.into_iter().map(|(n, s)| (n.to_string(), s)));
    out
}

const RECIPIENTS: &[&str] = &[
    "bob@corp-b.example",
    "nobody@corp-b.example",
    "carol@isp-a.example",
    "nobody@isp-a.example",
    "alice@isp-a.example",
    "dave@elsewhere.example",
    "postmaster@isp-a.example",
    "bob%corp-b.example@isp-a.example",
    "corp-b.example!bob@isp-a.example",
    "\"carol@isp-a.example\"@isp-a.example",
    "carol@[198.51.100.25]",
    "x@relay-c.example",
    "info@hotel.example",
];

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len() as u64) as usize]
}

/// `n` random single-hop situations from `seed`.
pub fn generated(seed: u64, n: usize) -> Vec<(String, Scenario)> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let mut s = Scenario::default();
        let mut edits: Vec<(String, String)> = Vec::new();
        let mut e = |k: &str, v: String| edits.push((k.to_string(), v));
        e("sender", pick(&mut rng, &["alice", "alice", "mallory", "tester"]).into());
        e(
            "client.server",
            pick(&mut rng, &["provider", "provider", "provider", "recipient", "middle", "hotel"]).into(),
        );
        e("client.port", pick(&mut rng, &["25", "25", "587", "465"]).into());
        e("client.tls", pick(&mut rng, &["on", "off"]).into());
        e("client.auth", pick(&mut rng, &["off", "right", "wrong"]).into());
        e("client.pop_before_smtp", pick(&mut rng, &["on", "off"]).into());
        e("client.pop_age", pick(&mut rng, &["5m", "45m"]).into());
        e("network.place", pick(&mut rng, &["home", "hotel", "office"]).into());
        e("middle.role", pick(&mut rng, &["backup", "smarthost"]).into());
        e("middle.recipient_list", pick(&mut rng, &["on", "off"]).into());
        for server in ["provider", "recipient", "middle"] {
            e(&format!("{server}.policy"), pick(&mut rng, &["reject", "defer"]).into());
            e(&format!("{server}.trust"), pick(&mut rng, &["localhost", "network", "network", "everyone"]).into());
            e(&format!("{server}.sasl"), pick(&mut rng, &["on", "off"]).into());
            e(&format!("{server}.submission"), pick(&mut rng, &["on", "off"]).into());
            e(&format!("{server}.pop_before_smtp"), pick(&mut rng, &["on", "off", "off"]).into());
            e(&format!("{server}.handles_domain"), pick(&mut rng, &["on", "on", "on", "off"]).into());
        }
        let count = 1 + rng.below(3) as usize;
        let to: Vec<&str> = (0..count).map(|_| pick(&mut rng, RECIPIENTS)).collect();
        e("message.to", to.join(","));
        e(
            "message.from",
            pick(&mut rng, &["alice@isp-a.example", "offers@mallory.example", "bob@corp-b.example"]).into(),
        );
        e("seed", rng.below(1000).to_string());
        for (k, v) in &edits {
            fields::set(&mut s, k, &Value::Text(v.clone())).unwrap_or_else(|err| panic!("{k}={v}: {err}"));
        }
        if crate::plan::not_comparable(&s).is_none() {
            out.push((format!("generated #{:03} (seed {seed})", out.len() + 1), s));
        }
    }
    out
}
