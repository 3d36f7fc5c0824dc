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

/// Names an author might give their world (provider host and domain, recipient host and domain).
const WORLDS: &[[&str; 4]] = &[
    ["smtp.isp-a.example", "isp-a.example", "mx1.corp-b.example", "corp-b.example"],
    ["smtp.myisp.net", "myisp.net", "mail.example.com", "example.com"],
    ["mail.provider.example", "provider.example", "mx.shop.example", "shop.example"],
];

/// `n` random single-hop situations in renamed worlds whose server under test has a `main.cf` of its own:
/// local and virtual domains, relay domains with and without a recipient list, networks of every size, clients
/// inside and outside them, the null sender, scripts that carry on after a refusal with STARTTLS and AUTH, and
/// several recipients of mixed kinds.
pub fn generated_own_world(seed: u64, n: usize) -> Vec<(String, Scenario)> {
    let mut rng = Rng::new(seed ^ 0x000A_11CE);
    let mut out = Vec::new();
    while out.len() < n {
        let w = WORLDS[rng.below(WORLDS.len() as u64) as usize];
        let (ph, pd, rh, rd) = (w[0], w[1], w[2], w[3]);
        let mut s = Scenario::default();
        let mut edits: Vec<(String, String)> = Vec::new();
        let mut e = |k: &str, v: String| edits.push((k.to_string(), v));
        e("names.provider.host", ph.into());
        e("names.provider.domain", pd.into());
        e("names.recipient.host", rh.into());
        e("names.recipient.domain", rd.into());
        let stranger = pick(&mut rng, &["203.0.113.66", "10.1.2.3", "198.51.100.77"]);
        e("names.computer.stranger", stranger.into());
        let to_provider = rng.below(2) == 0;
        let (under_test, host, domain) = if to_provider { ("provider", ph, pd) } else { ("recipient", rh, rd) };
        e("sender", pick(&mut rng, &["alice", "alice", "mallory"]).into());
        e("client.server", (if to_provider { "provider" } else { "recipient" }).into());
        let port = pick(&mut rng, &["25", "25", "587", "465"]);
        e("client.port", port.into());
        e("client.tls", pick(&mut rng, &["on", "off"]).into());
        e("client.auth", pick(&mut rng, &["off", "right", "wrong"]).into());
        e("client.persistence", pick(&mut rng, &["gives-up", "carries-on", "carries-on"]).into());
        e("network.place", pick(&mut rng, &["home", "hotel", "office"]).into());
        // Mostly a server that runs the service asked for (a refused connection says little).
        let submission = if port == "25" || rng.below(8) > 0 { "on" } else { "off" };
        e(&format!("{under_test}.submission"), submission.into());
        let virtual_domain = rng.below(2) == 0;
        let mut cf = vec![format!("myhostname = {host}")];
        let mut users = vec!["alice", "bob", "postmaster"];
        users.truncate(1 + rng.below(3) as usize);
        if virtual_domain {
            cf.push("mydestination = $myhostname, localhost".into());
            cf.push(format!("virtual_mailbox_domains = {domain}"));
            let map: Vec<String> = users.iter().map(|u| format!("{u}@{domain}=OK")).collect();
            cf.push(format!("virtual_mailbox_maps = inline:{{ {} }}", map.join(", ")));
        } else {
            cf.push(format!("mydestination = $myhostname, {domain}, localhost"));
            let map: Vec<String> = users.iter().map(|u| format!("{u}=OK")).collect();
            cf.push(format!("local_recipient_maps = inline:{{ {} }}", map.join(", ")));
            cf.push("virtual_mailbox_domains =".into());
        }
        match rng.below(3) {
            0 => cf.push("relay_domains =".into()),
            1 => cf.push("relay_domains = partner.example".into()),
            _ => {
                cf.push("relay_domains = partner.example".into());
                cf.push("relay_recipient_maps = inline:{ known@partner.example=OK }".into());
            }
        }
        let nets = pick(
            &mut rng,
            &["127.0.0.0/8", "127.0.0.0/8 10.0.0.0/8", "127.0.0.0/8 198.51.100.0/24", "127.0.0.0/8 203.0.113.0/24"],
        );
        cf.push(format!("mynetworks = {nets}"));
        let refuse = pick(&mut rng, &["reject_unauth_destination", "defer_unauth_destination"]);
        let relay = pick(
            &mut rng,
            &[
                "permit_mynetworks, permit_sasl_authenticated",
                "permit_sasl_authenticated, permit_mynetworks",
                "permit_mynetworks",
            ],
        );
        cf.push(format!("smtpd_relay_restrictions = {relay}, {refuse}"));
        match rng.below(3) {
            0 => cf.push("smtpd_recipient_restrictions =".into()),
            1 => cf.push("smtpd_recipient_restrictions = permit_mynetworks, reject_unlisted_recipient".into()),
            _ => cf.push(
                "smtpd_recipient_restrictions = permit_auth_destination, permit_sasl_authenticated, reject".into(),
            ),
        }
        cf.push(format!("smtpd_sasl_auth_enable = {}", pick(&mut rng, &["yes", "no"])));
        if rng.below(4) == 0 {
            cf.push("smtpd_reject_unlisted_recipient = no".into());
        }
        e(&format!("{under_test}.main_cf"), cf.join("\n"));
        let rcpts: Vec<String> = (0..1 + rng.below(4))
            .map(|_| match rng.below(6) {
                0 => format!("{}@{domain}", users[rng.below(users.len() as u64) as usize]),
                1 => format!("nobody@{domain}"),
                2 => "known@partner.example".into(),
                3 => "stranger@partner.example".into(),
                4 => "victim@other.example".into(),
                _ => format!("{}@{}", pick(&mut rng, &["bob", "carol"]), if to_provider { rd } else { pd }),
            })
            .collect();
        e("message.to", rcpts.join(","));
        let from = match rng.below(4) {
            0 => String::new(),
            1 => "offers@mallory.example".into(),
            _ => format!("alice@{pd}"),
        };
        e("message.from", from);
        e("client.login", "alice".into());
        e("seed", rng.below(1000).to_string());
        for (k, v) in &edits {
            fields::set(&mut s, k, &Value::Text(v.clone())).unwrap_or_else(|err| panic!("{k}={v}: {err}"));
        }
        if crate::plan::not_comparable(&s).is_none() {
            out.push((format!("generated own world #{:03} (seed {seed})", out.len() + 1), s));
        }
    }
    out
}

/// The same kinds of situation with every server running Exim: the presets and the hand-written cases, and `n`
/// generated ones from `seed`: those whose first server runs Exim and that the loopback set-up can reproduce.
pub fn exim(seed: u64, n: usize) -> Vec<(String, Scenario)> {
    on_software("exim", seed, 0x0E71_4000, n, |p| p.exim.is_some())
}

/// The same with every server running Sendmail (and the loopback set-up able to reproduce it).
pub fn sendmail(seed: u64, n: usize) -> Vec<(String, Scenario)> {
    on_software("sendmail", seed, 0x005E_4D00, n, |p| p.sendmail.is_some())
}

/// The same with every server running OpenSMTPD (and the loopback set-up able to reproduce it: no TLS).
pub fn opensmtpd(seed: u64, n: usize) -> Vec<(String, Scenario)> {
    on_software("opensmtpd", seed, 0x0057_7D00, n, |p| p.opensmtpd.is_some())
}

fn on_software(
    flavour: &str,
    seed: u64,
    salt: u64,
    n: usize,
    runs_it: fn(&crate::plan::Plan) -> bool,
) -> Vec<(String, Scenario)> {
    let to_flavour = |mut s: Scenario| {
        for server in ["provider", "middle", "recipient"] {
            fields::set(&mut s, &format!("{server}.flavour"), &Value::Text(flavour.into())).expect("a flavour");
        }
        s
    };
    let mut out: Vec<(String, Scenario)> = Vec::new();
    let comparable = |s: &Scenario| crate::plan::derive("", s).is_ok_and(|p| runs_it(&p));
    for (name, s) in hand_written() {
        let s = to_flavour(s);
        if comparable(&s) {
            out.push((format!("{flavour}: {name}"), s));
        }
    }
    let mut rng = Rng::new(seed ^ salt);
    let mut made = 0;
    let mut tried = 0;
    // Bounded: a flavour most random situations cannot be reproduced for still ends.
    while made < n && tried < n * 200 {
        tried += 1;
        let batch = generated(rng.below(u64::MAX), 1);
        let s = to_flavour(batch.into_iter().next().expect("one").1);
        if comparable(&s) {
            made += 1;
            out.push((format!("{flavour}: generated #{made:03} (seed {seed})"), s));
        }
    }
    out
}
