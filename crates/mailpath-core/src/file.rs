//! Scenario files: JSON written by hand, read strictly, with every problem reported by line, column and setting.
//! The format is documented in `docs/scenario-format.md`; its JSON Schema is generated from [`crate::fields`].

use crate::fields::{self, Value};
use crate::json::{self, Json, Pos};
use crate::presets;
use crate::scenario::Scenario;
use core::fmt;

/// The format version this build writes (and the highest it reads).
pub const FORMAT: u64 = 1;

/// One problem in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, if known.
    pub pos: Option<Pos>,
    /// The setting it is about, if any.
    pub key: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.pos {
            write!(f, "{p}: ")?;
        }
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Reads a scenario file. Every problem is reported, not just the first; nothing is half-applied.
pub fn from_json(text: &str) -> Result<Scenario, Vec<Problem>> {
    let doc = json::parse(text).map_err(|e| vec![Problem { pos: Some(e.pos), key: None, message: e.message }])?;
    let json::Value::Obj(top) = &doc.value else {
        return Err(vec![problem(
            doc.pos,
            None,
            format!("a scenario file is a JSON object, not {}", doc.value.type_name()),
        )]);
    };
    let mut problems = Vec::new();
    let mut s = Scenario::default();
    // The version and the preset to start from come first, wherever they are written.
    for (key, v) in top {
        match (key.as_str(), &v.value) {
            ("format", json::Value::Num(n)) if n.parse::<u64>().is_ok_and(|n| (1..=FORMAT).contains(&n)) => {}
            ("format", other) => problems.push(problem(
                v.pos,
                Some("format"),
                format!("this build reads format 1 to {FORMAT}; got {}", describe(other)),
            )),
            ("preset", json::Value::Str(slug)) => match presets::get(slug) {
                Some(p) => s = p.scenario(),
                None => problems.push(problem(
                    v.pos,
                    Some("preset"),
                    format!("no preset \"{slug}\"; `mailpath presets` lists them"),
                )),
            },
            ("preset", other) => problems.push(problem(
                v.pos,
                Some("preset"),
                format!("expected a preset slug, got {}", other.type_name()),
            )),
            _ => {}
        }
    }
    let mut leaves = Vec::new();
    flatten("", top, &mut leaves, &mut problems);
    // A main.cf is read with the server's names, wherever the file sets them.
    leaves.sort_by_key(|(key, _)| key.ends_with(".main_cf"));
    for (key, j) in leaves {
        if key == "format" || key == "preset" {
            continue;
        }
        match to_value(&j) {
            Ok(v) => {
                // A file may write an internationalised name in Unicode: it is sent as its A-labels.
                let v = match &v {
                    fields::Value::Text(t) if key.starts_with("names.") && !t.is_ascii() => {
                        match crate::addr::to_a_labels(t) {
                            Ok(ascii) => fields::Value::Text(ascii),
                            Err(m) => {
                                problems.push(problem(j.pos, Some(&key), m));
                                continue;
                            }
                        }
                    }
                    _ => v,
                };
                if let Err(e) = fields::set_one_of_many(&mut s, &key, &v) {
                    let message = match e {
                        fields::FieldError::Invalid { problem, .. } => problem,
                        unknown => unknown.to_string(),
                    };
                    problems.push(problem(j.pos, Some(&key), message));
                }
            }
            Err(m) => problems.push(problem(j.pos, Some(&key), m)),
        }
    }
    for e in fields::check(&s) {
        problems.push(Problem { pos: None, key: None, message: e.to_string() });
    }
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(problems)
    }
}

fn problem(pos: Pos, key: Option<&str>, message: String) -> Problem {
    Problem { pos: Some(pos), key: key.map(str::to_string), message }
}

fn describe(v: &json::Value) -> String {
    match v {
        json::Value::Num(n) => n.clone(),
        other => other.type_name().into(),
    }
}

fn flatten(prefix: &str, obj: &[(String, Json)], out: &mut Vec<(String, Json)>, problems: &mut Vec<Problem>) {
    for (k, v) in obj {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match &v.value {
            json::Value::Obj(inner) if !inner.is_empty() => flatten(&key, inner, out, problems),
            json::Value::Obj(_) => {
                problems.push(problem(v.pos, Some(&key), "an empty object sets nothing; remove it".into()))
            }
            _ => out.push((key, v.clone())),
        }
    }
}

fn to_value(j: &Json) -> Result<Value, String> {
    Ok(match &j.value {
        json::Value::Bool(b) => Value::Bool(*b),
        json::Value::Num(n) => match n.parse::<u64>() {
            Ok(n) => Value::Num(n),
            Err(_) => return Err(format!("expected a whole number ≥ 0, got {n}")),
        },
        json::Value::Str(s) => Value::Text(s.clone()),
        json::Value::Arr(items) => Value::List(
            items
                .iter()
                .map(|i| match &i.value {
                    json::Value::Str(s) => Ok(s.clone()),
                    other => Err(format!("a list holds strings, not {}", other.type_name())),
                })
                .collect::<Result<_, _>>()?,
        ),
        json::Value::Null => return Err("null is not a value here; leave the setting out to use the default".into()),
        json::Value::Obj(_) => return Err("expected a value, not an object".into()),
    })
}

/// Writes a scenario as a file: the format, the title, and every setting that differs from the default,
/// nested by key.
pub fn to_json(s: &Scenario) -> String {
    let mut entries: Vec<(String, Value)> = vec![("format".into(), Value::Num(FORMAT))];
    entries.extend(fields::changed(s));
    if !entries.iter().any(|(k, _)| k == "title") {
        entries.insert(1, ("title".into(), Value::Text(s.title.clone())));
    }
    let mut out = String::new();
    write_level(&mut out, &entries, "", 1);
    out
}

fn write_level(out: &mut String, entries: &[(String, Value)], prefix: &str, depth: usize) {
    out.push_str("{\n");
    let pad = "  ".repeat(depth);
    // Group entries by their next key segment, keeping first-seen order.
    let mut groups: Vec<(&str, Vec<(String, Value)>)> = Vec::new();
    for (key, v) in entries {
        let rest = &key[prefix.len()..];
        let (head, tail) = rest.split_once('.').map_or((rest, None), |(h, t)| (h, Some(t)));
        let child = (tail.map_or(String::new(), |_| format!("{prefix}{head}.")), v.clone());
        let full = if tail.is_some() { key.clone() } else { String::new() };
        match groups.iter_mut().find(|(h, _)| *h == head) {
            Some((_, list)) => list.push((if full.is_empty() { key.clone() } else { full }, child.1)),
            None => groups.push((head, vec![(if full.is_empty() { key.clone() } else { full }, child.1)])),
        }
    }
    for (i, (head, list)) in groups.iter().enumerate() {
        out.push_str(&pad);
        out.push_str(&json::quote(head));
        out.push_str(": ");
        let leaf = list.len() == 1 && list[0].0 == format!("{prefix}{head}");
        if leaf {
            write_value(out, &list[0].1);
        } else {
            write_level(out, list, &format!("{prefix}{head}."), depth + 1);
        }
        out.push_str(if i + 1 < groups.len() { ",\n" } else { "\n" });
    }
    out.push_str(&"  ".repeat(depth - 1));
    out.push('}');
    if depth == 1 {
        out.push('\n');
    }
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Num(n) => out.push_str(&n.to_string()),
        Value::Text(t) => out.push_str(&json::quote(t)),
        Value::List(l) => {
            out.push('[');
            out.push_str(&l.iter().map(|x| json::quote(x)).collect::<Vec<_>>().join(", "));
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Auth, Port};

    #[test]
    fn reads_a_hand_written_file() {
        let s = from_json(
            r#"{
  "format": 1,
  "preset": "outlook-express",
  "title": "Same, with a password",
  "client": { "auth": "right", "port": 587, "tls": true },
  "provider.flavour": "postfix"
}"#,
        )
        .unwrap();
        assert_eq!((s.client.auth, s.client.port), (Auth::Right, Port::P587));
        assert_eq!(s.title, "Same, with a password");
    }

    #[test]
    fn reports_every_problem_with_place_and_setting() {
        let errs = from_json("{\n  \"client\": { \"port\": 2525, \"auht\": \"on\" },\n  \"message\": { \"to\": [\"bob@\"] },\n  \"seed\": -1\n}").unwrap_err();
        let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(lines[0], "line 2, column 23: `client.port`: \"2525\" is not one of 25, 587, 465");
        assert_eq!(
            lines[1],
            "line 2, column 37: `client.auht`: unknown setting `client.auht` (did you mean `client.auth`?)"
        );
        assert!(lines[2].starts_with("line 3, column 22: `message.to`: \"bob@\""), "{}", lines[2]);
        assert_eq!(lines[3], "line 4, column 11: `seed`: expected a whole number ≥ 0, got -1");
        assert_eq!(
            from_json("[1]").unwrap_err()[0].to_string(),
            "line 1, column 1: a scenario file is a JSON object, not an array"
        );
        assert!(from_json("{\"format\": 9}").unwrap_err()[0].to_string().contains("format 1 to 1"));
        assert!(from_json("{\"title\": null}").unwrap_err()[0].to_string().contains("leave the setting out"));
    }

    #[test]
    fn every_preset_round_trips_through_a_file() {
        for p in presets::ALL {
            let s = p.scenario();
            let text = to_json(&s);
            assert_eq!(from_json(&text).unwrap_or_else(|e| panic!("{}: {e:?}\n{text}", p.slug)), s, "{}", p.slug);
        }
    }
}
