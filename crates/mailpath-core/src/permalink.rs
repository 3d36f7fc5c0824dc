//! Links that carry a whole scenario and a step in the URL fragment, in a compact, versioned form a person can
//! read and edit: `#v1;p=outlook-express;client.auth=right;s=12`.
//!
//! - `v1` is the format version; `p=` names the preset the scenario starts from; every other `key=value` is a
//!   setting from [`crate::fields`] that differs from that preset; `s=` is the step (event index) shown.
//! - Version 0 links are a bare preset slug (`#outlook-express`) and still open.
//! - `console=` and `typed=` carry a console session (where it types from and to, and the typed lines); they are
//!   kept aside in [`Decoded::console`] for [`crate::console::from_link`].
//! - A link that does not decode cleanly opens the closest valid scenario: every part that could not be used
//!   is listed in [`Decoded::ignored`] so the app can say so. Decoding never panics.

use crate::fields::{self, Value};
use crate::presets;
use crate::scenario::Scenario;

/// The current format version.
pub const VERSION: u32 = 1;
/// Longest fragment read; anything longer is cut and reported.
pub const MAX_LEN: usize = 8192;

/// What a link decoded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The scenario.
    pub scenario: Scenario,
    /// The preset it started from, if any.
    pub preset: Option<&'static str>,
    /// The step to show, if the link had one.
    pub step: Option<usize>,
    /// Parts that were ignored, each with the reason.
    pub ignored: Vec<String>,
    /// A console session: the `console=` value (unescaped) and the `typed=` value (still escaped), if any.
    pub console: Option<(String, Option<String>)>,
    /// A challenge being played: `challenge=` a slug, or a teacher's `c=` aims with the `allow=` settings.
    pub challenge: Option<Chosen>,
}

/// The challenge a link plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    /// One of [`crate::challenge::ALL`].
    Named(&'static str),
    /// A teacher's: the link's scenario is the start; the `c=` and `allow=` values as written (read by
    /// [`crate::challenge::from_link`] where the challenge is played, so reading a link does not carry it).
    Custom {
        /// The aims (`as-set:delivered,mallory-provider:refused`).
        aims: String,
        /// The settings that may change (`client.auth,client.port`).
        allow: String,
    },
}

impl Chosen {
    /// The link parts that carry it.
    pub fn link_parts(&self) -> String {
        match self {
            Chosen::Named(slug) => format!(";challenge={slug}"),
            Chosen::Custom { aims, allow } => format!(";c={};allow={}", escape(aims), escape(allow)),
        }
    }
}

/// Percent-encodes what would break the format (`;`, `=`, `%`, `#`, `&`, spaces, controls, non-ASCII).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'@'
            | b','
            | b'!'
            | b':'
            | b'['
            | b']'
            | b'~'
            | b'+' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Reverses [`escape`]; `None` for a malformed escape or invalid UTF-8.
pub fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The link fragment (without `#`) for a scenario that started from `preset` (or the default), at `step`.
pub fn encode(s: &Scenario, preset: Option<&str>, step: Option<usize>) -> String {
    let base_preset = preset.and_then(presets::get);
    let base = base_preset.map_or_else(Scenario::default, |p| p.scenario());
    let mut out = format!("v{VERSION}");
    if let Some(p) = base_preset {
        out.push_str(";p=");
        out.push_str(p.slug);
    }
    for (key, ..) in fields::all() {
        let (Some(v), Some(b)) = (fields::get(s, &key), fields::get(&base, &key)) else { continue };
        if v != b {
            out.push(';');
            out.push_str(&key);
            out.push('=');
            out.push_str(&escape(&v.render()));
        }
    }
    if let Some(step) = step {
        out.push_str(&format!(";s={step}"));
    }
    out
}

/// Decodes a fragment (with or without the leading `#`).
pub fn decode(fragment: &str) -> Decoded {
    let mut ignored = Vec::new();
    let mut text = fragment.strip_prefix('#').unwrap_or(fragment);
    if text.len() > MAX_LEN {
        ignored.push(format!("the link is {} characters long; only the first {MAX_LEN} were read", text.len()));
        let mut cut = MAX_LEN;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text = &text[..cut];
    }
    let mut out =
        Decoded { scenario: Scenario::default(), preset: None, step: None, ignored, console: None, challenge: None };
    if text.is_empty() {
        return out;
    }
    let mut parts = text.split(';');
    let head = parts.next().unwrap_or("");
    if let Some(p) = presets::get(head) {
        // Version 0: a bare preset slug.
        out.scenario = p.scenario();
        out.preset = Some(p.slug);
        return out;
    }
    match head.strip_prefix('v').and_then(|v| v.parse::<u32>().ok()) {
        Some(1) => {}
        Some(v) => out.ignored.push(format!("format version {v} is newer than this app reads (1); trying anyway")),
        None => {
            out.ignored.push(format!("\"{}\" is not a Mailpath link; showing the default scenario", short(head)));
            return out;
        }
    }
    let mut settings = Vec::new();
    let mut typed = None;
    let (mut aims, mut allow) = (None, None);
    for part in parts.filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            out.ignored.push(format!("\"{}\" has no value", short(part)));
            continue;
        };
        if k == "typed" {
            typed = Some(v.to_string());
            continue;
        }
        let Some(value) = unescape(v) else {
            out.ignored.push(format!("the value of \"{k}\" is not properly encoded"));
            continue;
        };
        match k {
            "p" => match presets::get(&value) {
                Some(p) if out.preset.is_none() => {
                    out.preset = Some(p.slug);
                    out.scenario = p.scenario();
                }
                Some(_) => out.ignored.push("a second preset".into()),
                None => out.ignored.push(format!("there is no preset \"{}\"", short(&value))),
            },
            "console" => out.console = Some((value, None)),
            "challenge" => match crate::challenge::SLUGS.iter().find(|s| **s == value) {
                Some(slug) => out.challenge = Some(Chosen::Named(slug)),
                None => out.ignored.push(format!("there is no challenge \"{}\"", short(&value))),
            },
            "c" => aims = Some(value),
            "allow" => allow = Some(value),
            "s" => match value.parse::<usize>() {
                Ok(step) => out.step = Some(step),
                Err(_) => out.ignored.push(format!("step \"{}\" is not a number", short(&value))),
            },
            _ => settings.push((k.to_string(), value)),
        }
    }
    match (&mut out.console, typed) {
        (Some(c), t) => c.1 = t,
        (None, Some(_)) => out.ignored.push("typed lines without a console= part".into()),
        (None, None) => {}
    }
    match (aims, allow) {
        (Some(aims), allow) if out.challenge.is_none() => {
            let allow = allow.unwrap_or_default();
            out.challenge = Some(Chosen::Custom { aims, allow });
        }
        (Some(_), _) => out.ignored.push("a second challenge".into()),
        (None, Some(_)) => out.ignored.push("allowed settings without a c= challenge".into()),
        (None, None) => {}
    }
    let names_before = out.scenario.names.clone();
    // A main.cf is read with the server's names, wherever the link sets them.
    let (cf, rest): (Vec<_>, Vec<_>) = settings.into_iter().partition(|(key, _)| key.ends_with(".main_cf"));
    for (k, v) in rest.into_iter().chain(cf) {
        if let Err(e) = fields::set_one_of_many(&mut out.scenario, &k, &Value::Text(v)) {
            out.ignored.push(e.to_string());
        }
    }
    // Names are checked together (a network and an address inside it come as two settings); names that would
    // break the world are all set aside.
    let problems = crate::world::name_problems(&out.scenario.names);
    if !problems.is_empty() {
        out.scenario.names = names_before;
        out.ignored.push(format!("the names in the link were not used: {}", problems.join("; ")));
    }
    for e in fields::check(&out.scenario) {
        out.ignored.push(e.to_string());
    }
    out
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Auth, Port};

    #[test]
    fn every_preset_round_trips_with_a_step() {
        for p in presets::ALL {
            let s = p.scenario();
            let link = encode(&s, Some(p.slug), Some(7));
            assert_eq!(link, format!("v1;p={};s=7", p.slug), "a preset's own link names only the preset");
            let d = decode(&format!("#{link}"));
            assert_eq!((d.scenario, d.preset, d.step, d.ignored.len()), (s, Some(p.slug), Some(7), 0));
        }
    }

    #[test]
    fn changes_are_listed_readably() {
        let mut s = presets::get("outlook-express").unwrap().scenario();
        s.client.auth = Auth::Right;
        s.client.port = Port::P587;
        s.message.subject = "Hi; you & me = 100%".into();
        let link = encode(&s, Some("outlook-express"), None);
        assert_eq!(link, "v1;p=outlook-express;client.port=587;client.auth=right;message.subject=Hi%3B%20you%20%26%20me%20%3D%20100%25");
        assert_eq!(decode(&link).scenario, s);
    }

    #[test]
    fn old_links_are_bare_slugs() {
        let d = decode("#greylisting");
        assert_eq!(d.preset, Some("greylisting"));
        assert!(d.ignored.is_empty());
    }

    #[test]
    fn broken_links_open_the_closest_valid_scenario_with_notes() {
        let d =
            decode("v1;p=outlook-express;client.auth=maybe;client.prot=587;bogus;s=x;client.tls=on;message.to=bob@");
        assert_eq!(d.preset, Some("outlook-express"));
        assert!(d.scenario.client.tls, "good parts are kept");
        assert_eq!(d.ignored.len(), 5, "{:?}", d.ignored);
        assert!(d.ignored[0].contains("has no value"));
        assert!(d.ignored.iter().any(|m| m.contains("`client.auth`")));
        assert!(d.ignored.iter().any(|m| m.contains("did you mean `client.port`")));
        let d = decode("hello world");
        assert_eq!(d.scenario, Scenario::default());
        assert_eq!(d.ignored.len(), 1);
        assert_eq!(decode("v9;client.tls=off").ignored.len(), 1);
        assert!(decode(&"v1;".repeat(5000)).ignored[0].contains("only the first"));
        assert!(decode("v1;title=%E2%28%A1").ignored[0].contains("not properly encoded"));
    }

    #[test]
    fn challenge_links_name_one_or_carry_a_teachers() {
        let d = decode("#v1;p=outlook-express;challenge=road-not-in-network");
        assert_eq!(d.challenge, Some(Chosen::Named("road-not-in-network")));
        assert!(d.ignored.is_empty(), "{:?}", d.ignored);
        let d = decode("#v1;p=outlook-express;c=as-set:delivered,mallory-provider:refused;allow=client.auth");
        let Some(Chosen::Custom { aims, allow }) = &d.challenge else { panic!("{d:?}") };
        let (goal, allowed) = crate::challenge::from_link(aims, allow).unwrap();
        assert_eq!((goal.len(), allowed.as_slice()), (2, &["client.auth".to_string()][..]));
        assert_eq!(
            d.challenge.as_ref().unwrap().link_parts(),
            ";c=as-set:delivered,mallory-provider:refused;allow=client.auth"
        );
        for bad in ["#v1;challenge=nope", "#v1;allow=client.auth", "#v1;challenge=nope;c=x:y;c=z:w"] {
            let d = decode(bad);
            assert!(!d.ignored.is_empty(), "{bad}: {:?}", d.ignored);
        }
    }
}
