//! The bounce reader on real bounces: every message of the corpus under `tests/bounces/` (real Postfix bounces from
//! the conformance set-up and published bounces of other software, each with its source) is read exactly as its
//! `.expect` file says; and every bounce and error dialog the simulator writes, pasted back, is read as the same
//! class of problem and opens a scenario that goes wrong the same way, at the same command.

use mailpath_core::bounce::{self, Kind, Reading};
use mailpath_core::fields::{self, Value};
use mailpath_core::named::Named;
use mailpath_core::scenario::Flavour;
use mailpath_core::trace::{EventKind, Trace};
use mailpath_core::{presets, run, Why};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bounces")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "eml") {
            out.push(p);
        }
    }
}

/// The reading's value for each key of an `.expect` file (`-` for none).
fn actual(r: &Reading, key: &str) -> String {
    let v = |i: &Option<bounce::Item>| i.as_ref().map_or("-".to_string(), |i| i.value.clone());
    match key {
        "software" => r.software.map_or("-".into(), |s| s.name().to_string()),
        "reporting" => v(&r.reporting),
        "remote" => r.remote.as_ref().or(r.remote_ip.as_ref()).map_or("-".into(), |i| i.value.clone()),
        "command" => v(&r.command),
        "code" => v(&r.code),
        "status" => v(&r.status),
        "recipient" => v(&r.recipient),
        "class" => r.class.map_or("other".into(), |c| c.name().to_string()),
        _ => unreachable!(),
    }
}

const KEYS: [&str; 8] = ["software", "reporting", "remote", "command", "code", "status", "recipient", "class"];

#[test]
fn every_bounce_of_the_corpus_is_read_as_expected() {
    let mut emls = Vec::new();
    files(&corpus(), &mut emls);
    emls.sort();
    let mut wrong = Vec::new();
    let mut per_software: BTreeMap<String, usize> = BTreeMap::new();
    let (mut items, mut right_items) = (0, 0);
    let mut known = Vec::new();
    for eml in &emls {
        let expect_path = eml.with_extension("expect");
        let expect = std::fs::read_to_string(&expect_path).unwrap_or_else(|e| panic!("{}: {e}", expect_path.display()));
        let fields: BTreeMap<&str, &str> =
            expect.lines().filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.trim(), v.trim())).collect();
        assert!(fields.get("source").is_some_and(|s| s.len() > 10), "{}: no source", expect_path.display());
        let raw = String::from_utf8_lossy(&std::fs::read(eml).unwrap()).into_owned();
        let t0 = std::time::Instant::now();
        let reading = bounce::read(&raw);
        assert!(t0.elapsed().as_millis() < 500, "{} took {:?}", eml.display(), t0.elapsed());
        let name = eml.strip_prefix(corpus()).unwrap().display().to_string();
        let Ok(r) = reading else {
            wrong.push(format!("{name}: not read: {}", reading.unwrap_err()));
            continue;
        };
        *per_software.entry(fields.get("software").unwrap_or(&"?").to_string()).or_default() += 1;
        // `misread: key key — why`: what the reader is known to get wrong in this message, said openly; such an
        // item counts as wrong, and must still be wrong (a fixed one has its line taken out).
        let misread: Vec<&str> = fields
            .get("misread")
            .map_or(Vec::new(), |m| m.split(" — ").next().unwrap_or("").split_whitespace().collect());
        for key in KEYS {
            let want = fields.get(key).copied().unwrap_or("-");
            let mut got = actual(&r, key);
            // Software Mailpath does not name ("other:…") is read as unnamed, or as a standard report.
            if key == "software" && want.starts_with("other:") && (got == "-" || got == "rfc3464") {
                got = want.to_string();
            }
            items += 1;
            let right = got.eq_ignore_ascii_case(want);
            match (right, misread.contains(&key)) {
                (true, false) => right_items += 1,
                (true, true) => wrong.push(format!("{name}: {key} is now read right: take it out of `misread:`")),
                (false, true) => known.push(format!("{name}: {key}: read {got:?}, expected {want:?}")),
                (false, false) => wrong.push(format!("{name}: {key}: read {got:?}, expected {want:?}")),
            }
        }
        // Every item that points into the paste points at its own value (give or take folding and case).
        for i in [&r.reporting, &r.remote, &r.recipient, &r.code, &r.status].into_iter().flatten() {
            if let Some(at) = i.at {
                let there = raw[at.start..at.end].split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(there.eq_ignore_ascii_case(&i.value), "{name}: {:?} points at {there:?}", i.value);
            }
        }
    }
    println!("{} messages, {} kinds of software: {per_software:?}", emls.len(), per_software.len());
    println!("{right_items} of {items} items read as expected; known misreadings:\n  {}", known.join("\n  "));
    assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
    assert!(emls.len() >= 40 && per_software.len() >= 6, "the corpus is too small: {per_software:?}");
}

/// Where a trace went wrong before event `upto`: the command of the last refusing reply, or `connect` for a
/// connection that failed.
fn failed_command(t: &Trace, upto: usize) -> Option<String> {
    let mut last = None;
    let mut command = None;
    for e in &t.events[..=upto] {
        match &e.kind {
            EventKind::Command(c) => command = Some(c.stage().name().to_string()),
            // A DATA refused after the recipients were (a pipelining client's, Sendmail's) is their consequence.
            EventKind::Reply(r)
                if r.code >= 400 && !(command.as_deref() == Some("DATA") && last.as_deref() == Some("RCPT TO")) =>
            {
                last = command.clone()
            }
            EventKind::ConnectFailed { .. } => last = Some("connect".to_string()),
            _ => {}
        }
    }
    last
}

/// The bounces (to their sender) and the error dialogs of a trace: `(what, event, the text, its reason)`.
fn pastes(t: &Trace) -> Vec<(&'static str, usize, String, Option<Why>)> {
    t.events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.kind {
            EventKind::Bounced { message, .. } => Some(("bounce", i, t.messages[*message].text(), e.why)),
            EventKind::ErrorDialog { text, .. } => Some(("dialog", i, text.clone(), e.why)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_simulated_bounce_and_dialog_pasted_back_opens_the_same_failure() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    let mut kept = 0;
    // Every preset, and the bounce every server software writes when the recipient's server refuses to relay.
    let mut cases: Vec<(String, mailpath_core::Scenario)> =
        presets::ALL.iter().map(|p| (p.slug.to_string(), p.scenario())).collect();
    for &f in Flavour::ALL {
        for slug in ["recipient-misconfigured", "unknown-user", "backup-mx-primary-down-6d"] {
            let mut s = presets::get(slug).unwrap().scenario();
            for key in ["provider.flavour", "recipient.flavour"] {
                fields::set(&mut s, key, &Value::Text(f.name().into())).unwrap();
            }
            if f == Flavour::Qmail {
                // qmail has no submission service: the mail program sends on port 25 from the trusted network.
                for (key, v) in
                    [("client.port", "25"), ("client.tls", "off"), ("client.auth", "off"), ("network.place", "home")]
                {
                    fields::set(&mut s, key, &Value::Text(v.into())).unwrap();
                }
            }
            cases.push((format!("{slug} with {}", f.name()), s));
        }
    }
    for (slug, s) in &cases {
        let t = run(s);
        for (what, at, paste, why) in pastes(&t) {
            checked += 1;
            let r = match bounce::read(&paste) {
                Ok(r) => r,
                Err(e) => {
                    wrong.push(format!("{slug} ({what}): not read: {e}"));
                    continue;
                }
            };
            assert_ne!(r.kind, Kind::Received);
            let want = why.unwrap_or(t.outcome.why);
            if slug.contains(" with ")
                && mailpath_core::flavours::spec(s.recipient.flavour).relay_denied.text
                    == mailpath_core::flavours::spec(s.recipient.flavour).unknown_user.text
                && matches!(want, Why::RelayDenied | Why::UserUnknown)
            {
                // OpenSMTPD says "Invalid recipient" for both: the reading must not claim either.
                if r.class.is_some_and(|c| matches!(c, Why::RelayDenied | Why::UserUnknown)) {
                    wrong.push(format!("{slug} ({what}): read as {:?}, which the words do not tell", r.class));
                }
                continue;
            }
            if r.class != Some(want) && r.last_failure != Some(want) {
                wrong.push(format!(
                    "{slug} ({what}): read as {:?}/{:?}, the simulation says {want:?}",
                    r.class, r.last_failure
                ));
                continue;
            }
            let Some(open) = bounce::opening(&r) else {
                wrong.push(format!("{slug} ({what}): {:?} opens no scenario", r.class));
                continue;
            };
            let (s2, refused) = open.scenario();
            kept += refused.len();
            let again = run(&s2);
            let same =
                pastes(&again).into_iter().find(|(w, _, _, y)| *w == what && y.unwrap_or(again.outcome.why) == want);
            let Some((_, at2, ..)) = same else {
                wrong.push(format!(
                    "{slug} ({what}) opens {} and it shows no {what} for {want:?}; not applied: {refused:?}",
                    open.preset
                ));
                continue;
            };
            let (cmd, cmd2) = (failed_command(&t, at), failed_command(&again, at2));
            if cmd != cmd2 {
                wrong
                    .push(format!("{slug} ({what}) opens {}: fails at {cmd2:?}, the original at {cmd:?}", open.preset));
            }
        }
    }
    println!("{checked} simulated bounces and dialogs read back; {kept} of the bounces' names kept as the preset has them (they clash)");
    assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
    assert!(checked >= 40, "only {checked} bounces and dialogs");
}
