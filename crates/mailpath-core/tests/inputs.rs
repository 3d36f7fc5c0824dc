//! Every way input reaches the core: links, scenario files and typed addresses. Generated scenarios survive a
//! round trip through a link and through a file exactly; arbitrary input never panics; the open-relay tester's
//! 16 address forms typed into the recipient field are decided exactly as the (conformance-checked) tester's own.

use mailpath_core::addr::Address;
use mailpath_core::fields::{self, Kind, Value};
use mailpath_core::trace::EventKind;
use mailpath_core::{file, permalink, presets, run, Scenario};
use proptest::prelude::*;

/// Text that breaks naive formats: separators of the link format, markup, quotes, controls, non-ASCII.
const NASTY: &[&str] = &[
    "a;b=c",
    "100% sure #1 & co",
    "<img src=x onerror=alert(1)>",
    "\"quoted\" 'single' `back`",
    "tab\there",
    "Grüße aus Köln — ✉",
    "日本語の件名",
    "   spaces around   ",
    "%41%zz%",
    "line\nbreak",
];

fn value_for(kind: Kind, pick: usize, text: &str) -> Value {
    match kind {
        Kind::Bool => Value::Bool(pick.is_multiple_of(2)),
        Kind::Choice(names) => Value::Text(names[pick % names.len()].to_string()),
        Kind::Number { min, max } => Value::Num([min, max, (min + max) / 2][pick % 3]),
        Kind::Duration => Value::Text(["0", "45m", "2h", "6d", "90"][pick % 5].into()),
        Kind::Address => Value::Text(
            ["bob@corp-b.example", "bob%corp-b.example@isp-a.example", "\"a b\"@x.example"][pick % 3].into(),
        ),
        Kind::OptionalAddress => Value::Text(["", "ceo@elsewhere.example"][pick % 2].into()),
        Kind::Addresses { .. } => Value::List(vec!["bob@corp-b.example".into(), "nobody@corp-b.example".into()]),
        Kind::Names { .. } => Value::List(vec!["erin".into()]),
        Kind::Text { max } => Value::Text(text.chars().take(max).collect()),
        Kind::HostName { .. } => Value::Text(["mail.example.net", "xn--bcher-kva.example", text][pick % 3].into()),
        Kind::Ip => Value::Text(["10.9.8.7", text][pick % 2].into()),
        Kind::Network => Value::Text(["10.0.0.0/8", text][pick % 2].into()),
    }
}

/// A preset (or the default) with random settings changed, and the preset it started from.
fn scenario() -> impl Strategy<Value = (Scenario, Option<&'static str>)> {
    let n = fields::all().len();
    let texts = prop::sample::select(NASTY).prop_union(prop::sample::select(&["plain", ""][..]));
    (prop::option::of(0..presets::ALL.len()), prop::collection::vec((0..n, 0usize..1000, texts), 0..12), any::<u32>())
        .prop_map(|(preset, edits, seed)| {
            let preset = preset.map(|i| &presets::ALL[i]);
            let mut s = preset.map_or_else(Scenario::default, |p| p.scenario());
            let all = fields::all();
            for (i, pick, text) in edits {
                let (key, _, kind) = &all[i];
                let _ = fields::set(&mut s, key, &value_for(*kind, pick, text));
            }
            s.seed = u64::from(seed);
            (s, preset.map(|p| p.slug))
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn a_link_decodes_to_the_scenario_it_encodes((s, preset) in scenario(), step in prop::option::of(0usize..500)) {
        let link = permalink::encode(&s, preset, step);
        let d = permalink::decode(&link);
        prop_assert!(d.ignored.is_empty(), "{link}: {:?}", d.ignored);
        prop_assert_eq!(d.preset, preset);
        prop_assert_eq!(d.step, step);
        // The title belongs to the preset; everything else must be equal.
        let mut back = d.scenario;
        back.title = s.title.clone();
        prop_assert_eq!(back, s);
    }

    #[test]
    fn a_file_reads_back_the_scenario_it_was_written_from((s, _) in scenario()) {
        let text = file::to_json(&s);
        match file::from_json(&text) {
            Ok(back) => prop_assert_eq!(back, s),
            Err(problems) => prop_assert!(false, "{text}\n{problems:?}"),
        }
    }

    #[test]
    fn decoding_any_link_never_panics(text in ".{0,300}", bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = permalink::decode(&text);
        let _ = permalink::decode(&format!("v1;{text}"));
        let _ = permalink::decode(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn reading_any_file_never_panics(text in ".{0,300}") {
        let _ = file::from_json(&text);
        let _ = file::from_json(&format!("{{\"format\":1,\"scenario\":{{\"client\":{text}}}}}"));
    }

    #[test]
    fn parsing_any_address_never_panics(text in ".{0,300}") {
        if let Ok(a) = Address::parse(&text) {
            // What parses can be echoed, is within the RFC 5321 limits and parses again to itself.
            let _ = a.echo();
            prop_assert!(a.raw().len() <= mailpath_core::addr::MAX_PATH);
            prop_assert_eq!(Address::parse(a.raw()), Ok(a.clone()));
        }
    }

    #[test]
    fn any_setting_value_is_accepted_or_refused_with_a_reason(key in 0usize..60, text in ".{0,80}") {
        let all = fields::all();
        let (key, ..) = &all[key % all.len()];
        let mut s = Scenario::default();
        if fields::set(&mut s, key, &Value::Text(text.clone())).is_ok() {
            // An accepted value always runs.
            let _ = run(&s);
        }
    }
}

/// Every RCPT command of a run with the reply it got, in order.
fn rcpts(s: &Scenario) -> Vec<(String, String)> {
    let t = run(s);
    let mut out = Vec::new();
    let mut pending = None;
    for e in &t.events {
        match &e.kind {
            EventKind::Command(c) => {
                let c = c.to_string();
                pending = c.starts_with("RCPT TO:").then_some(c);
            }
            EventKind::Reply(r) => {
                if let Some(c) = pending.take() {
                    out.push((c, r.wire_lines().collect::<Vec<_>>().join("\n")));
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn typed_relay_tester_addresses_are_decided_as_the_tester_is() {
    // The tester's own run: one RCPT per form, checked against a real Postfix by the conformance suite.
    let tester = presets::get("relay-test-strict").unwrap().scenario();
    let tested = rcpts(&tester);
    assert_eq!(tested.len(), 16);
    let mut forms = 0;
    for (command, reply) in &tested {
        let form = command.trim_start_matches("RCPT TO:<").trim_end_matches('>');
        // The same server and client, with the form typed into the recipient field.
        let mut s = tester.clone();
        fields::set(&mut s, "sender", &Value::Text("mallory".into())).unwrap();
        fields::set(&mut s, "message.to", &Value::Text(form.into()))
            .unwrap_or_else(|e| panic!("{form} should be accepted as Postfix accepts it: {e}"));
        let typed = rcpts(&s);
        assert_eq!(typed.len(), 1, "{form}: {typed:?}");
        assert_eq!(&typed[0], &(command.clone(), reply.clone()), "{form}");
        forms += 1;
    }
    assert_eq!(forms, 16);
}

#[test]
fn strange_addresses_get_a_reason_not_a_panic() {
    // (Postfix, like the simulator, takes `bob@@corp-b.example` and `a@b@c` forms: the last @ splits.)
    let mut s = Scenario::default();
    for bad in [
        "bob@",
        "@corp-b.example",
        &format!("{}@corp-b.example", "a".repeat(65)),
        &format!("bob@{}.example", "d".repeat(250)),
        "bob@corp-b.example>",
        "bob\u{0}@corp-b.example",
        "<script>@corp-b.example",
        "bob@-corp.example",
    ] {
        let e = fields::set(&mut s, "message.to", &Value::Text(bad.into()));
        assert!(e.is_err(), "{bad:?} was accepted as {:?}", s.message.to);
        // The message quotes the input, or says which rule it breaks.
        let msg = e.unwrap_err().to_string();
        let says =
            msg.contains(&format!("\"{bad}\"")) || msg.contains("control character") || msg.contains("characters long");
        assert!(says, "{bad:?}: {msg}");
    }
    // Internationalised names are taken (they need SMTPUTF8 on the wire, which the trace shows).
    fields::set(&mut s, "message.to", &Value::Text("jörg@bücher.example".into())).unwrap();
    let _ = run(&s);
}

/// Found by `cargo fuzz` (target `address`): a path padded with 300 spaces. The limits apply to the path itself,
/// after the padding is taken off, as the parser does; the fuzz target's own check was wrong.
#[test]
fn fuzz_regression_padded_address() {
    let padded = format!("{}/{}", " ".repeat(300), " ".repeat(7));
    let a = Address::parse(&padded).expect("a bare local part, padded");
    assert_eq!(a.raw(), "/");
    assert!(a.raw().len() <= mailpath_core::addr::MAX_PATH);
    let long = format!("<{}@x.example>", "a".repeat(300));
    assert!(Address::parse(&long).is_err(), "over 254 octets of path");
}
