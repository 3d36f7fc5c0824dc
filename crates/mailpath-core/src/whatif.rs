//! The what-if table: the outcome for every combination of the main toggles, each row a real run.

use crate::fields::{self, Value};
use crate::scenario::Scenario;
use crate::trace::Ending;

/// The toggles the table varies, with the values it tries.
pub const AXES: &[(&str, &[&str])] = &[
    ("client.auth", &["off", "right", "wrong"]),
    ("network.place", &["home", "hotel", "office"]),
    ("client.port", &["25", "587", "465"]),
    ("message.to", &["bob@corp-b.example", "carol@isp-a.example"]),
    ("provider.trust", &["localhost", "network"]),
    ("provider.policy", &["reject", "defer"]),
];

/// One combination and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The index of each axis's value.
    pub choice: Vec<u8>,
    /// The overall outcome.
    pub ending: Ending,
    /// The deciding reply's first line, if any.
    pub reply: Option<String>,
}

/// How many rows the table has.
pub fn len() -> usize {
    AXES.iter().map(|(_, v)| v.len()).product()
}

/// The scenario for a row: `base` with each axis set to the chosen value (TLS follows the port: on for 587/465).
pub fn variant(base: &Scenario, choice: &[u8]) -> Scenario {
    let mut s = base.clone();
    for ((key, values), &i) in AXES.iter().zip(choice) {
        let _ = fields::set(&mut s, key, &Value::Text(values[i as usize].to_string()));
    }
    s.client.tls = s.client.port != crate::scenario::Port::P25;
    s
}

/// Which row the scenario is on, if its toggles are all among the table's values.
pub fn current(s: &Scenario) -> Option<Vec<u8>> {
    AXES.iter()
        .map(|(key, values)| {
            let v = fields::get(s, key)?.render();
            values.iter().position(|x| *x == v).map(|i| i as u8)
        })
        .collect()
}

/// Every combination, in table order (last axis fastest).
pub fn choices() -> impl Iterator<Item = Vec<u8>> {
    (0..len()).map(|mut n| {
        let mut choice = vec![0u8; AXES.len()];
        for (c, (_, values)) in choice.iter_mut().zip(AXES).rev() {
            *c = (n % values.len()) as u8;
            n /= values.len();
        }
        choice
    })
}

/// Runs every combination.
pub fn table(base: &Scenario) -> Vec<Row> {
    choices()
        .map(|choice| {
            let t = crate::run(&variant(base, &choice));
            Row { choice, ending: t.outcome.ending, reply: t.outcome.reply.map(|r| r.first_line()) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_covers_every_combination_and_finds_the_current_row() {
        let base = crate::presets::get("outlook-express").unwrap().scenario();
        let rows = table(&base);
        assert_eq!(rows.len(), len());
        assert_eq!(len(), 216);
        // Strictly increasing, so never repeated: the last axis changes fastest.
        assert!(rows.windows(2).all(|w| w[0].choice < w[1].choice));
        let cur = current(&base).expect("outlook-express is on the table");
        let row = rows.iter().find(|r| r.choice == cur).unwrap();
        assert_eq!(row.ending, Ending::Refused);
        // Authenticated on 587 from anywhere is delivered.
        for r in rows.iter().filter(|r| r.choice[0] == 1 && r.choice[2] == 1) {
            assert_eq!(r.ending, Ending::Delivered, "{:?}", r.choice);
        }
    }

    /// A row's scenario depends only on the base with its axes set to any one choice (the front end keeps the
    /// table while only the axes change): setting the axes twice is the same as setting them once.
    #[test]
    fn a_row_does_not_depend_on_the_axes_it_sets() {
        let all: Vec<Vec<u8>> = choices().collect();
        for preset in crate::presets::ALL {
            let base = preset.scenario();
            for first in all.iter().step_by(17) {
                let normalised = variant(&base, first);
                for choice in &all {
                    assert_eq!(
                        variant(&normalised, choice),
                        variant(&base, choice),
                        "{} {first:?} {choice:?}",
                        preset.slug
                    );
                }
            }
        }
    }
}
