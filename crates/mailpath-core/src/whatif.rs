//! The what-if grid: the outcome for every combination of the main toggles — authentication and port down the
//! side, network and recipient across — each cell a real run, with the provider's other settings as they are.

use crate::addr::Address;
use crate::fields::{self, Value};
use crate::reply::Reply;
use crate::scenario::{Port, Scenario};
use crate::trace::Ending;

/// The toggles the grid varies: rows vary the first two, columns the last two.
pub const AXES: [&str; 4] = ["client.auth", "client.port", "network.place", "message.to"];

/// The values the grid tries for each axis: the recipients are a mailbox of the recipient's domain and one of
/// the sender's own provider, with the world's names.
pub fn values(s: &Scenario) -> [Vec<String>; 4] {
    let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    [
        v(&["off", "right", "wrong"]),
        v(&["25", "587", "465"]),
        v(&["home", "hotel", "office"]),
        vec![format!("bob@{}", s.names.recipient.domain), format!("carol@{}", s.names.provider.domain)],
    ]
}

/// How many axes name a row (the rest name a column).
const ROW_AXES: usize = 2;

/// One cell: a combination and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The index of each axis's value.
    pub choice: Vec<u8>,
    /// The overall outcome.
    pub ending: Ending,
    /// The deciding reply, if any.
    pub reply: Option<Reply>,
}

/// One row of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its label (`right · 587`).
    pub label: String,
    /// Its cells, one per column.
    pub cells: Vec<Cell>,
}

/// The whole grid, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Column labels (`hotel → corp-b.example`).
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
}

impl Grid {
    /// The (row, column) of the cell whose toggles are the scenario's own, if they are all on the grid.
    pub fn current(&self, s: &Scenario) -> Option<(usize, usize)> {
        let choice = current(s)?;
        self.rows
            .iter()
            .enumerate()
            .find_map(|(r, row)| row.cells.iter().position(|c| c.choice == choice).map(|c| (r, c)))
    }
}

/// How many values each axis has.
const SIZES: [usize; 4] = [3, 3, 3, 2];

/// How many cells the grid has.
pub fn len() -> usize {
    SIZES.iter().product()
}

/// The scenario for a cell: `base` with each axis set to the chosen value (TLS follows the port: on for
/// 587/465).
pub fn variant(base: &Scenario, choice: &[u8]) -> Scenario {
    let mut s = base.clone();
    let values = values(base);
    for ((key, values), &i) in AXES.iter().zip(&values).zip(choice) {
        let _ = fields::set(&mut s, key, &Value::Text(values[i as usize].clone()));
    }
    s.client.tls = s.client.port != Port::P25;
    s
}

/// The scenario the grid is computed from: `s` with its axes set to the first choice. Every cell sets all the
/// axes, so two scenarios with the same key have the same grid (the app keeps the grid while only axes change).
pub fn key(s: &Scenario) -> Scenario {
    variant(s, &[0; 4])
}

/// Which cell the scenario is on, if its toggles are all among the grid's values.
pub fn current(s: &Scenario) -> Option<Vec<u8>> {
    let values = values(s);
    AXES.iter()
        .zip(&values)
        .map(|(key, values)| {
            let v = fields::get(s, key)?.render();
            values.iter().position(|x| *x == v).map(|i| i as u8)
        })
        .collect()
}

/// Every combination, in grid order (last axis fastest).
pub fn choices() -> impl Iterator<Item = Vec<u8>> {
    (0..len()).map(|mut n| {
        let mut choice = vec![0u8; AXES.len()];
        for (c, size) in choice.iter_mut().zip(SIZES).rev() {
            *c = (n % size) as u8;
            n /= size;
        }
        choice
    })
}

fn label(keys: &[&str], values: &[Vec<String>], choice: &[u8], sep: &str) -> String {
    keys.iter()
        .zip(values)
        .zip(choice)
        .map(|((key, values), &i)| {
            let v = &values[i as usize];
            if *key == "message.to" {
                Address::parse(v).ok().and_then(|a| a.domain().map(str::to_string)).unwrap_or_else(|| v.clone())
            } else {
                v.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Runs every combination for `base` and lays the results out as rows and columns.
pub fn grid(base: &Scenario) -> Grid {
    let per_row: usize = SIZES[ROW_AXES..].iter().product();
    let values = values(base);
    let mut rows: Vec<Row> = Vec::new();
    let mut columns = Vec::new();
    for (n, choice) in choices().enumerate() {
        if n % per_row == 0 {
            rows.push(Row {
                label: label(&AXES[..ROW_AXES], &values[..ROW_AXES], &choice[..ROW_AXES], " · "),
                cells: Vec::new(),
            });
        }
        if n < per_row {
            columns.push(label(&AXES[ROW_AXES..], &values[ROW_AXES..], &choice[ROW_AXES..], " → "));
        }
        let t = crate::run(&variant(base, &choice));
        let cell = Cell { choice, ending: t.outcome.ending, reply: t.outcome.reply };
        rows.last_mut().expect("a row was started").cells.push(cell);
    }
    Grid { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_every_combination_and_finds_the_current_cell() {
        let base = crate::presets::get("outlook-express").unwrap().scenario();
        let g = grid(&base);
        assert_eq!((g.rows.len(), g.columns.len()), (9, 6));
        assert_eq!(g.rows.iter().map(|r| r.cells.len()).sum::<usize>(), len());
        assert_eq!(g.rows[4].label, "right · 587");
        assert_eq!(g.columns[3], "hotel → isp-a.example");
        let all: Vec<&Cell> = g.rows.iter().flat_map(|r| &r.cells).collect();
        // Strictly increasing, so never repeated: the last axis changes fastest.
        assert!(all.windows(2).all(|w| w[0].choice < w[1].choice));
        let (r, c) = g.current(&base).expect("outlook-express is on the grid");
        assert_eq!(g.rows[r].cells[c].ending, Ending::Refused);
        assert_eq!(g.rows[r].cells[c].reply.as_ref().map(|r| r.code), Some(550));
        // Authenticated on 587 is delivered from anywhere, to either domain.
        for cell in &g.rows[4].cells {
            assert_eq!(cell.ending, Ending::Delivered, "{:?}", cell.choice);
        }
    }

    /// A cell's scenario depends only on the base with its axes set to any one choice: setting the axes twice
    /// is the same as setting them once, so the grid of [`key`] is the grid.
    #[test]
    fn a_cell_does_not_depend_on_the_axes_it_sets() {
        let all: Vec<Vec<u8>> = choices().collect();
        for preset in crate::presets::ALL {
            let base = preset.scenario();
            for first in all.iter().step_by(5) {
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
