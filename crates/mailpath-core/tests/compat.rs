//! Old links, files and presets open exactly as before: every preset, every committed link and scenario file
//! (the fuzz seeds, the example article's embeds) and 2,000 seeded random scenarios are run, and each trace — its
//! text report, every message copy, every recipient's fate and the outcome — must hash to the value recorded in
//! `tests/golden/traces.txt`. A change that alters any of them on purpose rewrites the file with
//! `UPDATE_GOLDEN=1 cargo test -p mailpath-core --test compat`, in its own commit that says why.

use mailpath_core::fields::{self, Kind, Value};
use mailpath_core::rng::Rng;
use mailpath_core::{file, permalink, presets, report, run, Scenario};
use std::path::{Path, PathBuf};

fn core() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// FNV-1a, 64 bits.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Everything a person can see of a run.
fn rendering(s: &Scenario) -> String {
    let t = run(s);
    let mut out = report::text(s, &t);
    for m in &t.messages {
        out.push_str("\n--- message at ");
        out.push_str(&format!("{:?}\n{}", m.at, m.text()));
    }
    out.push_str(&format!("\n--- fates {:?}\n--- outcome {:?}\n", t.fates, t.outcome));
    out
}

fn seeds(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let text = String::from_utf8(std::fs::read(e.path()).ok()?).ok()?;
                    Some((e.file_name().to_string_lossy().to_string(), text))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn pick<'a>(rng: &mut Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.below(xs.len() as u64) as usize]
}

/// The settings the random scenarios vary: those that existed when the golden file was made, so that new
/// settings (which default to the old behaviour) do not change which scenarios are drawn.
const KEYS: &[&str] = &[
    "title",
    "seed",
    "sender",
    "client.program",
    "client.server",
    "client.port",
    "client.tls",
    "client.auth",
    "client.pop_before_smtp",
    "client.pop_age",
    "network.place",
    "network.port25",
    "message.from",
    "message.to",
    "message.header_from",
    "message.subject",
    "message.body",
    "message.attachment_kb",
    "middle.role",
    "middle.recipient_list",
    "middle.login",
    "dns.outage.at",
    "dns.outage.for",
    "dns.backup_preference",
    "provider.flavour",
    "provider.policy",
    "provider.trust",
    "provider.handles_domain",
    "provider.users",
    "provider.sasl",
    "provider.tls",
    "provider.submission",
    "provider.pop_before_smtp",
    "provider.reject_unknown_domain",
    "provider.greylisting",
    "provider.rbl",
    "provider.spf",
    "provider.dmarc",
    "provider.blocklisted",
    "provider.size_limit_kb",
    "provider.down.at",
    "provider.down.for",
    "provider.retrieval",
    "middle.flavour",
    "middle.policy",
    "middle.trust",
    "middle.handles_domain",
    "middle.users",
    "middle.sasl",
    "middle.tls",
    "middle.submission",
    "middle.pop_before_smtp",
    "middle.reject_unknown_domain",
    "middle.greylisting",
    "middle.rbl",
    "middle.spf",
    "middle.dmarc",
    "middle.blocklisted",
    "middle.size_limit_kb",
    "middle.down.at",
    "middle.down.for",
    "middle.retrieval",
    "recipient.flavour",
    "recipient.policy",
    "recipient.trust",
    "recipient.handles_domain",
    "recipient.users",
    "recipient.sasl",
    "recipient.tls",
    "recipient.submission",
    "recipient.pop_before_smtp",
    "recipient.reject_unknown_domain",
    "recipient.greylisting",
    "recipient.rbl",
    "recipient.spf",
    "recipient.dmarc",
    "recipient.blocklisted",
    "recipient.size_limit_kb",
    "recipient.down.at",
    "recipient.down.for",
    "recipient.retrieval",
];

/// A seeded random scenario: each setting changed with probability 2/3 to a value of its kind.
fn random(rng: &mut Rng) -> Scenario {
    const ADDRS: &[&str] = &[
        "bob@corp-b.example",
        "carol@isp-a.example",
        "nobody@isp-a.example",
        "nobody@corp-b.example",
        "victim@elsewhere.example",
        "x@nomail.example",
        "x@typo.example",
        "x@nomx.example",
        "alice@isp-a.example",
        "relaytest%nmap.scanme.org@smtp.isp-a.example",
        "postmaster@corp-b.example",
        "\"a b\"@corp-b.example",
    ];
    let mut s = Scenario::default();
    let all = fields::all();
    for key in KEYS {
        let kind = all.iter().find(|(k, ..)| k == key).map(|(_, _, kind)| *kind).expect("a setting of the golden file");
        // The kinds as they were when the golden file was made (the sender may now also be empty, `<>`).
        let kind = if *key == "message.from" { Kind::Address } else { kind };
        // The server software as it was then too (OpenSMTPD came later).
        let kind = if key.ends_with(".flavour") {
            Kind::Choice(&["postfix", "sendmail", "exim", "exchange", "exchange2010", "qmail", "stalwart"])
        } else {
            kind
        };
        if rng.below(3) == 0 {
            continue;
        }
        let v = match kind {
            Kind::Bool => Value::Bool(rng.below(2) == 0),
            Kind::Choice(names) => Value::Text(pick(rng, names).to_string()),
            Kind::Number { min, max } => Value::Num(min + rng.below((max - min).min(20_000) + 1)),
            Kind::Duration => Value::Text(pick(rng, &["0", "5m", "45m", "2h", "1d", "6d"]).into()),
            Kind::Address => Value::Text(pick(rng, ADDRS).into()),
            Kind::OptionalAddress => Value::Text(pick(rng, &["", "ceo@isp-a.example", "alice@isp-a.example"]).into()),
            Kind::Addresses { .. } => {
                let k = 1 + rng.below(3);
                Value::Text((0..k).map(|_| pick(rng, ADDRS)).collect::<Vec<_>>().join(","))
            }
            Kind::Names { .. } => Value::Text(pick(rng, &["", "dave", "x,y"]).into()),
            Kind::Text { .. } | Kind::HostName { .. } | Kind::Ip | Kind::Network => continue,
        };
        let _ = fields::set(&mut s, key, &v);
    }
    s
}

/// Every scenario the golden file covers, named.
fn scenarios() -> Vec<(String, Scenario)> {
    let mut out: Vec<(String, Scenario)> =
        presets::ALL.iter().map(|p| (format!("preset {}", p.slug), p.scenario())).collect();
    for (name, text) in seeds(&core().join("fuzz/seeds/permalink")) {
        out.push((format!("link {name}"), permalink::decode(text.trim()).scenario));
    }
    for (name, text) in seeds(&core().join("fuzz/seeds/scenario_file")) {
        if let Ok(s) = file::from_json(&text) {
            out.push((format!("file {name}"), s));
        }
    }
    let article = std::fs::read_to_string(core().join("../../web/static/examples/index.html")).unwrap();
    for (i, part) in article.split("src=\"../?").skip(1).enumerate() {
        let link = part.split('"').next().unwrap().split_once('#').map_or("", |(_, f)| f);
        out.push((format!("article embed {}", i + 1), permalink::decode(link).scenario));
    }
    let mut rng = Rng::new(7);
    for n in 0..2000 {
        out.push((format!("random {n}"), random(&mut rng)));
    }
    out
}

#[test]
fn old_presets_links_files_and_random_scenarios_run_exactly_as_before() {
    let path = core().join("tests/golden/traces.txt");
    let now: Vec<(String, u64)> = scenarios().into_iter().map(|(n, s)| (n, fnv(rendering(&s).as_bytes()))).collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let text: String = now.iter().map(|(n, h)| format!("{h:016x} {n}\n")).collect();
        std::fs::write(&path, text).unwrap();
    }
    let golden = std::fs::read_to_string(&path).expect("tests/golden/traces.txt");
    let was: std::collections::HashMap<&str, &str> =
        golden.lines().filter_map(|l| l.split_once(' ').map(|(h, n)| (n, h))).collect();
    let mut changed = Vec::new();
    for (name, hash) in &now {
        match was.get(name.as_str()) {
            Some(h) if *h == format!("{hash:016x}") => {}
            Some(_) => changed.push(format!("{name}: the trace changed")),
            None => changed.push(format!("{name}: not in the golden file")),
        }
    }
    assert_eq!(was.len(), now.len(), "the golden file lists {} scenarios, the test {}", was.len(), now.len());
    assert!(changed.is_empty(), "{} of {} differ:\n{}", changed.len(), now.len(), changed.join("\n"));
}
